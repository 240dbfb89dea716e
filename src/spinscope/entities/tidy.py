"""Repairs to the tagger's mentions before they are grouped into entities.

The small English NER pipeline is easily misled by news layout. Each rule
here fixes one kind of mistake, on the mentions of one document:

* **Title-case headlines** ("Aggressor Escalates The Situation On The
  Border") make every word look like a name. In a headline written in
  title case a mention is kept only for the runs of its words that the
  article's body also writes as a name; "With Kazakhstan" becomes
  "Kazakhstan", "Sorn Meets Holm" becomes "Sorn" and "Holm", and "Other
  Issues" goes.
* **Titles inside a mention** ("NDC Secretary General Anders Holm"): the
  name after the titles is the person, the words before it an
  organisation (kept when they carry an organisation word) or dropped.
* **Half-tagged names**: "Secretary General Anders Holm" tagged as only
  "Holm" is extended over the capitalised first name before it.
* **Types**: platforms (:data:`PLATFORMS`) and outlets (a name followed by
  a media word: "Velmora Today", "Halden Herald") are organisations; the
  adjective of a place is a group (NORP): "Estravian troops", and "the
  Velmoran army" (an "-an" word only after an article, since "Kazakhstan
  under" is a country); a one-word
  organisation or person right after "in", "near" or "the port of" is a
  place.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from spinscope.entities.ner import RawMention
from spinscope.quotes.lexicon import LEADING_STOP_WORDS, ORG_HEADS, TITLE_WORDS

__all__ = ["MEDIA_WORDS", "PLATFORMS", "is_title_case", "tidy_mentions"]

#: Online platforms the tagger tends to call places or people (lower case).
PLATFORMS = frozenset(
    "youtube facebook telegram twitter instagram tiktok whatsapp vkontakte linkedin reddit rumble"
    " odnoklassniki viber signal wechat weibo snapchat substack".split()
)
#: A capitalised word that makes the name before it an outlet ("Velmora Today").
MEDIA_WORDS = frozenset(
    "today daily herald times post news gazette tribune wire press journal telegraph courier observer"
    " standard express mirror chronicle review tv radio online insider monitor bulletin dispatch".split()
)
_PLACE_BEFORE = re.compile(
    r"(?:\b(?:in|near|outside|around)|\b(?:port|town|city|village|region|province|capital|district)\s+of)\s+$",
    re.IGNORECASE,
)
_CAP_WORD = re.compile(r"[A-Z][\w'’-]*")
_DEMONYM = ("ian", "ean", "ese", "ish", "an")


def is_title_case(text: str) -> bool:
    """Whether a headline is written in title case (most words of four letters or more capitalised).

    >>> is_title_case("Aggressor Escalates The Situation On The Border"), is_title_case("Velmora says troops left")
    (True, False)
    """
    words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", text) if len(w) >= 4]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.75 * len(words)


def _name_runs(words: list[tuple[int, int, str]], body: str) -> list[tuple[int, int]]:
    """Index ranges ``[i, j)`` of *words* that the body writes as a name, longest first from the left."""
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        found = None
        for j in range(len(words), i, -1):
            phrase = r"\s+".join(re.escape(w) for _, _, w in words[i:j])
            if words[i][2].lower() in LEADING_STOP_WORDS or words[j - 1][2].lower() in LEADING_STOP_WORDS:
                continue
            # Written that way in the body; a single word not only as a sentence's first word.
            for m in re.finditer(rf"(?<![\w-]){phrase}(?![\w-])", body):
                before = body[: m.start()].rstrip()
                if j - i > 1 or (before and before[-1] not in '.!?\n"“:'):
                    found = j
                    break
            if found:
                break
        if found:
            runs.append((i, found))
            i = found
        else:
            i += 1
    return runs


def _headline(title: str, body: str, mentions: Sequence[RawMention]) -> list[RawMention]:
    out: list[RawMention] = []
    for m in mentions:
        words = [(t.start() + m.start, t.end() + m.start, t.group(0)) for t in re.finditer(r"\S+", m.text)]
        words = [(s, e - len(w) + len(w.rstrip(":,;!?")), w.rstrip(":,;!?")) for s, e, w in words]
        for i, j in _name_runs(words, body):
            start, end = words[i][0], words[j - 1][1]
            out.append(RawMention(start, end, title[start:end], m.label, m.source))
    return out


def _split_titles(text: str, m: RawMention) -> list[RawMention]:
    """``[organisation?, person]`` for a mention with a title run inside it, else ``[m]``."""
    tokens = [(t.start() + m.start, t.group(0)) for t in re.finditer(r"\S+", m.text)]
    for i in range(1, len(tokens) - 1):
        if tokens[i][1].lower() in TITLE_WORDS and tokens[i - 1][1].lower() not in TITLE_WORDS:
            j = i
            while j < len(tokens) and tokens[j][1].lower() in TITLE_WORDS:
                j += 1
            rest = tokens[j:]
            if (
                not rest
                or any(w.lower() in ORG_HEADS for _, w in rest)
                or not all(w[0].isupper() for _, w in rest)
            ):
                continue
            out: list[RawMention] = []
            head = tokens[:i]
            if any(w.lower() in ORG_HEADS for _, w in head) or (len(head) == 1 and head[0][1].isupper()):
                hs, he = head[0][0], head[-1][0] + len(head[-1][1])
                out.append(RawMention(hs, he, text[hs:he], "ORG", m.source))
            ps, pe = rest[0][0], rest[-1][0] + len(rest[-1][1])
            out.append(RawMention(ps, pe, text[ps:pe], "PERSON", m.source))
            return out
    return [m]


def _retype(text: str, m: RawMention, taken: list[tuple[int, int]], *, headline: bool = False) -> RawMention:
    start, end, label = m.start, m.end, m.label
    words = m.text.split()
    # "Velmora Today", "Halden Herald": extend over a media word the tagger left out.
    nxt = re.match(r"[ \t]+([A-Z][a-z]+)\b", text[end : end + 20])
    if (
        nxt
        and nxt.group(1).lower() in MEDIA_WORDS
        and not any(a < end + nxt.end() and end < b for a, b in taken)
    ):
        end += nxt.end()
        label = "ORG"
    elif words[-1].lower() in MEDIA_WORDS and label in {"PERSON", "GPE", "LOC"}:
        label = "ORG"
    if m.text.lower() in PLATFORMS:
        label = "ORG"
    elif len(words) == 1 and label in {"ORG", "PERSON"}:
        following = text[end : end + 20]
        preceding = re.search(r"(\w+)[ \t]+$", text[max(0, start - 12) : start])
        after_article = preceding is not None and preceding.group(1).lower() in {
            "the",
            "a",
            "an",
            "its",
            "their",
            "his",
            "her",
        }
        if (
            m.text.endswith(_DEMONYM)
            and len(m.text) > 4
            and re.match(r"[ \t]+[a-z]", following)
            and (after_article or m.text.endswith(_DEMONYM[:-1]))  # "Kazakhstan under" is a country
        ):
            label = "NORP"  # "Velmoran troops": an adjective of a place
        elif _PLACE_BEFORE.search(text[max(0, start - 30) : start]):
            label = "GPE"  # "in Ostra", "the port of Ostra"
    # "Secretary General Anders Holm" tagged as "Holm": take in the first name.
    if label == "PERSON" and len(words) == 1 and not headline:
        window = max(0, start - 30)
        prev = re.search(r"([A-Z][a-z]+)[ \t]+$", text[window:start])
        if prev and prev.group(1).lower() not in TITLE_WORDS | LEADING_STOP_WORDS:
            s = window + prev.start(1)
            if not any(a < start and s < b for a, b in taken) and (s == 0 or text[s - 1] in " \t\n"):
                before = text[:s].rstrip()
                if before and before[-1] not in '.!?\n"“:':  # not a sentence's first word
                    start = s
    return RawMention(start, end, text[start:end], label, m.source)


_OUTLET = re.compile(
    r"(?<![\w-])(?:[A-Z][a-z]+[ \t]+){1,2}(?:"
    + "|".join(w.title() for w in sorted(MEDIA_WORDS) if len(w) > 2)
    + r")(?![\w-])"
)


def _platforms(text: str, mentions: list[RawMention]) -> list[RawMention]:
    """Platforms and outlets ("Velmora Today") the tagger missed altogether."""
    taken = [(m.start, m.end) for m in mentions]
    added = []
    found = [w for w in _CAP_WORD.finditer(text) if w.group(0).lower() in PLATFORMS] + list(
        _OUTLET.finditer(text)
    )
    for w in found:
        s, e = w.start(), w.end()
        words = w.group(0).split()
        while len(words) > 1 and words[0].lower() in LEADING_STOP_WORDS:  # "The Halden Herald"
            s += len(words[0]) + len(text[s + len(words[0]) :]) - len(text[s + len(words[0]) :].lstrip())
            words = words[1:]
        if not any(a < e and s < b for a, b in taken):
            added.append(RawMention(s, e, text[s:e], "ORG"))
            taken.append((s, e))
    return sorted(mentions + added, key=lambda m: m.start)


def tidy_mentions(
    paragraphs: Sequence[str], raw: Sequence[Sequence[RawMention]], *, title_index: int | None = None
) -> list[list[RawMention]]:
    """The rules of the module docstring applied to each paragraph's mentions (offsets unchanged)."""
    body = "\n".join(p for i, p in enumerate(paragraphs) if i != title_index)
    out: list[list[RawMention]] = []
    for i, (text, mentions) in enumerate(zip(paragraphs, raw, strict=True)):
        ms = [part for m in mentions for part in _split_titles(text, m)]
        headline = i == title_index and is_title_case(text)
        if headline:
            ms = _headline(text, body, ms)
        taken = [(m.start, m.end) for m in ms]
        ms = [_retype(text, m, taken, headline=headline) for m in ms]
        out.append(_platforms(text, ms))
    return out

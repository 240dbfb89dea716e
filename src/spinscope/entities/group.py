"""Group an article's entity mentions into entities.

Mentions are merged when they name the same thing in this article:

* the same name, ignoring case, a leading "the", dots and a possessive
  ("the U.S.'s" = "US");
* a common short name of a country ("U.S.", "America" = "United States");
* a person's surname or first name alone, when exactly one full name of a
  person in the article has it ("Stoltenberg" = "Jens Stoltenberg");
* an acronym the article defines, and its long form (see
  :mod:`spinscope.entities.aliases`); occurrences of that acronym the
  tagger missed are added as mentions.

Metonyms stay separate entities but are *linked*: "Kiev" and "the Kremlin"
are kept apart from "Ukraine" and "Russia", with ``stands_for`` naming the
country and ``linked`` holding the country's entity id when the article
names it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from spinscope.entities.aliases import country_of, find_acronyms, find_aliases
from spinscope.entities.ner import RawMention
from spinscope.entities.roles import RolePrediction

__all__ = ["Entity", "Mention", "group_mentions", "name_key"]

#: Everyday names of countries and unions that news uses interchangeably with the full name.
COUNTRY_NAMES: dict[str, str] = {
    "us": "united states",
    "usa": "united states",
    "america": "united states",
    "united states of america": "united states",
    "uk": "united kingdom",
    "britain": "united kingdom",
    "great britain": "united kingdom",
    "eu": "european union",
    "russian federation": "russia",
    "prc": "china",
    "people's republic of china": "china",
}


#: Titles dropped from the front of a name before names are compared ("Ms Vasko" = "Vasko").
TITLES = frozenset(
    "mr mrs ms miss mx dr prof sir dame lord lady president vice prime minister chancellor premier"
    " secretary general gen senator sen rep representative governor gov mayor king queen prince princess"
    " pope chief judge justice ambassador commissioner colonel col lieutenant lt sergeant sgt captain capt"
    " admiral marshal".split()
)


@dataclass(frozen=True, slots=True)
class Mention:
    """An entity mention ``[start, end)`` of ``Document.text``, in paragraph ``paragraph``."""

    start: int
    end: int
    paragraph: int
    label: str
    source: str = "ner"
    role: RolePrediction | None = None  # filled by the role head


@dataclass
class Entity:
    """One entity of an article: its mentions, the names it goes by, and linked entities."""

    id: int
    name: str
    label: str
    mentions: list[Mention] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    stands_for: str | None = None  # the country a capital or seat of government stands for
    linked: list[int] = field(default_factory=list)
    role: RolePrediction | None = None  # the mentions' roles, aggregated


def name_key(name: str) -> str:
    """A name folded for comparison: lower case, no "the", dots, possessive or extra spaces."""
    s = name.replace("\u2019", "'").strip()
    s = re.sub(r"'s?$", "", s)
    s = s.lower().replace(".", "")
    s = re.sub(r"^the\s+", "", s)
    words = re.sub(r"[^\w' -]", " ", s).split()
    while len(words) > 1 and words[0] in TITLES:  # never strip a name down to nothing
        words = words[1:]
    s = " ".join(words)
    return COUNTRY_NAMES.get(s, s)


def _acronym_mentions(
    text: str,
    paragraphs: Sequence[tuple[int, int]],
    taken: list[tuple[int, int]],
    shorts: Sequence[str],
    labels: dict[str, str] | None = None,
) -> list[Mention]:
    """Whole-word occurrences of defined acronyms and aliases that no tagged mention covers."""
    out: list[Mention] = []
    for short in shorts:
        label = (labels or {}).get(short, "ORG")
        for m in re.finditer(rf"(?<![\w.]){re.escape(short)}(?![\w])", text):
            s, e = m.start(), m.end()
            if any(a < e and s < b for a, b in taken):
                continue
            for i, (ps, pe) in enumerate(paragraphs):
                if ps <= s and e <= pe:
                    out.append(Mention(s, e, i, label, "acronym"))
                    taken.append((s, e))
                    break
    return out


def group_mentions(
    text: str, paragraphs: Sequence[tuple[int, int]], raw: Sequence[Sequence[RawMention]]
) -> list[Entity]:
    """Entities of a document from the tagger's mentions of each paragraph.

    ``paragraphs`` are the ``[start, end)`` ranges of the paragraphs in
    ``text``; ``raw[i]`` holds paragraph ``i``'s mentions with offsets
    relative to that paragraph. Entities come out in order of first mention.
    """
    mentions = [
        Mention(paragraphs[i][0] + r.start, paragraphs[i][0] + r.end, i, r.label, r.source)
        for i, rs in enumerate(raw)
        for r in rs
    ]
    definitions = find_acronyms(text)
    long_of = {name_key(d.short): name_key(d.long) for d in definitions}
    shorts = [d.short for d in definitions]
    labels: dict[str, str] = {}
    # "Lidia Moravec (LM below)": the alias names the mention that ends right before it.
    for alias in find_aliases(text):
        named = [m for m in mentions if m.end <= alias.at and not text[m.end : alias.at].strip(" \t,")]
        if named and name_key(alias.alias) != name_key(text[named[-1].start : named[-1].end]):
            long_of.setdefault(name_key(alias.alias), name_key(text[named[-1].start : named[-1].end]))
            labels[alias.alias] = named[-1].label
            shorts.append(alias.alias)
    mentions += _acronym_mentions(text, paragraphs, [(m.start, m.end) for m in mentions], shorts, labels)
    mentions.sort(key=lambda m: (m.start, m.end))
    if not mentions:
        return []

    def key_of(m: Mention) -> str:
        k = name_key(text[m.start : m.end])
        return long_of.get(k, k)

    keys = [key_of(m) for m in mentions]
    # Full person names (two words or more), and which full name each single word could stand for.
    person_full = {k for k, m in zip(keys, mentions, strict=True) if m.label == "PERSON" and " " in k}
    part_of: dict[str, set[str]] = {}
    for full in person_full:
        words = full.split()
        for w in (words[0], words[-1]):
            part_of.setdefault(w, set()).add(full)
    canonical: list[str] = []
    for k, m in zip(keys, mentions, strict=True):
        # A one-word place never stands for a person ("Velmora" is not "Velmora Rejects Sorn").
        if " " not in k and k in part_of and len(part_of[k]) == 1 and m.label in {"PERSON", "ORG"}:
            canonical.append(next(iter(part_of[k])))
        else:
            canonical.append(k)

    entities: dict[str, Entity] = {}
    for k, m in zip(canonical, mentions, strict=True):
        ent = entities.get(k)
        if ent is None:
            ent = entities[k] = Entity(id=len(entities), name="", label="")
        ent.mentions.append(m)
    for ent in entities.values():
        names = [text[m.start : m.end] for m in ent.mentions]
        # The entity's name: its longest written form (ties: the first written).
        ent.name = max(names, key=len)
        ent.aliases = [n for n in dict.fromkeys(names) if n != ent.name]
        ent.label = Counter(m.label for m in ent.mentions if m.source == "ner").most_common(1)[0][0] if any(
            m.source == "ner" for m in ent.mentions
        ) else "ORG"
        ent.stands_for = country_of(ent.name)
        if ent.stands_for and ent.label == "PERSON":  # the tagger took a capital for a person ("Kiev")
            ent.label = "GPE"
    by_key = {k: e for k, e in entities.items()}
    for ent in entities.values():
        if ent.stands_for:
            target = by_key.get(name_key(ent.stands_for))
            if target is not None and target is not ent:
                ent.linked.append(target.id)
                target.linked.append(ent.id)
    return list(entities.values())

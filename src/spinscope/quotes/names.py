"""Named mentions and the entities they refer to: rules, confirmed and extended by NER.

Names are capitalised word sequences outside quotes, cleaned with the
tables in :mod:`spinscope.quotes.lexicon`, plus what the NER pipeline of
:mod:`spinscope.entities` tags as a person or organisation (when the caller
passes its mentions, as ``spinscope analyze`` does; see :func:`_add_tagged`):

* leading sentence words ("The", "Her") and titles ("Foreign Minister",
  "Dr.") are stripped; the titles are kept as the mention's *roles*;
* a single capitalised word that only ever starts sentences is a name only
  when a reporting verb or a colon follows it ("Vasko warned");
* words right after "in", "of", "on"... are places or media, possessives
  ("Estravia's") modify something else, and adjectives of a place
  ("Velmoran envoy") are modifiers, so none of these can speak.

Mentions are grouped into entities: a surname or an alias joins the entity
of the full name, whichever comes first in the text, and an entity's
canonical name is the first full form. Aliases are defined by
``Name (ALIAS)``, ``Name (ALIAS below)`` and ``Name, known as X``.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from spinscope.quotes.lexicon import (
    ALIAS_INTRODUCERS,
    CALENDAR_WORDS,
    CUE_VERBS,
    DETERMINERS,
    LEADING_STOP_WORDS,
    NON_SPEAKER_PRECEDERS,
    ORG_HEADS,
    ORG_NOUNS,
    ROLE_NOUNS,
    TITLE_WORDS,
)
from spinscope.quotes.marks import MarkSpan

__all__ = ["Mention", "Entity", "Registry", "build_registry", "mask_quotes", "MASK"]

MASK = "\x00"
_TOKEN = r"(?:(?:Dr|Mr|Mrs|Ms|Prof|Gen|Col|Lt|Sgt|Capt|Sen|Gov|Rep)\.|[A-Z][a-z]+(?:-[A-Z]?[a-z]+)*|[A-Z]{2,})"
_SEQ = re.compile(rf"(?<![\w-]){_TOKEN}(?:[ \t]+{_TOKEN})*(?![\w])")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_SENTENCE_END = ".!?:…"
_DEMONYM_SUFFIXES = ("ian", "ean", "ese", "ish")


@dataclass
class Entity:
    """A person or organisation the article names."""

    canonical: str
    kind: str  # person | org | name (a single word we could not place)
    roles: set[str] = field(default_factory=set)
    aliases: set[str] = field(default_factory=set)


@dataclass
class Mention:
    """One naming of an entity: ``[start, end)`` of the name without titles."""

    start: int
    end: int
    text: str
    kind: str  # person | org | acronym | single
    roles: set[str]
    possessive: bool = False
    place: bool = False
    initial: bool = False
    entity: Entity | None = None
    via_alias: bool = False
    modifier: bool = False  # "Foreign Ministry" in "Foreign Ministry spokeswoman Lidia Moravec"

    @property
    def can_speak(self) -> bool:
        return self.entity is not None and not self.place and not self.possessive and not self.modifier


@dataclass
class Registry:
    """Mentions in text order plus the alias table."""

    mentions: list[Mention]
    entities: list[Entity]
    aliases: dict[str, Entity]

    def mentions_in(self, start: int, end: int) -> list[Mention]:
        return [m for m in self.mentions if start <= m.start and m.end <= end and m.entity is not None]

    def before(self, pos: int, floor: int = 0) -> list[Mention]:
        """Mentions ending before *pos* and starting at or after *floor*, nearest first."""
        return [m for m in reversed(self.mentions) if floor <= m.start and m.end <= pos and m.entity is not None]


def mask_quotes(text: str, spans: list[MarkSpan]) -> str:
    """*text* with every quotation (marks included) blanked out, newlines kept.

    Attribution reads only the narrator's words, so names and verbs inside
    quotes never become speakers or cues.
    """
    chars = list(text)
    for s in spans:
        last = s.close_mark if s.close_mark is not None else s.end - 1
        for i in range(s.open_mark, last + 1):
            if chars[i] != "\n":
                chars[i] = MASK
    return "".join(chars)


def _is_initial(masked: str, pos: int) -> bool:
    j = pos - 1
    while j >= 0 and masked[j] in " \t":
        j -= 1
    return j < 0 or masked[j] == "\n" or masked[j] in _SENTENCE_END


def _prev_word(masked: str, pos: int) -> str:
    m = re.search(r"([A-Za-z]+)[ \t]*$", masked[max(0, pos - 30) : pos])
    return m.group(1) if m else ""


def _after_preposition(masked: str, pos: int) -> bool:
    """Whether a preposition precedes *pos* ("in Dorn"), except in "according to X"."""
    if re.search(r"(according to|words of)[ \t]+$", masked[max(0, pos - 30) : pos], re.IGNORECASE):
        return False
    return _prev_word(masked, pos).lower() in NON_SPEAKER_PRECEDERS


def _next_word(masked: str, pos: int) -> str:
    m = re.match(r"[ \t]*([A-Za-z]+)", masked[pos : pos + 30])
    return m.group(1) if m else ""


def _window_roles(masked: str, start: int, end: int) -> set[str]:
    """Lower-case words that introduce a mention: the few words before it and an apposition after."""
    roles: set[str] = set()
    before = masked[max(0, start - 60) : start]
    before = re.split(r"[.!?\n\x00]", before)[-1]
    roles.update(w.lower().rstrip("'’s") for w in _WORD.findall(before)[-4:] if w[0].islower())
    app = re.match(r",[ \t]+([^,.;\x00\n()]{1,60})[,.]", masked[end : end + 70])
    if app:
        roles.update(w.lower() for w in _WORD.findall(app.group(1)))
    return roles


def _demonyms(text: str) -> set[str]:
    """Capitalised words that are adjectives of a place named in the same text (Velmora -> Velmoran)."""
    words = set(re.findall(r"\b[A-Z][a-z]+\b", text))
    found = {w for w in words if w.endswith(_DEMONYM_SUFFIXES)}
    for w in words:
        if w.endswith("n") and any(w[:-k] in words for k in (1, 2, 3)):
            found.add(w)
    return found


def _title_split(tokens: list[tuple[str, int]]) -> int | None:
    """Where the person's name starts in "Northern Defence Compact Secretary General Anders Holm".

    A run of title words after the first token, followed by a name, means
    the words before it say whose title it is (an organisation, a country's
    adjective, a ministry's field: "Energy Minister Tereza Vlk"). The last
    such run wins, and the name after it must hold no organisation word
    ("Northern Defence Compact" is one name, "Defence" is not a title there).
    Returns the index of the first title word, or None.
    """
    words = [t.lower() for t, _ in tokens]
    cut = None
    i = 1
    while i < len(words):
        if words[i] in TITLE_WORDS and words[i - 1] not in TITLE_WORDS:
            j = i
            while j < len(words) and words[j] in TITLE_WORDS:
                j += 1
            if j < len(words) and not any(w in ORG_HEADS for w in words[j:]):
                cut = i
            i = j
        else:
            i += 1
    return cut


def _raw_mentions(text: str, masked: str) -> list[Mention]:
    demonyms = _demonyms(text)
    mentions: list[Mention] = []
    for m in _SEQ.finditer(masked):
        tokens = [(t.group(0), m.start() + t.start()) for t in re.finditer(r"\S+", m.group(0))]
        initial = _is_initial(masked, m.start())
        while tokens and tokens[0][0].lower() in LEADING_STOP_WORDS:
            stop = tokens.pop(0)[0].lower()
            if stop in NON_SPEAKER_PRECEDERS and tokens:  # "In Velmora, ...": a place, not a speaker
                initial = False
                prefix_place = True
                break
        else:
            prefix_place = False
        cut = _title_split(tokens)
        if cut is not None:
            head = tokens[:cut]
            if any(t.lower() in ORG_HEADS for t, _ in head):
                start, end = head[0][1], head[-1][1] + len(head[-1][0])
                mentions.append(
                    Mention(start, end, masked[start:end], "org", {w.lower() for w, _ in head}, modifier=True)
                )  # fmt: skip
            tokens = tokens[cut:]
        is_org = any(t.lower() in ORG_HEADS for t, _ in tokens)
        roles: set[str] = set()
        # "WHO Director-General Tedros ...": an acronym before a title is the title's organisation.
        if len(tokens) > 2 and tokens[0][0].isupper() and tokens[1][0].lower() in TITLE_WORDS and not is_org:
            tokens.pop(0)
        while tokens and (
            tokens[0][0].lower() in LEADING_STOP_WORDS
            or (not is_org and tokens[0][0].lower() in TITLE_WORDS)
            or tokens[0][0] in demonyms
            and len(tokens) > 1
            and not is_org
        ):
            if tokens[0][0].lower() in TITLE_WORDS:
                roles.add(tokens[0][0].lower().rstrip("."))
            tokens.pop(0)
        tokens = [t for t in tokens if t[0].lower() not in CALENDAR_WORDS] if len(tokens) == 1 else tokens
        if not tokens:
            continue
        start = tokens[0][1]
        end = tokens[-1][1] + len(tokens[-1][0])
        name = masked[start:end]
        after = masked[end : end + 2]
        possessive = after in ("'s", "’s") or after[:1] in ("'", "’") and name.endswith("s")
        nxt = _next_word(masked, end)
        kind = "org" if is_org else "acronym" if len(tokens) == 1 and name.isupper() else "person"
        if len(tokens) == 1 and kind == "person":
            kind = "single"
            if name in demonyms:
                continue  # "Estravian government" is added below as an organisation
            if nxt.lower() in ROLE_NOUNS or nxt.lower() in {"foreign", "counterpart"}:
                continue  # "Velmoran envoy": a modifier of the next name
            if (
                _adjective_of_place(name)
                and _prev_word(masked, start).lower() in DETERMINERS
                and nxt[:1].islower()
                and nxt.lower() not in CUE_VERBS | NON_SPEAKER_PRECEDERS | {"and", "or"}
            ):
                continue  # "the Velmoran delegation": an adjective, whatever the place is called
        roles |= _window_roles(masked, start, end)
        if kind == "org":
            roles |= {w.lower() for w in name.split()}
        mentions.append(
            Mention(
                start=start,
                end=end,
                text=name,
                kind=kind,
                roles=roles,
                possessive=possessive,
                place=prefix_place or _after_preposition(masked, m.start()),
                initial=initial and start == m.start(),
            )
        )
    # Also "the Estravian government" when the adjective starts a sentence
    # or was skipped as a demonym above.
    for m in re.finditer(r"\b([A-Z][a-z]+)[ \t]+(" + "|".join(sorted(ORG_NOUNS)) + r")\b", masked):
        if m.group(1) in demonyms and not any(x.start <= m.start() < x.end for x in mentions):
            mentions.append(
                Mention(m.start(), m.end(), m.group(0), "org", {m.group(2).lower()}, place=False)
            )
    mentions.sort(key=lambda x: x.start)
    return mentions


def _adjective_of_place(word: str) -> bool:
    """A capitalised word shaped like a demonym ("Velmoran", "Estravian", "Lutsenese")."""
    return len(word) > 4 and word.endswith(_DEMONYM_SUFFIXES + ("an",))


def _mark_modifiers(masked: str, mentions: list[Mention]) -> None:
    """An organisation right before a role and a person names whose role it is.

    In "Estravia's Foreign Ministry spokeswoman Lidia Moravec said" or
    "Dorn City Council deputy chairwoman Eva Kral" the person speaks, not
    the body: the organisation mention becomes a modifier.
    """
    for m, nxt in itertools.pairwise(mentions):
        if m.kind != "org" or nxt.kind not in ("person", "single"):
            continue
        between = masked[m.end : nxt.start]
        words = between.split()
        if 1 <= len(words) <= 3 and all(w.islower() for w in words) and words[-1].rstrip(",") in TITLE_WORDS | ROLE_NOUNS:
            m.modifier = True


def _speaker_verb_follows(masked: str, end: int) -> bool:
    rest = masked[end : end + 40]
    if re.match(r"[ \t]*:", rest):
        return True
    word = _next_word(masked, end).lower()
    return word in CUE_VERBS


def _alias_after(masked: str, text: str, mention: Mention, spans: list[MarkSpan]) -> list[str]:
    """Aliases defined right after *mention*: ``(NDC)``, ``(MZ below)``, ``, known as ...``."""
    rest = masked[mention.end : mention.end + 80]
    paren = re.match(
        r"[ \t]*\((?:(?:hereafter|hereinafter|henceforth|below)[ \t]+)?(?:(the)[ \t]+)?"
        r"([A-Z][A-Za-z.]{0,11}(?:[ \t]+[A-Z][A-Za-z.]*){0,3})(?:[ \t]+(?:below|hereafter))?\)",
        rest,
    )
    if paren:
        return [paren.group(2)]
    for intro in ALIAS_INTRODUCERS:
        k = re.match(rf",?[ \t]+{intro}[ \t]+", rest)
        if not k:
            continue
        at = mention.end + k.end()
        for s in spans:
            if s.open_mark == at:
                inner = text[s.start : s.end].strip()
                out = [inner]
                if inner.lower().startswith("the "):
                    out.append(inner[4:])
                return out
        seq = _SEQ.match(masked, at)
        if seq:
            full = seq.group(0)
            words = full.split()
            bare = [w for w in words if w.lower() not in TITLE_WORDS]
            return [full] + ([" ".join(bare)] if bare and len(bare) < len(words) else [])
    return []


def _add_tagged(masked: str, mentions: list[Mention], tagged: list[tuple[int, int, str]]) -> list[Mention]:
    """Merge the NER pipeline's PERSON and ORG mentions into the rule mentions.

    A single capitalised word the rules were unsure of (it starts a
    sentence) is confirmed when the tagger calls it a person or an
    organisation; a tagged name the rules missed entirely is added, unless
    it sits inside a quotation (masked), overlaps a rule mention, or is a
    single word the tagger calls an organisation or that a title follows
    (the rules skip those on purpose: they modify the next name).
    """
    out = list(mentions)
    for start, end, label in tagged:
        if label not in {"PERSON", "ORG"} or end <= start:
            continue
        overlapping = [m for m in out if m.start < end and start < m.end]
        for m in overlapping:
            if m.kind == "single" and m.initial and m.start == start and m.end == end:
                m.initial = False  # the tagger vouches for it: a name, not a sentence's first word
        if overlapping or "\x00" in masked[start:end] or not masked[start:end].strip():
            continue
        name = masked[start:end]
        if name != masked[start:end].strip() or not name[:1].isupper():
            continue
        words = name.split()
        nxt = _next_word(masked, end).lower()
        if len(words) == 1 and (label == "ORG" or nxt in ROLE_NOUNS or nxt in TITLE_WORDS):
            continue  # "Interior Minister", "Velmoran envoy": one word before a title modifies it
        kind = "org" if label == "ORG" else ("person" if len(words) > 1 else "single")
        after = masked[end : end + 2]
        out.append(
            Mention(
                start=start, end=end, text=name, kind=kind, roles=_window_roles(masked, start, end),
                possessive=after in ("'s", "’s"), place=_after_preposition(masked, start),
            )
        )  # fmt: skip
    out.sort(key=lambda x: x.start)
    return out


def build_registry(
    text: str, masked: str, spans: list[MarkSpan], tagged: list[tuple[int, int, str]] | None = None
) -> Registry:
    """Find every mention of *text* and group the mentions into entities.

    ``tagged``: ``(start, end, label)`` mentions from the NER pipeline
    (:mod:`spinscope.entities`), merged in with :func:`_add_tagged`.
    """
    mentions = _raw_mentions(text, masked)
    if tagged:
        mentions = _add_tagged(masked, mentions, tagged)
    _mark_modifiers(masked, mentions)
    non_initial = {m.text for m in mentions if not m.initial}
    entities: list[Entity] = []
    by_name: dict[str, Entity] = {}
    aliases: dict[str, Entity] = {}

    # Full names first, in text order, so the first full form is canonical.
    for m in mentions:
        if m.kind in ("person", "org"):
            if m.text.lower() in aliases:  # "the Association" after "(hereafter the Association)"
                m.entity, m.via_alias = aliases[m.text.lower()], True
                m.entity.roles |= m.roles
                continue
            ent = by_name.get(m.text.lower())
            if ent is None:
                ent = Entity(m.text, m.kind)
                entities.append(ent)
                by_name[m.text.lower()] = ent
            ent.roles |= m.roles
            m.entity = ent
            for alias in _alias_after(masked, text, m, spans):
                ent.aliases.add(alias)
                aliases[alias.lower()] = ent
    surnames: dict[str, Entity] = {}
    for ent in entities:
        if ent.kind == "person":
            surnames.setdefault(ent.canonical.split()[-1].lower(), ent)
    # Some people are referred to by their first name ("Tedros"): use it
    # when it is unambiguous and no surname already claims the word.
    firsts: dict[str, list[Entity]] = {}
    for ent in entities:
        if ent.kind == "person" and len(ent.canonical.split()) > 1:
            firsts.setdefault(ent.canonical.split()[0].lower(), []).append(ent)
    for first, ents in firsts.items():
        if len(ents) == 1 and first not in surnames:
            surnames[first] = ents[0]
    for m in mentions:
        if m.entity is not None:
            continue
        key = m.text.lower()
        if key in aliases:
            m.entity, m.via_alias = aliases[key], True
        elif m.kind == "single" and key in surnames:
            m.entity = surnames[key]
        elif m.kind == "acronym" or (
            m.kind == "single" and (not m.initial or m.text in non_initial or _speaker_verb_follows(masked, m.end))
        ):
            ent = by_name.get(key)
            if ent is None:
                ent = Entity(m.text, "name")
                entities.append(ent)
                by_name[key] = ent
            m.entity = ent
        if m.entity is not None:
            m.entity.roles |= m.roles
    # A quoted nickname ("the Architect") may be written later without marks.
    for m in mentions:
        if m.entity is not None and m.entity.kind == "name" and m.text.lower() in aliases:
            m.entity, m.via_alias = aliases[m.text.lower()], True
    return Registry(mentions=mentions, entities=entities, aliases=aliases)

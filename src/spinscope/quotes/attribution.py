"""Who said it: speaker, cue and quote kind, by rule.

For each quote we read the narrator's words of its own sentence (quotes
blanked out, see :func:`spinscope.quotes.names.mask_quotes`):

1. *after* the quote -- ``"...," Vasko said``, ``"...," said Dr. Helga Morn``,
   ``"...," according to Pavel Dunaj``;
2. *before* it -- ``Vasko warned that "..."``, ``DK: "..."``; the last cue
   wins, and a cue with no subject of its own (``claimed, adding that``)
   borrows the subject of the cue before it.

The speaker is the leftmost name on the subject side of the cue; failing
that, a pronoun (the nearest person named before the quote) or a role noun
(``the minister``: the latest entity introduced with that word, else the
last speaker). A cue whose subject is unnamed (``a woman said``) gives no
speaker: guessing would be worse than admitting it. A quote whose sentence
has no cue takes the speaker of a quote in the previous sentence, else the
person the previous sentence is about, else one named in the next sentence.

Scare quotes are short (three words or fewer), end without sentence
punctuation and either follow ``so-called``/``known as``, stand right after
a determiner (``the "peace march"``) or have no cue in their sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spinscope.quotes.lexicon import (
    ABBREVIATIONS,
    CUE_PHRASES_RIGHT,
    CUE_VERBS,
    DETERMINERS,
    NON_SPEAKER_PRECEDERS,
    PASSIVE_AUXILIARIES,
    PRONOUNS,
    ROLE_NOUNS,
    SCARE_TRIGGERS,
)
from spinscope.quotes.marks import MarkSpan
from spinscope.quotes.model import Cue, QuoteKind, SpeakerMethod
from spinscope.quotes.names import MASK, Entity, Mention, Registry

__all__ = ["Attribution", "Sentences", "attribute", "quote_kind", "find_cues", "MAX_SCARE_WORDS"]

#: A quote longer than this is never a scare quote.
MAX_SCARE_WORDS = 3
#: How many paragraphs back a pronoun or role noun may look for its referent.
LOOKBACK_PARAGRAPHS = 3
_TERMINAL = ".!?…"
_CLAUSE_JOINERS = frozenset({"and", "but", "or", "while", "whereas"})
_FILLER = frozenset({"and", "while", "but", "then", "also", "later", "that", "as", "he", "she"})
_CUE_RE = re.compile(
    r"(?<![\w-])(" + "|".join(re.escape(p) for p in CUE_PHRASES_RIGHT) + r"|[A-Za-z]+)(?![\w-])",
    re.IGNORECASE,
)
_PRONOUN_RE = re.compile(r"(?<![\w-])(" + "|".join(sorted(PRONOUNS)) + r")(?![\w-])", re.IGNORECASE)
_ROLE_RE = re.compile(r"(?<![\w-])the[ \t]+(" + "|".join(sorted(ROLE_NOUNS)) + r")(?![\w-])", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Attribution:
    """The speaker found for one quote, with the evidence."""

    speaker: str | None
    mention: tuple[int, int] | None
    method: SpeakerMethod | None
    cue: Cue | None


_NONE = Attribution(None, None, None, None)


class Sentences:
    """Sentence ranges of the narrator's text, quotes counted as single words.

    A quote ends its sentence when its words end with ``.``, ``!`` or ``?``
    and what follows starts a new sentence (a capital not followed by a
    cue, another quote, or the end of the paragraph). A line break is a
    boundary when the line ends with sentence punctuation or a quote.
    """

    def __init__(self, text: str, masked: str, spans: list[MarkSpan], paragraphs: list[tuple[int, int]]):
        self.text = text
        self.masked = masked
        ending = {s.close_mark for s in spans if s.close_mark is not None and self._ends_sentence(s)}
        self.ranges: list[tuple[int, int, int]] = []  # start, end, paragraph index
        for p_index, (ps, pe) in enumerate(paragraphs):
            cut = ps
            for j in range(ps, pe):
                c = masked[j]
                boundary = False
                if j in ending:
                    boundary = True
                elif c in _TERMINAL and (j + 1 == pe or masked[j + 1].isspace()) and not self._abbrev(j):
                    boundary = True
                elif c == "\n":
                    k = j - 1
                    while k > ps and masked[k] in " \t":
                        k -= 1
                    boundary = masked[k] in _TERMINAL + MASK + ':"”’'
                if boundary:
                    self._add(cut, j + 1, p_index)
                    cut = j + 1
            self._add(cut, pe, p_index)

    def _add(self, start: int, end: int, p_index: int) -> None:
        seg = self.masked[start:end]
        if seg.strip():
            lead = len(seg) - len(seg.lstrip())
            self.ranges.append((start + lead, start + len(seg.rstrip()), p_index))

    def _abbrev(self, j: int) -> bool:
        m = re.search(r"([A-Za-z]+)$", self.masked[max(0, j - 12) : j])
        return bool(m) and (m.group(1).lower() in ABBREVIATIONS or len(m.group(1)) == 1 and m.group(1).isupper())

    def _ends_sentence(self, s: MarkSpan) -> bool:
        inner = self.text[s.start : s.end].rstrip()
        if not inner or inner[-1] not in _TERMINAL:
            return False
        assert s.close_mark is not None
        rest = self.text[s.close_mark + 1 : s.close_mark + 80]
        line_rest = rest.split("\n", 1)[0]
        if not line_rest.strip():
            return True
        m = re.match(r"\s+([A-Z][\w.]*(?:[ \t]+[A-Z][\w.]*)*)[ \t]*([A-Za-z]*)", line_rest)
        if m:
            return m.group(2).lower() not in CUE_VERBS
        return bool(re.match(r"\s+[\"“‘']", line_rest))

    def index_at(self, pos: int) -> int | None:
        for i, (s, e, _) in enumerate(self.ranges):
            if s <= pos < e:
                return i
        return None


def find_cues(masked: str, start: int, end: int) -> list[Cue]:
    """Reporting cues in ``masked[start:end]``, in order; passives ("were told") are left out."""
    cues = []
    for m in _CUE_RE.finditer(masked, start, end):
        word = m.group(1).lower()
        if word in CUE_PHRASES_RIGHT:
            cues.append(Cue(m.group(1), m.start(), m.end()))
            continue
        if word not in CUE_VERBS:
            continue
        before = re.findall(r"[A-Za-z]+", masked[max(0, m.start() - 20) : m.start()])
        if before and (before[-1].lower() in PASSIVE_AUXILIARIES or before[-1].lower() == "so"):
            continue
        cues.append(Cue(m.group(1), m.start(), m.end()))
    return cues


def quote_kind(text: str, masked: str, span: MarkSpan, has_cue_speaker: bool) -> QuoteKind:
    """``scare`` or ``speech`` for *span* (see module docstring)."""
    inner = text[span.start : span.end].strip()
    words = inner.split()
    if len(words) > MAX_SCARE_WORDS or (inner and inner[-1] in _TERMINAL) or span.close_mark is None:
        return "speech"
    before = masked[max(0, span.open_mark - 40) : span.open_mark].lower().rstrip()
    if any(before.endswith(t) for t in SCARE_TRIGGERS):
        return "scare"
    prev = re.findall(r"[a-z]+", before[-15:])
    if prev and prev[-1] in DETERMINERS:
        return "scare"
    return "speech" if has_cue_speaker else "scare"


class _Resolver:
    """Turns mentions, pronouns and role nouns into canonical speakers."""

    def __init__(self, registry: Registry, sentences: Sentences, paragraphs: list[tuple[int, int]]):
        self.registry = registry
        self.sentences = sentences
        self.paragraphs = paragraphs
        self.last_speaker: tuple[Entity, int] | None = None

    def _floor(self, pos: int) -> int:
        p_index = next((i for i, (s, e) in enumerate(self.paragraphs) if s <= pos <= e), 0)
        return self.paragraphs[max(0, p_index - LOOKBACK_PARAGRAPHS)][0]

    def named(self, m: Mention) -> Attribution:
        assert m.entity is not None
        method: SpeakerMethod = "alias" if m.via_alias else "adjacent"
        return Attribution(m.entity.canonical, (m.start, m.end), method, None)

    def pronoun(self, pos: int, span: tuple[int, int]) -> Attribution:
        floor = self._floor(pos)
        for m in self.registry.before(pos, floor):
            if (
                m.entity is not None
                and m.entity.kind in ("person", "name")
                and not m.place
                and not m.entity.canonical.isupper()  # "he" is not the UK or ICE
            ):
                # A bare capitalised word of unknown kind ("Lutsen") is weaker
                # evidence than the person who spoke last: news prose goes on
                # with "she said" about the current speaker.
                last = self.last_speaker
                if m.entity.kind == "name" and last is not None and last[1] >= floor and last[0] is not m.entity:
                    return Attribution(last[0].canonical, span, "pronoun", None)
                return Attribution(m.entity.canonical, span, "pronoun", None)
        return _NONE

    def role(self, noun: str, pos: int, span: tuple[int, int]) -> Attribution:
        noun = noun.lower()
        for m in self.registry.before(pos, self._floor(pos)):
            if m.entity is not None and noun in m.entity.roles:
                return Attribution(m.entity.canonical, span, "role-noun", None)
        if self.last_speaker is not None and self.last_speaker[1] >= self._floor(pos):
            return Attribution(self.last_speaker[0].canonical, span, "role-noun", None)
        return _NONE

    def subject(self, start: int, end: int, pos: int, *, after_cue: bool = False) -> tuple[Attribution, bool]:
        """Speaker named in ``masked[start:end]``; the flag says whether the region held words at all.

        Before a cue the subject is the name nearest the cue; after a cue
        ("said Dr. Helga Morn, a scientist at the University of Dorn") it is
        the first name.
        """
        masked = self.sentences.masked
        named = [m for m in self.registry.mentions_in(start, end) if m.can_speak]
        if named and after_cue:
            return self.named(named[0]), True
        if named:
            # The subject sits in the comma-delimited chunk nearest the cue:
            # "In an interview with the Halden Gazette, Vasko said" -> Vasko;
            # an apposition chunk without a name ("Estravia's foreign
            # minister") is skipped on the way back.
            commas = [start] + [i + 1 for i in range(start, end) if masked[i] == ","]
            for chunk_start in reversed(commas):
                in_chunk = [m for m in named if m.start >= chunk_start]
                if in_chunk:
                    return self.named(in_chunk[0]), True
        refs: list[tuple[int, Attribution]] = []
        for m in _PRONOUN_RE.finditer(masked, start, end):
            refs.append((m.start(), self.pronoun(pos, (m.start(), m.end()))))
        for m in _ROLE_RE.finditer(masked, start, end):
            refs.append((m.start(), self.role(m.group(1), pos, (m.start(), m.end()))))
        if refs:
            return min(refs, key=lambda r: r[0])[1], True
        words = [w for w in re.findall(r"[A-Za-z]+", masked[start:end]) if w.lower() not in _FILLER]
        return _NONE, bool(words)


def _with_cue(a: Attribution, cue: Cue) -> Attribution:
    return Attribution(a.speaker, a.mention, a.method, cue)


def attribute(
    span: MarkSpan,
    resolver: _Resolver,
    previous: list[tuple[MarkSpan, Attribution, QuoteKind]],
) -> tuple[Attribution, bool]:
    """Speaker of *span* and whether a cue in its own sentence named it.

    *previous* holds the quotes already attributed, in order, so a quote
    with no cue can continue the previous speaker.
    """
    sents = resolver.sentences
    masked = sents.masked
    o_index = sents.index_at(span.open_mark)
    close = span.close_mark if span.close_mark is not None else span.end - 1
    c_index = sents.index_at(close)
    if o_index is None or c_index is None:
        return _NONE, False
    o_start = sents.ranges[o_index][0]
    c_end = sents.ranges[c_index][1]
    after_end = c_end
    nxt = masked.find(MASK, close + 1, c_end)
    if nxt != -1:
        after_end = nxt  # the narrator's words up to the next quote

    # 1. After the quote: "...," X said / said X / according to X.
    if span.close_mark is not None:
        cues = find_cues(masked, close + 1, after_end)
        between = re.findall(r"[A-Za-z]+", masked[close + 1 : cues[0].start].lower()) if cues else []
        if between and (between[0] in NON_SPEAKER_PRECEDERS or _CLAUSE_JOINERS & set(between)):
            cues = []  # "... for the region and said": the cue belongs to another clause
        if cues:
            cue = cues[0]
            if cue.text.lower() in CUE_PHRASES_RIGHT:
                found, _ = resolver.subject(cue.end, after_end, span.open_mark, after_cue=True)
                if found.speaker:
                    return _with_cue(found, cue), True
            else:
                found, wordy = resolver.subject(close + 1, cue.start, span.open_mark)
                if found.speaker:
                    return _with_cue(found, cue), True
                if wordy and len(masked[close + 1 : cue.start].split()) <= 6:
                    # "a woman said": the cue is this quote's, its speaker unnamed.
                    return _with_cue(_NONE, cue), False
                if not wordy:  # ' said X' with the name after the verb
                    found, _ = resolver.subject(cue.end, after_end, span.open_mark, after_cue=True)
                    if found.speaker:
                        return _with_cue(found, cue), True

    # 2. Before the quote: X said that "..." / DK: "..." / According to X, "...".
    cues = find_cues(masked, o_start, span.open_mark)
    for k in range(len(cues) - 1, -1, -1):
        cue = cues[k]
        if cue.text.lower() in CUE_PHRASES_RIGHT:
            found, _ = resolver.subject(cue.end, span.open_mark, span.open_mark, after_cue=True)
            if found.speaker:
                return _with_cue(found, cue), True
            continue
        left = cues[k - 1].end if k else o_start
        found, wordy = resolver.subject(left, cue.start, span.open_mark)
        if found.speaker:
            return _with_cue(found, cue), True
        if wordy:
            return _with_cue(_NONE, cue), False
        if k == 0:
            found, _ = resolver.subject(cue.end, span.open_mark, span.open_mark, after_cue=True)
            if found.speaker:
                return _with_cue(found, cue), True
    colon = re.match(r"\s*([^\x00]{1,40}?)\s*:\s*$", masked[o_start : span.open_mark])
    if colon:
        found, _ = resolver.subject(o_start, span.open_mark, span.open_mark)
        if found.speaker:
            pos = o_start + masked[o_start : span.open_mark].rindex(":")
            return _with_cue(found, Cue(":", pos, pos + 1)), True

    # 3. No cue in the quote's sentence: neighbouring sentences.
    if o_index > 0 and sents.ranges[o_index - 1][2] >= sents.ranges[o_index][2] - 1:
        ps, pe, _ = sents.ranges[o_index - 1]
        for prev_span, prev_attr, prev_kind in reversed(previous):
            if ps <= prev_span.open_mark < pe and prev_kind == "speech" and prev_attr.speaker:
                return Attribution(prev_attr.speaker, prev_attr.mention, "continuation", None), False
        named = [
            m for m in resolver.registry.mentions_in(ps, pe) if m.can_speak and m.entity and m.entity.kind != "name"
        ] or [m for m in resolver.registry.mentions_in(ps, pe) if m.can_speak]
        pron = _PRONOUN_RE.search(masked, ps, pe)
        if named and (pron is None or named[0].start < pron.start()):
            found = resolver.named(named[0])
            return Attribution(found.speaker, found.mention, "neighbour-sentence", None), False
        if pron is not None:
            found = resolver.pronoun(pron.start(), (pron.start(), pron.end()))
            if found.speaker:
                return found, False
    established = _established_speaker(span, resolver)
    if c_index + 1 < len(sents.ranges) and sents.ranges[c_index + 1][2] == sents.ranges[c_index][2]:
        ns, ne, _ = sents.ranges[c_index + 1]
        if masked.find(MASK, ns, ne) == -1:  # a sentence with its own quote speaks for that one
            people = [
                m for m in resolver.registry.mentions_in(ns, ne) if m.can_speak and m.entity and m.entity.kind == "person"
            ]
            if people and (established is None or people[0].entity is established[0]):
                found = resolver.named(people[0])
                return Attribution(found.speaker, found.mention, "neighbour-sentence", None), False
    if established is not None:
        return Attribution(established[0].canonical, None, "continuation", None), False
    return _NONE, False


def _established_speaker(span: MarkSpan, resolver: _Resolver) -> tuple[Entity, int] | None:
    """The speaker a quote with no cue continues, when nobody else has come in since.

    News prose often gives a speaker's next words with no "she said": the
    last speaker counts when that speaker's quote lies within
    :data:`LOOKBACK_PARAGRAPHS` and no other person or organisation that
    could speak is named between it and this quote. Places in between
    ("Shelling was reported near Halden") do not change the speaker; a
    quote with no cue never goes to a place.
    """
    last = resolver.last_speaker
    if last is None or last[1] < resolver._floor(span.open_mark):
        return None
    for m in resolver.registry.mentions_in(last[1], span.open_mark):
        if m.can_speak and m.entity is not last[0] and m.entity is not None and m.entity.kind in ("person", "org"):
            return None
    return last

"""Quote drift: how the same quotation reads in different articles of a story.

1. **Align.** Quotes from different articles are versions of one quotation
   when their words match: the better of rapidfuzz's ``token_set_ratio``
   and ``partial_ratio`` on normalised words reaches ``threshold`` and the
   speakers agree (same canonical name, case-insensitive; a bare surname or
   a name with a title glued on counts as the same person). An
   unattributed quote needs ``strong`` and four words or more; a quote
   whose speaker *disagrees* needs ``strong`` and six words or more (the
   attribution is more often wrong than the words) and is flagged.
   Aligned quotes are joined transitively, keeping one version per article.
   A quotation an article splits around its cue (``"We will stay," she
   said, "as long as needed."``) is joined back into one quote first
   (:func:`join_split_quotes`), so the second half is compared too.
2. **Pick the likely original**: the version with the highest mean
   ``fuzz.ratio`` to the others -- the wording most outlets agree on.
   With only two different wordings (or a tie) the tie is broken, in this
   order, by: a wire service's copy (the one others re-quote); the earliest
   published, when every version's date is known; the version whose words
   (brackets aside) hold the others' (a re-quote cuts more often than it
   adds); no brackets (brackets are a writer's additions); the longer. ``original_tie`` says it was a guess
   and ``original_reason`` which rule decided.
3. **Diff** every other version against it, word by word
   (:class:`difflib.SequenceMatcher` on lower-cased words without
   punctuation): inserted, deleted and substituted words, truncation at
   either end, and whether an insertion was marked with brackets.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any, Literal

from rapidfuzz import fuzz

from spinscope.document import Document

__all__ = [
    "DEFAULT_MATCH_THRESHOLD",
    "DEFAULT_STRONG_THRESHOLD",
    "Edit",
    "QuoteItem",
    "QuoteThread",
    "QuoteVersion",
    "align_quotes",
    "match_score",
    "quote_drift",
    "quotes_from_analysis",
    "join_split_quotes",
    "quotes_from_document",
    "same_speaker",
    "story_drift",
]

#: Match score (0-100) for quotes by the same speaker.
DEFAULT_MATCH_THRESHOLD = 80.0
#: Match score for quotes without a speaker, or with conflicting speakers.
DEFAULT_STRONG_THRESHOLD = 92.0
#: Quotes shorter than this (in words) are never aligned: too little to compare.
MIN_WORDS = 3
_UNATTRIBUTED_MIN_WORDS = 4
_CONFLICT_MIN_WORDS = 6
_TIE = 0.5  # mean similarities closer than this are a tie

EditOp = Literal["insert", "delete", "replace"]
SegmentOp = Literal["equal", "insert", "delete"]


@dataclass(frozen=True)
class QuoteItem:
    """One quote in one article: the input of :func:`align_quotes`."""

    doc_id: str
    text: str
    speaker: str | None = None
    start: int | None = None
    end: int | None = None
    published: str | None = None
    order: int = 0  # the article's position in the batch (ties go to the earlier)
    source: str | None = None  # the outlet, so a wire service's copy can win a tie


_EDGE_PUNCT = re.compile(r"^[^\w]+|[^\w]+$")


def _words(text: str) -> list[tuple[str, str]]:
    """(as written, normalised) for every word that has letters or digits."""
    out = []
    for token in text.split():
        norm = _EDGE_PUNCT.sub("", token.lower()).replace("’", "'")
        if norm:
            out.append((token, norm))
    return out


def _norm(text: str) -> str:
    return " ".join(n for _, n in _words(text))


def match_score(a: str, b: str) -> float:
    """How well two quotes' words match, 0-100: the better of token-set and partial ratio."""
    na, nb = _norm(a), _norm(b)
    if not na or not nb:
        return 0.0
    return max(fuzz.token_set_ratio(na, nb), fuzz.partial_ratio(na, nb))


def same_speaker(a: str | None, b: str | None) -> bool | None:
    """True/False when both speakers are known, ``None`` when either is not.

    Names match case-insensitively, and a shorter name matches a longer one
    ending in it ("Varga" / "Olek Varga", "Elmar Rusk" / "Coach Elmar Rusk").
    """
    if not a or not b:
        return None
    ta, tb = a.lower().split(), b.lower().split()
    short, long_ = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    return long_[-len(short) :] == short


@dataclass(frozen=True)
class Edit:
    """One change from the original's words: ``original`` became ``words``.

    ``position`` is ``start`` or ``end`` when the change touches that end
    of the quote (a deletion there is a truncation); ``marked`` is true when
    the new words carry brackets, i.e. the writer signalled the change.
    """

    op: EditOp
    original: tuple[str, ...]
    words: tuple[str, ...]
    position: Literal["start", "middle", "end"]
    marked: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "op": self.op,
            "original": " ".join(self.original),
            "words": " ".join(self.words),
            "position": self.position,
            "marked": self.marked,
        }


@dataclass(frozen=True)
class QuoteVersion:
    """How one article words the quotation, compared with the likely original."""

    doc_id: str
    text: str
    speaker: str | None
    start: int | None
    end: int | None
    mean_similarity: float
    is_original: bool
    edits: tuple[Edit, ...] = ()
    segments: tuple[tuple[SegmentOp, str], ...] = ()  # this version against the original, for display
    speaker_conflict: bool = False

    @property
    def inserted(self) -> list[str]:
        """Words this version adds (insertions and the new side of substitutions)."""
        return [w for e in self.edits if e.op == "insert" for w in e.words]

    @property
    def deleted(self) -> list[str]:
        """Original words this version leaves out."""
        return [w for e in self.edits if e.op == "delete" for w in e.original]

    @property
    def substituted(self) -> list[tuple[str, str]]:
        """(original words, replacement words) pairs."""
        return [(" ".join(e.original), " ".join(e.words)) for e in self.edits if e.op == "replace"]

    @property
    def truncated_left(self) -> bool:
        return any(e.op == "delete" and e.position == "start" for e in self.edits)

    @property
    def truncated_right(self) -> bool:
        return any(e.op == "delete" and e.position == "end" for e in self.edits)

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "text": self.text,
            "speaker": self.speaker,
            "start": self.start,
            "end": self.end,
            "mean_similarity": round(self.mean_similarity, 2),
            "is_original": self.is_original,
            "speaker_conflict": self.speaker_conflict,
            "inserted": self.inserted,
            "deleted": self.deleted,
            "substituted": [list(s) for s in self.substituted],
            "truncated": {"left": self.truncated_left, "right": self.truncated_right},
            "edits": [e.to_dict() for e in self.edits],
            "segments": [[op, text] for op, text in self.segments],
        }


@dataclass(frozen=True)
class QuoteThread:
    """One quotation across the articles that carry it."""

    speaker: str | None
    versions: tuple[QuoteVersion, ...]
    original_doc_id: str
    original_tie: bool = False
    doc_ids: tuple[str, ...] = field(default=())
    original_reason: str = ""

    @property
    def original(self) -> QuoteVersion:
        return next(v for v in self.versions if v.is_original)

    @property
    def drifted(self) -> bool:
        """Whether any version's words differ from the original's."""
        return any(v.edits for v in self.versions)

    def version(self, doc_id: str) -> QuoteVersion | None:
        return next((v for v in self.versions if v.doc_id == doc_id), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "speaker": self.speaker,
            "original_doc_id": self.original_doc_id,
            "original_tie": self.original_tie,
            "original_reason": self.original_reason,
            "drifted": self.drifted,
            "versions": [v.to_dict() for v in self.versions],
        }


# -- building quote items -------------------------------------------------------------
def quotes_from_document(doc: Document, *, order: int = 0) -> list[QuoteItem]:
    """The speech quotes of ``doc``, found with :func:`spinscope.quotes.extract_quotes`."""
    from spinscope.quotes import extract_quotes

    items = [
        QuoteItem(doc.id, q.text(doc.text), q.speaker, q.start, q.end, doc.published, order, doc.source)
        for q in extract_quotes(doc).quotes
        if q.kind == "speech"
    ]
    return join_split_quotes(items, doc.text)


#: Most narrator words a cue between the two halves of a split quote may take.
_SPLIT_GAP_WORDS = 8
_SPLIT_GAP = re.compile(r"^[\s\"“”‘’'»«„,]*(?P<words>[^.!?;\n\"“”‘’'»«„]*?)[\s,]*[\"“”‘’'»«„]*\s*$")


def join_split_quotes(items: Sequence[QuoteItem], text: str) -> list[QuoteItem]:
    """Join each quotation an article interrupts with its cue back into one item.

    ``"We will stay," she said, "as long as needed."`` holds two quotes;
    other outlets often print the same words as one. Two consecutive quotes
    of one article are one quotation when the first does not end a sentence
    (no ``.``, ``!`` or ``?``), the second starts in lower case, they share
    a line and a speaker (or the second has none), and only a short cue
    clause (at most :data:`_SPLIT_GAP_WORDS` words, no sentence end) lies
    between them. The joined item spans both halves.
    """
    out: list[QuoteItem] = []
    for item in items:
        prev = out[-1] if out else None
        if prev is not None and _continues(prev, item, text):
            out[-1] = QuoteItem(
                prev.doc_id, f"{prev.text.rstrip()} {item.text.lstrip()}", prev.speaker or item.speaker,
                prev.start, item.end, prev.published, prev.order, prev.source,
            )  # fmt: skip
        else:
            out.append(item)
    return out


def _continues(a: QuoteItem, b: QuoteItem, text: str) -> bool:
    if a.doc_id != b.doc_id or None in (a.start, a.end, b.start, b.end):
        return False
    if a.text.rstrip()[-1:] in ".!?…" or not b.text.lstrip()[:1].islower():
        return False
    if a.speaker and b.speaker and same_speaker(a.speaker, b.speaker) is False:
        return False
    gap = text[a.end : b.start]  # type: ignore[index]
    m = _SPLIT_GAP.match(gap)
    return m is not None and "\n" not in gap and 1 <= len(m.group("words").split()) <= _SPLIT_GAP_WORDS


def quotes_from_analysis(analysis: Mapping[str, Any], *, order: int = 0) -> list[QuoteItem]:
    """The speech quotes of an ``Analysis.to_dict()`` dict.

    When the quotation analyzer did not run (no ``quotes`` key) they are
    extracted from the dict's document text instead.
    """
    from spinscope.stories.cluster import document_from_dict

    doc = analysis.get("document") or {}
    quotes = analysis.get("quotes")
    if not isinstance(quotes, list):
        return quotes_from_document(document_from_dict(analysis), order=order)
    doc_id = doc.get("id") if isinstance(doc.get("id"), str) else "article"
    published = doc.get("published") if isinstance(doc.get("published"), str) else None
    source = doc.get("source") if isinstance(doc.get("source"), str) else None
    text = doc.get("text") if isinstance(doc.get("text"), str) else ""
    items = []
    for q in quotes:
        if not isinstance(q, Mapping) or q.get("kind", "speech") != "speech":
            continue
        words = q.get("text")
        start, end = q.get("start"), q.get("end")
        if not isinstance(words, str) and isinstance(start, int) and isinstance(end, int):
            words = text[start:end]
        if not isinstance(words, str):
            continue
        speaker = q.get("speaker") if isinstance(q.get("speaker"), str) else None
        items.append(
            QuoteItem(
                doc_id, words, speaker, start if isinstance(start, int) else None,
                end if isinstance(end, int) else None, published, order, source,
            )
        )  # fmt: skip
    return join_split_quotes(items, text if isinstance(text, str) else "")


# -- alignment ----------------------------------------------------------------------
def _aligned(a: QuoteItem, b: QuoteItem, threshold: float, strong: float) -> tuple[float, bool] | None:
    """(score, speakers conflict) when ``a`` and ``b`` are versions of one quote, else None."""
    shorter = min(len(_words(a.text)), len(_words(b.text)))
    if shorter < MIN_WORDS:
        return None
    score = match_score(a.text, b.text)
    agree = same_speaker(a.speaker, b.speaker)
    if agree is True:
        return (score, False) if score >= threshold else None
    if agree is None:
        return (score, False) if score >= strong and shorter >= _UNATTRIBUTED_MIN_WORDS else None
    return (score, True) if score >= strong and shorter >= _CONFLICT_MIN_WORDS else None


def _diff(original: str, version: str) -> tuple[tuple[Edit, ...], tuple[tuple[SegmentOp, str], ...]]:
    ow, vw = _words(original), _words(version)
    matcher = SequenceMatcher(None, [n for _, n in ow], [n for _, n in vw], autojunk=False)
    edits: list[Edit] = []
    segments: list[tuple[SegmentOp, str]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        old = tuple(w for w, _ in ow[i1:i2])
        new = tuple(w for w, _ in vw[j1:j2])
        if op == "equal":
            segments.append(("equal", " ".join(new)))
            continue
        position: Literal["start", "middle", "end"] = (
            "start" if i1 == 0 and j1 == 0 else "end" if i2 == len(ow) and j2 == len(vw) else "middle"
        )
        marked = any(c in w for w in new for c in "[]()")
        kind: EditOp = "insert" if op == "insert" else "delete" if op == "delete" else "replace"
        edits.append(Edit(kind, old, new, position, marked))
        if old:
            segments.append(("delete", " ".join(old)))
        if new:
            segments.append(("insert", " ".join(new)))
    return tuple(edits), tuple(segments)


def _when(published: str | None) -> str:
    """A sortable timestamp (``YYYY-MM-DDTHH:MM``) of a published value; unknown sorts last."""
    from spinscope.stories.cluster import parse_date

    day = parse_date(published)
    if day is None:
        return "9999"
    clock = re.search(r"T(\d{2}):(\d{2})", published or "")
    return f"{day.isoformat()}T{clock[1]}:{clock[2]}" if clock else f"{day.isoformat()}T99:99"


def _thread(items: list[QuoteItem]) -> QuoteThread:
    norms = [_norm(i.text) for i in items]
    n = len(items)
    means = [sum(fuzz.ratio(norms[i], norms[j]) for j in range(n) if j != i) / (n - 1) for i in range(n)]
    best = max(means)
    tied = [i for i in range(n) if best - means[i] <= _TIE]

    original, reason = _break_tie(items, norms, tied)
    if len({norms[i] for i in tied}) == 1:
        reason = "most versions agree on its wording" if n > 2 else "every version has the same words"
    # The thread's speaker: the name most versions agree on (the original's on a tie).
    named = [i for i in range(n) if items[i].speaker]
    support = {i: sum(same_speaker(items[i].speaker, items[j].speaker) is True for j in named) for i in named}
    lead = max(named, key=lambda i: (support[i], i == original, len(items[i].speaker or ""))) if named else None
    speaker = items[lead].speaker if lead is not None else None
    versions = []
    for k, item in enumerate(items):
        if k == original:
            edits: tuple[Edit, ...] = ()
            segments: tuple[tuple[SegmentOp, str], ...] = (("equal", " ".join(w for w, _ in _words(item.text))),)
        else:
            edits, segments = _diff(items[original].text, item.text)
        versions.append(
            QuoteVersion(
                doc_id=item.doc_id, text=item.text, speaker=item.speaker, start=item.start, end=item.end,
                mean_similarity=means[k], is_original=k == original, edits=edits, segments=segments,
                speaker_conflict=same_speaker(item.speaker, speaker) is False,
            )
        )  # fmt: skip
    return QuoteThread(
        speaker=speaker,
        versions=tuple(versions),
        original_doc_id=items[original].doc_id,
        original_tie=len({norms[i] for i in tied}) > 1,
        doc_ids=tuple(i.doc_id for i in items),
        original_reason=reason,
    )


_BRACKETED = re.compile(r"\[[^\[\]]*\]|\([^()]*\)")
#: Outlet names that mark a wire service or news agency, whose copy others re-quote.
_WIRE = re.compile(r"\b(?:wire|press|agency|news agency|newswire|reuters|associated press|afp|ap|dpa|efe|ansa)\b", re.IGNORECASE)


def _covers(longer: str, shorter: str) -> bool:
    """Whether *shorter*'s words all appear, in order, in *longer* (a cut of it)."""
    lw, sw = longer.split(), shorter.split()
    if len(sw) >= len(lw):
        return False
    matcher = SequenceMatcher(None, lw, sw, autojunk=False)
    return sum(b.size for b in matcher.get_matching_blocks()) >= 0.9 * len(sw)


def _break_tie(items: Sequence[QuoteItem], norms: Sequence[str], tied: list[int]) -> tuple[int, str]:
    """The likely original among *tied* versions, and the rule that picked it (see module docstring)."""
    pool = list(tied)
    # Bracketed words are a writer's additions: leave them out when asking which version cuts which.
    bare = {i: _norm(_BRACKETED.sub(" ", items[i].text)) for i in pool}
    when = {i: _when(items[i].published) for i in pool}
    steps: list[tuple[str, Any]] = [
        ("it comes from a wire service", lambda i: bool(_WIRE.search(items[i].source or ""))),
        # Only when every date is known: an undated version may well be the older one.
        ("it was published first", lambda i: "9999" not in when.values() and when[i] == min(when.values())),
        (
            "the other versions are cuts of its words",
            lambda i: all(_covers(bare[i], bare[j]) or bare[j] == bare[i] for j in pool if j != i),
        ),
        ("it has no brackets (the others' are the writer's additions)", lambda i: not _BRACKETED.search(items[i].text)),
    ]
    for why, keep in steps:
        kept = [i for i in pool if keep(i)]
        if kept and len(kept) < len(pool):
            pool = kept
            if len(pool) == 1:
                return pool[0], f"tie broken: {why}"
    longest = max(len(norms[i].split()) for i in pool)
    longer = [i for i in pool if len(norms[i].split()) == longest]
    pick = min(longer, key=lambda i: items[i].order)
    if len(longer) < len(pool):
        return pick, "tie broken: it is the longer version"
    return pick, "tie broken: it comes first in the batch"


def align_quotes(
    items: Sequence[QuoteItem],
    *,
    threshold: float = DEFAULT_MATCH_THRESHOLD,
    strong: float = DEFAULT_STRONG_THRESHOLD,
) -> list[QuoteThread]:
    """Group quotes of different articles into :class:`QuoteThread` s (two articles or more).

    Quotes within one article are never aligned with each other; when an
    article has several quotes matching one thread, the best-matching one
    is its version and the rest stay out of the thread.
    """
    items = list(items)
    parent = list(range(len(items)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    scores: dict[tuple[int, int], tuple[float, bool]] = {}
    for i in range(len(items)):
        for j in range(i + 1, len(items)):
            if items[i].doc_id == items[j].doc_id:
                continue
            found = _aligned(items[i], items[j], threshold, strong)
            if found is not None:
                scores[(i, j)] = scores[(j, i)] = found
                parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(items)):
        groups.setdefault(find(i), []).append(i)
    threads = []
    for members in groups.values():
        by_doc: dict[str, list[int]] = {}
        for i in members:
            by_doc.setdefault(items[i].doc_id, []).append(i)
        if len(by_doc) < 2:
            continue

        def support(i: int, members: list[int] = members) -> float:
            return sum(scores.get((i, j), (0.0, False))[0] for j in members if j != i)

        chosen = sorted((max(ids, key=support) for ids in by_doc.values()), key=lambda i: (items[i].order, i))
        threads.append(_thread([items[i] for i in chosen]))
    threads.sort(key=lambda t: (-len(t.versions), t.doc_ids))
    return threads


def quote_drift(
    docs: Sequence[Document],
    analyses: Sequence[Mapping[str, Any]] | None = None,
    *,
    threshold: float = DEFAULT_MATCH_THRESHOLD,
    strong: float = DEFAULT_STRONG_THRESHOLD,
) -> list[QuoteThread]:
    """Quote threads across ``docs`` (normally the articles of one story).

    With ``analyses`` (``Analysis.to_dict()`` dicts, one per document) their
    quotes are used; otherwise quotes are extracted from the documents.
    """
    if isinstance(docs, Document):
        raise TypeError("quote_drift() takes a sequence of Documents, not one Document")
    items: list[QuoteItem] = []
    if analyses is not None:
        if len(analyses) != len(docs):
            raise ValueError(f"got {len(analyses)} analyses for {len(docs)} documents")
        for k, a in enumerate(analyses):
            items += quotes_from_analysis(a, order=k)
    else:
        for k, d in enumerate(docs):
            items += quotes_from_document(d, order=k)
    return align_quotes(items, threshold=threshold, strong=strong)


def story_drift(
    stories: Sequence[Any],
    docs: Sequence[Document],
    analyses: Sequence[Mapping[str, Any]] | None = None,
    **options: float,
) -> dict[str, list[QuoteThread]]:
    """Quote threads of every story of two articles or more: story id -> threads."""
    index = {d.id: k for k, d in enumerate(docs)}
    out: dict[str, list[QuoteThread]] = {}
    for story in stories:
        members = [index[i] for i in story.doc_ids if i in index]
        if len(members) < 2:
            continue
        out[story.id] = quote_drift(
            [docs[k] for k in members],
            [analyses[k] for k in members] if analyses is not None else None,
            **options,
        )
    return out

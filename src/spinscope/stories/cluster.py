"""Group articles that report the same event into stories.

Two articles are compared on three things:

* **wording** -- the cosine similarity of sentence embeddings
  (:func:`~spinscope.stories.embed.embed_texts`) of the title plus the first
  two body paragraphs, where news writing states the event;
* **key entities** -- the people, organisations and places both name
  (capitalised names found by :func:`spinscope.quotes.names.build_registry`,
  plus the quotes' speakers when Analysis dicts are given), weighted by how
  rare each is in the batch (a country every article names counts little),
  as a weighted Jaccard overlap;
* **a shared quotation** -- both articles quote the same named person or
  body saying the same words (speakers from the analyses, or from the rule
  attribution when no analysis is given; words matched as quote drift
  aligns them): the strongest sign of one event when a blog post re-quotes
  a wire report in its own words and without a date. The same spokesperson
  quoted on another matter does not count;
* **dates** -- when both ``published`` dates are known and lie more than
  ``window_days`` apart, the pair cannot be linked; an unknown date never
  blocks.

Key entities compare as the same name when one is the other with words
in front ("Lutsen Transport Ministry" / "Transport Ministry"), and a
one-word name at a sentence start counts when it is possessive
("Lutsen's"). The similarity is ``min(1, cosine + entity_weight * overlap
+ speaker_weight * shared_quotation)`` (0 for a blocked pair) and ``1 - similarity`` the distance given to scikit-learn's
:class:`~sklearn.cluster.AgglomerativeClustering` (average linkage,
``distance_threshold = 1 - threshold``). Every article ends in exactly one
story; an article like no other is a story of one.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np

from spinscope.document import Document, Paragraph
from spinscope.quotes.lexicon import ORG_HEADS, ROLE_NOUNS, TITLE_WORDS

__all__ = [
    "DEFAULT_ENTITY_WEIGHT",
    "DEFAULT_SPEAKER_WEIGHT",
    "DEFAULT_THRESHOLD",
    "DEFAULT_WINDOW_DAYS",
    "PairScores",
    "Story",
    "document_from_dict",
    "group_stories",
    "key_entities",
    "pair_scores",
    "parse_date",
    "quoted_speakers",
    "stories_from_scores",
    "story_text",
]

#: Minimum average similarity for two groups of articles to merge.
DEFAULT_THRESHOLD = 0.62
#: Articles published further apart than this (in days) never share a story.
DEFAULT_WINDOW_DAYS = 4.0
#: How much a full key-entity overlap adds to the embedding cosine.
DEFAULT_ENTITY_WEIGHT = 0.3
#: How much quoting the same speaker's same words adds (chosen on tests/data/stories and the
#: pairs of tests/data/stories_pair, not on the held-out sets).
DEFAULT_SPEAKER_WEIGHT = 0.2
#: Distance given to a pair the date window forbids (above any threshold).
_BLOCKED_DISTANCE = 2.0

Embedder = Callable[[Sequence[str]], np.ndarray]


# -- dates ------------------------------------------------------------------------
_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
            ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
            ("oct", "october"), ("nov", "november"), ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}  # fmt: skip
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DMY = re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b")
_YMD_SLASH = re.compile(r"\b(\d{4})/(\d{1,2})/(\d{1,2})\b")
_D_MONTH_Y = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b")
_MONTH_D_Y = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")


def _make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date(value: object) -> date | None:
    """The calendar date in an ISO-ish string, leniently; ``None`` when there is none.

    >>> parse_date("2026-01-14T09:42"), parse_date("14.01.2026"), parse_date("Jan 14, 2026")
    (datetime.date(2026, 1, 14), datetime.date(2026, 1, 14), datetime.date(2026, 1, 14))
    >>> parse_date("yesterday") is None
    True
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if m := _ISO.search(text):
        return _make_date(int(m[1]), int(m[2]), int(m[3]))
    if m := _YMD_SLASH.search(text):
        return _make_date(int(m[1]), int(m[2]), int(m[3]))
    if m := _DMY.search(text):
        return _make_date(int(m[3]), int(m[2]), int(m[1]))
    if (m := _D_MONTH_Y.search(text)) and m[2].lower() in _MONTHS:
        return _make_date(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))
    if (m := _MONTH_D_Y.search(text)) and m[1].lower() in _MONTHS:
        return _make_date(int(m[3]), _MONTHS[m[1].lower()], int(m[2]))
    return None


# -- Documents from dicts ---------------------------------------------------------
def _s(value: object) -> str | None:
    return value if isinstance(value, str) else None


def document_from_dict(data: Mapping[str, Any]) -> Document:
    """A :class:`Document` rebuilt from ``Document.to_dict()`` or ``Analysis.to_dict()`` output.

    Only what grouping needs is kept (text, paragraphs, title, dates, outlet,
    place). Paragraph ranges that do not fit the text are dropped rather than
    trusted: the dict may come from anywhere.
    """
    if not isinstance(data, Mapping):
        raise TypeError(f"document_from_dict() needs a dict, not {type(data).__name__}")
    doc = data.get("document") if isinstance(data.get("document"), Mapping) else data
    text = _s(doc.get("text")) or ""
    paragraphs: list[Paragraph] = []
    prev = 0
    for i, p in enumerate(doc.get("paragraphs") or ()):
        if not isinstance(p, Mapping):
            continue
        start, end = p.get("start"), p.get("end")
        if not (isinstance(start, int) and isinstance(end, int) and prev <= start <= end <= len(text)):
            continue
        line = p.get("line") if isinstance(p.get("line"), int) else i + 1
        kind = "title" if p.get("kind") == "title" else "body"
        paragraphs.append(Paragraph(start, end, line, kind))
        prev = end
    if not paragraphs and text.strip():
        paragraphs = [Paragraph(0, len(text), 1, "body")]
    return Document(
        id=_s(doc.get("id")) or "article",
        text=text,
        paragraphs=tuple(paragraphs),
        title=_s(doc.get("title")),
        source=_s(doc.get("source")),
        url=_s(doc.get("url")),
        published=_s(doc.get("published")),
        place=_s(doc.get("place")),
        origin=_s(doc.get("origin")) or "",
    )


# -- what each article is about ---------------------------------------------------
_DATELINE = re.compile(r"^[A-Z][A-Z .,'’-]{1,40}(?:\([^)\n]{1,60}\))?\s*[-–—]+\s+")


def story_text(doc: Document, *, body_paragraphs: int = 2) -> str:
    """Title plus the first ``body_paragraphs`` body paragraphs, datelines removed."""
    title = (doc.title or "").strip()
    body: list[str] = []
    for p, text in doc.iter_paragraphs():
        if p.kind == "title":
            title = title or text.strip()
            continue
        text = _DATELINE.sub("", text.strip(), count=1)
        if text:
            body.append(text)
        if len(body) >= body_paragraphs:
            break
    return "\n".join(x for x in [title, *body] if x)


_NOT_NAMES = TITLE_WORDS | ROLE_NOUNS | ORG_HEADS
_ROMAN_TAIL = re.compile(r"(?:^|\s+)[IVXLC]+$")


def _entity_key(name: str) -> str:
    name = re.sub(r"['’]s$", "", name.strip())
    return re.sub(r"\s+", " ", name).lower()


def _clean_name(name: str, kind: str) -> str:
    """Drop role words glued to a person's name ("Coach Elmar Rusk" -> "Elmar Rusk")."""
    words = name.split()
    if kind == "person" and len(words) >= 3 and not words[0].isupper():
        return " ".join(words[-2:])
    return name


def key_entities(doc: Document, analysis: Mapping[str, Any] | None = None) -> Counter[str]:
    """Names an article is about: lower-cased key -> number of mentions.

    Multi-word names (people, organisations, places) always count; a single
    capitalised word counts when it is also used mid-sentence, never in
    lower case, and is not a role, title or organisation word ("Bank",
    "Union"). A title-case headline is not read for names (its words are
    all capitalised), and a trailing Roman numeral is dropped. The outlet's own name is left out: it says who wrote, not what
    happened. Speakers of the analysis's quotes are added when given.
    """
    from spinscope.entities.tidy import is_title_case
    from spinscope.quotes.marks import find_mark_spans
    from spinscope.quotes.names import build_registry, mask_quotes

    spans, _notes = find_mark_spans(doc)
    masked = mask_quotes(doc.text, spans)
    for p in doc.paragraphs:
        # A title-case headline makes every word look like a name ("Deal With Kazakhstan On
        # Other Issues"); its real names come back from the body.
        if p.kind == "title" and is_title_case(doc.text[p.start : p.end]):
            masked = masked[: p.start] + " " * (p.end - p.start) + masked[p.end :]
    registry = build_registry(doc.text, masked, spans)
    skip = {_entity_key(doc.source)} if doc.source else set()
    counts: Counter[str] = Counter()
    for entity in registry.entities:
        mentions = [m for m in registry.mentions if m.entity is entity]
        name = _ROMAN_TAIL.sub("", _clean_name(entity.canonical, entity.kind))  # "Operation II" -> "Operation"
        key = _entity_key(name)
        if not key or key in skip or not mentions:
            continue
        if len(name.split()) == 1:
            word = name.lower()
            # A sentence's first word is a name only if used elsewhere, or possessive ("Lutsen's ministry").
            if word in _NOT_NAMES or all(m.initial and not m.possessive for m in mentions):
                continue
            if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", doc.text):  # also a common noun here
                continue
        counts[key] += len(mentions)
    # "Lutsen's ministry" at a sentence start: the rules leave a lone first word unplaced,
    # but a capitalised possessive is a name.
    for m in registry.mentions:
        if m.entity is None and m.kind == "single" and m.possessive and m.text.lower() not in _NOT_NAMES:
            key = _entity_key(m.text)
            if key not in skip and not re.search(rf"(?<![\w-]){re.escape(key)}(?![\w-])", doc.text):
                counts[key] += 1
    if analysis is not None:
        for q in analysis.get("quotes") or ():
            speaker = q.get("speaker") if isinstance(q, Mapping) else None
            if isinstance(speaker, str) and speaker.strip():
                key = _entity_key(_clean_name(speaker, "person"))
                if key not in skip:
                    counts[key] += 1
    return counts


def quoted_speakers(doc: Document, analysis: Mapping[str, Any] | None = None) -> dict[str, list[str]]:
    """Named speakers an article quotes (key -> their quotes' words), from its analysis or by rule.

    A quote split around its cue counts as one (see
    :func:`spinscope.stories.drift.join_split_quotes`).
    """
    from spinscope.stories.drift import quotes_from_analysis, quotes_from_document

    items = quotes_from_analysis(analysis) if analysis is not None else quotes_from_document(doc)
    skip = _entity_key(doc.source) if doc.source else None
    out: dict[str, list[str]] = {}
    for item in items:
        if item.speaker and item.speaker.strip():
            key = _entity_key(_clean_name(item.speaker, "person"))
            if key != skip:
                out.setdefault(key, []).append(item.text)
    return out


def _share_a_quote(a: Mapping[str, list[str]], b: Mapping[str, list[str]]) -> bool:
    """Whether one speaker is quoted in both with the same words (as quote drift would align them).

    The same spokesperson quoted on another matter is no sign of one event;
    the same words from the same person are.
    """
    from spinscope.stories.drift import DEFAULT_MATCH_THRESHOLD, MIN_WORDS, match_score

    for x, quotes_x in a.items():
        for y, quotes_y in b.items():
            if not same_speaker_key(x, y):
                continue
            for qa in quotes_x:
                for qb in quotes_y:
                    if min(len(qa.split()), len(qb.split())) > MIN_WORDS and match_score(qa, qb) >= DEFAULT_MATCH_THRESHOLD:
                        return True
    return False


def _same_key(a: str, b: str) -> bool:
    """One key is the other with words in front ("lutsen transport ministry" / "transport ministry")."""
    if a == b:
        return True
    wa, wb = a.split(), b.split()
    short, long_ = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    return len(short) >= 2 and long_[-len(short) :] == short


def _overlap(a: Counter[str], b: Counter[str], idf: Mapping[str, float]) -> float:
    """Weighted Jaccard of two key sets, a key matching its longer or shorter form in the other."""
    matched_a = {k for k in a if any(_same_key(k, o) for o in b)}
    matched_b = {k for k in b if any(_same_key(k, o) for o in a)}
    shared = (sum(idf[k] for k in matched_a) + sum(idf[k] for k in matched_b)) / 2
    union = sum(idf[k] for k in a) + sum(idf[k] for k in b) - shared
    return shared / union if union > 0 else 0.0


def _display_names(doc: Document, keys: Sequence[str]) -> dict[str, str]:
    """The surface form of each key as the article writes it."""
    out = {}
    for key in keys:
        pattern = re.escape(key).replace(r"\ ", r"\s+")
        forms = Counter(re.sub(r"\s+", " ", m.group(0)) for m in re.finditer(pattern, doc.text, re.IGNORECASE))
        if forms:  # the commonest form, a DATELINE CAPITALISED form last
            out[key] = max(forms, key=lambda f: (not f.isupper(), forms[f]))
    return out


# -- pairwise scores --------------------------------------------------------------
@dataclass(frozen=True)
class PairScores:
    """Pairwise evidence for ``n`` articles: every array is ``n x n``.

    ``embedding`` is the cosine of the story texts, ``entities`` the weighted
    key-entity overlap in [0, 1], ``days_apart`` the distance of the
    published dates (NaN when either is unknown), ``blocked`` whether the
    date window forbids the pair, and ``similarity`` the combined score.
    """

    doc_ids: tuple[str, ...]
    embedding: np.ndarray
    entities: np.ndarray
    days_apart: np.ndarray
    blocked: np.ndarray
    similarity: np.ndarray
    keys: tuple[Counter[str], ...] = field(repr=False)
    speakers: np.ndarray | None = None


def _analysis_list(docs: Sequence[Document], analyses: Sequence[Mapping[str, Any]] | None) -> list[Mapping[str, Any] | None]:
    if analyses is None:
        return [None] * len(docs)
    if len(analyses) != len(docs):
        raise ValueError(f"got {len(analyses)} analyses for {len(docs)} documents; pass one per document or none")
    return list(analyses)


def pair_scores(
    docs: Sequence[Document],
    analyses: Sequence[Mapping[str, Any]] | None = None,
    *,
    window_days: float | None = DEFAULT_WINDOW_DAYS,
    entity_weight: float = DEFAULT_ENTITY_WEIGHT,
    embed: Embedder | None = None,
    speaker_weight: float = DEFAULT_SPEAKER_WEIGHT,
) -> PairScores:
    """Every pairwise score :func:`group_stories` uses (``window_days=None`` turns dates off)."""
    from spinscope.stories.embed import embed_texts

    docs = list(docs)
    for d in docs:
        if not isinstance(d, Document):
            raise TypeError(f"group_stories() needs Documents, not {type(d).__name__}")
    n = len(docs)
    embed = embed or embed_texts
    vectors = np.asarray(embed([story_text(d) for d in docs]), dtype=np.float64).reshape(n, -1)
    cosine = np.clip(vectors @ vectors.T, -1.0, 1.0) if n else np.zeros((0, 0))

    given = _analysis_list(docs, analyses)
    keys = tuple(key_entities(d, a) for d, a in zip(docs, given, strict=True))
    quoted = [quoted_speakers(d, a) for d, a in zip(docs, given, strict=True)]
    df = Counter(k for ks in keys for k in ks)
    idf = {k: math.log((1 + n) / (1 + c)) + 1.0 for k, c in df.items()}
    overlap = np.zeros((n, n))
    speakers = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            overlap[i, j] = overlap[j, i] = _overlap(keys[i], keys[j], idf)
            if _share_a_quote(quoted[i], quoted[j]):
                speakers[i, j] = speakers[j, i] = 1.0

    dates = [parse_date(d.published) for d in docs]
    days = np.full((n, n), np.nan)
    for i in range(n):
        for j in range(n):
            if dates[i] is not None and dates[j] is not None:
                days[i, j] = abs((dates[i] - dates[j]).days)  # type: ignore[operator]
    blocked = np.zeros((n, n), dtype=bool)
    if window_days is not None:
        blocked = np.nan_to_num(days, nan=0.0) > window_days
    similarity = np.minimum(1.0, cosine + entity_weight * overlap + speaker_weight * speakers)
    similarity[blocked] = 0.0
    np.fill_diagonal(similarity, 1.0)
    return PairScores(tuple(d.id for d in docs), cosine, overlap, days, blocked, similarity, keys, speakers)


def same_speaker_key(a: str, b: str) -> bool:
    """Two speaker keys name one person: equal, or a surname of the other full name ("pelc" / "aron pelc")."""
    if a == b:
        return True
    wa, wb = a.split(), b.split()
    short, long_ = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    return len(long_) > len(short) and long_[-len(short) :] == short


# -- stories ----------------------------------------------------------------------
@dataclass(frozen=True)
class Story:
    """Articles reporting one event.

    ``name`` joins the two or three key entities most of its articles share;
    ``key_entities`` lists every entity at least two of its articles name
    (all of a single article's, for a story of one), most shared first;
    ``cohesion`` is the mean pairwise similarity of its articles (1.0 for a
    story of one).
    """

    id: str
    name: str
    doc_ids: tuple[str, ...]
    key_entities: tuple[str, ...]
    cohesion: float

    def __len__(self) -> int:
        return len(self.doc_ids)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "doc_ids": list(self.doc_ids),
            "size": len(self.doc_ids),
            "key_entities": list(self.key_entities),
            "cohesion": round(self.cohesion, 4),
        }


def _labels(scores: PairScores, threshold: float) -> list[int]:
    from sklearn.cluster import AgglomerativeClustering

    n = len(scores.doc_ids)
    if n < 2:
        return [0] * n
    distance = 1.0 - scores.similarity
    distance[scores.blocked] = _BLOCKED_DISTANCE
    distance = np.clip((distance + distance.T) / 2, 0.0, None)
    np.fill_diagonal(distance, 0.0)
    model = AgglomerativeClustering(
        n_clusters=None, metric="precomputed", linkage="average", distance_threshold=1.0 - threshold
    )
    return [int(x) for x in model.fit_predict(distance)]


def _name_story(members: list[int], docs: Sequence[Document], scores: PairScores) -> tuple[str, tuple[str, ...]]:
    spread: Counter[str] = Counter()  # articles naming each entity
    mentions: Counter[str] = Counter()
    first_seen: dict[str, tuple[int, int]] = {}
    for rank, i in enumerate(members):
        for pos, (key, count) in enumerate(scores.keys[i].items()):
            spread[key] += 1
            mentions[key] += count
            first_seen.setdefault(key, (rank, pos))
    needed = 2 if len(members) > 1 else 1
    shared = [k for k in spread if spread[k] >= needed]
    shared.sort(key=lambda k: (-spread[k], -mentions[k], -len(k.split()), first_seen[k]))
    if not shared:
        title = (docs[members[0]].title or docs[members[0]].id).strip()
        return title, ()
    display: dict[str, str] = {}
    for i in members:
        for key, name in _display_names(docs[i], shared).items():
            if key not in display or (display[key].isupper() and not name.isupper()):
                display[key] = name
    top = shared[:3]
    if len(top) == 3 and spread[top[2]] < spread[top[1]]:
        top = top[:2]
    return " / ".join(display.get(k, k.title()) for k in top), tuple(display.get(k, k.title()) for k in shared)


def group_stories(
    docs: Sequence[Document],
    analyses: Sequence[Mapping[str, Any]] | None = None,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    window_days: float | None = DEFAULT_WINDOW_DAYS,
    entity_weight: float = DEFAULT_ENTITY_WEIGHT,
    embed: Embedder | None = None,
    speaker_weight: float = DEFAULT_SPEAKER_WEIGHT,
) -> list[Story]:
    """Group ``docs`` into stories: articles reporting the same event.

    Parameters
    ----------
    docs:
        The articles; each ends in exactly one story.
    analyses:
        Optional ``Analysis.to_dict()`` dicts, one per document in the same
        order; their quotes' speakers join the key entities.
    threshold:
        Minimum average pairwise similarity (0..1) for two groups to merge.
    window_days:
        Articles whose published dates are both known and further apart
        never share a story; ``None`` ignores dates.
    entity_weight:
        Weight of the key-entity overlap added to the embedding cosine.
    speaker_weight:
        Added when both articles quote one named speaker saying the same words.
    embed:
        Text embedder (default :func:`~spinscope.stories.embed.embed_texts`);
        a seam for tests.

    Returns
    -------
    list[Story]
        Ordered by each story's first article in ``docs``; ids ``story-01``...

    >>> stories = group_stories(documents)  # doctest: +SKIP
    >>> [s.doc_ids for s in stories if len(s) > 1]  # doctest: +SKIP
    """
    if isinstance(docs, Document):
        raise TypeError("group_stories() takes a sequence of Documents, not one Document")
    docs = list(docs)
    if not docs:
        return []
    if not 0.0 < threshold <= 1.0:
        raise ValueError("threshold must be in (0, 1]")
    scores = pair_scores(
        docs, analyses, window_days=window_days, entity_weight=entity_weight, embed=embed, speaker_weight=speaker_weight
    )
    return stories_from_scores(docs, scores, threshold=threshold)


def stories_from_scores(docs: Sequence[Document], scores: PairScores, *, threshold: float = DEFAULT_THRESHOLD) -> list[Story]:
    """The stories :func:`group_stories` forms from already computed :class:`PairScores`."""
    docs = list(docs)
    if [d.id for d in docs] != list(scores.doc_ids):
        raise ValueError("the scores were computed for other documents")
    if not docs:
        return []
    labels = _labels(scores, threshold)
    groups: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        groups.setdefault(label, []).append(i)
    stories = []
    for number, members in enumerate(sorted(groups.values(), key=lambda m: m[0]), start=1):
        pairs = [(i, j) for k, i in enumerate(members) for j in members[k + 1 :]]
        cohesion = float(np.mean([scores.similarity[i, j] for i, j in pairs])) if pairs else 1.0
        name, entities = _name_story(members, docs, scores)
        stories.append(
            Story(
                id=f"story-{number:02d}",
                name=name,
                doc_ids=tuple(docs[i].id for i in members),
                key_entities=entities,
                cohesion=cohesion,
            )
        )
    return stories

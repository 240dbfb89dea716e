"""From an Analysis dict to what a report shows: no HTML, no terminal, just data.

Every front end (the HTML report, the terminal, anything reading the JSON)
needs the same derived numbers -- counts by category, persuasion density,
the text cut into highlight segments -- so they are computed once here from
the versioned ``Analysis.to_dict()`` JSON, never from Python objects.

The dict is treated as untrusted input: offsets are clipped to the text,
unknown categories become ``"other"``, and nothing here formats markup.

Persuasion density is *paragraph technique labels per 100 words*:
``sum(len(p["techniques"]) for p in paragraphs) / words * 100`` where
``words = len(document["text"].split())``. A paragraph carrying Loaded
language and Doubt counts twice; a span adds nothing beyond its label.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any
from urllib.parse import urlsplit

from spinscope import taxonomy
from spinscope.errors import ConfigError

__all__ = [
    "CATEGORY_ORDER",
    "OTHER",
    "ROLE_COLUMNS",
    "Category",
    "EntityRow",
    "Hit",
    "Label",
    "NarrativeBadge",
    "Paragraph",
    "Segment",
    "Summary",
    "categories",
    "density",
    "entity_columns",
    "genre_rows",
    "label_count",
    "narrative_badges",
    "narrative_evidence",
    "paragraphs",
    "safe_http_url",
    "segments",
    "summarise",
    "word_count",
]  # fmt: skip

OTHER = "other"

#: Category order used everywhere (legend, chart, stacked underlines), so a
#: colour always sits at the same place.
CATEGORY_ORDER: tuple[str, ...] = (
    "attack_on_reputation", "justification", "simplification", "distraction", "call", "manipulative_wording",
)  # fmt: skip

# Okabe-Ito hues (distinguishable with the common colour-vision
# deficiencies) as the strong colour for underlines and bars, with a light
# tint of each as the highlight background so black text stays readable.
_PALETTE: dict[str, tuple[str, str]] = {
    "attack_on_reputation": ("#D55E00", "#F9D5BF"),
    "justification": ("#0072B2", "#C4DEEE"),
    "simplification": ("#E69F00", "#F8E3B5"),
    "distraction": ("#CC79A7", "#F2DAE8"),
    "call": ("#009E73", "#C2E8DC"),
    "manipulative_wording": ("#8F8400", "#F6EE9E"),
    OTHER: ("#6B6B6B", "#E2E2E2"),
}


@dataclass(frozen=True)
class Category:
    """A technique category with its display name, description and colours."""

    key: str
    name: str
    description: str
    colour: str
    tint: str


@dataclass(frozen=True)
class Hit:
    """One technique covering a piece of text: a span, or the strongest tokens of a label."""

    label: str
    name: str
    category: str
    score: float
    kind: str  # "span", "sentence" (multilingual model) or "strongest-tokens"
    start: int
    end: int


@dataclass(frozen=True)
class Segment:
    """A run of text between two highlight boundaries, with every hit covering all of it."""

    start: int
    end: int
    text: str
    hits: tuple[Hit, ...] = ()


@dataclass(frozen=True)
class Label:
    """A paragraph's technique label, flattened for display."""

    label: str
    name: str
    category: str
    score: float
    definition: str
    evidence: tuple[tuple[str, str, float], ...]  # (kind, text, score)


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of the article: its text segments and its labels."""

    index: int
    kind: str
    line: int | None
    segments: tuple[Segment, ...]
    labels: tuple[Label, ...]


@dataclass(frozen=True)
class Summary:
    """Article-level numbers for the summary panel and the index row."""

    words: int
    labels: int
    density: float
    by_category: tuple[tuple[Category, int], ...]
    by_technique: tuple[tuple[str, str, Category, int], ...]  # (label, name, category, count)
    frames: tuple[tuple[str, float, str], ...]  # (name, score, definition), best first
    genre: str | None
    strip: tuple[int, ...]  # technique labels per paragraph, every paragraph
    glossary: tuple[tuple[str, str, Category, str], ...] = field(default=())  # (label, name, cat, definition)


def categories() -> dict[str, Category]:
    """The six technique categories plus ``other``, in :data:`CATEGORY_ORDER`."""
    cats = taxonomy.techniques().categories
    out = {
        key: Category(key, cats[key].name, cats[key].description, *_PALETTE[key])
        for key in CATEGORY_ORDER
    }
    out[OTHER] = Category(OTHER, "Other", "A label outside the six known categories.", *_PALETTE[OTHER])
    return out


def category_of(value: object) -> str:
    """A known category key, or ``other`` for anything else (a hostile dict can say anything)."""
    return value if isinstance(value, str) and value in CATEGORY_ORDER else OTHER


def _num(value: object, default: float = 0.0) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else default


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def word_count(analysis: Mapping[str, Any]) -> int:
    """Whitespace-separated words of ``document.text`` (same as ``Document.word_count``)."""
    return len(_str(analysis.get("document", {}).get("text")).split())


def label_count(analysis: Mapping[str, Any]) -> int:
    """Number of paragraph technique labels."""
    return sum(len(p.get("techniques") or ()) for p in analysis.get("paragraphs") or ())


def density(analysis: Mapping[str, Any]) -> float:
    """Persuasion density: paragraph technique labels per 100 words (0.0 for an empty text)."""
    words = word_count(analysis)
    return label_count(analysis) / words * 100 if words else 0.0


def safe_http_url(url: object) -> str | None:
    """``url`` if it is an absolute http(s) URL with a host, else ``None`` (no ``javascript:``)."""
    if not isinstance(url, str) or any(c in url for c in "\x00\r\n\t "):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in {"http", "https"} and parts.netloc else None


def _names(analysis: Mapping[str, Any]) -> dict[str, tuple[str, str, str]]:
    """label -> (name, category, definition), from the dict first, then the bundled taxonomy."""
    known: dict[str, tuple[str, str, str]] = {}
    for p in analysis.get("paragraphs") or ():
        for t in p.get("techniques") or ():
            label = _str(t.get("label"))
            if label and label not in known:
                definition = _str((t.get("definition") or {}).get("text"))
                known[label] = (_str(t.get("name")) or label, category_of(t.get("category")), definition)
    tax = taxonomy.techniques()
    for s in analysis.get("spans") or ():
        label = _str(s.get("technique"))
        if label and label not in known:
            entry = tax.get(label) if label in tax else None
            known[label] = (
                (entry.name, category_of(entry.category), entry.definition) if entry else (label, OTHER, "")
            )
    return known


def _hits(analysis: Mapping[str, Any]) -> list[Hit]:
    """Every span, plus strongest-token evidence of labels that have no span."""
    names = _names(analysis)
    text_len = len(_str(analysis.get("document", {}).get("text")))
    hits: list[Hit] = []

    def add(label: str, score: object, kind: str, start: object, end: object) -> None:
        s, e = _int(start), _int(end)
        if not label or s is None or e is None:
            return
        s, e = max(0, s), min(text_len, e)
        if s < e:
            name, cat, _ = names.get(label, (label, OTHER, ""))
            hits.append(Hit(label, name, cat, _num(score), kind, s, e))

    for s in analysis.get("spans") or ():
        kind = "sentence" if s.get("kind") == "sentence" else "span"
        add(_str(s.get("technique")), s.get("score"), kind, s.get("start"), s.get("end"))
    for p in analysis.get("paragraphs") or ():
        for t in p.get("techniques") or ():
            for ev in t.get("evidence") or ():
                if ev.get("kind") == "strongest-tokens":
                    add(_str(t.get("label")), ev.get("score"), "strongest-tokens", ev.get("start"), ev.get("end"))
    return hits


def _hit_order(hit: Hit) -> tuple[int, int, float]:
    cat = CATEGORY_ORDER.index(hit.category) if hit.category in CATEGORY_ORDER else len(CATEGORY_ORDER)
    return (hit.kind != "span", cat, -hit.score)


def segments(text: str, start: int, end: int, hits: Iterable[Hit]) -> list[Segment]:
    """Cut ``text[start:end]`` at every hit boundary; each segment lists the hits covering it.

    Overlapping and nested spans stay readable because no segment ever
    straddles a boundary: a segment covered by two techniques carries both.
    A technique that covers a segment twice is listed once, best score kept.
    """
    inside = [h for h in hits if h.start < end and h.end > start]
    cuts = sorted({start, end, *(max(h.start, start) for h in inside), *(min(h.end, end) for h in inside)})
    out: list[Segment] = []
    for a, b in pairwise(cuts):
        best: dict[tuple[str, str], Hit] = {}
        for h in inside:
            if h.start <= a and h.end >= b:
                key = (h.label, h.kind)
                if key not in best or h.score > best[key].score:
                    best[key] = h
        # A label with a real span here does not need its weaker token evidence too.
        spans = {label for label, kind in best if kind == "span"}
        covering = sorted((h for h in best.values() if h.kind == "span" or h.label not in spans), key=_hit_order)
        out.append(Segment(a, b, text[a:b], tuple(covering)))
    return out


def paragraphs(analysis: Mapping[str, Any]) -> list[Paragraph]:
    """Every paragraph of the document, in order, with its segments and labels."""
    doc = analysis.get("document") or {}
    text = _str(doc.get("text"))
    hits = _hits(analysis)
    by_index: dict[int, list[Label]] = {}
    for p in analysis.get("paragraphs") or ():
        labels = by_index.setdefault(_int(p.get("index")) or 0, [])
        for t in p.get("techniques") or ():
            evidence = tuple(
                (_str(ev.get("kind")), _str(ev.get("text")), _num(ev.get("score"))) for ev in t.get("evidence") or ()
            )
            labels.append(
                Label(
                    _str(t.get("label")), _str(t.get("name")) or _str(t.get("label")), category_of(t.get("category")),
                    _num(t.get("score")), _str((t.get("definition") or {}).get("text")), evidence,
                )
            )  # fmt: skip
    out: list[Paragraph] = []
    for i, p in enumerate(doc.get("paragraphs") or ()):
        start, end = max(0, _int(p.get("start")) or 0), min(len(text), _int(p.get("end")) or 0)
        segs = segments(text, start, end, hits) if start < end else []
        labels = sorted(by_index.get(i, ()), key=lambda lab: -lab.score)
        out.append(Paragraph(i, _str(p.get("kind")) or "body", _int(p.get("line")), tuple(segs), tuple(labels)))
    return out


def genre_rows(analysis: Mapping[str, Any]) -> list[tuple[str, float, bool]]:
    """(display name, probability, is the predicted genre), most probable first."""
    genre = analysis.get("genre") or {}
    predicted = _str(genre.get("label"))
    tax = taxonomy.genres()
    rows = [
        (tax.get(k).name if k in tax else k, _num(v), k == predicted)
        for k, v in (analysis.get("genre_probabilities") or {}).items()
    ]
    return sorted(rows, key=lambda r: -r[1])


def summarise(analysis: Mapping[str, Any], paras: Sequence[Paragraph] | None = None) -> Summary:
    """Counts, density, ranked frames, the per-paragraph strip and the glossary."""
    cats = categories()
    paras = paragraphs(analysis) if paras is None else paras
    per_cat = dict.fromkeys(cats, 0)
    per_tech: dict[str, list[Any]] = {}
    for p in paras:
        for lab in p.labels:
            per_cat[lab.category] += 1
            per_tech.setdefault(lab.label, [lab.label, lab.name, cats[lab.category], 0])[3] += 1
    by_technique = sorted(
        (tuple(row) for row in per_tech.values()),
        key=lambda r: (list(cats).index(r[2].key), -r[3], r[1]),
    )
    frames = sorted(
        (
            (_str(f.get("name")) or _str(f.get("label")), _num(f.get("score")), _str((f.get("definition") or {}).get("text")))
            for f in analysis.get("frames") or ()
        ),
        key=lambda r: -r[1],
    )
    names = _names(analysis)
    glossary = sorted(
        ((label, name, cats[cat], definition) for label, (name, cat, definition) in names.items()),
        key=lambda r: (list(cats).index(r[2].key), r[1]),
    )
    genre = analysis.get("genre") or {}
    return Summary(
        words=word_count(analysis),
        labels=label_count(analysis),
        density=density(analysis),
        by_category=tuple((cats[k], n) for k, n in per_cat.items() if k != OTHER or n),
        by_technique=tuple(by_technique),
        frames=tuple(frames),
        genre=(_str(genre.get("name")) or _str(genre.get("label"))) or None,
        strip=tuple(len(p.labels) for p in paras),
        glossary=tuple(glossary),
    )


def drift_lines(story: Mapping[str, Any]) -> list[str]:
    """One plain line per drifted quote version of a story dict (``stories_report`` output).

    "Irena Vasko in 06: added: and without mercy", then the likely original.
    """
    lines: list[str] = []
    for thread in story.get("quote_drift") or ():
        if not isinstance(thread, Mapping):
            continue
        found = []
        for v in thread.get("versions") or ():
            edits = []
            if v.get("inserted"):
                edits.append("added: " + " ".join(map(str, v["inserted"])))
            if v.get("deleted"):
                edits.append("left out: " + " ".join(map(str, v["deleted"])))
            truncated = v.get("truncated") or {}
            if truncated.get("left") or truncated.get("right"):
                edits.append("cut")
            if edits:
                found.append(f"{thread.get('speaker') or 'unattributed'} in {v.get('doc_id')}: {'; '.join(edits)}")
        if found:
            lines.extend(found)
            lines.append(f"  likely original: {thread.get('original_doc_id')}")
    return lines


# -- entities and narratives (SemEval-2025 Task 10) ---------------------------------

#: The report's three columns, in the words an analyst uses, by main role.
ROLE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Protagonist", "Cast as hero"),
    ("Antagonist", "Cast as villain"),
    ("Innocent", "Cast as victim"),
)


@dataclass(frozen=True)
class EntityRow:
    """One entity as a report shows it."""

    id: int
    name: str
    label: str
    main_role: str
    confidence: float  # the aggregated main-role probability
    fine_roles: tuple[tuple[str, str], ...]  # (role, definition)
    mentions: int
    aliases: tuple[str, ...]
    stands_for: str
    first_offsets: tuple[int, int]  # the first mention, for linking into the text


def _role_definitions() -> dict[str, str]:
    try:
        tax = taxonomy.load("roles")
    except ConfigError:  # a broken taxonomy file must not break a report
        return {}
    return {lab.label: lab.definition for lab in tax}


def entity_columns(analysis: Mapping[str, Any], *, min_mentions: int = 1) -> dict[str, list[EntityRow]]:
    """Entities with a role, grouped by main role (most confident first); empty lists when none."""
    defs = _role_definitions()
    out: dict[str, list[EntityRow]] = {role: [] for role, _ in ROLE_COLUMNS}
    for e in analysis.get("entities") or ():
        if not isinstance(e, Mapping):
            continue
        role = e.get("role")
        if not isinstance(role, Mapping) or role.get("main_role") not in out:
            continue
        mentions = [m for m in e.get("mentions") or () if isinstance(m, Mapping)]
        if len(mentions) < min_mentions:
            continue
        main = _str(role.get("main_role"))
        first = mentions[0] if mentions else {}
        out[main].append(
            EntityRow(
                id=_int(e.get("id")) or 0,
                name=_str(e.get("name")),
                label=_str(e.get("label")),
                main_role=main,
                confidence=_num((role.get("main_scores") or {}).get(main)),
                fine_roles=tuple((_str(r), defs.get(_str(r), "")) for r in role.get("fine_roles") or ()),
                mentions=len(mentions),
                aliases=tuple(_str(a) for a in e.get("aliases") or ()),
                stands_for=_str(e.get("stands_for") or ""),
                first_offsets=(_int(first.get("start")) or 0, _int(first.get("end")) or 0),
            )
        )
    for rows in out.values():
        rows.sort(key=lambda r: (-r.mentions * r.confidence, r.name))
    return out


@dataclass(frozen=True)
class NarrativeBadge:
    """A narrative or sub-narrative the article pushes, with its definition and score."""

    label: str
    short: str  # the label without its domain prefix
    score: float
    definition: str
    dominant: bool
    sub: bool


def narrative_badges(analysis: Mapping[str, Any]) -> tuple[str, list[NarrativeBadge]]:
    """The article's domain and its narrative badges (dominant first, then sub-narratives)."""
    n = analysis.get("narratives")
    if not isinstance(n, Mapping):
        return "", []
    dominant = _str(n.get("dominant"))
    badges: list[NarrativeBadge] = []
    for key, sub in (("narratives", False), ("subnarratives", True)):
        for item in n.get(key) or ():
            if not isinstance(item, Mapping) or _str(item.get("label")) in {"", "Other"}:
                continue
            label = _str(item.get("label"))
            if sub and label.endswith(": Other"):
                continue  # the taxonomy's catch-all says nothing beyond its narrative
            badges.append(
                NarrativeBadge(
                    label=label,
                    short=label.split(": ")[-1],
                    score=_num(item.get("score")),
                    definition=_str(item.get("definition") or ""),
                    dominant=label == dominant,
                    sub=sub,
                )
            )
    badges.sort(key=lambda b: (not b.dominant, b.sub, -b.score))
    return _str(n.get("domain")), badges


def narrative_evidence(analysis: Mapping[str, Any]) -> list[tuple[int, int]]:
    """``[start, end)`` of the sentences supporting the dominant narrative, clipped to the text."""
    text = _str((analysis.get("document") or {}).get("text"))
    n = analysis.get("narratives")
    out: list[tuple[int, int]] = []
    if not isinstance(n, Mapping):
        return out
    for ev in n.get("evidence") or ():
        if isinstance(ev, Mapping):
            s, e = _int(ev.get("start")), _int(ev.get("end"))
            if s is not None and e is not None and 0 <= s < e <= len(text):
                out.append((s, e))
    return out

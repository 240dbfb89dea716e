"""Compare two analysed articles side by side: labels, quotes, drift, shared story.

Both inputs are ``Analysis.to_dict()`` dicts (the versioned JSON), treated
as untrusted: missing or odd fields are read defensively through
:mod:`spinscope.report.view`, and :func:`render_comparison_html` escapes
every piece of article text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from spinscope.report import view
from spinscope.stories.cluster import (
    DEFAULT_ENTITY_WEIGHT,
    DEFAULT_THRESHOLD,
    DEFAULT_WINDOW_DAYS,
    Embedder,
    document_from_dict,
    pair_scores,
    stories_from_scores,
)
from spinscope.stories.drift import (
    DEFAULT_MATCH_THRESHOLD,
    DEFAULT_STRONG_THRESHOLD,
    QuoteItem,
    QuoteThread,
    align_quotes,
    quotes_from_analysis,
)

__all__ = ["ArticleSide", "CategoryDensity", "Comparison", "EntityCasting", "compare", "render_comparison_html"]

AnalysisDict = Mapping[str, Any]


def _s(value: object) -> str:
    return value if isinstance(value, str) else ""


@dataclass(frozen=True)
class CategoryDensity:
    """Paragraph technique labels of one category, and per 100 words."""

    key: str
    name: str
    colour: str
    labels: int
    per_100_words: float

    def to_dict(self) -> dict[str, Any]:
        return {"category": self.key, "name": self.name, "labels": self.labels, "per_100_words": round(self.per_100_words, 3)}


@dataclass(frozen=True)
class ArticleSide:
    """One article's numbers, as the comparison shows them."""

    doc_id: str
    title: str
    source: str
    published: str
    url: str | None
    genre: str | None
    genre_score: float | None
    frames: tuple[tuple[str, float], ...]
    words: int
    labels: int
    density: float
    categories: tuple[CategoryDensity, ...]
    quotes: int  # direct quotations as the comparison lists them: speech, a split quote once
    paragraphs: tuple[str, ...]
    scare_quotes: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "title": self.title,
            "source": self.source or None,
            "published": self.published or None,
            "url": self.url,
            "genre": {"name": self.genre, "score": self.genre_score} if self.genre else None,
            "frames": [{"name": n, "score": round(s, 4)} for n, s in self.frames],
            "words": self.words,
            "labels": self.labels,
            "density": round(self.density, 3),
            "categories": [c.to_dict() for c in self.categories],
            "quotes": self.quotes,
            "scare_quotes": self.scare_quotes,
        }


def _side(analysis: AnalysisDict) -> ArticleSide:
    doc = analysis.get("document") if isinstance(analysis.get("document"), Mapping) else {}
    summary = view.summarise(analysis)
    words = summary.words
    genre = analysis.get("genre") if isinstance(analysis.get("genre"), Mapping) else {}
    score = genre.get("score")
    text = _s(doc.get("text"))
    quotes = [q for q in analysis.get("quotes") or () if isinstance(q, Mapping)]
    paras = []
    for p in doc.get("paragraphs") or ():
        if isinstance(p, Mapping) and isinstance(p.get("start"), int) and isinstance(p.get("end"), int):
            paras.append(text[max(0, p["start"]) : max(0, p["end"])])
    return ArticleSide(
        doc_id=_s(doc.get("id")) or "article",
        title=_s(doc.get("title")).strip() or _s(doc.get("id")) or "Untitled article",
        source=_s(doc.get("source")),
        published=_s(doc.get("published")),
        url=view.safe_http_url(doc.get("url")),
        genre=summary.genre,
        genre_score=float(score) if isinstance(score, int | float) and not isinstance(score, bool) else None,
        frames=tuple((name, s) for name, s, _definition in summary.frames),
        words=words,
        labels=summary.labels,
        density=summary.density,
        categories=tuple(
            CategoryDensity(cat.key, cat.name, cat.colour, n, n / words * 100 if words else 0.0)
            for cat, n in summary.by_category
        ),
        # As listed below the table: speech only, a quote split around its cue counted once.
        quotes=len(quotes_from_analysis(analysis)),
        scare_quotes=sum(1 for q in quotes if q.get("kind") == "scare"),
        paragraphs=tuple(p for p in paras if p.strip()) or ((text,) if text.strip() else ()),
    )


@dataclass(frozen=True)
class EntityCasting:
    """One entity both articles name, and the role each casts it in (None: no role there)."""

    name: str
    role_a: str | None
    fine_a: tuple[str, ...]
    role_b: str | None
    fine_b: tuple[str, ...]

    @property
    def differs(self) -> bool:
        return self.role_a != self.role_b

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "a": {"main_role": self.role_a, "fine_roles": list(self.fine_a)},
            "b": {"main_role": self.role_b, "fine_roles": list(self.fine_b)},
            "differs": self.differs,
        }


def _castings(a: AnalysisDict, b: AnalysisDict) -> tuple[EntityCasting, ...] | None:
    """Entities named by both articles (matched by name or alias, folded), with both roles.

    None when either analysis has no entity list (the entity analyzer did not run).
    """
    from spinscope.entities.group import name_key

    def table(analysis: AnalysisDict) -> dict[str, tuple[str, str | None, tuple[str, ...]]] | None:
        entities = analysis.get("entities")
        if not isinstance(entities, list):
            return None
        out: dict[str, tuple[str, str | None, tuple[str, ...]]] = {}
        for e in entities:
            if not isinstance(e, Mapping):
                continue
            role = e.get("role") if isinstance(e.get("role"), Mapping) else {}
            entry = (_s(e.get("name")), _s(role.get("main_role")) or None, tuple(_s(r) for r in role.get("fine_roles") or ()))
            for name in [e.get("name"), *(e.get("aliases") or ())]:
                if isinstance(name, str) and name_key(name):
                    out.setdefault(name_key(name), entry)
        return out

    ta, tb = table(a), table(b)
    if ta is None or tb is None:
        return None
    seen: set[str] = set()
    rows = []
    for key in ta:
        if key not in tb:
            continue
        (name, ra, fa), (_, rb, fb) = ta[key], tb[key]
        if name in seen:
            continue
        seen.add(name)
        rows.append(EntityCasting(name, ra, fa, rb, fb))
    rows.sort(key=lambda r: (not r.differs, r.name))
    return tuple(rows)


@dataclass(frozen=True)
class Comparison:
    """Two articles compared.

    ``same_story`` applies :func:`~spinscope.stories.cluster.group_stories`'s
    rule to the pair; ``similarity``, ``embedding``, ``entities`` and
    ``days_apart`` are its evidence (``days_apart`` is None when a date is
    unknown; ``date_blocked`` when the date window alone rules the pair
    out). ``shared`` are quotations both carry, ``only_a``/``only_b`` the
    quotes the other lacks.
    """

    a: ArticleSide
    b: ArticleSide
    same_story: bool
    similarity: float
    embedding: float
    entities: float
    days_apart: float | None
    date_blocked: bool
    threshold: float
    shared_entities: tuple[str, ...]
    shared: tuple[QuoteThread, ...]
    only_a: tuple[QuoteItem, ...]
    only_b: tuple[QuoteItem, ...]
    #: entities both name, with both roles (None: an analysis has no entities)
    castings: tuple[EntityCasting, ...] | None = None

    @property
    def drift(self) -> tuple[QuoteThread, ...]:
        """Shared quotations whose words differ between the two articles."""
        return tuple(t for t in self.shared if t.drifted)

    def to_dict(self) -> dict[str, Any]:
        def item(q: QuoteItem) -> dict[str, Any]:
            return {"text": q.text, "speaker": q.speaker, "start": q.start, "end": q.end}

        return {
            "a": self.a.to_dict(),
            "b": self.b.to_dict(),
            "story": {
                "same_story": self.same_story,
                "similarity": round(self.similarity, 4),
                "threshold": self.threshold,
                "embedding_cosine": round(self.embedding, 4),
                "entity_overlap": round(self.entities, 4),
                "shared_entities": list(self.shared_entities),
                "days_apart": self.days_apart,
                "date_blocked": self.date_blocked,
            },
            "quotes": {
                "shared": [t.to_dict() for t in self.shared],
                "only_a": [item(q) for q in self.only_a],
                "only_b": [item(q) for q in self.only_b],
                "drifted": len(self.drift),
            },
            "entities": None if self.castings is None else [c.to_dict() for c in self.castings],
        }


def compare(
    a: AnalysisDict,
    b: AnalysisDict,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    window_days: float | None = DEFAULT_WINDOW_DAYS,
    entity_weight: float = DEFAULT_ENTITY_WEIGHT,
    match_threshold: float = DEFAULT_MATCH_THRESHOLD,
    strong: float = DEFAULT_STRONG_THRESHOLD,
    embed: Embedder | None = None,
) -> Comparison:
    """Compare two ``Analysis.to_dict()`` dicts (their document text included).

    >>> c = compare(analysis_a.to_dict(), analysis_b.to_dict())  # doctest: +SKIP
    >>> c.same_story, [v.inserted for t in c.drift for v in t.versions]  # doctest: +SKIP
    """
    for name, value in (("a", a), ("b", b)):
        if not isinstance(value, Mapping):
            raise TypeError(f"compare() needs two Analysis dicts; {name} is a {type(value).__name__}")
    doc_a, doc_b = document_from_dict(a), document_from_dict(b)
    if doc_a.id == doc_b.id:  # two copies of one id would confuse every per-article lookup
        doc_b = document_from_dict({**dict(b.get("document") or {}), "id": f"{doc_b.id} (b)"})
    scores = pair_scores(
        [doc_a, doc_b], [a, b], window_days=window_days, entity_weight=entity_weight, embed=embed
    )
    same = len(stories_from_scores([doc_a, doc_b], scores, threshold=threshold)) == 1
    items_a = [QuoteItem(**{**q.__dict__, "doc_id": doc_a.id}) for q in quotes_from_analysis(a, order=0)]
    items_b = [QuoteItem(**{**q.__dict__, "doc_id": doc_b.id}) for q in quotes_from_analysis(b, order=1)]
    threads = align_quotes(items_a + items_b, threshold=match_threshold, strong=strong)
    used = {(v.doc_id, v.start, v.end, v.text) for t in threads for v in t.versions}
    days = float(scores.days_apart[0, 1])
    names = sorted(set(scores.keys[0]) & set(scores.keys[1]))
    return Comparison(
        a=_side(a),
        b=_side(b),
        same_story=same,
        similarity=float(scores.similarity[0, 1]),
        embedding=float(scores.embedding[0, 1]),
        entities=float(scores.entities[0, 1]),
        days_apart=None if math.isnan(days) else days,
        date_blocked=bool(scores.blocked[0, 1]),
        threshold=threshold,
        shared_entities=tuple(n.title() for n in names),
        shared=tuple(threads),
        only_a=tuple(q for q in items_a if (q.doc_id, q.start, q.end, q.text) not in used),
        only_b=tuple(q for q in items_b if (q.doc_id, q.start, q.end, q.text) not in used),
        castings=_castings(a, b),
    )


@cache
def _env() -> Environment:
    from spinscope.report.assets import jinja_env

    return jinja_env("spinscope.report")


def render_comparison_html(comparison: Comparison) -> str:
    """A self-contained side-by-side HTML page for ``comparison``.

    The report's stylesheet is inlined and its Content-Security-Policy
    forbids every network load; the page has no script. Article text is
    escaped by Jinja's autoescape; drift is shown with ``<ins>``/``<del>``.
    """
    from spinscope.report.assets import asset as _asset
    from spinscope.report.assets import content_security_policy
    from spinscope.version import __version__

    if not isinstance(comparison, Comparison):
        raise TypeError(f"render_comparison_html() needs a Comparison, not {type(comparison).__name__}")
    c = comparison
    sides = {c.a.doc_id: "A", c.b.doc_id: "B"}
    return _env().get_template("compare.html.j2").render(
        c=c,
        sides=sides,
        csp=content_security_policy(),
        css=Markup(_asset("report.css")),  # the package's own stylesheet, not input
        version=__version__,
        page_title=f"spinscope comparison: {c.a.title} / {c.b.title}",
    )

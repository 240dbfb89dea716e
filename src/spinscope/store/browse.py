"""Reading the store page by page, for the web app: sorted, filtered, paginated lists and single rows.

:func:`spinscope.store.query.search` answers "the best N matches"; a web
page also needs an offset, a total and a choice of sort order, which live
here. As everywhere in the store, every value a user gives is a bound
parameter; the sort order is picked from a fixed table, never built from
input.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from spinscope.store.backend import StoreError
from spinscope.store.query import Filters, _terms
from spinscope.store.store import Store

__all__ = ["SORTS", "ArticlePage", "article_analysis", "list_articles", "outlets", "story_detail"]

#: Sort orders of :func:`list_articles`: name -> ORDER BY fragment (ties broken by id).
SORTS: dict[str, str] = {
    "newest": "ar.published_day DESC, ar.id DESC",
    "oldest": "ar.published_day ASC, ar.id ASC",
    "title": "lower(coalesce(ar.title, '')) ASC, ar.id ASC",
    "outlet": "lower(coalesce(ar.outlet, '')) ASC, ar.published_day DESC, ar.id ASC",
    "density": "(100.0 * ca.technique_labels / (CASE WHEN ar.word_count > 0 THEN ar.word_count ELSE 1 END)) DESC, ar.id ASC",
    "added": "ar.id DESC",
}

_COLUMNS = (
    "ar.id, ar.doc_id, ar.title, ar.outlet, ar.published, ar.url, ar.language, ar.word_count,"
    " ca.genre, ca.technique_labels, ca.dominant_narrative"
)
_KEYS = (
    "id", "doc_id", "title", "outlet", "published", "url", "language", "words", "genre", "technique_labels",
    "dominant_narrative",
)  # fmt: skip


@dataclass
class ArticlePage:
    """One page of articles, the total that match, and where the page starts."""

    total: int
    offset: int
    limit: int
    items: list[dict[str, Any]] = field(default_factory=list)


def list_articles(
    store: Store,
    query: str = "",
    filters: Filters | None = None,
    *,
    sort: str = "newest",
    offset: int = 0,
    limit: int = 20,
) -> ArticlePage:
    """Articles with a current analysis that match every word of ``query`` and ``filters``, one page of them.

    Words and "quoted phrases" match as in :func:`~spinscope.store.query.search`.
    ``sort`` is one of :data:`SORTS`; ``density`` is paragraph technique
    labels per 100 words. Raises E663 for an unknown sort.
    """
    if sort not in SORTS:
        raise StoreError("E663", sort, f"cannot sort by this (one of: {', '.join(SORTS)})")
    where, params = (filters or Filters()).sql()
    terms = _terms(query)
    b = store.backend
    base = "FROM articles ar JOIN current_analyses ca ON ca.article_id = ar.id"
    match_params: list[Any] = []
    if terms and b.dialect == "sqlite":
        base += " JOIN articles_fts ON articles_fts.rowid = ar.id"
        where = ["articles_fts MATCH ?", *where]
        match_params = [" ".join('"' + t.replace('"', '""') + '"' for t in terms)]
    elif terms:
        where = [" AND ".join("ar.search @@ phraseto_tsquery('simple', ?)" for _ in terms), *where]
        match_params = list(terms)
    cond = (" WHERE " + " AND ".join(where)) if where else ""
    all_params = [*match_params, *params]
    total = int(b.execute(f"SELECT count(*) {base}{cond}", all_params)[0][0])
    rows = b.execute(
        f"SELECT {_COLUMNS} {base}{cond} ORDER BY {SORTS[sort]} LIMIT ? OFFSET ?",
        [*all_params, max(0, limit), max(0, offset)],
    )
    page = ArticlePage(total=total, offset=max(0, offset), limit=max(0, limit))
    for row in rows:
        item = dict(zip(_KEYS, row, strict=True))
        words = int(item["words"] or 0)
        item["density"] = round(100.0 * int(item["technique_labels"] or 0) / words, 3) if words else 0.0
        page.items.append(item)
    return page


def article_analysis(store: Store, article_id: int) -> dict[str, Any] | None:
    """The newest stored analysis of article ``article_id`` (``Analysis.to_dict()``), or None."""
    rows = store.backend.execute("SELECT result FROM current_analyses WHERE article_id = ?", (article_id,))
    return json.loads(rows[0][0]) if rows else None


def outlets(store: Store) -> list[dict[str, Any]]:
    """Every outlet with its number of analysed articles and first and last published day."""
    rows = store.backend.execute(
        "SELECT ar.outlet, count(*), min(ar.published_day), max(ar.published_day) FROM articles ar"
        " JOIN current_analyses ca ON ca.article_id = ar.id WHERE ar.outlet IS NOT NULL"
        " GROUP BY ar.outlet ORDER BY count(*) DESC, ar.outlet"
    )
    return [{"outlet": o, "articles": int(n), "first": first, "last": last} for o, n, first, last in rows]


def story_detail(store: Store, story_id: str) -> dict[str, Any] | None:
    """One stored story: name, cohesion, key entities, quote drift and its articles (ids, titles, outlets)."""
    rows = store.backend.execute(
        "SELECT id, name, size, cohesion, key_entities, quote_drift FROM stories WHERE id = ?", (story_id,)
    )
    if not rows:
        return None
    sid, name, size, cohesion, entities, drift = rows[0]
    members = store.backend.execute(
        "SELECT ar.id, ar.doc_id, ar.title, ar.outlet, ar.published FROM story_articles sa"
        " JOIN articles ar ON ar.id = sa.article_id WHERE sa.story_id = ? ORDER BY ar.published_day, ar.id",
        (story_id,),
    )
    return {
        "id": str(sid), "name": name, "size": int(size), "cohesion": float(cohesion),
        "key_entities": json.loads(entities), "quote_drift": json.loads(drift),
        "articles": [
            {"id": int(i), "doc_id": d, "title": t, "outlet": o, "published": p} for i, d, t, o, p in members
        ],
    }  # fmt: skip

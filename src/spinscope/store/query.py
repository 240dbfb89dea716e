"""Reading the store: full-text search with filters, aggregates by outlet, time and story.

Every value a user gives (query words, outlet, dates, labels) travels as a
bound parameter. The only SQL that varies is chosen from fixed fragments
here (the grouping expression, the metric's join), never built from input.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal

from spinscope.store.backend import StoreError
from spinscope.store.store import Store, utc_now

__all__ = [
    "GROUPINGS",
    "METRICS",
    "Filters",
    "StatsResult",
    "compute_stories",
    "parse_day",
    "search",
    "stats",
    "stored_stories",
]

By = Literal["outlet", "month", "week", "story"]
Metric = Literal["techniques", "frames", "genre", "narratives", "roles"]
GROUPINGS: tuple[str, ...] = ("outlet", "month", "week", "story")
METRICS: tuple[str, ...] = ("techniques", "frames", "genre", "narratives", "roles")

_GROUP_SQL = {
    "outlet": "coalesce(ar.outlet, '(no outlet)')",
    "month": "coalesce(ar.published_month, '(no date)')",
    "week": "coalesce(ar.published_week, '(no date)')",
    "story": "sa.story_id",
}


def parse_day(value: str, *, end: bool = False) -> str:
    """``YYYY-MM-DD`` (or ``YYYY-MM``, ``YYYY``: the first or, with ``end``, the last day) as ISO text."""
    text = value.strip()
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", text)
    try:
        if not m:
            raise ValueError(text)
        year, month, day = int(m[1]), int(m[2] or (12 if end else 1)), m[3]
        if day is None:
            if not end:
                return date(year, month, 1).isoformat()
            nxt = date(year + (month == 12), month % 12 + 1, 1)
            return date.fromordinal(nxt.toordinal() - 1).isoformat()
        return date(year, month, int(day)).isoformat()
    except ValueError as exc:
        raise StoreError("E658", value, "not a date: use YYYY-MM-DD, YYYY-MM or YYYY") from exc


@dataclass(frozen=True)
class Filters:
    """Restrictions shared by ``search`` and ``stats``; ``None`` means no restriction."""

    outlet: str | None = None
    since: str | None = None  # ISO day, inclusive
    until: str | None = None  # ISO day, inclusive
    technique: str | None = None
    narrative: str | None = None
    entity: str | None = None

    def sql(self) -> tuple[list[str], list[Any]]:
        """``WHERE`` conditions over ``articles ar`` and their parameters."""
        where: list[str] = []
        params: list[Any] = []
        if self.outlet is not None:
            where.append("lower(ar.outlet) = lower(?)")
            params.append(self.outlet)
        if self.since is not None:
            where.append("ar.published_day >= ?")
            params.append(self.since)
        if self.until is not None:
            where.append("ar.published_day <= ?")
            params.append(self.until)
        if self.technique is not None:
            where.append(
                "EXISTS (SELECT 1 FROM current_analyses c JOIN paragraph_labels pl ON pl.analysis_id = c.id"
                " WHERE c.article_id = ar.id AND lower(pl.technique) = lower(?))"
            )
            params.append(self.technique)
        if self.narrative is not None:
            where.append(
                "EXISTS (SELECT 1 FROM current_analyses c JOIN narratives n ON n.analysis_id = c.id"
                " WHERE c.article_id = ar.id AND lower(n.label) = lower(?))"
            )
            params.append(self.narrative)
        if self.entity is not None:
            where.append(
                "EXISTS (SELECT 1 FROM current_analyses c JOIN entities e ON e.analysis_id = c.id"
                " WHERE c.article_id = ar.id AND lower(e.name) = lower(?))"
            )
            params.append(self.entity)
        return where, params


def _terms(query: str) -> list[str]:
    """Words and "quoted phrases" of a search query; every one must match."""
    terms = [m.group(1) if m.group(1) is not None else m.group(2) for m in re.finditer(r'"([^"]*)"|(\S+)', query)]
    # Only letters and digits are indexed: a term of punctuation alone matches nothing useful.
    return [t for t in (" ".join(re.findall(r"\w+", t)) for t in terms) if t]


def search(store: Store, query: str, filters: Filters | None = None, *, limit: int = 20) -> list[dict[str, Any]]:
    """Articles matching every word of ``query`` (best first) and ``filters``.

    Words and "quoted phrases" are matched whole and case-insensitively
    (SQLite FTS5 ``unicode61`` / PostgreSQL ``simple`` text search: no
    stemming, any language); an empty query lists the filtered articles,
    newest first.
    """
    filters = filters or Filters()
    where, params = filters.sql()
    terms = _terms(query)
    b = store.backend
    cols = "ar.id, ar.doc_id, ar.title, ar.outlet, ar.published, ar.url, ar.language"
    if not terms:
        sql = f"SELECT {cols}, NULL, NULL FROM articles ar"
        sql += (" WHERE " + " AND ".join(where)) if where else ""
        rows = b.execute(sql + " ORDER BY ar.published_day DESC, ar.id LIMIT ?", [*params, limit])
    elif b.dialect == "sqlite":
        match = " ".join('"' + t.replace('"', '""') + '"' for t in terms)
        sql = (
            f"SELECT {cols}, snippet(articles_fts, 1, '[', ']', ' ... ', 16), bm25(articles_fts)"
            " FROM articles_fts JOIN articles ar ON ar.id = articles_fts.rowid WHERE articles_fts MATCH ?"
        )
        sql += "".join(" AND " + w for w in where)
        rows = b.execute(sql + " ORDER BY bm25(articles_fts), ar.id LIMIT ?", [match, *params, limit])
    else:
        tsquery = " && ".join("phraseto_tsquery('simple', ?)" for _ in terms)
        inner = f"SELECT ar.id AS id, ts_rank(ar.search, q.q) AS rank FROM articles ar, (SELECT {tsquery} AS q) q WHERE ar.search @@ q.q"
        inner += "".join(" AND " + w for w in where)
        inner += " ORDER BY rank DESC, ar.id LIMIT ?"
        sql = (
            f"SELECT {cols}, ts_headline('simple', ar.text, ({tsquery}),"
            " 'StartSel=[, StopSel=], MaxWords=24, MinWords=10, MaxFragments=1, FragmentDelimiter=\" ... \"'),"
            f" -hits.rank FROM ({inner}) hits JOIN articles ar ON ar.id = hits.id ORDER BY hits.rank DESC, ar.id"
        )
        rows = b.execute(sql, [*terms, *terms, *params, limit])
    keys = ("article_id", "doc_id", "title", "outlet", "published", "url", "language", "snippet", "score")
    out = []
    for row in rows:
        item = dict(zip(keys, row, strict=True))
        if item["score"] is not None:
            item["score"] = round(-float(item["score"]), 6)  # larger is better on both databases
        if item["snippet"] is not None:
            item["snippet"] = " ".join(str(item["snippet"]).split())
        out.append(item)
    return out


# -- stories ---------------------------------------------------------------------------
def stories_stale(store: Store) -> bool:
    """Whether some analysed article is in no stored story (stories are computed on demand)."""
    row = store.backend.execute(
        "SELECT count(*) FROM current_analyses ca WHERE NOT EXISTS"
        " (SELECT 1 FROM story_articles sa WHERE sa.article_id = ca.article_id)"
    )
    return int(row[0][0]) > 0


def compute_stories(store: Store, *, threshold: float | None = None, window_days: float | None = None) -> int:
    """Group every stored article into stories (:func:`spinscope.stories.stories_report`) and store them.

    Replaces the ``stories`` and ``story_articles`` rows in one transaction;
    returns the number of stories. The clustering compares every article
    with every other, so it reads the whole corpus into memory.
    """
    from spinscope.stories import DEFAULT_THRESHOLD, DEFAULT_WINDOW_DAYS, document_from_dict, stories_report

    ids: list[int] = []
    results: list[dict[str, Any]] = []
    for chunk in store.backend.iterate("SELECT article_id, result FROM current_analyses ORDER BY article_id"):
        for article_id, text in chunk:
            ids.append(int(article_id))
            results.append(json.loads(text))
    docs = []
    used: set[str] = set()
    by_key: dict[str, int] = {}
    for article_id, result in zip(ids, results, strict=True):
        doc = document_from_dict(result)
        key = doc.id if doc.id not in used else f"{doc.id}~{article_id}"  # ids from different inputs may collide
        used.add(key)
        by_key[key] = article_id
        docs.append(replace(doc, id=key))
    stories = stories_report(
        docs, results, threshold=DEFAULT_THRESHOLD if threshold is None else threshold,
        window_days=DEFAULT_WINDOW_DAYS if window_days is None else (window_days or None),
    ) if docs else []  # fmt: skip
    now = utc_now()
    with store.backend.transaction():
        store.backend.execute("DELETE FROM story_articles")
        store.backend.execute("DELETE FROM stories")
        store.backend.executemany(
            "INSERT INTO stories (id, name, size, cohesion, key_entities, quote_drift, computed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    st["id"], st["name"], st["size"], st["cohesion"], json.dumps(st.get("key_entities") or [], ensure_ascii=False),
                    json.dumps(st.get("quote_drift") or [], ensure_ascii=False), now,
                )
                for st in stories
            ],
        )  # fmt: skip
        store.backend.executemany(
            "INSERT INTO story_articles (story_id, article_id) VALUES (?, ?)",
            [(st["id"], by_key[d]) for st in stories for d in st["doc_ids"] if d in by_key],
        )
    return len(stories)


def stored_stories(store: Store) -> list[dict[str, Any]]:
    """The stored stories as :func:`spinscope.stories.stories_report` dicts (computed first if stale).

    ``doc_ids`` are the articles' document ids, as in their analyses.
    """
    if stories_stale(store):
        compute_stories(store)
    members: dict[str, list[str]] = {}
    for sid, doc_id in store.backend.execute(
        "SELECT sa.story_id, ar.doc_id FROM story_articles sa JOIN articles ar ON ar.id = sa.article_id"
        " ORDER BY sa.story_id, ar.id"
    ):
        members.setdefault(str(sid), []).append(str(doc_id))
    out = []
    for sid, name, size, cohesion, entities, drift in store.backend.execute(
        "SELECT id, name, size, cohesion, key_entities, quote_drift FROM stories ORDER BY id"
    ):
        out.append(
            {
                "id": sid, "name": name, "doc_ids": members.get(str(sid), []), "size": int(size),
                "key_entities": json.loads(entities), "cohesion": float(cohesion), "quote_drift": json.loads(drift),
            }
        )  # fmt: skip
    return out


# -- stats ---------------------------------------------------------------------------------
@dataclass
class StatsResult:
    """Aggregates of one metric per group, with each group's sample size."""

    by: str
    metric: str
    unit: str  # what ``rate`` means
    groups: list[dict[str, Any]] = field(default_factory=list)  # group, articles, words
    rows: list[dict[str, Any]] = field(default_factory=list)  # group, label, (role,) count, articles, rate
    stories: list[dict[str, Any]] = field(default_factory=list)  # --by story: outlets and quote drift

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"by": self.by, "metric": self.metric, "unit": self.unit, "groups": self.groups, "rows": self.rows}
        if self.by == "story":
            data["stories"] = self.stories
        return data


_UNITS = {
    "techniques": "technique labels per 100 words",
    "frames": "share of the group's articles with the frame",
    "genre": "share of the group's articles in the genre",
    "narratives": "share of the group's articles with the narrative",
    "roles": "share of the articles naming the entity (with a role) that cast it in this role",
}


def stats(
    store: Store,
    by: str,
    metric: str = "techniques",
    filters: Filters | None = None,
    *,
    top: int = 20,
    recompute_stories: bool = False,
) -> StatsResult:
    """Counts and rates of ``metric`` per ``by`` group over each article's newest analysis.

    ``top`` keeps the most frequent labels per group. ``by="story"``
    computes the stories first when some article is in none (or when
    ``recompute_stories``), then groups by story and outlet, adding each
    story's outlets and quote drift.
    """
    if by not in GROUPINGS:
        raise StoreError("E663", by, f"cannot group by this (one of: {', '.join(GROUPINGS)})")
    if metric not in METRICS:
        raise StoreError("E663", metric, f"no such metric (one of: {', '.join(METRICS)})")
    if by == "story" and (recompute_stories or stories_stale(store)):
        compute_stories(store)
    where, params = (filters or Filters()).sql()
    group = _GROUP_SQL[by]
    if by == "story":
        group = "sa.story_id || ' | ' || coalesce(ar.outlet, '(no outlet)')"
    base = "FROM current_analyses ca JOIN articles ar ON ar.id = ca.article_id"
    if by == "story":
        base += " JOIN story_articles sa ON sa.article_id = ar.id"
    cond = (" WHERE " + " AND ".join(where)) if where else ""
    b = store.backend
    result = StatsResult(by, metric, _UNITS[metric])
    sizes: dict[str, tuple[int, int]] = {}
    for g, n, words in b.execute(f"SELECT {group} AS stat_group, count(*), sum(ar.word_count) {base}{cond} GROUP BY stat_group ORDER BY stat_group", params):
        sizes[str(g)] = (int(n), int(words or 0))
        result.groups.append({"group": str(g), "articles": int(n), "words": int(words or 0)})
    joins = {
        "techniques": ("pl.technique", "JOIN paragraph_labels pl ON pl.analysis_id = ca.id", "count(*)", ""),
        "frames": ("f.frame", "JOIN frames f ON f.analysis_id = ca.id", "count(*)", ""),
        "genre": ("ca.genre", "", "count(*)", "ca.genre IS NOT NULL"),
        "narratives": ("n.label", "JOIN narratives n ON n.analysis_id = ca.id", "count(*)", "n.level = 'narrative'"),
        "roles": ("e.name || ' | ' || e.main_role", "JOIN entities e ON e.analysis_id = ca.id", "count(*)", "e.main_role IS NOT NULL"),
    }
    label, join, count, extra = joins[metric]
    conds = [*where, extra] if extra else where
    sql = (
        f"SELECT {group} AS stat_group, {label} AS stat_label, {count}, count(DISTINCT ca.id) {base} {join}"
        + ((" WHERE " + " AND ".join(conds)) if conds else "")
        + " GROUP BY stat_group, stat_label"
    )
    raw = [(str(g), str(lab), int(c), int(a)) for g, lab, c, a in b.execute(sql, params)]
    if metric == "roles":
        per_entity: dict[tuple[str, str], int] = {}
        for g, lab, _c, a in raw:
            name = lab.rsplit(" | ", 1)[0]
            per_entity[(g, name)] = per_entity.get((g, name), 0) + a
    rows: list[dict[str, Any]] = []
    for g, lab, c, a in raw:
        n, words = sizes.get(g, (0, 0))
        row: dict[str, Any] = {"group": g, "label": lab, "count": c, "articles": a, "group_articles": n}
        if metric == "techniques":
            row["rate"] = round(100.0 * c / words, 4) if words else 0.0
        elif metric == "roles":
            name, role = lab.rsplit(" | ", 1)
            row.update(label=name, role=role, rate=round(a / per_entity[(g, name)], 4))
        else:
            row["rate"] = round(a / n, 4) if n else 0.0
        rows.append(row)
    rows.sort(key=lambda r: (r["group"], -r["count"], r["label"], r.get("role", "")))
    kept: dict[str, int] = {}
    for row in rows:
        kept[row["group"]] = kept.get(row["group"], 0) + 1
        if kept[row["group"]] <= top:
            result.rows.append(row)
    if by == "story":
        result.stories = _story_details(store, result)
    return result


def _story_details(store: Store, result: StatsResult) -> list[dict[str, Any]]:
    """Each story of two articles or more: its outlets with their labels side by side, and its quote drift."""
    details = []
    for sid, name, size, cohesion, drift in store.backend.execute(
        "SELECT id, name, size, cohesion, quote_drift FROM stories WHERE size > 1 ORDER BY id"
    ):
        prefix = f"{sid} | "
        outlets = []
        for g in result.groups:
            if g["group"].startswith(prefix):
                labels = {r["label"] + (f" ({r['role']})" if "role" in r else ""): {"count": r["count"], "rate": r["rate"]} for r in result.rows if r["group"] == g["group"]}
                outlets.append({"outlet": g["group"][len(prefix):], "articles": g["articles"], "words": g["words"], "labels": labels})
        details.append({"id": sid, "name": name, "size": int(size), "cohesion": float(cohesion), "outlets": outlets, "quote_drift": json.loads(drift)})
    return details


def format_rows(result: StatsResult) -> Sequence[Mapping[str, Any]]:
    """The flat rows of a result, as ``--format csv`` writes them."""
    return result.rows

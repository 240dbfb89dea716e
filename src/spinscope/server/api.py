"""The REST API under ``/api/v1`` (and ``/health``): analyse, submit batches, read the corpus.

Reads are plain functions (FastAPI runs them in its thread pool; each
opens the store in its own thread). Anything that runs a model --
analysing, grouping stories, comparing -- goes through the worker's
bounded :class:`~spinscope.server.limits.WorkQueue`, so an overload is
answered 503 with ``Retry-After`` instead of piling up.
"""

from __future__ import annotations

import functools
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from spinscope.server.errors import ServerError
from spinscope.server.jobs import check_batch, job_status, stored_job, submit_job
from spinscope.server.models import (
    AnalyzeRequest,
    AnalyzeResponse,
    ArticleList,
    BatchRequest,
    ErrorOut,
    Health,
    JobOut,
    StoredArticleOut,
)
from spinscope.server.service import AnalysisService, stored_analysis
from spinscope.store.browse import SORTS, list_articles, story_detail
from spinscope.store.query import GROUPINGS, METRICS, Filters, parse_day

__all__ = ["filters_from", "router", "write_access"]

router = APIRouter()

#: The error answers every endpoint may give, for the OpenAPI document.
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": what}
    for status, what in {
        400: "malformed JSON (E750)", 401: "no valid API token with --require-token (E783)",
        404: "no such thing (E753)", 413: "body over the cap (E780) or batch too large (E756)",
        415: "not application/json (E752)", 422: "invalid fields (E751) or unreadable article (reader's code)",
        429: "rate limit (E781)", 503: "analysis queue full (E782)",
    }.items()
}  # fmt: skip


def json_body(request: Request) -> None:
    """Refuse a body that is not ``application/json`` (E752, 415) before parsing it."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        raise ServerError("E752", "content-type", f"send the body as application/json, not {media or 'nothing'!r}")


async def write_access(request: Request) -> None:
    """With ``--require-token``, a write needs ``Authorization: Bearer <token>`` (E783, 401)."""
    check = getattr(request.app.state, "token_check", None)
    if request.app.state.settings.require_token:
        if check is None:
            from spinscope.server.tokens import require_token

            check = request.app.state.token_check = require_token(request.app.state.settings.db)
        await check(request)


def _service(request: Request) -> AnalysisService:
    service: AnalysisService = request.app.state.service
    return service


def filters_from(
    outlet: str | None = None,
    since: str | None = None,
    until: str | None = None,
    technique: str | None = None,
    narrative: str | None = None,
    entity: str | None = None,
) -> Filters:
    """Store filters from query parameters; an empty value means no restriction (E658 for a bad date)."""
    return Filters(
        outlet=outlet or None,
        since=parse_day(since) if since else None,
        until=parse_day(until, end=True) if until else None,
        technique=technique or None,
        narrative=narrative or None,
        entity=entity or None,
    )


# -- health ------------------------------------------------------------------------------
@router.get("/health", response_model=Health, tags=["server"])
def health(request: Request) -> dict[str, Any]:
    """The pipeline's versions and model hashes, and whether the models are loaded yet."""
    service = _service(request)
    with service.store() as store:
        store_version = store.schema_version
    meta = service.health_meta
    return {
        "status": "ok",
        "spinscope_version": str(meta.get("spinscope_version", "")),
        "schema_version": str(meta.get("schema_version", "")),
        "store_schema_version": store_version,
        "models_loaded": service.models_loaded,
        "require_token": request.app.state.settings.require_token,
        "pipeline": meta,
    }


# -- analysing ---------------------------------------------------------------------------
@router.post(
    "/api/v1/analyze", response_model=AnalyzeResponse, responses=ERRORS, tags=["analyse"],
    dependencies=[Depends(json_body), Depends(write_access)],
)  # fmt: skip
async def analyze(body: AnalyzeRequest, request: Request) -> dict[str, Any]:
    """Analyse one article (``text`` or ``url``) and store it, unless ``store`` is false.

    The answer is the analysis JSON (as ``spinscope analyze --format json``)
    under ``analysis``, with the stored article's ``id``.
    """
    service = _service(request)
    item = body.model_dump(exclude={"store"}, exclude_none=True)
    outcome = await request.app.state.queue.run(functools.partial(service.analyze_one, item, store_it=body.store))
    return {"id": outcome.article_id, "stored": outcome.stored, "already": outcome.already, "analysis": outcome.analysis}


@router.post(
    "/api/v1/articles", response_model=JobOut, status_code=202, responses=ERRORS, tags=["analyse"],
    dependencies=[Depends(json_body), Depends(write_access)],
)  # fmt: skip
def submit(body: BatchRequest, request: Request) -> JSONResponse:
    """Submit a batch: it is stored as a job and analysed in the background; poll ``GET /api/v1/jobs/{id}``."""
    settings = request.app.state.settings
    check_batch(body.articles, settings.max_batch)
    service = _service(request)
    with service.store() as store:
        job_id = submit_job(store, [a.model_dump(exclude_none=True) for a in body.articles])
        job = job_status(store, job_id)
    request.app.state.runner.wake()
    return JSONResponse(JobOut.model_validate(job).model_dump(), status_code=202,
                        headers={"Location": f"/api/v1/jobs/{job_id}"})  # fmt: skip


@router.get("/api/v1/jobs/{job_id}", response_model=JobOut, responses=ERRORS, tags=["analyse"])
def get_job(job_id: str, request: Request) -> dict[str, Any]:
    """A job's progress: counts, and the outcome (article id or error) of each article done so far."""
    with _service(request).store() as store:
        return stored_job(store, job_id)


# -- reading -----------------------------------------------------------------------------
@router.get("/api/v1/articles", response_model=ArticleList, responses=ERRORS, tags=["corpus"])
def get_articles(
    request: Request,
    filters: Annotated[Filters, Depends(filters_from)],
    q: Annotated[str, Query(max_length=500, description="Words and \"quoted phrases\", all must match.")] = "",
    sort: Annotated[str, Query(description=f"One of: {', '.join(SORTS)}.")] = "newest",
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """The stored articles: full-text search, filters (outlet, dates, technique, narrative, entity), sort, pages."""
    with _service(request).store() as store:
        page = list_articles(store, q, filters, sort=sort, offset=offset, limit=limit)
    end = page.offset + len(page.items)
    return {
        "total": page.total, "offset": page.offset, "limit": page.limit,
        "next_offset": end if end < page.total else None, "items": page.items,
    }  # fmt: skip


@router.get("/api/v1/articles/{article_id}", response_model=StoredArticleOut, responses=ERRORS, tags=["corpus"])
def get_article(article_id: int, request: Request) -> dict[str, Any]:
    """One stored article's newest analysis."""
    with _service(request).store() as store:
        return {"id": article_id, "analysis": stored_analysis(store, article_id)}


@router.get("/api/v1/stats", responses=ERRORS, tags=["corpus"])
async def get_stats(
    request: Request,
    filters: Annotated[Filters, Depends(filters_from)],
    by: Annotated[str, Query(description=f"One of: {', '.join(GROUPINGS)}.")] = "outlet",
    metric: Annotated[str, Query(description=f"One of: {', '.join(METRICS)}.")] = "techniques",
    top: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """Counts and rates of a metric per outlet, month, week or story (``spinscope stats --format json``)."""
    from spinscope.store.query import stats

    service = _service(request)

    def work() -> dict[str, Any]:
        with service.store() as store:
            return stats(store, by, metric, filters, top=top).to_dict()

    if by == "story":  # may group the corpus into stories first: model work, so it queues
        result: dict[str, Any] = await request.app.state.queue.run(work)
        return result
    import anyio.to_thread

    return await anyio.to_thread.run_sync(work)


def _stories_current(service: AnalysisService) -> None:
    """Group the corpus into stories again when some stored article is in none."""
    from spinscope.store.query import compute_stories, stories_stale

    with service.store() as store:
        if stories_stale(store):
            compute_stories(store)


async def ensure_stories(request: Request) -> None:
    """Stories are computed on demand (a model pass over the corpus), through the work queue."""
    from spinscope.store.query import stories_stale

    service = _service(request)
    import anyio.to_thread

    def stale() -> bool:
        with service.store() as store:
            return stories_stale(store)

    if await anyio.to_thread.run_sync(stale):
        await request.app.state.queue.run(_stories_current, service)


@router.get("/api/v1/stories", responses=ERRORS, tags=["corpus"])
async def get_stories(request: Request) -> list[dict[str, Any]]:
    """Every story: the stored articles grouped by the event they report, with quote drift."""
    from spinscope.store.query import stored_stories

    await ensure_stories(request)
    service = _service(request)
    import anyio.to_thread

    def work() -> list[dict[str, Any]]:
        with service.store() as store:
            return stored_stories(store)

    return await anyio.to_thread.run_sync(work)


@router.get("/api/v1/stories/{story_id}", responses=ERRORS, tags=["corpus"])
async def get_story(story_id: str, request: Request) -> dict[str, Any]:
    """One story: its articles (ids, titles, outlets), key entities and quote drift."""
    await ensure_stories(request)
    service = _service(request)
    import anyio.to_thread

    def work() -> dict[str, Any] | None:
        with service.store() as store:
            return story_detail(store, story_id)

    story = await anyio.to_thread.run_sync(work)
    if story is None:
        raise ServerError("E753", f"story {story_id[:40]}", "no such story")
    return story


def load_pair(service: AnalysisService, a: int, b: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The stored analyses of articles ``a`` and ``b`` (E753 when one is missing)."""
    with service.store() as store:
        return stored_analysis(store, a), stored_analysis(store, b)


@router.get("/api/v1/compare", responses=ERRORS, tags=["corpus"])
async def get_compare(
    request: Request, a: Annotated[int, Query(description="An article id.")], b: Annotated[int, Query(description="Another.")]
) -> dict[str, Any]:
    """Two stored articles side by side: labels, densities, shared quotes and how they drift."""
    from spinscope.report.compare import compare

    service = _service(request)

    def work() -> dict[str, Any]:
        first, second = load_pair(service, a, b)
        return compare(first, second).to_dict()

    result: dict[str, Any] = await request.app.state.queue.run(work)
    return result

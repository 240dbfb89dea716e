"""The web app's pages: server-rendered Jinja over the report's own templates, usable without JavaScript.

Every page extends the report's ``report.html.j2`` and an article page
includes the report's ``_article.html.j2`` (same markup, same highlights,
same pop-up script), so the app and the files ``spinscope report`` writes
cannot drift apart. The only script is the report's, pinned by its hash in
the Content-Security-Policy (``default-src 'none'``), sent both as a
header and in the page. Forms post to this origin only and carry a signed
CSRF token (:mod:`spinscope.server.csrf`). Article text and metadata are
untrusted: Jinja autoescapes every value and no template uses ``|safe``.
"""

from __future__ import annotations

import functools
import tempfile
import threading
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment
from markupsafe import Markup
from starlette.datastructures import UploadFile

from spinscope.errors import InputError, SpinscopeError
from spinscope.ingest import build_document
from spinscope.report import view
from spinscope.report.assets import asset, content_security_policy, jinja_env, report_script
from spinscope.report.html import article_page, highlight_markup
from spinscope.server.errors import ServerError
from spinscope.server.jobs import check_batch, stored_job, submit_job
from spinscope.server.service import AnalysisService, stored_analysis
from spinscope.store.browse import SORTS, article_analysis, list_articles, outlets, story_detail
from spinscope.store.query import GROUPINGS, METRICS, Filters, parse_day
from spinscope.version import __version__

__all__ = ["error_page", "router"]

router = APIRouter(include_in_schema=False)

#: File types the upload field takes (as ``spinscope read`` would read them).
UPLOAD_SUFFIXES = (".txt", ".text", ".html", ".htm", ".jsonl", ".ndjson")
_CHART_LOCK = threading.Lock()
# Not the report's no-referrer: under it browsers send "Origin: null" with a form post, which the CSRF
# origin check must refuse. same-origin still sends nothing to any other site.
_REFERRER = "same-origin"  # matplotlib's pyplot is not thread-safe


@cache
def _server_css() -> str:
    return resources.files("spinscope.server").joinpath("templates", "server.css").read_text(encoding="utf-8")


@cache
def _env() -> Environment:
    env = jinja_env("spinscope.server", "spinscope.report")
    env.filters["highlight"] = highlight_markup
    # One path segment: unlike Jinja's urlencode, "/" is escaped too (an outlet may contain one).
    env.filters["segment"] = lambda value: quote(str(value), safe="")
    env.filters["label_name"] = _label_name
    return env


@cache
def _display_names() -> dict[str, str]:
    """Taxonomy label -> display name (techniques, frames, genres), for the statistics tables."""
    from spinscope.taxonomy import load

    return {t.label: t.name for name in ("techniques", "frames", "genres") for t in load(name)}


def _label_name(label: object) -> str:
    text = str(label)
    return _display_names().get(text, text)


def _csp() -> str:
    # The report's policy, with forms allowed to post back here, and no framing by other sites.
    return content_security_policy(form_action="'self'")


def _csrf(request: Request) -> Any:
    csrf = getattr(request.app.state, "csrf", None)
    if csrf is None:
        from spinscope.server.csrf import Csrf, server_secret

        csrf = request.app.state.csrf = Csrf(server_secret())
    return csrf


def render(request: Request, template: str, *, status: int = 200, headers: Mapping[str, str] | None = None,
           **context: Any) -> HTMLResponse:  # fmt: skip
    """A page: the template with the layout's context, the CSP header and a CSRF cookie for its forms."""
    from spinscope.server.csrf import COOKIE

    csrf = _csrf(request)
    token = csrf.issue(request.cookies.get(COOKIE))
    html = _env().get_template(template).render(
        csp=_csp(), version=__version__, css=Markup(asset("report.css") + _server_css()),  # noqa: S704 - our files
        script=Markup(report_script()), csrf_token=token, path=request.url.path,  # noqa: S704 - our own script
        require_token=request.app.state.settings.require_token, referrer_policy=_REFERRER,
        show_howto=template == "article.html.j2", **context,
    )  # fmt: skip
    response = HTMLResponse(html, status_code=status, headers=dict(headers or {}))
    response.headers["Content-Security-Policy"] = _csp() + "; frame-ancestors 'none'"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = _REFERRER
    if token != request.cookies.get(COOKIE):
        response.headers.append("Set-Cookie", csrf.set_cookie(token, secure=request.url.scheme == "https"))
    return response


def error_page(request: Request, status: int, code: str, message: str, headers: Mapping[str, str] | None) -> Response:
    """The HTML answer for an error on a page (the API answers JSON instead)."""
    return render(request, "error.html.j2", status=status, headers=headers, page_title=f"spinscope: error {code}",
                  code=code, message=message)  # fmt: skip


def _service(request: Request) -> AnalysisService:
    service: AnalysisService = request.app.state.service
    return service


def _page_url(path: str, params: Mapping[str, Any], **changes: Any) -> str:
    """``path`` with ``params`` (empty ones dropped) and ``changes`` as its query string."""
    merged = {k: v for k, v in {**params, **changes}.items() if v not in (None, "")}
    return path + ("?" + urlencode(merged) if merged else "")


@router.get("/favicon.ico")
def favicon() -> Response:
    """No icon (browsers ask for one on every first visit): an empty answer instead of an error page."""
    return Response(status_code=204)


# -- paste page ----------------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    """Paste text or a URL, or upload a file; the newest stored articles below."""
    with _service(request).store() as store:
        recent = list_articles(store, sort="added", limit=8).items
    return render(request, "home.html.j2", page_title="spinscope: analyse an article", recent=recent, form={},
                  error=None)  # fmt: skip


def _form_str(form: Any, name: str, limit: int = 10_000_000) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


@router.post("/", response_class=HTMLResponse)
async def home_post(request: Request) -> Response:
    """Analyse what the form holds; one article opens its page, a file of several starts a job."""
    settings = request.app.state.settings
    form = await request.form(max_files=1, max_fields=20, max_part_size=settings.max_body_bytes)
    try:
        return await _handle_form(request, form)
    finally:
        await form.close()  # an uploaded file is spooled to a temporary file: closed here, whatever happened


async def _handle_form(request: Request, form: Any) -> Response:
    from spinscope.server.csrf import COOKIE, FIELD

    settings = request.app.state.settings
    _csrf(request).check(
        request.cookies.get(COOKIE), _form_str(form, FIELD), origin=request.headers.get("origin"),
        expected_origin=f"{request.url.scheme}://{request.url.netloc}",
    )  # fmt: skip
    values = {k: _form_str(form, k, 2000) for k in ("url", "title", "outlet", "published")}
    values["text"] = _form_str(form, "text")
    service = _service(request)
    try:
        if settings.require_token:
            await _check_form_token(request, _form_str(form, "token", 500))
        upload = form.get("file")
        if isinstance(upload, UploadFile) and upload.filename:
            return await _upload(request, upload, values)
        item = {k: v for k, v in values.items() if v}
        if bool(item.get("text")) == bool(item.get("url")):
            raise ServerError("E751", "form", "paste the article's text, or give its URL, or choose a file (one of them)")
        outcome = await request.app.state.queue.run(functools.partial(service.analyze_one, item, store_it=True))
    except SpinscopeError as exc:
        status = getattr(exc, "status", 422 if isinstance(exc, InputError) else 500)
        if status in {429, 503}:
            raise
        return render(request, "home.html.j2", status=status, page_title="spinscope: analyse an article",
                      recent=[], form=values, error=exc.one_line)  # fmt: skip
    return RedirectResponse(f"/articles/{outcome.article_id}", status_code=303)


async def _check_form_token(request: Request, token: str) -> None:
    from spinscope.server.tokens import bearer_token, verify_token

    service = _service(request)

    def ok() -> bool:
        with service.store() as store:
            return verify_token(store, bearer_token(f"Bearer {token}" if token else None))

    from spinscope.server.limits import RequestRefused

    if not await anyio.to_thread.run_sync(ok):
        raise RequestRefused("E783", "authorization", "the API token is unknown or revoked", status=401)


async def _upload(request: Request, upload: UploadFile, values: Mapping[str, str]) -> Response:
    """An uploaded .txt/.html/.jsonl file: one article is analysed now, several become a job."""
    from spinscope.ingest.readers import _articles_from_bytes

    settings = request.app.state.settings
    filename = Path(upload.filename or "upload").name
    if not filename.lower().endswith(UPLOAD_SUFFIXES):
        raise InputError("E104", filename, f"not an article file type (one of: {', '.join(UPLOAD_SUFFIXES)})")
    data = await upload.read(settings.max_body_bytes + 1)
    if len(data) > settings.max_body_bytes:
        raise InputError("E103", filename, f"larger than {settings.max_body_bytes} bytes")
    service = _service(request)
    name = f"upload:{filename}"
    raws = []
    for raw in _articles_from_bytes(data, name, "auto"):
        if isinstance(raw, InputError):
            raise raw
        for key, field in (("title", "title"), ("outlet", "source"), ("published", "published")):
            if values.get(key):
                setattr(raw, field, values[key])
        raws.append(raw)
    if not raws:
        raise InputError("E106", filename, "the file holds no article")
    if len(raws) == 1:
        doc = build_document(raws[0], service.read_options)
        outcome = await request.app.state.queue.run(
            functools.partial(service.analyze_document, doc, None, store_it=True)
        )
        return RedirectResponse(f"/articles/{outcome.article_id}", status_code=303)
    check_batch(raws, settings.max_batch)
    items = [
        {k: v for k, v in {"text": r.text, "title": r.title, "outlet": r.source, "published": r.published}.items() if v}
        for r in raws
    ]

    def submit() -> str:
        with service.store() as store:
            return submit_job(store, items, kind="upload")

    job_id = await anyio.to_thread.run_sync(submit)
    request.app.state.runner.wake()
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


# -- one article ----------------------------------------------------------------------------
@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article(article_id: int, request: Request) -> HTMLResponse:
    """The report page of one stored article, with links into the corpus around it."""
    with _service(request).store() as store:
        analysis = stored_analysis(store, article_id)
        stories = store.backend.execute(
            "SELECT s.id, s.name, s.size FROM story_articles sa JOIN stories s ON s.id = sa.story_id"
            " WHERE sa.article_id = ? ORDER BY s.id",
            (article_id,),
        )
    page = article_page(analysis, 0)
    outlet = (analysis.get("document") or {}).get("source")
    return render(request, "article.html.j2", page_title=f"spinscope: {page.title}", a=page, article_id=article_id,
                  outlet=outlet if isinstance(outlet, str) and outlet else None,
                  outlet_href=f"/outlets/{quote(outlet, safe='')}" if isinstance(outlet, str) and outlet else None,
                  stories=[(str(i), str(n), int(s)) for i, n, s in stories])  # fmt: skip


# -- the corpus -------------------------------------------------------------------------------
_FILTER_KEYS = ("q", "outlet", "since", "until", "technique", "narrative", "entity")


def _filters(params: Mapping[str, str]) -> Filters:
    return Filters(
        outlet=params.get("outlet") or None,
        since=parse_day(params["since"]) if params.get("since") else None,
        until=parse_day(params["until"], end=True) if params.get("until") else None,
        technique=params.get("technique") or None,
        narrative=params.get("narrative") or None,
        entity=params.get("entity") or None,
    )


@cache
def _technique_options() -> list[tuple[str, str]]:
    from spinscope.taxonomy import load

    return sorted(((t.label, t.name) for t in load("techniques")), key=lambda x: x[1])


@router.get("/articles", response_class=HTMLResponse)
def corpus(request: Request) -> HTMLResponse:
    """Search, filter, sort and page through the stored articles (a GET form: works without JavaScript)."""
    raw = request.query_params
    params = {k: raw.get(k, "").strip()[:500] for k in _FILTER_KEYS}
    sort = raw.get("sort", "newest")
    if sort not in SORTS:
        sort = "newest"
    try:
        page_no = max(1, int(raw.get("page", "1")))
    except ValueError:
        page_no = 1
    size = request.app.state.settings.page_size
    with _service(request).store() as store:
        result = list_articles(store, params["q"], _filters(params), sort=sort, offset=(page_no - 1) * size, limit=size)
        outlet_names = [o["outlet"] for o in outlets(store)]
    pages = max(1, -(-result.total // size))
    keep = {**params, "sort": sort}
    return render(
        request, "corpus.html.j2", page_title="spinscope: the corpus", rows=result.items, total=result.total,
        params=params, sort=sort, sorts=list(SORTS), page_no=page_no, pages=pages, outlets=outlet_names,
        techniques=_technique_options(),
        prev_href=_page_url("/articles", keep, page=page_no - 1) if page_no > 1 else None,
        next_href=_page_url("/articles", keep, page=page_no + 1) if page_no < pages else None,
        sort_href={s: _page_url("/articles", params, sort=s) for s in SORTS},
    )  # fmt: skip


def _chart(result: Any, label: str, prefix: str) -> Markup | None:
    """The stats chart (matplotlib, offline) as sanitised inline SVG; None when there is nothing to draw."""
    if not result.rows:
        return None
    from spinscope.report.chart import sanitise_svg
    from spinscope.store.plot import plot_stats

    with _CHART_LOCK, tempfile.TemporaryDirectory() as tmp:
        out = plot_stats(result, Path(tmp) / "chart.svg")
        svg = out.read_text(encoding="utf-8")
    return sanitise_svg(svg, prefix=prefix, label=label)


@router.get("/outlets/{name:path}", response_class=HTMLResponse)  # an outlet may hold a "/"
def outlet_page(name: str, request: Request) -> HTMLResponse:
    """One outlet's profile: its techniques over time, its genres and narratives, its newest articles."""
    from spinscope.store.query import stats

    with _service(request).store() as store:
        only = Filters(outlet=name)
        recent = list_articles(store, "", only, sort="newest", limit=10)
        if recent.total == 0:
            raise ServerError("E753", f"outlet {name[:80]}", "no stored article from this outlet")
        over_time = stats(store, "month", "techniques", only, top=8)
        techniques = stats(store, "outlet", "techniques", only, top=15)
        genres = stats(store, "outlet", "genre", only, top=5)
        narratives = stats(store, "outlet", "narratives", only, top=10)
    return render(
        request, "outlet.html.j2", page_title=f"spinscope: {name}", name=name, recent=recent.items,
        total=recent.total, chart=_chart(over_time, f"Technique rates of {name} by month", "ot-"),
        techniques=techniques, genres=genres, narratives=narratives, over_time=over_time,
        corpus_href=_page_url("/articles", {"outlet": name}),
    )  # fmt: skip


@router.get("/stats", response_class=HTMLResponse)
def stats_page(request: Request) -> HTMLResponse:
    """Aggregates of the corpus by outlet, month or week, as a chart and a table (``spinscope stats``)."""
    from spinscope.store.query import stats

    raw = request.query_params
    by = raw.get("by", "outlet")
    metric = raw.get("metric", "techniques")
    by = by if by in GROUPINGS and by != "story" else "outlet"  # story groups live on /stories
    metric = metric if metric in METRICS else "techniques"
    params = {k: raw.get(k, "").strip()[:200] for k in ("outlet", "since", "until")}
    with _service(request).store() as store:
        result = stats(store, by, metric, _filters(params), top=10)
    return render(
        request, "stats.html.j2", page_title="spinscope: statistics", result=result, by=by, metric=metric,
        params=params, groupings=[g for g in GROUPINGS if g != "story"], metrics=list(METRICS),
        chart=_chart(result, f"{metric} by {by}", "st-"),
    )  # fmt: skip


# -- stories ------------------------------------------------------------------------------------
def _stories_current(service: AnalysisService) -> list[dict[str, Any]]:
    from spinscope.store.query import stored_stories

    with service.store() as store:
        return stored_stories(store)


@router.get("/stories", response_class=HTMLResponse)
async def stories_page(request: Request) -> HTMLResponse:
    """Every story of the corpus: the articles that report the same event."""
    service = _service(request)
    stories = await request.app.state.queue.run(_stories_current, service)
    return render(request, "stories.html.j2", page_title="spinscope: stories",
                  stories=sorted(stories, key=lambda s: (-int(s["size"]), str(s["id"]))))  # fmt: skip


def _side(article_id: int, analysis: Mapping[str, Any]) -> dict[str, Any]:
    summary = view.summarise(analysis)
    doc = analysis.get("document") or {}
    return {
        "id": article_id, "title": str(doc.get("title") or doc.get("id") or "Untitled article"),
        "outlet": doc.get("source") if isinstance(doc.get("source"), str) else None,
        "published": doc.get("published") if isinstance(doc.get("published"), str) else None,
        "genre": summary.genre, "density": summary.density, "words": summary.words,
        "techniques": [(name, cat, n) for _label, name, cat, n in summary.by_technique[:8]],
        "frames": [name for name, _score, _d in summary.frames[:3]],
    }  # fmt: skip


@router.get("/stories/{story_id}", response_class=HTMLResponse)
async def story_page(story_id: str, request: Request) -> HTMLResponse:
    """The outlets on one story side by side, with how their quotes of the same people drift."""
    service = _service(request)
    await request.app.state.queue.run(_stories_current, service)

    def load() -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        with service.store() as store:
            story = story_detail(store, story_id)
            if story is None:
                return None, []
            sides = []
            for member in story["articles"][:6]:
                analysis = article_analysis(store, member["id"])
                if analysis is not None:
                    sides.append(_side(member["id"], analysis))
            return story, sides

    story, sides = await anyio.to_thread.run_sync(load)
    if story is None:
        raise ServerError("E753", f"story {story_id[:40]}", "no such story")
    ids = [m["id"] for m in story["articles"]]
    return render(
        request, "story.html.j2", page_title=f"spinscope: story {story['name']}", story=story, sides=sides,
        drift=view.drift_lines(story), compare_href=f"/compare?a={ids[0]}&b={ids[1]}" if len(ids) > 1 else None,
    )  # fmt: skip


@router.get("/compare", response_class=HTMLResponse)
async def compare_page(request: Request) -> Response:
    """Two stored articles side by side (the page ``spinscope compare`` writes)."""
    from spinscope.report.compare import compare, render_comparison_html
    from spinscope.server.api import load_pair

    try:
        a, b = int(request.query_params.get("a", "")), int(request.query_params.get("b", ""))
    except ValueError:
        raise ServerError("E751", "compare", "give two article ids: /compare?a=1&b=2") from None
    service = _service(request)

    def work() -> str:
        first, second = load_pair(service, a, b)
        return render_comparison_html(compare(first, second))

    html = await request.app.state.queue.run(work)
    return HTMLResponse(html, headers={"Content-Security-Policy": content_security_policy() + "; frame-ancestors 'none'"})


# -- jobs and docs ------------------------------------------------------------------------------
@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(job_id: str, request: Request) -> HTMLResponse:
    """A background job's progress; the page reloads itself (a meta refresh, no script) until it ends."""
    with _service(request).store() as store:
        job = stored_job(store, job_id)
    return render(request, "job.html.j2", page_title=f"spinscope: job {job_id}", job=job,
                  refresh=job["status"] in {"queued", "running"})  # fmt: skip


@router.get("/docs", response_class=HTMLResponse)
def docs(request: Request) -> HTMLResponse:
    """The API reference, rendered here from ``/openapi.json`` (no Swagger UI from a CDN)."""
    schema = request.app.openapi()
    operations = []
    for path, methods in schema.get("paths", {}).items():
        for method, op in methods.items():
            body = (((op.get("requestBody") or {}).get("content") or {}).get("application/json") or {}).get("schema") or {}
            ok: dict[str, Any] = next((r for s, r in (op.get("responses") or {}).items() if str(s).startswith("2")), {})
            ok_schema = ((ok.get("content") or {}).get("application/json") or {}).get("schema") or {}
            operations.append({
                "method": method.upper(), "path": path, "summary": op.get("summary", ""),
                "description": op.get("description", ""), "tag": (op.get("tags") or ["other"])[0],
                "parameters": [
                    (p.get("name"), p.get("in"), p.get("required", False), (p.get("schema") or {}).get("type", ""),
                     p.get("description", "") or (p.get("schema") or {}).get("description", ""))
                    for p in op.get("parameters") or ()
                ],
                "body": str(body.get("$ref", "")).rsplit("/", 1)[-1], "answer": str(ok_schema.get("$ref", "")).rsplit("/", 1)[-1],
                "errors": sorted(str(s) for s in (op.get("responses") or {}) if not str(s).startswith("2")),
            })  # fmt: skip
    models = []
    for name, model in sorted((schema.get("components") or {}).get("schemas", {}).items()):
        fields = [(f, (spec.get("type") or ("object" if "$ref" in spec or "anyOf" in spec else "")), f in model.get("required", []),
                   spec.get("description", "")) for f, spec in (model.get("properties") or {}).items()]  # fmt: skip
        models.append({"name": name, "description": model.get("description", ""), "fields": fields})
    return render(request, "docs.html.j2", page_title="spinscope API", operations=operations, models=models,
                  api_version=schema.get("info", {}).get("version", ""))  # fmt: skip

"""The HTML report: one self-contained page per call, from Analysis dicts.

Safety rules, in order of importance:

1. Jinja autoescape is on and no template uses ``|safe``. The only
   :class:`~markupsafe.Markup` values are the package's own CSS and script,
   the highlight markup built here from escaped pieces (``Markup.format``
   escapes every argument), and the chart SVG, rebuilt from an allow-list.
2. Links are made only from absolute http(s) URLs; anything else (a
   ``javascript:`` URL included) is shown as text.
3. A Content-Security-Policy meta tag forbids every network load and allows
   only the report's own script, by hash, as defence in depth.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import Markup, escape

from spinscope.report import view
from spinscope.report.assets import asset as _asset
from spinscope.report.assets import content_security_policy, jinja_env, report_script
from spinscope.report.chart import technique_chart

__all__ = [
    "ArticlePage",
    "article_page",
    "content_security_policy",
    "highlight_markup",
    "render_index",
    "render_report",
    "report_script",
    "write_report",
]

AnalysisDict = Mapping[str, Any]


@dataclass(frozen=True)
class ArticlePage:
    """Everything the article template shows, already derived and typed."""

    anchor: str
    title: str
    byline: list[tuple[str, str]]
    url: str | None
    url_text: str | None
    warnings: list[str]
    genre_rows: list[tuple[str, float, bool]]
    frame_scores: list[tuple[str, float]]
    summary: view.Summary
    paragraphs: list[view.Paragraph]
    chart: Markup | None
    facts: list[tuple[str, str]]
    notes: list[tuple[str, str]]
    gloss: dict[str, str] = field(default_factory=dict)  # technique label -> glossary element id
    quotes: list[QuoteRow] | None = None
    #: main role -> entities (None: the entity analyzer did not run)
    entities: dict[str, list[view.EntityRow]] | None = None
    role_columns: tuple[tuple[str, str], ...] = view.ROLE_COLUMNS
    narrative_domain: str = ""
    narratives: list[view.NarrativeBadge] = field(default_factory=list)
    #: (paragraph index, sentence text) supporting the dominant narrative
    narrative_evidence: list[tuple[int, str]] = field(default_factory=list)
    evidence_paragraphs: frozenset[int] = frozenset()


@dataclass(frozen=True)
class QuoteRow:
    """One direct quotation as the report lists it."""

    text: str
    paragraph: int | None
    kind: str
    speaker: str
    cue: str
    insertions: list[tuple[str, str]]
    flags: list[str]


def _quote_rows(analysis: AnalysisDict) -> list[QuoteRow] | None:
    """The quotes of an analysis, or None when the quotation analyzer did not run."""
    quotes = analysis.get("quotes")
    if not isinstance(quotes, list):
        return None
    rows = []
    for q in quotes:
        if not isinstance(q, dict):
            continue
        method = _s(q.get("speaker_method"))
        speaker = _s(q.get("speaker"))
        truncated = q.get("truncated") or {}
        flags = [_s(n) for n in q.get("notes") or ()]
        if isinstance(truncated, dict) and truncated.get("left"):
            flags.insert(0, "starts mid-sentence (cut at the start)")
        if isinstance(truncated, dict) and truncated.get("right"):
            flags.insert(0, "cut at the end")
        paragraphs = q.get("paragraphs") or [None]
        rows.append(
            QuoteRow(
                text=_s(q.get("text")),
                paragraph=paragraphs[0] if isinstance(paragraphs[0], int) else None,
                kind=_s(q.get("kind")),
                speaker=f"{speaker} ({method})" if speaker and method else speaker or "unattributed",
                cue=_s((q.get("cue") or {}).get("text")),
                insertions=[(_s(i.get("text")), _s(i.get("kind"))) for i in q.get("insertions") or () if isinstance(i, dict)],
                flags=flags,
            )
        )
    return rows


@dataclass(frozen=True)
class StoryRow:
    """One story of a multi-article report: its articles, quote drift and a side-by-side page."""

    name: str
    cohesion: float
    articles: list[tuple[str, str]]  # (title, href)
    drift: list[str]
    compare_href: str | None


def _story_rows(
    stories: Sequence[Mapping[str, Any]],
    analyses: Sequence[AnalysisDict],
    hrefs: Sequence[str],
    compare_hrefs: Mapping[int, str],
) -> list[StoryRow]:
    by_id = {_s((a.get("document") or {}).get("id")): (_title(a), h) for a, h in zip(analyses, hrefs, strict=True)}
    rows = []
    for i, story in enumerate(stories):
        rows.append(
            StoryRow(
                name=_s(story.get("name")) or f"story {i + 1}",
                cohesion=float(story.get("cohesion") or 0.0),
                articles=[by_id[d] for d in story.get("doc_ids") or () if d in by_id],
                drift=view.drift_lines(story),
                compare_href=compare_hrefs.get(i),
            )
        )
    return rows


@dataclass(frozen=True)
class IndexRow:
    title: str
    href: str
    genre: str | None
    frames: list[str]
    labels: int
    density: float


def _s(value: object) -> str:
    return value if isinstance(value, str) else ""


def _title(analysis: AnalysisDict) -> str:
    doc = analysis.get("document") or {}
    return _s(doc.get("title")).strip() or _s(doc.get("id")) or "Untitled article"


def _facts(analysis: AnalysisDict, summary: view.Summary) -> list[tuple[str, str]]:
    doc = analysis.get("document") or {}
    lang = doc.get("language") or {}
    language = (
        f"{_s(lang.get('code'))} (confidence {float(lang.get('confidence') or 0):.2f})"
        if isinstance(lang, dict) and lang.get("code")
        else "not identified"
    )
    model = analysis.get("model") or {}
    rows = [
        ("id", _s(doc.get("id"))),
        ("read from", _s(doc.get("origin"))),
        ("input format", _s(doc.get("input_format"))),
        ("language", language),
        ("published", _s(doc.get("published")) or "unknown"),
        ("outlet / source", _s(doc.get("source")) or "unknown"),
        ("place", _s(doc.get("place")) or "unknown"),
        ("words", str(summary.words)),
        ("paragraphs", str(len(summary.strip))),
        ("model", " ".join(x for x in (_s(model.get("name")), _s(model.get("trained_at"))) if x) or "unknown"),
        ("spinscope", _s(analysis.get("spinscope_version"))),
    ]
    return [(k, v) for k, v in rows if v]


def _article_page(analysis: AnalysisDict, number: int) -> ArticlePage:
    anchor = f"a{number}"  # never the document id: ids from the input are untrusted
    doc = analysis.get("document") or {}
    paras = view.paragraphs(analysis)
    summary = view.summarise(analysis, paras)
    raw_url = doc.get("url")
    url = view.safe_http_url(raw_url)
    byline = [(k, _s(doc.get(k))) for k in ("source", "author", "published", "place") if _s(doc.get(k))]
    frame_names = {f.get("label"): _s(f.get("name")) for f in analysis.get("frames") or ()}
    scores = analysis.get("frame_scores") or {}
    frame_scores = sorted(
        ((frame_names.get(k) or _s(k), float(v)) for k, v in scores.items() if isinstance(v, int | float)),
        key=lambda r: -r[1],
    )
    notes = [(_s(n.get("action")), _s(n.get("detail"))) for n in doc.get("notes") or () if isinstance(n, dict)]
    domain, badges = view.narrative_badges(analysis)
    text = _s(doc.get("text"))
    evidence = []
    for start, end in view.narrative_evidence(analysis):
        where = next(
            (i for i, p in enumerate(doc.get("paragraphs") or ()) if isinstance(p, dict)
             and isinstance(p.get("start"), int) and isinstance(p.get("end"), int) and p["start"] <= start < p["end"]),
            -1,
        )  # fmt: skip
        evidence.append((where, text[start:end]))
    return ArticlePage(
        anchor=anchor,
        title=_title(analysis),
        byline=byline,
        url=url,
        url_text=None if url else (_s(raw_url) or None),
        warnings=[_s(w) for w in analysis.get("warnings") or ()],
        genre_rows=view.genre_rows(analysis),
        frame_scores=frame_scores,
        summary=summary,
        paragraphs=paras,
        chart=technique_chart(summary.by_technique, prefix=f"{anchor}-chart-"),
        facts=_facts(analysis, summary),
        notes=notes,
        gloss={label: f"{anchor}-g{i}" for i, (label, *_rest) in enumerate(summary.glossary)},
        quotes=_quote_rows(analysis),
        entities=view.entity_columns(analysis) if isinstance(analysis.get("entities"), list) else None,
        narrative_domain=domain,
        narratives=badges,
        narrative_evidence=evidence,
        evidence_paragraphs=frozenset(i for i, _ in evidence if i >= 0),
    )


def article_page(analysis: AnalysisDict, number: int = 0) -> ArticlePage:
    """What ``_article.html.j2`` shows for one analysis; ``number`` makes its element ids unique on a page.

    The web app renders its article pages from this and the same template.
    """
    return _article_page(analysis, number)


_MARK = Markup(
    '<mark class="hl" tabindex="0" role="button" aria-expanded="false" aria-controls="spin-info"'
    ' aria-label="{label}" aria-describedby="{described}" title="{title}" data-names="{names}"'
    ' data-hits="{hits}" style="{style}">{text}</mark>'
)


#: How a highlight's evidence kind is named in its tooltip (exact-word spans need no word).
_KIND_WORDS = {"strongest-tokens": "strongest tokens ", "sentence": "whole sentence "}


def _mark_style(hits: Sequence[view.Hit]) -> str:
    """Background tint(s) plus one underline stripe per category; dotted for token-only evidence.

    Only palette constants reach this string, never text from the input.
    """
    cats = view.categories()
    strong = list(dict.fromkeys(h.category for h in hits if h.kind == "span"))
    if not strong:
        colour = cats[hits[0].category].colour
        return f"text-decoration: underline dotted {colour} 3px; text-underline-offset: 4px"
    tints = [cats[c].tint for c in strong]
    if len(tints) == 1:
        background = tints[0]
    else:  # diagonal stripes: every category's tint stays visible
        stops = ", ".join(f"{t} {i * 0.4:.1f}em {(i + 1) * 0.4:.1f}em" for i, t in enumerate(tints))
        background = f"repeating-linear-gradient(135deg, {stops})"
    shadows = ", ".join(f"0 {2 * (k + 1)}px 0 {cats[c].colour}" for k, c in enumerate(strong))
    return f"background: {background}; box-shadow: {shadows}"


def highlight_markup(paragraph: view.Paragraph, page: ArticlePage) -> Markup:
    """A paragraph's text with ``<mark>`` per highlighted segment, every piece escaped."""
    cats = view.categories()
    parts: list[Markup] = []
    for seg in paragraph.segments:
        if not seg.hits:
            parts.append(escape(seg.text))
            continue
        described = list(dict.fromkeys(page.gloss[h.label] for h in seg.hits if h.label in page.gloss))
        names = "; ".join(
            f"{h.name} ({cats[h.category].name}, {_KIND_WORDS.get(h.kind, '')}{h.score:.2f})"
            for h in seg.hits
        )
        hits = " ".join(f"{page.gloss[h.label]}|{h.score:.2f}|{h.kind}" for h in seg.hits if h.label in page.gloss)
        parts.append(
            _MARK.format(
                label=f"{seg.text} (highlighted: {names})", described=" ".join(described), title=names,
                names=", ".join(dict.fromkeys(h.name for h in seg.hits)), hits=hits,
                style=_mark_style(seg.hits), text=seg.text,
            )
        )  # fmt: skip
    return Markup("").join(parts)


@cache
def _env() -> Environment:
    env = jinja_env("spinscope.report")
    env.filters["highlight"] = highlight_markup
    return env


def _index_rows(analyses: Sequence[AnalysisDict], hrefs: Sequence[str]) -> list[IndexRow]:
    rows = []
    for analysis, href in zip(analyses, hrefs, strict=True):
        frames = sorted(analysis.get("frames") or (), key=lambda f: -float(f.get("score") or 0))
        genre = analysis.get("genre") or {}
        rows.append(
            IndexRow(
                title=_title(analysis),
                href=href,
                genre=_s(genre.get("name")) or _s(genre.get("label")) or None,
                frames=[_s(f.get("name")) or _s(f.get("label")) for f in frames[:3]],
                labels=view.label_count(analysis),
                density=view.density(analysis),
            )
        )
    return rows


def _page(
    *,
    title: str,
    articles: list[ArticlePage],
    index_rows: list[IndexRow],
    back_link: str | None,
    story_rows: list[StoryRow] | None = None,
) -> str:
    from spinscope.version import __version__

    return _env().get_template("report.html.j2").render(
        csp=content_security_policy(), version=__version__, page_title=title,
        css=Markup(_asset("report.css")), script=Markup(report_script()),  # noqa: S704 - the package's own files
        articles=articles, index_rows=index_rows, back_link=back_link, story_rows=story_rows or [],
    )  # fmt: skip


def render_report(
    analyses: Sequence[AnalysisDict],
    *,
    back_link: str | None = None,
    stories: Sequence[Mapping[str, Any]] | None = None,
) -> str:
    """One self-contained HTML page for ``analyses`` (``Analysis.to_dict()`` dicts).

    With more than one analysis the page opens with a sortable index linking
    to each article below. ``back_link`` is a relative link to an index page
    (used by :func:`write_report` for folders).

    >>> html = render_report([analysis.to_dict()])  # doctest: +SKIP
    """
    if isinstance(analyses, Mapping):
        raise TypeError("render_report takes a list of analysis dicts, not one dict")
    pages = [_article_page(a, i) for i, a in enumerate(analyses)]
    hrefs = [f"#{p.anchor}" for p in pages]
    rows = _index_rows(analyses, hrefs) if len(pages) > 1 else []
    story_rows = _story_rows(stories, analyses, hrefs, {}) if stories and len(pages) > 1 else []
    title = f"spinscope: {pages[0].title}" if len(pages) == 1 else f"spinscope report: {len(pages)} articles"
    return _page(title=title, articles=pages, index_rows=rows, back_link=back_link, story_rows=story_rows)


def render_index(
    analyses: Sequence[AnalysisDict],
    hrefs: Sequence[str],
    stories: Sequence[Mapping[str, Any]] | None = None,
    compare_hrefs: Mapping[int, str] | None = None,
) -> str:
    """An index page only: one sortable row per analysis, linking to ``hrefs``; then the stories."""
    rows = _index_rows(analyses, hrefs)
    story_rows = _story_rows(stories or (), analyses, hrefs, compare_hrefs or {})
    return _page(
        title=f"spinscope report: {len(rows)} articles", articles=[], index_rows=rows, back_link=None,
        story_rows=story_rows,
    )  # fmt: skip


def page_name(analysis: AnalysisDict, number: int) -> str:
    """A safe, unique file name for one article's page: ``01-some-id.html``."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", _s((analysis.get("document") or {}).get("id"))).strip("-.")
    return f"{number + 1:02d}-{slug[:60] or 'article'}.html"


def write_report(
    analyses: Sequence[AnalysisDict],
    out: Path,
    *,
    folder: bool | None = None,
    stories: Sequence[Mapping[str, Any]] | None = None,
) -> list[Path]:
    """Write ``out`` as one HTML file, or a folder with ``index.html`` plus a page per article.

    ``folder`` defaults to: ``out`` is an existing directory or its name
    does not end in ``.html``/``.htm`` (so ``-o out/`` and ``-o out`` are
    folders, ``-o report.html`` is one page). Returns the files written,
    index first.
    """
    if folder is None:
        folder = out.is_dir() or out.suffix.lower() not in {".html", ".htm"}
    if not folder:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(render_report(analyses, stories=stories), encoding="utf-8")
        return [out]
    out.mkdir(parents=True, exist_ok=True)
    names = [page_name(a, i) for i, a in enumerate(analyses)]
    written = [out / "index.html"]
    for analysis, name in zip(analyses, names, strict=True):
        (out / name).write_text(render_report([analysis], back_link="index.html"), encoding="utf-8")
        written.append(out / name)
    compare_hrefs = _write_story_comparisons(analyses, stories or (), out)
    written.extend(out / name for name in compare_hrefs.values())
    written[0].write_text(render_index(analyses, names, stories, compare_hrefs), encoding="utf-8")
    return written


def _write_story_comparisons(
    analyses: Sequence[AnalysisDict], stories: Sequence[Mapping[str, Any]], out: Path
) -> dict[int, str]:
    """For each story of two or more articles, its first two side by side: ``story-01-compare.html``."""
    from spinscope.report.compare import compare, render_comparison_html

    by_id = {_s((a.get("document") or {}).get("id")): a for a in analyses}
    hrefs: dict[int, str] = {}
    for i, story in enumerate(stories):
        members = [by_id[d] for d in story.get("doc_ids") or () if d in by_id]
        if len(members) < 2:
            continue
        name = f"story-{i + 1:02d}-compare.html"
        (out / name).write_text(render_comparison_html(compare(members[0], members[1])), encoding="utf-8")
        hrefs[i] = name
    return hrefs

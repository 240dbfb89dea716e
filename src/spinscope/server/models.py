"""Request and response bodies of the REST API, as pydantic models (they are also the OpenAPI schema).

An analysis travels as :class:`AnalysisOut`, whose fields are the top-level
fields of ``src/spinscope/schemas/analysis.schema.json`` (extra fields
forbidden, as there): ``GET /api/v1/articles/{id}`` and ``POST
/api/v1/analyze`` return exactly what ``spinscope analyze --format json``
prints, under ``analysis``, next to the stored article's ``id``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "AnalysisOut",
    "AnalyzeRequest",
    "AnalyzeResponse",
    "ArticleIn",
    "ArticleList",
    "ArticleSummary",
    "BatchRequest",
    "ErrorOut",
    "Health",
    "JobOut",
    "StoredArticleOut",
]

_SCHEMA = "https://spinscope.invalid/schemas/analysis.schema.json"


class ArticleIn(BaseModel):
    """One article to analyse: its ``text`` or a ``url`` to fetch (exactly one), with optional metadata.

    ``title``, ``outlet`` and ``published`` override what the reader finds
    (``published``: ISO date, ``YYYY-MM-DD``).
    """

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(default=None, min_length=1, description="The article's text (paragraphs separated by blank lines).")
    url: str | None = Field(default=None, min_length=1, max_length=2048, description="An http(s) URL to fetch instead.")
    title: str | None = Field(default=None, max_length=1000)
    outlet: str | None = Field(default=None, max_length=300)
    published: str | None = Field(default=None, max_length=40, description="ISO 8601 date, e.g. 2026-03-01.")

    @model_validator(mode="after")
    def _one_source(self) -> ArticleIn:
        if (self.text is None) == (self.url is None):
            raise ValueError("give exactly one of 'text' or 'url'")
        return self


class AnalyzeRequest(ArticleIn):
    """``POST /api/v1/analyze``: one article; ``store=false`` analyses it without storing it."""

    store: bool = True


class BatchRequest(BaseModel):
    """``POST /api/v1/articles``: many articles, analysed and stored in the background as one job."""

    model_config = ConfigDict(extra="forbid")

    articles: list[ArticleIn] = Field(min_length=1)


class AnalysisOut(BaseModel):
    """An analysis, as ``spinscope analyze --format json`` prints it (the analysis JSON schema)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"$comment": f"validated against {_SCHEMA}"})

    schema_version: str
    spinscope_version: str
    model: dict[str, Any]
    document: dict[str, Any]
    genre: dict[str, Any] | None
    genre_probabilities: dict[str, float]
    frames: list[dict[str, Any]]
    frame_scores: dict[str, float]
    paragraphs: list[dict[str, Any]]
    spans: list[dict[str, Any]]
    technique_counts: dict[str, int]
    warnings: list[str]
    quotes: list[dict[str, Any]] | None = None
    quote_notes: list[Any] | None = None
    entities: list[dict[str, Any]] | None = None
    narratives: dict[str, Any] | None = None
    paragraph_languages: list[Any] | None = None


class AnalyzeResponse(BaseModel):
    """The analysis, and where it is stored: ``id`` is the article's id (``None`` with ``store=false``).

    ``stored`` says whether this request wrote it; ``already`` that the same
    text was analysed by the same pipeline before (the stored analysis is
    returned and nothing is analysed again).
    """

    id: int | None
    stored: bool
    already: bool
    analysis: AnalysisOut


class StoredArticleOut(BaseModel):
    """``GET /api/v1/articles/{id}``: a stored article's newest analysis."""

    id: int
    analysis: AnalysisOut


class ArticleSummary(BaseModel):
    """One row of the corpus list."""

    id: int
    doc_id: str
    title: str | None
    outlet: str | None
    published: str | None
    url: str | None
    language: str | None
    words: int
    genre: str | None
    technique_labels: int
    density: float = Field(description="Paragraph technique labels per 100 words.")
    dominant_narrative: str | None


class ArticleList(BaseModel):
    """A page of the corpus list: ``next_offset`` is ``None`` on the last page."""

    total: int
    offset: int
    limit: int
    next_offset: int | None
    items: list[ArticleSummary]


class JobItem(BaseModel):
    """The outcome of one article of a job (only those that have one)."""

    index: int
    status: Literal["done", "duplicate", "failed"]
    article_id: int | None = None
    message: str | None = None


class JobOut(BaseModel):
    """A background job's progress. ``status``: queued, running, finished (``failed`` counts articles that failed)."""

    id: str
    kind: str
    status: str
    created_at: str
    updated_at: str
    total: int
    done: int
    failed: int
    progress: float = Field(description="Share of the articles handled, 0 to 1.")
    error: str | None
    items: list[JobItem] = Field(default_factory=list)


class Health(BaseModel):
    """``GET /health``: the versions and model hashes of the pipeline this server runs."""

    status: Literal["ok"]
    spinscope_version: str
    schema_version: str
    store_schema_version: int
    models_loaded: bool
    require_token: bool
    pipeline: dict[str, Any]


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorOut(BaseModel):
    """Every error answer: ``{"error": {"code": "E7xx", "message": "..."}}``."""

    error: ErrorDetail

"""``spinscope.analyze``: ingest plus every detector, for one input or many.

Data flows one way: input -> :mod:`spinscope.ingest` -> Document ->
detectors -> :class:`~spinscope.analysis.Analysis`. The model is loaded once
per process and shared.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from spinscope.analysis import Analysis
from spinscope.document import Document
from spinscope.ingest import ReadOptions, ReadResult, document_from_text, read
from spinscope.models.bundle import ParagraphOutput, SpinModel, load_model

if TYPE_CHECKING:
    from spinscope.entities import Entity, RoleModel
    from spinscope.narratives.model import NarrativeModel

__all__ = [
    "BATCH_PARAGRAPHS",
    "analyze",
    "analyze_document",
    "analyze_documents",
    "analyze_inputs",
    "get_model",
    "technique_scorer",
]


@lru_cache(maxsize=4)
def _cached_model(directory: str | None) -> SpinModel:
    return load_model(directory)


def get_model(model: SpinModel | Path | str | None = None) -> SpinModel:
    """A loaded model: pass one through, load a directory, or the bundled default (cached)."""
    if isinstance(model, SpinModel):
        return model
    return _cached_model(str(model) if model is not None else None)


def _language_warnings(doc: Document) -> list[str]:
    if doc.language is None:
        return ["the article's language could not be identified; results assume English"]
    return []


def _is_english(doc: Document) -> bool:
    """Whether the English-only analyzers (entities, roles, narratives) apply to *doc*."""
    return doc.language is None or doc.language.code == "en"


#: Paragraphs encoded together when analysing many articles: length-sorted
#: batches across articles pad less than one article at a time.
BATCH_PARAGRAPHS = 4096


def _new_analysis(doc: Document, model: SpinModel) -> Analysis:
    from spinscope.analyzers.detector import NAME

    analysis = Analysis(document=doc, warnings=_language_warnings(doc))
    analysis.model = {
        "name": model.config.get("name", "model"),
        "analyzers": {NAME: "1"},
        "languages": model.languages,
        "trained_at": model.meta.get("trained_at"),
    }
    return analysis


def technique_scorer(model: SpinModel, techniques: Sequence[str]) -> Callable[[str], dict[str, float]]:
    """Score a short text (a quote insertion) for ``techniques`` with the paragraph head.

    Scores are rescaled so that 0.5 is each technique's calibrated paragraph
    threshold (``p / (2 * threshold)``, capped at 1): "at least 0.5" then
    means what a paragraph label means.
    """
    index = {t: i for i, t in enumerate(model.techniques)}
    thresholds = model.thresholds("techniques")

    def score(text: str) -> dict[str, float]:
        probs = next(iter(model.encode_paragraphs([text]))).paragraph_probs
        return {
            t: min(1.0, float(probs[index[t]]) / (2 * max(float(thresholds[index[t]]), 1e-6)))
            for t in techniques
            if t in index
        }

    return score


@lru_cache(maxsize=1)
def _task10_models() -> tuple[RoleModel, NarrativeModel]:
    from spinscope.entities import RoleModel
    from spinscope.narratives.model import NarrativeModel
    from spinscope.narratives.train import DEFAULT_MODEL_DIR

    return RoleModel.load(), NarrativeModel.load(DEFAULT_MODEL_DIR)


def _task10(analysis: Analysis, entities: list[Entity], captured: list[ParagraphOutput]) -> None:
    """Roles and narratives from the encoder outputs the detector already used, then evidence.

    ``captured[i].span_vectors`` holds paragraph ``i``'s mention vectors
    (in :func:`~spinscope.entities.paragraph_spans` order). The evidence sentences for the dominant narrative are
    embedded with the bundled sentence encoder and compared with the
    narrative's definition (:func:`~spinscope.narratives.evidence.find_evidence`),
    among the paragraphs its head rates highest: the one step with an
    encoder pass of its own, and only for articles in one of the two domains.
    """
    import numpy as np

    from spinscope.entities import assign_roles, ner_version
    from spinscope.narratives.evidence import candidate_paragraphs, find_evidence
    from spinscope.narratives.features import pool_units

    roles, narratives = _task10_models()
    doc = analysis.document
    analysis.model["analyzers"]["entities"] = f"1 ({ner_version()})"
    analysis.model["analyzers"]["narratives"] = "1"
    if not captured:
        analysis.entities = entities
        analysis.narratives = narratives.predict(np.zeros((1, 768), np.float32))[0]
        return
    means = np.stack([o.mean for o in captured])
    assign_roles(entities, [o.span_vectors for o in captured], means, roles)
    analysis.entities = entities
    prediction = narratives.predict(pool_units(means)[None, :])[0]
    analysis.narratives = prediction
    if prediction.is_other:
        return
    best = candidate_paragraphs(means, narratives, prediction.dominant)
    analysis.narrative_evidence = find_evidence(
        doc.text,
        prediction.dominant,
        subnarratives=prediction.subnarratives,
        within=[(doc.paragraphs[i].start, doc.paragraphs[i].end) for i in best],
    )


def _finish(analysis: Analysis, model: SpinModel) -> Analysis:
    """The analyzers that run after the detector: quotes, with insertions scored by the model."""
    from spinscope.quotes import (
        ANALYZER_NAME,
        ANALYZER_VERSION,
        EDITORIAL_TECHNIQUES,
        EDITORIAL_THRESHOLD,
        classify_quotes,
        extract_quotes,
    )

    # The entity's label, not the mention's: the tagger may call a lone surname a place.
    tagged = [(m.start, m.end, e.label) for e in analysis.entities or () for m in e.mentions if m.source == "ner"]
    quotes = extract_quotes(analysis.document, tagged)
    if any(q.insertions for q in quotes.quotes):
        scorer = technique_scorer(model, EDITORIAL_TECHNIQUES)
        quotes = classify_quotes(quotes, scorer, threshold=EDITORIAL_THRESHOLD)
    analysis.quotes = quotes
    analysis.model["analyzers"][ANALYZER_NAME] = ANALYZER_VERSION
    return analysis


def analyze_document(doc: Document, *, model: SpinModel | Path | str | None = None) -> Analysis:
    """Run every analyzer over an existing :class:`Document`."""
    return next(_analyze_group([doc], get_model(model)))


def _slim(out: ParagraphOutput) -> ParagraphOutput:
    """What roles and narratives need of an output, without the token probabilities."""
    return ParagraphOutput(out.paragraph_probs, out.mean, [], out.span_vectors)


def _capture(outputs: Iterable[ParagraphOutput], into: list[ParagraphOutput]) -> Iterator[ParagraphOutput]:
    for out in outputs:
        into.append(_slim(out))
        yield out


def _not_english(analysis: Analysis) -> None:
    language = analysis.document.language.code if analysis.document.language else "?"
    # Routing may already have given a mostly non-English article its narratives.
    what = "entities, roles and quote speakers" if analysis.narratives is not None else "entities, roles, narratives and quote speakers"
    analysis.warnings.append(f"{what} are English-only: not analysed for this {language!r} article")


def _analyze_group(docs: list[Document], model: SpinModel, multilingual: bool = True) -> Iterator[Analysis]:
    """NER, then one encoder pass over every paragraph of ``docs``, then each document's analysis.

    The entity mentions found first are pooled in the same encoder pass, so
    roles and narratives cost no pass of their own. Paragraphs that are not
    English are then relabelled by the multilingual model
    (:func:`~spinscope.multilingual.route.route_analysis`);
    ``multilingual=False`` reads every paragraph with the English models only.
    """
    from spinscope.analyzers.detector import detect
    from spinscope.entities import find_entities_many, paragraph_spans

    english = [_is_english(doc) or not multilingual for doc in docs]
    found = iter(find_entities_many([doc for doc, en in zip(docs, english, strict=True) if en]))
    entities = [next(found) if en else [] for en in english]
    spans = [paragraph_spans(doc, ents) for doc, ents in zip(docs, entities, strict=True)]

    def finish(analysis: Analysis, en: bool, ents: list[Entity], captured: list[ParagraphOutput]) -> Analysis:
        if multilingual:
            from spinscope.multilingual.route import route_analysis

            route_analysis(analysis)
        elif not _is_english(analysis.document):
            analysis.warnings.append("analysed with the English models only (multilingual routing was turned off)")
        if en:
            _task10(analysis, ents, captured)
        else:
            _not_english(analysis)
        return _finish(analysis, model)

    if len(docs) == 1:  # streamed: a 10,000-paragraph article never holds all its token outputs
        doc = docs[0]
        captured: list[ParagraphOutput] = []
        texts = [doc.text[p.start : p.end] for p in doc.paragraphs]
        stream = _capture(model.encode_paragraphs(texts, spans=spans[0]), captured)
        analysis = detect(doc, model, _new_analysis(doc, model), outputs=stream)
        yield finish(analysis, english[0], entities[0], captured)
        return
    texts = [doc.text[p.start : p.end] for doc in docs for p in doc.paragraphs]
    outputs = iter(model.encode_paragraphs(texts, spans=[s for per_doc in spans for s in per_doc]))
    for doc, en, ents in zip(docs, english, entities, strict=True):
        mine = [next(outputs) for _ in doc.paragraphs]
        analysis = detect(doc, model, _new_analysis(doc, model), outputs=mine)
        yield finish(analysis, en, ents, [_slim(o) for o in mine])


def analyze_documents(
    docs: Iterable[Document],
    *,
    model: SpinModel | Path | str | None = None,
    batch_paragraphs: int = BATCH_PARAGRAPHS,
    multilingual: bool = True,
) -> Iterator[Analysis]:
    """Analyse many Documents, in order, encoding up to ``batch_paragraphs`` paragraphs at once.

    Same results as :func:`analyze_document` on each (batching only changes
    padding), faster on a corpus of short articles. ``multilingual=False``:
    the English models read every paragraph (faster; wrong for other languages).
    """
    loaded = get_model(model)
    group: list[Document] = []
    size = 0
    for doc in docs:
        if group and size + len(doc.paragraphs) > batch_paragraphs:  # a long article goes alone
            yield from _analyze_group(group, loaded, multilingual)
            group, size = [], 0
        group.append(doc)
        size += len(doc.paragraphs)
        if size >= batch_paragraphs:
            yield from _analyze_group(group, loaded, multilingual)
            group, size = [], 0
    if group:
        yield from _analyze_group(group, loaded, multilingual)


def analyze(text_or_document: str | Document, *, model: SpinModel | Path | str | None = None) -> Analysis:
    """Analyse an article given as text (or an already-read Document).

    >>> result = analyze("Title\\n\\nThe corrupt elite lied to you again.")  # doctest: +SKIP
    >>> result.to_dict()["paragraphs"]  # doctest: +SKIP
    """
    doc = text_or_document if isinstance(text_or_document, Document) else document_from_text(text_or_document)
    return analyze_document(doc, model=model)


def analyze_inputs(
    inputs: Iterable[str | Path],
    options: ReadOptions | None = None,
    *,
    model: SpinModel | Path | str | None = None,
) -> Iterator[tuple[ReadResult, Analysis | None]]:
    """Read and analyse many inputs; a bad input yields its error and the batch goes on."""
    loaded = get_model(model)
    pending: list[ReadResult] = []
    size = 0

    def flush() -> Iterator[tuple[ReadResult, Analysis | None]]:
        docs = [r.document for r in pending if r.document is not None]
        analyses = analyze_documents(docs, model=loaded)
        for r in pending:
            yield r, (next(analyses) if r.document is not None else None)

    for result in read(inputs, options):
        pending.append(result)
        size += len(result.document.paragraphs) if result.document else 0
        if size >= BATCH_PARAGRAPHS:
            yield from flush()
            pending, size = [], 0
    yield from flush()

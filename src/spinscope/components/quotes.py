"""``quotes.v2``: every direct quotation, who said it, how it was introduced, and what the writer changed.

``v2`` (issue 22): speakers through titles and organisations, aliases
defined with "below"/"hereafter", a cue-less quote to the established
speaker or to nobody, judgement words make a bracket editorial, and no
speakers at all for an article in a language the rules do not read.

Speakers are resolved with the entities found before (the entity's label,
not the mention's: the tagger may call a lone surname a place). Words the
writer put inside the marks are scored by the English paragraph head to
tell editorialising from clarification (:func:`technique_scorer`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from spinscope.components.base import Component, Work, component, model_digest

if TYPE_CHECKING:
    from spinscope.models.bundle import SpinModel

__all__ = ["Quotes", "technique_scorer"]


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


@component("quotes.v2")
class Quotes(Component):
    """Fills ``quotes`` (and ``quote_notes``)."""

    after = ("entities",)
    assigns = ("quotes",)

    def models(self) -> dict[str, str]:
        return {"insertions": model_digest(str(self.resources.model_dir))}

    def pipe(self, works: list[Work]) -> None:
        from spinscope.quotes import (
            EDITORIAL_TECHNIQUES,
            EDITORIAL_THRESHOLD,
            SPEAKER_LANGUAGES,
            classify_quotes,
            extract_quotes,
        )

        for work in works:
            entities = work.entities or ()
            tagged = [(m.start, m.end, e.label) for e in entities for m in e.mentions if m.source == "ner"]
            quotes = extract_quotes(work.doc, tagged)
            if any(q.insertions for q in quotes.quotes):
                scorer = technique_scorer(self.resources.spin_model, EDITORIAL_TECHNIQUES)
                quotes = classify_quotes(quotes, scorer, threshold=EDITORIAL_THRESHOLD)
            work.analysis.quotes = quotes
            language = work.doc.language.code if work.doc.language else None
            if language is not None and language not in SPEAKER_LANGUAGES:  # the rules read English only
                work.skipped["quote speakers"] = "English-only"

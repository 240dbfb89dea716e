"""``entities.v2``: people, organisations, countries and groups, with spaCy's English NER; ``entities.v3``: the same from the encoder's pass.

``v2`` (issue 22): the tagger's mentions are tidied before grouping
(:mod:`spinscope.entities.tidy`: headline words, titles inside names,
platforms and outlets as organisations) and aliases announced with
"below"/"hereafter" merge.

Runs on English articles (or on every article when nothing routes them), and
only on their English paragraphs. It must come before ``encoder``, which
pools each mention's token states in its one pass for ``roles``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from spinscope.components.base import Component, Work, component

if TYPE_CHECKING:
    from spinscope.models.bundle import ParagraphOutput

__all__ = ["EncoderEntities", "Entities", "finish_entities"]


@component("entities.v2")
class Entities(Component):
    """Grouped entity mentions (``Work.entities``, then ``Analysis.entities``)."""

    after = ("routes",)
    assigns = ("entities",)

    def models(self) -> dict[str, str]:
        from spinscope.entities import ner_version

        return {"ner": ner_version()}

    def pipe(self, works: list[Work]) -> None:
        from spinscope.entities import find_entities_many

        english = [w for w in works if w.english_article]
        for work in works:
            if not work.english_article:
                work.skipped["entities"] = "English-only"
        for work, found in zip(english, find_entities_many([w.doc for w in english], [w.english_paragraphs for w in english]), strict=True):
            work.entities = found
            work.analysis.entities = found


@component("entities.v3")
class EncoderEntities(Component):
    """``entities.v2``'s entities, with mentions tagged by a head over the detector encoder's own pass.

    No second model reads the text: :mod:`spinscope.entities.encoder_ner`
    tags every token from the bottom and top states the encoder computes
    anyway, plus casing features from the text. This component only marks
    the English articles to tag; ``encoder`` (which must follow it) runs
    the head inside its pass, keeps each paragraph's top states (float16)
    until the article's mentions are final, pools the role spans from
    them, and drops them (:func:`finish_entities`). The mentions then go
    through the same tidying and grouping as spaCy's.
    """

    after = ("routes",)
    assigns = ("entities",)
    completed_by = ("encoder",)

    def models(self) -> dict[str, str]:
        from spinscope.components.base import model_digest
        from spinscope.entities.encoder_ner import DEFAULT_NER_DIR

        return {"ner": model_digest(str(DEFAULT_NER_DIR))}

    def pipe(self, works: list[Work]) -> None:
        tagger = self.resources.encoder_ner
        for work in works:
            if work.english_article:
                work.entity_tagger = tagger
            else:
                work.skipped["entities"] = "English-only"


def finish_entities(work: Work, outputs: Sequence[ParagraphOutput]) -> None:
    """Fill ``work.entities`` from the NER tags in ``outputs`` (one per English paragraph), then pool the role spans.

    When the outputs kept their token states (``keep_states``), each
    paragraph's mention and context ranges
    (:func:`~spinscope.entities.paragraph_role_spans`) are pooled from them
    into ``span_vectors``, as ``encoder`` pools spaCy's mentions during its
    pass; the states and tags are dropped either way.
    """
    import numpy as np

    from spinscope.entities import entities_from_mentions, paragraph_role_spans
    from spinscope.entities.encoder_ner import decode_paragraph
    from spinscope.entities.ner import RawMention
    from spinscope.models.bundle import pool_spans

    doc = work.doc
    per_paragraph: list[list[RawMention]] = [[] for _ in doc.paragraphs]
    for i, out in zip(work.english_paragraphs, outputs, strict=True):
        tags = out.ner_windows or []
        per_paragraph[i] = decode_paragraph(doc.paragraph_text(i), [(lp, offs) for lp, (_, offs) in zip(tags, out.windows, strict=True)])
        out.ner_windows = None
    entities = entities_from_mentions(doc, per_paragraph)
    work.entities = entities
    work.analysis.entities = entities
    work.entity_tagger = None
    spans = paragraph_role_spans(doc, entities)
    for i, out in zip(work.english_paragraphs, outputs, strict=True):
        if out.states is None:
            continue
        wanted = spans[i]
        vectors = np.zeros((len(wanted), out.mean.shape[0]), dtype=np.float32)
        if wanted:
            counts = np.zeros(len(wanted), dtype=np.float32)
            for states, (_, offsets) in zip(out.states, out.windows, strict=True):
                sums, n = pool_spans(states, offsets, wanted)
                vectors += sums
                counts += n
            vectors /= np.maximum(counts, 1.0)[:, None]
        out.span_vectors = vectors
        out.states = None

"""``encoder.v1``: the one English encoder pass (fine-tuned all-MiniLM-L6-v2) that every English head reads.

It reads each English paragraph once: the techniques head decodes its token
probabilities, roles read the pooled states of the entity mentions found
before it (``entities`` must run first), narratives read the paragraph
vectors. With ``entities.v3`` the mentions themselves come out of this
pass too: the NER head tags every token, the top states are kept
(float16) until each article's mentions are final, pooled, and dropped.
Paragraphs of many articles are encoded together in
length-sorted batches; one article alone is streamed, so a 10,000-paragraph
article never holds all its token outputs at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from spinscope.components.base import Component, EncodedParagraphs, Work, component, model_digest
from spinscope.components.entities import finish_entities

if TYPE_CHECKING:
    from spinscope.models.bundle import ParagraphOutput

__all__ = ["Encoder"]


def _mention_spans(work: Work) -> list[list[tuple[int, int]]]:
    """Each English paragraph's mention ranges, then their contexts, relative to the paragraph (empty without entities).

    The first rows of each paragraph are its mentions, as before; the
    context rows after them are what ``roles.v2`` adds (see
    :func:`spinscope.entities.paragraph_role_spans`). Pooling a few more
    ranges costs nothing measurable: the tokens are encoded once either way.
    """
    if not work.entities:  # none found, or entities.v3's still to come out of this pass
        return [[] for _ in work.english_paragraphs]
    from spinscope.entities import paragraph_role_spans

    every = paragraph_role_spans(work.doc, work.entities)
    return [every[i] for i in work.english_paragraphs]


@component("encoder.v1")
class Encoder(Component):
    """``Work.encoded``: the English model's outputs for the English paragraphs."""

    after = ("routes", "entities")
    assigns = ("encoder",)

    def models(self) -> dict[str, str]:
        from spinscope.encode import ENCODER_NAME, ENCODER_SHA256

        return {ENCODER_NAME: f"sha256:{ENCODER_SHA256}", "detector": model_digest(str(self.resources.model_dir))}

    def pipe(self, works: list[Work]) -> None:
        if not any(w.english_paragraphs for w in works):
            for work in works:
                if work.entity_tagger is not None:
                    finish_entities(work, [])
                work.encoded = EncodedParagraphs([], [])
            return
        model = self.resources.spin_model
        # entities.v3 left its tagger on the articles it wants tagged in this pass.
        ner = next((w.entity_tagger for w in works if w.entity_tagger is not None), None)
        if len(works) == 1:  # streamed: see the module docstring
            work = works[0]
            texts = [work.doc.paragraph_text(i) for i in work.english_paragraphs]
            if ner is not None and len(texts) > TWO_PASS_PARAGRAPHS:
                # Too long to hold every token state until the mentions are final: tag in a first
                # pass that keeps only the tags, then stream as for spaCy's mentions.
                tagged = [_tags_only(out) for out in model.encode_paragraphs(texts, ner=ner)]
                finish_entities(work, tagged)
                ner = None
            if ner is None:
                work.encoded = EncodedParagraphs(work.english_paragraphs, model.encode_paragraphs(texts, spans=_mention_spans(work)))
                return
            outputs = list(model.encode_paragraphs(texts, spans=_mention_spans(work), ner=ner, keep_states=True))
            finish_entities(work, outputs)
            work.encoded = EncodedParagraphs(work.english_paragraphs, outputs)
            return
        texts = [w.doc.paragraph_text(i) for w in works for i in w.english_paragraphs]
        spans = [s for w in works for s in _mention_spans(w)]
        stream = iter(model.encode_paragraphs(texts, spans=spans, ner=ner, keep_states=ner is not None))
        for work in works:
            mine = [next(stream) for _ in work.english_paragraphs]
            if work.entity_tagger is not None:
                finish_entities(work, mine)
            for out in mine:  # an article entities.v3 did not mark (not English) keeps neither
                out.states = out.ner_windows = None
            work.encoded = EncodedParagraphs(work.english_paragraphs, mine)


#: An article with more English paragraphs than this is tagged by ``entities.v3`` in a pass of its
#: own (about twice the encoder time for it) rather than holding all its token states at once.
TWO_PASS_PARAGRAPHS = 4096


def _tags_only(out: ParagraphOutput) -> ParagraphOutput:
    """What :func:`finish_entities` reads of a first-pass output: the tags and token offsets."""
    import numpy as np

    from spinscope.models.bundle import ParagraphOutput

    windows = [(np.zeros((0, 0), dtype=np.float32), offsets) for _, offsets in out.windows]
    return ParagraphOutput(out.paragraph_probs, out.mean, windows, ner_windows=out.ner_windows)

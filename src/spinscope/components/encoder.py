"""``encoder.v1``: the one English encoder pass (fine-tuned all-MiniLM-L6-v2) that every English head reads.

It reads each English paragraph once: the techniques head decodes its token
probabilities, roles read the pooled states of the entity mentions found
before it (``entities`` must run first), narratives read the paragraph
vectors. Paragraphs of many articles are encoded together in
length-sorted batches; one article alone is streamed, so a 10,000-paragraph
article never holds all its token outputs at once.
"""

from __future__ import annotations

from spinscope.components.base import Component, EncodedParagraphs, Work, component, model_digest

__all__ = ["Encoder"]


def _mention_spans(work: Work) -> list[list[tuple[int, int]]]:
    """Each English paragraph's mention ranges, then their contexts, relative to the paragraph (empty without entities).

    The first rows of each paragraph are its mentions, as before; the
    context rows after them are what ``roles.v2`` adds (see
    :func:`spinscope.entities.paragraph_role_spans`). Pooling a few more
    ranges costs nothing measurable: the tokens are encoded once either way.
    """
    if not work.entities:
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
                work.encoded = EncodedParagraphs([], [])
            return
        model = self.resources.spin_model
        if len(works) == 1:  # streamed: see the module docstring
            work = works[0]
            texts = [work.doc.paragraph_text(i) for i in work.english_paragraphs]
            work.encoded = EncodedParagraphs(work.english_paragraphs, model.encode_paragraphs(texts, spans=_mention_spans(work)))
            return
        texts = [w.doc.paragraph_text(i) for w in works for i in w.english_paragraphs]
        spans = [s for w in works for s in _mention_spans(w)]
        outputs = iter(model.encode_paragraphs(texts, spans=spans))
        for work in works:
            work.encoded = EncodedParagraphs(work.english_paragraphs, [next(outputs) for _ in work.english_paragraphs])

"""``techniques.v4``: genre, frames, paragraph techniques and spans from the English encoder pass.

``techniques.v4`` (issue 20) reads the ``decoding`` block's ``v4`` span
rules, which may widen a technique's hot words to the clause they sit in
(``clause`` extent), and, where the block has one, a ``stack`` of the
English score with the USE-multilingual heads' probabilities (none ships:
out of fold it gained under 0.005, BENCHMARKS.md). Paragraph labels are
``techniques.v3``'s.

``techniques.v3`` (issue 20) reads the model's ``decoding`` block: a
paragraph's technique score adds the token head's strongest evidence to the
paragraph head's probability, and each technique has its own span rule
(threshold, gap, word or sentence extent, strongest-token fallback), all
chosen on held-out training articles (``benchmarks/spans_tune.py``).
``techniques.v2`` used the paragraph probability alone and one span
threshold; ``techniques.v1`` also kept spans made of function words alone
("the").

See :mod:`spinscope.techniques.detector` for how labels and spans are
decoded. Only the English paragraphs are read; an article whose paragraphs
are mostly in another language gets its article labels from
``multilingual``.
"""

from __future__ import annotations

from spinscope.components.base import Component, Work, component, model_digest

__all__ = ["Techniques"]


@component("techniques.v3")
class Techniques(Component):
    """Fills ``genre``, ``frames``, ``paragraphs`` and ``spans`` of the Analysis."""

    requires = ("encoder",)
    assigns = ("genre", "frames", "paragraphs", "spans")

    def models(self) -> dict[str, str]:
        return {"detector": model_digest(str(self.resources.model_dir))}

    def pipe(self, works: list[Work]) -> None:
        from spinscope.techniques.detector import detect

        model = self.resources.spin_model
        for work in works:
            assert work.encoded is not None  # the pipeline checked that encoder runs first
            detect(work.doc, model, work.analysis, outputs=work.encoded.stream())


@component("techniques.v4")
class StackedTechniques(Techniques):
    """``techniques.v3`` with the ``decoding`` block's ``v4`` span rules and, optionally, a stacked score (issue 20).

    With a ``stack`` in the block (:class:`~spinscope.techniques.detector.Stack`),
    a paragraph's English score (v3's) is stacked with what the
    USE-multilingual heads say of it; the multilingual vectors it encodes are
    then left on the Work, so ``multilingual`` and ``genre`` reuse them
    instead of encoding the article again. Without ``v4`` and ``stack``
    entries it decodes exactly as ``techniques.v3``.
    """

    after = ("routes",)

    def models(self) -> dict[str, str]:
        from spinscope.multilingual.encoder import ENCODER_NAME
        from spinscope.multilingual.model import DEFAULT_MODEL_DIR

        return {**super().models(), "heads": model_digest(str(DEFAULT_MODEL_DIR)), "encoder": ENCODER_NAME}

    def pipe(self, works: list[Work]) -> None:
        from spinscope.multilingual.route import covered_paragraphs, paragraph_probabilities
        from spinscope.techniques.detector import Decoding, detect

        model = self.resources.spin_model
        decoding = Decoding.from_model(model, stacked=True)
        for work in works:
            assert work.encoded is not None  # the pipeline checked that encoder runs first
            multilingual = None
            if decoding.stack is not None and work.encoded.indexes:
                covered = covered_paragraphs(work.doc, work.routes)
                vectors = self.resources.multilingual_encoder.encode([work.doc.paragraph_text(i) for i in covered])
                work.multilingual_vectors, work.covered = vectors, covered
                first, context = paragraph_probabilities(work.doc, covered, vectors, self.resources.multilingual_model)
                multilingual = {i: {"first": first[r], "context": context[r]} for r, i in enumerate(covered)}
            detect(work.doc, model, work.analysis, outputs=work.encoded.stream(), decoding=decoding, multilingual=multilingual)

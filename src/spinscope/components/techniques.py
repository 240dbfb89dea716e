"""``techniques.v3``: genre, frames, paragraph techniques and spans from the English encoder pass.

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

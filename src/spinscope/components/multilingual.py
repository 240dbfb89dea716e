"""``multilingual.v1``: the paragraphs in other languages, through USE-multilingual and the joint heads.

Reads the routes of ``language``. Paragraphs in another Latin- or
Cyrillic-script language get techniques (sentence evidence) from the
multilingual heads; English paragraphs keep the English detector's labels
and gain the four techniques English training data lacks; an article whose
paragraphs are mostly not English gets its genre and frames from the
multilingual article heads (see :mod:`spinscope.multilingual.route`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from spinscope.components.base import Component, Work, component, model_digest

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Multilingual"]


@component("multilingual.v1")
class Multilingual(Component):
    """Relabels routed paragraphs; leaves the paragraph vectors for ``narratives``."""

    requires = ("routes",)
    after = ("genre", "paragraphs")
    assigns = ("paragraph_languages", "multilingual")

    def models(self) -> dict[str, str]:
        from spinscope.multilingual.encoder import ENCODER_NAME
        from spinscope.multilingual.model import DEFAULT_MODEL_DIR

        return {"heads": model_digest(str(DEFAULT_MODEL_DIR)), "encoder": ENCODER_NAME}

    def pipe(self, works: list[Work]) -> None:
        from spinscope.multilingual.route import apply_routes, covered_paragraphs

        encoder = self.resources.multilingual_encoder
        covered = [covered_paragraphs(work.doc, work.routes) for work in works]
        # ``techniques.v4`` may have encoded an article's covered paragraphs already (the same ones:
        # see covered_paragraphs). The others' go to the encoder in one call: it packs texts into
        # micro-batches of ~1,000 tokens, and one call per article left a part-filled one each
        # (1.10-1.13x the CPU time on the en dev articles, BENCHMARKS.md).
        todo = [k for k, work in enumerate(works) if work.multilingual_vectors is None]
        flat = encoder.encode([works[k].doc.paragraph_text(i) for k in todo for i in covered[k]])
        given: dict[int, np.ndarray] = {}
        at = 0
        for k in todo:
            given[k], at = flat[at : at + len(covered[k])], at + len(covered[k])
        for k, work in enumerate(works):
            assert work.routes is not None  # the pipeline checked that language runs first
            vectors = given.get(k, work.multilingual_vectors)
            routed = apply_routes(work.analysis, work.routes, self.resources.multilingual_model, encoder, vectors)
            work.multilingual_vectors = routed.vectors
            work.covered = routed.covered
            work.foreign_article = routed.foreign
            work.foreign_language = routed.foreign_language

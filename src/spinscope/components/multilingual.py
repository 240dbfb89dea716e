"""``multilingual.v1``: the paragraphs in other languages, through USE-multilingual and the joint heads.

Reads the routes of ``language``. Paragraphs in another Latin- or
Cyrillic-script language get techniques (sentence evidence) from the
multilingual heads; English paragraphs keep the English detector's labels
and gain the four techniques English training data lacks; an article whose
paragraphs are mostly not English gets its genre and frames from the
multilingual article heads (see :mod:`spinscope.multilingual.route`).
"""

from __future__ import annotations

from spinscope.components.base import Component, Work, component, model_digest

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
        from spinscope.multilingual.route import apply_routes

        for work in works:
            assert work.routes is not None  # the pipeline checked that language runs first
            # ``techniques.v4`` may have encoded the covered paragraphs already (the same ones: see covered_paragraphs).
            routed = apply_routes(
                work.analysis, work.routes, self.resources.multilingual_model, self.resources.multilingual_encoder,
                work.multilingual_vectors,
            )  # fmt: skip
            work.multilingual_vectors = routed.vectors
            work.covered = routed.covered
            work.foreign_article = routed.foreign
            work.foreign_language = routed.foreign_language

"""``narratives.v1``: the narratives and sub-narratives an article pushes (SemEval-2025 Task 10), with evidence.

An English article: the narrative head reads the mean and max of the English
encoder's paragraph vectors; its evidence sentences, among the three
paragraphs the dominant narrative's head rates highest, are embedded with
the bundled sentence encoder and compared with the narrative's definition
(the one extra encoder pass, and only for articles in one of the two
domains), the sentences of every English article of a batch in one
embedding call. An article mostly in another language: the multilingual
narrative model over the vectors ``multilingual`` already made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from spinscope.components.base import Component, Work, component, model_digest

if TYPE_CHECKING:
    import numpy as np

    from spinscope.narratives.evidence import EvidenceRequest

__all__ = ["Narratives"]


@component("narratives.v1")
class Narratives(Component):
    """Fills ``narratives`` and ``narrative_evidence``."""

    requires = ("encoder",)
    after = ("multilingual",)
    assigns = ("narratives",)

    def models(self) -> dict[str, str]:
        from spinscope.multilingual.narratives import DEFAULT_NARRATIVES_DIR
        from spinscope.narratives.train import DEFAULT_MODEL_DIR

        return {"english": model_digest(str(DEFAULT_MODEL_DIR)), "multilingual": model_digest(str(DEFAULT_NARRATIVES_DIR))}

    def pipe(self, works: list[Work]) -> None:
        from spinscope.narratives.evidence import find_evidence_many

        wanted: list[tuple[Work, EvidenceRequest]] = []
        for work in works:
            if work.english_article:
                request = self._english(work)
                if request is not None:
                    wanted.append((work, request))
            elif work.foreign_article and work.multilingual_vectors is not None:
                from spinscope.multilingual.route import RoutedArticle, article_narratives

                routed = RoutedArticle(work.multilingual_vectors, work.covered, work.foreign_language, True)
                article_narratives(work.analysis, self.resources.multilingual_narratives, self.resources.multilingual_encoder, routed)
            else:
                work.skipped["narratives"] = "English-only"
        # Every English article's evidence sentences in one embedding call (batches across articles),
        # at the English encoder's precision when that is bf16 (int8 is for the detector alone).
        found = find_evidence_many([request for _, request in wanted], embed=self._embed) if wanted else []
        for (work, _), evidence in zip(wanted, found, strict=True):
            work.analysis.narrative_evidence = evidence

    def _embed(self, texts: list[str]) -> np.ndarray:
        from spinscope.stories import embed

        return embed.embed_texts(texts, precision="bf16" if self.resources.precision == "bf16" else "fp32")

    def _english(self, work: Work) -> EvidenceRequest | None:
        """Set the narratives of an English article; what its evidence needs, or None when it needs none."""
        import numpy as np

        from spinscope.narratives.evidence import EvidenceRequest, candidate_paragraphs
        from spinscope.narratives.features import FEATURE_DIM, pool_units

        model = self.resources.narrative_model
        analysis, doc = work.analysis, work.doc
        analysis.model.pop("narratives_model", None)  # this model, not the multilingual one, has the last word
        assert work.encoded is not None
        encoded = work.encoded.slim()
        if not encoded:
            analysis.narratives = model.predict(np.zeros((1, FEATURE_DIM), np.float32))[0]
            return None
        means = work.encoded.means()
        prediction = model.predict(pool_units(means)[None, :])[0]
        analysis.narratives = prediction
        if prediction.is_other:
            return None
        best = [encoded[row][0] for row in candidate_paragraphs(means, model, prediction.dominant)]
        return EvidenceRequest(
            doc.text,
            prediction.dominant,
            subnarratives=tuple(prediction.subnarratives),
            within=[(doc.paragraphs[i].start, doc.paragraphs[i].end) for i in best],
        )

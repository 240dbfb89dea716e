"""``genre.v2``: the article's genre from its form and its multilingual vector, for every language.

It replaces the genre that ``techniques`` (the English head, trained on
English articles that are 88% opinion) or ``multilingual`` put on the
Analysis with the genre model's (:mod:`spinscope.genre`), which was
trained on six languages' articles and reads form cues -- dateline,
attribution, quotes, first and second person, questions, satire notices --
besides the article's USE-multilingual vector. It reuses the paragraph
vectors ``multilingual`` made; without that component it encodes the
paragraphs itself. The evidence is the two paragraphs that, when left out,
lower the chosen genre's probability the most.

``genre.v2`` (issue 20): more form cues, settings chosen by
leave-one-language-out cross-validation (prior and satire gate included),
and the leave-one-out evidence computed in closed form in one pass over
the article instead of one pass per paragraph (issue 19).
"""

from __future__ import annotations

from spinscope.components.base import Component, Work, component, model_digest

__all__ = ["Genre"]


@component("genre.v2")
class Genre(Component):
    """Fills ``genre`` and ``genre_probabilities`` of the Analysis."""

    after = ("genre", "multilingual")
    # It overwrites ``genre`` last. It does not declare ``genre`` itself: ``multilingual`` must follow
    # whatever assigns that attribute first, and would then have to follow this component too.
    assigns = ("genre_form",)

    def models(self) -> dict[str, str]:
        from spinscope.genre.model import DEFAULT_GENRE_DIR
        from spinscope.multilingual.encoder import ENCODER_NAME

        return {"genre": model_digest(str(DEFAULT_GENRE_DIR)), "encoder": ENCODER_NAME}

    def pipe(self, works: list[Work]) -> None:
        from spinscope.genre.predict import label_genre

        model = self.resources.genre_model
        for work in works:
            if not work.doc.paragraphs:
                continue
            if work.multilingual_vectors is not None:
                covered, vectors = work.covered, work.multilingual_vectors
            else:
                covered = list(range(len(work.doc.paragraphs)))
                vectors = self.resources.multilingual_encoder.encode([work.doc.paragraph_text(i) for i in covered])
            label_genre(work.analysis, model, covered, vectors)

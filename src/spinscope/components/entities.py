"""``entities.v2``: people, organisations, countries and groups, with spaCy's English NER.

``v2`` (issue 22): the tagger's mentions are tidied before grouping
(:mod:`spinscope.entities.tidy`: headline words, titles inside names,
platforms and outlets as organisations) and aliases announced with
"below"/"hereafter" merge.

Runs on English articles (or on every article when nothing routes them), and
only on their English paragraphs. It must come before ``encoder``, which
pools each mention's token states in its one pass for ``roles``.
"""

from __future__ import annotations

from spinscope.components.base import Component, Work, component

__all__ = ["Entities"]


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

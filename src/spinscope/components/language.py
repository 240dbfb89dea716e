"""``language.v1``: which model reads each paragraph, decided before anything is encoded.

A paragraph takes its own language when it is long enough to tell and the
detector is sure, otherwise the article's; a paragraph in a script no model
covers is skipped (:func:`spinscope.multilingual.route.route_paragraphs`).
The English encoder then reads only the English paragraphs and the
multilingual one only the others: no paragraph is encoded twice.
"""

from __future__ import annotations

from spinscope.components.base import Component, Work, component

__all__ = ["Language"]


@component("language.v1")
class Language(Component):
    """Per-paragraph routes (``Work.routes``)."""

    assigns = ("routes",)

    def pipe(self, works: list[Work]) -> None:
        from spinscope.multilingual.route import route_paragraphs

        for work in works:
            work.routes = route_paragraphs(work.doc)

"""The pipeline's components, one module each, registered under versioned names.

========================  ==============================================  ==============================
name                      what it assigns                                 what it needs
========================  ==============================================  ==============================
``language.v1``           ``routes``: the model each paragraph goes to
``entities.v2``           ``entities`` (spaCy NER, English paragraphs)    after ``language``
``entities.v3``           ``entities`` (a head in the encoder's pass)     after ``language``; ``encoder`` after it
``encoder.v1``            ``encoder``: the one English pass               after ``language``, ``entities``
``techniques.v4``         ``genre``, ``frames``, ``paragraphs``, spans    ``encoder``, after ``language``
``multilingual.v1``       other languages' paragraphs and article labels  ``routes``
``genre.v2``              ``genre`` (form + USE-multilingual, all langs)  after ``techniques``, ``multilingual``
``roles.v2``              ``roles`` of entities and mentions              ``entities``, ``encoder``
``narratives.v1``         ``narratives`` and their evidence               ``encoder``
``quotes.v2``             ``quotes``                                      after ``entities``
========================  ==============================================  ==============================

Write your own with :func:`component` and :class:`Component`, and add it
with :meth:`spinscope.pipeline.Pipeline.add_pipe`.
"""

from spinscope.components import (
    encoder,
    entities,
    genre,
    language,
    multilingual,
    narratives,
    quotes,
    roles,
    techniques,
)
from spinscope.components.base import (
    Component,
    EncodedParagraphs,
    Resources,
    Work,
    component,
    get_factory,
    model_digest,
    registered,
)

#: The default pipeline, in order: (name, factory).
DEFAULT_COMPONENTS: tuple[tuple[str, str], ...] = (
    ("language", language.Language.factory),
    ("entities", entities.Entities.factory),
    ("encoder", encoder.Encoder.factory),
    ("techniques", techniques.StackedTechniques.factory),
    ("multilingual", multilingual.Multilingual.factory),
    ("genre", genre.Genre.factory),
    ("roles", roles.Roles.factory),
    ("narratives", narratives.Narratives.factory),
    ("quotes", quotes.Quotes.factory),
)

__all__ = [
    "DEFAULT_COMPONENTS",
    "Component",
    "EncodedParagraphs",
    "Resources",
    "Work",
    "component",
    "get_factory",
    "model_digest",
    "registered",
]

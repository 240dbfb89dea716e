"""The Pipeline: named, versioned components that turn Documents into Analyses, the same way everywhere.

Data flows one way: input -> :mod:`spinscope.ingest` -> Document ->
components (:mod:`spinscope.components`) -> :class:`~spinscope.analysis.Analysis`.

>>> import spinscope
>>> nlp = spinscope.load()                       # doctest: +SKIP
>>> nlp.pipe_names                               # doctest: +SKIP
['language', 'entities', 'encoder', 'techniques', 'multilingual', 'roles', 'narratives', 'quotes']
>>> for analysis in nlp.pipe(docs):              # doctest: +SKIP
...     print(analysis.genre)

The command line, the evaluation and every later layer (store, server,
distributed runs) use this object; the functions at the bottom of this
module are shortcuts over the default pipeline.
"""

from __future__ import annotations

from spinscope.pipeline._pipeline import (
    BATCH_PARAGRAPHS,
    Pipeline,
    analyze,
    analyze_document,
    analyze_documents,
    analyze_inputs,
    load,
    resolve_ner,
)

__all__ = [
    "BATCH_PARAGRAPHS",
    "Pipeline",
    "analyze",
    "analyze_document",
    "analyze_documents",
    "analyze_inputs",
    "load",
    "resolve_ner",
]

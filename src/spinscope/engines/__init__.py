"""Engines: where the pipeline runs.

``inprocess`` (the default) is :meth:`spinscope.pipeline.Pipeline.analyze_inputs`
in this process. ``ray`` (:mod:`spinscope.engines.ray`, optional extra
``spinscope[ray]``) runs the same pipeline in an actor pool on a Ray
cluster through Ray Data, and yields the same results in the same order.

Engines sit at the top layer, beside the CLI: they call the pipeline and
ingest, and nothing below imports them. Ray itself is imported only when
the Ray engine is used, so ``import spinscope.engines`` never needs it.
"""

from __future__ import annotations

__all__ = ["ENGINES"]

#: The engine names ``--engine`` accepts.
ENGINES = ("inprocess", "ray")

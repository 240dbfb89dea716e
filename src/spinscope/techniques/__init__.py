"""Persuasion techniques in English text: decoding the detector's outputs into labels, spans and evidence.

:func:`~spinscope.techniques.detector.detect` fills genre, frames, paragraph
techniques and spans from the English encoder's outputs; the pipeline's
``techniques.v2`` component calls it.
"""

from spinscope.techniques.detector import decode_spans, detect

__all__ = ["decode_spans", "detect"]

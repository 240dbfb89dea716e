"""Persuasion techniques in English text: decoding the detector's outputs into labels, spans and evidence.

:func:`~spinscope.techniques.detector.detect` fills genre, frames, paragraph
techniques and spans from the English encoder's outputs; the pipeline's
``techniques.v3`` component calls it.
"""

from spinscope.techniques.detector import Decoding, SpanRule, decode_spans, decode_technique, detect

__all__ = ["Decoding", "SpanRule", "decode_spans", "decode_technique", "detect"]

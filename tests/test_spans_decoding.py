"""techniques.v2: a span made of function words alone is never shown (issue 20: "the" as Flag-waving)."""

from __future__ import annotations

import numpy as np

from spinscope.models.bundle import ParagraphOutput
from spinscope.techniques.detector import decode_spans, only_function_words


def _output(text: str, hot: list[str]) -> ParagraphOutput:
    """One window over the words of *text*; technique 0 is certain on the words in *hot*, off elsewhere."""
    offsets, pos = [], 0
    for word in text.split():
        start = text.index(word, pos)
        offsets.append((start, start + len(word)))
        pos = start + len(word)
    probs = np.array([[1.0 if text[a:b] in hot else 0.0] for a, b in offsets], dtype=np.float32)
    return ParagraphOutput(np.zeros(1, np.float32), np.zeros(384, np.float32), [(probs, offsets)], None)


def test_function_words_alone_are_no_span() -> None:
    text = "Only the regime and its puppet government lie to the people ."
    spans = decode_spans(text, _output(text, ["the"]), np.array([0.5]), ["Flag_Waving"])
    assert spans == []
    spans = decode_spans(text, _output(text, ["regime"]), np.array([0.5]), ["Name_Calling-Labeling"])
    assert [text[s:e] for s, e, _, _ in spans] == ["regime"]
    # A run that holds a content word keeps its function words.
    spans = decode_spans(text, _output(text, ["the", "people"]), np.array([0.5]), ["Flag_Waving"])
    assert [text[s:e] for s, e, _, _ in spans] == ["the people"]


def test_which_words_count_as_function_words() -> None:
    assert only_function_words("the") and only_function_words("of the") and only_function_words("")
    assert not only_function_words("we") and not only_function_words("they")  # us-against-them pronouns stay
    assert not only_function_words("the regime")

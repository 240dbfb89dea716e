"""Span decoding (issue 20): no span of function words alone ("the" as Flag-waving); techniques.v3's span rules.

The hand-made outputs here need no model; the last test runs the bundled
model over a text written for it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from spinscope.models.bundle import ParagraphOutput
from spinscope.techniques.detector import (
    Decoding,
    SpanRule,
    decode_spans,
    decode_technique,
    only_function_words,
    strongest_token_probs,
)


def _output(text: str, hot: list[str] | dict[str, float]) -> ParagraphOutput:
    """One window over the words of *text*; technique 0 scores each word in *hot* (1.0 for a list), 0 elsewhere."""
    scores = dict.fromkeys(hot, 1.0) if isinstance(hot, list) else hot
    offsets, pos = [], 0
    for word in text.split():
        start = text.index(word, pos)
        offsets.append((start, start + len(word)))
        pos = start + len(word)
    probs = np.array([[scores.get(text[a:b], 0.0)] for a, b in offsets], dtype=np.float32)
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


TEXT = "They say the plan is sound . Who really believes a word of it ? The minister smiled ."


def _texts(text: str, spans: list[tuple[int, int, float]]) -> list[str]:
    return [text[s:e] for s, e, _ in spans]


def test_a_rule_decodes_runs_words_or_whole_sentences() -> None:
    out = _output(TEXT, ["really", "believes"])
    assert _texts(TEXT, decode_technique(TEXT, out, 0, SpanRule(0.5))) == ["really believes"]
    # Sentence extent: the run grows to the sentence it sits in, no further.
    sentence = decode_technique(TEXT, out, 0, SpanRule(0.5, extent="sentence"))
    assert _texts(TEXT, sentence) == ["Who really believes a word of it ?"]
    # Below its threshold a token is not part of a run.
    assert decode_technique(TEXT, _output(TEXT, {"really": 0.3}), 0, SpanRule(0.5)) == []


def test_phrase_extent_takes_a_content_word_each_side_not_punctuation_or_function_words() -> None:
    text = "Under this tyrannical rule , these clowns and crooks thrive ."
    phrase = SpanRule(0.5, extent="phrase")
    assert _texts(text, decode_technique(text, _output(text, ["rule"]), 0, phrase)) == ["tyrannical rule"]
    assert _texts(text, decode_technique(text, _output(text, ["clowns"]), 0, phrase)) == ["clowns"]
    assert _texts(text, decode_technique(text, _output(text, ["crooks"]), 0, phrase)) == ["crooks thrive"]


def test_the_gap_decides_when_a_dip_splits_a_run() -> None:
    out = _output(TEXT, ["Who", "word"])  # three cold tokens between them
    assert _texts(TEXT, decode_technique(TEXT, out, 0, SpanRule(0.5, gap=2))) == ["Who", "word"]
    assert _texts(TEXT, decode_technique(TEXT, out, 0, SpanRule(0.5, gap=4))) == ["Who really believes a word"]


def test_fallback_makes_the_strongest_tokens_the_span() -> None:
    out = _output(TEXT, {"believes": 0.3, "really": 0.2, "minister": 0.05})
    assert decode_technique(TEXT, out, 0, SpanRule(0.5)) == []
    spans = decode_technique(TEXT, out, 0, SpanRule(0.5, fallback=True))
    assert _texts(TEXT, spans) == ["really believes"]  # its neighbour within half its score joins it
    # A fallback of function words alone is still no span.
    assert decode_technique(TEXT, _output(TEXT, {"the": 0.3}), 0, SpanRule(0.5, fallback=True)) == []


def test_no_rule_shows_a_function_word_alone() -> None:
    for rule in (SpanRule(0.5), SpanRule(0.5, gap=4), SpanRule(0.1, fallback=True)):
        assert decode_technique(TEXT, _output(TEXT, ["the", "of", "it"]), 0, rule) == [], rule


class _Model:
    """What :meth:`Decoding.from_model` reads: ``config`` and ``thresholds``."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config

    def thresholds(self, name: str) -> np.ndarray:
        return np.asarray(self.config["thresholds"][name], dtype=np.float32)


def test_decoding_reads_the_model_block_or_decodes_as_v2() -> None:
    v2 = {"thresholds": {"techniques": [0.4, 0.6], "spans": [0.35, 0.35]}}
    d = Decoding.from_model(_Model(v2))  # type: ignore[arg-type]
    assert d.token_weight == 0.0 and d.thresholds.tolist() == pytest.approx([0.4, 0.6])
    assert [r.threshold for r in d.rules] == pytest.approx([0.35, 0.35])  # as float32, the way v2 compared them
    assert {(r.gap, r.extent, r.fallback) for r in d.rules} == {(2, "tokens", False)}
    block = {
        "token_weight": 0.35, "thresholds": [0.3, 0.5], "span_thresholds": [0.1, 0.45],
        "span_gap": [4, 2], "span_extent": ["sentence", "tokens"], "span_fallback": [False, True],
    }  # fmt: skip
    d = Decoding.from_model(_Model({**v2, "decoding": block}))  # type: ignore[arg-type]
    assert d.rules == (SpanRule(0.1, 4, "sentence", False), SpanRule(0.45, 2, "tokens", True))
    # The score mixes the paragraph head with the strongest token of the paragraph.
    out = ParagraphOutput(
        np.array([0.2, 0.8], np.float32), np.zeros(1, np.float32),
        [(np.array([[0.9, 0.0], [0.1, 0.4]], np.float32), [(0, 3), (4, 7)])],
    )  # fmt: skip
    assert strongest_token_probs(out).tolist() == pytest.approx([0.9, 0.4])
    assert d.scores(out).tolist() == pytest.approx([0.65 * 0.2 + 0.35 * 0.9, 0.65 * 0.8 + 0.35 * 0.4])


#: Written for this test (not dataset text): blatant name-calling of the kind issue 20 found unmarked.
NAME_CALLING = (
    "The Cuts Are Coming\n\n"
    "The tyrannical regime in the capital and its puppet parliament have once again shown their contempt "
    "for ordinary families, ramming through cuts that only a gang of corrupt cronies could love.\n"
    "These clowns and crooks will stop at nothing to line their own pockets while the rest of us pay.\n"
)


@pytest.mark.slow
def test_name_calling_words_get_a_span() -> None:
    import spinscope
    from spinscope.ingest import document_from_text

    doc = document_from_text(NAME_CALLING, layout="lines")
    analysis = spinscope.load(precision="fp32")(doc)
    shown = {(doc.text[s.start : s.end], s.technique) for s in analysis.spans}
    named = [t for t, tech in shown if tech in {"Name_Calling-Labeling", "Loaded_Language"}]
    hit = " ".join(named).lower()
    assert any(w in hit for w in ("regime", "puppet", "tyrannical", "cronies", "clowns", "crooks")), shown
    assert all(not only_function_words(t) for t, _ in shown), shown


def test_a_stack_reads_the_english_score_and_the_multilingual_probabilities() -> None:
    from spinscope.techniques.detector import Stack

    block = {
        "features": ["english", "context"],
        "weights": [[1.0, 0.5], [2.0, 0.0]],
        "bias": [-0.25, 0.0],
        "stacked": [True, False],
        "thresholds": [0.4, 0.6],
    }
    stack = Stack.from_block(block)
    english = np.array([0.3, 0.7], np.float32)
    got = stack.scores(english, {"context": np.array([0.8, 0.01]), "first": np.array([0.0, 0.0])})
    want0 = 1 / (1 + np.exp(-(np.log(0.3 / 0.7) + 0.5 * np.log(0.8 / 0.2) - 0.25)))
    # Technique 1 is not stacked: it keeps its English score whatever its weights say.
    assert got.tolist() == pytest.approx([want0, 0.7], abs=1e-6)
    with pytest.raises(ValueError, match="English score first"):
        Stack.from_block({**block, "features": ["context", "english"]})
    with pytest.raises(ValueError, match="do not agree"):
        Stack.from_block({**block, "bias": [0.0]})


def test_v3_leaves_the_stack_alone_and_v4_reads_it() -> None:
    v2 = {"thresholds": {"techniques": [0.4, 0.6], "spans": [0.35, 0.35]}}
    block = {
        "token_weight": 0.35, "thresholds": [0.3, 0.5], "span_thresholds": [0.1, 0.45],
        "span_gap": [4, 2], "span_extent": ["sentence", "tokens"], "span_fallback": [False, True],
        "stack": {"features": ["english", "first"], "weights": [[1.0, 1.0], [1.0, 1.0]], "bias": [0.0, 0.0],
                  "stacked": [True, True], "thresholds": [0.2, 0.9]},
    }  # fmt: skip
    model = _Model({**v2, "decoding": block})
    assert Decoding.from_model(model).stack is None  # type: ignore[arg-type]
    d = Decoding.from_model(model, stacked=True)  # type: ignore[arg-type]
    assert d.stack is not None and d.stack.multilingual_features == ("first",)
    assert d.stack.thresholds.tolist() == pytest.approx([0.2, 0.9])


def test_clause_extent_stops_at_the_clause_not_the_sentence() -> None:
    text = "They said , with great pride , that this is the greatest nation on earth ; nobody doubts it ."
    clause = SpanRule(0.5, extent="clause")
    assert _texts(text, decode_technique(text, _output(text, ["greatest"]), 0, clause)) == ["that this is the greatest nation on earth"]
    assert _texts(text, decode_technique(text, _output(text, ["pride"]), 0, clause)) == ["with great pride"]
    # Never past its sentence: a sentence without a clause break is the whole sentence, and no more.
    assert _texts(TEXT, decode_technique(TEXT, _output(TEXT, ["really"]), 0, clause)) == ["Who really believes a word of it ?"]


def test_v4_reads_its_own_span_rules_and_v3_keeps_its_own() -> None:
    v2 = {"thresholds": {"techniques": [0.4, 0.6], "spans": [0.35, 0.35]}}
    block = {
        "token_weight": 0.35, "thresholds": [0.3, 0.5], "span_thresholds": [0.1, 0.45],
        "span_gap": [4, 2], "span_extent": ["sentence", "tokens"], "span_fallback": [False, True],
        "v4": {"span_thresholds": [0.2, 0.45], "span_gap": [2, 2], "span_extent": ["clause", "phrase"], "span_fallback": [False, False]},
    }  # fmt: skip
    model = _Model({**v2, "decoding": block})
    v3 = Decoding.from_model(model)  # type: ignore[arg-type]
    v4 = Decoding.from_model(model, stacked=True)  # type: ignore[arg-type]
    assert v3.rules == (SpanRule(0.1, 4, "sentence", False), SpanRule(0.45, 2, "tokens", True))
    assert v4.rules == (SpanRule(0.2, 2, "clause", False), SpanRule(0.45, 2, "phrase", False))
    assert v4.thresholds.tolist() == v3.thresholds.tolist() and v4.stack is None  # labels stay v3's

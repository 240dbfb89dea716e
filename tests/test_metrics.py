"""Tests of spinscope.metrics and spinscope.official_formats.

Three groups:

* hand-computed cases, with the arithmetic in comments;
* round trips and edge cases of the official file formats;
* agreement with the OFFICIAL SemEval-2023 Task 3 scorers, run as scripts
  (``python scorer-subtask-N.py``) on synthetic files written to tmp_path and on
  the organisers' baseline outputs. These need the shared data (skipped with a
  message where it is absent) and scikit-learn, which the scorers import.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import random
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import pytest

from spinscope.metrics import (
    GENRE_LABELS,
    MetricError,
    SpanLabel,
    genre_macro_f1,
    genre_scores,
    merge_overlapping_spans,
    multilabel_micro_f1,
    span_prf,
)
from spinscope.official_formats import (
    FormatError,
    OfficialScore,
    format_subtask2,
    format_subtask3,
    parse_spans,
    parse_subtask1,
    parse_subtask2,
    parse_subtask3,
    read_label_list,
    read_spans,
    read_subtask1,
    read_subtask2,
    read_subtask3,
    run_official_scorer,
    write_spans,
    write_subtask1,
    write_subtask2,
    write_subtask3,
)

TOL = 1e-6
K = TypeVar("K")


# =========================================================================== subtask 1


def test_genre_hand_computed() -> None:
    gold = {"a": "reporting", "b": "opinion", "c": "opinion", "d": "satire"}
    pred = {"a": "reporting", "b": "opinion", "c": "reporting", "d": "opinion"}
    s = genre_scores(gold, pred)
    # reporting: TP=1 (a), FP=1 (c), FN=0 -> F1 = 2/(2+1+0) = 2/3
    # opinion:   TP=1 (b), FP=1 (d), FN=1 (c) -> F1 = 2/(2+1+1) = 1/2
    # satire:    TP=0, FP=0, FN=1 (d) -> F1 = 0
    # macro = (2/3 + 1/2 + 0) / 3 = 7/18; micro = accuracy = 2/4
    assert s.per_label["reporting"].f1 == pytest.approx(2 / 3)
    assert s.per_label["opinion"].f1 == pytest.approx(1 / 2)
    assert s.per_label["satire"].f1 == 0.0
    assert s.per_label["satire"].precision == 0.0  # 0/0 -> 0 (zero_division=0)
    assert s.macro_f1 == pytest.approx(7 / 18)
    assert genre_macro_f1(gold, pred) == pytest.approx(7 / 18)
    assert s.micro_f1 == pytest.approx(0.5)
    assert s.accuracy == pytest.approx(0.5)
    assert s.per_label["opinion"].support == 2 and s.per_label["opinion"].predicted == 2
    assert s.averaged_labels == ("opinion", "reporting", "satire")


def test_genre_macro_runs_over_present_classes_only() -> None:
    gold = {"a": "reporting", "b": "opinion"}
    pred = {"a": "reporting", "b": "reporting"}
    # reporting: TP=1, FP=1 -> 2/3; opinion: FN=1 -> 0; satire: in neither -> not averaged
    # official (sklearn without labels=): (2/3 + 0) / 2 = 1/3
    s = genre_scores(gold, pred)
    assert s.averaged_labels == ("opinion", "reporting")
    assert s.macro_f1 == pytest.approx(1 / 3)
    # over all three classes instead: (2/3 + 0 + 0) / 3 = 2/9
    assert genre_scores(gold, pred, average_over="labels").macro_f1 == pytest.approx(2 / 9)


def test_genre_missing_and_extra_ids() -> None:
    gold = {"a": "reporting", "b": "opinion"}
    pred = {"a": "reporting", "x": "satire"}
    s = genre_scores(gold, pred)
    # a correct (reporting TP=1); b missing -> opinion FN=1, no FP; x ignored
    # present classes {reporting, opinion}: macro = (1 + 0) / 2 = 0.5
    # micro = 2*1 / (2*1 + 0 + 1) = 2/3; accuracy = 1/2
    assert s.macro_f1 == pytest.approx(0.5)
    assert s.micro_f1 == pytest.approx(2 / 3)
    assert s.accuracy == pytest.approx(0.5)
    assert s.missing == ("b",) and s.extra == ("x",)
    with pytest.raises(MetricError, match=r"\[E501\].*without prediction.*'b'.*not in the gold.*'x'"):
        genre_scores(gold, pred, strict=True)


def test_genre_unknown_label_and_empty_input() -> None:
    with pytest.raises(MetricError, match=r"\[E500\].*'news'"):
        genre_macro_f1({"a": "reporting"}, {"a": "news"})
    with pytest.raises(MetricError, match=r"\[E502\]"):
        genre_macro_f1({"a": "reporting"}, {"a": ["reporting"]})  # type: ignore[dict-item]
    assert genre_macro_f1({}, {}) == 0.0
    assert genre_scores({}, {"a": "opinion"}).micro_f1 == 0.0
    # nothing predicted at all: every present class scores 0
    assert genre_macro_f1({"a": "opinion"}, {}) == 0.0
    assert isinstance(MetricError("E500", "x", "y"), ValueError)


# =========================================================================== subtasks 2 and 3

LABELS4 = ("A", "B", "C", "D")


def test_multilabel_hand_computed() -> None:
    gold = {"1": {"A", "B"}, "2": set(), "3": {"C"}}
    pred = {"1": {"A"}, "2": {"B"}, "3": ["C", "C"]}
    s = multilabel_micro_f1(gold, pred, LABELS4)
    # A: TP=1 -> 1; B: FN=1 (article 1), FP=1 (article 2) -> 2*0/(0+1+1) = 0
    # C: TP=1 -> 1 (the repeated C counts once); D: no gold, no pred -> 0/0 -> 1 (zero_division=1)
    # macro = (1 + 0 + 1 + 1) / 4 = 0.75
    # micro: TP=2, FP=1, FN=1 -> P = 2/3, R = 2/3, F1 = 4/(4+1+1) = 2/3
    assert [s.per_label[x].f1 for x in LABELS4] == [1.0, 0.0, 1.0, 1.0]
    assert s.macro_f1 == pytest.approx(0.75)
    assert (s.tp, s.fp, s.fn) == (2, 1, 1)
    assert s.micro_precision == pytest.approx(2 / 3)
    assert s.micro_recall == pytest.approx(2 / 3)
    assert s.micro_f1 == pytest.approx(2 / 3)
    b = s.per_label["B"]
    assert (b.support, b.predicted, b.tp, b.precision, b.recall) == (1, 1, 0, 0.0, 0.0)
    # with zero_division=0 the unused label D scores 0: macro = (1 + 0 + 1 + 0) / 4
    assert multilabel_micro_f1(gold, pred, LABELS4, zero_division=0.0).macro_f1 == pytest.approx(0.5)


def test_multilabel_subtask3_keys_missing_and_unknown() -> None:
    gold = {("10", 1): {"A"}, ("10", 3): {"B", "Zz"}, ("11", 1): set()}
    pred = {("10", 1): {"A"}, ("99", 1): {"C"}}
    s = multilabel_micro_f1(gold, pred, LABELS4)
    # ("10",3) missing -> predicted as {} -> B: FN=1; unknown gold label Zz ignored
    # ("99",1) not in gold -> ignored; TP=1 (A), FP=0, FN=1
    # micro P = 1/1, R = 1/2, F1 = 2/(2+0+1) = 2/3
    assert (s.tp, s.fp, s.fn) == (1, 0, 1)
    assert s.micro_precision == 1.0 and s.micro_recall == 0.5
    assert s.micro_f1 == pytest.approx(2 / 3)
    # ("11",1) has no prediction either, but its empty gold set makes that harmless
    assert s.missing == (("10", 3), ("11", 1)) and s.extra == (("99", 1),)
    assert s.ignored_gold_labels == {"Zz": 1}
    # macro: A=1, B=0, C: 0/0 -> 1 (the extra key's C does not count), D=1 -> 3/4
    assert s.macro_f1 == pytest.approx(0.75)
    with pytest.raises(MetricError, match=r"\[E501\]"):
        multilabel_micro_f1(gold, pred, LABELS4, strict=True)
    with pytest.raises(MetricError, match=r"\[E500\].*'Zz'"):
        multilabel_micro_f1(gold, {("10", 1): {"Zz"}}, LABELS4)
    with pytest.raises(MetricError, match=r"\[E502\].*collection"):
        multilabel_micro_f1({"1": {"A"}}, {"1": "A"}, LABELS4)


def test_multilabel_empty_inputs() -> None:
    # no gold keys: nothing to score -> every value 0.0 (the official scorer refuses to score)
    s = multilabel_micro_f1({}, {}, LABELS4)
    assert (s.micro_precision, s.micro_recall, s.micro_f1, s.macro_f1) == (0.0, 0.0, 0.0, 0.0)
    assert all(x.f1 == 0.0 for x in s.per_label.values())
    # keys but no label anywhere: 0/0 everywhere -> zero_division (official 1.0)
    s = multilabel_micro_f1({"1": set()}, {"1": set()}, LABELS4)
    assert s.micro_f1 == 1.0 and s.macro_f1 == 1.0
    assert multilabel_micro_f1({"1": set()}, {"1": set()}, LABELS4, zero_division=0.0).micro_f1 == 0.0
    # gold labels, empty predictions: TP=0, FN=2 -> micro F1 = 0; P = 0/0 -> zero_division
    s = multilabel_micro_f1({"1": {"A"}, "2": {"B"}}, {"1": [], "2": []}, LABELS4)
    assert s.micro_f1 == 0.0 and s.micro_recall == 0.0 and s.micro_precision == 1.0
    # A=0, B=0, C=1, D=1 -> macro 0.5
    assert s.macro_f1 == pytest.approx(0.5)
    assert multilabel_micro_f1({"1": {"A"}}, {}, LABELS4).micro_f1 == 0.0


# =========================================================================== spans


def test_span_partial_overlap() -> None:
    s = span_prf([("d", "LL", 0, 10)], [("d", "LL", 5, 15)])
    # |[0,10) ∩ [5,15)| = 5: precision credit 5/10, recall credit 5/10
    # P = 0.5/1, R = 0.5/1, F1 = 0.5
    assert (s.precision, s.recall, s.f1) == (0.5, 0.5, 0.5)
    assert (s.n_gold, s.n_pred) == (1, 1)


def test_span_multiple_techniques_and_missing_doc() -> None:
    gold: list[SpanLabel] = [("d", "LL", 0, 10), ("d", "NC", 20, 30), ("e", "LL", 0, 4)]
    pred: list[SpanLabel] = [("d", "LL", 0, 5), ("d", "NC", 0, 10), ("d", "NC", 25, 35)]
    s = span_prf(gold, pred)
    # (d,LL,[0,5))  vs gold LL [0,10): ∩=5 -> prec 5/5 = 1,   rec 5/10 = 0.5
    # (d,NC,[0,10)) vs gold NC [20,30): ∩=0; the LL gold it covers does not count -> 0
    # (d,NC,[25,35)) vs gold NC [20,30): ∩=5 -> prec 5/10 = 0.5, rec 5/10 = 0.5
    # doc e: no prediction -> its gold span adds 0 recall credit
    # P = (1 + 0 + 0.5)/3 = 0.5; R = (0.5 + 0.5 + 0)/3 = 1/3; F1 = 2*(1/2)(1/3)/(1/2+1/3) = 0.4
    assert s.precision == pytest.approx(0.5)
    assert s.recall == pytest.approx(1 / 3)
    assert s.f1 == pytest.approx(0.4)
    ll, nc = s.per_technique["LL"], s.per_technique["NC"]
    # LL: P = 1/1, R = 0.5/2 = 0.25, F1 = 2*0.25/1.25 = 0.4
    assert (ll.precision, ll.recall, ll.support, ll.predicted) == (1.0, 0.25, 2, 1)
    assert ll.f1 == pytest.approx(0.4)
    # NC: P = 0.5/2 = 0.25, R = 0.5/1 = 0.5, F1 = 2*0.125/0.75 = 1/3
    assert (nc.precision, nc.recall) == (0.25, 0.5)
    assert nc.f1 == pytest.approx(1 / 3)
    assert list(s.per_technique) == ["LL", "NC"]

    # ignoring techniques (span identification): in doc d the predictions [0,5) and
    # [0,10) now overlap and merge into [0,10). Pairs: [0,10) vs [0,10): ∩=10 -> 1, 1;
    # [25,35) vs [20,30): ∩=5 -> 0.5, 0.5. P = 1.5/2 = 0.75, R = 1.5/3 = 0.5, F1 = 0.6
    si = span_prf(gold, pred, ignore_techniques=True)
    assert (si.precision, si.recall) == (0.75, 0.5)
    assert si.f1 == pytest.approx(0.6)
    assert si.merged_pred == 1 and si.per_technique == {}


def test_span_one_prediction_over_two_gold_spans() -> None:
    s = span_prf([("d", "LL", 0, 4), ("d", "LL", 6, 10)], [("d", "LL", 0, 10)])
    # prec credit = 4/10 + 4/10 = 0.8 over 1 prediction; rec credit = 4/4 + 4/4 = 2 over 2 gold
    # P = 0.8, R = 1, F1 = 2*0.8/1.8 = 8/9
    assert s.precision == pytest.approx(0.8)
    assert s.recall == pytest.approx(1.0)
    assert s.f1 == pytest.approx(8 / 9)


def test_span_merging_rules() -> None:
    # gold [0,10) and [5,15) share characters -> one gold span [0,15)
    s = span_prf([("d", "LL", 0, 10), ("d", "LL", 5, 15)], [("d", "LL", 0, 15)])
    assert (s.n_gold, s.merged_gold, s.f1) == (1, 1, 1.0)
    # overlapping same-technique predictions merge into [0,10) -> exact match
    pred: list[SpanLabel] = [("d", "LL", 0, 6), ("d", "LL", 4, 10)]
    s = span_prf([("d", "LL", 0, 10)], pred)
    assert (s.n_pred, s.merged_pred, s.f1) == (1, 1, 1.0)
    with pytest.raises(MetricError, match=r"\[E503\].*overlap"):
        span_prf([("d", "LL", 0, 10)], pred, overlapping_predictions="raise")
    # touching spans share no character and stay apart: each prec 5/5 = 1 -> P = 2/2;
    # recall credit 5/10 + 5/10 = 1 over 1 gold -> R = 1
    s = span_prf([("d", "LL", 0, 10)], [("d", "LL", 0, 5), ("d", "LL", 5, 10)])
    assert (s.n_pred, s.precision, s.recall) == (2, 1.0, 1.0)
    # different techniques never merge, and identical spans of two techniques both count
    s = span_prf([("d", "LL", 0, 10), ("d", "NC", 0, 10)], [("d", "NC", 0, 10), ("d", "LL", 0, 10)])
    assert (s.n_gold, s.n_pred, s.f1) == (2, 2, 1.0)
    assert merge_overlapping_spans([(5, 9), (0, 3), (2, 4), (9, 12), (10, 11)]) == [(0, 4), (5, 9), (9, 12)]


def test_span_empty_and_invalid() -> None:
    empty = span_prf([], [])
    assert (empty.precision, empty.recall, empty.f1, empty.n_gold, empty.n_pred) == (0.0, 0.0, 0.0, 0, 0)
    s = span_prf([("d", "LL", 0, 5)], [])  # no prediction: P = 0 (0 predictions), R = 0/1
    assert (s.precision, s.recall, s.f1) == (0.0, 0.0, 0.0)
    s = span_prf([], [("d", "LL", 0, 5)])  # no gold: P = 0/1, R = 0 (0 gold)
    assert (s.precision, s.recall, s.f1) == (0.0, 0.0, 0.0)
    for bad in [
        ("d", "LL", 5, 5),
        ("d", "LL", 6, 5),
        ("d", "LL", -1, 5),
        ("d", "LL", 0.0, 5),
        ("d", "LL", 0),
    ]:
        with pytest.raises(MetricError, match=r"\[E503\]"):
            span_prf([], [bad])  # type: ignore[list-item]
    s = span_prf([("d", "LL", 0, 5)], [("d", "LL", 0, 5)], techniques=["NC", "LL", "Doubt"])
    assert list(s.per_technique) == ["NC", "LL", "Doubt"]
    assert s.per_technique["Doubt"].f1 == 0.0 and s.per_technique["LL"].f1 == 1.0
    with pytest.raises(MetricError, match=r"\[E500\].*'XX'"):
        span_prf([("d", "XX", 0, 5)], [], techniques=["LL"])


def _reference_flc(gold: list[SpanLabel], pred: list[SpanLabel]) -> tuple[float, float]:
    """Slow reference written from the paper's definition: spans as character sets.

    Same-technique spans of a document that share a character are merged by
    repeated pairwise union until none overlap; then every pair of predicted and
    gold sets with the same document and technique adds |s∩t|/|s| and |s∩t|/|t|.
    """

    def sets(spans: list[SpanLabel]) -> list[tuple[str, str, set[int]]]:
        out: list[tuple[str, str, set[int]]] = []
        for doc, tech, start, end in spans:
            cur = set(range(start, end))
            changed = True
            while changed:
                changed = False
                for item in out:
                    if item[0] == doc and item[1] == tech and item[2] & cur:
                        cur |= item[2]
                        out.remove(item)
                        changed = True
                        break
            out.append((doc, tech, cur))
        return out

    g, p = sets(gold), sets(pred)
    prec = sum(len(s & t) / len(s) for d1, t1, s in p for d2, t2, t in g if d1 == d2 and t1 == t2)
    rec = sum(len(s & t) / len(t) for d1, t1, s in p for d2, t2, t in g if d1 == d2 and t1 == t2)
    return (prec / len(p) if p else 0.0), (rec / len(g) if g else 0.0)


@pytest.mark.parametrize("seed", range(25))
def test_span_matches_character_set_reference(seed: int) -> None:
    rng = random.Random(seed)

    def spans(n: int) -> list[SpanLabel]:
        out: list[SpanLabel] = []
        for _ in range(n):
            start = rng.randrange(0, 60)
            out.append(
                (rng.choice("xy"), rng.choice(["LL", "NC", "Doubt"]), start, start + rng.randrange(1, 15))
            )
        return out

    gold, pred = spans(rng.randrange(0, 12)), spans(rng.randrange(0, 12))
    p, r = _reference_flc(gold, pred)
    s = span_prf(gold, pred)
    assert s.precision == pytest.approx(p, abs=1e-12)
    assert s.recall == pytest.approx(r, abs=1e-12)
    assert s.f1 == pytest.approx(2 * p * r / (p + r) if p > 0 and r > 0 else 0.0, abs=1e-12)


# =========================================================================== formats


def test_subtask1_round_trip(tmp_path: Path) -> None:
    preds = {"111": "opinion", "112": "reporting", "113": "satire"}
    path = write_subtask1(tmp_path / "p1.txt", preds, GENRE_LABELS)
    assert path.read_bytes() == b"111\topinion\n112\treporting\n113\tsatire\n"
    assert read_subtask1(path, GENRE_LABELS) == preds
    assert write_subtask1(tmp_path / "empty.txt", {}).read_text() == ""
    assert read_subtask1(tmp_path / "empty.txt") == {}


def test_subtask2_round_trip(tmp_path: Path) -> None:
    preds = {"111": {"Morality", "Economic"}, "112": set(), "113": ["Political"]}
    path = write_subtask2(tmp_path / "p2.txt", preds, ["Economic", "Morality", "Political"])
    # labels in the list's order; an empty list is written as id<TAB> like the gold files
    assert path.read_text() == "111\tEconomic,Morality\n112\t\n113\tPolitical\n"
    assert read_subtask2(path) == {"111": {"Morality", "Economic"}, "112": set(), "113": {"Political"}}
    # without a label list: alphabetical
    assert format_subtask2({"1": {"b", "a"}}) == "1\ta,b\n"


def test_subtask3_round_trip(tmp_path: Path) -> None:
    preds = {("111", 1): set(), ("111", 3): {"Slogans", "Doubt"}, ("112", 14): {"Loaded_Language"}}
    path = write_subtask3(tmp_path / "p3.txt", preds)
    assert path.read_text() == "111\t1\t\n111\t3\tDoubt,Slogans\n112\t14\tLoaded_Language\n"
    assert read_subtask3(path) == preds
    with pytest.raises(FormatError, match=r"\[E516\]"):
        format_subtask3({("1", True): set()})  # a bool is not a line number


def test_spans_round_trip(tmp_path: Path) -> None:
    spans: list[SpanLabel] = [
        ("111", "Doubt", 0, 12),
        ("111", "Loaded_Language", 5, 9),
        ("112", "Doubt", 3, 4),
    ]
    path = write_spans(tmp_path / "spans.txt", spans)
    assert path.read_text().splitlines()[0] == "111\tDoubt\t0\t12"
    assert read_spans(path) == spans
    folder = tmp_path / "per-article"
    folder.mkdir()
    write_spans(folder / "article112-labels.txt", spans[2:])
    write_spans(folder / "article111-labels.txt", spans[:2])
    (folder / "._article111-labels.txt").write_bytes(b"\x00\x05junk")  # macOS junk is skipped
    assert read_spans(folder) == spans
    with pytest.raises(FormatError, match=r"\[E513\]"):
        parse_spans("1\tDoubt\t5\t5\n")
    with pytest.raises(FormatError, match=r"\[E512\]"):
        parse_spans("1\tDoubt\t-1\t5\n")
    with pytest.raises(FormatError, match=r"\[E514\].*unknown"):
        parse_spans("1\tDoubt\t0\t5\n", labels=["Slogans"])
    with pytest.raises(FormatError, match=r"\[E513\]"):
        write_spans(tmp_path / "bad.txt", [("1", "Doubt", 4, 2)])


def test_readers_accept_what_the_official_scorers_accept() -> None:
    # universal newlines and trailing whitespace after the label, as the scorers read them
    assert parse_subtask1("1\topinion\r\n2\tsatire \t\r3\treporting") == {
        "1": "opinion",
        "2": "satire",
        "3": "reporting",
    }
    assert parse_subtask2("1\t\r\n2\tA,B\r\n3\tB,A,A\n") == {"1": set(), "2": {"A", "B"}, "3": {"A", "B"}}
    # subtask 3: no third column, or an empty one, both mean no technique
    assert parse_subtask3("1\t1\n1\t2\t\n1\t3\tX,Y  \n") == {
        ("1", 1): set(),
        ("1", 2): set(),
        ("1", 3): {"X", "Y"},
    }


@pytest.mark.parametrize(
    ("parse", "text", "code"),
    [
        (parse_subtask1, "1\topinion\n\n2\tsatire\n", "E511"),  # blank line: the scorer crashes
        (parse_subtask1, "1\topinion\textra\n", "E511"),
        (parse_subtask1, "1\t\n", "E511"),
        (parse_subtask1, "\ufeff1\topinion\n", "E510"),  # BOM would become part of the id
        (parse_subtask1, "1\topinion\n1\tsatire\n", "E515"),  # the scorer silently keeps the last
        (parse_subtask1, " 1\topinion\n", "E511"),
        (parse_subtask2, "1 Economic\n", "E511"),  # no TAB: the scorer exits
        (parse_subtask2, "1\tA\n2\t", "E514"),  # last 'id<TAB>' without newline reads as label ''
        (parse_subtask2, "1\t  \n", "E514"),
        (parse_subtask2, "1\tA,,B\n", "E514"),
        (parse_subtask2, "1\tA,\n", "E514"),
        (parse_subtask2, "1\tA, B\n", "E514"),
        (parse_subtask2, "1\tA\tB\n", "E511"),
        (parse_subtask3, "1\n", "E511"),
        (parse_subtask3, "1\t2\t\tA\n", "E511"),
        (parse_subtask3, "1\t02\tA\n", "E512"),  # '02' != '2' for the scorer's string keys
        (parse_subtask3, "1\tx\tA\n", "E512"),
        (parse_subtask3, "1\t2\tA\n1\t2\tB\n", "E515"),
    ],
)
def test_readers_reject_what_the_official_scorers_refuse_or_misread(
    parse: Callable[[str], object], text: str, code: str
) -> None:
    with pytest.raises(FormatError, match=rf"\[{code}\]") as info:
        parse(text)
    error = info.value
    # One coded line naming the input (and the line, where there is one) and the problem.
    assert error.code == code and error.subject.startswith("<string>") and error.problem
    assert str(error) == f"[{code}] {error.subject}: {error.problem}" and "\n" not in str(error)
    if code != "E510":  # E510 is about the whole file (its encoding or BOM)
        assert re.fullmatch(r"<string>:\d+", error.subject), error.subject


def test_reader_labels_and_errors(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match=r"\[E514\].*'Economy'"):
        parse_subtask2("1\tEconomy\n", labels=["Economic"])
    with pytest.raises(FormatError, match=r"\[E510\].*not found"):
        read_subtask1(tmp_path / "nope.txt")
    (tmp_path / "latin1.txt").write_bytes(b"1\topini\xf3n\n")
    with pytest.raises(FormatError, match=r"\[E510\].*UTF-8"):
        read_subtask1(tmp_path / "latin1.txt")
    (tmp_path / "labels.txt").write_text("A\nB\n\n")
    with pytest.raises(FormatError, match=r"\[E511\]"):
        read_label_list(tmp_path / "labels.txt")  # the scorers would count '' as a label


@pytest.mark.parametrize("bad", ["a,b", "a\tb", " a", "", "a\nb"])
def test_writers_refuse_values_that_break_the_format(bad: str) -> None:
    with pytest.raises(FormatError, match=r"\[E516\]"):
        format_subtask2({"1": {bad}})
    with pytest.raises(FormatError, match=r"\[E516\]"):
        format_subtask3({("1", 1): [bad]})


def test_writers_refuse_unknown_labels_and_strings(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match=r"\[E514\]"):
        format_subtask2({"1": {"X"}}, labels=["A"])
    with pytest.raises(FormatError, match=r"\[E516\].*string"):
        format_subtask2({"1": "Economic"})  # a string is not a collection of labels
    with pytest.raises(FormatError, match=r"\[E514\]"):
        write_subtask1(tmp_path / "p1.txt", {"1": "news"}, GENRE_LABELS)
    assert not (tmp_path / "p1.txt").exists()  # nothing is written when a value is refused


# =========================================================================== official scorers


def _data_dir() -> Path:
    env = os.environ.get("SPINSCOPE_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared" / "data"


TASK3 = _data_dir() / "semeval2023-task3"
SCORERS = TASK3 / "scorers"


@pytest.fixture
def scorers() -> Path:
    if not (SCORERS / "scorer-subtask-1.py").is_file():
        pytest.skip(
            f"official SemEval-2023 Task 3 scorers not found under {_data_dir()} (set SPINSCOPE_DATA)"
        )
    if importlib.util.find_spec("sklearn") is None:
        pytest.skip("the official scorers need scikit-learn: pip install scikit-learn")
    return SCORERS


Job = tuple[int, Path, Path, Path | None]


def _run_all(jobs: list[Job], scorers_dir: Path) -> list[OfficialScore]:
    """Run several official scorer processes at once (each spends ~2 s importing sklearn)."""

    def run(job: Job) -> OfficialScore:
        subtask, gold, pred, label_file = job
        return run_official_scorer(subtask, gold, pred, scorers_dir, label_file=label_file)

    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        return list(pool.map(run, jobs))


FRAMES = ("Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta")  # Zeta is never used


def _random_genre(
    rng: random.Random, n: int, classes: tuple[str, ...]
) -> tuple[dict[str, str], dict[str, str]]:
    gold = {str(100000 + i): rng.choice(classes) for i in range(n)}
    pred = {k: (v if rng.random() < 0.5 else rng.choice(classes)) for k, v in gold.items()}
    keys = list(pred)
    rng.shuffle(keys)  # the scorers match by id, not by position
    return gold, {k: pred[k] for k in keys}


def _random_sets(
    rng: random.Random, keys: list[K], density: float
) -> tuple[dict[K, set[str]], dict[K, set[str]]]:
    used = FRAMES[:-1]
    gold = {k: {x for x in used if rng.random() < density} for k in keys}
    pred = {k: {x for x in used if (x in v) != (rng.random() < 0.25)} for k, v in gold.items()}
    return gold, pred


def test_official_scorer_agreement_on_synthetic_files(scorers: Path, tmp_path: Path) -> None:
    label_file = tmp_path / "labels.txt"
    label_file.write_text("".join(f"{x}\n" for x in FRAMES), encoding="utf-8")
    jobs: list[Job] = []
    ours: list[tuple[float, float]] = []  # (official metric, second metric) as each scorer prints them
    features: set[str] = set()
    # subtask 1 with two classes only: sklearn then averages over 2 classes, not 3
    rng = random.Random(1)
    gold1, pred1 = _random_genre(rng, 40, ("reporting", "opinion"))
    g, p = write_subtask1(tmp_path / "g1.txt", gold1), write_subtask1(tmp_path / "p1.txt", pred1)
    s1 = genre_scores(read_subtask1(g), read_subtask1(p), strict=True)
    if s1.averaged_labels == ("opinion", "reporting"):
        features.add("two-class average")
    jobs.append((1, g, p, None))
    ours.append((s1.macro_f1, s1.micro_f1))
    # subtasks 2 and 3: sparse random label sets, many empty, label Zeta never used
    gold2, pred2 = _random_sets(rng, [str(200000 + i) for i in range(30)], 0.25)
    g, p = write_subtask2(tmp_path / "g2.txt", gold2), write_subtask2(tmp_path / "p2.txt", pred2)
    s2 = multilabel_micro_f1(read_subtask2(g), read_subtask2(p), FRAMES, strict=True)
    if s2.per_label["Zeta"].f1 == 1.0 and any(not v for v in gold2.values()):
        features.add("unused label")
    jobs.append((2, g, p, label_file))
    ours.append((s2.micro_f1, s2.macro_f1))
    keys = [(str(300000 + d), line) for d in range(5) for line in range(1, 12, 2)]
    gold3, pred3 = _random_sets(rng, keys, 0.25)
    g, p = write_subtask3(tmp_path / "g3.txt", gold3), write_subtask3(tmp_path / "p3.txt", pred3)
    s3 = multilabel_micro_f1(read_subtask3(g), read_subtask3(p), FRAMES, strict=True)
    jobs.append((3, g, p, label_file))
    ours.append((s3.micro_f1, s3.macro_f1))

    # files in the forms the scorers tolerate but our writers never produce:
    # CRLF, trailing whitespace, 'id<TAB>line' without third column, unsorted labels
    variants = {
        1: (
            "1\treporting\n2\topinion\n3\tsatire\n4\topinion\n",
            "4\topinion \r\n3\treporting\t\r\n1\treporting\r\n2\tsatire",
        ),
        2: ("1\tAlpha,Beta\n2\t\n3\tGamma\n", "3\tGamma,Alpha\r\n2\t\r\n1\tBeta,Beta\r\n"),
        3: ("1\t1\t\n1\t3\tAlpha\n2\t1\tBeta,Gamma\n", "2\t1\tGamma\r\n1\t3\r\n1\t1\tDelta,Alpha  \r\n"),
    }
    for subtask, (gold_text, pred_text) in variants.items():
        g, p = tmp_path / f"vg{subtask}.txt", tmp_path / f"vp{subtask}.txt"
        g.write_bytes(gold_text.encode())
        p.write_bytes(pred_text.encode())
        if subtask == 1:
            s = genre_scores(read_subtask1(g), read_subtask1(p), strict=True)
            ours.append((s.macro_f1, s.micro_f1))
            jobs.append((1, g, p, None))
        else:
            if subtask == 2:
                m = multilabel_micro_f1(read_subtask2(g), read_subtask2(p), FRAMES, strict=True)
            else:
                m = multilabel_micro_f1(read_subtask3(g), read_subtask3(p), FRAMES, strict=True)
            ours.append((m.micro_f1, m.macro_f1))
            jobs.append((subtask, g, p, label_file))

    results = _run_all(jobs, scorers)
    for job, official, mine in zip(jobs, results, ours, strict=True):
        assert official.accepted, f"official scorer refused {job}: {official.output}"
        assert official.primary == pytest.approx(mine[0], abs=TOL), job
        assert official.secondary == pytest.approx(mine[1], abs=TOL), job
    # the synthetic cases exercise a class absent from gold and predictions (subtask 1,
    # seed 2: averaged over 2 classes) and an unused label scoring 1.0 in the macro (Zeta)
    assert features == {"two-class average", "unused label"}


def test_official_scorer_and_ours_refuse_the_same_files(scorers: Path, tmp_path: Path) -> None:
    label_file = tmp_path / "labels.txt"
    label_file.write_text("".join(f"{x}\n" for x in FRAMES), encoding="utf-8")
    gold1 = tmp_path / "g1.txt"
    gold1.write_text("1\topinion\n2\tsatire\n")
    missing = tmp_path / "p1.txt"
    missing.write_text("1\topinion\n")
    gold2 = tmp_path / "g2.txt"
    gold2.write_text("1\tAlpha\n2\t\n")
    no_newline = tmp_path / "p2.txt"
    no_newline.write_bytes(b"1\tAlpha\n2\t")
    gold3 = tmp_path / "g3.txt"
    gold3.write_text("1\t1\tAlpha\n")
    unknown = tmp_path / "p3.txt"
    unknown.write_text("1\t1\tOmega\n")
    jobs: list[Job] = [
        (1, gold1, missing, None),
        (2, gold2, no_newline, label_file),
        (3, gold3, unknown, label_file),
    ]
    for official in _run_all(jobs, scorers):
        assert not official.accepted and not official.crashed, official.output

    with pytest.raises(MetricError, match=r"\[E501\]"):
        genre_scores(read_subtask1(gold1), read_subtask1(missing), strict=True)
    with pytest.raises(FormatError, match=r"\[E514\]"):
        read_subtask2(no_newline)
    with pytest.raises(FormatError, match=r"\[E514\]"):
        read_subtask3(unknown, FRAMES)
    with pytest.raises(MetricError, match=r"\[E500\]"):
        multilabel_micro_f1(read_subtask3(gold3), read_subtask3(unknown), FRAMES)


# the organisers' README: official scores of the baselines on en dev
EN_DEV_BASELINE = {1: 0.252, 2: 0.605, 3: 0.161}


def _ours_on_files(subtask: int, gold: Path, pred: Path) -> tuple[float, float]:
    """(official metric, second metric) computed by spinscope from two official files."""
    if subtask == 1:
        s = genre_scores(read_subtask1(gold), read_subtask1(pred, GENRE_LABELS), strict=True)
        return s.macro_f1, s.micro_f1
    labels = read_label_list(SCORERS / ("frames_subtask2.txt" if subtask == 2 else "techniques_subtask3.txt"))
    if subtask == 2:
        m = multilabel_micro_f1(read_subtask2(gold), read_subtask2(pred, labels), labels, strict=True)
    else:
        m = multilabel_micro_f1(read_subtask3(gold), read_subtask3(pred, labels), labels, strict=True)
    return m.micro_f1, m.macro_f1


def test_en_dev_baselines_reproduce_the_official_scores(scorers: Path) -> None:
    jobs: list[Job] = []
    for subtask in (1, 2, 3):
        gold = TASK3 / "data" / "en" / f"dev-labels-subtask-{subtask}.txt"
        pred = TASK3 / "baselines" / f"baseline-output-subtask{subtask}-dev-en.txt"
        if not (gold.is_file() and pred.is_file()):
            pytest.skip(f"en dev gold or baseline output missing under {TASK3}")
        jobs.append((subtask, gold, pred, None))
    results = _run_all(jobs, scorers)
    for (subtask, gold, pred, _), official in zip(jobs, results, strict=True):
        primary, secondary = _ours_on_files(subtask, gold, pred)
        assert round(primary, 3) == EN_DEV_BASELINE[subtask], subtask
        assert official.primary == pytest.approx(primary, abs=TOL), official.output
        assert official.secondary == pytest.approx(secondary, abs=TOL), official.output


@pytest.mark.dataset
def test_gold_spans_score_perfectly_against_themselves() -> None:
    folder = TASK3 / "data" / "en" / "dev-labels-subtask-3-spans"
    techniques = TASK3 / "scorers" / "techniques_subtask3.txt"
    if not folder.is_dir() or not techniques.is_file():
        pytest.skip(f"en dev spans not found under {TASK3} (set SPINSCOPE_DATA)")
    spans = read_spans(folder, read_label_list(techniques))
    s = span_prf(spans, spans, techniques=read_label_list(techniques))
    assert s.f1 == pytest.approx(1.0)
    assert s.n_gold == len(spans) - s.merged_gold
    # dropping every second gold span halves the recall side only
    half = span_prf(spans, [x for i, x in enumerate(sorted(set(spans))) if i % 2 == 0])
    assert half.precision == pytest.approx(1.0) and 0.0 < half.recall < 1.0


def test_permutations_do_not_change_scores() -> None:
    gold = {str(i): {"A", "B"} if i % 2 else {"C"} for i in range(6)}
    pred = {str(i): {"A"} if i % 3 else {"C", "D"} for i in range(6)}
    base = multilabel_micro_f1(gold, pred, LABELS4)
    for perm in itertools.islice(itertools.permutations(list(pred)), 5):
        shuffled = {k: pred[k] for k in perm}
        again = multilabel_micro_f1(gold, shuffled, LABELS4)
        assert (again.micro_f1, again.macro_f1) == (base.micro_f1, base.macro_f1)

"""Evaluation metrics for SemEval-2023 Task 3, identical to the official scorers.

Three metrics, each written from the definition the official scorer
implements (``semeval2023-task3/scorers/scorer-subtask-{1,2,3}.py``, read and
re-derived here, not copied) and checked against those scorers by
``tests/test_metrics.py`` and ``benchmarks/official_scorer_agreement.py``:

:func:`genre_macro_f1` / :func:`genre_scores` (subtask 1, news genre)
    The scorer matches predictions to gold by article id and calls
    ``sklearn.metrics.f1_score(gold, pred, average="macro", zero_division=0)``
    **without** a ``labels=`` argument, so the macro average runs over the
    classes that occur in the gold *or* the predicted labels, not over all
    three classes: an article set without satire, where nobody predicts
    satire, is averaged over two classes. Per class ``F1 = 2TP / (2TP+FP+FN)``.
    ``micro_f1`` (the scorer's second number) equals accuracy when every
    article has a prediction.

:func:`multilabel_micro_f1` (subtask 2 frames, subtask 3 paragraph techniques)
    The scorers fit ``MultiLabelBinarizer`` on the official label list and call
    ``f1_score(..., average="micro" | "macro", zero_division=1)``. So: unknown
    gold labels are ignored (sklearn warns), an empty label set is a row of
    zeros, the macro average runs over *every* label of the list, and a label
    with no gold and no predicted occurrence scores F1 = **1.0** (0/0 takes
    ``zero_division=1``); that is what makes the official macro-F1 reproducible.
    Micro ``F1 = 2ΣTP / (2ΣTP + ΣFP + ΣFN)``, again 1.0 when there is no gold
    and no predicted label at all.

:func:`span_prf` (technique spans, as in SemEval-2020 Task 11 / PTC FLC)
    The partial-overlap precision and recall of Da San Martino et al. (EMNLP
    2019), as computed by the PTC ``task-FLC_scorer.py``; see its docstring.

Conventions shared by every function here:

* **Empty input.** When there is nothing to score (no gold items) every score
  is ``0.0``; no function divides by zero. The official scorers refuse an
  empty gold file (subtasks 1-3) or return F1 = 1.0 when gold and predictions
  are both empty (FLC), so these values are our definition, not theirs.
* **Missing and extra ids.** The official scorers refuse a prediction file
  whose ids differ from the gold ids. ``strict=True`` does the same (raises
  :class:`MetricError`). With ``strict=False`` (the default) a gold item with
  no prediction counts as predicted with no label (subtask 1: a miss for its
  gold class, no false positive), and predictions for ids not in the gold are
  ignored; both are listed in the result (``missing``, ``extra``). On files
  the official scorer accepts, both modes give its numbers.
* **Unknown predicted labels** always raise :class:`MetricError`, as the
  official scorers refuse them.

Nothing here needs scikit-learn or numpy; the arithmetic is plain Python.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Literal, TypeVar

from spinscope.errors import SpinscopeError

__all__ = [
    "GENRE_LABELS",
    "GenreScores",
    "LabelScores",
    "MetricError",
    "MultiLabelScores",
    "SpanLabel",
    "SpanScores",
    "SpanTechniqueScores",
    "genre_macro_f1",
    "genre_scores",
    "merge_overlapping_spans",
    "multilabel_micro_f1",
    "span_prf",
]

#: The subtask-1 classes, in the order of the official scorer's ``CLASSES``.
GENRE_LABELS: tuple[str, ...] = ("reporting", "opinion", "satire")

#: ``(doc_id, technique, start, end)``: character offsets, ``end`` exclusive.
SpanLabel = tuple[str, str, int, int]

K = TypeVar("K", bound=Hashable)

_MAX_LISTED = 5  # how many offending ids an error message names


class MetricError(SpinscopeError, ValueError):
    """The inputs of a metric are invalid (unknown label, id mismatch in strict mode, bad span).

    Codes: ``E500`` unknown predicted label, ``E501`` prediction ids differ from
    gold ids (strict mode), ``E502`` malformed value (a string where a label
    collection was expected, a non-string label), ``E503`` invalid span.
    """


class _Code:
    LABEL = "E500"
    IDS = "E501"
    VALUE = "E502"
    SPAN = "E503"


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class LabelScores:
    """Scores of one label.

    ``support`` is the number of gold occurrences, ``predicted`` the number of
    predicted occurrences (over scored items only), ``tp`` those that match.
    Precision, recall and F1 take the metric's ``zero_division`` value when
    their denominator is 0 (see the function that produced them).
    """

    label: str
    precision: float
    recall: float
    f1: float
    support: int
    predicted: int
    tp: int

    def to_dict(self) -> dict[str, object]:
        return {
            "label": self.label,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "support": self.support,
            "predicted": self.predicted,
            "tp": self.tp,
        }


@dataclass(frozen=True, slots=True)
class GenreScores:
    """Subtask-1 scores (see :func:`genre_scores`).

    ``averaged_labels`` are the classes the macro average ran over;
    ``per_label`` lists every class of ``labels`` plus any other gold class.
    """

    macro_f1: float
    micro_f1: float
    accuracy: float
    per_label: dict[str, LabelScores]
    averaged_labels: tuple[str, ...]
    n_gold: int
    missing: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "macro_f1": self.macro_f1,
            "micro_f1": self.micro_f1,
            "accuracy": self.accuracy,
            "averaged_labels": list(self.averaged_labels),
            "n_gold": self.n_gold,
            "missing": list(self.missing),
            "extra": list(self.extra),
            "per_label": {k: v.to_dict() for k, v in self.per_label.items()},
        }


@dataclass(frozen=True, slots=True)
class MultiLabelScores:
    """Subtask-2/3 scores (see :func:`multilabel_micro_f1`).

    ``tp``, ``fp`` and ``fn`` are the label-occurrence counts summed over all
    labels; ``ignored_gold_labels`` counts gold labels outside the label list
    (the official scorer drops them too); ``missing``/``extra`` are the keys
    without a prediction / predicted but not in the gold.
    """

    micro_precision: float
    micro_recall: float
    micro_f1: float
    macro_f1: float
    per_label: dict[str, LabelScores]
    n_gold: int
    tp: int
    fp: int
    fn: int
    missing: tuple[Hashable, ...] = ()
    extra: tuple[Hashable, ...] = ()
    ignored_gold_labels: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "micro_precision": self.micro_precision,
            "micro_recall": self.micro_recall,
            "micro_f1": self.micro_f1,
            "macro_f1": self.macro_f1,
            "n_gold": self.n_gold,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "missing": [list(k) if isinstance(k, tuple) else k for k in self.missing],
            "extra": [list(k) if isinstance(k, tuple) else k for k in self.extra],
            "ignored_gold_labels": dict(self.ignored_gold_labels),
            "per_label": {k: v.to_dict() for k, v in self.per_label.items()},
        }


@dataclass(frozen=True, slots=True)
class SpanTechniqueScores:
    """Span scores of one technique (or of all, in :class:`SpanScores`).

    ``precision = precision_credit / predicted`` and
    ``recall = recall_credit / support``, where ``predicted`` and ``support``
    count spans *after* same-technique overlaps were merged.
    """

    technique: str
    precision: float
    recall: float
    f1: float
    support: int
    predicted: int
    precision_credit: float
    recall_credit: float

    def to_dict(self) -> dict[str, object]:
        return {
            "technique": self.technique,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "support": self.support,
            "predicted": self.predicted,
            "precision_credit": self.precision_credit,
            "recall_credit": self.recall_credit,
        }


@dataclass(frozen=True, slots=True)
class SpanScores:
    """Result of :func:`span_prf`.

    ``n_gold``/``n_pred`` count spans after merging; ``merged_gold`` and
    ``merged_pred`` say how many input spans were absorbed by merging.
    """

    precision: float
    recall: float
    f1: float
    n_gold: int
    n_pred: int
    precision_credit: float
    recall_credit: float
    per_technique: dict[str, SpanTechniqueScores]
    merged_gold: int = 0
    merged_pred: int = 0

    def to_dict(self) -> dict[str, object]:
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "n_gold": self.n_gold,
            "n_pred": self.n_pred,
            "precision_credit": self.precision_credit,
            "recall_credit": self.recall_credit,
            "merged_gold": self.merged_gold,
            "merged_pred": self.merged_pred,
            "per_technique": {k: v.to_dict() for k, v in self.per_technique.items()},
        }


# --------------------------------------------------------------------------- helpers


def _div(num: float, den: float, zero_division: float) -> float:
    return num / den if den else zero_division


def _f1_counts(tp: int, fp: int, fn: int, zero_division: float) -> float:
    """F1 from counts: ``2TP / (2TP + FP + FN)``; ``zero_division`` when that is 0/0.

    Equal to ``2PR / (P + R)`` whenever P and R are defined, and to what
    sklearn returns in every 0/0 case for either ``zero_division`` value.
    """
    return _div(2 * tp, 2 * tp + fp + fn, zero_division)


def _listed(keys: Iterable[object]) -> str:
    keys = list(keys)
    shown = ", ".join(repr(k) for k in keys[:_MAX_LISTED])
    more = f" and {len(keys) - _MAX_LISTED} more" if len(keys) > _MAX_LISTED else ""
    return shown + more


def _check_ids(
    gold: Mapping[K, object], pred: Mapping[K, object], strict: bool
) -> tuple[tuple[K, ...], tuple[K, ...]]:
    missing = tuple(k for k in gold if k not in pred)
    extra = tuple(k for k in pred if k not in gold)
    if strict and (missing or extra):
        parts = []
        if missing:
            parts.append(f"{len(missing)} gold id(s) without prediction ({_listed(missing)})")
        if extra:
            parts.append(f"{len(extra)} predicted id(s) not in the gold ({_listed(extra)})")
        raise MetricError(
            _Code.IDS,
            "pred",
            "prediction ids differ from gold ids, which the official scorer refuses: " + "; ".join(parts),
        )
    return missing, extra


def _unique(labels: Iterable[str]) -> tuple[str, ...]:
    out = tuple(dict.fromkeys(labels))
    for label in out:
        if not isinstance(label, str):
            raise MetricError(_Code.VALUE, "labels", f"labels must be strings, got {label!r}")
    return out


# --------------------------------------------------------------------------- subtask 1


def genre_scores(
    gold: Mapping[str, str],
    pred: Mapping[str, str],
    labels: Sequence[str] = GENRE_LABELS,
    *,
    strict: bool = False,
    average_over: Literal["present", "labels"] = "present",
) -> GenreScores:
    """Subtask-1 scores: macro-F1 (official), micro-F1 and per-class scores.

    Parameters
    ----------
    gold, pred:
        Article id → genre label. Predicted labels must be in ``labels``
        (else :class:`MetricError`, as the official scorer refuses them).
    labels:
        The allowed classes (default :data:`GENRE_LABELS`).
    strict:
        Raise :class:`MetricError` when the prediction ids differ from the
        gold ids, like the official scorer. Otherwise a missing prediction is
        a miss for its gold class (a false negative, no false positive) and
        extra predictions are ignored.
    average_over:
        ``"present"`` (official): average per-class F1 over the sorted set of
        classes that occur among the gold labels or the predictions for gold
        ids, which is what ``f1_score`` does without ``labels=``.
        ``"labels"``: average over every class of ``labels`` (a class absent
        from both gold and predictions then scores 0.0).

    Per class: ``P = TP/(TP+FP)``, ``R = TP/(TP+FN)``, ``F1 = 2TP/(2TP+FP+FN)``,
    each 0.0 when its denominator is 0 (the scorer's ``zero_division=0``).
    ``micro_f1 = 2ΣTP/(2ΣTP+ΣFP+ΣFN)`` (= accuracy when nothing is missing);
    ``accuracy`` = correct / number of gold articles. No gold articles: every
    score is 0.0.
    """
    allowed = _unique(labels)
    for key, value in pred.items():
        if not isinstance(value, str):
            raise MetricError(_Code.VALUE, f"pred[{key!r}]", f"a genre must be a string, got {value!r}")
        if value not in allowed:
            raise MetricError(
                _Code.LABEL, f"pred[{key!r}]", f"unknown label {value!r}; allowed: {', '.join(allowed)}"
            )
    for key, value in gold.items():
        if not isinstance(value, str):
            raise MetricError(_Code.VALUE, f"gold[{key!r}]", f"a genre must be a string, got {value!r}")
    missing, extra = _check_ids(gold, pred, strict)

    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    present: set[str] = set()
    for key, gold_label in gold.items():
        present.add(gold_label)
        pred_label = pred.get(key)
        if pred_label is None:
            fn[gold_label] += 1
            continue
        present.add(pred_label)
        if pred_label == gold_label:
            tp[gold_label] += 1
        else:
            fp[pred_label] += 1
            fn[gold_label] += 1

    # every allowed class, then gold classes outside ``labels`` (the official
    # scorer does not check gold labels, so sklearn counts them as classes)
    table_labels = allowed + tuple(sorted(present - set(allowed)))
    per_label = {
        lab: LabelScores(
            label=lab,
            precision=_div(tp[lab], tp[lab] + fp[lab], 0.0),
            recall=_div(tp[lab], tp[lab] + fn[lab], 0.0),
            f1=_f1_counts(tp[lab], fp[lab], fn[lab], 0.0),
            support=tp[lab] + fn[lab],
            predicted=tp[lab] + fp[lab],
            tp=tp[lab],
        )
        for lab in table_labels
    }
    if not gold:
        return GenreScores(0.0, 0.0, 0.0, per_label, (), 0, missing, extra)

    if average_over == "present":
        averaged = tuple(sorted(present))
    elif average_over == "labels":
        averaged = table_labels
    else:
        raise MetricError(_Code.VALUE, "average_over", f"must be 'present' or 'labels', got {average_over!r}")
    macro = sum(per_label[lab].f1 for lab in averaged) / len(averaged)
    total_tp, total_fp, total_fn = sum(tp.values()), sum(fp.values()), sum(fn.values())
    micro = _f1_counts(total_tp, total_fp, total_fn, 0.0)
    accuracy = total_tp / len(gold)
    return GenreScores(macro, micro, accuracy, per_label, averaged, len(gold), missing, extra)


def genre_macro_f1(
    gold: Mapping[str, str],
    pred: Mapping[str, str],
    labels: Sequence[str] = GENRE_LABELS,
    *,
    strict: bool = False,
) -> float:
    """The official subtask-1 metric: macro-F1 over the genres present (see :func:`genre_scores`).

    Returns 0.0 when ``gold`` is empty.
    """
    return genre_scores(gold, pred, labels, strict=strict).macro_f1


# --------------------------------------------------------------------------- subtasks 2 and 3


def _label_set(value: object, where: str) -> set[str]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise MetricError(
            _Code.VALUE, where, f"expected a collection of labels (set, list, tuple), got {value!r}"
        )
    out = set()
    for label in value:
        if not isinstance(label, str):
            raise MetricError(_Code.VALUE, where, f"labels must be strings, got {label!r}")
        out.add(label)
    return out


def multilabel_micro_f1(
    gold: Mapping[K, Iterable[str]],
    pred: Mapping[K, Iterable[str]],
    labels: Sequence[str],
    *,
    strict: bool = False,
    zero_division: float = 1.0,
) -> MultiLabelScores:
    """Subtask-2/3 scores: micro-F1 (the official metric), macro-F1 and a per-label table.

    Parameters
    ----------
    gold, pred:
        Key → collection of labels. The key is the article id for subtask 2
        and ``(article_id, line_no)`` for subtask 3; any hashable works.
        Duplicate labels in one collection count once; an empty collection
        means "no label".
    labels:
        The official label list (``frames_subtask2.txt`` or
        ``techniques_subtask3.txt``). Gold labels outside it are ignored and
        counted in ``ignored_gold_labels`` (as the scorer's
        ``MultiLabelBinarizer`` does); predicted labels outside it raise
        :class:`MetricError`.
    strict:
        Raise :class:`MetricError` when the prediction keys differ from the gold
        keys. Otherwise a missing key counts as an empty prediction and
        predictions for keys not in the gold are ignored.
    zero_division:
        Value of a precision, recall or F1 whose denominator is 0. The default
        1.0 is the official scorers' ``zero_division=1``; it makes every label
        that neither the gold nor the predictions use count as F1 = 1.0 in the
        macro average. Pass 0.0 for the conservative convention.

    Definitions, with counts over gold keys only: for each label ``TP`` =
    keys whose gold and predicted sets both hold it, ``FP`` = predicted only,
    ``FN`` = gold only. Per label and micro (summed counts):
    ``P = TP/(TP+FP)``, ``R = TP/(TP+FN)``, ``F1 = 2TP/(2TP+FP+FN)``;
    ``macro_f1`` = mean per-label F1 over all of ``labels``. When ``gold`` has
    no keys at all every score is 0.0 (the official scorer refuses to score).
    """
    allowed = _unique(labels)
    allowed_set = set(allowed)
    pred_sets: dict[K, set[str]] = {}
    for key, value in pred.items():
        labs = _label_set(value, f"pred[{key!r}]")
        unknown = labs - allowed_set
        if unknown:
            raise MetricError(
                _Code.LABEL,
                f"pred[{key!r}]",
                f"unknown label(s) {_listed(sorted(unknown))}, which the official scorer refuses",
            )
        pred_sets[key] = labs
    missing, extra = _check_ids(gold, pred, strict)

    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    ignored: Counter[str] = Counter()
    for key, value in gold.items():
        gold_set = _label_set(value, f"gold[{key!r}]")
        for label in gold_set - allowed_set:
            ignored[label] += 1
        gold_set &= allowed_set
        pred_set = pred_sets.get(key, set())
        for label in gold_set & pred_set:
            tp[label] += 1
        for label in pred_set - gold_set:
            fp[label] += 1
        for label in gold_set - pred_set:
            fn[label] += 1

    zd = zero_division if gold else 0.0  # nothing to score: every value is defined as 0.0
    per_label = {
        lab: LabelScores(
            label=lab,
            precision=_div(tp[lab], tp[lab] + fp[lab], zd),
            recall=_div(tp[lab], tp[lab] + fn[lab], zd),
            f1=_f1_counts(tp[lab], fp[lab], fn[lab], zd),
            support=tp[lab] + fn[lab],
            predicted=tp[lab] + fp[lab],
            tp=tp[lab],
        )
        for lab in allowed
    }
    total_tp, total_fp, total_fn = sum(tp.values()), sum(fp.values()), sum(fn.values())
    macro = sum(s.f1 for s in per_label.values()) / len(allowed) if gold and allowed else 0.0
    return MultiLabelScores(
        micro_precision=_div(total_tp, total_tp + total_fp, zd),
        micro_recall=_div(total_tp, total_tp + total_fn, zd),
        micro_f1=_f1_counts(total_tp, total_fp, total_fn, zd),
        macro_f1=macro,
        per_label=per_label,
        n_gold=len(gold),
        tp=total_tp,
        fp=total_fp,
        fn=total_fn,
        missing=missing,
        extra=extra,
        ignored_gold_labels=dict(sorted(ignored.items())),
    )


# --------------------------------------------------------------------------- spans


def _check_span(span: object, where: str, allowed: set[str] | None) -> SpanLabel:
    if not isinstance(span, tuple | list) or len(span) != 4:
        raise MetricError(_Code.SPAN, where, f"a span must be (doc_id, technique, start, end), got {span!r}")
    doc_id, technique, start, end = span
    if not isinstance(doc_id, str) or not isinstance(technique, str):
        raise MetricError(_Code.SPAN, where, f"doc_id and technique must be strings in {span!r}")
    if (
        isinstance(start, bool)
        or isinstance(end, bool)
        or not isinstance(start, int)
        or not isinstance(end, int)
    ):
        raise MetricError(_Code.SPAN, where, f"start and end must be integers in {span!r}")
    if start < 0 or end <= start:
        raise MetricError(
            _Code.SPAN, where, f"need 0 <= start < end (end exclusive), got [{start}, {end}) in {span!r}"
        )
    if allowed is not None and technique not in allowed:
        raise MetricError(_Code.LABEL, where, f"unknown technique {technique!r}")
    return (doc_id, technique, start, end)


def merge_overlapping_spans(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge ``[start, end)`` intervals that share at least one character.

    Touching intervals (``[0, 5)`` and ``[5, 9)``) share no character and stay
    apart, as in the PTC scorers, which merge character sets that intersect.
    The result is sorted and pairwise disjoint.
    """
    merged: list[tuple[int, int]] = []
    for start, end in sorted(intervals):
        if merged and start < merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _group(
    spans: Iterable[object],
    name: str,
    allowed: set[str] | None,
    ignore_techniques: bool,
    on_overlap: Literal["merge", "raise"],
) -> tuple[dict[tuple[str, str], list[tuple[int, int]]], int]:
    groups: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    n_in = 0
    for i, raw in enumerate(spans):
        doc_id, technique, start, end = _check_span(raw, f"{name}[{i}]", allowed)
        if ignore_techniques:
            technique = _ANY
        groups[(doc_id, technique)].append((start, end))
        n_in += 1
    out: dict[tuple[str, str], list[tuple[int, int]]] = {}
    n_out = 0
    for key, intervals in groups.items():
        merged = merge_overlapping_spans(intervals)
        if on_overlap == "raise" and len(merged) < len(intervals):
            ordered = sorted(intervals)
            for a, b in pairwise(ordered):
                if b[0] < a[1]:
                    raise MetricError(
                        _Code.SPAN,
                        f"{name} doc {key[0]!r}",
                        f"spans [{a[0]}, {a[1]}) and [{b[0]}, {b[1]}) of technique {key[1]!r} overlap",
                    )
        out[key] = merged
        n_out += len(merged)
    return out, n_in - n_out


_ANY = "*"  # the single pseudo-technique used with ignore_techniques=True


def _credits(gold: list[tuple[int, int]], pred: list[tuple[int, int]]) -> tuple[float, float]:
    """Sum of |p ∩ g|/|p| and of |p ∩ g|/|g| over all pairs; both lists sorted and disjoint."""
    prec = rec = 0.0
    j0 = 0
    for p_start, p_end in pred:
        while j0 < len(gold) and gold[j0][1] <= p_start:
            j0 += 1  # gold spans ending before this prediction cannot meet later ones either
        j = j0
        while j < len(gold) and gold[j][0] < p_end:
            g_start, g_end = gold[j]
            inter = min(p_end, g_end) - max(p_start, g_start)
            if inter > 0:
                prec += inter / (p_end - p_start)
                rec += inter / (g_end - g_start)
            j += 1
    return prec, rec


def _span_f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p > 0 and r > 0 else 0.0


def span_prf(
    gold: Iterable[SpanLabel],
    pred: Iterable[SpanLabel],
    *,
    techniques: Sequence[str] | None = None,
    overlapping_predictions: Literal["merge", "raise"] = "merge",
    ignore_techniques: bool = False,
) -> SpanScores:
    """Technique-aware span precision/recall/F1 with partial-overlap credit.

    This is the FLC measure of Da San Martino et al., "Fine-Grained Analysis
    of Propaganda in News Articles" (EMNLP 2019), used for SemEval-2020 Task 11,
    as its reference scorer (``task-FLC_scorer.py``, ``compute_score_pr``)
    computes it:

    1. Spans are ``(doc_id, technique, start, end)`` with ``end`` exclusive,
       i.e. the character set ``range(start, end)``; ``0 <= start < end`` is
       required (the scorer rejects anything else).
    2. Within one document, same-technique **gold** spans that share at least
       one character are merged into their union (the scorer always does
       this). Same-technique **predicted** spans that overlap are merged too
       (the scorer's ``-m`` option) or, with ``overlapping_predictions="raise"``,
       rejected (its default). Different techniques may overlap freely.
    3. For every predicted span ``s`` and gold span ``t`` of the same document
       and technique: precision credit ``|s ∩ t| / |s|``, recall credit
       ``|s ∩ t| / |t|``. Both are summed over all pairs.
    4. ``P = Σ precision credit / |S|``, ``R = Σ recall credit / |T|`` with
       ``|S|``, ``|T|`` the numbers of predicted and gold spans after merging,
       and ``F1 = 2PR / (P + R)``.

    Per technique, the same with that technique's spans only. Documents with
    gold spans but no prediction contribute only to ``|T|``; predictions in
    documents without gold spans only to ``|S|``.

    Differences from the reference scorer, on purpose: P is 0.0 when there is
    no prediction, R is 0.0 when there is no gold span, and F1 is 0.0 unless
    both P and R are positive; the scorer instead reports F1 = 1.0 when
    there are neither gold nor predicted spans. Its per-technique recall
    divides the *precision* credit by the gold count (a bug); ours uses the
    recall credit, and so do the overall numbers in both.

    Parameters
    ----------
    techniques:
        If given, every gold and predicted technique must be in it
        (:class:`MetricError` otherwise) and ``per_technique`` lists all of
        them, in this order, including those with no span (scores 0.0).
        Otherwise ``per_technique`` lists the techniques seen, sorted.
    overlapping_predictions:
        ``"merge"`` (default) or ``"raise"``, see step 2.
    ignore_techniques:
        Match spans whatever their technique (span identification, the
        SemEval-2020 SI setting); all spans then merge across techniques and
        ``per_technique`` is empty.
    """
    allowed = set(techniques) if techniques is not None else None
    gold_groups, merged_gold = _group(gold, "gold", allowed, ignore_techniques, "merge")
    pred_groups, merged_pred = _group(pred, "pred", allowed, ignore_techniques, overlapping_predictions)

    prec_credit: defaultdict[str, float] = defaultdict(float)
    rec_credit: defaultdict[str, float] = defaultdict(float)
    n_gold: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    for (_, technique), intervals in gold_groups.items():
        n_gold[technique] += len(intervals)
    for key, intervals in pred_groups.items():
        technique = key[1]
        n_pred[technique] += len(intervals)
        gold_intervals = gold_groups.get(key)
        if gold_intervals:
            p, r = _credits(gold_intervals, intervals)
            prec_credit[technique] += p
            rec_credit[technique] += r

    def scores(name: str, pc: float, rc: float, ng: int, np_: int) -> SpanTechniqueScores:
        p = pc / np_ if np_ else 0.0
        r = rc / ng if ng else 0.0
        return SpanTechniqueScores(name, p, r, _span_f1(p, r), ng, np_, pc, rc)

    per_technique: dict[str, SpanTechniqueScores] = {}
    if not ignore_techniques:
        names = (
            list(dict.fromkeys(techniques)) if techniques is not None else sorted(set(n_gold) | set(n_pred))
        )
        for name in names:
            per_technique[name] = scores(
                name, prec_credit[name], rec_credit[name], n_gold[name], n_pred[name]
            )
    total = scores(
        "all",
        sum(prec_credit.values()),
        sum(rec_credit.values()),
        sum(n_gold.values()),
        sum(n_pred.values()),
    )
    return SpanScores(
        precision=total.precision,
        recall=total.recall,
        f1=total.f1,
        n_gold=total.support,
        n_pred=total.predicted,
        precision_credit=total.precision_credit,
        recall_credit=total.recall_credit,
        per_technique=per_technique,
        merged_gold=merged_gold,
        merged_pred=merged_pred,
    )

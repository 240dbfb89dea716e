"""Genre, frames and persuasion techniques (paragraphs and spans) for one Document.

Run by the pipeline's ``techniques.v3`` component: it needs a Document and a
:class:`~spinscope.models.bundle.SpinModel`, and fills ``genre``, ``frames``,
``paragraphs`` and ``spans`` of an :class:`~spinscope.analysis.Analysis`.

How a paragraph's outputs become labels and spans is the model's
:class:`Decoding` (its ``config.json`` ``decoding`` block): the technique
score mixes the paragraph head with the token head's strongest token, and
each technique has a :class:`SpanRule`. A rule may widen a span to its
sentence: for techniques annotated over whole sentences (Doubt,
Appeal_to_Fear-Prejudice) the gold spans are long, and a few hot tokens
inside such a sentence are a poor picture of what the annotators marked.
A rule may also make the strongest tokens of a labelled paragraph its span
when no run clears the threshold.

Paragraph labels and spans agree by construction: a span is kept only
where its paragraph carries the technique, and a paragraph label with no
span above its threshold is backed by the tokens the model scored highest
for it, marked ``strongest-tokens`` so nobody mistakes them for a span.

A span made only of function words ("the", "of", "and": :data:`FUNCTION_WORDS`)
is dropped: such a word cannot persuade on its own, and showing it as a
technique's evidence (``techniques.v1`` did) misleads. Pronouns stay: "we"
and "they" carry flag-waving and us-against-them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from spinscope.analysis import Analysis, Evidence, LabelScore, ParagraphLabels, TechniqueSpan
from spinscope.document import Document
from spinscope.models.bundle import ParagraphOutput, SpinModel
from spinscope.sentences import sentence_spans

__all__ = ["STACK_FEATURES", "Decoding", "SpanRule", "Stack", "decode_spans", "decode_technique", "detect", "strongest_token_probs"]

#: Closed-class words that never make a span on their own (articles, prepositions, conjunctions, forms of "be").
FUNCTION_WORDS: frozenset[str] = frozenset(
    """
    a an the of to in on at by for from with into onto over under as and or but nor so if than
    that this these those is are was were be been being am it its there then also just
    """.split()
)
_WORD = re.compile(r"\w+(?:['’]\w+)?")


def only_function_words(text: str) -> bool:
    """Whether *text* has no word outside :data:`FUNCTION_WORDS` (an empty text counts as such)."""
    return all(w.lower() in FUNCTION_WORDS for w in _WORD.findall(text))


#: Paragraphs shown as evidence for an article-level label.
ARTICLE_EVIDENCE = 2


def _widen_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Grow a token range to whole words: wordpieces must not cut a word in two."""
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return start, end


@dataclass(frozen=True)
class SpanRule:
    """How one technique's token probabilities become character spans (``techniques.v3``).

    ``threshold``: the token probability a run needs; ``gap``: a run survives
    a dip of up to ``gap - 1`` tokens; ``extent``: ``"tokens"`` keeps the run's
    words, ``"phrase"`` adds a content word each side, ``"clause"``
    (``techniques.v4``) widens it to the clause(s) it touches, out to the
    nearest comma, semicolon, colon, dash, bracket or quotation mark of its
    sentence (for techniques annotated over clauses, like
    Exaggeration-Minimisation), ``"sentence"`` to the sentence(s) it touches (for
    techniques argued over a whole sentence, like Doubt, whose gold spans are
    long), ``"paragraph"`` to the paragraph; ``fallback``: a paragraph carrying the technique with no run gets
    its strongest tokens as the span instead of no span.
    """

    threshold: float
    gap: int = 2
    extent: str = "tokens"
    fallback: bool = False


def _runs(probs: np.ndarray, offsets: list[tuple[int, int]], k: int, rule: SpanRule) -> list[tuple[int, int, float]]:
    """Character ranges ``(start, end, mean probability)`` of one window's runs of tokens above the rule's threshold."""
    real = np.fromiter((b > a for a, b in offsets), dtype=bool, count=len(offsets))
    above = np.flatnonzero((probs[: len(offsets), k] >= rule.threshold) & real).tolist()
    if not above:
        return []
    runs: list[list[int]] = [[above[0]]]
    for i in above[1:]:
        if i - runs[-1][-1] <= rule.gap:
            runs[-1].append(i)
        else:
            runs.append([i])
    return [
        (offsets[run[0]][0], offsets[run[-1]][1], float(np.mean(probs[run[0] : run[-1] + 1, k]))) for run in runs
    ]


def _one_more_word(text: str, start: int, end: int) -> tuple[int, int]:
    """Grow ``[start, end)`` by the word before and the word after, unless punctuation or a function word.

    The token head often fires on a phrase's head word only ("tyrannical
    *rule*"), while annotators mark the phrase; punctuation stops the growth.
    """
    before = _PREV_WORD.search(text[:start])
    after = _NEXT_WORD.match(text, end)
    # A function word at either end adds nothing to read ("These clowns and"), so it is not taken.
    if before and before.group(1).lower() not in FUNCTION_WORDS:
        start = before.start(1)
    if after and after.group(1).lower() not in FUNCTION_WORDS:
        end = after.end(1)
    return start, end


_PREV_WORD = re.compile(r"(\w+(?:['’]\w+)?)[ \t]+$")
_NEXT_WORD = re.compile(r"[ \t]+(\w+(?:['’]\w+)?)")


#: What ends a clause inside a sentence: commas, semicolons, colons, dashes, brackets and quotation marks.
_CLAUSE_BREAK = re.compile(r"[,;:()\[\]\"“”«»]|\s[-–—]\s|—")


def _to_clause(text: str, sentences: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """Grow ``[start, end)`` to the clause(s) it touches: out to the nearest clause break inside its sentence.

    For techniques annotated over a clause (an exaggeration, a flag-waving
    appeal: 30-50 characters in train), between a few hot words and a whole
    sentence. Edge spaces are left out.
    """
    lo, hi = _to_sentences(sentences, start, end) if sentences else (0, len(text))
    left = [m.end() for m in _CLAUSE_BREAK.finditer(text, lo, start)]
    right = [m.start() for m in _CLAUSE_BREAK.finditer(text, end, hi)]
    a, b = (left[-1] if left else lo), (right[0] if right else hi)
    while a < start and text[a].isspace():
        a += 1
    while b > end and text[b - 1].isspace():
        b -= 1
    return min(a, start), max(b, end)


def _to_sentences(sentences: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """Grow ``[start, end)`` to the sentences it overlaps."""
    for a, b in sentences:
        if a < end and b > start:
            start, end = min(start, a), max(end, b)
    return start, end


def decode_technique(
    text: str,
    out: ParagraphOutput,
    k: int,
    rule: SpanRule,
    sentences: list[tuple[int, int]] | None = None,
) -> list[tuple[int, int, float]]:
    """Spans ``(start, end, score)`` of technique *k* in one paragraph's *text*, decoded by *rule*.

    Runs from every window are widened to whole words (and to sentences when
    the rule says so), merged where they overlap, and dropped when they hold
    function words alone. *sentences*: the paragraph's sentence ranges, when
    the caller already cut them.
    """
    found: list[tuple[int, int, float]] = []
    for probs, offsets in out.windows:
        found.extend(_runs(probs, offsets, k, rule))
    if not found and rule.fallback:
        strongest = _strongest_tokens(text, out, k)
        if strongest is not None:
            found.append(strongest)
    if rule.extent == "paragraph" and found:
        # The whole paragraph, stripped of its edge spaces, scored by its best run.
        start, end = len(text) - len(text.lstrip()), len(text.rstrip())
        found = [(start, end, max(sc for _, _, sc in found))] if end > start else []
    if rule.extent in ("sentence", "clause") and found and sentences is None:
        sentences = sentence_spans(text)
    widened: list[tuple[int, int, float]] = []
    for s, e, sc in found:
        s, e = _widen_to_words(text, s, e)
        if rule.extent == "phrase":
            s, e = _one_more_word(text, s, e)
        if rule.extent == "sentence" and sentences:
            s, e = _to_sentences(sentences, s, e)
        if rule.extent == "clause":
            s, e = _to_clause(text, sentences or [], s, e)
        widened.append((s, e, sc))
    widened.sort()
    merged: list[list[float]] = []
    for s, e, sc in widened:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
            merged[-1][2] = max(merged[-1][2], sc)
        else:
            merged.append([s, e, sc])
    return [(int(s), int(e), float(sc)) for s, e, sc in merged if not only_function_words(text[int(s) : int(e)])]


def decode_spans(
    text: str, out: ParagraphOutput, thresholds: np.ndarray, techniques: list[str]
) -> list[tuple[int, int, str, float]]:
    """Character spans ``(start, end, technique, score)`` within one paragraph's *text*, every technique.

    Each technique decoded with the default :class:`SpanRule` at its
    threshold in *thresholds*: runs of tokens above it (a one-token dip
    inside a run does not split it), whole words, no span of function words
    alone. This is what ``techniques.v2`` showed, and what the trainer scores
    spans with.
    """
    hot: set[int] = set()
    for probs, offsets in out.windows:
        hot.update(np.flatnonzero((probs[: len(offsets)] >= thresholds).any(axis=0)).tolist())
    spans = [
        (s, e, techniques[k], sc)
        for k in sorted(hot)
        for s, e, sc in decode_technique(text, out, k, SpanRule(float(thresholds[k])))
    ]
    spans.sort(key=lambda x: (x[0], x[1], x[2]))
    return spans


def strongest_token_probs(out: ParagraphOutput) -> np.ndarray:
    """``[K]``: each technique's highest token probability in the paragraph (0 where it has no token)."""
    best = np.zeros_like(np.asarray(out.paragraph_probs, dtype=np.float32))
    for probs, offsets in out.windows:
        real = np.fromiter((b > a for a, b in offsets), dtype=bool, count=len(offsets))
        if real.any():
            best = np.maximum(best, probs[: len(offsets)][real].max(axis=0))
    return best


def _rules(block: dict[str, Any]) -> tuple[SpanRule, ...]:
    """One :class:`SpanRule` per technique from a block's ``span_*`` lists."""
    return tuple(
        SpanRule(float(t), int(g), str(x), bool(f))
        for t, g, x, f in zip(block["span_thresholds"], block["span_gap"], block["span_extent"], block["span_fallback"], strict=True)
    )


#: What a stack may read of a paragraph: the English score, and the multilingual heads' probabilities
#: (``first``: the first stage on the paragraph alone; ``context``: reread by the context stage).
STACK_FEATURES: tuple[str, ...] = ("english", "first", "context")


def _logit(p: np.ndarray) -> np.ndarray:
    """``log(p / (1 - p))``, *p* clipped to [1e-4, 1 - 1e-4] (as the multilingual context stage clips)."""
    q = np.clip(np.asarray(p, dtype=np.float64), 1e-4, 1 - 1e-4)
    return np.log(q / (1 - q))


@dataclass(frozen=True)
class Stack:
    """``techniques.v4``'s paragraph score: the English score stacked with the multilingual heads' probabilities.

    For each technique marked in ``stacked``, one logistic regression over the
    logits of ``features`` (names from :data:`STACK_FEATURES`): ``sigmoid(sum_f
    weights[k, f] * logit(feature f) + bias[k])``; the other techniques (too
    few training paragraphs to fit one) keep the English score. ``thresholds``
    apply to the result. Chosen by cross-validation on the English model's
    held-out training articles, with multilingual heads that never saw them
    (``benchmarks/stack_tune.py``).
    """

    features: tuple[str, ...]
    weights: np.ndarray  # [K, F]
    bias: np.ndarray  # [K]
    stacked: np.ndarray  # [K] bool
    thresholds: np.ndarray  # [K]
    #: Span rules re-chosen for the stack's labels (``spans_tune.py --labels``); None: the decoding's own.
    rules: tuple[SpanRule, ...] | None = None

    @classmethod
    def from_block(cls, block: dict[str, Any]) -> Stack:
        """The ``decoding`` block's ``stack`` entry (JSON lists)."""
        features = tuple(str(f) for f in block["features"])
        unknown = [f for f in features if f not in STACK_FEATURES]
        if unknown or features[:1] != ("english",):
            raise ValueError(f"a stack reads the English score first, then some of {STACK_FEATURES[1:]}; got {features}")
        weights = np.asarray(block["weights"], dtype=np.float64).reshape(-1, len(features))
        k = len(weights)
        bias, stacked = np.asarray(block["bias"], dtype=np.float64), np.asarray(block["stacked"], dtype=bool)
        thresholds = np.asarray(block["thresholds"], dtype=np.float32)
        if bias.shape != (k,) or stacked.shape != (k,) or thresholds.shape != (k,):
            raise ValueError(f"stack arrays do not agree on {k} techniques")
        rules = None
        if "span_thresholds" in block:
            rules = _rules(block)
            if len(rules) != k:
                raise ValueError(f"{len(rules)} span rules for {k} techniques")
        return cls(features, weights, bias, stacked, thresholds, rules)

    @property
    def multilingual_features(self) -> tuple[str, ...]:
        """The multilingual probabilities the stack reads (every feature but the English score)."""
        return self.features[1:]

    def scores(self, english: np.ndarray, multilingual: dict[str, np.ndarray]) -> np.ndarray:
        """``[K]`` stacked scores of one paragraph from its English score and its multilingual probabilities."""
        X = np.stack([_logit(english)] + [_logit(multilingual[f]) for f in self.multilingual_features], axis=-1)
        z = (X * self.weights).sum(-1) + self.bias
        stacked = 1.0 / (1.0 + np.exp(-z))
        return np.where(self.stacked, stacked, english).astype(np.float32)


@dataclass(frozen=True)
class Decoding:
    """How ``techniques.v3`` turns one paragraph's outputs into labels and spans.

    A paragraph's technique score is ``(1 - token_weight) * paragraph
    probability + token_weight * its strongest token's probability``: the
    token head's evidence joins the paragraph head's. ``thresholds`` apply to
    that score; ``rules`` decode the spans, one per technique. A model
    directory without a ``decoding`` block (trained before v3) decodes as
    ``techniques.v2`` did: token weight 0, the paragraph thresholds, one span
    threshold, default rules.
    """

    token_weight: float
    thresholds: np.ndarray
    rules: tuple[SpanRule, ...]
    #: ``techniques.v4``: the stacked score and its thresholds (None: decode as ``techniques.v3``).
    stack: Stack | None = None

    @classmethod
    def from_model(cls, model: SpinModel, *, stacked: bool = False) -> Decoding:
        """The model's ``config.json`` ``decoding`` block, or the v2 behaviour without one.

        *stacked* (``techniques.v4``) also reads the block's ``v4`` entry (span
        rules that may use the ``clause`` extent, re-chosen on the held-out
        articles) and its ``stack`` entry, when they are there;
        ``techniques.v3`` leaves both alone, so it decodes exactly as it did
        before they existed.
        """
        block = model.config.get("decoding")
        if not block:
            span_th = model.thresholds("spans")
            return cls(0.0, model.thresholds("techniques"), tuple(SpanRule(float(t)) for t in span_th))
        rules = _rules(block["v4"] if stacked and block.get("v4") else block)
        stack = Stack.from_block(block["stack"]) if stacked and block.get("stack") else None
        return cls(float(block["token_weight"]), np.asarray(block["thresholds"], dtype=np.float32), rules, stack)

    def scores(self, out: ParagraphOutput) -> np.ndarray:
        """``[K]`` technique scores of one paragraph (see the class docstring)."""
        probs = np.asarray(out.paragraph_probs, dtype=np.float32)
        if self.token_weight == 0.0:
            return probs
        return (1.0 - self.token_weight) * probs + self.token_weight * strongest_token_probs(out)


def _strongest_tokens(text: str, out: ParagraphOutput, k: int) -> tuple[int, int, float] | None:
    """The best-scoring token for technique *k* and its neighbours within half its score."""
    best: tuple[float, int, int] | None = None
    for w, (probs, offsets) in enumerate(out.windows):
        for i, (a, b) in enumerate(offsets):
            if b > a and (best is None or probs[i, k] > best[0]):
                best = (float(probs[i, k]), w, i)
    if best is None:
        return None
    score, w, i = best
    probs, offsets = out.windows[w]
    lo = hi = i
    while lo > 0 and offsets[lo - 1][1] > offsets[lo - 1][0] and probs[lo - 1, k] >= score / 2:
        lo -= 1
    while hi + 1 < len(offsets) and offsets[hi + 1][1] > offsets[hi + 1][0] and probs[hi + 1, k] >= score / 2:
        hi += 1
    start, end = _widen_to_words(text, offsets[lo][0], offsets[hi][1])
    return start, end, score


def detect(
    doc: Document,
    model: SpinModel,
    analysis: Analysis | None = None,
    batch_size: int = 32,
    outputs: Iterable[tuple[int, ParagraphOutput]] | None = None,
    decoding: Decoding | None = None,
    multilingual: Mapping[int, dict[str, np.ndarray]] | None = None,
) -> Analysis:
    """Run the model over *doc* and fill an :class:`Analysis` (see module docstring).

    ``outputs``: ``(paragraph index, encoder output)`` pairs in paragraph
    order, when the caller encoded them (the pipeline's ``encoder``
    component, which reads only the English paragraphs); article labels then
    come from those paragraphs alone. By default every paragraph is encoded
    here, streamed, so a huge article stays in bounded memory.

    ``decoding``: how scores become labels and spans (default: the model's
    block as ``techniques.v3`` reads it). When it has a :class:`Stack`,
    ``multilingual`` maps a paragraph index to the multilingual heads'
    probabilities of that paragraph (``{"first": [K], "context": [K]}``),
    and the paragraph is labelled by the stacked score; a paragraph without
    them is labelled as ``techniques.v3`` would.
    """
    analysis = analysis or Analysis(document=doc)
    techniques = model.techniques
    decoding = decoding or Decoding.from_model(model)
    stack = decoding.stack
    means: list[np.ndarray] = []
    read: list[int] = []
    if outputs is None:
        texts = [doc.paragraph_text(i) for i in range(len(doc.paragraphs))]
        outputs = enumerate(model.encode_paragraphs(texts, batch_size=batch_size))
    for index, out in outputs:
        means.append(out.mean)
        read.append(index)
        paragraph = doc.paragraphs[index]
        text = doc.paragraph_text(index)
        scores, thresholds, rules = decoding.scores(out), decoding.thresholds, decoding.rules
        if stack is not None and multilingual is not None and index in multilingual:
            scores, thresholds = stack.scores(scores, multilingual[index]), stack.thresholds
            rules = stack.rules or rules
        sentences: list[tuple[int, int]] | None = None
        labels: list[LabelScore] = []
        for k in np.flatnonzero(scores >= thresholds):
            tech = techniques[k]
            rule = rules[k]
            if rule.extent in ("sentence", "clause") and sentences is None:
                sentences = sentence_spans(text)
            evidence = [
                Evidence(paragraph.start + s, paragraph.start + e, sc, "span", index)
                for s, e, sc in decode_technique(text, out, int(k), rule, sentences)
            ]
            if not evidence:
                strongest = _strongest_tokens(text, out, int(k))
                if strongest:
                    s, e, sc = strongest
                    evidence = [Evidence(paragraph.start + s, paragraph.start + e, sc, "strongest-tokens", index)]
            labels.append(LabelScore(tech, float(scores[k]), tuple(evidence)))
            analysis.spans.extend(
                TechniqueSpan(ev.start, ev.end, tech, ev.score, index) for ev in evidence if ev.kind == "span"
            )
        labels.sort(key=lambda ls: -ls.score)
        if labels:
            analysis.paragraphs.append(ParagraphLabels(index, tuple(labels)))
    analysis.spans.sort(key=lambda s: (s.start, s.end, s.technique))
    if means:
        _article_labels(doc, model, np.stack(means), read, analysis)
    return analysis


def _article_labels(doc: Document, model: SpinModel, means: np.ndarray, read: list[int], analysis: Analysis) -> None:
    """Genre and frames from the vectors of the paragraphs ``read`` (row ``j`` is paragraph ``read[j]``)."""
    genre_probs, frame_probs = model.article_probs(means)
    g_logits, f_logits = model.paragraph_article_logits(means)

    def evidence(logits: np.ndarray) -> tuple[Evidence, ...]:
        top = np.argsort(-logits)[:ARTICLE_EVIDENCE]
        spread = np.exp(logits - logits.max())
        return tuple(
            Evidence(doc.paragraphs[read[j]].start, doc.paragraphs[read[j]].end, float(spread[j]), "paragraph", read[j])
            for j in top
        )

    genres = model.genres
    best = int(np.argmax(genre_probs))
    analysis.genre = LabelScore(genres[best], float(genre_probs[best]), evidence(g_logits[:, best]))
    analysis.genre_probabilities = {g: float(p) for g, p in zip(genres, genre_probs, strict=True)}
    frames = model.frames
    frame_th = model.thresholds("frames")
    analysis.frame_scores = {f: float(p) for f, p in zip(frames, frame_probs, strict=True)}
    chosen = [k for k in np.argsort(-frame_probs) if frame_probs[k] >= frame_th[k]]
    analysis.frames = [LabelScore(frames[k], float(frame_probs[k]), evidence(f_logits[:, k])) for k in chosen]

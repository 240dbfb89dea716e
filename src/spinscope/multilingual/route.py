"""Routing: which model reads which paragraph, and the labels the multilingual model adds.

Each paragraph gets a language: English when it is plainly English (no
language ID needed, :func:`plainly_english`); else its own, from language
ID, when it is long enough to tell and the detector is sure; otherwise the
article's. Then:

* **English** (or unknown) paragraphs keep the English model's labels and
  token-level spans, and gain the techniques English training data has no
  example of (the multilingual model's, at its pooled thresholds);
* paragraphs in **another Latin- or Cyrillic-script language** are labelled
  by the multilingual model, with that language's thresholds (pooled ones,
  and a warning, for a language it was not trained on);
* paragraphs in **any other script** are skipped, with a note: no model
  here was trained on them, and a label would be a guess.

Non-English technique evidence is sentences (``kind="sentence"``): those
the multilingual first-stage heads, reading each sentence alone, would
label with the technique, or else the one they score highest. The encoder
gives one vector per text, so it cannot point at words.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np

from spinscope.analysis import Analysis, Evidence, LabelScore, ParagraphLabels, TechniqueSpan
from spinscope.document import Document
from spinscope.multilingual.encoder import MultilingualEncoder
from spinscope.multilingual.model import POOLED, MultilingualModel
from spinscope.narratives.model import NarrativeModel
from spinscope.sentences import sentence_spans

__all__ = [
    "ANALYZER_NAME",
    "COVERED_SCRIPTS",
    "ParagraphRoute",
    "RoutedArticle",
    "apply_routes",
    "article_narratives",
    "covered_paragraphs",
    "gained_techniques",
    "load_default",
    "paragraph_probabilities",
    "plainly_english",
    "route_paragraphs",
    "script_of",
]

ANALYZER_NAME = "spinscope.multilingual.v1"
#: Scripts of the languages the multilingual heads were trained on.
COVERED_SCRIPTS = frozenset({"LATIN", "CYRILLIC"})
#: A paragraph needs this many characters of prose (links and handles left out) for its own
#: language guess: lingua's low-accuracy mode, which ``spinscope`` uses, is documented to lose
#: much of its accuracy on shorter text, and on en dev it read one-line English captions and
#: tweet credits as Dutch, Danish, Latin or Yoruba.
PARAGRAPH_MIN_CHARS = 120
#: script_of: ASCII letters (all Latin) are counted at once, other characters one by one.
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
#: Links, picture links, e-mail addresses and @handles: no evidence of a language.
_NOT_PROSE = re.compile(r"(?:https?://|www\.|pic\.twitter\.com/)\S+|\S+@\S+|@\w+")
#: ... and the detector this sure, or the paragraph takes the article's language.
PARAGRAPH_MIN_CONFIDENCE = 0.8
#: Plainly English (see :func:`plainly_english`): at least this many words, and this share of
#: them English function words that no other covered language writes the same way.
PLAIN_MIN_WORDS = 20
PLAIN_MIN_SHARE = 0.2
_ENGLISH_FUNCTION_WORDS = frozenset(
    "the of and to that for with be by this are from have has not but they he his their which "
    "were been said will who would its had our we there than about".split()
)
_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")

Route = Literal["english", "multilingual", "skipped"]


@dataclass(frozen=True, slots=True)
class ParagraphRoute:
    """Where one paragraph goes: its language, the model that reads it, and why if skipped."""

    language: str | None
    route: Route
    note: str = ""


def script_of(text: str) -> str | None:
    """The Unicode script most of *text*'s letters belong to (``"LATIN"``, ``"ARABIC"``...), or None.

    Ties go to the script seen first. ASCII letters are all Latin, so only
    the other letters are looked up one by one (most English paragraphs
    have none).
    """
    counts: dict[str, list[int]] = {}  # script -> [letters, position of the first]
    ascii_letters = _ASCII_LETTER.findall(text)
    if ascii_letters:
        first = _ASCII_LETTER.search(text)
        counts["LATIN"] = [len(ascii_letters), first.start() if first else 0]
    for m in _NON_ASCII.finditer(text):
        ch = m.group()
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            if name:
                entry = counts.setdefault(name.split(" ", 1)[0], [0, m.start()])
                entry[0] += 1
                entry[1] = min(entry[1], m.start())
    if not counts:
        return None
    return min(counts.items(), key=lambda kv: (-kv[1][0], kv[1][1]))[0]


def plainly_english(prose: str) -> bool:
    """True when *prose* is English beyond doubt: no non-ASCII letter, and English function words throughout.

    Most paragraphs of an English article are; they skip language ID, the
    slowest step of routing. The words counted ("the", "which", "been"...)
    are not words of French, German, Italian, Polish or Russian, and "a",
    "in", "is", "on", "an", "was" and "die" are left out because they are.
    Over the paragraphs of every dataset in ``../shared/data``, the test
    fired on 84% of the English ones of SemEval-2023 and on 15 of the
    40,000 of the other five languages; where lingua disagreed with it (12
    of 12,277 checked) it had read English as Latin, Afrikaans or Tagalog
    ("Mueller and the Dossier aren't just coming up empty..." as Afrikaans
    at 0.995).
    """
    if any(ch.isalpha() for ch in _NON_ASCII.findall(prose)):
        return False
    words = _WORD.findall(prose.lower())
    return len(words) >= PLAIN_MIN_WORDS and sum(w in _ENGLISH_FUNCTION_WORDS for w in words) >= PLAIN_MIN_SHARE * len(words)


def route_paragraphs(doc: Document) -> list[ParagraphRoute]:
    """A :class:`ParagraphRoute` for every paragraph of *doc*, in order."""
    from spinscope.ingest.langid import detect_languages

    article = doc.language.code if doc.language else None
    routes: list[ParagraphRoute | None] = []
    asked: list[tuple[int, str]] = []  # (paragraph, prose) for language ID, all in one batch
    for p in doc.paragraphs:
        text = doc.text[p.start : p.end]
        script = script_of(text)
        if script is not None and script not in COVERED_SCRIPTS:
            routes.append(ParagraphRoute(None, "skipped", f"{script.title()} script, which no model here covers"))
            continue
        prose = " ".join(_NOT_PROSE.sub(" ", text).split())
        if len(prose) >= PARAGRAPH_MIN_CHARS:
            if plainly_english(prose):
                routes.append(ParagraphRoute("en", "english"))
                continue
            asked.append((len(routes), prose))
        routes.append(None)
    guesses = dict(zip((i for i, _ in asked), detect_languages([t for _, t in asked]), strict=True))
    out: list[ParagraphRoute] = []
    for i, r in enumerate(routes):
        if r is None:
            guess = guesses.get(i)
            lang = guess.code if guess is not None and guess.confidence >= PARAGRAPH_MIN_CONFIDENCE else article
            r = ParagraphRoute(lang, "english" if lang in (None, "en") else "multilingual")
        out.append(r)
    return out


def gained_techniques(model: MultilingualModel) -> list[str]:
    """Techniques with no English training paragraph: the English model cannot predict them."""
    counts = model.meta.get("counts", {}).get("en", {}).get("technique_paragraphs", {})
    return [t for t in model.techniques if counts.get(t, 0) == 0] if counts else []


@lru_cache(maxsize=1)
def load_default() -> MultilingualModel:
    """The bundled multilingual heads (cached)."""
    return MultilingualModel.load()


def _sentence_evidence(
    doc: Document,
    texts: Sequence[str],
    wanted: Sequence[tuple[int, Sequence[int], np.ndarray]],
    model: MultilingualModel,
    encoder: MultilingualEncoder,
) -> dict[int, dict[int, list[Evidence]]]:
    """Paragraph -> label -> its evidence sentences, for each ``(paragraph, labels, first-stage thresholds)``.

    A label's evidence is the paragraph's sentences scored at least its
    threshold, or else the best one. Every candidate sentence of the article
    is encoded and scored in one batch.
    """
    sents = {i: sentence_spans(texts[i]) or [(0, len(texts[i]))] for i, _, _ in wanted}
    several = [i for i, _, _ in wanted if len(sents[i]) > 1]
    flat = [texts[i][s:e] for i in several for s, e in sents[i]]
    scored = model.technique_probs(encoder.encode(flat), flat) if flat else np.zeros((0, len(model.techniques)))
    probs: dict[int, np.ndarray] = {}
    at = 0
    for i in several:
        probs[i], at = scored[at : at + len(sents[i])], at + len(sents[i])
    out: dict[int, dict[int, list[Evidence]]] = {}
    for i, labels, th in wanted:
        offset = doc.paragraphs[i].start
        for k in labels:
            if i not in probs:
                picks = [(0, 1.0)]
            else:
                col = probs[i][:, k]
                picks = [(int(j), float(col[j])) for j in np.flatnonzero(col >= th[k])] or [(int(np.argmax(col)), float(col.max()))]
            out.setdefault(i, {})[k] = [
                Evidence(offset + sents[i][j][0], offset + sents[i][j][1], score, "sentence", i) for j, score in picks
            ]
    return out


@dataclass(frozen=True, slots=True)
class RoutedArticle:
    """What routing leaves for the article-level steps after it.

    ``vectors[j]`` is the multilingual encoder's vector of paragraph
    ``covered[j]``; ``foreign_language`` is set when most covered paragraphs
    are not English (the article's genre and frames then came from the
    multilingual heads, and so should its narratives).
    """

    vectors: np.ndarray
    covered: list[int]
    foreign_language: str | None
    foreign: bool


def covered_paragraphs(doc: Document, routes: Sequence[ParagraphRoute] | None) -> list[int]:
    """The paragraphs the multilingual encoder reads: every one not skipped (all of them without routes)."""
    if routes is None:
        return list(range(len(doc.paragraphs)))
    return [i for i, r in enumerate(routes) if r.route != "skipped"]


def paragraph_probabilities(
    doc: Document, covered: Sequence[int], vectors: np.ndarray, model: MultilingualModel
) -> tuple[np.ndarray, np.ndarray]:
    """``(first stage, in context)``: ``[len(covered), K]`` technique probabilities of the *covered* paragraphs.

    *vectors* row j is paragraph ``covered[j]``; the context stage reads the
    covered paragraphs in reading order, as :func:`apply_routes` does.
    """
    texts = [doc.text[doc.paragraphs[i].start : doc.paragraphs[i].end] for i in covered]
    first = model.technique_probs(vectors, texts)
    return first, model.in_context(first, texts)


def apply_routes(
    analysis: Analysis,
    routes: Sequence[ParagraphRoute],
    model: MultilingualModel,
    encoder: MultilingualEncoder,
    vectors: np.ndarray | None = None,
) -> RoutedArticle:
    """Relabel *analysis* by paragraph route, in place.

    English paragraphs keep the labels already on them (the English
    detector's) and gain the techniques English has no training example of;
    labels on paragraphs of any other route are replaced by the multilingual
    model's, or dropped for a skipped paragraph. *vectors*: the covered
    paragraphs' USE vectors when an earlier step encoded them
    (``techniques.v4``), so they are not encoded twice.
    """
    doc = analysis.document
    texts = [doc.text[p.start : p.end] for p in doc.paragraphs]
    covered = covered_paragraphs(doc, routes)
    if vectors is None:
        vectors = encoder.encode([texts[i] for i in covered])  # row j is paragraph covered[j]
    elif len(vectors) != len(covered):
        raise ValueError(f"{len(vectors)} vectors for {len(covered)} covered paragraphs")
    gained = {model.techniques.index(t) for t in gained_techniques(model)}
    foreign = {i for i, r in enumerate(routes) if r.route != "english"}
    kept = [pl for pl in analysis.paragraphs if pl.paragraph not in foreign]
    analysis.spans = [s for s in analysis.spans if s.paragraph not in foreign]
    new: dict[int, list[LabelScore]] = {pl.paragraph: list(pl.labels) for pl in kept}
    first = model.technique_probs(vectors, [texts[i] for i in covered])
    probs = model.in_context(first, [texts[i] for i in covered])  # covered paragraphs, in reading order
    pooled_evidence = model.evidence_thresholds(None)
    untrained: set[str] = set()
    wanted: list[tuple[int, list[int], np.ndarray]] = []  # (paragraph, labels, first-stage thresholds for evidence)
    for row, i in enumerate(covered):
        route = routes[i]
        if route.route == "english":
            th = model.technique_thresholds[POOLED]
            chosen = [k for k in gained if probs[row, k] >= th[k]]
        else:
            th, _ = model.thresholds(route.language)
            if not model.knows(route.language):
                untrained.add(route.language or "unknown")
            chosen = [int(k) for k in np.flatnonzero(probs[row] >= th)]
        if chosen:
            wanted.append((i, chosen, pooled_evidence if route.route == "english" else model.evidence_thresholds(route.language)))
    evidence = _sentence_evidence(doc, texts, wanted, model, encoder)
    row_of = {i: row for row, i in enumerate(covered)}
    for i, chosen, _ in wanted:
        for k in chosen:
            tech = model.techniques[k]
            new.setdefault(i, []).append(LabelScore(tech, float(probs[row_of[i], k]), tuple(evidence[i][k])))
            analysis.spans.extend(TechniqueSpan(e.start, e.end, tech, e.score, i, "sentence") for e in evidence[i][k])
    analysis.paragraphs = [
        ParagraphLabels(i, tuple(sorted(labels, key=lambda ls: -ls.score))) for i, labels in sorted(new.items()) if labels
    ]
    analysis.spans.sort(key=lambda s: (s.start, s.end, s.technique))
    analysis.paragraph_languages = [r.language for r in routes]
    analysis.model["multilingual_languages"] = model.languages

    skipped = [i for i, r in enumerate(routes) if r.route == "skipped"]
    if skipped:
        notes = sorted({routes[i].note for i in skipped})
        analysis.warnings.append(
            f"{len(skipped)} paragraph(s) skipped ({'; '.join(notes)}): paragraphs "
            + ", ".join(str(i) for i in skipped[:20])
            + (" ..." if len(skipped) > 20 else "")
        )
    if untrained:
        analysis.warnings.append(
            f"no model was trained on {', '.join(sorted(untrained))}: the multilingual model "
            f"(trained on {', '.join(model.languages)}) labelled those paragraphs with pooled thresholds; "
            "treat them with caution"
        )
    if foreign - set(skipped):
        analysis.warnings.append(
            "non-English paragraphs were labelled by the multilingual model: its evidence is the "
            "sentence it scores highest for each technique, not exact words"
        )
    # Article-level labels: the multilingual heads when most analysed paragraphs are not English.
    n_foreign = sum(1 for i in covered if routes[i].route == "multilingual")
    if covered and n_foreign * 2 > len(covered):
        lang = Counter(routes[i].language for i in covered if routes[i].route == "multilingual").most_common(1)[0][0]
        _article_labels(analysis, model, vectors, covered, lang)
        return RoutedArticle(vectors, covered, lang, True)
    return RoutedArticle(vectors, covered, None, False)


def article_narratives(
    analysis: Analysis,
    narratives: NarrativeModel,
    encoder: MultilingualEncoder,
    routed: RoutedArticle,
) -> None:
    """Narratives of a mostly non-English article, from the paragraph vectors routing already made."""
    vectors, covered, language = routed.vectors, routed.covered, routed.foreign_language
    from spinscope.multilingual.model import article_features
    from spinscope.multilingual.narratives import narrative_evidence

    doc = analysis.document
    prediction = narratives.predict(article_features(vectors)[None, :])[0]
    analysis.narratives = prediction
    paragraphs = [(doc.paragraphs[i].start, doc.paragraphs[i].end) for i in covered]
    analysis.narrative_evidence = narrative_evidence(doc.text, prediction, paragraphs, vectors, narratives, encoder)
    analysis.model["narratives_model"] = "multilingual"
    trained = [x.lower() for x in narratives.meta.get("training", {}).get("languages", [])]
    note = "" if (language or "").lower() in trained else f"; it was not trained on {language or 'this language'}, treat them with caution"
    analysis.warnings.append(
        f"narratives come from the multilingual narrative model (trained on {', '.join(trained) or 'unknown'}){note}; "
        "their evidence sentences were chosen by the multilingual encoder"
    )


def _article_labels(
    analysis: Analysis, model: MultilingualModel, vectors: np.ndarray, covered: list[int], language: str | None
) -> None:
    """Genre and frames from the multilingual article heads; evidence: the paragraphs that agree most."""
    doc = analysis.document
    genre_p, frame_p = model.article_probs(vectors)
    # Each paragraph alone, as a one-paragraph article: which ones push a label the most.
    single = [model.article_probs(v[None, :]) for v in vectors]

    def evidence(column: np.ndarray) -> tuple[Evidence, ...]:
        top = np.argsort(-column)[:2]
        return tuple(
            Evidence(doc.paragraphs[covered[j]].start, doc.paragraphs[covered[j]].end, float(column[j]), "paragraph", covered[j])
            for j in top
        )

    best = int(np.argmax(genre_p))
    analysis.genre = LabelScore(model.genres[best], float(genre_p[best]), evidence(np.array([s[0][best] for s in single])))
    analysis.genre_probabilities = {g: float(p) for g, p in zip(model.genres, genre_p, strict=True)}
    _, frame_th = model.thresholds(language)
    analysis.frame_scores = {f: float(p) for f, p in zip(model.frames, frame_p, strict=True)}
    analysis.frames = [
        LabelScore(model.frames[k], float(frame_p[k]), evidence(np.array([s[1][k] for s in single])))
        for k in np.argsort(-frame_p)
        if frame_p[k] >= frame_th
    ]

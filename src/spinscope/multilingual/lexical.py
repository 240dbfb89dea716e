"""A word and character n-gram technique head, blended with the sentence-vector head.

A sentence encoder gives one vector per text and blurs the very words many
techniques live in: the slur of Name_Calling, the adjective of
Loaded_Language, "so-called", "wake up". This head sees them. Features are
TF-IDF weights (sublinear term frequency, L2-normalised rows) of
lower-cased character 2-5-grams within word boundaries and word 1-2-grams,
over one vocabulary shared by every training language; each technique has
a class-balanced logistic regression over them.

Chosen by 5-fold cross-validation over the *training* articles of all six
languages, with thresholds calibrated on 15% of each language's articles
and scored on the rest (eight draws; ``benchmarks/multilingual_cv.py``):
averaging this head with the sentence-vector head raised micro-F1 in every
language. BENCHMARKS.md has the table. The two are averaged in logit space
(mean micro-F1 0.424 against 0.423 for averaged probabilities, and 0.429
against 0.427 once :mod:`spinscope.multilingual.context` rereads them).

The vocabulary is kept to :data:`CHAR_FEATURES` + :data:`WORD_FEATURES`
columns so the weights stay small (float16 on disk). Transforming is done
here, with scikit-learn's ``CountVectorizer`` over the stored vocabulary,
so a stored model never depends on a fitted scikit-learn object (and no
pickle is ever read).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["CHAR_FEATURES", "WORD_FEATURES", "LexicalHead"]

CHAR_NGRAMS = (2, 5)
WORD_NGRAMS = (1, 2)
#: Columns kept per analyzer (the most frequent n-grams of the training paragraphs).
CHAR_FEATURES = 120_000
WORD_FEATURES = 60_000


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


@dataclass
class LexicalHead:
    """Vocabulary, IDF weights and one linear layer ``[F, K]`` over the TF-IDF row."""

    char_vocabulary: list[str]
    word_vocabulary: list[str]
    idf: np.ndarray  # [F]
    W: np.ndarray  # [F, K]
    b: np.ndarray  # [K]
    _cache: tuple[Any, Any] | None = field(default=None, init=False, repr=False, compare=False)

    def _counters(self) -> tuple[Any, Any]:
        """The two count vectorizers over the stored vocabulary, built once (indexing 180,000 n-grams takes a while)."""
        from sklearn.feature_extraction.text import CountVectorizer

        if self._cache is None:
            chars = CountVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS, vocabulary=self.char_vocabulary, dtype=np.float32)
            words = CountVectorizer(analyzer="word", ngram_range=WORD_NGRAMS, vocabulary=self.word_vocabulary, dtype=np.float32)
            chars.fit([])  # with a fixed vocabulary, fitting only indexes it
            words.fit([])
            self._cache = (chars, words)
        return self._cache

    def features(self, texts: Sequence[str]) -> Any:
        """Sparse ``[N, F]`` TF-IDF rows of *texts* (the transform training used)."""
        from scipy.sparse import hstack
        from sklearn.preprocessing import normalize

        chars, words = self._counters()
        counts = hstack([chars.transform(texts), words.transform(texts)]).tocsr()
        counts.data = 1.0 + np.log(counts.data)  # sublinear term frequency
        return normalize(counts.multiply(self.idf[None, :]).tocsr(), norm="l2", copy=False)

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """``[N, K]`` technique logits for *texts*."""
        if not len(texts):
            return np.zeros((0, self.W.shape[1]), dtype=np.float32)
        return (np.asarray(self.features(texts) @ self.W) + self.b).astype(np.float32)

    def probs(self, texts: Sequence[str]) -> np.ndarray:
        """``[N, K]`` technique probabilities for *texts*."""
        return _sigmoid(self.logits(texts)).astype(np.float32)

    @classmethod
    def fit(cls, texts: Sequence[str], Y: np.ndarray, *, C: float = 4.0) -> LexicalHead:
        """Vocabulary and IDF from *texts*, then one logistic regression per column of ``Y`` ``[N, K]``."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        def vocabulary(analyzer: str, ngrams: tuple[int, int], size: int, min_df: int) -> tuple[list[str], np.ndarray]:
            v = TfidfVectorizer(analyzer=analyzer, ngram_range=ngrams, min_df=min_df, max_features=size, sublinear_tf=True)
            v.fit(texts)
            order = sorted(v.vocabulary_, key=v.vocabulary_.__getitem__)
            return order, v.idf_.astype(np.float32)

        char_vocab, char_idf = vocabulary("char_wb", CHAR_NGRAMS, CHAR_FEATURES, 3)
        word_vocab, word_idf = vocabulary("word", WORD_NGRAMS, WORD_FEATURES, 2)
        k = Y.shape[1]
        head = cls(char_vocab, word_vocab, np.concatenate([char_idf, word_idf]), np.zeros((0, k), np.float32), np.zeros(k, np.float32))
        X = head.features(texts)
        W = np.zeros((X.shape[1], k), dtype=np.float32)
        b = np.full(k, -10.0, dtype=np.float32)  # a technique with no example is never predicted
        for j in range(k):
            y = Y[:, j] > 0
            if 0 < y.sum() < len(y):
                clf = LogisticRegression(C=C, class_weight="balanced", solver="liblinear", max_iter=2000, random_state=0).fit(X, y)
                W[:, j], b[j] = clf.coef_[0], clf.intercept_[0]
        head.W, head.b = W, b
        return head

    # ---- persistence (arrays go to safetensors, the vocabulary to JSON) ----
    def arrays(self) -> dict[str, np.ndarray]:
        return {
            "lex_W": np.ascontiguousarray(self.W, dtype=np.float16),
            "lex_b": np.ascontiguousarray(self.b, dtype=np.float32),
            "lex_idf": np.ascontiguousarray(self.idf, dtype=np.float32),
        }

    def vocabulary(self) -> dict[str, Any]:
        return {"char_ngrams": list(CHAR_NGRAMS), "word_ngrams": list(WORD_NGRAMS), "char": self.char_vocabulary, "word": self.word_vocabulary}

    @classmethod
    def from_parts(cls, arrays: dict[str, np.ndarray], vocabulary: dict[str, Any]) -> LexicalHead:
        """Rebuild from :meth:`arrays` and :meth:`vocabulary`; ``ValueError`` when they do not fit."""
        chars, words = list(vocabulary.get("char", [])), list(vocabulary.get("word", []))
        if vocabulary.get("char_ngrams") != list(CHAR_NGRAMS) or vocabulary.get("word_ngrams") != list(WORD_NGRAMS):
            raise ValueError("n-gram ranges differ from this version's")
        W, b, idf = arrays["lex_W"], arrays["lex_b"], arrays["lex_idf"]
        if W.ndim != 2 or W.shape[0] != len(chars) + len(words) or idf.shape != (W.shape[0],) or b.shape != (W.shape[1],):
            raise ValueError("lexical weights do not fit the vocabulary")
        return cls(chars, words, np.asarray(idf, np.float32), np.asarray(W, np.float32), np.asarray(b, np.float32))

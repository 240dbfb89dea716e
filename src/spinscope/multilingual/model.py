"""Multilingual heads over USE-multilingual vectors: techniques, genre, frames.

* techniques: one linear layer (23 outputs) over the standardised vector of
  a paragraph, its logits averaged with those of a word and character
  n-gram head (:mod:`spinscope.multilingual.lexical`) over its text; the
  same first-stage heads score single sentences, which is where non-English
  evidence comes from. A second stage (:mod:`spinscope.multilingual.context`)
  rereads each paragraph's scores next to its article's and neighbours';
* genre: a softmax layer, frames: 14 sigmoid outputs, over the article
  vector ``[mean, max]`` of its paragraph vectors.

Technique thresholds (on the second stage's probabilities): a pooled set
``"*"`` chosen per label on out-of-fold probabilities of every training
language together, and for each training language that set moved by one
shift chosen on that language's rows (never on dev). The pooled set alone
serves a language the model was not trained on.

Predicting needs numpy, and scikit-learn's ``CountVectorizer`` for the n-grams. Persistence without pickles:
``multilingual.safetensors`` (arrays), ``multilingual.json`` (labels,
languages, thresholds, training record) and ``multilingual-lexical.json``
(the n-gram vocabulary).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from spinscope.errors import ModelError
from spinscope.multilingual.context import ContextStage
from spinscope.multilingual.lexical import LexicalHead, _sigmoid

__all__ = ["DEFAULT_MODEL_DIR", "MODEL_FILES", "POOLED", "MultilingualModel", "article_features", "check_labels"]

#: 2: logits (not probabilities) are blended, and the context stage may follow.
FORMAT_VERSION = 2
MODEL_FILES = ("multilingual.safetensors", "multilingual.json", "multilingual-lexical.json")
#: Weight of the n-gram head's logits in the technique blend.
LEXICAL_WEIGHT = 0.5
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "multilingual"
#: Key of the thresholds used for a language the model has none for.
POOLED = "*"
_ARRAYS = ("p_mean", "p_scale", "tech_W", "tech_b", "a_mean", "a_scale", "genre_W", "genre_b", "frames_W", "frames_b")


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def article_features(paragraph_vectors: np.ndarray) -> np.ndarray:
    """``[mean, max]`` of an article's paragraph vectors: ``[P, 512]`` -> ``[1024]``."""
    if len(paragraph_vectors) == 0:
        return np.zeros(2 * 512, dtype=np.float32)
    return np.concatenate([paragraph_vectors.mean(0), paragraph_vectors.max(0)]).astype(np.float32)


@dataclass
class MultilingualModel:
    """Fitted heads; build with :func:`spinscope.multilingual.train.train_multilingual` or :meth:`load`."""

    techniques: list[str]
    frames: list[str]
    genres: list[str]
    languages: list[str]  # ISO 639-1 codes of the training languages
    arrays: dict[str, np.ndarray]
    technique_thresholds: dict[str, np.ndarray]  # language (or POOLED) -> [K]
    frame_thresholds: dict[str, float]  # language (or POOLED) -> one threshold
    meta: dict[str, Any] = field(default_factory=dict)
    lexical: LexicalHead | None = None
    context: ContextStage | None = None
    #: Thresholds on *first-stage* probabilities (language or POOLED -> [K]): what a sentence,
    #: read alone, must score to be evidence. Empty: the technique thresholds serve.
    sentence_thresholds: dict[str, np.ndarray] = field(default_factory=dict)

    # ---- prediction -------------------------------------------------------
    def technique_probs(self, vectors: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        """First-stage ``[N, K]`` probabilities of N texts, each alone: their ``[N, 512]`` vectors and the texts.

        What sentence evidence is scored with; paragraphs of an article go
        through :meth:`article_technique_probs`.
        """
        a = self.arrays
        x = (np.asarray(vectors, dtype=np.float32) - a["p_mean"]) / a["p_scale"]
        z = x @ a["tech_W"] + a["tech_b"]
        if self.lexical is not None:
            if len(texts) != len(z):
                raise ValueError(f"{len(texts)} texts for {len(z)} vectors")
            z = (1 - LEXICAL_WEIGHT) * z + LEXICAL_WEIGHT * self.lexical.logits(texts)
        return _sigmoid(z).astype(np.float32)

    def in_context(self, probs: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        """One article's first-stage ``[P, K]`` probabilities (paragraphs in reading order) reread by the context stage.

        Unchanged when the model has no context stage.
        """
        if self.context is None:
            return probs
        return self.context.article_probs(probs, [len(t) for t in texts])

    def article_technique_probs(self, vectors: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        """``[P, K]`` probabilities of one article's P paragraphs, given in reading order.

        The first stage, then the context stage over the whole article: these
        are what the technique thresholds apply to.
        """
        return self.in_context(self.technique_probs(vectors, texts), texts)

    def article_probs(self, paragraph_vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(genre probabilities ``[G]``, frame probabilities ``[F]``) of one article."""
        a = self.arrays
        x = (article_features(paragraph_vectors) - a["a_mean"]) / a["a_scale"]
        return _softmax(x @ a["genre_W"] + a["genre_b"]), _sigmoid(x @ a["frames_W"] + a["frames_b"])

    def thresholds(self, language: str | None) -> tuple[np.ndarray, float]:
        """Technique thresholds ``[K]`` and the frame threshold for *language* (pooled if unknown)."""
        lang = language if language in self.technique_thresholds else POOLED
        frame_lang = language if language in self.frame_thresholds else POOLED
        return self.technique_thresholds[lang], self.frame_thresholds[frame_lang]

    def evidence_thresholds(self, language: str | None) -> np.ndarray:
        """``[K]`` first-stage thresholds a sentence of a *language* paragraph must reach to be evidence."""
        if not self.sentence_thresholds:
            return self.thresholds(language)[0]
        return self.sentence_thresholds[language if language in self.sentence_thresholds else POOLED]

    def knows(self, language: str | None) -> bool:
        return language in self.languages

    # ---- persistence -------------------------------------------------------
    def save(self, directory: Path | str) -> Path:
        """Write ``multilingual.safetensors`` and ``multilingual.json`` into *directory*."""
        from safetensors.numpy import save_file

        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        tensors = {k: np.ascontiguousarray(self.arrays[k], dtype=np.float32) for k in _ARRAYS}
        if self.context is not None:
            tensors.update(self.context.arrays())
        if self.lexical is not None:
            tensors.update(self.lexical.arrays())
            vocabulary = json.dumps(self.lexical.vocabulary(), ensure_ascii=False)
            (out / MODEL_FILES[2]).write_text(vocabulary + "\n", encoding="utf-8")
        save_file(tensors, str(out / MODEL_FILES[0]), metadata={"format": "spinscope-multilingual"})
        info = {
            "format_version": FORMAT_VERSION,
            "techniques": self.techniques,
            "frames": self.frames,
            "genres": self.genres,
            "languages": self.languages,
            "technique_thresholds": {k: [round(float(t), 4) for t in v] for k, v in self.technique_thresholds.items()},
            "frame_thresholds": {k: round(float(v), 4) for k, v in self.frame_thresholds.items()},
            "sentence_thresholds": {k: [round(float(t), 4) for t in v] for k, v in self.sentence_thresholds.items()},
            **self.meta,
        }
        (out / MODEL_FILES[1]).write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return out

    @classmethod
    def load(cls, directory: Path | str | None = None) -> MultilingualModel:
        """Read a model written by :meth:`save` (default: the bundled one)."""
        from safetensors import SafetensorError
        from safetensors.numpy import load_file

        d = Path(directory) if directory is not None else DEFAULT_MODEL_DIR
        weights, info_path = d / MODEL_FILES[0], d / MODEL_FILES[1]
        for path in (weights, info_path):
            if not path.is_file():
                raise ModelError("E355", str(path), "multilingual model file not found")
        try:
            info = json.loads(info_path.read_text(encoding="utf-8"))
            arrays = load_file(str(weights))
        except (OSError, ValueError, SafetensorError) as exc:
            raise ModelError("E356", str(d), f"cannot read the multilingual model ({exc})") from exc
        if not isinstance(info, dict) or info.get("format_version") != FORMAT_VERSION:
            got = info.get("format_version") if isinstance(info, dict) else None
            raise ModelError("E357", str(info_path), f"unsupported format_version {got!r}")
        missing = [k for k in _ARRAYS if k not in arrays]
        k, f, g = len(info["techniques"]), len(info["frames"]), len(info["genres"])
        shapes_ok = not missing and arrays["tech_W"].shape[1:] == (k,) and arrays["frames_W"].shape[1:] == (f,)
        if not shapes_ok or arrays["genre_W"].shape[1:] != (g,):
            raise ModelError("E358", str(weights), f"weights do not fit the model's labels (missing: {missing})")
        lexical = None
        if "lex_W" in arrays:  # a model with an n-gram head keeps its vocabulary beside the weights
            vocab_path = d / MODEL_FILES[2]
            if not vocab_path.is_file():
                raise ModelError("E355", str(vocab_path), "multilingual model file not found")
            try:
                lexical = LexicalHead.from_parts(arrays, json.loads(vocab_path.read_text(encoding="utf-8")))
            except (OSError, ValueError, KeyError, AttributeError) as exc:
                raise ModelError("E358", str(vocab_path), f"the n-gram head cannot be read ({exc})") from exc
        context = None
        if "ctx_W" in arrays:
            try:
                context = ContextStage.from_arrays(arrays, k)
            except (KeyError, ValueError) as exc:
                raise ModelError("E358", str(weights), f"the context stage cannot be read ({exc})") from exc
        known = {
            "format_version", "techniques", "frames", "genres", "languages",
            "technique_thresholds", "frame_thresholds", "sentence_thresholds",
        }  # fmt: skip
        return cls(
            techniques=list(info["techniques"]),
            frames=list(info["frames"]),
            genres=list(info["genres"]),
            languages=list(info["languages"]),
            arrays={k: np.asarray(v, dtype=np.float32) for k, v in arrays.items() if k in _ARRAYS},
            technique_thresholds={k: np.asarray(v, dtype=np.float32) for k, v in info["technique_thresholds"].items()},
            frame_thresholds={k: float(v) for k, v in info["frame_thresholds"].items()},
            sentence_thresholds={k: np.asarray(v, dtype=np.float32) for k, v in info.get("sentence_thresholds", {}).items()},
            meta={k: v for k, v in info.items() if k not in known},
            lexical=lexical,
            context=context,
        )


def check_labels(model: MultilingualModel, techniques: Sequence[str], frames: Sequence[str]) -> None:
    """Raise unless the multilingual model uses the same label order as the English model."""
    if list(techniques) != model.techniques or list(frames) != model.frames:
        raise ModelError("E359", "multilingual model", "its label lists differ from the English model's")


"""The genre model: one multinomial logistic regression over an article's form and its USE vector.

Features (:func:`article_row`), standardised with the training mean and
scale:

* the form features of :mod:`spinscope.genre.features` (dateline,
  attribution, quotes, person, questions, satire cues, ...), multiplied by
  ``form_weight`` after standardisation so the regulariser lets them count
  beside 1,024 vector columns;
* the ``[mean, max]`` of the article's paragraph vectors from the
  multilingual encoder (USE-multilingual v3), the same article vector the
  multilingual heads read.

Stored as plain arrays (``genre.safetensors``) and JSON (``genre.json``);
never a pickle.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from spinscope.errors import ModelError
from spinscope.genre.features import FEATURE_NAMES, form_features, form_features_leave_one_out

if TYPE_CHECKING:
    from spinscope.document import Document

__all__ = ["DEFAULT_GENRE_DIR", "FORMAT", "GENRES", "GenreModel", "article_row", "article_rows_leave_one_out", "decide_genres", "document_parts"]

DEFAULT_GENRE_DIR = Path(__file__).resolve().parent.parent / "models" / "genre"
FORMAT = "spinscope-genre/2"
GENRES: tuple[str, ...] = ("opinion", "reporting", "satire")
VECTOR_DIM = 512


def document_parts(doc: Document) -> tuple[str, list[str]]:
    """(title, body paragraphs' texts) of a document: its title paragraphs, or ``doc.title``, make the title."""
    titles = [doc.text[p.start : p.end] for p in doc.paragraphs if p.kind == "title"]
    body = [doc.text[p.start : p.end] for p in doc.paragraphs if p.kind != "title"]
    return (" ".join(titles) or doc.title or ""), body


def article_row(title: str, paragraphs: Sequence[str], vectors: np.ndarray) -> np.ndarray:
    """One unscaled feature row: ``[form features | mean | max of the paragraph vectors]``.

    ``vectors`` is ``[P, 512]`` (P may be 0: the vector block is then zeros).
    """
    form = form_features(title, paragraphs)
    if len(vectors) == 0:
        vec = np.zeros(2 * VECTOR_DIM, dtype=np.float32)
    else:
        vec = np.concatenate([vectors.mean(0), vectors.max(0)]).astype(np.float32)
    return np.concatenate([form, vec]).astype(np.float32)


def _vector_blocks_leave_one_out(vectors: np.ndarray, dropped: Sequence[int | None]) -> np.ndarray:
    """``[1 + len(dropped), 1024]``: ``[mean | max]`` of all rows, then of all rows but ``dropped[j]`` (None: none dropped).

    Closed form, one pass: the mean without row r is ``(sum - v_r) / (P - 1)``;
    the max without r is the top value of each column unless r holds it,
    then the second value. No rows left gives zeros, as :func:`article_row`.
    """
    out = np.zeros((1 + len(dropped), 2 * VECTOR_DIM), dtype=np.float32)
    n = len(vectors)
    if n == 0:
        return out
    v = vectors.astype(np.float32)
    total = v.sum(0)
    out[0] = np.concatenate([total / n, v.max(0)])
    if not dropped:
        return out
    if n > 1:
        order = np.argsort(-v, axis=0, kind="stable")[:2]  # [2, 512]: the rows holding each column's top two values
        cols = np.arange(v.shape[1])
        top, second = v[order[0], cols], v[order[1], cols]
    for j, r in enumerate(dropped, start=1):
        if r is None:
            out[j] = out[0]
        elif n > 1:
            out[j, :VECTOR_DIM] = (total - v[r]) / (n - 1)
            out[j, VECTOR_DIM:] = np.where(order[0] == r, second, top)
    return out


def article_rows_leave_one_out(
    title: str, paragraphs: Sequence[str], vectors: np.ndarray, left_out: Sequence[int], vector_rows: Sequence[int | None]
) -> np.ndarray:
    """``[1 + len(left_out), D]``: :func:`article_row` of the article, then of the article without paragraph ``left_out[j]``.

    ``vector_rows[j]`` is the row of ``vectors`` that paragraph
    ``left_out[j]`` contributed (None: it has none). Row ``1 + j`` equals
    ``article_row`` recomputed without that paragraph and that vector, to
    float rounding (the tests check it), at the cost of one pass.
    """
    form = form_features_leave_one_out(title, paragraphs, left_out)
    return np.concatenate([form, _vector_blocks_leave_one_out(vectors, vector_rows)], axis=1).astype(np.float32)


def decide_genres(probs: np.ndarray, satire_cue: np.ndarray, gate: float, genres: Sequence[str] = GENRES) -> np.ndarray:
    """``[N]`` genre index per row: the most probable, except satire without a cue below ``gate`` (0: no gate)."""
    best = probs.argmax(1)
    if gate > 0 and "satire" in genres:
        s = list(genres).index("satire")
        gated = (best == s) & (satire_cue <= 0) & (probs[:, s] < gate)
        others = probs.copy()
        others[:, s] = -1.0
        best = np.where(gated, others.argmax(1), best)
    return best


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@dataclass
class GenreModel:
    """Fitted genre head; build with :func:`spinscope.genre.train.train_genre` or :meth:`load`."""

    mean: np.ndarray  # [D]
    scale: np.ndarray  # [D]
    W: np.ndarray  # [D, G]
    b: np.ndarray  # [G]
    form_weight: float = 1.0
    use_vectors: bool = True
    genres: tuple[str, ...] = GENRES
    meta: dict[str, Any] = field(default_factory=dict)
    #: How many form features it reads (the first ones of FEATURE_NAMES; the rest are zeroed).
    form_used: int = len(FEATURE_NAMES)
    #: Added to the logits: the log of the genre prior assumed at prediction time (zeros: the training one).
    log_prior: np.ndarray = field(default_factory=lambda: np.zeros(len(GENRES), np.float32))
    #: Satire only with a satire cue in the text, or when the model's satire probability reaches this.
    satire_gate: float = 0.0

    def _prepare(self, rows: np.ndarray) -> np.ndarray:
        x = (np.atleast_2d(rows).astype(np.float32) - self.mean) / self.scale
        n_form = len(FEATURE_NAMES)
        x[:, :n_form] *= self.form_weight
        x[:, self.form_used : n_form] = 0.0
        if not self.use_vectors:
            x[:, n_form:] = 0.0
        return x

    def probs(self, rows: np.ndarray) -> np.ndarray:
        """``[N, G]`` genre probabilities of N unscaled rows (:func:`article_row`), under the model's prior."""
        return _softmax(self._prepare(rows) @ self.W + self.b + self.log_prior)

    def decide(self, rows: np.ndarray, probs: np.ndarray | None = None) -> np.ndarray:
        """``[N]`` genre index of each row: the most probable, but satire needs a cue or ``satire_gate``.

        Satire is 6% of the training articles and its form (short, first
        person, no attribution) is shared with op-eds; when the text names
        no satire (``satire_cue`` is 0) and the model is less sure than the
        gate, the next genre is taken.
        """
        p = self.probs(rows) if probs is None else probs
        cue = np.atleast_2d(rows)[:, FEATURE_NAMES.index("satire_cue")]
        return decide_genres(p, cue, self.satire_gate, self.genres)

    def save(self, directory: Path | str) -> Path:
        """Write ``genre.safetensors`` and ``genre.json`` into ``directory``."""
        from safetensors.numpy import save_file

        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        arrays = {"mean": self.mean, "scale": self.scale, "W": self.W, "b": self.b, "log_prior": self.log_prior}
        save_file({k: np.ascontiguousarray(v, dtype=np.float32) for k, v in arrays.items()}, str(out / "genre.safetensors"))
        config = {
            "format": FORMAT,
            "genres": list(self.genres),
            "form_features": list(FEATURE_NAMES),
            "vector_dim": VECTOR_DIM,
            "form_weight": self.form_weight,
            "use_vectors": self.use_vectors,
            "form_used": self.form_used,
            "satire_gate": self.satire_gate,
            "meta": self.meta,
        }
        (out / "genre.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
        return out

    @classmethod
    def load(cls, directory: Path | str | None = None) -> GenreModel:
        """Read a model directory (default: the bundled one); every problem is a one-line :class:`ModelError`."""
        from safetensors import SafetensorError
        from safetensors.numpy import load_file

        base = Path(directory) if directory is not None else DEFAULT_GENRE_DIR
        cfg_path, w_path = base / "genre.json", base / "genre.safetensors"
        for path in (cfg_path, w_path):
            if not path.is_file():
                raise ModelError("E371", str(path), "genre model file is missing")
        try:
            config = json.loads(cfg_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ModelError("E372", str(cfg_path), f"not a readable JSON file ({exc})") from exc
        if config.get("format") != FORMAT or tuple(config.get("form_features", ())) != FEATURE_NAMES:
            raise ModelError("E372", str(cfg_path), "not a spinscope genre model for these form features")
        try:
            arrays = load_file(str(w_path))
        except (SafetensorError, OSError, ValueError) as exc:
            raise ModelError("E373", str(w_path), f"cannot read weights ({exc})") from exc
        genres = tuple(config["genres"])
        dim = len(FEATURE_NAMES) + 2 * VECTOR_DIM
        shapes = {"mean": (dim,), "scale": (dim,), "W": (dim, len(genres)), "b": (len(genres),), "log_prior": (len(genres),)}
        for name, shape in shapes.items():
            if name not in arrays or arrays[name].shape != shape:
                raise ModelError("E373", str(w_path), f"{name} is missing or not of shape {shape}")
        return cls(
            arrays["mean"], arrays["scale"], arrays["W"], arrays["b"],
            float(config["form_weight"]), bool(config["use_vectors"]), genres, dict(config.get("meta", {})),
            int(config.get("form_used", len(FEATURE_NAMES))), arrays["log_prior"], float(config.get("satire_gate", 0.0)),
        )  # fmt: skip

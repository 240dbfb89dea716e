"""Entity roles (SemEval-2025 Task 10, subtask 1): a head over the shared encoder's states.

For a mention the features are, from the detector's encoder pass
(:meth:`~spinscope.models.bundle.SpinModel.encode_paragraphs` with
``spans``), 384-wide blocks side by side, each L2-normalised, chosen from
(:data:`BLOCKS`): ``mention``, the mean top-layer state of the mention's
own tokens; ``left`` and ``right``, the mean states of its sentence before
and after it, the name left out (:mod:`spinscope.entities.context`);
``para``, its paragraph's mean; ``art``, the mean of the article's
paragraph vectors. The first model (format 1) read
``mention | para | art`` (:data:`FEATURE_DIM`); format 2 records its
blocks, and a bias on the Antagonist logit chosen by cross-validation.

Two logistic-regression heads are trained with scikit-learn and stored as
plain arrays (safetensors plus JSON; no pickle):

* **main role**: Protagonist / Antagonist / Innocent, softmax;
* **fine roles**: a softmax over the 22 fine roles. At prediction the fine
  roles are restricted to those of the predicted main role (the taxonomy is
  a tree); the best one is always given, and a second one too when its
  probability is at least ``second_ratio`` times the best (tuned by
  cross-validation on the training split, for the exact match ratio).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from spinscope.errors import ModelError
from spinscope.vectors import unit_rows

__all__ = [
    "ACCURATE_BLOCKS",
    "ACCURATE_ROLES_DIR",
    "BLOCK_WIDTH",
    "DEFAULT_ROLES_DIR",
    "FEATURE_DIM",
    "FINE_ROLES",
    "MAIN_ROLES",
    "RoleModel",
    "RolePrediction",
    "aggregate_roles",
    "mention_features",
    "role_features",
]

MAIN_ROLES: tuple[str, ...] = ("Protagonist", "Antagonist", "Innocent")
#: Fine roles by main role, in the organisers' order.
FINE_BY_MAIN: dict[str, tuple[str, ...]] = {
    "Protagonist": ("Guardian", "Martyr", "Peacemaker", "Rebel", "Underdog", "Virtuous"),
    "Antagonist": (
        "Instigator", "Conspirator", "Tyrant", "Foreign Adversary", "Traitor", "Spy",
        "Saboteur", "Corrupt", "Incompetent", "Terrorist", "Deceiver", "Bigot",
    ),
    "Innocent": ("Forgotten", "Exploited", "Victim", "Scapegoat"),
}
FINE_ROLES: tuple[str, ...] = tuple(r for roles in FINE_BY_MAIN.values() for r in roles)
MAIN_OF: dict[str, str] = {r: main for main, roles in FINE_BY_MAIN.items() for r in roles}

BLOCK = 384
FEATURE_DIM = 3 * BLOCK
#: Every feature block of the shared encoder a role model may read, in column order.
BLOCKS: tuple[str, ...] = ("mention", "left", "right", "para", "art")
#: The accurate model's blocks (:mod:`spinscope.entities.accurate`, all-mpnet-base-v2, an optional extra).
ACCURATE_BLOCKS: tuple[str, ...] = ("mpnet_mention", "mpnet_masked")
#: How wide each block is.
BLOCK_WIDTH: dict[str, int] = {**dict.fromkeys(BLOCKS, BLOCK), **dict.fromkeys(ACCURATE_BLOCKS, 768)}
#: What format-1 models read.
V1_BLOCKS: tuple[str, ...] = ("mention", "para", "art")
DEFAULT_ROLES_DIR = Path(str(resources.files("spinscope") / "models" / "roles"))
#: The accurate role heads (they read :data:`ACCURATE_BLOCKS`; selected with ``SPINSCOPE_ROLES=accurate``).
ACCURATE_ROLES_DIR = Path(str(resources.files("spinscope") / "models" / "roles_accurate"))


def mention_features(span_vectors: np.ndarray, paragraph_means: np.ndarray, article_mean: np.ndarray) -> np.ndarray:
    """``[span | paragraph | article]`` rows (``[M, 1152]``) for ``M`` mentions.

    ``span_vectors`` is ``[M, 384]``, ``paragraph_means`` ``[M, 384]`` (the
    paragraph of each mention) and ``article_mean`` ``[384]``.
    """
    m = len(span_vectors)
    art = np.broadcast_to(unit_rows(article_mean[None, :]), (m, BLOCK))
    return np.concatenate([unit_rows(span_vectors), unit_rows(paragraph_means), art], axis=1).astype(np.float32)


def role_features(blocks: Sequence[str], parts: dict[str, np.ndarray]) -> np.ndarray:
    """``[M, width]`` rows: the named blocks of ``parts`` (each ``[M, BLOCK_WIDTH[name]]``, ``art`` may be ``[384]``), L2-normalised."""
    m = max(len(v) for k, v in parts.items() if k != "art" and k in blocks) if any(k != "art" for k in blocks) else 1
    cols = []
    for name in blocks:
        block = parts[name]
        if name == "art" and block.ndim == 1:
            block = np.broadcast_to(block[None, :], (m, BLOCK))
        cols.append(unit_rows(np.asarray(block, dtype=np.float32)))
    return np.concatenate(cols, axis=1).astype(np.float32)


@dataclass(frozen=True, slots=True)
class RolePrediction:
    """Main role with its probabilities, and the fine roles chosen with theirs."""

    main_role: str
    main_scores: dict[str, float]
    fine_roles: tuple[str, ...]
    fine_scores: dict[str, float]  # the chosen main role's fine roles only, renormalised

    def to_dict(self) -> dict[str, Any]:
        return {
            "main_role": self.main_role,
            "main_scores": {k: round(v, 4) for k, v in self.main_scores.items()},
            "fine_roles": list(self.fine_roles),
            "fine_scores": {k: round(v, 4) for k, v in self.fine_scores.items()},
        }


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class RoleModel:
    """Main-role and fine-role heads; ``fit`` with scikit-learn, ``predict`` with numpy."""

    def __init__(
        self,
        c_main: float = 1.0,
        c_fine: float = 1.0,
        second_ratio: float = 1.01,
        blocks: Sequence[str] = V1_BLOCKS,
        antagonist_bias: float = 0.0,
    ) -> None:
        self.c_main = c_main
        self.c_fine = c_fine
        self.second_ratio = second_ratio  # > 1: never a second fine role
        self.blocks = tuple(blocks)
        # Added to the Antagonist logit: the majority role wins unless the head is confident otherwise.
        self.antagonist_bias = antagonist_bias
        self.W_main: np.ndarray | None = None
        self.b_main: np.ndarray | None = None
        self.W_fine: np.ndarray | None = None
        self.b_fine: np.ndarray | None = None
        self.meta: dict[str, Any] = {}

    # -- training -------------------------------------------------------------------
    def fit(self, X: np.ndarray, main: Sequence[str], fine: Sequence[Sequence[str]]) -> RoleModel:
        """Train both heads on feature rows ``X`` with gold main roles and fine-role lists."""
        from sklearn.linear_model import LogisticRegression

        X = np.asarray(X, dtype=np.float32)
        y_main = np.array([MAIN_ROLES.index(m) for m in main])
        clf = LogisticRegression(C=self.c_main, max_iter=2000)
        clf.fit(X, y_main)
        self.W_main, self.b_main = _expand(clf, len(MAIN_ROLES), X.shape[1])
        # One row per (mention, fine role): a two-role mention teaches both roles.
        rows, ys = [], []
        for i, roles in enumerate(fine):
            for r in roles:
                if r in FINE_ROLES:
                    rows.append(i)
                    ys.append(FINE_ROLES.index(r))
        clf_f = LogisticRegression(C=self.c_fine, max_iter=2000)
        clf_f.fit(X[rows], np.array(ys))
        self.W_fine, self.b_fine = _expand(clf_f, len(FINE_ROLES), X.shape[1])
        return self

    # -- prediction -----------------------------------------------------------------
    def _check(self) -> None:
        if self.W_main is None or self.W_fine is None:
            raise ModelError("E330", "roles", "the role model is not trained")

    def predict(self, X: np.ndarray) -> list[RolePrediction]:
        """A :class:`RolePrediction` per feature row."""
        self._check()
        X = np.asarray(X, dtype=np.float32)
        if X.shape[0] == 0:
            return []
        bias = np.array([self.antagonist_bias if r == "Antagonist" else 0.0 for r in MAIN_ROLES], dtype=np.float32)
        pm = _softmax(X @ self.W_main.T + self.b_main + bias)  # type: ignore[union-attr]
        pf = _softmax(X @ self.W_fine.T + self.b_fine)  # type: ignore[union-attr]
        out = []
        for i in range(X.shape[0]):
            main = MAIN_ROLES[int(np.argmax(pm[i]))]
            idx = [FINE_ROLES.index(r) for r in FINE_BY_MAIN[main]]
            sub = pf[i, idx] / max(float(pf[i, idx].sum()), 1e-9)
            order = np.argsort(-sub)
            chosen = [FINE_BY_MAIN[main][order[0]]]
            if len(order) > 1 and sub[order[1]] * self.second_ratio >= sub[order[0]]:
                chosen.append(FINE_BY_MAIN[main][order[1]])
            out.append(
                RolePrediction(
                    main,
                    {r: float(p) for r, p in zip(MAIN_ROLES, pm[i], strict=True)},
                    tuple(chosen),
                    {r: float(p) for r, p in zip(FINE_BY_MAIN[main], sub, strict=True)},
                )
            )
        return out

    @property
    def feature_dim(self) -> int:
        """Width of the feature rows this model reads."""
        return sum(BLOCK_WIDTH[b] for b in self.blocks)

    @property
    def accurate(self) -> bool:
        """Whether this model reads the accurate encoder's blocks (``pip install spinscope[accurate]``)."""
        return any(b in ACCURATE_BLOCKS for b in self.blocks)

    # -- files ----------------------------------------------------------------------
    def save(self, directory: Path | str) -> Path:
        """Write ``roles.safetensors`` and ``roles.json`` into ``directory``."""
        from safetensors.numpy import save_file

        self._check()
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        tensors = {"W_main": self.W_main, "b_main": self.b_main, "W_fine": self.W_fine, "b_fine": self.b_fine}
        save_file({k: v for k, v in tensors.items() if v is not None}, str(out / "roles.safetensors"))
        config = {
            "format": "spinscope-roles/2",
            "main_roles": list(MAIN_ROLES),
            "fine_roles": list(FINE_ROLES),
            "feature_dim": self.feature_dim,
            "blocks": list(self.blocks),
            "antagonist_bias": self.antagonist_bias,
            "c_main": self.c_main,
            "c_fine": self.c_fine,
            "second_ratio": self.second_ratio,
            "meta": self.meta,
        }
        (out / "roles.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
        return out

    @classmethod
    def load(cls, directory: Path | str | None = None) -> RoleModel:
        """Read a model directory (default: the bundled one); every problem is a one-line :class:`ModelError`."""
        from safetensors import SafetensorError
        from safetensors.numpy import load_file

        base = Path(directory) if directory is not None else DEFAULT_ROLES_DIR
        cfg_path, w_path = base / "roles.json", base / "roles.safetensors"
        for path in (cfg_path, w_path):
            if not path.is_file():
                raise ModelError("E331", str(path), "role model file is missing")
        try:
            config = json.loads(cfg_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ModelError("E332", str(cfg_path), f"not a readable JSON file ({exc})") from exc
        fmt = config.get("format")
        if fmt not in ("spinscope-roles/1", "spinscope-roles/2") or tuple(config.get("fine_roles", ())) != FINE_ROLES:
            raise ModelError("E332", str(cfg_path), "not a spinscope role model for the 22 SemEval-2025 roles")
        blocks = tuple(config.get("blocks", V1_BLOCKS)) if fmt == "spinscope-roles/2" else V1_BLOCKS
        if not blocks or any(b not in BLOCK_WIDTH for b in blocks):
            raise ModelError("E332", str(cfg_path), f"unknown feature blocks {list(blocks)}; known: {list(BLOCK_WIDTH)}")
        if any(b in ACCURATE_BLOCKS for b in blocks) and tuple(blocks) != ACCURATE_BLOCKS:
            # The accurate path computes its own two blocks only; a mix would need both encoders.
            raise ModelError("E332", str(cfg_path), f"an accurate role model reads exactly {list(ACCURATE_BLOCKS)}")
        try:
            arrays = load_file(str(w_path))
        except (SafetensorError, OSError, ValueError) as exc:
            raise ModelError("E333", str(w_path), f"cannot read weights ({exc})") from exc
        model = cls(
            float(config["c_main"]), float(config["c_fine"]), float(config["second_ratio"]),
            blocks, float(config.get("antagonist_bias", 0.0)),
        )  # fmt: skip
        dim = model.feature_dim
        shapes = {
            "W_main": (len(MAIN_ROLES), dim), "b_main": (len(MAIN_ROLES),),
            "W_fine": (len(FINE_ROLES), dim), "b_fine": (len(FINE_ROLES),),
        }  # fmt: skip
        for name, shape in shapes.items():
            if name not in arrays or arrays[name].shape != shape:
                raise ModelError("E333", str(w_path), f"{name} is missing or not of shape {shape}")
        model.W_main, model.b_main = arrays["W_main"], arrays["b_main"]
        model.W_fine, model.b_fine = arrays["W_fine"], arrays["b_fine"]
        model.meta = dict(config.get("meta", {}))
        return model


def aggregate_roles(preds: Sequence[RolePrediction], second_ratio: float = 1.01) -> RolePrediction | None:
    """One role for an entity from its mentions' roles: mean main scores, then mean fine scores.

    The fine scores are averaged over the mentions whose main role is the
    entity's; the best fine role is given, and a second one on the same
    ``second_ratio`` rule as for a mention. None for no mention.
    """
    if not preds:
        return None
    main_scores = {r: float(np.mean([p.main_scores[r] for p in preds])) for r in MAIN_ROLES}
    main = max(MAIN_ROLES, key=lambda r: main_scores[r])
    agreeing = [p for p in preds if p.main_role == main] or list(preds)
    fine_scores = {
        r: float(np.mean([p.fine_scores.get(r, 0.0) for p in agreeing])) for r in FINE_BY_MAIN[main]
    }
    ranked = sorted(fine_scores, key=lambda r: -fine_scores[r])
    chosen = [ranked[0]]
    if len(ranked) > 1 and fine_scores[ranked[1]] * second_ratio >= fine_scores[ranked[0]]:
        chosen.append(ranked[1])
    return RolePrediction(main, main_scores, tuple(chosen), fine_scores)


def _expand(clf: Any, n_classes: int, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """Full ``[n_classes, dim]`` weights from a fitted classifier that may have seen fewer classes.

    A class absent from the training rows gets a very low bias, so it is never predicted.
    """
    W = np.zeros((n_classes, dim), dtype=np.float32)
    b = np.full(n_classes, -30.0, dtype=np.float32)
    coef, intercept = clf.coef_, clf.intercept_
    classes = list(clf.classes_)
    if len(classes) == 2:  # scikit-learn keeps one row for two classes
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
    for row, c in enumerate(classes):
        W[int(c)] = coef[row]
        b[int(c)] = intercept[row]
    return W, b

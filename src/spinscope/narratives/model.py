"""Narrative and sub-narrative classifier: logistic-regression heads over article features.

Three sets of heads share the standardised article features
(:mod:`spinscope.narratives.features`):

* one binary head per fine label (sub-narrative, e.g. ``URW: Discrediting
  Ukraine: Ukraine is a puppet of the West``) with enough training positives;
* one binary head per coarse label (narrative, e.g. ``URW: Discrediting Ukraine``);
* one multinomial head for the domain: ``URW``, ``CC`` or ``Other``.

All heads are scikit-learn ``LogisticRegression(class_weight="balanced")``
at training time only; a fitted or loaded model predicts with numpy.

Decoding (:meth:`NarrativeModel.predict`), the task's hierarchy:

1. if the domain head gives ``Other`` at least ``other_threshold``, the
   article is ``Other`` (the official label for "no narrative");
2. otherwise the more likely of ``URW`` / ``CC`` is the article's domain and
   every label of the other domain is dropped;
3. a fine label whose probability clears its threshold is kept, and implies
   its narrative; a narrative whose own head clears its threshold is kept;
4. a kept narrative without a kept sub-narrative gets ``<narrative>: Other``
   (how the annotators mark "this narrative, no listed sub-narrative");
5. if nothing is kept the article is ``Other``.

Thresholds (every head's, and ``other_threshold``) are chosen by k-fold
cross-validation on the training data passed to :meth:`NarrativeModel.fit`,
maximising the mean of the coarse and fine samples-F1 on out-of-fold
probabilities: first one global threshold per level, then per-label
coordinate ascent that keeps a change only when it gains at least half an
article's worth of F1.

Persistence without pickles: :meth:`NarrativeModel.save` writes
``narratives.safetensors`` (standardisation, weights, biases, thresholds)
and ``narratives.json`` (labels, parents, configuration, training date and
counts); :meth:`NarrativeModel.load` reads them back.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from spinscope.errors import ConfigError, ModelError

__all__ = [
    "DOMAINS",
    "MODEL_FILES",
    "OTHER",
    "NarrativeConfig",
    "NarrativeModel",
    "NarrativePrediction",
    "domain_of",
    "parent_of",
]

#: The official label for "none of the listed narratives" (both columns of subtask 2).
OTHER = "Other"
#: Domain classes of the domain head, in column order.
DOMAINS: tuple[str, ...] = ("URW", "CC", OTHER)
#: Files written by :meth:`NarrativeModel.save`.
MODEL_FILES = ("narratives.safetensors", "narratives.json")
FORMAT_VERSION = 1
_GRID = tuple(round(x, 2) for x in np.arange(0.05, 0.96, 0.05))
_OTHER_GRID = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)  # 1.01: the domain head never forces Other on its own


def domain_of(label: str) -> str:
    """``URW`` / ``CC`` from a label's prefix, ``Other`` for anything else."""
    head = label.split(":", 1)[0].strip()
    return head if head in DOMAINS[:2] else OTHER


def parent_of(label: str) -> str | None:
    """The narrative of a sub-narrative label (``"A: B: C"`` -> ``"A: B"``); None for ``Other``."""
    parts = label.split(": ")
    return ": ".join(parts[:2]) if len(parts) >= 3 else None


@dataclass(frozen=True)
class NarrativeConfig:
    """Training settings; every field is stored in ``narratives.json``."""

    C: float = 0.1
    min_positives: int = 3
    folds: int = 5
    seed: int = 13
    max_iter: int = 3000
    per_label_thresholds: bool = True


@dataclass(frozen=True)
class NarrativePrediction:
    """Labels of one article, in the official subtask-2 sense.

    ``narratives`` / ``subnarratives`` are ``("Other",)`` when no narrative
    was found; ``dominant`` is the kept narrative with the highest score
    (``"Other"`` then); ``scores`` maps every kept label to its probability.
    """

    narratives: tuple[str, ...]
    subnarratives: tuple[str, ...]
    domain: str
    dominant: str
    scores: Mapping[str, float] = field(default_factory=dict)

    @property
    def is_other(self) -> bool:
        return self.narratives == (OTHER,)

    def to_dict(self) -> dict[str, Any]:
        return {
            "narratives": list(self.narratives),
            "subnarratives": list(self.subnarratives),
            "domain": self.domain,
            "dominant": self.dominant,
            "scores": {k: round(float(v), 4) for k, v in self.scores.items()},
        }


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # overflow-free logistic


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class NarrativeModel:
    """Hierarchical narrative classifier; see the module docstring for the decoding rules.

    >>> model = NarrativeModel().fit(X, Y, labels)  # doctest: +SKIP
    >>> model.predict(X[:1])[0].narratives  # doctest: +SKIP
    ('URW: Discrediting Ukraine',)
    """

    def __init__(self, config: NarrativeConfig | None = None, **overrides: Any) -> None:
        base = config or NarrativeConfig()
        self.config = NarrativeConfig(**{**asdict(base), **overrides})
        self.meta: dict[str, Any] = {}
        self._fitted = False

    # ------------------------------------------------------------------ label structure
    def _set_labels(self, labels: Sequence[str]) -> None:
        self.labels: tuple[str, ...] = tuple(labels)  # fine label space (columns of Y_fine)
        if len(set(self.labels)) != len(self.labels):
            raise ConfigError("E340", "labels", "fine labels contain duplicates")
        coarse = [OTHER]
        for lab in self.labels:
            p = parent_of(lab)
            if p is not None and p not in coarse:
                coarse.append(p)
        self.coarse_labels: tuple[str, ...] = tuple(coarse)
        self._build_maps()

    def _build_maps(self) -> None:
        fi = {lab: i for i, lab in enumerate(self.labels)}
        ci = {lab: i for i, lab in enumerate(self.coarse_labels)}
        self._fine_index, self._coarse_index = fi, ci
        nf, nc = len(self.labels), len(self.coarse_labels)
        self._parent = np.zeros((nf, nc), dtype=bool)  # fine -> its narrative
        for lab, i in fi.items():
            p = parent_of(lab)
            if p in ci:
                self._parent[i, ci[p]] = True
        self._other_child = np.full(nc, -1)  # narrative -> its "<narrative>: Other" fine label
        for lab, j in ci.items():
            self._other_child[j] = fi.get(f"{lab}: {OTHER}", -1)
        self._fine_domain = np.array([DOMAINS.index(domain_of(lab)) for lab in self.labels])
        self._coarse_domain = np.array([DOMAINS.index(domain_of(lab)) for lab in self.coarse_labels])

    def coarse_matrix(self, Y_fine: np.ndarray) -> np.ndarray:
        """Gold narratives implied by a fine indicator matrix (``Other`` where no narrative)."""
        Y = np.asarray(Y_fine, dtype=bool)
        C = (Y.astype(np.int32) @ self._parent.astype(np.int32)) > 0
        C[:, self._coarse_index[OTHER]] = ~C.any(axis=1)
        return C

    def domain_vector(self, Y_fine: np.ndarray) -> np.ndarray:
        """Gold domain index per article (first domain found; ``Other`` when none)."""
        Y = np.asarray(Y_fine, dtype=bool)
        out = np.full(Y.shape[0], DOMAINS.index(OTHER))
        for d in (1, 0):  # URW wins over CC when an article has both
            has = (Y & (self._fine_domain == d)[None, :]).any(axis=1)
            out[has] = d
        return out

    # ------------------------------------------------------------------ training
    def fit(self, X: np.ndarray, Y_fine: np.ndarray, labels: Sequence[str]) -> NarrativeModel:
        """Fit every head on ``X`` ``(n, d)`` and 0/1 ``Y_fine`` ``(n, len(labels))``; tune thresholds.

        ``labels`` is the fine label space; include ``"Other"`` and the
        ``"<narrative>: Other"`` labels so decoding can emit them.
        Thresholds come from ``config.folds``-fold cross-validation on this
        data only.
        """
        X = np.asarray(X, dtype=np.float32)
        Y = np.asarray(Y_fine).astype(bool)
        if X.ndim != 2 or Y.ndim != 2 or X.shape[0] != Y.shape[0] or Y.shape[1] != len(labels):
            shapes = f"X {X.shape}, Y {Y.shape}, {len(labels)} labels"
            raise ConfigError("E341", "fit", f"shape mismatch: {shapes}")
        self._set_labels(labels)
        C = self.coarse_matrix(Y)
        dom = self.domain_vector(Y)
        cfg = self.config
        n = X.shape[0]
        lo = cfg.min_positives
        fine_heads = [
            i for i, lab in enumerate(self.labels) if lab != OTHER and lo <= Y[:, i].sum() <= n - lo
        ]
        coarse_heads = [
            j for j, lab in enumerate(self.coarse_labels) if lab != OTHER and lo <= C[:, j].sum() <= n - lo
        ]
        if len(set(dom.tolist())) < 2:
            raise ConfigError("E342", "fit", "the training data has one domain; cannot train the domain head")

        # Out-of-fold probabilities for threshold tuning.
        from sklearn.model_selection import StratifiedKFold

        Pf = np.zeros(Y.shape, dtype=np.float64)
        Pc = np.zeros(C.shape, dtype=np.float64)
        Pd = np.zeros((n, len(DOMAINS)), dtype=np.float64)
        folds = StratifiedKFold(n_splits=cfg.folds, shuffle=True, random_state=cfg.seed)
        for tr, te in folds.split(X, dom):
            params = self._train_heads(X[tr], Y[tr], C[tr], dom[tr], fine_heads, coarse_heads)
            pf, pc, pd = self._probabilities(X[te], params)
            Pf[te], Pc[te], Pd[te] = pf, pc, pd
        thresholds = self._tune(Pf, Pc, Pd, Y, C, fine_heads, coarse_heads)

        self._params = self._train_heads(X, Y, C, dom, fine_heads, coarse_heads)
        self._params.update(thresholds)
        self._params = {k: np.asarray(v, dtype=np.float32) for k, v in self._params.items()}
        oof = self._objective(Pf, Pc, Pd, Y, C, thresholds)
        self.meta = {
            "trained_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "counts": {
                "articles": int(n),
                "articles_other": int(C[:, self._coarse_index[OTHER]].sum()),
                "articles_by_domain": {d: int((dom == i).sum()) for i, d in enumerate(DOMAINS)},
                "fine_heads": len(fine_heads),
                "coarse_heads": len(coarse_heads),
            },
            "cv": {"folds": cfg.folds, "coarse_samples_f1": oof[0], "fine_samples_f1": oof[1]},
        }
        self._fitted = True
        return self

    def _train_heads(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        C: np.ndarray,
        dom: np.ndarray,
        fine_heads: Sequence[int],
        coarse_heads: Sequence[int],
    ) -> dict[str, np.ndarray]:
        from sklearn.linear_model import LogisticRegression

        cfg = self.config
        mean = X.mean(axis=0)
        scale = X.std(axis=0)
        scale[scale < 1e-6] = 1.0
        Z = (X - mean) / scale
        d = X.shape[1]

        def binary(targets: np.ndarray, heads: Sequence[int], width: int) -> tuple[np.ndarray, np.ndarray]:
            W = np.zeros((width, d))
            b = np.full(width, -30.0)  # labels without a head are never predicted
            for i in heads:
                y = targets[:, i]
                if y.all() or not y.any():  # a fold without positives (or negatives)
                    continue
                lr = LogisticRegression(C=cfg.C, class_weight="balanced", max_iter=cfg.max_iter)
                lr.fit(Z, y)
                W[i], b[i] = lr.coef_[0], lr.intercept_[0]
            return W, b

        fw, fb = binary(Y, fine_heads, Y.shape[1])
        cw, cb = binary(C, coarse_heads, C.shape[1])
        lr = LogisticRegression(C=cfg.C, class_weight="balanced", max_iter=cfg.max_iter)
        lr.fit(Z, dom)
        dw = np.zeros((len(DOMAINS), d))
        db = np.full(len(DOMAINS), -30.0)
        for row, cls in enumerate(lr.classes_):
            if len(lr.classes_) == 2:  # binary LR has one row: +w for classes_[1], -w for classes_[0]
                sign = 1.0 if row == 1 else -1.0
                dw[cls], db[cls] = sign * lr.coef_[0] / 2, sign * lr.intercept_[0] / 2
            else:
                dw[cls], db[cls] = lr.coef_[row], lr.intercept_[row]
        return {
            "feature_mean": mean, "feature_scale": scale,
            "fine_weight": fw, "fine_bias": fb,
            "coarse_weight": cw, "coarse_bias": cb,
            "domain_weight": dw, "domain_bias": db,
        }  # fmt: skip

    @staticmethod
    def _probabilities(
        X: np.ndarray, p: Mapping[str, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        Z = (np.asarray(X, dtype=np.float64) - p["feature_mean"]) / p["feature_scale"]
        pf = _sigmoid(Z @ np.asarray(p["fine_weight"], dtype=np.float64).T + p["fine_bias"])
        pc = _sigmoid(Z @ np.asarray(p["coarse_weight"], dtype=np.float64).T + p["coarse_bias"])
        pd = _softmax(Z @ np.asarray(p["domain_weight"], dtype=np.float64).T + p["domain_bias"])
        return pf, pc, pd

    # ------------------------------------------------------------------ decoding
    def _decode(
        self,
        Pf: np.ndarray,
        Pc: np.ndarray,
        Pd: np.ndarray,
        th_f: np.ndarray,
        th_c: np.ndarray,
        th_o: float,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Boolean fine and coarse label matrices and the domain index per article."""
        n = Pf.shape[0]
        other_f, other_c = self._fine_index.get(OTHER), self._coarse_index[OTHER]
        domain = np.where(Pd[:, 0] >= Pd[:, 1], 0, 1)
        F = (Pf >= th_f) & (self._fine_domain[None, :] == domain[:, None])
        Cm = (Pc >= th_c) & (self._coarse_domain[None, :] == domain[:, None])
        Cm |= (F.astype(np.int32) @ self._parent.astype(np.int32)) > 0
        if other_f is not None:
            F[:, other_f] = False
        Cm[:, other_c] = False
        covered = (F.astype(np.int32) @ self._parent.astype(np.int32)) > 0
        need = Cm & ~covered
        rows, cols = np.nonzero(need)
        child = self._other_child[cols]
        ok = child >= 0
        F[rows[ok], child[ok]] = True
        none = ~Cm.any(axis=1) | (Pd[:, DOMAINS.index(OTHER)] >= th_o)
        F[none] = False
        Cm[none] = False
        Cm[none, other_c] = True
        if other_f is not None:
            F[none, other_f] = True
        domain = np.where(none, DOMAINS.index(OTHER), domain)
        assert F.shape[0] == n
        return F, Cm, domain

    @staticmethod
    def _f1_rows(G: np.ndarray, P: np.ndarray, keep: np.ndarray | None = None) -> np.ndarray:
        if keep is not None:
            G, P = G[:, keep], P[:, keep]
        tp = (G & P).sum(axis=1)
        denom = G.sum(axis=1) + P.sum(axis=1)
        return np.where(denom > 0, 2.0 * tp / np.maximum(denom, 1), 0.0)

    def _objective(
        self,
        Pf: np.ndarray,
        Pc: np.ndarray,
        Pd: np.ndarray,
        Y: np.ndarray,
        C: np.ndarray,
        th: Mapping[str, Any],
    ) -> tuple[float, float]:
        to = float(np.ravel(th["other_threshold"])[0])
        F, Cm, _ = self._decode(Pf, Pc, Pd, th["fine_threshold"], th["coarse_threshold"], to)
        return float(self._f1_rows(C, Cm).mean()), float(self._f1_rows(Y, F).mean())

    def _tune(
        self,
        Pf: np.ndarray,
        Pc: np.ndarray,
        Pd: np.ndarray,
        Y: np.ndarray,
        C: np.ndarray,
        fine_heads: Sequence[int],
        coarse_heads: Sequence[int],
    ) -> dict[str, Any]:
        nf, nc = Pf.shape[1], Pc.shape[1]

        def score(tf: np.ndarray, tc: np.ndarray, to: float) -> float:
            th = {"fine_threshold": tf, "coarse_threshold": tc, "other_threshold": to}
            c, f = self._objective(Pf, Pc, Pd, Y, C, th)
            return (c + f) / 2

        best = (-1.0, 0.5, 0.5, 1.01)
        for to in _OTHER_GRID:
            for gc in _GRID:
                for gf in _GRID:
                    s = score(np.full(nf, gf), np.full(nc, gc), to)
                    if s > best[0] + 1e-12:
                        best = (s, gf, gc, to)
        s0, gf, gc, to = best
        tf, tc = np.full(nf, gf), np.full(nc, gc)
        if self.config.per_label_thresholds:
            gain = 0.5 / max(Pf.shape[0], 1)
            current = s0
            for _ in range(2):
                changed = False
                for vec, heads in ((tc, coarse_heads), (tf, fine_heads)):
                    for i in heads:
                        keep = vec[i]
                        best_v, best_s = keep, current
                        for v in _GRID:
                            vec[i] = v
                            s = score(tf, tc, to)
                            if s > best_s + gain:
                                best_v, best_s = v, s
                        vec[i] = best_v
                        if best_v != keep:
                            current, changed = best_s, True
                if not changed:
                    break
        return {"fine_threshold": tf, "coarse_threshold": tc, "other_threshold": np.array([to])}

    # ------------------------------------------------------------------ prediction
    def _check(self) -> None:
        if not self._fitted:
            raise ModelError("E343", "NarrativeModel", "the model is not fitted; call fit() or load() first")

    def _all_proba(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        self._check()
        X = np.atleast_2d(np.asarray(X, dtype=np.float32))
        if X.shape[1] != self._params["feature_mean"].shape[0]:
            want = self._params["feature_mean"].shape[0]
            raise ConfigError("E344", "predict", f"expected {want} features, got {X.shape[1]}")
        return self._probabilities(X, self._params)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Fine-label probabilities, ``(n, len(labels))`` in :attr:`labels` order.

        The ``Other`` column holds the domain head's probability of ``Other``;
        labels without a head (too few training positives) get ~0.
        """
        pf, _, pd = self._all_proba(X)
        if OTHER in self._fine_index:
            pf[:, self._fine_index[OTHER]] = pd[:, DOMAINS.index(OTHER)]
        return pf

    def coarse_proba(self, X: np.ndarray) -> np.ndarray:
        """Narrative-head probabilities, ``(n, len(coarse_labels))``; ``Other`` from the domain head."""
        _, pc, pd = self._all_proba(X)
        pc[:, self._coarse_index[OTHER]] = pd[:, DOMAINS.index(OTHER)]
        return pc

    def domain_proba(self, X: np.ndarray) -> np.ndarray:
        """Domain probabilities, ``(n, 3)`` in :data:`DOMAINS` order."""
        return self._all_proba(X)[2]

    def predict(self, X: np.ndarray) -> list[NarrativePrediction]:
        """Decoded labels for every row of ``X`` (see the module docstring for the rules)."""
        pf, pc, pd = self._all_proba(X)
        p = self._params
        to = float(p["other_threshold"][0])
        F, Cm, dom = self._decode(pf, pc, pd, p["fine_threshold"], p["coarse_threshold"], to)
        out: list[NarrativePrediction] = []
        for r in range(F.shape[0]):
            fine = tuple(self.labels[i] for i in np.nonzero(F[r])[0])
            coarse = tuple(self.coarse_labels[j] for j in np.nonzero(Cm[r])[0])
            if coarse == (OTHER,):
                out.append(NarrativePrediction((OTHER,), (OTHER,), OTHER, OTHER, {OTHER: float(pd[r, 2])}))
                continue
            scores: dict[str, float] = {}
            for j in np.nonzero(Cm[r])[0]:
                kids = self._parent[:, j] & F[r]
                scores[self.coarse_labels[j]] = float(max(pc[r, j], pf[r, kids].max() if kids.any() else 0.0))
            for i in np.nonzero(F[r])[0]:
                scores[self.labels[i]] = float(pf[r, i])
            dominant = max(coarse, key=lambda c: scores[c])
            out.append(NarrativePrediction(coarse, fine, DOMAINS[dom[r]], dominant, scores))
        return out

    def head_direction(self, label: str) -> np.ndarray | None:
        """A narrative's (or sub-narrative's) weight vector in raw feature space, or None without a head."""
        self._check()
        p = self._params
        if label in self._coarse_index and label != OTHER:
            w, b = p["coarse_weight"][self._coarse_index[label]], p["coarse_bias"][self._coarse_index[label]]
        elif label in self._fine_index and label != OTHER:
            w, b = p["fine_weight"][self._fine_index[label]], p["fine_bias"][self._fine_index[label]]
        else:
            return None
        if not w.any() or b <= -29:
            return None
        return (w / p["feature_scale"]).astype(np.float32)

    # ------------------------------------------------------------------ persistence
    def save(self, directory: Path | str) -> Path:
        """Write ``narratives.safetensors`` and ``narratives.json`` into ``directory`` (created)."""
        from safetensors.numpy import save_file

        self._check()
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        tensors = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in self._params.items()}
        header = {"format": "spinscope-narratives", "version": str(FORMAT_VERSION)}
        save_file(tensors, str(out / MODEL_FILES[0]), metadata=header)
        from spinscope.version import __version__

        info = {
            "format_version": FORMAT_VERSION,
            "spinscope_version": __version__,
            "labels": list(self.labels),
            "coarse_labels": list(self.coarse_labels),
            "domains": list(DOMAINS),
            "config": asdict(self.config),
            **self.meta,
        }
        text = json.dumps(info, indent=2, ensure_ascii=False) + "\n"
        (out / MODEL_FILES[1]).write_text(text, encoding="utf-8")
        return out

    @classmethod
    def load(cls, directory: Path | str) -> NarrativeModel:
        """Read a model written by :meth:`save`; predicting needs numpy only."""
        from safetensors import SafetensorError
        from safetensors.numpy import load_file

        d = Path(directory)
        weights, info_path = d / MODEL_FILES[0], d / MODEL_FILES[1]
        for path in (weights, info_path):
            if not path.is_file():
                raise ModelError("E345", str(path), "narrative model file not found")
        try:
            info = json.loads(info_path.read_text(encoding="utf-8"))
            params = load_file(str(weights))
        except (OSError, ValueError, SafetensorError) as exc:
            raise ModelError("E346", str(d), f"cannot read the narrative model ({exc})") from exc
        if info.get("format_version") != FORMAT_VERSION:
            got = info.get("format_version")
            raise ModelError("E347", str(info_path), f"unsupported format_version {got!r}")
        cfg_fields = set(NarrativeConfig.__dataclass_fields__)
        config = NarrativeConfig(**{k: v for k, v in info.get("config", {}).items() if k in cfg_fields})
        model = cls.from_arrays(info["labels"], params, config=config, coarse_labels=info["coarse_labels"])
        model.meta = {k: v for k, v in info.items() if k in ("trained_at", "counts", "cv", "training")}
        return model

    @classmethod
    def from_arrays(
        cls,
        labels: Sequence[str],
        params: Mapping[str, np.ndarray],
        *,
        config: NarrativeConfig | None = None,
        coarse_labels: Sequence[str] | None = None,
    ) -> NarrativeModel:
        """A model from its arrays (the tensors :meth:`save` writes), e.g. hand-built in tests.

        ``coarse_labels`` defaults to ``Other`` and the narratives of ``labels`` in order.
        """
        model = cls(config)
        model._set_labels(labels)
        if coarse_labels is not None:
            model.coarse_labels = tuple(coarse_labels)
            model._build_maps()
        nf, nc, nd = len(model.labels), len(model.coarse_labels), len(DOMAINS)
        expected = {
            "fine_weight": nf, "fine_bias": nf, "fine_threshold": nf,
            "coarse_weight": nc, "coarse_bias": nc, "coarse_threshold": nc,
            "domain_weight": nd, "domain_bias": nd, "other_threshold": 1,
        }  # fmt: skip
        for key, rows in expected.items():
            if key not in params or params[key].shape[0] != rows:
                raise ModelError("E346", "narratives", f"tensor {key!r} is missing or has the wrong shape")
        dim = params["fine_weight"].shape[1] if params["fine_weight"].ndim == 2 else -1
        for key in ("feature_mean", "feature_scale"):
            if key not in params or params[key].shape != (dim,):
                raise ModelError("E346", "narratives", f"tensor {key!r} is missing or has the wrong shape")
        model._params = {k: np.asarray(v, dtype=np.float32) for k, v in params.items()}
        model._fitted = True
        return model

"""Training configuration: one JSON file, every field with a default.

``spinscope train --config my.json`` overrides any subset of the fields
below; ``--preset smoke`` starts from a tiny configuration that trains in a
couple of minutes (CI runs it), ``--preset default`` from the one that
produced the bundled model.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from spinscope.errors import ConfigError

__all__ = ["PRESETS", "TrainConfig", "load_config"]


@dataclass(frozen=True)
class TrainConfig:
    """What ``spinscope train`` does.

    Attributes
    ----------
    data_dir: folder holding ``semeval2023-task3`` (default: ``../shared/data``).
    lang: SemEval-2023 language to train on.
    seed: seeds Python, NumPy and torch; the same config gives the same model.
    tuned_layers: how many top encoder layers are fine-tuned and shipped.
    epochs, batch_size, lr_top, lr_heads, weight_decay: optimisation.
    max_tokens: longest paragraph window in tokens.
    holdout_fraction: share of training articles held apart for calibration.
    max_articles: train on only this many articles (smoke runs).
    token_loss_weight: weight of the span (token) loss against the paragraph loss.
    pos_weight_cap: cap on the positive-class weight of rare techniques.
    """

    data_dir: str | None = None
    lang: str = "en"
    seed: int = 13
    tuned_layers: int = 2
    epochs: int = 3
    batch_size: int = 32
    lr_top: float = 1e-4
    lr_heads: float = 1e-3
    weight_decay: float = 0.01
    max_tokens: int = 256
    holdout_fraction: float = 0.15
    max_articles: int | None = None
    token_loss_weight: float = 1.0
    pos_weight_cap: float = 30.0
    article_epochs: int = 300

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


PRESETS: dict[str, TrainConfig] = {
    "default": TrainConfig(),
    "smoke": TrainConfig(epochs=1, max_articles=40, tuned_layers=1, article_epochs=50, holdout_fraction=0.25),
}


def load_config(path: Path | None = None, *, preset: str = "default", **overrides: Any) -> TrainConfig:
    """A preset, updated from the JSON file at *path*, then from *overrides*."""
    if preset not in PRESETS:
        raise ConfigError("E530", f"preset {preset!r}", f"unknown preset; choose one of {sorted(PRESETS)}")
    config = PRESETS[preset]
    known = {f.name for f in fields(TrainConfig)}
    values: dict[str, Any] = {}
    if path is not None:
        try:
            values = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError("E531", str(path), f"cannot read config ({exc})") from exc
        if not isinstance(values, dict):
            raise ConfigError("E531", str(path), "config must be a JSON object")
    values.update({k: v for k, v in overrides.items() if v is not None})
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError("E532", str(path or "config"), f"unknown field(s): {', '.join(unknown)}")
    try:
        return replace(config, **values)
    except TypeError as exc:  # pragma: no cover - replace() only fails on unknown names
        raise ConfigError("E532", str(path or "config"), str(exc)) from exc

"""Training the multilingual narrative model (``spinscope train --task multilingual-narratives``).

Kept apart from :mod:`spinscope.multilingual.narratives`, which the
pipeline loads: training reuses the English narrative trainer, whose
evaluation in turn reads the multilingual model, and one module holding
both directions would be an import cycle.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from spinscope.errors import DatasetError
from spinscope.multilingual.encoder import ENCODER_NAME, MultilingualEncoder, load_multilingual_encoder
from spinscope.multilingual.narratives import DEFAULT_NARRATIVES_DIR, NARRATIVE_LANGUAGES, Log, article_rows
from spinscope.narratives.model import NarrativeConfig
from spinscope.narratives.train import train_narratives, training_rows

__all__ = ["train_multilingual_narratives"]


def train_multilingual_narratives(
    data_dir: Path | str | None,
    out_dir: Path | str = DEFAULT_NARRATIVES_DIR,
    *,
    languages: Sequence[str] = NARRATIVE_LANGUAGES,
    config: NarrativeConfig | None = None,
    encoder: MultilingualEncoder | None = None,
    log: Log = print,
) -> dict[str, Any]:
    """Fit on the subtask-2 *train* articles of ``languages`` together; save to ``out_dir``; return a summary."""
    started = time.time()
    langs = [x.upper() for x in languages]
    ids, texts, _, _ = training_rows(data_dir, langs)
    if not ids:
        raise DatasetError("E211", str(data_dir), f"no subtask-2 training articles for {', '.join(langs)}")
    X, _ = article_rows(texts, encoder or load_multilingual_encoder())
    log(f"{len(ids)} articles encoded in {time.time() - started:.0f} s")
    summary = train_narratives(
        data_dir, langs[0], out_dir, extra_langs=langs[1:], config=config, features=X,
        features_name=f"mean|max of the paragraph vectors of {ENCODER_NAME} (1024)",
    )  # fmt: skip
    log(f"cross-validated samples-F1 on train: coarse {summary['cv']['coarse_samples_f1']:.3f}, "
        f"fine {summary['cv']['fine_samples_f1']:.3f}")
    return summary

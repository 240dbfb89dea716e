"""Write a model directory's ``MODEL_CARD.md`` from its ``meta.json`` (and dev scores).

    python -m spinscope.models.card MODEL_DIR [--dev-metrics runs/eval/metrics.json]

``spinscope train`` writes the card without dev scores (training never looks
at dev); after ``spinscope evaluate``, run this with the evaluation's
``metrics.json`` to add them. The dev scores are also stored in meta.json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

__all__ = ["write_card"]


def _fmt(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def write_card(directory: Path, dev_metrics: dict[str, Any] | None = None) -> Path:
    """Render ``MODEL_CARD.md``; with *dev_metrics* also record them in ``meta.json``."""
    meta_path = directory / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
    if dev_metrics is not None:
        meta["dev_scores"] = {
            "dataset": f"SemEval-2023 Task 3 {dev_metrics['lang']} {dev_metrics['split']}",
            "genre_macro_f1": dev_metrics["subtask1"]["macro_f1"],
            "frames_micro_f1": dev_metrics["subtask2"]["micro_f1"],
            "techniques_micro_f1": dev_metrics["subtask3"]["micro_f1"],
            "spans_precision": dev_metrics["spans"]["precision"],
            "spans_recall": dev_metrics["spans"]["recall"],
            "spans_f1": dev_metrics["spans"]["f1"],
            "command": f"spinscope evaluate semeval2023 --lang {dev_metrics['lang']} --split {dev_metrics['split']}",
        }
        meta_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    size = sum(p.stat().st_size for p in directory.iterdir() if p.is_file() and p.name != "MODEL_CARD.md")
    lines = [
        f"# Model card: {meta.get('name', directory.name)}",
        "",
        "Detects the genre (reporting / opinion / satire), the 14 frames and the 23 persuasion",
        "techniques of SemEval-2023 Task 3 in English news, per paragraph and as character spans.",
        "",
        "## Architecture",
        (
            f"- Encoder: {config['encoder']['name']} from the PyPI package `{config['encoder']['package']}`,"
            f" model.safetensors SHA-256 `{config['encoder']['sha256']}` (checked before loading)."
        ),
        (
            f"- The top {config['net']['tuned_layers']} encoder layer(s) are fine-tuned and stored here;"
            " the others are the published weights."
        ),
        (
            "- Heads on the same encoder pass: token-level technique head (spans), paragraph technique head,"
            " article genre and frames heads."
        ),
        f"- Paragraphs longer than {config['max_tokens']} tokens are read in overlapping windows.",
        "",
        "## Training",
        f"- Data: {meta.get('training_data')}. Dev data was not used for training or tuning.",
        f"- Command: `{meta.get('command')}`",
        f"- Configuration: `{json.dumps(meta.get('training_config'))}`",
        f"- Trained: {meta.get('trained_at')} in {meta.get('train_seconds')} s on {meta.get('machine')}.",
        "- Thresholds: one per technique and per frame, chosen on the held-out training articles.",
        "",
        "## Scores",
        "",
        "| split | genre macro-F1 | frames micro-F1 | techniques micro-F1 | span P | span R | span F1 |",
        "|---|---|---|---|---|---|---|",
    ]
    hold = meta.get("holdout_scores", {})
    lines.append(
        f"| held-out train (thresholds tuned here: optimistic) | {_fmt(hold.get('genre_macro_f1'))} |"
        f" {_fmt(hold.get('frames_micro_f1'))} | {_fmt(hold.get('techniques_micro_f1'))} | | | {_fmt(hold.get('spans_f1'))} |"
    )
    dev = meta.get("dev_scores")
    if dev:
        lines.append(
            f"| {dev['dataset']} | {_fmt(dev['genre_macro_f1'])} | {_fmt(dev['frames_micro_f1'])} |"
            f" {_fmt(dev['techniques_micro_f1'])} | {_fmt(dev['spans_precision'])} | {_fmt(dev['spans_recall'])} |"
            f" {_fmt(dev['spans_f1'])} |"
        )
        lines += ["", f"Dev scores come from `{dev['command']}` (official metrics, checked against the official scorers)."]
    lines += [
        "",
        "## Size and limits",
        f"- Files here: {size / 1e6:.1f} MB (float16 safetensors and JSON; no pickles).",
        f"- Languages: {', '.join(config.get('languages', ['en']))}. Other languages are analysed with a warning.",
        (
            "- Four techniques never occur in the English training data (Appeal_to_Values,"
            " Consequential_Oversimplification, Questioning_the_Reputation, Appeal_to_Time): this model"
            " cannot predict them."
        ),
        "- Genre training data is 88% opinion; reporting and satire are rarer than in real news.",
        "",
    ]
    card = directory / "MODEL_CARD.md"
    card.write_text("\n".join(lines), encoding="utf-8")
    return card


def main() -> None:
    parser = argparse.ArgumentParser(description="Write MODEL_CARD.md for a model directory.")
    parser.add_argument("directory", type=Path)
    parser.add_argument("--dev-metrics", type=Path, default=None)
    args = parser.parse_args()
    dev = json.loads(args.dev_metrics.read_text(encoding="utf-8")) if args.dev_metrics else None
    print(write_card(args.directory, dev))


if __name__ == "__main__":
    main()

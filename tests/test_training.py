"""Training: config handling, and the smoke preset end to end (trains a tiny model)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from spinscope.cli import app
from spinscope.errors import ConfigError
from spinscope.models.config import load_config

runner = CliRunner()


def test_config_overrides_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"epochs": 5, "seed": 3}), encoding="utf-8")
    cfg = load_config(path, preset="smoke")
    assert (cfg.epochs, cfg.seed, cfg.max_articles) == (5, 3, 40)
    path.write_text(json.dumps({"epochz": 5}), encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    assert "epochz" in str(exc.value)
    with pytest.raises(ConfigError):
        load_config(preset="huge")
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_config(path)


@pytest.mark.slow
def test_smoke_training_then_analysis_and_evaluation(tmp_path: Path, shared_data: Path, examples_dir: Path) -> None:
    out = tmp_path / "smoke"
    result = runner.invoke(app, ["train", "--smoke", "-o", str(out), "--data-dir", str(shared_data)])
    assert result.exit_code == 0, result.output
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["training_config"]["max_articles"] == 40
    assert meta["history"] and "loss" in meta["history"][0]
    analysis = runner.invoke(app, ["analyze", str(examples_dir / "opinion-harbour-accord.txt"), "--model", str(out), "-f", "json"])
    assert analysis.exit_code == 0, analysis.output
    assert json.loads(analysis.stdout)[0]["model"]["name"] == "smoke"
    evaluation = runner.invoke(
        app,
        ["evaluate", "semeval2023", "--model", str(out), "--data-dir", str(shared_data), "--limit", "5", "-o", str(tmp_path / "ev")],
    )
    assert evaluation.exit_code == 0, evaluation.output
    metrics = json.loads((tmp_path / "ev" / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["articles"] == 5 and 0 <= metrics["subtask3"]["micro_f1"] <= 1
    assert (tmp_path / "ev" / "en-dev-subtask-3.txt").exists()
    # Same seed, same data: the same weights.
    again = tmp_path / "again"
    assert runner.invoke(app, ["train", "--smoke", "-o", str(again), "--data-dir", str(shared_data)]).exit_code == 0
    assert (out / "model.safetensors").read_bytes() == (again / "model.safetensors").read_bytes()

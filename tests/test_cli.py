"""The CLI in-process: exit codes and parsed JSON, not text."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from spinscope.cli import EXIT_NONE, EXIT_PARTIAL, app

runner = CliRunner()


def test_read_examples_as_json(examples_dir: Path) -> None:
    result = runner.invoke(app, ["read", str(examples_dir), "--format", "json"])
    assert result.exit_code == 0, result.output
    docs = json.loads(result.stdout)
    formats = {d["input_format"] for d in docs}
    assert {"text", "html", "jsonl"} <= formats
    languages = {d["language"]["code"] for d in docs if d["language"]}
    assert {"en", "fr", "de"} <= languages
    report = next(d for d in docs if d["id"] == "report-harbour-accord")
    assert report["published"].startswith("2026-01-14")
    assert report["place"] == "VELMORA"
    assert any(n["action"] == "dropped-duplicate" for n in report["notes"])
    for doc in docs:
        for p in doc["paragraphs"]:
            assert 0 <= p["start"] < p["end"] <= len(doc["text"])


def test_read_jsonl_output_and_table(examples_dir: Path) -> None:
    result = runner.invoke(app, ["read", str(examples_dir / "wire.jsonl"), "--format", "jsonl"])
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 3
    table = runner.invoke(app, ["read", str(examples_dir / "report-harbour-accord.txt"), "--format", "table"])
    assert table.exit_code == 0
    assert "VELMORA" in table.stdout


def test_partial_failure_exit_code(tmp_path: Path, examples_dir: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = runner.invoke(app, ["read", str(empty), str(examples_dir / "report-harbour-accord.txt"), "-f", "json"])
    assert result.exit_code == EXIT_PARTIAL
    assert len(json.loads(result.stdout)) == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: [E101] {empty}: input is empty"]


def test_total_failure_exit_code(tmp_path: Path) -> None:
    result = runner.invoke(app, ["read", str(tmp_path / "missing.txt"), "-f", "json"])
    assert result.exit_code == EXIT_NONE
    assert json.loads(result.stdout) == []


def test_bad_option_is_usage_error() -> None:
    result = runner.invoke(app, ["read", "x", "--input-format", "pdf"])
    assert result.exit_code == 2


def test_encoding_option_on_read(tmp_path: Path) -> None:
    path = tmp_path / "old.txt"
    path.write_bytes("Strike at the port\n\nDock workers in Dörn stopped work on Monday over the new shifts.\n".encode("latin-1"))
    result = runner.invoke(app, ["read", str(path), "--format", "json", "--encoding", "latin-1"])
    assert result.exit_code == 0, result.output
    assert "Dörn" in json.loads(result.stdout)[0]["text"]
    assert runner.invoke(app, ["read", str(path), "--format", "json"]).exit_code == EXIT_NONE
    bad = runner.invoke(app, ["read", str(path), "--encoding", "no-such-codec"])
    assert bad.exit_code == 2 and "E700" in bad.output

"""The README's promises: its two commands, the CI script, and documented commands."""

from __future__ import annotations

import json
import re
from importlib.resources import files
from pathlib import Path

import jsonschema
from typer.testing import CliRunner

from spinscope.cli import app

ROOT = Path(__file__).resolve().parents[1]


def _readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", readme, re.S)
    assert block, "README must open with a bash block"
    return [line for line in block.group(1).splitlines() if line and not line.startswith("#")]


def test_readme_opens_with_two_commands_and_ci_runs_the_test_one() -> None:
    commands = _readme_commands()
    assert len(commands) == 2
    setup_and_run, setup_and_test = commands
    assert "pip install" in setup_and_run and "spinscope" in setup_and_run and "examples/" in setup_and_run
    assert "pytest" in setup_and_test
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert setup_and_test in ci, ".ci/run must call the README's test command verbatim"


def test_every_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in [c.name for c in app.registered_commands]:
        assert f"spinscope {name}" in readme, f"command {name!r} is not documented in the README"


def test_read_output_matches_the_document_schema(examples_dir: Path) -> None:
    schema = json.loads(files("spinscope").joinpath("schemas/document.schema.json").read_text(encoding="utf-8"))
    result = CliRunner().invoke(app, ["read", str(examples_dir), "--format", "json"])
    assert result.exit_code == 0
    docs = json.loads(result.stdout)
    assert docs
    for doc in docs:
        jsonschema.validate(doc, schema)


def test_readme_images_exist() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", readme)
    assert images, "the README shows a report screenshot"
    for image in images:
        assert (ROOT / image).is_file(), f"README image {image} is missing"

"""The README's promises: its two commands, the CI script, and documented commands."""

from __future__ import annotations

import importlib.util
import json
import re
from importlib.resources import files
from pathlib import Path
from types import ModuleType

import jsonschema
from typer.testing import CliRunner

from spinscope.cli import app

ROOT = Path(__file__).resolve().parents[1]


def _readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", readme, re.DOTALL)
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


def _cli_reference() -> ModuleType:
    """docs/cli_reference.py, the generator of docs/cli.md and the README's option tables."""
    spec = importlib.util.spec_from_file_location("cli_reference", ROOT / "docs" / "cli_reference.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    names = [c.name for c in app.registered_commands] + [g.name for g in app.registered_groups]
    assert names
    for name in names:
        assert f"spinscope {name}" in readme, f"command {name!r} is not documented in the README"
    # The reference walks the same commands (sub-command groups included).
    walked = {path.split()[1] for path, _, _ in _cli_reference().commands()}
    assert walked == {n for n in names if n}


def test_every_option_of_every_command_is_in_the_readme() -> None:
    ref = _cli_reference()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index(ref.BEGIN) : readme.index(ref.END)]
    sections = dict(re.findall(r"#### `([^`]+)`\n(.*?)(?=\n#### |\Z)", block, re.DOTALL))
    checked = 0
    for path, command, _ in ref.commands():
        assert path in sections, f"{path} has no options table in the README: run python docs/cli_reference.py"
        for option in ref.options(command):
            for flag in [*option.opts, *option.secondary_opts]:
                assert f"`{flag}`" in sections[path], f"{path} {flag} is not in the README: run python docs/cli_reference.py"
                checked += 1
            assert option.help, f"{path} {option.opts[-1]} has no help text"
    assert checked >= 40


def test_cli_reference_and_readme_tables_are_current() -> None:
    ref = _cli_reference()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == ref.render_reference(), (
        "docs/cli.md is out of date: run python docs/cli_reference.py"
    )
    assert ref.readme_with_block(readme) == readme, "the README's option tables are out of date: run python docs/cli_reference.py"
    assert ref.main(["--check"]) == 0


def test_the_reference_says_what_each_option_takes() -> None:
    text = _cli_reference().render_reference()
    stories = text[text.index("## spinscope stories") :]
    stories = stories[: stories.index("\n## ", 1)]
    assert "| `--threshold` | FLOAT | `0.62` |" in stories
    assert "| `--drift` / `--no-drift` | flag | `--drift` |" in stories
    assert "spinscope stories [OPTIONS] INPUTS..." in stories
    assert "| `-f`, `--format` | json \\| table |" in stories


def test_every_environment_variable_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("Environment variables:") :]
    table = table[: table.index("\n\n", table.index("|"))]
    names = set()
    for path in (ROOT / "src" / "spinscope").rglob("*.py"):
        names |= set(re.findall(r"[\"'](SPINSCOPE_[A-Z0-9_]+)[\"']", path.read_text(encoding="utf-8")))
    assert {"SPINSCOPE_DATA", "SPINSCOPE_DEBUG"} <= names
    for name in sorted(names):
        assert f"| `{name}` |" in table, f"environment variable {name} is not in the README's table"


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

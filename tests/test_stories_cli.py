"""The ``stories`` and ``compare`` commands end to end, with the bundled model."""

from __future__ import annotations

import json
from pathlib import Path

import lxml.html
from typer.testing import CliRunner

from spinscope.cli import app

runner = CliRunner()
STORIES = Path(__file__).resolve().parent / "data" / "stories"


def test_stories_json_groups_and_shows_drift() -> None:
    files = [str(STORIES / f"article{n:02d}.txt") for n in (4, 5, 6, 28, 30)]
    result = runner.invoke(app, ["stories", *files, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    groups = sorted(sorted(s["doc_ids"]) for s in data["stories"])
    assert ["04", "05", "06"] in groups and ["28"] in groups and ["30"] in groups
    rate = next(s for s in data["stories"] if sorted(s["doc_ids"]) == ["04", "05", "06"])
    inserted = [w for t in rate["quote_drift"] for v in t["versions"] for w in v["inserted"]]
    assert "mercy" in " ".join(inserted)


def test_compare_writes_a_side_by_side_page(tmp_path: Path, examples_dir: Path) -> None:
    out = tmp_path / "cmp.html"
    result = runner.invoke(
        app,
        ["compare", str(examples_dir / "report-harbour-accord.txt"), str(examples_dir / "opinion-harbour-accord.txt"), "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    tree = lxml.html.document_fromstring(out.read_text(encoding="utf-8"))
    assert not tree.xpath("//script")
    text = tree.body.text_content()
    assert "Estravia urges partners" in text and "Velmora" in text


def test_compare_unrelated_articles_still_shows_both(tmp_path: Path, examples_dir: Path) -> None:
    result = runner.invoke(
        app,
        ["compare", str(examples_dir / "report-harbour-accord.txt"), str(examples_dir / "climate-satire.html"), "-f", "json"],
    )
    assert result.exit_code == 0, result.output
    assert "do not share a story" in result.stderr
    data = json.loads(result.stdout)
    assert data["story"]["same_story"] is False
    assert data["a"] and data["b"]


def test_compare_needs_one_article_each(tmp_path: Path, examples_dir: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    result = runner.invoke(app, ["compare", str(empty), str(examples_dir / "report-harbour-accord.txt")])
    assert result.exit_code == 3
    assert "empty.txt" in result.stderr and "Traceback" not in result.output

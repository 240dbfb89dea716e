"""CHANGELOG.md and the version policy: every schema change gets its own package version."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from spinscope.analysis import SCHEMA_VERSION

ROOT = Path(__file__).resolve().parents[1]
HEADING = re.compile(r"^## \[(?P<version>[^\]]+)\](?: - (?P<date>\d{4}-\d{2}-\d{2}))?$", re.MULTILINE)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split("."))


def _sections() -> list[tuple[str, str | None, str]]:
    """(version, date, body) for every ``## [x.y.z] - date`` section, newest first."""
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    heads = list(HEADING.finditer(text))
    assert heads, "CHANGELOG.md has no '## [version] - date' sections"
    return [
        (m["version"], m["date"], text[m.end() : heads[k + 1].start() if k + 1 < len(heads) else len(text)])
        for k, m in enumerate(heads)
    ]


def _package_version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def test_changelog_follows_keep_a_changelog() -> None:
    sections = _sections()
    assert sections[0][0] == "Unreleased" and sections[0][1] is None
    released = sections[1:]
    assert released, "no released version"
    for version, date, body in released:
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), version
        assert date, f"{version} has no date"
        kinds = re.findall(r"^### (\w+)$", body, re.MULTILINE)
        assert kinds and set(kinds) <= {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}, (version, kinds)
    versions = [_version(v) for v, _, _ in released]
    assert versions == sorted(versions, reverse=True), "versions must go newest first"
    dates = [d for _, d, _ in released]
    assert dates == sorted(dates, reverse=True)


def test_the_package_version_is_the_newest_release() -> None:
    assert _sections()[1][0] == _package_version()


def test_each_schema_version_has_its_own_package_version_and_the_newest_is_the_code() -> None:
    schema_of: dict[str, str] = {}
    for version, _, body in _sections()[1:]:
        named = set(re.findall(r"\bschema (\d+\.\d+)\b", body))
        assert len(named) <= 1, f"{version} names several schemas: {sorted(named)}"
        if named:
            schema_of[version] = named.pop()
    assert len(set(schema_of.values())) == len(schema_of), f"two versions name one schema: {schema_of}"
    newest_version, newest_schema = next(iter(schema_of.items()))  # sections are newest first
    assert newest_schema == SCHEMA_VERSION, (
        f"SCHEMA_VERSION is {SCHEMA_VERSION} but the newest schema in CHANGELOG.md is {newest_schema} "
        f"({newest_version}): a schema change needs a new version and changelog entry"
    )
    assert _version(newest_version) <= _version(_package_version())
    schemas = [_version(s) for s in schema_of.values()]
    assert schemas == sorted(schemas, reverse=True)


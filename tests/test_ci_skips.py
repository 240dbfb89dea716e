"""CI=true turns a skipped browser, database or dataset test into a failure (tests/ci_skips.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

HOOKS = (Path(__file__).parent / "ci_skips.py").read_text(encoding="utf-8")

PROJECT = '''
import pytest

@pytest.mark.browser
def test_browser():
    pytest.skip("no chromium here")

@pytest.mark.database
@pytest.mark.skipif(True, reason="no database here")
def test_database():
    pass

@pytest.mark.dataset
def test_dataset():
    pytest.skip("no shared data here")

def test_plain_skip():
    pytest.skip("an optional extra is missing")

@pytest.mark.browser
@pytest.mark.xfail(reason="known")
def test_expected_failure():
    assert False

@pytest.mark.dataset
def test_dataset_that_runs():
    assert True
'''


def _run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ci: str | None) -> pytest.RunResult:
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    pytester.makeconftest(HOOKS)
    pytester.makeini("[pytest]\nmarkers =\n    browser: b\n    database: d\n    dataset: s\n")
    pytester.makepyfile(test_project=PROJECT)
    return pytester.runpytest_inprocess("-rfEs", "-p", "no:cacheprovider")


def test_on_a_laptop_those_tests_skip(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(pytester, monkeypatch, None)
    result.assert_outcomes(passed=1, skipped=4, xfailed=1)
    assert result.ret == 0


def test_in_ci_a_browser_database_or_dataset_skip_fails(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _run(pytester, monkeypatch, "true")
    # A skip in setup (skipif, a fixture) is reported as an error, one in the test body as a
    # failure; the plain skip stays a skip, the xfail an xfail, the passing dataset test passes.
    result.assert_outcomes(passed=1, failed=2, errors=1, skipped=1, xfailed=1)
    assert result.ret == 1
    out = result.stdout.str()
    assert "test_browser is a browser test and must run in CI, but it was skipped: no chromium here" in out
    assert "test_database is a database test and must run in CI, but it was skipped: no database here" in out
    assert "test_dataset is a dataset test and must run in CI, but it was skipped: no shared data here" in out


def test_ci_other_than_true_changes_nothing(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(pytester, monkeypatch, "false")
    result.assert_outcomes(passed=1, skipped=4, xfailed=1)


def test_the_suite_marks_its_dataset_tests(request: pytest.FixtureRequest, shared_data: Path) -> None:
    # This test uses the shared_data fixture, so the conftest marks it ``dataset``.
    assert request.node.get_closest_marker("dataset") is not None

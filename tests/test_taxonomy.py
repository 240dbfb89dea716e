"""Tests for spinscope.taxonomy: shipped label sets, the loader and its validation.

Checks against the official SemEval label lists and annotation files run only
where ``../shared/data`` is present; they read label strings only, never
article text.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from spinscope import taxonomy
from spinscope.errors import ConfigError
from spinscope.taxonomy import _load_path

DATA = Path(__file__).parents[1] / ".." / "shared" / "data"
SEMEVAL23 = DATA / "semeval2023-task3"
SEMEVAL25 = DATA / "semeval2025-task10"

# The SemEval-2023 grouping of the 23 techniques into 6 categories.
TECHNIQUE_CATEGORIES = {
    "attack_on_reputation": {
        "Name_Calling-Labeling", "Guilt_by_Association", "Doubt", "Appeal_to_Hypocrisy",
        "Questioning_the_Reputation",
    },
    "justification": {
        "Flag_Waving", "Appeal_to_Authority", "Appeal_to_Popularity", "Appeal_to_Values",
        "Appeal_to_Fear-Prejudice",
    },
    "simplification": {
        "Causal_Oversimplification", "False_Dilemma-No_Choice", "Consequential_Oversimplification",
    },
    "distraction": {"Straw_Man", "Red_Herring", "Whataboutism"},
    "call": {"Slogans", "Conversation_Killer", "Appeal_to_Time"},
    "manipulative_wording": {
        "Loaded_Language", "Obfuscation-Vagueness-Confusion", "Exaggeration-Minimisation", "Repetition",
    },
}  # fmt: skip


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared SemEval data is needed for this check")
    return path


def _lines(path: Path) -> list[str]:
    return _need(path).read_text(encoding="utf-8").splitlines()


def _python_list(path: Path, name: str) -> list[str]:
    """The literal list assigned to ``name`` in a scorer script, read without running it."""
    for node in ast.walk(ast.parse(_need(path).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return list(ast.literal_eval(node.value))
    raise AssertionError(f"{name} not found in {path}")


def _annotated_narratives() -> tuple[set[str], set[str]]:
    """Narrative and sub-narrative labels used in every SemEval-2025 subtask-2 annotation file."""
    files = sorted(SEMEVAL25.glob("*/*/subtask-2-annotations.txt"))
    if not files:
        pytest.skip(f"no subtask-2 annotation files under {SEMEVAL25}")
    coarse: set[str] = set()
    fine: set[str] = set()
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():  # splitlines also drops the dev CRs
            if not line.strip():
                continue
            _, narr, sub = line.split("\t")[:3]
            coarse.update(x.strip() for x in narr.split(";") if x.strip())
            fine.update(x.strip() for x in sub.split(";") if x.strip())
    return coarse, fine


# --------------------------------------------------------------- shipped data


def test_counts() -> None:
    assert len(taxonomy.techniques()) == 23
    assert len(taxonomy.frames()) == 14
    assert len(taxonomy.genres()) == 3
    assert len(taxonomy.roles()) == 22
    assert taxonomy.main_roles() == ("Protagonist", "Antagonist", "Innocent")
    assert [len(taxonomy.fine_roles(m)) for m in taxonomy.main_roles()] == [6, 12, 4]
    assert len(taxonomy.techniques().categories) == 6
    assert len(taxonomy.narratives_for_domain("URW")) == 11
    assert len(taxonomy.narratives_for_domain("CC")) == 10
    assert len(taxonomy.narrative_labels()) == 22  # 21 narratives + Other


def test_genres_are_the_three_classes() -> None:
    assert {lab.label for lab in taxonomy.genres()} == {"opinion", "reporting", "satire"}


def test_technique_categories_match_semeval2023() -> None:
    tax = taxonomy.techniques()
    assert set(tax.categories) == set(TECHNIQUE_CATEGORIES)
    for key, expected in TECHNIQUE_CATEGORIES.items():
        assert {lab.label for lab in tax.by_category(key)} == expected, key


@pytest.mark.parametrize("name", taxonomy.NAMES)
def test_every_file_is_complete(name: str) -> None:
    tax = taxonomy.load(name)
    assert tax.name == name
    assert re.fullmatch(r"\d+\.\d+", tax.version)
    assert tax.source.strip()
    for lab in tax:
        assert lab.name.strip() and lab.definition.strip(), lab.label
        # Definitions are short paragraphs of our own, not a restated label.
        assert lab.definition != lab.name and len(lab.definition) < 400, lab.label
        assert lab.definition.rstrip()[-1] in ".?!", lab.label
    for cat in tax.categories.values():
        assert cat.name.strip() and cat.description.strip()


def test_loader_api() -> None:
    tax = taxonomy.techniques()
    assert taxonomy.load("techniques") is tax  # cached
    lab = tax.get("Loaded_Language")
    assert lab.category == "manipulative_wording" and lab.parent is None and lab.in_official_list
    assert tax.labels[tax.index("Loaded_Language")] is lab
    assert [tax.index(x.label) for x in tax] == list(range(len(tax)))
    assert "Loaded_Language" in tax and "Loaded language" not in tax and 3 not in tax
    assert list(tax) == list(tax.labels)
    assert tax.categories["call"].name == "Call"
    with pytest.raises(dataclasses.FrozenInstanceError):
        lab.label = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        tax.categories["x"] = tax.categories["call"]  # type: ignore[index]


def test_unknown_lookups_are_helpful() -> None:
    with pytest.raises(KeyError, match="did you mean 'Loaded_Language'"):
        taxonomy.techniques().get("Loaded_language")
    with pytest.raises(KeyError, match="not a label of taxonomy 'frames'"):
        taxonomy.frames().index("Nope")
    with pytest.raises(KeyError, match="category"):
        taxonomy.fine_roles("Hero")
    with pytest.raises(KeyError):
        taxonomy.narratives_for_domain("XX")
    with pytest.raises(KeyError):
        taxonomy.subnarratives_of("URW: No such narrative")
    with pytest.raises(ConfigError, match=r"\[E604\].*'colours'"):
        taxonomy.load("colours")


def test_narrative_structure() -> None:
    tax = taxonomy.narratives()
    assert tax.get("Other").category == "Other" and tax.get("Other").parent is None
    for lab in tax:
        if lab.parent is None:
            continue
        parent = tax.get(lab.parent)
        assert parent.parent is None and parent.category == lab.category
        assert lab.label.startswith(f"{parent.label}: ") and lab.label.startswith(f"{lab.category}: ")
    for domain in ("URW", "CC"):
        for narr in taxonomy.narratives_for_domain(domain):
            subs = [s.label for s in taxonomy.subnarratives_of(narr.label)]
            assert f"{narr.label}: Other" in subs, narr.label  # every narrative has its catch-all
    sample = "URW: Discrediting Ukraine: Ukraine is a puppet of the West"
    assert tax.get(sample).parent == "URW: Discrediting Ukraine"
    assert sample in taxonomy.subnarrative_labels()
    assert "Other" in taxonomy.subnarrative_labels() and "Other" in taxonomy.narrative_labels()
    assert not set(taxonomy.narrative_labels()) & set(taxonomy.subnarrative_labels()) - {"Other"}


def test_role_categories() -> None:
    assert all(lab.category in taxonomy.main_roles() for lab in taxonomy.roles())
    innocent = [lab.label for lab in taxonomy.fine_roles("Innocent")]
    assert innocent == ["Forgotten", "Exploited", "Victim", "Scapegoat"]


# ------------------------------------------------- against the official lists


def test_techniques_match_scorer_list() -> None:
    expected = _lines(SEMEVAL23 / "scorers" / "techniques_subtask3.txt")
    assert [lab.label for lab in taxonomy.techniques()] == expected


def test_frames_match_scorer_list() -> None:
    expected = _lines(SEMEVAL23 / "scorers" / "frames_subtask2.txt")
    assert [lab.label for lab in taxonomy.frames()] == expected


def test_genres_match_scorer_classes() -> None:
    expected = _python_list(SEMEVAL23 / "scorers" / "scorer-subtask-1.py", "CLASSES")
    assert [lab.label for lab in taxonomy.genres()] == expected


def test_roles_match_scorer_lists() -> None:
    scorer = SEMEVAL25 / "scorers" / "subtask1_scorer.py"
    assert list(taxonomy.main_roles()) == _python_list(scorer, "MAIN_ROLES")
    assert [lab.label for lab in taxonomy.roles()] == _python_list(scorer, "FINE_GRAINED_ROLES")


def test_narratives_match_scorer_lists() -> None:
    assert list(taxonomy.narrative_labels()) == _lines(SEMEVAL25 / "scorers" / "subtask2_narratives.txt")
    official = _lines(SEMEVAL25 / "scorers" / "subtask2_subnarratives.txt")
    assert list(taxonomy.subnarrative_labels(official_only=True)) == official
    # Exactly the labels absent from the scorer lists are marked unofficial.
    listed = set(official) | set(taxonomy.narrative_labels())
    for lab in taxonomy.narratives():
        assert lab.in_official_list == (lab.label in listed), lab.label


def test_annotated_narratives_are_all_known() -> None:
    coarse, fine = _annotated_narratives()
    assert coarse <= set(taxonomy.narrative_labels()), coarse - set(taxonomy.narrative_labels())
    assert fine <= set(taxonomy.subnarrative_labels()), fine - set(taxonomy.subnarrative_labels())
    # Nothing unofficial is shipped unless the data actually uses it.
    unofficial = {lab.label for lab in taxonomy.narratives() if not lab.in_official_list}
    assert unofficial and unofficial <= fine


# ------------------------------------------------------ validation of files


def _good() -> dict[str, Any]:
    return {
        "taxonomy": "toy",
        "version": "1.0",
        "source": "written for this test",
        "categories": {"a": {"name": "A", "description": "First group."}},
        "labels": [
            {"label": "x", "name": "X", "category": "a", "definition": "An x."},
            {"label": "x: y", "name": "Y", "category": "a", "definition": "A y.", "parent": "x"},
        ],
    }


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "toy.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_load_path_accepts_a_good_file(tmp_path: Path) -> None:
    tax = _load_path(_write(tmp_path, _good()))
    assert tax.name == "toy" and [lab.label for lab in tax] == ["x", "x: y"]
    assert [lab.label for lab in tax.children("x")] == ["x: y"]
    with pytest.raises(ConfigError, match="expected 'techniques'"):
        _load_path(_write(tmp_path, _good()), expected="techniques")


def _break(mutate: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    data = _good()
    mutate(data)
    return data


BROKEN = {
    "duplicate label": (_break(lambda d: d["labels"].append(dict(d["labels"][0]))), "E601", "appears twice"),
    "unknown category": (_break(lambda d: d["labels"][0].update(category="b")), "E602", "'b'"),
    "unknown parent": (_break(lambda d: d["labels"][1].update(parent="z")), "E602", "'z'"),
    "self parent": (_break(lambda d: d["labels"][0].update(parent="x")), "E602", "parent 'x'"),
    "empty definition": (_break(lambda d: d["labels"][0].update(definition=" ")), "E603", "definition"),
    "missing name": (_break(lambda d: d["labels"][0].pop("name")), "E603", "'name'"),
    "typo key": (_break(lambda d: d["labels"][0].update(defintion="An x.")), "E603", "defintion"),
    "padded label": (_break(lambda d: d["labels"][0].update(label=" w")), "E603", "spaces"),
    "flag not bool": (_break(lambda d: d["labels"][0].update(in_official_list="no")), "E603", "in_official"),
    "no labels": (_break(lambda d: d.update(labels=[])), "E603", "non-empty list"),
    "no version": (_break(lambda d: d.pop("version")), "E603", "'version'"),
    "category without table": (_break(lambda d: d.update(categories={})), "E602", "'a'"),
    "not an object": ([1, 2], "E600", "JSON object"),
    "invalid json": ('{"taxonomy": "toy",', "E600", "invalid JSON at line 1"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_load_path_rejects_broken_files(tmp_path: Path, case: str) -> None:
    data, code, fragment = BROKEN[case]
    with pytest.raises(ConfigError) as info:
        _load_path(_write(tmp_path, data))
    assert info.value.code == code
    assert info.value.subject == "taxonomy toy.json"
    assert fragment in info.value.problem


def test_load_path_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\[E600\] taxonomy nope.json: cannot read file"):
        _load_path(tmp_path / "nope.json")

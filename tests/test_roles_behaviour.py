"""roles.v2: roles come from how an article treats an entity, not from its name.

Two behaviour checks written for issue 20:

* on the SemEval-2025 English dev articles, every gold mention's text is
  replaced by an invented name of the same shape (an acronym by an
  acronym, one word by one word, a full name by a full name; the same
  entity string always by the same invented name), and the main role of
  at least 90% of the mentions must stay what it was;
* hand-written articles that praise X and attack Y (``tests/data/roles``,
  written for this test) must cast X Protagonist and Y Antagonist, with
  the names both ways round, through the whole pipeline (our NER, our
  entities, our roles).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import spinscope
from spinscope.entities.roles import RoleModel
from spinscope.entities.train import gold_mention_features
from spinscope.ingest import document_from_text

HAND = Path(__file__).resolve().parent / "data" / "roles" / "praise-attack.json"

# Invented names: no real person, country or organisation is meant.
ACRONYMS = ["KVRO", "ZELTA", "OMRAC", "TVEN", "BRAXO", "QUIL", "DARVO", "NEPTA"]
SINGLE = ["Valdoria", "Brenmark", "Ostrevia", "Kalmoor", "Tessaly", "Quorvik", "Marrendel", "Zubrava", "Ilvaros", "Pendravia"]
FULL = ["Tomas Verhaal", "Ilse Marnow", "Oren Castell", "Piet Ravndal", "Lucia Brevik", "Anders Kolmar", "Nadia Ferrow", "Emil Sandvor"]


def invented(name: str, index: int) -> str:
    """An invented name of the same shape as ``name`` (the index picks one, so entities stay distinct)."""
    words = name.split()
    if len(words) == 1 and name.isupper() and len(name) <= 6:
        pool = ACRONYMS
    elif len(words) == 1:
        pool = SINGLE
    else:
        pool = FULL
    base = pool[index % len(pool)]
    return base if index < len(pool) else f"{base} {chr(65 + index // len(pool))}."


def renamed(text: str, mentions: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """``text`` with every mention replaced (same string, same invented name), and the new offsets in input order."""
    names: dict[str, str] = {}
    order = sorted(range(len(mentions)), key=lambda i: mentions[i])
    out, pos, shift = [], 0, 0
    new: list[tuple[int, int] | None] = [None] * len(mentions)
    for i in order:
        s, e = mentions[i]
        if s < pos:  # nested or overlapping gold mentions: keep the outer replacement
            new[i] = (s + shift, min(e, pos) + shift)
            continue
        key = text[s:e]
        name = names.setdefault(key, invented(key, len(names)))
        out.append(text[pos:s])
        out.append(name)
        new[i] = (s + shift, s + shift + len(name))
        shift += len(name) - (e - s)
        pos = e
    out.append(text[pos:])
    return "".join(out), [x for x in new if x is not None]


#: What roles.v2 measured on 2026-12-02 (BENCHMARKS.md): the floors below guard against falling back;
#: the issue's targets (90% kept; every case right) are the strict xfails, which fail once they pass.
KEPT_FLOOR = 0.85
PROTAGONIST_FLOOR = 7
ANTAGONIST_FLOOR = 12


def main_roles_kept_after_renaming(shared_data: Path, model: RoleModel) -> tuple[int, int]:
    """(mentions whose main role stays, mentions) when every gold en dev mention is renamed; skips without the data."""
    from spinscope.datasets.semeval2025 import load_semeval2025

    if not (shared_data / "semeval2025-task10").is_dir():
        pytest.skip(f"SemEval-2025 data not found under {shared_data}")
    ds = load_semeval2025(shared_data, "en", "dev")
    ids = sorted({m.article_id for m in ds.mentions})
    spans = [[(m.start, m.end) for m in ds.mentions if m.article_id == a] for a in ids]
    texts = [ds.articles[a].text for a in ids]
    swapped = [renamed(t, s) for t, s in zip(texts, spans, strict=True)]
    _, before = gold_mention_features(texts, spans, blocks=model.blocks)
    _, after = gold_mention_features([t for t, _ in swapped], [s for _, s in swapped], blocks=model.blocks)
    kept = total = 0
    for b, a in zip(before, after, strict=True):
        for p, q in zip(model.predict(b), model.predict(a), strict=True):
            kept += p.main_role == q.main_role
            total += 1
    return kept, total


def praise_attack_roles(nlp: spinscope.Pipeline) -> list[tuple[str, str, str, str | None, str | None]]:
    """(case, X, Y, X's main role, Y's main role) for each hand-written case, names both ways round."""
    out = []
    for case in json.loads(HAND.read_text(encoding="utf-8")):
        for first, second in case["names"]:
            for x, y in ((first, second), (second, first)):
                text = case["text"].replace("{X}", x).replace("{Y}", y)
                analysis = nlp(document_from_text(text, layout="blocks", title_line=True))
                roles = {e.name: e.role.main_role for e in analysis.entities or [] if e.role is not None}
                out.append((case["id"], x, y, roles.get(x), roles.get(y)))
    return out


@pytest.fixture(scope="module")
def kept_after_renaming() -> float:
    from conftest import data_dir

    shared_data = data_dir()
    kept, total = main_roles_kept_after_renaming(shared_data, RoleModel.load())
    print(f"\nmain role kept after renaming: {kept}/{total} = {kept / total:.3f}")
    assert total > 80
    return kept / total


@pytest.mark.slow
def test_main_roles_mostly_survive_renaming_every_entity(shared_data: Path, kept_after_renaming: float) -> None:
    assert kept_after_renaming >= KEPT_FLOOR


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="issue 20 target not met: 0.879 of dev mentions keep their main role (BENCHMARKS.md)")
def test_main_roles_survive_renaming_every_entity(shared_data: Path, kept_after_renaming: float) -> None:
    assert kept_after_renaming >= 0.90


@pytest.fixture(scope="module")
def praise_attack() -> list[tuple[str, str, str, str | None, str | None]]:
    """(article, X, Y, X's main role, Y's main role) for each hand-written case, names both ways round."""
    return praise_attack_roles(spinscope.load(components=["entities", "encoder", "roles"]))


def test_praise_x_attack_y_mostly_casts_x_protagonist_and_y_antagonist(
    praise_attack: list[tuple[str, str, str, str | None, str | None]],
) -> None:
    for row in praise_attack:
        print(row)
    assert sum(x_role == "Protagonist" for _, _, _, x_role, _ in praise_attack) >= PROTAGONIST_FLOOR, praise_attack
    assert sum(y_role == "Antagonist" for _, _, _, _, y_role in praise_attack) >= ANTAGONIST_FLOOR, praise_attack


@pytest.mark.xfail(strict=True, reason="issue 20 target not met: 7 of 12 praised entities are cast Protagonist (BENCHMARKS.md)")
def test_praise_x_attack_y_casts_x_protagonist_and_y_antagonist(
    praise_attack: list[tuple[str, str, str, str | None, str | None]],
) -> None:
    assert all(x_role == "Protagonist" for _, _, _, x_role, _ in praise_attack), praise_attack
    assert all(y_role == "Antagonist" for _, _, _, _, y_role in praise_attack), praise_attack


def test_context_ranges_leave_the_name_out_and_stop_at_the_sentence() -> None:
    from spinscope.entities.context import WINDOW, context_ranges

    text = "Rain fell. Then Maria Keller saved the child from the river. Nobody else came."
    start = text.index("Maria Keller")
    (left, right), = context_ranges(text, [(start, start + len("Maria Keller"))])
    assert text[left[0] : left[1]] == "Then "
    assert text[right[0] : right[1]] == " saved the child from the river."
    long = "x" * 500 + " Maria " + "y" * 500
    (left, right), = context_ranges(long, [(501, 506)])
    assert left[1] - left[0] <= WINDOW and right[1] - right[0] <= WINDOW
    (left, right), = context_ranges("Maria", [(0, 5)])
    assert left == (0, 0) and right == (5, 5)


def test_role_model_keeps_its_blocks_and_bias(tmp_path: Path) -> None:
    import numpy as np

    from spinscope.entities.roles import BLOCK, FINE_BY_MAIN, MAIN_ROLES

    rng = np.random.default_rng(0)
    blocks = ("left", "right", "art")
    X = rng.normal(size=(90, BLOCK * len(blocks))).astype(np.float32)
    main = [MAIN_ROLES[i % 3] for i in range(90)]
    fine = [(FINE_BY_MAIN[m][0],) for m in main]
    model = RoleModel(1.0, 1.0, 1.01, blocks, 0.0).fit(X, main, fine)
    model.save(tmp_path)
    again = RoleModel.load(tmp_path)
    assert again.blocks == blocks and again.feature_dim == BLOCK * 3
    assert [p.main_role for p in again.predict(X)] == [p.main_role for p in model.predict(X)]
    again.antagonist_bias = 50.0  # a huge back-off: everything becomes the majority role
    assert {p.main_role for p in again.predict(X)} == {"Antagonist"}


def test_encoder_spans_start_with_the_mentions() -> None:
    from spinscope.entities import find_entities, paragraph_role_spans, paragraph_spans

    doc = document_from_text("Maria Keller met Viktor Brandt in Berlin. They argued.", layout="blocks")
    entities = find_entities(doc)
    plain, with_context = paragraph_spans(doc, entities), paragraph_role_spans(doc, entities)
    for p, q in zip(plain, with_context, strict=True):
        assert q[: len(p)] == p and len(q) == 3 * len(p)

"""SemEval-2025 narratives: metric, decoding hierarchy, persistence, evidence offsets.

Everything here runs without the encoder weights except the tests marked
``slow``: models are built by hand from arrays (or fitted on tiny synthetic
features) and the sentence encoder is replaced by a bag-of-words fake.
"""

from __future__ import annotations

import sys
import zlib
from pathlib import Path

import numpy as np
import pytest

from spinscope.narratives import evidence as E
from spinscope.narratives.features import FEATURE_DIM, article_features, text_units
from spinscope.narratives.metrics import instance_f1, samples_f1, subtask2_scores
from spinscope.narratives.model import DOMAINS, OTHER, NarrativeModel, domain_of, parent_of
from spinscope.narratives.train import label_matrix, run_official_subtask2_scorer

URW_A = "URW: Discrediting Ukraine"
URW_A1 = "URW: Discrediting Ukraine: Ukraine is a puppet of the West"
URW_A0 = "URW: Discrediting Ukraine: Other"
URW_B = "URW: Amplifying war-related fears"
URW_B0 = "URW: Amplifying war-related fears: Other"
CC_A = "CC: Criticism of climate movement"
CC_A1 = "CC: Criticism of climate movement: Climate movement is alarmist"
CC_A0 = "CC: Criticism of climate movement: Other"
FINE = (OTHER, URW_A1, URW_A0, URW_B0, CC_A1, CC_A0)
D = 6  # feature width of the hand-built models


# ---------------------------------------------------------------------------- metric


def test_instance_f1_hand_computed() -> None:
    assert instance_f1({"a", "b"}, {"a"}) == pytest.approx(2 / 3)  # P=1, R=1/2
    assert instance_f1({"a", "b"}, {"a", "c", "d"}) == pytest.approx(0.4)  # 2*1/(2+3)
    assert instance_f1({"a"}, {"a"}) == 1.0
    assert instance_f1({"a"}, set()) == 0.0
    assert instance_f1(set(), set()) == 0.0  # scikit-learn's zero_division=0
    assert instance_f1({"a", "x"}, {"a"}, classes={"a", "b"}) == 1.0  # x is not a class: ignored
    assert instance_f1({OTHER}, {OTHER}) == 1.0


def test_samples_f1_hand_computed() -> None:
    gold = {"d1": ["a", "b"], "d2": [OTHER], "d3": ["c"], "d4": ["a"]}
    pred = {"d1": ["a"], "d2": [OTHER], "d3": ["a"]}  # d4 missing: empty prediction
    got = samples_f1(gold, pred, ["a", "b", "c", OTHER])
    per = np.array([2 / 3, 1.0, 0.0, 0.0])
    assert got.mean == pytest.approx(per.mean())
    assert got.std == pytest.approx(per.std())
    assert got.n == 4


def _write_rows(path: Path, rows: dict[str, tuple[list[str], list[str]]], eol: str = "\n") -> Path:
    path.write_text("".join(f"{a}\t{';'.join(c)}\t{';'.join(f)}{eol}" for a, (c, f) in rows.items()), "utf-8")
    return path


def test_metric_agrees_with_official_scorer(tmp_path: Path, shared_data: Path) -> None:
    pytest.importorskip("sklearn")
    scorers = shared_data / "semeval2025-task10" / "scorers"
    if not (scorers / "subtask2_scorer.py").is_file():
        pytest.skip("SemEval-2025 scorers not found")
    from spinscope.datasets._common import read_label_list

    coarse_classes = read_label_list(scorers / "subtask2_narratives.txt")
    fine_classes = read_label_list(scorers / "subtask2_subnarratives.txt")
    gold = {
        "A.txt": ([URW_A, URW_B], [URW_A1, URW_B0]),
        "B.txt": ([OTHER], [OTHER]),
        "C.txt": ([CC_A], [CC_A1]),
        # a gold label missing from the official class list:
        "D.txt": ([CC_A], ["CC: Climate change is beneficial: Temperature increase is beneficial"]),
        "E.txt": ([URW_A], [URW_A0]),
    }
    pred = {
        "A.txt": ([URW_A], [URW_A1]),
        "B.txt": ([OTHER], [OTHER]),
        "C.txt": ([OTHER], [OTHER]),
        "D.txt": ([CC_A], [CC_A0]),
        "E.txt": ([URW_A, URW_B], [URW_A0, URW_B0]),
    }
    ours = subtask2_scores(
        {a: c for a, (c, _) in gold.items()}, {a: f for a, (_, f) in gold.items()},
        {a: c for a, (c, _) in pred.items()}, {a: f for a, (_, f) in pred.items()},
        coarse_classes, fine_classes,
    )  # fmt: skip
    # Hand-computed: coarse 2/3, 1, 0, 1, 2/3; fine 2/3, 1, 0, 0 (gold label not a class), 2/3.
    assert ours["coarse"].mean == pytest.approx((2 / 3 + 1 + 0 + 1 + 2 / 3) / 5)
    assert ours["fine"].mean == pytest.approx((2 / 3 + 1 + 0 + 0 + 2 / 3) / 5)
    gold_file = _write_rows(tmp_path / "gold.txt", gold, eol="\r\n")  # dev gold files use CRLF
    pred_file = _write_rows(tmp_path / "pred.txt", pred)
    official = run_official_subtask2_scorer(gold_file, pred_file, scorers, python=sys.executable)
    assert official["coarse"] == pytest.approx(ours["coarse"].mean, abs=1e-12)
    assert official["fine"] == pytest.approx(ours["fine"].mean, abs=1e-12)
    assert official["coarse_std"] == pytest.approx(ours["coarse"].std, abs=1e-12)


# ---------------------------------------------------------------------------- hand-built model


def _model(*, other_bias: float = 0.0) -> NarrativeModel:
    """Feature 0 fires URW_A1, 1 the URW_B narrative head, 2 CC_A1; 3, 4, 5 the domains URW, CC, Other."""
    return NarrativeModel.from_arrays(FINE, _params(other_bias=other_bias))


def _params(*, other_bias: float) -> dict[str, np.ndarray]:
    nf = len(FINE)
    fw = np.zeros((nf, D))
    fb = np.full(nf, -30.0)
    fw[FINE.index(URW_A1), 0], fb[FINE.index(URW_A1)] = 20.0, -10.0
    fw[FINE.index(CC_A1), 2], fb[FINE.index(CC_A1)] = 20.0, -10.0
    coarse_labels = (OTHER, URW_A, URW_B, CC_A)
    cw = np.zeros((len(coarse_labels), D))
    cb = np.full(len(coarse_labels), -30.0)
    cw[coarse_labels.index(URW_B), 1], cb[coarse_labels.index(URW_B)] = 20.0, -10.0
    dw = np.zeros((3, D))
    dw[0, 3], dw[1, 4], dw[2, 5] = 20.0, 20.0, 20.0
    db = np.array([0.0, 0.0, other_bias])
    return {
        "feature_mean": np.zeros(D), "feature_scale": np.ones(D),
        "fine_weight": fw, "fine_bias": fb, "fine_threshold": np.full(nf, 0.5),
        "coarse_weight": cw, "coarse_bias": cb, "coarse_threshold": np.full(len(coarse_labels), 0.5),
        "domain_weight": dw, "domain_bias": db, "other_threshold": np.array([0.6]),
    }  # fmt: skip


def _x(*on: int) -> np.ndarray:
    x = np.zeros((1, D), dtype=np.float32)
    for i in on:
        x[0, i] = 1.0
    return x


def test_label_helpers() -> None:
    assert parent_of(URW_A1) == URW_A
    assert parent_of(URW_A) is None and parent_of(OTHER) is None
    assert domain_of(CC_A1) == "CC" and domain_of(OTHER) == OTHER
    assert label_matrix([[URW_A1, "unknown"]], FINE).tolist() == [[0, 1, 0, 0, 0, 0]]


def test_subnarrative_implies_its_narrative() -> None:
    (p,) = _model().predict(_x(0, 3))
    assert p.subnarratives == (URW_A1,)
    assert p.narratives == (URW_A,)  # the narrative head is off; the sub-narrative implies it
    assert p.domain == "URW" and p.dominant == URW_A


def test_narrative_without_subnarrative_gets_its_other() -> None:
    (p,) = _model().predict(_x(1, 3))
    assert p.narratives == (URW_B,)
    assert p.subnarratives == (URW_B0,)


def test_other_domain_labels_are_dropped() -> None:
    (p,) = _model().predict(_x(0, 2, 3))  # URW and CC heads fire, the domain head says URW
    assert p.narratives == (URW_A,) and p.subnarratives == (URW_A1,)
    (q,) = _model().predict(_x(0, 2, 4))  # same article, domain CC
    assert q.narratives == (CC_A,) and q.subnarratives == (CC_A1,)


def test_article_outside_both_domains_gets_other() -> None:
    (p,) = _model().predict(_x(5))  # the domain head is sure it is neither URW nor CC
    assert p.is_other and p.narratives == (OTHER,) and p.subnarratives == (OTHER,) and p.dominant == OTHER
    (q,) = _model().predict(_x(0, 5))  # even when a URW head fires
    assert q.is_other
    (r,) = _model().predict(_x(3))  # URW domain but no head clears its threshold
    assert r.is_other and r.domain == OTHER


def test_predict_proba_shapes() -> None:
    m = _model()
    X = np.vstack([_x(0, 3), _x(5)])
    assert m.predict_proba(X).shape == (2, len(FINE))
    assert m.coarse_proba(X).shape == (2, len(m.coarse_labels))
    assert np.allclose(m.domain_proba(X).sum(axis=1), 1.0)
    assert m.predict_proba(X)[1, FINE.index(OTHER)] > 0.9


def test_empty_article_is_other_without_the_encoder(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_a: object, **_k: object) -> None:
        raise AssertionError("the encoder must not run for an empty article")

    monkeypatch.setattr("spinscope.models.bundle.get_model", boom)
    X = article_features(["", "  \n\r\n  "])
    assert X.shape == (2, FEATURE_DIM) and not X.any()
    m = _model(other_bias=-5.0)
    Xs = np.zeros((2, D), dtype=np.float32)
    assert all(p.is_other for p in m.predict(Xs))
    assert E.find_evidence("", URW_A) == []


# ---------------------------------------------------------------------------- fitting and persistence


def _synthetic(n: int = 60, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(scale=0.3, size=(n, 8)).astype(np.float32)
    Y = np.zeros((n, len(FINE)), dtype=np.int8)
    for r in range(n):
        kind = r % 3
        if kind == 0:
            Y[r, FINE.index(URW_A1)] = 1
            X[r, 0] += 2
        elif kind == 1:
            Y[r, FINE.index(CC_A1)] = 1
            X[r, 1] += 2
        else:
            Y[r, FINE.index(OTHER)] = 1
            X[r, 2] += 2
    return X, Y


def test_fit_save_load_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("sklearn")
    X, Y = _synthetic()
    model = NarrativeModel(folds=3, min_positives=3).fit(X, Y, FINE)
    assert model.meta["cv"]["coarse_samples_f1"] > 0.8
    model.save(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["narratives.json", "narratives.safetensors"]
    assert not list(tmp_path.glob("*.pkl"))
    monkeypatch.setitem(sys.modules, "sklearn", None)  # loading and predicting need numpy only
    loaded = NarrativeModel.load(tmp_path)
    Xt, _ = _synthetic(seed=1)
    assert loaded.predict(Xt) == model.predict(Xt)
    assert np.array_equal(loaded.predict_proba(Xt), model.predict_proba(Xt))
    assert loaded.labels == model.labels and loaded.meta["counts"]["articles"] == 60
    preds = loaded.predict(Xt)
    assert [p.narratives for p in preds[:3]] == [(URW_A,), (CC_A,), (OTHER,)]


def test_load_missing_directory(tmp_path: Path) -> None:
    from spinscope.errors import ModelError

    with pytest.raises(ModelError, match=r"\[E345\]"):
        NarrativeModel.load(tmp_path)


# ---------------------------------------------------------------------------- evidence


def _fake_embed(texts: list[str], **_: object) -> np.ndarray:
    """Hashed bag of lower-cased words, L2-normalised: similar words, similar rows."""
    out = np.zeros((len(texts), 64), dtype=np.float32)
    for i, t in enumerate(texts):
        for w in t.lower().replace(".", " ").replace(",", " ").split():
            out[i, zlib.crc32(w.encode()) % 64] += 1.0
        norm = np.linalg.norm(out[i])
        if norm:
            out[i] /= norm
    return out


ARTICLE = (
    "Kyiv under pressure\r\n\r\n"
    "Officials in Kyiv met on Monday. The weather was mild and the talks were long.\r\n"
    "Critics said Ukraine is a puppet of the West, taking orders from Washington. "
    "Mr. Smith disagreed. \u201cNo one controls us,\u201d he said.\n"
    "Discrediting Ukraine has become common, one analyst noted!\n"
)


def test_sentence_spans_are_sentences() -> None:
    spans = E.sentence_spans(ARTICLE)
    got = [ARTICLE[s:e] for s, e in spans]
    assert got[0] == "Kyiv under pressure"
    assert "Mr. Smith disagreed." in got  # "Mr." does not end a sentence
    assert "\u201cNo one controls us,\u201d he said." in got
    for s, e in spans:
        assert ARTICLE[s:e] == ARTICLE[s:e].strip() and "\n" not in ARTICLE[s:e] and "\r" not in ARTICLE[s:e]
    assert [u for u in text_units(ARTICLE)][0] == (0, len("Kyiv under pressure"))


def test_evidence_offsets_are_valid_sentences(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("spinscope.stories.embed.embed_texts", _fake_embed)
    ev = E.find_evidence(ARTICLE, URW_A, subnarratives=[URW_A1, CC_A1])
    assert 1 <= len(ev) <= 3
    spans = set(E.sentence_spans(ARTICLE))
    for e in ev:
        assert (e.start, e.end) in spans and 0 <= e.start < e.end <= len(ARTICLE)
        assert e.label == URW_A
    assert [x.score for x in ev] == sorted((x.score for x in ev), reverse=True)
    assert "puppet of the West" in ARTICLE[ev[0].start : ev[0].end]
    assert sum(len(ARTICLE[x.start : x.end].split()) for x in ev) <= 80
    joined = E.evidence_text(ARTICLE, ev)
    assert all(ARTICLE[x.start : x.end] in joined for x in ev)
    assert E.find_evidence(ARTICLE, OTHER) == []


def test_evidence_skips_repeated_sentences(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("spinscope.stories.embed.embed_texts", _fake_embed)
    text = "Ukraine is a puppet of the West today\n\nUkraine is a puppet of the West today\nOther words here now.\n"
    ev = E.find_evidence(text, URW_A, subnarratives=[URW_A1])
    picked = [" ".join(text[e.start : e.end].split()) for e in ev]
    assert len(picked) == len(set(picked))


def test_public_names_are_exported() -> None:
    import spinscope.narratives as N

    assert all(hasattr(N, name) for name in N.__all__)


def test_evidence_on_a_document(monkeypatch: pytest.MonkeyPatch) -> None:
    from spinscope.ingest import document_from_text

    monkeypatch.setattr("spinscope.stories.embed.embed_texts", _fake_embed)
    doc = document_from_text(ARTICLE, name="t.txt", layout="lines", clean=False)
    ev = E.find_evidence(doc, URW_A, subnarratives=[URW_A1])
    assert ev and all(doc.text[e.start : e.end] == doc.text[e.start : e.end].strip() for e in ev)
    with pytest.raises(TypeError):
        E.find_evidence(42, URW_A)


# ---------------------------------------------------------------------------- the packaged model


@pytest.mark.slow
def test_packaged_model_predicts() -> None:
    from spinscope.narratives.train import DEFAULT_MODEL_DIR, predict_texts

    model = NarrativeModel.load(DEFAULT_MODEL_DIR)  # shipped with the package
    assert model.meta["training"]["languages"][0] == "EN"
    preds = predict_texts(model, [ARTICLE, "", "A recipe for lemon cake.\n\nMix flour and sugar."])
    assert preds[1].is_other
    assert all(p.domain in DOMAINS for p in preds)
    assert sum(f.stat().st_size for f in DEFAULT_MODEL_DIR.iterdir()) < 3_000_000


@pytest.mark.slow
def test_evaluate_command_agrees_with_the_official_scorer(tmp_path, shared_data) -> None:  # type: ignore[no-untyped-def]
    import json

    from typer.testing import CliRunner

    from spinscope.cli import app

    result = CliRunner().invoke(
        app, ["evaluate", "semeval2025", "--lang", "en", "--split", "dev", "--data-dir", str(shared_data), "-o", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    metrics = json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["subtask2"]["agree"] is True
    for level in ("coarse", "fine"):
        assert 0.0 < metrics["subtask2"]["official"][level] <= 1.0
    assert (tmp_path / "en-dev-subtask-2.txt").is_file()
    st1 = metrics["subtask1"]
    assert st1["gold_mentions"]["agree"] is True  # the organisers' subtask-1 scorer agrees with ours
    assert 0.0 < st1["gold_mentions"]["official"]["main_role_accuracy"] <= 1.0
    assert st1["end_to_end"]["mentions"] == st1["mentions"] > 0
    assert (tmp_path / "en-dev-subtask-1.txt").is_file()
    assert "subtask 1 roles" in result.output

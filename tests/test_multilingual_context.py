"""The context stage: features of a paragraph in its article, fitting, fallback and persistence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from spinscope.errors import ModelError
from spinscope.multilingual.context import FEATURES, ContextStage, context_features, logit
from spinscope.multilingual.model import POOLED, MultilingualModel


def test_features_describe_the_paragraph_its_article_and_its_neighbours() -> None:
    probs = np.array([[0.1, 0.5], [0.9, 0.5], [0.2, 0.5]])
    f = context_features(probs, [10, 100, 1000])
    assert f.shape == (3, 2, len(FEATURES))
    assert np.allclose(f[:, 0, 0], logit(probs[:, 0]))
    assert np.allclose(f[:, 0, 1], logit(np.array(0.4)))  # the article's mean
    assert np.allclose(f[:, 0, 2], logit(np.array(0.9)))  # ... and maximum
    assert f[0, 0, 3] == pytest.approx(logit(np.array(0.0)))  # no previous paragraph: probability ~0
    assert f[1, 0, 3] == pytest.approx(logit(np.array(0.1))) and f[1, 0, 4] == pytest.approx(logit(np.array(0.2)))
    assert f[2, 0, 4] == pytest.approx(logit(np.array(0.0)))
    assert list(f[:, 1, 5]) == [0.0, 0.5, 1.0]
    assert np.allclose(f[:, 0, 6], np.log1p(3)) and np.allclose(f[:, 0, 7], np.log1p([10, 100, 1000]))
    assert context_features(np.zeros((0, 2)), []).shape == (0, 2, len(FEATURES))
    with pytest.raises(ValueError):
        context_features(probs, [1, 2])


def _articles(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Articles of 6 paragraphs where a technique runs through a whole article or none of it.

    The first stage sees each paragraph alone and is noisy; the article's
    other paragraphs say what the paragraph's own score cannot.
    """
    feats, gold = [], []
    for _ in range(n):
        on = rng.random() < 0.4
        p = 1 / (1 + np.exp(-(rng.normal(1.0 if on else -1.0, 1.5, size=(6, 1)))))
        feats.append(context_features(p, [200] * 6))
        gold.append(np.full((6, 1), on))
    return np.concatenate(feats), np.concatenate(gold).astype(np.float32)


def test_the_stage_learns_what_the_article_says_about_a_paragraph() -> None:
    rng = np.random.default_rng(0)
    Z, Y = _articles(rng, 300)
    Zt, Yt = _articles(rng, 200)
    stage = ContextStage.fit(Z, Y)
    own = 1 / (1 + np.exp(-Zt[:, 0, 0]))
    again = stage.probs(Zt)[:, 0]
    accuracy = lambda p: float(((p >= 0.5) == (Yt[:, 0] > 0)).mean())
    assert accuracy(again) > accuracy(own) + 0.1
    assert stage.W[0, 1] > 0  # the article's mean counts for the paragraph


def test_a_label_too_rare_to_fit_keeps_its_first_stage_probability() -> None:
    Z, Y = _articles(np.random.default_rng(1), 20)
    Y = np.hstack([Y, np.zeros_like(Y)])
    Y[0, 1] = 1  # one positive row: nothing to learn from
    Z = np.concatenate([Z, Z], axis=1)
    stage = ContextStage.fit(Z, Y)
    assert list(stage.W[1]) == [1.0] + [0.0] * (len(FEATURES) - 1) and stage.b[1] == 0.0
    p = stage.probs(Z)[:, 1]
    assert np.allclose(p, 1 / (1 + np.exp(-Z[:, 1, 0])), atol=1e-6)


def test_the_bundled_model_carries_a_context_stage_that_survives_a_round_trip(tmp_path: Path) -> None:
    model = MultilingualModel.load()
    assert model.context is not None and model.context.W.shape == (len(model.techniques), len(FEATURES))
    model.save(tmp_path / "m")
    again = MultilingualModel.load(tmp_path / "m")
    assert set(again.sentence_thresholds) == set(model.technique_thresholds)
    assert np.allclose(again.evidence_thresholds("de"), model.sentence_thresholds["de"], atol=1e-4)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 512)).astype(np.float32)
    texts = ["Les traîtres mentent encore.", "Ein ganz normaler Satz.", "To jest skandal!"]
    assert np.allclose(model.article_technique_probs(x, texts), again.article_technique_probs(x, texts), atol=1e-3)
    # The stage reads the article: the same paragraph scores differently among other paragraphs.
    alone = model.article_technique_probs(x[:1], texts[:1])[0]
    assert not np.allclose(alone, model.article_technique_probs(x, texts)[0])
    from safetensors.numpy import load_file, save_file

    arrays = load_file(str(tmp_path / "m" / "multilingual.safetensors"))
    arrays["ctx_W"] = arrays["ctx_W"][:, :3].copy()
    save_file(arrays, str(tmp_path / "m" / "multilingual.safetensors"))
    with pytest.raises(ModelError) as err:
        MultilingualModel.load(tmp_path / "m")
    assert err.value.code == "E358"


def test_sentence_evidence_thresholds_are_the_first_stages_with_fallbacks() -> None:
    model = MultilingualModel.load()
    assert model.evidence_thresholds("fr") is model.sentence_thresholds["fr"]
    assert model.evidence_thresholds("es") is model.sentence_thresholds[POOLED]  # a language it was not trained on
    assert model.evidence_thresholds(None) is model.sentence_thresholds[POOLED]
    # Second-stage and first-stage thresholds are different sets: the stages score on different scales.
    assert not np.allclose(model.evidence_thresholds("fr"), model.thresholds("fr")[0])
    bare = MultilingualModel(
        model.techniques, model.frames, model.genres, model.languages, model.arrays,
        model.technique_thresholds, model.frame_thresholds,
    )  # fmt: skip
    assert bare.evidence_thresholds("fr") is model.thresholds("fr")[0]  # no first-stage set: the model's own


def test_out_of_fold_scores_each_fold_with_a_stage_that_never_saw_it() -> None:
    from spinscope.multilingual.context import out_of_fold

    Z, Y = _articles(np.random.default_rng(2), 60)
    fold = np.arange(len(Y)) // 6 % 3  # whole articles per fold
    got = out_of_fold(Z, Y, fold)
    held = fold == 1
    assert np.allclose(got[held], ContextStage.fit(Z[~held], Y[~held]).probs(Z[held]))
    assert not np.allclose(got[held], ContextStage.fit(Z, Y).probs(Z[held]))
    assert not out_of_fold(Z, Y, np.zeros(len(Y), int)).any()  # one fold: nothing to fit on

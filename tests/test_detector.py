"""The bundled model end to end: loading, analysis, agreement of labels and spans, bad models."""

from __future__ import annotations

import json
import shutil
from importlib.resources import files
from pathlib import Path

import jsonschema
import numpy as np
import pytest
from typer.testing import CliRunner

import spinscope
from spinscope.cli import app
from spinscope.encode import verify_sha256
from spinscope.errors import ModelError
from spinscope.models.bundle import default_model_dir, load_model
from spinscope.models.calibrate import fit_micro_thresholds, micro_f1
from spinscope.pipeline import analyze, analyze_documents
from spinscope.taxonomy import techniques

SCHEMA = json.loads(files("spinscope").joinpath("schemas/analysis.schema.json").read_text(encoding="utf-8"))
runner = CliRunner()


@pytest.fixture(scope="module")
def model() -> spinscope.models.bundle.SpinModel:  # type: ignore[name-defined]
    return load_model()


def test_bundled_model_is_small_and_documented() -> None:
    directory = default_model_dir()
    size = sum(p.stat().st_size for p in directory.iterdir())
    assert size <= 25 * 1024 * 1024
    names = {p.name for p in directory.iterdir()}
    assert {"config.json", "model.safetensors", "meta.json", "MODEL_CARD.md"} <= names
    assert not any(n.endswith((".pt", ".pkl", ".pickle", ".bin")) for n in names)
    meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
    assert meta["command"].startswith("spinscope train")


def test_analysis_of_examples_fits_the_schema_and_labels_agree(examples_dir: Path, model: object) -> None:
    result = runner.invoke(app, ["analyze", str(examples_dir), "--format", "json"])
    assert result.exit_code == 0, result.output
    analyses = json.loads(result.stdout)
    assert len(analyses) >= 5
    known = {t.label for t in techniques()}
    for a in analyses:
        jsonschema.validate(a, SCHEMA)
        text = a["document"]["text"]
        assert a["genre"]["label"] in {"reporting", "opinion", "satire"}
        assert abs(sum(a["genre_probabilities"].values()) - 1) < 1e-3
        spans_by_para = {}
        for s in a["spans"]:
            assert text[s["start"] : s["end"]] == s["text"]
            spans_by_para.setdefault(s["paragraph"], set()).add(s["technique"])
        for p in a["paragraphs"]:
            for t in p["techniques"]:
                assert t["label"] in known and t["definition"]["text"]
                # Every paragraph label is backed by evidence inside its paragraph.
                assert t["evidence"], t
                for e in t["evidence"]:
                    assert p["start"] <= e["start"] < e["end"] <= p["end"]
                    assert text[e["start"] : e["end"]] == e["text"]
                if any(e["kind"] == "span" for e in t["evidence"]):
                    assert t["label"] in spans_by_para.get(p["index"], set())
        # ...and every span belongs to a paragraph label.
        labelled = {(p["index"], t["label"]) for p in a["paragraphs"] for t in p["techniques"]}
        assert all((s["paragraph"], s["technique"]) in labelled for s in a["spans"])


def test_loaded_opinion_piece_has_more_persuasion_than_the_report(examples_dir: Path, model: object) -> None:
    report = spinscope.read_one(examples_dir / "report-harbour-accord.txt")
    opinion = spinscope.read_one(examples_dir / "opinion-harbour-accord.txt")
    a, b = analyze(report, model=model), analyze(opinion, model=model)  # type: ignore[arg-type]
    assert sum(b.technique_counts.values()) > sum(a.technique_counts.values())


def test_quotes_are_attributed_and_edits_found(examples_dir: Path, model: object) -> None:
    result = analyze(spinscope.read_one(examples_dir / "opinion-harbour-accord.txt"), model=model)  # type: ignore[arg-type]
    data = result.to_dict()
    speech = [q for q in data["quotes"] if q["kind"] == "speech"]
    assert speech and all(q["speaker"] == "Irena Vasko" for q in speech)
    assert {"lectured", "announced"} <= {q["cue"]["text"] for q in speech if q["cue"]}
    kinds = {i["text"]: i["kind"] for q in speech for i in q["insertions"]}
    assert kinds["(c)"] == "split-word" and kinds["(es)"] == "split-word"
    # bracketed words are scored by the technique model (0.5 = its calibrated threshold)
    assert set(next(i["scores"] for q in speech for i in q["insertions"] if i["text"] == "[so-called]")) == {
        "Loaded_Language",
        "Name_Calling-Labeling",
    }
    assert data["model"]["analyzers"]["quotes"] == "quotes.v2"


def test_non_english_input_goes_to_the_multilingual_model_and_says_so(model: object) -> None:
    text = (
        "Le port reprend ses activités\n\n"
        "Le ministère a annoncé mercredi que les inspections conjointes reprendraient en mars, "
        "selon la porte-parole du gouvernement."
    )
    result = analyze(text, model=model)  # type: ignore[arg-type]
    assert result.paragraph_languages == ["fr", "fr"]
    assert result.model["analyzers"]["multilingual"] == "multilingual.v1"
    assert any("'fr'" in w and "English-only" in w for w in result.warnings)
    assert result.entities is None  # English-only
    assert result.narratives is not None and result.model["narratives_model"] == "multilingual"
    assert any("not trained on fr" in w for w in result.warnings)  # the narrative model saw en, bg, pt, ru
    doc = result.document
    (english,) = analyze_documents([doc], model=model, multilingual=False)  # type: ignore[arg-type]
    assert english.paragraph_languages == []
    assert any("English models only" in w for w in english.warnings)


def test_long_paragraph_is_windowed_and_offsets_stay_valid(model: object) -> None:
    sentence = "The corrupt regime lied again and again to its terrified citizens. "
    text = "A very long paragraph\n\n" + sentence * 60
    result = analyze(text, model=model)  # type: ignore[arg-type]
    doc = result.document
    for s in result.spans:
        assert 0 <= s.start < s.end <= len(doc.text)
    assert len(doc.paragraphs) == 2


@pytest.mark.slow
def test_ten_thousand_paragraphs_are_processed_in_batches(model: object) -> None:
    text = "Many paragraphs\n\n" + "\n\n".join(f"Item {i} shipped." for i in range(10_000))
    result = analyze(spinscope.document_from_text(text, detect_language=False), model=model)  # type: ignore[arg-type]
    assert len(result.document.paragraphs) == 10_001
    assert result.genre is not None


def test_batching_across_articles_changes_nothing(examples_dir: Path, model: object) -> None:
    docs = [r.document for r in spinscope.read([examples_dir]) if r.document is not None]
    assert len(docs) >= 5
    alone = [analyze(d, model=model) for d in docs]  # type: ignore[arg-type]
    # a batch size that splits the examples into several multi-article groups
    together = list(analyze_documents(docs, model=model, batch_paragraphs=12))  # type: ignore[arg-type]
    assert [a.document.id for a in together] == [d.id for d in docs]
    for a, b in zip(alone, together, strict=True):
        assert a.genre is not None and b.genre is not None and a.genre.label == b.genre.label
        assert [f.label for f in a.frames] == [f.label for f in b.frames]
        assert [(p.paragraph, [ls.label for ls in p.labels]) for p in a.paragraphs] == [
            (p.paragraph, [ls.label for ls in p.labels]) for p in b.paragraphs
        ]
        assert [(s.start, s.end, s.technique) for s in a.spans] == [(s.start, s.end, s.technique) for s in b.spans]
        assert a.genre.score == pytest.approx(b.genre.score, abs=1e-4)


def _copy_model(tmp_path: Path) -> Path:
    target = tmp_path / "model"
    shutil.copytree(default_model_dir(), target)
    return target


@pytest.mark.parametrize(
    ("breakage", "code", "file"),
    [
        (lambda d: (d / "model.safetensors").write_bytes(b"not a safetensors file"), "E312", "model.safetensors"),
        (lambda d: (d / "model.safetensors").unlink(), "E310", "model.safetensors"),
        (lambda d: (d / "config.json").write_text("{oops", encoding="utf-8"), "E311", "config.json"),
        (lambda d: (d / "config.json").unlink(), "E310", "config.json"),
    ],
)
def test_broken_model_files_are_named(tmp_path: Path, breakage, code: str, file: str) -> None:  # type: ignore[no-untyped-def]
    directory = _copy_model(tmp_path)
    breakage(directory)
    with pytest.raises(ModelError) as exc:
        load_model(directory)
    assert exc.value.code == code
    assert file in str(exc.value)


def test_weights_that_do_not_fit_the_config(tmp_path: Path) -> None:
    directory = _copy_model(tmp_path)
    config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
    config["net"]["n_techniques"] = 7
    (directory / "config.json").write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(ModelError) as exc:
        load_model(directory)
    assert exc.value.code == "E313"


def test_encoder_hash_mismatch_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "model.safetensors"
    fake.write_bytes(b"tampered weights")
    with pytest.raises(ModelError) as exc:
        verify_sha256(fake, "0" * 64)
    assert exc.value.code == "E303" and str(fake) in str(exc.value)


def test_cli_reports_a_broken_model_in_one_line(tmp_path: Path, examples_dir: Path) -> None:
    directory = _copy_model(tmp_path)
    (directory / "model.safetensors").write_bytes(b"garbage")
    result = runner.invoke(app, ["analyze", str(examples_dir / "report-harbour-accord.txt"), "--model", str(directory)])
    assert result.exit_code != 0
    assert isinstance(result.exception, ModelError)


def test_semeval_output_for_any_folder(tmp_path: Path, examples_dir: Path, model: object) -> None:
    out = tmp_path / "preds"
    result = runner.invoke(app, ["analyze", str(examples_dir / "report-harbour-accord.txt"), "-f", "semeval", "-o", str(out)])
    assert result.exit_code == 0, result.output
    from spinscope import official_formats as F

    genres = F.read_subtask1(out / "subtask-1.txt")
    assert list(genres) == ["report-harbour-accord"]
    paragraphs = F.read_subtask3(out / "subtask-3.txt")
    assert ("report-harbour-accord", 1) in paragraphs  # the title line


def test_threshold_search_improves_micro_f1() -> None:
    rng = np.random.default_rng(0)
    gold = rng.random((400, 3)) < [0.3, 0.1, 0.05]
    # Label 1's scores are informative but low: 0.5 would miss all its positives.
    probs = np.clip(gold * rng.uniform(0.2, 0.4, (400, 3)) + rng.uniform(0, 0.25, (400, 3)), 0, 1)
    th = fit_micro_thresholds(probs, gold)
    assert micro_f1(probs, gold, th) > micro_f1(probs, gold, np.full(3, 0.5)) + 0.3
    assert np.all(th < 0.5)
    # A label with no positives gets the conservative default.
    gold[:, 2] = False
    assert fit_micro_thresholds(probs, gold)[2] == pytest.approx(0.9)

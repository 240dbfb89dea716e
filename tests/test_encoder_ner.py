"""The encoder NER head (``entities.v3``): hash-checked loading, names in hand-written text, word-aligned offsets, the pipeline."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import spinscope
from spinscope.entities.encoder_ner import (
    CASING_FEATURES,
    DEFAULT_NER_DIR,
    TAGS,
    casing_features,
    decode_paragraph,
    load_encoder_ner,
    token_tags,
    viterbi,
)
from spinscope.entities.ner import RawMention
from spinscope.errors import ConfigError, ModelError
from spinscope.ingest import document_from_text
from spinscope.pipeline import Pipeline, load, resolve_ner

#: Invented-enough news text: well-known names, places and groups the head must find with its casing.
ARTICLE = (
    "Leaders Meet In Geneva\n\n"
    "Russian President Vladimir Putin met US President Joe Biden in Geneva on Wednesday, "
    "the Kremlin said.\n\n"
    "The European Union and NATO welcomed the talks, while Ukraine asked for more weapons.\n\n"
    "Angela Merkel told reporters in Berlin that Germany would keep its embassy in Moscow open."
)


def _paragraph_mentions(texts: list[str]) -> list[list[RawMention]]:
    from spinscope.models.bundle import get_model

    model, head = get_model(precision="fp32"), load_encoder_ner()
    out = []
    for text, enc in zip(texts, model.encode_paragraphs(texts, ner=head, keep_states=True), strict=True):
        assert enc.states is not None and enc.ner_windows is not None
        out.append(decode_paragraph(text, [(lp, offs) for lp, (_, offs) in zip(enc.ner_windows, enc.windows, strict=True)]))
    return out


def test_the_bundled_head_loads_and_is_small() -> None:
    head = load_encoder_ner()
    assert head.config["sha256"] and set(head.layers) <= {"bottom", "top"}
    assert sum(p.stat().st_size for p in DEFAULT_NER_DIR.iterdir()) < 2_000_000


def test_a_changed_or_missing_weight_file_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "ner"
    shutil.copytree(DEFAULT_NER_DIR, copy)
    weights = copy / "ner.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0x01  # one bit of one weight
    weights.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="E342"):
        load_encoder_ner(copy)
    weights.unlink()
    with pytest.raises(ModelError, match="E340"):
        load_encoder_ner(copy)


def test_finds_people_places_and_organisations_in_hand_written_text() -> None:
    paragraphs = ARTICLE.split("\n\n")[1:]
    found = {(m.text, m.label) for ms in _paragraph_mentions(paragraphs) for m in ms}
    texts = {t for t, _ in found}
    for name in ("Vladimir Putin", "Joe Biden", "Angela Merkel"):
        assert (name, "PERSON") in found, found
    for place in ("Geneva", "Ukraine", "Berlin", "Germany", "Moscow"):
        assert (place, "GPE") in found, found
    assert "NATO" in texts and "European Union" in texts
    # Lower-case words are not names: the casing features are what tells them apart in an uncased encoder.
    assert not any(t[0].islower() for t in texts), found


def test_mentions_sit_on_word_boundaries_and_match_their_text() -> None:
    paragraphs = [
        "Putin's spokesman Dmitry Peskov said the U.S.-led bloc (NATO) was \u201cunpredictable\u201d.",
        "Zelensky\u2019s office in Kyiv, Ukraine's capital, called Kremlin-backed claims false.",
        "McDonald's left Russia; the Organisation for Security and Co-operation in Europe stayed.",
    ]
    mentions = _paragraph_mentions(paragraphs)
    assert sum(map(len, mentions)) >= 6
    for text, ms in zip(paragraphs, mentions, strict=True):
        for m in ms:
            assert m.text == text[m.start : m.end]
            assert m.start == 0 or not (text[m.start - 1].isalnum() and text[m.start].isalnum()), (text, m)
            assert m.end == len(text) or not (text[m.end].isalnum() and text[m.end - 1].isalnum()), (text, m)
            assert not m.text.endswith(("'s", "\u2019s")) and not m.text.lower().startswith("the ")


def test_decoding_follows_bio_and_widens_to_whole_words() -> None:
    text = "Mr Kowalczyk left."
    offsets = [(0, 0), (0, 2), (3, 6), (6, 9), (9, 12), (13, 17), (17, 18), (0, 0)]  # "kow" "alc" "zyk" as pieces
    logp = np.full((len(offsets), len(TAGS)), -10.0, dtype=np.float32)
    logp[:, 0] = -0.01
    # The first two pieces score as a name, the last one not: the mention is still the whole word.
    logp[2, TAGS.index("B-PERSON")] = logp[3, TAGS.index("I-PERSON")] = 0.0
    logp[2, 0] = logp[3, 0] = -5.0
    (m,) = decode_paragraph(text, [(logp, offsets)])
    # An I- tag never starts a mention: alone, the middle piece's I-PERSON loses to O.
    lone = np.full((len(offsets), len(TAGS)), -10.0, dtype=np.float32)
    lone[:, 0] = -0.01
    lone[3, TAGS.index("I-PERSON")], lone[3, 0] = 0.0, -5.0
    assert decode_paragraph(text, [(lone, offsets)]) == []
    assert (m.text, m.label, m.start, m.end) == ("Kowalczyk", "PERSON", 3, 12)
    path = viterbi(np.log(np.full((3, len(TAGS)), 1 / len(TAGS))))
    assert not TAGS[path[0]].startswith("I-")


def test_the_tokens_own_best_tags_are_used_only_when_they_obey_bio(monkeypatch: pytest.MonkeyPatch) -> None:
    import spinscope.entities.encoder_ner as encoder_ner

    rng = np.random.default_rng(0)
    text = " ".join(f"w{i}" for i in range(12))
    offsets = [(3 * i, 3 * i + 2) if i < 10 else (3 * i, 3 * i + 3) for i in range(12)]
    calls: list[int] = []
    real = encoder_ner.viterbi

    def counting(logp: np.ndarray) -> np.ndarray:
        calls.append(len(logp))
        return real(logp)

    monkeypatch.setattr(encoder_ner, "viterbi", counting)
    for _ in range(200):
        logp = rng.normal(size=(12, len(TAGS))).astype(np.float32)
        logp[:, 0] += rng.uniform(0, 4)  # mostly O, as in text
        greedy = logp.argmax(1)
        valid = encoder_ner._START[greedy[0]] and encoder_ner._ALLOWED[greedy[:-1], greedy[1:]].all()
        if valid:  # the unconstrained best is allowed, so it is the constrained best
            assert (real(logp) == greedy).all()
        before = len(calls)
        got = decode_paragraph(text, [(logp, offsets)])
        assert (len(calls) > before) == (not valid)
        assert all(m.text == text[m.start : m.end] for m in got)
    assert 0 < len(calls) < 200  # both kinds of paragraph were seen


def test_training_targets_and_casing_read_the_text() -> None:
    text = "Bush met bush farmers."
    offsets = [(0, 0), (0, 4), (5, 8), (9, 13), (14, 21), (21, 22), (0, 0)]
    tags = token_tags(offsets, [RawMention(0, 4, "Bush", "PERSON")])
    assert [TAGS[t] for t in tags] == ["O", "B-PERSON", "O", "O", "O", "O", "O"]
    feats = casing_features(text, offsets)
    assert feats.shape == (len(offsets), len(CASING_FEATURES))
    upper = CASING_FEATURES.index("token_upper_initial")
    assert feats[1, upper] == 1.0 and feats[3, upper] == 0.0  # "Bush" and "bush": same token to the encoder
    assert feats[0, CASING_FEATURES.index("special")] == 1.0
    assert feats[1, CASING_FEATURES.index("word_sentence_initial")] == 1.0 and feats[3, CASING_FEATURES.index("word_sentence_initial")] == 0.0


def test_the_pipeline_with_entities_v3_gives_entities_and_roles() -> None:
    nlp = load(ner="encoder")
    assert {n: c.factory for n, c in nlp.components}["entities"] == "entities.v3"
    doc = document_from_text(ARTICLE, title_line=True)
    analysis = nlp(doc)
    names = {e.name: e for e in analysis.entities}
    assert "Vladimir Putin" in names and "Joe Biden" in names
    for e in analysis.entities:
        assert e.role is not None
        for m in e.mentions:
            assert m.role is not None and doc.text[m.start : m.end]
    # The same article batched with another gives the same mentions (the states were pooled per article).
    other = document_from_text("Talks\n\nOfficials in Paris and London met on Friday.", title_line=True)
    batched = list(nlp.pipe([other, doc]))[1]
    assert [(m.start, m.end) for e in batched.entities for m in e.mentions] == [(m.start, m.end) for e in analysis.entities for m in e.mentions]
    assert analysis.model["components"][1]["factory"] == "entities.v3"


def test_entities_v3_needs_the_encoder_after_it_and_a_known_choice() -> None:
    with pytest.raises(ConfigError, match="E904"):
        Pipeline([("entities", "entities.v3"), ("quotes", "quotes.v2")])
    with pytest.raises(ConfigError, match="E919"):
        resolve_ner("flair")
    assert resolve_ner("Encoder") == "encoder"


def test_entities_v3_never_loads_spacy() -> None:
    code = (
        "import sys, spinscope\n"
        "nlp = spinscope.load(ner='encoder', exclude=['language', 'multilingual', 'narratives'])\n"
        "a = nlp('Talks\\n\\nVladimir Putin met Joe Biden in Geneva.')\n"
        "print(len(a.entities) > 0, 'spacy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300)
    assert out.stdout.split()[-2:] == ["True", "False"], out.stdout + out.stderr


def test_default_tagger_is_still_spacy() -> None:
    assert {n: c.factory for n, c in spinscope.load().components}["entities"] == "entities.v2"


def test_a_long_article_tagged_in_its_own_pass_gets_the_same_entities_and_roles(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past TWO_PASS_PARAGRAPHS an article is tagged first and streamed after: the same result as one pass."""
    import spinscope.components.encoder as encoder_component

    nlp = load(ner="encoder", exclude=["language", "multilingual", "narratives"])
    doc = document_from_text(ARTICLE, title_line=True)
    one = nlp(doc)
    monkeypatch.setattr(encoder_component, "TWO_PASS_PARAGRAPHS", 1)
    two = nlp(doc)

    def roles(a: spinscope.Analysis) -> list[tuple[int, int, str | None]]:
        return [(m.start, m.end, m.role.main_role if m.role else None) for e in a.entities for m in e.mentions]

    assert roles(one) == roles(two) and roles(one)
    first = [m.role.main_scores for e in one.entities for m in e.mentions if m.role]
    second = [m.role.main_scores for e in two.entities for m in e.mentions if m.role]
    for a, b in zip(first, second, strict=True):
        assert all(abs(a[k] - b[k]) < 1e-2 for k in a)  # pooled from float16 states in one pass, fp32 in the other

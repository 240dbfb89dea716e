"""The speed work keeps results: length-sorted NER batches, evidence embedded once per batch."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

import spinscope
from spinscope.entities.ner import find_mentions, load_ner
from spinscope.ingest import document_from_text
from spinscope.narratives import evidence as E

PARAGRAPHS = [
    "NATO chief Jens Stoltenberg met Joe Biden in Washington on Monday.",
    "Short one.",
    (
        "The European Commission and the World Health Organization warned Germany, while Maria Okafor of "
        "Nairobi told Reuters that the Kenyan government would answer the letter from Brussels within a week, "
        "and the Americans stayed silent."
    ),
    "",
    "Ursula von der Leyen spoke in Lisbon.",
]

URW = (
    "Kyiv regime begs the West for more weapons\n\n"
    "The corrupt government in Kyiv has once again demanded billions from Western taxpayers. "
    "Ukrainian officials steal the aid while ordinary Europeans freeze in their homes.\n\n"
    "NATO is dragging Europe into a war with Russia that it cannot win. The sanctions hurt Germany more than Moscow, "
    "and Brussels refuses to admit it.\n\n"
    "Zelensky is a puppet of Washington, and the Western media hide the truth about the battlefield."
)
CLIMATE = (
    "The climate scam costs you dearly\n\n"
    "Green activists and their friends in government want to ban your car and your gas boiler. "
    "The so-called climate crisis is a hoax invented to raise taxes.\n\n"
    "Scientists who question the alarmists are silenced, while the elites fly private jets to their climate summits."
)


def test_ner_runs_only_its_own_component() -> None:
    assert load_ner().pipe_names == ["ner"]


def test_ner_batched_and_length_sorted_finds_what_one_at_a_time_finds() -> None:
    together = find_mentions(PARAGRAPHS)
    alone = [find_mentions([p])[0] for p in PARAGRAPHS]
    tiny_batches = find_mentions(PARAGRAPHS, batch_size=1)
    assert together == alone == tiny_batches
    names = {m.text for ms in together for m in ms}
    assert {"Jens Stoltenberg", "Joe Biden", "Washington", "Maria Okafor", "Nairobi", "Lisbon"} <= names
    assert together[1] == [] and together[3] == []


def _word_embed(calls: list[int]) -> object:
    """A batch-independent embedding (hashed words), counting how many times it is called."""

    def embed(texts: list[str]) -> np.ndarray:
        calls.append(len(texts))
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().split():
                out[i, int(hashlib.sha256(word.strip(".,").encode()).hexdigest(), 16) % 64] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-6)

    return embed


def test_find_evidence_many_is_find_evidence_for_each_with_one_embedding_call() -> None:
    urw, cc = "URW: Discrediting Ukraine", "CC: Criticism of climate movement"
    requests = [
        E.EvidenceRequest(URW, urw),
        E.EvidenceRequest(CLIMATE, "Other"),  # no evidence, no rows
        E.EvidenceRequest(CLIMATE, cc, within=[(0, len(CLIMATE) // 2)]),
        E.EvidenceRequest("", urw),
    ]
    calls: list[int] = []
    many = E.find_evidence_many(requests, embed=_word_embed(calls))  # type: ignore[arg-type]
    assert len(calls) == 1
    one_by_one = [
        E.find_evidence(r.source, r.narrative, subnarratives=r.subnarratives, within=r.within, embed=_word_embed([]))  # type: ignore[arg-type]
        for r in requests
    ]
    assert many == one_by_one
    assert many[0] and many[2] and many[1] == [] and many[3] == []
    assert all(e.end <= len(CLIMATE) // 2 for e in many[2])
    with pytest.raises(TypeError):
        E.find_evidence_many([E.EvidenceRequest(3, urw)])


def test_pipeline_embeds_a_batch_s_evidence_once_and_as_one_article_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    from spinscope.stories import embed as embed_module

    docs = [document_from_text(t, name=f"a{i}") for i, t in enumerate([URW, CLIMATE, URW.replace("Kyiv", "Kiev")])]
    nlp = spinscope.load(exclude=["quotes"])
    alone = [nlp(doc).to_dict()["narratives"]["evidence"] for doc in docs]
    real = embed_module.embed_texts
    calls: list[int] = []

    def counting(texts: list[str], **kw: object) -> np.ndarray:
        calls.append(len(texts))
        return real(texts, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(embed_module, "embed_texts", counting)
    together = [a.to_dict()["narratives"]["evidence"] for a in nlp.pipe(docs)]
    assert sum(1 for ev in alone if ev) >= 2  # the check below compares real evidence
    assert len(calls) == 1
    for a, b in zip(alone, together, strict=True):
        assert [(e["start"], e["end"], e["label"]) for e in a] == [(e["start"], e["end"], e["label"]) for e in b]
        assert [e["score"] for e in a] == pytest.approx([e["score"] for e in b], abs=2e-3)


def _script_by_every_letter(text: str) -> str | None:
    """script_of as it was before its ASCII shortcut: every letter looked up, ties to the first seen."""
    import unicodedata
    from collections import Counter

    counts: Counter[str] = Counter()
    for ch in text:
        if ch.isalpha() and unicodedata.name(ch, ""):
            counts[unicodedata.name(ch).split(" ", 1)[0]] += 1
    return counts.most_common(1)[0][0] if counts else None


def test_script_of_with_its_ascii_shortcut_is_the_letter_by_letter_count() -> None:
    import random

    from spinscope.multilingual.route import script_of

    rnd = random.Random(19)
    alphabet = "abXYZéßπΩжЖشع漢字かな한 1.,!“”—\u0301"
    texts = ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 12))) for _ in range(3000)]
    texts += ["", "123 ...", "Жa", "aЖ", "ЖЖab", "abЖЖ", "Ünïcödé and ASCII", *PARAGRAPHS]
    for text in texts:
        assert script_of(text) == _script_by_every_letter(text), text

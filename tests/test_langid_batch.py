"""Batched language ID gives the per-text guesses."""

from __future__ import annotations

from spinscope.ingest import langid
from spinscope.ingest.langid import detect_language, detect_languages

TEXTS = [
    "The ministry said on Monday that talks with the unions would resume next week, after a long pause.",
    "Le ministère a annoncé lundi que les négociations avec les syndicats reprendraient la semaine prochaine.",
    "Das Ministerium teilte am Montag mit, dass die Gespräche mit den Gewerkschaften nächste Woche weitergehen.",
    "Министерство заявило в понедельник, что переговоры с профсоюзами возобновятся на следующей неделе.",
    "short",
    "",
    # Longer than the first sample and mixed: exercises the retry on a longer sample.
    ("Il governo ha detto che i colloqui riprenderanno. " * 4) + ("The government said the talks would resume. " * 8),
]


def _one_at_a_time(text: str) -> tuple[str, float] | None:
    """The rule written out against lingua's single-text call: first sample, then the longer one if unsure."""
    detector = langid._detector()
    best = None
    for chars in (langid.SAMPLE_CHARS, langid.RETRY_CHARS):
        sample = langid._sample(text, chars)
        if len(langid._LETTER.findall(sample)) < langid.MIN_CHARS:
            best = None
        else:
            values = detector.compute_language_confidence_values(sample)
            best = values[0] if values and values[0].value > 0 else None
        if (best is not None and best.value >= langid.RETRY_BELOW) or len(text) <= langid.SAMPLE_CHARS:
            break
    return None if best is None else (best.language.iso_code_639_1.name.lower(), float(best.value))


def test_detect_languages_equals_one_call_per_text() -> None:
    batched = detect_languages(TEXTS)
    assert [g and g.code for g in batched] == ["en", "fr", "de", "ru", None, None, batched[6] and batched[6].code]
    assert batched[6] is not None and batched[6].code in ("en", "it")
    # lingua's batch entry point may sum in another order: confidences agree to rounding, which
    # cannot move a route (they are compared with 0.8).
    for text, b in zip(TEXTS, batched, strict=True):
        s = _one_at_a_time(text)
        assert (b is None) == (s is None), text
        if b is not None and s is not None:
            assert b.code == s[0]
            assert abs(b.confidence - s[1]) < 1e-9
    single = [detect_language(t) for t in TEXTS]  # a batch of one: the same guesses, to rounding
    assert [g and g.code for g in single] == [g and g.code for g in batched]
    assert all(abs(a.confidence - b.confidence) < 1e-9 for a, b in zip(single, batched, strict=True) if a and b)
    assert detect_languages([]) == []

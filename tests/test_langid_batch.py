"""Batched language ID gives the per-text guesses."""

from __future__ import annotations

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


def test_detect_languages_equals_detect_language() -> None:
    batched, single = detect_languages(TEXTS), [detect_language(t) for t in TEXTS]
    assert [g and g.code for g in batched] == [g and g.code for g in single]
    assert [g is None for g in single].count(True) >= 2  # the short and empty texts get no guess
    # lingua's batch entry point may sum in another order: confidences agree to rounding, which
    # cannot move a route (they are compared with 0.8).
    for b, s in zip(batched, single, strict=True):
        assert (b is None) == (s is None)
        if b is not None and s is not None:
            assert abs(b.confidence - s.confidence) < 1e-9
    assert detect_languages([]) == []

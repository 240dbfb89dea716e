"""Sentence embeddings with the bundled encoder, for grouping articles into stories.

The encoder is the same hash-checked all-MiniLM-L6-v2 the detectors use
(:mod:`spinscope.encode`); a sentence vector is the mean of its token
vectors over the attention mask, L2-normalised, which is how the model was
trained for sentence similarity. The dot product of two rows is then their
cosine similarity.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from spinscope.encode import load_encoder, load_tokenizer, tokenize

if TYPE_CHECKING:
    import torch

__all__ = ["EMBEDDING_DIM", "embed_texts"]

#: Width of an all-MiniLM-L6-v2 sentence vector.
EMBEDDING_DIM = 384
#: Texts encoded per forward pass.
BATCH_SIZE = 32


@lru_cache(maxsize=2)
def _encoder(precision: str = "fp32") -> torch.nn.Module:
    """The bundled encoder, loaded (and hash-checked) once per process and precision.

    For ``bf16`` its Linear weights are stored in bfloat16: autocast would
    otherwise cast the same fp32 weights again on every batch.
    """
    model = load_encoder()
    if precision == "bf16":
        import torch

        for layer in model.modules():
            if isinstance(layer, torch.nn.Linear):
                layer.to(torch.bfloat16)
    return model


def embed_texts(texts: Sequence[str], *, batch_size: int = BATCH_SIZE, precision: str = "fp32") -> np.ndarray:
    """Mean-pooled, L2-normalised sentence embeddings, one row per text.

    Parameters
    ----------
    texts:
        Any strings; an empty string gets a zero row (it is similar to nothing).
    batch_size:
        Texts per forward pass. Texts are sorted by length first so a batch
        pads little; rows come back in the input order.
    precision:
        ``"fp32"`` (what stories use), or ``"bf16"``: the encoder's matrix
        products under bfloat16 autocast (narrative evidence, when the
        pipeline runs its encoder in bf16). Anything else is read as fp32.

    Returns
    -------
    numpy.ndarray
        ``float32`` array of shape ``(len(texts), 384)``.

    >>> v = embed_texts(["Floods hit Dorn.", "Dorn is flooded."])  # doctest: +SKIP
    >>> float(v[0] @ v[1]) > 0.7  # doctest: +SKIP
    True
    """
    if isinstance(texts, str):
        raise TypeError("embed_texts() takes a sequence of strings, not one string")
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    texts = [t if isinstance(t, str) else str(t) for t in texts]
    out = np.zeros((len(texts), EMBEDDING_DIM), dtype=np.float32)
    todo = [i for i, t in enumerate(texts) if t.strip()]
    if not todo:
        return out
    import torch

    tokenizer = load_tokenizer()
    model = _encoder("bf16" if precision == "bf16" else "fp32")
    todo.sort(key=lambda i: len(texts[i]))
    low = torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16")
    with torch.inference_mode():
        for k in range(0, len(todo), batch_size):
            idx = todo[k : k + batch_size]
            batch = tokenize([texts[i] for i in idx], tokenizer)
            with low:
                hidden = model(input_ids=batch.input_ids, attention_mask=batch.attention_mask).last_hidden_state
            hidden = hidden.float()
            mask = batch.attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
            pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
            out[idx] = pooled.float().cpu().numpy()
    return out

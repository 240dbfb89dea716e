"""Entity mentions read from the detector encoder's own pass: a small tagger head, no second model.

spaCy's NER (:mod:`spinscope.entities.ner`) costs a second pass over every
English paragraph. This head reads what the detector's encoder already
computes for each token -- the frozen bottom layers' states and the
fine-tuned top layer's (:meth:`spinscope.models.bundle.SpinModel.states`)
-- plus casing features taken from the original text at each token's
character offsets (all-MiniLM-L6-v2 is uncased, so "Bush" and "bush" are the
same token to it), and tags every token with BIO tags of the five labels of
:data:`~spinscope.entities.ner.ENTITY_LABELS`. A constrained Viterbi pass
decodes the tags; spans are widened to whole words and trimmed as spaCy's
are, so the :class:`~spinscope.entities.ner.RawMention` list goes through
the same :func:`~spinscope.entities.tidy.tidy_mentions` and
:func:`~spinscope.entities.group.group_mentions` as before.

It was trained by distillation: spaCy's mentions over unlabelled English
training articles (``python -m spinscope.entities.encoder_ner_train``; see
the model card in ``src/spinscope/models/ner/``). The model directory holds
``ner.json`` (sizes, tags, the weights' SHA-256) and ``ner.safetensors``;
loading checks the hash before reading the weights.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from spinscope.encode import file_sha256
from spinscope.entities.ner import ENTITY_LABELS, RawMention, _trim
from spinscope.errors import ModelError

__all__ = [
    "CASING_FEATURES",
    "DEFAULT_NER_DIR",
    "FORMAT",
    "TAGS",
    "EncoderNer",
    "NerNet",
    "casing_features",
    "decode_paragraph",
    "load_encoder_ner",
    "token_tags",
]

DEFAULT_NER_DIR = Path(__file__).resolve().parents[1] / "models" / "ner"
FORMAT = "spinscope-encoder-ner/1"
LABELS: tuple[str, ...] = tuple(ENTITY_LABELS)
#: ``O``, then ``B-`` and ``I-`` of each label in :data:`ENTITY_LABELS` order.
TAGS: tuple[str, ...] = ("O", *(f"{p}-{label}" for label in LABELS for p in ("B", "I")))

#: What the casing features say about each token, in column order (see :func:`casing_features`).
CASING_FEATURES: tuple[str, ...] = (
    "token_upper_initial", "token_all_caps", "token_digit", "token_inside_word", "token_punct", "special",
    "word_upper_initial", "word_all_caps", "word_sentence_initial", "prev_word_upper", "next_word_upper",
    "paragraph_title_case",
)  # fmt: skip

_WORD = re.compile(r"[^\W_]+|[^\w\s]")
_OPENERS = "\"'“”‘’«»([{-–—"


def _caps(word: str) -> tuple[float, float]:
    """(first letter upper, all caps with at least two letters) of a word."""
    first = 1.0 if word[:1].isupper() else 0.0
    # str.isupper: every cased character upper (checked first: most words fail it, cheaply).
    caps = word.isupper() and sum(c.isalpha() for c in word) >= 2 and all(c.isupper() for c in word if c.isalpha())
    return first, 1.0 if caps else 0.0


def casing_features(text: str, offsets: Sequence[tuple[int, int]]) -> np.ndarray:
    """``[T, len(CASING_FEATURES)]`` float32 features of each token ``(start, end)`` of ``text``.

    A special token (offsets ``(0, 0)``) gets only its ``special`` flag.
    Words are runs of letters and digits, or one punctuation mark; a token
    belongs to the word its start falls in.
    """
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    starts = [s for s, _ in words]
    alnum = [text[s].isalnum() for s, _ in words]
    word_feats = np.zeros((len(words), 5), dtype=np.float32)
    for k, (s, e) in enumerate(words):
        word_feats[k, 0], word_feats[k, 1] = _caps(text[s:e])
        j = s - 1
        while j >= 0 and (text[j].isspace() or text[j] in _OPENERS):
            j -= 1
        word_feats[k, 2] = 1.0 if j < 0 or text[j] in ".!?:;" else 0.0
    # Previous and next *alphanumeric* word's capital, skipping punctuation between.
    last = -1
    for k in range(len(words)):
        if last >= 0:
            word_feats[k, 3] = word_feats[last, 0]
        if alnum[k]:
            last = k
    following = -1
    for k in range(len(words) - 1, -1, -1):
        if following >= 0:
            word_feats[k, 4] = word_feats[following, 0]
        if alnum[k]:
            following = k
    long_words = [text[s:e] for s, e in words if e - s >= 4 and text[s].isalpha()]
    title_case = float(np.mean([w[0].isupper() for w in long_words])) if long_words else 0.0
    out = np.zeros((len(offsets), len(CASING_FEATURES)), dtype=np.float32)
    for t, (a, b) in enumerate(offsets):
        if b <= a:
            out[t, 5] = 1.0
            continue
        piece = text[a:b]
        out[t, 0], out[t, 1] = _caps(piece)
        out[t, 2] = 1.0 if any(c.isdigit() for c in piece) else 0.0
        out[t, 4] = 0.0 if piece[0].isalnum() else 1.0
        k = bisect.bisect_right(starts, a) - 1
        if k >= 0 and a < words[k][1]:
            out[t, 3] = 1.0 if a > words[k][0] else 0.0
            out[t, 6:11] = word_feats[k]
        out[t, 11] = title_case
    return out


def token_tags(offsets: Sequence[tuple[int, int]], mentions: Sequence[RawMention]) -> np.ndarray:
    """Training targets: the :data:`TAGS` index of each token, from character-offset mentions.

    A token overlapping a mention is ``I-`` of its label, ``B-`` when it is
    the first token of that mention in the window; others, and special
    tokens, are ``O``.
    """
    tags = np.zeros(len(offsets), dtype=np.int64)
    for m in mentions:
        base = 1 + 2 * LABELS.index(m.label)
        first = True
        for t, (a, b) in enumerate(offsets):
            if b > a and a < m.end and b > m.start:
                tags[t] = base if first else base + 1
                first = False
    return tags


class NerNet(nn.Module):
    """States projected down, casing features beside them, two 1-D convolutions, one tag score per token.

    The encoder states are already contextual; the convolutions (5 tokens
    wide each, so 9 in all) add the casing of the neighbouring words and
    keep tags consistent along a name. Padding is zeroed after every layer,
    so a window's scores do not depend on what it was batched with.
    Convolutions rather than a recurrent layer: on a CPU they cost a
    fraction as much to train and to run.
    """

    def __init__(self, state_dim: int, hidden: int, n_casing: int = len(CASING_FEATURES), n_tags: int = len(TAGS)) -> None:
        super().__init__()
        self.proj = nn.Linear(state_dim, hidden)
        self.conv1 = nn.Conv1d(hidden + n_casing, hidden, kernel_size=5, padding=2)
        self.conv2 = nn.Conv1d(hidden, hidden, kernel_size=5, padding=2)
        self.out = nn.Linear(2 * hidden + n_casing, n_tags)

    def forward(self, states: torch.Tensor, casing: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Tag logits ``[B, T, len(TAGS)]`` of padded ``states [B, T, D]`` and ``casing [B, T, C]``."""
        mask = (torch.arange(states.shape[1])[None, :] < lengths[:, None]).unsqueeze(-1).to(states.dtype)
        x = torch.cat([torch.relu(self.proj(states)), casing], dim=-1) * mask
        h = torch.relu(self.conv1(x.transpose(1, 2))).transpose(1, 2) * mask
        h = torch.relu(self.conv2(h.transpose(1, 2))).transpose(1, 2) * mask
        return self.out(torch.cat([h, x], dim=-1))


def _transitions() -> np.ndarray:
    """``allowed[i, j]``: tag ``j`` may follow tag ``i`` (an ``I-X`` only after ``B-X`` or ``I-X``)."""
    n = len(TAGS)
    allowed = np.ones((n, n), dtype=bool)
    for j, tag in enumerate(TAGS):
        if tag.startswith("I-"):
            allowed[:, j] = False
            allowed[j - 1, j] = allowed[j, j] = True
    return allowed


_ALLOWED = _transitions()
_START = np.array([not t.startswith("I-") for t in TAGS])


def viterbi(log_probs: np.ndarray) -> np.ndarray:
    """The best tag sequence ``[T]`` under the BIO constraints, from per-token log-probabilities ``[T, K]``."""
    T, K = log_probs.shape
    if T == 0:
        return np.zeros(0, dtype=np.int64)
    penalty = np.where(_ALLOWED, 0.0, -1e9)
    score = log_probs[0] + np.where(_START, 0.0, -1e9)
    back = np.zeros((T, K), dtype=np.int64)
    for t in range(1, T):
        cand = score[:, None] + penalty
        back[t] = cand.argmax(0)
        score = cand.max(0) + log_probs[t]
    path = np.zeros(T, dtype=np.int64)
    path[-1] = int(score.argmax())
    for t in range(T - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path


def _merge_windows(windows: Sequence[tuple[np.ndarray, Sequence[tuple[int, int]]]]) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """One paragraph's tokens and tag log-probabilities from its overlapping windows.

    Consecutive windows share tokens; each shared token is read from the
    window where it sits further from the edge (the first half of the
    overlap from the earlier window, the second half from the later one).
    """
    rows: list[np.ndarray] = []
    offs: list[tuple[int, int]] = []
    for logp, offsets in windows:
        real = [t for t, (a, b) in enumerate(offsets) if b > a]
        if not real:
            continue
        last_start = offs[-1][0] if offs else -1
        overlap = sum(1 for t in real if offsets[t][0] <= last_start)
        keep_from = overlap // 2
        if overlap:
            drop = overlap - keep_from
            del rows[len(rows) - drop :]
            del offs[len(offs) - drop :]
        for t in real[keep_from:]:
            rows.append(logp[t])
            offs.append((int(offsets[t][0]), int(offsets[t][1])))
    matrix = np.stack(rows) if rows else np.zeros((0, len(TAGS)), dtype=np.float32)
    return matrix, offs


def decode_paragraph(text: str, windows: Sequence[tuple[np.ndarray, Sequence[tuple[int, int]]]]) -> list[RawMention]:
    """Mentions of one paragraph from each window's tag log-probabilities ``[T, K]`` and token offsets.

    A tagged run is widened to whole words (a name is never cut inside a
    word) and trimmed like spaCy's mentions (leading "the", trailing "'s").
    """
    logp, offs = _merge_windows(windows)
    path = logp.argmax(axis=1) if len(logp) else np.zeros(0, dtype=np.int64)
    # The tokens' own best tags are the best sequence there is; when they already obey BIO they
    # are Viterbi's answer too, and most paragraphs' do (a run of O, a B-X and its I-Xs).
    if len(path) and not (_START[path[0]] and _ALLOWED[path[:-1], path[1:]].all()):
        path = viterbi(logp)
    out: list[RawMention] = []
    t = 0
    while t < len(path):
        tag = TAGS[path[t]]
        if not tag.startswith("B-"):
            t += 1
            continue
        label = tag[2:]
        u = t + 1
        while u < len(path) and TAGS[path[u]] == f"I-{label}":
            u += 1
        start, end = offs[t][0], offs[u - 1][1]
        while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
            start -= 1
        while end < len(text) and text[end].isalnum() and text[end - 1].isalnum():
            end += 1
        start, end = _trim(text, start, end)
        if end > start and (not out or start >= out[-1].end):
            out.append(RawMention(start, end, text[start:end], label))
        t = u
    return out


@dataclass
class EncoderNer:
    """The loaded head: which states it reads, and the network."""

    net: NerNet
    layers: tuple[str, ...]  # "bottom", "top", in input order
    config: dict[str, Any]

    @property
    def n_casing(self) -> int:
        return len(CASING_FEATURES)

    @torch.inference_mode()
    def log_probs(self, states: Sequence[np.ndarray], casing: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Tag log-probabilities ``[T_i, K]`` of each window, from its states ``[T_i, D]`` and casing features."""
        if not states:
            return []
        lengths = torch.tensor([len(s) for s in states])
        width = int(lengths.max())
        dim = states[0].shape[1]
        x = torch.zeros((len(states), width, dim), dtype=torch.float32)
        c = torch.zeros((len(states), width, len(CASING_FEATURES)), dtype=torch.float32)
        for i, (s, f) in enumerate(zip(states, casing, strict=True)):
            x[i, : len(s)] = torch.from_numpy(np.asarray(s, dtype=np.float32))
            c[i, : len(f)] = torch.from_numpy(f)
        logp = torch.log_softmax(self.net(x, c, lengths), dim=-1).numpy()
        return [logp[i, : len(s)] for i, s in enumerate(states)]


def load_encoder_ner(directory: Path | str | None = None) -> EncoderNer:
    """Read a head directory (default: the bundled one), checking the weights' SHA-256 before loading them."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    base = Path(directory) if directory is not None else DEFAULT_NER_DIR
    cfg_path, w_path = base / "ner.json", base / "ner.safetensors"
    for path in (cfg_path, w_path):
        if not path.is_file():
            raise ModelError("E340", str(path), "encoder NER file is missing")
    try:
        config = json.loads(cfg_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError("E341", str(cfg_path), f"not a readable JSON file ({exc})") from exc
    if config.get("format") != FORMAT or tuple(config.get("tags", ())) != TAGS:
        raise ModelError("E341", str(cfg_path), f"not a {FORMAT} model with the tags {list(TAGS)}")
    if tuple(config.get("casing_features", ())) != CASING_FEATURES:
        raise ModelError("E341", str(cfg_path), "its casing features are not this version's")
    got = file_sha256(w_path)
    if got != config.get("sha256"):
        raise ModelError("E342", str(w_path), f"SHA-256 is {got[:16]}..., {cfg_path.name} expects {str(config.get('sha256'))[:16]}...")
    layers = tuple(config["layers"])
    if not layers or any(x not in ("bottom", "top") for x in layers):
        raise ModelError("E341", str(cfg_path), f"unknown state layers {list(layers)}")
    try:
        state = load_file(str(w_path))
        net = NerNet(384 * len(layers), int(config["hidden"]))
        net.load_state_dict({k: v.float() for k, v in state.items()}, strict=True)
    except (SafetensorError, OSError, ValueError, KeyError, RuntimeError) as exc:
        raise ModelError("E343", str(w_path), f"weights do not fit the head's config ({exc})") from exc
    return EncoderNer(net.eval(), layers, config)


@lru_cache(maxsize=2)
def cached_encoder_ner(directory: str | None = None) -> EncoderNer:
    """:func:`load_encoder_ner`, once per process and directory."""
    return load_encoder_ner(directory)

"""A trained model on disk and in memory: save, load (safely), and encode paragraphs.

A model directory holds only data, never code or pickles:

``config.json``       labels, thresholds, head sizes, the encoder it expects
``model.safetensors`` fine-tuned top encoder layers and every head (float16)
``meta.json``         training data, command, scores, date, sizes
``MODEL_CARD.md``     the same for humans

Loading checks each file and the base encoder's hash, and reports a missing
or corrupt file by name.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from spinscope.encode import ENCODER_NAME, ENCODER_SHA256, load_encoder, load_tokenizer, pad_ids
from spinscope.errors import ModelError
from spinscope.models.net import NetConfig, SpinNet
from spinscope.models.paths import default_model_dir
from spinscope.models.precision import DEFAULT_PRECISION, PRECISIONS, native_bf16, resolve_precision

if TYPE_CHECKING:
    from spinscope.entities.encoder_ner import EncoderNer

__all__ = [
    "DEFAULT_PRECISION",
    "MODEL_FORMAT",
    "PRECISIONS",
    "ParagraphOutput",
    "SpinModel",
    "bfloat16_linears",
    "default_model_dir",
    "get_model",
    "load_model",
    "native_bf16",
    "pool_spans",
    "quantize_encoder",
    "resolve_precision",
]

MODEL_FORMAT = 1
WINDOW_STRIDE = 32  # tokens shared by consecutive windows of a long paragraph

@dataclass
class ParagraphOutput:
    """Everything the encoder pass yields for one paragraph.

    ``windows`` holds, per token window, the token technique probabilities
    ``[T, K]`` and each token's character offsets within the paragraph.
    """

    paragraph_probs: np.ndarray  # [K]
    mean: np.ndarray  # [384] paragraph vector for article heads
    windows: list[tuple[np.ndarray, list[tuple[int, int]]]]
    #: ``[S, 384]``: mean top-layer state of the tokens of each span asked for (entity mentions).
    span_vectors: np.ndarray | None = None
    #: With ``ner=``: the encoder NER head's tag log-probabilities ``[T, K]`` of each window (offsets in ``windows``).
    ner_windows: list[np.ndarray] | None = None
    #: With ``keep_states=True``: each window's top-layer token states ``[T, 384]`` in float16, so spans
    #: found only after the pass (the encoder NER's mentions) can still be pooled; dropped once they are.
    states: list[np.ndarray] | None = None


class SpinModel:
    """The frozen bottom of the encoder, the trained :class:`SpinNet`, labels and thresholds."""

    def __init__(
        self,
        net: SpinNet,
        bottom: torch.nn.Module,
        config: dict[str, Any],
        meta: dict[str, Any] | None = None,
        directory: Path | None = None,
        precision: str = "fp32",
    ) -> None:
        self.net = net.eval()
        self.precision = precision
        self.bottom = bottom.eval()
        self.config = config
        self.meta = meta or {}
        self.directory = directory
        self.max_tokens = int(config.get("max_tokens", 256))
        self.tokenizer = copy.copy(load_tokenizer())
        self.tokenizer.enable_truncation(max_length=self.max_tokens, stride=WINDOW_STRIDE)

    # -- labels and thresholds ----------------------------------------------------
    @property
    def techniques(self) -> list[str]:
        return list(self.config["labels"]["techniques"])

    @property
    def frames(self) -> list[str]:
        return list(self.config["labels"]["frames"])

    @property
    def genres(self) -> list[str]:
        return list(self.config["labels"]["genres"])

    def thresholds(self, name: str) -> np.ndarray:
        return np.asarray(self.config["thresholds"][name], dtype=np.float32)

    @property
    def languages(self) -> list[str]:
        return list(self.config.get("languages", ["en"]))

    # -- encoding ----------------------------------------------------------------------
    def bottom_states(self, input_ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.bottom(input_ids=input_ids, attention_mask=mask).last_hidden_state

    def top_states(self, input_ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """The fine-tuned top layer's token states ``[B, T, 384]`` (fp32), at this model's precision."""
        return self.states(input_ids, mask)[1]

    def states(self, input_ids: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(bottom, top)`` token states ``[B, T, 384]`` (fp32): the frozen layers' output and the fine-tuned top's.

        The bottom states come for free (the top layers read them); the
        encoder NER head (:mod:`spinscope.entities.encoder_ner`) reads both.
        """
        if self.precision == "bf16":
            # Autocast runs the matrix products in bfloat16 and keeps layer norms and softmax in fp32.
            with torch.autocast("cpu", dtype=torch.bfloat16):
                bottom = self.bottom_states(input_ids, mask)
                top = self.net.run_top(bottom, mask)
            return bottom.float(), top.float()
        bottom = self.bottom_states(input_ids, mask)
        return bottom, self.net.run_top(bottom, mask)

    @torch.inference_mode()
    def encode_paragraphs(
        self,
        texts: Sequence[str],
        batch_size: int = 32,
        spans: Sequence[Sequence[tuple[int, int]]] | None = None,
        *,
        ner: EncoderNer | None = None,
        keep_states: bool = False,
    ) -> Iterator[ParagraphOutput]:
        """One encoder pass per paragraph, in input order, in bounded memory.

        Paragraphs longer than ``max_tokens`` are cut into overlapping windows;
        their paragraph probabilities are the max over windows. ``spans[i]``
        lists character ranges of paragraph ``i`` (entity mentions) whose
        token states are pooled into ``span_vectors`` in the same pass; a
        span no token overlaps gets a zero row. ``ner`` (an
        :class:`~spinscope.entities.encoder_ner.EncoderNer`) tags every
        token from the same pass's bottom and top states (``ner_windows``);
        ``keep_states`` keeps each window's top states (float16) for pooling later.
        """
        if spans is not None and len(spans) != len(texts):
            raise ValueError(f"spans has {len(spans)} rows for {len(texts)} paragraphs")
        chunk = max(batch_size * 128, 1)  # paragraphs length-sorted together: less padding
        for base in range(0, len(texts), chunk):
            part = texts[base : base + chunk]
            encodings = self.tokenizer.encode_batch(list(part))
            rows: list[tuple[int, Any]] = []
            for i, enc in enumerate(encodings):
                rows.append((i, enc))
                rows.extend((i, extra) for extra in enc.overflowing)
            # Sort windows by length so padding stays small; results go back by index.
            order = sorted(range(len(rows)), key=lambda r: len(rows[r][1].ids))
            results: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, list[tuple[int, int]], int]] = {}
            extras: dict[int, tuple[np.ndarray | None, np.ndarray | None]] = {}  # row -> (NER log-probs, fp16 states)
            span_sums: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # row -> (sums [S, H], counts [S])
            for start in range(0, len(order), batch_size):
                batch = [rows[r] for r in order[start : start + batch_size]]
                ids, mask = pad_ids([e for _, e in batch])
                bottom, top = self.states(ids, mask)
                tags = self._ner_log_probs(ner, bottom, top, batch, part) if ner is not None else None
                token_logits, para_logits, _ = self.net.paragraph_outputs(top, mask)
                token_probs = torch.sigmoid(token_logits).numpy()
                para_probs = torch.sigmoid(para_logits).numpy()
                sums = (top * mask.unsqueeze(-1)).sum(1).numpy()
                for j, (_, e) in enumerate(batch):
                    n = len(e.ids)
                    offsets = [
                        (0, 0) if special else (int(a), int(b))
                        for (a, b), special in zip(e.offsets, e.special_tokens_mask, strict=True)
                    ]
                    results[order[start + j]] = (para_probs[j], sums[j], token_probs[j, :n], offsets, n)
                    if ner is not None or keep_states:
                        kept = top[j, :n].to(torch.float16).numpy() if keep_states else None
                        extras[order[start + j]] = (tags[j][:n] if tags is not None else None, kept)
                    wanted = spans[base + batch[j][0]] if spans is not None else ()
                    if wanted:
                        span_sums[order[start + j]] = pool_spans(top[j, :n].numpy(), offsets, wanted)
            by_paragraph: dict[int, list[int]] = {}
            for r, (i, _) in enumerate(rows):
                by_paragraph.setdefault(i, []).append(r)
            for i in range(len(part)):
                parts = [results[r] for r in by_paragraph[i]]
                probs = np.max(np.stack([p[0] for p in parts]), axis=0)
                total = sum(p[4] for p in parts)
                mean = np.sum(np.stack([p[1] for p in parts]), axis=0) / max(total, 1)
                vectors = None
                if spans is not None:
                    vs = np.zeros((len(spans[base + i]), mean.shape[0]), dtype=np.float32)
                    counts = np.zeros(len(spans[base + i]), dtype=np.float32)
                    for r in by_paragraph[i]:
                        if r in span_sums:
                            vs += span_sums[r][0]
                            counts += span_sums[r][1]
                    vectors = vs / np.maximum(counts, 1.0)[:, None]
                output = ParagraphOutput(probs, mean.astype(np.float32), [(p[2], p[3]) for p in parts], vectors)
                if ner is not None:
                    output.ner_windows = [extras[r][0] for r in by_paragraph[i]]  # type: ignore[misc]
                if keep_states:
                    output.states = [extras[r][1] for r in by_paragraph[i]]  # type: ignore[misc]
                for r in by_paragraph[i]:
                    extras.pop(r, None)
                yield output

    def _ner_log_probs(
        self, ner: EncoderNer, bottom: torch.Tensor, top: torch.Tensor, batch: Sequence[tuple[int, Any]], texts: Sequence[str]
    ) -> np.ndarray:
        """The NER head's tag log-probabilities ``[B, T, K]`` for one padded batch of windows."""
        from spinscope.entities.encoder_ner import casing_features

        layers = {"bottom": bottom, "top": top}
        x = torch.cat([layers[name] for name in ner.layers], dim=-1)
        lengths = torch.tensor([len(e.ids) for _, e in batch])
        casing = torch.zeros((len(batch), x.shape[1], ner.n_casing), dtype=torch.float32)
        for j, (i, e) in enumerate(batch):
            offsets = [(0, 0) if s else (a, b) for (a, b), s in zip(e.offsets, e.special_tokens_mask, strict=True)]
            casing[j, : len(offsets)] = torch.from_numpy(casing_features(texts[i], offsets))
        return torch.log_softmax(ner.net(x.float(), casing, lengths), dim=-1).numpy()

    def article_probs(self, means: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(genre softmax ``[G]``, frame sigmoid ``[F]``) from paragraph vectors ``[P, 384]``."""
        from spinscope.models.net import article_vector

        with torch.inference_mode():
            vec = article_vector(torch.from_numpy(means))
            genre_logits, frame_logits = self.net.article_outputs(vec)
            return torch.softmax(genre_logits, -1).numpy(), torch.sigmoid(frame_logits).numpy()

    def paragraph_article_logits(self, means: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Genre and frame logits of each paragraph alone (``[P, G]``, ``[P, F]``): evidence."""
        with torch.inference_mode():
            m = torch.from_numpy(means)
            g, f = self.net.article_outputs(torch.cat([m, m], dim=-1))
            return g.numpy(), f.numpy()

    # -- persistence ---------------------------------------------------------------------
    def save(self, directory: Path) -> None:
        """Write ``config.json`` and ``model.safetensors`` (float16) into *directory*."""
        from safetensors.torch import save_file

        directory.mkdir(parents=True, exist_ok=True)
        state = {k: v.detach().to(torch.float16).contiguous() for k, v in self.net.state_dict().items()}
        save_file(state, str(directory / "model.safetensors"), metadata={"format": "spinscope"})
        (directory / "config.json").write_text(json.dumps(self.config, indent=2) + "\n", encoding="utf-8")
        if self.meta:
            (directory / "meta.json").write_text(json.dumps(self.meta, indent=2) + "\n", encoding="utf-8")


def pool_spans(
    states: np.ndarray, offsets: list[tuple[int, int]], spans: Sequence[tuple[int, int]]
) -> tuple[np.ndarray, np.ndarray]:
    """Sum of the token states ``[T, H]`` overlapping each span, and how many tokens each got."""
    starts = np.array([a for a, _ in offsets])
    ends = np.array([b for _, b in offsets])
    real = ends > starts  # special tokens carry (0, 0)
    bounds = np.asarray(spans, dtype=np.int64).reshape(-1, 2)
    # hit[k, t]: token t overlaps span k; one matrix product pools every span at once.
    hit = real[None, :] & (starts[None, :] < bounds[:, 1:2]) & (ends[None, :] > bounds[:, 0:1])
    weights = hit.astype(np.float32)
    return weights @ states.astype(np.float32), weights.sum(axis=1)


def build_parts(net_config: NetConfig, *, verify: bool = True) -> tuple[SpinNet, torch.nn.Module]:
    """A fresh :class:`SpinNet` whose top layers start from the pretrained ones, and the bottom."""
    # A transformers BertModel: its submodules (encoder.layer) are attributes torch cannot type.
    base: Any = load_encoder(verify=verify)
    k = net_config.tuned_layers
    layers = base.encoder.layer
    top = torch.nn.ModuleList(copy.deepcopy(layers[len(layers) - k :]) if k else [])
    base.encoder.layer = torch.nn.ModuleList(layers[: len(layers) - k])
    for p in base.parameters():
        p.requires_grad_(False)
    return SpinNet(net_config, top, base.config), base


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ModelError("E310", str(path), "model file is missing")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ModelError("E311", str(path), f"model file is corrupt ({exc})") from exc
    if not isinstance(data, dict):
        raise ModelError("E311", str(path), "model file is corrupt (expected a JSON object)")
    return data


def quantize_encoder(net: SpinNet, bottom: torch.nn.Module) -> tuple[SpinNet, torch.nn.Module]:
    """int8 copies of the encoder's layers: the frozen bottom and the fine-tuned top, heads untouched.

    torch's dynamic quantisation stores each Linear layer's weights as int8
    (one scale per output row) and quantises its input per batch, so the same
    fp32 model gives the same int8 model on every load: no separate artifact.
    The heads are small and read the top states directly, so they stay fp32.
    """
    import warnings

    with warnings.catch_warnings():
        # torch.ao.quantization warns that it is deprecated in favour of torchao; it is what torch 2.13 ships.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        from torch.ao.quantization import quantize_dynamic

        bottom = quantize_dynamic(bottom, {torch.nn.Linear}, dtype=torch.qint8)
        net.top = quantize_dynamic(net.top, {torch.nn.Linear}, dtype=torch.qint8)
    return net, bottom


def load_model(directory: Path | str | None = None, *, precision: str = "fp32") -> SpinModel:
    """Load a model directory (default: the bundled model), checking every file.

    *precision* is one of :data:`PRECISIONS`: ``"int8"`` quantises the
    encoder's layers after loading (see :func:`quantize_encoder`), ``"bf16"``
    stores their Linear weights in bfloat16 (:func:`bfloat16_linears`) and
    runs them under bfloat16 autocast, ``"fp32"`` as trained.
    """
    if precision not in PRECISIONS:
        from spinscope.errors import ConfigError

        raise ConfigError("E909", "precision", f"{precision!r} is not an encoder precision; use one of {', '.join(PRECISIONS)}")
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    directory = Path(directory) if directory is not None else default_model_dir()
    if not directory.is_dir():
        raise ModelError("E310", str(directory), "model directory does not exist")
    config = _read_json(directory / "config.json")
    if config.get("format_version") != MODEL_FORMAT:
        raise ModelError(
            "E314", str(directory / "config.json"), f"unsupported model format {config.get('format_version')!r}"
        )
    encoder = config.get("encoder", {})
    if encoder.get("sha256") != ENCODER_SHA256:
        raise ModelError(
            "E315", str(directory / "config.json"), f"model was trained on a different encoder than {ENCODER_NAME}"
        )
    meta = _read_json(directory / "meta.json") if (directory / "meta.json").exists() else {}
    weights = directory / "model.safetensors"
    if not weights.is_file():
        raise ModelError("E310", str(weights), "model file is missing")
    try:
        state = load_file(str(weights))
    except (SafetensorError, OSError, ValueError) as exc:
        raise ModelError("E312", str(weights), f"model weights are corrupt ({exc})") from exc
    try:
        net_config = NetConfig(**config["net"])
        net, bottom = build_parts(net_config)
        net.load_state_dict({k: v.float() for k, v in state.items()}, strict=True)
    except (KeyError, TypeError, RuntimeError) as exc:
        raise ModelError("E313", str(weights), f"weights do not fit the model config ({exc})") from exc
    if precision == "int8":
        net, bottom = quantize_encoder(net, bottom)
    elif precision == "bf16":
        bfloat16_linears(bottom)
        bfloat16_linears(net.top)
    return SpinModel(net, bottom, config, meta, directory, precision)


def bfloat16_linears(module: torch.nn.Module) -> torch.nn.Module:
    """Store every Linear layer's weight and bias of *module* in bfloat16, in place.

    Under autocast the products are in bfloat16 anyway, and autocast would
    cast each fp32 weight again on every call (it caches casts only for
    weights that need gradients); cast once here, the values it multiplies
    are the same. Layer norms and embeddings keep their fp32 parameters.
    """
    for layer in module.modules():
        if isinstance(layer, torch.nn.Linear):
            layer.to(torch.bfloat16)
    return module


@lru_cache(maxsize=4)
def _cached_model(directory: str | None, precision: str) -> SpinModel:
    return load_model(directory, precision=precision)


def get_model(model: SpinModel | Path | str | None = None, *, precision: str = "fp32") -> SpinModel:
    """A loaded model: pass one through, or load a directory or the bundled default (each once per precision)."""
    if isinstance(model, SpinModel):
        return model
    return _cached_model(str(model) if model is not None else None, precision)

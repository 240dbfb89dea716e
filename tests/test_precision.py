"""The encoders' precision: fp32 as trained, bf16 (the default where the CPU has it), or int8 quantised at load time."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

import spinscope
from spinscope.cli import app
from spinscope.errors import ConfigError
from spinscope.models.bundle import PRECISIONS, get_model, native_bf16, resolve_precision

TEXT = (
    "Traitors in Parliament\n\n"
    "The corrupt elite in Brussels lied to you again, and every patriot knows it. "
    "Minister Jane Holt said the plan would save the nation, but nobody believes a word from that gang of crooks.\n\n"
    "The Ministry of Finance published its figures on Tuesday."
)


def _quantised(module: torch.nn.Module) -> list[str]:
    return [n for n, m in module.named_modules() if isinstance(m, torch.ao.nn.quantized.dynamic.Linear)]


def _plain_linear(module: torch.nn.Module) -> list[str]:
    return [n for n, m in module.named_modules() if type(m) is torch.nn.Linear]


def test_resolve_precision_reads_argument_then_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPINSCOPE_PRECISION", raising=False)
    assert resolve_precision() in PRECISIONS
    assert resolve_precision("INT8") == "int8"
    assert resolve_precision("auto") == ("bf16" if native_bf16() else "fp32")
    monkeypatch.setenv("SPINSCOPE_PRECISION", "int8")
    assert resolve_precision() == "int8"
    assert resolve_precision("fp32") == "fp32"  # the argument wins over the environment
    monkeypatch.setenv("SPINSCOPE_PRECISION", "fp16")
    with pytest.raises(ConfigError) as err:
        resolve_precision()
    assert err.value.code == "E909" and "SPINSCOPE_PRECISION" in str(err.value)
    with pytest.raises(ConfigError, match="int8"):
        spinscope.load(precision="half")


def test_the_default_is_auto_bf16_only_where_the_cpu_has_native_bfloat16(monkeypatch: pytest.MonkeyPatch) -> None:
    from spinscope.models.precision import DEFAULT_PRECISION

    monkeypatch.delenv("SPINSCOPE_PRECISION", raising=False)
    assert DEFAULT_PRECISION == "auto"
    assert resolve_precision() == ("bf16" if native_bf16() else "fp32")
    assert spinscope.load().meta["encoder_precision"] == resolve_precision()
    monkeypatch.setattr("spinscope.models.precision.native_bf16", lambda: False)
    assert resolve_precision() == "fp32"  # emulated bfloat16 would be slower than fp32


def test_pipeline_records_its_precision_without_loading_a_model() -> None:
    assert spinscope.load(precision="int8").meta["encoder_precision"] == "int8"
    assert spinscope.load(precision="fp32").meta["encoder_precision"] == "fp32"


def test_int8_quantises_every_encoder_layer_and_keeps_the_heads_fp32() -> None:
    fp32, int8 = get_model(precision="fp32"), get_model(precision="int8")
    assert fp32 is not int8 and int8.precision == "int8"
    assert not _quantised(fp32.bottom) and not _quantised(fp32.net)
    # 4 frozen layers and 2 fine-tuned ones, 6 Linear layers each (q, k, v, attention out, intermediate, out).
    assert len(_quantised(int8.bottom)) == 4 * 6
    assert len(_quantised(int8.net.top)) == 2 * 6
    assert not _plain_linear(int8.bottom) and not _plain_linear(int8.net.top)
    assert sorted(_plain_linear(int8.net)) == ["frames_head", "genre_head", "paragraph_head", "token_head"]
    # The same weights, rounded: the paragraph vectors point the same way, the probabilities stay close.
    paragraphs = TEXT.split("\n\n")
    a, b = list(fp32.encode_paragraphs(paragraphs)), list(int8.encode_paragraphs(paragraphs))
    for x, y in zip(a, b, strict=True):
        cosine = float(x.mean @ y.mean / (np.linalg.norm(x.mean) * np.linalg.norm(y.mean)))
        assert cosine > 0.95
        assert np.abs(x.paragraph_probs - y.paragraph_probs).max() < 0.25
        assert not np.array_equal(x.paragraph_probs, y.paragraph_probs)  # it did run quantised


def test_int8_is_deterministic_across_loads() -> None:
    from spinscope.models.bundle import load_model

    paragraphs = TEXT.split("\n\n")
    first = [o.paragraph_probs for o in get_model(precision="int8").encode_paragraphs(paragraphs)]
    again = [o.paragraph_probs for o in load_model(precision="int8").encode_paragraphs(paragraphs)]
    for x, y in zip(first, again, strict=True):
        np.testing.assert_array_equal(x, y)


def test_cli_precision_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPINSCOPE_PRECISION", raising=False)
    article = tmp_path / "a.txt"
    article.write_text(TEXT, encoding="utf-8")
    runner = CliRunner()
    done = runner.invoke(app, ["analyze", str(article), "--precision", "int8", "--format", "json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)[0]["model"]["encoder_precision"] == "int8"
    bad = runner.invoke(app, ["analyze", str(article), "--precision", "int4"])
    assert bad.exit_code == 2
    ray = runner.invoke(app, ["analyze", str(article), "--precision", "int8", "--engine", "ray"])
    assert ray.exit_code == 2 and "--engine inprocess" in ray.output
    monkeypatch.setenv("SPINSCOPE_PRECISION", "bogus")
    env = runner.invoke(app, ["analyze", str(article), "--format", "json"])
    # main() turns a SpinscopeError into one "error: [E909] ..." line; here it surfaces as the exception.
    assert env.exit_code != 0 and isinstance(env.exception, ConfigError) and env.exception.code == "E909"


def test_bf16_runs_the_same_weights_in_bfloat16_close_to_fp32() -> None:
    fp32, bf16 = get_model(precision="fp32"), get_model(precision="bf16")
    assert bf16.precision == "bf16" and not _quantised(bf16.bottom)
    paragraphs = TEXT.split("\n\n")
    a, b = list(fp32.encode_paragraphs(paragraphs)), list(bf16.encode_paragraphs(paragraphs))
    for x, y in zip(a, b, strict=True):
        assert y.mean.dtype == np.float32
        cosine = float(x.mean @ y.mean / (np.linalg.norm(x.mean) * np.linalg.norm(y.mean)))
        assert cosine > 0.999
        assert np.abs(x.paragraph_probs - y.paragraph_probs).max() < 0.05
    assert any(not np.array_equal(x.paragraph_probs, y.paragraph_probs) for x, y in zip(a, b, strict=True))
    # The encoder's Linear weights are stored in bfloat16 once (not cast on every call); heads and norms stay fp32.
    linears = [m for m in [*bf16.bottom.modules(), *bf16.net.top.modules()] if isinstance(m, torch.nn.Linear)]
    assert len(linears) == 6 * 6 and all(m.weight.dtype == torch.bfloat16 for m in linears)
    assert all(getattr(bf16.net, h).weight.dtype == torch.float32 for h in ("token_head", "paragraph_head", "frames_head"))
    assert all(p.dtype == torch.float32 for n, p in bf16.bottom.named_parameters() if "LayerNorm" in n or "embeddings" in n)
    assert all(p.dtype == torch.float32 for p in fp32.bottom.parameters())


def _decisions(a: dict) -> dict[str, object]:
    """The labels of an analysis, without their scores."""
    return {
        "genre": a["genre"]["label"] if a.get("genre") else None,
        "frames": [f["label"] for f in a["frames"]],
        "paragraphs": [(p["index"], sorted(t["label"] for t in p["techniques"])) for p in a["paragraphs"]],
        "spans": [(s["start"], s["end"], s["technique"]) for s in a["spans"]],
        "narratives": [n["label"] for n in a["narratives"]["narratives"]],
        "roles": [(m["start"], (m.get("role") or {}).get("main_role")) for e in a["entities"] for m in e["mentions"]],
    }


def test_bf16_batched_and_one_at_a_time_give_the_same_labels() -> None:
    from pathlib import Path

    examples = Path(__file__).resolve().parents[1] / "examples"
    docs = [r.document for r in spinscope.read([str(examples)]) if r.document is not None]
    nlp = spinscope.load(precision="bf16")
    together = [a.to_dict() for a in nlp.pipe(docs)]
    alone = [nlp(d).to_dict() for d in docs[:3]]
    for a, b in zip(together[:3], alone, strict=True):
        assert _decisions(a) == _decisions(b)
        assert a["genre_probabilities"] == pytest.approx(b["genre_probabilities"], abs=0.01)

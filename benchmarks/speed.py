"""Speed and memory of the analysis pipeline against the bare encoder, on the en dev articles.

    python benchmarks/speed.py [--lang en|fr|...|mixed] [--model DIR] [--data-dir ../shared/data] [--threads 2]
                               [--baseline-src OLD_CHECKOUT/src] [--precision fp32|bf16|int8|auto]
                               [--no-english-only] [--encoder-bf16] [--ner-encoder]

Each measurement runs in its own subprocess so peak RSS is its own:

* ``encoder``  -- tokenise and run the plain all-MiniLM-L6-v2 (6 layers) over
  every paragraph, batched and sorted by length: the ceiling;
* ``pipeline`` -- the full ``spinscope analyze`` path: build the Documents
  (language ID included), encode paragraphs in cross-article batches as
  ``analyze`` does, run every head, decode spans, route paragraphs by
  language (the multilingual model), build the JSON dicts;
* ``english-only`` -- the same with multilingual routing turned off: what
  the pipeline cost before the multilingual model joined it;
* ``encoder-bf16`` (``--encoder-bf16``) -- the bare encoder as the bf16
  pipeline runs it (Linear weights in bfloat16, autocast): how much of the
  ceiling the bf16 pass alone takes;
* ``pipeline-ner-encoder`` (``--ner-encoder``) -- the pipeline with
  ``entities.v3`` (``SPINSCOPE_NER=encoder``: mentions from a head in the
  encoder's pass instead of spaCy), beside the default one in the same run.

Without ``--precision`` each pipeline runs at its own tree's default (this
tree: ``auto``); the printout names the precision and the USE-multilingual
backend each pipeline ran with.

``--lang mixed`` builds articles that alternate English and French
paragraphs (each en dev article with the paragraphs of a fr dev article
woven in), in memory only. ``--baseline-src`` also times the ``pipeline``
run from another source tree (an older checkout's ``src``), in the same
run, and prints the ratio: how a change moved the speed.

Writes ``benchmarks/results/speed-<lang>-dev.json``; BENCHMARKS.md quotes it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def _articles(data_dir: Path, lang: str = "en") -> list:
    from spinscope.datasets import load_semeval2023_articles

    if lang == "mixed":
        from spinscope.datasets import Article

        english, french = _articles(data_dir, "en"), _articles(data_dir, "fr")
        mixed = []
        for en, fr in zip(english, french, strict=False):
            a, b = en.text.split("\n"), fr.text.split("\n")[2:]  # the French title stays out
            woven = [line for pair in zip(a, b + [""] * (len(a) - len(b)), strict=False) for line in pair]
            mixed.append(Article(f"{en.id}+{fr.id}", en.path, "\n".join(woven)))
        return mixed
    ds = load_semeval2023_articles(data_dir, lang, "dev")
    return [a for _, a in sorted(ds.articles[3].items())]


def window_batches(tokenizer: Any, texts: list[str], size: int = 32) -> Iterator[tuple[Any, Any]]:
    """Every token window of *texts* (overflowing windows included), length-sorted, as padded ``(ids, mask)`` batches.

    Lazy: the tokenising happens on the first batch, inside whatever timing the caller runs.
    """
    from spinscope.encode import pad_ids

    windows = []
    for enc in tokenizer.encode_batch(texts):
        windows.append(enc)
        windows.extend(enc.overflowing)
    windows.sort(key=lambda e: len(e.ids))
    for b in range(0, len(windows), size):
        batch = windows[b : b + size]
        yield pad_ids(batch)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _max_tokens(model: str | None) -> int:
    from spinscope.models.bundle import default_model_dir

    config = Path(model or default_model_dir()) / "config.json"
    return int(json.loads(config.read_text(encoding="utf-8")).get("max_tokens", 256))


def run_encoder(data_dir: Path, model: str | None, lang: str, precision: str = "fp32") -> dict:
    """The bare pretrained encoder over the pipeline's token windows; *precision* ``bf16`` runs it as the pipeline's bf16 path does."""
    import contextlib

    import torch

    from spinscope.datasets import to_document
    from spinscope.encode import load_encoder, load_tokenizer
    from spinscope.models.bundle import WINDOW_STRIDE

    docs = [to_document(a) for a in _articles(data_dir, lang)]
    texts = [t for d in docs for _, t in d.iter_paragraphs()]
    encoder, tokenizer = load_encoder(), load_tokenizer()
    low: contextlib.AbstractContextManager = contextlib.nullcontext()
    if precision == "bf16":
        from spinscope.models.bundle import bfloat16_linears

        bfloat16_linears(encoder)  # as load_model(precision="bf16") stores them
        low = torch.autocast("cpu", dtype=torch.bfloat16)
    # The same token windows the pipeline reads (its max_tokens and stride), so
    # both sides encode exactly the same tokens; the tokenizer's own default
    # (128) would make the ceiling look faster than any honest pipeline.
    tokenizer.enable_truncation(max_length=_max_tokens(model), stride=WINDOW_STRIDE)
    start, cpu = time.perf_counter(), time.process_time()
    with torch.inference_mode(), low:
        for ids, mask in window_batches(tokenizer, texts):
            encoder(input_ids=ids, attention_mask=mask)
    elapsed = time.perf_counter() - start
    return {
        "articles": len(docs), "paragraphs": len(texts), "seconds": elapsed,
        "cpu_seconds": time.process_time() - cpu, "peak_rss_mb": _peak_rss_mb(), "precision": precision,
    }  # fmt: skip


def run_pipeline(data_dir: Path, model: str | None, lang: str, multilingual: bool = True) -> dict:
    """The analysis path over every article, models loaded (on one warm-up article) before the clock starts.

    Works on the component pipeline (``spinscope.load``) and, for
    ``--baseline-src``, on source trees from before it.
    """
    import spinscope
    from spinscope.datasets import to_document

    articles = _articles(data_dir, lang)
    if hasattr(spinscope, "load"):
        nlp = spinscope.load(model, exclude=() if multilingual else ("language", "multilingual"), **_precision())

        def analyse(docs: list) -> object:
            return nlp.pipe(docs)
    else:  # before the component pipeline
        from spinscope.pipeline import analyze_documents, get_model

        loaded = get_model(model)

        def analyse(docs: list) -> object:
            return analyze_documents(docs, model=loaded, multilingual=multilingual)

    for analysis in analyse([to_document(articles[0], detect_language=True)]):  # warm-up: load every model
        analysis.to_dict()
    shares: dict[str, float] = {}
    if hasattr(spinscope, "load"):
        _time_components(nlp, shares)
    start, cpu = time.perf_counter(), time.process_time()
    docs = [to_document(article, detect_language=True) for article in articles]
    shares["documents"] = time.perf_counter() - start
    paragraphs = sum(len(doc.paragraphs) for doc in docs)
    to_dict = 0.0
    for analysis in analyse(docs):
        mark = time.perf_counter()
        analysis.to_dict()
        to_dict += time.perf_counter() - mark
    elapsed = time.perf_counter() - start
    shares["to_dict"] = to_dict
    return {
        "articles": len(articles), "paragraphs": paragraphs, "seconds": elapsed,
        "cpu_seconds": time.process_time() - cpu, "peak_rss_mb": _peak_rss_mb(),
        "component_seconds": shares,
        "encoder_precision": nlp.meta.get("encoder_precision", "fp32") if hasattr(spinscope, "load") else "fp32",
        "multilingual_encoder": _multilingual_backend(nlp) if multilingual and hasattr(spinscope, "load") else None,
    }  # fmt: skip


def _multilingual_backend(nlp: object) -> str:
    """How the pipeline ran USE-multilingual: ``torch bf16``, ``torch fp32``, or ``numpy`` (trees before issue 19's part 2)."""
    backend = nlp.resources.multilingual_encoder.backend  # type: ignore[attr-defined]
    return f"{getattr(backend, 'name', 'numpy')} {getattr(backend, 'precision', 'fp32')}"


def _precision() -> dict[str, str]:
    """``precision=`` for ``spinscope.load`` from $SPINSCOPE_PRECISION (set by ``--precision``); none on older trees."""
    value = os.environ.get("SPINSCOPE_PRECISION")
    return {"precision": value} if value else {}


def _time_components(nlp: object, shares: dict[str, float]) -> None:
    """Wrap each component's ``pipe`` so its wall time adds up in ``shares[name]``.

    ``documents`` (building the Documents, language ID included) and
    ``to_dict`` are timed beside them; what is left of the total is the
    pipeline's own glue.
    """
    for name, comp in nlp.components:  # type: ignore[attr-defined]
        inner = comp.pipe

        def timed(works: list, _inner=inner, _name=name) -> None:
            mark = time.perf_counter()
            _inner(works)
            shares[_name] = shares.get(_name, 0.0) + time.perf_counter() - mark

        comp.pipe = timed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--lang", default="en", help="SemEval-2023 dev language (en fr ge it po ru)")
    parser.add_argument(
        "--precision", default=None,
        help="the pipeline's encoder precision (fp32 bf16 int8 auto; default: $SPINSCOPE_PRECISION, else the library's); "
        "the bare encoder is always fp32",
    )
    parser.add_argument("--baseline-src", type=Path, default=None, help="also time the pipeline from this source tree")
    parser.add_argument("--no-english-only", action="store_true", help="skip the english-only run (saves a third of the time)")
    parser.add_argument(
        "--encoder-bf16", action="store_true",
        help="also time the bare encoder in bf16 (Linear weights in bfloat16, autocast): the pipeline's bf16 encoder pass alone",
    )
    parser.add_argument(
        "--ner-encoder", action="store_true",
        help="also time the pipeline with entities.v3 (SPINSCOPE_NER=encoder: mentions from the encoder's pass, no spaCy)",
    )
    parser.add_argument("--_run", choices=["encoder", "encoder-bf16", "pipeline", "english-only"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    from spinscope.datasets import default_data_dir

    data_dir = args.data_dir or default_data_dir()
    if not (data_dir / "semeval2023-task3").is_dir():
        print(f"SKIP: no SemEval-2023 data at {data_dir}")
        return 0
    if args._run:
        import torch

        torch.set_num_threads(args.threads)
        if args._run in ("encoder", "encoder-bf16"):
            out = run_encoder(data_dir, args.model, args.lang, "bf16" if args._run == "encoder-bf16" else "fp32")
        else:
            out = run_pipeline(data_dir, args.model, args.lang, multilingual=args._run == "pipeline")
        print(json.dumps(out))
        return 0
    results = {}
    load_before = os.getloadavg()
    runs = [("encoder", "encoder", None), ("english-only", "english-only", None), ("pipeline", "pipeline", None)]
    if args.no_english_only:
        runs = [r for r in runs if r[0] != "english-only"]
    if args.encoder_bf16:
        runs.insert(1, ("encoder-bf16", "encoder-bf16", None))
    if args.ner_encoder:
        runs.append(("pipeline-ner-encoder", "pipeline", None))
    if args.baseline_src:
        runs.append(("baseline-pipeline", "pipeline", args.baseline_src.resolve()))
    for name, what, src in runs:
        cmd = [sys.executable, __file__, "--_run", what, "--data-dir", str(data_dir), "--threads", str(args.threads)]
        cmd += ["--lang", args.lang]
        if args.model:
            cmd += ["--model", args.model]
        env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
        if args.precision:
            env["SPINSCOPE_PRECISION"] = args.precision
        if src is not None:
            env["PYTHONPATH"] = str(src)
        if name == "pipeline-ner-encoder":
            env["SPINSCOPE_NER"] = "encoder"
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
        results[name] = json.loads(proc.stdout.strip().splitlines()[-1])
    for r in results.values():
        r["articles_per_s"] = r["articles"] / r["seconds"]
        r["paragraphs_per_s"] = r["paragraphs"] / r["seconds"]
    overhead = results["pipeline"]["seconds"] / results["encoder"]["seconds"] - 1
    print(f"{'':<17} {'articles/s':>11} {'paragraphs/s':>13} {'peak RSS MB':>12}")
    for name, r in results.items():
        print(f"{name:<17} {r['articles_per_s']:>11.2f} {r['paragraphs_per_s']:>13.1f} {r['peak_rss_mb']:>12.0f}")
    if "encoder-bf16" in results:
        bf16_speed = results["encoder-bf16"]["articles_per_s"] / results["encoder"]["articles_per_s"]
        print(f"bare encoder bf16 over fp32: {bf16_speed:.2f}x wall")
    multilingual_cost = (
        results["pipeline"]["seconds"] / results["english-only"]["seconds"] if "english-only" in results else None
    )
    print(f"pipeline time over bare encoder: {overhead:+.1%}")
    print(f"load average (1 min) before / after: {load_before[0]:.2f} / {os.getloadavg()[0]:.2f}")
    ratio = results["pipeline"]["articles_per_s"] / results["encoder"]["articles_per_s"]
    cpu_ratio_encoder = results["encoder"]["cpu_seconds"] / results["pipeline"]["cpu_seconds"]
    print(
        f"pipeline speed over the bare fp32 encoder: {ratio:.2f}x wall, {cpu_ratio_encoder:.2f}x CPU time "
        f"(target >= 2.0; pipeline encoder precision {results['pipeline'].get('encoder_precision')}, "
        f"USE-multilingual {results['pipeline'].get('multilingual_encoder')})"
    )
    shares = results["pipeline"].get("component_seconds") or {}
    if shares:
        total = results["pipeline"]["seconds"]
        rest = total - sum(shares.values())
        parts = [f"{k} {v / total:.1%}" for k, v in sorted(shares.items(), key=lambda kv: -kv[1])]
        print("pipeline time by component: " + ", ".join(parts) + f", other {rest / total:.1%}")
    if "pipeline-ner-encoder" in results:
        v3 = results["pipeline-ner-encoder"]
        print(
            f"pipeline with entities.v3 over the bare fp32 encoder: {v3['articles_per_s'] / results['encoder']['articles_per_s']:.2f}x wall; "
            f"over the default pipeline: {v3['articles_per_s'] / results['pipeline']['articles_per_s']:.2f}x wall, "
            f"{results['pipeline']['cpu_seconds'] / v3['cpu_seconds']:.2f}x CPU; peak RSS {v3['peak_rss_mb']:.0f} MB"
        )
        v3_shares = v3.get("component_seconds") or {}
        if v3_shares:
            print("entities.v3 pipeline time by component: " + ", ".join(
                f"{k} {v / v3['seconds']:.1%}" for k, v in sorted(v3_shares.items(), key=lambda kv: -kv[1])
            ))
    if multilingual_cost is not None:
        print(f"pipeline time over the English-only path: {multilingual_cost:.2f}x")
    baseline = None
    if "baseline-pipeline" in results:
        baseline = results["pipeline"]["articles_per_s"] / results["baseline-pipeline"]["articles_per_s"]
        cpu_ratio = results["baseline-pipeline"]["cpu_seconds"] / results["pipeline"]["cpu_seconds"]
        print(
            f"pipeline speed over the baseline source tree ({args.baseline_src}): {baseline:.2f}x wall, {cpu_ratio:.2f}x CPU time "
            f"(baseline encoder precision {results['baseline-pipeline'].get('encoder_precision')}, "
            f"USE-multilingual {results['baseline-pipeline'].get('multilingual_encoder')})"
        )
    record = {
        "results": results,
        "lang": args.lang,
        "pipeline_overhead": overhead,
        "pipeline_over_encoder_speed": ratio,
        "pipeline_over_encoder_cpu": cpu_ratio_encoder,
        "multilingual_over_english_only": multilingual_cost,
        "speed_over_baseline": baseline,
        "threads": args.threads,
        "load_average_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}, python {platform.python_version()}",
    }
    out = Path(__file__).resolve().parent / "results" / f"speed-{args.lang}-dev.json"
    out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The two encoders alone, at each precision, interleaved in one process: the fair comparison on a shared machine.

    python benchmarks/encoders.py [--articles 40] [--reps 6] [--threads 1] [--data-dir ../shared/data]

Over the paragraphs of the first ``--articles`` en dev articles (SemEval-2023):

* the English encoder (the bundled model's frozen bottom and fine-tuned top,
  as ``SpinModel.top_states`` runs them, over the pipeline's length-sorted
  token windows in batches of 32) in fp32, in bf16 with the weights left in
  fp32 (autocast casting them on every call: the path before issue 19 part 2),
  in bf16 with the Linear weights stored in bfloat16 (now), and in int8
  (torch dynamic quantisation of the encoder's Linear layers, as
  ``load_model(precision="int8")``; heads trained on fp32 states, so it is
  selectable, not the default);
* USE-multilingual, one call per article as the ``multilingual`` component
  makes them: the package's NumPy backend (before), our torch pass in fp32 and
  in bf16 (now).

Each setting runs ``--reps`` times, the settings taking turns, and the
figure kept is the least CPU time of its runs: on a machine other jobs share,
the least is the nearest to what the code costs alone. Prints CPU seconds and
speed over the fp32 (English) and NumPy (USE) settings; writes
``benchmarks/results/encoders-en-dev.json``.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=40)
    parser.add_argument("--reps", type=int, default=6)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args()
    from spinscope.datasets import default_data_dir, load_semeval2023_articles, to_document

    data_dir = args.data_dir or default_data_dir()
    if not (data_dir / "semeval2023-task3").is_dir():
        print(f"SKIP: no SemEval-2023 data at {data_dir}")
        return 0
    import torch

    from spinscope.models.bundle import bfloat16_linears, load_model
    from spinscope.multilingual.encoder import load_multilingual_encoder

    torch.set_num_threads(args.threads)
    ds = load_semeval2023_articles(data_dir, "en", "dev")
    articles = [[t for _, t in to_document(a).iter_paragraphs()] for _, a in sorted(ds.articles[3].items())][: args.articles]
    paragraphs = [p for a in articles for p in a]

    fp32 = load_model(precision="fp32")
    cast = copy.deepcopy(fp32)  # bf16 with fp32 weights: autocast casts them on every call
    cast.precision = "bf16"
    stored = copy.deepcopy(cast)  # bf16 with the Linear weights stored in bfloat16, as load_model(precision="bf16")
    bfloat16_linears(stored.bottom)
    bfloat16_linears(stored.net.top)
    int8 = load_model(precision="int8")
    batches = _windows(fp32, paragraphs)

    def english(model: object) -> object:
        def run() -> None:
            with torch.inference_mode():
                for ids, mask in batches:
                    model.top_states(ids, mask)  # type: ignore[attr-defined]

        return run

    use = {
        "numpy": load_multilingual_encoder(backend="numpy", threads=args.threads),
        "torch fp32": load_multilingual_encoder(precision="fp32"),
        "torch bf16": load_multilingual_encoder(precision="bf16"),
    }

    def multilingual(encoder: object) -> object:
        def run() -> None:
            for paras in articles:
                encoder.encode(paras)  # type: ignore[attr-defined]

        return run

    settings = {
        "english fp32": english(fp32),
        "english bf16, fp32 weights (before)": english(cast),
        "english bf16, bf16 weights (now)": english(stored),
        "english int8 (dynamic, selectable)": english(int8),
        **{f"USE {k}": multilingual(v) for k, v in use.items()},
    }
    for run in settings.values():  # warm-up: first calls build kernels
        run()  # type: ignore[operator]
    seconds: dict[str, list[float]] = {name: [] for name in settings}
    load_before = os.getloadavg()[0]
    for _ in range(args.reps):
        for name, run in settings.items():
            mark = time.process_time()
            run()  # type: ignore[operator]
            seconds[name].append(time.process_time() - mark)
    best = {name: min(v) for name, v in seconds.items()}
    print(f"{len(articles)} en dev articles, {len(paragraphs)} paragraphs, {args.threads} torch thread(s), {args.reps} reps")
    for name, value in best.items():
        base = best["english fp32"] if name.startswith("english") else best["USE numpy"]
        print(f"{name:<38} {value:6.2f} s CPU (least of {args.reps})   {base / value:5.2f}x")
    load_after = os.getloadavg()[0]
    print(f"load average (1 min) before / after: {load_before:.2f} / {load_after:.2f}")
    record = {
        "articles": len(articles), "paragraphs": len(paragraphs), "threads": args.threads, "reps": args.reps,
        "cpu_seconds": seconds, "least": best, "load_average_before_after": [round(load_before, 2), round(load_after, 2)],
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }  # fmt: skip
    out = Path(__file__).resolve().parent / "results" / "encoders-en-dev.json"
    out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return 0


def _windows(model: object, paragraphs: list[str]) -> list[tuple[object, object]]:
    """The pipeline's token windows of *paragraphs*, length-sorted, as padded (ids, mask) batches of 32."""
    # benchmarks/speed.py, beside this script: the same batches as its ceiling.
    from speed import window_batches

    return list(window_batches(model.tokenizer, paragraphs))  # type: ignore[attr-defined]


if __name__ == "__main__":
    sys.exit(main())

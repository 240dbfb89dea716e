"""The encoder NER head (``entities.v3``) against spaCy (``entities.v2``) on the SemEval-2023 en dev paragraphs.

    python benchmarks/ner_eval.py [--data-dir DIR] [--threads 2] [--reps 2] [--out PATH]

Prints and writes (default ``benchmarks/results/ner-en-dev.json``):

* **agreement**: the head's mentions against spaCy's (``find_mentions``,
  after its trimming; both before tidying) over every paragraph of the 90
  en dev articles: precision, recall and F1, exact (offsets and label),
  exact offsets, and overlap, and per label;
* **time**, in this one process on the same paragraphs, each the least of
  ``--reps`` interleaved runs: spaCy's ``find_mentions``; the encoder pass
  alone; the encoder pass with the head tagging every token and the top
  states kept, plus decoding. The head's cost is the difference of the last
  two, and the ratio to spaCy is what moves out of the pipeline.

The gold SemEval-2025 mentions and roles end to end are
``python benchmarks/roles_eval.py --ner encoder``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "results" / "ner-en-dev.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    import torch

    from spinscope.datasets import default_data_dir, load_semeval2023_articles, to_document
    from spinscope.entities.encoder_ner import decode_paragraph, load_encoder_ner
    from spinscope.entities.encoder_ner_train import mention_scores
    from spinscope.entities.ner import find_mentions, load_ner
    from spinscope.models.bundle import get_model
    from spinscope.models.precision import resolve_precision

    data_dir = args.data_dir or default_data_dir()
    if not (data_dir / "semeval2023-task3").is_dir():
        print(f"SKIP: no SemEval-2023 data at {data_dir}")
        return 0
    torch.set_num_threads(args.threads)
    ds = load_semeval2023_articles(data_dir, "en", "dev")
    docs = [to_document(a) for _, a in sorted(ds.articles[3].items())]
    texts = [t for d in docs for _, t in d.iter_paragraphs()]
    precision = resolve_precision()
    model, head = get_model(precision=precision), load_encoder_ner()
    load_ner()
    # Warm-up: the first call of each path pays one-off costs (allocations, spaCy's vocabulary).
    find_mentions(texts[:50])
    list(model.encode_paragraphs(texts[:50], ner=head, keep_states=True))

    def run_spacy() -> list:
        return find_mentions(texts)

    def run_plain() -> None:
        for _ in model.encode_paragraphs(texts):
            pass

    def run_head() -> list:
        found = []
        for text, out in zip(texts, model.encode_paragraphs(texts, ner=head, keep_states=True), strict=True):
            found.append(decode_paragraph(text, [(lp, offs) for lp, (_, offs) in zip(out.ner_windows or [], out.windows, strict=True)]))
        return found

    times: dict[str, list[float]] = {"spacy": [], "encoder": [], "encoder_with_head": []}
    load_before = os.getloadavg()
    spacy_found: list = []
    head_found: list = []
    for _ in range(args.reps):
        for name, fn in (("spacy", run_spacy), ("encoder", run_plain), ("encoder_with_head", run_head)):
            start = time.process_time()
            result = fn()
            times[name].append(time.process_time() - start)
            if name == "spacy":
                spacy_found = result  # type: ignore[assignment]
            elif name == "encoder_with_head":
                head_found = result  # type: ignore[assignment]
    best = {k: min(v) for k, v in times.items()}
    head_cost = best["encoder_with_head"] - best["encoder"]
    scores = mention_scores(spacy_found, head_found)
    result = {
        "articles": len(docs),
        "paragraphs": len(texts),
        "encoder_precision": precision,
        "threads": args.threads,
        "machine": platform.processor() or platform.machine(),
        "load_average": [load_before[0], os.getloadavg()[0]],
        "cpu_seconds": {k: [round(x, 3) for x in v] for k, v in times.items()},
        "head_cpu_seconds": round(head_cost, 3),
        "head_over_spacy": round(head_cost / best["spacy"], 4) if best["spacy"] else None,
        "agreement_with_spacy": scores,
        "head": {"layers": head.config["layers"], "hidden": head.config["hidden"], "sha256": head.config["sha256"]},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"{len(docs)} en dev articles, {len(texts)} paragraphs, encoder {precision}, load {load_before[0]:.1f}")
    print(f"spaCy mentions {scores['reference_mentions']}, head mentions {scores['predicted_mentions']}")
    for kind in ("exact", "exact_span", "overlap"):
        s = scores[kind]
        print(f"{kind:<12} P {s['precision']:.3f}  R {s['recall']:.3f}  F1 {s['f1']:.3f}")
    for label, s in scores["per_label"].items():
        print(f"  {label:<7} spaCy {s['gold']:>5} head {s['pred']:>5}  exact F1 {s['exact']['f1']:.3f}  overlap F1 {s['overlap']['f1']:.3f}")
    print(f"CPU s (least of {args.reps}): spaCy {best['spacy']:.2f}, encoder {best['encoder']:.2f}, encoder+head {best['encoder_with_head']:.2f}")
    print(f"head {head_cost:.2f} s = {result['head_over_spacy']:.3f} of spaCy's time")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

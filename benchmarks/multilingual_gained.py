"""How well English would find the four techniques its training data never shows.

    python benchmarks/multilingual_gained.py [--data-dir ../shared/data]

English paragraphs get Appeal_to_Values, Consequential_Oversimplification,
Questioning_the_Reputation and Appeal_to_Time from the multilingual model,
at its pooled thresholds (English held-out articles have no example to
calibrate on). English dev has no gold example of them either, so their
precision and recall are measured where gold exists: the fr, ge, it, po and
ru dev paragraphs, with exactly the thresholds the English route uses.
Writes ``benchmarks/results/multilingual-gained.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path

import numpy as np

from spinscope.datasets import default_data_dir
from spinscope.multilingual.encoder import load_multilingual_encoder
from spinscope.multilingual.model import POOLED
from spinscope.multilingual.route import gained_techniques, load_default
from spinscope.multilingual.train import encode_split

OTHERS = ("fr", "ge", "it", "po", "ru")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args()
    data_dir = args.data_dir or default_data_dir()
    if not (data_dir / "semeval2023-task3").is_dir():
        print(f"SKIP: no SemEval-2023 data at {data_dir}")
        return 0
    model, encoder = load_default(), load_multilingual_encoder()
    gained = gained_techniques(model)
    cols = [model.techniques.index(t) for t in gained]
    th = model.technique_thresholds[POOLED][cols]
    probs, gold, langs = [], [], []
    for lang in OTHERS:
        split = encode_split(data_dir, lang, "dev", encoder)
        # Whole articles, as the route reads them: the context stage looks at every paragraph.
        by_article = {a: model.article_technique_probs(split.vectors[a], split.texts[a]) for a in {a for a, _, _ in split.rows}}
        probs.append(np.stack([by_article[a][i] for a, i, _ in split.rows])[:, cols])
        gold.append(np.array([[t in labels for t in gained] for _, _, labels in split.rows], dtype=bool))
        langs += [lang] * len(split.rows)
    P, G = np.vstack(probs), np.vstack(gold)
    pred = P >= th
    record: dict[str, object] = {"thresholds": dict(zip(gained, map(float, th), strict=True)), "per_label": {}}
    print(f"{'technique':<34} {'P':>6} {'R':>6} {'F1':>6} {'gold':>5} {'pred':>5}   (fr+ge+it+po+ru dev, pooled thresholds)")
    for k, tech in enumerate(gained):
        tp = int((pred[:, k] & G[:, k]).sum())
        n_pred, n_gold = int(pred[:, k].sum()), int(G[:, k].sum())
        p = tp / n_pred if n_pred else 0.0
        r = tp / n_gold if n_gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        print(f"{tech:<34} {p:>6.3f} {r:>6.3f} {f:>6.3f} {n_gold:>5} {n_pred:>5}")
        record["per_label"][tech] = {"precision": p, "recall": r, "f1": f, "gold": n_gold, "predicted": n_pred}  # type: ignore[index]
    record["paragraphs"] = len(P)
    record["machine"] = f"{platform.machine()}, {platform.system()}, python {platform.python_version()}"
    out = Path(__file__).resolve().parent / "results" / "multilingual-gained.json"
    out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

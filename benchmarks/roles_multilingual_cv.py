"""Can the other SemEval-2025 languages teach English entity roles through the multilingual encoder?

Run: ``nice -n 19 .venv/bin/python benchmarks/roles_multilingual_cv.py [--data-dir DIR]`` (about
10 minutes on 2 cores). Train splits only; dev is never read.

Each gold mention gets multilingual-encoder features: the sentence holding
it, the same sentence with the mention masked, its paragraph, the mention's
own words, and the article mean (5 x 512). English mentions are scored by
article-grouped 5-fold cross-validation, as ``spinscope train --task
task10`` chooses its role heads; the other languages' mentions (bg, pt, ru:
the encoder does not read Hindi's script) only ever add training rows.
For comparison, the shipped heads' features (the English detector's
encoder) are scored the same way. Writes
``benchmarks/results/roles-multilingual-cv.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from spinscope.datasets.semeval2025 import load_semeval2025
from spinscope.entities.train import _cv_pick, gold_mention_features
from spinscope.multilingual.encoder import load_multilingual_encoder
from spinscope.narratives.evidence import sentence_spans
from spinscope.narratives.features import text_units

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "roles-multilingual-cv.json"


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.maximum(np.linalg.norm(rows, axis=-1, keepdims=True), 1e-6)


def mention_rows(data_dir: Path | None, lang: str, encoder) -> tuple[np.ndarray, list[str], list[tuple[str, ...]], list[str]]:  # type: ignore[no-untyped-def]
    """Multilingual features, main roles, fine roles and article ids of a language's train mentions."""
    ds = load_semeval2025(data_dir, lang, "train")
    texts: list[str] = []
    parts: list[tuple[int, int, int, int, list[int]]] = []
    main, fine, groups = [], [], []
    for a in sorted({m.article_id for m in ds.mentions}):
        text = ds.articles[a].text
        sentences, paragraphs = sentence_spans(text), text_units(text)
        first = len(texts)
        texts += [text[s:e] for s, e in paragraphs]
        article = list(range(first, len(texts)))
        for m in (m for m in ds.mentions if m.article_id == a):
            s, e = next(((s, e) for s, e in sentences if s <= m.start < e), (max(0, m.start - 200), min(len(text), m.end + 200)))
            ps, pe = next(((ps, pe) for ps, pe in paragraphs if ps <= m.start < pe), (s, e))
            texts += [text[s:e], text[s : m.start] + "[ENTITY]" + text[m.end : e], text[ps:pe], m.mention]
            n = len(texts)
            parts.append((n - 4, n - 3, n - 2, n - 1, article))
            main.append(m.main_role or "")
            fine.append(tuple(m.fine_roles))
            groups.append(f"{lang}:{a}")
    V = encoder.encode(texts)
    X = np.stack(
        [np.concatenate([_unit(V[i]) for i in p[:4]] + [_unit(V[p[4]].mean(0)) if p[4] else np.zeros(512, np.float32)]) for p in parts]
    )
    return X.astype(np.float32), main, fine, groups


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    encoder = load_multilingual_encoder()
    rows = {lang: mention_rows(args.data_dir, lang, encoder) for lang in ("EN", "BG", "PT", "RU")}
    X_en, main_en, fine_en, groups_en = rows["EN"]
    results: dict[str, object] = {}

    def score(name: str, X: np.ndarray, extra: tuple[str, ...] = ()) -> None:
        blocks, m, f, g = [X], list(main_en), list(fine_en), list(groups_en)
        for lang in extra:
            Xo, mo, fo, go = rows[lang]
            blocks.append(Xo)
            m, f, g = m + mo, f + fo, g + go
        scored = np.array([True] * len(main_en) + [False] * (len(m) - len(main_en)))
        best = _cv_pick(np.vstack(blocks), m, f, g, scored)["best"]
        results[name] = best
        print(f"{name:<44} main-role accuracy {best['main_role_accuracy']:.3f}  exact match {best['exact_match_ratio']:.3f}", flush=True)

    ds = load_semeval2025(args.data_dir, "EN", "train")
    ids = sorted({m.article_id for m in ds.mentions})
    by = {a: [m for m in ds.mentions if m.article_id == a] for a in ids}
    _, per_article = gold_mention_features([ds.articles[a].text for a in ids], [[(m.start, m.end) for m in by[a]] for a in ids])
    score("English encoder (shipped features), en only", np.concatenate(per_article))
    score("multilingual encoder, en only", X_en)
    score("multilingual encoder, en + bg + pt + ru", X_en, ("BG", "PT", "RU"))
    score("multilingual encoder, en + pt + ru", X_en, ("PT", "RU"))
    majority = max(set(main_en), key=main_en.count)
    results["majority_class_accuracy"] = round(main_en.count(majority) / len(main_en), 4)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"majority class ({majority}) accuracy {results['majority_class_accuracy']:.3f}\nwrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

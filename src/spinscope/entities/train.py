"""Train and evaluate the entity-role heads on SemEval-2025 Task 10 subtask 1.

One detector encoder pass per article gives both the narrative features
(:mod:`spinscope.narratives.features`) and each gold mention's features
(:func:`~spinscope.entities.roles.mention_features`), so
:func:`train_task10` trains narratives and roles from the same pass.

:func:`evaluate_roles` scores a split two ways:

* **gold mentions**, as the task defines it: the organisers' mentions are
  given, we predict their roles; official-format predictions are written and
  scored by our code *and* by ``scorers/subtask1_scorer.py`` (they must
  agree): exact match ratio of fine roles, and main-role accuracy;
* **end to end**: our own NER finds the mentions; a gold mention counts as
  found when one of ours overlaps it, and one that is not found counts as
  wrong. This is what ``spinscope analyze`` really does.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from spinscope.analysis import Analysis
    from spinscope.document import Document

from spinscope.entities.context import context_ranges
from spinscope.entities.roles import (
    ACCURATE_BLOCKS,
    ACCURATE_ROLES_DIR,
    BLOCK,
    BLOCK_WIDTH,
    DEFAULT_ROLES_DIR,
    FINE_BY_MAIN,
    MAIN_ROLES,
    V1_BLOCKS,
    RoleModel,
    role_features,
)

__all__ = [
    "ROLE_BLOCKS", "evaluate_roles", "gold_mention_features", "role_scores", "train_accurate_roles", "train_roles",
    "train_roles_only", "train_task10",
]  # fmt: skip

#: What the role heads read since ``roles.v2``: the mention's sentence around it (the name left out),
#: its paragraph and the article. Chosen by cross-validation on train (BENCHMARKS.md).
ROLE_BLOCKS: tuple[str, ...] = ("left", "right", "para", "art")
#: The block sets ``train --task roles`` compares by cross-validation: the first model's, it with the
#: context added, and the context without the mention's own tokens (the name left out).
ROLE_BLOCK_SETS: tuple[tuple[str, ...], ...] = (
    V1_BLOCKS,
    ("mention", "left", "right", "para", "art"),
    ("left", "right", "para", "art"),
)
#: How far below the best cross-validated score (exact match + main accuracy) a block set that reads
#: the mention's context may be and still be preferred (about one standard error on 686 mentions).
CONTEXT_TOLERANCE = 0.02
#: Biases on the Antagonist logit that cross-validation tries.
ANTAGONIST_BIASES: tuple[float, ...] = (0.0, 0.5, 1.0, 1.5, 2.0)


def gold_mention_features(
    texts: Sequence[str],
    spans: Sequence[Sequence[tuple[int, int]]],
    *,
    model: Any = None,
    blocks: Sequence[str] = V1_BLOCKS,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Narrative feature rows ``[A, 768]`` and, per article, mention feature rows ``[M_a, width of blocks]``.

    ``spans[a]`` are the mentions of article ``a`` (offsets into its text), in any order;
    the rows come back in that order. Each mention's left and right context
    (:func:`~spinscope.entities.context.context_ranges`) is pooled in the same pass.
    The accurate blocks (:data:`~spinscope.entities.roles.ACCURATE_BLOCKS`) come from
    :mod:`spinscope.entities.accurate`'s encoder, which needs ``spinscope[accurate]``.
    """
    from spinscope.narratives.features import FEATURE_DIM, encode_units, pool_units

    accurate: list[np.ndarray] | None = None
    if any(b in ACCURATE_BLOCKS for b in blocks):
        from spinscope.entities.accurate import default_mention_encoder

        accurate = default_mention_encoder().features_many(texts, spans)
    width = sum(BLOCK_WIDTH[b] for b in blocks)

    asked = []
    for text, mentions in zip(texts, spans, strict=True):
        ctx = context_ranges(text, list(mentions))
        asked.append([*mentions, *(c[0] for c in ctx), *(c[1] for c in ctx)])
    X = np.zeros((len(texts), FEATURE_DIM), dtype=np.float32)
    rows: list[np.ndarray] = []
    for a, encoded in enumerate(encode_units(texts, asked, model=model)):
        means = encoded.means
        X[a] = pool_units(means)
        n = len(spans[a])
        if n == 0:
            rows.append(np.zeros((0, width), dtype=np.float32))
            continue
        article_mean = means.mean(axis=0) if len(means) else np.zeros(BLOCK, dtype=np.float32)
        # A mention outside every unit (offsets past the text) keeps a zero vector and the article as context.
        paragraphs = np.stack([means[u] if u is not None else article_mean for u in encoded.span_units[:n]])
        V = encoded.span_vectors
        parts = {"mention": V[:n], "left": V[n : 2 * n], "right": V[2 * n :], "para": paragraphs, "art": article_mean}
        if accurate is not None:
            parts["mpnet_mention"], parts["mpnet_masked"] = accurate[a][:, :768], accurate[a][:, 768:]
        rows.append(role_features(blocks, parts))
    return X, rows


def role_scores(
    gold: Sequence[tuple[str, Sequence[str]]], pred: Sequence[tuple[str, Sequence[str]] | None]
) -> dict[str, float]:
    """Exact match ratio of fine roles and main-role accuracy; a ``None`` prediction is wrong on both."""
    n = len(gold)
    if n == 0:
        return {"exact_match_ratio": 0.0, "main_role_accuracy": 0.0, "mentions": 0}
    emr = sum(p is not None and set(p[1]) == set(g[1]) for g, p in zip(gold, pred, strict=True)) / n
    acc = sum(p is not None and p[0] == g[0] for g, p in zip(gold, pred, strict=True)) / n
    return {"exact_match_ratio": emr, "main_role_accuracy": acc, "mentions": n}


def _cv_pick(
    X: np.ndarray,
    main: list[str],
    fine: list[tuple[str, ...]],
    groups: list[str],
    scored: np.ndarray,
    folds: int = 5,
    seed: int = 0,
    biases: Sequence[float] = (0.0,),
) -> dict[str, Any]:
    """Choose C for both heads, the second-role ratio and the Antagonist bias by K-fold CV on the training rows.

    Folds are by article (``groups``), so mentions of one article never sit
    on both sides. Every row trains; only rows with ``scored`` true are
    scored (the main language, when other languages' mentions are added).
    The score is the exact match ratio plus main-role accuracy; the
    majority class (always Antagonist) is reported beside it.
    """
    articles = sorted(set(groups))
    order = np.random.default_rng(seed).permutation(len(articles))
    fold_of = {articles[j]: k % folds for k, j in enumerate(order)}
    fold = np.array([fold_of[g] for g in groups])
    results = []
    for c in (0.5, 2.0, 8.0):
        fitted = []
        for k in range(folds):
            train = np.flatnonzero(fold != k)
            test = np.flatnonzero((fold == k) & scored)
            fitted.append((test, RoleModel(c, c).fit(X[train], [main[i] for i in train], [fine[i] for i in train])))
        for ratio in (1.01, 2.0):
            for bias in biases:
                preds: dict[int, tuple[str, tuple[str, ...]]] = {}
                for test, m in fitted:
                    m.second_ratio, m.antagonist_bias = ratio, bias
                    for i, p in zip(test, m.predict(X[test]), strict=True):
                        preds[int(i)] = (p.main_role, p.fine_roles)
                rows = sorted(preds)
                s = role_scores([(main[i], fine[i]) for i in rows], [preds[i] for i in rows])
                results.append({"c": c, "second_ratio": ratio, "antagonist_bias": bias, **s})
    scored_main = [main[i] for i in np.flatnonzero(scored)]
    majority = max(MAIN_ROLES, key=scored_main.count)
    majority_acc = scored_main.count(majority) / max(1, len(scored_main))
    best = _best_setting(results, majority_acc)
    return {
        "grid": results, "best": best, "folds": folds, "grouped_by": "article",
        "majority": {"role": majority, "main_role_accuracy": majority_acc},
    }  # fmt: skip


def _best_setting(results: Sequence[dict[str, Any]], majority_acc: float) -> dict[str, Any]:
    """The cross-validated setting with the best exact match plus main accuracy, never below the majority class.

    Settings whose main accuracy on the held-out folds is below always
    answering the majority role are left out while any setting reaches it
    (issue 20); if none does, the one with the largest Antagonist bias (the
    furthest back-off to the majority) among the best is taken. Ties go to
    the C nearest 1, then the smaller bias.
    """
    fair = [r for r in results if r["main_role_accuracy"] >= majority_acc]
    if not fair:
        top_bias = max(r["antagonist_bias"] for r in results)
        fair = [r for r in results if r["antagonist_bias"] == top_bias]
    return max(fair, key=lambda r: (r["exact_match_ratio"] + r["main_role_accuracy"], -abs(np.log(r["c"])), -r["antagonist_bias"]))


def train_roles(
    X: np.ndarray,
    main: list[str],
    fine: list[tuple[str, ...]],
    out_dir: Path | str = DEFAULT_ROLES_DIR,
    *,
    groups: list[str] | None = None,
    scored: np.ndarray | None = None,
    languages: Sequence[str] = ("EN",),
    blocks: Sequence[str] = ROLE_BLOCKS,
) -> dict[str, Any]:
    """Pick hyper-parameters by CV, fit on all rows (their columns: ``blocks``), save to ``out_dir``; returns the summary."""
    groups = groups if groups is not None else [str(i) for i in range(len(main))]
    scored = scored if scored is not None else np.ones(len(main), dtype=bool)
    cv = _cv_pick(X, main, fine, groups, scored, biases=ANTAGONIST_BIASES)
    best = cv["best"]
    model = RoleModel(best["c"], best["c"], best["second_ratio"], blocks, best["antagonist_bias"]).fit(X, main, fine)
    model.meta = {
        "dataset": "semeval2025-task10",
        "split": "train",
        "languages": list(languages),
        "mentions": len(main),
        "features": (
            f"[{' | '.join(blocks)}] mean states of the "
            f"{'all-mpnet-base-v2 encoder (mention windows)' if any(b in ACCURATE_BLOCKS for b in blocks) else 'spinscope detector encoder'}"
            f" ({sum(BLOCK_WIDTH[b] for b in blocks)})"
        ),
        "cv": {
            "folds": cv["folds"], "grouped_by": cv["grouped_by"], "scored_mentions": int(scored.sum()),
            "best": best, "majority": cv["majority"],
        },
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    model.save(out_dir)
    return model.meta


def train_task10(
    data_dir: Path | str | None = None,
    lang: str = "en",
    *,
    narratives_out: Path | str | None = None,
    roles_out: Path | str | None = None,
    role_extra_langs: Sequence[str] = (),
) -> dict[str, Any]:
    """Train narratives and roles on the ``train`` split of ``lang`` from one encoder pass.

    ``role_extra_langs`` adds those languages' training mentions to the role heads.
    """
    from spinscope.datasets.semeval2025 import load_semeval2025
    from spinscope.narratives.train import DEFAULT_MODEL_DIR, train_narratives

    started = time.time()
    ds = load_semeval2025(data_dir, lang, "train")
    ids = sorted(ds.articles)
    by_article: dict[str, list[Any]] = {a: [] for a in ids}
    for m in ds.mentions:
        if m.article_id in by_article:
            by_article[m.article_id].append(m)
    X, mention_rows = gold_mention_features(
        [ds.articles[a].text for a in ids], [[(m.start, m.end) for m in by_article[a]] for a in ids], blocks=ROLE_BLOCKS
    )
    summary: dict[str, Any] = {"encode_seconds": round(time.time() - started, 1)}
    narrative_ids = sorted(ds.narratives)
    rows = [ids.index(a) for a in narrative_ids]
    summary["narratives"] = train_narratives(
        data_dir, lang, narratives_out or DEFAULT_MODEL_DIR, features=X[rows]
    )
    blocks = [np.concatenate([mention_rows[ids.index(a)] for a in ids if by_article[a]])]
    main = [m.main_role or "" for a in ids for m in by_article[a]]
    fine = [tuple(m.fine_roles) for a in ids for m in by_article[a]]
    groups = [a for a in ids for _ in by_article[a]]
    scored = [True] * len(main)
    # Other languages' mentions, read by the same (English) encoder, add training rows only:
    # cross-validation still scores the main language alone.
    for extra in role_extra_langs:
        other = load_semeval2025(data_dir, extra, "train")
        oids = sorted({m.article_id for m in other.mentions})
        oby = {a: [m for m in other.mentions if m.article_id == a] for a in oids}
        _, orows = gold_mention_features(
            [other.articles[a].text for a in oids], [[(m.start, m.end) for m in oby[a]] for a in oids], blocks=ROLE_BLOCKS
        )
        blocks.extend(r for r in orows if len(r))
        main += [m.main_role or "" for a in oids for m in oby[a]]
        fine += [tuple(m.fine_roles) for a in oids for m in oby[a]]
        groups += [a for a in oids for _ in oby[a]]
        scored += [False] * sum(len(oby[a]) for a in oids)
    summary["roles"] = train_roles(
        np.concatenate(blocks), main, fine, roles_out or DEFAULT_ROLES_DIR,
        groups=groups, scored=np.array(scored), languages=[lang.upper(), *(x.upper() for x in role_extra_langs)],
    )  # fmt: skip
    summary["seconds"] = round(time.time() - started, 1)
    return summary


def train_roles_only(
    data_dir: Path | str | None = None,
    lang: str = "en",
    out_dir: Path | str = DEFAULT_ROLES_DIR,
    *,
    rows: np.ndarray | None = None,
) -> dict[str, Any]:
    """``spinscope train --task roles``: the role heads alone, on ``lang`` train (narratives untouched).

    Every block set of :data:`ROLE_BLOCK_SETS` is cross-validated (C,
    second-role ratio, Antagonist bias); of those within
    :data:`CONTEXT_TOLERANCE` of the best score (exact match plus main-role
    accuracy), the one reading the most context is fitted on every mention
    and saved. ``rows``: the
    mentions' features over all :data:`~spinscope.entities.roles.BLOCKS`, in
    the loader's order, when already computed (they are encoded otherwise).
    """
    from spinscope.datasets.semeval2025 import load_semeval2025
    from spinscope.entities.roles import BLOCKS

    started = time.time()
    ds = load_semeval2025(data_dir, lang, "train")
    ids = sorted({m.article_id for m in ds.mentions})
    by_article = {a: [m for m in ds.mentions if m.article_id == a] for a in ids}
    if rows is None:
        _, per_article = gold_mention_features(
            [ds.articles[a].text for a in ids], [[(m.start, m.end) for m in by_article[a]] for a in ids], blocks=BLOCKS
        )
        rows = np.concatenate(per_article)
    main = [m.main_role or "" for a in ids for m in by_article[a]]
    fine = [tuple(m.fine_roles) for a in ids for m in by_article[a]]
    groups = [a for a in ids for _ in by_article[a]]
    compared = {}
    for blocks in ROLE_BLOCK_SETS:
        cols = np.concatenate([np.arange(BLOCKS.index(b) * BLOCK, (BLOCKS.index(b) + 1) * BLOCK) for b in blocks])
        cv = _cv_pick(rows[:, cols], main, fine, groups, np.ones(len(main), dtype=bool), biases=ANTAGONIST_BIASES)
        compared[" | ".join(blocks)] = (cv["best"], blocks, cols)
    def score(k: str) -> float:
        return float(compared[k][0]["exact_match_ratio"] + compared[k][0]["main_role_accuracy"])

    # Roles should come from how the article treats an entity, not from its name (issue 20), and
    # 686 mentions cannot rank block sets finer than a few hundredths: among the sets within
    # CONTEXT_TOLERANCE of the best score, the one that reads the most context blocks wins.
    top = max(score(k) for k in compared)
    near = [k for k in compared if score(k) >= top - CONTEXT_TOLERANCE]
    name = max(near, key=lambda k: (sum(b in ("left", "right") for b in compared[k][1]), score(k)))
    _, blocks, cols = compared[name]
    summary = train_roles(rows[:, cols], main, fine, out_dir, groups=groups, languages=[lang.upper()], blocks=blocks)
    summary["block_sets"] = {k: v[0] for k, v in compared.items()}
    model_json = Path(out_dir) / "roles.json"
    config = json.loads(model_json.read_text(encoding="utf-8"))
    config["meta"]["cv"]["block_sets"] = summary["block_sets"]
    model_json.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    return {**summary, "seconds": round(time.time() - started, 1)}


def train_accurate_roles(
    data_dir: Path | str | None = None, lang: str = "en", out_dir: Path | str = ACCURATE_ROLES_DIR
) -> dict[str, Any]:
    """``spinscope train --task roles --accurate``: the accurate heads over all-mpnet-base-v2 mention windows.

    Reads :data:`~spinscope.entities.roles.ACCURATE_BLOCKS` for every
    ``lang`` train mention (needs ``spinscope[accurate]``), picks C, the
    second-role ratio and the Antagonist bias by the same article-grouped
    cross-validation as the default heads, fits on every mention and saves.
    """
    from spinscope.datasets.semeval2025 import load_semeval2025
    from spinscope.entities.accurate import default_mention_encoder

    started = time.time()
    ds = load_semeval2025(data_dir, lang, "train")
    ids = sorted({m.article_id for m in ds.mentions})
    by_article = {a: [m for m in ds.mentions if m.article_id == a] for a in ids}
    per_article = default_mention_encoder().features_many(
        [ds.articles[a].text for a in ids], [[(m.start, m.end) for m in by_article[a]] for a in ids]
    )
    rows = role_features(ACCURATE_BLOCKS, {
        "mpnet_mention": np.concatenate([r[:, :768] for r in per_article]),
        "mpnet_masked": np.concatenate([r[:, 768:] for r in per_article]),
    })  # fmt: skip
    main = [m.main_role or "" for a in ids for m in by_article[a]]
    fine = [tuple(m.fine_roles) for a in ids for m in by_article[a]]
    groups = [a for a in ids for _ in by_article[a]]
    summary = train_roles(rows, main, fine, out_dir, groups=groups, languages=[lang.upper()], blocks=ACCURATE_BLOCKS)
    return {**summary, "seconds": round(time.time() - started, 1)}


def run_official_subtask1_scorer(gold: Path, pred: Path, scorers_dir: Path, *, timeout_s: float = 300.0) -> dict[str, Any]:
    """The organisers' ``subtask1_scorer.py`` on ``pred``: EMR, micro P/R/F1 and main-role accuracy."""
    cmd = [sys.executable, str(scorers_dir / "subtask1_scorer.py"), "-g", str(gold), "-p", str(pred)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, check=False, cwd=pred.parent)
    for line in reversed(proc.stdout.splitlines()):
        fields = line.split("\t")
        if len(fields) == 5:
            try:
                emr, p, r, f1, acc = (float(x) for x in fields)
            except ValueError:
                continue
            return {"exact_match_ratio": emr, "micro_precision": p, "micro_recall": r, "micro_f1": f1,
                    "main_role_accuracy": acc, "output": ""}  # fmt: skip
    return {"exact_match_ratio": None, "main_role_accuracy": None, "output": (proc.stdout + proc.stderr)[-2000:]}


def evaluate_roles(
    data_dir: Path | str | None = None,
    lang: str = "en",
    split: str = "dev",
    model_dir: Path | str | None = None,
    out_dir: Path | str = Path("runs/roles"),
    *,
    pipe: Callable[[list[Document]], Iterable[Analysis]],
) -> dict[str, Any]:
    """Subtask 1 on a split: gold mentions (ours and the official scorer) and end to end.

    ``pipe`` analyses Documents for the end-to-end score: a pipeline's
    ``pipe`` (``spinscope.load().pipe``), passed in by the caller because
    the pipeline sits above this module.
    """
    from spinscope.datasets._common import dataset_root
    from spinscope.datasets.semeval2025 import DATASET, load_semeval2025
    from spinscope.entities import find_entities

    started = time.time()
    root = dataset_root(data_dir, DATASET, "scorers").resolve()  # the scorers run in another directory
    ds = load_semeval2025(data_dir, lang, split)
    model = RoleModel.load(model_dir)
    gold_file = root / split / ds.lang / "subtask-1-annotations.txt"
    ids = sorted({m.article_id for m in ds.mentions})
    by_article = {a: [m for m in ds.mentions if m.article_id == a] for a in ids}
    texts = [ds.articles[a].text for a in ids]
    _, rows = gold_mention_features(texts, [[(m.start, m.end) for m in by_article[a]] for a in ids], blocks=model.blocks)
    preds = {}
    for a, X in zip(ids, rows, strict=True):
        for m, p in zip(by_article[a], model.predict(X), strict=True):
            preds[m] = p

    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    pred_file = out / f"{lang.lower()}-{split}-subtask-1.txt"
    # The official key is (file, mention, start, end) as the gold file writes them: copy those fields.
    with pred_file.open("w", encoding="utf-8", newline="\n") as fh:
        for line in gold_file.read_text(encoding="utf-8").splitlines():
            f = line.rstrip("\r").split("\t")
            if len(f) < 5:
                continue
            aid, start = f[0].removesuffix(".txt"), int(f[2])
            gold = next((x for x in by_article.get(aid, []) if x.start == start and x.mention == f[1]), None)
            if gold is None:
                gold = next(x for x in by_article.get(aid, []) if x.start == start)
            p = preds[gold]
            fh.write("\t".join([f[0], f[1], f[2], f[3], p.main_role, *p.fine_roles]) + "\n")

    gold_pairs = [(m.main_role or "", m.fine_roles) for a in ids for m in by_article[a]]
    ours = role_scores(gold_pairs, [(preds[m].main_role, preds[m].fine_roles) for a in ids for m in by_article[a]])
    official = run_official_subtask1_scorer(gold_file, pred_file, root / "scorers")
    agree = official["exact_match_ratio"] is not None and all(
        abs(round(ours[k], 4) - official[k]) < 1e-4 for k in ("exact_match_ratio", "main_role_accuracy")
    )

    # End to end: our mentions, our entities, our roles.
    found: list[tuple[str, tuple[str, ...]] | None] = []
    n_found = 0
    from spinscope.ingest import document_from_text

    docs = [document_from_text(t, name=a, layout="lines", title_line=True) for a, t in zip(ids, texts, strict=True)]
    for a, doc, analysis in zip(ids, docs, pipe(docs), strict=True):
        ours_m = [
            (doc.to_source(m.start, m.end), m)
            for e in (analysis.entities or [])
            for m in e.mentions
        ]
        for g in by_article[a]:
            hit = next(
                (m for (s, e), m in ours_m if s < g.end and g.start < e),
                None,
            )
            if hit is None or hit.role is None:
                found.append(None)
            else:
                n_found += 1
                found.append((hit.role.main_role, hit.role.fine_roles))
    end_to_end = {**role_scores(gold_pairs, found), "gold_mentions_found": n_found}
    del find_entities  # imported to fail early if the NER pipeline is missing

    majority = max(FINE_BY_MAIN, key=lambda r: sum(g[0] == r for g in gold_pairs))
    metrics: dict[str, Any] = {
        "dataset": "semeval2025-task10",
        "lang": lang.lower(),
        "split": split,
        "articles": len(ids),
        "mentions": len(gold_pairs),
        "gold_mentions": {"ours": ours, "official": {k: v for k, v in official.items() if k != "output"}, "agree": agree},
        "end_to_end": end_to_end,
        "majority_main_role": {
            "role": majority,
            "accuracy": sum(g[0] == majority for g in gold_pairs) / max(len(gold_pairs), 1),
        },
        "model_training": model.meta,
        "files": {"subtask1": pred_file.name},
        "seconds": round(time.time() - started, 1),
    }
    if official.get("output"):
        metrics["official_output"] = official["output"]
    (out / "roles-metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    return metrics

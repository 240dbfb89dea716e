"""PTC (SemEval-2020 Task 11, Propaganda Techniques Corpus v2): propaganda spans, 14 labels.

Layout (``ptc-semeval2020-task11/``): ``{train,dev,test}-articles/article<ID>.txt``;
gold ``{train,dev}-task-flc-tc.labels`` (``id<TAB>technique<TAB>start<TAB>end``)
and ``{train,dev}-task-si.labels`` (``id<TAB>start<TAB>end``), repeated per
article in ``{split}-labels-task-{flc-tc,si}/``; test has articles and
``test-task-tc-template.out`` (spans to classify, technique ``?``).

What the checks found: offsets are code points with the end exclusive, as the
corpus README says; no article has CRLF; the per-article label files hold
exactly the rows of the merged files (both are read and compared); labels
contain commas (``Name_Calling,Labeling``), so they are never split. As the
v2 README promises, no span starts or ends with a space, newline or
``.,:;``; but spans may cross lines (244 in train), and 14 train and 1 dev
articles have no span. The label set has no list file: it is the 14 names
below (the README's 18 techniques after its merges).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from spinscope.datasets._common import (
    Article,
    Code,
    GoldSpan,
    LoadReport,
    closest_label,
    dataset_root,
    list_articles,
    note_text_quirks,
    parse_offsets,
    read_rows,
    read_text,
    where,
)
from spinscope.errors import DatasetError

__all__ = ["PTC", "PTC_TECHNIQUES", "load_ptc"]

DATASET = "ptc-semeval2020-task11"
SPLITS = ("train", "dev", "test")
PTC_TECHNIQUES = (
    "Appeal_to_Authority",
    "Appeal_to_fear-prejudice",
    "Bandwagon,Reductio_ad_hitlerum",
    "Black-and-White_Fallacy",
    "Causal_Oversimplification",
    "Doubt",
    "Exaggeration,Minimisation",
    "Flag-Waving",
    "Loaded_Language",
    "Name_Calling,Labeling",
    "Repetition",
    "Slogans",
    "Thought-terminating_Cliches",
    "Whataboutism,Straw_Men,Red_Herring",
)


@dataclass(frozen=True)
class PTC:
    """One split of PTC. ``si_spans`` carry the label ``"propaganda"``; ``tc_template`` the label ``"?"``."""

    split: str
    articles: Mapping[str, Article]
    spans: tuple[GoldSpan, ...]  # task FLC/TC
    si_spans: tuple[GoldSpan, ...]  # task SI
    tc_template: tuple[GoldSpan, ...]  # test: spans to classify
    report: LoadReport


def load_ptc(data_dir: Path | str | None, split: str = "train", *, strict: bool = False) -> PTC:
    """Load and validate one split (``train``, ``dev``, or ``test`` = articles and TC template).

    Raises :class:`DatasetError` for missing files and, with ``strict=True``, for any warning.
    """
    root = dataset_root(data_dir, DATASET, "train-articles")
    if split not in SPLITS:
        raise DatasetError(Code.ARGUMENT, split, f"unknown split; expected one of {', '.join(SPLITS)}")
    report = LoadReport(strict=strict)
    paths = list_articles(root / f"{split}-articles", report)
    articles = {aid: Article(aid, p, read_text(p)) for aid, p in paths.items()}
    note_text_quirks(articles.values(), report)
    report.counts["articles"] = len(articles)
    if split == "test":
        template = _rows(root / "test-task-tc-template.out", articles, report, labelled=True, known=("?",))
        report.counts["tc_template"] = len(template)
        return PTC(split, articles, (), (), template, report)

    spans = _rows(root / f"{split}-task-flc-tc.labels", articles, report, labelled=True)
    si = _rows(root / f"{split}-task-si.labels", articles, report, labelled=False)
    _compare(root / f"{split}-labels-task-flc-tc", spans, articles, report, labelled=True)
    _compare(root / f"{split}-labels-task-si", si, articles, report, labelled=False)
    unlabelled = sorted(set(articles) - {s.article_id for s in spans})
    if unlabelled:
        report.note(f"{split}-articles/", f"{len(unlabelled)} articles have no span (e.g. {unlabelled[0]})")
    report.counts["spans"] = len(spans)
    report.counts["si_spans"] = len(si)
    return PTC(split, articles, spans, si, (), report)


def _rows(
    path: Path,
    articles: Mapping[str, Article],
    report: LoadReport,
    *,
    labelled: bool,
    known: tuple[str, ...] = PTC_TECHNIQUES,
) -> tuple[GoldSpan, ...]:
    """Validate every row of a labels file; bad rows are warned about and skipped."""
    out: list[GoldSpan] = []
    seen: set[tuple[str, str, int, int]] = set()
    for number, fields in read_rows(path, report, 4 if labelled else 3):
        at = where(path, number)
        aid = fields[0].strip()
        label = fields[1] if labelled else "propaganda"
        if aid not in articles:
            report.warn(Code.ARTICLE, at, f"article {aid!r} is not in the article folder; skipped")
            continue
        if labelled and label not in known:
            near = closest_label(label, known)
            report.warn(
                Code.LABEL, at, f"technique {label!r} is not a PTC label (closest: {near!r}); skipped"
            )
            continue
        offsets = parse_offsets(report, at, fields[-2], fields[-1], length=len(articles[aid].text))
        if offsets is None:
            continue
        key = (aid, label, *offsets)
        # Task TC lists the same span once per technique, so only identical rows are duplicates.
        if key in seen and label != "?":
            report.warn(Code.DUPLICATE, at, f"row repeats an earlier one ({label} {offsets}); skipped")
            continue
        seen.add(key)
        out.append(GoldSpan(aid, label, offsets[0], offsets[1], at))
    return tuple(out)


_PER_ARTICLE = re.compile(r"article(\d+)\.task-(?:flc-tc|si)\.labels")


def _compare(
    folder: Path,
    merged: tuple[GoldSpan, ...],
    articles: Mapping[str, Article],
    report: LoadReport,
    *,
    labelled: bool,
) -> None:
    """The per-article label files must hold exactly the merged file's rows."""
    if not folder.is_dir():
        report.note(str(folder.name), "no per-article label folder; merged file used alone")
        return
    rows: Counter[tuple[str, str, int, int]] = Counter()
    quiet = LoadReport()  # row problems are reported once, from the merged file
    for aid, path in list_articles(folder, report, pattern=_PER_ARTICLE).items():
        for span in _rows(path, articles, quiet, labelled=labelled):
            if span.article_id != aid:
                report.warn(
                    Code.ARTICLE, span.where, f"row names article {span.article_id} in the file of {aid}"
                )
            rows[(span.article_id, span.label, span.start, span.end)] += 1
    mine = Counter((s.article_id, s.label, s.start, s.end) for s in merged)
    for key in sorted((rows - mine) + (mine - rows)):
        side = "per-article files" if rows[key] > mine[key] else "merged file"
        report.warn(
            Code.MISMATCH,
            f"{folder.name}/article{key[0]}",
            f"span {key[1]} [{key[2]}, {key[3]}) only in the {side}",
        )

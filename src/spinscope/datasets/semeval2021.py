"""SemEval-2021 Task 6: persuasion techniques in meme texts (20 labels).

Layout (``semeval2021-task6/``): JSON lists ``{training,dev,test}_set_task1.txt``
(``id``, ``text``, ``labels``: technique names) and ``..._task2.txt`` (``labels``:
``start``, ``end``, ``technique``, ``text_fragment``); the label list is
``techniques_list_task1-2.txt``. Each meme text becomes an :class:`Article`
whose ``path`` is the task-2 file.

What the checks found: offsets are code points with the end **exclusive**:
``text[start:end] == text_fragment`` for all 1,498 training and 182 dev
spans. The test file has 5 spans that do not match: 720_batch_2 (two spans
one character early), 500_batch_2 (the end one short, i.e. inclusive) and
790_batch_2 (two spans whose fragment keeps a zero-width space the text no
longer has). Each is realigned to the fragment's nearest occurrence within
three characters, ignoring invisible characters (a warning), or skipped
with a warning when there is none. Task 1 and
task 2 files hold the same texts, and task-1 labels equal the set of task-2
techniques for every meme; both are checked. Texts have no CR.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spinscope.datasets._common import (
    Article,
    Code,
    GoldSpan,
    LoadReport,
    closest_label,
    dataset_root,
    read_label_list,
    read_text,
    realign,
    where,
)
from spinscope.errors import DatasetError

__all__ = ["SemEval2021", "load_semeval2021"]

DATASET = "semeval2021-task6"
_SPLIT_FILE = {"train": "training", "training": "training", "dev": "dev", "test": "test"}


@dataclass(frozen=True)
class SemEval2021:
    """One split: meme texts, their task-1 labels and task-2 spans."""

    split: str
    articles: Mapping[str, Article]
    labels: Mapping[str, tuple[str, ...]]  # task 1
    spans: tuple[GoldSpan, ...]  # task 2
    techniques: tuple[str, ...]
    report: LoadReport


def load_semeval2021(
    data_dir: Path | str | None, split: str = "train", *, strict: bool = False
) -> SemEval2021:
    """Load and validate one split (``train``/``training``, ``dev``, ``test``; all have gold).

    Raises :class:`DatasetError` for missing or non-JSON files and, with ``strict=True``, for any warning.
    """
    root = dataset_root(data_dir, DATASET, "techniques_list_task1-2.txt")
    if split not in _SPLIT_FILE:
        raise DatasetError(Code.ARGUMENT, split, "unknown split; expected train, dev or test")
    name = _SPLIT_FILE[split]
    report = LoadReport(strict=strict)
    techniques = read_label_list(root / "techniques_list_task1-2.txt")
    path2 = root / f"{name}_set_task2.txt"
    path1 = root / f"{name}_set_task1.txt"
    articles: dict[str, Article] = {}
    spans: list[GoldSpan] = []
    for item, at in _items(path2, report):
        aid, text = item["id"], item["text"]
        if aid in articles:
            report.warn(Code.DUPLICATE, at, f"meme id {aid!r} appears twice; skipped")
            continue
        articles[aid] = Article(aid, path2, text)
        spans.extend(_spans(item, at, techniques, report))
    labels: dict[str, tuple[str, ...]] = {}
    for item, at in _items(path1, report):
        aid = item["id"]
        if aid not in articles:
            report.warn(Code.MISMATCH, at, f"meme {aid!r} is not in {path2.name}; skipped")
            continue
        if item["text"] != articles[aid].text:
            report.warn(Code.MISMATCH, at, f"text of meme {aid!r} differs from {path2.name}; kept task 2's")
        good = []
        for label in item["labels"]:
            if label in techniques:
                good.append(label)
            else:
                near = closest_label(label, techniques)
                report.warn(
                    Code.LABEL, at, f"technique {label!r} is not in the list (closest {near!r}); dropped"
                )
        labels[aid] = tuple(dict.fromkeys(good))
        from_spans = {s.label for s in spans if s.article_id == aid}
        if set(labels[aid]) != from_spans:
            report.note(
                at, f"task-1 labels of meme {aid!r} differ from its task-2 techniques", code=Code.MISMATCH
            )
    report.counts["memes"] = len(articles)
    report.counts["spans"] = len(spans)
    return SemEval2021(name, articles, labels, tuple(spans), techniques, report)


def _items(path: Path, report: LoadReport) -> list[tuple[dict[str, Any], str]]:
    """The JSON list's items that have the expected keys, each with ``file:line`` of its ``id``."""
    raw = read_text(path)
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise DatasetError(Code.DECODE, where(path, exc.lineno), f"invalid JSON: {exc.msg}") from exc
    if not isinstance(data, list):
        raise DatasetError(Code.DECODE, where(path), "expected a JSON list of memes")
    # json keeps no positions; the i-th top-level "id" key is the i-th item's.
    id_lines = [raw.count("\n", 0, m.start()) + 1 for m in re.finditer(r'"id"\s*:', raw)]
    out = []
    for i, item in enumerate(data):
        line = id_lines[i] if len(id_lines) == len(data) else None
        at = where(path, line) if line else f"{where(path)} item {i}"
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("id"), str)
            or not isinstance(item.get("text"), str)
        ):
            report.warn(Code.COLUMNS, at, "item lacks a string 'id' or 'text'; skipped")
            continue
        if not isinstance(item.get("labels"), list):
            report.warn(Code.COLUMNS, at, f"meme {item['id']!r} has no 'labels' list; skipped")
            continue
        if "\r" in item["text"]:
            report.note(at, f"meme {item['id']!r} has CR characters; kept (offsets count them)")
        out.append((item, at))
    return out


def _spans(item: dict[str, Any], at: str, techniques: tuple[str, ...], report: LoadReport) -> list[GoldSpan]:
    """Task-2 spans of one meme, checked against their ``text_fragment``."""
    text, aid = item["text"], item["id"]
    out: list[GoldSpan] = []
    seen: set[tuple[str, int, int]] = set()
    for k, label in enumerate(item["labels"]):
        here = f"{at} (meme {aid!r} span {k})"
        if not isinstance(label, dict) or not {"start", "end", "technique", "text_fragment"} <= set(label):
            report.warn(Code.COLUMNS, here, "span lacks start/end/technique/text_fragment; skipped")
            continue
        start, end, tech, fragment = label["start"], label["end"], label["technique"], label["text_fragment"]
        if type(start) is not int or type(end) is not int:  # not isinstance: JSON true is a bool, not 1
            report.warn(Code.NUMBER, here, f"offsets {start!r}, {end!r} are not integers; skipped")
            continue
        if tech not in techniques:
            near = closest_label(tech, techniques)
            report.warn(
                Code.LABEL, here, f"technique {tech!r} is not in the list (closest {near!r}); skipped"
            )
            continue
        if not 0 <= start < end <= len(text):
            report.warn(
                Code.RANGE,
                here,
                f"offsets [{start}, {end}) are reversed or outside the text ({len(text)}); skipped",
            )
            continue
        if text[start:end] != fragment:
            fixed = realign(text, fragment, start, end, max_shift=3)
            if fixed is None:
                report.warn(
                    Code.MISMATCH,
                    here,
                    f"text[{start}:{end}] is not the text_fragment and it is not nearby; skipped",
                )
                continue
            report.warn(
                Code.MISMATCH,
                here,
                f"text[{start}:{end}] is not the text_fragment; realigned to [{fixed[0]}, {fixed[1]})",
            )
            report.counts["spans_realigned"] += 1
            start, end = fixed
        if (tech, start, end) in seen:
            report.warn(Code.DUPLICATE, here, f"span {tech} [{start}, {end}) repeats; skipped")
            continue
        seen.add((tech, start, end))
        out.append(GoldSpan(aid, tech, start, end, here))
    return out

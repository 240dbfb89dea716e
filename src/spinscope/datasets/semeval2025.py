"""SemEval-2025 Task 10: entity roles (subtask 1), narratives (2), narrative explanations (3).

Layout (``semeval2025-task10/``): ``train/{L}/raw-documents/*.txt`` with
``subtask-{1,2,3}-annotations.txt``; ``dev/{L}/subtask-{1,2,3}-documents/``
with the inputs ``subtask-1-entity-mentions.txt`` and
``subtask-3-dominant-narratives.txt`` and the gold ``subtask-*-annotations.txt``.
Languages BG, EN, HI, PT, RU. Article ids are the file names without ``.txt``.

What the checks against the texts found (and how each is handled):

* **Subtask-1 end offsets are inclusive.** For every mention row
  ``text[start:end + 1] == mention`` and never ``text[start:end]`` (e.g. en
  train: all 686 rows, once the conventions below are applied); the reader
  stores ``end + 1`` so our records are end-exclusive like everywhere else.
* **The offsets were not counted on the released text for many documents.**
  Per document, the reader tries the conventions of
  :data:`~spinscope.datasets._common.CONVENTIONS` and keeps the first under
  which *every* mention string lands exactly, with a note: code points fit
  most documents; 7 (EN train 3, HI train 2, HI dev 1, BG train 1) count
  emoji as two (UTF-16: the annotation tool was JavaScript); HI train 188 of
  366, RU train 109 of 133, RU dev 24, PT train 71 count every LF twice (as
  if annotated with CRLF); 50 BG train documents count every LF twice except
  the blank line after the title; 2 PT documents (PT_72, PT_276) count one
  extra character per run of line breaks. Where no convention fits every
  mention (none in this release), each row is realigned to the nearest
  occurrence of its mention string (a warning) or skipped (a warning).
* **CRLF.** All dev annotation and input files end lines with CRLF; the ``\\r``
  is stripped before splitting columns (a note per file). One HI dev
  document (HI_143) itself has CRLF endings: its text is kept as on disk and
  its offsets count the ``\\r`` (verified by its mentions). 18 RU train and
  6 RU dev documents start with a BOM, kept and counted.
* Subnarrative labels missing from ``scorers/subtask2_subnarratives.txt``
  (e.g. ``CC: Climate change is beneficial: Temperature increase is
  beneficial``) are reported as warnings and kept.
* Subtask 3 uses ``none`` for "no subnarrative"; it becomes ``None``.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from spinscope.datasets._common import (
    CONVENTIONS,
    Article,
    Code,
    GoldSpan,
    LoadReport,
    convert,
    dataset_root,
    list_articles,
    note_text_quirks,
    read_label_list,
    read_rows,
    read_text,
    realign,
    unit_index,
    where,
)
from spinscope.errors import DatasetError

__all__ = [
    "LANGUAGES",
    "MAIN_ROLES",
    "ROLE_GROUPS",
    "EntityMention",
    "NarrativeExplanation",
    "NarrativeLabels",
    "SemEval2025",
    "load_semeval2025",
]

DATASET = "semeval2025-task10"
LANGUAGES = ("BG", "EN", "HI", "PT", "RU")
SPLITS = ("train", "dev")
MAIN_ROLES = ("Protagonist", "Antagonist", "Innocent")
# Which fine roles belong to which main role (ENTITY-ROLE-TAXONOMY.pdf); the
# scorer lists the same 22 names without the grouping.
ROLE_GROUPS: Mapping[str, tuple[str, ...]] = {
    "Protagonist": ("Guardian", "Martyr", "Peacemaker", "Rebel", "Underdog", "Virtuous"),
    "Antagonist": (
        "Instigator", "Conspirator", "Tyrant", "Foreign Adversary", "Traitor", "Spy",
        "Saboteur", "Corrupt", "Incompetent", "Terrorist", "Deceiver", "Bigot",
    ),
    "Innocent": ("Forgotten", "Exploited", "Victim", "Scapegoat"),
}  # fmt: skip
_TXT = re.compile(r"(.+)\.txt")


@dataclass(frozen=True, slots=True)
class EntityMention:
    """Subtask 1: a mention ``[start, end)`` (end exclusive) and its roles.

    For the dev input file (no gold) ``main_role`` is None and ``fine_roles`` empty.
    """

    article_id: str
    mention: str
    start: int
    end: int
    main_role: str | None
    fine_roles: tuple[str, ...]
    where: str = field(default="", compare=False)

    def span(self) -> GoldSpan:
        """The mention as a :class:`GoldSpan` labelled with its main role."""
        return GoldSpan(self.article_id, self.main_role or "", self.start, self.end, self.where)


@dataclass(frozen=True, slots=True)
class NarrativeLabels:
    """Subtask 2: the narratives and subnarratives of one article (in file order, deduplicated)."""

    article_id: str
    narratives: tuple[str, ...]
    subnarratives: tuple[str, ...]
    where: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class NarrativeExplanation:
    """Subtask 3: dominant narrative, subnarrative (None for ``none``) and explanation (None in inputs)."""

    article_id: str
    narrative: str
    subnarrative: str | None
    explanation: str | None
    where: str = field(default="", compare=False)


@dataclass(frozen=True)
class SemEval2025:
    """One language and split of SemEval-2025 Task 10."""

    lang: str
    split: str
    articles: Mapping[str, Article]
    mentions: tuple[EntityMention, ...]  # subtask 1 gold
    narratives: Mapping[str, NarrativeLabels]  # subtask 2 gold
    explanations: tuple[NarrativeExplanation, ...]  # subtask 3 gold
    mention_inputs: tuple[EntityMention, ...]  # dev: mentions to classify
    dominant_narratives: tuple[NarrativeExplanation, ...]  # dev: subtask-3 inputs
    fine_roles: tuple[str, ...]
    narrative_labels: tuple[str, ...]
    subnarrative_labels: tuple[str, ...]
    report: LoadReport


def load_semeval2025(
    data_dir: Path | str | None, lang: str = "EN", split: str = "train", *, strict: bool = False
) -> SemEval2025:
    """Load and validate one language (``EN``/``en``...) and split (``train``/``dev``).

    Raises :class:`DatasetError` for missing files and, with ``strict=True``, for any warning.
    """
    root = dataset_root(data_dir, DATASET, "scorers")
    code = lang.upper()
    if code not in LANGUAGES:
        raise DatasetError(Code.ARGUMENT, lang, f"unknown language; expected one of {', '.join(LANGUAGES)}")
    if split not in SPLITS:
        raise DatasetError(Code.ARGUMENT, split, f"unknown split; expected one of {', '.join(SPLITS)}")
    report = LoadReport(strict=strict)
    folder = root / split / code
    main_roles, fine_roles = _scorer_roles(root / "scorers" / "subtask1_scorer.py", report)
    narrative_labels = read_label_list(root / "scorers" / "subtask2_narratives.txt")
    subnarrative_labels = read_label_list(root / "scorers" / "subtask2_subnarratives.txt")

    folders = (
        [folder / "raw-documents"]
        if split == "train"
        else [folder / f"subtask-{i}-documents" for i in (1, 2, 3)]
    )
    articles: dict[str, Article] = {}
    for docs in folders:
        for aid, path in list_articles(docs, report, pattern=_TXT).items():
            art = Article(aid, path, read_text(path))
            if aid in articles and articles[aid].text != art.text:
                report.warn(
                    Code.MISMATCH, where(path), f"differs from {where(articles[aid].path)}; kept the first"
                )
                continue
            articles.setdefault(aid, art)
    note_text_quirks(articles.values(), report)
    report.counts["articles"] = len(articles)

    mentions = _mentions(folder / "subtask-1-annotations.txt", articles, main_roles, fine_roles, report)
    narratives = _narratives(
        folder / "subtask-2-annotations.txt", articles, narrative_labels, subnarrative_labels, report
    )
    explanations = _explanations(
        folder / "subtask-3-annotations.txt", articles, narrative_labels, subnarrative_labels, report, 4
    )
    inputs: tuple[EntityMention, ...] = ()
    dominant: tuple[NarrativeExplanation, ...] = ()
    if split == "dev":
        inputs = _mentions(
            folder / "subtask-1-entity-mentions.txt", articles, main_roles, fine_roles, report, gold=False
        )
        dominant = _explanations(
            folder / "subtask-3-dominant-narratives.txt",
            articles,
            narrative_labels,
            subnarrative_labels,
            report,
            3,
        )
        gold_keys = {(m.article_id, m.start, m.end) for m in mentions}
        for m in inputs:
            if (m.article_id, m.start, m.end) not in gold_keys:
                report.warn(Code.MISMATCH, m.where, f"input mention {m.mention!r} has no gold row")
    else:
        for aid in sorted(set(articles) - set(narratives)):
            report.warn(
                Code.MISMATCH,
                where(folder / "subtask-2-annotations.txt"),
                f"article {aid} has no subtask-2 row",
            )
    report.counts["mentions"] = len(mentions)
    return SemEval2025(
        code, split, articles, mentions, narratives, explanations, inputs, dominant,
        fine_roles, narrative_labels, subnarrative_labels, report,
    )  # fmt: skip


def _scorer_roles(path: Path, report: LoadReport) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """MAIN_ROLES and FINE_GRAINED_ROLES read from the official scorer without running it."""
    found: dict[str, tuple[str, ...]] = {}
    tree = ast.parse(read_text(path), filename=str(path))
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
            continue
        target = node.targets[0]
        if isinstance(target, ast.Name) and target.id in ("MAIN_ROLES", "FINE_GRAINED_ROLES"):
            found[target.id] = tuple(ast.literal_eval(node.value))
    if set(found) != {"MAIN_ROLES", "FINE_GRAINED_ROLES"}:
        raise DatasetError(Code.LABEL, where(path), "MAIN_ROLES / FINE_GRAINED_ROLES not found in the scorer")
    grouped = {r for roles in ROLE_GROUPS.values() for r in roles}
    if set(found["FINE_GRAINED_ROLES"]) != grouped or set(found["MAIN_ROLES"]) != set(MAIN_ROLES):
        report.warn(
            Code.LABEL,
            where(path),
            "role lists differ from the taxonomy this reader knows; main/fine consistency unchecked",
        )
    return found["MAIN_ROLES"], found["FINE_GRAINED_ROLES"]


def _mentions(
    path: Path,
    articles: Mapping[str, Article],
    main_roles: tuple[str, ...],
    fine_roles: tuple[str, ...],
    report: LoadReport,
    *,
    gold: bool = True,
) -> tuple[EntityMention, ...]:
    """Subtask-1 rows; offsets converted to end-exclusive code points per document."""
    rows: dict[str, list[tuple[str, str, int, int, str | None, tuple[str, ...]]]] = defaultdict(list)
    seen: set[tuple[str, str, int, int]] = set()
    for number, fields in read_rows(path, report, (6, None) if gold else 4):
        at = where(path, number)
        name, mention, start_s, end_s = fields[:4]
        aid = name.removesuffix(".txt")
        if aid not in articles:
            report.warn(Code.ARTICLE, at, f"document {name!r} is not in the documents folder; skipped")
            continue
        try:
            start, end = int(start_s), int(end_s) + 1  # inclusive end in the file
        except ValueError:
            report.warn(Code.NUMBER, at, f"offsets {start_s!r}, {end_s!r} are not integers; skipped")
            continue
        if start < 0 or end <= start:
            report.warn(Code.RANGE, at, f"offsets [{start_s}, {end_s}] are negative or reversed; skipped")
            continue
        if (aid, mention, start, end) in seen:
            report.warn(
                Code.DUPLICATE, at, f"mention {mention!r} at {start_s} repeats an earlier row; skipped"
            )
            continue
        seen.add((aid, mention, start, end))
        main: str | None = None
        fine: tuple[str, ...] = ()
        if gold:
            main, fine = fields[4].strip(), tuple(dict.fromkeys(f.strip() for f in fields[5:] if f.strip()))
            if main not in main_roles:
                report.warn(
                    Code.LABEL, at, f"main role {main!r} is not one of {', '.join(main_roles)}; skipped"
                )
                continue
            for role in fine:
                if role not in fine_roles:
                    report.warn(Code.LABEL, at, f"fine role {role!r} is not in the scorer's list; dropped")
                elif role not in ROLE_GROUPS.get(main, fine_roles):
                    report.warn(
                        Code.LABEL, at, f"fine role {role!r} belongs to another main role than {main!r}; kept"
                    )
            fine = tuple(r for r in fine if r in fine_roles)
            if not fine:
                report.warn(Code.LABEL, at, "no valid fine-grained role; skipped")
                continue
        rows[aid].append((at, mention, start, end, main, fine))
    out: list[EntityMention] = []
    for aid, items in rows.items():
        out.extend(_align(articles[aid], items, report, quiet=not gold))
    return tuple(out)


def _align(
    art: Article,
    items: list[tuple[str, str, int, int, str | None, tuple[str, ...]]],
    report: LoadReport,
    *,
    quiet: bool = False,
) -> list[EntityMention]:
    """Pick the offset convention every mention confirms; realign or skip the rest.

    ``quiet``: the dev input file repeats the gold mentions, so its (identical)
    convention notes are not repeated.
    """
    text = art.text
    best, best_hits, best_index = "codepoints", -1, list(range(len(text) + 1))
    for convention in CONVENTIONS:
        index = unit_index(text, convention)
        hits = 0
        for _, mention, start, end, *_ in items:
            got = convert(index, start, end)
            hits += got is not None and text[got[0] : got[1]] == mention
        if hits > best_hits:
            best, best_hits, best_index = convention, hits, index
        if hits == len(items):
            break
    if quiet:
        pass
    elif best != "codepoints":
        report.note(
            where(art.path), f"mention offsets follow the {best!r} convention ({_EXPLAIN[best]}); converted"
        )
        report.counts[f"documents_{best}"] += 1
    elif "\r" in text and best_hits == len(items):
        report.note(
            where(art.path), f"offsets count the \\r of its CRLF endings (all {len(items)} mentions verified)"
        )
    out: list[EntityMention] = []
    for at, mention, start, end, main, fine in items:
        got = convert(best_index, start, end)
        if got is None or text[got[0] : got[1]] != mention:
            guess = got[0] if got else min(start, len(text))
            bound = text[:guess].count("\n") + sum(ord(c) > 0xFFFF for c in text[:guess]) + 2
            got = realign(text, mention, guess, guess + len(mention), max_shift=bound)
            if got is None:
                report.warn(
                    Code.MISMATCH,
                    at,
                    f"mention {mention!r} is not at or near offset {start} of {art.id}; skipped",
                )
                continue
            report.warn(
                Code.MISMATCH,
                at,
                f"mention {mention!r} realigned to its nearest occurrence [{got[0]}, {got[1]})",
            )
            report.counts["mentions_realigned"] += 1
        out.append(EntityMention(art.id, mention, got[0], got[1], main, fine, at))
    return out


_EXPLAIN = {
    "utf16": "emoji count as two UTF-16 units",
    "crlf": "every LF counts twice, as if CRLF",
    "crlf-title": "every LF counts twice except the blank line after the title",
    "break+1": "each run of line breaks counts one extra character",
    "utf16+crlf": "UTF-16 units and every LF counted twice",
    "utf16+crlf-title": "UTF-16 units and LFs counted twice except after the title",
    "utf16+break+1": "UTF-16 units and one extra character per line break",
}


def _check_labels(
    at: str, labels: tuple[str, ...], known: tuple[str, ...], kind: str, report: LoadReport
) -> None:
    for label in labels:
        if label not in known:
            report.warn(Code.LABEL, at, f"{kind} {label!r} is missing from the official list; kept")


def _narratives(
    path: Path,
    articles: Mapping[str, Article],
    narratives: tuple[str, ...],
    subs: tuple[str, ...],
    report: LoadReport,
) -> dict[str, NarrativeLabels]:
    """Subtask 2: ``file<TAB>narr1;narr2<TAB>sub1;sub2`` (parallel lists)."""
    out: dict[str, NarrativeLabels] = {}
    for number, (name, narr_s, sub_s) in read_rows(path, report, 3):
        at = where(path, number)
        aid = name.removesuffix(".txt")
        if aid not in articles:
            report.warn(Code.ARTICLE, at, f"document {name!r} is not in the documents folder; skipped")
            continue
        if aid in out:
            report.warn(Code.DUPLICATE, at, f"second row for {name}; skipped")
            continue
        narr = tuple(dict.fromkeys(x.strip() for x in narr_s.split(";") if x.strip()))
        sub = tuple(dict.fromkeys(x.strip() for x in sub_s.split(";") if x.strip()))
        if not narr or not sub:
            report.warn(Code.LABEL, at, "empty narrative or subnarrative list; skipped")
            continue
        _check_labels(at, narr, narratives, "narrative", report)
        _check_labels(at, sub, subs, "subnarrative", report)
        for s in sub:
            if s != "Other" and not any(s.startswith(n + ": ") for n in narr):
                report.warn(
                    Code.MISMATCH, at, f"subnarrative {s!r} does not belong to any narrative of the row; kept"
                )
        out[aid] = NarrativeLabels(aid, narr, sub, at)
    return out


def _explanations(
    path: Path,
    articles: Mapping[str, Article],
    narratives: tuple[str, ...],
    subs: tuple[str, ...],
    report: LoadReport,
    columns: int,
) -> tuple[NarrativeExplanation, ...]:
    """Subtask 3 gold (4 columns, explanation may hold tabs) or the dev input (3 columns)."""
    out: list[NarrativeExplanation] = []
    seen: set[str] = set()
    for number, fields in read_rows(path, report, (columns, None) if columns == 4 else columns):
        at = where(path, number)
        aid = fields[0].removesuffix(".txt")
        if aid not in articles:
            report.warn(Code.ARTICLE, at, f"document {fields[0]!r} is not in the documents folder; skipped")
            continue
        if aid in seen:
            report.warn(Code.DUPLICATE, at, f"second row for {fields[0]}; skipped")
            continue
        seen.add(aid)
        narrative, sub = fields[1].strip(), fields[2].strip()
        _check_labels(at, (narrative,), narratives, "narrative", report)
        if sub != "none":
            _check_labels(at, (sub,), subs, "subnarrative", report)
        explanation = "\t".join(fields[3:]).strip() if columns == 4 else None
        if columns == 4 and not explanation:
            report.warn(Code.LABEL, at, "empty explanation; skipped")
            continue
        out.append(NarrativeExplanation(aid, narrative, None if sub == "none" else sub, explanation, at))
    return tuple(out)

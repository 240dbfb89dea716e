"""SemEval-2023 Task 3: genre (subtask 1), frames (2), persuasion techniques per paragraph (3).

Layout: ``semeval2023-task3/data/{lang}/{split}-articles-subtask-{1,2,3}/article<ID>.txt`` with
label files beside them; the official label lists are ``scorers/techniques_subtask3.txt`` (23)
and ``scorers/frames_subtask2.txt`` (14). Each subtask has its *own* article folder and the
copies differ (a final newline, thin spaces, split membership in fr/ge/it/po/ru), so articles
are kept per subtask and each subtask's labels refer to its own folder.

What the checks found in bundle v4.0 (each point is reported when loading):

* ``en/train-labels-subtask-3.txt`` line 9 reads ``Appeal_to_Fear-Prejudi-čce``: not an
  official label; the closest, ``Appeal_to_Fear-Prejudice``, is what the per-article file
  ``train-labels-subtask-3/article111111111-labels-subtask-3.txt`` has on that line, so it is
  repaired (a warning). An unknown label no per-article file confirms is dropped (a warning).
* fr/ge/it/po/ru *train* label files have more rows than the merged ``.template`` because the
  merged template is the per-article templates concatenated, and where an article (hence its
  template) has no final newline the next article's first row is glued onto its last one
  (``<id><TAB>13<TAB><last paragraph><next id><TAB>1<TAB><next title>``): fr 63, ge 71, it 71,
  po 16, ru 85 lines hold two rows. The reader splits them (each part must equal its line).
* Whitespace-only lines get no label row, like blank lines.
* ``it/`` and ``ru/`` subtask-3 article folders hold macOS ``._article*.txt`` resource forks
  (it 227 + 76, ru 106 + 11): hidden files are skipped with a note.
* Span offsets (``*-labels-subtask-3-spans/``) are code points (a BOM or emoji counts 1), end
  exclusive, in English. Elsewhere two conversions are needed, both made per article:
  (1) in many articles (fr train 102 of 158) each LF counts twice, as if annotated on a CRLF
  copy: converted, span starts land on word starts, which raw offsets mostly do not, and every
  span's technique is then among its paragraph's labels; (2) a span ending at a word that a
  full stop follows is one letter short (``...wor|d.``): no span ends right before a '.' in
  those files, 2,758 do in English; such ends are extended by one (a note per folder).
* A few English articles (dev 820791520) drift by a character after some point: kept, with a
  warning naming the spans file. Spans may cross lines (en train 22). No article has CRLF.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from spinscope.datasets._common import (
    Article,
    Code,
    GoldSpan,
    LoadReport,
    closest_label,
    convert,
    cuts_word,
    dataset_root,
    line_spans,
    list_articles,
    note_text_quirks,
    parse_offsets,
    pick_by_word_starts,
    read_label_list,
    read_rows,
    read_text,
    unit_index,
    where,
    word_char,
)
from spinscope.errors import DatasetError

__all__ = [
    "GENRES",
    "GOLD_LANGUAGES",
    "LANGUAGES",
    "ParagraphLabel",
    "SemEval2023",
    "load_semeval2023",
    "load_semeval2023_articles",
]

DATASET = "semeval2023-task3"
GOLD_LANGUAGES = ("en", "fr", "ge", "it", "po", "ru")
LANGUAGES = (*GOLD_LANGUAGES, "es", "gr", "ka")  # es/gr/ka: test articles only
_ALIASES = {"de": "ge", "pl": "po", "el": "gr"}  # ISO codes users will type
SPLITS = ("train", "dev", "test")
GENRES = ("opinion", "reporting", "satire")
Arts = Mapping[str, Article]  # the articles of one subtask folder, by id


@dataclass(frozen=True, slots=True)
class ParagraphLabel:
    """Subtask 3: the techniques of line ``line`` (1-based) of an article.

    ``start``/``end`` delimit the line in the subtask-3 article text (without
    its newline). ``techniques`` is None for splits without gold (test).
    """

    article_id: str
    line: int
    start: int
    end: int
    techniques: tuple[str, ...] | None
    where: str = field(default="", compare=False)


@dataclass(frozen=True)
class SemEval2023:
    """One language and split; see the module docstring for what was checked."""

    lang: str
    split: str
    articles: Mapping[int, Mapping[str, Article]]  # subtask -> article id -> Article
    genres: Mapping[str, str]  # subtask 1
    frames: Mapping[str, tuple[str, ...]]  # subtask 2
    paragraphs: tuple[ParagraphLabel, ...]  # subtask 3
    spans: tuple[GoldSpan, ...]  # subtask 3 spans, offsets into articles[3]
    techniques: tuple[str, ...]  # official technique list
    frame_labels: tuple[str, ...]  # official frame list
    report: LoadReport

    def article(self, article_id: str, subtask: int = 3) -> Article:
        return self.articles[subtask][article_id]


def load_semeval2023_articles(data_dir: Path | str | None, lang: str, split: str = "test") -> SemEval2023:
    """Articles of all subtasks and the subtask-3 template, no gold: for predicting (e.g. on test)."""
    return load_semeval2023(data_dir, lang, split, gold=False)


def load_semeval2023(
    data_dir: Path | str | None,
    lang: str = "en",
    split: str = "train",
    subtasks: Iterable[int] = (1, 2, 3),
    *,
    gold: bool | None = None,
    strict: bool = False,
) -> SemEval2023:
    """Load and validate one language/split of SemEval-2023 Task 3.

    ``data_dir`` is the shared data folder (or the dataset folder itself; None:
    :func:`~spinscope.datasets.default_data_dir`). ``gold`` None loads gold
    labels where the split has them (not test, not es/gr/ka); False loads
    articles only. Raises :class:`DatasetError` for missing files and, with
    ``strict=True``, for any warning.
    """
    root = dataset_root(data_dir, DATASET, "data")
    code = _ALIASES.get(lang.lower(), lang.lower())
    if code not in LANGUAGES:
        raise DatasetError(Code.ARGUMENT, lang, f"unknown language; expected one of {', '.join(LANGUAGES)}")
    if split not in SPLITS:
        raise DatasetError(Code.ARGUMENT, split, f"unknown split; expected one of {', '.join(SPLITS)}")
    wanted = tuple(sorted(set(subtasks)))
    if not wanted or any(s not in (1, 2, 3) for s in wanted):
        raise DatasetError(Code.ARGUMENT, str(wanted), "subtasks must be among 1, 2, 3")
    folder = root / "data" / code
    report = LoadReport(strict=strict)
    has_gold = (folder / f"{split}-labels-subtask-1.txt").exists()
    if gold is None:
        gold = has_gold
        if not has_gold:
            report.note(f"{code}/{split}", "no gold labels in this split: articles (and template) only")
    elif gold and not has_gold:
        raise DatasetError(Code.ARGUMENT, f"{code}/{split}", "this split has no gold labels")
    scorers = root / "scorers"  # per the readme a shorter list for one language is <list>_<lang>.txt
    techniques, frame_labels = (
        read_label_list(p if (p := scorers / f"{name}_{code}.txt").exists() else scorers / f"{name}.txt")
        for name in ("techniques_subtask3", "frames_subtask2")
    )

    articles: dict[int, dict[str, Article]] = {}
    for sub in wanted:
        paths = list_articles(folder / f"{split}-articles-subtask-{sub}", report)
        articles[sub] = {aid: Article(aid, p, read_text(p)) for aid, p in paths.items()}
        note_text_quirks(articles[sub].values(), report)
        report.counts[f"articles_subtask{sub}"] = len(paths)

    genres: dict[str, str] = {}
    frames: dict[str, tuple[str, ...]] = {}
    paragraphs: tuple[ParagraphLabel, ...] = ()
    spans: tuple[GoldSpan, ...] = ()
    labels = f"{split}-labels-subtask"
    if gold and 1 in wanted:
        by_id = _doc_labels(folder / f"{labels}-1.txt", articles[1], GENRES, report, True)
        genres = {aid: genre for aid, (genre,) in by_id.items()}
    if gold and 2 in wanted:
        frames = _doc_labels(folder / f"{labels}-2.txt", articles[2], frame_labels, report, False)
    if 3 in wanted and gold:
        paragraphs = _paragraph_labels(folder, split, articles[3], techniques, report)
        spans = _spans(folder, split, articles[3], techniques, paragraphs, report)
    elif 3 in wanted:
        paragraphs = tuple(_template(folder / f"{labels}-3.template", articles[3], report).values())
    report.counts["paragraphs"] = len(paragraphs)
    report.counts["spans"] = len(spans)
    return SemEval2023(
        code, split, articles, genres, frames, paragraphs, spans, techniques, frame_labels, report
    )


def _doc_labels(
    path: Path, arts: Arts, known: tuple[str, ...], report: LoadReport, single: bool
) -> dict[str, tuple[str, ...]]:
    """Subtasks 1 and 2: ``id<TAB>label`` or ``id<TAB>L1,L2`` (empty allowed for frames)."""
    out: dict[str, tuple[str, ...]] = {}
    for number, (aid, value) in read_rows(path, report, 2):
        at = where(path, number)
        aid = aid.strip()
        if aid not in arts:
            report.warn(Code.ARTICLE, at, f"article {aid!r} is not in the article folder; skipped")
            continue
        if aid in out:
            report.warn(Code.DUPLICATE, at, f"second row for article {aid}; skipped")
            continue
        labels = []
        for label in filter(None, (x.strip() for x in value.split(","))):
            if label in known:
                labels.append(label)
            else:
                near = closest_label(label, known)
                hint = f" (closest official label: {near!r})" if near else ""
                report.warn(Code.LABEL, at, f"label {label!r} is not an official label{hint}; dropped")
        if single and len(labels) != 1:
            report.warn(Code.LABEL, at, f"expected exactly one label, found {value!r}; skipped")
            continue
        out[aid] = tuple(dict.fromkeys(labels))
    for aid in sorted(set(arts) - set(out)):
        report.warn(Code.MISMATCH, where(path), f"article {aid} has no row")
    return out


def _template_rows(path: Path, arts: Arts, report: LoadReport) -> list[tuple[str, str, str, str]]:
    """Rows ``(where, id, line, text)`` of a ``.template`` file, un-gluing concatenated rows.

    The merged templates were made by concatenating the per-article ones, and
    where an article's template lacks a final newline the next article's first
    row is glued onto its last row: ``7<TAB>13<TAB>Last words.8<TAB>1<TAB>Title of 8``.
    Such a row is split when the glued part starts with a known article id and
    a line number (the first part must then equal that article line exactly).
    """
    rows: list[tuple[str, str, str, str]] = []
    glued: list[str] = []
    for number, (aid, line_s, *rest) in read_rows(path, report, (3, None)):
        at = where(path, number)
        while len(rest) >= 3 and rest[1].isdigit():
            lines = arts[aid].lines() if aid in arts else []
            expected = lines[int(line_s) - 1] if line_s.isdigit() and 0 < int(line_s) <= len(lines) else None
            split = _unglue(rest[0], expected, arts)
            if split is None:
                break
            first, next_id = split
            rows.append((at, aid, line_s, first))
            glued.append(f"{number} ({aid}|{next_id})")
            aid, line_s, rest = next_id, rest[1], rest[2:]
        rows.append((at, aid, line_s, "\t".join(rest)))  # a paragraph may contain tabs
    if glued:
        why = "(the per-article template before had no final newline); split"
        shown = ", ".join(glued[:3]) + (", ..." if len(glued) > 3 else "")
        report.note(
            where(path), f"{len(glued)} lines hold two rows glued {why}: lines {shown}", Code.MISMATCH
        )
        report.counts["template_rows_unglued"] += len(glued)
    return rows


def _unglue(text: str, expected: str | None, arts: Arts) -> tuple[str, str] | None:
    """Split ``<paragraph><next id>`` into its parts when the tail is a known article id.

    Several cuts of the trailing digits may name an article; the one leaving
    exactly the expected paragraph text wins, else the longest id.
    """
    m = re.search(r"\d+$", text)
    if not m:
        return None
    cuts = [
        (text[: m.start() + k], m.group()[k:])
        for k in range(len(m.group()))
        if m.group()[k:] in arts and not m.group()[k:].startswith("0")
    ]
    for first, next_id in cuts:
        if first == expected:
            return first, next_id
    return cuts[0] if cuts else None


def _template(path: Path, arts: Arts, report: LoadReport) -> dict[tuple[str, int], ParagraphLabel]:
    """The rows of a ``.template`` file whose text equals their article line, by ``(id, line)``."""
    if not path.exists():
        report.note(where(path), "no template file; paragraphs not listed")
        return {}
    out = {}
    for at, aid, line_s, text in _template_rows(path, arts, report):
        checked = _check_line(at, aid, line_s, arts, report)
        if checked is None:
            continue
        line, start, end = checked
        if arts[aid].text[start:end] != text:
            report.warn(Code.MISMATCH, at, f"template text differs from article {aid} line {line}; skipped")
            continue
        out[(aid, line)] = ParagraphLabel(aid, line, start, end, None, at)
    return out


def _check_line(
    at: str, aid: str, line_s: str, arts: Arts, report: LoadReport
) -> tuple[int, int, int] | None:
    """Validate an ``id, line`` pair; return ``(line, start, end)`` of the line or None."""
    if aid not in arts:
        report.warn(Code.ARTICLE, at, f"article {aid!r} is not in the article folder; skipped")
        return None
    try:
        line = int(line_s)
    except ValueError:
        report.warn(Code.NUMBER, at, f"line number {line_s!r} is not an integer; skipped")
        return None
    text, lines = arts[aid].text, line_spans(arts[aid].text)
    if not 1 <= line <= len(lines):
        report.warn(Code.RANGE, at, f"line {line} is outside article {aid} ({len(lines)} lines); skipped")
        return None
    start, end = lines[line - 1]
    if not text[start:end].strip():
        report.warn(Code.RANGE, at, f"line {line} of article {aid} is blank; skipped")
        return None
    return line, start, end


def _per_article(folder: Path, suffix: str, report: LoadReport) -> dict[tuple[str, str], tuple[str, str]]:
    """Rows of the per-article files ending in *suffix*: ``(id, line) -> (rest of the row, where)``."""
    out: dict[tuple[str, str], tuple[str, str]] = {}
    if not folder.is_dir():
        return out
    if suffix == ".template" and (hidden := [p.name for p in folder.iterdir() if p.name.startswith(".")]):
        report.note(
            f"{folder.parent.name}/{folder.name}/", f"skipped {len(hidden)} hidden files ({hidden[0]!r}...)"
        )
    for path in sorted(folder.glob(f"article*{suffix}")):
        for number, fields in read_rows(path, report, (3, None)):
            out[(fields[0], fields[1])] = ("\t".join(fields[2:]), where(path, number))
    return out


def _paragraph_labels(
    folder: Path, split: str, arts: Arts, techniques: tuple[str, ...], report: LoadReport
) -> tuple[ParagraphLabel, ...]:
    """Subtask 3 paragraph labels, cross-checked with the per-article files and templates."""
    path = folder / f"{split}-labels-subtask-3.txt"
    per_dir = folder / f"{split}-labels-subtask-3"
    per_labels = _per_article(per_dir, "-labels-subtask-3.txt", report)
    per_template = _per_article(per_dir, ".template", report)
    template_path = folder / f"{split}-labels-subtask-3.template"
    merged_template = _template(template_path, arts, report)
    out: list[ParagraphLabel] = []
    seen: set[tuple[str, int]] = set()
    for number, (aid, line_s, value) in read_rows(path, report, 3):
        at = where(path, number)
        checked = _check_line(at, aid, line_s, arts, report)
        if checked is None:
            continue
        line, start, end = checked
        if (aid, line) in seen:
            report.warn(Code.DUPLICATE, at, f"second row for article {aid} line {line}; skipped")
            continue
        seen.add((aid, line))
        per = per_labels.get((aid, line_s))
        labels = _technique_list(at, value, techniques, per, report)
        if per is not None and set(filter(None, per[0].split(","))) != set(labels):
            report.warn(Code.MISMATCH, at, f"labels differ from {per[1]} ({per[0]!r}); kept these")
        if (aid, line) not in merged_template:
            # A label row without a (matching) merged-template row: fine if the per-article template has it.
            own = per_template.get((aid, line_s))
            if own is not None and own[0] == arts[aid].text[start:end]:
                report.note(at, f"row missing from {template_path.name}; {own[1]} has it", code=Code.MISMATCH)
            else:
                report.warn(Code.MISMATCH, at, "no template row for this line in any template file; kept")
        out.append(ParagraphLabel(aid, line, start, end, labels, at))
    for aid, art in sorted(arts.items()):
        for line, (s, e) in enumerate(line_spans(art.text), 1):
            if (aid, line) not in seen and art.text[s:e].strip():
                report.warn(Code.MISMATCH, where(path), f"article {aid} line {line} has text, no label row")
    return tuple(out)


def _technique_list(
    at: str, value: str, techniques: tuple[str, ...], per: tuple[str, str] | None, report: LoadReport
) -> tuple[str, ...]:
    """Split a comma list, repairing a corrupted label only when the per-article row confirms it."""
    out: list[str] = []
    for label in filter(None, (x.strip() for x in value.split(","))):
        if label in techniques:
            out.append(label)
            continue
        near = closest_label(label, techniques)
        per_row, per_at = per if per is not None else ("", "")
        if near and near in per_row.split(",") and label not in per_row.split(","):
            report.warn(
                Code.LABEL, at, f"corrupted label {label!r} repaired to {near!r} (confirmed by {per_at})"
            )
            report.counts["labels_repaired"] += 1
            out.append(near)
        else:
            hint = f"; the closest, {near!r}, is not confirmed by a per-article file" if near else ""
            report.warn(Code.LABEL, at, f"label {label!r} is not in techniques_subtask3.txt{hint}; dropped")
    return tuple(dict.fromkeys(out))


def _spans(
    folder: Path,
    split: str,
    arts: Arts,
    techniques: tuple[str, ...],
    paragraphs: tuple[ParagraphLabel, ...],
    report: LoadReport,
) -> tuple[GoldSpan, ...]:
    """Subtask-3 spans from the per-article ``-spans`` files, offsets converted per article."""
    span_dir = folder / f"{split}-labels-subtask-3-spans"
    files = list_articles(span_dir, report, pattern=_SPAN_FILE)
    by_line = {(p.article_id, p.line): set(p.techniques or ()) for p in paragraphs}
    out: list[GoldSpan] = []
    before = report.counts["spans_end_extended"]
    for aid, path in files.items():
        if aid not in arts:
            report.warn(Code.ARTICLE, where(path), f"article {aid} is not in the article folder; skipped")
            continue
        rows: list[tuple[str, str, int, int]] = []
        for number, (rid, label, start_s, end_s) in read_rows(path, report, 4):
            at = where(path, number)
            if rid != aid:
                report.warn(
                    Code.ARTICLE, at, f"row names article {rid!r} in the file of article {aid}; skipped"
                )
                continue
            offsets = parse_offsets(report, at, start_s, end_s, length=None)  # range checked once converted
            if offsets is None:
                continue
            if label not in techniques:
                near = closest_label(label, techniques)
                report.warn(
                    Code.LABEL, at, f"label {label!r} is not an official label (closest {near!r}); skipped"
                )
                continue
            rows.append((at, label, *offsets))
        out.extend(_convert_spans(arts[aid], path, rows, by_line, report))
    if extended := report.counts["spans_end_extended"] - before:
        report.note(
            f"{folder.name}/{span_dir.name}/",
            f"{extended} span ends stopped one letter short of a word that a full stop follows "
            "(an off-by-one in these files: no span ends right before a '.'); each was extended by one",
        )
    return tuple(out)


_SPAN_FILE = re.compile(r"article(\d+)-labels-subtask-3\.txt")


def _convert_spans(
    art: Article,
    path: Path,
    rows: list[tuple[str, str, int, int]],
    by_line: Mapping[tuple[str, int], set[str]],
    report: LoadReport,
) -> list[GoldSpan]:
    text = art.text
    # Only spans after the first line can tell the conventions apart (no LF precedes line 1).
    telling = [start for _, _, start, _ in rows if start > text.find("\n") >= 0]
    convention = pick_by_word_starts(text, telling, "crlf")
    index = unit_index(text, convention)
    if convention != "codepoints":
        report.note(where(path), f"offsets count each LF twice (a CRLF copy); {len(rows)} spans converted")
        report.counts["spans_crlf_converted"] += len(rows)
    starts = [s for s, _ in line_spans(text)]
    out: list[GoldSpan] = []
    seen: set[tuple[str, int, int]] = set()
    extended = cut = off_paragraph = 0
    for at, label, start, end in rows:
        converted = convert(index, start, end)
        if converted is None:
            report.warn(
                Code.RANGE, at, f"offsets [{start}, {end}) go beyond the article ({len(text)}); skipped"
            )
            continue
        s, e = converted
        # The off-by-one before a full stop: the end cuts the last letter of a
        # word that a '.' follows. Completing the word is the only reading.
        if e + 1 < len(text) and text[e + 1] == "." and word_char(text[e - 1]) and word_char(text[e]):
            e += 1
            extended += 1
        if (label, s, e) in seen:
            report.warn(Code.DUPLICATE, at, f"span {label} [{s}, {e}) repeats an earlier row; skipped")
            continue
        seen.add((label, s, e))
        if cuts_word(text, s, e):
            cut += 1
        line = bisect_right(starts, s)
        if label not in by_line.get((art.id, line), set()):
            off_paragraph += 1
        out.append(GoldSpan(art.id, label, s, e, at))
    report.counts["spans_end_extended"] += extended
    if cut:
        report.warn(
            Code.RANGE, where(path), f"{cut} of {len(out)} spans start/end inside a word or at a space; kept"
        )
        report.counts["spans_cutting_words"] += cut
    if off_paragraph:
        report.warn(
            Code.MISMATCH, where(path), f"{off_paragraph} spans' techniques not in their line's labels; kept"
        )
        report.counts["spans_off_paragraph"] += off_paragraph
    return out

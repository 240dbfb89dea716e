"""Shared pieces of the dataset readers: records, the load report, line and offset checks.

Every reader follows the same rules:

* Article files are decoded as UTF-8 *exactly* as on disk (no stripping, no
  CRLF conversion, a leading BOM kept as ``U+FEFF``), because gold offsets
  index the raw file.
* Offsets in our records are always ``[start, end)``, end-exclusive, in
  Python code points of :attr:`Article.text`; readers convert where a
  dataset counts differently and say so in the report.
* Each problem is recorded in a :class:`LoadReport` naming ``file:line``.
  A *note* is a documented property of the data that the reader handled
  without guessing (a macOS junk file, CRLF line endings, an offset
  convention verified against the text). A *warning* is a problem in the data
  (corrupt label, bad line, span off the text) that the reader repaired or
  skipped. With ``strict=True`` every warning raises :class:`DatasetError`
  instead; problems that would mis-read data always raise.
"""

from __future__ import annotations

import difflib
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from spinscope.errors import DatasetError

__all__ = [
    "CONVENTIONS",
    "Article",
    "Code",
    "GoldSpan",
    "Issue",
    "LoadReport",
    "closest_label",
    "convert",
    "cuts_word",
    "dataset_root",
    "line_spans",
    "list_articles",
    "note_text_quirks",
    "parse_offsets",
    "pick_by_word_starts",
    "read_label_list",
    "read_rows",
    "read_text",
    "realign",
    "unit_index",
    "where",
    "word_char",
]


class Code:
    """Error codes: the code of a DatasetError, and of the warning it becomes in strict mode."""

    NOTE = "E200"  # notes: documented properties handled without guessing
    MISSING = "E201"  # a file or folder the dataset must have is missing
    DECODE = "E202"  # a file is not UTF-8 / not valid JSON
    COLUMNS = "E203"  # a line has the wrong number of columns or an empty field
    NUMBER = "E204"  # an offset or line number is not an integer
    RANGE = "E205"  # offsets reversed, negative, or beyond the article
    ARTICLE = "E206"  # a row names an article that does not exist
    LABEL = "E207"  # a label that is not in the official list
    DUPLICATE = "E208"  # the same row or key twice
    MISMATCH = "E209"  # two files of the dataset disagree (template, per-article file, fragment)
    ARGUMENT = "E210"  # unknown language or split asked for


Level = Literal["note", "warning"]


@dataclass(frozen=True, slots=True)
class Article:
    """One article file: ``text`` is its content decoded as UTF-8 exactly as on disk."""

    id: str
    path: Path
    text: str

    @property
    def has_crlf(self) -> bool:
        """Whether the file uses CRLF line endings (the ``\\r`` stay in ``text``)."""
        return "\r\n" in self.text

    def lines(self) -> list[str]:
        """The file's lines without their terminators; line ``n`` (1-based) is ``lines()[n - 1]``."""
        return self.text.split("\n")


@dataclass(frozen=True, slots=True)
class GoldSpan:
    """A gold label on ``[start, end)`` of an article's text (end exclusive).

    ``where`` is the ``file:line`` the span came from (not compared).
    """

    article_id: str
    label: str
    start: int
    end: int
    where: str = field(default="", compare=False)

    def text(self, article: Article) -> str:
        return article.text[self.start : self.end]


@dataclass(frozen=True, slots=True)
class Issue:
    """One thing a reader noticed: ``where`` is ``file:line`` (or a path)."""

    level: Level
    code: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.level}: [{self.code}] {self.where}: {self.message}"


class LoadReport:
    """Collects the notes and warnings of one load; in strict mode a warning raises.

    ``counts`` holds tallies the reader chose to keep (rows read, spans
    converted, ...) so callers and tests can compare against published sizes.
    """

    def __init__(self, *, strict: bool = False) -> None:
        self.strict = strict
        self.issues: list[Issue] = []
        self.counts: Counter[str] = Counter()

    def note(self, where: str, message: str, code: str = Code.NOTE) -> None:
        """Record something handled without guessing (never raises)."""
        self.issues.append(Issue("note", code, where, message))

    def warn(self, code: str, where: str, message: str) -> None:
        """Record a data problem that was repaired or skipped; raise it in strict mode."""
        if self.strict:
            raise DatasetError(code, where, message + " (strict mode)")
        self.issues.append(Issue("warning", code, where, message))

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "warning"]

    @property
    def notes(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "note"]

    def find(self, text: str) -> list[Issue]:
        """Issues whose location or message contains *text*."""
        return [i for i in self.issues if text in i.where or text in i.message]

    def summary(self) -> str:
        """One line: how many notes and warnings, by code."""
        by = Counter(f"{i.level} {i.code}" for i in self.issues)
        parts = ", ".join(f"{n} {k}" for k, n in sorted(by.items()))
        return f"{len(self.warnings)} warnings, {len(self.notes)} notes" + (f" ({parts})" if parts else "")

    def __iter__(self) -> Iterator[Issue]:
        return iter(self.issues)

    def __len__(self) -> int:
        return len(self.issues)

    def __repr__(self) -> str:
        return f"LoadReport({self.summary()})"


def where(path: Path, line: int | None = None) -> str:
    """``name:line`` for messages; the dataset folder is implied by the loader."""
    shown = f"{path.parent.name}/{path.name}"
    return f"{shown}:{line}" if line is not None else shown


def read_text(path: Path) -> str:
    """Decode *path* as UTF-8 exactly (BOM and ``\\r`` kept); raise DatasetError if it cannot."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DatasetError(Code.MISSING, str(path), "file not found") from None
    except OSError as exc:
        raise DatasetError(Code.MISSING, str(path), f"cannot read file: {exc.strerror}") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DatasetError(
            Code.DECODE, where(path, line), f"not valid UTF-8 at byte {exc.start}; refusing to guess"
        ) from exc


def read_rows(
    path: Path, report: LoadReport, columns: int | tuple[int, int | None]
) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line_number, fields)`` of a tab-separated file, checking the column count.

    ``columns`` is an exact count or ``(min, max)`` (``max`` None: no limit).
    Blank lines are skipped (files end with one); CRLF endings and a BOM are
    stripped with a note; lines with the wrong column count are warned about
    and skipped.
    """
    text = read_text(path)
    lo, hi = (columns, columns) if isinstance(columns, int) else columns
    if text.startswith("\ufeff"):
        report.note(where(path, 1), "file starts with a byte-order mark; ignored")
        text = text[1:]
    lines = text.split("\n")
    crlf = sum(1 for line in lines if line.endswith("\r"))
    if crlf:
        report.note(
            where(path),
            f"{crlf} of {sum(1 for x in lines if x)} lines end in CRLF; the \\r is stripped before "
            "splitting columns (it is not part of any label)",
        )
        report.counts["crlf_label_lines"] += crlf
    for number, line in enumerate(lines, 1):
        line = line.removesuffix("\r")
        if not line.strip():
            if line:
                report.warn(Code.COLUMNS, where(path, number), "line holds only whitespace; skipped")
            continue
        fields = line.split("\t")
        if len(fields) < lo or (hi is not None and len(fields) > hi):
            want = str(lo) if lo == hi else f"{lo}-{hi}" if hi else f"at least {lo}"
            report.warn(
                Code.COLUMNS,
                where(path, number),
                f"expected {want} tab-separated columns, found {len(fields)}; skipped",
            )
            continue
        yield number, fields


def parse_offsets(
    report: LoadReport, at: str, start: str, end: str, *, length: int | None
) -> tuple[int, int] | None:
    """Parse two end-exclusive offset fields; warn and return None when unusable (None: no length check)."""
    try:
        s, e = int(start.strip()), int(end.strip())
    except ValueError:
        report.warn(Code.NUMBER, at, f"offsets {start!r}, {end!r} are not integers; skipped")
        return None
    if s < 0 or e <= s:
        report.warn(Code.RANGE, at, f"offsets [{start}, {end}] are negative, empty or reversed; skipped")
        return None
    if length is not None and e > length:
        report.warn(
            Code.RANGE, at, f"offsets [{start}, {end}] go beyond the article ({length} characters); skipped"
        )
        return None
    return s, e


def read_label_list(path: Path) -> tuple[str, ...]:
    """An official label list: one label per line, blank lines ignored, order kept."""
    labels = [line.strip().removeprefix("\ufeff") for line in read_text(path).splitlines()]
    return tuple(dict.fromkeys(label for label in labels if label))


def closest_label(label: str, known: Iterable[str]) -> str | None:
    """The known label *label* most likely is a corruption of (difflib), if any is close."""
    match = difflib.get_close_matches(label, list(known), n=1, cutoff=0.75)
    return match[0] if match else None


_ARTICLE_NAME = re.compile(r"article(\d+)\.txt")


def list_articles(
    folder: Path, report: LoadReport, pattern: re.Pattern[str] = _ARTICLE_NAME
) -> dict[str, Path]:
    """Map article id -> path for the files of *folder* whose name matches *pattern*.

    Hidden files (macOS ``._article1.txt`` resource forks, ``.DS_Store``) are
    skipped with a note; other unexpected names with a warning.
    """
    if not folder.is_dir():
        raise DatasetError(Code.MISSING, str(folder), "article folder not found")
    found: dict[str, Path] = {}
    hidden: list[str] = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            hidden.append(path.name)
            continue
        m = pattern.fullmatch(path.name)
        if not m or not path.is_file():
            report.warn(Code.ARTICLE, where(path), "unexpected file in an article folder; skipped")
            continue
        found[m.group(1)] = path
    if hidden:
        junk = sum(1 for name in hidden if name.startswith("._"))
        report.note(
            f"{folder.parent.name}/{folder.name}/",
            f"skipped {len(hidden)} hidden files ({junk} macOS '._' resource-fork junk files"
            f" such as {hidden[0]!r}); they are not articles",
        )
        report.counts["hidden_files_skipped"] += len(hidden)
    return found


def line_spans(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of every line of *text* without its LF (or CRLF); line n is ``[n - 1]``."""
    starts = [0, *(m.end() for m in re.finditer("\n", text))]
    ends = [s - 1 for s in starts[1:]] + [len(text)]
    return [(s, e - (1 if e > s and text[e - 1] == "\r" else 0)) for s, e in zip(starts, ends, strict=True)]


def note_text_quirks(articles: Iterable[Article], report: LoadReport) -> None:
    """Notes for properties of article files that matter to offsets (all kept as on disk)."""
    for art in articles:
        if art.text.startswith("\ufeff"):
            report.note(where(art.path), "starts with a BOM; kept as U+FEFF (offsets count it)")
        if "\r" in art.text:
            report.counts["articles_with_cr"] += 1
            crlf = "CRLF line endings" if "\r\n" in art.text else "CR characters"
            report.note(where(art.path), f"has {crlf}; kept in the text as on disk")


_INVISIBLE = str.maketrans("", "", "\u200b\u200c\u200d\u2060\ufeff\u00ad")


def realign(text: str, fragment: str, start: int, end: int, *, max_shift: int) -> tuple[int, int] | None:
    """Find *fragment* in *text* near ``[start, end)`` when the offsets do not land on it.

    Tries, in order: the nearest exact occurrence within *max_shift* characters
    of *start*; the same ignoring invisible characters (zero-width space, soft
    hyphen, BOM) in the fragment. Returns the new ``[start, end)`` or None.
    Callers report every realignment: it is a repair, verified by the text.
    """
    for needle in dict.fromkeys((fragment, fragment.translate(_INVISIBLE))):
        if not needle:
            continue
        lo = max(0, start - max_shift)
        hits = [m.start() for m in re.finditer(re.escape(needle), text[lo : start + max_shift + len(needle)])]
        if hits:
            best = min((lo + h for h in hits), key=lambda h: (abs(h - start), h))
            return best, best + len(needle)
    return None


def word_char(ch: str) -> bool:
    """A letter, digit or combining mark: a span boundary between two of them cuts a word."""
    return unicodedata.category(ch)[0] in "LNM"


def cuts_word(text: str, start: int, end: int) -> bool:
    """Whether ``[start, end)`` starts or ends inside a word, or at whitespace."""
    if start >= end:
        return True
    if text[start].isspace() or text[end - 1].isspace():
        return True
    if start > 0 and word_char(text[start - 1]) and word_char(text[start]):
        return True
    return end < len(text) and word_char(text[end - 1]) and word_char(text[end])


# -- offset conventions --------------------------------------------------------------
# Annotation tools often counted characters differently from Python: JavaScript
# counts UTF-16 code units (an emoji is 2), and texts annotated on Windows had
# CRLF line endings that the released files no longer have (each LF counted 2).
# A convention maps each character of the released text to how many units the
# tool counted for it; readers pick, per article, the convention the gold
# strings (or, failing those, word boundaries) confirm, and convert.
CONVENTIONS: tuple[str, ...] = (
    "codepoints",  # Python str indices: what our records use
    "utf16",  # astral characters (emoji, some CJK) count 2
    "crlf",  # every LF counts 2, as if the file had CRLF endings
    "crlf-title",  # like crlf, except the blank line after the title counts as written
    "break+1",  # every run of line breaks counts one extra character
    "utf16+crlf",
    "utf16+crlf-title",
    "utf16+break+1",
)


def unit_index(text: str, convention: str) -> list[int]:
    """``index[u]`` = the code point holding unit *u* under *convention*; ``index[-1] == len(text)``."""
    if convention == "codepoints":
        return list(range(len(text) + 1))
    utf16 = "utf16" in convention
    crlf = "crlf" in convention
    title_gap = text.find("\n\n") if convention.endswith("crlf-title") else -2
    extra_per_break = convention.endswith("break+1")
    index: list[int] = []
    for i, ch in enumerate(text):
        width = 1
        if utf16 and ord(ch) > 0xFFFF:
            width = 2
        elif ch == "\n" and not (i and text[i - 1] == "\r"):  # a real CRLF already counts its \r
            last_of_run = i + 1 == len(text) or text[i + 1] != "\n"
            doubled = crlf and i not in (title_gap, title_gap + 1)
            width = 2 if doubled or (extra_per_break and last_of_run) else 1
        index.extend([i] * width)
    index.append(len(text))
    return index


def _word_start(text: str, i: int) -> bool:
    return (
        0 <= i < len(text)
        and not text[i].isspace()
        and not (i > 0 and word_char(text[i - 1]) and word_char(text[i]))
    )


def pick_by_word_starts(text: str, starts: list[int], alternative: str) -> str:
    """``codepoints`` or *alternative*: whichever puts clearly more span *starts* on word starts.

    For datasets that give no fragment text. The alternative must win a clear
    majority (80 %) by a clear margin (30 % of the spans); otherwise the
    offsets are taken as code points: never convert on a coin toss.
    """
    if not starts:
        return "codepoints"
    index = unit_index(text, alternative)
    plain_ok = sum(_word_start(text, s) for s in starts)
    alt_ok = sum(s < len(index) and _word_start(text, index[s]) for s in starts)
    if alt_ok >= 0.8 * len(starts) and alt_ok - plain_ok >= 0.3 * len(starts):
        return alternative
    return "codepoints"


def convert(index: list[int], start: int, end: int) -> tuple[int, int] | None:
    """Map ``[start, end)`` in units to code points; None when beyond the text or reversed."""
    if start < 0 or start > end or end > len(index) - 1:
        return None
    return index[start], index[end]


ENV_VAR = "SPINSCOPE_DATA"


def default_data_dir() -> Path:
    """Where the shared datasets are: ``$SPINSCOPE_DATA``, else ``<repo>/../shared/data``.

    The repository root is looked for from the current directory (it or a
    parent holding ``pyproject.toml``) and from this package's location (a
    source checkout). The first candidate that exists wins; if none does,
    the first candidate is returned anyway so error messages show where the
    data was expected. The returned path may not exist.
    """
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    candidates: list[Path] = []
    cwd = Path.cwd().resolve()
    for base in (cwd, *cwd.parents):
        if (base / "pyproject.toml").exists():
            candidates.append(base.parent / "shared" / "data")
            break
    candidates.append(cwd.parent / "shared" / "data")
    # src/spinscope/datasets/_common.py -> parents[3] is the repository root in a checkout.
    here = Path(__file__).resolve()
    if len(here.parents) > 3:
        candidates.append(here.parents[3].parent / "shared" / "data")
    for path in candidates:
        if path.is_dir():
            return path
    return candidates[0]


def dataset_root(data_dir: Path | str | None, name: str, marker: str) -> Path:
    """The folder of dataset *name*: ``data_dir/name``, or *data_dir* itself if it holds *marker*.

    ``data_dir`` None means :func:`spinscope.datasets.default_data_dir`.
    """
    if data_dir is None:
        data_dir = default_data_dir()
    base = Path(data_dir)
    for candidate in (base / name, base):
        if (candidate / marker).exists():
            return candidate
    raise DatasetError(
        Code.MISSING,
        str(base / name),
        f"dataset not found (looked for {marker!r}; set SPINSCOPE_DATA or pass data_dir)",
    )

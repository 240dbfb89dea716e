"""Readers and writers for the SemEval-2023 Task 3 prediction files, and a runner for the official scorers.

File formats (UTF-8, one record per line, TAB-separated):

=============  =====================================  ==========================================
format         line                                    functions
=============  =====================================  ==========================================
subtask 1      ``id<TAB>label``                        :func:`read_subtask1`, :func:`write_subtask1`
subtask 2      ``id<TAB>F1,F2,...`` (list may be       :func:`read_subtask2`, :func:`write_subtask2`
               empty: ``id<TAB>``)
subtask 3      ``id<TAB>line<TAB>T1,T2,...`` (list     :func:`read_subtask3`, :func:`write_subtask3`
               may be empty: ``id<TAB>line<TAB>`` or
               ``id<TAB>line``)
spans          ``id<TAB>technique<TAB>start<TAB>end``  :func:`read_spans`, :func:`write_spans`
               (character offsets, end exclusive)
=============  =====================================  ==========================================

What the official scorers accept, read from ``scorers/scorer-subtask-{1,2,3}.py``
(their ``_read_csv_input_file`` and ``correct_format``):

* Files are opened as UTF-8 text with universal newlines, so ``\\n``,
  ``\\r\\n`` and ``\\r`` all end a line. A byte-order mark is *not* removed: it
  becomes part of the first id.
* **Subtask 1**: each line is ``rstrip()``-ed and split on TAB; it must give
  exactly two fields (a blank line, or a third field, crashes the scorer).
  Trailing whitespace after the label is therefore harmless.
* **Subtask 2**: the id is everything before the *first* TAB (a line without
  TAB stops the scorer, so a blank line does too). A line that is exactly
  ``id<TAB>`` plus its newline means no frame; otherwise the rest is
  ``rstrip()``-ed and split on commas. Hence ``id<TAB>`` as the *last line
  without a newline* reads as the label ``''`` and the prediction file is
  refused; so are ``id<TAB><spaces>``, ``A,,B``, ``A,`` and ``A, B`` (label
  ``' B'``).
* **Subtask 3**: each line is ``rstrip()``-ed and split on TAB into 2 or 3
  columns; 2 columns (or a trailing TAB, stripped away) mean no technique.
  The key is ``id + "_" + line``, compared as strings.
* Order does not matter (predictions are looked up by id), predicted labels
  must be in the official list, and the set of ids must equal the gold ids.
  A repeated id silently keeps its last line.

Our readers accept a file only if the official scorer reads it the same way,
and reject (with :class:`FormatError`, a :class:`~spinscope.errors.DatasetError`)
what it would refuse, crash on, or read differently from what the file
plainly says: blank lines, a BOM, repeated ids, empty labels, labels or ids
with surrounding whitespace, line numbers or offsets with signs or leading
zeros. Our writers always end every line with ``\\n`` and write empty label
lists as ``id<TAB>`` / ``id<TAB>line<TAB>`` (the gold files' own form), so
their output is accepted by the official scorers and reads back unchanged.

Error codes: ``E510`` unreadable file (missing, not UTF-8, BOM), ``E511``
wrong number of columns or a blank line, ``E512`` a line number or offset that
is not a plain non-negative integer, ``E513`` a span with ``end <= start``,
``E514`` an empty, padded or unknown label, ``E515`` a repeated key, ``E516``
a value the writer cannot write (TAB, comma or newline inside it), ``E517``
(a :class:`~spinscope.errors.ConfigError`) an interpreter that cannot run the
official scorers.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from spinscope.errors import ConfigError, DatasetError
from spinscope.metrics import SpanLabel

__all__ = [
    "FormatError",
    "OfficialScore",
    "format_spans",
    "format_subtask1",
    "format_subtask2",
    "format_subtask3",
    "parse_spans",
    "parse_subtask1",
    "parse_subtask2",
    "parse_subtask3",
    "read_label_list",
    "read_spans",
    "read_subtask1",
    "read_subtask2",
    "read_subtask3",
    "run_official_scorer",
    "write_spans",
    "write_subtask1",
    "write_subtask2",
    "write_subtask3",
]


class FormatError(DatasetError, ValueError):
    """A prediction/label file does not fit its official format, or a value cannot be written."""


class _Code:
    READ = "E510"
    COLUMNS = "E511"
    NUMBER = "E512"
    RANGE = "E513"
    LABEL = "E514"
    DUPLICATE = "E515"
    VALUE = "E516"
    ENVIRONMENT = "E517"


_UINT = re.compile(r"0|[1-9][0-9]*")


# --------------------------------------------------------------------------- reading helpers


def _read(path: Path | str) -> str:
    path = Path(path)
    try:
        # newline=None: the universal newlines of the scorers' open(..., encoding='utf-8')
        with open(path, encoding="utf-8", newline=None) as f:
            return f.read()
    except FileNotFoundError as exc:
        raise FormatError(_Code.READ, str(path), "file not found") from exc
    except IsADirectoryError as exc:
        raise FormatError(_Code.READ, str(path), "is a directory, expected a file") from exc
    except UnicodeDecodeError as exc:
        raise FormatError(
            _Code.READ, str(path), f"not valid UTF-8 ({exc.reason} at byte {exc.start})"
        ) from exc


def _lines(text: str, source: str) -> list[tuple[int, str, bool]]:
    """(line number, line without its newline, whether it had a newline), like ``readlines()``."""
    if text.startswith("\ufeff"):
        raise FormatError(
            _Code.READ,
            source,
            "starts with a byte-order mark, which the official scorer reads as part of the first id",
        )
    out = []
    for i, raw in enumerate(io.StringIO(text, newline=None).readlines(), start=1):
        has_nl = raw.endswith("\n")
        line = raw[:-1] if has_nl else raw
        if not line.strip():
            raise FormatError(_Code.COLUMNS, f"{source}:{i}", "blank line (the official scorer stops on it)")
        out.append((i, line, has_nl))
    return out


def _check_id(value: str, where: str, what: str = "id") -> str:
    if not value:
        raise FormatError(_Code.COLUMNS, where, f"empty {what}")
    if value != value.strip():
        raise FormatError(
            _Code.COLUMNS,
            where,
            f"{what} {value!r} has surrounding whitespace, which the official scorer keeps",
        )
    return value


def _check_label(label: str, where: str, allowed: frozenset[str] | None) -> str:
    if not label:
        raise FormatError(_Code.LABEL, where, "empty label (a doubled, leading or trailing comma?)")
    if label != label.strip():
        raise FormatError(
            _Code.LABEL, where, f"label {label!r} has surrounding whitespace, which the official scorer keeps"
        )
    if allowed is not None and label not in allowed:
        raise FormatError(_Code.LABEL, where, f"unknown label {label!r}")
    return label


def _check_uint(value: str, where: str, what: str) -> int:
    if not _UINT.fullmatch(value):
        raise FormatError(_Code.NUMBER, where, f"{what} {value!r} is not a plain non-negative integer")
    return int(value)


def _label_list(field: str, where: str, allowed: frozenset[str] | None) -> set[str]:
    return {_check_label(label, where, allowed) for label in field.split(",")}


def _allowed(labels: Iterable[str] | None) -> frozenset[str] | None:
    return None if labels is None else frozenset(labels)


def read_label_list(path: Path | str) -> tuple[str, ...]:
    """Read an official label list (``frames_subtask2.txt``, ``techniques_subtask3.txt``): one label a line.

    Trailing whitespace is stripped as the scorers do; a blank line raises,
    because the scorers would count it as a label ``''``.
    """
    source = str(path)
    labels = []
    for i, line, _ in _lines(_read(path), source):
        label = line.rstrip()
        _check_label(label, f"{source}:{i}", None)
        labels.append(label)
    if len(set(labels)) != len(labels):
        raise FormatError(_Code.DUPLICATE, source, "a label is listed twice")
    return tuple(labels)


# --------------------------------------------------------------------------- parsers


def parse_subtask1(
    text: str, labels: Iterable[str] | None = None, *, source: str = "<string>"
) -> dict[str, str]:
    """Parse ``id<TAB>label`` lines into ``{id: label}``; ``labels`` (optional) are the allowed values."""
    allowed = _allowed(labels)
    out: dict[str, str] = {}
    for i, line, _ in _lines(text, source):
        where = f"{source}:{i}"
        fields = line.rstrip().split("\t")
        if len(fields) != 2:
            raise FormatError(_Code.COLUMNS, where, f"expected 2 TAB-separated columns, found {len(fields)}")
        doc_id = _check_id(fields[0], where)
        label = _check_label(fields[1], where, allowed)
        if doc_id in out:
            raise FormatError(
                _Code.DUPLICATE, where, f"id {doc_id} repeated (the official scorer keeps the last)"
            )
        out[doc_id] = label
    return out


def parse_subtask2(
    text: str, labels: Iterable[str] | None = None, *, source: str = "<string>"
) -> dict[str, set[str]]:
    """Parse ``id<TAB>F1,F2`` lines into ``{id: {frames}}`` (``id<TAB>`` → empty set)."""
    allowed = _allowed(labels)
    out: dict[str, set[str]] = {}
    for i, line, has_nl in _lines(text, source):
        where = f"{source}:{i}"
        tab = line.find("\t")
        if tab < 0:
            raise FormatError(_Code.COLUMNS, where, "no TAB between the id and the labels")
        doc_id = _check_id(line[:tab], where)
        rest = line[tab + 1 :]
        if not has_nl and len(rest) <= 1:
            # the scorer tests ``ind == len(line) - 2`` on the raw line, which
            # misreads a last line without newline: 'id<TAB>' becomes the label
            # '' and 'id<TAB>X' no label at all
            raise FormatError(
                _Code.LABEL, where, "last line has no newline, so the official scorer misreads its label list"
            )
        if rest == "":
            frames: set[str] = set()
        else:
            stripped = rest.rstrip()
            if "\t" in stripped:
                raise FormatError(_Code.COLUMNS, where, "more than 2 TAB-separated columns")
            if not stripped:
                raise FormatError(
                    _Code.LABEL,
                    where,
                    "only whitespace after the TAB: the official scorer reads it as label ''",
                )
            frames = _label_list(stripped, where, allowed)
        if doc_id in out:
            raise FormatError(
                _Code.DUPLICATE, where, f"id {doc_id} repeated (the official scorer keeps the last)"
            )
        out[doc_id] = frames
    return out


def parse_subtask3(
    text: str, labels: Iterable[str] | None = None, *, source: str = "<string>"
) -> dict[tuple[str, int], set[str]]:
    """Parse ``id<TAB>line<TAB>T1,T2`` lines into ``{(id, line): {techniques}}``."""
    allowed = _allowed(labels)
    out: dict[tuple[str, int], set[str]] = {}
    for i, line, _ in _lines(text, source):
        where = f"{source}:{i}"
        cols = line.rstrip().split("\t")
        if len(cols) not in (2, 3):
            raise FormatError(
                _Code.COLUMNS, where, f"expected 2 or 3 TAB-separated columns, found {len(cols)}"
            )
        doc_id = _check_id(cols[0], where)
        line_no = _check_uint(cols[1], where, "line number")
        techniques = _label_list(cols[2], where, allowed) if len(cols) == 3 else set()
        key = (doc_id, line_no)
        if key in out:
            raise FormatError(
                _Code.DUPLICATE,
                where,
                f"id {doc_id} line {line_no} repeated (the official scorer keeps the last)",
            )
        out[key] = techniques
    return out


def parse_spans(
    text: str, labels: Iterable[str] | None = None, *, source: str = "<string>"
) -> list[SpanLabel]:
    """Parse ``id<TAB>technique<TAB>start<TAB>end`` lines (end exclusive) into span tuples, in file order."""
    allowed = _allowed(labels)
    out: list[SpanLabel] = []
    for i, line, _ in _lines(text, source):
        where = f"{source}:{i}"
        cols = line.rstrip().split("\t")
        if len(cols) != 4:
            raise FormatError(_Code.COLUMNS, where, f"expected 4 TAB-separated columns, found {len(cols)}")
        doc_id = _check_id(cols[0], where)
        technique = _check_label(cols[1], where, allowed)
        start = _check_uint(cols[2], where, "start offset")
        end = _check_uint(cols[3], where, "end offset")
        if end <= start:
            raise FormatError(_Code.RANGE, where, f"end {end} is not after start {start}")
        out.append((doc_id, technique, start, end))
    return out


# --------------------------------------------------------------------------- readers


def read_subtask1(path: Path | str, labels: Iterable[str] | None = None) -> dict[str, str]:
    """Read a subtask-1 file (gold or predictions): ``{id: genre}``. See :func:`parse_subtask1`."""
    return parse_subtask1(_read(path), labels, source=str(path))


def read_subtask2(path: Path | str, labels: Iterable[str] | None = None) -> dict[str, set[str]]:
    """Read a subtask-2 file: ``{id: {frames}}``. See :func:`parse_subtask2`."""
    return parse_subtask2(_read(path), labels, source=str(path))


def read_subtask3(path: Path | str, labels: Iterable[str] | None = None) -> dict[tuple[str, int], set[str]]:
    """Read a subtask-3 paragraph file: ``{(id, line): {techniques}}``. See :func:`parse_subtask3`."""
    return parse_subtask3(_read(path), labels, source=str(path))


def read_spans(path: Path | str, labels: Iterable[str] | None = None) -> list[SpanLabel]:
    """Read a span file, or every file of a folder of per-article span files (sorted by name).

    Hidden files and macOS ``._*`` files in a folder are skipped.
    """
    path = Path(path)
    if path.is_dir():
        out: list[SpanLabel] = []
        for child in sorted(path.iterdir()):
            if child.name.startswith(".") or not child.is_file():
                continue
            out.extend(parse_spans(_read(child), labels, source=str(child)))
        return out
    return parse_spans(_read(path), labels, source=str(path))


# --------------------------------------------------------------------------- writers


def _plain(value: object, what: str, *, comma_ok: bool = True) -> str:
    if not isinstance(value, str):
        raise FormatError(_Code.VALUE, what, f"must be a string, got {value!r}")
    bad = "\t\n\r" if comma_ok else "\t\n\r,"
    if not value or value != value.strip() or any(c in value for c in bad) or value.splitlines() != [value]:
        raise FormatError(
            _Code.VALUE,
            what,
            f"{value!r} cannot be written: it must be non-empty, unpadded, without TAB, line breaks"
            + ("" if comma_ok else " or commas"),
        )
    return value


def _labels_field(values: Iterable[str], what: str, order: Sequence[str] | None) -> str:
    if isinstance(values, str):
        raise FormatError(_Code.VALUE, what, f"expected a collection of labels, got the string {values!r}")
    labels = {_plain(v, what, comma_ok=False) for v in values}
    if order is not None:
        rank = {label: i for i, label in enumerate(order)}
        unknown = labels - rank.keys()
        if unknown:
            raise FormatError(_Code.LABEL, what, f"unknown label(s) {sorted(unknown)}")
        return ",".join(sorted(labels, key=rank.__getitem__))
    return ",".join(sorted(labels))


def format_subtask1(preds: Mapping[str, str], labels: Sequence[str] | None = None) -> str:
    """``id<TAB>label`` lines, in the mapping's order, each ending in ``\\n``."""
    allowed = _allowed(labels)
    out = []
    for doc_id, label in preds.items():
        what = f"id {doc_id!r}"
        _plain(doc_id, what)
        _plain(label, what)
        if allowed is not None and label not in allowed:
            raise FormatError(_Code.LABEL, what, f"unknown label {label!r}")
        out.append(f"{doc_id}\t{label}\n")
    return "".join(out)


def format_subtask2(preds: Mapping[str, Iterable[str]], labels: Sequence[str] | None = None) -> str:
    """``id<TAB>F1,F2`` lines (``id<TAB>`` for none), in the mapping's order.

    Labels within a line follow ``labels`` when given (unknown ones raise),
    else alphabetical order.
    """
    out = []
    for doc_id, frames in preds.items():
        what = f"id {doc_id!r}"
        _plain(doc_id, what)
        out.append(f"{doc_id}\t{_labels_field(frames, what, labels)}\n")
    return "".join(out)


def format_subtask3(
    preds: Mapping[tuple[str, int], Iterable[str]], labels: Sequence[str] | None = None
) -> str:
    """``id<TAB>line<TAB>T1,T2`` lines (``id<TAB>line<TAB>`` for none), in the mapping's order."""
    out = []
    for key, techniques in preds.items():
        if not isinstance(key, tuple) or len(key) != 2:
            raise FormatError(_Code.VALUE, f"key {key!r}", "keys must be (article id, line number) pairs")
        doc_id, line_no = key
        what = f"id {doc_id!r} line {line_no!r}"
        _plain(doc_id, what)
        if isinstance(line_no, bool) or not isinstance(line_no, int) or line_no < 0:
            raise FormatError(_Code.VALUE, what, "the line number must be a non-negative integer")
        out.append(f"{doc_id}\t{line_no}\t{_labels_field(techniques, what, labels)}\n")
    return "".join(out)


def format_spans(spans: Iterable[SpanLabel], labels: Iterable[str] | None = None) -> str:
    """``id<TAB>technique<TAB>start<TAB>end`` lines, in the given order."""
    allowed = _allowed(labels)
    out = []
    for span in spans:
        what = f"span {span!r}"
        if not isinstance(span, tuple | list) or len(span) != 4:
            raise FormatError(_Code.VALUE, what, "a span must be (doc_id, technique, start, end)")
        doc_id, technique, start, end = span
        _plain(doc_id, what)
        _plain(technique, what)
        if allowed is not None and technique not in allowed:
            raise FormatError(_Code.LABEL, what, f"unknown technique {technique!r}")
        ints = all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end))
        if not ints or start < 0 or end <= start:
            raise FormatError(_Code.RANGE, what, "need integers with 0 <= start < end")
        out.append(f"{doc_id}\t{technique}\t{start}\t{end}\n")
    return "".join(out)


def _write(path: Path | str, text: str) -> Path:
    path = Path(path)
    path.write_text(text, encoding="utf-8", newline="\n")
    return path


def write_subtask1(path: Path | str, preds: Mapping[str, str], labels: Sequence[str] | None = None) -> Path:
    """Write a subtask-1 prediction file; returns its path. See :func:`format_subtask1`."""
    return _write(path, format_subtask1(preds, labels))


def write_subtask2(
    path: Path | str, preds: Mapping[str, Iterable[str]], labels: Sequence[str] | None = None
) -> Path:
    """Write a subtask-2 prediction file; returns its path. See :func:`format_subtask2`."""
    return _write(path, format_subtask2(preds, labels))


def write_subtask3(
    path: Path | str, preds: Mapping[tuple[str, int], Iterable[str]], labels: Sequence[str] | None = None
) -> Path:
    """Write a subtask-3 prediction file; returns its path. See :func:`format_subtask3`."""
    return _write(path, format_subtask3(preds, labels))


def write_spans(path: Path | str, spans: Iterable[SpanLabel], labels: Iterable[str] | None = None) -> Path:
    """Write a span file; returns its path. See :func:`format_spans`."""
    return _write(path, format_spans(spans, labels))


# --------------------------------------------------------------------------- official scorers


@dataclass(frozen=True, slots=True)
class OfficialScore:
    """What an official scorer printed.

    ``primary`` is the official metric (macro-F1 for subtask 1, micro-F1 for
    subtasks 2 and 3), ``secondary`` the other one; both are ``None`` when the
    scorer refused the prediction file (``accepted`` is then False and
    ``output`` holds its messages). ``crashed`` is True when the refusal was
    an uncaught exception (e.g. a blank line in a subtask-1 file) rather than
    one of the scorer's own format checks.
    """

    subtask: int
    primary: float | None
    secondary: float | None
    output: str
    crashed: bool = False

    @property
    def accepted(self) -> bool:
        return self.primary is not None

    @property
    def macro_f1(self) -> float | None:
        return self.primary if self.subtask == 1 else self.secondary

    @property
    def micro_f1(self) -> float | None:
        return self.secondary if self.subtask == 1 else self.primary


_SCORER_LABEL_FILES = {2: "frames_subtask2.txt", 3: "techniques_subtask3.txt"}


def run_official_scorer(
    subtask: int,
    gold: Path | str,
    pred: Path | str,
    scorers_dir: Path | str,
    *,
    label_file: Path | str | None = None,
    python: str = sys.executable,
    timeout_s: float = 300.0,
) -> OfficialScore:
    """Run ``scorer-subtask-<N>.py`` from the SemEval-2023 Task 3 bundle and parse its result.

    The scorers need scikit-learn in the interpreter ``python`` (default: this
    one). They are run as ``python scorer-subtask-N.py -g GOLD -p PRED -o``
    (plus ``-f LABEL_FILE`` for subtasks 2 and 3, default the bundle's
    ``frames_subtask2.txt`` / ``techniques_subtask3.txt``); ``-o`` makes them
    print ``primary<TAB>secondary`` alone on stdout. A refused or crashing
    run returns an :class:`OfficialScore` without numbers. Raises
    :class:`FormatError` if the script is missing and
    :class:`~spinscope.errors.ConfigError` if ``python`` lacks a module the
    scorer imports (scikit-learn).
    """
    if subtask not in (1, 2, 3):
        raise FormatError(_Code.VALUE, "subtask", f"must be 1, 2 or 3, got {subtask!r}")
    scorers = Path(scorers_dir)
    script = scorers / f"scorer-subtask-{subtask}.py"
    if not script.is_file():
        raise FormatError(_Code.READ, str(script), "official scorer not found")
    cmd = [python, str(script), "-g", str(gold), "-p", str(pred), "-o"]
    if subtask in _SCORER_LABEL_FILES:
        cmd += ["-f", str(label_file if label_file is not None else scorers / _SCORER_LABEL_FILES[subtask])]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, check=False)
    output = (proc.stdout + proc.stderr).strip()
    if "ModuleNotFoundError" in proc.stderr:
        raise ConfigError(
            _Code.ENVIRONMENT, python, f"cannot run the official scorer (it needs scikit-learn):\n{output}"
        )
    crashed = "Traceback (most recent call last)" in proc.stderr
    for line in reversed(proc.stdout.splitlines()):
        fields = line.strip().split("\t")
        if len(fields) == 2:
            try:
                first, second = float(fields[0]), float(fields[1])
            except ValueError:
                continue
            return OfficialScore(subtask, first, second, output, crashed)
    return OfficialScore(subtask, None, None, output, crashed)

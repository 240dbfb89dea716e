"""Readers: files, directories, JSONL, stdin, and every kind of bad input."""

from __future__ import annotations

import io
import json
import random
import sys
from pathlib import Path

import pytest

from spinscope import InputError, ReadOptions, read, read_one

ARTICLE = (
    "Rail union calls weekend strike\n\n"
    "The rail workers' union announced a two-day strike on Thursday after talks over staffing collapsed.\n\n"
    "Managers said trains on the coastal line would run every two hours during the walkout.\n"
)


def _write(path: Path, data: bytes | str) -> Path:
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def test_text_file(tmp_path: Path) -> None:
    doc = read_one(_write(tmp_path / "strike.txt", ARTICLE))
    assert doc.id == "strike"
    assert doc.title == "Rail union calls weekend strike"
    assert doc.input_format == "text"
    assert doc.language is not None and doc.language.code == "en"


def test_semeval_article_name_gives_numeric_id(tmp_path: Path) -> None:
    doc = read_one(_write(tmp_path / "article123456.txt", ARTICLE))
    assert doc.id == "123456"


def test_directory_is_recursive_and_skips_hidden_and_junk(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / ".git").mkdir()
    _write(tmp_path / "a.txt", ARTICLE)
    _write(tmp_path / "sub" / "b.txt", ARTICLE.replace("Rail", "Bus"))
    _write(tmp_path / "sub" / "._b.txt", b"\x00\x05Mac junk")
    _write(tmp_path / ".hidden.txt", ARTICLE)
    _write(tmp_path / ".git" / "config.txt", ARTICLE)
    _write(tmp_path / "notes.pdf", b"%PDF-1.4")
    results = list(read([tmp_path]))
    ok = sorted(Path(r.name).name for r in results if r.status == "ok")
    skipped = {Path(r.name).name: r.reason for r in results if r.status == "skipped"}
    assert ok == ["a.txt", "b.txt"]
    assert skipped["._b.txt"] == "macOS resource-fork file"
    assert skipped[".hidden.txt"] == "hidden file"
    assert "not an article file type" in (skipped["notes.pdf"] or "")
    assert "config.txt" not in skipped  # hidden directories are pruned whole...
    assert skipped[".git"] == "hidden directory"  # ...and noted once


def test_jsonl_lines_good_and_bad(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "w1", "title": "Strike ends", "text": "The strike ended on Friday.\n\nTrains run again.",
                    "url": "https://example.org/w1", "source": "Wire", "published": "2026-05-22"}),
        "{not json",
        json.dumps({"title": "no text here"}),
        json.dumps(["a", "list"]),
        "",
        json.dumps({"text": "A second article without a title, long enough to read."}),
    ]
    path = _write(tmp_path / "feed.jsonl", "\n".join(lines) + "\n")
    results = list(read([path]))
    assert [r.status for r in results] == ["ok", "error", "error", "error", "ok"]
    first = results[0].document
    assert first is not None
    assert (first.id, first.title, first.url, first.source, first.published) == (
        "w1", "Strike ends", "https://example.org/w1", "Wire", "2026-05-22")
    assert first.paragraphs[0].kind == "title"
    codes = [r.error.code for r in results if r.error]
    assert codes == ["E120", "E121", "E121"]
    assert results[1].message.startswith("[E120] ") and f"{path}:2" in results[1].message
    assert "'text'" in results[2].message
    assert results[4].document is not None and results[4].document.id == "feed-6"


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = io.TextIOWrapper(io.BytesIO(ARTICLE.encode("utf-8")))
    monkeypatch.setattr(sys, "stdin", fake)
    doc = read_one("-")
    assert doc.origin == "stdin"
    assert doc.title == "Rail union calls weekend strike"


def test_forced_input_format_text_keeps_markup_literal(tmp_path: Path) -> None:
    path = _write(tmp_path / "page.txt", "<p>Hello there, this is a paragraph in angle brackets.</p>\n")
    doc = read_one(path, ReadOptions(input_format="text", detect_language=False))
    assert doc.text.startswith("<p>Hello")


@pytest.mark.parametrize(
    ("content", "code", "words"),
    [
        (b"", "E101", "empty"),
        (b"   \n\n\t\n", "E101", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "E102", "binary"),
        ("Caf\u00e9 au lait et croissants pour tout le monde ce matin.".encode("latin-1"), "E104", "UTF-8"),
    ],
)
def test_bad_files_give_one_clear_line(tmp_path: Path, content: bytes, code: str, words: str) -> None:
    path = _write(tmp_path / "bad.txt", content)
    with pytest.raises(InputError) as exc:
        read_one(path)
    assert exc.value.code == code
    message = exc.value.one_line
    assert "\n" not in message and str(path) in message and words in message


def test_size_cap(tmp_path: Path) -> None:
    path = _write(tmp_path / "huge.txt", ARTICLE * 50)
    with pytest.raises(InputError) as exc:
        read_one(path, ReadOptions(max_bytes=1000))
    assert exc.value.code == "E103"
    assert "cap" in str(exc.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        read_one(tmp_path / "nope.txt")
    assert exc.value.code == "E100"


def test_one_bad_input_does_not_stop_the_batch(tmp_path: Path) -> None:
    good = _write(tmp_path / "good.txt", ARTICLE)
    empty = _write(tmp_path / "empty.txt", b"")
    results = list(read([empty, tmp_path / "missing.txt", good]))
    assert [r.status for r in results] == ["error", "error", "ok"]


def test_ten_thousand_paragraphs_are_read(tmp_path: Path) -> None:
    rng = random.Random(7)
    words = "port ship cargo minister accord patrol harbour customs inspection fee lane vessel talks".split()
    paras = [" ".join(rng.choice(words) for _ in range(14)).capitalize() + "." for _ in range(10_000)]
    path = _write(tmp_path / "long.txt", "Very long report\n\n" + "\n\n".join(paras) + "\n")
    doc = read_one(path, ReadOptions(max_bytes=50_000_000))
    assert len(doc.paragraphs) == 10_001


# -- issue 22: encodings, read_one on a directory, JSONL messages ----------------
@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_files_are_read(tmp_path: Path, codec: str) -> None:
    text = ARTICLE.replace("Thursday", "Thursday in Dörn")
    doc = read_one(_write(tmp_path / "wide.txt", text.encode(codec)))
    assert doc.title == "Rail union calls weekend strike"
    assert "Dörn" in doc.text


def test_binary_with_zero_bytes_is_still_refused(tmp_path: Path) -> None:
    data = bytes(random.Random(3).randrange(256) for _ in range(4000)) + b"\x00" * 50
    with pytest.raises(InputError) as err:
        read_one(_write(tmp_path / "blob.txt", data))
    assert err.value.code == "E102"


def test_encoding_option_decodes_latin1_and_is_checked(tmp_path: Path) -> None:
    path = _write(tmp_path / "old.txt", ARTICLE.replace("union", "unión").encode("latin-1"))
    with pytest.raises(InputError) as err:
        read_one(path)
    assert err.value.code == "E104" and "--encoding" in str(err.value)
    assert "unión" in read_one(path, ReadOptions(encoding="latin-1")).text
    with pytest.raises(InputError) as err:
        read_one(path, ReadOptions(encoding="utf-16"))
    assert err.value.code == "E701"
    with pytest.raises(InputError) as err:
        read_one(path, ReadOptions(encoding="no-such-codec"))
    assert err.value.code == "E700"


def test_encoding_option_beats_a_page_charset(tmp_path: Path) -> None:
    body = "<p>" + ARTICLE.replace("\n\n", "</p><p>").replace("union", "unión") + "</p>"
    page = f'<html><head><meta charset="koi8-r"><title>Strike</title></head><body><article>{body}</article></body></html>'
    doc = read_one(_write(tmp_path / "page.html", page.encode("cp1252")), ReadOptions(encoding="cp1252"))
    assert "unión" in doc.text


def test_read_one_on_a_directory_counts_instead_of_stopping(tmp_path: Path) -> None:
    _write(tmp_path / "a.txt", ARTICLE)
    _write(tmp_path / "b.txt", b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00" * 20)
    with pytest.raises(InputError) as err:
        read_one(tmp_path)
    assert err.value.code == "E702"
    assert "1 article and 1 input that failed" in str(err.value) and "read()" in str(err.value)
    (tmp_path / "b.txt").unlink()
    assert read_one(tmp_path).title == "Rail union calls weekend strike"


def test_jsonl_error_message_reads_once(tmp_path: Path) -> None:
    path = _write(tmp_path / "dump.jsonl", json.dumps({"text": ARTICLE}) + '\n{"text": "unterminated\n')
    results = list(read([path]))
    assert [r.status for r in results] == ["ok", "error"]
    message = results[1].message
    assert "at at" not in message
    assert "Unterminated string starting at column" in message

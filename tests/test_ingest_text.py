"""Normalisation, segmentation, cleaning and Document assembly on hand-written text."""

from __future__ import annotations

import pytest

from spinscope import Document, InputError, document_from_text
from spinscope.document import OffsetMap, Paragraph
from spinscope.ingest.clean import parse_dateline, parse_timestamp
from spinscope.ingest.normalize import normalise
from spinscope.ingest.segment import detect_layout, segment

SEMEVAL_LAYOUT = (
    "Council delays vote on river bridge\n"
    "\n"
    "ARDEN (Valley Post) - The town council postponed its vote on the new river bridge on Tuesday.\n"
    "\n"
    "\n"
    "Members said they needed more time to read the engineers' report.\n"
    "\n"
    "The mayor called the delay \"a sensible pause\".\n"
)


def test_semeval_layout_needs_no_cleaning_and_keeps_line_numbers() -> None:
    doc = document_from_text(SEMEVAL_LAYOUT, detect_language=False)
    assert doc.text == SEMEVAL_LAYOUT.rstrip("\n")
    assert [p.line for p in doc.paragraphs] == [1, 3, 6, 8]
    assert doc.paragraphs[0].kind == "title"
    assert doc.title == "Council delays vote on river bridge"
    assert doc.offset_map.is_identity
    # A span written against the source file lands on the same words.
    start = SEMEVAL_LAYOUT.index("a sensible pause")
    s, e = doc.from_source(start, start + len("a sensible pause"))
    assert doc.text[s:e] == "a sensible pause"


def test_dateline_gives_place_and_outlet_without_changing_text() -> None:
    doc = document_from_text(SEMEVAL_LAYOUT, detect_language=False)
    assert (doc.place, doc.source) == ("ARDEN", "Valley Post")
    assert doc.paragraph_text(1).startswith("ARDEN (Valley Post) - ")
    assert parse_dateline("MOSCOW (Sputnik) - Officials said") == ("MOSCOW", "Sputnik")
    assert parse_dateline("KYIV, Ukraine (AP) — Sirens") == ("KYIV", "AP")
    assert parse_dateline("BREAKING - something happened") is None
    assert parse_dateline("The minister said - quietly") is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("07:14 GMT 11.01.2022 (Updated: 07:24 GMT 11.01.2022)", "2022-01-11T07:14"),
        ("11.01.2022", "2022-01-11"),
        ("Published: March 3, 2026", "2026-03-03"),
        ("2026-03-18T08:00", "2026-03-18T08:00"),
        ("14 February 2026 at 9:30 pm", "2026-02-14T21:30"),
        ("The vote was on 11.01.2022 in the evening.", None),
        ("Subscribe", None),
    ],
)
def test_timestamp_lines(line: str, expected: str | None) -> None:
    assert parse_timestamp(line) == expected


def test_cleaning_drops_boilerplate_timestamps_and_duplicates_but_keeps_text() -> None:
    body = "The port authority reported that cargo volumes rose four percent last year."
    source = (
        "Harbour traffic grows\n\n"
        "07:14 GMT 11.01.2022 (Updated: 07:24 GMT 11.01.2022)\n\n"
        f"{body}\n\n"
        "Analysts expect the trend to continue into the spring season.\n\n"
        "Subscribe to our newsletter!\n\n"
        "Share on Facebook | Twitter | Email\n\n"
        "Follow us on Telegram\n\n"
        f"{body}\n\n"
        f"{body.replace('four', 'four ')}.\n"
    )
    doc = document_from_text(source, detect_language=False)
    texts = [doc.paragraph_text(i) for i in range(len(doc.paragraphs))]
    assert texts == ["Harbour traffic grows", body, "Analysts expect the trend to continue into the spring season."]
    assert doc.published == "2022-01-11T07:14"
    actions = [n.action for n in doc.notes]
    assert actions.count("dropped-boilerplate") == 3
    assert actions.count("dropped-duplicate") == 2
    assert actions.count("dropped-timestamp") == 1
    # Every kept paragraph maps back to identical source text.
    for p in doc.paragraphs:
        s, e = doc.to_source(p.start, p.end)
        assert source[s:e] == doc.text[p.start : p.end]
    # Notes point at the source text they describe.
    note = next(n for n in doc.notes if n.action == "dropped-timestamp")
    assert source[note.source_start : note.source_end].startswith("07:14 GMT")


def test_long_paragraph_mentioning_subscribe_is_content() -> None:
    para = (
        "Subscribe is what the minister told listeners to do, urging every household to pay for local "
        "news before the regional paper closes its doors for good at the end of the year."
    )
    doc = document_from_text(f"Local news in trouble\n\n{para}\n", detect_language=False)
    assert doc.paragraph_text(1) == para


def test_normalisation_maps_offsets_back_exactly() -> None:
    source = "Cafe\u0301 owners\u00a0said\r\n\r\nPrices  rose \u200bsharply.\r\n"
    norm = normalise(source)
    assert norm.text == "Café owners said\n\nPrices rose sharply.\n"
    doc = document_from_text(source, detect_language=False, title_line=False)
    assert doc.text == "Café owners said\n\nPrices rose sharply."
    i = doc.text.index("sharply")
    s, e = doc.to_source(i, i + len("sharply"))
    assert source[s:e] == "sharply"
    j = doc.text.index("owners")
    assert source[doc.offset_map.to_source(j) :].startswith("owners")
    assert any(n.action == "normalised" for n in doc.notes)


def test_blocks_layout_joins_hard_wraps_without_moving_offsets() -> None:
    source = (
        "Flood plan approved\n\n"
        "The city council approved the flood defence plan on Monday after a\n"
        "long debate that lasted well into the night and divided the chamber.\n\n"
        "Opponents said the plan was too expensive for a town of this size\n"
        "and asked for a referendum before any construction could begin.\n"
    )
    assert detect_layout(source) == "blocks"
    doc = document_from_text(source, detect_language=False)
    assert len(doc.paragraphs) == 3
    assert [p.line for p in doc.paragraphs] == [1, 3, 6]
    assert "\n" not in doc.paragraph_text(1)
    assert doc.paragraph_text(1).startswith("The city council approved")
    assert doc.offset_map.is_identity


def test_segment_lines_layout() -> None:
    blocks, layout = segment("One\ntwo line\n\n  three  \n", "lines")
    assert layout == "lines"
    assert [(b.line) for b in blocks] == [1, 2, 4]


def test_empty_and_whitespace_inputs_fail_clearly() -> None:
    with pytest.raises(InputError) as exc:
        document_from_text("  \n\n ", name="blank.txt")
    assert exc.value.code == "E101"
    assert "blank.txt" in str(exc.value)


def test_only_boilerplate_fails_clearly() -> None:
    with pytest.raises(InputError) as exc:
        document_from_text("Subscribe now\n\nFollow us on Twitter\n", name="promo.txt", title_line=False)
    assert exc.value.code == "E106"


def test_language_detection_offline() -> None:
    doc = document_from_text(
        "Le gouvernement a annoncé lundi de nouvelles mesures pour soutenir les pêcheurs du port.",
        title_line=False,
    )
    assert doc.language is not None
    assert doc.language.code == "fr"
    assert 0.5 < doc.language.confidence <= 1.0


def test_offset_map_compacts_and_inverts() -> None:
    m = OffsetMap([(0, 0), (5, 5), (10, 12), (20, 22)])
    assert m.breakpoints == [(0, 0), (10, 12)]
    assert m.to_source(11) == 13
    assert m.from_source(13) == 11


def test_document_rejects_paragraphs_outside_text() -> None:
    with pytest.raises(ValueError):
        Document(id="x", text="short", paragraphs=(Paragraph(0, 50, 1),))


def test_paragraph_lookup_helpers() -> None:
    doc = document_from_text(SEMEVAL_LAYOUT, detect_language=False)
    assert doc.paragraph_by_line(6) == 2
    assert doc.paragraph_at(doc.paragraphs[2].start + 3) == 2
    assert doc.paragraph_at(doc.paragraphs[0].end) is None
    assert len(doc.content_hash) == 64


def test_near_duplicates_with_different_numbers_are_kept() -> None:
    a = "Officials said 200 people were evacuated from the flooded district overnight."
    b = "Officials said 300 people were evacuated from the flooded district overnight."
    doc = document_from_text(f"Floods\n\n{a}\n\n{b}\n", detect_language=False)
    assert len(doc.paragraphs) == 3


# -- issue 22: a title line directly followed by a timestamp line ---------------
WIRE_HEAD = "Floodwaters swamp Dorn as river bursts its banks\n09:42 GMT 14.01.2026\n"
WIRE_LEAD = (
    "DORN (Northwind Wire) - The river Tesla burst its banks overnight and flooded the lower half of Dorn, "
    "forcing residents from their homes, officials said.\n"
)
WIRE_MORE = "Mayor Teodor Halm said rescue crews had reached every street by dawn and more boats were on the way.\n"


@pytest.mark.parametrize(
    "text",
    [
        WIRE_HEAD + WIRE_LEAD + WIRE_MORE,  # one line per paragraph, no blank line anywhere
        WIRE_HEAD + "\n" + WIRE_LEAD + "\n" + WIRE_MORE,  # blank line only after the timestamp
        WIRE_HEAD.replace("\n", "\n\n", 1) + WIRE_LEAD + WIRE_MORE,  # the layout that already worked
    ],
)
def test_title_then_timestamp_without_a_blank_line_keeps_title_dateline_and_outlet(text: str) -> None:
    doc = document_from_text(text, detect_language=False)
    assert doc.title == "Floodwaters swamp Dorn as river bursts its banks"
    assert (doc.place, doc.source, doc.published) == ("DORN", "Northwind Wire", "2026-01-14T09:42")


def test_hard_wrapped_body_glued_to_its_title_and_timestamp() -> None:
    wrapped = (
        "Floodwaters swamp Dorn as river bursts its banks\n"
        "09:42 GMT 14.01.2026\n"
        "DORN (Northwind Wire) - The river Tesla burst its banks overnight and flooded the\n"
        "lower half of Dorn, forcing more than two thousand residents from their homes,\n"
        "local officials said on Wednesday.\n"
        "\n"
        "Mayor Teodor Halm said rescue crews had reached every street by dawn and that\n"
        "more boats were coming from the capital, where the army had sent four of them.\n"
    )
    doc = document_from_text(wrapped, detect_language=False)
    assert doc.meta["layout"] == "blocks"
    assert doc.title == "Floodwaters swamp Dorn as river bursts its banks"
    assert (doc.place, doc.source, doc.published) == ("DORN", "Northwind Wire", "2026-01-14T09:42")
    assert doc.paragraph_text(1).startswith("DORN (Northwind Wire) - The river")


def test_title_glued_to_a_dateline_paragraph() -> None:
    doc = document_from_text("Floodwaters swamp Dorn\n" + WIRE_LEAD + WIRE_MORE, detect_language=False)
    assert doc.title == "Floodwaters swamp Dorn"
    assert doc.place == "DORN"


def test_a_first_sentence_is_not_taken_for_a_title_without_a_blank_line() -> None:
    text = "The river burst its banks overnight in Dorn.\n" + WIRE_MORE
    assert document_from_text(text, detect_language=False).title is None


def test_near_duplicates_are_found_among_many_paragraphs() -> None:
    # The bucketed window must still catch a repeat far from the original, and keep same-number neighbours apart.
    body = [f"Paragraph number {i} reports on the grain talks held in the port city on a busy day." for i in range(300)]
    repeat = body[10].replace("busy day", "busy  day!")
    doc = document_from_text("\n\n".join(["Grain talks", *body, repeat]), detect_language=False)
    dropped = [n for n in doc.notes if n.action == "dropped-duplicate"]
    assert len(dropped) == 1 and "line" in dropped[0].detail
    assert len(doc.paragraphs) == 301


def test_language_looks_further_when_the_opening_says_too_little() -> None:
    from spinscope.ingest.langid import SAMPLE_CHARS, detect_language

    opening = "12.03.2026 | 14:00 | 0:1 | 2:2 | 3:1 | " * 10
    assert len(opening) > SAMPLE_CHARS
    german = "Die Regierung hat am Montag neue Regeln für den Hafen beschlossen, die ab dem Sommer gelten sollen. "
    guess = detect_language(opening + german * 3)
    assert guess is not None and guess.code == "de"


def test_a_document_survives_a_json_round_trip() -> None:
    """``Document.from_dict`` reads back what ``to_dict`` wrote: notes, offset map and language included.

    (``to_dict`` rounds the language confidence to 4 places, so the JSON is
    what must match, not the objects.)
    """
    import json

    from spinscope.document import Document

    doc = document_from_text("Harbour talks resume\n\nThe  minister said on Monday that talks would resume.\n")
    again = Document.from_dict(json.loads(json.dumps(doc.to_dict())))
    assert again.to_dict() == doc.to_dict()
    assert doc.notes and again.notes == doc.notes  # the doubled space was normalised, and says so
    assert [again.to_source(p.start, p.end) for p in again.paragraphs] == [doc.to_source(p.start, p.end) for p in doc.paragraphs]

"""Tests for the direct-quotation analyzer (spinscope.quotes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import spinscope.quotes as quotes_pkg
from spinscope.ingest import document_from_text
from spinscope.quotes import Insertion, classify_insertions, classify_quotes, extract_quotes, find_insertions
from spinscope.quotes.evaluate import match_quotes, prf, quote_to_record, score_item, span_jaccard, summarise

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "benchmarks" / "quotes_gold" / "gold.jsonl"


def doc_of(text: str):
    return document_from_text(text, layout="auto", title_line=False, clean=False, detect_language=False)


def only(text: str):
    doc = doc_of(text)
    result = extract_quotes(doc)
    assert len(result.quotes) == 1, [q.text(doc.text) for q in result.quotes]
    return doc, result.quotes[0]


def load_gold() -> list[dict]:
    return [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]


# -- public API ------------------------------------------------------------------
def test_every_public_name_is_exported():
    for name in quotes_pkg.__all__:
        assert hasattr(quotes_pkg, name), name


def test_needs_a_document():
    with pytest.raises(TypeError):
        extract_quotes("not a document")  # type: ignore[arg-type]


# -- marks -----------------------------------------------------------------------
def test_straight_quote_with_speaker_after():
    doc, q = only('"We will respond," Foreign Minister Irena Vasko said on Tuesday.')
    assert q.text(doc.text) == "We will respond,"
    assert doc.text[q.open_mark] == '"' and doc.text[q.close_mark] == '"'
    assert q.speaker == "Irena Vasko"
    assert q.cue is not None and doc.text[q.cue.start : q.cue.end] == "said"
    assert q.speaker_mention is not None and doc.text[slice(*q.speaker_mention)] == "Irena Vasko"
    assert q.speaker_method == "adjacent" and q.kind == "speech"


def test_curly_quote_with_speaker_before():
    doc, q = only("Prime Minister Aron Mikkel opened the session.\nMikkel said: “Our budget is ours.”")
    assert q.text(doc.text) == "Our budget is ours."
    assert q.speaker == "Aron Mikkel"  # surname resolved to the full name


def test_no_quotes_gives_an_empty_result():
    result = extract_quotes(doc_of("Exports rose by a fifth. The ministers' meeting ended; Estravia's team left."))
    assert result.quotes == ()
    assert result.to_dict()["quotes"] == []


def test_multi_paragraph_quote_is_one_quote():
    text = (
        "Lukas Brenner, the mayor of Halden, described the night.\n\n"
        '"We heard the first explosions at two. Nobody had a shelter.\n\n'
        '"By dawn the school was gone," Brenner said.\n\n'
        "The governor promised help."
    )
    doc, q = only(text)
    assert q.text(doc.text).startswith("We heard") and q.text(doc.text).endswith("school was gone,")
    assert q.paragraphs == (1, 2)
    assert len(q.reopen_marks) == 1 and doc.text[q.reopen_marks[0]] == '"'
    assert q.speaker == "Lukas Brenner"
    # Short single-newline lines read as one hard-wrapped block by layout="auto":
    # the quote must come out the same.
    doc2, q2 = only(text.replace("\n\n", "\n"))
    assert len(doc2.paragraphs) == 1
    assert q2.text(doc2.text) == q.text(doc.text).replace("\n\n", "\n")
    assert q2.speaker == "Lukas Brenner"


def test_unbalanced_mark_ends_at_the_paragraph_end():
    text = (
        "Marta Cerny said on Friday: “The coalition has no majority and it knows it.\n\n"
        'Later, the speaker of parliament, Jonas Vilk, disagreed. "We have the votes," he said.'
    )
    doc = doc_of(text)
    first, second = extract_quotes(doc).quotes
    assert first.close_mark is None
    assert doc.text[first.end - 1] == "." and first.end == doc.paragraphs[0].end
    assert any("unbalanced" in n for n in first.notes)
    assert second.text(doc.text) == "We have the votes,"
    assert second.speaker == "Jonas Vilk" and second.speaker_method == "pronoun"


def test_nested_single_quote_stays_inside_the_outer_quote():
    text = "“We don’t accept what they call ‘a temporary measure’ at all,” Vasko said."
    doc, q = only(text)
    assert q.text(doc.text).endswith("at all,")
    assert [doc.text[s:e] for s, e in q.nested] == ["a temporary measure"]


def test_interrupted_quote_gives_two_quotes_with_one_speaker():
    doc = doc_of('"We are not afraid," Oskar Lind said, "but we are not indifferent."')
    a, b = extract_quotes(doc).quotes
    assert (a.speaker, b.speaker) == ("Oskar Lind", "Oskar Lind")
    assert b.text(doc.text) == "but we are not indifferent."


def test_stray_closing_mark_is_noted_not_quoted():
    result = extract_quotes(doc_of("Thank you all, she said, and left.”"))
    assert result.quotes == ()
    assert any("stray" in n for n in result.notes)


# -- kind and attribution ------------------------------------------------------------
def test_scare_quotes_versus_attributed_short_quote():
    doc = doc_of('Opposition leader Marta Cerny said the vote was "a farce." Her party will boycott the "new constitution".')
    farce, constitution = extract_quotes(doc).quotes
    assert farce.kind == "speech" and farce.speaker == "Marta Cerny"
    assert constitution.kind == "scare" and constitution.speaker is None
    doc2, so_called = only('Observers said the so-called "referendum" had no voter lists.')
    assert so_called.kind == "scare"


def test_alias_defined_in_parentheses():
    text = (
        "Spokeswoman Dana Kovalenko (DK below) held her briefing.\n"
        'DK said: "We have no objection to ships."'
    )
    _, q = only(text)
    assert q.speaker == "Dana Kovalenko" and q.speaker_method == "alias"


def test_organisation_alias():
    text = (
        "Members of the Northern Defence Compact (NDC) began exercises.\n"
        '"The exercises are defensive," the NDC said.'
    )
    _, q = only(text)
    assert q.speaker == "Northern Defence Compact"


def test_role_noun_prefers_the_speaker_introduced_with_that_role():
    text = (
        "Senior diplomat Oskar Lind met his counterparts.\n"
        '"The meeting was useful," Lind said.\n'
        'Defence Minister Pavel Dunaj disagreed. "They move artillery," Dunaj said.\n'
        '"Artillery is not on the agenda," the diplomat replied.'
    )
    doc = doc_of(text)
    last = extract_quotes(doc).quotes[-1]
    assert last.speaker == "Oskar Lind" and last.speaker_method == "role-noun"


def test_unnamed_speaker_is_not_guessed():
    text = 'A woman queuing for bread shook her head.\n"There is nothing left," she said.'
    _, q = only(text)
    assert q.speaker is None


def test_cueless_quote_continues_the_previous_speaker():
    text = (
        "Irena Vasko met envoy Tomas Reiner in Dorn.\n"
        '"We agreed on a timetable," Vasko said.\n'
        '"The first ships can leave in May."'
    )
    doc = doc_of(text)
    second = extract_quotes(doc).quotes[1]
    assert second.speaker == "Irena Vasko" and second.speaker_method == "continuation"


# -- integrity -------------------------------------------------------------------------
def test_insertion_kinds():
    doc, q = only('"They [Western partners] say [t]he pressure increas(es) under the [criminal] regime," Vasko said.')
    kinds = {doc.text[i.start : i.end]: i.kind for i in q.insertions}
    assert kinds == {
        "[Western partners]": "clarification",
        "[t]": "split-word",
        "(es)": "split-word",
        "[criminal]": "editorial",  # a word of judgement: no model needed
    }


def test_bracketed_ellipsis_is_an_omission_not_an_insertion():
    doc, q = only('"We opened the corridor [...] and the ships left," Vasko said.')
    assert q.insertions == ()
    assert not q.truncated_left and not q.truncated_right
    assert [doc.text[s:e] for s, e in q.ellipses] == ["[...]"]


@pytest.mark.parametrize(
    ("quote", "left", "right"),
    [
        ('"... will not be tolerated," the ministry said.', True, False),
        ('Vasko warned that "we will respond..." and left.', False, True),
        ("“[...] the sanctions have failed…,” Reiner wrote.", True, True),
        ('"Nothing is agreed," she said.', False, False),
    ],
)
def test_truncation(quote, left, right):
    _, q = only(quote)
    assert (q.truncated_left, q.truncated_right) == (left, right)


def fake_scorer(text: str) -> dict[str, float]:
    """Deterministic stand-in for the techniques model: a tiny loaded-word list."""
    loaded = {"criminal": 0.92, "illegally": 0.7, "thugs": 0.8, "brave": 0.9, "the partners": 0.97}
    return {"Loaded_Language": loaded.get(text.lower(), 0.05), "Name_Calling-Labeling": 0.0}


def test_classify_insertions_with_a_scorer():
    text = "The [criminal] regime and its (stable) partners [the Velmoran authorities] sa(id) the (brave) army"
    found = find_insertions(text, 0, len(text))
    classified = classify_insertions(found, fake_scorer)
    by_text = {i.text: i for i in classified}
    assert by_text["[criminal]"].kind == "editorial"
    assert by_text["[criminal]"].scores == {"Loaded_Language": 0.92, "Name_Calling-Labeling": 0.0}
    assert by_text["(stable)"].kind == "clarification"  # a candidate the scorer did not confirm
    assert by_text["[the Velmoran authorities]"].kind == "clarification"
    assert by_text["(id)"].kind == "split-word" and by_text["(id)"].scores is None
    assert by_text["(brave)"].kind == "editorial"
    strict = classify_insertions(found, fake_scorer, threshold=0.95)
    assert [i.text for i in strict if i.kind == "editorial"] == ["[criminal]"]  # by its word, not by the score


def test_insertion_classes_follow_what_the_bracket_does_not_the_score():
    # A pronoun's referent stays a clarification even when the model scores it loaded;
    # a word of judgement is editorial even when the model scores the bracket low.
    doc = doc_of(
        '"They [the partners] promised it, and the (foreign-backed) rebels [so-called] know it," Irena Vasko said. '
        '"The group (Western-funded) will [terrorist] fail," she added.'
    )
    result = classify_quotes(extract_quotes(doc), fake_scorer)
    kinds = {i.text: i.kind for q in result.quotes for i in q.insertions}
    assert kinds == {
        "[the partners]": "clarification",
        "(foreign-backed)": "editorial",
        "[so-called]": "editorial",
        "(Western-funded)": "editorial",
        "[terrorist]": "editorial",
    }


def test_classify_quotes_updates_every_quote():
    doc = doc_of('"The [criminal] regime must answer," General Stefan Oru said.')
    result = classify_quotes(extract_quotes(doc), fake_scorer)
    assert [i.kind for i in result.quotes[0].insertions] == ["editorial"]


def test_to_dict_is_json_ready():
    doc = doc_of('"They [Western partners] promised more," Irena Vasko said.')
    data = extract_quotes(doc).to_dict()
    assert json.loads(json.dumps(data)) == data
    q = data["quotes"][0]
    assert q["speaker"] == "Irena Vasko" and q["insertions"][0]["text"] == "[Western partners]"
    assert data["analyzer"] == "quotes" and data["version"] == "v2"


# -- evaluation ----------------------------------------------------------------------
def test_span_jaccard_by_hand():
    assert span_jaccard((0, 10), (0, 10)) == 1.0
    assert span_jaccard((0, 10), (2, 10)) == pytest.approx(0.8)
    assert span_jaccard((0, 10), (5, 15)) == pytest.approx(5 / 15)
    assert span_jaccard((0, 4), (6, 9)) == 0.0


def test_match_quotes_is_one_to_one_and_thresholded():
    gold = [{"start": 0, "end": 10}, {"start": 20, "end": 30}]
    pred = [{"start": 1, "end": 10}, {"start": 0, "end": 9}, {"start": 22, "end": 40}]
    # (0,10)-(1,10): 0.9, (0,10)-(0,9): 0.9 -> only one may match; (20,30)-(22,40): 8/20 = 0.4 -> none
    assert len(match_quotes(gold, pred)) == 1


def test_prf_by_hand():
    assert prf(3, 1, 2) == pytest.approx({"precision": 0.75, "recall": 0.6, "f1": 2 * 0.75 * 0.6 / 1.35})
    assert prf(0, 0, 0)["f1"] == 1.0


def rec(start, end, speaker=None, kind="speech", ins=(), left=False, right=False):
    return {
        "start": start,
        "end": end,
        "speaker": speaker,
        "kind": kind,
        "insertions": [{"start": s, "end": e, "kind": k} for s, e, k in ins],
        "truncated": {"left": left, "right": right},
    }


def test_score_item_by_hand():
    gold = [
        rec(0, 20, "Irena Vasko", ins=[(2, 6, "clarification"), (8, 10, "editorial")]),
        rec(30, 40, "Tomas Reiner", left=True),
        rec(50, 55, None, kind="scare"),
        rec(70, 90, "Aron Mikkel"),
    ]
    pred = [
        rec(0, 20, "irena vasko", ins=[(2, 6, "clarification"), (8, 10, "clarification"), (12, 14, "split-word")]),
        rec(31, 40, "Reiner", left=True),  # Jaccard 0.9: matched, surname-only speaker is wrong
        rec(50, 55, None, kind="speech"),
        rec(100, 110, "Nobody"),
    ]
    c = score_item(gold, pred)
    assert (c["quote_tp"], c["quote_fp"], c["quote_fn"], c["quote_exact"]) == (3, 1, 1, 2)
    assert (c["speaker_correct"], c["speaker_total"]) == (1, 2)
    assert (c["kind_correct"], c["kind_total"]) == (2, 3)
    assert (c["trunc_correct"], c["trunc_total"]) == (3, 3)
    assert (c["ins_tp"], c["ins_fp"], c["ins_fn"]) == (2, 1, 0)
    assert (c["edit_correct"], c["edit_total"], c["edit_fn"]) == (1, 2, 1)
    m = summarise([c, score_item([], [])])
    assert m["quotes"]["precision"] == pytest.approx(0.75)
    assert m["speaker"]["accuracy"] == pytest.approx(0.5)
    assert m["insertions"]["recall"] == 1.0 and m["insertions"]["precision"] == pytest.approx(2 / 3)


def test_quote_to_record_round_trips_through_score_item():
    doc = doc_of('"They [Western partners] promised more," Irena Vasko said.')
    pred = [quote_to_record(q) for q in extract_quotes(doc).quotes]
    c = score_item(pred, pred)
    assert c["quote_exact"] == 1 and c["speaker_correct"] == 1 and c["ins_tp"] == 1


# -- gold set ----------------------------------------------------------------------------
def test_gold_offsets_apply_to_the_document_text():
    items = load_gold()
    assert len(items) >= 45
    assert len({i["id"] for i in items}) == len(items)
    for item in items:
        doc = doc_of(item["text"])
        assert doc.text == item["text"], item["id"]
        for q in item["quotes"]:
            assert 0 < q["start"] < q["end"] <= len(doc.text), item["id"]
            assert doc.text[q["start"] - 1] in "\"“‘'", item["id"]
            assert q["kind"] in ("speech", "scare")
            for ins in q["insertions"]:
                assert q["start"] <= ins["start"] < ins["end"] <= q["end"], item["id"]
                assert doc.text[ins["start"]] in "[(" or doc.text[ins["end"] - 1] in "])", item["id"]


def test_gold_set_floors():
    """The benchmark's targets, as a gate (the full table: benchmarks/quotes_eval.py)."""
    counts = []
    for item in load_gold():
        doc = doc_of(item["text"])
        counts.append(score_item(item["quotes"], [quote_to_record(q) for q in extract_quotes(doc).quotes]))
    m = summarise(counts)
    assert m["quotes"]["f1"] >= 0.90
    assert m["speaker"]["accuracy"] >= 0.85
    assert m["insertions"]["recall"] >= 0.95 and m["insertions"]["precision"] >= 0.90


def test_insertion_dataclass_to_dict():
    ins = Insertion(3, 8, "[x y]", "clarification", {"Loaded_Language": 0.123456})
    assert ins.to_dict() == {"start": 3, "end": 8, "text": "[x y]", "kind": "clarification", "scores": {"Loaded_Language": 0.1235}}


# -- issue 22: titles and organisations before names, aliases, no-cue quotes, other languages --
def speakers(text: str) -> list[str | None]:
    return [q.speaker for q in extract_quotes(doc_of(text)).quotes]


def test_a_ministry_and_role_before_a_name_give_the_quote_to_the_person():
    text = (
        "Lutsen's Water Ministry spokesman Aron Pelc (AP below) spoke on Friday.\n"
        '"The reservoirs are full," AP said.\n'
        '"Rationing ends next week," Lutsen Water Ministry spokesman Aron Pelc said.'
    )
    assert speakers(text) == ["Aron Pelc", "Aron Pelc"]


def test_an_organisation_and_title_glued_to_a_name_split_into_both():
    text = (
        "Harbour Workers Union General Secretary Mila Voss met the owners.\n"
        "\u201cWe want the old shifts back,\u201d the secretary said."
    )
    assert speakers(text) == ["Mila Voss"]


def test_a_country_adjective_or_ministry_field_is_not_part_of_the_name():
    text = '"Tariffs stay," Lutsenese Trade Minister Ola Brik said. "Nothing changes," Brik added.'
    assert speakers(text) == ["Ola Brik", "Ola Brik"]


@pytest.mark.parametrize(
    "definition",
    ["(hereafter the Board)", "(the Board below)"],
)
def test_aliases_defined_with_hereafter_or_below(definition: str):
    text = f'The Dorn Harbour Board {definition} raised fees.\n"Fees pay for the new quay," the Board said.'
    assert speakers(text) == ["Dorn Harbour Board"]


def test_referred_to_below_as_defines_an_alias():
    text = 'Major Ilse Brand, referred to below as IB, leads the convoy.\n"We move at night," IB said.'
    assert speakers(text) == ["Ilse Brand"]


def test_a_no_cue_quote_continues_the_established_speaker_across_a_place():
    text = (
        "Envoy Tilda Marsh spoke in Ostra.\n"
        '"The talks go on," Marsh said.\n'
        "Fighting was reported near Marov on Sunday.\n"
        '"Nobody leaves the table over one night."'
    )
    result = extract_quotes(doc_of(text))
    assert [q.speaker for q in result.quotes] == ["Tilda Marsh", "Tilda Marsh"]
    assert result.quotes[1].speaker_method == "continuation"


def test_a_no_cue_quote_after_another_person_is_named_stays_unattributed():
    text = (
        "Envoy Tilda Marsh spoke in Ostra.\n"
        '"The talks go on," Marsh said.\n'
        "Her rival Jonas Falk left the room early on Sunday, and nobody saw him again that day.\n"
        "\n"
        "Delegates were still arguing late into the night.\n"
        '"Nobody leaves the table over one night."'
    )
    assert speakers(text) == ["Tilda Marsh", None]


def test_a_no_cue_quote_never_goes_to_a_place():
    text = 'Heavy snow cut off the villages around Marov.\n"The road has been closed since Monday."'
    assert speakers(text) == [None]


def test_the_adjective_of_a_place_is_not_a_pronoun_referent():
    text = 'Tilda Marsh met the Lutsenian delegation.\n"We agreed," she said, "on almost everything."'
    assert speakers(text) == ["Tilda Marsh", "Tilda Marsh"]


def test_non_english_quotes_get_no_speaker_and_a_note():
    from dataclasses import replace

    from spinscope.document import LanguageGuess

    text = "Hunderte Anwohner kamen am Montag.\n\u201eDie Br\u00fccke ist gesperrt\u201c, sagte B\u00fcrgermeister Emil Roth."
    doc = replace(doc_of(text), language=LanguageGuess("de", 0.99))
    result = extract_quotes(doc)
    assert [q.speaker for q in result.quotes] == [None]
    assert any("English only" in n and "'de'" in n for n in result.notes)
    assert extract_quotes(replace(doc, language=LanguageGuess("en", 0.99))).quotes[0].speaker is not None


def test_guillemets_with_inner_spaces_quote_the_words_only():
    doc = doc_of("\u00ab Nous partirons demain \u00bb, a dit Paul Girard.\n\u00ab\u202fSans faute\u202f\u00bb, a-t-il ajout\u00e9.")
    assert [q.text(doc.text) for q in extract_quotes(doc).quotes] == ["Nous partirons demain", "Sans faute"]

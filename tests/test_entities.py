"""Entities: NER pipeline checks, grouping of mentions, the role head and its outputs.

Texts here are written for these tests. Tests that load spaCy's pipeline or
the bundled models carry no mark: they take a few seconds.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from spinscope.entities import (
    FINE_BY_MAIN,
    FINE_ROLES,
    MAIN_ROLES,
    RoleModel,
    RolePrediction,
    find_entities,
    name_key,
)
from spinscope.entities.aliases import country_of, find_acronyms, find_aliases, initials_match
from spinscope.entities.group import group_mentions
from spinscope.entities.ner import RawMention, find_mentions, pipeline_directory, verify_pipeline
from spinscope.entities.roles import FEATURE_DIM, aggregate_roles
from spinscope.entities.tidy import is_title_case, tidy_mentions
from spinscope.errors import ModelError
from spinscope.ingest import document_from_text

ARTICLE = """Alliance chief warns of a frozen conflict

NATO chief Jens Stoltenberg said on Monday that the Collective Security Treaty Organization (CSTO) had failed its members.
Stoltenberg warned that Kiev could not hold out alone, while CSTO officials stayed silent.
The Kremlin said Moscow would respond to any provocation, and Vladimir Putin accused the U.S. of lying.
Putin added that the United States had armed Ukraine for years."""


# ------------------------------------------------------------------------- aliases


def test_acronym_must_spell_the_initials() -> None:
    defs = find_acronyms("the Collective Security Treaty Organization (CSTO) met. Officials (Reuters) spoke in 2022 (AP).")
    assert [(d.short, d.long) for d in defs] == [("CSTO", "Collective Security Treaty Organization")]
    assert initials_match("MFA", ["Ministry", "of", "Foreign", "Affairs"])
    assert not initials_match("MZ", ["Ministry", "of", "Foreign", "Affairs"])
    assert initials_match("MZ", ["Ministerstvo", "Zahranicnych"])


def test_capitals_and_seats_stand_for_their_country() -> None:
    assert country_of("Kiev") == country_of("Kyiv") == "Ukraine"
    assert country_of("the Kremlin") == "Russia"
    assert country_of("Washington") == "United States"
    assert country_of("Reuters") is None and country_of("Stoltenberg") is None


def test_name_key_folds_the_usual_variants() -> None:
    assert name_key("the U.S.'s") == name_key("United States") == "united states"
    assert name_key("Putin\u2019s") == "putin"
    assert name_key("  The  Kremlin ") == "kremlin"


# ------------------------------------------------------------------------- grouping (no tagger needed)


def _raw(text: str, paragraph: str, label: str, source: str = "ner") -> RawMention:
    start = paragraph.index(text)
    return RawMention(start, start + len(text), text, label, source)


def test_grouping_merges_surnames_acronyms_and_country_names() -> None:
    p0 = "Jens Stoltenberg said the Collective Security Treaty Organization (CSTO) failed."
    p1 = "Stoltenberg warned Kiev. CSTO was silent. The U.S. and the United States agreed with Ukraine."
    text = p0 + "\n" + p1
    ranges = [(0, len(p0)), (len(p0) + 1, len(text))]
    raw = [
        [_raw("Jens Stoltenberg", p0, "PERSON"), _raw("Collective Security Treaty Organization", p0, "ORG")],
        [_raw("Stoltenberg", p1, "PERSON"), _raw("Kiev", p1, "PERSON"), _raw("U.S.", p1, "GPE"),
         _raw("United States", p1, "GPE"), _raw("Ukraine", p1, "GPE")],
    ]  # fmt: skip
    entities = {e.name: e for e in group_mentions(text, ranges, raw)}
    assert [text[m.start : m.end] for m in entities["Jens Stoltenberg"].mentions] == ["Jens Stoltenberg", "Stoltenberg"]
    csto = entities["Collective Security Treaty Organization"]
    assert [text[m.start : m.end] for m in csto.mentions] == ["Collective Security Treaty Organization", "CSTO", "CSTO"]
    assert {m.source for m in csto.mentions} == {"ner", "acronym"}  # the tagger missed the acronym
    assert len(entities["United States"].mentions) == 2 and entities["United States"].aliases == ["U.S."]
    kiev, ukraine = entities["Kiev"], entities["Ukraine"]
    assert kiev.label == "GPE" and kiev.stands_for == "Ukraine"  # the tagger's PERSON is corrected
    assert kiev.linked == [ukraine.id] and ukraine.linked == [kiev.id]  # linked, not merged
    for e in entities.values():
        for m in e.mentions:
            assert ranges[m.paragraph][0] <= m.start < m.end <= ranges[m.paragraph][1]


def test_a_first_name_shared_by_two_people_is_not_merged() -> None:
    p = "John Smith met John Doe. John left."
    raw = [[_raw("John Smith", p, "PERSON"), _raw("John Doe", p, "PERSON"), RawMention(25, 29, "John", "PERSON")]]
    names = sorted(e.name for e in group_mentions(p, [(0, len(p))], raw))
    assert names == ["John", "John Doe", "John Smith"]


def test_no_mentions_no_entities() -> None:
    assert group_mentions("Nothing here.", [(0, 13)], [[]]) == []


# ------------------------------------------------------------------------- the tagger


def test_pipeline_files_are_checked(tmp_path: Path) -> None:
    src = pipeline_directory()
    verify_pipeline(src)  # the installed copy passes
    copy = tmp_path / "pipe"
    shutil.copytree(src, copy)
    data = bytearray((copy / "ner" / "model").read_bytes())
    data[100] ^= 0xFF
    (copy / "ner" / "model").write_bytes(bytes(data))
    with pytest.raises(ModelError, match=r"E323.*ner/model.*not the pinned pipeline"):
        verify_pipeline(copy)
    (copy / "ner" / "model").unlink()
    with pytest.raises(ModelError, match="E322"):
        verify_pipeline(copy)


def test_tagger_finds_people_organisations_and_places() -> None:
    (found,) = find_mentions(["NATO chief Jens Stoltenberg met Joe Biden in Washington on Monday."])
    got = {(m.text, m.label) for m in found}
    assert {("NATO", "ORG"), ("Jens Stoltenberg", "PERSON"), ("Joe Biden", "PERSON"), ("Washington", "GPE")} <= got
    assert all(m.label != "DATE" for m in found)  # only entity kinds a role can be given to


def test_find_entities_on_a_document() -> None:
    doc = document_from_text(ARTICLE)
    entities = find_entities(doc)
    by_name = {e.name: e for e in entities}
    assert len(by_name["Jens Stoltenberg"].mentions) == 2
    assert len(by_name["Vladimir Putin"].mentions) == 2
    assert "CSTO" in by_name["Collective Security Treaty Organization"].aliases
    assert by_name["Kremlin"].stands_for == "Russia"
    for e in entities:
        for m in e.mentions:
            assert doc.text[m.start : m.end].strip() == doc.text[m.start : m.end] != ""


def test_text_without_names_has_no_entities() -> None:
    assert find_entities(document_from_text("Mix the flour and sugar, then bake it for an hour.")) == []


# ------------------------------------------------------------------------- the role head


def _synthetic(n: int = 90, seed: int = 0) -> tuple[np.ndarray, list[str], list[tuple[str, ...]]]:
    rng = np.random.default_rng(seed)
    X = rng.normal(scale=0.2, size=(n, FEATURE_DIM)).astype(np.float32)
    main, fine = [], []
    for i in range(n):
        k = i % 3
        X[i, k] += 3.0
        main.append(MAIN_ROLES[k])
        role = FINE_BY_MAIN[MAIN_ROLES[k]][i % 2]
        X[i, 10 + FINE_ROLES.index(role)] += 3.0
        fine.append((role,))
    return X, main, fine


def test_role_model_learns_and_round_trips(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    X, main, fine = _synthetic()
    model = RoleModel().fit(X, main, fine)
    preds = model.predict(X)
    assert np.mean([p.main_role == m for p, m in zip(preds, main, strict=True)]) > 0.95
    assert np.mean([p.fine_roles == f for p, f in zip(preds, fine, strict=True)]) > 0.9
    for p in preds:  # fine roles always belong to the main role (the taxonomy is a tree)
        assert set(p.fine_roles) <= set(FINE_BY_MAIN[p.main_role])
        assert abs(sum(p.main_scores.values()) - 1) < 1e-5
    model.save(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["roles.json", "roles.safetensors"]
    monkeypatch.setitem(sys.modules, "sklearn", None)  # prediction needs numpy only
    assert RoleModel.load(tmp_path).predict(X) == preds


def test_role_model_never_predicts_an_unseen_fine_role() -> None:
    X, main, fine = _synthetic()
    preds = RoleModel().fit(X, main, fine).predict(X)
    seen = {r for f in fine for r in f}
    assert all(set(p.fine_roles) <= seen for p in preds)


def test_broken_role_model_files(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="E331"):
        RoleModel.load(tmp_path)
    X, main, fine = _synthetic()
    RoleModel().fit(X, main, fine).save(tmp_path)
    (tmp_path / "roles.safetensors").write_bytes(b"not safetensors")
    with pytest.raises(ModelError, match="E333"):
        RoleModel.load(tmp_path)
    (tmp_path / "roles.json").write_text("{", encoding="utf-8")
    with pytest.raises(ModelError, match="E332"):
        RoleModel.load(tmp_path)


def test_entity_role_is_the_mean_of_its_mentions() -> None:
    def pred(main: str, p: float, fine: str) -> RolePrediction:
        others = [r for r in MAIN_ROLES if r != main]
        scores = {main: p, others[0]: (1 - p) / 2, others[1]: (1 - p) / 2}
        return RolePrediction(main, scores, (fine,), {r: (0.9 if r == fine else 0.01) for r in FINE_BY_MAIN[main]})

    agg = aggregate_roles([pred("Antagonist", 0.9, "Tyrant"), pred("Antagonist", 0.6, "Deceiver"), pred("Innocent", 0.5, "Victim")])
    assert agg is not None and agg.main_role == "Antagonist"
    assert set(agg.fine_roles) <= set(FINE_BY_MAIN["Antagonist"])
    assert aggregate_roles([]) is None


# ------------------------------------------------------------------------- in the pipeline


def test_analyze_gives_entities_roles_and_narratives() -> None:
    from spinscope.pipeline import analyze

    result = analyze(ARTICLE).to_dict()
    names = {e["name"]: e for e in result["entities"]}
    assert "Vladimir Putin" in names and "Jens Stoltenberg" in names
    for e in result["entities"]:
        assert e["role"]["main_role"] in MAIN_ROLES
        assert set(e["role"]["fine_roles"]) <= set(FINE_BY_MAIN[e["role"]["main_role"]])
        for m in e["mentions"]:
            assert result["document"]["text"][m["start"] : m["end"]] == m["text"]
            assert m["role"]["main_role"] in MAIN_ROLES
    n = result["narratives"]
    # Putin accuses the U.S. of lying and of arming Ukraine: the war, blamed on or discrediting the West.
    assert n["domain"] == "URW"
    assert n["dominant"] in {
        "URW: Blaming the war on others rather than the invader",
        "URW: Discrediting the West, Diplomacy",
    }, n["dominant"]
    assert n["narratives"] and all(x["label"].startswith("URW: ") for x in n["narratives"])
    for ev in n["evidence"]:
        assert result["document"]["text"][ev["start"] : ev["end"]] == ev["text"]
    assert result["schema_version"] == "1.4"


def test_batched_and_single_analysis_agree_on_entities() -> None:
    from spinscope.pipeline import analyze_document, analyze_documents

    docs = [document_from_text(ARTICLE), document_from_text("A recipe.\n\nMix the flour and sugar.")]
    batched = [a.to_dict() for a in analyze_documents(docs)]
    single = [analyze_document(d).to_dict() for d in docs]
    for b, s in zip(batched, single, strict=True):
        assert [e["name"] for e in b["entities"]] == [e["name"] for e in s["entities"]]
        for eb, es in zip(b["entities"], s["entities"], strict=True):
            assert eb["role"]["main_role"] == es["role"]["main_role"]
            assert eb["role"]["main_scores"] == pytest.approx(es["role"]["main_scores"], abs=1e-3)
    assert batched[1]["entities"] == []


def test_titles_do_not_split_a_person() -> None:
    assert name_key("Ms Vasko") == name_key("Vasko") == "vasko"
    assert name_key("President Joe Biden") == "joe biden"
    assert name_key("President") == "president"  # a title alone stays what it is
    p = "Irena Vasko spoke first. Ms Vasko then left."
    raw = [[_raw("Irena Vasko", p, "PERSON"), _raw("Ms Vasko", p, "PERSON")]]
    (entity,) = group_mentions(p, [(0, len(p))], raw)
    assert entity.name == "Irena Vasko" and entity.aliases == ["Ms Vasko"]


# ------------------------------------------------------------------------- report, terminal and compare


def _with_entities(name: str, main: str, fine: str) -> dict:
    """A hand-built analysis dict (from the report tests' hostile article) with one entity and a narrative."""
    from tests.test_report import hostile_analysis

    data = hostile_analysis().to_dict()
    text = data["document"]["text"]
    start = text.index("disgrace")
    role = {"main_role": main, "main_scores": {r: (0.8 if r == main else 0.1) for r in MAIN_ROLES},
            "fine_roles": [fine], "fine_scores": {fine: 0.9}}  # fmt: skip
    data["entities"] = [
        {"id": 0, "name": name, "label": "PERSON", "aliases": [], "stands_for": None, "linked": [], "role": role,
         "mentions": [{"start": start, "end": start + 8, "text": "disgrace", "paragraph": 1, "label": "PERSON",
                       "source": "ner", "role": role}]},
    ]  # fmt: skip
    p1 = data["document"]["paragraphs"][1]
    data["narratives"] = {
        "domain": "URW", "dominant": "URW: Discrediting Ukraine",
        "narratives": [{"label": "URW: Discrediting Ukraine", "score": 0.7, "definition": "<b>def</b>"}],
        "subnarratives": [],
        "evidence": [{"start": p1["start"], "end": p1["end"], "text": text[p1["start"] : p1["end"]], "score": 0.5,
                      "label": "URW: Discrediting Ukraine"}],
    }  # fmt: skip
    return data


def test_report_entity_panel_and_narrative_badges_are_escaped() -> None:
    import lxml.html

    from spinscope.report import render_report

    hostile = "<script>window.__pwned=9</script>"
    html = render_report([_with_entities(hostile, "Antagonist", "Tyrant")])
    tree = lxml.html.document_fromstring(html)
    panel = tree.xpath("//section[contains(@class, 'entities')]")[0]
    villain = panel.xpath(".//div[contains(@class, 'role-antagonist')]")[0]
    assert hostile in villain.text_content() and "Tyrant" in villain.text_content()
    assert "nobody" in panel.xpath(".//div[contains(@class, 'role-protagonist')]")[0].text_content()
    assert len(tree.xpath("//script")) == 1  # only the report's own, hash-pinned script
    badges = tree.xpath("//ul[contains(@class, 'badges')]/li")
    assert badges and "Discrediting Ukraine" in badges[0].text_content() and "dominant" in badges[0].text_content()
    assert "<b>def</b>" in badges[0].text_content()  # a definition is text, never markup
    assert tree.xpath("//div[contains(@class, 'para') and contains(@class, 'nev')]/@id") == ["a0-p1"]


def test_terminal_prints_the_role_columns_literally() -> None:
    import io

    from rich.console import Console

    from spinscope.report import print_analysis

    buf = io.StringIO()
    print_analysis(_with_entities("[bold]Boss[/bold]", "Innocent", "Victim"), Console(file=buf, width=140))
    out = buf.getvalue()
    assert "Cast as victim" in out and "[bold]Boss[/bold]" in out and "Victim" in out
    assert "Discrediting Ukraine" in out


def test_compare_shows_how_each_article_casts_a_shared_name() -> None:
    import lxml.html

    from spinscope.report.compare import compare, render_comparison_html

    a = _with_entities("Mira Santel", "Protagonist", "Guardian")
    b = _with_entities("Mira Santel", "Antagonist", "Corrupt")
    b["document"]["id"] = "other"
    c = compare(a, b, embed=lambda texts: np.ones((len(texts), 4), dtype=np.float32) / 2)
    (casting,) = c.castings
    assert (casting.name, casting.role_a, casting.role_b, casting.differs) == ("Mira Santel", "Protagonist", "Antagonist", True)
    assert c.to_dict()["entities"][0]["b"]["fine_roles"] == ["Corrupt"]
    page = lxml.html.fromstring(render_comparison_html(c))
    row = page.xpath("//section[@aria-labelledby='e-h']//tr[contains(@class, 'differs')]")[0]
    assert "cast differently" in row.text_content() and "Guardian" in row.text_content()
    del a["entities"]
    assert compare(a, b, embed=lambda texts: np.ones((len(texts), 4), dtype=np.float32) / 2).castings is None


def test_ner_confirms_a_speaker_the_rules_alone_would_drop() -> None:
    from spinscope.quotes import extract_quotes

    text = "Port talks stall\n\nJohnson, who chairs the committee, was unmoved.\n\u201cWe will not sign this plan,\u201d she said."
    doc = document_from_text(text)
    tagged = [(m.start, m.end, e.label) for e in find_entities(doc) for m in e.mentions]
    assert [q.speaker for q in extract_quotes(doc).quotes] == [None]  # a sentence's first word, no cue after it
    (quote,) = extract_quotes(doc, tagged).quotes
    assert (quote.speaker, quote.speaker_method) == ("Johnson", "pronoun")


def test_ner_never_makes_a_modifier_speak() -> None:
    from spinscope.quotes import extract_quotes

    text = "Talks collapse\n\nVelmoran envoy Tomas Reiner insisted: \u201cWe came with a serious offer.\u201d"
    doc = document_from_text(text)
    tagged = [(m.start, m.end, e.label) for e in find_entities(doc) for m in e.mentions]
    assert [q.speaker for q in extract_quotes(doc, tagged).quotes] == ["Tomas Reiner"]


def test_article_outside_both_domains_gets_other_and_no_evidence() -> None:
    from spinscope.pipeline import analyze

    text = (
        "Local team wins the cup\n\nThe home side scored twice in the second half to lift the trophy on Saturday.\n"
        "Fans celebrated in the square until late."
    )
    n = analyze(text).to_dict()["narratives"]
    assert n["domain"] == "Other" and [x["label"] for x in n["narratives"]] == ["Other"]
    assert n["evidence"] == [] and n["dominant"] == "Other"


# -- issue 22: headlines, titles inside names, platforms, outlets, announced aliases --------

def _tidy(paragraphs: list[str], tagged: list[list[tuple[str, str]]], title: int | None = None) -> list[list[tuple[str, str]]]:
    raw = [[_raw(name, p, label) for name, label in ms] for p, ms in zip(paragraphs, tagged, strict=True)]
    return [[(m.text, m.label) for m in ms] for ms in tidy_mentions(paragraphs, raw, title_index=title)]


def test_title_case_headline_keeps_only_names_the_body_writes() -> None:
    paragraphs = [
        "Leaders Sign Deal With Kazakhstan On Other Issues As Sorn Meets Holm",
        "The deal with Kazakhstan was signed in Halden, where President Mikael Sorn met Secretary General Eva Holm.",
    ]
    tagged = [
        [("Leaders Sign Deal With Kazakhstan", "ORG"), ("Other Issues", "ORG"), ("Sorn Meets Holm", "PERSON")],
        [("Kazakhstan", "GPE"), ("Halden", "GPE"), ("Mikael Sorn", "PERSON"), ("Holm", "PERSON")],
    ]
    out = _tidy(paragraphs, tagged, title=0)
    assert out[0] == [("Kazakhstan", "ORG"), ("Sorn", "PERSON"), ("Holm", "PERSON")]
    assert ("Eva Holm", "PERSON") in out[1]  # the first name the tagger left out, taken in


def test_sentence_case_headline_is_left_alone() -> None:
    assert not is_title_case("Velmora says its troops left Ostra at dawn")
    out = _tidy(["Velmora says its troops left Ostra", "Body text about Velmora."], [[("Velmora", "GPE"), ("Ostra", "GPE")], []], 0)
    assert out[0] == [("Velmora", "GPE"), ("Ostra", "GPE")]


def test_titles_inside_a_mention_split_it_into_organisation_and_person() -> None:
    p = "The NDC Secretary General Anders Holm and the Harbour Union Chairman Ivo Rak spoke."
    out = _tidy([p], [[("NDC Secretary General Anders Holm", "ORG"), ("Harbour Union Chairman Ivo Rak", "PERSON")]])
    assert out[0] == [("NDC", "ORG"), ("Anders Holm", "PERSON"), ("Harbour Union", "ORG"), ("Ivo Rak", "PERSON")]


def test_platforms_outlets_adjectives_and_places_get_their_type() -> None:
    p = "The Velmoran troops posted the video on YouTube and Telegram, Lutsen Today said, near Ostra."
    out = _tidy([p], [[("Velmoran", "ORG"), ("YouTube", "GPE"), ("Lutsen", "GPE"), ("Ostra", "ORG")]])
    assert out[0] == [
        ("Velmoran", "NORP"),
        ("YouTube", "ORG"),
        ("Telegram", "ORG"),
        ("Lutsen Today", "ORG"),
        ("Ostra", "GPE"),
    ]


@pytest.mark.parametrize(
    ("text", "alias"),
    [
        ("Lidia Moravec (LM below) said", "LM"),
        ("the Grain Traders Association (hereafter the Association) said", "Association"),
        ("Tomas Brandt, referred to below as TB, said", "TB"),
        ("Eva Kral (hereafter Kral) said", "Kral"),
    ],
)
def test_announced_aliases(text: str, alias: str) -> None:
    assert [a.alias for a in find_aliases(text)] == [alias]


def test_an_announced_alias_merges_with_the_name_before_it() -> None:
    text = "Spokeswoman Lidia Moravec (LM below) spoke. LM said the convoy left. LM added more."
    raw = [[_raw("Lidia Moravec", text, "PERSON"), _raw("LM", text, "ORG")]]
    entities = group_mentions(text, [(0, len(text))], raw)
    person = next(e for e in entities if e.name == "Lidia Moravec")
    assert person.label == "PERSON" and len(person.mentions) == 4 and len(entities) == 1  # incl. the definition


def test_country_and_person_names_stay_apart() -> None:
    text = "Velmora rejected the note. President Velmora Sorn said little."
    raw = [[_raw("Velmora", text, "GPE"), _raw("Velmora Sorn", text, "PERSON")]]
    names = sorted(e.name for e in group_mentions(text, [(0, len(text))], raw))
    assert names == ["Velmora", "Velmora Sorn"]


def test_headline_and_entity_cases_hold_their_floor() -> None:
    """The 20 written cases of ``tests/data/entities``, through the real tagger.

    Scored blind before the fixes (benchmarks/results/entities-cases-blind.json:
    expected 31/47, junk absent 32/35, merges 3/7, kept apart 3/6); the floors are
    the scores after them, so a regression fails here.
    """
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from entities_eval import CASES, score_case

    cases = [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines() if line.strip()]
    totals: dict[str, int] = {}
    for case in cases:
        for k, v in score_case(case).items():
            if isinstance(v, int):
                totals[k] = totals.get(k, 0) + v
    assert totals["absent_ok"] == totals["absent"] == 35
    assert totals["same_ok"] == totals["same"] and totals["apart_ok"] == totals["apart"]
    assert totals["expect_ok"] >= 39


def test_tagging_new_words_does_not_grow_spacys_vocabulary() -> None:
    """A server or a long batch reads new names and numbers for weeks: spaCy must not keep each one."""
    from spinscope.entities.ner import load_ner

    nlp = load_ner()
    find_mentions(["Warm-up: Mayor Anna Johnson spoke in Paris."])
    before = len(nlp.vocab.strings)
    invented = [" ".join(f"zqorvex{i}x{j} blandurin{i}y{j}" for j in range(100)) for i in range(5)]
    found = find_mentions(["Mayor Anna Johnson met Emmanuel Macron in Paris on Monday.", *invented])
    assert [m.text for m in found[0]] == ["Anna Johnson", "Emmanuel Macron", "Paris"]  # it still tags ...
    assert len(nlp.vocab.strings) == before  # ... and forgets the strings afterwards

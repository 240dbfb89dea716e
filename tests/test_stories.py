"""Stories: grouping articles into events, quote drift, and two-article comparison.

The grouping and drift tests run on ``tests/data/stories``: invented
articles about fictional places (see its ``expected.json``). The grouping
uses the bundled encoder; the compare tests analyse four articles with the
bundled model, once per module.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from pathlib import Path

import lxml.html
import numpy as np
import pytest

from spinscope.ingest import document_from_text, read_one
from spinscope.report.compare import compare, render_comparison_html
from spinscope.stories import DEFAULT_THRESHOLD, embed_texts, group_stories, pair_scores, parse_date, quote_drift
from spinscope.stories.drift import QuoteItem, align_quotes, join_split_quotes

DATA = Path(__file__).parent / "data" / "stories"


def _stem(doc) -> str:
    return Path(doc.origin).stem


@pytest.fixture(scope="module")
def gold() -> dict:
    return json.loads((DATA / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def docs() -> dict:
    """stem (``article01``) -> Document."""
    out = {}
    for path in sorted(DATA.glob("*.txt")):
        doc = read_one(path)
        out[_stem(doc)] = doc
    return out


@pytest.fixture(scope="module")
def stories(docs):
    return group_stories(list(docs.values()))


def _pairs(groups) -> set[frozenset[str]]:
    return {frozenset(p) for g in groups for p in itertools.combinations(sorted(g), 2)}


def test_data_set_is_big_enough(docs, gold):
    assert len(docs) >= 32
    assert len(gold["stories"]) >= 10 and len(gold["singletons"]) >= 8
    named = {d for s in gold["stories"] for d in s["docs"]} | {s["doc"] for s in gold["singletons"]}
    assert named == set(docs)


def test_grouping_pairwise_precision_and_recall(docs, gold, stories, record_property):
    by_id = {d.id: stem for stem, d in docs.items()}
    predicted = _pairs([[by_id[i] for i in s.doc_ids] for s in stories])
    expected = _pairs([s["docs"] for s in gold["stories"]])
    tp = len(predicted & expected)
    precision = tp / len(predicted) if predicted else 1.0
    recall = tp / len(expected)
    record_property("pairwise_precision", precision)
    record_property("pairwise_recall", recall)
    print(f"stories: pairwise precision {precision:.3f}, recall {recall:.3f}")
    assert precision >= 0.9 and recall >= 0.9, (precision, recall)


def test_every_gold_story_is_together_and_singletons_stay_apart(docs, gold, stories):
    story_of = {doc_id: s for s in stories for doc_id in s.doc_ids}
    for event in gold["stories"]:
        ids = {docs[stem].id for stem in event["docs"]}
        assert {story_of[i].id for i in ids} == {story_of[next(iter(ids))].id}, event["id"]
        if len(ids) == 2:  # two-report events: nothing else joins them
            assert set(story_of[next(iter(ids))].doc_ids) == ids, event["id"]
    for single in gold["singletons"]:
        story = story_of[docs[single["doc"]].id]
        assert story.doc_ids == (docs[single["doc"]].id,), (single["doc"], single["note"], story.doc_ids)


def test_story_shape_and_name(docs, stories):
    flood = next(s for s in stories if docs["article01"].id in s.doc_ids)
    data = flood.to_dict()
    assert data["size"] == 3 and 0.0 < data["cohesion"] <= 1.0
    assert "Teodor Halm" in flood.name and "Teodor Halm" in flood.key_entities
    assert len(flood.name.split(" / ")) in (2, 3)
    assert [s.id for s in stories] == [f"story-{i:02d}" for i in range(1, len(stories) + 1)]
    assert sorted(i for s in stories for i in s.doc_ids) == sorted(d.id for d in docs.values())


def test_bad_input():
    assert group_stories([]) == []
    one = document_from_text("Storm in Dorn\n\nA storm hit Dorn.", detect_language=False)
    (story,) = group_stories([one])
    assert story.doc_ids == (one.id,) and story.cohesion == 1.0
    with pytest.raises(TypeError):
        group_stories(one)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        group_stories([one], [{}, {}])


def test_date_window_blocks_only_known_dates():
    def same(texts):  # every text embeds identically: only dates can separate them
        return np.ones((len(texts), 4)) / 2.0

    def article(stamp: str, doc_id: str):
        text = f"Storm in Dorn\n\n{stamp}A storm hit Dorn, Mayor Teodor Halm said."
        return document_from_text(text, detect_language=False, doc_id=doc_id)

    a, b, c = article("10:00 GMT 01.03.2026\n\n", "a"), article("10:00 GMT 20.03.2026\n\n", "b"), article("", "c")
    assert a.published and b.published and c.published is None
    assert len(group_stories([a, b], embed=same)) == 2
    assert len(group_stories([a, b], embed=same, window_days=None)) == 1
    assert len(group_stories([a, c], embed=same)) == 1


def test_parse_date_is_lenient():
    assert str(parse_date("2026-01-14T09:42")) == "2026-01-14"
    assert str(parse_date("14.01.2026")) == "2026-01-14"
    assert str(parse_date("14 January 2026")) == "2026-01-14"
    assert parse_date("31.02.2026") is None and parse_date(None) is None and parse_date("soon") is None


def test_embeddings_are_normalised():
    vectors = embed_texts(["Floods hit the town of Dorn.", "Dorn is under water after floods.", ""])
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors[:2], axis=1), 1.0, atol=1e-4)
    assert not vectors[2].any()
    assert float(vectors[0] @ vectors[1]) > 0.6


def test_drift_finds_inserted_words_and_the_original(docs, gold):
    case = next(c for c in gold["drift"] if "inserted" in c)
    event = next(s for s in gold["stories"] if s["id"] == case["story"])
    threads = quote_drift([docs[s] for s in event["docs"]])
    thread = next(t for t in threads if t.speaker == case["speaker"])
    tweaked = thread.version(docs[case["tweaked_doc"]].id)
    assert tweaked is not None and not tweaked.is_original
    assert tweaked.inserted == case["inserted"] and not tweaked.deleted
    assert thread.original_doc_id in {docs[s].id for s in case["original_docs"]}
    assert ("insert", "and without mercy") in tweaked.segments
    assert json.loads(json.dumps(thread.to_dict()))["versions"][0]["is_original"] in (True, False)


def test_drift_finds_truncation(docs, gold):
    case = next(c for c in gold["drift"] if "truncated_doc" in c)
    event = next(s for s in gold["stories"] if s["id"] == case["story"])
    threads = quote_drift([docs[s] for s in event["docs"]])
    thread = next(t for t in threads if t.speaker == case["speaker"])
    cut = thread.version(docs[case["truncated_doc"]].id)
    assert cut is not None and cut.truncated_right and not cut.inserted
    assert thread.original_doc_id in {docs[s].id for s in case["original_docs"]}


# -- compare (real analyses) ------------------------------------------------------
HOSTILE = (
    "<script>alert('title')</script> Bank of Velmora raises rates\n\n"
    "10:00 GMT 22.01.2026\n\n"
    "The Bank of Velmora raised its main rate to 6.5 percent <script>alert('body')</script> on Thursday.\n\n"
    '"We will act firmly <script>alert(2)</script> to bring prices back under control," Governor Mira Santel said.'
)


@pytest.fixture(scope="module")
def analyses(docs) -> dict:
    from spinscope.pipeline import analyze_documents

    chosen = [docs["article04"], docs["article06"], docs["article28"]]
    chosen.append(document_from_text(HOSTILE, doc_id="hostile"))
    names = ["article04", "article06", "article28", "hostile"]
    return {n: a.to_dict() for n, a in zip(names, analyze_documents(chosen), strict=True)}


def test_compare_same_story_shows_drift(analyses):
    c = compare(analyses["article04"], analyses["article06"])
    assert c.same_story
    (thread,) = c.drift
    assert thread.original_doc_id == analyses["article04"]["document"]["id"]
    assert thread.version(analyses["article06"]["document"]["id"]).inserted == ["and", "without", "mercy"]
    data = json.loads(json.dumps(c.to_dict()))
    assert data["story"]["same_story"] is True and data["quotes"]["drifted"] == 1
    assert {row["category"] for row in data["a"]["categories"]} >= {"attack_on_reputation"}
    page = lxml.html.fromstring(render_comparison_html(c))
    quotes = page.xpath("//section[@aria-labelledby='q-h']")[0]
    assert [e.text_content() for e in quotes.iter("ins")] == ["and without mercy"]


def test_compare_unrelated_articles_says_no_shared_story(analyses):
    c = compare(analyses["article04"], analyses["article28"])
    assert not c.same_story and not c.shared
    html = render_comparison_html(c)
    assert "These two articles do not share a story." in html
    page = lxml.html.fromstring(html)
    assert len(page.xpath("//article[contains(@class, 'cmp-article')]")) == 2  # still side by side


def test_html_escapes_hostile_text(analyses):
    hostile = json.loads(json.dumps(analyses["hostile"]))
    hostile["document"]["url"] = "javascript:alert(1)"
    c = compare(hostile, analyses["article04"])
    html = render_comparison_html(c)
    page = lxml.html.fromstring(html)
    assert page.xpath("count(//script)") == 0
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#39;title&#39;)" in html
    assert not page.xpath("//a[starts-with(@href, 'javascript')]")
    assert not page.xpath("//link | //img[not(starts-with(@src, 'data:'))] | //iframe")
    assert "default-src 'none'" in page.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]


def test_compare_rejects_wrong_types(analyses):
    with pytest.raises(TypeError):
        compare(analyses["article04"], "not a dict")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        render_comparison_html({})  # type: ignore[arg-type]


# -- issue 22: drift direction, split quotes, an undated blog re-quoting a wire, compare counts --
PAIR = Path(__file__).parent / "data" / "stories_pair"
FULL = "We will not reopen the airport until every drone over the runway is accounted for, and the radar teams agree"
CUT = "We will not reopen the airport until every drone is accounted for"


@pytest.mark.parametrize(
    ("full", "cut", "reason"),
    [
        ({}, {}, "cuts"),  # both undated: the cut one is never the original, whichever comes first
        ({}, {"published": "2026-05-12T08:20"}, "cuts"),  # a date on the cut copy alone does not decide
        ({"source": "Northwind Wire"}, {"text": CUT + " [at Marov]"}, "wire"),  # a wire service's copy wins
    ],
)
@pytest.mark.parametrize("cut_first", [True, False])
def test_a_cut_re_quote_is_not_named_the_original(full: dict, cut: dict, reason: str, cut_first: bool) -> None:
    full_item = QuoteItem("full", **{"text": FULL, "speaker": "Aron Pelc", **full})
    cut_item = QuoteItem("cut", **{"text": CUT, "speaker": "Aron Pelc", **cut})
    items = [replace(cut_item, order=0), replace(full_item, order=1)] if cut_first else [full_item, replace(cut_item, order=1)]
    (thread,) = align_quotes(items)
    assert thread.original_doc_id == "full"
    assert reason in thread.original_reason
    version = thread.version("cut")
    assert version is not None and version.deleted and not [w for w in version.inserted if not w.startswith("[")]


def test_a_quote_split_around_its_cue_is_aligned_as_one() -> None:
    text = '"We will not reopen," Pelc said, "until every drone (foreign) is gone."'
    first, second = text.index("We"), text.index("until")
    items = [
        QuoteItem("a", "We will not reopen,", "Aron Pelc", first + 0, first + 19),
        QuoteItem("a", "until every drone (foreign) is gone.", "Aron Pelc", second, second + 36),
    ]
    (joined,) = join_split_quotes(items, text)
    assert joined.text == "We will not reopen, until every drone (foreign) is gone." and joined.end == second + 36
    other = QuoteItem("b", "We will not reopen until every drone is gone.", "Aron Pelc", order=1)
    (thread,) = align_quotes([joined, other])
    assert thread.original_doc_id == "b"
    assert thread.version("a").inserted == ["(foreign)"]  # drift in the second half is seen


def test_two_sentences_are_not_joined_as_one_quote() -> None:
    text = '"We will not reopen." Pelc left. "until then," he said.'
    items = [QuoteItem("a", "We will not reopen.", "Aron Pelc", 1, 20), QuoteItem("a", "until then,", "Aron Pelc", 34, 45)]
    assert len(join_split_quotes(items, text)) == 2


def test_an_undated_blog_re_quoting_a_dated_wire_joins_its_story() -> None:
    wire, blog = read_one(PAIR / "wire.txt"), read_one(PAIR / "blog.txt")
    assert wire.published and not blog.published
    scores = pair_scores([wire, blog])
    assert scores.speakers is not None and scores.speakers[0, 1] == 1.0  # both quote Aron Pelc's words ("AP below")
    assert scores.embedding[0, 1] < DEFAULT_THRESHOLD  # the wording alone would split them
    assert scores.similarity[0, 1] >= DEFAULT_THRESHOLD
    (story,) = group_stories([wire, blog])
    assert story.name == "Aron Pelc / Marov / Lutsen"  # well-formed names, no headline fragments
    threads = quote_drift([wire, blog])
    assert {t.original_doc_id for t in threads} == {wire.id}
    # The wire's split quote ("...tonight," he said, "and they...") is one quote, and the blog's addition shows.
    (split,) = [t for t in threads if t.drifted]
    assert split.version(blog.id).inserted == ["(whatever", "that", "means)."]


def test_the_same_spokesman_on_another_matter_is_no_shared_quotation() -> None:
    wire, other = read_one(PAIR / "wire.txt"), read_one(PAIR / "other.txt")
    scores = pair_scores([wire, other])
    assert scores.speakers is not None and scores.speakers[0, 1] == 0.0  # Aron Pelc in both, other words
    assert scores.similarity[0, 1] < DEFAULT_THRESHOLD
    assert len(group_stories([wire, other])) == 2


def test_compare_counts_direct_quotes_as_it_lists_them(analyses):
    c = compare(analyses["article04"], analyses["article06"])
    data = c.to_dict()
    listed_a = len([v for t in c.drift for v in t.versions if v.doc_id == c.a.doc_id]) + len(c.only_a)
    assert data["a"]["quotes"] == listed_a
    kinds = [q["kind"] for q in analyses["article04"]["quotes"]]
    assert data["a"]["scare_quotes"] == kinds.count("scare")


def test_story_keys_skip_title_case_headline_words_and_numerals() -> None:
    from spinscope.stories import key_entities

    text = (
        "Compact Leaders Agree New Deal With Kazakhstan On Other Issues\n\n"
        "Leaders of the Northern Defence Compact met in Halden on Friday and agreed a transit deal with "
        "Kazakhstan under Plan II.\n\n"
        "Secretary General Anders Holm said other issues would wait until spring."
    )
    keys = key_entities(document_from_text(text, detect_language=False))
    assert {"northern defence compact", "anders holm", "halden", "kazakhstan"} <= set(keys)
    assert not any("issues" in k or "with" in k or k.split()[-1] == "ii" for k in keys), keys

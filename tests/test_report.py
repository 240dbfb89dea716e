"""The explainable report: escaping, self-containment, highlights, terminal view.

These tests build Analysis objects by hand (the renderers are what is under
test, not the model), so hostile text can be placed exactly where a real
article could put it: the body, the title, the URL, the outlet.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import io
from pathlib import Path

import lxml.html
import pytest
from rich.console import Console

from spinscope.analysis import Analysis, Evidence, LabelScore, ParagraphLabels, TechniqueSpan
from spinscope.ingest import document_from_text
from spinscope.report import content_security_policy, print_analysis, render_report, report_script, write_report
from spinscope.report.chart import sanitise_svg
from spinscope.taxonomy import load

HOSTILE_TITLE = 'He said "<b>enough</b>" & left \'now\' <script>window.__pwned=3</script>'
HOSTILE_BODY = [
    "Officials called the plan <script>window.__pwned=1</script> a disgrace and a betrayal.",
    'See <img src=x onerror="window.__pwned=2"> and <a href="javascript:window.__pwned=4">this link</a>.',
    "A calm closing paragraph with [bold]rich markup[/bold] that must print literally.",
]


def hostile_analysis(title: str = HOSTILE_TITLE, body: list[str] = HOSTILE_BODY, url: str | None = None) -> Analysis:
    text = title + "\n\n" + "\n".join(body)
    doc = document_from_text(text, layout="lines", title_line=True, detect_language=False, doc_id="hostile<1>")
    doc = dataclasses.replace(doc, url=url or "javascript:window.__pwned=5", source='Outlet "<i>x</i>"')
    p1 = doc.paragraphs[1]
    t1 = doc.text[p1.start : p1.end]
    s_start = p1.start + t1.index("a disgrace")
    s_end = s_start + len("a disgrace and a betrayal")
    o_start = p1.start + t1.index("betrayal")
    spans = [
        TechniqueSpan(s_start, s_end, "Loaded_Language", 0.9, 1),
        TechniqueSpan(o_start, o_start + len("betrayal"), "Name_Calling-Labeling", 0.7, 1),
    ]
    p2 = doc.paragraphs[2]
    t2 = doc.text[p2.start : p2.end]
    w_start = p2.start + t2.index("onerror")
    return Analysis(
        document=doc,
        genre=LabelScore("opinion", 0.7, (Evidence(p1.start, p1.end, 0.7, "paragraph", 1),)),
        genre_probabilities={"reporting": 0.2, "opinion": 0.7, "satire": 0.1},
        frames=[LabelScore("Political", 0.8)],
        frame_scores={"Political": 0.8, "Morality": 0.3},
        paragraphs=[
            ParagraphLabels(
                1,
                (
                    LabelScore("Loaded_Language", 0.9, (Evidence(s_start, s_end, 0.9, "span", 1),)),
                    LabelScore("Name_Calling-Labeling", 0.7, (Evidence(o_start, o_start + 8, 0.7, "span", 1),)),
                ),
            ),
            ParagraphLabels(2, (LabelScore("Doubt", 0.55, (Evidence(w_start, w_start + 7, 0.55, "strongest-tokens", 2),)),)),
        ],
        spans=spans,
        model={"name": "hand-built"},
    )


def _tree(html: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(html)


def test_hostile_text_is_escaped_everywhere() -> None:
    html = render_report([hostile_analysis().to_dict()])
    tree = _tree(html)
    scripts = tree.xpath("//script")
    assert len(scripts) == 1 and scripts[0].text == report_script()
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), (el.tag, name)
            if name in {"href", "src", "action", "formaction", "xlink:href"}:
                assert not value.strip().lower().startswith("javascript:"), (el.tag, value)
    assert not tree.xpath("//img | //iframe | //object | //embed | //link | //base | //form")
    body = tree.body.text_content()
    for literal in ("<script>window.__pwned=1</script>", '<img src=x onerror="window.__pwned=2">', "javascript:"):
        assert literal in body
    assert tree.findtext(".//title") == f"spinscope: {HOSTILE_TITLE}"
    assert 'Outlet "<i>x</i>"' in body


def test_page_is_self_contained_with_a_strict_policy() -> None:
    tree = _tree(render_report([hostile_analysis(url="https://example.org/a?b=1").to_dict()]))
    csp = tree.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]
    assert "default-src 'none'" in csp
    digest = base64.b64encode(hashlib.sha256(report_script().encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp and csp == content_security_policy()
    # the only absolute URL in the page is the article's own link, which the browser never loads
    loaded = tree.xpath("//@src | //link/@href | //use/@href")
    assert all(not v.startswith(("http:", "https:", "//")) for v in loaded)
    links = [a.get("href") for a in tree.xpath("//a[@href]") if not a.get("href").startswith("#")]
    assert links == ["https://example.org/a?b=1"]


def test_highlights_show_spans_with_their_techniques_and_definitions() -> None:
    analysis = hostile_analysis()
    tree = _tree(render_report([analysis.to_dict()]))
    marks = tree.xpath("//mark[contains(@class, 'hl')]")
    text = "".join(m.text_content() for m in marks if "a disgrace" in m.text_content() or "betrayal" in m.text_content())
    assert text == "a disgrace and a betrayal"
    overlap = [m for m in marks if m.text_content() == "betrayal"][0]
    assert "Loaded language" in overlap.get("title") and "Name-calling" in overlap.get("title")
    # each highlight names glossary entries that carry the taxonomy's definition
    techniques = load("techniques")
    for gid in overlap.get("aria-describedby").split():
        entry = tree.get_element_by_id(gid)
        name = entry.find_class("g-name")[0].text_content()
        definition = entry.find_class("g-def")[0].text_content()
        assert definition in {techniques.get(t).definition for t in ("Loaded_Language", "Name_Calling-Labeling")}
        assert name in {techniques.get(t).name for t in ("Loaded_Language", "Name_Calling-Labeling")}
    weak = [m for m in marks if m.text_content() == "onerror"]
    assert weak and "dotted" in weak[0].get("style")
    # paragraph-level labels sit beside their paragraph, readable without JavaScript
    labels = tree.get_element_by_id("a0-p1-labels").text_content()
    assert "Loaded language" in labels and "0.90" in labels


def test_summary_counts_density_and_chart() -> None:
    tree = _tree(render_report([hostile_analysis().to_dict()]))
    body = tree.body.text_content()
    assert "Opinion" in body and "0.70" in body
    counts = {
        row.xpath("./th")[0].text_content().strip(): int(row.xpath("./td")[0].text_content())
        for row in tree.xpath("//table[contains(@class,'counts')]/tbody/tr")
    }
    assert counts["Attack on reputation"] == 2 and counts["Manipulative wording"] == 1  # Doubt attacks reputation
    assert counts["Distraction"] == 0 and sum(counts.values()) == 3
    strip = tree.xpath("//ol[contains(@class,'strip')]/li/a")
    assert [a.get("class") for a in strip] == ["lvl0", "lvl2", "lvl1", "lvl0"]
    svg = tree.xpath("//figure[contains(@class,'chart')]/*[local-name()='svg']")
    assert len(svg) == 1


def test_several_articles_get_a_sortable_index() -> None:
    html = render_report([hostile_analysis().to_dict(), hostile_analysis(title="Second & last").to_dict()])
    tree = _tree(html)
    rows = tree.xpath("//table[contains(@class,'sortable')]/tbody/tr")
    assert len(rows) == 2
    assert [r.xpath(".//a/@href")[0] for r in rows] == ["#a0", "#a1"]
    assert tree.get_element_by_id("a1") is not None


def test_write_report_file_or_folder(tmp_path: Path) -> None:
    dicts = [hostile_analysis().to_dict(), hostile_analysis(title="Second").to_dict()]
    single = write_report(dicts, tmp_path / "one.html")
    assert single == [tmp_path / "one.html"] and single[0].read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    written = write_report(dicts, tmp_path / "out")
    assert written[0] == tmp_path / "out" / "index.html" and len(written) == 3
    # the untrusted id never becomes a path outside the folder
    assert all(p.parent == tmp_path / "out" and "<" not in p.name for p in written)
    index = _tree(written[0].read_text(encoding="utf-8"))
    assert sorted(index.xpath("//tbody//a/@href")) == sorted(p.name for p in written[1:])


def test_terminal_view_prints_text_literally() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=120, color_system="truecolor", force_terminal=True)
    print_analysis(hostile_analysis().to_dict(), console)
    out = buffer.getvalue()
    assert "[bold]rich markup[/bold]" in out
    assert "Loaded language 0.90" in out
    assert "\x1b[" in out  # highlighted spans are styled


def test_svg_sanitiser_drops_active_content() -> None:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="x()">'
        '<script>alert(1)</script><style>body{display:none}</style>'
        '<a href="javascript:alert(2)"><text>dropped with its tag</text></a><text x="1" y="2" onclick="y()">ok</text>'
        '<use xlink:href="https://evil.example/s.svg#a"/><use xlink:href="#local"/>'
        '<rect style="fill:url(https://evil.example/x)" width="3"/></svg>'
    )
    clean = str(sanitise_svg(svg, prefix="c-", label="chart"))
    for bad in ("script", "onload", "onclick", "<style", "javascript:", "evil.example"):
        assert bad not in clean, bad
    assert ">ok<" in clean and "#c-local" in clean and "dropped" not in clean


def test_quotes_section_lists_speakers_and_edits_escaped() -> None:
    from spinscope.quotes import extract_quotes

    body = HOSTILE_BODY + ['"We will (c)ontinue [the <b>criminal</b>] talks," Irena Vasko said on Monday.']
    analysis = hostile_analysis(body=body)
    analysis.quotes = extract_quotes(analysis.document)
    data = analysis.to_dict()
    assert any(q["speaker"] == "Irena Vasko" for q in data["quotes"])
    tree = _tree(render_report([data]))
    rows = tree.xpath("//table[contains(@class,'quotes-table')]/tbody/tr")
    texts = [r.xpath("./td")[1].text_content() for r in rows]
    assert any(t.startswith("We will (c)ontinue [the <b>criminal</b>] talks") for t in texts)
    vasko = [r for r in rows if "Irena Vasko" in r.text_content()][0]
    edits = vasko.xpath("./td")[4].text_content()
    assert "(c)" in edits and "split-word" in edits and "[the <b>criminal</b>]" in edits
    assert not tree.xpath("//table[contains(@class,'quotes-table')]//b")  # the <b> stayed text


def test_article_without_quotes_says_so() -> None:
    from spinscope.quotes import extract_quotes

    doc = document_from_text("A quiet day\n\nNo one was quoted in this short item.\nNor in this one.", detect_language=False)
    analysis = Analysis(document=doc, quotes=extract_quotes(doc))
    assert analysis.to_dict()["quotes"] == []
    assert "No direct quotation." in _tree(render_report([analysis.to_dict()])).body.text_content()


def test_stories_section_and_side_by_side_pages(tmp_path: Path) -> None:
    from spinscope.quotes import extract_quotes

    texts = [
        'Port <b>deal</b> signed\n\n"We will open the port [to <i>all</i>] ships," Irena Vasko said on Monday.',
        'Port deal signed in Dorn\n\n"We will open the port to all ships," Irena Vasko said.',
    ]
    dicts = []
    for i, text in enumerate(texts):
        doc = document_from_text(text, layout="auto", detect_language=False, doc_id=f"art<{i}>")
        dicts.append(Analysis(document=doc, quotes=extract_quotes(doc)).to_dict())
    story = {
        "id": "story-01", "name": "Irena <script>Vasko</script>", "doc_ids": ["art<0>", "art<1>"], "cohesion": 0.9,
        "quote_drift": [{
            "speaker": "Irena Vasko", "original_doc_id": "art<1>",
            "versions": [{"doc_id": "art<0>", "inserted": ["[to", "<i>all</i>]"], "deleted": ["to", "all"],
                          "truncated": {"left": False, "right": False}}],
        }],
    }  # fmt: skip
    written = write_report(dicts, tmp_path / "out", stories=[story])
    names = sorted(p.name for p in written)
    assert "story-01-compare.html" in names and "index.html" in names
    index = _tree((tmp_path / "out" / "index.html").read_text(encoding="utf-8"))
    section = index.xpath("//section[contains(@class,'stories')]")[0]
    text = section.text_content()
    assert "Irena <script>Vasko</script>" in text and "added: [to <i>all</i>]" in text
    assert len(index.xpath("//script")) == 1  # only the report's own
    assert section.xpath(".//a[@href='story-01-compare.html']")
    compare_page = _tree((tmp_path / "out" / "story-01-compare.html").read_text(encoding="utf-8"))
    assert not compare_page.xpath("//script | //b | //i")
    # one page: the stories section is there too, without the side-by-side links
    one = _tree(render_report(dicts, stories=[story]))
    assert one.xpath("//section[contains(@class,'stories')]") and not one.xpath("//a[contains(@href,'compare')]")

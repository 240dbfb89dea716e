"""HTML extraction: boilerplate removal, metadata, broken markup, encodings.

The pages below are written for these tests; none is copied from a real site.
"""

from __future__ import annotations

import pytest

from spinscope.errors import InputError
from spinscope.ingest.html import extract_html, looks_like_html

BODY_1 = (
    "The harbour authority said on Thursday that the northern pier will close for "
    "repairs in May, after divers found cracks in three of its supporting columns."
)
BODY_2 = (
    "Fishing crews who moor at the pier will be moved to the southern basin, a change "
    "their association called rushed and badly explained."
)
BODY_3 = (
    "An engineer hired by the authority estimated the work at four months, but warned "
    "that winter storms could push the reopening into next year."
)

FULL_PAGE = f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Northern pier to close for repairs | Bayside Courier</title>
  <link rel="canonical" href="https://courier.example/local/northern-pier-repairs">
  <meta property="og:site_name" content="Bayside Courier">
  <meta property="og:title" content="Northern pier to close for repairs">
  <meta name="author" content="Tomas Ferreira">
  <meta property="article:published_time" content="2024-04-18T07:15:00+00:00">
</head>
<body>
  <header>
    <nav><ul><li><a href="/">Home</a></li><li><a href="/local">Local</a></li>
    <li><a href="/sport">Sport</a></li><li><a href="/weather">Weather</a></li></ul></nav>
  </header>
  <div id="cookie-consent" class="cookie-banner">
    <p>We use cookies to personalise content and ads. By continuing you accept our cookie policy.</p>
    <button>Accept all</button>
  </div>
  <main>
    <article>
      <h1>Northern pier to close for repairs</h1>
      <p class="byline">By Tomas Ferreira</p>
      <p>{BODY_1}</p>
      <p>{BODY_2}</p>
      <p>{BODY_3}</p>
    </article>
    <aside class="related"><h3>Most read</h3><ul><li><a href="/x">Ferry timetable changes</a></li>
    <li><a href="/y">Council approves new car park</a></li></ul></aside>
  </main>
  <footer><p>Copyright 2024 Bayside Courier Ltd. All rights reserved.</p>
  <p><a href="/privacy">Privacy policy</a> | <a href="/terms">Terms of use</a></p></footer>
</body>
</html>
"""


def test_full_page_body_without_boilerplate() -> None:
    article = extract_html(FULL_PAGE.encode("utf-8"), name="pier.html")

    assert article.input_format == "html"
    assert article.layout == "lines"
    assert article.title_line is True
    paragraphs = article.text.split("\n\n")
    assert paragraphs[0] == "Northern pier to close for repairs"
    # The <h1> repeats the title; it must not become a second copy of it.
    assert paragraphs.count("Northern pier to close for repairs") == 1
    for sentence in (BODY_1, BODY_2, BODY_3):
        assert sentence in paragraphs
    for boilerplate in ("cookie", "Copyright", "Privacy policy", "Most read", "Weather", "Accept all"):
        assert boilerplate not in article.text, boilerplate
    # One paragraph per line, blank line between: no stray single newlines.
    assert all("\n" not in p and p == p.strip() and p for p in paragraphs)


def test_full_page_metadata() -> None:
    article = extract_html(FULL_PAGE, name="pier.html", url="https://courier.example/?id=77")

    assert article.title == "Northern pier to close for repairs"
    assert article.author == "Tomas Ferreira"
    assert article.published == "2024-04-18"
    assert article.source == "Bayside Courier"
    # The canonical link wins over the URL the page was fetched from.
    assert article.url == "https://courier.example/local/northern-pier-repairs"
    notes = [n for n in article.notes if n.action == "metadata"]
    assert len(notes) == 1
    for field in ("title", "author", "date", "site name", "canonical URL"):
        assert field in notes[0].detail


def test_given_url_used_without_canonical_and_host_not_claimed_as_site_name() -> None:
    page = f"<html><body><article><p>{BODY_1}</p><p>{BODY_2}</p></article></body></html>"
    article = extract_html(page, name="p", url="https://www.harbour.example/news/1")

    assert article.url == "https://www.harbour.example/news/1"
    assert article.title is None
    assert article.title_line is False
    assert article.text == f"{BODY_1}\n\n{BODY_2}"
    note = next(n for n in article.notes if n.action == "metadata")
    # trafilatura may fall back to the host name for the site; the note must
    # not say the page itself named it.
    assert "site name" not in note.detail
    assert "canonical URL" not in note.detail


def test_malformed_html_still_extracts() -> None:
    # Unclosed <p>/<div>, mismatched </i>, stray </span></div></td>, no </head>,
    # no </body>: lxml repairs it the way browsers do.
    broken = f"""<html><head><title>Storm warning for the coast</title>
<body>
<article><h1>Storm warning for the coast
<p>{BODY_1}
<p><b>{BODY_2}</i></span></div></td>
<p>{BODY_3}
<div><p>unclosed &amp; unfinished
</article></div></div>
"""
    article = extract_html(broken.encode("utf-8"), name="broken.html")

    assert article.title == "Storm warning for the coast"
    for sentence in (BODY_1, BODY_2, BODY_3):
        assert sentence in article.text
    assert "<" not in article.text and ">" not in article.text


@pytest.mark.parametrize(
    "junk",
    [
        "<<<>>> <p <div <<p>> </</",
        "<html><body><p>The harbour authority said on Thursday that the pier will cl",
        "<html><body><!-- an unterminated comment <p>hidden</p>",
        "<p>" * 5000,
    ],
    ids=["angle-soup", "truncated", "open-comment", "deep-nesting"],
)
def test_garbage_markup_never_crashes(junk: str) -> None:
    # Either something was extracted or the one documented error: nothing else.
    try:
        article = extract_html(junk.encode("utf-8"), name="junk.html")
    except InputError as exc:
        assert exc.code == "E105"
    else:
        assert article.text.strip()


def test_xhtml_with_xml_declaration() -> None:
    page = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Pier</title></head>'
        f"<body><p>{BODY_1}</p><p>{BODY_3}</p></body></html>"
    )
    article = extract_html(page.encode("utf-8"), name="page.xhtml")
    assert BODY_1 in article.text and BODY_3 in article.text


@pytest.mark.parametrize(
    "page",
    [
        "<html><head><title>Nothing here</title></head><body></body></html>",
        "<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav></body></html>",
        "<!DOCTYPE html><html><head><title>Gallery</title></head><body><img src='a.jpg'></body></html>",
    ],
    ids=["empty-body", "nav-only", "image-only"],
)
def test_page_without_article_text_is_e105(page: str) -> None:
    with pytest.raises(InputError) as info:
        extract_html(page.encode("utf-8"), name="empty.html")
    assert info.value.code == "E105"
    assert str(info.value) == "[E105] empty.html: HTML page has no article text that could be extracted"


def test_empty_input_is_e101() -> None:
    with pytest.raises(InputError) as info:
        extract_html(b"  \n ", name="blank.html")
    assert info.value.code == "E101"


# The curly apostrophes and guillemets are deliberate: they need windows-1252.
LATIN_BODY = (
    "Les propriétaires de café du vieux quartier ont manifesté lundi contre la nouvelle "
    "taxe sur les terrasses, qu’ils jugent « injuste » et mal expliquée."  # noqa: RUF001
)


@pytest.mark.parametrize(
    "declaration",
    [
        '<meta charset="iso-8859-1">',
        '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">',
    ],
    ids=["meta-charset", "http-equiv"],
)
def test_non_utf8_page_with_meta_charset(declaration: str) -> None:
    page = (
        f"<html><head>{declaration}<title>Terrasses : la colère des cafetiers</title></head>"
        "<body><article><h1>Terrasses : la colère des cafetiers</h1>"
        f"<p>{LATIN_BODY}</p><p>Le maire a promis une réunion publique "
        "avant l’été, sans préciser la date.</p></article></body></html>"  # noqa: RUF001
    )
    # Curly quotes only exist in windows-1252, which browsers use for iso-8859-1 labels too.
    data = page.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the test is only meaningful if UTF-8 fails

    article = extract_html(data, name="cafe.html")
    assert article.title == "Terrasses : la colère des cafetiers"
    assert LATIN_BODY in article.text
    assert "\ufffd" not in article.text


def test_external_charset_wins_over_wrong_meta() -> None:
    # An HTTP header (passed as ``encoding``) says cp1251; the page claims latin-1.
    body = "Городской совет в четверг одобрил ремонт старого моста через реку, завершив долгий спор."
    page = f'<html><head><meta charset="iso-8859-1"></head><body><p>{body}</p></body></html>'
    article = extract_html(page.encode("cp1251"), name="most.html", encoding="windows-1251")
    assert body in article.text


def test_utf8_page_mislabelled_as_latin1_stays_utf8() -> None:
    page = f'<html><head><meta charset="iso-8859-1"></head><body><p>{LATIN_BODY}</p></body></html>'
    article = extract_html(page.encode("utf-8"), name="cafe.html")
    assert LATIN_BODY in article.text


def test_utf16_page_with_bom() -> None:
    page = f"<html><body><p>{LATIN_BODY}</p><p>{BODY_2}</p></body></html>"
    article = extract_html(page.encode("utf-16"), name="wide.html")
    assert LATIN_BODY in article.text


@pytest.mark.parametrize(
    "head",
    [
        "<!DOCTYPE html><html><head>",
        "  \n<!doctype HTML>\n<html lang='en'>",
        "\ufeff<html>",
        '<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml">',
        "<!-- saved page -->\n<body><p>Hi</p>",
        "<p>First paragraph</p><p>Second</p>",
        "<article><h1>Title</h1>",
        "<head><meta charset='utf-8'>",
    ],
)
def test_looks_like_html_yes(head: str) -> None:
    assert looks_like_html(head)


@pytest.mark.parametrize(
    "head",
    [
        "",
        "The council met on Tuesday.\n\nIt voted to repair the bridge.",
        '{"text": "<p>json with markup inside</p>"}',
        "Prices rose 3% <-- not a tag > nor is this",
        "<pre>code block</pre> and a <param> element",
    ],
)
def test_looks_like_html_no(head: str) -> None:
    assert not looks_like_html(head)


def test_unclosed_tags_do_not_lose_a_paragraph() -> None:
    dropped = "Harbour master Lena Dahl said the quays had been checked overnight and no damage was found."
    page = (
        "<html><head><title>Port of Dorn reopens after storm</title></head><body><article>"
        "<h1>Port of Dorn reopens after storm</h1>"
        f"<p>{BODY_1}</p>"
        f"<div><span>{dropped}\n"
        f"<p>{BODY_2}</p>"
        f"<p>{BODY_3}</p>"
        "</article></body></html>"
    )
    raw = extract_html(page, name="broken.html")
    paragraphs = raw.text.split("\n\n")
    assert dropped in paragraphs
    assert paragraphs.index(dropped) == paragraphs.index(BODY_1) + 1  # in its place, not at the end
    assert any(n.action == "recovered" and "Lena Dahl" in n.detail for n in raw.notes)


def test_sidebar_prose_outside_the_article_is_not_recovered() -> None:
    aside = "Subscribers can read every archived edition of the paper online for a small monthly fee."
    page = (
        f"<html><body><div class='promo'><span>{aside}</div>"
        f"<article><h1>Pier closes</h1><p>{BODY_1}</p><p>{BODY_2}</p></article></body></html>"
    )
    raw = extract_html(page, name="aside.html")
    assert aside not in raw.text
    assert not any(n.action == "recovered" for n in raw.notes)

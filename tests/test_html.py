"""HTML mode: charset, structure rules, article body, provenance on generated and real pages, metadata."""

from __future__ import annotations

import gzip
import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from samples import ARTICLES, BENCH, FIXTURES
from selectolax.lexbor import LexborHTMLParser

from cleaner import InputError, clean, verify
from cleaner.decode import SAME_LENGTHS, decode, meta_charset
from cleaner.html_scan import Run, closer, scan, without_lt
from cleaner.html_select import SelectorIndex, compile_child, compile_simple
from cleaner.rules import default_rules

PROSE = [
    "The council met on Monday evening to discuss the budget for the coming year, and the members "
    "agreed that the library would stay open on Sundays.",
    "Residents who spoke at the meeting said that the bus service to the old town had become too slow, "
    "and the mayor promised a report on it before the summer.",
    "The finance committee will publish the full figures next week, after the auditors have checked the "
    "accounts of the three schools that asked for more money.",
    "A spokesman said that the decision would cost about forty thousand euros a year, which the town can "
    "pay from the money it saved on street lighting.",
]


def _page(body: str, head: str = "", encoding: str = "utf-8") -> bytes:
    return f"<!doctype html><html><head>{head}</head><body>{body}</body></html>".encode(encoding)


def _article(extra: str = "") -> str:
    return "<div class='story'>" + "".join(f"<p>{p}</p>" for p in PROSE) + "</div>" + extra


# --- fixtures: made-up pages --------------------------------------------------------------------


HARBOUR_KEEP = [
    "Work to repair the north harbour wall began on Monday",
    "The council’s engineers say the repairs will take until the end of June and cost about £1.2 million",
    "Fishing boats moved",
    "for the crews & their families.",
    "“It is a nuisance, but we would rather have a wall that lasts another hundred years,” said Tom Hale",
    "The old wall was built in 1868 from local granite.",
    "The harbour master asked visitors to keep away from the works",
]
HARBOUR_DROP = [
    "Skip to content",
    "Weather",
    "We use cookies",
    "Harbour wall repairs begin after winter storms",
    "By Ann Reed",
    "Facebook",
    "The damaged section of the north wall",
    "Get the morning briefing",
    "Advertisement",
    "Storm damage bill",
    "Leave a Reply",
    "Most read",
    "All rights reserved",
    "not text",
]


def test_fixture_page_keeps_the_article_and_drops_the_rest() -> None:
    path = FIXTURES / "en-harbour.html"
    result = clean(path)
    assert result.kind == "html"
    assert result.encoding == "utf-8"
    assert result.language == "en"
    for piece in HARBOUR_KEEP:
        assert piece in result.text, piece
    for piece in HARBOUR_DROP:
        assert piece not in result.text, piece
    assert verify(result, path.read_bytes()) == []
    rules = {r.rule for r in result.removed}
    assert {"html-navigation", "html-consent", "html-share", "html-comments", "html-related", "page-title"} <= rules
    assert result.outlet is not None
    assert (result.outlet.name, result.outlet.domain) == ("Northcliff Herald", "northcliffherald.example")
    assert result.outlet.rule == "outlet-meta-url"
    source = path.read_bytes()
    assert source[result.outlet.start : result.outlet.end].startswith(b"https://www.northcliffherald.example")


def test_fixture_cp1251_page_with_meta_charset() -> None:
    path = FIXTURES / "ru-cp1251-library.html"
    result = clean(path)
    assert (result.kind, result.encoding, result.language) == ("html", "cp1251", "ru")
    assert "Городская библиотека на Садовой улице снова откроется" in result.text
    assert "«Мы очень ждали этого дня», — сказала директор" in result.text
    for piece in ("Главная", "Поделиться", "Читайте также", "При перепечатке"):
        assert piece not in result.text
    assert verify(result, path.read_bytes()) == []
    assert result.outlet is not None and result.outlet.name == "Заречный вестник"


def test_blocks_stay_apart() -> None:
    body = "<h2>Sub heading here</h2><p>" + PROSE[0] + "</p><ul><li>" + PROSE[1] + "</li><li>" + PROSE[2] + "</li></ul>"
    result = clean(_page(f"<article>{body}<p>{PROSE[3]}</p></article>"))
    assert result.text.split("\n\n") == ["Sub heading here", PROSE[0], PROSE[1], PROSE[2], PROSE[3]]


# --- decoding -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "codec"),
    [
        ('<meta charset="windows-1251">', "cp1251"),
        ("<meta charset=koi8-r>", "koi8-r"),
        ('<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">', "cp1252"),
        ('<meta charset="no-such-charset">', None),
        ('<meta charset="utf-16">', "utf-8"),
        # WHATWG labels Python's codec registry does not know
        ('<meta charset="windows-874">', "cp874"),
        ('<meta charset="x-sjis">', "cp932"),
        ('<meta charset="Windows-31J">', "cp932"),
        ('<meta charset="x-cp1251">', "cp1251"),
        ('<meta charset="iso-8859-8-i">', "iso8859-8"),
        ('<meta charset="windows-949">', "cp949"),
        ('<meta charset="x-gbk">', "gb18030"),
        ('<meta charset="x-mac-cyrillic">', "mac-cyrillic"),
        ('<meta charset="unicode-1-1-utf-8">', "utf-8"),
        ('<meta charset="big5">', "big5hkscs"),
    ],
)
def test_meta_charset_prescan(head: str, codec: str | None) -> None:
    assert meta_charset(f"<html><head>{head}</head>".encode()) == codec


def test_thai_page_in_windows_874() -> None:
    """The label every Thai legacy page carries, unknown to Python as such."""
    paragraphs = ARTICLES["th"]
    data = _page("".join(f"<p>{p}</p>" for p in paragraphs), '<meta charset="windows-874">', encoding="cp874")
    result = clean(data)
    assert result.encoding == "cp874" and result.language == "th"
    assert all(p in result.text for p in paragraphs)
    assert verify(result, data) == []


def test_shift_jis_page_with_duplicate_mappings_keeps_exact_offsets() -> None:
    """NEC and IBM extension characters decode from one byte pair and encode back as another of the
    same length: the page does not round-trip, and its offsets still hold."""
    text = "".join(f"<p>{p}</p>" for p in ARTICLES["ja"])
    # "∵" as NEC row 13 (0x879A; encodes back as 0x81E6) and "纊" as NEC-selected IBM (0xED40 -> 0xFA5C)
    data = _page(text + "<p>なぜならXである。</p>", '<meta charset="shift_jis">', encoding="cp932")
    data = data.replace("なぜならX".encode("cp932"), "なぜなら".encode("cp932") + b"\x87\x9a\xed\x40")
    assert data.decode("cp932").encode("cp932") != data
    result = clean(data)
    assert result.encoding == "cp932"
    assert "なぜなら∵纊である。" in result.text and all(p in result.text for p in ARTICLES["ja"])
    assert verify(result, data) == []


@pytest.mark.parametrize("codec", sorted(SAME_LENGTHS))
def test_same_length_codecs_encode_every_character_back_to_as_many_bytes(codec: str) -> None:
    """What lets a SAME_LENGTHS page skip the round-trip test: checked for every sequence of one and
    two bytes (all the characters of these double-byte codecs)."""
    for first in range(256):
        for seq in [bytes([first])] + [bytes([first, second]) for second in range(256)]:
            try:
                chars = seq.decode(codec)
            except UnicodeDecodeError:
                continue
            assert len(chars.encode(codec)) == len(seq), seq


def test_charset_from_meta_decides_over_utf8_guess() -> None:
    text = "Заречный вестник: " + PROSE[0]
    data = _page(f"<p>{text}</p>", '<meta charset="windows-1251">').replace(text.encode(), text.encode("cp1251"))
    result = clean(data)
    assert result.encoding == "cp1251"
    assert "Заречный вестник" in result.text
    assert verify(result, data) == []


def test_a_page_declared_legacy_that_is_valid_utf8_is_utf8() -> None:
    """A template's leftover "iso-8859-1" on a UTF-8 page: the bytes say more than the label."""
    text = "Kyiv café, Zürich – " + PROSE[0]
    data = _page(f"<p>{text}</p>", '<meta charset="iso-8859-1">')
    result = clean(data)
    assert result.encoding == "utf-8" and text in result.text
    assert verify(result, data) == []
    ascii_only = _page(f"<p>{PROSE[0]}</p>", '<meta charset="iso-8859-1">')
    assert decode(ascii_only).encoding == "cp1252"  # nothing to tell them apart: the label stands


def test_bom_wins_over_meta() -> None:
    data = b"\xef\xbb\xbf" + _page(f"<p>Kyiv {PROSE[0]}</p>", '<meta charset="windows-1251">')
    assert decode(data).encoding == "utf-8"


def test_meta_after_the_prescan_window_is_not_used() -> None:
    filler = "<!-- " + "x" * 1100 + " -->"
    data = _page("<p>café " + PROSE[0] + "</p>", filler + '<meta charset="koi8-r">')
    assert decode(data).encoding == "utf-8"


def test_meta_later_in_the_head_decides_for_a_page_that_is_not_utf8() -> None:
    """Browsers switch to a declaration their parser meets after the prescan: a Shift_JIS page whose
    <meta charset> follows 2 KB of script is not read as cp1252."""
    script = "<script>var x = '" + "a" * 2000 + "';</script>"
    paragraphs = ARTICLES["ja"]
    data = _page("".join(f"<p>{p}</p>" for p in paragraphs), script + '<meta charset="shift_jis">', encoding="cp932")
    result = clean(data)
    assert result.encoding == "cp932" and result.language == "ja"
    assert all(p in result.text for p in paragraphs)
    assert verify(result, data) == []
    # the body is not the head: a declaration there is no browser's
    late = _page(script + '<meta charset="shift_jis">' + "".join(f"<p>{p}</p>" for p in paragraphs), encoding="cp932")
    assert decode(late).encoding != "cp932"


def test_kind_is_sniffed_and_can_be_forced() -> None:
    data = _page(_article())
    assert clean(data).kind == "html"
    assert clean(data, kind="text").kind == "text"
    assert clean(("\n\n".join(PROSE) + "\n").encode(), kind="html").kind == "html"


# --- structure rules and the article body --------------------------------------------------------


def test_structural_rules_name_what_they_removed() -> None:
    extra = (
        "<nav><a href='/'>Home</a> <a href='/n'>News</a></nav>"
        "<div class='share-buttons'><a href='#'>Share on Facebook</a></div>"
        "<div hidden>Secret hidden words</div>"
        "<footer>Copyright 2024 Example Daily</footer>"
    )
    result = clean(_page(_article(extra)))
    assert all(p in result.text for p in PROSE)
    by_rule = {r.rule for r in result.removed}
    assert {"html-navigation", "html-share", "html-hidden", "html-site-footer"} <= by_rule
    for piece in ("Home", "Share on Facebook", "Secret hidden words", "Copyright"):
        assert piece not in result.text


def test_layout_wrapper_with_a_boilerplate_class_keeps_the_article() -> None:
    """A column whose class says 'sidebar' but holds the article is layout, not an aside."""
    page = _page(
        "<div class='has-sidebar layout'><div class='entry-content'>"
        + "".join(f"<p>{p}</p>" for p in PROSE)
        + "</div></div>"
    )
    result = clean(page)
    assert all(p in result.text for p in PROSE)


def test_comments_are_not_the_article_however_long() -> None:
    replies = "".join(f"<div class='comment'><p>{p} {p}</p></div>" for p in PROSE * 3)
    comments = f"<div id='comments'>{replies}</div>"
    result = clean(_page("<article><p>" + PROSE[0] + "</p><p>" + PROSE[1] + "</p></article>" + comments))
    assert PROSE[0] in result.text and PROSE[1] in result.text
    assert f"{PROSE[2]} {PROSE[2]}" not in result.text


def test_teaser_lists_around_the_article_are_dropped() -> None:
    teasers = (
        "<ul>"
        + "".join(f"<li><a href='/{i}'>Another story number {i} about the town</a></li>" for i in range(8))
        + "</ul>"
    )
    result = clean(_page(teasers + "<div>" + "".join(f"<p>{p}</p>" for p in PROSE) + "</div>" + teasers))
    assert all(p in result.text for p in PROSE)
    assert "Another story number" not in result.text


def test_user_selector_rule_and_disable(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "mine.toml").write_text(
        'disable = ["html-caption"]\n'
        "[[rule]]\n"
        'id = "my-promo-box"\n'
        'category = "ads"\n'
        'scope = "selector"\n'
        'description = "Our CMS promo box."\n'
        "selectors = ['.cms-box']\n"
        "match = ['<div class=\"cms-box\">x</div>']\n",
        encoding="utf-8",
    )
    page = _page(
        _article(
            "<div class='cms-box'>Buy our mugs today</div><figure><figcaption>A quay at dawn.</figcaption></figure>"
        )
    )
    result = clean(page, rules=[rules])
    assert "Buy our mugs today" not in result.text
    assert "my-promo-box" in {r.rule for r in result.removed}
    assert "html-caption" not in {r.rule for r in result.removed}


def test_bad_selector_is_a_rule_error(tmp_path: Path) -> None:
    from cleaner import RuleError, load_rules

    (tmp_path / "bad.toml").write_text(
        '[[rule]]\nid = "broken-selector"\ncategory = "ads"\nscope = "selector"\ndescription = "x"\n'
        "selectors = ['div[[']\nmatch = ['<div>x</div>']\n",
        encoding="utf-8",
    )
    with pytest.raises(RuleError) as e:
        load_rules([tmp_path])
    assert "bad.toml:2" in str(e.value) and "broken-selector" in str(e.value) and "div[[" in str(e.value)


def _equivalence_pages() -> list[str]:
    pages = [(FIXTURES / "en-harbour.html").read_text(encoding="utf-8")]
    if BENCH.is_dir():
        pages += [gzip.decompress(p.read_bytes()).decode() for p in sorted((BENCH / "html").iterdir())[:25]]
    return pages


def test_compiled_selectors_match_what_lexbor_matches() -> None:
    """The fast path (html_select) picks the same elements as Lexbor for every shipped selector."""
    ruleset = default_rules()
    trees = [LexborHTMLParser(p) for p in _equivalence_pages()]
    checked = 0
    for rule in ruleset.selector_rules + ruleset.content_rules:
        for sel in rule.selectors:
            if compile_simple(sel) is None and compile_child(sel) is None:
                continue
            index = SelectorIndex([rule.__class__(**{**_fields(rule), "selectors": (sel,)})])
            for tree in trees:
                want = {n.mem_id for n in tree.css(sel)}
                got = {n.mem_id for n in tree.root.traverse() if index.matches(n)}
                assert got == want, sel
            checked += 1
    assert checked > 50


@pytest.mark.parametrize("sel", ["body > header", "div > p", ".x > a", 'ul > li[class*="it" i]', "#main > .x", "b > i"])
def test_child_selectors_match_what_lexbor_matches(sel: str) -> None:
    """``A > B`` of two simple selectors is matched in the walk (the parent asked), like Lexbor."""
    page = (
        "<html><body><header>top</header><div id=main><p>a</p><div class=x><a href=1>b</a><p>c</p></div>"
        "<section class=x><span><a>d</a></span><a>e</a></section><ul><li class=item>f<li class=It>g"
        "<li>h</ul><header>inner</header></div><b><i>i</i></b><i>j</i></body></html>"
    )
    assert compile_simple(sel) is None and compile_child(sel) is not None
    rule = default_rules().selector_rules[0]
    index = SelectorIndex([rule.__class__(**{**_fields(rule), "selectors": (sel,)})])
    tree = LexborHTMLParser(page)
    want = {n.mem_id for n in tree.css(sel)}
    assert want
    assert {n.mem_id for n in tree.root.traverse() if index.matches(n)} == want


def _fields(rule: object) -> dict[str, object]:
    import attrs

    return {f.name: getattr(rule, f.name) for f in attrs.fields(type(rule))}


# --- provenance --------------------------------------------------------------------------------


@pytest.mark.skipif(not BENCH.is_dir(), reason="the shared benchmark pages are not beside the repository")
def test_real_pages_verify() -> None:
    files = sorted((BENCH / "html").iterdir())
    assert len(files) > 100
    for path in files:
        data = gzip.decompress(path.read_bytes())
        result = clean(data)
        assert result.kind == "html"
        assert verify(result, data) == [], path.name
        assert result.text.strip(), path.name


_WORDS = st.sampled_from(
    [
        "harbour",
        "wall",
        "café",
        "Київ",
        "naïve",
        "東京",
        "😀",
        "a",
        "the",
        "&amp;",
        "&#8217;",
        "&nbsp;",
        "&lt;",
        "&copy",
        "&#x41;",
        "&bogus;",
        "&",
        "<",
        ">",
        "  ",
        "\n",
        "\t",
        "\r\n",
        "x" * 30,
    ]
)


@st.composite
def _nodes(draw: st.DrawFn, depth: int = 0) -> str:
    kind = draw(st.integers(0, 11 if depth < 4 else 1))
    if kind <= 1:
        return " ".join(draw(st.lists(_WORDS, min_size=1, max_size=8)))
    children = "".join(draw(st.lists(_nodes(depth + 1), max_size=4)))
    if kind == 2:
        tag = draw(st.sampled_from(["b", "i", "a href='#'", "span class='x'", "em", "strong"]))
        return f"<{tag}>{children}</{tag.split()[0]}>"
    if kind == 3:
        tag = draw(st.sampled_from(["p", "div", "h2", "li", "blockquote", "td", "section"]))
        closed = draw(st.booleans())
        return f"<{tag}>{children}" + (f"</{tag}>" if closed else "")
    if kind == 4:
        return "<br>" + children
    if kind == 5:
        return f"<!-- {children.replace('--', '')} -->"
    if kind == 6:
        return f"<script>var s = '<p>{children}</p>';</script>"
    if kind == 7:
        return f"<style>p {{ color: red }} /* {children} */</style>"
    if kind == 8:
        return f"<table><tr><td>{children}</td></tr>{children}</table>"
    if kind == 9:
        return f"<![CDATA[{children}]]>"
    if kind == 10:
        return f"<div class='share'>{children}</div><ul><li>{children}</li></ul>"
    return f"<p title='a > b' data-x=\"{children[:5]}\">{children}"


@given(body=_nodes(), codec=st.sampled_from(["utf-8", "cp1252"]))
def test_generated_html_keeps_the_contract(body: str, codec: str) -> None:
    page = f"<!doctype html><html><head><meta charset='{codec}'><title>t</title></head><body>{body}</body></html>"
    data = page.encode(codec, "xmlcharrefreplace")
    try:
        result = clean(data, kind="html")
    except InputError:
        return
    assert verify(result, data) == []
    assert result.text == result.text.strip()


@given(data=st.binary(max_size=400))
def test_any_bytes_as_html_give_a_result_or_a_clear_error(data: bytes) -> None:
    try:
        result = clean(b"<html><body><p>" + data, kind="html")
    except InputError as e:
        assert "\n" not in str(e)
        return
    assert verify(result, b"<html><body><p>" + data) == []


_ONE_TOKEN = re.compile(
    r"""<(?:
        !--.*?(?:--!?>|\Z)
      | [!?][^>]*(?:>|\Z)
      | (?:((?i:script|style|xmp|iframe|noembed|noframes|template|title|textarea|plaintext))(?=[\t\n\f\r />])
        | /?[A-Za-z][^\t\n\f\r />]*)
        (?:[\t\n\f\r /]+[^\t\n\f\r />][^\t\n\f\r />=]*
           (?:[\t\n\f\r ]*=[\t\n\f\r ]*(?:"[^"]*"|'[^']*'|[^\t\n\f\r >]+))?)*
        [\t\n\f\r /]*(?:>|\Z)
    )""",
    re.VERBOSE | re.DOTALL,
)
"""One piece of markup, as HTML's tokenizer sees it closely enough; group 1 names a raw-text element."""


def _runs_one_token_at_a_time(text: str) -> list[tuple[int, int]]:
    """The character data html_scan should find, found one token at a time (the reference)."""
    runs: list[tuple[int, int]] = []
    pos, n = 0, len(text)
    while pos < n:
        m = _ONE_TOKEN.search(text, pos)
        if m is None:
            runs.append((pos, n))
            break
        if m.start() > pos:
            runs.append((pos, m.start()))
        pos = m.end()
        if m.group(1) is not None:  # raw text or RCDATA, up to its end tag
            tag = m.group(1).lower()
            c = None if tag == "plaintext" else closer(tag).search(text, pos)
            end = c.start() if c is not None else n
            if tag in ("title", "textarea", "plaintext") and end > pos:
                runs.append((pos, end))
            pos = end
    pieces = [piece for a, b in runs for piece in without_lt(text, a, b)]
    return [(a, b) for a, b in pieces if not text[a:b].isspace()]


_SOUP = st.lists(
    st.sampled_from(
        [
            *["<", ">", "/", "!", "?", "-", "=", '"', "'", " ", "\n", "\t", "a", "p", "é", "&amp;", "<!--", "-->"],
            *["<p class='x'>", "</p>", "<br/>", '<a href="q"class=y>', "<b c=>", "<script>", "</script >", "<SCRIPT "],
            *["<title>", "</title>", "<textarea>", "<xmp>", "<plaintext>", "<scripts>", "<![CDATA[", "<?x?>"],
            "\u017fcript",  # folds to "script" when case is ignored
        ]
    ),
    max_size=40,
).map("".join)


def _text_runs(text: str, runs: list[Run]) -> list[tuple[int, int]]:
    return [(r.cstart, r.cend) for r in runs if not text[r.cstart : r.cend].isspace()]


@given(text=st.one_of(_nodes(), _SOUP))
def test_scanner_stretches_agree_with_one_token_at_a_time(text: str) -> None:
    """The scanner takes whole stretches of markup per match; it finds the same character data."""
    runs = scan(text, lambda s: len(s.encode("utf-8", "surrogateescape")), 0, False, True)
    assert _text_runs(text, runs) == _runs_one_token_at_a_time(text)
    for r in runs:
        assert r.end - r.start == len(text[r.cstart : r.cend].encode())


def test_scanner_agrees_on_real_pages() -> None:
    for page in _equivalence_pages():
        assert _text_runs(page, scan(page, len)) == _runs_one_token_at_a_time(page)


def test_entities_map_to_their_whole_source_range() -> None:
    data = _page(
        "<article><p>Fish &amp; chips cost &pound;5&nbsp;today at the &#8216;Quay&#8217; caf&eacute; "
        + PROSE[0]
        + "</p></article>"
    )
    result = clean(data)
    assert "Fish & chips cost £5 today at the ‘Quay’ café" in result.text
    assert verify(result, data) == []
    for span in result.spans:
        piece = data[span.source_start : span.source_end].decode()
        assert b"<" not in data[span.source_start : span.source_end]
        assert " ".join(html.unescape(piece).split()) == " ".join(
            result.text.encode()[span.text_start : span.text_end].decode().split()
        )


def test_processing_instructions_are_not_text() -> None:
    """Lexbor keeps ``<?php ... ?>`` in the body as a node without a tag name; the walk passes it by."""
    result = clean(_page("<article><?php echo $x; ?>" + "".join(f"<p>{p}</p>" for p in PROSE) + "</article>"))
    assert result.text == "\n\n".join(PROSE)


# --- metadata ----------------------------------------------------------------------------------


def test_outlet_from_json_ld_publisher_when_there_is_no_address() -> None:
    graph = '{"@graph": [{"@type": "NewsArticle", "publisher": {"name": "Fenwick Post"}}]}'
    head = f'<script type="application/ld+json">{graph}</script>'
    result = clean(_page(_article(), head))
    assert result.outlet is not None and result.outlet.name == "Fenwick Post"
    assert result.outlet.rule == "outlet-meta-name"


def test_caller_url_wins_over_page_metadata() -> None:
    head = '<link rel="canonical" href="https://www.fenwickpost.example/a/1">'
    result = clean(_page(_article(), head), url="https://news.othersite.example/x")
    assert result.outlet is not None and result.outlet.domain == "othersite.example"
    assert clean(_page(_article(), head)).outlet.domain == "fenwickpost.example"  # type: ignore[union-attr]


def test_html_lang_is_only_a_hint() -> None:
    result = clean(_page(_article()).replace(b"<html>", b'<html lang="de">'))
    assert result.language == "en"


# --- the CLI on a mixed folder -------------------------------------------------------------------


def test_cli_cleans_a_folder_mixing_html_and_text(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "page.html").write_bytes((FIXTURES / "en-harbour.html").read_bytes())
    (src / "note.txt").write_bytes(("\n\n".join(PROSE) + "\n").encode())
    out = tmp_path / "out.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "cleaner", str(src), "--format", "jsonl", "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    records = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert records["page.html"]["kind"] == "html" and records["note.txt"]["kind"] == "text"
    assert "north harbour wall" in records["page.html"]["text"]

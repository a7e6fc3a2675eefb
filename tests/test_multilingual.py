"""Articles in other languages and scripts are found as English ones are.

The heuristics read words, function words and sentence ends. Each language here breaks one of the
assumptions English would let slip in: Hindi and Bengali letters carry combining vowel signs (no
``\\w``), Thai has neither spaces between words nor full stops, Urdu ends sentences with ``۔``,
Turkish, Korean, Hebrew and Tamil attach their function words to other words, and several have no
stop-word list of their own. Every page and text below is our own; each must keep all three
paragraphs of its article, drop the boilerplate around it, name its language and verify.
"""

from __future__ import annotations

import pytest
from samples import ARTICLES

from cleaner import clean, verify

# langdetect's codes where they are not the plain language code
DETECTED = {"zh": "zh-cn"}
ENGLISH = "The weather in the north of the country will be cold and wet for most of the week, and windy on the coast."
MENU = "Home | World | Sport | Culture"
COPYRIGHT = "© 2024 Daily Example. All rights reserved."


def _headline(paragraphs: list[str]) -> str:
    """A few words from the middle of the last paragraph: a headline that repeats no paragraph's start."""
    words = paragraphs[2].split()
    return " ".join(words[3:9]) if len(words) > 12 else paragraphs[2][10:30]


def _page(paragraphs: list[str]) -> bytes:
    """A page whose markup names nothing: no <article>, <main>, <nav> or telling class."""
    body = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>News</title></head><body>
<div class="top"><a href="/">Home</a> | <a href="/w">World</a> | <a href="/s">Sport</a></div>
<div class="wrap"><div class="col"><h1>{_headline(paragraphs)}</h1>
<div class="meta">2024-05-06 10:00</div>
{body}</div>
<div class="col2"><ul><li><a href="/a">Another story that is linked here</a></li>
<li><a href="/b">A second story that is linked here</a></li></ul></div></div>
<div class="bottom">{COPYRIGHT}</div></body></html>""".encode()


def _text(paragraphs: list[str]) -> bytes:
    """A scraped page: the article, then a line of English prose from elsewhere on the page."""
    lines = [_headline(paragraphs), MENU, *paragraphs, "Most read", ENGLISH, COPYRIGHT]
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize("lang", sorted(ARTICLES))
def test_a_page_in_any_language_keeps_its_article(lang: str) -> None:
    paragraphs = ARTICLES[lang]
    data = _page(paragraphs)
    result = clean(data)
    assert [p for p in paragraphs if p not in result.text] == []
    assert "Another story" not in result.text and COPYRIGHT not in result.text
    assert result.language == DETECTED.get(lang, lang)
    assert verify(result, data) == []


@pytest.mark.parametrize("lang", sorted(ARTICLES))
def test_a_scraped_text_in_any_language_keeps_its_article(lang: str) -> None:
    """Among the lines, one of English prose has far more stop words than any line of the article:
    the article's lines are still prose, judged against the document's own."""
    paragraphs = ARTICLES[lang]
    data = _text(paragraphs)
    result = clean(data)
    assert [p for p in paragraphs if p not in result.text] == []
    assert MENU not in result.text and COPYRIGHT not in result.text
    assert result.language == DETECTED.get(lang, lang)
    assert verify(result, data) == []

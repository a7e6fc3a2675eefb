"""Block -> Features: the measurements the heuristic rules read (length, stop words, punctuation...).

Every block is measured once, in one pass over its text; the judge only reads these numbers.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import attrs

_WORD = re.compile(r"[^\W\d_](?:[\w'’\-]*\w)?")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# In Chinese and Japanese, written without spaces, function words are single characters: kana
# particles and endings (hiragana) and the commonest Chinese function characters.
_CJK_FUNCTION = re.compile(r"[\u3041-\u309f的了是在和有我这他们不也就都而及与着或被把从对之其为以于]")
_URLISH = re.compile(r"https?://|www\.|\S+@\S+\.\w|\[email\s*protected\]", re.IGNORECASE)
_SEPARATOR = re.compile(r"\s[|•·»/]\s|\s[|•·»]$|^[|•·»]\s")
_SENTENCE_END = frozenset(".!?…:;。！？」』\"”“»)]’'")
_DIGIT = re.compile(r"\d")
_TRAILING_GROUP = re.compile(r"\s*[(\[][^()\[\]]*[)\]]$")
_MONTH = (
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|janv|févr|avr|mai|juin|juil|août|déc|ene|abr|ago|dic"
    r"|gen|mag|giu|lug|set|ott|okt|dez|mär|fev|out|dez|янв|фев|мар|апр|мая|июн|июл|авг|сен|окт|ноя|дек"
)
_TIMESTAMP = re.compile(
    r"\b\d{1,2}:\d{2}\b|\b\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\b|\d{4}\s*年\s*\d{1,2}\s*月|\d{4}\s*년"
    r"|\b\d+\s*(?:min|minutes?|hours?|hrs?|days?|weeks?|months?)\s+ago\b"
    rf"|\b(?:{_MONTH})[a-zа-я]*\.?\s+\d{{1,2}}\b|\b\d{{1,2}}\.?\s+(?:de\s+)?(?:{_MONTH})[a-zа-яé]*\b",
    re.IGNORECASE,
)


@cache
def stopwords() -> frozenset[str]:
    """Function words of many languages in one set (``cleaner/data/stopwords.txt``)."""
    words: set[str] = set()
    text = resources.files("cleaner").joinpath("data/stopwords.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("#") or ":" not in line:
            continue
        words.update(w.casefold() for w in line.split(":", 1)[1].split())
    return frozenset(words)


@attrs.frozen(slots=True)
class Features:
    """What a block looks like, numerically."""

    chars: int
    """Length in characters."""
    words: int
    """Words, counting two CJK characters as one word."""
    stop_ratio: float
    """Share of words that are function words (of any language we list)."""
    sentence_end: bool
    """Ends like a sentence (., !, ?, closing quote...)."""
    urlish: bool
    """Holds a URL, a www. host or an e-mail address."""
    sentences: int
    """Rough count of sentence ends inside the block."""
    capital_ratio: float
    """Share of (non-CJK) words that start with a capital letter: high in titles, menus and names."""
    separators: int
    """Menu separators standing between words (``|``, ``•``, ``»``, `` / ``): menus flattened onto a line."""
    teaser: bool
    """Ends with an ellipsis after some words, as cut-off teasers and comment previews do."""
    timestamp: bool
    """A short line that carries a date or a time (``November 19, 2019 at 6:34 am``, ``2 days ago``):
    comments and list entries repeat them, article text rarely has them on a line of their own."""


def _is_timestamp(text: str) -> bool:
    return _TIMESTAMP.search(text) is not None


def _has_separator(text: str) -> bool:
    return "|" in text or "•" in text or "»" in text or "·" in text or " / " in text


def measure(text: str) -> Features:
    """Measure one block's text."""
    tokens = _WORD.findall(text)
    n_tok = len(tokens)
    ascii_text = text.isascii()
    cjk = 0 if ascii_text else len(_CJK.findall(text))
    stops = stopwords()
    if n_tok:
        n_stop = sum(map(stops.__contains__, map(str.casefold, tokens) if not ascii_text else map(str.lower, tokens)))
        n_cap = sum(map(str.isupper, [t[0] for t in tokens]))
        ratio = n_stop / n_tok
        cap = n_cap / n_tok
    else:
        ratio = cap = 0.0
    if cjk > n_tok:
        # No spaces to count words by: the share of function characters stands in for stop words.
        ratio = min(1.0, len(_CJK_FUNCTION.findall(text)) / cjk * 1.5)
        cap = 0.0
    last = text[-1] if text else ""
    sentence_end = last in _SENTENCE_END
    if last in ")]":  # "... the game (145)" is a title with a count; "... said. (AP)" ends a sentence
        inner = _TRAILING_GROUP.sub("", text)
        sentence_end = bool(inner) and inner != text and inner[-1] in _SENTENCE_END
    return Features(
        chars=len(text),
        words=n_tok + cjk // 2,
        stop_ratio=ratio,
        sentence_end=sentence_end,
        urlish=("." in text or "@" in text or "://" in text) and _URLISH.search(text) is not None,
        sentences=text.count(". ") + text.count("? ") + text.count("! ") + text.count("。") + 1,
        capital_ratio=cap,
        separators=len(_SEPARATOR.findall(text)) if _has_separator(text) else 0,
        teaser=(last == "…" or text.endswith("...")) and n_tok > 3,
        timestamp=n_tok <= 10 and len(text) <= 80 and _DIGIT.search(text) is not None and _is_timestamp(text),
    )

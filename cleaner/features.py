"""Block -> Features: the measurements the heuristic rules read (length, stop words, punctuation...)."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import attrs

_WORD = re.compile(r"[^\W\d_](?:[\w'’\-]*\w)?")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_URLISH = re.compile(r"https?://|www\.|\S+@\S+\.\w|\[email\s*protected\]", re.IGNORECASE)
_SENTENCE_END = frozenset(".!?…:;。！？」』\"”“»)]’'")


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


@attrs.frozen
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


def measure(text: str) -> Features:
    """Measure one block's text."""
    tokens = _WORD.findall(text)
    cjk = len(_CJK.findall(text)) if not text.isascii() else 0
    stops = stopwords()
    n_stop = sum(1 for t in tokens if t.casefold() in stops)
    words = len(tokens) + cjk // 2
    ratio = n_stop / len(tokens) if tokens else 0.0
    if cjk > len(tokens):
        ratio = max(ratio, 0.3)  # no spaces, no stop words to count: judge CJK text by length
    stripped = text.rstrip()
    return Features(
        chars=len(text),
        words=words,
        stop_ratio=ratio,
        sentence_end=bool(stripped) and stripped[-1] in _SENTENCE_END,
        urlish=_URLISH.search(text) is not None,
        sentences=text.count(". ") + text.count("? ") + text.count("! ") + text.count("。") + 1,
    )

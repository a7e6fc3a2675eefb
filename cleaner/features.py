"""Block text -> Features: the measurements the heuristic rules read (length, stop words, punctuation...).

Every block is measured once, in one pass over its text; the judge only reads these numbers.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import NamedTuple

# A word: a letter, then letters and digits, with apostrophes and hyphens only inside ("don't", "e-mail").
_WORD = re.compile(r"[^\W\d_]\w*(?:[-'’]+\w+)*")
# The one character that casefolds to a single character of another kind (a combining mark to "ι").
_FOLDS_TO_LETTER = "\u0345"
# The same words in lowercased ASCII text, spelled with ASCII classes: a third faster to find.
_ASCII_WORD = re.compile(r"[a-z][a-z0-9_]*(?:[-']+[a-z0-9_]+)*")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# In Chinese and Japanese, written without spaces, function words are single characters: kana
# particles and endings (hiragana) and the commonest Chinese function characters.
_CJK_FUNCTION = re.compile(r"[\u3041-\u309f的了是在和有我这他们不也就都而及与着或被把从对之其为以于]")
_URLISH = re.compile(r"https?://|www\.|\[email\s*protected\]", re.IGNORECASE)
_DOT_WORD = re.compile(r"\.\w")
_SEPARATOR = re.compile(r"\s[|•·»/]\s|\s[|•·»]$|^[|•·»]\s")
_SENTENCE_END = frozenset(".!?…:;。！？」』\"”“»)]’'")
_DIGIT = re.compile(r"\d")
_TRAILING_GROUP = re.compile(r"[(\[][^()\[\]]*[)\]]$")
_MONTH = (
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|janv|févr|avr|mai|juin|juil|août|déc|ene|abr|ago|dic"
    r"|gen|mag|giu|lug|set|ott|okt|dez|mär|fev|out|dez|янв|фев|мар|апр|мая|июн|июл|авг|сен|окт|ноя|дек"
)
_TIMESTAMP = re.compile(
    r"\b\d{1,2}:\d{2}\b|\b\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\b|\d{4}\s*年\s*\d{1,2}\s*月|\d{4}\s*년"
    r"|\b\d+\s*(?:min|minutes?|hours?|hrs?|days?|weeks?|months?)\s+ago\b"
    # (?=...): most word starts are no month; the look-ahead saves trying all sixty names there
    rf"|\b(?=[a-zа-я])(?:{_MONTH})[a-zа-я]*\.?\s+\d{{1,2}}\b|\b\d{{1,2}}\.?\s+(?:de\s+)?(?:{_MONTH})[a-zа-яé]*\b",
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


class Features(NamedTuple):
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
    separators: int
    """Menu separators standing between words (``|``, ``•``, ``»``, `` / ``): menus flattened onto a line."""
    teaser: bool
    """Ends with an ellipsis after some words, as cut-off teasers and comment previews do."""
    timestamp: bool
    """A short line that carries a date or a time (``November 19, 2019 at 6:34 am``, ``2 days ago``):
    comments and list entries repeat them, article text rarely has them on a line of their own."""
    key: str
    """The text casefolded, its white space collapsed: lines with the same key repeat each other."""


def _is_urlish(text: str, folded: str) -> bool:
    # Runs only on lines holding what one test needs: "://", "@", "www." or "[email protected]"'s
    # bracket. An address (``x@y.z``) is looked for token by token: as one regex (``\S+@\S+\.\w``)
    # it backtracks into cubic time on a long line of "a@a@a@...".
    if "@" in text or "://" in text or ("." in text and ("www." in folded or "[" in text)):
        if _URLISH.search(text) is not None:
            return True
        if "@" in text:
            for token in text.split():
                at = token.find("@", 1)
                if at > 0 and _DOT_WORD.search(token, at + 2) is not None:
                    return True
    return False


def _separators(text: str) -> int:
    if "|" in text or "•" in text or "»" in text or "·" in text or " / " in text:
        return len(_SEPARATOR.findall(text))
    return 0


def _sentence_end(text: str) -> bool:
    last = text[-1] if text else ""
    if last in ")]":  # "... the game (145)" is a title with a count; "... said. (AP)" ends a sentence
        m = _TRAILING_GROUP.search(text)  # no leading \s* in the pattern: that made it quadratic
        inner = text[: m.start()].rstrip() if m is not None else text
        return bool(inner) and inner != text and inner[-1] in _SENTENCE_END
    return last in _SENTENCE_END


def measure(text: str) -> Features:
    """Measure one block's text."""
    if text.isascii():
        # Lowercasing ASCII text changes no word boundary: the words come out ready for the look-up.
        folded = text.lower()
        tokens = _ASCII_WORD.findall(folded)
        cjk = 0
    else:
        folded = text.casefold()
        if len(folded) == len(text) and _FOLDS_TO_LETTER not in text:
            # Each character folded to one of the same kind: the folded text's words are the folded words.
            tokens = _WORD.findall(folded)
        else:  # "İ" folds to "i" and a combining dot, which no word holds: fold word by word
            tokens = list(map(str.casefold, _WORD.findall(text)))
        cjk = len(_CJK.findall(text))
    n_tok = len(tokens)
    stop_ratio = sum(map(stopwords().__contains__, tokens)) / n_tok if n_tok else 0.0
    if cjk > n_tok:
        # No spaces to count words by: the share of function characters stands in for stop words.
        stop_ratio = min(1.0, len(_CJK_FUNCTION.findall(text)) / cjk * 1.5)
    teaser = (text.endswith("…") or text.endswith("...")) and n_tok > 3
    timestamp = n_tok <= 10 and len(text) <= 80 and _DIGIT.search(text) is not None and _is_timestamp(text)
    # Positional arguments, in field order: a named tuple is built twice as fast that way.
    return Features(
        len(text),
        n_tok + cjk // 2,
        stop_ratio,
        _sentence_end(text),
        _is_urlish(text, folded),
        _separators(text),
        teaser,
        timestamp,
        _key(folded),
    )


def _key(folded: str) -> str:
    """The casefolded text with its white space collapsed."""
    if folded.isprintable() and "  " not in folded and folded[:1] != " " and folded[-1:] != " ":
        return folded  # its only white space is single spaces between words (no other is printable)
    return " ".join(folded.split())


def _is_timestamp(text: str) -> bool:
    return _TIMESTAMP.search(text) is not None

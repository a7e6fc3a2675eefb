"""HTML source -> character-data runs with their byte ranges.

selectolax (Lexbor) gives no source positions, so the page is scanned once more here with a small
tokenizer that knows just enough of HTML's rules to tell character data from markup: tags (quoted
attribute values may hold ``>``), comments, doctypes and other ``<!...>``/``<?...>`` declarations,
and the raw-text elements (``script``, ``style``...) whose content is never text. ``title`` and
``textarea`` content is text (RCDATA). Every run is a maximal piece of character data between two
markup tokens, cut around any literal ``<`` (no span may hold one); its text is ``html.unescape`` of
its source, which is what ``verify`` compares with. White space between two tokens holds no text and
is not a run.

Speed: one regular expression match takes a whole stretch of markup (tokens with only white space
between them), so Python sees one match per run of text rather than one per tag
(``tests/test_html.py`` checks that this finds what a scan one token at a time finds).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import NamedTuple

# Speed, same matches: a possessive ``++``/``*+`` never gives back what it took where giving some back
# could not let the rest match (what follows starts with a character it does not take: the name after
# the spaces, the quote after a quoted value...), and an optional part is ``(?:...|)``, which sre
# runs faster than ``(?:...)?``.
_REST = r"""(?:[\t\n\f\r /]++[^\t\n\f\r />][^\t\n\f\r />=]*+            # attributes, then the tag's end
               (?:[\t\n\f\r ]*=[\t\n\f\r ]*(?:"[^"]*+"|'[^']*+'|[^\t\n\f\r >]+)|))*
            [\t\n\f\r /]*(?:>|\Z)"""
_RAW_NAMES = "script|style|xmp|iframe|noembed|noframes|template|title|textarea|plaintext"
_RAW_FIRST = "".join(sorted({c for name in _RAW_NAMES.split("|") for c in (name[0], name[0].upper())}))
_OTHER = rf"""<(?:
        !--.*?(?:--!?>|\Z)                                  # comment (an unclosed one runs to the end)
      | [!?][^>]*(?:>|\Z)                                   # doctype, CDATA, processing instruction
      | (?!(?=[{_RAW_FIRST}])(?i:{_RAW_NAMES})[\t\n\f\r />])      # a tag, not raw text's (first letter
        /?[A-Za-z][^\t\n\f\r />]*+{_REST}                   # tested first: it is cheaper)
    )"""
_RAW = rf"""<((?i:{_RAW_NAMES}))(?=[\t\n\f\r />]){_REST}"""  # a raw-text or RCDATA start tag, its name
_FLAGS = re.VERBOSE | re.DOTALL

_MARKUP = re.compile(rf"{_OTHER}(?:\s*{_OTHER})*+(?:\s*{_RAW})?|{_RAW}|<", _FLAGS)
"""Tokens with only white space between them, the last one perhaps a raw-text start tag (its name in
group 1 or 2); or a literal ``<``, which is not character data either. (Nothing after the repeated
tokens can fail, so they need not be given back: ``*+``.)"""
_RCDATA = frozenset({"title", "textarea"})


@cache
def closer(tag: str) -> re.Pattern[str]:
    """Where the content of a raw-text or RCDATA element ends: its end tag."""
    return re.compile(r"</" + re.escape(tag) + r"[\t\n\f\r />]", re.IGNORECASE)


class Run(NamedTuple):
    """A piece of character data: source bytes ``[start, end)``, characters ``[cstart, cend)``."""

    start: int
    end: int
    cstart: int
    cend: int


def _char_runs(text: str) -> list[tuple[int, int]]:
    """Character ranges of the character data, in order (not the white space between tokens)."""
    runs: list[tuple[int, int]] = []
    n = len(text)
    pos = last = 0  # where the search goes on; where the last markup ended
    while True:
        for m in _MARKUP.finditer(text, pos):
            start, end = m.span()
            if start > last:
                runs.append((last, start))
            last = end
            group = m.lastindex
            if group is not None:  # raw text and RCDATA end only at their end tag
                tag = m.group(group).lower()
                content_end = n
                if tag != "plaintext":
                    c = closer(tag).search(text, end)
                    if c is not None:
                        content_end = c.start()
                if content_end > end and (tag in _RCDATA or tag == "plaintext"):
                    runs.extend(without_lt(text, end, content_end))
                pos = last = content_end
                break
        else:
            if n > last:
                runs.append((last, n))
            return runs


def without_lt(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """The range ``[a, b)`` cut around the ``<`` characters it holds."""
    out = []
    lt = text.find("<", a, b)
    while lt >= 0:
        if lt > a:
            out.append((a, lt))
        a = lt + 1
        lt = text.find("<", a, b)
    if b > a:
        out.append((a, b))
    return out


def scan(
    text: str, byte_len: Callable[[str], int], base: int = 0, one_byte: bool = False, ascii_one_byte: bool = False
) -> list[Run]:
    """The character-data runs of an HTML document, in source order.

    ``byte_len`` says how many source bytes a slice of ``text`` takes; ``base`` is the byte offset of
    ``text[0]`` (the BOM length); ``one_byte`` says every character is one byte (no counting needed),
    ``ascii_one_byte`` that every ASCII character is (UTF-8: only slices with others are counted).
    """
    chars = _char_runs(text)
    if one_byte:
        return [Run(base + a, base + b, a, b) for a, b in chars]
    runs = []
    at = 0  # character position of byte ``bpos``
    bpos = base
    for a, b in chars:
        gap = text[at:a]
        bpos += len(gap) if ascii_one_byte and gap.isascii() else byte_len(gap)
        piece = text[a:b]
        bend = bpos + (len(piece) if ascii_one_byte and piece.isascii() else byte_len(piece))
        runs.append(Run(bpos, bend, a, b))
        bpos, at = bend, b
    return runs

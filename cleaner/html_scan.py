"""HTML source -> character-data runs with their byte ranges.

selectolax (Lexbor) gives no source positions, so the page is scanned once more here with a small
tokenizer that knows just enough of HTML's rules to tell character data from markup: tags (quoted
attribute values may hold ``>``), comments, doctypes and other ``<!...>``/``<?...>`` declarations,
and the raw-text elements (``script``, ``style``...) whose content is never text. ``title`` and
``textarea`` content is text (RCDATA). Every run is a maximal piece of character data between two
markup tokens, cut around any literal ``<`` (no span may hold one); its text is ``html.unescape`` of
its source, which is what ``verify`` compares with.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import NamedTuple

_TOKEN = re.compile(
    r"""<(?:
        !--.*?(?:--!?>|\Z)                                  # comment (an unclosed one runs to the end)
      | [!?][^>]*(?:>|\Z)                                   # doctype, CDATA, processing instruction
      | (?:(?P<raw>(?i:script|style|xmp|iframe|noembed|noframes|template|title|textarea|plaintext))
           (?=[\t\n\f\r />])                              # a raw-text or RCDATA start tag
        | /?[A-Za-z][^\t\n\f\r />]*)                        # another tag
        (?:[\t\n\f\r /]+[^\t\n\f\r />][^\t\n\f\r />=]*
           (?:[\t\n\f\r ]*=[\t\n\f\r ]*(?:"[^"]*"|'[^']*'|[^\t\n\f\r >]+))?)*
        [\t\n\f\r /]*(?:>|\Z)
    )""",
    re.VERBOSE | re.DOTALL,
)
_RCDATA = frozenset({"title", "textarea"})


@cache
def _closer(tag: str) -> re.Pattern[str]:
    return re.compile(r"</" + re.escape(tag) + r"[\t\n\f\r />]", re.IGNORECASE)


class Run(NamedTuple):
    """A piece of character data: source bytes ``[start, end)``, characters ``[cstart, cend)``."""

    start: int
    end: int
    cstart: int
    cend: int


def _char_runs(text: str) -> list[tuple[int, int]]:
    """Character ranges of the character data, in order."""
    runs: list[tuple[int, int]] = []
    n = len(text)
    pos = 0
    search = _TOKEN.search
    while pos < n:
        m = search(text, pos)
        if m is None:
            runs.append((pos, n))
            break
        start_tok, end_tok = m.span()
        if start_tok > pos:
            runs.append((pos, start_tok))
        pos = end_tok
        raw = m.group("raw")
        if raw is not None:  # raw text and RCDATA end only at their end tag
            tag = raw.lower()
            if tag == "plaintext":
                if n > pos:
                    runs.append((pos, n))
                break
            c = _closer(tag).search(text, pos)
            content_end = c.start() if c else n
            if tag in _RCDATA and content_end > pos:
                runs.append((pos, content_end))
            pos = content_end
    return runs


def _without_lt(text: str, a: int, b: int) -> list[tuple[int, int]]:
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


def scan(text: str, byte_len: Callable[[str], int], base: int = 0, one_byte: bool = False) -> list[Run]:
    """The character-data runs of an HTML document, in source order.

    ``byte_len`` says how many source bytes a slice of ``text`` takes; ``base`` is the byte offset of
    ``text[0]`` (the BOM length); ``one_byte`` says every character is one byte (no counting needed).
    """
    chars = _char_runs(text)
    if "<" in text:  # a literal '<' in character data is left out of every run: no span may hold one
        chars = [piece for a, b in chars for piece in _without_lt(text, a, b)]
    if one_byte:
        return [Run(base + a, base + b, a, b) for a, b in chars]
    runs = []
    at = 0  # character position of byte ``bpos``
    bpos = base
    for a, b in chars:
        bpos += byte_len(text[at:a])
        bend = bpos + byte_len(text[a:b])
        runs.append(Run(bpos, bend, a, b))
        bpos, at = bend, b
    return runs

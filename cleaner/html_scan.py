"""HTML source -> character-data runs with their byte ranges.

selectolax (Lexbor) gives no source positions, so the page is scanned once more here with a small
tokenizer that knows just enough of HTML's rules to tell character data from markup: tags (quoted
attribute values may hold ``>``), comments, doctypes and other ``<!...>``/``<?...>`` declarations,
and the raw-text elements (``script``, ``style``...) whose content is never text. ``title`` and
``textarea`` content is text (RCDATA). Every run is a maximal piece of character data between two
markup tokens; its text is ``html.unescape`` of its source, which is what ``verify`` compares with.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

import attrs

_TOKEN = re.compile(
    r"""<(?:
        !--.*?(?:--!?>|\Z)                                  # comment (an unclosed one runs to the end)
      | [!?][^>]*(?:>|\Z)                                   # doctype, CDATA, processing instruction
      | /?[A-Za-z][^\t\n\f\r />]*                           # tag name
        (?:[\t\n\f\r /]+[^\t\n\f\r />][^\t\n\f\r />=]*
           (?:[\t\n\f\r ]*=[\t\n\f\r ]*(?:"[^"]*"|'[^']*'|[^\t\n\f\r >]+))?)*
        [\t\n\f\r /]*(?:>|\Z)
    )""",
    re.VERBOSE | re.DOTALL,
)
_TAG_NAME = re.compile(r"</?([A-Za-z][^\t\n\f\r />]*)")
_RAW_TEXT = frozenset({"script", "style", "xmp", "iframe", "noembed", "noframes", "template"})
_RCDATA = frozenset({"title", "textarea"})


@cache
def _closer(tag: str) -> re.Pattern[str]:
    return re.compile(r"</" + re.escape(tag) + r"[\t\n\f\r />]", re.IGNORECASE)


@attrs.frozen
class Run:
    """A piece of character data: source bytes ``[start, end)``, characters ``[cstart, cend)``."""

    start: int
    end: int
    cstart: int
    cend: int


def scan(text: str, byte_len: Callable[[str], int], base: int = 0) -> list[Run]:
    """The character-data runs of an HTML document, in source order.

    ``byte_len`` says how many source bytes a slice of ``text`` takes; ``base`` is the byte offset of
    ``text[0]`` (the BOM length).
    """
    runs: list[Run] = []
    n = len(text)
    pos = 0  # character position
    bpos = base  # byte position of ``pos``
    search = _TOKEN.search
    while pos < n:
        m = search(text, pos)
        start_tok = n if m is None else m.start()
        if start_tok > pos:
            piece_end = start_tok
            bend = bpos + byte_len(text[pos:piece_end])
            runs.append(Run(bpos, bend, pos, piece_end))
            bpos, pos = bend, piece_end
        if m is None:
            break
        tok_end = m.end()
        token = m.group()
        bpos += byte_len(token)
        pos = tok_end
        if token[1:2].isalpha():  # a start tag: raw text and RCDATA elements end only at their end tag
            name = _TAG_NAME.match(token)
            tag = name.group(1).lower() if name else ""
            if tag in _RAW_TEXT or tag in _RCDATA:
                c = _closer(tag).search(text, pos)
                content_end = c.start() if c else n
                if tag in _RCDATA and content_end > pos:
                    bend = bpos + byte_len(text[pos:content_end])
                    runs.append(Run(bpos, bend, pos, content_end))
                    bpos = bend
                elif content_end > pos:
                    bpos += byte_len(text[pos:content_end])
                pos = content_end
            elif tag == "plaintext":
                bend = bpos + byte_len(text[pos:])
                runs.append(Run(bpos, bend, pos, n))
                break
    return runs

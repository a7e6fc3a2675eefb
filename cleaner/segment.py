"""Document -> Blocks: the pieces of text the rules judge, each with its source byte range.

For text input a block is one non-blank line, stripped of surrounding white space; its byte range
is exactly the bytes of that stripped text in the source. Lines end at ``\\r\\n``, ``\\r`` or ``\\n``,
as editors count them, so ``line:col`` positions match what users see. Runs of invalid bytes
(lone surrogates from ``surrogateescape``) split a line into several blocks, never inside a span.
"""

from __future__ import annotations

import re
from itertools import accumulate
from operator import add

import attrs

from .decode import Document

_NEWLINE = re.compile(r"(\r\n|\r|\n)")
_NEWLINE_BYTES = re.compile(rb"(\r\n|\r|\n)")
_INVALID = re.compile(r"[\udc80-\udcff]+")


@attrs.define
class Block:
    """One candidate piece of article text.

    Not frozen, though nothing changes a block once made: one is made per line, and a frozen attrs
    instance costs three times as much to build (each field set through ``object.__setattr__``).
    """

    index: int
    """Position among the document's blocks."""
    text: str
    """The piece's text, stripped of surrounding white space."""
    start: int
    """Source byte offset of ``text``."""
    end: int
    """Source byte end (exclusive) of ``text``."""
    line: int
    """1-based source line of the block's first character."""
    col: int
    """1-based column (characters) of the block's first character."""
    para: int
    """Paragraph number: blocks with the same number sit on consecutive lines."""
    tag: str = ""
    """The HTML element that holds the block (``p``, ``h2``, ``li``...); empty for text input."""


def segment_text(doc: Document) -> list[Block]:
    """Split a text document into line blocks with exact source byte ranges."""
    blocks: list[Block] = []
    byte_len = doc.byte_len
    has_invalid = not doc.intact  # the text holds kept-apart bytes (lone surrogates)
    lines, seps = _split_lines(doc.text)
    sizes, sep_sizes = _byte_sizes(doc, lines, seps)
    starts = accumulate(map(add, sizes, sep_sizes), initial=doc.bom)  # where each line starts in the source
    para = 0
    prev_blank = True
    # not strict: ``starts`` ends with one more offset, the end of the text
    for lineno, (body, start, size) in enumerate(zip(lines, starts, sizes, strict=False), 1):
        stripped = body.strip()
        if not stripped:
            prev_blank = True
            continue
        if prev_blank:
            para += 1
        prev_blank = False
        lead = 0
        end = start + size
        if len(stripped) != len(body):
            lead = len(body) - len(body.lstrip())
            if size == len(body):  # one byte a character
                start += lead
                end = start + len(stripped)
            else:
                start += byte_len(body[:lead])
                end = start + byte_len(stripped)
        if has_invalid and _INVALID.search(stripped):
            for col0, piece in _split_invalid(stripped, lead):
                pstart = start + byte_len(body[lead:col0])
                blocks.append(Block(len(blocks), piece, pstart, pstart + byte_len(piece), lineno, col0 + 1, para))
        else:
            # Positional arguments: an attrs class is built faster that way.
            blocks.append(Block(len(blocks), stripped, start, end, lineno, lead + 1, para))
    return blocks


def _split_lines(text: str) -> tuple[list[str], list[str]]:
    """The lines of ``text`` and the separator after each (``""`` after the last)."""
    if "\r" in text:
        parts = _NEWLINE.split(text)  # line, separator, line, separator, ..., line
        lines, seps = parts[0::2], parts[1::2]
    else:  # str.split is several times faster than the regular expression
        lines = text.split("\n")
        seps = ["\n"] * (len(lines) - 1)
    seps.append("")
    return lines, seps


def _byte_sizes(doc: Document, lines: list[str], seps: list[str]) -> tuple[list[int], list[int]]:
    """How many source bytes each line and each separator occupies.

    Speed: no line is encoded again where one character is one byte (the text has as many characters
    as the source has bytes), nor in UTF-8, whose source splits into lines at the very same bytes.
    """
    if len(doc.text) == len(doc.data) - doc.bom:
        return list(map(len, lines)), list(map(len, seps))
    if doc.encoding == "utf-8":
        data = doc.data[doc.bom :]
        byte_lines = _NEWLINE_BYTES.split(data)[0::2] if "\r" in doc.text else data.split(b"\n")
        return list(map(len, byte_lines)), list(map(len, seps))
    return list(map(doc.byte_len, lines)), list(map(doc.byte_len, seps))


def _split_invalid(stripped: str, lead: int) -> list[tuple[int, str]]:
    """The valid pieces of a line around runs of invalid bytes, with their columns."""
    out = []
    pos = 0
    for m in _INVALID.finditer(stripped):
        out.append((pos, stripped[pos : m.start()]))
        pos = m.end()
    out.append((pos, stripped[pos:]))
    result = []
    for off, piece in out:
        inner = piece.strip()
        if inner:
            result.append((lead + off + (len(piece) - len(piece.lstrip())), inner))
    return result

"""Document -> Blocks: the pieces of text the rules judge, each with its source byte range.

For text input a block is one non-blank line, stripped of surrounding white space; its byte range
is exactly the bytes of that stripped text in the source. Lines end at ``\\r\\n``, ``\\r`` or ``\\n``,
as editors count them, so ``line:col`` positions match what users see. Runs of invalid bytes
(lone surrogates from ``surrogateescape``) split a line into several blocks, never inside a span.
"""

from __future__ import annotations

import re

import attrs

from .decode import Document

_NEWLINE = re.compile(r"(\r\n|\r|\n)")
_INVALID = re.compile(r"[\udc80-\udcff]+")


@attrs.frozen
class Block:
    """One candidate piece of article text."""

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
    text = doc.text
    byte_len = doc.byte_len
    # Speed: byte offsets come from character counts wherever one character is one byte, so the
    # text is re-encoded only for the non-ASCII lines of UTF-8 (and for UTF-16/32) documents.
    # When the text has as many characters as the source has bytes, every character is one byte.
    one_byte = len(text) == len(doc.data) - doc.bom
    utf8 = doc.encoding == "utf-8"
    has_invalid = _has_invalid(text)
    if "\r" in text:
        parts = _NEWLINE.split(text)  # line, separator, line, separator, ..., line
        lines, seps = parts[0::2], parts[1::2]
    else:  # str.split is several times faster than the regular expression
        lines = text.split("\n")
        seps = ["\n"] * (len(lines) - 1)
    seps.append("")
    pos_byte = doc.bom
    para = 0
    prev_blank = True
    for lineno, (body, sep) in enumerate(zip(lines, seps, strict=True), 1):
        fast = one_byte or (utf8 and body.isascii())
        line_bytes = len(body) + len(sep) if fast else byte_len(body) + byte_len(sep)
        stripped = body.strip()
        if not stripped:
            prev_blank = True
            pos_byte += line_bytes
            continue
        if prev_blank:
            para += 1
        prev_blank = False
        lead = body.find(stripped)  # leading white space cannot contain the text's first character
        if fast:
            start = pos_byte + lead
            end = start + len(stripped)
        else:
            start = pos_byte + (byte_len(body[:lead]) if lead else 0)
            end = start + byte_len(stripped)
        if has_invalid and _INVALID.search(stripped):
            for col0, piece in _split_invalid(stripped, lead):
                pstart = start + byte_len(body[lead:col0])
                blocks.append(Block(len(blocks), piece, pstart, pstart + byte_len(piece), lineno, col0 + 1, para))
        else:
            # Positional arguments: a frozen attrs class is built about twice as fast that way.
            blocks.append(Block(len(blocks), stripped, start, end, lineno, lead + 1, para))
        pos_byte += line_bytes
    return blocks


def _has_invalid(text: str) -> bool:
    """Whether the text holds invalid source bytes (lone surrogates)."""
    try:
        text.encode("utf-8")  # fails on any lone surrogate, ten times faster than searching for one
    except UnicodeEncodeError:
        return _INVALID.search(text) is not None
    return False


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

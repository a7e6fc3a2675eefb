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

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
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
    has_invalid = doc.encoding == "utf-8" and _INVALID.search(text) is not None
    pos_byte = doc.bom
    para = 0
    prev_blank = True
    lineno = 0
    for m in _LINE.finditer(text):
        raw = m.group()
        if not raw:
            break
        lineno += 1
        body = raw.rstrip("\r\n")
        stripped = body.strip()
        if not stripped:
            prev_blank = True
            pos_byte += byte_len(raw)
            continue
        if prev_blank:
            para += 1
        prev_blank = False
        lead = len(body) - len(body.lstrip())
        start = pos_byte + byte_len(body[:lead])
        pieces = [(lead, stripped)]
        if has_invalid and _INVALID.search(stripped):
            pieces = _split_invalid(stripped, lead)
        for col0, piece in pieces:
            pstart = start + byte_len(body[lead:col0])
            blocks.append(
                Block(
                    index=len(blocks),
                    text=piece,
                    start=pstart,
                    end=pstart + byte_len(piece),
                    line=lineno,
                    col=col0 + 1,
                    para=para,
                )
            )
        pos_byte += byte_len(raw)
    return blocks


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

"""Blocks + Verdicts -> clean text, spans and removals.

Kept blocks are joined with ``\\n`` when they sat on consecutive lines of one paragraph and with
``\\n\\n`` otherwise; these separators are the only bytes of the text outside spans.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .judge import Verdict
from .result import Removal, Span
from .segment import Block


def assemble(blocks: Sequence[Block], verdicts: Sequence[Verdict]) -> tuple[str, list[Span], list[Removal]]:
    """The clean text, its spans (text bytes -> source bytes) and the removals."""
    parts: list[str] = []
    spans: list[Span] = []
    removed: list[Removal] = []
    pos = 0
    prev: Block | None = None
    for block, verdict in zip(blocks, verdicts, strict=True):
        if not verdict.keep:
            removed.append(
                Removal(block.start, block.end, verdict.rule, verdict.category, block.line, block.col, verdict.message)
            )
            prev = None
            continue
        if parts:
            same_para = prev is not None and prev.para == block.para and (block.tag == "" or block.tag == prev.tag)
            sep = "\n" if same_para else "\n\n"
            parts.append(sep)
            pos += len(sep)
        pieces = getattr(block, "pieces", ())
        if pieces:  # HTML: one span per run of character data
            spans.extend(_piece_spans(block.text, pieces, pos))
            pos += len(block.text) if block.text.isascii() else len(block.text.encode("utf-8"))
        else:
            data = block.text.encode("utf-8", "surrogateescape")
            spans.append(Span(pos, pos + len(data), block.start, block.end))
            pos += len(data)
        parts.append(block.text)
        prev = block
    return "".join(parts), spans, removed


def _piece_spans(text: str, pieces: Sequence[Any], pos: int) -> list[Span]:
    """Spans of a block made of pieces (``cstart, cend, start, end``) whose text starts at byte ``pos``."""
    if text.isascii():  # one byte a character
        return [Span(pos + p.cstart, pos + p.cend, p.start, p.end) for p in pieces]
    spans = []
    char = 0
    for p in pieces:
        if p.cstart > char:  # the space between two pieces
            pos += len(text[char : p.cstart].encode("utf-8"))
        size = len(text[p.cstart : p.cend].encode("utf-8"))
        spans.append(Span(pos, pos + size, p.start, p.end))
        pos += size
        char = p.cend
    return spans

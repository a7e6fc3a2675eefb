"""Blocks + Verdicts -> clean text, spans and removals.

Kept blocks are joined with ``\\n`` when they sat on consecutive lines of one paragraph and with
``\\n\\n`` otherwise; these separators are the only bytes of the text outside spans.
"""

from __future__ import annotations

from collections.abc import Sequence

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
        data = block.text.encode("utf-8", "surrogateescape")
        spans.append(Span(pos, pos + len(data), block.start, block.end))
        parts.append(block.text)
        pos += len(data)
        prev = block
    return "".join(parts), spans, removed

"""Check the provenance contract of a CleanResult against the source bytes it came from.

Text input: each span's source bytes, decoded with the result's encoding, equal the span's text
(for UTF-8 input the bytes are identical). HTML input: each span's source bytes hold character
data only (no ``<``) and equal the text once character references are decoded and white space is
collapsed. In both, spans are in range and in order, and text outside spans is white space only.
"""

from __future__ import annotations

import html
import re

from .result import CleanResult

_WS = re.compile(r"\s+")


def _squash(s: str) -> str:
    return _WS.sub(" ", s).strip()


def verify(result: CleanResult, source: bytes) -> list[str]:
    """What is wrong with ``result``'s provenance (an empty list when nothing is)."""
    problems: list[str] = []
    text = result.text.encode("utf-8", "surrogateescape")
    covered = bytearray(len(text))
    last = 0
    for span in result.spans:
        ts, te, ss, se = span.as_list()
        if not (0 <= ts <= te <= len(text) and 0 <= ss <= se <= len(source)):
            problems.append(f"span {span.as_list()} out of range (text {len(text)} B, source {len(source)} B)")
            continue
        if ts < last:
            problems.append(f"span {span.as_list()} overlaps or goes back in the text")
        last = te
        piece, orig = text[ts:te], source[ss:se]
        if result.kind == "text":
            if result.encoding == "utf-8":
                same = piece == orig
            else:
                same = piece.decode("utf-8", "surrogateescape") == orig.decode(result.encoding, "replace")
            if not same:
                problems.append(f"span {span.as_list()}: source {orig[:60]!r} != text {piece[:60]!r}")
        else:
            if b"<" in orig:
                problems.append(f"span {span.as_list()}: source bytes hold markup {orig[:60]!r}")
            want = _squash(html.unescape(orig.decode(result.encoding, "replace")))
            got = _squash(piece.decode("utf-8", "replace"))
            if want != got:
                problems.append(f"span {span.as_list()}: source {want[:60]!r} != text {got[:60]!r}")
        covered[ts:te] = b"\x01" * (te - ts)
    loose = bytes(b for b, c in zip(text, covered, strict=True) if not c)
    if loose.strip():
        problems.append(f"{len(loose.strip())} bytes of text come from no span, e.g. {loose.strip()[:40]!r}")
    for r in result.removed:
        if not 0 <= r.start <= r.end <= len(source):
            problems.append(f"removal {r.rule} [{r.start}, {r.end}] out of range")
    return problems

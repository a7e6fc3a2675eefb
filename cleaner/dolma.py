"""CleanResult -> a Dolma document row and its span attributes row.

Dolma (allenai/dolma, docs/data-format.md) keeps documents and attributes apart:
``documents/*.jsonl.gz`` rows are ``{"id", "text", "source", "added", "created", "metadata"}`` and
``attributes/<name>/*.jsonl.gz`` rows, line for line the same documents, are
``{"id", "attributes": {"<experiment>__<tagger>__<name>": [[start, end, score], ...]}}`` with
``start``/``end`` character offsets into ``text``.

So the document's ``text`` is the whole source (decoded, BOM left out) and every removed piece is a
``cleaner__boilerplate__<category>`` span of it: Dolma's mixer drops them (``span_replacement``)
and keeps the article. ``added`` and ``created`` are the source file's modification time, so the
same file always gives the same rows.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from .result import CleanResult

_BOMS = (  # UTF-32 first: its little-endian BOM starts with UTF-16's
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
EXPERIMENT = "cleaner"


def attribute_name(category: str) -> str:
    """``cleaner__boilerplate__<category>``, hyphens made underscores (plain JSONPath keys)."""
    return f"{EXPERIMENT}__boilerplate__{category.replace('-', '_')}"


def timestamp(mtime_ns: int) -> str:
    """ISO 8601 UTC with a ``Z``, to the second."""
    when = datetime.fromtimestamp(mtime_ns // 1_000_000_000, tz=UTC)
    return when.isoformat().replace("+00:00", "Z")


def _bom_length(data: bytes, encoding: str) -> int:
    name = codecs.lookup(encoding).name
    return next((len(b) for b, n in _BOMS if data.startswith(b) and codecs.lookup(n).name == name), 0)


def _char_offsets(data: bytes, encoding: str, start: int, offsets: Iterable[int]) -> dict[int, int]:
    """Byte offset -> offset in ``data[start:]`` decoded (``replace``), for offsets on character bounds."""
    out: dict[int, int] = {}
    pos, chars = start, 0
    for off in sorted(set(offsets)):
        off = max(off, start)
        chars += len(data[pos:off].decode(encoding, "replace"))
        pos = off
        out[off] = chars
    return out


def dolma_rows(
    result: CleanResult, data: bytes, doc_id: str, source: str, mtime_ns: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The (document, attributes) rows of one cleaned source."""
    bom = _bom_length(data, result.encoding)
    text = data[bom:].decode(result.encoding, "replace")
    chars = _char_offsets(data, result.encoding, bom, (b for r in result.removed for b in (r.start, r.end)))
    spans: dict[str, list[list[float | int]]] = {}
    for r in result.removed:
        start, end = chars[max(r.start, bom)], chars[max(r.end, bom)]
        if end > start:
            spans.setdefault(attribute_name(r.category), []).append([start, end, 1.0])
    attributes: dict[str, Any] = dict(sorted(spans.items()))
    attributes[f"{EXPERIMENT}__language__{result.language}"] = [[0, len(text), result.language_score]]
    outlet = result.outlet
    when = timestamp(mtime_ns)
    document = {
        "id": doc_id,
        "text": text,
        "source": source,
        "added": when,
        "created": when,
        "metadata": {
            "path": doc_id,
            "language": result.language,
            "language_score": result.language_score,
            "outlet": None if outlet is None else {"name": outlet.name, "domain": outlet.domain},
            "kind": result.kind,
            "encoding": result.encoding,
            "sha256": result.sha256,
            "length": len(data),
            "removed_rules": sorted({r.rule for r in result.removed}),
            "rules_digest": result.rules_digest,
            "version": result.version,
        },
    }
    return document, {"id": doc_id, "source": source, "attributes": attributes}

"""CleanResult -> JSON-ready records. One function per output format, outside the core."""

from __future__ import annotations

from typing import Any

from .result import CleanResult


def to_record(result: CleanResult, doc_id: str) -> dict[str, Any]:
    """The JSONL record of one document (the ``clean --format jsonl`` line)."""
    outlet = result.outlet
    return {
        "id": doc_id,
        "text": result.text,
        "spans": [s.as_list() for s in result.spans],
        "removed": [
            {"start": r.start, "end": r.end, "rule": r.rule, "category": r.category, "line": r.line, "col": r.col}
            for r in result.removed
        ],
        "language": result.language,
        "language_score": result.language_score,
        "outlet": None
        if outlet is None
        else {
            "name": outlet.name,
            "domain": outlet.domain,
            "evidence": {"rule": outlet.rule, "start": outlet.start, "end": outlet.end},
        },
        "kind": result.kind,
        "encoding": result.encoding,
        "sha256": result.sha256,
        "rules_digest": result.rules_digest,
        "version": result.version,
    }


def explain_lines(result: CleanResult, path: str) -> list[str]:
    """Each removal as ``path:line:col: rule-id message``, the format editors and linters use."""
    return [f"{path}:{r.line}:{r.col}: {r.rule} {r.message}" for r in result.removed]

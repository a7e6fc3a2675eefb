"""``clean explain FILE``: the source, line by line, with each removed line marked by its rule ids.

Kept lines are printed as ``  line``, removed ones as ``- [rule-id] line`` (red on a terminal), so a
rule author sees at once what a rule takes and what it leaves.
"""

from __future__ import annotations

import codecs
from collections import Counter
from collections.abc import Iterator

from .result import CleanResult, Removal

RED, YELLOW, DIM, RESET = "\033[31m", "\033[33m", "\033[2m", "\033[0m"


def _lines(data: bytes, encoding: str) -> Iterator[tuple[int, int]]:
    """(start, end) byte range of each line, its newline left out."""
    newline = "\n".encode(encoding) if encoding.startswith(("utf-16", "utf-32")) else b"\n"
    start = 0
    while start < len(data):
        end = data.find(newline, start)
        if end < 0:
            end = len(data)
        yield start, end
        start = end + len(newline)


def render(result: CleanResult, data: bytes, path: str, color: bool = False) -> Iterator[str]:
    """The explanation of one document, one output line at a time."""
    red, yellow, dim, reset = (RED, YELLOW, DIM, RESET) if color else ("", "", "", "")
    outlet = f"{result.outlet.name} [{result.outlet.rule}]" if result.outlet else "none"
    yield f"{dim}# {path}: language {result.language} ({result.language_score:.2f}), outlet {outlet}{reset}"
    removals = sorted(result.removed, key=lambda r: r.start)
    active: list[Removal] = []
    i = removed_lines = total = 0
    decoder = codecs.getincrementaldecoder(result.encoding)("replace")
    for start, end in _lines(data, result.encoding):
        total += 1
        while i < len(removals) and removals[i].start < max(end, start + 1):
            active.append(removals[i])
            i += 1
        active = [r for r in active if r.end > start]
        decoder.reset()
        text = decoder.decode(data[start:end], final=True).rstrip("\r").lstrip("\ufeff" if start == 0 else "")
        rules = list(dict.fromkeys(r.rule for r in active if r.start < max(end, start + 1)))
        if rules and text.strip():
            removed_lines += 1
            yield f"{red}- {yellow}[{', '.join(rules)}]{red} {text}{reset}"
        else:
            yield f"  {text}" if text.strip() else ""
    by_rule = Counter(r.rule for r in result.removed)
    rules_said = ", ".join(f"{rule} {n}" for rule, n in sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0])))
    yield f"{dim}# {removed_lines} of {total} lines removed" + (f": {rules_said}" if rules_said else "") + reset

"""What a batch says on stderr: one line per problem, a progress bar on a terminal, a summary at the end."""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Mapping
from typing import Any, TextIO


class Progress:
    """``\\r``-redrawn bar on stderr, only when stderr is a terminal; at most ten redraws a second."""

    def __init__(self, total: int, enabled: bool, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self.total, self.enabled = total, enabled and self.stream.isatty() and total > 0
        self.done = 0
        self._drawn = 0.0
        self._start = time.monotonic()

    def advance(self) -> None:
        self.done += 1
        now = time.monotonic()
        if self.enabled and (now - self._drawn >= 0.1 or self.done == self.total):
            self._drawn = now
            width = 30
            filled = width * self.done // self.total
            rate = self.done / max(now - self._start, 1e-6)
            self.stream.write(
                f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} documents  {rate:,.0f}/s"
            )
            self.stream.flush()

    def say(self, line: str) -> None:
        """Print one line on stderr without garbling the bar."""
        self.clear()
        print(line, file=self.stream, flush=True)

    def clear(self) -> None:
        if self.enabled and self._drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._drawn = 0.0


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _top(counts: Counter[str], n: int = 12) -> str:
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    shown = ", ".join(f"{k} {v}" for k, v in items[:n])
    return shown + (f", … {len(items) - n} more" if len(items) > n else "") if items else "none"


class Summary:
    """Counts over the documents of a run: cleaned now or carried over unchanged."""

    def __init__(self) -> None:
        self.cleaned = self.unchanged = self.skipped = self.failed = 0
        self.bytes_in = self.bytes_removed = 0
        self.rules: Counter[str] = Counter()
        self.languages: Counter[str] = Counter()
        self.outlets: Counter[str] = Counter()

    def add(self, stats: Mapping[str, Any], unchanged: bool = False) -> None:
        if unchanged:
            self.unchanged += 1
        else:
            self.cleaned += 1
        self.bytes_in += int(stats.get("bytes_in", 0))
        self.bytes_removed += int(stats.get("bytes_removed", 0))
        self.rules.update(stats.get("rules", {}))
        self.languages[str(stats.get("language", "und"))] += 1
        self.outlets[stats.get("outlet") or "(none)"] += 1

    def lines(self) -> list[str]:
        docs = self.cleaned + self.unchanged
        share = 100 * self.bytes_removed / self.bytes_in if self.bytes_in else 0.0
        return [
            f"clean: {_n(docs + self.failed + self.skipped, 'document')}: {self.cleaned} cleaned, "
            f"{self.unchanged} unchanged (not cleaned again), {self.skipped} skipped, {self.failed} failed",
            f"clean: {self.bytes_in:,} bytes in, {self.bytes_removed:,} removed ({share:.1f}%)",
            f"clean: rules: {_top(self.rules)}",
            f"clean: languages: {_top(self.languages)}",
            f"clean: outlets: {_top(self.outlets)}",
        ]

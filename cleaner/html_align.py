"""DOM text nodes -> source runs: the heart of HTML provenance.

The DOM (selectolax) and the scanner (``html_scan``) see the same character data in nearly the same
order. One forward pass pairs each DOM text node with the run(s) it came from: usually one run, found
by its text at or after the current position; several consecutive runs when the parser merged them
across markup it dropped (a stray end tag). Text the parser moved (foster-parented table text) is found
by the same forward search. A node that cannot be paired is reported as None and never kept, so every
kept piece points to character data that decodes to it.
"""

from __future__ import annotations

import bisect
import html
from collections.abc import Sequence

from .html_scan import Run

WINDOW = 32
"""How many non-blank runs ahead a node merged from several runs may start."""


def squash(text: str) -> str:
    """White space collapsed to single spaces, ends stripped (how the contract compares)."""
    return " ".join(text.split())


def _matching(key: str) -> str:
    """How a key is compared with DOM text: a ``<`` counts as white space. The scanner leaves a
    literal ``<`` out of every run (no span may hold one) while the DOM keeps it, so the two can
    only meet with it taken for a gap; one decoded from ``&lt;`` stays in the run's text."""
    return " ".join(key.replace("<", " ").split()) if "<" in key else key


class Aligner:
    """Pairs DOM text nodes with source runs, in one forward pass."""

    def __init__(self, text: str, runs: Sequence[Run]):
        self.text = text
        self.runs = runs
        self.keys: list[str] = []
        self.match: list[str] = []
        self.where: dict[str, list[int]] = {}
        for i, r in enumerate(runs):
            raw = text[r.cstart : r.cend]
            k = squash(html.unescape(raw) if "&" in raw else raw)
            self.keys.append(k)
            m = _matching(k)
            self.match.append(m)
            if m:
                self.where.setdefault(m, []).append(i)
        self.filled = [i for i, k in enumerate(self.match) if k]
        self.pos = 0

    def key(self, i: int) -> str:
        """The run's character data as the contract sees it (references decoded, white space squashed)."""
        return self.keys[i]

    def raw(self, i: int) -> str:
        r = self.runs[i]
        return self.text[r.cstart : r.cend]

    def align(self, node_text: str) -> list[int] | None:
        """Indices of the runs that make up a text node ([] for white space), or None when not found."""
        want = _matching(squash(node_text))
        if not want:
            return []
        exact = self.where.get(want)
        if exact:
            at = bisect.bisect_left(exact, self.pos)
            if at < len(exact):
                self.pos = exact[at] + 1
                return [exact[at]]
        start = bisect.bisect_left(self.filled, self.pos)
        for i in self.filled[start : start + WINDOW]:
            if want.startswith(self.match[i]):
                got = self._merge(i, want)
                if got is not None:
                    self.pos = got[-1] + 1
                    return got
        return None

    def _merge(self, i: int, want: str) -> list[int] | None:
        have = self.match[i]
        used = [i]
        j = i + 1
        n = len(self.runs)
        while len(have) < len(want) and j < n:
            k = self.match[j]
            if k:
                if want.startswith(have + k):
                    have += k
                elif want.startswith(have + " " + k):
                    have += " " + k
                else:
                    return None
                used.append(j)
            j += 1
        return used if have == want else None

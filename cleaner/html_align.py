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
    """Pairs DOM text nodes with source runs, in one forward pass.

    Only the runs a text node can be paired with are kept (``runs``, ``keys``; not white space): run
    indices count those. Most nodes are simply the next run, which is tried first.
    """

    def __init__(self, text: str, runs: Sequence[Run]):
        self.text = text
        self.runs: list[Run] = []
        self.keys: list[str] = []  # their text as the contract sees it: references decoded, white space squashed
        self.match: list[str] = []
        self.where: dict[str, list[int]] = {}
        for r in runs:
            raw = text[r.cstart : r.cend]
            k = squash(html.unescape(raw) if "&" in raw else raw)
            m = _matching(k)
            if m:
                self.where.setdefault(m, []).append(len(self.runs))
                self.runs.append(r)
                self.keys.append(k)
                self.match.append(m)
        self.pos = 0

    def align(self, node_text: str) -> list[int] | None:
        """Indices of the runs that make up a text node ([] for white space), or None when not found."""
        want = _matching(squash(node_text))
        if not want:
            return []
        pos = self.pos
        match = self.match
        if pos < len(match) and match[pos] == want:  # the usual case: the next run
            self.pos = pos + 1
            return [pos]
        exact = self.where.get(want)
        if exact:
            at = bisect.bisect_left(exact, pos)
            if at < len(exact):
                self.pos = exact[at] + 1
                return [exact[at]]
        for i in range(pos, min(pos + WINDOW, len(match))):
            if want.startswith(match[i]):
                got = self._merge(i, want)
                if got is not None:
                    self.pos = got[-1] + 1
                    return got
        return None

    def _merge(self, i: int, want: str) -> list[int] | None:
        """The runs from ``i`` on whose text, one space between runs or none, spells ``want``
        (which starts with run ``i``'s), or None. Compared in place: linear in ``want``'s length."""
        match = self.match
        at = len(match[i])  # want[:at] is spelled so far
        used = [i]
        j = i + 1
        n = len(match)
        while at < len(want) and j < n:
            k = match[j]
            if want.startswith(k, at):
                at += len(k)
            elif want.startswith(" ", at) and want.startswith(k, at + 1):
                at += 1 + len(k)
            else:
                return None
            used.append(j)
            j += 1
        return used if at == len(want) else None

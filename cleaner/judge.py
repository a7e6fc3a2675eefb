"""Blocks + Rules -> Verdicts: which blocks are kept, and which rule removed each of the others.

Order of judgement (each step only looks at blocks no earlier step removed):
  1. pattern rules (scope ``block``) and tail markers (scope ``tail``);
  2. ``duplicate-line`` and ``repeated-headline``;
  3. block quality: ``good`` prose, ``short`` lines and ``medium`` ones in between;
  4. ``tail-zone``: after a tail marker only clear prose survives;
  5. ``boilerplate-context``: short and medium blocks take the class of their neighbours, headings
     that introduce prose are kept;
  6. ``outside-main``: prose far from the main body of the document is dropped;
  7. ``low-quality``: what is still not prose-like is dropped.
Every heuristic step is a rule in ``rules/heuristics.toml``; disabling its id switches it off.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from .features import Features, measure
from .rules import Rule, RuleSet
from .segment import Block

GOOD, MEDIUM, SHORT, BAD = "good", "medium", "short", "bad"


@attrs.frozen
class Verdict:
    """The judgement of one block."""

    keep: bool
    rule: str = ""
    category: str = ""
    message: str = ""


KEEP = Verdict(True)


def _drop(rule: Rule, message: str = "") -> Verdict:
    return Verdict(False, rule.id, rule.category, message or rule.message)


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


class _Judge:
    def __init__(self, blocks: Sequence[Block], rules: RuleSet):
        self.blocks = blocks
        self.rules = rules
        self.feats: list[Features] = [measure(b.text) for b in blocks]
        self.verdicts: list[Verdict | None] = [None] * len(blocks)
        self.classes: list[str] = [""] * len(blocks)

    def open(self) -> list[int]:
        return [i for i, v in enumerate(self.verdicts) if v is None]

    # 1. pattern rules -------------------------------------------------------------------------
    def patterns(self) -> int | None:
        tail_start = None
        for i, block in enumerate(self.blocks):
            words = self.feats[i].words
            rule = self.rules.block.first(block.text)
            if rule is not None and words <= rule.param("max_words", 1_000_000):
                self.verdicts[i] = _drop(rule)
                continue
            tail = self.rules.tail.first(block.text)
            if tail is not None and words <= tail.param("max_words", 1_000_000):
                self.verdicts[i] = _drop(tail)
                if tail_start is None and i >= len(self.blocks) * tail.param("min_position", 0.0):
                    tail_start = i
        return tail_start

    # 2. repetition ----------------------------------------------------------------------------
    def repetition(self) -> None:
        dup = self.rules.heuristic("duplicate-line")
        head = self.rules.heuristic("repeated-headline")
        seen: dict[str, int] = {}
        heads: list[str] = []
        for i in range(len(self.blocks)):
            text = _norm(self.blocks[i].text)
            if self.verdicts[i] is not None:
                seen.setdefault(text, i)
                continue
            if dup is not None and text in seen and len(text) >= dup.param("min_chars", 1):
                self.verdicts[i] = _drop(dup, f"repeats line {self.blocks[seen[text]].line}")
                continue
            seen.setdefault(text, i)
            if head is not None:
                for h in heads:
                    if text.startswith(h) and len(text) > len(h):
                        self.verdicts[i] = _drop(head, "starts with the headline again")
                        break
                if self.verdicts[i] is None and not heads and self.feats[i].words >= head.param("min_words", 4):
                    heads.append(text)

    # 3. quality classes -------------------------------------------------------------------------
    def classify(self) -> None:
        q = self.rules.heuristic("low-quality")
        good_words = q.param("good_words", 12) if q else 12
        good_stop = q.param("good_stop_ratio", 0.2) if q else 0.2
        short_words = q.param("short_words", 5) if q else 5
        for i, f in enumerate(self.feats):
            if self.verdicts[i] is not None:
                self.classes[i] = BAD
            elif f.urlish and f.words < good_words:
                self.classes[i] = BAD
            elif f.words >= good_words and f.stop_ratio >= good_stop:
                self.classes[i] = GOOD
            elif f.words < short_words:
                self.classes[i] = SHORT
            else:
                self.classes[i] = MEDIUM

    # 4. tail zone ---------------------------------------------------------------------------------
    def tail_zone(self, start: int | None) -> None:
        rule = self.rules.heuristic("tail-zone")
        if rule is None or start is None:
            return
        for i in range(start + 1, len(self.blocks)):
            if self.verdicts[i] is None and self.classes[i] != GOOD:
                self.verdicts[i] = _drop(rule, f"after the tail marker on line {self.blocks[start].line}")
                self.classes[i] = BAD

    # 5. context -----------------------------------------------------------------------------------
    def context(self) -> None:
        rule = self.rules.heuristic("boilerplate-context")
        if rule is None:
            return
        max_heading_words = rule.param("heading_words", 20)
        n = len(self.blocks)
        resolved = list(self.classes)
        for i in range(n):
            c = self.classes[i]
            if c not in (SHORT, MEDIUM) or self.verdicts[i] is not None:
                continue
            prev_c = self._neighbour(i, -1)
            next_c = self._neighbour(i, +1)
            if c == MEDIUM:
                good = prev_c == GOOD or next_c == GOOD
            else:
                good = prev_c == GOOD and next_c == GOOD
            # A heading: a short line with no sentence end right before prose.
            nxt = self._next_open(i)
            if (
                not good
                and nxt is not None
                and self.classes[nxt] == GOOD
                and not self.feats[i].sentence_end
                and self.feats[i].words <= max_heading_words
                and nxt - i <= 2
            ):
                good = True
            resolved[i] = GOOD if good else BAD
        for i in range(n):
            if self.verdicts[i] is None and resolved[i] == BAD:
                self.verdicts[i] = _drop(rule)
        self.classes = resolved

    def _neighbour(self, i: int, step: int) -> str:
        j = i + step
        while 0 <= j < len(self.blocks):
            c = self.classes[j]
            if c in (GOOD, BAD):
                return c
            j += step
        return BAD

    def _next_open(self, i: int) -> int | None:
        for j in range(i + 1, len(self.blocks)):
            if self.verdicts[j] is None:
                return j
            if self.classes[j] == BAD:
                return None
        return None

    # 6. main body ---------------------------------------------------------------------------------
    def main_body(self) -> None:
        rule = self.rules.heuristic("outside-main")
        if rule is None:
            return
        max_gap = rule.param("max_gap", 8)
        min_share = rule.param("min_share", 0.25)
        kept = [i for i in self.open()]
        if not kept:
            return
        clusters: list[list[int]] = [[kept[0]]]
        for i in kept[1:]:
            gap = sum(1 for j in range(clusters[-1][-1] + 1, i) if self.classes[j] == BAD)
            if gap > max_gap:
                clusters.append([i])
            else:
                clusters[-1].append(i)
        weight = [sum(self.feats[i].chars for i in c if self.classes[i] == GOOD) for c in clusters]
        best = max(weight)
        for c, w in zip(clusters, weight, strict=True):
            if w < best * min_share:
                for i in c:
                    self.verdicts[i] = _drop(rule, "prose away from the main body")

    # 7. the rest ----------------------------------------------------------------------------------
    def rest(self) -> None:
        rule = self.rules.heuristic("low-quality")
        for i in self.open():
            if self.classes[i] == GOOD:
                self.verdicts[i] = KEEP
            elif rule is not None:
                self.verdicts[i] = _drop(rule)
            else:
                self.verdicts[i] = KEEP


def judge(blocks: Sequence[Block], rules: RuleSet) -> list[Verdict]:
    """A verdict for every block, in order."""
    j = _Judge(blocks, rules)
    tail_start = j.patterns()
    j.repetition()
    j.classify()
    j.tail_zone(tail_start)
    j.context()
    j.main_body()
    j.rest()
    return [v if v is not None else KEEP for v in j.verdicts]

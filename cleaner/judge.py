"""Blocks + Rules -> Verdicts: which blocks are kept, and which rule removed each of the others.

Order of judgement (each step only looks at blocks no earlier step removed):
  1. pattern rules (scope ``block``) and tail markers (scope ``tail``);
  2. ``duplicate-line`` and ``repeated-headline``;
  3. block quality (``low-quality`` params): ``good`` prose, ``short`` lines, ``medium`` ones in between,
     ``bad`` ones (links, menus flattened onto one line); how many function words prose holds is
     judged against the document's own long sentences too (Turkish or Korean prose holds fewer);
  4. ``main-region``: the article is the one dense run of prose with small gaps; it never crosses a
     tail marker. What lies outside it is dropped as ``main-region`` (or ``tail-zone`` after a tail
     marker that follows the article);
  5. ``headline``: the title line just before the article region is kept;
  6. ``boilerplate-context``: inside the region, short and medium blocks are kept when they sit by prose
     (headings, datelines, short paragraphs) and dropped when they sit among boilerplate;
  7. ``low-quality``: what is still not prose-like is dropped.
Every heuristic step is a rule in ``rules/heuristics.toml``; disabling its id switches it off.
All steps are single passes over the blocks: the judge is linear in the number of blocks.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from functools import lru_cache
from itertools import chain

import attrs

from .features import Features, measure
from .rules import Rule, RuleSet
from .segment import Block

GOOD, MEDIUM, SHORT, BAD, HEAD = "good", "medium", "short", "bad", "headline"
MEMO_SIZE = 8192
"""Lines whose assessment is remembered: menus, share bars and footers repeat on every page of a site."""


@attrs.frozen
class Verdict:
    """The judgement of one block."""

    keep: bool
    rule: str = ""
    category: str = ""
    message: str = ""


KEEP = Verdict(True)


def _drop(rule: Rule, message: str = "") -> Verdict:
    if message:
        return Verdict(False, rule.id, rule.category, message)
    return _dropped(rule.id, rule.category, rule.message)


@lru_cache(maxsize=256)
def _dropped(rule_id: str, category: str, message: str) -> Verdict:
    """The verdict of a rule with its own message: one shared object per rule."""
    return Verdict(False, rule_id, category, message)


@lru_cache(maxsize=8)
def _assessor(rules: RuleSet) -> Callable[[str], tuple[Features, Rule | None]]:
    """What a line's text alone tells under these rules: its features, and the first pattern rule that
    removes it. Remembered for the last ``MEMO_SIZE`` lines, one memo per rule set."""

    @lru_cache(maxsize=MEMO_SIZE)
    def assess(text: str) -> tuple[Features, Rule | None]:
        f = measure(text)
        return f, rules.lines.first(text, f.words)

    return assess


class _Judge:
    def __init__(self, blocks: Sequence[Block], rules: RuleSet):
        self.blocks = blocks
        self.rules = rules
        self.n = len(blocks)
        assess = _assessor(rules)
        assessed = [assess(b.text) for b in blocks]
        self.feats: list[Features] = [f for f, _ in assessed]
        self.line_rules: list[Rule | None] = [r for _, r in assessed]
        self.verdicts: list[Verdict | None] = [None] * self.n
        self.classes: list[str] = [""] * self.n
        self.quality: list[str] = []
        self.markers: list[int] = []
        self.region: tuple[int, int] = (0, self.n - 1)
        self.headline: int | None = None
        self.anchor: int | None = None
        self.repeated: set[int] = set()  # blocks whose text comes again later

    def open(self) -> list[int]:
        return [i for i, v in enumerate(self.verdicts) if v is None]

    # 1. pattern rules -------------------------------------------------------------------------
    def patterns(self) -> None:
        for i, rule in enumerate(self.line_rules):
            if rule is None:
                continue
            self.verdicts[i] = _drop(rule)
            if rule.scope == "tail" and i >= self.n * rule.param("min_position", 0.0):
                self.markers.append(i)

    # 2. repetition ----------------------------------------------------------------------------
    def repetition(self) -> None:
        dup = self.rules.heuristic("duplicate-line")
        head = self.rules.heuristic("repeated-headline")
        min_chars = dup.param("min_chars", 1) if dup is not None else 0
        head_words = head.param("min_words", 4) if head is not None else 0
        verdicts = self.verdicts
        seen: dict[str, int] = {}  # key -> its first block
        headline: str | None = None  # the first open line long enough to be a headline
        for i, f in enumerate(self.feats):
            text = f.key
            first = seen.setdefault(text, i)
            if verdicts[i] is not None:
                continue
            if first != i and dup is not None and len(text) >= min_chars:
                self.repeated.add(first)
                verdicts[i] = _drop(dup, f"repeats line {self.blocks[first].line}")
            elif head is not None:
                if headline is None:
                    if f.words >= head_words:
                        headline = text
                elif text.startswith(headline) and len(text) > len(headline):
                    verdicts[i] = _drop(head, "starts with the headline again")

    # 3. quality classes -------------------------------------------------------------------------
    def classify(self) -> None:
        q = self.rules.heuristic("low-quality")
        p = q.params if q is not None else {}
        good_words = p.get("good_words", 12)
        good_stop = p.get("good_stop_ratio", 0.2)
        short_words = p.get("short_words", 5)
        long_words = p.get("long_words", 30)
        menu_separators = p.get("menu_separators", 2)
        stop_share = p.get("stop_share", 0.0)  # 0: the fixed share alone
        if stop_share:
            typical = self._typical_stop_ratio(good_words)
            good_stop = min(good_stop, max(typical * stop_share, p.get("min_stop_ratio", 0.0)))
        classes = self.classes
        for i, (v, f) in enumerate(zip(self.verdicts, self.feats, strict=True)):
            words = f.words
            link = f.urlish and words < good_words
            menu = f.separators >= menu_separators and f.stop_ratio < good_stop
            if v is not None or link or menu:  # dropped by a pattern rule, a link or a menu
                classes[i] = BAD
            elif (
                words >= good_words
                and f.stop_ratio >= good_stop
                and not f.teaser
                and (f.sentence_end or words >= long_words)
            ):
                classes[i] = GOOD
            elif words < short_words or f.timestamp:
                classes[i] = SHORT
            else:
                classes[i] = MEDIUM
        if GOOD not in self.classes:
            # No paragraph of prose at all (a brief, a caption-only page): sentences are the best we have.
            for i, c in enumerate(self.classes):
                if c == MEDIUM and self.feats[i].sentence_end:
                    self.classes[i] = GOOD
        self.quality = list(self.classes)  # before the region turns what lies outside it bad

    def _typical_stop_ratio(self, min_words: int) -> float:
        """The median share of function words in the document's long sentence lines (1.0 when that says
        nothing): prose in a language that attaches its function words to others (Turkish, Korean,
        Hebrew) or whose list is short holds fewer of them than English prose does, in all its lines
        alike. When most of those lines hold not a single one, they are lists (results, tags, menus
        ending in a full stop), not prose of such a language: the fixed share stands."""
        shares = [
            f.stop_ratio
            for v, f in zip(self.verdicts, self.feats, strict=True)
            if v is None and f.words >= min_words and f.sentence_end and not f.urlish
        ]
        some = [share for share in shares if share]
        if len(some) * 2 <= len(shares):
            return 1.0
        return statistics.median_high(some)

    # 4. main region -------------------------------------------------------------------------------
    def main_region(self) -> None:
        """The article region. Each block scores: prose its words, every other block ``-gap_cost`` (a
        byline, date or photo credit that a pattern rule removed only ``-meta_cost``: it belongs to the article).
        A run never crosses a tail marker, nor (after the article's own date) a date or time line when the page
        has ``timestamp_repeats`` of them (comments and dated lists). When the page title is repeated
        (the headline), the region is the best run starting right after it; otherwise it is the
        best-scoring run anywhere (maximum subarray)."""
        rule = self.rules.heuristic("main-region")
        if rule is None or self.n == 0:
            return
        gap_cost = rule.param("gap_cost", 6)
        sentence_weight = rule.param("sentence_weight", 0.5)
        # Prose scores its words, a sentence-like medium line part of them; any other line is a gap.
        meta_cost = rule.param("meta_cost", gap_cost)
        meta = frozenset(rule.param("meta_rules", []))
        scores = [
            float(f.words)
            if c == GOOD
            else f.words * sentence_weight
            if c == MEDIUM and f.sentence_end
            else -meta_cost
            if v is not None and v.rule in meta
            else -gap_cost
            for c, f, v in zip(self.classes, self.feats, self.verdicts, strict=True)
        ]
        hard = set(self.markers)
        soft: set[int] = set()
        stamps = [i for i, f in enumerate(self.feats) if f.timestamp]
        if len(stamps) >= rule.param("timestamp_repeats", 3):
            soft.update(stamps)
        self.anchor = self._title_anchor()
        region = None
        if self.anchor is not None:
            region = self._run_from(
                self.anchor + 1, scores, hard, soft, rule.param("anchored_words", 20), rule.param("stamp_cut_words", 60)
            )
        if region is None:
            region = self._best_run(scores, hard | soft)
        if region is None:
            return
        self.region = region
        a, b = region
        outside = after = _drop(rule, "outside the main article region")
        after_marker = next((m for m in self.markers if m > b), self.n)
        tail = self.rules.heuristic("tail-zone")
        if tail is not None and after_marker < self.n:
            after = _drop(tail, f"after the tail marker on line {self.blocks[after_marker].line}")
        verdicts, classes = self.verdicts, self.classes
        for i in chain(range(a), range(b + 1, self.n)):
            if verdicts[i] is None:
                verdicts[i] = after if i > after_marker else outside
                classes[i] = BAD

    def _run_from(
        self, a: int, scores: list[float], hard: set[int], soft: set[int], min_score: float, cut_words: float
    ) -> tuple[int, int] | None:
        """The best-scoring run that starts at ``a`` (None when it scores under ``min_score``). Date
        lines stop it only after ``cut_words`` of prose: before, they date the article itself; tail
        markers stop it once it holds prose (before, they are metadata such as "Filed under")."""
        run, best, best_b, prose = 0.0, 0.0, -1, 0.0
        for i in range(a, self.n):
            if (i in hard and prose > 0) or (prose >= cut_words and i in soft):
                break
            score = scores[i]
            run += score
            if score > 0:
                prose += score
            if run > best:
                best, best_b = run, i
        return (a, best_b) if best >= min_score else None

    def _best_run(self, scores: list[float], barriers: set[int]) -> tuple[int, int] | None:
        """The best-scoring run anywhere (maximum subarray), cut at the barriers."""
        best, best_a, best_b = 0.0, 0, -1
        run, run_a = 0.0, 0
        for i in range(self.n):
            if i in barriers:
                run, run_a = 0.0, i + 1
                continue
            if run <= 0:
                run, run_a = 0.0, i
            run += scores[i]
            if run > best:
                best, best_a, best_b = run, run_a, i
        return (best_a, best_b) if best_b >= 0 else None

    def _title_anchor(self) -> int | None:
        """The first later block that repeats the page title (the first line of a scraped page),
        whole or without the site name before or after it: the article's own headline."""
        head = self.rules.heuristic("headline")
        if head is None or self.n < 2 or self.feats[0].words < head.param("min_words", 4):
            return None
        title = self.feats[0].key
        shortest, longest = len(title) * head.param("title_share", 0.5), len(title) + 2
        for i in range(1, self.n):
            f = self.feats[i]
            if shortest <= f.chars <= longest and f.words >= 3 and (title.startswith(f.key) or title.endswith(f.key)):
                return i
        return None

    # 5. headline ----------------------------------------------------------------------------------
    def find_headline(self) -> None:
        """The headline is kept: the repeat of the page title just before the region; else, among the
        title-like lines within ``window`` blocks before it, one that the page repeats, else the
        document's first line, else the nearest. Prose between the headline and the region (a
        standfirst) is kept with it, and so is a shorter sentence-like line there when only lines the
        pattern rules removed (bylines, share bars, photo credits) or date lines separate it from the
        region."""
        rule = self.rules.heuristic("headline")
        if rule is None:
            return
        window = rule.param("window", 8)
        a = self.region[0]
        lo = max(0, a - window)
        if self.anchor is not None:
            h = self.anchor
            if not lo <= h < a:
                return
            if lo == 0 and self.feats[0].key == self.feats[h].key:
                h = 0  # the document starts with its headline; the later copy stays a duplicate
        else:
            candidates = [i for i in range(lo, a) if self._headline_like(i, rule)]
            if not candidates:
                return
            first_open = next((i for i, v in enumerate(self.verdicts) if v is None or v.rule == "main-region"), -1)
            repeated = next((i for i in candidates if i in self.repeated), None)
            h = repeated if repeated is not None else first_open if first_open in candidates else candidates[-1]
        self._keep_headline(h)
        standfirst = self._standfirst(h, a, rule)
        for i in range(h + 1, a):
            if (self.quality[i] == GOOD or i in standfirst) and self._outside(i):
                self.verdicts[i] = KEEP

    def _standfirst(self, h: int, a: int, rule: Rule) -> set[int]:
        """Sentence-like lines between the headline ``h`` and the region start ``a`` (a standfirst too
        short or too plain to count as prose) when every other line between is metadata the pattern
        rules removed (bylines, share bars, photo credits) or a date line: nothing else sits there."""
        lines: set[int] = set()
        for i in range(h + 1, a):
            v = self.verdicts[i]
            if self._outside(i) and self._standfirst_like(i, rule):
                lines.add(i)
            elif self._outside(i):
                if not self.feats[i].timestamp:
                    return set()
            elif v is None or self.rules.by_id[v.rule].scope != "block":
                return set()
        return lines

    def _standfirst_like(self, i: int, rule: Rule) -> bool:
        f = self.feats[i]
        return (
            f.sentence_end
            and self.blocks[i].text[-1] not in ":;,"
            and rule.param("standfirst_min_words", 8) <= f.words <= rule.param("standfirst_max_words", 60)
            and not f.urlish
            and not f.separators
            and not f.teaser
            and not f.timestamp
        )

    def _outside(self, i: int) -> bool:
        v = self.verdicts[i]
        return v is None or v.rule == "main-region"

    def _headline_like(self, i: int, rule: Rule) -> bool:
        f = self.feats[i]
        return (
            self._outside(i)
            and rule.param("min_words", 4) <= f.words <= rule.param("max_words", 30)
            and self.blocks[i].text[-1] not in ".;,"
            and not f.urlish
            and not f.separators
            and not f.teaser
            and not f.timestamp
        )

    def _keep_headline(self, i: int) -> None:
        v = self.verdicts[i]
        if v is None or v.rule in ("main-region", "duplicate-line"):
            self.headline = i
            self.verdicts[i] = KEEP
            self.classes[i] = HEAD  # kept, but no evidence for the lines around it (bylines, dates)

    # 6. context -----------------------------------------------------------------------------------
    def context(self) -> None:
        rule = self.rules.heuristic("boilerplate-context")
        if rule is None:
            return
        max_heading_words = rule.param("heading_words", 20)
        a, b = self.region
        resolved = list(self.classes)
        prev_c = BAD  # class of the nearest preceding good-or-bad block
        next_good = self._next_decided(a, b)
        for i in range(a, b + 1):
            c = self.classes[i]
            if c in (GOOD, BAD):
                prev_c = c
                continue
            if self.verdicts[i] is not None:
                continue
            next_c = next_good[i - a]
            # a medium block needs prose on one side, a short one on both
            good = (prev_c == GOOD or next_c == GOOD) if c == MEDIUM else (prev_c == GOOD and next_c == GOOD)
            if not good and next_c == GOOD and self._is_heading(i, max_heading_words):
                good = True
            resolved[i] = GOOD if good else BAD
        for i in range(a, b + 1):
            if self.verdicts[i] is None and resolved[i] == BAD:
                self.verdicts[i] = _drop(rule)
        self.classes = resolved

    def _next_decided(self, a: int, b: int) -> list[str]:
        """For each block of the region, the class of the nearest following good-or-bad block."""
        out = [BAD] * (b - a + 1)
        nxt = BAD
        for i in range(b, a - 1, -1):
            out[i - a] = nxt
            if self.classes[i] in (GOOD, BAD):
                nxt = self.classes[i]
        return out

    def _is_heading(self, i: int, max_words: int) -> bool:
        """A short line with no sentence end right before prose (at most one block between)."""
        f = self.feats[i]
        if (f.sentence_end and self.blocks[i].text[-1] != ":") or f.words > max_words:
            return False
        for j in (i + 1, i + 2):
            if j < self.n and self.classes[j] == GOOD:
                return True
            if j < self.n and self.classes[j] == BAD:
                return False
        return False

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
    j.patterns()
    j.repetition()
    j.classify()
    j.main_region()
    j.find_headline()
    j.context()
    j.rest()
    return [v if v is not None else KEEP for v in j.verdicts]


def judge_named(blocks: Sequence[Block], rules: RuleSet) -> list[Verdict]:
    """Verdicts from the named rules and repetition only (no line-quality or region guesses).

    For blocks whose context is already known, such as those of an HTML page's article element.
    """
    j = _Judge(blocks, rules)
    j.patterns()
    j.repetition()
    return [v if v is not None else KEEP for v in j.verdicts]

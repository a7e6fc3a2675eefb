"""HTML blocks -> Verdicts: structural rules, the article body's element, then the text rules.

1. ``selector`` rules: a block inside an element one matches is dropped with that rule, unless the
   element holds the article body itself (a page wrapper whose class happens to say ``sidebar``).
2. ``outside-content``: the article body is the element picked by the first ``content`` rule whose
   elements hold enough prose, else the element that scoring picks (prose paragraphs give points to
   their parent and, halved, to their grandparent; links cost; the best element wins, readability's
   way). Blocks outside it are dropped; a heading just before it stays a candidate (the headline).
3. ``page-title`` drops the headline (the first ``h1``: the page's title, not its body) and
   ``link-list`` blocks made mostly of link text.
4. What is left goes through the named text rules and repetition (``judge.judge_named``); when no
   element holds the article, through the whole text judge, as a scraped page would.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .features import OTHER_SENTENCE_STOPS, UNPUNCTUATED_SCRIPTS
from .html_segment import HEADINGS, HtmlBlock, Page
from .judge import Verdict, judge, judge_named
from .rules import Rule, RuleSet

# Sentence and clause punctuation, of Latin and other scripts (commas of Arabic ، ؛, CJK 、，, Ethiopic
# ፣ ፤, Myanmar ၊, and the sentence stops ``features`` knows): prose has some.
PROSE_PUNCTUATION = ".!?…:;,。、，！？،؛፣፤၊" + OTHER_SENTENCE_STOPS
# Thai and Lao prose goes without: spaces part its sentences. A block with this many of their
# characters counts as prose without punctuation (a menu or footer line is shorter).
_UNPUNCTUATED = re.compile(f"[{UNPUNCTUATED_SCRIPTS}]")
UNPUNCTUATED_PROSE_CHARS = 40
PROSE_TAGS = frozenset({"p", "pre", "blockquote", "td", "div", "dd", "section", "article", "main", "li"})


def _drop(rule: Rule) -> Verdict:
    return Verdict(False, rule.id, rule.category, rule.message)


def _inside(block: HtmlBlock, ids: set[int]) -> bool:
    return not block.ids.isdisjoint(ids)


def _never_layout(block: HtmlBlock) -> bool:
    """Whether a rule marking the block says ``never_layout`` (comment sections and the like)."""
    return any(rule.param("never_layout", False) for _, rule in block.marks)


def _prose_chars(block: HtmlBlock) -> int:
    """Characters of a block that read like article prose (0 for links, menus, short labels)."""
    text = block.text
    size = len(text) - block.link_chars
    if size < 25 or block.link_chars * 4 > len(text):
        return 0
    if not any(c in text for c in PROSE_PUNCTUATION) and len(_UNPUNCTUATED.findall(text)) < UNPUNCTUATED_PROSE_CHARS:
        return 0
    return size


def _by_rules(page: Page, prose: list[int]) -> set[int] | None:
    """The elements of the first content rule whose matches hold enough of the page's prose."""
    total = sum(prose)
    for rule, nodes in page.content:
        if rule.param("unique", False) and len(nodes) > 1:
            continue
        ids = set(nodes)
        held = sum(p for b, p in zip(page.blocks, prose, strict=True) if p and _inside(b, ids))
        if held >= rule.param("min_chars", 200) and held >= rule.param("min_share", 0.3) * total:
            return ids
    return None


def _by_score(blocks: Sequence[HtmlBlock], prose: list[int]) -> set[int]:
    """The element that scoring picks (readability's way), with its rich siblings."""
    score: dict[int, float] = {}
    nodes: dict[int, Any] = {}
    for block, p in zip(blocks, prose, strict=True):
        if not p:
            continue
        text = block.text
        points = 1 + text.count(",") + text.count("，") + min(p / 100, 3)
        elements = [n for n in block.path if n.tag in PROSE_TAGS or n.tag in HEADINGS]
        if not elements:
            continue
        own = elements[-1]
        parent = own.parent
        grand = parent.parent if parent is not None else None
        for node, share in ((parent, 1.0), (grand, 0.5)):
            if node is None or node.tag in ("html", "body"):
                continue
            score[node.mem_id] = score.get(node.mem_id, 0.0) + points * share
            nodes[node.mem_id] = node
    if not score:
        return set()
    best = max(score, key=score.__getitem__)  # a tie goes to the element scored first, in page order
    top = nodes[best]
    picked = {best}
    parent = top.parent
    if parent is not None:
        bar = max(10.0, score[best] * 0.2)
        child = parent.child
        while child is not None:
            if child.mem_id != best and score.get(child.mem_id, 0.0) >= bar:
                picked.add(child.mem_id)
            child = child.next
    return picked


def _wrappers(blocks: Sequence[HtmlBlock], prose: list[int], content: set[int]) -> set[int]:
    """Marked elements that are page layout, not boilerplate: those around the article body, and
    those holding at least half of its prose (a column whose class happens to say ``sidebar``),
    unless their rule says ``never_layout`` (comment sections hold prose, and are still not the
    article)."""
    wrappers: set[int] = set()
    held: dict[int, int] = {}
    body = 0
    for b, p in zip(blocks, prose, strict=True):
        if content and not _inside(b, content):
            continue
        if not wrappers and content:
            wrappers.update(b.ids - content)
        body += p
        for mem_id, rule in b.marks:
            if not rule.param("never_layout", False):
                held[mem_id] = held.get(mem_id, 0) + p
    wrappers.update(k for k, v in held.items() if v and v * 2 >= body)
    return wrappers


def judge_page(page: Page, rules: RuleSet) -> list[Verdict]:
    """A verdict for every block of a page, in order."""
    blocks = page.blocks
    n = len(blocks)
    verdicts: list[Verdict | None] = [None] * n
    # Prose inside comment sections and the like is not the article's, whatever its amount.
    prose = [0 if b.marks and _never_layout(b) else _prose_chars(b) for b in blocks]
    found = _by_rules(page, prose)
    content = found if found is not None else _by_score(blocks, prose)
    wrappers = _wrappers(blocks, prose, content)
    drops: dict[str, Verdict] = {}  # one verdict per rule (verdicts are immutable)
    for i, b in enumerate(blocks):
        for mem_id, rule in b.marks:
            if mem_id not in wrappers:
                verdict = drops.get(rule.id)
                if verdict is None:
                    verdict = drops[rule.id] = _drop(rule)
                verdicts[i] = verdict
                break
    outside = rules.heuristic("outside-content")
    if content and outside is not None:
        inside = [not content.isdisjoint(b.ids) for b in blocks]
        first = next((i for i, x in enumerate(inside) if x), n)
        head = _headline_before(blocks, verdicts, first, outside.param("headline_window", 3))
        dropped = _drop(outside)
        for i, x in enumerate(inside):
            if not x and verdicts[i] is None and i != head:
                verdicts[i] = dropped
    title = rules.heuristic("page-title")
    links = rules.heuristic("link-list")
    h1 = next((b.text for i, b in enumerate(blocks) if b.tag == "h1" and verdicts[i] is None), None)
    for i, b in enumerate(blocks):
        if verdicts[i] is not None:
            continue
        if title is not None and h1 is not None and b.tag == "h1" and b.text == h1:
            verdicts[i] = _drop(title)
        elif links is not None and b.link_chars >= links.param("link_share", 0.5) * len(b.text):
            verdicts[i] = _drop(links)
    open_ = [i for i, v in enumerate(verdicts) if v is None]
    # With the article's element known, the named rules finish the job; without it, the text judge
    # finds the article region among the lines, as it does for a scraped page.
    decide = judge_named if content else judge
    for i, v in zip(open_, decide([blocks[i] for i in open_], rules), strict=True):
        verdicts[i] = v
    return [v if v is not None else Verdict(True) for v in verdicts]


def _headline_before(blocks: Sequence[HtmlBlock], verdicts: list[Verdict | None], first: int, window: int) -> int:
    """The ``h1`` (else first heading) among the last undropped blocks before the content, or -1."""
    seen = 0
    for i in range(first - 1, -1, -1):
        if verdicts[i] is not None:
            continue
        if blocks[i].tag == "h1":
            return i
        seen += 1
        if seen >= window:
            break
    return -1

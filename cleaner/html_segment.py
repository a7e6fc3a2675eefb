"""HTML Document -> blocks: paragraphs, headings, list items... each made of source-aligned pieces.

The page is parsed with selectolax (Lexbor) and walked once in document order. Block-level elements
(and ``<br>``) start new blocks; inline content joins the current one. Each text node is paired with
its source run(s) by ``html_align``; a block's text is its pieces (the runs' decoded, squashed text)
joined by a space where the source had white space between them. Content of ``script``, ``style``,
``template``, form controls and the like is never text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

import attrs
from selectolax.lexbor import LexborHTMLParser

from .decode import Document
from .html_align import Aligner
from .html_scan import Run, scan
from .html_select import SelectorIndex
from .rules import Rule, RuleSet
from .segment import Block

BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "legend",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
        "br",
        "noscript",
    ]
)
SKIP_TAGS = frozenset(
    [
        "script",
        "style",
        "template",
        "noscript",
        "svg",
        "math",
        "iframe",
        "object",
        "embed",
        "select",
        "option",
        "button",
        "input",
        "textarea",
        "head",
        "canvas",
        "audio",
        "video",
        "map",
    ]
)
RAW_TEXT_TAGS = frozenset({"script", "style", "template", "xmp", "iframe", "noembed", "noframes"})
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_INVALID = re.compile("[\udc80-\udcff]+")


@attrs.frozen
class Piece:
    """One aligned run inside a block: characters ``[cstart, cend)`` of the block text, source bytes."""

    cstart: int
    cend: int
    start: int
    end: int


@attrs.frozen
class HtmlBlock(Block):
    """A block of an HTML page: a Block whose text is made of source-aligned pieces."""

    pieces: tuple[Piece, ...] = ()
    """The block's text as runs of source character data; the text between them is one space."""
    link_chars: int = 0
    """Characters of the block inside ``<a>`` elements."""
    path: tuple[Any, ...] = attrs.field(default=(), eq=False, repr=False)
    """The selectolax elements from the root to the block's element (for structural rules)."""
    marks: tuple[tuple[int, Rule], ...] = attrs.field(default=(), eq=False, repr=False)
    """The selector rules matching an element around the block: (element ``mem_id``, rule), outermost first."""
    ids: frozenset[int] = attrs.field(default=frozenset(), eq=False, repr=False)
    """The ``mem_id`` of every element in ``path``."""


class _Builder:
    def __init__(self, doc: Document, aligner: Aligner):
        self.doc = doc
        self.aligner = aligner
        self.line = 1  # line number at character ``self.line_pos``, counted forward as blocks come
        self.line_pos = 0
        self.line_start = 0  # character position where that line starts
        self.first_c = 0  # character position of the current block's first piece
        self.blocks: list[HtmlBlock] = []
        self.parts: list[str] = []
        self.pieces: list[Piece] = []
        self.size = 0
        self.space = False
        self.link_chars = 0
        self.tag = ""
        self.path: tuple[Any, ...] = ()
        self.marks: tuple[tuple[int, Rule], ...] = ()
        self.ids: frozenset[int] = frozenset()

    def start(self, stack: list[Any], ids: list[int], marks: list[tuple[int, Rule]]) -> None:
        """A new block begins inside these open elements."""
        self.tag = _block_tag(stack)
        self.path = tuple(stack)
        self.ids = frozenset(ids)
        self.marks = tuple(marks)

    def add(self, runs: list[int], in_link: bool) -> None:
        al = self.aligner
        for i in runs:
            key = al.keys[i]
            if not key:
                self.space = True
                continue
            raw = al.raw(i)
            if self.parts and (self.space or raw[:1].isspace()):
                self.parts.append(" ")
                self.size += 1
            r = al.runs[i]
            if not self.pieces:
                self.first_c = r.cstart
            self.pieces.append(Piece(self.size, self.size + len(key), r.start, r.end))
            self.parts.append(key)
            self.size += len(key)
            if in_link:
                self.link_chars += len(key)
            self.space = raw[-1:].isspace()

    def flush(self) -> None:
        if self.pieces:
            first = self.pieces[0]
            text = self.doc.text
            at = self.first_c
            if at < self.line_pos:  # text the parser moved backwards (foster parenting): count from the start
                self.line, self.line_pos, self.line_start = 1, 0, 0
            newlines = text.count("\n", self.line_pos, at)
            if newlines:
                self.line += newlines
                self.line_start = text.rfind("\n", self.line_pos, at) + 1
            self.line_pos = at
            col = at - self.line_start + 1
            self.blocks.append(
                HtmlBlock(
                    index=len(self.blocks),
                    text="".join(self.parts),
                    start=first.start,
                    end=self.pieces[-1].end,
                    line=self.line,
                    col=col,
                    para=len(self.blocks) + 1,
                    tag=self.tag,
                    pieces=tuple(self.pieces),
                    link_chars=self.link_chars,
                    path=self.path,
                    marks=self.marks,
                    ids=self.ids,
                )
            )
        self.parts, self.pieces, self.size, self.space, self.link_chars = [], [], 0, False, 0


@cache
def selector_index(rules: RuleSet) -> SelectorIndex:
    """The selector rules of a rule set, compiled once."""
    return SelectorIndex(rules.selector_rules + rules.content_rules)


def parse(doc: Document) -> Any:
    """The page's DOM (selectolax Lexbor); invalid bytes (lone surrogates) are given to it as spaces."""
    text = doc.text
    if _INVALID.search(text):
        text = _INVALID.sub(" ", text)
    return LexborHTMLParser(text)


@attrs.frozen
class Page:
    """An HTML page cut into blocks, with the elements the content rules point at."""

    blocks: list[HtmlBlock]
    content: tuple[tuple[Rule, tuple[int, ...]], ...]
    """For each content rule that matches: the rule and its outermost elements (``mem_id``)."""


def segment_html(doc: Document, tree: Any, rules: RuleSet) -> Page:
    """The blocks of an HTML page, in document order, with exact source pieces.

    The tree is walked once, in document order (Lexbor's traversal of the body; an element closes
    when a node comes whose parent is not inside it). Elements that a ``selector`` rule matches
    start and end blocks, and the blocks inside them carry the rule (``marks``); whether it removes
    them is for ``html_content`` to decide, as is the choice among the ``content`` rules' elements.
    """
    text = doc.text
    one_byte = len(text) == len(doc.data) - doc.bom
    runs = _split_invalid(scan(text, doc.byte_len, doc.bom, one_byte), text, doc.byte_len)
    aligner = Aligner(text, runs)
    builder = _Builder(doc, aligner)
    top = tree.body or tree.root
    if top is None:
        return Page([], ())
    index = selector_index(rules)
    pre = index.pre_marked(tree)
    found: dict[int, list[int]] = {}
    skip_depth = link_depth = 0
    stack: list[Any] = []  # the open elements, their mem_ids and tags
    ids: list[int] = []
    tags: list[str] = []
    marks: list[tuple[int, Rule]] = []
    marked_ids: list[int] = []
    inside: list[tuple[int, int]] = []  # open elements a content rule matched: (mem_id, rule number)
    for node in top.traverse(include_text=True):
        parent = node.parent
        pid = parent.mem_id if parent is not None else 0
        while ids and ids[-1] != pid:  # close the elements this node is not in
            stack.pop()
            mid = ids.pop()
            ctag = tags.pop()
            if ctag in SKIP_TAGS:
                skip_depth -= 1
            elif ctag == "a":
                link_depth -= 1
            if marked_ids and marked_ids[-1] == mid:
                builder.flush()
                marks.pop()
                marked_ids.pop()
            elif ctag in BLOCK_TAGS and builder.pieces:
                builder.flush()
            while inside and inside[-1][0] == mid:
                inside.pop()
        tag = node.tag
        if tag == "-text":
            if skip_depth or (tags and tags[-1] in RAW_TEXT_TAGS):
                continue
            runs_for = aligner.align(node.text_content or "")
            if runs_for:
                if not builder.pieces:
                    builder.start(stack, ids, marks)
                builder.add(runs_for, link_depth > 0)
            continue
        if tag[0] == "-" or tag == "!doctype":
            continue
        mid = node.mem_id
        stack.append(node)
        ids.append(mid)
        tags.append(tag)
        if tag in SKIP_TAGS:
            skip_depth += 1
        elif tag == "a":
            link_depth += 1
        hits = index.matches(tag, node.attributes, pre.get(mid, ()))
        mark = None
        for i in hits:
            if index.is_content[i]:
                if not any(r == i for _, r in inside):
                    found.setdefault(i, []).append(mid)
                    inside.append((mid, i))
            elif mark is None:
                mark = index.rules[i]
        if mark is not None:
            builder.flush()
            marks.append((mid, mark))
            marked_ids.append(mid)
        elif tag in BLOCK_TAGS and builder.pieces:
            builder.flush()
    builder.flush()
    content = tuple((index.rules[i], tuple(found[i])) for i in sorted(found))
    return Page(builder.blocks, content)


def _split_invalid(runs: list[Run], text: str, byte_len: Callable[[str], int]) -> list[Run]:
    """Runs cut around invalid bytes (lone surrogates), which no span may hold."""
    if not _INVALID.search(text):
        return runs
    out = []
    for r in runs:
        piece = text[r.cstart : r.cend]
        if not _INVALID.search(piece):
            out.append(r)
            continue
        at, bpos = r.cstart, r.start
        for m in _INVALID.finditer(piece):
            a, b = r.cstart + m.start(), r.cstart + m.end()
            if a > at:
                size = byte_len(text[at:a])
                out.append(Run(bpos, bpos + size, at, a))
                bpos += size
            bpos += b - a  # one byte each
            at = b
        if r.cend > at:
            out.append(Run(bpos, r.end, at, r.cend))
    return out


def _block_tag(stack: list[Any]) -> str:
    for node in reversed(stack):
        if node.tag in BLOCK_TAGS:
            return str(node.tag)
    return ""

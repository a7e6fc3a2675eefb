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
from typing import Any, NamedTuple

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


class Piece(NamedTuple):
    """One aligned run inside a block: characters ``[cstart, cend)`` of the block text, source bytes."""

    cstart: int
    cend: int
    start: int
    end: int


@attrs.define
class HtmlBlock(Block):
    """A block of an HTML page: a Block whose text is made of source-aligned pieces (not frozen,
    like Block, to be cheap to build; nothing changes one once made)."""

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


_SKIP, _RAW, _LINK, _BLOCK, _MARKED, _CONTENT = 1, 2, 4, 8, 16, 32


def _tag_flags(tag: str) -> int:
    """What an element's tag means for the walk: ``_SKIP`` no text inside it, ``_RAW`` no text right
    inside it, ``_LINK``, ``_BLOCK``; the walk adds ``_MARKED`` and ``_CONTENT`` for what rules match."""
    skip = _SKIP if tag in SKIP_TAGS else 0
    raw = _RAW if tag in RAW_TEXT_TAGS else 0
    block = _BLOCK if tag in BLOCK_TAGS else 0
    return skip | raw | block | (_LINK if tag == "a" else 0)


_TAG_FLAGS = {tag: _tag_flags(tag) for tag in SKIP_TAGS | RAW_TEXT_TAGS | BLOCK_TAGS | {"a"}}


class _Builder:
    def __init__(self, doc: Document, aligner: Aligner):
        self.text = doc.text
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

    def start(self, tag: str, stack: list[Any], ids: list[int], marks: list[tuple[int, Rule]]) -> None:
        """A new block begins inside these open elements; ``tag`` is the innermost block element's."""
        self.tag = tag
        self.path = tuple(stack)
        self.ids = frozenset(ids)
        self.marks = tuple(marks)

    def add(self, runs: list[int], in_link: bool) -> None:
        al = self.aligner
        text = self.text
        parts, pieces = self.parts, self.pieces
        for i in runs:
            key = al.keys[i]
            r = al.runs[i]
            if pieces:
                if self.space or text[r.cstart].isspace():
                    parts.append(" ")
                    self.size += 1
            else:
                self.first_c = r.cstart
            size = self.size + len(key)
            pieces.append(Piece(self.size, size, r.start, r.end))
            parts.append(key)
            if in_link:
                self.link_chars += size - self.size
            self.size = size
            self.space = text[r.cend - 1].isspace()

    def flush(self) -> None:
        pieces = self.pieces
        if pieces:
            text = self.text
            at = self.first_c
            if at < self.line_pos:  # text the parser moved backwards (foster parenting): count from the start
                self.line, self.line_pos, self.line_start = 1, 0, 0
            newlines = text.count("\n", self.line_pos, at)
            if newlines:
                self.line += newlines
                self.line_start = text.rfind("\n", self.line_pos, at) + 1
            self.line_pos = at
            n = len(self.blocks)
            self.blocks.append(
                HtmlBlock(  # positional, in field order (index, text, start, end, line, col, para, tag, ...)
                    n,
                    "".join(self.parts),
                    pieces[0].start,
                    pieces[-1].end,
                    self.line,
                    at - self.line_start + 1,
                    n + 1,
                    self.tag,
                    tuple(pieces),
                    self.link_chars,
                    self.path,
                    self.marks,
                    self.ids,
                )
            )
        self.parts, self.pieces, self.size, self.space, self.link_chars = [], [], 0, False, 0


@cache
def selector_index(rules: RuleSet) -> SelectorIndex:
    """The selector rules of a rule set, compiled once."""
    return SelectorIndex(rules.selector_rules + rules.content_rules)


def parse(doc: Document) -> Any:
    """The page's DOM (selectolax Lexbor); invalid bytes (lone surrogates) are given to it as spaces."""
    if not doc.intact:
        return LexborHTMLParser(_INVALID.sub(" ", doc.text))
    if doc.encoding == "utf-8":
        return LexborHTMLParser(doc.data[doc.bom :])  # the text's own UTF-8 bytes
    return LexborHTMLParser(doc.text.encode("utf-8"))  # what Lexbor parses: a str would be encoded so


@attrs.frozen
class Page:
    """An HTML page cut into blocks, with the elements the content rules point at."""

    blocks: list[HtmlBlock]
    content: tuple[tuple[Rule, tuple[int, ...]], ...]
    """For each content rule that matches: the rule and its outermost elements (``mem_id``)."""


def segment_html(doc: Document, tree: Any, rules: RuleSet) -> Page:
    """The blocks of an HTML page, in document order, with exact source pieces.

    The tree is walked once, in document order (the body's nodes, depth first). Elements that a
    ``selector`` rule matches start and end blocks, and the blocks inside them carry the rule
    (``marks``); whether it removes them is for ``html_content`` to decide, as is the choice among
    the ``content`` rules' elements.
    """
    text = doc.text
    one_byte = len(text) == len(doc.data) - doc.bom
    runs = scan(text, doc.byte_len, doc.bom, one_byte, doc.encoding == "utf-8")
    if not doc.intact:
        runs = _split_invalid(runs, text, doc.byte_len)
    aligner = Aligner(text, runs)
    builder = _Builder(doc, aligner)
    top = tree.body or tree.root
    if top is None:
        return Page([], ())
    index = selector_index(rules)
    found = _walk(top, builder, index, index.pre_marked(tree))
    builder.flush()
    content = tuple((index.rules[i], tuple(found[i])) for i in sorted(found))
    return Page(builder.blocks, content)


def _walk(top: Any, builder: _Builder, index: SelectorIndex, pre: dict[int, tuple[int, ...]]) -> dict[int, list[int]]:
    """Walk the element ``top`` and its nodes depth first, building the blocks; returns, for each
    content rule that matches, its outermost elements (``mem_id``)."""
    found: dict[int, list[int]] = {}
    stack: list[Any] = []  # the open elements, their mem_ids and flags (_TAG_FLAGS, _MARKED...)
    ids: list[int] = []
    flags: list[int] = []
    block_tags: list[str] = []  # the tags of the open block elements
    marks: list[tuple[int, Rule]] = []  # the selector rules marking open elements: (mem_id, rule)
    inside: list[tuple[int, int]] = []  # open elements a content rule matched: (mem_id, rule number)
    skip_depth = link_depth = 0
    align = builder.aligner.align
    hits_of = index.hits
    by_tag = index.by_tag
    n_rules = len(index.rules)
    node = top
    while node is not None:
        tag = node.tag
        if tag == "-text" or tag is None or tag[0] == "-" or tag == "!doctype":  # not an element
            if tag == "-text" and not skip_depth and not flags[-1] & _RAW:
                content = node.text_content
                if content and not content.isspace():
                    got = align(content)
                    if got:
                        if not builder.pieces:
                            builder.start(block_tags[-1] if block_tags else "", stack, ids, marks)
                        builder.add(got, link_depth > 0)
            following = node.next
            if following is not None:
                node = following
                continue
        else:
            mid = node.mem_id
            flag = _TAG_FLAGS.get(tag, 0)
            if flag & _SKIP:
                skip_depth += 1
            elif flag & _LINK:
                link_depth += 1
            attributes = node.attributes
            hits = hits_of(tag, attributes) if attributes else by_tag.get(tag, ())
            if hits and hits[-1] >= n_rules:  # the last part of a child selector: ask the parent
                hits = index.with_parent(hits, stack[-1] if stack else top.parent)
            if pre and mid in pre:
                hits = sorted({*hits, *pre[mid]})
            if hits:
                mark = None
                for i in hits:
                    if index.is_content[i]:
                        if not any(r == i for _, r in inside):
                            found.setdefault(i, []).append(mid)
                            inside.append((mid, i))
                            flag |= _CONTENT
                    elif mark is None:
                        mark = index.rules[i]
                if mark is not None:
                    flag |= _MARKED
                    if builder.pieces:
                        builder.flush()
                    marks.append((mid, mark))
            if flag & _BLOCK:
                if builder.pieces:
                    builder.flush()
                block_tags.append(tag)
            stack.append(node)
            ids.append(mid)
            flags.append(flag)
            child = node.first_child
            if child is not None:
                node = child
                continue
        # ``node`` was its parent's last node, or an element without any: close elements until one
        # has a next sibling.
        while True:
            element = stack.pop()
            mid = ids.pop()
            flag = flags.pop()
            if flag:
                if flag & _SKIP:
                    skip_depth -= 1
                elif flag & _LINK:
                    link_depth -= 1
                if flag & (_MARKED | _BLOCK) and builder.pieces:
                    builder.flush()
                if flag & _MARKED:
                    marks.pop()
                if flag & _BLOCK:
                    block_tags.pop()
                while flag & _CONTENT and inside and inside[-1][0] == mid:
                    inside.pop()
            if not stack:  # ``top`` is closed
                return found
            node = element.next
            if node is not None:
                break
    return found


def _split_invalid(runs: list[Run], text: str, byte_len: Callable[[str], int]) -> list[Run]:
    """Runs cut around invalid bytes (lone surrogates), which no span may hold."""
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

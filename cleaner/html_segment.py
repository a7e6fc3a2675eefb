"""HTML Document -> blocks: paragraphs, headings, list items... each made of source-aligned pieces.

The page is parsed with selectolax (Lexbor) and walked once in document order. Block-level elements
(and ``<br>``) start new blocks; inline content joins the current one. Each text node is paired with
its source run(s) by ``html_align``; a block's text is its pieces (the runs' decoded, squashed text)
joined by a space where the source had white space between them. Content of ``script``, ``style``,
``template``, form controls and the like is never text.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs
from selectolax.lexbor import LexborHTMLParser

from .decode import Document
from .html_align import Aligner
from .html_scan import scan

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


@attrs.frozen
class Piece:
    """One aligned run inside a block: characters ``[cstart, cend)`` of the block text, source bytes."""

    cstart: int
    cend: int
    start: int
    end: int


@attrs.frozen
class HtmlBlock:
    """A block of an HTML page."""

    index: int
    text: str
    start: int
    end: int
    line: int
    col: int
    para: int
    tag: str
    pieces: tuple[Piece, ...]
    link_chars: int
    """Characters of the block inside ``<a>`` elements."""
    path: tuple[Any, ...] = attrs.field(eq=False, repr=False)
    """The selectolax nodes from the root to the block's element (for structural rules)."""


class _Builder:
    def __init__(self, doc: Document, aligner: Aligner):
        self.doc = doc
        self.aligner = aligner
        self.line = 1  # line number at byte ``self.line_pos``, counted forward as blocks come
        self.line_pos = 0
        self.blocks: list[HtmlBlock] = []
        self.parts: list[str] = []
        self.pieces: list[Piece] = []
        self.size = 0
        self.space = False
        self.link_chars = 0
        self.tag = ""
        self.path: tuple[Any, ...] = ()

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
            self.pieces.append(Piece(self.size, self.size + len(key), r.start, r.end))
            self.parts.append(key)
            self.size += len(key)
            if in_link:
                self.link_chars += len(key)
            self.space = raw[-1:].isspace()

    def flush(self) -> None:
        if self.pieces:
            first = self.pieces[0]
            data = self.doc.data
            if first.start >= self.line_pos:
                self.line += data.count(b"\n", self.line_pos, first.start)
                self.line_pos = first.start
            else:  # text the parser moved backwards (foster parenting): count from the start
                self.line = data.count(b"\n", 0, first.start) + 1
                self.line_pos = first.start
            line_start = data.rfind(b"\n", 0, first.start) + 1
            col = len(data[line_start : first.start].decode(self.doc.encoding, "replace")) + 1
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
                )
            )
        self.parts, self.pieces, self.size, self.space, self.link_chars = [], [], 0, False, 0


def _walk(node: Any) -> Iterator[tuple[str, Any]]:
    """('enter', element) / ('exit', element) / ('text', node) events in document order."""
    stack = [(node, False)]
    while stack:
        cur, done = stack.pop()
        if done:
            yield "exit", cur
            continue
        tag = cur.tag
        if tag == "-text":
            yield "text", cur
            continue
        if tag.startswith("-") or tag == "!doctype":
            continue
        yield "enter", cur
        stack.append((cur, True))
        children = []
        child = cur.child
        while child is not None:
            children.append(child)
            child = child.next
        for c in reversed(children):
            stack.append((c, False))


def segment_html(doc: Document) -> list[HtmlBlock]:
    """The blocks of an HTML page, in document order, with exact source pieces."""
    runs = scan(doc.text, doc.byte_len, doc.bom)
    aligner = Aligner(doc.text, runs)
    builder = _Builder(doc, aligner)
    tree = LexborHTMLParser(doc.text)
    root = tree.root
    if root is None:
        return []
    skip_depth = 0
    link_depth = 0
    stack: list[Any] = []
    for event, node in _walk(root):
        if event == "text":
            if stack and stack[-1].tag in RAW_TEXT_TAGS:
                continue
            text = node.text_content or ""
            runs_for = aligner.align(text)
            if runs_for and not skip_depth:
                if not builder.pieces:
                    builder.tag = _block_tag(stack)
                    builder.path = tuple(stack)
                builder.add(runs_for, link_depth > 0)
            continue
        tag = node.tag
        if event == "enter":
            stack.append(node)
            if tag in SKIP_TAGS:
                skip_depth += 1
            if tag == "a":
                link_depth += 1
            if tag in BLOCK_TAGS:
                builder.flush()
        else:
            stack.pop()
            if tag in SKIP_TAGS:
                skip_depth -= 1
            if tag == "a":
                link_depth -= 1
            if tag in BLOCK_TAGS:
                builder.flush()
    builder.flush()
    return builder.blocks


def _block_tag(stack: list[Any]) -> str:
    for node in reversed(stack):
        if node.tag in BLOCK_TAGS:
            return str(node.tag)
    return ""

"""Selector rules -> which elements of a page each one marks, in one pass over the elements.

Lexbor matches CSS fine but slowly for the selectors our rules are made of: an attribute-substring
selector (``[class*="share" i]``) costs it about 0.07 ms per page, and the shipped rules hold over a
hundred. Those simple selectors (a tag and at most one attribute test: `.x`, `#x`, `[a*="x" i]`...)
are compiled instead into one RE2 set per attribute (``class``, ``id``, ``style``...), so an element is
tested against all of them at once while the segmenter walks the page, and a value seen before
(class names repeat) is not tested again. A child selector of two simple ones (``body > header``) is
its last part, checked on the parent when that part matches. Any other selector (other combinators,
pseudo-classes, several attribute tests) is left to Lexbor, whose every query costs ~0.1 ms a page.
``tests/test_html.py`` checks that both give the same elements for every shipped selector.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import re2

from .rules import Rule, _options

_COMPOUND = re.compile(r"^(?P<tag>[a-zA-Z][a-zA-Z0-9-]*)?(?P<rest>(?:\.[\w-]+|#[\w-]+|\[[^\]]+\])*)$")
_PART = re.compile(r"\.([\w-]+)|#([\w-]+)|\[([^\]]+)\]")
_ATTR = re.compile(r"""^\s*([\w:-]+)\s*(?:([~^$*|]?=)\s*(?:"([^"]*)"|'([^']*)'|([^\s"']+))\s*([iIsS])?\s*)?$""")


def _value_pattern(op: str, value: str, nocase: bool) -> str:
    """A regex over one attribute's value for an attribute test (``[class*="share" i]``...)."""
    v = re2.escape(value)
    if nocase:
        v = f"(?i:{v})"
    patterns: dict[str, str] = {
        "": "",
        "=": f"^{v}$",
        "~=": f"(?:^|\\s){v}(?:\\s|$)",
        "^=": f"^{v}",
        "$=": f"{v}$",
        "*=": v,
        "|=": f"^{v}(?:-|$)",
    }
    return patterns[op]


def compile_simple(selector: str) -> tuple[str, str, str] | None:
    """(tag or '', attribute name or '', regex over its value) for a selector made of a tag and at
    most one attribute test (``.x`` and ``#x`` are attribute tests), or None when Lexbor must match it."""
    m = _COMPOUND.match(selector.strip())
    if m is None or not selector.strip():
        return None
    tag = (m.group("tag") or "").lower()
    parts = list(_PART.finditer(m.group("rest")))
    if len(parts) > 1:
        return None
    if not parts:
        return (tag, "", "") if tag else None
    cls, ident, attr = parts[0].groups()
    if cls is not None:
        return tag, "class", _value_pattern("~=", cls, False)
    if ident is not None:
        return tag, "id", _value_pattern("=", ident, False)
    a = _ATTR.match(attr)
    if a is None:
        return None
    value = next((g for g in a.group(3, 4, 5) if g is not None), "")
    return tag, a.group(1).lower(), _value_pattern(a.group(2) or "", value, (a.group(6) or "").lower() == "i")


def compile_child(selector: str) -> tuple[tuple[str, str, str], tuple[str, str, str]] | None:
    """The parent's and the element's simple selectors of ``A > B``, or None."""
    parts = selector.split(">")
    if len(parts) != 2:
        return None
    parent, child = compile_simple(parts[0]), compile_simple(parts[1])
    return (parent, child) if parent is not None and child is not None else None


class _AttrSet:
    """The tests on one attribute: an RE2 set over its value, each pattern owned by (tag, rule)."""

    def __init__(self) -> None:
        self.patterns: list[str] = []
        self.owners: list[tuple[str, int]] = []
        self.set: Any = None
        self.cache: dict[str, tuple[tuple[str, int], ...]] = {}

    def compile(self) -> None:
        self.set = re2.Set.SearchSet(_options())
        for p in self.patterns:
            self.set.Add(p)
        self.set.Compile()

    def owners_of(self, value: str) -> tuple[tuple[str, int], ...]:
        """The (tag, rule) pairs whose test this value passes (remembered: class names repeat)."""
        got = self.cache.get(value)
        if got is None:
            if len(self.cache) > 50_000:
                self.cache.clear()
            got = tuple(self.owners[h] for h in (self.set.Match(value) or ()))
            self.cache[value] = got
        return got


class SelectorIndex:
    """The selector rules of a rule set, ready to mark a page's elements."""

    def __init__(self, rules: Sequence[Rule]):
        self.rules = tuple(rules)
        self.complex: list[tuple[int, str]] = []
        self.by_attr: dict[str, _AttrSet] = {}
        by_tag: dict[str, set[int]] = {}

        def add(number: int, tag: str, name: str, pattern: str) -> None:
            """Index a simple selector (see ``compile_simple``) as rule ``number``."""
            if not name:
                by_tag.setdefault(tag, set()).add(number)
                return
            tests = self.by_attr.setdefault(name, _AttrSet())
            tests.patterns.append(pattern)
            tests.owners.append((tag, number))

        # The two parts of the k-th child selector are indexed like rules, as numbers len(rules) + 2k
        # (its last part) and len(rules) + 2k + 1 (its first part, which the parent must pass):
        # parents[k] is (its rule, the first part's number).
        self.parents: list[tuple[int, int]] = []
        for i, rule in enumerate(self.rules):
            for sel in rule.selectors:
                simple = compile_simple(sel)
                if simple is not None:
                    add(i, *simple)
                    continue
                child = compile_child(sel)
                if child is None:
                    self.complex.append((i, sel))
                    continue
                number = len(self.rules) + 2 * len(self.parents)
                self.parents.append((i, number + 1))
                add(number, *child[1])
                add(number + 1, *child[0])
        self.by_tag = {tag: tuple(sorted(numbers)) for tag, numbers in by_tag.items()}
        for tests in self.by_attr.values():
            tests.compile()
        self.is_content = [r.scope == "content" for r in self.rules]

    def pre_marked(self, tree: Any) -> dict[int, tuple[int, ...]]:
        """Elements the complex selectors match (Lexbor): ``mem_id`` -> rule numbers."""
        out: dict[int, set[int]] = {}
        for i, sel in self.complex:
            for node in tree.css(sel):
                out.setdefault(node.mem_id, set()).add(i)
        return {k: tuple(sorted(v)) for k, v in out.items()}

    def hits(self, tag: str, attributes: dict[str, Any]) -> Sequence[int]:
        """The numbers of the rules whose simple selectors match an element, in order, then those of
        the child selectors whose last part it matches (see :meth:`with_parent`)."""
        tagged = self.by_tag.get(tag, ())
        got: set[int] | None = None
        for name, value in attributes.items():
            tests = self.by_attr.get(name)
            if tests is None:
                continue
            owners = tests.cache.get(value or "")  # owners_of's cache, read here first: it is hot
            if owners is None:
                owners = tests.owners_of(value or "")
            for owner_tag, i in owners:
                if not owner_tag or owner_tag == tag:
                    if got is None:
                        got = set(tagged)
                    got.add(i)
        return sorted(got) if got else tagged

    def with_parent(self, hits: Sequence[int], parent: Any) -> Sequence[int]:
        """``hits`` with each child selector's last part turned into its rule when the parent element
        (a selectolax node, or None) passes its first part; the parts' own numbers dropped."""
        n = len(self.rules)
        if not hits or hits[-1] < n:
            return hits
        got = {i for i in hits if i < n}
        wanted = [self.parents[(i - n) // 2] for i in hits if i >= n and (i - n) % 2 == 0]
        if wanted and parent is not None and parent.tag and parent.tag[0] != "-":
            passed = set(self.hits(parent.tag, parent.attributes))
            got.update(rule for rule, first in wanted if first in passed)
        return sorted(got)

    def matches(self, node: Any, also: Sequence[int] = ()) -> list[int]:
        """The numbers of the rules whose selectors match an element (a selectolax node), in order
        (plus ``also``, the complex selectors' rules that ``pre_marked`` found for it)."""
        hits = self.with_parent(self.hits(node.tag, node.attributes), node.parent)
        return sorted({*hits, *also}) if also else list(hits)

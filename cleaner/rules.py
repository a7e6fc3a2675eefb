"""Rules are data: load, validate and compile the TOML rule files.

A rule file holds ``[[rule]]`` tables (and ``[[outlet]]`` tables, see ``outlet.py``) plus an optional
top-level ``disable = ["rule-id", ...]`` that switches built-in rules off. Patterns are RE2 (linear
time, no look-around, no back-references) and are compiled when the rules load, so a bad pattern is
reported with its file, line and rule before any document is cleaned.

Scopes:
  block      a match removes the block;
  tail       a match removes the block and starts a tail zone (what follows is boilerplate unless
             it is clearly article prose);
  outlet     a match is evidence of the outlet: the named group ``outlet`` holds its name or domain;
  heuristic  behaviour lives in code (``judge.py``, found by the rule id), tuned by ``params``;
  selector   (HTML) CSS ``selectors``: what an element matching one holds is removed (navigation,
             share bars, comment sections...); its examples are HTML fragments;
  content    (HTML) CSS ``selectors`` for the element that holds the article body, tried in order
             (``html_content.py``); its examples are HTML fragments too.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import attrs
import re2

from .errors import RuleError
from .shipped import builtin_dir

SCOPES = ("block", "tail", "outlet", "heuristic", "selector", "content")
HTML_SCOPES = frozenset({"selector", "content"})
_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
_RULE_KEYS = frozenset(
    {"id", "category", "description", "scope", "patterns", "selectors", "match", "keep", "message", "params"}
)
_OUTLET_KEYS = frozenset({"name", "domains", "aliases", "fingerprints", "agency"})


_NAMED_GROUP = re.compile(r"(?<!\\)\(\?P<\w+>")


def set_pattern(pattern: str) -> str:
    """The pattern as an RE2 set member: sets cannot hold named groups (they may repeat)."""
    return _NAMED_GROUP.sub("(?:", pattern)


_NUMBERS = frozenset(
    {
        "max_words",
        "min_position",
        "gap_cost",
        "meta_cost",
        "heading_words",
        "headline_window",
        "link_share",
        "max_block",
        "max_chars",
        "min_chars",
        "min_score",
        "min_share",
        "min_words",
        "sentence_weight",
        "stamp_cut_words",
        "standfirst_max_words",
        "standfirst_min_words",
        "timestamp_repeats",
        "title_share",
        "unknown_weight",
        "unknown_weight_early",
        "weight",
        "domain_weight",
        "window",
        "anchored_words",
        "good_words",
        "good_stop_ratio",
        "stop_share",
        "min_stop_ratio",
        "short_words",
        "long_words",
        "menu_separators",
    }
)
_FLAGS = frozenset({"never_layout", "unique", "mail", "agencies"})
_WORD_LISTS = frozenset({"names", "domains", "mail_domains", "not_after", "tail_words", "meta_rules"})
PATTERN_MEM = 8 << 20
"""RE2 memory for one pattern: the largest shipped pattern needs well under 1 MiB; one that needs more
is refused when it loads instead of costing seconds in every process that compiles it."""


def _check_params(path: str, line: int | None, rid: str, params: dict[str, Any]) -> None:
    """The params the code reads must have the type it reads them as (else cleaning would crash)."""
    for key, value in params.items():
        if key in _NUMBERS and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise RuleError(path, f"param {key!r} must be a number, not {value!r}", line, rid)
        if key in _FLAGS and not isinstance(value, bool):
            raise RuleError(path, f"param {key!r} must be true or false, not {value!r}", line, rid)
        if key in _WORD_LISTS and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise RuleError(path, f"param {key!r} must be a list of strings", line, rid)


def _options() -> Any:
    opts = re2.Options()
    opts.log_errors = False
    opts.max_mem = 256 << 20
    return opts


@attrs.frozen
class Rule:
    """One rule, as written in its file."""

    id: str
    category: str
    description: str
    scope: str
    patterns: tuple[str, ...]
    selectors: tuple[str, ...]
    match: tuple[str, ...]
    keep: tuple[str, ...]
    message: str
    params: dict[str, Any] = attrs.field(hash=False, eq=False)
    path: str
    line: int
    compiled: tuple[Any, ...] = attrs.field(repr=False, hash=False, eq=False)

    def search(self, text: str) -> Any:
        """The first match of any of the rule's patterns in ``text``, or None."""
        for rx in self.compiled:
            m = rx.search(text)
            if m is not None:
                return m
        return None

    def param(self, name: str, default: Any) -> Any:
        return self.params.get(name, default)

    def select(self, tree: Any) -> list[Any]:
        """The elements of a parsed page (selectolax) that the rule's selectors match, in document order."""
        if len(self.selectors) == 1:
            return list(tree.css(self.selectors[0]))
        return list(tree.css(", ".join(self.selectors)))


@attrs.frozen
class KnownOutlet:
    """A publication the cleaner knows: its name, domains, aliases and text fingerprints."""

    name: str
    domains: tuple[str, ...]
    aliases: tuple[str, ...]
    fingerprints: tuple[str, ...]
    path: str
    agency: bool = False
    """A news agency's own site: its outlet only where the site names itself (a title suffix, its site
    name), never from a credit, copyright line or domain of the agency in someone else's story."""


_LEADING_ANCHOR = re.compile(r"^((?:\(\?[a-zA-Z]+\))?)\^")


def _anchored(pattern: str) -> str | None:
    """The pattern without its leading ``^`` when it is anchored as a whole, else None.

    ``^a|b`` is not anchored as a whole: a ``|`` outside any group or class keeps it unanchored.
    """
    m = _LEADING_ANCHOR.match(pattern)
    if m is None:
        return None
    depth, i, n = 0, 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":  # a class: skip to its end (a ] right after [ or [^ is literal)
            i += 2 if pattern.startswith("[^", i) else 1
            i += 1 if i < n and pattern[i] == "]" else 0
            while i < n and pattern[i] != "]":
                i += 2 if pattern[i] == "\\" else 1
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            return None
        i += 1
    return m.group(1) + pattern[m.end() :]


class _PatternSet:
    """All patterns of some rules in RE2 sets: one pass per block tells which rules match.

    Patterns anchored at the start go into an anchored set, the others into a search set: RE2's DFA
    for one mixed set of many Unicode patterns is several times slower than the two apart.
    """

    def __init__(self, rules: Sequence[Rule]):
        self.rules: list[Rule] = list(rules)
        self._sets: list[tuple[Any, list[int]]] = []
        anchored = re2.Set.MatchSet(_options())
        searched = re2.Set.SearchSet(_options())
        owners: tuple[list[int], list[int]] = ([], [])
        for i, rule in enumerate(self.rules):
            for pat in rule.patterns:
                bare = _anchored(pat)
                if bare is not None:
                    anchored.Add(set_pattern(bare))
                    owners[0].append(i)
                else:
                    searched.Add(set_pattern(pat))
                    owners[1].append(i)
        for rset, owner in zip((anchored, searched), owners, strict=True):
            if owner:
                rset.Compile()
                self._sets.append((rset, owner))

    def first(self, text: str, words: int = 0) -> Rule | None:
        """The earliest-listed rule with a pattern matching ``text`` whose ``max_words`` allows ``words``."""
        data = text.encode()  # once for all sets: given a str, re2 encodes it again for each
        found: list[int] = []
        for rset, owner in self._sets:
            hits = rset.Match(data)
            if hits:
                found += [owner[h] for h in hits]
        if not found:  # most lines
            return None
        for i in sorted(found):
            rule = self.rules[i]
            if words <= rule.param("max_words", words):
                return rule
        return None


class RuleSet:
    """The rules in force: built-ins plus user folders, minus the disabled ones."""

    def __init__(self, rules: Iterable[Rule], outlets: Iterable[KnownOutlet], sources: Sequence[str]):
        self.rules = tuple(rules)
        self.by_id = {r.id: r for r in self.rules}
        self.outlets = tuple(outlets)
        self.sources = tuple(sources)
        # One RE2 set for every line rule: block rules first, so they win over tail markers.
        self.lines = _PatternSet(
            [r for r in self.rules if r.scope == "block"] + [r for r in self.rules if r.scope == "tail"]
        )
        self.outlet_rules = tuple(r for r in self.rules if r.scope == "outlet")
        self.selector_rules = tuple(r for r in self.rules if r.scope == "selector")
        self.content_rules = tuple(r for r in self.rules if r.scope == "content")
        self.digest = self._digest()

    def _digest(self) -> str:
        h = hashlib.sha256()
        for r in self.rules:
            fields = [r.id, r.category, r.scope, r.patterns, r.params] + ([r.selectors] if r.selectors else [])
            h.update(json.dumps(fields, sort_keys=True).encode())
        for o in self.outlets:
            h.update(json.dumps([o.name, o.domains, o.aliases, o.fingerprints]).encode())
        return h.hexdigest()[:16]

    def heuristic(self, rule_id: str) -> Rule | None:
        """The heuristic rule with this id, or None when it is disabled."""
        rule = self.by_id.get(rule_id)
        return rule if rule is not None and rule.scope == "heuristic" else None

    def __len__(self) -> int:
        return len(self.rules)


def _table_lines(raw: str, table: str) -> list[tuple[int, int | None]]:
    """For each ``[[table]]`` header in order: (header line, line of its ``id``/``name`` key or None)."""
    lines = raw.splitlines()
    headers = [n for n, line in enumerate(lines, 1) if line.strip().startswith(f"[[{table}]]")]
    key = "id" if table == "rule" else "name"
    out = []
    for i, head in enumerate(headers):
        stop = headers[i + 1] - 1 if i + 1 < len(headers) else len(lines)
        at = next(
            (n for n in range(head + 1, stop + 1) if re.match(rf"\s*{key}\s*=", lines[n - 1])),
            None,
        )
        out.append((head, at))
    return out


def _line_for(positions: list[tuple[int, int | None]], n: int) -> int | None:
    """The line of table #n (1-based): its key line, else its header line."""
    if n <= len(positions):
        head, at = positions[n - 1]
        return at or head
    return None


def _strings(path: str, line: int | None, rid: str, table: dict[str, Any], key: str, required: bool) -> tuple[str, ...]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleError(path, f"'{key}' must be a list of strings", line, rid)
    if required and not value:
        raise RuleError(path, f"'{key}' must not be empty", line, rid)
    return tuple(value)


def _parse_rule(path: str, line: int | None, table: Any, n: int) -> Rule:
    if not isinstance(table, dict):
        raise RuleError(path, f"rule #{n} is not a table", line)
    rid = table.get("id")
    if not isinstance(rid, str) or not rid:
        raise RuleError(path, f"rule #{n} has no 'id'", line)
    if not set(rid) <= _ID_CHARS or rid[0] == "-":
        raise RuleError(path, "id must be kebab-case (a-z, 0-9, -)", line, rid)
    unknown = set(table) - _RULE_KEYS
    if unknown:
        raise RuleError(path, f"unknown key(s) {', '.join(sorted(unknown))}", line, rid)
    for key in ("category", "description"):
        if not isinstance(table.get(key), str) or not table[key]:
            raise RuleError(path, f"'{key}' must be a non-empty string", line, rid)
    scope = table.get("scope", "block")
    if scope not in SCOPES:
        raise RuleError(path, f"scope {scope!r} is not one of {', '.join(SCOPES)}", line, rid)
    html = scope in HTML_SCOPES
    needs_patterns = scope not in HTML_SCOPES and scope != "heuristic"
    patterns = _strings(path, line, rid, table, "patterns", needs_patterns)
    selectors = _strings(path, line, rid, table, "selectors", html)
    if html and patterns:
        raise RuleError(path, f"a {scope} rule takes 'selectors', not 'patterns'", line, rid)
    if selectors and not html:
        raise RuleError(path, f"'selectors' need scope 'selector' or 'content', not {scope!r}", line, rid)
    for sel in selectors:
        _check_selector(path, line, rid, sel)
    match = _strings(path, line, rid, table, "match", needs_patterns or html)
    keep = _strings(path, line, rid, table, "keep", False)
    params = table.get("params", {})
    if not isinstance(params, dict):
        raise RuleError(path, "'params' must be a table", line, rid)
    _check_params(path, line, rid, params)
    compiled = []
    small = _options()
    small.max_mem = PATTERN_MEM
    for pat in patterns:
        try:
            rx = re2.compile(pat, small)
        except re2.error as e:
            detail = e.args[0].decode() if e.args and isinstance(e.args[0], bytes) else str(e)
            raise RuleError(path, f"pattern {pat!r} is not valid RE2: {detail}", line, rid) from None
        if scope == "outlet" and "outlet" not in rx.groupindex:
            raise RuleError(path, f"outlet pattern {pat!r} needs a named group (?P<outlet>...)", line, rid)
        compiled.append(rx)
    message = table.get("message", table["description"])
    return Rule(
        id=rid,
        category=table["category"],
        description=table["description"],
        scope=scope,
        patterns=patterns,
        selectors=selectors,
        match=match,
        keep=keep,
        message=str(message),
        params=params,
        path=path,
        line=line or 0,
        compiled=tuple(compiled),
    )


@cache
def _probe() -> Any:
    from selectolax.lexbor import LexborHTMLParser

    return LexborHTMLParser("<p>")


def _check_selector(path: str, line: int | None, rid: str, selector: str) -> None:
    """A selector Lexbor cannot parse is a rule-file error, reported before any page is cleaned."""
    from selectolax.lexbor import SelectolaxError

    try:
        _probe().css(selector)
    except SelectolaxError:
        raise RuleError(path, f"selector {selector!r} is not valid CSS", line, rid) from None


def _parse_outlet(path: str, line: int | None, table: Any, n: int) -> KnownOutlet:
    if not isinstance(table, dict) or not isinstance(table.get("name"), str):
        raise RuleError(path, f"outlet #{n} needs a 'name'", line)
    name = table["name"]
    unknown = set(table) - _OUTLET_KEYS
    if unknown:
        raise RuleError(path, f"outlet {name!r}: unknown key(s) {', '.join(sorted(unknown))}", line)
    fields = {k: _strings(path, line, name, table, k, False) for k in ("domains", "aliases", "fingerprints")}
    agency = table.get("agency", False)
    if not isinstance(agency, bool):
        raise RuleError(path, f"outlet {name!r}: 'agency' must be true or false, not {agency!r}", line)
    return KnownOutlet(
        name=name,
        domains=tuple(d.lower() for d in fields["domains"]),
        aliases=fields["aliases"],
        fingerprints=fields["fingerprints"],
        path=path,
        agency=agency,
    )


def load_file(path: Path) -> tuple[list[Rule], list[KnownOutlet], list[str]]:
    """The rules, outlets and disabled ids of one TOML file."""
    name = str(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise RuleError(name, f"cannot read: {e}") from None
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as e:
        line = getattr(e, "lineno", None)
        msg = getattr(e, "msg", str(e))
        raise RuleError(name, f"not valid TOML: {msg}", line) from None
    unknown = set(data) - {"rule", "outlet", "disable"}
    if unknown:
        raise RuleError(name, f"unknown top-level key(s) {', '.join(sorted(unknown))}")
    rules_raw = data.get("rule", [])
    outlets_raw = data.get("outlet", [])
    if not isinstance(rules_raw, list) or not isinstance(outlets_raw, list):
        raise RuleError(name, "'rule' and 'outlet' must be arrays of tables ([[rule]], [[outlet]])")
    disable = data.get("disable", [])
    if not isinstance(disable, list) or not all(isinstance(d, str) for d in disable):
        raise RuleError(name, "'disable' must be a list of rule ids")
    rule_lines = _table_lines(raw, "rule")
    outlet_lines = _table_lines(raw, "outlet")
    rules = [_parse_rule(name, _line_for(rule_lines, i + 1), t, i + 1) for i, t in enumerate(rules_raw)]
    outlets = [_parse_outlet(name, _line_for(outlet_lines, i + 1), t, i + 1) for i, t in enumerate(outlets_raw)]
    return rules, outlets, disable


def _files(folder: Path) -> list[Path]:
    if folder.is_file():
        return [folder]
    if not folder.is_dir():
        raise RuleError(str(folder), "no such rules folder")
    return sorted(p for p in folder.rglob("*.toml") if p.is_file())


def load_rules(extra: Sequence[str | Path] = (), *, builtin: bool = True) -> RuleSet:
    """Built-in rules plus those in ``extra`` folders (or files); later files may disable earlier ids."""
    folders = ([builtin_dir()] if builtin else []) + [Path(p) for p in extra]
    rules: dict[str, Rule] = {}
    outlets: list[KnownOutlet] = []
    disabled: set[str] = set()
    sources: list[str] = []
    for folder in folders:
        for path in _files(folder):
            file_rules, file_outlets, file_disable = load_file(path)
            sources.append(str(path))
            for rule in file_rules:
                if rule.id in rules:
                    other = rules[rule.id]
                    raise RuleError(rule.path, f"id already used at {other.path}:{other.line}", rule.line, rule.id)
                rules[rule.id] = rule
            outlets.extend(file_outlets)
            disabled.update(file_disable)
    kept = [r for rid, r in rules.items() if rid not in disabled]
    return RuleSet(kept, outlets, sources)


@cache
def default_rules() -> RuleSet:
    """The shipped rule set, loaded once per process."""
    return load_rules()


def check_examples(ruleset: RuleSet) -> list[str]:
    """Every rule's own examples: 'match' lines must be removed by it, 'keep' lines not. Returns failures.

    A rule's ``max_words`` counts as it does when cleaning: a 'match' example longer than the limit
    fails, and a 'keep' example that the limit protects passes.
    """
    from .features import measure

    failures = []
    for rule in ruleset.rules:
        if rule.scope == "heuristic":
            continue
        if rule.scope in HTML_SCOPES:
            failures.extend(_check_html_examples(rule))
            continue
        limit = rule.param("max_words", None)
        for ex in rule.match:
            if rule.search(ex) is None:
                failures.append(f"{rule.path}:{rule.line}: rule {rule.id!r}: match example does not match: {ex!r}")
            elif limit is not None and measure(ex).words > limit:
                failures.append(f"{rule.path}:{rule.line}: rule {rule.id!r}: match example exceeds max_words: {ex!r}")
        for ex in rule.keep:
            if rule.search(ex) is not None and (limit is None or measure(ex).words <= limit):
                failures.append(f"{rule.path}:{rule.line}: rule {rule.id!r}: keep example matches: {ex!r}")
    return failures


def _check_html_examples(rule: Rule) -> list[str]:
    """'match' fragments must contain an element the selectors match; 'keep' fragments none."""
    from selectolax.lexbor import LexborHTMLParser

    failures = []
    for ex, want in [(ex, True) for ex in rule.match] + [(ex, False) for ex in rule.keep]:
        if bool(rule.select(LexborHTMLParser(ex))) != want:
            what = "match example matches no element" if want else "keep example matches an element"
            failures.append(f"{rule.path}:{rule.line}: rule {rule.id!r}: {what}: {ex!r}")
    return failures

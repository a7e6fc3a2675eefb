"""Hostile rule files: patterns that make backtracking engines explode, RE2 cannot run, or compile huge.

User rule folders are code the cleaner runs on every line, so a pattern must either be refused when
the rules load (one line naming file, line and rule) or match in time linear in the line. RE2 gives
the second for anything it accepts; these tests hold the cleaner to it.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hostile.deadline import deadline
from samples import PROSE_EN as PROSE
from samples import PROSE_EN_2 as PROSE_2

from cleaner import RuleError, clean, load_rules, verify

# id -> (pattern, a line it matches, a line of n characters that makes a backtracking engine explode)
CATASTROPHIC: dict[str, tuple[str, str, Callable[[int], str]]] = {
    "test-nested-plus": (r"^(a+)+$", "aaaa", lambda n: "a" * n + "!"),
    "test-overlapping-plus": (r"^(x+x+)+y$", "xxy", lambda n: "x" * n),
    "test-star-repeat": (r"^(.*a){20}$", "a" * 20, lambda n: "a" * 19 + "b" * n),
    "test-alternation": (r"^(a|aa)+$", "aaa", lambda n: "a" * n + "!"),
    "test-words": (r"^(\w+\s?)*$", "two words", lambda n: "word " * (n // 5) + "!"),
    "test-email": (r"^([a-zA-Z0-9])(([\-.]|[_]+)?([a-zA-Z0-9]+))*(@)", "ab@", lambda n: "a" * n + "!"),
}


def _rule(rid: str, pattern: str, example: str, scope: str = "block", extra: str = "") -> str:
    return (
        f'[[rule]]\nid = "{rid}"\ncategory = "test"\ndescription = "Hostile pattern."\nscope = "{scope}"\n'
        f"patterns = ['{pattern}']\nmatch = ['{example}']\n{extra}\n"
    )


def _folder(tmp_path: Path, body: str, name: str = "hostile.toml") -> Path:
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(body, encoding="utf-8")
    return folder


def _catastrophic_folder(tmp_path: Path) -> Path:
    body = "".join(_rule(rid, pat, ex) for rid, (pat, ex, _) in CATASTROPHIC.items())
    body += _rule("test-outlet-nested", r"^(?P<outlet>(a+)+)b$", "aab", scope="outlet")
    return _folder(tmp_path, body)


def _document(n: int) -> bytes:
    lines = [PROSE, *(make(n) for _, _, make in CATASTROPHIC.values()), PROSE_2]
    return "\n\n".join(lines).encode()


def _load_error(folder: Path) -> RuleError:
    with pytest.raises(RuleError) as err:
        load_rules([folder])
    return err.value


def _assert_names_file_line_rule(message: str, path: Path, line: int, rid: str) -> None:
    assert "\n" not in message.strip(), message
    assert str(path) in message, message
    assert f":{line}:" in message, message
    assert rid in message, message


# --- patterns that explode in backtracking engines: linear in RE2 ------------------------------------


def test_catastrophic_patterns_load_and_match_their_examples(tmp_path: Path) -> None:
    ruleset = load_rules([_catastrophic_folder(tmp_path)])
    for rid, (_, example, _) in CATASTROPHIC.items():
        assert ruleset.by_id[rid].search(example), rid


@pytest.mark.parametrize("rid", list(CATASTROPHIC))
def test_catastrophic_pattern_runs_in_linear_time(tmp_path: Path, rid: str) -> None:
    """A 100 KB line that would take a backtracking engine years: well under a second, twice 50 KB's."""
    rule = load_rules([_catastrophic_folder(tmp_path)]).by_id[rid]
    make = CATASTROPHIC[rid][2]
    took = {}
    with deadline(10, "not linear time: still running"):
        for n in (50_000, 100_000):
            line = make(n)
            start = time.process_time()
            rule.search(line)
            took[n] = time.process_time() - start
    assert took[100_000] < 2.0, took
    assert took[100_000] < 4 * took[50_000] + 0.05, f"grows faster than linearly: {took}"


def test_catastrophic_rules_clean_a_hostile_document_in_linear_time(tmp_path: Path) -> None:
    ruleset = load_rules([_catastrophic_folder(tmp_path)])
    clean(b"warm up: the language profiles load once", rules=ruleset)
    took = {}
    with deadline(30, "not linear time: still running"):
        for n in (50_000, 100_000):
            data = _document(n)
            start = time.process_time()
            result = clean(data, rules=ruleset)
            took[n] = time.process_time() - start
            assert verify(result, data) == []
    assert took[100_000] < 4 * took[50_000] + 0.5, f"grows faster than linearly: {took}"


def test_catastrophic_rules_through_the_cli(tmp_path: Path) -> None:
    """``clean --rules DIR`` with those patterns on a document of 100 KB lines: finishes, exit 0."""
    folder = _catastrophic_folder(tmp_path)
    doc = tmp_path / "doc.txt"
    doc.write_bytes(_document(100_000))
    proc = subprocess.run(
        [sys.executable, "-m", "cleaner", "--rules", str(folder), str(doc)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert PROSE in proc.stdout or PROSE_2 in proc.stdout, proc.stdout[:500]


# --- patterns RE2 cannot run: refused at load, naming file, line and rule ------------------------------


@pytest.mark.parametrize(
    "pattern",
    [r"(a)\1", "(?=x)y", "(?<!x)y", r"(?P<w>\w+) (?P=w)", r"\w++", "(?>atomic)"],
    ids=["back-reference", "look-ahead", "look-behind", "named-back-reference", "possessive", "atomic"],
)
def test_pattern_re2_cannot_run_is_refused_by_the_cli(tmp_path: Path, pattern: str) -> None:
    body = _rule("test-fine", "^fine$", "fine") + _rule("test-unrunnable", pattern, "xy")
    folder = _folder(tmp_path, body)
    doc = tmp_path / "doc.txt"
    doc.write_text(f"{PROSE}\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "cleaner", "--rules", str(folder), str(doc)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stdout[-500:] + proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    said = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(said) == 1, proc.stderr
    line = body.splitlines().index('id = "test-unrunnable"') + 1
    _assert_names_file_line_rule(said[0], folder / "hostile.toml", line, "test-unrunnable")
    assert not proc.stdout.strip(), "nothing is cleaned with a broken rule folder"


# --- patterns that compile huge: refused at load ---------------------------------------------------------


@pytest.mark.parametrize(
    "pattern",
    ["a{1000}{1000}", "(?:a{1000}){1000}", "a{1001}", r"(\pL{100}){100}", "((((a{10}){10}){10}){10})"],
)
def test_huge_repetition_is_refused(tmp_path: Path, pattern: str) -> None:
    body = _rule("test-fine", "^fine$", "fine") + _rule("test-huge-repeat", pattern, "a")
    folder = _folder(tmp_path, body)
    err = _load_error(folder)
    line = body.splitlines().index('id = "test-huge-repeat"') + 1
    _assert_names_file_line_rule(str(err), folder / "hostile.toml", line, "test-huge-repeat")
    assert (err.path, err.line, err.rule) == (str(folder / "hostile.toml"), line, "test-huge-repeat")


def test_over_large_program_is_refused(tmp_path: Path) -> None:
    """Twenty Unicode letter classes repeated 1000 times: past RE2's max_mem, refused, not compiled for minutes."""
    body = _rule("test-too-large", r"\pL{1000}" * 20, "a")
    folder = _folder(tmp_path, body)
    start = time.monotonic()
    err = _load_error(folder)
    assert time.monotonic() - start < 60
    _assert_names_file_line_rule(str(err), folder / "hostile.toml", 2, "test-too-large")
    assert re.search("too large|max_mem|memory", str(err), re.IGNORECASE), str(err)


def test_pattern_with_a_million_instructions_is_refused(tmp_path: Path) -> None:
    folder = _folder(tmp_path, _rule("test-million", r"\pL{1000}", "a" * 1000))
    err = _load_error(folder)
    assert "test-million" in str(err)


# --- everything else a rule file can hold must not crash cleaning --------------------------------------


@pytest.mark.parametrize(
    ("scope", "pattern", "example"),
    [
        ("outlet", "(?P<outlet>Daily Planet)?zzz", "zzz"),  # the named group may not take part
        ("outlet", r"(?P<outlet>\C+)", "x"),  # any byte: a match may end inside a character
        ("block", "x*", "x"),  # matches the empty string, so every line
        ("tail", "^", "x"),
        ("block", "(?<n>Leave) a reply", "Leave a reply"),  # RE2's (?<name>...) groups
        ("block", "(?i)ё+|\\x{1F600}", "Ё"),
    ],
)
def test_odd_patterns_never_crash_cleaning(tmp_path: Path, scope: str, pattern: str, example: str) -> None:
    ruleset = load_rules([_folder(tmp_path, _rule("test-odd", pattern, example, scope=scope))])
    data = f"Leave a reply\n\n{PROSE} Daily Planet zzz ё\n\n{PROSE_2} é€ 😀\n\nx\n".encode()
    result = clean(data, rules=ruleset)
    assert verify(result, data) == []


@pytest.mark.parametrize(
    ("scope", "params"),
    [
        ("block", 'params = { max_words = "twenty" }'),
        ("tail", 'params = { min_position = "late" }'),
        ("block", 'params = { stop_share = "half" }'),
    ],
    ids=["max_words", "min_position", "stop_share"],
)
def test_param_of_the_wrong_type_is_refused_at_load(tmp_path: Path, scope: str, params: str) -> None:
    body = _rule("test-bad-param", "(?i)^hello", "hello", scope=scope, extra=params)
    folder = _folder(tmp_path, body)
    try:
        ruleset = load_rules([folder])
    except RuleError as e:
        _assert_names_file_line_rule(str(e), folder / "hostile.toml", 2, "test-bad-param")
        return
    clean(f"hello\n\n{PROSE}\n\n{PROSE_2}\n".encode(), rules=ruleset)  # TypeError today
    pytest.fail("a param of the wrong type was accepted")

"""Rules are data: the shipped rules' own examples, rule-file validation, user folders, the digest."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from cleaner import RuleError, clean, load_rules
from cleaner.rules import default_rules
from cleaner.shipped import builtin_dir

RULES = load_rules()
PATTERN_RULES = [r for r in RULES.rules if r.scope in ("block", "tail", "outlet")]
HTML_RULES = [r for r in RULES.rules if r.scope in ("selector", "content")]
REMOVING_RULES = [r for r in RULES.rules if r.scope in ("block", "tail")]
KEBAB = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

PROSE = [
    "The city council met on Monday evening to discuss the budget for the coming year, and the "
    "members agreed that the library would stay open on Sundays.",
    "Residents who spoke at the meeting said that the bus service to the old town had become too "
    "slow, and the mayor promised a report on it before the summer.",
    "The finance committee will publish the full figures next week, after the auditors have checked "
    "the accounts of the three schools that asked for more money.",
]


PROSE_MORE = [
    "A spokesman for the council said that the decision would cost about forty thousand euros a "
    "year, which the town can pay from the money it saved on street lighting.",
    "Several parents welcomed the plan and said that their children had nowhere quiet to do their "
    "homework at the weekend, especially in the winter months.",
    "The opposition group voted against the budget, arguing that the council had not explained how "
    "it would pay for the new sports hall that it promised last year.",
]


def _ids(rules):
    return [r.id for r in rules]


def _write(folder: Path, name: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path


# --- the shipped rules ----------------------------------------------------------------------------


def test_shipped_rules_load() -> None:
    assert len(RULES) > 0
    assert PATTERN_RULES, "no pattern rules shipped"
    assert all(Path(s).is_file() for s in RULES.sources)


@pytest.mark.parametrize("rule", PATTERN_RULES, ids=_ids(PATTERN_RULES))
def test_rule_match_examples_match(rule) -> None:
    assert rule.match, f"{rule.id} has no match examples"
    for example in rule.match:
        assert rule.search(example) is not None, f"{rule.id}: match example does not match: {example!r}"


@pytest.mark.parametrize("rule", PATTERN_RULES, ids=_ids(PATTERN_RULES))
def test_rule_keep_examples_do_not_match(rule) -> None:
    for example in rule.keep:
        assert rule.search(example) is None, f"{rule.id}: keep example matches: {example!r}"


@pytest.mark.parametrize("rule", HTML_RULES, ids=_ids(HTML_RULES))
def test_html_rule_examples(rule) -> None:
    """Selector and content rules: every 'match' fragment has an element they select, no 'keep' one has."""
    from selectolax.lexbor import LexborHTMLParser

    assert rule.match, f"{rule.id} has no match examples"
    for example in rule.match:
        assert rule.select(LexborHTMLParser(example)), f"{rule.id}: match example selects nothing: {example!r}"
    for example in rule.keep:
        assert not rule.select(LexborHTMLParser(example)), f"{rule.id}: keep example selects: {example!r}"


SELECTOR_RULES = [r for r in RULES.rules if r.scope == "selector"]


@pytest.mark.parametrize("rule", SELECTOR_RULES, ids=_ids(SELECTOR_RULES))
def test_selector_rule_removes_its_examples_from_a_page(rule) -> None:
    """Through the whole pipeline: an example fragment beside an article is removed, by this rule."""
    for example in rule.match:
        marker = "Zqxv marker text"
        fragment = example.replace(">x<", f">{marker}<")
        if marker not in fragment:
            continue
        body = "".join(f"<p>{p}</p>" for p in PROSE + PROSE_MORE)
        page = f"<!doctype html><html><body><div class='main'>{body}</div><div>{fragment}</div></body></html>"
        result = clean(page.encode(), kind="html")
        assert marker not in result.text, f"{rule.id}: {fragment!r} was kept"
        assert PROSE[0] in result.text


@pytest.mark.parametrize("rule", REMOVING_RULES, ids=_ids(REMOVING_RULES))
def test_rule_match_examples_are_removed_from_a_document(rule) -> None:
    """Through the whole pipeline (the RE2 set, not just the rule): each example line is dropped."""
    for example in rule.match:
        if "\n" in example or "\r" in example:
            continue
        doc = "\n\n".join([PROSE[0], example, PROSE[1], PROSE[2]]) + "\n"
        data = doc.encode("utf-8")
        result = clean(data)
        kept = [data[s.source_start : s.source_end].decode() for s in result.spans]
        assert example.strip() not in kept, f"{rule.id}: {example!r} was kept"
        assert PROSE[1] in result.text


def test_rule_ids_are_unique_and_kebab_case_across_files() -> None:
    seen: dict[str, Path] = {}
    for path in sorted(builtin_dir().glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for table in data.get("rule", []):
            rid = table["id"]
            assert KEBAB.match(rid), f"{path.name}: id {rid!r} is not kebab-case"
            assert rid not in seen, f"{rid!r} in {path.name} and {seen[rid].name}"
            seen[rid] = path
    assert set(seen) == {r.id for r in RULES.rules}


@pytest.mark.parametrize("rule", RULES.rules, ids=_ids(RULES.rules))
def test_rule_is_documented(rule) -> None:
    assert rule.category.strip()
    assert rule.description.strip()
    assert rule.scope in ("block", "tail", "outlet", "heuristic", "selector", "content")
    if rule.scope in ("selector", "content"):
        assert rule.selectors and not rule.patterns
    elif rule.scope != "heuristic":
        assert rule.patterns


def test_rule_patterns_are_re2() -> None:
    """RE2 only: no look-around, no back-references (linear-time matching)."""
    for rule in PATTERN_RULES:
        for pat in rule.patterns:
            assert not re.search(r"\(\?<?[=!]", pat), f"{rule.id}: look-around in {pat!r}"
            assert not re.search(r"(?<!\\)\\[1-9]", pat), f"{rule.id}: back-reference in {pat!r}"


def test_rules_list_cli_shows_every_rule() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "cleaner", "rules", "list"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    listed = {line.split("\t")[0] for line in proc.stdout.splitlines() if line.strip()}
    assert listed == {r.id for r in RULES.rules}


def test_rules_test_cli_passes_on_shipped_rules() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "cleaner", "rules", "test"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"\b0 failed\b", proc.stdout)


def test_rules_test_cli_fails_on_a_broken_example(tmp_path: Path) -> None:
    _write(
        tmp_path / "mine",
        "mine.toml",
        """
[[rule]]
id = "test-gone-fishing"
category = "test"
description = "A made-up rule whose keep example matches."
patterns = ['(?i)^gone fishing']
match = ["Gone fishing"]
keep = ["Gone fishing again, said the mayor."]
""",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "cleaner", "rules", "test", str(tmp_path / "mine")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "test-gone-fishing" in proc.stdout + proc.stderr
    assert "Gone fishing again" in proc.stdout + proc.stderr


def test_rules_test_cli_malformed_folder_exit_2(tmp_path: Path) -> None:
    path = _write(tmp_path / "bad", "bad.toml", '[[rule]]\nid = "x-y"\ncategory = \n')
    proc = subprocess.run(
        [sys.executable, "-m", "cleaner", "rules", "test", str(tmp_path / "bad")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert str(path) in proc.stderr


# --- malformed rule files -------------------------------------------------------------------------

GOOD_RULE = """
[[rule]]
id = "test-first"
category = "test"
description = "A valid rule."
patterns = ['(?i)^first boilerplate$']
match = ["First boilerplate"]
"""


def _load_error(tmp_path: Path, body: str) -> tuple[RuleError, Path]:
    path = _write(tmp_path / "rules", "broken.toml", body)
    with pytest.raises(RuleError) as err:
        load_rules([tmp_path / "rules"])
    return err.value, path


def _line_of(body: str, needle: str) -> int:
    return next(n for n, line in enumerate(body.splitlines(), 1) if needle in line)


def test_bad_toml_names_file_and_line(tmp_path: Path) -> None:
    body = GOOD_RULE + '\n[[rule]]\nid = "test-second\ncategory = "test"\n'
    err, path = _load_error(tmp_path, body)
    msg = str(err)
    assert str(path) in msg
    line = _line_of(body, 'id = "test-second')
    assert f"{path}:{line}" in msg or f"line {line}" in msg, msg
    assert "\n" not in msg


def test_missing_id_names_file_and_rule(tmp_path: Path) -> None:
    body = GOOD_RULE + '\n[[rule]]\ncategory = "test"\ndescription = "No id."\npatterns = ["x"]\nmatch = ["x"]\n'
    err, path = _load_error(tmp_path, body)
    msg = str(err)
    assert str(path) in msg
    assert "id" in msg
    assert "#2" in msg or "2" in msg


def test_missing_id_names_the_line(tmp_path: Path) -> None:
    body = GOOD_RULE + '\n[[rule]]\ncategory = "test"\ndescription = "No id."\npatterns = ["x"]\nmatch = ["x"]\n'
    err, _path = _load_error(tmp_path, body)
    header = [n for n, line in enumerate(body.splitlines(), 1) if line == "[[rule]]"][1]
    assert err.line is not None and header <= err.line <= header + 5, str(err)


def test_duplicate_id_in_one_file(tmp_path: Path) -> None:
    body = GOOD_RULE + GOOD_RULE.replace("A valid rule.", "The same id again.")
    err, path = _load_error(tmp_path, body)
    msg = str(err)
    assert str(path) in msg
    assert "test-first" in msg
    assert err.rule == "test-first"


def test_duplicate_id_in_one_file_names_the_duplicate_line(tmp_path: Path) -> None:
    body = GOOD_RULE + GOOD_RULE.replace("A valid rule.", "The same id again.")
    err, _path = _load_error(tmp_path, body)
    second = [n for n, line in enumerate(body.splitlines(), 1) if 'id = "test-first"' in line][1]
    assert err.line == second, str(err)


def test_duplicate_of_a_builtin_id(tmp_path: Path) -> None:
    builtin = PATTERN_RULES[0]
    body = GOOD_RULE.replace("test-first", builtin.id)
    err, path = _load_error(tmp_path, body)
    msg = str(err)
    assert str(path) in msg and builtin.id in msg
    assert Path(builtin.path).name in msg, "the message should say where the id is already used"


@pytest.mark.parametrize(
    "pattern",
    ["(?<=a)b", "(?=a)b", "(?!a)b", r"(a)\1", "(unclosed", "a{2,1}"],
    ids=["look-behind", "look-ahead", "negative-look-ahead", "back-reference", "unclosed", "bad-repeat"],
)
def test_invalid_re2_names_file_line_and_rule(tmp_path: Path, pattern: str) -> None:
    body = (
        GOOD_RULE
        + f"""
[[rule]]
id = "test-bad-pattern"
category = "test"
description = "Pattern is not RE2."
patterns = ['{pattern}']
match = ["ab"]
"""
    )
    err, path = _load_error(tmp_path, body)
    msg = str(err)
    assert str(path) in msg
    assert "test-bad-pattern" in msg
    assert err.line == _line_of(body, 'id = "test-bad-pattern"')
    assert f":{err.line}:" in msg
    assert pattern in msg or repr(pattern)[1:-1] in msg


def test_unknown_key_names_the_key_and_rule(tmp_path: Path) -> None:
    body = (
        GOOD_RULE
        + """
[[rule]]
id = "test-typo"
category = "test"
description = "Misspelt key."
pattern = ['(?i)^typo$']
match = ["typo"]
"""
    )
    err, path = _load_error(tmp_path, body)
    msg = str(err)
    assert str(path) in msg and "test-typo" in msg and "pattern" in msg
    assert err.line == _line_of(body, 'id = "test-typo"')


def test_unknown_top_level_key(tmp_path: Path) -> None:
    err, path = _load_error(tmp_path, "disabled = ['comment-prompt']\n" + GOOD_RULE)
    assert str(path) in str(err) and "disabled" in str(err)


def test_outlet_rule_without_named_group(tmp_path: Path) -> None:
    body = """
[[rule]]
id = "test-outlet-nogroup"
category = "outlet"
description = "Names the outlet, but has no group for it."
scope = "outlet"
patterns = ['(?i)^brought to you by (\\w+)$']
match = ["Brought to you by Example"]
"""
    err, path = _load_error(tmp_path, body)
    msg = str(err)
    assert str(path) in msg and "test-outlet-nogroup" in msg and "outlet" in msg
    assert err.line == _line_of(body, 'id = "test-outlet-nogroup"')


@pytest.mark.parametrize(
    "body, who",
    [
        ('[[rule]]\nid = "Bad_Id"\ncategory = "t"\ndescription = "d"\npatterns = ["x"]\nmatch = ["x"]\n', "Bad_Id"),
        (
            '[[rule]]\nid = "test-noscope"\ncategory = "t"\ndescription = "d"\nscope = "page"\n'
            'patterns = ["x"]\nmatch = ["x"]\n',
            "test-noscope",
        ),
        ('[[rule]]\nid = "test-nocat"\ndescription = "d"\npatterns = ["x"]\nmatch = ["x"]\n', "test-nocat"),
        ('[[rule]]\nid = "test-nomatch"\ncategory = "t"\ndescription = "d"\npatterns = ["x"]\n', "test-nomatch"),
        (
            '[[rule]]\nid = "test-strpat"\ncategory = "t"\ndescription = "d"\npatterns = [1]\nmatch = ["x"]\n',
            "test-strpat",
        ),
    ],
    ids=["not-kebab", "bad-scope", "no-category", "no-match-examples", "non-string-pattern"],
)
def test_other_malformed_rules(tmp_path: Path, body: str, who: str) -> None:
    err, path = _load_error(tmp_path, body)
    assert str(path) in str(err) and who in str(err)


def test_malformed_rules_folder_via_clean(tmp_path: Path) -> None:
    _write(tmp_path / "rules", "broken.toml", "[[rule]\n")
    with pytest.raises(RuleError):
        clean(PROSE[0], rules=[tmp_path / "rules"])


def test_missing_rules_folder(tmp_path: Path) -> None:
    with pytest.raises(RuleError) as err:
        load_rules([tmp_path / "nowhere"])
    assert "nowhere" in str(err.value)


# --- user folders ---------------------------------------------------------------------------------

USER_RULES = """
disable = ["BUILTIN"]

[[rule]]
id = "test-gone-fishing"
category = "test-category"
description = "A made-up notice."
patterns = ['(?i)^the editor has gone fishing\\b']
match = ["The editor has gone fishing."]
keep = ["We heard that the editor has gone fishing again."]
"""


def test_user_folder_adds_and_disables_rules(tmp_path: Path) -> None:
    doc = "\n\n".join([PROSE[0], "The editor has gone fishing.", PROSE[1], "Leave a Reply", PROSE[2]]) + "\n"
    data = doc.encode()
    plain = clean(data, rules=load_rules())
    assert all(r.rule != "test-gone-fishing" for r in plain.removed)
    builtin = next(r.rule for r in plain.removed if data[r.start : r.end] == b"Leave a Reply")

    _write(tmp_path / "mine", "mine.toml", USER_RULES.replace("BUILTIN", builtin))
    ruleset = load_rules([tmp_path / "mine"])
    assert "test-gone-fishing" in ruleset.by_id
    assert builtin not in ruleset.by_id
    assert all(rid in ruleset.by_id for rid in load_rules().by_id if rid != builtin)

    for rules in ([tmp_path / "mine"], [str(tmp_path / "mine")], ruleset):
        result = clean(data, rules=rules)
        fishing = [r for r in result.removed if data[r.start : r.end] == b"The editor has gone fishing."]
        assert [(r.rule, r.category) for r in fishing] == [("test-gone-fishing", "test-category")]
        assert all(r.rule != builtin for r in result.removed)
        assert result.rules_digest == ruleset.digest


def test_disabling_a_heuristic_switches_it_off(tmp_path: Path) -> None:
    _write(tmp_path / "mine", "mine.toml", 'disable = ["duplicate-line"]\n')
    paras = [*PROSE, PROSE_MORE[0], PROSE[1], PROSE_MORE[1], PROSE_MORE[2]]
    doc = "Council keeps the library open on Sundays\n\n" + "\n\n".join(paras) + "\n"
    data = doc.encode()
    with_rule = clean(data)
    without = clean(data, rules=[tmp_path / "mine"])
    assert with_rule.text.count(PROSE[1]) == 1
    second = doc.index(PROSE[1], doc.index(PROSE[1]) + 1)
    assert any(r.rule == "duplicate-line" and r.start == second for r in with_rule.removed)
    assert all(r.rule != "duplicate-line" for r in without.removed)


def test_user_outlets_extend_the_known_outlets(tmp_path: Path) -> None:
    _write(
        tmp_path / "mine",
        "outlets.toml",
        '[[outlet]]\nname = "The Testville Gazette"\ndomains = ["testville-gazette.example"]\naliases = ["TVG"]\n',
    )
    result = clean(PROSE[0], url="https://www.testville-gazette.example/news/1", rules=[tmp_path / "mine"])
    assert result.outlet is not None
    assert result.outlet.name == "The Testville Gazette"
    assert result.outlet.domain == "testville-gazette.example"


def test_an_agency_outlet_needs_a_flag_that_is_true_or_false(tmp_path: Path) -> None:
    _write(tmp_path / "mine", "outlets.toml", '[[outlet]]\nname = "Wire"\nagency = "yes"\n')
    with pytest.raises(RuleError, match=r"outlet 'Wire': 'agency' must be true or false"):
        load_rules([tmp_path / "mine"])


def test_a_user_agency_outlet_is_named_only_by_its_own_site(tmp_path: Path) -> None:
    _write(
        tmp_path / "mine",
        "outlets.toml",
        '[[outlet]]\nname = "Testville Wire"\nagency = true\ndomains = ["testvillewire.example"]\n',
    )
    credit = clean(f"{PROSE[0]}\n\n© 2024 testvillewire.example\n", rules=[tmp_path / "mine"])
    assert credit.outlet is None
    own = clean(f"Council keeps library open - Testville Wire\n\n{PROSE[0]}\n", rules=[tmp_path / "mine"])
    assert own.outlet is not None and own.outlet.domain == "testvillewire.example"


# --- the digest -----------------------------------------------------------------------------------


def test_digest_is_stable_and_changes_with_the_rules(tmp_path: Path) -> None:
    rules = load_rules()
    base = rules.digest
    assert base == load_rules().digest
    assert clean(PROSE[0], rules=rules).rules_digest == base
    victim = next(r.id for r in rules.rules if r.scope in ("block", "tail"))

    _write(tmp_path / "add", "add.toml", USER_RULES.replace('disable = ["BUILTIN"]', ""))
    added = load_rules([tmp_path / "add"]).digest

    _write(tmp_path / "off", "off.toml", f'disable = ["{victim}"]\n')
    disabled = load_rules([tmp_path / "off"]).digest

    _write(
        tmp_path / "edit", "edit.toml", USER_RULES.replace('disable = ["BUILTIN"]', "").replace("fishing", "sailing")
    )
    edited = load_rules([tmp_path / "edit"]).digest

    assert len({base, added, disabled, edited}) == 4


def test_default_digest_is_the_shipped_rules_digest() -> None:
    assert clean(PROSE[0]).rules_digest == default_rules().digest

"""Hand-written fixtures: made-up articles wrapped in boilerplate, with what a careful editor would keep.

For ``fixtures/NAME.txt``:
  * ``tests/expected/NAME.txt`` holds the article (one paragraph per line, blank lines between);
  * ``tests/expected/NAME.boilerplate.txt`` lists every other line of the source, one per line.
The contract: every expected paragraph is a line of the clean text, exactly once; no boilerplate line
survives. (The expected files are not compared byte for byte while the heuristics are being tuned.)
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from samples import EXPECTED, FIXTURES

from cleaner import clean, verify
from cleaner.rules import default_rules

NAMES = sorted(p.stem for p in FIXTURES.glob("*.txt") if (EXPECTED / p.name).is_file())

# The outlet each fixture names in its copyright line (None: no outlet expected).
OUTLETS = {
    "en-council": "Riverside Courier",
    "en-crlf-ferry": "Alwyn Gazette",
    "uk-bridge": "Зеленодольський вісник",
    "ru-school": "Озёрские вести",
    "ru-cp1251-theatre": "Берёзовский курьер",
    "de-radweg": "Neustädter Tageblatt",
    "fr-marche": "L'Écho de Saint-Aubin",
    "es-puerto": "Diario de Valdemar",
    "tr-belediye": "Gölyaka Postası",
    "hi-mandi": "रामपुर समाचार",
    "en-paywall-review": "Harbour Ledger",
    "en-smog-tweets": "Valley Ledger",
}
ENCODINGS = {"ru-cp1251-theatre": "cp1251"}


def _lines(path: Path) -> list[str]:
    return [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]


def _source(name: str) -> bytes:
    return (FIXTURES / f"{name}.txt").read_bytes()


def _source_text(name: str) -> str:
    return _source(name).decode(ENCODINGS.get(name, "utf-8"))


_results: dict[str, object] = {}


def _clean(name: str):
    if name not in _results:
        _results[name] = clean(_source(name))
    return _results[name]


def test_there_are_fixtures_in_every_language() -> None:
    langs = {n.split("-")[0] for n in NAMES}
    assert {"en", "uk", "ru", "de", "fr", "es"} <= langs
    assert any(b"\r\n" in _source(n) for n in NAMES), "a CRLF fixture"
    assert "cp1251" in {ENCODINGS.get(n) for n in NAMES}, "a cp1251 fixture"


@pytest.mark.parametrize("name", NAMES)
def test_fixture_files_are_consistent(name: str) -> None:
    """Every source line is either article or listed boilerplate; the lists are sound."""
    article = _lines(EXPECTED / f"{name}.txt")
    boilerplate = _lines(EXPECTED / f"{name}.boilerplate.txt")
    assert article and boilerplate
    assert not set(article) & set(boilerplate)
    for b in boilerplate:
        assert not any(b in a for a in article), f"boilerplate {b!r} is part of an article line"
    source_lines = [ln.strip() for ln in re.split(r"\r\n|\r|\n", _source_text(name)) if ln.strip()]
    for a in article:
        assert a in source_lines, f"expected line not in the source: {a[:50]!r}"
    for b in boilerplate:
        assert b in source_lines, f"boilerplate line not in the source: {b[:50]!r}"
    unaccounted = [ln for ln in source_lines if ln not in article and ln not in boilerplate]
    assert not unaccounted, f"source lines in neither list: {unaccounted}"


@pytest.mark.parametrize("name", NAMES)
def test_article_paragraphs_kept_once(name: str) -> None:
    result = _clean(name)
    out = result.text.split("\n")
    missing = [a for a in _lines(EXPECTED / f"{name}.txt") if out.count(a) != 1]
    assert not missing, f"expected paragraphs missing or repeated: {[m[:50] for m in missing]}"


@pytest.mark.parametrize("name", NAMES)
def test_boilerplate_removed(name: str) -> None:
    result = _clean(name)
    kept = [b for b in _lines(EXPECTED / f"{name}.boilerplate.txt") if b in result.text]
    assert not kept, f"boilerplate kept: {kept}"


@pytest.mark.parametrize("name", NAMES)
def test_headline_comes_first(name: str) -> None:
    result = _clean(name)
    assert result.text.split("\n")[0] == _lines(EXPECTED / f"{name}.txt")[0]


@pytest.mark.parametrize("name", NAMES)
def test_fixture_provenance(name: str) -> None:
    data = _source(name)
    result = _clean(name)
    assert verify(result, data) == []
    assert result.encoding == ENCODINGS.get(name, "utf-8")
    assert "\r" not in result.text
    text = result.text.encode("utf-8")
    for s in result.spans:
        piece = text[s.text_start : s.text_end]
        if result.encoding == "utf-8":
            assert piece == data[s.source_start : s.source_end]
        else:
            assert piece.decode("utf-8") == data[s.source_start : s.source_end].decode(result.encoding)
    rule_ids = default_rules().by_id
    for r in result.removed:
        assert r.rule in rule_ids
        assert r.category == rule_ids[r.rule].category


@pytest.mark.parametrize("name", NAMES)
def test_fixture_language(name: str) -> None:
    result = _clean(name)
    assert result.language == name.split("-")[0]


def _outlet_key(name: str) -> str:
    key = name.casefold().strip()
    return key.removeprefix("the ")


@pytest.mark.parametrize("name", NAMES)
def test_fixture_outlet_from_copyright(name: str) -> None:
    result = _clean(name)
    want = OUTLETS.get(name)
    if want is None:
        assert result.outlet is None
        return
    assert result.outlet is not None, "the copyright line names the outlet"
    assert _outlet_key(result.outlet.name) == _outlet_key(want)
    assert _outlet_key(result.outlet.name) not in {"efe", "dpa", "reuters", "ap"}


def test_explain_format_on_a_fixture() -> None:
    path = FIXTURES / "en-council.txt"
    proc = subprocess.run(
        [sys.executable, "-m", "cleaner", "--explain", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    assert lines
    pattern = re.compile(rf"^{re.escape(str(path))}:(\d+):(\d+): ([a-z0-9]+(?:-[a-z0-9]+)*) (\S.*)$")
    source = path.read_text(encoding="utf-8").split("\n")
    rule_ids = default_rules().by_id
    reported: set[int] = set()
    for ln in lines:
        m = pattern.match(ln)
        assert m, f"not path:line:col: rule-id message: {ln!r}"
        line, col, rule = int(m.group(1)), int(m.group(2)), m.group(3)
        assert rule in rule_ids
        text = source[line - 1]
        assert 1 <= col <= len(text)
        assert not text[col - 1].isspace()
        assert text[: col - 1].strip() == "" or rule in rule_ids  # a removal starts at a block start
        reported.add(line)
    boilerplate = set(_lines(EXPECTED / "en-council.boilerplate.txt"))
    for n, text in enumerate(source, 1):
        if text.strip() in boilerplate:
            assert n in reported, f"boilerplate line {n} not explained: {text!r}"

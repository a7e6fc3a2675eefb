"""The real ``clean`` command, run in a subprocess on real files."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from samples import BENCH_VERIFY, FIXTURES
from samples import PROSE_EN as PROSE
from samples import PROSE_EN_2 as PROSE_2

import cleaner

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00" + bytes(64)


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cleaner", *args], capture_output=True, text=True, timeout=120, cwd=cwd
    )


def _utf8_tree(root: Path) -> dict[str, bytes]:
    """A folder of UTF-8 documents, nested, plus files the walker must skip."""
    files = {
        "en-council.txt": (FIXTURES / "en-council.txt").read_bytes(),
        "news/de-radweg.txt": (FIXTURES / "de-radweg.txt").read_bytes(),
        "news/2024/03/crlf.txt": (FIXTURES / "en-crlf-ferry.txt").read_bytes(),
        # mostly valid UTF-8 (accented and Cyrillic letters) with a few broken bytes: stays UTF-8
        "news/2024/broken.txt": f"{PROSE} Café «Ёлка» — déjà vu.\n\n".encode()
        + b"\xff\xfe broken \x80 bytes\n\n"
        + f"{PROSE_2} Über die Straße, señora.\n".encode(),
        "bom.txt": b"\xef\xbb\xbf" + f"Council keeps library open\n\n{PROSE}\n\n{PROSE_2}\n".encode(),
    }
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (root / "news" / "notes.md").write_text("not a document the walker should take\n")
    (root / "news" / "photo.png").write_bytes(PNG)
    return files


def _outputs(folder: Path) -> list[Path]:
    """The files a run wrote into ``folder``, its manifest left out."""
    return [p for p in folder.rglob("*") if p.is_file() and p.name != ".clean-manifest.jsonl"]


def _problems(stderr: str) -> list[str]:
    """The per-file lines of stderr (``path: reason``), the ``clean:`` summary left out."""
    return [ln for ln in stderr.splitlines() if ln.strip() and not ln.startswith("clean: ")]


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# --- jsonl over a folder ------------------------------------------------------------------------


def test_folder_to_jsonl(tmp_path: Path) -> None:
    tree = tmp_path / "docs"
    files = _utf8_tree(tree)
    out = tmp_path / "out.jsonl"
    proc = run(str(tree), "--format", "jsonl", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    records = _records(out)
    assert sorted(r["id"] for r in records) == sorted(files)
    for rec in records:
        data = files[rec["id"]]
        for key in (
            "id",
            "text",
            "spans",
            "removed",
            "language",
            "language_score",
            "outlet",
            "kind",
            "encoding",
            "sha256",
        ):
            assert key in rec, f"{rec['id']}: no {key!r}"
        assert isinstance(rec["text"], str)
        assert rec["sha256"] == hashlib.sha256(data).hexdigest()
        assert rec["kind"] == "text"
        assert rec["encoding"] == "utf-8"
        assert isinstance(rec["language"], str) and isinstance(rec["language_score"], (int, float))
        text = rec["text"].encode("utf-8")
        for span in rec["spans"]:
            assert len(span) == 4 and all(isinstance(x, int) for x in span)
            ts, te, ss, se = span
            assert text[ts:te] == data[ss:se]
        for r in rec["removed"]:
            assert {"start", "end", "rule", "category"} <= set(r)
            assert 0 <= r["start"] < r["end"] <= len(data)
        if rec["outlet"] is not None:
            assert set(rec["outlet"]) >= {"name", "domain"}
    by_id = {r["id"]: r for r in records}
    assert by_id["en-council.txt"]["language"] == "en"
    assert by_id["news/de-radweg.txt"]["language"] == "de"
    # the record equals what the library says for the same file
    lib = cleaner.clean(tree / "news" / "de-radweg.txt")
    assert by_id["news/de-radweg.txt"]["text"] == lib.text
    assert by_id["news/de-radweg.txt"]["spans"] == [s.as_list() for s in lib.spans]


@pytest.mark.skipif(not BENCH_VERIFY.is_file(), reason="shared/bench/verify.py not present")
def test_jsonl_records_pass_the_bench_verifier(tmp_path: Path) -> None:
    tree = tmp_path / "docs"
    _utf8_tree(tree)
    out = tmp_path / "out.jsonl"
    assert run(str(tree), "--format", "jsonl", "-o", str(out)).returncode == 0
    proc = subprocess.run(
        [sys.executable, str(BENCH_VERIFY), str(out), str(tree)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "5/5" in proc.stdout


@pytest.mark.skipif(not BENCH_VERIFY.is_file(), reason="shared/bench/verify.py not present")
def test_bench_verifier_rejects_a_tampered_record(tmp_path: Path) -> None:
    """The verifier used above can fail: a span moved by one byte is caught."""
    tree = tmp_path / "docs"
    _utf8_tree(tree)
    out = tmp_path / "out.jsonl"
    assert run(str(tree), "--format", "jsonl", "-o", str(out)).returncode == 0
    records = _records(out)
    rec = next(r for r in records if r["spans"])
    rec["spans"][0] = [rec["spans"][0][0], rec["spans"][0][1], rec["spans"][0][2] + 1, rec["spans"][0][3] + 1]
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(BENCH_VERIFY), str(out), str(tree)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 1


def test_jsonl_to_stdout(tmp_path: Path) -> None:
    path = tmp_path / "one.txt"
    path.write_text(f"Council keeps library open\n\n{PROSE}\n\nLeave a Reply\n", encoding="utf-8")
    proc = run(str(path), "--format", "jsonl")
    assert proc.returncode == 0, proc.stderr
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    assert len(lines) == 1
    rec = json.loads(lines[0])
    assert rec["id"] == path.as_posix()
    assert PROSE in rec["text"]


def test_parallel_jobs_give_the_same_records(tmp_path: Path) -> None:
    tree = tmp_path / "docs"
    _utf8_tree(tree)
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert run(str(tree), "--format", "jsonl", "-o", str(one)).returncode == 0
    proc = run(str(tree), "--format", "jsonl", "-o", str(two), "-j", "2")
    assert proc.returncode == 0, proc.stderr
    assert one.read_bytes() == two.read_bytes()


def test_cp1251_file_through_the_cli(tmp_path: Path) -> None:
    src = FIXTURES / "ru-cp1251-theatre.txt"
    out = tmp_path / "out.jsonl"
    proc = run(str(src), "--format", "jsonl", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    (rec,) = _records(out)
    assert rec["encoding"] == "cp1251"
    data = src.read_bytes()
    text = rec["text"].encode("utf-8")
    for ts, te, ss, se in rec["spans"]:
        assert text[ts:te].decode("utf-8") == data[ss:se].decode("cp1251")


def test_url_option(tmp_path: Path) -> None:
    path = tmp_path / "one.txt"
    path.write_text(f"{PROSE}\n\n{PROSE_2}\n", encoding="utf-8")
    proc = run(str(path), "--format", "jsonl", "--url", "https://www.freemalaysiatoday.com/category/x/")
    assert proc.returncode == 0, proc.stderr
    rec = json.loads(proc.stdout)
    assert rec["outlet"]["name"] == "Free Malaysia Today"
    assert rec["outlet"]["domain"] == "freemalaysiatoday.com"


# --- txt into a folder ------------------------------------------------------------------------


def test_txt_output_mirrors_the_tree(tmp_path: Path) -> None:
    tree = tmp_path / "docs"
    files = _utf8_tree(tree)
    out = tmp_path / "clean"
    proc = run(str(tree), "--format", "txt", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    written = sorted(p.relative_to(out).as_posix() for p in _outputs(out))
    assert len(written) == len(files)
    for rel in files:
        target = out / rel if (out / rel).is_file() else out / (rel + ".txt")
        assert target.is_file(), f"no output for {rel} (looked for {rel} and {rel}.txt)"
        expected = cleaner.clean(tree / rel).text
        assert target.read_text(encoding="utf-8").rstrip("\n") == expected
    assert not list(out.rglob("notes.md*")) and not list(out.rglob("photo.png*"))


def test_txt_to_stdout(tmp_path: Path) -> None:
    path = tmp_path / "one.txt"
    path.write_text(f"Council keeps library open\n\n{PROSE}\n\nLeave a Reply\n", encoding="utf-8")
    proc = run(str(path))
    assert proc.returncode == 0, proc.stderr
    assert PROSE in proc.stdout
    assert "Leave a Reply" not in proc.stdout


# --- failures and exit codes ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["jsonl", "txt"])
def test_a_bad_file_among_good_ones(tmp_path: Path, fmt: str) -> None:
    tree = tmp_path / "docs"
    files = _utf8_tree(tree)
    bad = tree / "news" / "image-saved-as.txt"
    bad.write_bytes(PNG)
    out = tmp_path / ("out.jsonl" if fmt == "jsonl" else "clean")
    proc = run(str(tree), "--format", fmt, "-o", str(out))
    assert proc.returncode == 1
    errors = _problems(proc.stderr)
    assert len(errors) == 1, proc.stderr
    assert str(bad) in errors[0] or "news/image-saved-as.txt" in errors[0]
    assert "binary" in errors[0].lower()
    if fmt == "jsonl":
        assert sorted(r["id"] for r in _records(out)) == sorted(files)
    else:
        assert len(_outputs(out)) == len(files)


def test_empty_file_is_reported(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(f"{PROSE}\n\n{PROSE_2}\n", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    proc = run(str(good), str(empty), "--format", "jsonl")
    assert proc.returncode == 1
    assert "empty.txt" in proc.stderr and "empty" in proc.stderr.lower()
    assert len([ln for ln in proc.stdout.splitlines() if ln.strip()]) == 1


def test_missing_path_exit_2(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-file.txt"
    proc = run(str(missing))
    assert proc.returncode == 2
    assert "no-such-file.txt" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_malformed_rules_folder_exit_2(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    bad = rules / "mine.toml"
    bad.write_text(
        '[[rule]]\nid = "test-x"\ncategory = "t"\ndescription = "d"\npatterns = [\'(?<=a)b\']\nmatch = ["ab"]\n'
    )
    doc = tmp_path / "doc.txt"
    doc.write_text(PROSE)
    proc = run(str(doc), "--rules", str(rules))
    assert proc.returncode == 2
    assert str(bad) in proc.stderr
    assert "test-x" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_user_rules_folder_via_cli(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "mine.toml").write_text(
        '[[rule]]\nid = "test-gone-fishing"\ncategory = "test"\ndescription = "Made up."\n'
        "patterns = ['(?i)^the editor has gone fishing']\nmatch = [\"The editor has gone fishing.\"]\n"
    )
    doc = tmp_path / "doc.txt"
    doc.write_text(f"{PROSE}\n\nThe editor has gone fishing.\n\n{PROSE_2}\n")
    proc = run(str(doc), "--rules", str(rules), "--explain")
    assert proc.returncode == 0, proc.stderr
    assert f"{doc}:3:1: test-gone-fishing " in proc.stdout


def test_existing_jsonl_output_needs_force(tmp_path: Path) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text(f"{PROSE}\n\n{PROSE_2}\n")
    out = tmp_path / "out.jsonl"
    out.write_text("precious\n")
    proc = run(str(doc), "--format", "jsonl", "-o", str(out))
    assert proc.returncode == 2
    assert "--force" in proc.stderr
    assert out.read_text() == "precious\n"
    proc = run(str(doc), "--format", "jsonl", "-o", str(out), "--force")
    assert proc.returncode == 0, proc.stderr
    (rec,) = _records(out)
    assert PROSE in rec["text"]


def test_version() -> None:
    proc = run("--version")
    assert proc.returncode == 0
    assert cleaner.__version__ in proc.stdout


def test_console_script_matches_module() -> None:
    exe = Path(sys.executable).parent / "clean"
    if not exe.is_file():
        exe_path = shutil.which("clean")
        if exe_path is None:
            pytest.skip("clean console script not installed")
        exe = Path(exe_path)
    proc = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert cleaner.__version__ in proc.stdout


def test_help_names_exit_codes() -> None:
    proc = run("--help")
    assert proc.returncode == 0
    assert "--explain" in proc.stdout and "--force" in proc.stdout
    for code in ("0 ", "1 ", "2 ", "130 "):
        assert f"\n  {code}" in proc.stdout, code
    assert "clean explain" in proc.stdout and "clean rules list" in proc.stdout


def test_bad_arguments_exit_2(tmp_path: Path) -> None:
    proc = run(str(tmp_path), "--format", "xml")
    assert proc.returncode == 2


@pytest.mark.parametrize("fmt", ["txt", "json"])
def test_outputs_stay_inside_the_output_folder(tmp_path: Path, fmt: str) -> None:
    """Files given by absolute or ../ paths are written under -o, never next to their source."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(f"{PROSE}\n\n{PROSE_2}\n")
    (src / "b.txt").write_text(f"{PROSE_2}\n\n{PROSE}\n")
    work = tmp_path / "work"
    work.mkdir()
    proc = run(str(src / "a.txt"), "../src/b.txt", "--format", fmt, "-o", "out", cwd=work)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in src.iterdir()) == ["a.txt", "b.txt"]
    written = [p for p in _outputs(tmp_path) if src not in p.parents]
    assert len(written) == 2
    assert all((work / "out") in p.parents for p in written), written

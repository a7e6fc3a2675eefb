"""Ray Data gives the records, messages and exit codes of ``clean DIR --format jsonl`` (needs ``cleaner[ray]``).

One local Ray (``num_cpus=2``) serves the whole module; tests skip when Ray is not installed.
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from samples import BENCH, FIXTURES

from cleaner import InputError
from cleaner.walk import SUFFIXES, is_document

BENCH_TEXT = BENCH / "text"
SUBSET = 30  # benchmark articles cleaned by both (Ray's start-up, not cleaning, is the slow part)


@pytest.fixture(scope="module")
def ray() -> Iterator[Any]:
    ray = pytest.importorskip("ray")
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    ray.data.DataContext.get_current().enable_progress_bars = False
    try:
        yield ray
    finally:
        ray.shutdown()


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cleaner", *args], capture_output=True, text=True, timeout=300)


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def documents(folder: Path) -> int:
    return sum(1 for p in folder.rglob("*") if p.is_file() and is_document(p.name))


def by_id(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(records, key=lambda r: r["id"])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of benchmark articles (the first SUBSET, if the shared set is here) in a nested tree."""
    root = tmp_path_factory.mktemp("corpus")
    articles = sorted(BENCH_TEXT.glob("*.txt"))[:SUBSET] if BENCH_TEXT.is_dir() else []
    for n, f in enumerate(articles):
        target = root / ("news" if n % 2 else "") / f.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f, target)
    shutil.copytree(FIXTURES, root / "fixtures")
    for f in sorted(FIXTURES.glob("*.txt"))[:3]:  # gzipped documents are read decompressed by both
        (root / "gzipped" / f"{f.name}.gz").parent.mkdir(exist_ok=True)
        (root / "gzipped" / f"{f.name}.gz").write_bytes(gzip.compress(f.read_bytes(), mtime=0))
    return root


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two good documents and three the cleaner refuses (empty, binary, a .gz that is not gzip)."""
    root = tmp_path_factory.mktemp("broken")
    shutil.copyfile(FIXTURES / "en-council.txt", root / "a.txt")
    shutil.copyfile(FIXTURES / "de-radweg.txt", root / "b.txt")
    (root / "empty.txt").write_bytes(b"")
    (root / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    (root / "plain.txt.gz").write_bytes(b"Not gzip at all.\n")
    return root


def test_records_equal_the_cli(ray: Any, corpus: Path, tmp_path: Path) -> None:
    from cleaner.ray_data import clean_dataset

    out = tmp_path / "cli.jsonl"
    proc = cli(str(corpus), str(FIXTURES), "-f", "jsonl", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    expected = lines(out)
    assert len(expected) == documents(corpus) + documents(FIXTURES)

    rows = clean_dataset([corpus, FIXTURES]).take_all()
    assert {(r["status"], r["error"]) for r in rows} == {("cleaned", "")}
    got = [json.loads(r["record"]) for r in rows]
    assert by_id(got) == by_id(expected)
    assert {r["id"] for r in rows} == {r["id"] for r in expected}


def test_a_ray_dataset_with_root(ray: Any, corpus: Path, tmp_path: Path) -> None:
    from cleaner.ray_data import clean_dataset

    out = tmp_path / "cli.jsonl"
    assert cli(str(corpus), "-f", "jsonl", "-o", str(out)).returncode == 0
    documents_only = [f"{suffix.lstrip('.')}{gz}" for suffix in SUFFIXES for gz in ("", ".gz")]  # else Ray reads all
    read = ray.data.read_binary_files(str(corpus), include_paths=True, file_extensions=documents_only)
    rows = clean_dataset(read, root=corpus).take_all()
    assert by_id([json.loads(r["record"]) for r in rows]) == by_id(lines(out))


def test_run_folder_writes_the_cli_file(ray: Any, tmp_path: Path) -> None:
    from cleaner.ray_data import run_folder

    said: list[str] = []
    ours, theirs = tmp_path / "ray.jsonl", tmp_path / "cli.jsonl"
    assert run_folder("local", FIXTURES, ours, log=said.append) == 0
    assert said == []
    assert cli(str(FIXTURES), "-f", "jsonl", "-o", str(theirs)).returncode == 0
    assert ours.read_bytes() == theirs.read_bytes()  # one flat folder: even the order is the CLI's
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".clean-tmp")]


def test_failures_are_reported_as_the_cli_does(ray: Any, broken: Path, tmp_path: Path) -> None:
    from cleaner.ray_data import clean_dataset, run_folder

    missing = tmp_path / "nowhere"
    ours, theirs = tmp_path / "ray.jsonl", tmp_path / "cli.jsonl"
    said: list[str] = []
    code = run_folder(None, [broken, missing], ours, log=said.append)
    proc = cli(str(broken), str(missing), "-f", "jsonl", "-o", str(theirs))
    assert code == proc.returncode == 1
    problems = [line for line in proc.stderr.splitlines() if not line.startswith("clean: ")]  # not the summary
    assert sorted(said) == sorted(problems)
    assert len(said) == 4  # empty, binary, not gzip, missing
    assert by_id(lines(ours)) == by_id(lines(theirs))
    assert [r["id"] for r in lines(ours)] == ["a.txt", "b.txt"]

    rows = {r["id"]: r for r in clean_dataset([broken, missing]).take_all()}
    assert {i for i, r in rows.items() if r["status"] == "failed"} == {
        "empty.txt",
        "photo.txt",
        "plain.txt.gz",
        str(missing),
    }
    assert rows[str(missing)]["error"] == "no such file or folder"
    assert all(r["error"] and not r["record"] for r in rows.values() if r["status"] == "failed")


def test_skips_are_said_as_the_cli_says(ray: Any, tmp_path: Path) -> None:
    from cleaner.ray_data import run_folder

    folder = tmp_path / "in"
    folder.mkdir()
    for f in sorted(FIXTURES.glob("*.txt")):
        shutil.copyfile(f, folder / f.name)
    (folder / "link.txt").symlink_to(folder / "en-council.txt")
    (folder / "bomb.txt.gz").write_bytes(gzip.compress(bytes(1 << 20), mtime=0))  # 1 KB, 1 MB inside
    limit = sorted(f.stat().st_size for f in folder.glob("*.txt"))[4]
    said: list[str] = []
    ours, theirs = tmp_path / "ray.jsonl", tmp_path / "cli.jsonl"
    code = run_folder("local", folder, ours, max_bytes=limit, log=said.append)
    proc = cli(str(folder), "-f", "jsonl", "-o", str(theirs), "--max-size", str(limit))
    assert code == proc.returncode == 0
    problems = [line for line in proc.stderr.splitlines() if not line.startswith("clean: ")]
    assert sorted(said) == sorted(problems)
    larger = sum(f.stat().st_size > limit for f in folder.glob("*.txt") if not f.is_symlink())
    assert larger >= 3
    assert sum("skipped: larger than --max-size" in line for line in said) == larger + 1
    assert sum("bomb.txt.gz: skipped: larger than --max-size" in line and "once decompressed" in line for line in said)
    assert sum("skipped: symbolic link" in line for line in said) == 1
    assert ours.read_bytes() == theirs.read_bytes()


def test_usage_errors_give_exit_2(ray: Any, tmp_path: Path) -> None:
    from cleaner.ray_data import clean_dataset, run_folder

    said: list[str] = []
    out = tmp_path / "out.jsonl"
    out.write_text("keep me\n")
    assert run_folder("local", FIXTURES, out, log=said.append) == 2
    assert out.read_text() == "keep me\n" and "use --force" in said[-1]
    assert run_folder("local", tmp_path / "nowhere", tmp_path / "new.jsonl", log=said.append) == 2
    assert said[-1] == "clean: nothing to clean" and not (tmp_path / "new.jsonl").exists()
    bad = tmp_path / "rules"
    bad.mkdir()
    (bad / "bad.toml").write_text("[[rule]]\nid = 'x'\n")
    assert run_folder("local", FIXTURES, tmp_path / "r.jsonl", rules=[bad], log=said.append) == 2
    assert "bad.toml" in said[-1]
    with pytest.raises(InputError, match="nothing to clean"):
        clean_dataset(tmp_path / "nowhere")


def test_the_core_does_not_import_ray() -> None:
    code = "import sys, cleaner, cleaner.ray_data; sys.exit(1 if 'ray' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code], timeout=120).returncode == 0


def test_cli_ray_switch_gives_the_local_cli_file(tmp_path: Path) -> None:
    """``clean DIR --ray local`` (a Ray of its own, in the CLI's process) writes what ``clean DIR`` writes."""
    pytest.importorskip("ray")
    ours, theirs = tmp_path / "ray.jsonl", tmp_path / "cli.jsonl"
    proc = cli(str(FIXTURES), "--ray", "local", "-j", "2", "-f", "jsonl", "-o", str(ours))
    assert proc.returncode == 0, proc.stderr
    assert cli(str(FIXTURES), "-f", "jsonl", "-o", str(theirs)).returncode == 0
    assert ours.read_bytes() == theirs.read_bytes()
    assert cli(str(FIXTURES), "--ray", "local").returncode == 2  # --ray needs -f jsonl -o FILE

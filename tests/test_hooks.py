"""The pre-commit hooks, run by the real ``pre-commit`` in temporary git repositories.

The hook repository is a temporary git copy of this working tree (committed there, since the work
here may be uncommitted); each test makes a seed repository whose ``.pre-commit-config.yaml`` points
at it with ``repo:``/``rev:``, as a user's would. pre-commit builds the hook's environment once per
session (a shared ``PRE_COMMIT_HOME``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from samples import BENCH_VERIFY, REPO, SEEDS
from samples import PROSE_EN as PROSE
from samples import PROSE_EN_2 as PROSE_2

CLEAN_DOC = f"Council keeps the library open\n\n{PROSE}\n\n{PROSE_2}\n"
BOILERPLATE_DOC = f"{PROSE}\n\nLeave a Reply\n\n{PROSE_2}\n\nYour email address will not be published.\n"


def _has_pre_commit() -> bool:
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        return False
    return True


pytestmark = [
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
    pytest.mark.skipif(not _has_pre_commit(), reason="pre-commit is not installed (pip install .[test])"),
]


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout


def git_init(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.email", "tests@example.invalid")
    git(path, "config", "user.name", "tests")
    git(path, "config", "commit.gpgsign", "false")


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A git repository holding this working tree (tracked and new files, not ignored ones); its commit."""
    if not (REPO / ".git").exists():
        pytest.skip("the source tree is not a git checkout")
    listed = git(REPO, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    dest = tmp_path_factory.mktemp("hook-repo")
    git_init(dest)
    for rel in filter(None, listed.split("\0")):
        src = REPO / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "working tree")
    return dest, git(dest, "rev-parse", "HEAD").strip()


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


class Seeds:
    """A seed repository using the hooks, and ``pre-commit`` run in it."""

    def __init__(self, path: Path, hook_repo: tuple[Path, str], home: Path):
        self.path, self.home = path, home
        self.repo, self.rev = hook_repo
        git_init(path)

    def configure(self, check_args: Sequence[str] = (), fix_args: Sequence[str] = ()) -> None:
        config = (
            "repos:\n"
            f"  - repo: {json.dumps(str(self.repo))}\n"
            f"    rev: {self.rev}\n"
            "    hooks:\n"
            f"      - id: clean-check\n        args: {json.dumps(list(check_args))}\n"
            f"      - id: clean-fix\n        args: {json.dumps(list(fix_args))}\n"
        )
        (self.path / ".pre-commit-config.yaml").write_text(config)
        git(self.path, "add", ".pre-commit-config.yaml")

    def add(self, rel: str, data: bytes, stage: bool = True) -> Path:
        target = self.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        if stage:
            git(self.path, "add", rel)
        return target

    def pre_commit(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PRE_COMMIT_HOME": str(self.home), "GIT_CONFIG_GLOBAL": os.devnull}
        env.pop("PRE_COMMIT_FROM_REF", None)
        env.pop("PRE_COMMIT_TO_REF", None)
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", *args, "--color", "never"],
            cwd=self.path,
            capture_output=True,
            text=True,
            env=env,
            timeout=900,
        )


@pytest.fixture
def seeds(tmp_path: Path, hook_repo: tuple[Path, str], pre_commit_home: Path) -> Seeds:
    repo = Seeds(tmp_path / "seeds", hook_repo, pre_commit_home)
    repo.configure()
    return repo


def _seed_files() -> dict[str, bytes]:
    if not SEEDS.is_dir() or not any(SEEDS.glob("*.txt")):
        pytest.skip(f"seed documents not found at {SEEDS}")
    return {f"incoming/{p.name}": p.read_bytes() for p in sorted(SEEDS.glob("*.txt"))}


def test_check_blocks_a_commit_adding_boilerplate(seeds: Seeds) -> None:
    files = _seed_files()
    for rel, data in files.items():
        seeds.add(rel, data)
    install = seeds.pre_commit("install")
    assert install.returncode == 0, install.stdout + install.stderr
    commit = subprocess.run(
        ["git", "commit", "-q", "-m", "add seeds"],
        cwd=seeds.path,
        capture_output=True,
        text=True,
        env={**os.environ, "PRE_COMMIT_HOME": str(seeds.home), "GIT_CONFIG_GLOBAL": os.devnull},
        timeout=900,
    )
    out = commit.stdout + commit.stderr
    assert commit.returncode != 0, out
    assert "incoming/000_9c12e4b56d7e7e98.txt:1:1: language-switcher " in out
    assert "incoming/001_96b92cf9017b96cc.txt:" in out and " comment-prompt " in out
    proc = subprocess.run(["git", "rev-parse", "--verify", "-q", "HEAD"], cwd=seeds.path, capture_output=True)
    assert proc.returncode != 0, "the commit went through"


def test_check_passes_a_clean_file_and_requires_outlet_when_asked(seeds: Seeds) -> None:
    seeds.add("incoming/council.txt", CLEAN_DOC.encode())
    proc = seeds.pre_commit("run", "clean-check")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    seeds.configure(check_args=["--require-language", "--require-outlet"])
    proc = seeds.pre_commit("run", "clean-check")
    assert proc.returncode == 1
    assert "incoming/council.txt:1:1: outlet-undetermined " in proc.stdout
    assert "language-undetermined" not in proc.stdout  # it is English


def test_fix_writes_sidecars_that_verify_then_passes(seeds: Seeds, tmp_path: Path) -> None:
    import cleaner

    files = _seed_files()
    for rel, data in files.items():
        seeds.add(rel, data)
    first = seeds.pre_commit("run", "clean-fix")
    assert first.returncode == 1, first.stdout + first.stderr
    records = []
    for rel, data in files.items():
        sidecar = seeds.path / (rel + ".clean.json")
        assert sidecar.is_file(), f"no sidecar for {rel}"
        lines = sidecar.read_text(encoding="utf-8").splitlines()
        assert len(lines) == 1
        rec = json.loads(lines[0])
        assert rec["id"] == rel
        assert {"text", "spans", "removed", "language", "outlet"} <= set(rec)
        assert rec["text"] == cleaner.clean(data).text
        text = rec["text"].encode("utf-8")
        assert all(text[ts:te] == data[ss:se] for ts, te, ss, se in rec["spans"])
        records.append(lines[0] + "\n")
    if BENCH_VERIFY.is_file():
        joined = tmp_path / "sidecars.jsonl"
        joined.write_text("".join(records), encoding="utf-8")
        proc = subprocess.run(
            [sys.executable, str(BENCH_VERIFY), str(joined), str(seeds.path)], capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stdout
        assert f"{len(files)}/{len(files)}" in proc.stdout
    git(seeds.path, "add", "-A")
    second = seeds.pre_commit("run", "clean-fix")
    assert second.returncode == 0, second.stdout + second.stderr
    assert all(data == (seeds.path / rel).read_bytes() for rel, data in files.items()), "a seed was modified"


def test_fix_rewrite_replaces_the_seed_once(seeds: Seeds) -> None:
    seeds.configure(fix_args=["--rewrite"])
    seed = seeds.add("incoming/comments.txt", BOILERPLATE_DOC.encode())
    first = seeds.pre_commit("run", "clean-fix")
    assert first.returncode == 1, first.stdout + first.stderr
    assert seed.read_text() == f"{PROSE}\n\n{PROSE_2}\n"
    assert not list(seeds.path.rglob("*.clean.json"))
    git(seeds.path, "add", "-A")
    second = seeds.pre_commit("run", "clean-fix")
    assert second.returncode == 0, second.stdout + second.stderr


def test_committed_seeds_are_left_alone_unless_all_files(seeds: Seeds) -> None:
    seeds.add("archive/old.txt", BOILERPLATE_DOC.encode())
    edited = seeds.add("archive/edited.txt", BOILERPLATE_DOC.encode())
    git(seeds.path, "commit", "-q", "--no-verify", "-m", "old seeds")
    edited.write_bytes(BOILERPLATE_DOC.encode() + b"\nLeave a Reply\n")  # a staged edit of a committed seed
    git(seeds.path, "add", "archive/edited.txt")
    seeds.add("incoming/new.txt", CLEAN_DOC.encode())
    proc = seeds.pre_commit("run", "clean-check")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # pre-commit run --all-files: every seed it passes is looked at
    proc = seeds.pre_commit("run", "clean-check", "--all-files")
    assert proc.returncode == 1
    assert "archive/old.txt:3:1: comment-section " in proc.stdout
    assert "archive/edited.txt:3:1: comment-section " in proc.stdout
    assert "incoming/new.txt" not in proc.stdout
    # the hook's own --all-files: staged edits of committed seeds too
    seeds.configure(check_args=["--all-files"])
    proc = seeds.pre_commit("run", "clean-check")
    assert proc.returncode == 1
    assert "archive/edited.txt:" in proc.stdout and "archive/old.txt" not in proc.stdout
    fix = seeds.pre_commit("run", "clean-fix")
    assert fix.returncode == 1  # the new seed gets its sidecar; the committed ones do not
    assert (seeds.path / "incoming/new.txt.clean.json").is_file()
    assert not list((seeds.path / "archive").glob("*.clean.json"))


def test_gzipped_files_are_no_seeds() -> None:
    """A hook would rewrite a seed as plain text: seeds are plain files, whatever pre-commit passes."""
    from cleaner.hooks import select

    assert select(["a/seed.txt.gz", "a/seed.txt", "b/page.html.gz", "b/page.html"], True) == [
        "a/seed.txt",
        "b/page.html",
    ]

"""``clean IN -o OUT`` as a batch: mirrored outputs, re-runs that skip, kills, Dolma, safety, explain.

The real command in a subprocess, on real files (the shared seed documents and the fixtures).
"""

from __future__ import annotations

import gzip
import json
import os
import pty
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from samples import BENCH_VERIFY, FIXTURES, SEEDS, document_bytes
from samples import PROSE_EN as PROSE

import cleaner
from cleaner import batch, cli
from cleaner.files import Spool
from cleaner.manifest import Manifest
from cleaner.serialize import to_record
from cleaner.walk import walk

MANIFEST = ".clean-manifest.jsonl"


def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cleaner", *args], capture_output=True, text=True, timeout=300, cwd=cwd, env=env
    )


class Ran:
    def __init__(self, returncode: int, stdout: str, stderr: str):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def clean_here(capsys: pytest.CaptureFixture[str], *args: str) -> Ran:
    """The same ``clean`` entry point, in this process (rules stay loaded between tests), one worker."""
    capsys.readouterr()
    extra = () if args[0] in ("rules", "explain", "--help") else ("-j", "1")
    code = cli.main([*extra, *args])
    out, err = capsys.readouterr()
    return Ran(code, out, err)


def _sources() -> dict[str, bytes]:
    """Real documents: the shared seeds when present, and the fixtures (cp1251, CRLF, several languages)."""
    found = {p.name: p.read_bytes() for p in sorted(FIXTURES.glob("*.txt"))}
    if SEEDS.is_dir():
        found.update({f"seeds/{p.name}": p.read_bytes() for p in sorted(SEEDS.glob("*.txt"))})
    return found


def _tree(root: Path) -> dict[str, bytes]:
    files = _sources()
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return files


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough documents (300 in 30 folders) for a run to take a while: real files, each made distinct."""
    return _make_corpus(tmp_path_factory.mktemp("corpus"), 300)


def _make_corpus(root: Path, n: int) -> Path:
    """``n`` documents, every seventh of them gzipped (``NNN-name.txt.gz``)."""
    sources = list(_sources().items())
    for i in range(n):
        name, data = sources[i % len(sources)]
        path = root / f"part-{i // 10:02d}" / f"{i:03d}-{Path(name).name}"
        path.parent.mkdir(parents=True, exist_ok=True)
        data += f"\n\nDocument {i} of the test corpus.\n".encode()
        if i % 7 == 3:
            path, data = path.with_name(path.name + ".gz"), gzip.compress(data, mtime=0)
        path.write_bytes(data)
    return root


def _outputs(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _summary(stderr: str) -> str:
    return next(ln for ln in stderr.splitlines() if ln.startswith("clean: ") and " documents: " in ln)


def _verify_records(records: list[dict], root: Path, tmp_path: Path) -> None:
    """The records pass cleaner.verify, and the shared bench verifier (which compares raw bytes: UTF-8 only)."""
    if BENCH_VERIFY.is_file():
        utf8 = [r for r in records if r["encoding"] == "utf-8"]
        joined = tmp_path / "records.jsonl"
        joined.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in utf8), encoding="utf-8")
        proc = subprocess.run(
            [sys.executable, str(BENCH_VERIFY), str(joined), str(root)], capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stdout
    for rec in records:
        result = cleaner.clean(root / rec["id"])
        assert cleaner.verify(result, document_bytes(root / rec["id"])) == []
        assert [s.as_list() for s in result.spans] == rec["spans"]


# --- mirrored folder --------------------------------------------------------------------------------


def test_folder_mirrors_txt_and_json_by_default(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    files = _tree(src)
    proc = run(str(src), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    written = _outputs(out)
    assert MANIFEST in written
    records = []
    for rel in files:
        stem = rel.removesuffix(".txt")
        rec = json.loads(written[f"{stem}.json"])
        assert rec["id"] == rel
        assert written[f"{stem}.txt"].decode("utf-8") == rec["text"] + "\n"
        records.append(rec)
    assert len(written) == 2 * len(files) + 1
    _verify_records(records, src, tmp_path)
    summary = proc.stderr
    assert f"{len(files)} documents: {len(files)} cleaned, 0 unchanged" in summary
    for part in ("bytes in", "removed", "rules: ", "languages: ", "outlets: "):
        assert part in summary
    assert "languages: en " in summary and "ru " in summary
    assert {rel: (src / rel).read_bytes() for rel in files} == files, "an input was changed"


# The hook each CLI process (and its workers) runs: which corpus files it opens, which of the cleaning
# pipeline's modules it imports. Loaded as ``sitecustomize`` from a folder put first on PYTHONPATH.
AUDIT_HOOK = """
import os, sys
_log, _corpus = os.environ["AUDIT_LOG"], os.environ["AUDIT_CORPUS"]
_heavy = ("cleaner.core", "cleaner.judge", "cleaner.segment", "langdetect", "selectolax", "re2")
def _note(line):
    fd = os.open(_log, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    os.write(fd, (line + "\\n").encode())
    os.close(fd)
def _hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes)) and os.fsdecode(args[0]).startswith(_corpus):
        _note("open " + os.fsdecode(args[0]))
    elif event == "import" and args[0].startswith(_heavy):
        _note("import " + args[0])
sys.addaudithook(_hook)
"""


def test_rerun_does_no_cleaning_work(tmp_path: Path) -> None:
    """A re-run over an unchanged folder opens no document, loads no part of the cleaning pipeline and
    rewrites no output (how long that takes next to the first run: ``benchmarks/compare.py --scaling``)."""
    corpus, out = _make_corpus(tmp_path / "corpus", 300), tmp_path / "out"
    hook, log = tmp_path / "hook", tmp_path / "audit.log"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(AUDIT_HOOK)
    path = os.pathsep.join(p for p in (str(hook), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "PYTHONPATH": path, "AUDIT_LOG": str(log), "AUDIT_CORPUS": str(corpus) + os.sep}

    def audited() -> tuple[subprocess.CompletedProcess[str], list[str]]:
        log.unlink(missing_ok=True)
        proc = run(str(corpus), "-o", str(out), env=env)
        assert proc.returncode == 0, proc.stderr
        return proc, log.read_text().splitlines() if log.exists() else []

    first, seen = audited()
    assert len({ln for ln in seen if ln.startswith("open ")}) == 300, "the hook sees every document read"
    assert "import cleaner.judge" in seen
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    second, seen = audited()
    for _ in range(2):  # in a working tree being edited, the cleaner's own code may change in between
        if " 0 cleaned, " in _summary(second.stderr):
            break
        before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
        first, (second, seen) = second, audited()
    assert "300 documents: 0 cleaned, 300 unchanged" in _summary(second.stderr)
    assert seen == [], f"the re-run did cleaning work: {seen[:5]}"
    assert first.stderr.splitlines()[1:] == second.stderr.splitlines()[1:], "the summary covers kept documents"
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == before, "outputs were rewritten"
    # one changed document is cleaned again; one only touched is hashed, not cleaned
    docs = sorted(corpus.rglob("*.txt"))
    for attempt in range(3):  # (again: the cleaner's code may have changed under us, and then all is cleaned)
        changed, touched = docs[attempt], docs[-1 - attempt]
        changed.write_bytes(changed.read_bytes().replace(b"Document", b"Paper"))
        os.utime(touched, ns=(time.time_ns(), time.time_ns()))
        third, seen = audited()
        if "300 cleaned" not in _summary(third.stderr):
            break
    assert "300 documents: 1 cleaned, 299 unchanged" in _summary(third.stderr), third.stderr
    assert sorted({ln for ln in seen if ln.startswith("open ")}) == sorted({f"open {changed}", f"open {touched}"})
    rel = changed.relative_to(corpus).with_suffix(".json")
    assert json.loads((out / rel).read_text(encoding="utf-8"))["sha256"] == cleaner.clean(changed).sha256


def test_changed_rules_clean_everything_again(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src, out, rules = tmp_path / "in", tmp_path / "out", tmp_path / "rules"
    files = _tree(src)
    rules.mkdir()
    rule = rules / "mine.toml"
    rule.write_text(
        '[[rule]]\nid = "test-gone-fishing"\ncategory = "test"\ndescription = "Made up."\n'
        "patterns = ['(?i)^the editor has gone fishing']\nmatch = [\"The editor has gone fishing.\"]\n"
    )
    assert clean_here(capsys, str(src), "-o", str(out), "--rules", str(rules)).returncode == 0
    again = clean_here(capsys, str(src), "-o", str(out), "--rules", str(rules))
    assert f"0 cleaned, {len(files)} unchanged" in _summary(again.stderr)
    rule.write_text(rule.read_text().replace("Made up.", "Made up, again."))
    third = clean_here(capsys, str(src), "-o", str(out), "--rules", str(rules))
    assert f"{len(files)} cleaned, 0 unchanged" in _summary(third.stderr)
    forced = clean_here(capsys, str(src), "-o", str(out), "--rules", str(rules), "--force")
    assert f"{len(files)} cleaned, 0 unchanged" in _summary(forced.stderr)
    (rules / "broken.toml").write_text("[[rule]]\nid = 'x'\n")
    broken = clean_here(capsys, str(src), "-o", str(out), "--rules", str(rules))
    assert broken.returncode == 2 and "broken.toml" in broken.stderr


# --- killed and interrupted runs -------------------------------------------------------------------------


def _kill_midway(args: list[str], ready: Callable[[], bool], sig: int) -> subprocess.Popen[str]:
    """Start ``clean ARGS``, wait until ``ready()``, then send ``sig`` (SIGKILL: to the workers too)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "cleaner", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None and not ready():
        time.sleep(0.01)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    if sig == signal.SIGKILL:
        os.killpg(proc.pid, signal.SIGKILL)  # as an OOM killer would: no clean-up at all
    else:
        proc.send_signal(sig)
    proc.wait(timeout=120)
    return proc


def _lines(path: Path, n: int) -> Callable[[], bool]:
    return lambda: path.is_file() and path.read_bytes().count(b"\n") >= n


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["KILL", "INT"])
def test_killed_run_leaves_whole_outputs_and_resumes(corpus: Path, tmp_path: Path, sig: int) -> None:
    out = tmp_path / "out"
    proc = _kill_midway([str(corpus), "-o", str(out), "-j", "2"], _lines(out / MANIFEST, 40), sig)
    if sig != signal.SIGKILL:
        assert proc.returncode == 130
        assert proc.stderr is not None and "clean: interrupted" in proc.stderr.read()
        assert not list(out.rglob("*.clean-tmp")), "an interrupted run left temporary files"
    done = [json.loads(line) for line in (out / MANIFEST).read_text(encoding="utf-8").splitlines()[:-1]]
    assert 39 <= len(done) < 300
    for path in out.rglob("*.json"):  # every output there is whole
        rec = json.loads(path.read_text(encoding="utf-8"))
        assert path.with_suffix(".txt").read_text(encoding="utf-8") == rec["text"] + "\n"
    resumed = run(str(corpus), "-o", str(out), "-j", "2")
    assert resumed.returncode == 0, resumed.stderr
    summary = _summary(resumed.stderr)
    cleaned = int(summary.split(" cleaned")[0].rsplit(" ", 1)[1])
    assert cleaned <= 300 - len(done) + 2, summary  # what was done is not done again
    assert not list(out.rglob("*.clean-tmp"))
    got = _outputs(out)
    got.pop(MANIFEST)
    assert len(got) == 600
    if sig == signal.SIGKILL:  # the same records as a run never interrupted
        for rel in sorted(got)[::25]:
            if rel.endswith(".json"):
                rec = json.loads(got[rel])
                expected = to_record(cleaner.clean(corpus / rec["id"]), rec["id"])
                assert rec == json.loads(json.dumps(expected))


def test_sigterm_leaves_no_jsonl_file_half_written(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"

    def writing() -> bool:
        return any(p.stat().st_size > 50_000 for p in tmp_path.glob(".out.jsonl.*.clean-tmp"))

    proc = _kill_midway([str(corpus), "-o", str(out), "-f", "jsonl", "-j", "2"], writing, signal.SIGTERM)
    assert proc.returncode == 130
    assert not out.exists(), "a JSONL file is written whole or not at all"
    assert not list(tmp_path.iterdir()), "an interrupted run left files behind"


# --- JSONL --------------------------------------------------------------------------------------------


def test_jsonl_rerun_updates_in_place(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src, out = tmp_path / "in", tmp_path / "out.jsonl"
    files = _tree(src)
    assert clean_here(capsys, str(src), "-f", "jsonl", "-o", str(out)).returncode == 0
    first = out.read_bytes()
    mtime = out.stat().st_mtime_ns
    again = clean_here(capsys, str(src), "-f", "jsonl", "-o", str(out))  # its own output: no --force needed
    assert again.returncode == 0, again.stderr
    assert f"0 cleaned, {len(files)} unchanged" in _summary(again.stderr)
    assert out.stat().st_mtime_ns == mtime, "an unchanged JSONL output was rewritten"
    victim, changed = sorted(files)[:2]
    (src / victim).unlink()
    (src / changed).write_bytes(files[changed] + f"\n{PROSE}\n".encode())
    third = clean_here(capsys, str(src), "-f", "jsonl", "-o", str(out))
    assert third.returncode == 0, third.stderr
    assert f"{len(files) - 1} documents: 1 cleaned, {len(files) - 2} unchanged" in _summary(third.stderr)
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert victim not in {r["id"] for r in records}
    old_lines = {json.loads(line)["id"]: line for line in first.decode("utf-8").splitlines()}
    for line in out.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        assert (line == old_lines[rec["id"]]) is (rec["id"] != changed)
    _verify_records(records, src, tmp_path)
    foreign = tmp_path / "foreign.jsonl"
    foreign.write_text("precious\n")
    refused = clean_here(capsys, str(src), "-f", "jsonl", "-o", str(foreign))
    assert refused.returncode == 2 and "--force" in refused.stderr and foreign.read_text() == "precious\n"


# --- Dolma --------------------------------------------------------------------------------------------


def _gz_rows(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def _char_to_byte(data: bytes, encoding: str, text: str) -> dict[int, int]:
    """Character offset in the Dolma text -> byte offset in the source (after a BOM)."""
    bom = 3 if data.startswith(b"\xef\xbb\xbf") and encoding == "utf-8" else 0
    out, pos = {}, bom
    for i, ch in enumerate(text):
        out[i] = pos
        pos += len(ch.encode(encoding, "replace"))
    out[len(text)] = pos
    return out


def test_dolma_documents_and_span_attributes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src, out = tmp_path / "corpus", tmp_path / "dolma"
    files = _tree(src)
    ran = clean_here(capsys, str(src), "-f", "dolma", "-o", str(out))
    assert ran.returncode == 0, ran.stderr
    shards = sorted((out / "documents").glob("*.jsonl.gz"))
    assert len(shards) == len({rel.rpartition("/")[0] for rel in files})  # one per folder
    seen = set()
    for shard in shards:
        docs, attrs = _gz_rows(shard), _gz_rows(out / "attributes" / "cleaner" / shard.name)
        assert [d["id"] for d in docs] == [a["id"] for a in attrs], "attributes must line up with documents"
        for doc, attr in zip(docs, attrs, strict=True):
            seen.add(doc["id"])
            assert set(doc) == {"id", "text", "source", "added", "created", "metadata"}
            assert doc["source"] == "corpus"
            data = files[doc["id"]]
            result = cleaner.clean(data)
            meta = doc["metadata"]
            assert meta["language"] == result.language and meta["sha256"] == result.sha256
            assert meta["encoding"] == result.encoding
            mtime = (src / doc["id"]).stat().st_mtime_ns // 10**9
            assert doc["added"] == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(mtime))
            spans = [
                (s, e, name)
                for name, value in attr["attributes"].items()
                if name.startswith("cleaner__boilerplate__")
                for s, e, score in value
            ]
            assert len(spans) == len([r for r in result.removed if r.end > r.start])
            by_start = {r.start: r for r in result.removed}
            offsets = _char_to_byte(data, result.encoding, doc["text"])
            for s, e, name in spans:
                removal = by_start[offsets[s]]
                assert name == "cleaner__boilerplate__" + removal.category.replace("-", "_")
                assert doc["text"][s:e] == data[removal.start : removal.end].decode(result.encoding, "replace")
            assert attr["attributes"][f"cleaner__language__{result.language}"][0][:2] == [0, len(doc["text"])]
    assert seen == set(files)
    first = _outputs(out)
    assert clean_here(capsys, str(src), "-f", "dolma", "-o", str(out), "--force").returncode == 0
    second = _outputs(out)
    first.pop(MANIFEST)
    second.pop(MANIFEST)
    assert second == first, "the same inputs must give the same bytes"
    # a change in one folder rewrites that folder's shard only
    top = next(rel for rel in files if "/" not in rel)
    (src / top).write_bytes(files[top] + f"\n{PROSE}\n".encode())
    ran = clean_here(capsys, str(src), "-f", "dolma", "-o", str(out))
    assert f"1 cleaned, {len(files) - 1} unchanged" in _summary(ran.stderr)
    third = _outputs(out)
    third.pop(MANIFEST)
    changed = {k for k in third if third[k] != first.get(k)}
    assert changed == {f"documents/{shards[0].name}", f"attributes/cleaner/{shards[0].name}"}
    assert shards[0].name.startswith("root-")
    docs = _gz_rows(shards[0])
    assert [d["id"] for d in docs] == sorted(rel for rel in files if "/" not in rel)


# --- safety ---------------------------------------------------------------------------------------------


def test_output_folder_inside_input_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in"
    _tree(src)
    before = _outputs(src)
    for out in (src / "clean", src, tmp_path):
        ran = clean_here(capsys, str(src), "-o", str(out))
        assert ran.returncode == 2
        assert "overlaps input folder" in ran.stderr
    assert _outputs(src) == before


def test_symlinks_are_not_followed_unless_asked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src, outside, out = tmp_path / "in", tmp_path / "outside", tmp_path / "out"
    src.mkdir()
    outside.mkdir()
    (src / "a.txt").write_text(f"{PROSE}\n")
    (outside / "secret.txt").write_text(f"{PROSE}\n\nLeave a Reply\n")
    (src / "link.txt").symlink_to(outside / "secret.txt")
    (src / "linked-folder").symlink_to(outside)
    (src / "loop").symlink_to(src)
    ran = clean_here(capsys, str(src), "-o", str(out))
    assert ran.returncode == 0, ran.stderr
    assert sorted(_outputs(out)) == [MANIFEST, "a.json", "a.txt"]
    assert "link.txt: skipped: symbolic link" in ran.stderr and "linked-folder: skipped" in ran.stderr
    followed = clean_here(capsys, str(src), "-o", str(tmp_path / "out2"), "--follow-symlinks")
    assert followed.returncode == 0, followed.stderr
    assert set(_outputs(tmp_path / "out2")) == {MANIFEST, "a.txt", "a.json", "link.txt", "link.json"} | {
        "linked-folder/secret.txt",
        "linked-folder/secret.json",
    }


def test_outputs_cannot_escape_through_a_symlink_in_the_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src, out, elsewhere = tmp_path / "in", tmp_path / "out", tmp_path / "elsewhere"
    (src / "news").mkdir(parents=True)
    (src / "top.txt").write_text(f"{PROSE}\n")
    (src / "news" / "a.txt").write_text(f"{PROSE}\n")
    out.mkdir()
    elsewhere.mkdir()
    (out / "news").symlink_to(elsewhere)
    ran = clean_here(capsys, str(src), "-o", str(out))
    assert ran.returncode == 1
    assert "news/a.txt: cannot write its output" in ran.stderr and "symbolic link" in ran.stderr
    assert not list(elsewhere.iterdir())
    assert (out / "top.txt").is_file()


def test_max_size_is_a_skip_not_a_failure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "small.txt").write_text(f"{PROSE}\n")
    (src / "big.txt").write_text(f"{PROSE}\n" * 50)
    ran = clean_here(capsys, str(src), "-o", str(out), "--max-size", "1000")
    assert ran.returncode == 0, ran.stderr
    assert "big.txt: skipped: larger than --max-size" in ran.stderr
    assert "2 documents: 1 cleaned, 0 unchanged (not cleaned again), 1 skipped, 0 failed" in ran.stderr
    assert sorted(_outputs(out)) == [MANIFEST, "small.json", "small.txt"]


def test_leftover_temporary_files_are_removed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "a.txt").write_text(f"{PROSE}\n")
    (out / "sub").mkdir(parents=True)
    (out / "sub" / ".a.txt.k2j3h4.clean-tmp").write_text("half a docu")
    keep = out / "notes.md"
    keep.write_text("mine")
    assert clean_here(capsys, str(src), "-o", str(out), "-q").returncode == 0
    assert not list(out.rglob("*.clean-tmp"))
    assert keep.read_text() == "mine"


def test_vanished_file_is_one_error_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file gone between the walk and its reading: one line, the batch goes on, exit code 1."""
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (src / name).write_text(f"{PROSE}\n")
    real_walk = batch.walk

    def walk_then_delete(*args: Any, **kwargs: Any) -> Any:
        found = real_walk(*args, **kwargs)
        (src / "b.txt").unlink()
        return found

    monkeypatch.setattr(batch, "walk", walk_then_delete)
    ran = clean_here(capsys, str(src), "-o", str(out))
    assert ran.returncode == 1
    problems = [ln for ln in ran.stderr.splitlines() if not ln.startswith("clean: ")]
    assert problems == [f"{src / 'b.txt'}: vanished before it could be read"]
    assert sorted(_outputs(out)) == [MANIFEST, "a.json", "a.txt", "c.json", "c.txt"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads everything")
def test_unreadable_file_is_one_error_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(f"{PROSE}\n")
    locked = src / "locked.txt"
    locked.write_text(f"{PROSE}\n")
    locked.chmod(0)
    ran = clean_here(capsys, str(src), "-o", str(tmp_path / "out"))
    assert ran.returncode == 1
    assert f"{locked}: cannot read (Permission denied)" in ran.stderr


def test_duplicate_ids_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "same.txt").write_text(f"{PROSE}\n")
    ran = clean_here(capsys, str(tmp_path / "a"), str(tmp_path / "b"), "-o", str(tmp_path / "out"))
    assert ran.returncode == 2
    assert "same.txt" in ran.stderr and not (tmp_path / "out").exists()


# --- memory: what a batch keeps of its documents ----------------------------------------------------------


def test_peak_memory_does_not_grow_with_the_number_of_files(tmp_path: Path) -> None:
    """Many more files, the same peak RSS (the batch used to hold ~2 KB of each of these: +8 MB here).

    Every file has the same text, so that the pipeline's own (bounded) caches do not grow either.
    """

    def peak(n: int) -> float:
        folder, out = tmp_path / f"in{n}", tmp_path / f"out{n}.jsonl"
        for i in range(n):
            path = folder / f"{i // 500:02d}" / f"{i:05d}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"Council report\n\n{PROSE}\n\nLeave a Reply\n", encoding="utf-8")
        cmd = [sys.executable, "-m", "cleaner", str(folder), "-o", str(out), "-f", "jsonl", "-j", "1", "-q"]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert len(out.read_bytes().splitlines()) == n
        return usage.ru_maxrss / (1e6 if sys.platform == "darwin" else 1e3)

    small, large = peak(150), peak(4000)
    assert large - small < 4, f"peak RSS {small:.1f} MB with 150 files, {large:.1f} MB with 4,000"


def test_walk_streams_sorted_paths_and_marks_twins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Documents and subfolders interleaved by name give the order of sorted paths; the list is on disk."""
    monkeypatch.setattr(Spool, "BUFFER", 64)  # a few rows in memory, the rest in the file
    names = ["a.txt", "a.html", "a-b/x.txt", "a.b/y.txt", "b.txt", "b/c.txt", "b/z/d.txt", "b/z.txt", "B.txt"]
    names += ["c/e/f/g.txt", "c/e.txt", "c/a.html", "\u00fc.txt", "z/a.txt", "z/a.TXT"]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(f"{PROSE}\n")
    found = walk([str(tmp_path)])
    ids = [s.id for s in found.sources]
    assert ids == sorted(names, key=lambda i: i.split("/"))
    assert {s.id for s in found.sources if s.twin} == {"a.txt", "a.html", "z/a.txt", "z/a.TXT"}
    assert len(found.sources) == len(names)
    pairs = list(zip(found.sources, found.sources, strict=True))  # two readers at once, each in order
    assert [a.id for a, _ in pairs] == [b.id for _, b in pairs] == ids
    assert all(s.path == tmp_path / s.id and s.in_folder for s in found.sources)
    found.sources.close()


def test_spool_gives_rows_back_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Spool, "BUFFER", 100)
    spool = Spool()
    rows = [[f"name-{i}-\udcff-\u00e9-\n", i, i % 2 == 0, None] for i in range(500)]  # a surrogate, a line break
    for row in rows[:3]:
        spool.append(row)
    assert list(spool) == rows[:3]  # still in memory
    for row in rows[3:]:
        spool.append(row)
    first = iter(spool)
    assert [next(first) for _ in range(10)] == rows[:10]
    assert list(spool) == rows  # another reader meanwhile
    spool.append(["late"])
    assert list(first) == rows[10:]  # what was there when the reader started
    assert len(spool) == 501 and list(spool)[-1] == ["late"]
    spool.close()


def test_manifest_keeps_offsets_and_dict_order(tmp_path: Path) -> None:
    """Last line of an id wins where the id first came, ``forget`` removes, torn lines are skipped, and a
    run's appends are written but not indexed; the file is compacted at the end when lines were superseded."""
    path = tmp_path / MANIFEST
    lines = [
        {"id": "a", "v": 1},
        {"id": "b", "v": 1},
        {"id": "a", "v": 2},
        {"id": "c", "v": 1},
        {"id": "b", "forget": True},
        {"id": "b", "v": 3},
    ]
    path.write_text("".join(json.dumps(e) + "\n" for e in lines) + '{"id": "d", "v', encoding="utf-8")
    manifest = Manifest(path)
    assert list(manifest.ids()) == ["a", "c", "b"] and len(manifest) == 3
    assert manifest.get("a") == {"id": "a", "v": 2} and manifest.get("b") == {"id": "b", "v": 3}
    assert manifest.get("d") is None
    manifest.mark("c")
    assert manifest.marked("c") and not manifest.marked("a") and manifest.get("c") == {"id": "c", "v": 1}
    manifest.start_appending()  # compacted first: one line per entry
    assert [json.loads(ln) for ln in path.read_text().splitlines()] == [manifest.get(i) for i in "acb"]
    manifest.append({"id": "new", "v": 1})
    manifest.append({"id": "a", "v": 4})
    manifest.forget("c")
    assert manifest.get("new") is None and manifest.get("a") == {"id": "a", "v": 2}  # what the run started with
    assert not manifest.marked("c")
    manifest.close()
    kept = [json.loads(ln) for ln in path.read_text().splitlines()]
    assert kept == [{"id": "a", "v": 4}, {"id": "b", "v": 3}, {"id": "new", "v": 1}]
    fresh = Manifest(tmp_path / "other" / MANIFEST)
    fresh.start_appending()
    fresh.append({"id": "x"})
    fresh.close()  # nothing superseded: left as appended
    assert (tmp_path / "other" / MANIFEST).read_text() == '{"id": "x"}\n'


def test_few_tasks_are_in_flight(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pool gets at most ``ahead`` tasks of ``chunk`` jobs beyond the results taken, whatever the total."""
    from concurrent.futures import Future

    class Pool:
        def submit(self, fn: Callable[[list[int]], list[int]], jobs: list[int]) -> Future[list[int]]:
            done: Future[list[int]] = Future()
            done.set_result(fn(jobs))
            return done

    monkeypatch.setattr(batch, "process_many", lambda jobs: [-j for j in jobs])
    taken = 0

    def jobs() -> Any:
        nonlocal taken
        for j in range(1000):
            taken += 1
            yield j

    got: list[int] = []
    for outcome in batch._in_order(Pool(), jobs(), 8, 3):  # type: ignore[arg-type]
        assert taken - len(got) <= 8 * (3 + 1)
        got.append(outcome)  # type: ignore[arg-type]
    assert got == [-j for j in range(1000)]


def test_mirror_names_of_documents_that_differ_only_in_extension(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = f"<html><body><p>{PROSE}</p></body></html>\n"
    for rel, text in {"one/news/a.txt": PROSE, "one/news/a.html": page, "one/news/b.txt": PROSE}.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(f"{text}\n")
    for rel, text in {"p/x.txt": PROSE, "q/x.html": page, "q/y.txt": PROSE}.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(f"{text}\n")
    assert clean_here(capsys, str(tmp_path / "one"), "-o", str(tmp_path / "out1")).returncode == 0
    assert sorted(_outputs(tmp_path / "out1")) == [MANIFEST] + [
        f"news/{name}" for name in ("a.html.json", "a.html.txt", "a.txt.json", "a.txt.txt", "b.json", "b.txt")
    ]
    two = clean_here(capsys, str(tmp_path / "p"), str(tmp_path / "q"), "-o", str(tmp_path / "out2"))
    assert two.returncode == 0
    assert sorted(_outputs(tmp_path / "out2")) == [
        MANIFEST,
        "x.html.json",
        "x.html.txt",
        "x.txt.json",
        "x.txt.txt",
        "y.json",
        "y.txt",
    ]


def test_gzipped_documents_are_read_decompressed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``page.html.gz`` is cleaned as the page it holds: offsets count its decompressed bytes (as the shared
    verifier reads a ``.gz`` source), its outputs are named like the page's, and a twin keeps its full name."""
    src = tmp_path / "in"
    page = f"<html><head><title>Library</title></head><body><article><p>{PROSE}</p></article></body></html>\n"
    docs = {
        "news/a.html.gz": gzip.compress(page.encode(), mtime=0),
        "news/b.txt.gz": gzip.compress(f"{PROSE}\n\nLeave a Reply\n".encode(), mtime=0),
        "news/c.txt": f"{PROSE}\n".encode(),
        "news/c.txt.gz": gzip.compress(f"{PROSE}\n".encode(), mtime=0),
        "news/d.gz": gzip.compress(f"{PROSE}\n".encode(), mtime=0),  # no document extension: not taken
        "news/e.txt.gz": f"{PROSE}\n".encode(),  # named .gz, but plain text: refused
    }
    for rel, data in docs.items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_bytes(data)
    ran = clean_here(capsys, str(src), "-o", str(tmp_path / "out"))
    assert ran.returncode == 1
    assert [ln for ln in ran.stderr.splitlines() if "e.txt.gz" in ln] == [
        f"{src / 'news/e.txt.gz'}: not valid gzip data (no gzip header)"
    ]
    names = sorted(_outputs(tmp_path / "out"))
    kept = ("a.json", "a.txt", "b.json", "b.txt", "c.txt.gz.json", "c.txt.gz.txt", "c.txt.json", "c.txt.txt")
    assert names == [MANIFEST, *(f"news/{name}" for name in kept)]
    records = [json.loads((tmp_path / "out" / n).read_text(encoding="utf-8")) for n in names if n.endswith(".json")]
    assert {r["id"]: r["kind"] for r in records} == {
        "news/a.html.gz": "html",
        "news/b.txt.gz": "text",
        "news/c.txt.gz": "text",
        "news/c.txt": "text",
    }
    assert "Leave a Reply" not in records[1]["text"] and PROSE in records[1]["text"]
    _verify_records(records, src, tmp_path)
    again = clean_here(capsys, str(src), "-o", str(tmp_path / "out"))
    assert "4 unchanged" in _summary(again.stderr)


def test_dolma_rerun_after_documents_went_came_and_failed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A shard rewritten with some rows kept, one gone, one new and one failing: the same bytes as a fresh run."""
    src = tmp_path / "corpus"
    files = _tree(src)
    out = tmp_path / "dolma"
    assert clean_here(capsys, str(src), "-f", "dolma", "-o", str(out)).returncode == 0
    folder = sorted({rel.rpartition("/")[0] for rel in files if "/" in rel})[0]
    members = sorted(rel for rel in files if rel.rpartition("/")[0] == folder)
    assert len(members) >= 3, members
    (src / members[0]).unlink()
    (src / folder / "zz-new.txt").write_text(f"{PROSE}\n\nLeave a Reply\n", encoding="utf-8")
    (src / members[1]).write_bytes(b"")  # fails now: its row goes
    again = clean_here(capsys, str(src), "-f", "dolma", "-o", str(out))
    assert again.returncode == 1
    summary = f"{len(files)} documents: 1 cleaned, {len(files) - 2} unchanged (not cleaned again), 0 skipped, 1 failed"
    assert summary in again.stderr
    fresh = tmp_path / "fresh"
    assert clean_here(capsys, str(src), "-f", "dolma", "-o", str(fresh)).returncode == 1
    rerun, whole = _outputs(out), _outputs(fresh)
    manifest = [json.loads(line) for line in rerun.pop(MANIFEST).decode("utf-8").splitlines()]
    whole.pop(MANIFEST)
    assert rerun == whole
    assert sorted(e["id"] for e in manifest) == sorted(set(files) - set(members[:2]) | {f"{folder}/zz-new.txt"})


# --- terminal, explain, subcommands ---------------------------------------------------------------------------


def test_progress_bar_only_on_a_terminal(tmp_path: Path) -> None:
    src = tmp_path / "in"
    _tree(src)
    plain = run(str(src), "-o", str(tmp_path / "plain"), "-j", "1")
    assert plain.returncode == 0 and "\r" not in plain.stderr and "documents: " in plain.stderr
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "cleaner", str(src), "-o", str(tmp_path / "tty"), "-j", "1"],
        stderr=follower,
        stdout=subprocess.DEVNULL,
    )
    os.close(follower)
    chunks = []
    while True:  # read as it comes, so that the terminal never fills up
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the process closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=300) == 0
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert "\r[" in shown and " documents" in shown
    assert "documents: " in shown  # the summary still comes
    quiet = subprocess.run(
        [sys.executable, "-m", "cleaner", str(src), "-o", str(tmp_path / "tty"), "-q", "--force"],
        capture_output=True,
        text=True,
    )
    assert quiet.returncode == 0 and quiet.stderr == ""


def test_explain_subcommand_marks_removed_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text(f"Council keeps the library open\n\n{PROSE}\n\nLeave a Reply\n", encoding="utf-8")
    ran = clean_here(capsys, "explain", str(doc), str(tmp_path / "nope.txt"), "--color", "never")
    assert ran.returncode == 1 and "nope.txt" in ran.stderr
    lines = ran.stdout.splitlines()
    assert f"  {PROSE}" in lines
    assert [ln for ln in lines if ln.startswith("- [")] == ["- [comment-section] Leave a Reply"]
    assert lines[-1].startswith("# 1 of 5 lines removed: comment-section 1")
    flagged = clean_here(capsys, str(doc), "--explain").stdout
    assert f"{doc}:5:1: comment-section " in flagged
    coloured = clean_here(capsys, "explain", str(doc), "--color", "always").stdout
    assert "\033[31m- " in coloured


def test_files_named_like_subcommands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("rules", "explain"):
        Path(name).write_text(f"{PROSE}\n")
        alone = clean_here(capsys, name)
        assert alone.returncode == 2 and f"./{name}" in alone.stderr
    as_path = clean_here(capsys, "./rules", "--kind", "text")
    assert as_path.returncode == 0 and PROSE in as_path.stdout
    after_dashes = clean_here(capsys, "--", "explain")
    assert after_dashes.returncode == 0 and PROSE in after_dashes.stdout
    Path("rules").unlink()
    Path("rules").mkdir()
    listed = clean_here(capsys, "rules", "list")
    assert listed.returncode == 0 and "comment-prompt\t" in listed.stdout
    tested = clean_here(capsys, "rules", "test")
    assert tested.returncode == 0 and " passed, 0 failed" in tested.stdout


def test_help_names_jobs_formats_and_exit_codes() -> None:
    proc = run("--help")
    assert f"every core, {batch.cpu_count()} here" in proc.stdout
    assert "--format" in proc.stdout and "dolma" in proc.stdout and "--follow-symlinks" in proc.stdout
    assert "130" in proc.stdout and "interrupted" in proc.stdout

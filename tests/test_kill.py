"""A batch killed with SIGKILL five times at different moments, then resumed: whole, correct outputs."""

from __future__ import annotations

import json
import signal
from collections.abc import Callable
from pathlib import Path

import pytest
from samples import document_bytes
from test_batch import MANIFEST, _kill_midway, _lines, _make_corpus, _outputs, run

import cleaner
from cleaner.serialize import to_record


def _temp_lines(folder: Path, n: int) -> Callable[[], bool]:
    """True once a temporary JSONL output in ``folder`` holds ``n`` records."""

    def ready() -> bool:
        for p in folder.glob(".out.jsonl.*.clean-tmp"):
            try:
                if p.read_bytes().count(b"\n") >= n:
                    return True
            except OSError:
                continue
        return False

    return ready


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
@pytest.mark.parametrize("fmt", ["mirror", "jsonl"])
def test_five_kills_then_a_resume(tmp_path: Path, fmt: str) -> None:
    corpus = _make_corpus(tmp_path / "corpus", 300)
    out = tmp_path / ("out" if fmt == "mirror" else "out.jsonl")
    manifest = out / MANIFEST if fmt == "mirror" else tmp_path / f".{out.name}.clean-manifest.jsonl"
    args = [str(corpus), "-o", str(out), "-j", "2"] + ([] if fmt == "mirror" else ["-f", "jsonl"])
    for n in (10, 40, 80, 130, 190):  # each run resumes the last and is killed a little further on
        # A mirror run's manifest grows as documents finish; a JSONL run's records go to a temporary
        # file first (each run writes the records it carries over again, then the new ones).
        ready = _lines(manifest, n) if fmt == "mirror" else _temp_lines(tmp_path, n)
        proc = _kill_midway(args, ready, signal.SIGKILL)
        assert proc.returncode == -signal.SIGKILL
    resumed = run(*args)
    assert resumed.returncode == 0, resumed.stderr
    assert not list(tmp_path.rglob("*.clean-tmp")), "a killed run left temporary files behind"
    if fmt == "mirror":
        got = _outputs(out)
        got.pop(MANIFEST)
        records = [json.loads(v) for k, v in got.items() if k.endswith(".json")]
        assert len(got) == 600
    else:
        records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert sorted(r["id"] for r in records) == sorted({r["id"] for r in records})  # no duplicates
    assert len(records) == 300
    for rec in records[::20]:  # the same records as a run never interrupted
        expected = to_record(cleaner.clean(corpus / rec["id"]), rec["id"])
        assert rec == json.loads(json.dumps(expected))
        assert cleaner.verify(cleaner.clean(corpus / rec["id"]), document_bytes(corpus / rec["id"])) == []

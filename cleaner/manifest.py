"""What a batch already wrote, so that a re-run skips documents that have not changed.

One JSON line per document (the last line for an id wins): the source's ``size``, ``mtime_ns`` and
``sha256``, the ``config`` key of the run that cleaned it, its ``outputs`` and its ``stats``. A
document is unchanged when its config key is the current one, its outputs exist, and its size and
mtime are the same (not even read) or its bytes hash the same.

The config key covers everything that shapes the output without loading a single rule: the cleaner
version, a digest of the package's own code and data, the bytes of every rule file in force, the
langdetect version, the output format and the cleaning options.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import IO, Any

from . import __version__
from .files import atomic_write
from .rules import builtin_dir

NAME = ".clean-manifest.jsonl"


def _files_digest(h: Any, folder: Path, patterns: Sequence[str]) -> None:
    if folder.is_file():
        h.update(folder.name.encode() + b"\0" + folder.read_bytes() + b"\0")
        return
    found = sorted({p for pattern in patterns for p in folder.rglob(pattern) if "__pycache__" not in p.parts})
    for p in found:
        h.update(p.relative_to(folder).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")


def config_key(rule_dirs: Sequence[str], options: Mapping[str, Any]) -> str:
    """The key of everything (but the source) that shapes a document's output."""
    h = hashlib.sha256()
    try:
        langdetect = version("langdetect")
    except PackageNotFoundError:
        langdetect = "?"
    h.update(json.dumps([__version__, langdetect, dict(options)], sort_keys=True).encode())
    _files_digest(h, Path(__file__).resolve().parent, ("*.py", "data/*"))
    for folder in [builtin_dir(), *map(Path, rule_dirs)]:
        if folder.exists():
            _files_digest(h, folder, ("*.toml",))
        else:  # a missing folder fails when the rules load; the key only has to differ
            h.update(f"missing:{folder}".encode())
    return h.hexdigest()[:32]


class Manifest:
    """The entries of a manifest file; ``append`` adds one line per finished document."""

    def __init__(self, path: Path):
        self.path = path
        self.entries: dict[str, dict[str, Any]] = {}
        self._lines = 0
        self._file: IO[str] | None = None
        try:
            with path.open(encoding="utf-8") as f:
                for line in f:
                    self._lines += 1
                    try:
                        entry = json.loads(line)
                        if entry.get("forget"):
                            self.entries.pop(entry["id"], None)
                        else:
                            self.entries[entry["id"]] = entry
                    except (ValueError, KeyError, TypeError):  # a line torn by a killed run
                        continue
        except FileNotFoundError:
            pass

    def get(self, doc_id: str) -> dict[str, Any] | None:
        return self.entries.get(doc_id)

    def start_appending(self) -> None:
        """Compact the file (one valid line per id) if needed, then open it for appending."""
        if self._lines != len(self.entries):
            self.rewrite(self.entries.values())
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.path.open("a", encoding="utf-8")

    def append(self, entry: dict[str, Any]) -> None:
        """Record one finished document: a single write of one whole line, flushed at once."""
        self.entries[entry["id"]] = entry
        if self._file is not None:
            self._file.write(json.dumps(entry, ensure_ascii=False) + "\n")
            self._file.flush()
            self._lines += 1

    def forget(self, doc_id: str) -> None:
        """Record that a document's output is gone (a line ``{"id", "forget": true}``)."""
        self.entries.pop(doc_id, None)
        if self._file is not None:
            self._file.write(json.dumps({"id": doc_id, "forget": True}, ensure_ascii=False) + "\n")
            self._file.flush()
            self._lines += 1

    def rewrite(self, entries: Iterable[dict[str, Any]]) -> None:
        """Replace the whole file atomically with ``entries`` (in that order)."""
        entries = list(entries)
        self.entries = {e["id"]: e for e in entries}
        self._lines = len(self.entries)
        data = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries)
        atomic_write(self.path, data.encode("utf-8"))

    def close(self) -> None:
        """Stop appending; compact the file when it holds superseded lines (the next run reads less)."""
        if self._file is not None:
            self._file.close()
            self._file = None
            if self._lines != len(self.entries):
                self.rewrite(self.entries.values())


def manifest_for(out: Path, folder_output: bool) -> Path:
    """Where the manifest of an output lives: inside an output folder, beside an output file."""
    return out / NAME if folder_output else out.with_name(f".{out.name}.clean-manifest.jsonl")

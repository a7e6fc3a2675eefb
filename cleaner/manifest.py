"""What a batch already wrote, so that a re-run skips documents that have not changed.

One JSON line per document (the last line for an id wins): the source's ``size``, ``mtime_ns`` and
``sha256``, the ``config`` key of the run that cleaned it, its ``outputs`` and its ``stats``. A
document is unchanged when its config key is the current one, its outputs exist, and its size and
mtime are the same (not even read) or its bytes hash the same.

What a run keeps in memory is the byte offset of each entry the file held when it started (an id
and an offset: about 120 bytes an entry, 12 MB for 100,000); an entry is read from the file when it
is asked for. The entries a run appends are not kept at all: nothing asks for them again.

The config key covers everything that shapes the output without loading a single rule: the cleaner
version, a digest of the package's own code and data, the bytes of every rule file in force, the
langdetect version, the output format and the cleaning options.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import IO, Any

from .files import AtomicFile

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
    from . import __version__
    from .shipped import builtin_dir

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
    """A manifest file: ``get`` the entry previous runs left for an id, ``append`` one line per finished document.

    Ids and entries keep the order a dict of them would have (where an id first came, unless it was
    forgotten since). The index is of the entries the file held when the run started: :meth:`get`
    gives those, :meth:`append` and :meth:`forget` only write. An id can be :meth:`mark` ed (its
    offset is then stored as ``-1 - offset``), which costs no memory.
    """

    def __init__(self, path: Path):
        self.path = path
        self._reader: IO[bytes] | None = None
        self._file: IO[bytes] | None = None
        self._index, self._lines = self._load()
        self._stale = False
        """Lines were appended that supersede or forget an entry: compact the file at the end."""

    def _load(self) -> tuple[dict[str, int], int]:
        """{id: offset of its line}, as a dict of the entries would be, and the number of lines."""
        index: dict[str, int] = {}
        lines = offset = 0
        try:
            with self.path.open("rb") as f:
                for line in f:
                    lines += 1
                    at, offset = offset, offset + len(line)
                    try:
                        entry = json.loads(line)
                        if entry.get("forget"):
                            index.pop(entry["id"], None)
                        else:
                            index[entry["id"]] = at
                    except (ValueError, KeyError, TypeError, AttributeError):  # a line torn by a killed run
                        continue
        except FileNotFoundError:
            pass
        return index, lines

    def __len__(self) -> int:
        return len(self._index)

    def ids(self) -> Iterator[str]:
        """The ids the run started with, in order."""
        return iter(self._index)

    def get(self, doc_id: str) -> dict[str, Any] | None:
        """The entry of ``doc_id`` the run started with (None when there was none)."""
        at = self._index.get(doc_id)
        if at is None:
            return None
        if self._reader is None:
            self._reader = self.path.open("rb")
        self._reader.seek(at if at >= 0 else -1 - at)
        entry: dict[str, Any] = json.loads(self._reader.readline())
        return entry

    def items(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """(id, entry) of every entry the run started with, in order (no :meth:`forget` meanwhile)."""
        for doc_id in self._index:
            entry = self.get(doc_id)
            if entry is not None:
                yield doc_id, entry

    def mark(self, doc_id: str) -> None:
        """Note an id, until its entry is appended or forgotten."""
        at = self._index.get(doc_id)
        if at is not None and at >= 0:
            self._index[doc_id] = -1 - at

    def marked(self, doc_id: str) -> bool:
        return self._index.get(doc_id, 0) < 0

    def start_appending(self) -> None:
        """Compact the file (one valid line per id) if needed, then open it for appending."""
        if self._lines != len(self._index):
            self.rewrite(entry for _, entry in self.items())
            self._index, self._lines = self._load()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.path.open("ab")

    def _write(self, line: dict[str, Any]) -> None:
        assert self._file is not None
        self._file.write((json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8"))
        self._file.flush()

    def append(self, entry: dict[str, Any]) -> None:
        """Record one finished document: a single write of one whole line, flushed at once."""
        if self._file is not None:
            self._write(entry)
            at = self._index.get(entry["id"])
            if at is not None:  # its previous line is superseded
                self._stale = True
                self._index[entry["id"]] = at if at >= 0 else -1 - at

    def forget(self, doc_id: str) -> None:
        """Record that a document's output is gone (a line ``{"id", "forget": true}``)."""
        self._index.pop(doc_id, None)
        if self._file is not None:
            self._write({"id": doc_id, "forget": True})
            self._stale = True

    def rewrite(self, entries: Iterable[dict[str, Any]]) -> None:
        """Replace the whole file atomically with ``entries`` (in that order)."""
        new = Rewrite(self)
        try:
            for entry in entries:
                new.add(entry)
        except BaseException:
            new.discard()
            raise
        new.commit()

    def _replaced(self) -> None:
        """The file was replaced: nothing read from the old one holds."""
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        self._index, self._lines, self._stale = {}, 0, False

    def close(self) -> None:
        """Stop appending; compact the file when it holds superseded lines (the next run reads less).

        Compacting indexes the whole file again, this run's entries too: the one moment a run holds
        an offset for each of its documents.
        """
        if self._file is not None:
            self._file.close()
            self._file = None
            if self._stale:
                self._index, self._lines = self._load()
                self.rewrite(entry for _, entry in self.items())
        if self._reader is not None:
            self._reader.close()
            self._reader = None


class Rewrite:
    """A new version of a manifest file, written entry by entry beside it and put in its place at once.

    Once committed, the :class:`Manifest` holds nothing more of the file (as if it were empty).
    """

    def __init__(self, manifest: Manifest):
        self.manifest = manifest
        self._file: AtomicFile | None = AtomicFile(manifest.path)

    def add(self, entry: dict[str, Any]) -> None:
        assert self._file is not None
        self._file.write((json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8"))

    def commit(self) -> None:
        """Put the new version in place of the old file."""
        if self._file is None:
            return
        self._file.commit()
        self._file = None
        self.manifest._replaced()

    def discard(self) -> None:
        if self._file is not None:
            self._file.discard()
            self._file = None


def manifest_for(out: Path, folder_output: bool) -> Path:
    """Where the manifest of an output lives: inside an output folder, beside an output file."""
    return out / NAME if folder_output else out.with_name(f".{out.name}.clean-manifest.jsonl")

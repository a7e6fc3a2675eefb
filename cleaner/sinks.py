"""Where a batch's documents go: stdout, a mirrored folder, one JSONL file, or a Dolma folder.

Every sink writes through temporary files and renames, and records a document in the manifest only
once its output is in place, so a run killed at any moment leaves whole outputs and a manifest that
never claims more than exists. ``keep`` carries an unchanged document over from the previous run;
it raises :class:`Missing` when the previous output no longer holds it (the batch cleans it then).

No sink holds a document longer than it takes to write it, nor anything per document but what the
manifest keeps (:mod:`cleaner.manifest`): a JSONL file and a Dolma shard are written as their rows
come, into temporary files, and their manifest entries wait on disk until the file is in place.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import IO, Any

from .files import AtomicFile, Spool, atomic_write, remove_leftovers, safe_target
from .manifest import Manifest, Rewrite
from .walk import Source, stem
from .worker import Outcome

Entry = dict[str, Any]


class Missing(Exception):
    """The previous output does not hold this unchanged document: clean it again."""


class Sink:
    """The interface; also the stdout sink's base."""

    manifest: Manifest | None = None

    def outputs(self, src: Source) -> list[str]:
        return []

    def has_outputs(self, src: Source, entry: Entry) -> bool:
        return False

    def prepare(self, sources: Iterable[Source], several: bool) -> None:
        """Called with every document of the run before any skip decision.

        ``several``: they come from several command-line paths (whose ids and names may clash).
        """

    def start(self, plan: Iterable[tuple[Source, bool]]) -> None:
        """Called, with the documents in order, once it is known which will be read (True) and which kept."""

    def write(self, src: Source, outcome: Outcome, entry: Entry) -> None:
        pass

    def keep(self, src: Source, entry: Entry, restat: bool) -> None:
        raise Missing(src.id)

    def drop(self, src: Source) -> None:
        pass

    def finish(self) -> None:
        pass

    def abort(self) -> None:
        pass


class StdoutSink(Sink):
    """Text, indented JSON or JSONL on stdout (nothing when the batch prints explanations)."""

    def __init__(self, fmt: str, quiet_records: bool):
        self.fmt, self.quiet_records = fmt, quiet_records

    def write(self, src: Source, outcome: Outcome, entry: Entry) -> None:
        if not self.quiet_records:
            sys.stdout.write(outcome.payloads[self.fmt])
            sys.stdout.flush()


def mirror_name(src: Source) -> str:
    """A document's place in a mirrored folder: its id, or its name when the id would escape."""
    if src.in_folder:  # relative to the folder walked: always inside
        return src.id
    rel = PurePosixPath(src.id)
    if rel.is_absolute() or ".." in rel.parts:
        return rel.name
    return rel.as_posix()


class MirrorSink(Sink):
    """``OUT/<id with .txt>`` and/or ``OUT/<id with .json>``; the manifest is ``OUT/.clean-manifest.jsonl``."""

    def __init__(self, out: Path, formats: Iterable[str], manifest: Manifest):
        self.out, self.formats = out, tuple(formats)
        self.manifest: Manifest = manifest
        self._shared: set[str] = set()
        self._root = str(out)
        remove_leftovers(out)

    def prepare(self, sources: Iterable[Source], several: bool) -> None:
        """Two documents of one folder that differ only in extension are marked so by the walk; those of
        several paths may meet too (``a/x.txt``, ``b/x.html``): then every name is looked at once."""
        if several:
            seen: set[str] = set()
            for src in sources:
                name = stem(mirror_name(src))
                (self._shared if name in seen else seen).add(name)

    def start(self, plan: Iterable[tuple[Source, bool]]) -> None:
        self.manifest.start_appending()

    def outputs(self, src: Source) -> list[str]:
        name = mirror_name(src)
        base = stem(name)
        if src.twin or base in self._shared or base.endswith("/") or not base:
            # a.txt and a.html in one folder: keep both, by their full names (so too a file named .gz)
            return [f"{name}.{fmt}" for fmt in self.formats]
        return [f"{base}.{fmt}" for fmt in self.formats]

    def has_outputs(self, src: Source, entry: Entry) -> bool:
        names = self.outputs(src)
        return entry.get("outputs") == names and all(os.path.isfile(os.path.join(self._root, n)) for n in names)

    def write(self, src: Source, outcome: Outcome, entry: Entry) -> None:
        for name, fmt in zip(self.outputs(src), self.formats, strict=True):
            if fmt in outcome.payloads:  # else the worker wrote it
                atomic_write(safe_target(self.out, name), outcome.payloads[fmt].encode("utf-8"))
        self.manifest.append(entry)

    def keep(self, src: Source, entry: Entry, restat: bool) -> None:
        if restat:
            self.manifest.append(entry)

    def finish(self) -> None:
        self.manifest.close()

    abort = finish


class _OldLines:
    """The lines of a previous JSONL output, by id, read on demand (only their offsets are kept)."""

    def __init__(self, path: Path):
        self.path = path
        self._index: dict[str, int] | None = None
        self._file: IO[bytes] | None = None

    def get(self, doc_id: str, sha256: str) -> bytes | None:
        if self._index is None:
            self._index = {}
            try:
                self._file = self.path.open("rb")
            except OSError:
                return None
            decoder = json.JSONDecoder()
            offset = 0
            for line in self._file:
                if line.startswith(b'{"id": '):
                    try:
                        key, _ = decoder.raw_decode(line.decode("utf-8", "replace"), 7)
                        self._index[key] = offset
                    except ValueError:
                        pass
                offset += len(line)
        if doc_id not in self._index or self._file is None:
            return None
        self._file.seek(self._index[doc_id])
        line = self._file.readline()
        ok = line.endswith(b"\n") and f'"sha256": "{sha256}"'.encode() in line
        return line if ok else None

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


_END = object()


class JsonlSink(Sink):
    """One JSON line per document in one file, rewritten whole (or not at all when nothing changed).

    The new file and its new manifest are written beside the old ones as the documents come, and
    put in their place at the end.
    """

    def __init__(self, out: Path, manifest: Manifest):
        self.out = out
        self.manifest: Manifest = manifest
        self._file: AtomicFile | None = None
        self._new: Rewrite | None = None
        self._old = _OldLines(out)
        remove_leftovers(out.parent, out.name)
        remove_leftovers(out.parent, manifest.path.name)

    def has_outputs(self, src: Source, entry: Entry) -> bool:
        return self.out.is_file()

    def _unchanged(self, plan: Iterable[tuple[Source, bool]]) -> bool:
        """Nothing to clean, and the same documents in the same order as the manifest's."""
        ids = self.manifest.ids()
        for src, todo in plan:
            if todo or next(ids, _END) != src.id:
                return False
        return next(ids, _END) is _END and self.out.is_file()

    def start(self, plan: Iterable[tuple[Source, bool]]) -> None:
        if not self._unchanged(plan):
            self._file = AtomicFile(self.out)
            self._new = Rewrite(self.manifest)

    def write(self, src: Source, outcome: Outcome, entry: Entry) -> None:
        if self._file is not None and self._new is not None:
            self._file.write(outcome.payloads["jsonl"].encode("utf-8"))
            self._new.add(entry)

    def keep(self, src: Source, entry: Entry, restat: bool) -> None:
        if self._file is not None and self._new is not None:
            line = self._old.get(src.id, entry["sha256"])
            if line is None:
                raise Missing(src.id)
            self._file.write(line)
            self._new.add(entry)

    def finish(self) -> None:
        self._old.close()
        if self._file is None or self._new is None:
            return
        self._file.commit()
        self._new.commit()

    def abort(self) -> None:
        self._old.close()
        if self._file is not None:
            self._file.discard()
        if self._new is not None:
            self._new.discard()


def shard_name(src: Source) -> str:
    """The shard of a document: one per folder, ``<folder path with _>-<8 hex>.jsonl.gz`` (``root`` at the top)."""
    folder = PurePosixPath(mirror_name(src)).parent.as_posix()
    slug = "root" if folder == "." else "".join(c if c.isalnum() or c in "-." else "_" for c in folder)
    return f"{slug}-{hashlib.sha1(folder.encode()).hexdigest()[:8]}.jsonl.gz"


def _shards_of(entry: Entry) -> set[str]:
    return {PurePosixPath(out).name for out in entry.get("outputs", [])}


class _ShardFile:
    """One shard file being written: gzipped row by row into a temporary file beside it."""

    def __init__(self, path: Path):
        self._file = AtomicFile(path)
        self._gz = gzip.GzipFile(filename="", mode="wb", fileobj=self._file.file, mtime=0)  # same rows, same bytes

    def write(self, row: str) -> None:
        self._gz.write(row.encode("utf-8"))

    def commit(self) -> None:
        try:
            self._gz.close()
        except BaseException:
            self._file.discard()
            raise
        self._file.commit()

    def discard(self) -> None:
        try:
            self._gz.close()
        finally:
            self._file.discard()


class _Shard:
    """A shard being rewritten: its documents and attributes files, and its rows' manifest entries (on disk)."""

    def __init__(self, docs: Path, attrs: Path):
        self.attrs = _ShardFile(attrs)
        try:
            self.docs = _ShardFile(docs)
        except BaseException:
            self.attrs.discard()
            raise
        self.entries = Spool()

    def add(self, doc: str, attrs: str, entry: Entry) -> None:
        self.docs.write(doc)
        self.attrs.write(attrs)
        self.entries.append(entry)

    def commit(self) -> None:
        """Attributes first, then documents (as a reader expects them in pairs, documents last)."""
        try:
            self.attrs.commit()
        except BaseException:
            self.docs.discard()
            raise
        self.docs.commit()

    def discard(self) -> None:
        try:
            self.attrs.discard()
        finally:
            self.docs.discard()
            self.entries.close()


class _OldRows:
    """The rows of a previous shard file, read forward only: the batch asks for them in the order it wrote them.

    A row asked for that is not where it should be is reported missing (the document is cleaned again).
    """

    def __init__(self, path: Path):
        self._f: IO[str] | None
        try:
            self._f = gzip.open(path, "rt", encoding="utf-8")  # noqa: SIM115 (closed by close())
        except OSError:
            self._f = None
        self._next: tuple[str, str] | None = None

    def get(self, doc_id: str) -> str | None:
        want = doc_id.split("/")
        while True:
            if self._next is None:
                self._next = self._read()
                if self._next is None:
                    return None
            row_id, line = self._next
            if row_id == doc_id:
                self._next = None
                return line
            if row_id.split("/") > want:  # rows are in the order of their paths: it is not there
                return None
            self._next = None

    def _read(self) -> tuple[str, str] | None:
        if self._f is not None:
            try:
                for line in self._f:
                    if line.strip():
                        row_id = json.loads(line)["id"]
                        if isinstance(row_id, str):
                            return row_id, line
            except (OSError, ValueError, KeyError, TypeError, EOFError):  # a damaged file: the rest is missing
                pass
            self.close()
        return None

    def close(self) -> None:
        if self._f is not None:
            self._f.close()
            self._f = None


class DolmaSink(Sink):
    """``OUT/documents/<shard>`` and ``OUT/attributes/cleaner/<shard>``, one shard per input folder.

    A shard is rewritten when one of its documents changed, came or went; its unchanged documents'
    rows are carried over from the previous shard. Documents and attributes stay row for row aligned.
    A shard being rewritten goes to temporary files row by row; what is kept per shard is counts.
    """

    def __init__(self, out: Path, manifest: Manifest):
        self.out = out
        self.manifest: Manifest = manifest
        self.docs, self.attrs = out / "documents", out / "attributes" / "cleaner"
        self._pending: Counter[str] = Counter()
        self._dirty: set[str] = set()
        self._open: dict[str, _Shard] = {}
        self._old: dict[str, tuple[_OldRows, _OldRows]] = {}
        self._gone: dict[str, list[str]] = {}
        """Per shard, the ids of its previous rows that it will not hold again (usually none)."""
        remove_leftovers(out)

    def outputs(self, src: Source) -> list[str]:
        return [f"documents/{shard_name(src)}"]

    def has_outputs(self, src: Source, entry: Entry) -> bool:
        shard = shard_name(src)
        return entry.get("outputs") == self.outputs(src) and (self.docs / shard).is_file()

    def start(self, plan: Iterable[tuple[Source, bool]]) -> None:
        """Which shards to rewrite: those with a document to clean, or without their attributes file, or
        whose documents are not the ones of their previous rows (compared by counting: the documents,
        the previous rows, and the documents among the previous rows, which the manifest marks)."""
        self.manifest.start_appending()
        matched: Counter[str] = Counter()
        whole: set[str] = set()
        for src, todo in plan:
            shard = shard_name(src)
            self._pending[shard] += 1
            if todo:
                self._dirty.add(shard)
            elif shard not in whole and shard not in self._dirty:
                (whole if (self.attrs / shard).is_file() else self._dirty).add(shard)
            entry = self.manifest.get(src.id)
            if entry is not None and shard in _shards_of(entry):
                matched[shard] += 1
                self.manifest.mark(src.id)
        before: Counter[str] = Counter()
        for doc_id, entry in self.manifest.items():
            for shard in _shards_of(entry):
                before[shard] += 1
                if shard in self._pending and not self.manifest.marked(doc_id):
                    self._gone.setdefault(shard, []).append(doc_id)
        self._dirty.update(shard for shard, n in self._pending.items() if not before[shard] == n == matched[shard])

    def _add(self, src: Source, doc: str, attrs: str, entry: Entry) -> None:
        shard = shard_name(src)
        if shard not in self._open:
            self._open[shard] = _Shard(self.docs / shard, self.attrs / shard)
        self._open[shard].add(doc, attrs, entry)
        self._done(shard)

    def write(self, src: Source, outcome: Outcome, entry: Entry) -> None:
        self._dirty.add(shard_name(src))
        self._add(src, outcome.payloads["dolma"], outcome.payloads["dolma_attributes"], entry)

    def keep(self, src: Source, entry: Entry, restat: bool) -> None:
        shard = shard_name(src)
        if shard not in self._dirty:
            if restat:
                self.manifest.append(entry)
            self._done(shard)
            return
        if shard not in self._old:
            self._old[shard] = (_OldRows(self.docs / shard), _OldRows(self.attrs / shard))
        docs, attrs = self._old[shard]
        doc, attr = docs.get(src.id), attrs.get(src.id)
        if doc is None or attr is None or f'"sha256": "{entry["sha256"]}"' not in doc:
            raise Missing(src.id)
        self._add(src, doc, attr, entry)

    def drop(self, src: Source) -> None:
        shard = shard_name(src)
        self._dirty.add(shard)
        if self.manifest.marked(src.id):  # one of the shard's previous rows, not there any more
            self._gone.setdefault(shard, []).append(src.id)
        self._done(shard)

    def _done(self, shard: str) -> None:
        self._pending[shard] -= 1
        if self._pending[shard] == 0 and shard in self._dirty:
            written = self._open.pop(shard, None) or _Shard(self.docs / shard, self.attrs / shard)
            written.commit()
            for entry in written.entries:
                self.manifest.append(entry)
            written.entries.close()
            for gone in self._gone.pop(shard, []):
                self.manifest.forget(gone)
            self._close_old(shard)

    def _close_old(self, shard: str) -> None:
        for rows in self._old.pop(shard, ()):
            rows.close()

    def finish(self) -> None:
        try:
            for shard in list(self._old):
                self._close_old(shard)
            while self._open:  # (none when every document was seen to)
                self._open.popitem()[1].discard()
        finally:
            self.manifest.close()

    abort = finish

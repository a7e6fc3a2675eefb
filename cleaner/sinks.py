"""Where a batch's documents go: stdout, a mirrored folder, one JSONL file, or a Dolma folder.

Every sink writes through temporary files and renames, and records a document in the manifest only
once its output is in place, so a run killed at any moment leaves whole outputs and a manifest that
never claims more than exists. ``keep`` carries an unchanged document over from the previous run;
it raises :class:`Missing` when the previous output no longer holds it (the batch cleans it then).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import posixpath
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import IO, Any

from .files import atomic_write, remove_leftovers, safe_target, temp_beside
from .manifest import Manifest
from .walk import Source
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

    def prepare(self, sources: Sequence[Source]) -> None:
        """Called with every document of the run before any skip decision."""

    def start(self, sources: Sequence[Source], todo: set[str]) -> None:
        """Called once it is known which documents will be cleaned (``todo``) and which kept."""

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

    def __init__(self, out: Path, formats: Sequence[str], manifest: Manifest):
        self.out, self.formats = out, tuple(formats)
        self.manifest: Manifest = manifest
        self._stems: Counter[str] = Counter()
        self._names: dict[str, list[str]] = {}
        self._root = str(out)
        remove_leftovers(out)

    def start(self, sources: Sequence[Source], todo: set[str]) -> None:
        self.manifest.start_appending()

    def prepare(self, sources: Sequence[Source]) -> None:
        self._stems = Counter(posixpath.splitext(mirror_name(s))[0] for s in sources)

    def outputs(self, src: Source) -> list[str]:
        if src.id in self._names:
            return self._names[src.id]
        self._names[src.id] = names = self._outputs(src)
        return names

    def _outputs(self, src: Source) -> list[str]:
        name = mirror_name(src)
        stem = posixpath.splitext(name)[0]
        if self._stems[stem] > 1:  # a.txt and a.html in one folder: keep both, by their full names
            return [f"{name}.{fmt}" for fmt in self.formats]
        return [f"{stem}.{fmt}" for fmt in self.formats]

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
    """The lines of a previous JSONL output, by id, read on demand (only offsets are kept)."""

    def __init__(self, path: Path):
        self.path = path
        self._index: dict[str, tuple[int, int]] | None = None
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
                        self._index[key] = (offset, len(line))
                    except ValueError:
                        pass
                offset += len(line)
        if doc_id not in self._index or self._file is None:
            return None
        offset, length = self._index[doc_id]
        self._file.seek(offset)
        line = self._file.read(length)
        ok = line.endswith(b"\n") and f'"sha256": "{sha256}"'.encode() in line
        return line if ok else None

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


class JsonlSink(Sink):
    """One JSON line per document in one file, rewritten whole (or not at all when nothing changed)."""

    def __init__(self, out: Path, manifest: Manifest):
        self.out = out
        self.manifest: Manifest = manifest
        self._tmp: Path | None = None
        self._f: IO[bytes] | None = None
        self._entries: list[Entry] = []
        self._old = _OldLines(out)
        remove_leftovers(out.parent, out.name)
        remove_leftovers(out.parent, manifest.path.name)

    def has_outputs(self, src: Source, entry: Entry) -> bool:
        return self.out.is_file()

    def start(self, sources: Sequence[Source], todo: set[str]) -> None:
        unchanged = not todo and [s.id for s in sources] == list(self.manifest.entries) and self.out.is_file()
        if not unchanged:
            fd, self._tmp = temp_beside(self.out)
            self._f = os.fdopen(fd, "wb")

    def write(self, src: Source, outcome: Outcome, entry: Entry) -> None:
        if self._f is not None:
            self._f.write(outcome.payloads["jsonl"].encode("utf-8"))
        self._entries.append(entry)

    def keep(self, src: Source, entry: Entry, restat: bool) -> None:
        if self._f is not None:
            line = self._old.get(src.id, entry["sha256"])
            if line is None:
                raise Missing(src.id)
            self._f.write(line)
        self._entries.append(entry)

    def finish(self) -> None:
        self._old.close()
        if self._f is None or self._tmp is None:
            return
        self._f.close()
        os.replace(self._tmp, self.out)
        self.manifest.rewrite(self._entries)

    def abort(self) -> None:
        self._old.close()
        if self._f is not None and self._tmp is not None:
            self._f.close()
            self._tmp.unlink(missing_ok=True)


def shard_name(src: Source) -> str:
    """The shard of a document: one per folder, ``<folder path with _>-<8 hex>.jsonl.gz`` (``root`` at the top)."""
    folder = PurePosixPath(mirror_name(src)).parent.as_posix()
    slug = "root" if folder == "." else "".join(c if c.isalnum() or c in "-." else "_" for c in folder)
    return f"{slug}-{hashlib.sha1(folder.encode()).hexdigest()[:8]}.jsonl.gz"


def _gzip(lines: Sequence[str]) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0) as gz:  # same rows, same bytes
        for line in lines:
            gz.write(line.encode("utf-8"))
    return buf.getvalue()


def _read_rows(path: Path) -> dict[str, str]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            return {json.loads(line)["id"]: line for line in f if line.strip()}
    except (OSError, ValueError, KeyError, EOFError):
        return {}


class DolmaSink(Sink):
    """``OUT/documents/<shard>`` and ``OUT/attributes/cleaner/<shard>``, one shard per input folder.

    A shard is rewritten when one of its documents changed, came or went; its unchanged documents'
    rows are carried over from the previous shard. Documents and attributes stay row for row aligned.
    """

    def __init__(self, out: Path, manifest: Manifest):
        self.out = out
        self.manifest: Manifest = manifest
        self.docs, self.attrs = out / "documents", out / "attributes" / "cleaner"
        self._pending: Counter[str] = Counter()
        self._dirty: set[str] = set()
        self._rows: dict[str, list[tuple[str, str, Entry]]] = {}
        self._old: dict[str, tuple[dict[str, str], dict[str, str]]] = {}
        self._before: dict[str, set[str]] = {}
        remove_leftovers(out)

    def outputs(self, src: Source) -> list[str]:
        return [f"documents/{shard_name(src)}"]

    def has_outputs(self, src: Source, entry: Entry) -> bool:
        shard = shard_name(src)
        return entry.get("outputs") == self.outputs(src) and (self.docs / shard).is_file()

    def start(self, sources: Sequence[Source], todo: set[str]) -> None:
        self.manifest.start_appending()
        members: dict[str, set[str]] = {}
        for src in sources:
            shard = shard_name(src)
            self._pending[shard] += 1
            members.setdefault(shard, set()).add(src.id)
            if src.id in todo or not (self.attrs / shard).is_file():
                self._dirty.add(shard)
        before: dict[str, set[str]] = {}
        for entry in self.manifest.entries.values():
            for out in entry.get("outputs", []):
                before.setdefault(PurePosixPath(out).name, set()).add(entry["id"])
        self._dirty.update(shard for shard, ids in members.items() if before.get(shard, set()) != ids)
        self._before = before

    def _add(self, src: Source, doc: str, attrs: str, entry: Entry) -> None:
        shard = shard_name(src)
        self._rows.setdefault(shard, []).append((doc, attrs, entry))
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
            self._old[shard] = (_read_rows(self.docs / shard), _read_rows(self.attrs / shard))
        docs, attrs = self._old[shard]
        doc, attr = docs.get(src.id), attrs.get(src.id)
        if doc is None or attr is None or f'"sha256": "{entry["sha256"]}"' not in doc:
            raise Missing(src.id)
        self._add(src, doc, attr, entry)

    def drop(self, src: Source) -> None:
        shard = shard_name(src)
        self._dirty.add(shard)
        self._done(shard)

    def _done(self, shard: str) -> None:
        self._pending[shard] -= 1
        if self._pending[shard] == 0 and shard in self._dirty:
            rows = self._rows.pop(shard, [])
            atomic_write(self.attrs / shard, _gzip([a for _, a, _ in rows]))
            atomic_write(self.docs / shard, _gzip([d for d, _, _ in rows]))
            for _, _, entry in rows:
                self.manifest.append(entry)
            for gone in self._before.get(shard, set()) - {entry["id"] for _, _, entry in rows}:
                self.manifest.forget(gone)
            self._old.pop(shard, None)

    def finish(self) -> None:
        self.manifest.close()

    abort = finish

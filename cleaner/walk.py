"""Find the documents to clean: files named on the command line and the documents inside folders.

A folder's documents come sorted by path (as ``sorted()`` orders paths, component by component);
hidden names are left out, and so are symbolic links unless ``follow_symlinks`` (a link named on the
command line is always followed: it was asked for). Each document gets an ``id``: its path relative
to the folder given, or the path as given for a file.

The walk holds one folder's listing at a time (and those of the folders above it). The documents go
to a :class:`~cleaner.files.Spool` on disk as they are found, so that a batch of any size walks in
the same memory and can then go over its documents more than once.
"""

from __future__ import annotations

import os
import posixpath
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

import attrs

from .files import COMPRESSED_SUFFIX, Spool

SUFFIXES = (".txt", ".text", ".html", ".htm", ".xhtml", ".shtml")
"""A document's extension, which may be followed by ``.gz``."""


@attrs.frozen
class Source:
    """One document to clean, with the stat the skip check uses."""

    path: Path
    id: str
    size: int
    mtime_ns: int
    in_folder: bool
    """Found by walking a folder (``id`` is relative to it), not named on the command line."""
    twin: bool = False
    """Another document of its folder has the same name but for the extension (``a.txt``, ``a.html``)."""

    def row(self) -> list[object]:
        return [os.fspath(self.path), self.id, self.size, self.mtime_ns, self.in_folder, self.twin]

    @classmethod
    def from_row(cls, row: list[object]) -> Source:
        path, doc_id, size, mtime_ns, in_folder, twin = row
        assert isinstance(path, str) and isinstance(doc_id, str) and isinstance(size, int)
        assert isinstance(mtime_ns, int) and isinstance(in_folder, bool) and isinstance(twin, bool)
        return cls(Path(path), doc_id, size, mtime_ns, in_folder, twin)


class Sources:
    """The documents of a walk, in order, kept on disk: ``len()``, and iterable as often as needed."""

    def __init__(self) -> None:
        self._spool = Spool()

    def append(self, src: Source) -> None:
        self._spool.append(src.row())

    def __len__(self) -> int:
        return len(self._spool)

    def __iter__(self) -> Iterator[Source]:
        return map(Source.from_row, self._spool)

    def close(self) -> None:
        self._spool.close()


@attrs.define
class Found:
    sources: Sources = attrs.Factory(Sources)
    skipped: list[tuple[str, str]] = attrs.Factory(list)
    """(path, why) of documents left out on purpose: symbolic links."""
    failed: list[tuple[str, str]] = attrs.Factory(list)
    """(path, why) of arguments or folders that could not be read."""


def is_document(name: str) -> bool:
    plain = name.removesuffix(COMPRESSED_SUFFIX)
    return not name.startswith(".") and plain.lower().endswith(SUFFIXES) and not name.endswith(".clean.json")


def stem(doc_id: str) -> str:
    """A document's id without its extension(s): ``a/b`` for ``a/b.txt``, ``a/b.html`` and ``a/b.html.gz``."""
    return posixpath.splitext(doc_id.removesuffix(COMPRESSED_SUFFIX))[0]


def _reason(e: OSError) -> str:
    return e.strerror or str(e)


def walk(paths: Sequence[str], *, follow_symlinks: bool = False) -> Found:
    found = Found()
    for arg in paths:
        top = Path(arg)
        try:
            st = top.stat()
        except FileNotFoundError:
            found.failed.append((arg, "no such file or folder" if not top.is_symlink() else "broken symbolic link"))
            continue
        except OSError as e:
            found.failed.append((arg, f"cannot read ({_reason(e)})"))
            continue
        if top.is_dir():
            prefix = len(os.path.join(str(top), ""))
            for src in _walk_folder(prefix, top, follow_symlinks, found, {os.path.realpath(top)}):
                found.sources.append(src)
        else:
            found.sources.append(Source(top, top.as_posix(), st.st_size, st.st_mtime_ns, in_folder=False))
    return found


def _walk_folder(prefix: int, folder: Path, follow: bool, found: Found, seen: set[str]) -> Iterator[Source]:
    """The documents under ``folder`` sorted by path; ids are their paths without the first ``prefix`` characters.

    The folder's own entries are looked at first (their problems are said first), then its documents
    and its subfolders' are given in name order, which is the order of the sorted paths.
    """
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as e:
        found.failed.append((str(folder), f"cannot read folder ({_reason(e)})"))
        return
    docs: list[Source] = []
    subfolders: list[Path] = []
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            is_dir = entry.is_dir()
            if not is_dir and not is_document(entry.name):
                continue
            if not follow and entry.is_symlink():
                found.skipped.append((entry.path, "symbolic link (--follow-symlinks follows it)"))
                continue
            if is_dir:
                real = os.path.realpath(entry.path)
                if real not in seen:  # a link back up the tree would never end
                    seen.add(real)
                    subfolders.append(Path(entry.path))
                continue
            st = entry.stat()
        except FileNotFoundError:
            found.failed.append((entry.path, "broken symbolic link" if entry.is_symlink() else "vanished"))
            continue
        except OSError as e:
            found.failed.append((entry.path, f"cannot read ({_reason(e)})"))
            continue
        doc_id = entry.path[prefix:].replace(os.sep, "/")
        docs.append(Source(Path(entry.path), doc_id, st.st_size, st.st_mtime_ns, True))
    del entries
    stems = Counter(stem(src.id) for src in docs)
    docs = [attrs.evolve(src, twin=True) if stems[stem(src.id)] > 1 else src for src in docs]
    del stems
    i = 0
    for sub in subfolders:
        while i < len(docs) and docs[i].path.name < sub.name:
            yield docs[i]
            i += 1
        yield from _walk_folder(prefix, sub, follow, found, seen)
    yield from docs[i:]

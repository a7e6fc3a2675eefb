"""Find the documents to clean: files named on the command line and the documents inside folders.

A folder's documents come sorted by path (as ``sorted()`` orders paths); hidden names are left out,
and so are symbolic links unless ``follow_symlinks`` (a link named on the command line is always
followed: it was asked for). Each document gets an ``id``: its path relative to the folder given,
or the path as given for a file.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import attrs

SUFFIXES = (".txt", ".text", ".html", ".htm", ".xhtml", ".shtml")


@attrs.frozen
class Source:
    """One document to clean, with the stat the skip check uses."""

    path: Path
    id: str
    size: int
    mtime_ns: int
    in_folder: bool
    """Found by walking a folder (``id`` is relative to it), not named on the command line."""


@attrs.define
class Found:
    sources: list[Source] = attrs.Factory(list)
    skipped: list[tuple[str, str]] = attrs.Factory(list)
    """(path, why) of documents left out on purpose: symbolic links."""
    failed: list[tuple[str, str]] = attrs.Factory(list)
    """(path, why) of arguments or folders that could not be read."""


def is_document(name: str) -> bool:
    return not name.startswith(".") and name.lower().endswith(SUFFIXES) and not name.endswith(".clean.json")


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
            start = len(found.sources)
            _walk_folder(len(os.path.join(str(top), "")), top, follow_symlinks, found, {os.path.realpath(top)})
            found.sources[start:] = sorted(found.sources[start:], key=lambda s: s.id.split("/"))
        else:
            found.sources.append(Source(top, top.as_posix(), st.st_size, st.st_mtime_ns, in_folder=False))
    return found


def _walk_folder(prefix: int, folder: Path, follow: bool, found: Found, seen: set[str]) -> None:
    """Walk ``folder``; ids are its entries' paths without their first ``prefix`` characters."""
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as e:
        found.failed.append((str(folder), f"cannot read folder ({_reason(e)})"))
        return
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
        found.sources.append(Source(Path(entry.path), doc_id, st.st_size, st.st_mtime_ns, True))
    for sub in subfolders:
        _walk_folder(prefix, sub, follow, found, seen)

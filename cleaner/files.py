"""File safety for everything the cleaner writes: temporary file + rename, and paths kept inside a root.

A reader (or a killed run) never sees a torn output: data goes to ``.NAME.XXXX.clean-tmp`` in the
target's folder and is renamed over the target. Leftovers of a killed run carry that suffix and are
removed by :func:`remove_leftovers` when the next run starts.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

TMP_SUFFIX = ".clean-tmp"


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_MODE = 0o666 & ~_umask()  # what open() would give a new file (mkstemp gives 0o600)


class UnsafePathError(OSError):
    """An output path would leave its output folder (``..``, an absolute id, or a symbolic link)."""


def temp_beside(path: Path) -> tuple[int, Path]:
    """A new temporary file (fd, path) in ``path``'s folder, recognisable as a leftover."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TMP_SUFFIX)
    if hasattr(os, "fchmod"):
        os.fchmod(fd, _MODE)
    return fd, Path(tmp)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file and a rename: never a torn file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = temp_beside(path)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` atomically unless ``path`` already holds exactly it; True when written."""
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    atomic_write(path, data)
    return True


def safe_target(root: Path, rel: str) -> Path:
    """``root / rel``, refused when it would land outside ``root`` (``..``, absolute, symlinked folder)."""
    parts = Path(rel).parts
    if not parts or Path(rel).is_absolute() or ".." in parts:
        raise UnsafePathError(f"output path {rel!r} would leave {root}")
    target = root / rel
    real_root = root.resolve()
    if not target.parent.resolve().is_relative_to(real_root):
        raise UnsafePathError(f"output path {rel!r} leads outside {root} through a symbolic link")
    return target


def remove_leftovers(folder: Path, name: str | None = None) -> int:
    """Delete temporary files a killed run left in ``folder`` (recursively), or only those of ``name``."""
    if not folder.is_dir():
        return 0
    n = 0
    for root, _dirs, files in os.walk(folder) if name is None else [(str(folder), [], os.listdir(folder))]:
        for f in files:
            if f.startswith(f".{name}." if name else ".") and f.endswith(TMP_SUFFIX):
                path = os.path.join(root, f)
                if os.path.isfile(path) and not os.path.islink(path):
                    os.unlink(path)
                    n += 1
    return n


def overlaps(a: Path, b: Path) -> bool:
    """Whether folder ``a`` is ``b``, inside it, or holds it (after resolving symbolic links)."""
    ra, rb = a.resolve(), b.resolve()
    return ra.is_relative_to(rb) or rb.is_relative_to(ra)

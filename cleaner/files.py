"""File safety for everything the cleaner writes: temporary file + rename, and paths kept inside a root.

A reader (or a killed run) never sees a torn output: data goes to ``.NAME.XXXX.clean-tmp`` in the
target's folder and is renamed over the target. Leftovers of a killed run carry that suffix and are
removed by :func:`remove_leftovers` when the next run starts.

Also :class:`Spool`, the list a batch keeps of things it has as many of as documents: on disk.
"""

from __future__ import annotations

import errno
import gzip
import io
import json
import os
import stat
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

TMP_SUFFIX = ".clean-tmp"


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_MODE = 0o666 & ~_umask()  # what open() would give a new file (mkstemp gives 0o600)


class NotAFile(OSError):
    """A path that is not a regular file: a FIFO, socket or device would block or never end."""


class FileTooLarge(OSError):
    """A file larger than the limit it was read with (``size``: its size, or what was read of it);
    ``decompressed``: a gzipped document larger than ``limit`` once decompressed."""

    def __init__(self, size: int, *, decompressed: bool = False, limit: int = 0):
        super().__init__(f"{size} bytes")
        self.size = size
        self.decompressed = decompressed
        self.limit = limit


GUNZIP_CAP = 1 << 30
"""What a ``.gz`` file is decompressed to at most when reading has no size limit: a few kilobytes of
gzip data can hold gigabytes of zeros."""
COMPRESSED_SUFFIX = ".gz"
"""A document stored gzipped (``page.html.gz``): it is read decompressed, and its offsets count the
bytes of the decompressed document, as ``gunzip`` would give them."""
GZIP_MAGIC = b"\x1f\x8b"


class BadCompression(OSError):
    """A ``.gz`` file whose bytes are not whole gzip data."""


def is_compressed(path: str | os.PathLike[str]) -> bool:
    """Whether the name ends in ``.gz`` (in lower case, as the shared verifier reads it)."""
    return os.fspath(path).endswith(COMPRESSED_SUFFIX)


def read_file(path: str | os.PathLike[str], max_bytes: int = 0) -> tuple[bytes, os.stat_result]:
    """The bytes of the document in a regular file, and the file's stat; with ``max_bytes`` (not 0),
    :class:`FileTooLarge` for a document larger than that, told by the file's size without reading it
    (and by reading one byte more, should it grow meanwhile).

    A name ending in ``.gz`` is decompressed, never to more than ``max_bytes`` (a small file may hold
    a huge document); bytes that are not whole gzip data raise :class:`BadCompression`. The file is
    opened without blocking (a FIFO must not wait for a writer); a folder raises IsADirectoryError,
    anything else that is not a regular file :class:`NotAFile`.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with open(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), os.fspath(path))
        if not stat.S_ISREG(st.st_mode):
            raise NotAFile("not a regular file (a FIFO, socket or device)")
        if max_bytes and st.st_size > max_bytes:
            raise FileTooLarge(st.st_size)
        data = f.read(max_bytes + 1 if max_bytes else -1)
    if max_bytes and len(data) > max_bytes:
        raise FileTooLarge(len(data))
    return document_of(data, path, max_bytes), st


def document_of(data: bytes, path: str | os.PathLike[str], max_bytes: int = 0) -> bytes:
    """The document that the bytes of the file ``path`` hold: themselves, or for a ``.gz`` name their
    decompressed bytes (every member), read no further than ``max_bytes`` (or :data:`GUNZIP_CAP`
    when it is 0) + 1."""
    if not is_compressed(path):
        return data
    limit = max_bytes or GUNZIP_CAP
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as z:
            out = z.read(limit + 1)
    except EOFError:
        raise BadCompression("not valid gzip data (it ends too soon)") from None
    except (gzip.BadGzipFile, zlib.error) as e:
        if not str(e).startswith("Not a gzipped file"):
            why = "corrupt"
        elif data.startswith(GZIP_MAGIC):
            why = "bytes that are not gzip data follow it"
        else:
            why = "no gzip header"
        raise BadCompression(f"not valid gzip data ({why})") from None
    if len(out) > limit:
        raise FileTooLarge(len(out), decompressed=True, limit=limit)
    return out


class UnsafePathError(OSError):
    """An output path would leave its output folder (``..``, an absolute id, or a symbolic link)."""


def temp_beside(path: Path) -> tuple[int, Path]:
    """A new temporary file (fd, path) in ``path``'s folder, recognisable as a leftover."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TMP_SUFFIX)
    if hasattr(os, "fchmod"):
        os.fchmod(fd, _MODE)
    return fd, Path(tmp)


class AtomicFile:
    """A file written under a temporary name beside ``path`` and put in its place by :meth:`commit`,
    or removed by :meth:`discard`: no reader, and no killed run, ever sees it half written."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        fd, self._tmp = temp_beside(path)
        self.file: IO[bytes] = os.fdopen(fd, "wb")
        self._done = False

    def write(self, data: bytes) -> None:
        self.file.write(data)

    def commit(self) -> None:
        """Put the file in place of ``path`` (the first time; after that, nothing)."""
        if self._done:
            return
        self._done = True
        try:
            self.file.close()
            os.replace(self._tmp, self.path)
        except BaseException:
            self._tmp.unlink(missing_ok=True)
            raise

    def discard(self) -> None:
        """Drop the file (unless it was committed)."""
        if self._done:
            return
        self._done = True
        try:
            self.file.close()
        finally:
            self._tmp.unlink(missing_ok=True)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file and a rename: never a torn file."""
    f = AtomicFile(path)
    try:
        f.write(data)
    except BaseException:
        f.discard()
        raise
    f.commit()


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


class Spool:
    """An append-only list of JSON-able rows kept in an anonymous temporary file, not in memory.

    Rows come back in the order appended, as often as asked, also from several iterators at once
    (each reads from its own place). Up to ``BUFFER`` bytes of rows stay in memory: a small batch
    never touches the disk, a large one costs a few hundred bytes of disk a row and no memory.
    """

    BUFFER = 1 << 16

    def __init__(self) -> None:
        self._file: IO[bytes] | None = None
        self._pending = bytearray()
        self._count = 0

    def append(self, row: Any) -> None:
        self._pending += json.dumps(row, separators=(",", ":")).encode("ascii") + b"\n"
        self._count += 1
        if len(self._pending) >= self.BUFFER:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="clean-", suffix=".spool")  # noqa: SIM115 (closed by close())
        self._file.seek(0, os.SEEK_END)
        self._file.write(self._pending)
        self._pending.clear()

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Any]:
        """The rows appended so far (not those appended while iterating)."""
        count = self._count
        if self._file is None:
            for line in bytes(self._pending).split(b"\n")[:count]:
                yield json.loads(line)
            return
        self._flush()
        pos, rest = 0, b""
        while count:
            self._file.seek(pos)  # another iterator, or an append, may have moved it
            block = self._file.read(self.BUFFER)
            if not block:
                return
            pos += len(block)
            lines = (rest + block).split(b"\n")
            rest = lines.pop()
            for line in lines[:count]:
                yield json.loads(line)
            count -= min(count, len(lines))

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        self._pending.clear()
        self._count = 0

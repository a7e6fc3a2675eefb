"""Clean a corpus on Ray Data: the records of ``clean DIR --format jsonl``, on many cores or machines.

Needs the ``ray`` extra (``pip install 'cleaner[ray]'``); ``import cleaner`` never imports Ray.

>>> ds = clean_dataset("corpus/")                                    # doctest: +SKIP
>>> code = run_folder("local", ["corpus/"], "out.jsonl", num_cpus=8)  # doctest: +SKIP

:func:`clean_dataset` returns a lazy dataset with one row per document found, every column a string:

* ``id``: as the CLI names documents (:mod:`cleaner.walk`): the path relative to the folder given,
  ``/``-separated, or a file's path as given; with ``root=``, the path relative to ``root``;
* ``path``: the document as the CLI names it in its messages;
* ``status``: ``cleaned``, ``failed`` or ``skipped``, as the CLI counts them;
* ``record``: for a cleaned document its JSONL line, exactly as ``clean --format jsonl`` writes it
  (without the newline), so ``json.loads(row["record"])`` is ``serialize.to_record``'s dict; else
  empty. It is JSON text rather than nested columns so that Arrow never retypes a value (an
  all-``null`` outlet column, empty lists, ints among floats) and the bytes stay the CLI's;
* ``error``: empty, or the one-line reason the CLI prints as ``PATH: REASON`` (``PATH: skipped:
  REASON`` for a skipped one).

Failures stay rows, as in the CLI, where one bad file never stops the batch: a path that does not
exist or a folder that cannot be listed (the walk's failures), an unreadable file, an input the
cleaner refuses (``InputError``: empty, binary, undecodable...), running out of memory, a bug in the
cleaner (``internal error: ...``). Skipped: files larger than ``max_bytes`` and, unless
``follow_symlinks``, symbolic links inside folders. Only a file that vanishes or turns unreadable
between the walk and Ray's read fails the whole run (Ray's reader raises).

:func:`run_folder` is ``clean PATH... --format jsonl -o OUT`` on Ray: the same documents, records,
messages on stderr and exit codes, the output written whole through a temporary file and a rename.
Its lines are sorted by ``id``: for one flat folder that is the CLI's order, and the file is byte for
byte the CLI's. It keeps no manifest, so a later ``clean -o OUT`` re-run starts afresh (``--force``).

The files are read by the Ray workers (``ray.data.read_binary_files``), so on a cluster every node
must see them at the same path (a shared file system). Gzipped documents (``.gz``) are read as they
are and decompressed by the cleaner within ``max_bytes``, as the CLI does: Ray's reader would
decompress them by their extension with no limit, and stop the run at a broken one. Rule folders are
loaded once per worker process; a ``RuleSet`` object cannot cross processes, so ``rules`` takes folders.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .core import run
from .decode import DEFAULT_MAX_BYTES
from .errors import CleanerError, InputError
from .files import GZIP_MAGIC, AtomicFile, document_of, is_compressed, read_file
from .rules import RuleSet, default_rules, load_rules
from .serialize import to_record
from .walk import walk
from .worker import read_problem

PathLike = str | os.PathLike[str]
Dataset = Any  # ray.data.Dataset: Ray is optional, so the types do not name it
Row = tuple[str, str, str, str, str]  # id, path, status, record, error
COLUMNS = ("id", "path", "status", "record", "error")
EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2

_RULES: dict[tuple[str, ...], RuleSet] = {}


def _ray() -> Any:
    try:
        return importlib.import_module("ray")
    except ImportError:
        raise ImportError("cleaner.ray_data needs Ray: pip install 'cleaner[ray]'") from None


def _rules_for(rule_dirs: tuple[str, ...]) -> RuleSet:
    """The RuleSet of these folders, loaded once per process (Ray reuses its worker processes)."""
    ruleset = _RULES.get(rule_dirs)
    if ruleset is None:
        ruleset = load_rules(rule_dirs) if rule_dirs else default_rules()
        _RULES[rule_dirs] = ruleset
    return ruleset


def _rule_dirs(rules: PathLike | Sequence[PathLike] | None) -> tuple[str, ...]:
    """Absolute rule folders (Ray workers need not share the driver's working directory)."""
    if isinstance(rules, RuleSet):
        raise TypeError("rules: pass rule folders; a RuleSet cannot be sent to Ray workers")
    if isinstance(rules, str | os.PathLike):
        rules = [rules]
    return tuple(os.path.abspath(os.fspath(r)) for r in rules or ())


def clean_bytes(
    data: bytes, doc_id: str, ruleset: RuleSet, opts: dict[str, Any], max_size: int, path: str = ""
) -> tuple[str, str, str]:
    """(status, JSONL line without its newline, reason) of one document, as the CLI's worker decides;
    ``path``: the file whose raw bytes ``data`` are (decompressed here, within ``max_size``, for a
    ``.gz`` name), or empty for bytes that are the document already."""
    if max_size and len(data) > max_size:
        return "skipped", "", f"larger than --max-size ({len(data)} > {max_size} bytes)"
    try:
        data = document_of(data, path, max_size)
    except OSError as e:
        status, reason = read_problem(e, max_size)
        return status, "", reason
    try:
        result = run(data, ruleset, max_bytes=max_size, **opts)
        line = json.dumps(to_record(result, doc_id), ensure_ascii=False)
    except CleanerError as e:
        return "failed", "", str(e)
    except MemoryError:
        return "failed", "", "out of memory"
    except Exception as e:  # a bug must not stop the batch: one line, as the CLI says it
        return "failed", "", f"internal error: {type(e).__name__}: {e}"
    return "cleaned", line, ""


def _table(rows: Sequence[Row]) -> Any:
    pa = importlib.import_module("pyarrow")
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(COLUMNS)
    return pa.table({name: pa.array(list(col), pa.string()) for name, col in zip(COLUMNS, columns, strict=True)})


def _relative(path: str, root: str) -> str | None:
    rel = os.path.relpath(os.path.abspath(path), root)
    return None if rel == os.pardir or rel.startswith(os.pardir + os.sep) else Path(rel).as_posix()


def _name(path: str, names: dict[str, tuple[str, str]] | None, root: str | None) -> tuple[str, str]:
    """(id, path as the messages show it) of a file Ray read from ``path``."""
    if names is not None:
        found = names.get(path) or names.get(os.path.abspath(path))
        if found is not None:
            return found
    rel = None if root is None else _relative(path, root)
    return (path if rel is None else rel), path


def _clean_batch(
    batch: Any,
    *,
    names: dict[str, tuple[str, str]] | None,
    root: str | None,
    rule_dirs: tuple[str, ...],
    opts: dict[str, Any],
    max_size: int,
) -> Any:
    """A pyarrow Table of ``bytes`` and ``path`` -> a Table of id, path, status, record, error.

    With ``names`` (files :func:`_build` found), a ``.gz`` file comes without its bytes and is read
    here as the CLI reads it (decompressed within ``max_size``; a problem is its row's error). In a
    dataset of the caller's, Ray's reader has decompressed ``.gz`` files already (it does so by their
    extension), unless their bytes still are gzip data."""
    ruleset = _rules_for(rule_dirs)
    rows: list[Row] = []
    for data, path in zip(batch.column("bytes").to_pylist(), batch.column("path").to_pylist(), strict=True):
        doc_id, shown = _name(path, names, root)
        data = data or b""
        if names is not None and is_compressed(path):
            try:
                data = read_file(path, max_size)[0]
            except OSError as e:
                status, reason = read_problem(e, max_size)
                rows.append((doc_id, shown, status, "", reason))
                continue
        packed = names is None and data.startswith(GZIP_MAGIC)
        status, record, error = clean_bytes(data, doc_id, ruleset, opts, max_size, path if packed else "")
        rows.append((doc_id, shown, status, record, error))
    return _table(rows)


def _plan(
    paths: Sequence[PathLike], root: str | None, max_size: int, follow_symlinks: bool
) -> tuple[dict[str, tuple[str, str]], list[Row], list[Row]]:
    """The CLI's walk: {absolute file: (id, shown path)} for Ray to read, the rows of the walk's own
    failures and skips (not found, symbolic links), and the rows decided without reading (too large,
    unreadable)."""
    found = walk([os.fspath(p) for p in paths], follow_symlinks=follow_symlinks)
    walked = [(p, p, "failed", "", why) for p, why in found.failed]
    walked += [(p, p, "skipped", "", why) for p, why in found.skipped]
    decided: list[Row] = []
    files: dict[str, tuple[str, str]] = {}
    for src in found.sources:
        shown = str(src.path)
        rel = None if root is None else _relative(shown, root)
        doc_id = src.id if rel is None else rel
        if max_size and src.size > max_size:
            decided.append((doc_id, shown, "skipped", "", f"larger than --max-size ({src.size} > {max_size} bytes)"))
        elif not os.access(src.path, os.R_OK):
            decided.append((doc_id, shown, "failed", "", "cannot read (Permission denied)"))
        else:
            files.setdefault(os.path.abspath(src.path), (doc_id, shown))
    return files, walked, decided


def _build(
    source: PathLike | Sequence[PathLike] | Dataset,
    *,
    root: PathLike | None,
    rules: PathLike | Sequence[PathLike] | None,
    kind: str | None,
    encoding: str | None,
    url: str | None,
    max_bytes: int,
    follow_symlinks: bool,
    batch_size: int | None,
) -> tuple[Dataset | None, list[Row]]:
    """The dataset of the documents found (None when there is none) and the rows of the walk."""
    ray = _ray()
    rule_dirs = _rule_dirs(rules)
    _rules_for(rule_dirs)  # a malformed rule file fails here, once, not in every worker
    opts = {k: v for k, v in (("kind", kind), ("encoding", encoding), ("url", url)) if v}
    top = None if root is None else os.path.abspath(os.fspath(root))
    names: dict[str, tuple[str, str]] | None = None
    walked: list[Row] = []
    decided: list[Row] = []
    if isinstance(source, str | os.PathLike):
        source = [source]
    if isinstance(source, Sequence) and all(isinstance(p, str | os.PathLike) for p in source):
        names, walked, decided = _plan(source, top, max_bytes, follow_symlinks)
        plain = sorted(p for p in names if not is_compressed(p))
        packed = sorted(p for p in names if is_compressed(p))
        reads = [ray.data.read_binary_files(plain, include_paths=True)] if plain else []
        if packed:  # read by _clean_batch: Ray would decompress them with no size limit, and stop at a broken one
            reads.append(ray.data.from_items([{"bytes": b"", "path": p} for p in packed]))
        read = (reads[0] if len(reads) == 1 else reads[0].union(reads[1])) if reads else None
    else:
        read = source
    parts = []
    if read is not None:
        kwargs = {"names": names, "root": top, "rule_dirs": rule_dirs, "opts": opts, "max_size": max_bytes}
        parts.append(read.map_batches(_clean_batch, batch_format="pyarrow", batch_size=batch_size, fn_kwargs=kwargs))
    if decided:
        parts.append(ray.data.from_arrow(_table(decided)))
    if not parts:
        return None, walked
    return (parts[0] if len(parts) == 1 else parts[0].union(*parts[1:])), walked


def clean_dataset(
    source: PathLike | Sequence[PathLike] | Dataset,
    *,
    root: PathLike | None = None,
    rules: PathLike | Sequence[PathLike] | None = None,
    kind: str | None = None,
    encoding: str | None = None,
    url: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    follow_symlinks: bool = False,
    batch_size: int | None = 32,
) -> Dataset:
    """A lazy ``ray.data.Dataset`` of cleaned documents: columns ``id``, ``path``, ``status``,
    ``record``, ``error`` (see the module's doc).

    ``source`` is a file or folder, or a list of them, found as the CLI finds them (folders
    recursively, documents by the CLI's suffixes, hidden names left out); or a Ray Dataset with
    ``bytes`` and ``path`` columns, as ``ray.data.read_binary_files(..., include_paths=True)`` makes
    (give ``root``, or its ids are its absolute paths). ``root`` makes ids relative to that folder.
    ``rules`` are extra rule folders; ``kind``, ``encoding``, ``url`` and ``max_bytes`` as for
    ``clean()`` (``max_bytes`` is also the CLI's ``--max-size``: larger files are skipped).
    Raises ``RuleError`` for a malformed rule folder and ``InputError`` when nothing is found (the
    CLI's "nothing to clean").
    """
    ds, walked = _build(
        source,
        root=root,
        rules=rules,
        kind=kind,
        encoding=encoding,
        url=url,
        max_bytes=max_bytes,
        follow_symlinks=follow_symlinks,
        batch_size=batch_size,
    )
    if ds is None:
        said = "; ".join(f"{shown}: {error}" for _, shown, _, _, error in walked)
        raise InputError("nothing to clean" + (f" ({said})" if said else ""))
    if walked:
        ds = ds.union(_ray().data.from_arrow(_table(walked)))
    return ds


def init_ray(address: str | None, num_cpus: int | None = None) -> bool:
    """Connect to Ray as ``address`` says; True when this call started Ray (and so should stop it).

    Ray's own conventions: ``"local"`` starts a new Ray on this machine (with ``num_cpus`` cores,
    default all); ``"auto"`` joins the cluster already running here (``ray start``, or the one
    ``RAY_ADDRESS`` names) and fails when there is none; ``None`` or ``""`` joins one if there is one,
    else starts one; ``"HOST:PORT"`` joins the cluster whose head is there, ``"ray://HOST:PORT"``
    through the Ray Client. Nothing happens when Ray is already initialised in this process.
    """
    ray = _ray()
    if ray.is_initialized():
        return False
    kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
    if address == "local" and num_cpus is not None:
        kwargs["num_cpus"] = num_cpus
    ray.init(address=address or None, logging_level=logging.WARNING, **kwargs)
    return True


def _hush(progress: bool) -> None:
    """Ray Data's progress on stderr only when asked and on a terminal; its INFO lines never (CLI use)."""
    data = _ray().data
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    logging.getLogger("ray.data._internal.progress").setLevel(logging.ERROR)  # "progress bars disabled"
    data.DataContext.get_current().enable_progress_bars = progress


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def run_folder(
    address: str | None,
    paths: PathLike | Sequence[PathLike],
    output_jsonl: PathLike,
    *,
    rules: PathLike | Sequence[PathLike] | None = None,
    kind: str | None = None,
    encoding: str | None = None,
    url: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    follow_symlinks: bool = False,
    force: bool = False,
    quiet: bool = False,
    num_cpus: int | None = None,
    log: Callable[[str], None] = _say,
) -> int:
    """``clean PATHS --format jsonl -o OUTPUT`` on Ray at ``address`` (see :func:`init_ray`); the CLI's
    exit code.

    Ray is stopped at the end only if this call started it. Lines are sorted by id (then path) and
    written to a temporary file beside ``output_jsonl``, renamed over it when complete. Each problem
    is said through ``log`` (default: stderr) as ``PATH: REASON``, skips as ``PATH: skipped: REASON``
    (not with ``quiet``), a usage error as ``clean: ...``. Returns 0 when no document failed, 1 when
    some did (the others are written), 2 for a usage or rule error, nothing to clean, Ray not
    installed or not reachable (nothing written).
    """
    out = Path(output_jsonl)
    try:
        _rules_for(_rule_dirs(rules))
    except CleanerError as e:
        log(f"clean: {e}")
        return EXIT_USAGE
    if out.is_dir():
        log(f"clean: {out} is a folder; --format jsonl writes a file")
        return EXIT_USAGE
    if out.exists() and not force:
        log(f"clean: {out} exists; use --force to overwrite it")
        return EXIT_USAGE
    try:
        started = init_ray(address, num_cpus)
    except ImportError as e:
        log(f"clean: {e}")
        return EXIT_USAGE
    except (ConnectionError, ValueError, RuntimeError) as e:
        log(f"clean: cannot start or reach Ray at {address!r}: {e}")
        return EXIT_USAGE
    try:
        _hush(progress=not quiet and sys.stderr.isatty())
        ds, walked = _build(
            [paths] if isinstance(paths, str | os.PathLike) else paths,
            root=None,
            rules=rules,
            kind=kind,
            encoding=encoding,
            url=url,
            max_bytes=max_bytes,
            follow_symlinks=follow_symlinks,
            batch_size=32,
        )
        failed = _report(walked, log, quiet)
        if ds is None:
            log("clean: nothing to clean")
            return EXIT_USAGE
        failed += _write_sorted(ds, out, log, quiet)
    finally:
        if started:
            _ray().shutdown()
    return EXIT_SOME_FAILED if failed else EXIT_OK


def _report(rows: Sequence[Row] | Sequence[dict[str, str]], log: Callable[[str], None], quiet: bool) -> int:
    """Say each failed or skipped document; the number failed."""
    failed = 0
    for row in rows:
        _, shown, status, _, error = row if isinstance(row, tuple) else (row[c] for c in COLUMNS)
        if status == "failed":
            failed += 1
            log(f"{shown}: {error}")
        elif status == "skipped" and not quiet:
            log(f"{shown}: skipped: {error}")
    return failed


def _write_sorted(ds: Dataset, out: Path, log: Callable[[str], None], quiet: bool) -> int:
    """Stream the records sorted by (id, path) into ``out``, atomically; the number failed."""
    f = AtomicFile(out)
    failed = 0
    try:
        for row in ds.sort(["id", "path"]).iter_rows():
            if row["status"] == "cleaned":
                f.write((row["record"] + "\n").encode("utf-8"))
            else:
                failed += _report([row], log, quiet)
    except BaseException:
        f.discard()
        raise
    f.commit()
    return failed

"""Clean one document of a batch, in a worker process or in the main one.

A worker reads the file once, hashes it (a document whose hash is the one the manifest holds is
reported ``unchanged`` without being cleaned), cleans it and serialises the outputs the batch asked
for, so that the main process only writes strings to disk.
"""

from __future__ import annotations

import gc
import hashlib
import json
import signal
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from .errors import CleanerError
from .files import BadCompression, FileTooLarge, NotAFile, atomic_write, read_file, safe_target

if TYPE_CHECKING:
    from .result import CleanResult
    from .rules import RuleSet


@attrs.frozen
class Settings:
    """What every document of a batch is cleaned and serialised with."""

    payloads: tuple[str, ...]
    """Outputs to serialise: ``txt``, ``json`` (indented record), ``jsonl`` (one line), ``dolma``."""
    options: Mapping[str, Any] = attrs.field(factory=dict)
    """``kind``, ``encoding``, ``url`` for ``run()``."""
    max_size: int = 64 * 1024 * 1024
    explain: bool = False
    dolma_source: str = "cleaner"
    write_root: str | None = None
    """A mirrored output folder: each worker writes its documents' files there itself (in parallel)."""


@attrs.frozen
class Job:
    path: str
    id: str
    known_sha256: str | None = None
    """The hash the manifest holds: the same bytes are reported unchanged, not cleaned again."""
    writes: tuple[tuple[str, str], ...] = ()
    """(payload, path inside ``Settings.write_root``) to write; the outcome then carries no payloads."""


@attrs.frozen
class Outcome:
    id: str
    status: str
    """``cleaned``, ``unchanged``, ``failed`` or ``skipped``."""
    error: str = ""
    sha256: str = ""
    size: int = 0
    """The file's size and modification time as read (the manifest's quick check of a re-run)."""
    mtime_ns: int = 0
    payloads: Mapping[str, str] = attrs.field(factory=dict)
    stats: Mapping[str, Any] = attrs.field(factory=dict)
    explain: tuple[str, ...] = ()


_RULES: RuleSet | None = None
_SETTINGS: Settings | None = None


def setup(ruleset: RuleSet | None, rule_dirs: Sequence[str], settings: Settings) -> None:
    """Make this process ready to clean (in a pool: its initializer; a forked worker inherits the rules)."""
    global _RULES, _SETTINGS
    if ruleset is None:
        from .rules import default_rules, load_rules

        ruleset = load_rules(rule_dirs) if rule_dirs else default_rules()
    _RULES, _SETTINGS = ruleset, settings


def init_pool_worker(ruleset: RuleSet | None, rule_dirs: Sequence[str], settings: Settings) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C and stops the pool
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    setup(_RULES if _RULES is not None else ruleset, rule_dirs, settings)


def warm_up() -> None:
    """Load what the first document would (language profiles, outlet index) before forking workers."""
    from .core import run

    assert _RULES is not None
    run(b"The council met on Monday to discuss the budget for the coming year.\n", _RULES)
    # What is loaded now lives as long as the process: out of the garbage collector's sight, it is not
    # walked again by every full collection, nor copied into forked workers when one would touch it.
    gc.freeze()


def stats(result: CleanResult, size: int) -> dict[str, Any]:
    return {
        "bytes_in": size,
        "bytes_removed": sum(r.end - r.start for r in result.removed),
        "rules": dict(Counter(r.rule for r in result.removed)),
        "language": result.language,
        "outlet": result.outlet.name if result.outlet else None,
    }


def _payloads(result: CleanResult, data: bytes, job: Job, mtime_ns: int, settings: Settings) -> dict[str, str]:
    from .dolma import dolma_rows
    from .serialize import to_record

    out: dict[str, str] = {}
    record = to_record(result, job.id) if {"json", "jsonl"} & set(settings.payloads) else {}
    for kind in settings.payloads:
        if kind == "txt":
            out[kind] = result.text + "\n"
        elif kind == "json":
            out[kind] = json.dumps(record, ensure_ascii=False, indent=2) + "\n"
        elif kind == "jsonl":
            out[kind] = json.dumps(record, ensure_ascii=False) + "\n"
        elif kind == "dolma":
            doc, attrs_row = dolma_rows(result, data, job.id, settings.dolma_source, mtime_ns)
            out["dolma"] = json.dumps(doc, ensure_ascii=False) + "\n"
            out["dolma_attributes"] = json.dumps(attrs_row, ensure_ascii=False) + "\n"
    return out


def read_problem(e: OSError, max_size: int) -> tuple[str, str]:
    """(status, reason) of a document that :func:`~cleaner.files.read_file` could not read, as the
    batch says it: ``skipped`` when it is over the size limit, else ``failed``."""
    if isinstance(e, FileTooLarge):
        if e.decompressed:
            cap = f"--max-size ({e.limit} bytes)" if max_size else f"{e.limit} bytes (the cap without --max-size)"
            return "skipped", f"larger than {cap} once decompressed"
        return "skipped", f"larger than --max-size ({max_size} bytes)"
    if isinstance(e, FileNotFoundError):
        return "failed", "vanished before it could be read"
    if isinstance(e, NotAFile | BadCompression):
        return "failed", str(e)
    return "failed", f"cannot read ({e.strerror or e})"


def process(job: Job) -> Outcome:
    """Read, hash, clean and serialise one document; never raises for a bad document."""
    from .core import run  # here, not at the top: a run that only skips never loads the pipeline
    from .serialize import explain_lines

    assert _RULES is not None and _SETTINGS is not None, "setup() first"
    settings = _SETTINGS
    try:
        data, st = read_file(job.path, settings.max_size)
    except OSError as e:
        return Outcome(job.id, *read_problem(e, settings.max_size))
    sha = hashlib.sha256(data).hexdigest()
    if sha == job.known_sha256:
        return Outcome(job.id, "unchanged", sha256=sha, size=st.st_size, mtime_ns=st.st_mtime_ns)
    try:
        result = run(data, _RULES, max_bytes=settings.max_size, **settings.options)
        payloads = _payloads(result, data, job, st.st_mtime_ns, settings)
    except CleanerError as e:
        return Outcome(job.id, "failed", str(e))
    except MemoryError:
        return Outcome(job.id, "failed", "out of memory")
    except Exception as e:  # a bug must not stop the batch: report it on one line
        return Outcome(job.id, "failed", f"internal error: {type(e).__name__}: {e}")
    if settings.write_root is not None and job.writes:
        try:
            for kind, rel in job.writes:
                atomic_write(safe_target(Path(settings.write_root), rel), payloads.pop(kind).encode("utf-8"))
        except OSError as e:
            return Outcome(job.id, "failed", f"cannot write its output ({e.strerror or e})")
    return Outcome(
        job.id,
        "cleaned",
        sha256=sha,
        size=st.st_size,
        mtime_ns=st.st_mtime_ns,
        payloads=payloads,
        stats=stats(result, len(data)),
        explain=tuple(explain_lines(result, job.path)) if settings.explain else (),
    )


def process_many(jobs: Sequence[Job]) -> list[Outcome]:
    """:func:`process` each of ``jobs``, in order: one task of a worker pool."""
    return [process(job) for job in jobs]

"""Clean many documents: find them, skip the unchanged ones, clean the rest in parallel, write, sum up.

The steps, in order: walk the inputs (:mod:`cleaner.walk`); refuse outputs that would be unsafe;
decide for each document from the manifest (:mod:`cleaner.manifest`) whether it is unchanged; clean
the others in worker processes (:mod:`cleaner.worker`, results come back in input order); hand each
document to its sink (:mod:`cleaner.sinks`); say problems, progress and a summary on stderr
(:mod:`cleaner.report`). Rules are loaded only if something has to be cleaned.

Memory does not grow with the number of documents: the walk and the plan (what to do with each
document) are spooled to disk and read again in order, at most ``AHEAD`` tasks per worker are
handed out before their results are taken, each document's output is written as it comes, and the
summary is counts. What does grow, slowly: the manifest of the previous run (an offset per document,
:mod:`cleaner.manifest`), the listing of the folder being walked, and when several paths are given,
a set of the ids (and of the output names) to refuse clashes between them.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import attrs

from .errors import RuleError
from .files import Spool, overlaps
from .manifest import Manifest, config_key, manifest_for
from .report import Progress, Summary
from .sinks import DolmaSink, JsonlSink, MirrorSink, Missing, Sink, StdoutSink
from .walk import Found, Source, walk
from .worker import Job, Outcome, Settings, init_pool_worker, process, process_many, setup, warm_up

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    from .rules import RuleSet

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
AHEAD = 4
"""Tasks handed to the worker pool per worker before the first result is taken."""
CLEAN, HASH, KEEP = "clean", "hash", "keep"
"""What the plan says of a document: clean it; hash it (unchanged if its bytes are); keep it as it is."""


class UsageError(Exception):
    """A problem with the command itself: said on one line, exit code 2."""


@attrs.frozen
class Request:
    paths: tuple[str, ...]
    out: Path | None = None
    fmt: str = "txt"
    """``txt``, ``json``, ``jsonl``, ``dolma``, or ``mirror`` (txt and json side by side)."""
    rule_dirs: tuple[str, ...] = ()
    options: dict[str, Any] = attrs.field(factory=dict)
    max_size: int = 64 * 1024 * 1024
    jobs: int = 0
    explain: bool = False
    force: bool = False
    quiet: bool = False
    follow_symlinks: bool = False
    dolma_source: str | None = None


def cpu_count() -> int:
    """The cores this process may use."""
    counter = getattr(os, "process_cpu_count", None)  # Python 3.13+
    if counter is not None:
        return int(counter() or 1)
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _payloads(fmt: str) -> tuple[str, ...]:
    return {"mirror": ("txt", "json"), "dolma": ("dolma",)}.get(fmt, (fmt,))


def _several(req: Request) -> bool:
    """Whether the documents come from several paths: only then can two have the same id."""
    return len(req.paths) > 1


def _check_output(req: Request, found: Found) -> None:
    """Refuse, before anything is written, outputs that would overwrite or loop into the inputs."""
    out = req.out
    if out is None:
        if req.fmt == "dolma":
            raise UsageError("--format dolma writes a folder: give it with -o")
        return
    folders = [Path(p) for p in req.paths if Path(p).is_dir()]
    if req.fmt == "jsonl":
        if out.is_dir():
            raise UsageError(f"{out} is a folder; --format jsonl writes a file")
        if any(out.resolve() == s.path.resolve() for s in found.sources):
            raise UsageError(f"{out} is one of the inputs; it is never overwritten")
        if out.exists() and not req.force and not manifest_for(out, False).is_file():
            raise UsageError(f"{out} exists; use --force to overwrite it")
        return
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} is a file; this output format writes a folder (or give --format jsonl)")
    for folder in folders:
        if overlaps(out, folder):
            raise UsageError(f"output folder {out} overlaps input folder {folder}; choose a folder outside it")
    if not _several(req):  # one folder's ids are its paths, all different
        return
    ids: set[str] = set()
    for s in found.sources:
        if s.id in ids:
            first = next(t.path for t in found.sources if t.id == s.id)
            raise UsageError(f"{first} and {s.path} would both be written as {s.id}; clean them separately")
        ids.add(s.id)


def _sink(req: Request) -> Sink:
    if req.out is None:
        return StdoutSink(req.fmt, quiet_records=req.explain)
    folder = req.fmt != "jsonl"
    manifest = Manifest(manifest_for(req.out, folder))
    if req.fmt == "jsonl":
        return JsonlSink(req.out, manifest)
    if req.fmt == "dolma":
        return DolmaSink(req.out, manifest)
    return MirrorSink(req.out, _payloads(req.fmt), manifest)


def _dolma_source(req: Request) -> str:
    if req.dolma_source:
        return req.dolma_source
    folders = [Path(p).resolve().name for p in req.paths if Path(p).is_dir()]
    return folders[0] if folders else "cleaner"


class Batch:
    def __init__(self, req: Request):
        self.req = req
        self.summary = Summary()
        self.settings = Settings(
            payloads=_payloads(req.fmt),
            options=req.options,
            max_size=req.max_size,
            explain=req.explain,
            dolma_source=_dolma_source(req) if req.fmt == "dolma" else "cleaner",
            write_root=str(req.out) if req.out is not None and req.fmt in ("mirror", "txt", "json") else None,
        )
        self.key = ""
        self._rules: RuleSet | None = None

    def ruleset(self) -> RuleSet:
        if self._rules is None:
            from .rules import default_rules, load_rules

            self._rules = load_rules(self.req.rule_dirs) if self.req.rule_dirs else default_rules()
            setup(self._rules, self.req.rule_dirs, self.settings)
        return self._rules

    def run(self) -> int:
        req = self.req
        found = walk(req.paths, follow_symlinks=req.follow_symlinks)
        try:
            return self._run(found)
        finally:
            found.sources.close()

    def _run(self, found: Found) -> int:
        req = self.req
        for path, why in found.failed:
            print(f"{path}: {why}", file=sys.stderr)
        if not req.quiet:
            for path, why in found.skipped:
                print(f"{path}: skipped: {why}", file=sys.stderr)
        self.summary.failed += len(found.failed)
        self.summary.skipped += len(found.skipped)
        if not found.sources:
            raise UsageError("nothing to clean")
        _check_output(req, found)
        sink = _sink(req)
        sink.prepare(found.sources, _several(req))
        if sink.manifest is not None:
            self.key = config_key(
                req.rule_dirs, {**req.options, "format": req.fmt, "source": self.settings.dolma_source}
            )
        plan = Spool()
        try:
            todo = self._plan(found.sources, sink, plan)
            if todo:
                self.ruleset()  # a malformed rule file stops the run before anything is written
            sink.start((src, what != KEEP) for src, what in _read_plan(plan))
            progress = Progress(len(plan), enabled=not req.quiet)
            with Deferred() as stop:
                try:
                    self._execute(plan, todo, sink, progress, stop)
                    stop.check()
                    sink.finish()
                except BaseException:
                    progress.clear()
                    sink.abort()
                    raise
            progress.clear()
        finally:
            plan.close()
        many = len(found.sources) + len(found.failed) + len(found.skipped) > 1
        if not req.quiet and (req.out is not None or many):
            for line in self.summary.lines():
                print(line, file=sys.stderr)
        return EXIT_SOME_FAILED if self.summary.failed else EXIT_OK

    def _plan(self, sources: Iterable[Source], sink: Sink, plan: Spool) -> int:
        """Spool (source, what to do) for each document not skipped; return how many are to be read."""
        manifest = sink.manifest
        todo = 0
        for src in sources:
            if self.req.max_size and src.size > self.req.max_size:
                self._say_skipped(src, f"larger than --max-size ({src.size} > {self.req.max_size} bytes)")
                continue
            entry = manifest.get(src.id) if manifest is not None else None
            usable = (
                entry is not None
                and not self.req.force
                and not self.req.explain
                and entry.get("config") == self.key
                and sink.has_outputs(src, entry)
            )
            if usable and entry is not None and (entry.get("size"), entry.get("mtime_ns")) == (src.size, src.mtime_ns):
                what = KEEP
            elif usable and entry is not None and entry.get("size") == src.size:
                what = HASH
            else:
                what = CLEAN
            todo += what != KEEP
            plan.append([src.row(), what])
        return todo

    def _job(self, src: Source, sink: Sink, known_sha256: str | None = None) -> Job:
        writes = tuple(zip(self.settings.payloads, sink.outputs(src), strict=True)) if self.settings.write_root else ()
        return Job(str(src.path), src.id, known_sha256, writes)

    def _jobs(self, plan: Spool, sink: Sink) -> Iterator[Job]:
        for src, what in _read_plan(plan):
            if what == HASH:
                entry = _entry(sink, src)
                yield self._job(src, sink, entry.get("sha256") if entry is not None else None)
            elif what == CLEAN:
                yield self._job(src, sink)

    def _say_skipped(self, src: Source, why: str) -> None:
        self.summary.skipped += 1
        if not self.req.quiet:
            print(f"{src.path}: skipped: {why}", file=sys.stderr)

    def _results(self, jobs: Iterator[Job], todo: int) -> tuple[Iterator[Outcome], ProcessPoolExecutor | None]:
        workers = min(self.req.jobs or cpu_count(), todo)
        if workers <= 1:
            return map(process, jobs), None
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        fork = sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
        if fork:
            warm_up()  # forked workers start with the rules, profiles and indexes already loaded
        pool = ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("fork" if fork else "spawn"),
            initializer=init_pool_worker,
            initargs=(None, self.req.rule_dirs, self.settings),
        )
        chunk = max(1, min(32, todo // (workers * 8)))
        return _in_order(pool, jobs, chunk, workers * AHEAD), pool

    def _execute(self, plan: Spool, todo: int, sink: Sink, progress: Progress, stop: Deferred) -> None:
        results, pool = self._results(self._jobs(plan, sink), todo) if todo else (iter(()), None)
        try:
            for src, what in _read_plan(plan):
                stop.check()
                if what == KEEP:
                    kept = _entry(sink, src)
                    try:
                        if kept is None:
                            raise Missing(src.id)
                        sink.keep(src, kept, restat=False)
                        self.summary.add(kept.get("stats", {}), unchanged=True)
                    except Missing:
                        self.ruleset()
                        self._handle(src, process(self._job(src, sink)), None, sink, progress)
                else:
                    entry = _entry(sink, src) if what == HASH else None
                    self._handle(src, next(results), entry, sink, progress)
                progress.advance()
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)

    def _handle(
        self, src: Source, outcome: Outcome, entry: dict[str, Any] | None, sink: Sink, progress: Progress
    ) -> None:
        if outcome.status == "unchanged" and entry is not None:
            entry = {**entry, "size": outcome.size, "mtime_ns": outcome.mtime_ns}
            try:
                sink.keep(src, entry, restat=True)
                self.summary.add(entry.get("stats", {}), unchanged=True)
                return
            except Missing:
                self.ruleset()
                outcome = process(self._job(src, sink))
        if outcome.status in ("failed", "skipped"):
            sink.drop(src)
            if outcome.status == "failed":
                self.summary.failed += 1
                progress.say(f"{src.path}: {outcome.error}")
            else:
                self.summary.skipped += 1
                if not self.req.quiet:
                    progress.say(f"{src.path}: skipped: {outcome.error}")
            return
        for line in outcome.explain:
            print(line)
        new = {
            "id": src.id,
            "path": str(src.path),
            "size": outcome.size,
            "mtime_ns": outcome.mtime_ns,
            "sha256": outcome.sha256,
            "config": self.key,
            "outputs": sink.outputs(src),
            "stats": dict(outcome.stats),
        }
        try:
            sink.write(src, outcome, new)
        except OSError as e:
            sink.drop(src)
            self.summary.failed += 1
            progress.say(f"{src.path}: cannot write its output ({e.strerror or e})")
            return
        self.summary.add(outcome.stats)


class Deferred:
    """Ctrl-C and SIGTERM stop the batch between two documents, never halfway through a write.

    The first signal sets a flag that :meth:`check` turns into KeyboardInterrupt; a second one
    interrupts at once (temporary files it leaves are removed by the next run).
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.requested = False
        self._old: dict[int, Any] = {}

    def __enter__(self) -> Deferred:
        if threading.current_thread() is threading.main_thread():
            for sig in self.SIGNALS:
                if signal.getsignal(sig) is not signal.SIG_IGN:
                    self._old[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def check(self) -> None:
        if self.requested:
            raise KeyboardInterrupt

    def __exit__(self, *exc: object) -> None:
        for sig, old in self._old.items():
            signal.signal(sig, old)


def run_batch(req: Request) -> int:
    """Run a batch; usage and rule errors become one line and exit code 2, Ctrl-C exit code 130."""
    try:
        return Batch(req).run()
    except (UsageError, RuleError) as e:
        print(f"clean: {e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("clean: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _read_plan(plan: Spool) -> Iterator[tuple[Source, str]]:
    for row, what in plan:
        yield Source.from_row(row), what


def _entry(sink: Sink, src: Source) -> dict[str, Any] | None:
    """The manifest entry the plan found for a document it keeps or hashes (read again: it is still there)."""
    return sink.manifest.get(src.id) if sink.manifest is not None else None


def _in_order(pool: ProcessPoolExecutor, jobs: Iterator[Job], chunk: int, ahead: int) -> Iterator[Outcome]:
    """The outcomes of ``jobs`` in order, from tasks of ``chunk`` jobs with at most ``ahead`` tasks in flight."""
    pending: deque[Future[list[Outcome]]] = deque()

    def submit() -> None:
        batch = list(islice(jobs, chunk))
        if batch:
            pending.append(pool.submit(process_many, batch))

    for _ in range(ahead):
        submit()
    while pending:
        outcomes = pending.popleft().result()
        submit()
        yield from outcomes

#!/usr/bin/env python3
"""Text-mode throughput of ``cleaner.clean()`` on one core.

    python benchmarks/bench_text.py [DIR] [--repeat N] [--profile]

Loads every ``.txt`` under DIR (default: the shared benchmark's text articles), loads the rules and
the language profiles (timed and reported apart), warms up with one pass, then times ``clean()``
in-process over all documents ``--repeat`` times and prints docs/s, MB/s, the time spent in each
stage, peak memory and a size-scaling check (one document of 10 KB ... 10 MB made of all of them).
``--profile`` adds the cProfile functions with the largest cumulative times.
No assertions: this prints numbers for people to compare.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import statistics
import sys
import time
import tracemalloc
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import cleaner  # noqa: E402
from cleaner import core, judge, language  # noqa: E402
from cleaner.rules import default_rules  # noqa: E402

DEFAULT_DIR = REPO.parent / "shared" / "bench" / "articles" / "text"
STAGES = ("decode", "segment", "judge", "assemble", "language", "outlet", "result")
SIZES = (10_000, 100_000, 1_000_000, 10_000_000)


def one_core() -> str:
    """Pin the process to one CPU so the numbers mean 'one core'."""
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity)"


def timed_pass(docs: list[bytes]) -> float:
    """CPU seconds of one pass: on a shared machine, wall time also counts other processes' turns."""
    t0 = time.process_time()
    for data in docs:
        cleaner.clean(data)
    return time.process_time() - t0


def cold_pass(data: bytes) -> float:
    """CPU seconds of cleaning ``data`` with the judge's line memo emptied first, so that the time of a
    big document is not cut by lines that an earlier run left there."""
    judge._assessor.cache_clear()
    return timed_pass([data])


def stage_pass(docs: list[bytes]) -> dict[str, float]:
    """CPU seconds per stage of the real pipeline (``core.run`` reports the end of each stage)."""
    clock = time.process_time
    spent: dict[str, float] = defaultdict(float)
    ruleset = core.resolve_rules(None)
    last = 0.0

    def done(stage: str) -> None:
        nonlocal last
        now = clock()
        spent[stage] += now - last
        last = now

    for data in docs:
        last = clock()
        core.run(data, ruleset, done=done)
    return spent


def concatenated(docs: list[bytes], size: int) -> bytes:
    """One document of about ``size`` bytes: all documents one after another (again if need be), cut
    after a line. Not one document repeated: the judge remembers lines it has seen (``cold_pass``)."""
    unit = b"".join(d if d.endswith(b"\n") else d + b"\n" for d in docs)
    data = unit * (size // len(unit) + 1)
    return data[: data.rfind(b"\n", 0, size) + 1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", nargs="?", default=str(DEFAULT_DIR), help="folder of .txt documents")
    ap.add_argument("--repeat", type=int, default=3, help="timed passes over all documents (default 3)")
    ap.add_argument("--profile", action="store_true", help="also print cProfile cumulative times")
    args = ap.parse_args()

    paths = sorted(Path(args.dir).rglob("*.txt"))
    if not paths:
        print(f"no .txt files under {args.dir}", file=sys.stderr)
        return 1
    docs = [p.read_bytes() for p in paths]
    total_mb = sum(map(len, docs)) / 1e6
    print(f"{len(docs)} documents, {total_mb:.2f} MB, {one_core()}, Python {sys.version.split()[0]}")

    # Start-up costs, paid once per process.
    t0 = time.perf_counter()
    default_rules()
    t1 = time.perf_counter()
    language.detect("The council met on Monday to discuss the budget for next year and the roads.")
    t2 = time.perf_counter()
    print(f"start-up: rules {1e3 * (t1 - t0):.0f} ms, language profiles {1e3 * (t2 - t1):.0f} ms")

    cold = timed_pass(docs)
    print(f"first pass (warm-up): {len(docs) / cold:.0f} docs/s")
    wall0 = time.perf_counter()
    times = [timed_pass(docs) for _ in range(args.repeat)]
    wall = (time.perf_counter() - wall0) / args.repeat
    best, median = min(times), statistics.median(times)
    print(
        f"clean() CPU time: best {len(docs) / best:.0f} docs/s, {total_mb / best:.2f} MB/s, "
        f"{1e3 * best / len(docs):.2f} ms/doc; median {len(docs) / median:.0f} docs/s over {args.repeat} passes"
    )
    print(f"clean() wall time: {len(docs) / wall:.0f} docs/s (lower when other processes share the core)")

    # Per stage, the best of the passes: other processes' turns only ever add time.
    passes = [stage_pass(docs) for _ in range(args.repeat)]
    spent = {name: min(p[name] for p in passes) for name in STAGES}
    whole = sum(spent.values())
    print(f"stages (best of {args.repeat} passes):")
    for name in STAGES:
        print(
            f"  {name:<9} {1e3 * spent[name]:8.1f} ms  {100 * spent[name] / whole:5.1f}%  "
            f"{1e6 * spent[name] / len(docs):7.0f} us/doc"
        )

    tracemalloc.start()
    timed_pass(docs)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"memory: peak traced during a pass {peak / 1e6:.1f} MB, process max RSS {rss:.0f} MB")

    print("size scaling (all documents as one, line memo emptied before each run):")
    for size in SIZES:
        data = concatenated(docs, size)
        t = min(cold_pass(data) for _ in range(3 if size <= 1_000_000 else 1))
        print(f"  {len(data) / 1e6:8.2f} MB  {1e3 * t:9.1f} ms  {1e3 * t / (len(data) / 1e6):7.1f} ms/MB")

    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        timed_pass(docs)
        prof.disable()
        print("cProfile, one pass, by cumulative time:")
        pstats.Stats(prof, stream=sys.stdout).strip_dirs().sort_stats("cumulative").print_stats(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())

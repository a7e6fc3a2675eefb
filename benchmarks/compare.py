#!/usr/bin/env python3
"""Cleaner against the usual extractors, on the same pages in one run: F1, speed, memory.

    python benchmarks/compare.py [--bench DIR] [--mode html|text|both] [--limit N] [--repeat N]
                                 [--tools ours,trafilatura,...] [--json OUT]
    python benchmarks/compare.py --scaling [--mode ...] [--files 100,10000] [--jobs 1]

Each tool runs in a subprocess of its own (pinned to one CPU, so a row is one core's work and its
peak RSS is its own): it loads the documents, sets up, cleans the first few once to warm up, then
calls the tool's library API in-process over every document ``--repeat`` times. Speeds come from the
best pass's CPU time (on a shared machine wall time also counts other processes' turns). Scores are
``score.py``'s of the shared benchmark (imported from ``--bench``): 4-gram shingles per document,
precision and recall averaged over documents, F1 from those means.

Tools (the anchors are optional: ``pip install 'cleaner[bench]'``; a missing one is skipped and said):

* ``ours``: ``cleaner.clean(data, kind=MODE)``: the whole pipeline, language and provenance included.
  A mode the cleaner refuses (HTML before it is supported) is reported ``n/a``.
* ``trafilatura``: ``trafilatura.extract(page, include_comments=False)``.
* ``readability``: readability-lxml ``Document(page).summary()``, its HTML turned to text.
* ``resiliparse``: ``extract_plain_text(page, main_content=True)`` (encoding detected by resiliparse).
* ``justext``: the paragraphs jusText does not call boilerplate, with the stop list of the page's
  language from the truth file (English when jusText has none). In text mode each line is given to
  it as a ``<p>``: the only anchor that makes sense on text, the rest are HTML extractors.
* ``raw`` (text mode): the scraped text as it is, the score of doing nothing.

``--scaling`` shows the cost is linear: the median document repeated to 10 KB ... 10 MB, cleaned in a
fresh process each (time, time per MB, peak RSS), then the CLI (``clean DIR -o OUT --format jsonl``)
on folders of ``--files`` documents, with the peak RSS of its process tree.
"""

from __future__ import annotations

import argparse
import gzip
import importlib
import importlib.metadata
import importlib.util
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_BENCH = REPO.parent / "shared" / "bench"
ANCHORS = ("trafilatura", "readability", "resiliparse", "justext")
TOOLS = ("ours", *ANCHORS)
MODULES = {
    "ours": "cleaner",
    "trafilatura": "trafilatura",
    "readability": "readability",
    "resiliparse": "resiliparse",
    "justext": "justext",
}
SIZES = (10_000, 100_000, 1_000_000, 10_000_000)
WARM_UP = 5  # documents cleaned once before timing
JUSTEXT_LANGUAGES = {
    "en": "English",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "pt": "Portuguese",
    "ru": "Russian",
    "uk": "Ukrainian",
    "id": "Indonesian",
    "ko": "Korean",
    "nl": "Dutch",
    "pl": "Polish",
}


class Unsupported(Exception):
    """This tool does not take this mode."""


# --- inputs and scoring -------------------------------------------------------------------------


def doc_id(name: str) -> str:
    for suffix in (".gz", ".html", ".htm", ".txt"):
        name = name.removesuffix(suffix)
    return name


def load_docs(bench: Path, mode: str, limit: int) -> list[tuple[str, bytes]]:
    """(id, bytes) of the set's documents in ``mode``, HTML gunzipped, sorted by id."""
    files = sorted(p for p in (bench / "articles" / mode).iterdir() if p.is_file())[: limit or None]
    docs = []
    for f in files:
        data = f.read_bytes()
        docs.append((doc_id(f.name), gzip.decompress(data) if f.name.endswith(".gz") else data))
    return docs


def load_truth(bench: Path) -> dict[str, dict[str, Any]]:
    rows = (json.loads(line) for line in (bench / "articles" / "truth.jsonl").read_text("utf-8").splitlines() if line)
    return {str(r["id"]): r for r in rows}


def score_module(bench: Path) -> ModuleType:
    """The shared benchmark's score.py, imported from its file."""
    spec = importlib.util.spec_from_file_location("bench_score", bench / "score.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"compare.py: no score.py in {bench}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def f1_of(score: ModuleType, truth: dict[str, str], pred: dict[str, str]) -> tuple[float, float, float]:
    """(F1, precision, recall) exactly as score.py's main() computes them."""
    rows = {i: score.tp_fp_fn(truth[i], pred.get(i, "")) for i in sorted(truth)}
    ps = [score.precision(*r) for r in rows.values() if r[0] + r[1] > 0]
    rs = [score.recall(*r) for r in rows.values() if r[0] + r[2] > 0]
    p = statistics.mean(ps) if ps else 0.0
    r = statistics.mean(rs) if rs else 0.0
    return (2 * p * r / (p + r) if p + r else 0.0), p, r


# --- the tools (each set up inside its own worker process) -------------------------------------


def _ours(mode: str, langs: dict[str, str]) -> Callable[[str, bytes], str]:
    import cleaner

    def run(doc: str, data: bytes) -> str:
        return cleaner.clean(data, kind=mode).text

    return run


def _trafilatura(mode: str, langs: dict[str, str]) -> Callable[[str, bytes], str]:
    if mode != "html":
        raise Unsupported("an HTML extractor")
    import trafilatura

    def run(doc: str, data: bytes) -> str:
        return trafilatura.extract(data, include_comments=False) or ""

    return run


_BLOCKS = ("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "tr", "td", "th", "br")


def _readability(mode: str, langs: dict[str, str]) -> Callable[[str, bytes], str]:
    if mode != "html":
        raise Unsupported("an HTML extractor")
    import lxml.html
    from readability import Document

    def run(doc: str, data: bytes) -> str:
        summary = Document(data).summary(html_partial=True)
        tree = lxml.html.fromstring(summary)
        for el in tree.iter(*_BLOCKS):  # text_content() would glue the last word of a block to the next
            el.tail = "\n" + (el.tail or "")
        return str(tree.text_content())

    return run


def _resiliparse(mode: str, langs: dict[str, str]) -> Callable[[str, bytes], str]:
    if mode != "html":
        raise Unsupported("an HTML extractor")
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.encoding import bytes_to_str, detect_encoding

    def run(doc: str, data: bytes) -> str:
        return str(extract_plain_text(bytes_to_str(data, detect_encoding(data)), main_content=True))

    return run


def _justext(mode: str, langs: dict[str, str]) -> Callable[[str, bytes], str]:
    import html

    import justext

    stoplists: dict[str, frozenset[str]] = {}

    def stoplist(doc: str) -> frozenset[str]:
        name = JUSTEXT_LANGUAGES.get(langs.get(doc, "en"), "English")
        if name not in stoplists:
            stoplists[name] = justext.get_stoplist(name)
        return stoplists[name]

    def run(doc: str, data: bytes) -> str:
        if mode == "text":
            lines = data.decode("utf-8", "replace").splitlines()
            data = "".join(f"<p>{html.escape(line)}</p>\n" for line in lines if line.strip()).encode()
        paragraphs = justext.justext(data, stoplist(doc))
        return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)

    return run


SETUPS: dict[str, Callable[[str, dict[str, str]], Callable[[str, bytes], str]]] = {
    "ours": _ours,
    "trafilatura": _trafilatura,
    "readability": _readability,
    "resiliparse": _resiliparse,
    "justext": _justext,
}


# --- worker processes ---------------------------------------------------------------------------


def one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def rss_mb() -> float:
    """Current resident set size (Linux; 0 elsewhere)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1e6 if sys.platform == "darwin" else peak / 1e3  # bytes on macOS, KiB elsewhere


def worker(tool: str, mode: str, bench: Path, limit: int, repeat: int) -> dict[str, Any]:
    """Set up ``tool``, warm up, time it over the documents: what the parent tabulates."""
    one_core()
    docs = load_docs(bench, mode, limit)
    langs = {i: r.get("lang") or "en" for i, r in load_truth(bench).items()}
    base = {"tool": tool, "mode": mode, "docs": len(docs), "bytes": sum(len(d) for _, d in docs)}
    t0 = time.perf_counter()
    try:
        run = SETUPS[tool](mode, langs)
    except Unsupported as e:
        return {**base, "status": "skip", "reason": str(e)}
    except ImportError as e:
        return {**base, "status": "missing", "reason": f"not installed ({e.name or e})"}
    setup_s = time.perf_counter() - t0
    rss_setup = rss_mb()
    first_error = ""
    for doc, data in docs[:WARM_UP]:
        try:
            run(doc, data)
        except Exception as e:
            first_error = first_error or f"{type(e).__name__}: {e}"
    best_cpu = best_wall = float("inf")
    preds: dict[str, str] = {}
    errors: dict[str, str] = {}
    for _ in range(max(1, repeat)):
        errors.clear()
        c0, w0 = time.process_time(), time.perf_counter()
        for doc, data in docs:
            try:
                preds[doc] = run(doc, data)
            except Exception as e:  # one page a tool cannot take scores as empty, and is counted
                preds[doc] = ""
                errors[doc] = f"{type(e).__name__}: {e}"
        best_cpu = min(best_cpu, time.process_time() - c0)
        best_wall = min(best_wall, time.perf_counter() - w0)
    if errors and len(errors) == len(docs):
        return {**base, "status": "n/a", "reason": next(iter(errors.values())) or first_error}
    return {
        **base,
        "status": "ok",
        "errors": len(errors),
        "first_error": next(iter(errors.values()), ""),
        "setup_s": setup_s,
        "cpu_s": best_cpu,
        "wall_s": best_wall,
        "rss_setup_mb": rss_setup,
        "rss_peak_mb": peak_rss_mb(),
        "preds": preds,
    }


def repeated(data: bytes, size: int, mode: str) -> bytes:
    """``data`` grown to at least ``size`` bytes: text repeated as whole lines, HTML its body's content."""
    if mode == "html":
        low = data.lower()
        start, end = low.find(b"<body"), low.rfind(b"</body")
        start = low.find(b">", start) + 1 if start >= 0 else -1
        if 0 < start <= end:
            head, body, tail = data[:start], data[start:end], data[end:]
            return head + body * max(1, (size - len(head) - len(tail)) // max(1, len(body)) + 1) + tail
    unit = data if data.endswith(b"\n") else data + b"\n"
    return unit * (size // len(unit) + 1)


def scale_worker(mode: str, bench: Path, size: int) -> dict[str, Any]:
    """Clean the median document grown to ``size`` bytes, in this fresh process."""
    import cleaner

    one_core()
    docs = [d for _, d in load_docs(bench, mode, 0)]
    sample = sorted(docs, key=len)[len(docs) // 2]
    if mode == "html" and size < len(sample):
        return {"size": size, "status": "skip", "reason": f"below the median page's own {len(sample) / 1e3:.0f} KB"}
    data = repeated(sample, size, mode)
    try:
        cleaner.clean(sample, kind=mode)  # rules, language profiles: loaded before timing
    except cleaner.InputError as e:
        return {"size": len(data), "status": "n/a", "reason": str(e)}
    rss0 = rss_mb()
    best = float("inf")
    for _ in range(3 if size <= 1_000_000 else 1):
        c0 = time.process_time()
        try:
            cleaner.clean(data, kind=mode)
        except cleaner.InputError as e:
            return {"size": len(data), "status": "n/a", "reason": str(e)}
        best = min(best, time.process_time() - c0)
    return {"size": len(data), "status": "ok", "cpu_s": best, "rss_start_mb": rss0, "rss_peak_mb": peak_rss_mb()}


def spawn(args: list[str], timeout: float) -> dict[str, Any]:
    """Run this script as a worker and return the JSON it writes."""
    with tempfile.TemporaryDirectory(prefix="compare-") as tmp:
        out = Path(tmp) / "result.json"
        cmd = [sys.executable, str(Path(__file__).resolve()), *args, "--result", str(out)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"status": "failed", "reason": f"timed out after {timeout:.0f} s"}
        if proc.returncode != 0 or not out.exists():
            tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
            return {"status": "failed", "reason": f"worker exit {proc.returncode}: {tail}"}
        result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        return result


# --- the comparison -----------------------------------------------------------------------------


def fmt(x: float | None, spec: str) -> str:
    return "n/a" if x is None else format(x, spec)


def compare(args: argparse.Namespace, bench: Path, score: ModuleType) -> dict[str, Any]:
    truth_rows = load_truth(bench)
    report: dict[str, Any] = {}
    for mode in modes(args.mode):
        ids = [i for i, _ in load_docs(bench, mode, args.limit)]
        truth = {i: truth_rows[i]["body"] or "" for i in ids if i in truth_rows}
        results: list[dict[str, Any]] = []
        notes: list[str] = []
        if mode == "text":
            raw = {i: d.decode("utf-8", "replace") for i, d in load_docs(bench, mode, args.limit)}
            results.append({"tool": "raw", "status": "ok", "baseline": True, "preds": raw, "docs": len(raw)})
        for tool in args.tools:
            print(f"  {mode}: {tool} ...", file=sys.stderr, flush=True)
            wargs = ["--worker", tool, "--mode", mode, "--bench", str(bench), "--limit", str(args.limit)]
            r = spawn([*wargs, "--repeat", str(args.repeat)], args.timeout)
            r.setdefault("tool", tool)
            if r["status"] == "skip":
                notes.append(f"{tool}: not run in {mode} mode ({r['reason']})")
                continue
            if r["status"] == "missing":
                notes.append(f"{tool}: skipped, {r['reason']}: pip install 'cleaner[bench]'")
                continue
            results.append(r)
        ours = next((r for r in results if r["tool"] == "ours" and r["status"] == "ok"), None)
        ours_rate = ours["docs"] / ours["cpu_s"] if ours else None
        rows = []
        for r in results:
            row: dict[str, Any] = {"tool": r["tool"], "status": r["status"], "reason": r.get("reason", "")}
            if r["status"] == "ok":
                f1, p, rec = f1_of(score, truth, r["preds"])
                row.update(f1=f1, precision=p, recall=rec)
            if r["status"] == "ok" and not r.get("baseline"):
                rate = r["docs"] / r["cpu_s"]
                row.update(
                    docs_s=rate,
                    mb_s=r["bytes"] / 1e6 / r["cpu_s"],
                    wall_docs_s=r["docs"] / r["wall_s"],
                    peak_rss_mb=r["rss_peak_mb"],
                    setup_rss_mb=r["rss_setup_mb"],
                    errors=r["errors"],
                    first_error=r["first_error"],
                    ours_x=None if ours_rate is None else ours_rate / rate,
                )
            rows.append(row)
        print_table(mode, len(ids), sum(len(d) for _, d in load_docs(bench, mode, args.limit)), rows, notes)
        report[mode] = {"docs": len(ids), "rows": rows, "notes": notes}
    return report


def modes(mode: str) -> list[str]:
    return ["html", "text"] if mode == "both" else [mode]


def print_table(mode: str, n: int, size: int, rows: list[dict[str, Any]], notes: list[str]) -> None:
    print(f"\n### {mode} mode: {n} documents, {size / 1e6:.1f} MB\n")
    print("| tool | F1 | precision | recall | docs/s | MB/s | peak RSS MB | ours × | failed |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        if r["status"] != "ok":
            print(f"| {r['tool']} | n/a | | | | | | | {r['reason'][:80]} |")
            continue
        speed = "docs_s" in r
        print(
            f"| {r['tool']} | {r['f1']:.3f} | {r['precision']:.3f} | {r['recall']:.3f} "
            f"| {fmt(r.get('docs_s'), '.0f') if speed else '—'} | {fmt(r.get('mb_s'), '.2f') if speed else '—'} "
            f"| {fmt(r.get('peak_rss_mb'), '.0f') if speed else '—'} "
            f"| {fmt(r.get('ours_x'), '.2f') if speed else '—'} | {r.get('errors', '') if speed else ''} |"
        )
    for r in rows:
        if r.get("errors"):
            print(f"\n{r['tool']}: {r['errors']} page(s) failed (scored empty), e.g. {r['first_error'][:160]}")
    for note in notes:
        print(f"\n{note}")


# --- scaling ------------------------------------------------------------------------------------


def scaling(args: argparse.Namespace, bench: Path) -> dict[str, Any]:
    report: dict[str, Any] = {}
    for mode in modes(args.mode):
        print(f"\n### size scaling, {mode} mode: the median document grown, one fresh process per size\n")
        print("| size MB | CPU ms | ms per MB | peak RSS MB |")
        print("|---:|---:|---:|---:|")
        rows = []
        for size in SIZES:
            r = spawn(["--scale-worker", str(size), "--mode", mode, "--bench", str(bench)], args.timeout)
            rows.append(r)
            if r["status"] == "skip":
                print(f"| {size / 1e6:.2f} | — | — | {r['reason']} |")
                continue
            if r["status"] != "ok":
                print(f"| {size / 1e6:.2f} | n/a | | {r.get('reason', '')[:80]} |")
                continue
            mb = r["size"] / 1e6
            print(f"| {mb:.2f} | {1e3 * r['cpu_s']:.1f} | {1e3 * r['cpu_s'] / mb:.1f} | {r['rss_peak_mb']:.0f} |")
        report[f"sizes_{mode}"] = rows
        if not any(r["status"] == "ok" for r in rows):
            continue
        report[f"batches_{mode}"] = batches(args, bench, mode)
    return report


def batches(args: argparse.Namespace, bench: Path, mode: str) -> list[dict[str, Any]]:
    """The CLI on folders of N documents (the set's, copied round-robin): wall time and peak RSS, then the
    same command again over the unchanged folder (a re-run skips every document)."""
    counts = [int(x) for x in args.files.split(",") if x.strip()]
    print(f"\n### the CLI on N {mode} files: clean DIR -o OUT --format jsonl --jobs {args.jobs}, run twice\n")
    print("| files | MB in | wall s | docs/s | peak RSS MB (largest process) | re-run s | re-run / first | exit |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    docs = [d for _, d in load_docs(bench, mode, 0)]
    suffix = ".html" if mode == "html" else ".txt"
    rows = []
    for n in counts:
        with tempfile.TemporaryDirectory(prefix="compare-batch-") as tmp:
            folder = Path(tmp) / "in"
            size = 0
            for i in range(n):
                target = folder / f"{i // 1000:04d}" / f"{i:07d}{suffix}"
                if i % 1000 == 0:
                    target.parent.mkdir(parents=True)
                data = docs[i % len(docs)]
                target.write_bytes(data)
                size += len(data)
            out = Path(tmp) / "out.jsonl"
            cmd = [sys.executable, "-m", "cleaner", str(folder), "-o", str(out), "--format", "jsonl"]
            cmd += ["--jobs", str(args.jobs)]
            (wall, peak, code), (again, _, code2) = run_timed(cmd), run_timed(cmd)
            row = {"files": n, "bytes": size, "wall_s": wall, "peak_rss_mb": peak, "rerun_s": again}
            row["exit"] = code or code2
            rows.append(row)
            print(
                f"| {n} | {size / 1e6:.1f} | {wall:.1f} | {n / wall:.0f} | {peak:.0f} | {again:.2f} "
                f"| {again / wall:.3f} | {row['exit']} |"
            )
    return rows


def run_timed(cmd: list[str]) -> tuple[float, float, int]:
    """Run a command: its wall seconds, the peak RSS (MB) of its largest process, its exit code."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage: its tree's largest RSS
    wall = time.perf_counter() - t0
    peak = usage.ru_maxrss / (1e6 if sys.platform == "darwin" else 1e3)
    return wall, peak, os.waitstatus_to_exitcode(status)


# --- main ---------------------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--bench", default=str(DEFAULT_BENCH), help="the shared benchmark folder (score.py, articles/)")
    ap.add_argument("--mode", choices=("html", "text", "both"), default="both")
    ap.add_argument("--limit", type=int, default=0, help="only the first N documents of each mode")
    ap.add_argument("--repeat", type=int, default=2, help="timed passes per tool; the best counts (default 2)")
    ap.add_argument("--tools", default=",".join(TOOLS), help=f"comma-separated, of {', '.join(TOOLS)}")
    ap.add_argument("--json", metavar="OUT", help="also write the numbers (no texts) as JSON")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds for one tool's worker (default 1800)")
    ap.add_argument("--scaling", action="store_true", help="size scaling and CLI batch memory instead")
    ap.add_argument("--files", default="100,10000", help="--scaling: folder sizes for the CLI (default 100,10000)")
    ap.add_argument("--jobs", type=int, default=1, help="--scaling: the CLI's --jobs (default 1)")
    ap.add_argument("--worker", choices=TOOLS, help=argparse.SUPPRESS)
    ap.add_argument("--scale-worker", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--result", help=argparse.SUPPRESS)
    args = ap.parse_args()
    bench = Path(args.bench).resolve()
    if not (bench / "articles" / "truth.jsonl").is_file():
        print(f"compare.py: no benchmark set at {bench} (articles/truth.jsonl); give --bench DIR", file=sys.stderr)
        return 2
    if args.worker or args.scale_worker:
        sys.path.insert(0, str(REPO))  # a source checkout works without installing
        if args.worker:
            result = worker(args.worker, args.mode, bench, args.limit, args.repeat)
        else:
            result = scale_worker(args.mode, bench, args.scale_worker)
        Path(args.result).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
        return 0
    args.tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = sorted(set(args.tools) - set(TOOLS))
    if unknown:
        print(f"compare.py: unknown tools {', '.join(unknown)}; choose from {', '.join(TOOLS)}", file=sys.stderr)
        return 2
    print(
        f"cleaner compare: Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, one core per tool, "
        f"speeds from CPU time, best of {args.repeat}"
    )
    versions = ", ".join(f"{t} {version_of(t)}" for t in args.tools)
    print(f"versions: {versions}")
    report = scaling(args, bench) if args.scaling else compare(args, bench, score_module(bench))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


def version_of(tool: str) -> str:
    dist = {"ours": "cleaner", "readability": "readability-lxml"}.get(tool, tool)
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


if __name__ == "__main__":
    sys.exit(main())

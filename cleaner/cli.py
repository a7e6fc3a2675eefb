"""The ``clean`` command: clean files and folders, write text, JSON or JSONL, explain removals.

Exit codes: 0 every document cleaned; 1 some documents failed (each said on stderr, the rest were
written); 2 usage or configuration error (bad arguments, malformed rule files, nothing to clean);
130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from . import __version__
from .core import clean
from .errors import CleanerError, RuleError
from .rules import RuleSet, check_examples, default_rules, load_rules
from .serialize import explain_lines, to_record

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
SUFFIXES = (".txt", ".text", ".html", ".htm", ".xhtml", ".shtml")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="clean",
        description="Strip boilerplate from news and web documents, keeping byte-exact provenance.",
        epilog="Rule authoring: 'clean rules list', 'clean rules test [DIR]'. "
        "Exit codes: 0 ok, 1 some files failed, 2 usage or rule error, 130 interrupted.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (walked recursively)")
    p.add_argument("-o", "--output", metavar="OUT", help="JSONL file (--format jsonl) or folder (txt, json)")
    p.add_argument("-f", "--format", choices=("txt", "json", "jsonl"), default="txt", help="output format")
    p.add_argument("--explain", action="store_true", help="print each removal as path:line:col: rule-id message")
    p.add_argument("--rules", action="append", default=[], metavar="DIR", help="extra rule folder (repeatable)")
    p.add_argument("--kind", choices=("text", "html"), help="force the input kind (default: sniffed)")
    p.add_argument("--encoding", help="force the input encoding (default: detected)")
    p.add_argument("--url", help="the page's address, evidence of its outlet (single inputs)")
    p.add_argument("--max-size", type=int, default=64 * 1024 * 1024, metavar="BYTES", help="skip larger files")
    p.add_argument("-j", "--jobs", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--force", action="store_true", help="overwrite an existing output file")
    p.add_argument("--version", action="version", version=f"cleaner {__version__}")
    return p


def _rules_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="clean rules", description="List or test rules.")
    sub = p.add_subparsers(dest="action", required=True)
    ls = sub.add_parser("list", help="ids, categories and descriptions of the rules in force")
    ls.add_argument("--rules", action="append", default=[], metavar="DIR")
    t = sub.add_parser("test", help="run every rule's own match/keep examples")
    t.add_argument("dirs", nargs="*", metavar="DIR", help="extra rule folders to test with the built-in ones")
    return p


def _walk(paths: Sequence[str]) -> Iterator[tuple[Path, str]]:
    """(file, id) pairs: ids are relative to the folder given, or the path as given for a file."""
    for arg in paths:
        top = Path(arg)
        if top.is_dir():
            found = []
            for root, dirs, files in os.walk(top):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in files:
                    if not name.startswith(".") and name.lower().endswith(SUFFIXES):
                        found.append(Path(root) / name)
            for f in sorted(found):
                yield f, f.relative_to(top).as_posix()
        else:
            yield top, top.as_posix()


_RULES: RuleSet | None = None
_WRITTEN: set[Path] = set()


def _init_worker(rule_dirs: Sequence[str]) -> None:
    global _RULES
    _RULES = load_rules(rule_dirs) if rule_dirs else default_rules()


def _work(job: tuple[str, str, dict[str, Any]]) -> tuple[str, str, dict[str, Any] | None, list[str], str]:
    """Clean one file in a worker: (path, id, record or None, explain lines, error)."""
    path, doc_id, opts = job
    try:
        result = clean(Path(path), rules=_RULES, **opts)
    except CleanerError as e:
        return path, doc_id, None, [], str(e).removeprefix(f"{path}: ")
    except MemoryError:
        return path, doc_id, None, [], "out of memory"
    except Exception as e:  # a bug must not stop the batch: report it on one line
        return path, doc_id, None, [], f"internal error: {type(e).__name__}: {e}"
    return path, doc_id, to_record(result, doc_id), explain_lines(result, path), ""


def _atomic_write(path: Path, data: str) -> None:
    """Write ``data`` to ``path`` via a temporary file and a rename: never a torn file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _rules_main(argv: Sequence[str]) -> int:
    args = _rules_parser().parse_args(argv)
    try:
        if args.action == "list":
            ruleset = load_rules(args.rules) if args.rules else default_rules()
            for r in ruleset.rules:
                print(f"{r.id}\t{r.category}\t{r.scope}\t{r.description}")
            return EXIT_OK
        ruleset = load_rules(args.dirs)
    except RuleError as e:
        print(f"clean: {e}", file=sys.stderr)
        return EXIT_USAGE
    failures = check_examples(ruleset)
    for line in failures:
        print(line)
    n = sum(len(r.match) + len(r.keep) for r in ruleset.rules)
    print(f"{n - len(failures)} passed, {len(failures)} failed")
    return EXIT_SOME_FAILED if failures else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "rules":
        return _rules_main(argv[1:])
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except KeyboardInterrupt:
        print("clean: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _run(args: argparse.Namespace) -> int:
    try:
        ruleset = load_rules(args.rules) if args.rules else default_rules()
    except RuleError as e:
        print(f"clean: {e}", file=sys.stderr)
        return EXIT_USAGE
    jobs = list(_walk(args.paths))
    missing = [p for p, _ in jobs if not p.exists()]
    for p in missing:
        print(f"clean: {p}: no such file or folder", file=sys.stderr)
    jobs = [j for j in jobs if j[0].exists()]
    if not jobs:
        print("clean: nothing to clean", file=sys.stderr)
        return EXIT_USAGE
    out = Path(args.output) if args.output else None
    if out is not None and args.format == "jsonl" and out.exists() and not args.force:
        print(f"clean: {out} exists; use --force to overwrite it", file=sys.stderr)
        return EXIT_USAGE
    if out is not None and args.format != "jsonl" and out.exists() and not out.is_dir():
        print(f"clean: {out} is a file; --format {args.format} writes a folder", file=sys.stderr)
        return EXIT_USAGE
    opts: dict[str, Any] = {"max_bytes": args.max_size}
    for key in ("kind", "encoding", "url"):
        if getattr(args, key):
            opts[key] = getattr(args, key)
    work = [(str(p), i, opts) for p, i in jobs]
    failed = len(missing)
    records: list[str] = []
    if args.jobs > 1 and len(work) > 1:
        pool = ProcessPoolExecutor(args.jobs, initializer=_init_worker, initargs=(tuple(args.rules),))
        results: Iterator[Any] = pool.map(_work, work, chunksize=8)
    else:
        global _RULES
        _RULES = ruleset
        pool = None
        results = map(_work, work)
    try:
        for path, doc_id, record, explain, error in results:
            if record is None:
                failed += 1
                print(f"clean: {path}: {error}", file=sys.stderr)
                continue
            if args.explain:
                for line in explain:
                    print(line)
            _emit(args, out, doc_id, record, records)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    if args.format == "jsonl":
        data = "".join(records)
        if out is None:
            if not args.explain:
                sys.stdout.write(data)
        else:
            _atomic_write(out, data)
    return EXIT_SOME_FAILED if failed else EXIT_OK


def _mirror_path(doc_id: str) -> str:
    """Where a document goes inside the output folder: its id, or its name when the id would escape."""
    rel = Path(doc_id)
    if rel.is_absolute() or ".." in rel.parts:
        return rel.name
    return rel.as_posix()


def _emit(args: argparse.Namespace, out: Path | None, doc_id: str, record: dict[str, Any], records: list[str]) -> None:
    if args.format == "jsonl":
        records.append(json.dumps(record, ensure_ascii=False) + "\n")
    elif out is None:
        if not args.explain:
            if args.format == "txt":
                sys.stdout.write(record["text"] + "\n")
            else:
                sys.stdout.write(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
    else:
        suffix = ".txt" if args.format == "txt" else ".json"
        rel = _mirror_path(doc_id)
        target = out / Path(rel).with_suffix(suffix)
        if target in _WRITTEN:  # a.txt and a.html in one folder: keep both, by their full names
            target = out / (rel + suffix)
        _WRITTEN.add(target)
        body = (
            record["text"] + "\n" if args.format == "txt" else json.dumps(record, ensure_ascii=False, indent=2) + "\n"
        )
        _atomic_write(target, body)

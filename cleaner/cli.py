"""The ``clean`` command: parse the arguments and hand over to the batch, the explainer or the rules tools.

``clean PATH...`` cleans files and folders (:mod:`cleaner.batch`); ``clean explain FILE...`` shows a
document with its removed lines marked (:mod:`cleaner.explain`); ``clean rules list|test`` lists and
tests rules. A file literally named ``rules`` or ``explain`` is cleaned as ``clean ./rules``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .batch import EXIT_INTERRUPTED, EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, Request, cpu_count, run_batch
from .errors import CleanerError, RuleError

EPILOG = """\
output:
  no -o                  text (or --format json/jsonl) on stdout
  -o DIR                 mirror the input tree: DIR/<path>.txt and DIR/<path>.json (or only
                         the one --format txt|json names)
  -o FILE --format jsonl one JSON line per document
  -o DIR --format dolma  DIR/documents/*.jsonl.gz + DIR/attributes/cleaner/*.jsonl.gz
  A re-run with -o skips documents whose bytes, rules and cleaner version are unchanged
  (DIR/.clean-manifest.jsonl, or .FILE.clean-manifest.jsonl beside a JSONL file); --force
  cleans everything again.

subcommands:
  clean explain FILE...  the document with removed lines marked '- [rule-id]'
  clean rules list       the rules in force
  clean rules test [DIR] run every rule's own match/keep examples
  (a file named 'rules' or 'explain' is cleaned as ./rules or ./explain)

exit codes:
  0    every document cleaned (or unchanged, or skipped as asked)
  1    some documents failed: each is named on stderr as 'path: reason'; the rest were written
  2    usage or rule error, or nothing to clean; nothing was written
  130  interrupted (Ctrl-C, SIGTERM): outputs written so far are whole; a re-run resumes
"""


class _Version(argparse.Action):
    """``--version``: looks the version up only when asked (that takes importlib.metadata)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: Any):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> None:
        from . import __version__

        print(f"cleaner {__version__}")
        parser.exit()


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="clean",
        description="Strip boilerplate from news and web documents, keeping byte-exact provenance.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="files or folders (walked for .txt, .html, .htm... and those gzipped: .html.gz)",
    )
    p.add_argument("-o", "--output", metavar="OUT", help="output folder, or file for --format jsonl")
    p.add_argument("-f", "--format", choices=("txt", "json", "jsonl", "dolma"), help="output format (see below)")
    p.add_argument("--explain", action="store_true", help="print each removal as path:line:col: rule-id message")
    p.add_argument("--rules", action="append", default=[], metavar="DIR", help="extra rule folder (repeatable)")
    p.add_argument("--kind", choices=("text", "html"), help="force the input kind (default: sniffed)")
    p.add_argument("--encoding", help="force the input encoding (default: detected)")
    p.add_argument("--url", help="the page's address, evidence of its outlet (single inputs)")
    p.add_argument(
        "--max-size",
        type=int,
        default=64 * 1024 * 1024,
        metavar="BYTES",
        help="skip larger documents (a .gz once decompressed; 0: no limit, but a .gz at most 1 GiB; default 64 MiB)",
    )
    p.add_argument(
        "-j", "--jobs", type=int, default=0, help=f"worker processes (default: every core, {cpu_count()} here)"
    )
    p.add_argument("--force", action="store_true", help="overwrite an existing JSONL file; clean unchanged files too")
    p.add_argument("--follow-symlinks", action="store_true", help="follow symbolic links inside folders")
    p.add_argument("--source", metavar="NAME", help="the 'source' of Dolma documents (default: the folder's name)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar, skip notices or summary")
    p.add_argument(
        "--ray",
        metavar="ADDRESS",
        help="clean on Ray Data into one JSONL file (-f jsonl -o FILE; needs cleaner[ray]): 'local' starts "
        "Ray here with --jobs cores, 'auto' joins the cluster running here, HOST:PORT or ray://HOST:PORT another",
    )
    p.add_argument("--version", action=_Version, help="show program's version number and exit")
    return p


def _rules_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="clean rules", description="List or test rules.")
    sub = p.add_subparsers(dest="action", required=True)
    ls = sub.add_parser("list", help="ids, categories and descriptions of the rules in force")
    ls.add_argument("--rules", action="append", default=[], metavar="DIR")
    t = sub.add_parser("test", help="run every rule's own match/keep examples")
    t.add_argument("dirs", nargs="*", metavar="DIR", help="extra rule folders to test with the built-in ones")
    return p


def _explain_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="clean explain",
        description="Show documents line by line: kept lines indented, removed ones as '- [rule-id] line'.",
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--rules", action="append", default=[], metavar="DIR", help="extra rule folder (repeatable)")
    p.add_argument("--kind", choices=("text", "html"))
    p.add_argument("--encoding")
    p.add_argument("--url")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="ANSI colour (default auto)")
    return p


def _rules_main(argv: Sequence[str]) -> int:
    from .rules import check_examples, default_rules, load_rules

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


def _explain_main(argv: Sequence[str]) -> int:
    from .core import read_source, run
    from .explain import render
    from .rules import default_rules, load_rules

    args = _explain_parser().parse_args(argv)
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
    options = {k: getattr(args, k) for k in ("kind", "encoding", "url") if getattr(args, k)}
    try:
        ruleset = load_rules(args.rules) if args.rules else default_rules()
    except RuleError as e:
        print(f"clean: {e}", file=sys.stderr)
        return EXIT_USAGE
    failed = 0
    for name in args.files:
        try:
            data = read_source(Path(name))
            result = run(data, ruleset, **options)
        except CleanerError as e:
            failed += 1
            print(f"{name}: {str(e).removeprefix(f'{name}: ')}", file=sys.stderr)
            continue
        for line in render(result, data, name, color):
            print(line)
    return EXIT_SOME_FAILED if failed else EXIT_OK


SUBCOMMANDS: dict[str, Callable[[Sequence[str]], int]] = {"rules": _rules_main, "explain": _explain_main}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in SUBCOMMANDS:
            if len(argv) == 1 and Path(argv[0]).exists():
                print(f"clean: '{argv[0]}' is a subcommand; to clean the path, write ./{argv[0]}", file=sys.stderr)
                return EXIT_USAGE
            return SUBCOMMANDS[argv[0]](argv[1:])
        return _clean_main(argv)
    except KeyboardInterrupt:
        print("clean: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # stdout closed early (clean ... | head): stop quietly, as if by SIGPIPE
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + 13


def _clean_main(argv: Sequence[str]) -> int:
    args = _parser().parse_args(argv)
    out = Path(args.output) if args.output else None
    fmt = args.format or ("txt" if out is None else "mirror")
    if args.jobs < 0 or args.max_size < 0:
        print("clean: --jobs and --max-size cannot be negative", file=sys.stderr)
        return EXIT_USAGE
    if args.ray is not None:
        return _ray_main(args, out, fmt)
    request = Request(
        paths=tuple(args.paths),
        out=out,
        fmt=fmt,
        rule_dirs=tuple(args.rules),
        options={k: getattr(args, k) for k in ("kind", "encoding", "url") if getattr(args, k)},
        max_size=args.max_size,
        jobs=args.jobs,
        explain=args.explain,
        force=args.force,
        quiet=args.quiet,
        follow_symlinks=args.follow_symlinks,
        dolma_source=args.source,
    )
    return run_batch(request)


def _ray_main(args: argparse.Namespace, out: Path | None, fmt: str) -> int:
    """``--ray ADDRESS``: the same documents, records, messages and exit codes, cleaned on Ray Data."""
    if fmt != "jsonl" or out is None:
        print("clean: --ray writes one JSONL file: give --format jsonl -o FILE", file=sys.stderr)
        return EXIT_USAGE
    if args.explain:
        print("clean: --explain cannot be combined with --ray", file=sys.stderr)
        return EXIT_USAGE
    from .ray_data import run_folder  # imports Ray itself, only when it starts

    return run_folder(
        args.ray,
        args.paths,
        out,
        rules=args.rules,
        kind=args.kind,
        encoding=args.encoding,
        url=args.url,
        max_bytes=args.max_size,
        follow_symlinks=args.follow_symlinks,
        force=args.force,
        quiet=args.quiet,
        num_cpus=args.jobs or None,
    )

"""pre-commit hooks: ``clean-check`` reports boilerplate in new seed files, ``clean-fix`` writes sidecars.

On a commit, pre-commit passes the staged files that match the hook, and both hooks look only at
those *added* in it (``git diff --cached --diff-filter=A``): a staged edit of an already committed
seed is left alone unless the hook is given ``--all-files``. Between ``--from-ref`` and ``--to-ref``
they look at the files added in that range. When pre-commit passes files that are not staged
(``pre-commit run --all-files`` or ``--files``), they look at every file passed.

``clean-check`` prints each removal as ``path:line:col: rule-id message`` (and, when asked, files
whose language or outlet cannot be determined) and fails when it printed anything.
``clean-fix`` writes ``<seed>.clean.json`` beside each seed (one line: the ``clean --format jsonl``
record, ``id`` the path from the repository root) or, with ``--rewrite``, replaces the seed by its
clean text; it fails when it changed a file, as pre-commit fixers do, so a second run passes.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from .core import read_source, run
from .errors import CleanerError, RuleError
from .files import is_compressed, write_if_changed
from .rules import RuleSet, default_rules, load_rules
from .serialize import explain_lines, to_record
from .walk import is_document

SIDECAR = ".clean.json"


def _git(*args: str) -> str | None:
    try:
        proc = subprocess.run(["git", *args], capture_output=True, check=False)
    except OSError:
        return None
    return proc.stdout.decode("utf-8", "surrogateescape") if proc.returncode == 0 else None


def _git_names(*args: str) -> set[Path] | None:
    """Absolute paths from ``git diff --name-only -z ARGS``, or None outside a git repository."""
    top = _git("rev-parse", "--show-toplevel")
    names = _git("diff", "--name-only", "--no-renames", "-z", *args)
    if top is None or names is None:
        return None
    root = Path(top.strip())
    return {root / name for name in names.split("\0") if name}


def _abs(name: str) -> Path:
    return Path(os.path.abspath(name))  # the working directory, like git's top level, is a real path


def select(files: Sequence[str], all_files: bool) -> list[str]:
    """The seed files among ``files`` to look at (see the module docstring)."""
    seeds = [f for f in files if is_document(Path(f).name) and not is_compressed(f)]  # seeds are plain files
    if all_files:
        return seeds
    ref_from, ref_to = os.environ.get("PRE_COMMIT_FROM_REF"), os.environ.get("PRE_COMMIT_TO_REF")
    if ref_from and ref_to:
        added = _git_names("--diff-filter=A", f"{ref_from}...{ref_to}")
        return seeds if added is None else [f for f in seeds if _abs(f) in added]
    added, staged = _git_names("--cached", "--diff-filter=A"), _git_names("--cached")
    if added is None or staged is None or any(_abs(f) not in staged for f in files):
        return seeds  # not a commit: pre-commit run --all-files / --files, or outside git
    return [f for f in seeds if _abs(f) in added]


def _common(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("files", nargs="*", metavar="FILE", help="files from pre-commit")
    p.add_argument("--all-files", action="store_true", help="also look at staged edits of committed files")
    p.add_argument("--rules", action="append", default=[], metavar="DIR", help="extra rule folder (repeatable)")
    return p


def _rules(dirs: Sequence[str]) -> RuleSet:
    return load_rules(dirs) if dirs else default_rules()


def check_main(argv: Sequence[str] | None = None) -> int:
    """``clean-check``: exit 1 when a new seed holds boilerplate (or lacks a language/outlet when required)."""
    p = _common("Report boilerplate in seed files added to the repository.")
    p.add_argument("--require-language", action="store_true", help="fail when the language is undetermined")
    p.add_argument("--require-outlet", action="store_true", help="fail when the outlet is undetermined")
    args = p.parse_args(argv)
    try:
        ruleset = _rules(args.rules)
    except RuleError as e:
        print(f"clean-check: {e}", file=sys.stderr)
        return 2
    problems = files_with_problems = 0
    for name in select(args.files, args.all_files):
        try:
            result = run(read_source(Path(name)), ruleset)
        except CleanerError as e:
            lines = [f"{name}: {str(e).removeprefix(f'{name}: ')}"]
        else:
            lines = explain_lines(result, name)
            if args.require_language and result.language == "und":
                lines.append(f"{name}:1:1: language-undetermined the document's language cannot be determined")
            if args.require_outlet and result.outlet is None:
                lines.append(f"{name}:1:1: outlet-undetermined the document names no known outlet")
        for line in lines:
            print(line)
        problems += len(lines)
        files_with_problems += bool(lines)
    if problems:
        print(f"clean-check: {problems} problem(s) in {files_with_problems} file(s); 'clean explain FILE' shows them")
    return 1 if problems else 0


def fix_main(argv: Sequence[str] | None = None) -> int:
    """``clean-fix``: write ``<seed>.clean.json`` sidecars (or rewrite seeds); exit 1 when it changed a file."""
    p = _common("Write a .clean.json sidecar beside each added seed file, or rewrite the seed.")
    p.add_argument("--rewrite", action="store_true", help="replace each seed by its clean text (no sidecar)")
    args = p.parse_args(argv)
    try:
        ruleset = _rules(args.rules)
    except RuleError as e:
        print(f"clean-fix: {e}", file=sys.stderr)
        return 2
    changed = failed = 0
    for name in select(args.files, args.all_files):
        path = Path(name)
        try:
            result = run(read_source(path), ruleset)
        except CleanerError as e:
            print(f"{name}: {str(e).removeprefix(f'{name}: ')}")
            failed += 1
            continue
        if args.rewrite:
            target, data = path, (result.text + "\n" if result.text else "").encode("utf-8")
        else:
            record = to_record(result, Path(name).as_posix())
            target = path.with_name(path.name + SIDECAR)
            data = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        if write_if_changed(target, data):
            print(f"clean-fix: wrote {target.as_posix()}")
            changed += 1
    return 1 if changed or failed else 0

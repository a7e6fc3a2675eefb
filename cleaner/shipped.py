"""Where the shipped rule files are: a module of its own, so a re-run that cleans nothing need not load the rules."""

from __future__ import annotations

from pathlib import Path


def builtin_dir() -> Path:
    """The folder of the shipped rule files (inside the installed package)."""
    here = Path(__file__).resolve().parent
    packaged = here / "builtin_rules"  # where the wheel puts the repository's rules/ folder
    return packaged if packaged.is_dir() else here.parent / "rules"

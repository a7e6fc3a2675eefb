"""Errors the cleaner raises on purpose: each prints as one clear line."""

from __future__ import annotations


class CleanerError(Exception):
    """Base class: a problem with an input or a rule file, said in one line."""


class InputError(CleanerError):
    """The input cannot be cleaned (binary, empty, undecodable, too large...)."""


class RuleError(CleanerError):
    """A rule file is malformed; the message names the file, line and rule."""

    def __init__(self, path: str, message: str, line: int | None = None, rule: str | None = None):
        where = path if line is None else f"{path}:{line}"
        who = f" rule {rule!r}:" if rule else ""
        super().__init__(f"{where}:{who} {message}")
        self.path, self.line, self.rule = path, line, rule

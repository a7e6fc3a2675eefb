"""cleaner: strip boilerplate from news and web documents, keeping byte-exact provenance.

>>> from cleaner import clean
>>> result = clean(b"Leave a Reply\\n\\nThe council met on Monday to discuss the budget for next year.")

``clean``, ``load_rules``, ``RuleSet`` and ``__version__`` are looked up when first used (PEP 562),
so that ``import cleaner`` (and a ``clean`` run that finds nothing to clean) does not load the pipeline.
``verify`` is imported at once: a later ``import cleaner.verify`` would otherwise shadow it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .errors import CleanerError, InputError, RuleError
from .result import CleanResult, Outlet, Removal, Span
from .verify import verify

if TYPE_CHECKING:
    __version__: str
    from .core import clean
    from .rules import RuleSet, load_rules

_LAZY = {"clean": "core", "RuleSet": "rules", "load_rules": "rules"}

__all__ = [
    "CleanResult",
    "CleanerError",
    "InputError",
    "Outlet",
    "Removal",
    "RuleError",
    "RuleSet",
    "Span",
    "__version__",
    "clean",
    "load_rules",
    "verify",
]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # (some 50 ms of imports)

    try:
        return version("cleaner")
    except PackageNotFoundError:  # running from a source checkout
        return "0.0.0+source"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        value: Any = _version()
    elif name in _LAZY:
        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # once looked up, an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})

"""cleaner: strip boilerplate from news and web documents, keeping byte-exact provenance.

>>> from cleaner import clean
>>> result = clean(b"Leave a Reply\\n\\nThe council met on Monday to discuss the budget for next year.")
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cleaner")
except PackageNotFoundError:  # running from a source checkout
    __version__ = "0.0.0+source"

from .core import clean
from .errors import CleanerError, InputError, RuleError
from .result import CleanResult, Outlet, Removal, Span
from .rules import RuleSet, load_rules
from .verify import verify

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

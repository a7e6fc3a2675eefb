"""``python -m cleaner`` is the ``clean`` command."""

from .cli import main

raise SystemExit(main())

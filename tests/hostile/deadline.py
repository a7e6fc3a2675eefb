"""A time limit for a block of test code: a hang becomes a test failure, not a stalled suite."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator


class Late(AssertionError):
    """Raised inside the block by the timer once its time is up."""


@contextlib.contextmanager
def deadline(seconds: float, what: str = "still running") -> Iterator[None]:
    """Raise ``Late`` in the block after ``seconds`` (POSIX ``SIGALRM``: ``re`` and ``open`` see it too;
    where there is no ``setitimer`` the block runs without a limit)."""
    if not hasattr(signal, "setitimer"):
        yield
        return

    def late(signum: int, frame: object) -> None:
        raise Late(f"{what} after {seconds} s")

    previous = signal.signal(signal.SIGALRM, late)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)

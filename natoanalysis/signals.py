"""SIGTERM and SIGHUP as exceptions, so that a stopped command cleans up as it does on Ctrl-C.

Python's default for SIGTERM ends the process at once and skips every
``finally``: a download would leave its ``.part`` file, a report run its
staging folder and kernels. Inside :func:`terminate_raises` the signal raises
instead; inside :func:`held_off` the stopping signals wait until a short
clean-up has run to its end. One home for the command line's ``fetch`` and the
report runner.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from typing import Callable, Iterator

# SIGHUP: the terminal of an interactive run was closed. Not every platform has it.
TERMINATING = tuple(s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s)


class Terminated(SystemExit):
    """A terminating signal stopped the command; ``code`` is the shell's status for it (128 + signal number).

    A subclass of :class:`SystemExit`, so that a program that does not catch it
    exits with that status, as it would have without the handler.
    """

    def __init__(self, signum: int):
        self.signum = signum
        super().__init__(128 + signum)


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()  # Python runs handlers there only


@contextlib.contextmanager
def terminate_raises(*, error: Callable[[int], BaseException] = Terminated) -> Iterator[None]:
    """Inside the block, SIGTERM and SIGHUP raise ``error(signum)`` (main thread only; elsewhere a no-op).

    Only signals still at their default are taken over: a handler the caller
    installed is theirs, and an ignored SIGHUP (``nohup``) stays ignored. After
    the first signal the others are ignored until the block ends, so that a
    second one cannot cut the clean-up short.

    Examples
    --------
    >>> with terminate_raises():
    ...     signal.raise_signal(signal.SIGTERM)
    Traceback (most recent call last):
    ...
    natoanalysis.signals.Terminated: 143
    """
    if not _in_main_thread():
        yield
        return

    def handler(signum, frame):
        for s in previous:
            signal.signal(s, signal.SIG_IGN)
        raise error(signum)

    previous = {s: signal.getsignal(s) for s in TERMINATING if signal.getsignal(s) == signal.SIG_DFL}
    for s in previous:
        signal.signal(s, handler)
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


@contextlib.contextmanager
def held_off() -> Iterator[list[int]]:
    """Inside the block, SIGINT, SIGTERM and SIGHUP are noted (in the yielded list), not acted on.

    For bounded stretches that must run to their end once begun: removing a
    staging folder after an interrupt, renaming a finished run into place.

    Examples
    --------
    >>> with held_off() as noted:
    ...     signal.raise_signal(signal.SIGINT)
    >>> noted
    [<Signals.SIGINT: 2>]
    """
    noted: list[int] = []
    if not _in_main_thread():
        yield noted
        return
    previous = {s: signal.signal(s, lambda signum, frame: noted.append(signal.Signals(signum)))
                for s in (signal.SIGINT, *TERMINATING)}
    try:
        yield noted
    finally:
        for s, h in previous.items():
            signal.signal(s, h)

"""Signals during a report run, and processes that must not outlive the one that started them.

The parent side: SIGTERM and SIGHUP become :class:`ReportTerminated` so that a
stopped run cleans up as it does on Ctrl-C, and the clean-up itself (stopping
the workers, removing the staging folder) runs with those signals held off, so
that a second Ctrl-C cannot leave half of it undone.

The child side: :func:`die_with_parent` makes a worker stop when the process
that started it goes away, however it went (``kill -9`` included).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from typing import Callable, Iterator

from .. import signals
from .errors import ReportTerminated

TERMINATING = signals.TERMINATING
STOPPING = (signal.SIGINT, *TERMINATING)
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


_in_main_thread = signals.in_main_thread


def terminate_raises() -> contextlib.AbstractContextManager[None]:
    """Inside the block, SIGTERM and SIGHUP raise :class:`ReportTerminated` (:func:`natoanalysis.signals.terminate_raises`).

    Examples
    --------
    >>> with terminate_raises():
    ...     signal.raise_signal(signal.SIGTERM)
    Traceback (most recent call last):
    ...
    natoanalysis.reports.errors.ReportTerminated: 143
    """
    return signals.terminate_raises(error=ReportTerminated)


@contextlib.contextmanager
def held_off() -> Iterator[list[int]]:
    """Inside the block, SIGINT, SIGTERM and SIGHUP are noted (in the yielded list), not acted on.

    For the stretches that must run to their end once begun: stopping the
    workers and removing the staging folder after an interrupt (the run is
    being stopped already), and renaming a finished run into place (a few
    milliseconds, after which the run has completed). Each stretch is bounded,
    so holding the signals off cannot make a run unstoppable.

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

    def note(signum, frame):
        noted.append(signal.Signals(signum))
    previous = {s: signal.signal(s, note) for s in STOPPING}
    try:
        yield noted
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def _set_parent_death_signal(signum: int) -> bool:
    """Ask Linux to send ``signum`` to this process when the thread that started it exits; False elsewhere."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes
        return ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0
    except (OSError, AttributeError):  # no libc prctl (another libc, a sandbox): the watcher thread remains
        return False


def die_with_parent(parent_pid: int, *, signum: int = signal.SIGTERM, grace_s: float = 60.0,
                    poll_s: float = 0.25, on_orphaned: Callable[[], None] | None = None) -> None:
    """Make this process stop when ``parent_pid`` (the process that started it) is gone.

    On Linux the kernel delivers ``signum`` the moment the parent dies
    (``prctl(PR_SET_PDEATHSIG)``), even after a SIGKILL. Everywhere, a daemon
    thread also watches ``os.getppid()``: when the process has been reparented
    it sends itself ``signum`` (or calls ``on_orphaned``), and if the process is
    still there ``grace_s`` later, it ends it with ``os._exit``. ``signum``
    should let the process clean up (a worker stops its kernel); the deadline
    covers a clean-up that hangs.
    """
    _set_parent_death_signal(signum)
    if os.getppid() != parent_pid:  # the parent died before the request took effect
        os.kill(os.getpid(), signum)

    def watch():
        while os.getppid() == parent_pid:
            time.sleep(poll_s)
        if on_orphaned is not None:
            on_orphaned()
        else:
            with contextlib.suppress(OSError):
                os.kill(os.getpid(), signum)
        time.sleep(grace_s)
        os._exit(128 + int(signum))
    threading.Thread(target=watch, name="watch-parent", daemon=True).start()

"""Errors of the report runner: bad requests (exit 2) and failed runs (exit 1)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import NatoAnalysisError
from ..signals import Terminated

if TYPE_CHECKING:  # pragma: no cover
    from .run import RunResult


class ReportParameterError(NatoAnalysisError, ValueError):
    """A report request was rejected before any kernel started.

    The message lists every problem found, each with what is accepted.
    """

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class ReportFailedError(NatoAnalysisError):
    """At least one notebook of a report run failed; the run is kept but marked incomplete."""

    def __init__(self, message: str, *, result: "RunResult"):
        self.result = result
        super().__init__(message)


class ReportTerminated(Terminated):
    """SIGTERM or SIGHUP stopped a report run; ``code`` is the shell's status for it (128 + signal number).

    A :class:`SystemExit` (through :class:`natoanalysis.signals.Terminated`), so
    that a program that does not catch it exits with that status, as it would
    have without the runner's handler; the runner has removed its staging
    folder and stopped its kernels by then.
    """

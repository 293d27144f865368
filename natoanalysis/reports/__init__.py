"""Report runner: execute the notebooks in ``notebooks/`` into ``reports/<run-id>/``.

``natoanalysis report`` on the command line and :func:`run` from Python do the
same thing, so a scheduler can call either. Papermill, nbconvert and the
kernels are only imported here, never by ``import natoanalysis``.

Examples
--------
>>> from natoanalysis import reports
>>> reports.run(notebooks=["00_data_overview"], parameters={"edition": "1999-01"})
Traceback (most recent call last):
...
natoanalysis.reports.errors.ReportParameterError: 00_data_overview: edition '1999-01' is not bundled for nato; accepted: 2024-06, ...
"""

from __future__ import annotations

from .errors import ReportFailedError, ReportParameterError, ReportTerminated
from .manifest import read as read_manifest
from .notebooks import list_notebooks
from .run import RunResult, run

__all__ = ["ReportFailedError", "ReportParameterError", "ReportTerminated", "RunResult", "list_notebooks",
           "read_manifest", "run"]

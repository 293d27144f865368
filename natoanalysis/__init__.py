"""natoanalysis: NATO and SIPRI defence expenditure as one tidy, provenance-tracked dataset.

The package is laid out by stage, each importing only the stages before it:
``extract`` (workbook -> cells and raw text), ``transform`` (cells -> tidy
table and its checks), ``pipeline`` (runs the two and writes), ``store``
(processed cache and queries), ``metrics``, ``views``, ``claims``, ``charts``
and ``reports``. Concepts every stage uses have one home each: ``config``
(paths and environment variables), ``edition``, ``allies`` (country names),
``validate`` (arguments), ``reference`` (the reference files), ``errors``.

The metrics take the tidy table they compute on; the functions here load the
latest bundled edition for them when no ``data`` is given. Importing the
package loads pandas but neither matplotlib nor seaborn: ``natoanalysis.charts``
and ``natoanalysis.reports`` are imported the first time they are used.

Examples
--------
>>> import natoanalysis as na
>>> df = na.load()
>>> df.query("country == 'POL' and indicator == 'share_gdp_pct' and year == 2024")["value"].round(2).tolist()
[4.12]
>>> round(float(na.burden_share(year=2024)["usa_defence_share_pct"]), 1)
65.6
"""

from __future__ import annotations

import functools
import importlib

from . import metrics as _metrics
from .allies import registry as countries
from .errors import (DataIntegrityError, DataNotFoundError, LayoutError, NatoAnalysisError, UnknownCountryError,
                     ValidationError, WorkbookError)
from .reference import aggregates, guidelines, indicators
from .store import build, compare_sources, data_quality, editions, load, notes, revisions, sources

__version__ = "0.3.0"


def _loading(metric):
    """``metric`` with ``data`` defaulting to :func:`load` of the edition asked for (the metrics themselves are pure)."""
    @functools.wraps(metric)
    def call(*args, data=None, edition=None, **kwargs):
        if data is None:
            data = load(edition=edition)
            edition = None
        return metric(*args, data=data, edition=edition, **kwargs)
    return call


aggregate = _loading(_metrics.aggregate)
allies_meeting = _loading(_metrics.allies_meeting)
burden_share = _loading(_metrics.burden_share)
compliance_table = _loading(_metrics.compliance_table)
gap_to_target = _loading(_metrics.gap_to_target)
group_growth = _loading(_metrics.group_growth)
pp_change = _loading(_metrics.pp_change)
project_path = _loading(_metrics.project_path)
required_annual_increase = _loading(_metrics.required_annual_increase)
simulate_paths = _loading(_metrics.simulate_paths)
years_to_target = _loading(_metrics.years_to_target)
growth_volatility = _loading(_metrics.growth_volatility)
growth_definitions = _loading(_metrics.growth_definitions)
real_gdp_growth = _loading(_metrics.real_gdp_growth)
trend_growth = _loading(_metrics.trend_growth)
growth = _metrics.growth  # grows the values it is given: no table to load

_LAZY_MODULES = ("charts", "reports")
_LAZY_FUNCTIONS = {"check_claims": "claims", "export": "store.export", "fetch": "pipeline", "ingest": "pipeline",
                   "read_workbook": "pipeline"}


def __getattr__(name: str):
    # Charts need matplotlib, reports papermill, the pipeline the workbook reader and the HTTP client, the claims
    # the views: none is imported until first used (na.charts and na.ingest work), so that `import natoanalysis`
    # stays quick.
    if name in _LAZY_MODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _LAZY_FUNCTIONS:
        return getattr(importlib.import_module(f".{_LAZY_FUNCTIONS[name]}", __name__), name)
    raise AttributeError(f"module 'natoanalysis' has no attribute {name!r}")


__all__ = [
    "DataIntegrityError", "DataNotFoundError", "LayoutError", "NatoAnalysisError", "UnknownCountryError",
    "ValidationError", "WorkbookError", "__version__",
    # data: read, write, query
    "aggregates", "build", "check_claims", "countries", "data_quality", "editions", "export", "fetch", "guidelines",
    "indicators", "ingest", "load", "read_workbook", "sources",
    # NATO beside SIPRI, and editions beside each other
    "compare_sources", "notes", "revisions",
    # metrics (natoanalysis.metrics; here with data loaded when not given)
    "aggregate", "allies_meeting", "burden_share", "compliance_table", "gap_to_target", "group_growth", "growth",
    "growth_definitions", "growth_volatility", "pp_change", "project_path", "real_gdp_growth",
    "required_annual_increase", "simulate_paths", "trend_growth", "years_to_target",
]

"""natoanalysis: NATO and SIPRI defence expenditure as one tidy, provenance-tracked dataset.

Importing the package loads pandas but neither matplotlib nor seaborn; charts
live in :mod:`natoanalysis.charts` and are imported by the notebooks.

Examples
--------
>>> import natoanalysis as na
>>> df = na.load()
>>> df.query("country == 'POL' and indicator == 'share_gdp_pct' and year == 2024")["value"].round(2).tolist()
[4.12]
"""

from __future__ import annotations

from .errors import (DataIntegrityError, DataNotFoundError, LayoutError, NatoAnalysisError, UnknownCountryError, ValidationError,
                     WorkbookError)
from .compare import compare_sources
from .edition_revisions import revisions
from .notes import notes
from .ingest import ingest, read_workbook
from .metrics import (aggregate, allies_meeting, burden_share, compliance_table, gap_to_target, group_growth,
                      growth, pp_change, project_path, required_annual_increase, simulate_paths, years_to_target)
from .claims import check_claims
from .quality import data_quality
from .registry import aggregates, countries, guidelines, indicators
from .store import build, editions, load, sources

__version__ = "0.1.0"

__all__ = [
    "DataIntegrityError", "DataNotFoundError", "LayoutError", "NatoAnalysisError", "UnknownCountryError", "ValidationError",
    "WorkbookError", "aggregates", "check_claims", "build", "countries", "data_quality", "editions", "guidelines", "indicators",
    "ingest", "load", "read_workbook", "sources", "__version__",
    # NATO beside SIPRI, and editions beside each other
    "compare_sources", "notes", "revisions",
    # metrics (natoanalysis.metrics)
    "aggregate", "allies_meeting", "burden_share", "compliance_table", "gap_to_target", "group_growth", "growth",
    "pp_change", "project_path", "required_annual_increase", "simulate_paths", "years_to_target",
]

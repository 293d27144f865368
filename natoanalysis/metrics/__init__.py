"""The analytical core: pure functions over the tidy table.

Each function takes keyword arguments, reads the tidy table (default
:func:`natoanalysis.load`), validates its arguments with a ``ValueError`` that
names the argument and the accepted values, and returns plain pandas objects
(or floats) whose unit is in the name or the docstring.

Modules: :mod:`.growth` (growth, pp_change), :mod:`.groups` (aggregate,
group_growth), :mod:`.burden` (burden_share), :mod:`.guidelines`
(allies_meeting, compliance_table), :mod:`.targets` (gap_to_target,
required_annual_increase, project_path, years_to_target, trend_growth,
real_gdp_growth, series_breaks) and
:mod:`.scenarios` (simulate_paths, growth_volatility).
"""

from __future__ import annotations

from .burden import burden_share
from .groups import aggregate, group_growth
from .growth import growth, pp_change
from .guidelines import allies_meeting, compliance_table
from .scenarios import growth_volatility, simulate_paths
from .targets import (gap_to_target, project_path, real_gdp_growth, required_annual_increase, series_breaks,
                      trend_growth, years_to_target)

__all__ = [
    "aggregate", "allies_meeting", "burden_share", "compliance_table", "gap_to_target", "group_growth", "growth",
    "growth_volatility", "pp_change", "project_path", "real_gdp_growth", "required_annual_increase",
    "series_breaks", "simulate_paths", "trend_growth", "years_to_target",
]

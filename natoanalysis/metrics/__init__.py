"""The analytical core: pure functions over a tidy table.

Each function takes keyword arguments and the tidy table as ``data=`` (it never
reads files: :func:`natoanalysis.load` does, and the package-level
``natoanalysis.<metric>`` functions call it for you when ``data`` is left out).
Arguments are checked by :mod:`natoanalysis.validate`, with a ``ValueError``
that names the argument and the accepted values; results are plain pandas
objects (or floats) whose unit is in the name or the docstring.

Modules: :mod:`.growth` (growth, pp_change, largest_rise), :mod:`.groups` (aggregate,
group_growth, growth_definitions, combined_share_gdp), :mod:`.burden` (burden_share),
:mod:`.guidelines` (allies_meeting, compliance_table), :mod:`.targets`
(gap_to_target, required_annual_increase, project_path, years_to_target,
trend_growth, real_gdp_growth) and :mod:`.scenarios` (simulate_paths,
growth_volatility).
"""

from __future__ import annotations

from .burden import burden_share
from .groups import aggregate, combined_share_gdp, group_growth, growth_definitions
from .growth import growth, largest_rise, pp_change
from .guidelines import allies_meeting, compliance_table
from .scenarios import growth_volatility, simulate_paths
from .targets import (gap_to_target, project_path, real_gdp_growth, required_annual_increase, trend_growth,
                      years_to_target)

__all__ = [
    "aggregate", "allies_meeting", "burden_share", "combined_share_gdp", "compliance_table", "gap_to_target",
    "group_growth", "growth", "growth_definitions", "growth_volatility", "largest_rise", "pp_change", "project_path", "real_gdp_growth", "required_annual_increase",
    "simulate_paths", "trend_growth", "years_to_target",
]

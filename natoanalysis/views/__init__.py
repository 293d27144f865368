"""Tables shaped for the report notebooks, one module per story.

The notebooks stay thin: they call these functions (and the metrics), print
and chart what comes back. Each function takes the tidy table (``data``, as
:func:`natoanalysis.load` returns it) by keyword and returns a plain pandas
object whose units are in its column names. :func:`rows` selects the tidy rows
a chart is computed from, for its footnote.

Modules: :mod:`.selection` (rows), :mod:`.headline` (01), :mod:`.burden` (02),
:mod:`.compliance` (03), :mod:`.growth` (04), :mod:`.profile` (05),
:mod:`.pathways` (06), :mod:`.longrun` (07).
"""

from __future__ import annotations

from .selection import rows, year_or_latest

__all__ = ["rows", "year_or_latest"]

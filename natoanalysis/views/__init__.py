"""Tables shaped for the report notebooks, one module per story.

The notebooks stay thin: they call these functions (and the metrics), print
and chart what comes back. Each function takes the tidy table (``data``, as
:func:`natoanalysis.load` returns it) by keyword and returns a plain pandas
object whose units are in its column names. A table a view returns carries the
provenance of the tidy rows it was computed from (:mod:`.provenance`), which a chart reads for its
footnote; :func:`rows` selects tidy rows (carrying their own).

Modules: :mod:`.selection` (rows), :mod:`.provenance`, :mod:`.labels` and
:mod:`.text` (wording built from the data), :mod:`.tables` (tables for
reading, with their CSV), :mod:`.coverage` (00), :mod:`.headline` (01),
:mod:`.burden_sharing` (02), :mod:`.compliance` (03), :mod:`.spending_growth`
(04), :mod:`.profile` (05), :mod:`.pathways` (06), :mod:`.longrun` (07),
:mod:`.revisions` (09).
"""

from __future__ import annotations

from .selection import rows, year_or_latest

__all__ = ["rows", "year_or_latest"]

"""One house style for every chart, with the source footnote every chart must carry.

Imported by notebooks and reports only: ``import natoanalysis`` does not import
matplotlib. Figures are saved as PNG and SVG into ``$NATOANALYSIS_FIGURE_DIR``
(the report runner sets it per notebook) or ``./figures``, with metadata
timestamps pinned so that two runs on the same inputs write the same files, and
with the CSV of the values drawn, which each builder records with an alt text
(:func:`.style.record`).

Modules: :mod:`.style` (``apply_style``, ``footnote``, ``source_note``,
``save``), :mod:`.bars` (ranked, grouped, stacked and range bars), :mod:`.lines`
(time series, optionally in side-by-side panels), :mod:`.grids` (a status
grid of allies by year, the tile map of the allies), :mod:`.scatter` (allies
against two guidelines, every point labelled) and :mod:`.explorer` (the report
site's interactive Vega-Lite chart, imported on its own: it needs Altair).
Every builder takes the table it draws; the footnote is written from the
provenance a view's table carries, or from ``provenance=``
(tidy rows, or their :class:`~natoanalysis.views.provenance.Provenance`).
"""

from __future__ import annotations

from .bars import grouped_bars, range_bars, ranked_bars, share_gdp_bars, stacked_bars
from .grids import status_grid, tile_map
from .lines import line_chart
from .scatter import quadrant_counts, quadrant_scatter
from .style import FIGURE_DIR_ENV, PALETTE, SERIES_COLORS, apply_style, figure_dir, footnote, save, source_note

__all__ = ["FIGURE_DIR_ENV", "PALETTE", "SERIES_COLORS", "apply_style", "figure_dir", "footnote", "grouped_bars", "line_chart",
           "quadrant_counts", "quadrant_scatter", "range_bars", "ranked_bars", "save", "share_gdp_bars", "source_note",
           "stacked_bars", "status_grid", "tile_map"]

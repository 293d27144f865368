"""Time-series line charts, with estimate years shaded and optional side-by-side panels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

from ..views import text
from ..views.provenance import Provenance, provenance_of
from .bars import _check_columns
from .layout import fit, label_reference_line, legend_outside, set_year_axis, shade_estimates
from .style import PALETTE, SERIES_COLORS, footnote, record


def line_chart(table: pd.DataFrame, *, y: str, series: str, title: str, ylabel: str,
               provenance: pd.DataFrame | Provenance | None = None,
               x: str = "year", xlabel: str = "Year", panel: str | None = None,
               reference_lines: dict[str, float] | None = None, note: str = "", sharey: bool = False,
               colors: dict[str, str] | None = None, markers: bool = True) -> plt.Figure:
    """Lines over time, one per ``series``; with ``panel``, one subplot per panel value side by side.

    Years that the provenance marks as estimates (a short run at the end,
    e.g. 2023-2024) are shaded and labelled "estimates".

    Parameters
    ----------
    table : pandas.DataFrame
        Long table with columns ``x``, ``y``, ``series`` (and ``panel``).
    y, series : str
        Column of the values and of the line names.
    title, ylabel : str
        Title and y-axis label (with the unit); with panels, each subplot is
        titled by its panel value and ``title`` is the figure title.
    provenance : pandas.DataFrame or Provenance, optional
        Tidy rows the values come from (footnote, estimate shading); default:
        the provenance the view that made ``table`` attached (``attrs["provenance"]``).
    x, xlabel : str
        Column and label of the x axis (default: ``year``, "Year").
    panel : str, optional
        Column splitting the chart into side-by-side panels.
    reference_lines : dict, optional
        ``{label: value}`` drawn as dashed horizontal lines (e.g. guidelines).
    note : str
        Extra footnote text.
    sharey : bool
        Share the y axis between panels.
    colors : dict, optional
        ``{series name: colour}``.
    markers : bool
        Draw a marker at each point (off for long series).

    Examples
    --------
    >>> t = pd.DataFrame({"year": [2023, 2024] * 2, "c": ["A", "A", "B", "B"], "v": [1.0, 2.0, 2.0, 2.5]})
    >>> rows = pd.DataFrame({"source": ["nato"], "edition": ["2024-06"], "year": [2024], "is_estimate": [True]})
    >>> fig = line_chart(t, y="v", series="c", title="T", ylabel="% of GDP", provenance=rows,
    ...                  reference_lines={"2% guideline": 2.0})
    >>> fig.axes[0].get_ylabel(), fig.axes[0].get_xlabel()
    ('% of GDP', 'Year')
    >>> plt.close(fig)
    """
    _check_columns(table, [x, y, series] + ([panel] if panel else []))
    provenance = provenance_of(table, provenance)
    panels = list(dict.fromkeys(table[panel])) if panel else [None]
    width = 9 if len(panels) == 1 else 6.2 * len(panels)
    fig, axes = plt.subplots(1, len(panels), figsize=(width, 5.2), sharey=sharey, squeeze=False)
    names = list(dict.fromkeys(table[series]))
    palette = _palette(names, colors)
    for ax, pv in zip(axes[0], panels):
        sub = table if pv is None else table[table[panel] == pv]
        for name in names:
            line = sub[sub[series] == name].sort_values(x)
            if not line.empty:
                ax.plot(line[x], line[y], marker="o" if markers else None, markersize=3.5, linewidth=1.8,
                        label=str(name), color=palette[name])
        shade_estimates(ax, provenance)
        if np.issubdtype(sub[x].dtype, np.integer) and len(sub):
            set_year_axis(ax, sub[x])
        ax.set(xlabel=xlabel, ylabel=ylabel)
        if pd.api.types.is_integer_dtype(table[y]):  # a count: whole-number ticks, never 2.5 allies
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        if pv is not None:
            ax.set_title(str(pv), fontsize=11)
    if len(names) > 1:
        legend_outside(*axes[0], fontsize=8.5)  # one legend for every panel's lines
    if panel:
        fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=13)
    else:
        axes[0][0].set_title(title)
    footnote(fig, data=provenance, extra=note)
    fit(fig)
    for ax in axes[0]:  # after the layout, so that the labels are placed against the final axes
        for i, (lab, val) in enumerate((reference_lines or {}).items()):
            ax.axhline(val, color=PALETTE["guideline"], linestyle=["--", ":", "-."][i % 3], linewidth=1, gid="reference")
            label_reference_line(ax, val, lab)
    return record(fig, drawn=table[list(dict.fromkeys(filter(None, (panel, series, x, y))))], title=title,
                  panels=panels, lines=reference_lines,
                  shows=f"{text.count(len(names), 'line')}, {ylabel}, by {xlabel.lower()}: {', '.join(map(str, names))}")


def _palette(names: list, colors: dict[str, str] | None) -> dict:
    """A colour per series: the house colours, or tab20's pairs when there are more series than those."""
    cycle = SERIES_COLORS if len(names) <= len(SERIES_COLORS) else \
        [plt.get_cmap("tab20")(i) for i in range(0, 20, 2)] + [plt.get_cmap("tab20")(i) for i in range(1, 20, 2)]
    return {n: (colors or {}).get(n, cycle[i % len(cycle)]) for i, n in enumerate(names)}


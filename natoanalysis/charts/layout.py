"""Placement shared by the chart builders: year ticks, estimate shading, reference-line labels, legends.

Each is decided from what the chart shows, not by hand per chart: year ticks
always include the first and the last year, estimate years are shaded
wherever years are on an axis, and a reference line's label is put where it
covers no data.
"""

from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.transforms import Bbox

from ..views.provenance import Provenance
from .style import PALETTE

MAX_YEAR_TICKS = 12


def year_ticks(first: int, last: int, *, max_ticks: int = MAX_YEAR_TICKS) -> list[int]:
    """Tick years from ``first`` to ``last``, both included, evenly spaced where the span allows.

    Examples
    --------
    >>> year_ticks(2014, 2024)
    [2014, 2015, 2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024]
    >>> year_ticks(2014, 2035)
    [2014, 2017, 2020, 2023, 2026, 2029, 2032, 2035]
    >>> year_ticks(1949, 2024)
    [1949, 1960, 1970, 1980, 1990, 2000, 2010, 2024]
    """
    span = last - first
    if span + 1 <= max_ticks:
        return list(range(first, last + 1))
    for step in (2, 3, 4, 5):
        if span % step == 0 and span // step + 1 <= max_ticks:
            return list(range(first, last + 1, step))
    for step in (5, 10, 20, 25, 50):
        inner = [y for y in range(first - first % step + step, last, step)]
        # Interior ticks too close to an end would crowd its label.
        inner = [y for y in inner if y - first >= step * 0.6 and last - y >= step * 0.6]
        if len(inner) + 2 <= max_ticks:
            return [first, *inner, last]
    return [first, last]


def set_year_axis(ax: plt.Axes, years, *, axis: str = "x") -> None:
    """Integer year ticks from the first to the last of ``years`` (both labelled)."""
    ys = sorted({int(y) for y in years})
    if not ys:
        return
    ticks = year_ticks(ys[0], ys[-1])
    (ax.set_xticks if axis == "x" else ax.set_yticks)(ticks)
    (ax.set_xticklabels if axis == "x" else ax.set_yticklabels)([str(t) for t in ticks])


def estimate_span(provenance: Provenance) -> tuple[int, int] | None:
    """First and last estimated year when they are a short run at the end (NATO's ``2025e``, ``2026e``)."""
    est = provenance.estimate_years
    if not est or len(est) > 4 or est[-1] - est[0] != len(est) - 1:
        return None
    return est[0], est[-1]


def shade_estimates(ax: plt.Axes, span: tuple[int, int] | None, *, positions: dict[int, float] | None = None,
                    horizontal: bool = False) -> None:
    """Shade the estimate years (``positions`` maps a year to its bar position on a categorical axis)."""
    if span is None:
        return
    if positions is not None:
        inside = [positions[y] for y in range(span[0], span[1] + 1) if y in positions]
        if not inside:
            return
        lo, hi = min(inside) - 0.5, max(inside) + 0.5
    else:
        lo, hi = span[0] - 0.5, span[1] + 0.5
    if horizontal:
        ax.axhspan(lo, hi, color=PALETTE["estimate"], alpha=0.18, linewidth=0, zorder=0)
        ax.annotate("estimates", xy=(1.0, (lo + hi) / 2), xycoords=("axes fraction", "data"), ha="right",
                    va="center", fontsize=8, color="#555555")
    else:
        ax.axvspan(lo, hi, color=PALETTE["estimate"], alpha=0.18, linewidth=0, zorder=0)
        ax.annotate("estimates", xy=((lo + hi) / 2, 1.0), xycoords=("data", "axes fraction"), ha="center",
                    va="top", fontsize=8, color="#555555")


def _data_paths(ax: plt.Axes):
    """The display-space paths of what the axes plot (lines and their markers' points)."""
    for line in ax.get_lines():
        if line.get_gid() == "reference":
            continue
        yield line.get_transform().transform_path(line.get_path())


def _covers_data(ax: plt.Axes, bbox: Bbox) -> bool:
    padded = bbox.padded(2)
    for path in _data_paths(ax):
        if path.intersects_bbox(padded, filled=False):
            return True
        verts = path.vertices
        inside = ((verts[:, 0] >= padded.x0) & (verts[:, 0] <= padded.x1)
                  & (verts[:, 1] >= padded.y0) & (verts[:, 1] <= padded.y1))
        if inside.any():
            return True
    return False


def label_reference_line(ax: plt.Axes, value: float, text: str, **style) -> plt.Text:
    """Write a horizontal reference line's label inside the axes where it covers no plotted data.

    Tries the left and right ends, just above and just below the line; if all
    four cover data, the label goes above the line at the right with a white
    background, so it stays legible without hiding what it sits on for long.
    """
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    ax.autoscale_view()
    candidates = [(0.01, "left", "bottom", 3), (0.99, "right", "bottom", 3),
                  (0.01, "left", "top", -3), (0.99, "right", "top", -3)]
    for x, ha, va, dy in candidates:
        label = ax.annotate(text, xy=(x, value), xycoords=("axes fraction", "data"), xytext=(0, dy),
                            textcoords="offset points", ha=ha, va=va, fontsize=8.5, **style)
        bbox = label.get_window_extent(renderer)
        if ax.bbox.contains(bbox.x0, bbox.y0) and ax.bbox.contains(bbox.x1, bbox.y1) and not _covers_data(ax, bbox):
            return label
        label.remove()
    return ax.annotate(text, xy=(0.99, value), xycoords=("axes fraction", "data"), xytext=(0, 3),
                       textcoords="offset points", ha="right", va="bottom", fontsize=8.5,
                       bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1}, **style)


def legend_outside(ax: plt.Axes, **kwargs) -> None:
    """A legend to the right of the axes, so that it never sits on the data."""
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, **kwargs)


def value_labels(ax: plt.Axes, positions, values, *, fmt: str, horizontal: bool, fontsize: float = 7.0) -> None:
    """Print each bar's value at its end (outside the bar, on the side it points to)."""
    vals = np.asarray(values, dtype=float)
    finite = vals[np.isfinite(vals)]
    span = float(np.abs(finite).max()) if finite.size else 1.0
    for pos, v in zip(positions, vals):
        if not np.isfinite(v):
            continue
        pad = 0.01 * span if v >= 0 else -0.01 * span
        if horizontal:
            ax.text(v + pad, pos, fmt.format(v), va="center", ha="left" if v >= 0 else "right", fontsize=fontsize,
                    color="#333333")
        else:
            ax.text(pos, v + pad, fmt.format(v), ha="center", va="bottom" if v >= 0 else "top", fontsize=fontsize,
                    color="#333333")

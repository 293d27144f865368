"""Placement shared by the chart builders: year ticks, estimate shading, reference-line labels, legends, the layout.

Each is decided from what the chart shows, not by hand per chart: year ticks
always include the first and the last year and are thinned to what the axis
has room for, estimate years are shaded wherever years are on an axis, a
reference line's label is put where it covers no data, and :func:`fit` lays
the finished figure out so that every text is inside it and none is printed
on another.
"""

from __future__ import annotations

import textwrap

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.font_manager import FontProperties
from matplotlib.layout_engine import TightLayoutEngine
from matplotlib.ticker import Locator, StrMethodFormatter
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


class YearLocator(Locator):
    """:func:`year_ticks` from ``first`` to ``last``, thinned when drawn to as many as the axis has room for.

    A year's label takes about 0.64 em a digit plus an em of space (1.2 em and
    0.8 em on a vertical axis), at the tick labels' font size: the ticks are
    chosen from the axis's length at the time it is drawn, so that they never
    run together ("2014201520162017") however narrow the layout makes it.

    Examples
    --------
    >>> fig, ax = plt.subplots(figsize=(2.5, 2))
    >>> _ = ax.plot([2014, 2024], [1, 2])
    >>> ax.xaxis.set_major_locator(YearLocator(2014, 2024))
    >>> fig.draw_without_rendering()
    >>> ticks = ax.xaxis.get_major_locator()()
    >>> ticks[0], ticks[-1], len(ticks) < 11
    (2014, 2024, True)
    >>> plt.close(fig)
    """

    def __init__(self, first: int, last: int):
        self.first, self.last = int(first), int(last)

    def __call__(self):
        return self.tick_values(self.first, self.last)

    def tick_values(self, vmin, vmax) -> list[int]:
        first, last = int(np.ceil(min(vmin, vmax))), int(np.floor(max(vmin, vmax)))
        if self.axis is None or last <= first:
            return year_ticks(first, last)
        vertical = self.axis.axis_name == "y"
        size = FontProperties(size=plt.rcParams[f"{self.axis.axis_name}tick.labelsize"]).get_size_in_points()
        room = size * (2.0 if vertical else 0.64 * len(str(last)) + 1.0)
        ends = self.axis.axes.transData.transform([(first, first), (last, last)])[:, int(vertical)]
        per_year = abs(ends[1] - ends[0]) / (last - first) * 72 / self.axis.figure.dpi
        step = max(1, int(np.ceil(room / per_year))) if per_year > 0 else last - first
        for n in range(min(MAX_YEAR_TICKS, (last - first) // step + 1), 2, -1):
            ticks = year_ticks(first, last, max_ticks=n)
            if min(np.diff(ticks)) >= step:
                return ticks
        return [first, last] if last - first >= step else [last]


def set_year_axis(ax: plt.Axes, years, *, axis: str = "x") -> None:
    """Integer year ticks from the first to the last of ``years`` (both labelled; see :class:`YearLocator`)."""
    ys = sorted({int(y) for y in years})
    if not ys:
        return
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_locator(YearLocator(ys[0], ys[-1]))
    target.set_major_formatter(StrMethodFormatter("{x:.0f}"))


def shade_estimates(ax: plt.Axes, provenance: Provenance, *, positions: dict[int, float] | None = None,
                    horizontal: bool = False) -> None:
    """Shade the estimate years when they are a short run at the end (NATO's ``2025e``, ``2026e``).

    ``positions`` maps a year to its bar position on a categorical axis.
    SIPRI's estimates, all through its series, are not shaded.
    """
    est = provenance.estimate_years
    if not est or len(est) > 4 or est[-1] - est[0] != len(est) - 1:
        return
    if positions is not None:
        inside = [positions[y] for y in est if y in positions]
        if not inside:
            return
        lo, hi = min(inside) - 0.5, max(inside) + 0.5
    else:
        lo, hi = est[0] - 0.5, est[-1] + 0.5
    # Across a horizontal bar chart's categories, the band and its label run the other way.
    band, where = (ax.axhspan, ((1.0, (lo + hi) / 2), ("axes fraction", "data"), "right", "center")) if horizontal \
        else (ax.axvspan, (((lo + hi) / 2, 1.0), ("data", "axes fraction"), "center", "top"))
    band(lo, hi, color=PALETTE["estimate"], alpha=0.18, linewidth=0, zorder=0)
    ax.annotate("estimates", xy=where[0], xycoords=where[1], ha=where[2], va=where[3], fontsize=8, color="#555555")


def _covers_data(ax: plt.Axes, bbox: Bbox) -> bool:
    """Whether ``bbox`` (display units) touches a plotted line or one of its points (reference lines aside)."""
    padded = bbox.padded(2)
    for line in ax.get_lines():
        path = line.get_transform().transform_path(line.get_path())
        if line.get_gid() != "reference" and (path.intersects_bbox(padded, filled=False)
                                              or padded.count_contains(path.vertices)):
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


def legend_outside(*axes: plt.Axes, **kwargs) -> None:
    """One legend to the right of the last of ``axes``, never on the data: each label of their lines and bars once."""
    found: dict[str, object] = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            found.setdefault(label, handle)
    if found:
        axes[-1].legend(list(found.values()), list(found), loc="upper left", bbox_to_anchor=(1.01, 1.0),
                        borderaxespad=0.0, **kwargs)


def value_labels(ax: plt.Axes, positions, values, *, horizontal: bool, fmt: str = "{:g}", texts=None,
                 fontsize: float = 7.0, limit: float | None = None, only_cut: bool = False) -> None:
    """Print each bar's value (``texts``, default the values in ``fmt``) at its end, outside the bar.

    A bar longer than ``limit`` (where :func:`axis_limit` cut the axis) has
    its value printed on a white box just inside the axis's end, ``»``
    marking the cut; ``only_cut`` labels those bars only.
    """
    vals = np.asarray(values, dtype=float)
    finite = vals[np.isfinite(vals)]
    span = limit if limit is not None else float(np.abs(finite).max()) if finite.size else 1.0
    for pos, v, shown in zip(positions, vals, [fmt.format(v) for v in vals] if texts is None else texts):
        cut = limit is not None and abs(v) > limit
        if not np.isfinite(v) or (only_cut and not cut):
            continue
        at = np.sign(v) * limit * 0.99 if cut else v + (0.01 if v >= 0 else -0.01) * span
        # The text starts at the bar's end and points away from it; a cut bar's ends at the axis's end, inside.
        align = ("left", "right") if horizontal else ("bottom", "top")
        align = align[int((v >= 0) == cut)]
        xy, style = ((at, pos), {"ha": align, "va": "center"}) if horizontal else \
            ((pos, at), {"ha": "center", "va": align})
        if cut:
            shown = f"{shown} »" if v > 0 else f"« {shown}"
            style["bbox"] = {"facecolor": "white", "edgecolor": "#333333", "linewidth": 0.5, "pad": 1.5}
        ax.text(*xy, shown, fontsize=fontsize, color="#333333", **style)


def axis_limit(values, *, over_time: bool = False) -> float | None:
    """Where to cut a bar axis so that one outlying bar does not flatten the rest, or None to keep it whole.

    The bars whose size is beyond the far-outlier fence (upper quartile plus
    three times the interquartile range) are cut when they are more than 1.5
    times the largest of the others; the axis then ends 15% beyond that one.
    Bars ``over_time`` (years on the category axis) are never cut: there the
    outlying bar is usually the news (European real growth in 2024).

    Examples
    --------
    >>> axis_limit([3.0, 5.0, 6.0, 8.0, 9.0, 10.0, 12.0, 115.0]) == 12.0 * 1.15
    True
    >>> axis_limit([3.0, 5.0, 6.0, 8.0, 9.0, 10.0, 12.0, 16.0]) is None
    True
    >>> axis_limit([3.0, 5.0, 6.0, 8.0, 9.0, 10.0, 12.0, 115.0], over_time=True) is None
    True
    """
    size = np.abs(np.asarray(values, dtype=float))
    size = size[np.isfinite(size)]
    if over_time or size.size < 8:
        return None
    q1, q3 = np.percentile(size, [25, 75])
    inside = size[size <= q3 + 3 * (q3 - q1)]
    if not inside.size or inside.max() <= 0 or size.max() <= 1.5 * inside.max():
        return None
    return float(inside.max() * 1.15)


def cut_axis(ax: plt.Axes, wide, *, limit: float, horizontal: bool, fmt: str) -> str:
    """End the value axis of bars at ``limit`` (from :func:`axis_limit`); return the footnote sentence naming the cut bars.

    ``wide`` is the table of bar values, categories by series; the other end
    keeps a margin for the value labels.

    Examples
    --------
    >>> import pandas as pd
    >>> fig, ax = plt.subplots()
    >>> wide = pd.DataFrame({"real": [4.0, 115.3]}, index=["A", "B"])
    >>> _ = ax.barh([0, 1], wide["real"])
    >>> cut_axis(ax, wide, limit=10.0, horizontal=True, fmt="{:.1f}")
    'The value axis is cut at 10 so that the other bars can be read; » marks a longer bar, printed with its value: B, real: 115.3.'
    >>> tuple(float(v) for v in ax.get_xlim())
    (0.0, 10.0)
    >>> plt.close(fig)
    """
    shown = np.clip(wide.to_numpy(dtype=float), -limit, limit)
    low, high = min(0.0, float(np.nanmin(shown))), max(0.0, float(np.nanmax(shown)))
    pad = 0.08 * (high - low)
    (ax.set_xlim if horizontal else ax.set_ylim)(low if low in (0.0, -limit) else low - pad,
                                                 high if high in (0.0, limit) else high + pad)
    cut = wide.stack()[lambda v: v.abs() > limit]
    bars = "; ".join(f"{c}, {str(s)[:1].lower()}{str(s)[1:]}: {fmt.format(v)}" for (c, s), v in cut.items())
    return (f"The value axis is cut at {limit:,.0f} so that the other bars can be read; » marks a longer bar, "
            f"printed with its value: {bars}.")


def fit(fig: plt.Figure) -> None:
    """Lay a finished figure out so that every text is inside it and none is printed on another.

    The footnote (the lowest text of the figure) keeps the bottom; a legend
    outside the plot stays to its right when it takes at most a quarter of
    the figure's width (and fits its height), else goes in columns between
    the plot and the footnote; then matplotlib's ``TightLayoutEngine`` fits
    the axes into what is left, once more if an axis label longer than its
    axis was wrapped or crowded category labels were turned upright.

    Examples
    --------
    >>> fig, ax = plt.subplots(figsize=(4, 3))
    >>> _ = ax.plot([0, 1], [0, 1], label="a legend label far too wide to sit beside so small a plot")
    >>> legend_outside(ax)
    >>> _ = fig.text(0.01, 0.005, "Source: a footnote.", va="bottom")
    >>> fit(fig)
    >>> bool(ax.get_legend().get_window_extent().y0 > fig.texts[0].get_window_extent().y1)
    True
    >>> plt.close(fig)
    """
    renderer = fig.canvas.get_renderer()
    note = min(fig.texts, key=lambda t: t.get_position()[1], default=None)
    bottom = note.get_window_extent(renderer).height + 6 if note is not None else 0.0
    for leg in (ax.get_legend() for ax in fig.axes):
        if leg is not None and leg.get_bbox_to_anchor().x0 >= leg.axes.bbox.x1 - 1:
            bottom += _legend_below(leg, fig, renderer, bottom)
    # Run once here and not kept as the figure's engine (as Figure.tight_layout keeps a placeholder): a figure
    # without one is not laid out again at each draw, and savefig draws each format once, not twice.
    engine = TightLayoutEngine(pad=0.6, rect=(0, bottom / fig.bbox.height, 1, 1))
    engine.execute(fig)
    if _wrap_axis_labels(fig, renderer) | _turn_crowded_labels(fig, renderer):
        engine.execute(fig)


def _legend_below(leg, fig: plt.Figure, renderer, bottom: float) -> float:
    """Put a legend too big for the side under the plot, in as many columns as fit; return the height it takes."""
    box = leg.get_window_extent(renderer)
    if box.width <= 0.25 * fig.bbox.width and box.height <= 0.8 * fig.bbox.height:
        return 0.0
    ax, handles, labels = leg.axes, leg.legend_handles, [t.get_text() for t in leg.get_texts()]
    size = leg.get_texts()[0].get_fontsize()

    def place(texts: list[str], ncols: int):
        return ax.legend(handles, texts, ncols=ncols, loc="lower left", fontsize=size, borderaxespad=0.0,
                         bbox_to_anchor=(0.01, bottom / fig.bbox.height), bbox_transform=fig.transFigure)
    for ncols in range(min(len(labels), 8), 0, -1):
        leg = place(labels, ncols)
        if leg.get_window_extent(renderer).width <= 0.98 * fig.bbox.width:
            break
    width = leg.get_window_extent(renderer).width
    if width > 0.98 * fig.bbox.width:  # one column is still too wide (08's four definitions): wrap the labels
        chars = max(12, int(max(map(len, labels)) * 0.9 * fig.bbox.width / width))
        leg = place([textwrap.fill(label, chars) for label in labels], 1)
    leg.set_in_layout(False)  # tight_layout leaves it the strip reserved below the axes
    return leg.get_window_extent(renderer).height + 6


def _wrap_axis_labels(fig: plt.Figure, renderer) -> bool:
    """Break axis labels longer than their axis into lines of as many characters as fit; True if any changed."""
    changed = False
    for ax in fig.axes:
        for label, length in ((ax.xaxis.label, ax.bbox.width), (ax.yaxis.label, ax.bbox.height)):
            text = label.get_text()
            size = max(label.get_window_extent(renderer).size)  # along the label, upright or not
            if text and "\n" not in text and size > 0.98 * length:
                label.set_text(textwrap.fill(text, int(len(text) * 0.95 * length / size)))
                changed = True
    return changed


def _turn_crowded_labels(fig: plt.Figure, renderer) -> bool:
    """Turn the x tick labels of an axes upright where two of them overlap; True if any were turned.

    No chart the notebooks draw needs it (their vertical bars are years), but a caller's own categories may.
    """
    changed = False
    for ax in fig.axes:
        labels = [t for t in ax.get_xticklabels() if t.get_text() and t.get_rotation() == 0]
        boxes = sorted((t.get_window_extent(renderer) for t in labels), key=lambda b: b.x0)
        if any(a.x1 > b.x0 for a, b in zip(boxes, boxes[1:])):
            ax.tick_params(axis="x", labelrotation=90)
            changed = True
    return changed

"""Bar charts: ranked allies against a threshold, grouped, stacked and range (quantile) bars."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

from .. import allies, reference, validate
from ..views import labels, text
from ..views.provenance import Provenance, provenance_of
from .layout import axis_limit, cut_axis, fit, legend_outside, shade_estimates, value_labels
from .style import PALETTE, SERIES_COLORS, footnote, record


def _check_columns(table: pd.DataFrame, columns: list[str], *, name: str = "table") -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{name} lacks the columns {missing}; it has: {', '.join(map(str, table.columns))}")


def _printed(v: float, fmt: str, threshold: float | None) -> str:
    """``v`` as ``fmt`` prints it, with more decimals where rounding would put it on the other side of the line.

    A bar coloured "below" must not read "2.00" (Sweden's 1.9977): the label
    gets the decimals that show it is below.

    Examples
    --------
    >>> _printed(1.9977, "{:.2f}", 2.0), _printed(1.95, "{:.2f}", 2.0), _printed(2.0, "{:.2f}", 2.0)
    ('1.998', '1.95', '2.00')
    """
    shown = fmt.format(v)
    if threshold is None or not np.isfinite(v) or v >= threshold:
        return shown
    match = re.fullmatch(r"\{:([+,]?)\.(\d+)f\}", fmt)
    if not match:
        return shown
    for places in range(int(match.group(2)), 7):
        shown = f"{v:{match.group(1)}.{places}f}"
        if float(shown.replace(",", "")) < threshold:
            return shown
    return shown


def ranked_bars(table: pd.DataFrame, *, value: str, label: str, title: str, xlabel: str,
                provenance: pd.DataFrame | Provenance | None = None, threshold_pct: float | None = None,
                threshold_label: str = "",
                highlight: list[str] | tuple[str, ...] = (), note: str = "", value_format: str = "{:.2f}",
                color_by_threshold: bool = True) -> plt.Figure:
    """Horizontal bars, largest at the top, with an optional threshold line.

    With a ``threshold_pct``, bars at or above it are dark and the others grey
    (unless ``color_by_threshold`` is False, for a line that is only a
    reference); negative bars (e.g. an ally already above a target) have a
    colour of their own; labels listed in ``highlight`` are drawn in the
    highlight colour.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per bar, with columns ``label`` and ``value``.
    value, label : str
        Column names of the bar length and the bar label.
    title, xlabel : str
        Chart title and x-axis label (with the unit).
    provenance : pandas.DataFrame or Provenance, optional
        Tidy rows the values come from (footnote, estimate shading); default:
        the provenance the view that made ``table`` attached (``attrs["provenance"]``).
    threshold_pct : float, optional
        Drawn as a dashed vertical line, in the unit of ``value`` (a percentage, or points for a pace).
    threshold_label : str
        Text beside the line.
    highlight : list of str
        Labels to colour in the highlight colour.
    note : str
        Extra footnote text (definitions, caveats).
    value_format : str
        Format of the value printed at the end of each bar.
    color_by_threshold : bool, default True
        Grey out the bars below ``threshold_pct``.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> t = pd.DataFrame({"name": ["A", "B"], "pct": [1.5, 2.5]})
    >>> rows = pd.DataFrame({"source": ["nato"], "edition": ["2024-06"], "year": [2024], "is_estimate": [True]})
    >>> fig = ranked_bars(t, value="pct", label="name", title="T", xlabel="% of GDP", provenance=rows, threshold_pct=2)
    >>> fig.axes[0].get_xlabel()
    '% of GDP'
    >>> plt.close(fig)
    """
    _check_columns(table, [value, label])
    provenance = provenance_of(table, provenance)
    rows = table.sort_values(value)
    fig, ax = plt.subplots(figsize=(8.5, max(3.0, 0.26 * len(rows) + 1.6)))
    vals = rows[value].to_numpy(dtype=float)
    labels = rows[label].astype(str).tolist()
    printed = [_printed(v, value_format, threshold_pct) for v in vals]
    below = ~(vals >= threshold_pct) if threshold_pct is not None and color_by_threshold else np.zeros(len(vals), bool)
    colors = np.select([np.isin(labels, list(highlight)), vals < 0, below],  # the first that applies
                       [PALETTE["highlight"], PALETTE["negative"], PALETTE["grey"]], PALETTE["ally"]).tolist()
    ax.barh(labels, vals, color=colors)
    value_labels(ax, range(len(vals)), vals, texts=printed, horizontal=True, fontsize=7.5)
    if threshold_pct is not None:
        ax.axvline(threshold_pct, color=PALETTE["guideline"], linestyle="--", linewidth=1)
        if threshold_label:
            ax.text(threshold_pct, len(rows) - 0.4, f" {threshold_label}", va="bottom", fontsize=9)
    if (vals < 0).any():
        ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("")
    ax.set_ylim(-0.6, len(rows) - 0.4 + (0.8 if threshold_pct is not None and threshold_label else 0))
    ax.set_title(title)
    ax.margins(x=0.08)
    footnote(fig, data=provenance, extra=note)
    fit(fig)
    return record(fig, drawn=rows[[label, value]].iloc[::-1], title=title, years=table,
                  shows=f"{len(rows)} horizontal bars, largest at the top, {xlabel}",
                  ends=list(zip(labels, printed))[::-1], lines={threshold_label: threshold_pct})


def share_gdp_bars(data: pd.DataFrame, *, year: int, threshold_pct: float | None = None,
                   title: str | None = None) -> plt.Figure:
    """Horizontal bars of each ally's share of GDP in ``year`` against a guideline line.

    Only allies are drawn (SIPRI's other countries are not), and only those
    with a figure that year: the allies the publisher prints no figure for are
    named in the footnote with the reason, Iceland (no armed forces) once. The
    axis and footnote say whose figures they are (NATO's share of real GDP,
    or SIPRI's share at current prices).

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy rows of one edition, NATO or SIPRI (:func:`natoanalysis.load`).
    year : int
        A year of the edition.
    threshold_pct : float, optional
        Guideline drawn as a vertical line, percent of GDP; default the 2%
        guideline of ``reference/guidelines.csv``.
    title : str, optional
        Default: "<measure> as a share of GDP, <year>".

    Examples
    --------
    >>> import natoanalysis as na
    >>> fig = share_gdp_bars(na.load(), year=2024)
    >>> fig.axes[0].get_xlabel() == f"Defence expenditure, % of GDP (NATO: share of real GDP, {labels.prices(na.load())})"
    True
    >>> plt.close(fig)
    >>> share_gdp_bars(na.load(), year=2030)
    Traceback (most recent call last):
    ...
    natoanalysis.errors.ArgumentError: year 2030 is outside edition 2024-06; accepted: 2014 to 2024
    >>> fig = share_gdp_bars(na.load(source="sipri"), year=2024)
    >>> fig.axes[0].get_xlabel(), "Ukraine" in [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ('Military expenditure, % of GDP (SIPRI: current prices)', False)
    >>> plt.close(fig)
    """
    df = validate.table(data, None)
    y = validate.year(year, df)
    thr = reference.guideline("nato_2pct") if threshold_pct is None else validate.percent(
        threshold_pct, name="threshold_pct")
    # Today's allies, as NATO's own tables print them for every year (SIPRI's other countries are left out).
    members = set(allies.members())
    rows = df[(df["indicator"] == "share_gdp_pct") & (df["year"] == y) & ~df["is_aggregate"].astype(bool)
              & df["country"].isin(members)]
    if rows.empty:
        raise ValueError(f"no share_gdp_pct rows for {y} in edition {labels.edition(df)}; accepted: a year the "
                         "edition prints shares of GDP for")
    sipri = str(rows["source"].iloc[0]) == "sipri"
    est = " (estimates)" if rows["is_estimate"].any() else ""
    what = "Military expenditure" if sipri else labels.measure(rows).capitalize()
    unarmed = [c for c in members if not allies.has_armed_forces(c)]
    blank = rows[rows["value"].isna() & ~rows["country"].isin(unarmed)]
    note = (f"{text.listing([allies.country_name(c) for c in sorted(unarmed)])} has no armed forces and is not shown."
            if unarmed else "")
    if len(blank):
        note += " No figure published, not shown: " + ", ".join(
            f"{n} ({str(r).replace('_', ' ') or 'no figure'})"
            for n, r in zip(blank["country_name"], blank["missing_reason"].fillna(""))) + "."
    if sipri:
        note += (" SIPRI's definition of military expenditure differs from NATO's; the guideline line is NATO's, "
                 "for orientation.")
    rows = rows.dropna(subset=["value"])
    basis = "SIPRI: current prices" if sipri else f"NATO: share of real GDP, {labels.prices(rows)}"
    return ranked_bars(rows, value="value", label="country_name",
                       title=title or f"{what} as a share of GDP, {y}{est}",
                       xlabel=f"{what}, % of GDP ({basis})", provenance=rows, threshold_pct=thr,
                       threshold_label=f"{thr:g}% guideline", note=note.strip())


def grouped_bars(table: pd.DataFrame, *, x: str, series: str, value: str, title: str, ylabel: str,
                 provenance: pd.DataFrame | Provenance | None = None, xlabel: str = "", note: str = "",
                 horizontal: bool = False, order: list | None = None, value_format: str | None = "{:.1f}") -> plt.Figure:
    """Bars for each ``x`` category, one bar per ``series`` side by side.

    Parameters
    ----------
    table : pandas.DataFrame
        Long table with columns ``x``, ``series`` and ``value``.
    x, series, value : str
        Column names.
    title : str
    ylabel : str
        Label of the value axis, with the unit (the x axis when ``horizontal``).
    provenance : pandas.DataFrame or Provenance, optional
        Tidy rows the values come from (footnote, estimate shading); default:
        the provenance the view that made ``table`` attached (``attrs["provenance"]``).
    xlabel : str
        Label of the category axis.
    note : str
        Extra footnote text.
    horizontal : bool
        Horizontal bars, first category at the top (for many or long names).
    order : list, optional
        Order of the ``x`` categories (default: as they first appear).
    value_format : str or None, default ``"{:.1f}"``
        Format of the value printed at the end of each bar (whole numbers
        for a column of integers, a count, whose ticks are whole too; None: no labels;
        left out when there are more than 80 bars). When ``x`` is ``"year"``,
        the years the provenance marks as estimates are shaded.

    Examples
    --------
    >>> t = pd.DataFrame({"year": [2023, 2023, 2024, 2024], "rule": ["a", "b", "a", "b"], "pct": [1, 2, 3, 4]})
    >>> rows = pd.DataFrame({"source": ["nato"], "edition": ["2024-06"], "year": [2024], "is_estimate": [True]})
    >>> fig = grouped_bars(t, x="year", series="rule", value="pct", title="T", ylabel="Percent", provenance=rows)
    >>> fig.axes[0].get_ylabel()
    'Percent'
    >>> fig = grouped_bars(t, x="year", series="rule", value="pct", title="T", ylabel="Percent", provenance=rows,
    ...                    horizontal=True)
    >>> fig.axes[0].get_xlabel()
    'Percent'
    >>> plt.close("all")
    """
    _check_columns(table, [x, series, value])
    provenance = provenance_of(table, provenance)
    counts = pd.api.types.is_integer_dtype(table[value])  # a count is labelled and ticked in whole numbers
    if counts and value_format == "{:.1f}":
        value_format = "{:,.0f}"
    wide = table.pivot_table(index=x, columns=series, values=value, aggfunc="first", sort=False)
    wide = wide.reindex(order if order is not None else list(dict.fromkeys(table[x])))
    names = list(dict.fromkeys(table[series]))
    wide = wide[names]
    n = len(wide)
    fig, ax = plt.subplots(figsize=_group_size(n, len(names), horizontal=horizontal, title=title))
    pos = np.arange(n)
    width = 0.8 / len(names)
    labelled = value_format is not None and n * len(names) <= 80
    limit = axis_limit(wide.to_numpy(dtype=float), over_time=x == "year")  # one outlying bar must not flatten the others
    for i, name in enumerate(names):
        offset = (i - (len(names) - 1) / 2) * width
        vals = wide[name].to_numpy(dtype=float)
        color = SERIES_COLORS[i % len(SERIES_COLORS)]
        (ax.barh if horizontal else ax.bar)(pos + offset, vals, width, label=str(name), color=color)
        if labelled or limit is not None:  # a cut bar is labelled in any case
            value_labels(ax, pos + offset, vals, fmt=value_format or "{:g}", horizontal=horizontal,
                         fontsize=6.5 if n * len(names) > 30 else 7.5, limit=limit, only_cut=not labelled)
    _category_axis(ax, pos, [str(v) for v in wide.index], horizontal=horizontal,
                   zero=(wide.to_numpy(dtype=float) < 0).any(), labels=(xlabel, ylabel))
    if counts:
        (ax.xaxis if horizontal else ax.yaxis).set_major_locator(MaxNLocator(integer=True))
    if x == "year":
        shade_estimates(ax, provenance, positions={int(v): p for v, p in zip(wide.index, pos)},
                        horizontal=horizontal)
    ax.set_title(title)
    ax.margins(**({"x": 0.08} if horizontal else {"y": 0.08}))  # room for the value labels
    if limit is not None:
        note = f"{cut_axis(ax, wide, limit=limit, horizontal=horizontal, fmt=value_format or '{:g}')} {note}".strip()
    # Outside the axes: with several series "best" still lands on a bar.
    legend_outside(ax)
    footnote(fig, data=provenance, extra=note)
    fit(fig)
    return record(fig, drawn=wide.reset_index(), title=title, years=table, ends=[str(v) for v in wide.index],
                  shows=f"{('vertical', 'horizontal')[horizontal]} bars, {ylabel}, in {n} groups of one bar per "
                        f"{series} ({', '.join(map(str, names))})")


def _group_size(n: int, k: int, *, horizontal: bool, title: str = "") -> tuple[float, float]:
    """Figure size in inches for ``n`` groups of ``k`` bars: room for every bar and its label, and for the title.

    A bold 13-point title takes about 0.12 inch a character, and starts about
    0.9 inch in (08's two years of four bars under a 67-character title).
    """
    if horizontal:
        return 8.5, max(3.0, 0.22 * n * max(1.0, k / 1.5) + 1.8)
    return min(11.0, max(7.0, 0.3 * n * k + 3, 0.12 * len(title) + 0.9)), 5.2

def _category_axis(ax: plt.Axes, pos, names: list[str], *, horizontal: bool, zero: bool, labels: tuple[str, str]) -> None:
    """Name the bars' categories on their axis (top down when ``horizontal``), the values' unit on the other; a zero line."""
    if horizontal:
        ax.set_yticks(pos, names)
        ax.invert_yaxis()
    else:
        ax.set_xticks(pos, names)
    if zero:
        (ax.axvline if horizontal else ax.axhline)(0, color="#333333", linewidth=0.8)
    ax.set_xlabel(labels[int(horizontal)])
    ax.set_ylabel(labels[1 - int(horizontal)])


def stacked_bars(table: pd.DataFrame, *, x: str, part: str, value: str, title: str, ylabel: str,
                 provenance: pd.DataFrame | Provenance | None = None, xlabel: str = "", note: str = "") -> plt.Figure:
    """Vertical stacked bars: for each ``x``, the parts of a whole (e.g. spending by category).

    Parameters
    ----------
    table : pandas.DataFrame
        Long table with columns ``x``, ``part`` and ``value``; parts are stacked
        in the order they first appear.
    x, part, value : str
        Column names.
    title, ylabel, xlabel : str
        Title and axis labels (``ylabel`` with the unit).
    provenance : pandas.DataFrame or Provenance, optional
        Tidy rows the values come from (footnote, estimate shading); default:
        the provenance the view that made ``table`` attached (``attrs["provenance"]``).
    note : str
        Extra footnote text.

    Examples
    --------
    >>> t = pd.DataFrame({"year": [2024, 2024], "category": ["equipment", "personnel"], "pct": [30.0, 70.0]})
    >>> rows = pd.DataFrame({"source": ["nato"], "edition": ["2024-06"], "year": [2024], "is_estimate": [True]})
    >>> fig = stacked_bars(t, x="year", part="category", value="pct", title="T", ylabel="% of spending",
    ...                    provenance=rows)
    >>> fig.axes[0].get_ylabel()
    '% of spending'
    >>> plt.close(fig)
    """
    _check_columns(table, [x, part, value])
    provenance = provenance_of(table, provenance)
    wide = table.pivot_table(index=x, columns=part, values=value, aggfunc="first").sort_index()
    parts = list(dict.fromkeys(table[part]))
    wide = wide[parts].fillna(0.0)
    fig, ax = plt.subplots()
    pos, bottoms = np.arange(len(wide)), wide.cumsum(axis=1) - wide  # each part starts where the ones below end
    for i, name in enumerate(parts):
        ax.bar(pos, wide[name], bottom=bottoms[name], label=str(name), color=SERIES_COLORS[i % len(SERIES_COLORS)],
               width=0.7)
    _category_axis(ax, pos, [str(v) for v in wide.index], horizontal=False, zero=False, labels=(xlabel, ylabel))
    if x == "year":
        shade_estimates(ax, provenance, positions={int(v): p for v, p in zip(wide.index, pos)})
    ax.set_title(title)
    legend_outside(ax)
    footnote(fig, data=provenance, extra=note)
    fit(fig)
    return record(fig, drawn=wide.reset_index(), title=title, years=table, ends=[str(v) for v in wide.index],
                  shows=f"stacked bars, {ylabel}, the parts from the bottom: {', '.join(map(str, parts))}")


def range_bars(table: pd.DataFrame, *, label: str, low: str, mid: str, high: str, title: str, xlabel: str,
               provenance: pd.DataFrame | Provenance | None = None, note: str = "", range_label: str = "",
               mid_label: str = "") -> plt.Figure:
    """Horizontal ranges (``low`` to ``high``) with a marker at ``mid``, one row per label, largest on top.

    Used for scenario distributions (5th, 50th and 95th percentiles);
    ``range_label`` and ``mid_label`` name them in the legend (default: the
    column names).

    Examples
    --------
    >>> t = pd.DataFrame({"c": ["A", "B"], "p5": [1.0, 2.0], "p50": [2.0, 3.0], "p95": [3.0, 5.0]})
    >>> rows = pd.DataFrame({"source": ["nato"], "edition": ["2024-06"], "year": [2024], "is_estimate": [True]})
    >>> fig = range_bars(t, label="c", low="p5", mid="p50", high="p95", title="T", xlabel="USD bn",
    ...                  provenance=rows)
    >>> fig.axes[0].get_xlabel()
    'USD bn'
    >>> plt.close(fig)
    """
    _check_columns(table, [label, low, mid, high])
    provenance = provenance_of(table, provenance)
    rows = table.sort_values(mid)
    fig, ax = plt.subplots(figsize=(8.5, max(3.0, 0.26 * len(rows) + 1.6)))
    pos = np.arange(len(rows))
    lo, md, hi = (rows[c].to_numpy(dtype=float) for c in (low, mid, high))
    ax.hlines(pos, lo, hi, color=PALETTE["estimate"], linewidth=5, label=range_label or f"{low} to {high}")
    ax.plot(md, pos, "o", color=PALETTE["ally"], markersize=5, label=mid_label or mid)
    ax.set_yticks(pos, rows[label].astype(str).tolist())
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    legend_outside(ax)
    footnote(fig, data=provenance, extra=note)
    fit(fig)
    return record(fig, drawn=rows[[label, low, mid, high]].iloc[::-1], title=title, years=table,
                  ends=rows[label].astype(str).tolist()[::-1],
                  shows=f"{len(rows)} horizontal ranges, largest at the top, {xlabel}: a bar for the "
                        f"{range_label or low + ' to ' + high}, a dot for the {mid_label or mid}")

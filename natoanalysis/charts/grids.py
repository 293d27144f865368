"""A grid of allies by year coloured by status (meets / below / not a member or not assessed)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

from ..views.provenance import Provenance, provenance_of
from .bars import _check_columns
from .layout import fit
from .style import PALETTE, footnote, record


def status_grid(table: pd.DataFrame, *, flag: str, title: str, provenance: pd.DataFrame | Provenance | None = None,
                row: str = "country_name",
                column: str = "year", meets_label: str = "meets", below_label: str = "below",
                note: str = "") -> plt.Figure:
    """Rows x columns grid: dark where ``flag`` is True, light where False, blank where missing.

    Missing cells are years before an ally joined, or Iceland (no armed
    forces: never assessed). Rows are sorted by the number of True cells, most at the top.

    Parameters
    ----------
    table : pandas.DataFrame
        Long table with columns ``row``, ``column`` and the nullable boolean ``flag``.
    flag : str
        Column of the status (True, False or missing).
    title : str
    provenance : pandas.DataFrame or Provenance, optional
        Tidy rows the flags are computed from (footnote); default: the
        provenance the view that made ``table`` attached (``attrs["provenance"]``).
    row, column : str
        Columns giving the grid's rows (ally names) and columns (years).
    meets_label, below_label : str
        Legend text for True and False.
    note : str
        Extra footnote text.

    Examples
    --------
    >>> t = pd.DataFrame({"country_name": ["A", "A", "B"], "year": [2023, 2024, 2024],
    ...                   "ok": pd.array([False, True, None], dtype="boolean")})
    >>> rows = pd.DataFrame({"source": ["nato"], "edition": ["2024-06"], "year": [2024], "is_estimate": [True]})
    >>> fig = status_grid(t, flag="ok", title="T", provenance=rows)
    >>> fig.axes[0].get_xlabel()
    'Year'
    >>> plt.close(fig)
    """
    _check_columns(table, [row, column, flag])
    provenance = provenance_of(table, provenance)
    codes = table[flag].astype("boolean").map({True: 2.0, False: 1.0}, na_action="ignore").astype(float)
    wide = table.assign(_code=codes).pivot_table(index=row, columns=column, values="_code", aggfunc="first",
                                                 dropna=False)
    order = (wide == 2).sum(axis=1).sort_values(ascending=False, kind="stable").index
    wide = wide.loc[order]
    fig, ax = plt.subplots(figsize=(8.5, max(4.0, 0.24 * len(wide) + 2)))
    grid = np.nan_to_num(wide.to_numpy(dtype=float), nan=0.0)
    cmap = ListedColormap(["#ffffff", "#d9d9d9", PALETTE["ally"]])
    ax.pcolormesh(grid, cmap=cmap, vmin=0, vmax=2, edgecolors="white", linewidth=0.8)  # cells with white borders
    ax.invert_yaxis()  # the first row at the top
    ax.set_xticks(np.arange(wide.shape[1]) + 0.5, [str(c) for c in wide.columns])
    ax.set_yticks(np.arange(len(wide)) + 0.5, [str(i) for i in wide.index], fontsize=8)
    ax.grid(visible=False)
    ax.set_xlabel("Year")
    ax.set_title(title)
    ax.legend(handles=[Patch(color=PALETTE["ally"], label=meets_label), Patch(color="#d9d9d9", label=below_label),
                       Patch(facecolor="#ffffff", edgecolor="#999999", label="not a member yet / not assessed")],
              loc="upper left", bbox_to_anchor=(1.0, 1.0))
    footnote(fig, data=provenance, extra=note)
    fit(fig)
    return record(fig, drawn=table[[row, column, flag]], title=title,
                  shows=f"a grid of {len(wide)} rows by {wide.shape[1]} columns ({column}): dark where {meets_label}, "
                        f"grey where {below_label}, blank where not a member yet or not assessed")


def tile_map(table: pd.DataFrame, *, title: str | None = None, threshold_pct: float = 2.0) -> plt.Figure:
    """One square per ally on a schematic grid, coloured by its share of GDP, labelled with ISO3 code and value.

    An ally without armed forces (Iceland) is a grey tile saying so; an ally
    without a figure is a white tile. The colour bar marks ``threshold_pct``.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`natoanalysis.views.explorer.tiles` (``country``, ``row``,
        ``col``, ``value``, ``has_armed_forces``, ``year_label``), whose
        provenance writes the footnote.
    title : str, optional
        Default: ``"Defence expenditure as a share of GDP, <year label>"``.
    threshold_pct : float, default 2.0
        The guideline marked on the colour bar.

    Examples
    --------
    >>> import natoanalysis as na
    >>> from natoanalysis.views import explorer
    >>> fig = tile_map(explorer.tiles(data=na.load()))
    >>> texts = [t.get_text() for t in fig.axes[0].texts]
    >>> "ISL\\nno armed\\nforces" in texts, any(t.startswith("POL\\n") for t in texts)
    (True, True)
    >>> plt.close(fig)
    """
    _check_columns(table, ["country", "row", "col", "value", "has_armed_forces", "year_label"])
    from matplotlib import colormaps
    from matplotlib.colors import Normalize
    from matplotlib.patches import Rectangle
    from matplotlib.ticker import StrMethodFormatter

    values = table["value"].astype(float)
    norm, cmap = Normalize(vmin=0, vmax=max(float(values.max()), threshold_pct)), colormaps["Blues"]
    fig, ax = plt.subplots(figsize=(6.4, 6.2))
    for r in table.itertuples():
        grey = not r.has_armed_forces
        fill = "#d9d9d9" if grey else "#ffffff" if pd.isna(r.value) else cmap(norm(r.value))
        ax.add_patch(Rectangle((r.col, -r.row), 0.94, 0.94, facecolor=fill, edgecolor="#bbbbbb" if grey else "none"))
        shown = "no armed\nforces" if grey else "no figure" if pd.isna(r.value) else f"{r.value:.2f}%"
        dark = not grey and not pd.isna(r.value) and norm(r.value) > 0.6
        ax.text(r.col + 0.47, -r.row + 0.47, f"{r.country}\n{shown}", ha="center", va="center",
                fontsize=7 if grey else 8, color="white" if dark else "#222222", linespacing=1.3)
    ax.set_xlim(-0.1, table["col"].max() + 1.04)
    ax.set_ylim(-table["row"].max() - 0.1, 1.04)
    ax.set_aspect("equal")
    ax.axis("off")
    title = title or f"Defence expenditure as a share of GDP, {table['year_label'].iloc[0]}"
    ax.set_title(title)
    bar = fig.colorbar(plt.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, orientation="horizontal",
                       fraction=0.04, pad=0.02, aspect=30)
    bar.ax.xaxis.set_major_formatter(StrMethodFormatter("{x:g}%"))
    bar.ax.axvline(threshold_pct, color=PALETTE["guideline"], linewidth=2)
    footnote(fig, data=provenance_of(table), extra=f"Share of GDP; the line on the colour bar is {threshold_pct:g}%.")
    shares = table.dropna(subset=["value"]).sort_values("value", ascending=False)
    ends = [(r.country_name, f"{r.value:.2f}%") for r in shares.iloc[[0, -1]].itertuples()] if len(shares) else []
    return record(fig, drawn=table[["country", "country_name", "row", "col", "value", "year"]],
                  title=title, lines={f"{threshold_pct:g}% guideline, on the colour bar": threshold_pct},
                  shows="one square per ally on a schematic grid (Iceland grey: no armed forces), darker for a "
                        "larger share of GDP, highest to lowest", ends=ends)

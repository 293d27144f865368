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
    ax.imshow(grid, aspect="auto", cmap=cmap, vmin=0, vmax=2, interpolation="nearest")
    ax.set_xticks(np.arange(wide.shape[1]))
    ax.set_xticklabels([str(c) for c in wide.columns])
    ax.set_yticks(np.arange(len(wide)))
    ax.set_yticklabels([str(i) for i in wide.index], fontsize=8)
    ax.set_xticks(np.arange(wide.shape[1] + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(len(wide) + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="white", linewidth=1)
    ax.grid(which="major", visible=False)
    ax.tick_params(which="minor", length=0)
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

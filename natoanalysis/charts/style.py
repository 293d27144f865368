"""One house style for every chart, with the source footnote every chart must carry.

Imported by notebooks and reports only: ``import natoanalysis`` does not import
matplotlib. Figures are saved as PNG and SVG into ``$NATOANALYSIS_FIGURE_DIR``
(the report runner sets it per notebook) or ``./figures``, with metadata
timestamps pinned so that two runs on the same inputs write the same files.
"""

from __future__ import annotations

import os
import re
from pathlib import Path


import matplotlib.pyplot as plt
import pandas as pd

FIGURE_DIR_ENV = "NATOANALYSIS_FIGURE_DIR"

PALETTE = {
    "ally": "#1f4e79",
    "highlight": "#c0504d",
    "estimate": "#8eb4e3",
    "guideline": "#333333",
    "usa": "#1f4e79",
    "europe_canada": "#f0a30a",
    "grey": "#9e9e9e",
}

_SOURCE_NAMES = {
    "nato": "NATO, Defence Expenditure of NATO Countries",
    "sipri": "SIPRI Military Expenditure Database",
}


def apply_style() -> None:
    """Set the publication style (fonts, grid, sizes) for all later figures.

    Examples
    --------
    >>> apply_style()
    >>> plt.rcParams["axes.spines.top"]
    False
    """
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook")
    plt.rcParams.update({
        "figure.figsize": (9, 5.2),
        "figure.dpi": 100,
        "savefig.dpi": 150,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titleweight": "bold",
        "axes.titlesize": 13,
        "axes.titlelocation": "left",
        "font.size": 10,
        "legend.frameon": False,
        "svg.hashsalt": "natoanalysis",
    })


def source_note(*, source: str, edition: str, estimate_years: list[int] | tuple[int, ...] = (),
                extra: str = "") -> str:
    """The footnote text: source, edition and which years are estimates.

    Examples
    --------
    >>> source_note(source="nato", edition="2024-06", estimate_years=[2023, 2024])
    'Source: NATO, Defence Expenditure of NATO Countries, edition 2024-06. 2023 and 2024 are estimates.'
    >>> source_note(source="nato", edition="2024-06")
    'Source: NATO, Defence Expenditure of NATO Countries, edition 2024-06. No estimated years shown.'
    """
    name = _SOURCE_NAMES.get(source, source)
    years = sorted(set(int(y) for y in estimate_years))
    if not years:
        est = "No estimated years shown."
    elif len(years) == 1:
        est = f"{years[0]} is an estimate."
    else:
        est = f"{', '.join(map(str, years[:-1]))} and {years[-1]} are estimates."
    text = f"Source: {name}, edition {edition}. {est}"
    return f"{text} {extra}".strip()


def footnote(fig: plt.Figure, *, data: pd.DataFrame, extra: str = "") -> str:
    """Write the source footnote under a figure, from the rows the figure shows.

    Source, edition and estimated years are read off ``data`` (tidy rows), so
    the note cannot disagree with the chart.
    """
    sources = sorted(data["source"].unique())
    editions = sorted(data["edition"].unique())
    est = sorted(data.loc[data["is_estimate"].astype(bool), "year"].unique()) if "is_estimate" in data else []
    parts = [source_note(source=s, edition=", ".join(editions), estimate_years=est) for s in sources]
    text = " ".join(parts + ([extra] if extra else []))
    fig.text(0.01, 0.005, text, ha="left", va="bottom", fontsize=8, color="#555555", wrap=True)
    fig.subplots_adjust(bottom=0.16)
    return text


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_")


def figure_dir() -> Path:
    """Where :func:`save` writes: ``$NATOANALYSIS_FIGURE_DIR`` or ``./figures``."""
    return Path(os.environ.get(FIGURE_DIR_ENV) or "figures")


def save(fig: plt.Figure, name: str, *, directory: str | os.PathLike | None = None) -> list[Path]:
    """Save a figure as PNG and SVG with pinned metadata; return the two paths."""
    out = Path(directory) if directory is not None else figure_dir()
    out.mkdir(parents=True, exist_ok=True)
    stem = _slug(name)
    png, svg = out / f"{stem}.png", out / f"{stem}.svg"
    fig.savefig(png, bbox_inches="tight", metadata={"Software": None})
    fig.savefig(svg, bbox_inches="tight", metadata={"Date": None, "Creator": None})
    return [png, svg]


def share_gdp_bars(data: pd.DataFrame, *, year: int, threshold_pct: float = 2.0,
                   title: str | None = None) -> plt.Figure:
    """Horizontal bars of each ally's published share of GDP in ``year`` against a guideline line.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy NATO rows (one edition).
    year : int
        Year to show.
    threshold_pct : float, default 2.0
        Guideline drawn as a vertical line (percent of GDP).
    """
    rows = data[(data["indicator"] == "share_gdp_pct") & (data["year"] == year) & ~data["is_aggregate"]]
    rows = rows.sort_values("value")
    fig, ax = plt.subplots(figsize=(8.5, 8))
    colors = [PALETTE["ally"] if v >= threshold_pct else PALETTE["grey"] for v in rows["value"]]
    ax.barh(rows["country_name"], rows["value"], color=colors)
    ax.axvline(threshold_pct, color=PALETTE["guideline"], linestyle="--", linewidth=1)
    ax.text(threshold_pct, len(rows) - 0.5, f" {threshold_pct:g}% guideline", va="bottom", fontsize=9)
    ax.set_xlabel("Defence expenditure, % of GDP (NATO: share of real GDP, 2015 prices)")
    ax.set_ylabel("")
    est = " (estimates)" if rows["is_estimate"].any() else ""
    ax.set_title(title or f"Defence expenditure as a share of GDP, {year}{est}")
    footnote(fig, data=rows, extra="Iceland has no armed forces and is not shown.")
    return fig

"""The house style: rcParams, palette, the source footnote every chart carries, and saving.

Imported by notebooks and reports only: ``import natoanalysis`` does not import
matplotlib. Figures are saved as PNG and SVG into ``$NATOANALYSIS_FIGURE_DIR``
(the report runner sets it per notebook) or ``./figures``, with metadata
timestamps pinned so that two runs on the same inputs write the same files,
with the CSV of the values drawn beside them; each chart builder records those
values and an alt text for its figure (:func:`record`).
"""

from __future__ import annotations

import os
import re
import weakref
from collections.abc import Iterable
from pathlib import Path


import matplotlib.pyplot as plt
from matplotlib.layout_engine import PlaceHolderLayoutEngine
import pandas as pd

from ..config import FIGURE_DIR_ENV, FIGURE_HREF_ENV, figure_dir, page_href  # noqa: F401  (natoanalysis.charts names FIGURE_DIR_ENV)
from ..views import labels
from ..views.provenance import Provenance


PALETTE = {
    "ally": "#1f4e79",
    "highlight": "#c0504d",
    "estimate": "#8eb4e3",
    "guideline": "#333333",
    "usa": "#1f4e79",
    "europe_canada": "#f0a30a",
    "grey": "#9e9e9e",
    "negative": "#4f8f5b",  # bars below zero (e.g. an ally already above a target): never the colour of a shortfall
}

#: The house colours for series, in order; twelve, so that no chart of the reports leaves the house palette.
SERIES_COLORS = ["#1f4e79", "#f0a30a", "#c0504d", "#4f8f5b", "#8064a2", "#9e9e9e", "#4bacc6", "#7f6000",
                 "#d87aa0", "#2e7d7d", "#b5a642", "#5c5c8a"]

#: The values each chart draws and its alt text, by figure: filled by the chart builders (:func:`record`), read
#: by :func:`save`; an entry goes with its figure.
_DRAWN: "weakref.WeakKeyDictionary[plt.Figure, tuple[pd.DataFrame, str]]" = weakref.WeakKeyDictionary()


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
        # Titles sit at the top of the axes; None (matplotlib's default) moves them above any tick
        # labels on top, which no chart here has, at the cost of measuring every tick label at each draw.
        "axes.titley": 1.0,
        "font.size": 10,
        "legend.frameon": False,
        "svg.hashsalt": "natoanalysis",
        # Text stays text in SVG: searchable, selectable and smaller than glyph outlines.
        "svg.fonttype": "none",
    })


def source_note(*, source: str, edition: str, estimate_years: list[int] | tuple[int, ...] = (),
                extra: str = "", title: str | None = None, definition: str = "", base_year: int | None = None) -> str:
    """The footnote text: source, edition, definition, base year and which years are estimates.

    Examples
    --------
    >>> source_note(source="nato", edition="2026-07", estimate_years=[2025, 2026],
    ...             title="NATO, Defence Investment of NATO Countries (2014-2026)",
    ...             definition="core defence expenditure", base_year=2021)
    'Source: NATO, Defence Investment of NATO Countries (2014-2026), edition 2026-07; core defence expenditure; constant prices are 2021 prices. 2025 and 2026 are estimates.'
    >>> source_note(source="nato", edition="2030-06")
    'Source: NATO, Defence Expenditure of NATO Countries, edition 2030-06. No estimated years shown.'
    """
    name = title or labels._SOURCE_TITLES.get(source, source)
    years = sorted(set(int(y) for y in estimate_years))
    if not years:
        est = "No estimated years shown."
    elif len(years) == 1:
        est = f"{years[0]} is an estimate."
    else:
        est = f"{labels.years_text(years)} are estimates."
    # SIPRI calls its yearly updates releases; NATO its tables editions.
    text = f"Source: {name}, {'release' if source == 'sipri' else 'edition'} {edition}"
    if definition:
        text += f"; {definition}"
    if base_year:
        text += f"; constant prices are {base_year} prices"
    return f"{text}. {est} {extra}".strip()


def footnote(fig: plt.Figure, *, data: pd.DataFrame | Provenance, extra: str = "") -> str:
    """Write the source footnote under a figure, from the rows the figure shows (or their :class:`Provenance`).

    Source, edition, definition, base year and estimated years are read off
    ``data`` (tidy rows, or the facts a view's table carries), so the note
    cannot disagree with the chart; each source is named with its own
    edition. A long run of estimated years (SIPRI marks estimates all through
    its series) is summarised as a count rather than listed. A documented
    series break the rows reach (Luxembourg's GNI from 2023) is footnoted.

    Examples
    --------
    >>> rows = pd.DataFrame({"source": ["nato"] * 2, "edition": ["2026-07"] * 2, "year": [2025, 2026],
    ...                      "is_estimate": [True, True], "definition": ["core defence expenditure"] * 2})
    >>> fig = plt.figure()
    >>> footnote(fig, data=rows, extra="Iceland is not shown.")
    'Source: NATO, Defence Investment of NATO Countries (2014-2026), edition 2026-07; core defence expenditure; constant prices are 2021 prices. 2025 and 2026 are estimates. Iceland is not shown.'
    >>> plt.close(fig)
    """
    prov = data if isinstance(data, Provenance) else Provenance.of(data)
    parts = []
    for facts in prov.sources:
        meta = dict(source=facts.source, edition=", ".join(facts.editions), title=facts.publication,
                    definition=facts.definition, base_year=facts.base_year)
        est = facts.estimate_years
        if len(est) > 4:
            parts.append(source_note(**meta, extra=f"{facts.n_estimates} of the {facts.n_values} values shown are "
                                                   f"{facts.source.upper()} estimates (in years {est[0]}-{est[-1]}).")
                         .replace(" No estimated years shown.", ""))
        else:
            parts.append(source_note(**meta, estimate_years=est))
    copies = [f"{f.source.upper()} edition {e} is transcribed from a copy that is not the publisher's file."
              for f in prov.sources for e in f.copies]
    text = " ".join(parts + copies + list(prov.breaks) + ([extra] if extra else []))
    fig.text(0.01, 0.005, _wrapped(text, fig=fig, fontsize=8, width_frac=0.98), ha="left", va="bottom", fontsize=8,
             color="#555555")
    # About 0.85 inch under the axes holds the x label and a two-line note, whatever the figure's height.
    fig.subplots_adjust(bottom=min(0.3, 0.85 / fig.get_figheight()))
    return text


def record(fig: plt.Figure, *, drawn: pd.DataFrame, title: str, shows: str, years: pd.DataFrame | None = None,
           ends: Iterable = (), lines: dict[str, float | None] | None = None, panels: Iterable = ()) -> plt.Figure:
    """Remember the values a chart draws and its alt text, for :func:`save`; return the figure.

    The chart builders call it last. The alt text says the title, the years
    of ``years`` (a table with a ``year`` column, default ``drawn``) unless
    the title names them, and what the bars or lines are: ``shows``, the
    first and last of ``ends`` (labels, or (label, printed value) pairs, in
    the order drawn), the ``panels`` and the reference ``lines`` ({label: value}).

    Examples
    --------
    >>> fig = plt.figure()
    >>> rows = pd.DataFrame({"year": [2014, 2024], "pct": [1.4, 2.0]})
    >>> record(fig, drawn=rows, title="NATO share of GDP", shows="one line, percent of GDP",
    ...        lines={"2% guideline": 2.0}) is fig
    True
    >>> _DRAWN[fig][1]
    'Chart: NATO share of GDP, 2014 to 2024. One line, percent of GDP; a line at 2 (2% guideline).'
    >>> plt.close(fig)
    """
    table = drawn if years is None else years
    ys = sorted({int(y) for y in table["year"].dropna()}) if "year" in table.columns else []
    named = not ys or all(str(y) in title for y in (ys[0], ys[-1]))
    span = "" if named else ", " + (str(ys[0]) if len(ys) == 1 else f"{ys[0]} to {ys[-1]}")
    ends = [e if isinstance(e, str) else f"{e[0]} ({e[1]})" for e in ends]
    said = shows + (f", from {ends[0]} to {ends[-1]}" if len(ends) > 1 else "")
    shown = [str(p) for p in panels if p is not None]
    said += f"; one panel each for {', '.join(shown)}" if shown else ""
    said += "".join(f"; a line at {v:g}" + (f" ({k})" if k else "") for k, v in (lines or {}).items() if v is not None)
    _DRAWN[fig] = (drawn.reset_index(drop=True), f"Chart: {title}{span}. {said[:1].upper()}{said[1:]}.")
    return fig


def _wrapped(text: str, *, fig: plt.Figure, fontsize: float, width_frac: float) -> str:
    """``text`` with line breaks so that each line fits ``width_frac`` of the figure's width.

    Each distinct word is measured once and lines are filled greedily;
    matplotlib's own ``wrap=True`` measures the text again, growing word by
    word, at every layout (a tenth of the time of saving a chart). Summed word
    widths miss the kerning across word boundaries by a point or two, so a
    line whose sum comes within 2% of the width is measured whole. Line
    breaks already in ``text`` are kept.
    """
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    prop, measure = FontProperties(size=fontsize), TextToPath()
    widths: dict[str, float] = {}

    def width(s: str) -> float:
        if s not in widths:
            widths[s] = measure.get_text_width_height_descent(s, prop, ismath=False)[0]
        return widths[s]

    renderer = fig.canvas.get_renderer()

    def rendered(s: str) -> float:
        # What the canvas will draw (with its hinting), in points like the word widths.
        return renderer.get_text_width_height_descent(s, prop, ismath=False)[0] * 72 / fig.dpi

    available = fig.get_figwidth() * 72 * width_frac  # points, as the measurements
    lines = []
    for paragraph in text.split("\n"):
        line, line_width = [], 0.0
        for word in paragraph.split():
            extra = width(word) + (width(" ") if line else 0.0)
            near = line and line_width + extra > 0.98 * available
            if near and rendered(" ".join(line + [word])) > available:
                lines.append(" ".join(line))
                line, line_width = [], 0.0
                extra = width(word)
            line.append(word)
            line_width += extra
        lines.append(" ".join(line))
    return "\n".join(lines)


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_")


def save(fig: plt.Figure, name: str, *, directory: str | os.PathLike | None = None,
         show: bool | None = None) -> list[Path]:
    """Save a figure as PNG and SVG with pinned metadata, and the values it draws as CSV; return the paths.

    Both images are cropped to one tight bounding box, computed once: a plain
    ``savefig(bbox_inches="tight")`` lays the figure out again for each
    format. A chart of :mod:`natoanalysis.charts` also gets ``<name>.csv``,
    the values it draws (:func:`record`). In a notebook with matplotlib's
    inline backend the saved PNG is shown in place of the figure (and the
    figure closed), with the chart's alt text and a line of relative links
    "PNG · SVG · CSV (data drawn)" under it (:func:`~natoanalysis.config.page_href`),
    so a report shows exactly the file it ships and the figure is not rendered a third time.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    name : str
        File stem; characters other than letters, digits, ``_`` and ``-``
        become ``_``.
    directory : path-like, optional
        Where to write (default: :func:`figure_dir`).
    show : bool, optional
        Show the saved PNG in the notebook and close the figure. Default:
        only under the inline backend (never in scripts).

    Returns
    -------
    list of pathlib.Path
        The PNG, the SVG and (for a chart of this package) the CSV.

    Examples
    --------
    >>> import tempfile
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([2014, 2024], [1.4, 2.0])
    >>> [p.name for p in save(fig, "share gdp", directory=tempfile.mkdtemp())]
    ['share_gdp.png', 'share_gdp.svg']
    >>> plt.close(fig)
    """
    out = Path(directory) if directory is not None else figure_dir()
    out.mkdir(parents=True, exist_ok=True)
    stem = _slug(name)
    paths = [out / f"{stem}.png", out / f"{stem}.svg"]
    bbox = _tight_bbox(fig)
    fig.savefig(paths[0], bbox_inches=bbox, metadata={"Software": None})
    fig.savefig(paths[1], bbox_inches=bbox, metadata={"Date": None, "Creator": None})
    drawn, alt = _DRAWN.get(fig, (None, ""))
    if drawn is not None:
        paths.append(out / f"{stem}.csv")
        drawn.to_csv(paths[2], index=False)
    if show if show is not None else _inline_backend():
        titles = [fig.get_suptitle()] + [ax.get_title() for ax in fig.axes]
        _show_png(paths, alt=alt or "Chart: " + ". ".join(t for t in titles if t), width_px=bbox.width * fig.dpi)
        plt.close(fig)
    return paths


def _tight_bbox(fig: plt.Figure):
    """The figure's tight bounding box in inches, padded as ``savefig`` pads it."""
    renderer = fig.canvas.get_renderer()
    if not isinstance(fig.get_layout_engine(), (type(None), PlaceHolderLayoutEngine)):
        # A layout engine moves the axes at every draw: lay it out first. The charts here are laid out once
        # (layout.fit), and measuring their extents needs no draw (a fifth of saving one).
        fig.draw_without_rendering()
    pad = plt.rcParams["savefig.pad_inches"]
    return fig.get_tightbbox(renderer).padded(pad if isinstance(pad, (int, float)) else 0.1)


def _inline_backend() -> bool:
    return "inline" in str(plt.get_backend())


def _show_png(paths: list[Path], *, alt: str, width_px: float) -> None:
    from IPython.display import Image, Markdown, display

    # Shown at the size the inline backend would give the figure; the file's higher dpi keeps it sharp. The image
    # is embedded, not linked: a page copied alone (or a notebook opened anywhere) still shows it; the links
    # under it reach the files only where they sit beside the page (the run folder, papermill's output folder).
    display(Image(data=paths[0].read_bytes(), format="png", width=int(round(width_px)), alt=alt))
    kinds = {".png": "PNG", ".svg": "SVG", ".csv": "CSV (data drawn)"}
    display(Markdown(" · ".join(f"[{kinds[p.suffix]}]({page_href(p, href_env=FIGURE_HREF_ENV)})" for p in paths)))

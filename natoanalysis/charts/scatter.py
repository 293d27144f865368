"""A scatter of allies against two guidelines, one line each, every point labelled without overlaps.

NATO's own chart sets the share of GDP against the share of defence spending
on major equipment, with the 2% and 20% guidelines splitting it into four
quadrants. Labels are placed greedily, the most crowded points first: each
takes the nearest of a ring of positions around its point that leaves the
axes clear of every label, count and point already placed (measured in
display units from the text's extent), with a leader line when it sits away.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
from matplotlib.transforms import Bbox

from ..views.provenance import Provenance, provenance_of
from ..views.selection import marker_notes
from .bars import _check_columns
from .layout import fit
from .style import PALETTE, footnote, record

#: Offsets tried around a point, in points: nearest rings first, eight directions each.
_RINGS = (5, 9, 14, 20, 27, 35, 45)
_DIRECTIONS = [(np.cos(a), np.sin(a)) for a in np.radians([0, 180, 90, 270, 45, 135, 315, 225])]
QUADRANTS = {"both": "both guidelines", "x_only": "{x} only", "y_only": "{y} only", "neither": "neither"}


def quadrant_counts(table: pd.DataFrame, *, x: str, y: str, x_at: float, y_at: float) -> dict[str, int]:
    """How many points lie in each quadrant (at or above a line counts as meeting it); points without both values are left out.

    Examples
    --------
    >>> t = pd.DataFrame({"a": [1.0, 2.5, 3.0, float("nan")], "b": [30.0, 10.0, 25.0, 40.0]})
    >>> quadrant_counts(t, x="a", y="b", x_at=2.0, y_at=20.0)
    {'both': 1, 'x_only': 1, 'y_only': 1, 'neither': 0}
    """
    t = table.dropna(subset=[x, y])
    mx, my = t[x] >= x_at, t[y] >= y_at
    return {"both": int((mx & my).sum()), "x_only": int((mx & ~my).sum()), "y_only": int((~mx & my).sum()),
            "neither": int((~mx & ~my).sum())}


def _free(box: Bbox, taken: list[Bbox], inside: Bbox) -> bool:
    return (inside.x0 <= box.x0 and box.x1 <= inside.x1 and inside.y0 <= box.y0 and box.y1 <= inside.y1
            and not any(box.overlaps(t) for t in taken))


def place_labels(ax: plt.Axes, xs, ys, texts: list[str], *, fontsize: float = 8.0,
                 obstacles: list[Bbox] | tuple[Bbox, ...] = (), marker_pt: float = 3.5) -> list[plt.Annotation]:
    """Label each point (``xs[i]``, ``ys[i]``) with ``texts[i]`` where it overlaps no other label, point or obstacle.

    Call it once the axes' limits and the figure's layout are final. A
    label that finds no free place (none did in the reports) takes its first
    place inside the axes.
    """
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    px = fig.dpi / 72
    pts = ax.transData.transform(np.column_stack([xs, ys]))
    r = marker_pt * px
    taken = [Bbox.from_extents(p[0] - r, p[1] - r, p[0] + r, p[1] + r) for p in pts] + list(obstacles)
    sizes = []
    for t in texts:
        probe = ax.text(0, 0, t, fontsize=fontsize)
        ext = probe.get_window_extent(renderer)
        sizes.append((ext.width + 2 * px, ext.height + px))
        probe.remove()
    crowd = [int((np.hypot(*(pts - p).T) < 40 * px).sum()) for p in pts]
    out = [None] * len(texts)
    for i in sorted(range(len(texts)), key=lambda k: (-crowd[k], k)):
        (w, h), (cx, cy) = sizes[i], pts[i]
        options = []
        for ring in _RINGS:
            for dx, dy in _DIRECTIONS:
                ox, oy = ring * dx * px, ring * dy * px
                # the box's nearest edge or corner sits at the offset, on the side the direction points to
                x0 = cx + ox - (w if dx < -0.3 else 0 if dx > 0.3 else w / 2)
                y0 = cy + oy - (h if dy < -0.3 else 0 if dy > 0.3 else h / 2)
                options.append((ring, Bbox.from_bounds(x0, y0, w, h)))
        inside = [o for o in options if _free(o[1], [], ax.bbox)] or options
        ring, box = next((o for o in inside if _free(o[1], taken, ax.bbox)), inside[0])
        taken.append(box)
        xy = ax.transData.inverted().transform((box.x0 + px, box.y0 + h / 2))
        arrow = {"arrowstyle": "-", "color": "#999999", "lw": 0.6, "shrinkA": 0, "shrinkB": marker_pt} \
            if ring > _RINGS[1] else None
        out[i] = ax.annotate(texts[i], xy=(xs[i], ys[i]), xytext=xy, textcoords="data", ha="left", va="center",
                             fontsize=fontsize, color="#222222", arrowprops=arrow, zorder=4)
    return out


def quadrant_scatter(table: pd.DataFrame, *, x: str, y: str, label: str, x_at: float, y_at: float, title: str,
                     xlabel: str, ylabel: str, x_line_label: str, y_line_label: str,
                     provenance: pd.DataFrame | Provenance | None = None, note: str = "",
                     marker: str | None = "note_marker", name: str = "country_name") -> plt.Figure:
    """One point per row at (``x``, ``y``), a vertical line at ``x_at`` and a horizontal one at ``y_at``.

    Each point is labelled by ``label`` followed by its ``marker`` (NATO's
    ``*``, explained in the footnote); each quadrant carries the number of
    points in it (:func:`quadrant_counts`); rows without both values are
    named in the footnote as not shown.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per ally (e.g. :func:`natoanalysis.views.selection.paired`).
    x, y, label : str
        Columns of the two values and of the point label (ISO3 codes).
    x_at, y_at : float
        Where the vertical and the horizontal guideline lines are drawn.
    title, xlabel, ylabel, x_line_label, y_line_label : str
        Texts of the chart and of the two lines.
    provenance : pandas.DataFrame or Provenance, optional
        Tidy rows of the values (footnote); default: what the view attached.
    note : str
        Extra footnote text.
    marker, name : str, optional
        Columns of NATO's name markers and of the names of rows not shown.

    Examples
    --------
    >>> import natoanalysis as na
    >>> from natoanalysis.views.selection import paired
    >>> pts = paired(na.load(), x="share_gdp_pct", y="equipment_share_pct")
    >>> fig = quadrant_scatter(pts, x="share_gdp_pct", y="equipment_share_pct", label="country", x_at=2.0,
    ...                        y_at=20.0, title="T", xlabel="% of GDP", ylabel="% on equipment",
    ...                        x_line_label="2%", y_line_label="20%")
    >>> len(fig.axes[0].collections[0].get_offsets()) == len(pts.dropna(subset=["share_gdp_pct", "equipment_share_pct"]))
    True
    >>> plt.close(fig)
    """
    _check_columns(table, [x, y, label] + [c for c in (marker,) if c])
    prov = provenance_of(table, provenance)
    shown = table.dropna(subset=[x, y]).reset_index(drop=True)
    if shown.empty:
        raise ValueError(f"no row has both {x} and {y}; accepted: a table with at least one point")
    fig, ax = plt.subplots(figsize=(9, 6.4))
    ax.scatter(shown[x], shown[y], s=22, color=PALETTE["ally"], zorder=3)
    for set_lim, col, at in ((ax.set_xlim, x, x_at), (ax.set_ylim, y, y_at)):  # the lines always inside
        lo, hi = min(shown[col].min(), at), max(shown[col].max(), at)
        set_lim(lo - 0.06 * (hi - lo), hi + 0.06 * (hi - lo))
    ax.axvline(x_at, color=PALETTE["guideline"], linestyle="--", linewidth=1, gid="reference")
    ax.axhline(y_at, color=PALETTE["guideline"], linestyle=":", linewidth=1, gid="reference")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    marks = shown[marker].fillna("").astype(str) if marker else pd.Series("", index=shown.index)
    left_out = table.loc[~table.index.isin(table.dropna(subset=[x, y]).index), name if name in table else label]
    extra = [f"Not shown (no figure): {', '.join(map(str, left_out))}." if len(left_out) else "",
             *marker_notes(marks), note]
    footnote(fig, data=prov, extra=" ".join(e for e in extra if e))
    fit(fig)  # the labels below are placed against the final axes
    counts = quadrant_counts(shown, x=x, y=y, x_at=x_at, y_at=y_at)
    obstacles = _quadrant_labels(ax, counts, x_at=x_at, y_at=y_at, names=(x_line_label, y_line_label))
    place_labels(ax, shown[x].to_numpy(float), shown[y].to_numpy(float),
                 [f"{c}{m}" for c, m in zip(shown[label], marks)], obstacles=obstacles)
    return record(fig, drawn=shown[list(dict.fromkeys(c for c in (label, name, "year", x, y, marker) if c in shown))],
                  title=title, lines={x_line_label: x_at, y_line_label: y_at},
                  shows=f"{len(shown)} points ({xlabel} across, {ylabel} up), each labelled by its {label}; "
                        "in the quadrants: " + ", ".join(f"{n} {QUADRANTS[k].format(x=x_line_label, y=y_line_label)}"
                                    for k, n in counts.items()))


def _quadrant_labels(ax: plt.Axes, counts: dict[str, int], *, x_at: float, y_at: float,
                     names: tuple[str, str]) -> list[Bbox]:
    """Write each quadrant's count in its outer corner; return the boxes they take."""
    renderer = ax.figure.canvas.get_renderer()
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    corners = {"both": (x1, y1, "right", "top"), "x_only": (x1, y0, "right", "bottom"),
               "y_only": (x0, y1, "left", "top"), "neither": (x0, y0, "left", "bottom")}
    boxes = []
    for key, (cx, cy, ha, va) in corners.items():
        n = counts[key]
        what = QUADRANTS[key].format(x=names[0], y=names[1])
        t = ax.annotate(f"{n} {'ally' if n == 1 else 'allies'}: {what}", xy=(cx, cy), xytext=(-4 if ha == "right" else 4,
                        -4 if va == "top" else 4), textcoords="offset points", ha=ha, va=va, fontsize=8.5,
                        color="#555555", fontstyle="italic")
        boxes.append(t.get_window_extent(renderer).padded(2))
    # the lines' own labels, at their ends: the vertical line's under the top counts, the horizontal one's at the right
    for text, xy, xycoords, offset, ha in ((names[0], (x_at, 1.0), ("data", "axes fraction"), (3, -22), "left"),
                                           (names[1], (1.0, y_at), ("axes fraction", "data"), (-3, 3), "right")):
        t = ax.annotate(text, xy=xy, xycoords=xycoords, xytext=offset, textcoords="offset points", ha=ha, fontsize=8,
                        color=PALETTE["guideline"])
        boxes.append(t.get_window_extent(renderer).padded(2))
    # the lines themselves, so that no label is struck through
    (vx, hy), box = ax.transData.transform((x_at, y_at)), ax.bbox
    return boxes + [Bbox.from_extents(vx - 1, box.y0, vx + 1, box.y1), Bbox.from_extents(box.x0, hy - 1, box.x1, hy + 1)]

"""Tables as a reader sees them: labelled headers with units, sensible precision, a dash for no figure, a CSV.

:func:`show` turns a table a view returns into a small HTML table for a
report page: headers from ``reference/columns.csv`` and the indicator
registry (label and unit), numbers to the decimals registered for the column,
``–`` where there is no figure (with the reason in a note under the table),
no index column unless the index carries meaning (it then becomes a column),
nothing cut off. The same table, with its values unrounded and its column
names as in the data, is written as CSV beside the report and linked under it.
"""

from __future__ import annotations

import functools
import math
import os
import re
from pathlib import Path

import pandas as pd

from .. import reference
from ..config import TABLE_DIR_ENV, TABLE_HREF_ENV, page_href, table_dir  # noqa: F401  (TABLE_DIR_ENV: the example sets it)
from .text import DASH

_BOOLS = {True: "yes", False: "no"}


@functools.lru_cache(maxsize=1)
def _columns() -> dict[str, tuple[str, int | None]]:
    out: dict[str, tuple[str, int | None]] = {}
    ind = reference.read("indicators.csv")
    for r in ind.itertuples():
        out[r.indicator] = (r.label, int(r.decimals) if r.decimals else None)
    for r in reference.read("columns.csv").itertuples():
        out[r.column] = (r.label, int(r.decimals) if r.decimals else None)
    return out


def header(column: object) -> str:
    """The reader's header of a column: its registered label with the unit, else the column as written.

    Examples
    --------
    >>> header("gap_core_pp"), header("share_gdp_pct"), header(2024), header("Current prices")
    ('Gap to core target (points of GDP)', 'Share of GDP (%)', '2024', 'Current prices')
    """
    if isinstance(column, tuple):
        return " / ".join(header(c) for c in column if str(c))
    if isinstance(column, str) and column in _columns():
        return _columns()[column][0]
    return str(column)


def _decimals(column: object, values: pd.Series, default: int | None) -> int:
    key = column[-1] if isinstance(column, tuple) else column
    if default is not None:
        return default
    if isinstance(key, str) and key in _columns() and _columns()[key][1] is not None:
        return _columns()[key][1]
    finite = values.dropna()
    if len(finite) and (finite.astype(float) % 1 == 0).all():
        return 0
    return 2


def _number(value: object, decimals: int) -> str:
    if isinstance(value, int):  # a Python int (bool is told apart before): whole, grouped from 10,000
        return f"{value:,}" if abs(value) >= 10000 else str(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{number:,.{decimals}f}"


def _cell(value: object, decimals: int) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return DASH
    if isinstance(value, bool) or str(getattr(value, "dtype", "")) == "bool":
        return _BOOLS[bool(value)]
    if isinstance(value, (list, tuple, set)):
        return ", ".join(str(v) for v in value) or DASH
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items()) or DASH
    if hasattr(value, "__float__") and not isinstance(value, str):
        return _number(value, decimals)
    return str(value)


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_") or "table"


@functools.cache
def _template():
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent), autoescape=True)
    return env.get_template("table.html.j2")


class Table:
    """A table ready for a report page (``_repr_html_``) with its CSV on disk (``csv_path``)."""

    def __init__(self, frame: pd.DataFrame, shown: pd.DataFrame, *, csv_path: Path, href: str, caption: str,
                 notes: list[str], numeric: list[bool]):
        self.frame, self.shown, self.csv_path, self.href = frame, shown, csv_path, href
        self.caption, self.notes, self.numeric = caption, notes, numeric

    def _repr_html_(self) -> str:
        return _template().render(table=self, n=len(self.frame), columns=list(zip(self.shown.columns, self.numeric)),
                                  rows=[list(zip(row, self.numeric)) for row in self.shown.itertuples(index=False)])

    def __repr__(self) -> str:
        return f"Table({self.csv_path.name}, {len(self.frame)} rows)"


def _break_notes(table: pd.DataFrame, notes) -> list[str]:
    """The series breaks the table's rows reach (from the provenance a view attached), unless already noted."""
    return [b for b in getattr(table.attrs.get("provenance"), "breaks", ()) if b not in notes]


def show(table: pd.DataFrame, *, name: str, caption: str = "", decimals: int | None = None,
         notes: list[str] | tuple[str, ...] = (), missing: str | None = None) -> Table:
    """A table for reading, and its CSV written beside the report.

    Parameters
    ----------
    table : pandas.DataFrame
        What a view returned. A named index (or MultiIndex) becomes columns;
        an unnamed range index is dropped. A ``missing_reason`` column is
        turned into the note under the table, and so are the series breaks
        its rows reach (from the provenance a view attached).
    name : str
        File stem of the CSV (letters, digits, ``_`` and ``-``; others become ``_``).
    caption : str
        Shown above the table.
    decimals : int, optional
        One precision for every number (default: the column's registered
        decimals, whole numbers as whole numbers, else 2).
    notes : list of str
        Lines printed under the table (definitions, caveats).
    missing : str, optional
        What a dash means in this table (default: "no figure", with the
        reasons of the ``missing_reason`` column when it has one).

    Returns
    -------
    Table
        Displays as HTML in a notebook; ``csv_path`` is the file written.

    Examples
    --------
    >>> import tempfile
    >>> os.environ[TABLE_DIR_ENV] = tempfile.mkdtemp()
    >>> t = pd.DataFrame({"country_name": ["Poland", "Iceland"], "gap_core_pp": [-0.6231, float("nan")]})
    >>> shown = show(t, name="gaps")
    >>> shown.shown.columns.tolist(), shown.shown.iloc[:, 1].tolist()
    (['Ally', 'Gap to core target (points of GDP)'], ['-0.62', '–'])
    >>> shown.notes
    ['– no figure']
    >>> shown.csv_path.read_text().splitlines()[1]
    'Poland,-0.6231'
    >>> del os.environ[TABLE_DIR_ENV]
    """
    if not isinstance(table, pd.DataFrame):
        raise ValueError(f"show() takes a pandas DataFrame, got {type(table).__name__}")
    frame = table.copy()
    if isinstance(frame.index, pd.MultiIndex) or frame.index.name is not None:
        frame = frame.reset_index()
    else:
        frame = frame.reset_index(drop=True)
    if isinstance(frame.columns, pd.MultiIndex):
        frame.columns = [" / ".join(str(p) for p in c if str(p)) for c in frame.columns]
    reasons = []
    if "missing_reason" in frame.columns:
        reasons = sorted({str(r).replace("_", " ") for r in frame["missing_reason"] if str(r)})
        frame = frame.drop(columns="missing_reason")
    out_dir = table_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path = out_dir / f"{_slug(name)}.csv"
    frame.to_csv(csv_path, index=False)
    href = page_href(csv_path, href_env=TABLE_HREF_ENV)
    shown, numeric = {}, []
    for col in frame.columns:
        values = frame[col]
        is_num = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
        places = _decimals(col, values, decimals) if is_num else 0
        shown[header(col)] = [_cell(v, places) for v in values.tolist()]
        numeric.append(bool(is_num))
    shown = pd.DataFrame(shown, columns=list(shown))
    all_notes = list(notes) + _break_notes(table, notes)
    if (shown == DASH).any().any():
        all_notes.append(f"{DASH} {missing or 'no figure'}" + (f" ({', '.join(reasons)})" if reasons else ""))
    return Table(frame, shown, csv_path=csv_path, href=href, caption=caption, notes=all_notes, numeric=numeric)

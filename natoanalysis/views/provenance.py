"""The tidy rows a view's table was computed from, carried with the table.

A view attaches the rows it read (:func:`attach`); a chart reads them back
(:func:`rows_of`) for its footnote (source, edition, definition, estimate
years) and for shading estimates, so a notebook never picks them by hand.

The rows travel in ``DataFrame.attrs`` inside a :class:`Provenance` wrapper
rather than as a bare DataFrame: pandas compares and deep-copies ``attrs`` on
most operations, and a bare DataFrame there makes ``pd.concat`` raise
("truth value of a DataFrame is ambiguous") and copies the rows on every
``assign`` or ``query``. The wrapper compares by identity and is never copied,
so tables derived from one view keep its provenance, and tables from two
views lose it when combined (pandas drops ``attrs`` that differ).
"""

from __future__ import annotations

import pandas as pd

from ..errors import NatoAnalysisError

KEY = "provenance"


class MissingProvenanceError(NatoAnalysisError, ValueError):
    """A chart was given a table without the rows it was computed from."""


class Provenance:
    """Read-only holder of tidy rows, safe to keep in ``DataFrame.attrs``.

    Parameters
    ----------
    rows : pandas.DataFrame
        Tidy rows (``source``, ``edition``, ``year``, ``is_estimate`` ...).

    Examples
    --------
    >>> import copy
    >>> p = Provenance(pd.DataFrame({"year": [2024], "is_estimate": [True]}))
    >>> p, p == p, copy.deepcopy(p) is p
    (Provenance(1 rows), True, True)
    """

    __slots__ = ("_rows",)

    def __init__(self, rows: pd.DataFrame):
        rows = rows.copy()
        rows.attrs = {}
        self._rows = rows

    @property
    def rows(self) -> pd.DataFrame:
        """A copy of the rows (the holder itself never changes)."""
        return self._rows.copy()

    def __len__(self) -> int:
        return len(self._rows)

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)

    def __copy__(self) -> "Provenance":
        return self

    def __deepcopy__(self, memo: dict) -> "Provenance":
        return self

    def __repr__(self) -> str:
        return f"Provenance({len(self._rows)} rows)"


def attach(table: pd.DataFrame, *, rows: pd.DataFrame) -> pd.DataFrame:
    """Record on ``table`` (in place, and return it) the tidy rows it was computed from.

    Parameters
    ----------
    table : pandas.DataFrame
        What the view returns.
    rows : pandas.DataFrame
        The tidy rows it read.

    Returns
    -------
    pandas.DataFrame
        ``table``, with ``attrs["provenance"]`` set.

    Examples
    --------
    >>> t = attach(pd.DataFrame({"v": [1.0]}), rows=pd.DataFrame({"year": [2023, 2024]}))
    >>> len(rows_of(t.assign(w=2)))
    2
    """
    table.attrs[KEY] = rows if isinstance(rows, Provenance) else Provenance(rows)
    return table


def carry(source: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Give ``table`` (reshaped from ``source``) the provenance ``source`` carries, if any; return ``table``.

    Examples
    --------
    >>> wide = attach(pd.DataFrame({"a": [1.0]}), rows=pd.DataFrame({"year": [2024]}))
    >>> len(rows_of(carry(wide, wide.melt())))
    1
    """
    held = source.attrs.get(KEY)
    if held is not None:
        attach(table, rows=held)
    return table


def rows_of(table: pd.DataFrame, provenance: pd.DataFrame | None = None, *, what: str = "the chart") -> pd.DataFrame:
    """The rows behind ``table``: ``provenance`` when given, else those a view attached.

    Parameters
    ----------
    table : pandas.DataFrame
        A table from a view (or derived from one by filtering or ``assign``).
    provenance : pandas.DataFrame, optional
        Tidy rows given explicitly; wins over the attached ones.
    what : str
        Named in the error message.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    MissingProvenanceError
        When neither is there (for instance after combining tables of two views).

    Examples
    --------
    >>> rows_of(pd.DataFrame({"v": [1]}))
    Traceback (most recent call last):
    ...
    natoanalysis.views.provenance.MissingProvenanceError: the chart's table carries no provenance (the tidy rows it \
was computed from): pass a table returned by a natoanalysis view, or provenance=<tidy rows, e.g. views.rows(...)>
    """
    if provenance is not None:
        if isinstance(provenance, Provenance):
            return provenance.rows
        if not isinstance(provenance, pd.DataFrame):
            raise MissingProvenanceError(f"provenance must be a DataFrame of tidy rows, got {type(provenance).__name__}")
        return provenance
    held = table.attrs.get(KEY) if isinstance(table, pd.DataFrame) else None
    if isinstance(held, Provenance):
        return held.rows
    if isinstance(held, pd.DataFrame):
        return held
    raise MissingProvenanceError(
        f"{what}'s table carries no provenance (the tidy rows it was computed from): pass a table returned by a "
        "natoanalysis view, or provenance=<tidy rows, e.g. views.rows(...)>")

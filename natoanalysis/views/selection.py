"""Select tidy rows by indicator, price basis, country and year, with names checked."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from .. import allies, reference, validate
from .provenance import attach


def _resolved(value: object) -> object:
    try:
        return allies.resolve(value, include_non_allies=True, allow_aggregates=True)
    except ValueError:
        return value


def _as_list(value) -> list | None:
    if value is None:
        return None
    if isinstance(value, (str, int)):
        return [value]
    return list(value)


def rows(data: pd.DataFrame, *, indicator: str | Iterable[str], price_basis: str | None = None,
         country: str | Iterable[str] | None = None, year: int | Iterable[int] | None = None,
         include_aggregates: bool = False) -> pd.DataFrame:
    """The tidy rows of one or more indicators, optionally for some allies, years and one price basis.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy rows (:func:`natoanalysis.load`, NATO or SIPRI).
    indicator : str or list of str
        Indicator name(s) present in ``data``.
    price_basis : {"current", "constant"}, optional
        Keep one price basis (default: all).
    country : str or list of str, optional
        ISO3 codes in any case, names or aliases (``"Germany"``, ``"UK"``),
        or aggregate codes (default: all).
    year : int or list of int, optional
        Years (default: all).
    include_aggregates : bool, default False
        Keep aggregate rows (``is_aggregate``) when no ``country`` is given.

    Returns
    -------
    pandas.DataFrame
        The selected rows, all columns kept (``value`` in the indicator's
        ``unit``), carrying themselves as provenance (:mod:`.provenance`).

    Examples
    --------
    >>> import natoanalysis as na
    >>> r = rows(na.load(), indicator="share_gdp_pct", year=2024)
    >>> len(r), bool(r["is_estimate"].all())
    (31, True)
    >>> rows(na.load(), indicator="share_gdp_pct", country=["UK", "deu"], year=2024)["country"].tolist()
    ['DEU', 'GBR']
    >>> rows(na.load(), indicator="share_of_gdp")
    Traceback (most recent call last):
    ...
    ValueError: indicator 'share_of_gdp' is not in data; accepted: defence_exp_ncu, ...
    """
    present = sorted(data["indicator"].unique())
    inds = _as_list(indicator)
    bad = [i for i in inds if i not in present]
    if bad:
        raise ValueError(f"indicator {', '.join(map(repr, bad))} is not in data; accepted: {', '.join(present)}")
    mask = data["indicator"].isin(inds)
    if price_basis is not None:
        bases = sorted(data.loc[mask, "price_basis"].fillna("").unique())
        if price_basis not in bases:
            raise ValueError(f"price_basis {price_basis!r} does not exist for {', '.join(inds)}; accepted: "
                             f"{', '.join(map(repr, bases))}")
        mask &= data["price_basis"] == price_basis
    codes = _as_list(country)
    if codes is not None:
        known = set(data["country"].unique())
        # Names, aliases and codes in any case go through the one resolver; what it cannot place is
        # reported with the codes the data holds.
        codes = [c if c in known else _resolved(c) for c in codes]
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise ValueError(f"country {', '.join(map(repr, unknown))} is not in data; accepted: "
                             f"{', '.join(sorted(known))}")
        mask &= data["country"].isin(codes)
    elif not include_aggregates:
        mask &= ~data["is_aggregate"].astype(bool)
    years = _as_list(year)
    if years is not None:
        mask &= data["year"].isin(years)
    out = data[mask].reset_index(drop=True)
    return attach(out, rows=out)  # rows are their own provenance, so a chart of them needs no provenance=


def year_or_latest(data: pd.DataFrame, year: int | None = None) -> int:
    """``year`` checked against the rows' years, or their latest year when it is None.

    Examples
    --------
    >>> import natoanalysis as na
    >>> year_or_latest(na.load()) == int(na.load()["year"].max())
    True
    >>> year_or_latest(na.load(), 1999)
    Traceback (most recent call last):
    ...
    natoanalysis.errors.ArgumentError: year 1999 is outside edition 2024-06; accepted: 2014 to 2024
    """
    return validate.year_or_last(year, data)


def paired(data: pd.DataFrame, *, x: str, y: str, year: int | None = None) -> pd.DataFrame:
    """Two indicators of every ally in one year, side by side: a scatter's points.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy rows of one edition.
    x, y : str
        Indicators with one figure per ally and year (e.g. ``share_gdp_pct``
        and ``equipment_share_pct``).
    year : int, optional
        Default: the rows' latest year.

    Returns
    -------
    pandas.DataFrame
        ``country, country_name, year, <x>, <y>, note_marker`` for every ally with a
        row of either indicator (NaN where there is no figure); ``note_marker``
        holds the markers NATO prints after the ally's name in either table.

    Examples
    --------
    >>> import natoanalysis as na
    >>> p = paired(na.load(), x="share_gdp_pct", y="equipment_share_pct").set_index("country")
    >>> round(float(p.at["POL", "share_gdp_pct"]), 2), round(float(p.at["POL", "equipment_share_pct"]), 1)
    (4.12, 51.1)
    >>> p.at["POL", "note_marker"], p.at["DEU", "note_marker"]
    ('*', '')
    """
    y_ = validate.year_or_last(year, data)
    sel = rows(data, indicator=[x, y], year=y_)
    if sel.duplicated(["country", "indicator"]).any():
        raise ValueError(f"{x} or {y} has more than one figure per ally in {y_}; accepted: indicators of one price "
                         "basis")
    out = sel.pivot(index=["country", "country_name"], columns="indicator", values="value").reindex(columns=[x, y])
    marks = sel.groupby("country")["note_marker"].agg(lambda m: "".join(sorted(set(m.fillna("")))))
    out = out.astype(float).reset_index().assign(note_marker=lambda t: t["country"].map(marks).fillna(""))
    out.insert(2, "year", y_)
    out.columns.name = None
    return attach(out, rows=sel)


def marker_notes(markers: Iterable[str], *, source: str = "nato") -> list[str]:
    """What each of the publisher's name markers means (``reference/note_markers.csv``), one line per marker.

    Examples
    --------
    >>> marker_notes(["*", ""])[0].startswith("* marks allies with national laws or political agreements")
    True
    """
    ref = reference.read("note_markers.csv")
    ref = ref[ref["source"] == source].set_index("marker")
    found = sorted({m for mark in markers for m in str(mark) if m in ref.index})
    return [f"{m} marks {ref.at[m, 'meaning']}." for m in found]

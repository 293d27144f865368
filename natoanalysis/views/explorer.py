"""The data of the report site's explorer page and of the tile map: tidy rows shaped for a browser.

:func:`records` turns tidy NATO rows into one plain record per ally, year,
indicator and price basis with a figure (what the explorer's chart, table
and CSV download read); :func:`tiles` places each ally on the schematic grid
of ``reference/tile_grid.csv`` with its share of GDP in one year.
"""

from __future__ import annotations

import pandas as pd

from .. import allies, reference, validate
from . import labels
from .provenance import attach

#: The fields of an explorer record that name its series, then its lists (the columns of the CSV download).
SERIES = ("edition", "country", "country_name", "indicator", "price_basis", "base_year", "unit", "only_basis")
VALUES = ("year", "value", "is_estimate")


def records(*, data: pd.DataFrame) -> list[dict]:
    """Every figure of the allies in ``data``, one plain record (JSON-ready) per series, sorted.

    A series is one ally's indicator at one price basis in one edition; its
    years, values and estimate flags are lists of equal length (Vega-Lite's
    ``flatten`` transform, or :func:`rows`, makes one row per year of them).
    Rows without a figure (``value`` NaN) are left out. ``unit`` names the
    currency of national-currency series (``"million Euros"``); ``base_year``
    is set on constant-price series only; ``only_basis`` is True when the
    indicator is published at one price basis only in that edition (the
    explorer then shows it whatever basis is picked, and says which it is).

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy NATO rows of one or several editions (:func:`natoanalysis.load`).

    Returns
    -------
    list of dict
        Records with the keys of :data:`SERIES` and :data:`VALUES`.

    Examples
    --------
    >>> import natoanalysis as na
    >>> df = na.load()
    >>> last = int(df["year"].max())
    >>> fra = [r for r in records(data=df) if r["country"] == "FRA" and r["indicator"] == "share_gdp_pct"][0]
    >>> fra["value"][fra["year"].index(last)] == df.query(
    ...     "country == 'FRA' and indicator == 'share_gdp_pct' and year == @last")["value"].item()
    True
    >>> fra["is_estimate"][-1], fra["only_basis"], fra["unit"]
    (True, True, 'percent of GDP')
    """
    validate.table(data, None)  # the tidy columns, for every edition of data
    df = data[~data["is_aggregate"] & data["value"].notna()].sort_values("year", kind="stable")
    currency = df["currency"].fillna("").astype(str)
    named = df["unit"].str.contains("national currency") & (currency != "")
    df = df.assign(price_basis=df["price_basis"].fillna("").astype(str),
                   unit=df["unit"].astype(str).where(~named, "million " + currency),
                   base_year=df["base_year"].where(df["price_basis"] == "constant").astype("Int64"),
                   only_basis=df.groupby(["edition", "indicator"])["price_basis"].transform("nunique").eq(1))
    df = df.assign(year=df["year"].astype(int), value=df["value"].astype(float),
                   is_estimate=df["is_estimate"].astype(bool)).astype({k: str for k in SERIES[:5]})
    out = df.groupby(list(SERIES[:5]), sort=False).agg(
        **{k: (k, "first") for k in SERIES[5:]}, **{k: (k, list) for k in VALUES}).reset_index()
    out = out.sort_values(["edition", "indicator", "price_basis", "country_name"], kind="stable")
    return [{k: _plain(v) if k in SERIES else v for k, v in r.items()} for r in out.to_dict("records")]


def _plain(v: object) -> object:
    """A pandas or numpy scalar as a JSON value (``None`` for a missing one)."""
    return None if pd.isna(v) else v.item() if hasattr(v, "item") else v


def rows(series: list[dict]) -> pd.DataFrame:
    """The records of :func:`records` as one row per year, with the columns of the CSV a reader downloads.

    Examples
    --------
    >>> import natoanalysis as na
    >>> r = rows(records(data=na.load()))
    >>> list(r.columns) == list(SERIES + VALUES), len(r) == int(na.load().eval("~is_aggregate & value.notna()").sum())
    (True, True)
    """
    return pd.DataFrame(series, columns=list(SERIES + VALUES)).explode(list(VALUES), ignore_index=True)


def tiles(*, data: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
    """Each ally on the schematic grid with its published share of GDP in ``year`` (default: the latest).

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy NATO rows of one edition.
    year : int, optional
        Default: the edition's latest year.

    Returns
    -------
    pandas.DataFrame
        One row per ally of ``reference/tile_grid.csv``: ``country``,
        ``country_name``, ``row``, ``col``, ``value`` (percent of GDP; NaN
        without a figure), ``has_armed_forces``, ``year`` and ``year_label``
        (``"2024e"`` for an estimate), carrying the provenance of the shares.

    Examples
    --------
    >>> import natoanalysis as na
    >>> t = tiles(data=na.load()).set_index("country")
    >>> len(t), bool(t.at["ISL", "has_armed_forces"]), bool(pd.isna(t.at["ISL", "value"]))
    (32, False, True)
    >>> bool(t.at["POL", "value"] > t.at["ESP", "value"])
    True
    """
    df = validate.table(data, None)
    y = validate.year_or_last(year, df)
    shares = df[(df["indicator"] == "share_gdp_pct") & (df["year"] == y) & ~df["is_aggregate"]]
    grid = reference.read("tile_grid.csv").rename(columns={"iso3": "country"})
    grid[["row", "col"]] = grid[["row", "col"]].astype(int)
    out = grid.merge(shares[["country", "value"]].astype({"country": str}), on="country", how="left")
    out["country_name"] = out["country"].map(allies.country_name)
    out["has_armed_forces"] = out["country"].map(allies.has_armed_forces)
    out["year"], out["year_label"] = y, labels.year_label(df, y)
    return attach(out, rows=shares)

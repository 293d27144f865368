"""Revisions between editions of one source: the same number as each edition printed it.

Publishers revise past years in every edition (NATO's latest years are
estimates, SIPRI revises its whole series); lining editions up shows by how much.
"""

from __future__ import annotations

import os

import pandas as pd

from .. import allies, validate
from ..errors import ArgumentError, UnknownCountryError
from .query import load


def revisions(*, indicator: str, source: str = "nato", country: str | None = None, year: int | None = None,
              price_basis: str | None = None, data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """One row per published number, one column per bundled edition, and the revision.

    Parameters
    ----------
    indicator : str
        Indicator name (see :func:`natoanalysis.indicators`).
    source : {"nato", "sipri"}
        Publisher.
    country : str, optional
        An ally as :func:`natoanalysis.allies.resolve` takes it (ISO3 code,
        name or alias), or a group as :func:`natoanalysis.aggregate` names it
        (``"europe_canada"``, ``"NATO_TOTAL"``...: NATO's published row); default: all.
    year : int, optional
        A year some bundled edition prints; default: all.
    price_basis : {"current", "constant", ""}, optional
        Default: all price bases of the indicator. Any case; "nominal" and
        "real" are accepted as synonyms.
    data_dir : path-like, optional
        Data root.

    Returns
    -------
    pandas.DataFrame
        Columns ``country, year, indicator, price_basis`` then one column per
        edition (oldest first; NaN where that edition does not print the number),
        then ``revision``: the latest edition's value minus the oldest edition's
        that prints the number (NaN with a single edition), in the indicator's unit,
        and ``also_changed``: what else differs between those two editions' rows
        (``"definition: defence expenditure (NATO definition) -> core defence
        expenditure; base year: 2015 -> 2021; estimate -> outturn"``), ``""``
        when only the value moved, so a revision is never read as a change of
        the same measure when the measure itself changed.

    Examples
    --------
    >>> import natoanalysis as na
    >>> r = revisions(indicator="share_gdp_pct", country="POL", year=2024)
    >>> r.columns.tolist()[:4], r.columns[-2:].tolist(), len(r.columns) == 6 + len(na.editions(source="nato"))
    (['country', 'year', 'indicator', 'price_basis'], ['revision', 'also_changed'], True)
    """
    df = load(source=source, edition="all", data_dir=data_dir)
    known = sorted(df["indicator"].unique())
    if indicator not in known:
        raise ArgumentError(f"indicator {indicator!r} is not published by {source}; accepted: {', '.join(known)}")
    sel = df[df["indicator"] == indicator]
    code = None
    if country is not None:
        code = _country_code(country, codes=set(sel["country"]), indicator=indicator, source=source)
        sel = sel[sel["country"] == code]
    if year is not None:
        years = sorted(int(y) for y in sel["year"].unique())
        if isinstance(year, bool) or not isinstance(year, int) or year not in years:
            raise ArgumentError(f"year {year!r}: no {indicator} rows{f' for {code}' if code is not None else ''} "
                                f"in {source}; accepted: {years[0]} to {years[-1]}" if years else
                                f"year {year!r}: no {indicator} rows in {source}")
        sel = sel[sel["year"] == year]
    if price_basis is not None:
        price_basis = validate.price_basis_name(price_basis)
        bases = sorted(df.loc[df["indicator"] == indicator, "price_basis"].unique())
        if price_basis not in bases:
            raise ArgumentError(f"{indicator} has no price_basis {price_basis!r} in {source}; accepted: {bases}")
        sel = sel[sel["price_basis"] == price_basis]
    editions = sorted(df["edition"].unique())
    key = ["country", "year", "indicator", "price_basis"]
    wide = sel.pivot_table(index=key, columns="edition", values="value", aggfunc="first", dropna=False)
    wide = wide.reindex(columns=editions)
    wide.columns = [str(c) for c in wide.columns]
    values = wide[[str(e) for e in editions]]
    first = values.bfill(axis=1).iloc[:, 0] if len(editions) else pd.Series(dtype=float)
    last = values.ffill(axis=1).iloc[:, -1] if len(editions) else pd.Series(dtype=float)
    wide["revision"] = (last - first) if len(editions) > 1 else float("nan")
    wide["also_changed"] = _also_changed(sel, key=key).reindex(wide.index)
    wide["also_changed"] = wide["also_changed"].fillna("")
    out = wide.reset_index()
    out.columns.name = None
    return out.astype({"country": "string", "indicator": "string", "price_basis": "string", "also_changed": "string"})


def _also_changed(sel: pd.DataFrame, *, key: list[str]) -> pd.Series:
    """Per number: what differs between the oldest and the newest edition printing it, besides the value."""
    printed = sel[sel["value"].notna()].sort_values("edition", kind="stable")
    # Each fact that can differ besides the value, named as the text shows it.
    facts = pd.DataFrame({"definition: ": printed["definition"].astype(str),
                          "base year: ": printed["base_year"].map(lambda b: "" if pd.isna(b) else str(int(b))),
                          "": printed["is_estimate"].map(lambda e: "estimate" if bool(e) else "outturn")}, dtype=str)
    ends = facts.groupby([printed[k] for k in key], sort=False)
    old, new = ends.first(), ends.last()
    changes = pd.DataFrame({f: (f + old[f] + " -> " + new[f]).where(old[f] != new[f]) for f in facts})
    return changes.apply(lambda r: "; ".join(r.dropna()), axis=1, result_type="reduce")


def _country_code(country: str, *, codes: set[str], indicator: str, source: str) -> str:
    """The row code of an ally (ISO3, name, alias) or a group (NATO's published row) that has rows; else refused."""
    try:
        code = allies.resolve(country, include_non_allies=True, allow_aggregates=True)
    except UnknownCountryError:
        code = None
    if code is None and isinstance(country, str):
        try:
            code = validate.published_row(validate.group(country, name="country"))
        except ArgumentError:
            code = None
    if code not in codes:
        raise ArgumentError(f"country {country!r} has no {indicator} rows in {source}; accepted: "
                            f"{', '.join(sorted(codes))}") from None
    return code

"""The headline picture of one year: totals, the allies at 2%, the largest spenders (notebook 01)."""

from __future__ import annotations

import pandas as pd

from ..metrics import _args
from ..metrics.guidelines import allies_meeting
from . import labels


def headline(*, data: pd.DataFrame, year: int, threshold_pct: float = 2.0) -> pd.Series:
    """Alliance totals and the count of allies at or above a share of GDP in one year.

    Totals are NATO's published aggregates (``NATO_TOTAL``,
    ``NATO_EUROPE_CANADA``), which count an ally from its accession year.
    Allies are counted on NATO's published share of real GDP (Table 3);
    Iceland, with no armed forces, is not assessed.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy NATO rows of one edition.
    year : int
        A year of the edition.
    threshold_pct : float, default 2.0
        Share of GDP, percent.

    Returns
    -------
    pandas.Series
        ``nato_defence_exp_usd_current_million``, ``europe_canada_defence_exp_usd_current_million``,
        ``usa_defence_exp_usd_current_million``, ``nato_share_gdp_pct``,
        ``n_allies``, ``n_allies_assessed``, ``n_allies_at_threshold``,
        ``threshold_pct``, ``year``, ``is_estimate``.

    Examples
    --------
    >>> import natoanalysis as na
    >>> h = headline(data=na.load(), year=2024)
    >>> int(h["n_allies_at_threshold"]), int(h["n_allies_assessed"]), round(h["nato_defence_exp_usd_current_million"])
    (23, 31, 1474399)
    """
    df = _args.table(data, None)
    y = _args.year(year, df)

    def value(country: str, indicator: str, basis: str) -> float:
        sel = df[(df["country"] == country) & (df["indicator"] == indicator) & (df["year"] == y)
                 & (df["price_basis"].fillna("") == basis)]
        if len(sel) != 1:
            raise ValueError(f"no single {indicator} ({basis}) value for {country} in {y}")
        return float(sel["value"].iloc[0])

    meets = allies_meeting(threshold=threshold_pct, year=y, data=df)
    assessed = meets[meets["status"] != "not_assessed"]
    return pd.Series({
        "nato_defence_exp_usd_current_million": value("NATO_TOTAL", "defence_exp_usd", "current"),
        "europe_canada_defence_exp_usd_current_million": value("NATO_EUROPE_CANADA", "defence_exp_usd", "current"),
        "usa_defence_exp_usd_current_million": value("USA", "defence_exp_usd", "current"),
        "nato_share_gdp_pct": value("NATO_TOTAL", "share_gdp_pct", "constant"),
        "n_allies": len(meets), "n_allies_assessed": len(assessed),
        "n_allies_at_threshold": int((assessed["status"] == "meets").sum()),
        "threshold_pct": float(threshold_pct), "year": y,
        "is_estimate": bool(df.loc[df["year"] == y, "is_estimate"].any()),
    }, dtype=object)


def largest_spenders(*, data: pd.DataFrame, year: int, n: int = 10, price_basis: str = "current") -> pd.DataFrame:
    """The ``n`` allies with the largest defence expenditure in US dollars, with their share of the NATO total.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy NATO rows of one edition.
    year : int
    n : int, default 10
    price_basis : {"current", "constant"}
        Current prices and exchange rates (default) or constant ones (the edition's base year).

    Returns
    -------
    pandas.DataFrame
        ``country, country_name, defence_exp_usd_million, defence_exp_usd_billion,
        share_of_nato_total_pct, is_estimate``, largest first.

    Examples
    --------
    >>> import natoanalysis as na
    >>> t = largest_spenders(data=na.load(), year=2024, n=3)
    >>> t["country"].tolist(), t["share_of_nato_total_pct"].round(1).tolist()
    (['USA', 'DEU', 'GBR'], [65.6, 6.6, 5.6])
    """
    df = _args.table(data, None)
    y = _args.year(year, df)
    k = _args.positive_int(n, name="n")
    basis = _args.price_basis(price_basis, df, indicator="defence_exp_usd")
    sel = df[(df["indicator"] == "defence_exp_usd") & (df["price_basis"] == basis) & (df["year"] == y)]
    total = float(sel.loc[sel["country"] == "NATO_TOTAL", "value"].iloc[0])
    allies = sel[~sel["is_aggregate"]].nlargest(k, "value")
    out = pd.DataFrame({"country": allies["country"].astype(str), "country_name": allies["country_name"].astype(str),
                        "defence_exp_usd_million": allies["value"].astype(float),
                        "defence_exp_usd_billion": allies["value"].astype(float) / 1000,
                        "share_of_nato_total_pct": allies["value"].astype(float) / total * 100,
                        "is_estimate": allies["is_estimate"].astype(bool)})
    return out.reset_index(drop=True)


def total_over_time(*, data: pd.DataFrame) -> pd.DataFrame:
    """NATO's published total defence expenditure per year, at current and at constant prices.

    Returns
    -------
    pandas.DataFrame
        Long table ``year, basis_label, defence_exp_usd_billion``, constant prices first.

    Examples
    --------
    >>> import natoanalysis as na
    >>> t = total_over_time(data=na.load()).query("year == 2014")
    >>> t["defence_exp_usd_billion"].round(1).tolist()
    [910.4, 943.2]
    """
    df = _args.table(data, None)
    sel = df[(df["country"] == "NATO_TOTAL") & (df["indicator"] == "defence_exp_usd")]
    out = pd.DataFrame({"year": sel["year"].astype(int), "basis_label": sel["price_basis"].map(labels.basis_labels(df)),
                        "defence_exp_usd_billion": sel["value"].astype(float) / 1000})
    return out.sort_values(["basis_label", "year"]).reset_index(drop=True)

"""What a tidy table contains: counts by table, indicator and year, and which values are estimates."""

from __future__ import annotations

import pandas as pd


def coverage(data: pd.DataFrame) -> pd.DataFrame:
    """Count published numbers by table, indicator and price basis, with the years covered.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy rows from :func:`natoanalysis.load`.

    Returns
    -------
    pandas.DataFrame
        ``table, indicator, price_basis, base_year, unit, n_values, n_countries,
        first_year, last_year, n_estimates``.

    Examples
    --------
    >>> import natoanalysis as na
    >>> cov = coverage(na.load()).set_index(["indicator", "price_basis"])
    >>> int(cov.loc[("share_gdp_pct", "constant"), "n_values"])
    363
    """
    g = data.groupby(["table", "indicator", "price_basis"], dropna=False)
    out = g.agg(base_year=("base_year", "first"), unit=("unit", "first"), n_values=("value", "size"),
                n_countries=("country", "nunique"), first_year=("year", "min"), last_year=("year", "max"),
                n_estimates=("is_estimate", "sum"))
    return out.reset_index().sort_values(["table", "indicator", "price_basis"]).reset_index(drop=True)


def values_by_year(data: pd.DataFrame) -> pd.DataFrame:
    """Number of published values per table (rows) and year (columns), estimate years marked ``e``.

    Examples
    --------
    >>> import natoanalysis as na
    >>> t = values_by_year(na.load())
    >>> list(t.columns[-2:]), int(t.loc["Table 7", "2024e"])
    (['2023e', '2024e'], 33)
    """
    est = set(data.loc[data["is_estimate"], "year"])
    t = data.pivot_table(index="table", columns="year", values="value", aggfunc="size", fill_value=0)
    t.columns = [f"{y}e" if y in est else str(y) for y in t.columns]
    t.columns.name = "year"
    return t

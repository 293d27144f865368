"""What a tidy table contains: counts by table, indicator and year, and which values are estimates."""

from __future__ import annotations

import pandas as pd

from . import labels


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
    t = data.pivot_table(index="table", columns="year", values="value", aggfunc="size", fill_value=0)
    t.columns = [labels.year_label(data, y) for y in t.columns]
    t.columns.name = "year"
    return t


def quality_findings(quality: pd.DataFrame) -> pd.DataFrame:
    """The consistency checks' findings as a reader takes them: findings with one explanation grouped in one row.

    Findings that share a rule and an explanation (NATO's broken hidden rows,
    one per table and row) are one row naming where they are, with their
    number; a finding about a whole row of a table has no ally and no year,
    and shows none (the checks' ``-1`` is a placeholder, not a year).

    Parameters
    ----------
    quality : pandas.DataFrame
        :func:`natoanalysis.data_quality`.

    Returns
    -------
    pandas.DataFrame
        ``rule, country, year, indicator, n_findings, published, expected,
        is_whitelisted, reason``; ``country``, ``year`` and ``indicator`` list
        the group's distinct values as text.

    Examples
    --------
    >>> import natoanalysis as na
    >>> q = na.data_quality()
    >>> t = quality_findings(q)
    >>> len(t) == q.groupby(["rule", "reason"]).ngroups, "-1" in set(t["year"]), t["reason"].is_unique
    (True, False, True)
    """
    def listed(values: pd.Series) -> str:
        return ", ".join(dict.fromkeys(str(v) for v in values if str(v) not in ("", "-1", "nan")))

    groups = quality.groupby(["rule", "reason", "is_whitelisted"], sort=False, dropna=False)
    out = groups.agg(country=("country", listed), year=("year", listed), indicator=("indicator", listed),
                     n_findings=("rule", "size"), published=("published", "first"), expected=("expected", "first"))
    out.loc[out["n_findings"] > 1, ["published", "expected"]] = float("nan")  # one figure stands for one finding
    out = out.reset_index()
    return out[["rule", "country", "year", "indicator", "n_findings", "published", "expected", "is_whitelisted",
                "reason"]]

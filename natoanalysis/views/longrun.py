"""SIPRI's long series: Cold War levels against today (notebook 07)."""

from __future__ import annotations

import pandas as pd

from . import labels
from .provenance import attach

#: Decades compared with the latest year; 1950-1989 is the Cold War span the series covers.
PERIODS = {"1950s": (1950, 1959), "1960s": (1960, 1969), "1970s": (1970, 1979), "1980s": (1980, 1989)}


def period_levels(*, data: pd.DataFrame, countries: list[str], compare_year: int | None = None,
                  periods: dict[str, tuple[int, int]] | None = None) -> pd.DataFrame:
    """Average share of GDP per period (e.g. Cold War decades) and the value of ``compare_year``, per country.

    Averages are over the years SIPRI prints a figure; ``n_years`` says how
    many (a decade with no figures is left out, e.g. before a state existed).

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy SIPRI rows (``natoanalysis.load(source="sipri")``).
    countries : list of str
        ISO3 codes present in ``data``.
    compare_year : int, optional
        Default: the latest year of the release.
    periods : dict, optional
        ``{label: (first_year, last_year)}``; default the decades 1950s-1980s.

    Returns
    -------
    pandas.DataFrame
        ``country, country_name, period, share_gdp_pct, n_years``, periods in
        order and ``str(compare_year)`` last.

    Examples
    --------
    >>> import natoanalysis as na
    >>> t = period_levels(data=na.load(source="sipri"), countries=["USA"])
    >>> t[["period", "n_years"]].values.tolist()[:2], round(float(t["share_gdp_pct"].iloc[-1]), 1)
    ([['1950s', 10], ['1960s', 10]], 3.4)
    """
    periods = dict(PERIODS if periods is None else periods)
    sel = data[(data["indicator"] == "share_gdp_pct") & data["value"].notna()]
    known = set(sel["country"])
    unknown = [c for c in countries if c not in known]
    if unknown:
        raise ValueError(f"countries {unknown} have no share_gdp_pct rows; accepted: {', '.join(sorted(known))}")
    if compare_year is None:
        compare_year = int(sel["year"].max())
    if compare_year not in set(sel["year"]):
        raise ValueError(f"compare_year {compare_year} is not in data; accepted: {sel['year'].min()}-"
                         f"{sel['year'].max()}")
    periods[str(compare_year)] = (compare_year, compare_year)
    out = []
    for code in countries:
        rows = sel[sel["country"] == code]
        name = str(rows["country_name"].iloc[0])
        for label, (a, b) in periods.items():
            vals = rows.loc[rows["year"].between(a, b), "value"].astype(float)
            if len(vals):
                out.append({"country": code, "country_name": name, "period": label,
                            "share_gdp_pct": float(vals.mean()), "n_years": int(len(vals))})
    return attach(pd.DataFrame(out, columns=["country", "country_name", "period", "share_gdp_pct", "n_years"]),
                  rows=sel[sel["country"].isin(countries)])


def _series(data: pd.DataFrame, groups: dict[str, list[str]], indicator: str, basis: str, scale: float,
            column: str) -> pd.DataFrame:
    sel = data[(data["indicator"] == indicator) & (data["price_basis"] == basis) & data["value"].notna()]
    known = set(sel["country"])
    out = []
    for group, codes in groups.items():
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise ValueError(f"{group}: {unknown} have no {indicator} rows; accepted: {', '.join(sorted(known))}")
        rows = sel[sel["country"].isin(codes)]
        out.append(pd.DataFrame({"year": rows["year"].astype(int), "country": rows["country"].astype(str),
                                 "country_name": rows["country_name"].astype(str), "group": group,
                                 column: rows["value"].astype(float) / scale}))
    out = pd.concat(out, ignore_index=True)
    # Groups keep the order they were given in (allies before comparators), countries too.
    out["_g"] = out["group"].map({g: i for i, g in enumerate(groups)})
    out["_c"] = out["country"].map({c: i for i, c in enumerate(c for cs in groups.values() for c in cs)})
    out = out.sort_values(["_g", "_c", "year"]).drop(columns=["_g", "_c"]).reset_index(drop=True)
    return attach(out, rows=sel[sel["country"].isin([c for cs in groups.values() for c in cs])])


def share_series(*, data: pd.DataFrame, allies: list[str], comparators: list[str]) -> pd.DataFrame:
    """SIPRI's military expenditure as a share of GDP for allies and comparators, every year printed.

    Returns
    -------
    pandas.DataFrame
        ``year, country, country_name, group ("NATO allies" or "Comparators"), share_gdp_pct``.

    Examples
    --------
    >>> import natoanalysis as na
    >>> t = share_series(data=na.load(source="sipri"), allies=["GBR"], comparators=["RUS"])
    >>> t.groupby("country")["year"].min().to_dict()
    {'GBR': 1950, 'RUS': 1992}
    """
    return _series(data, {"NATO allies": list(allies), "Comparators": list(comparators)}, "share_gdp_pct",
                   "current", 1.0, "share_gdp_pct")


def spending_series(*, data: pd.DataFrame, countries: list[str]) -> pd.DataFrame:
    """SIPRI's military expenditure in constant US dollars (SIPRI's base year), in billions.

    Returns
    -------
    pandas.DataFrame
        ``year, country, country_name, group, usd_constant_billion``; the base
        year is in ``attrs["base_year"]``.

    Examples
    --------
    >>> import natoanalysis as na
    >>> t = spending_series(data=na.load(source="sipri"), countries=["USA"])
    >>> t.attrs["base_year"], int(t["year"].min())
    (2023, 1949)
    """
    out = _series(data, {"": list(countries)}, "defence_exp_usd", "constant", 1000.0, "usd_constant_billion")
    out.attrs["base_year"] = labels.base_year(data[data["indicator"] == "defence_exp_usd"])
    return out

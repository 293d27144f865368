"""Distance to a spending target and the paths that close it.

Defaults follow The Hague Summit (25 June 2025): at least 3.5% of GDP on core
defence by 2035 (with up to 1.5% more on defence- and security-related
spending, 5% in all), reached along a credible, incremental path. Target and
deadline are parameters: 2032 was discussed before 2035 was agreed, and the
5% headline can be passed as ``target_pct=5.0``.

``country=`` asks for one ally and gets one result; ``countries=`` (a comma
list or a list) gets results indexed by country; neither, every ally with
armed forces that was a member in the starting year. An ally asked for in a
year before it joined is refused.

The share of GDP is NATO's published Table 3 figure (defence expenditure as a
share of real GDP), used here as the measure of core defence spending.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import allies, reference
from .. import validate
from ..errors import ArgumentError

DEFAULT_TARGET_PCT = 3.5
DEFAULT_BY = 2035


def _share(df: pd.DataFrame) -> pd.DataFrame:
    return validate.wide(df, "share_gdp_pct", "constant")


def _allies_with(asked: list[str] | None, df: pd.DataFrame, year: int, *, needs: list[tuple[str, str, int]]
                 ) -> tuple[list[str], dict[str, str]]:
    """The allies asked for that have every figure in ``needs`` (indicator, price basis, year).

    By default (``asked`` None) allies without a figure are left out and
    named in the second item, ``{code: why}``; an ally asked for by name that
    lacks one is refused, naming the publisher's reason.
    """
    # The allies asked for (refusing Iceland and allies not yet members in ``year``), or every member with forces.
    members = set(allies.members(year=year))
    codes = [c for c in validate.defence_allies() if c in members] if asked is None else \
        validate.members_in(validate.with_defence(asked), year)
    skipped: dict[str, str] = {}
    for indicator, basis, y in needs:
        vals = validate.wide(df, indicator, basis).reindex(codes)
        col = vals[y] if y in vals.columns else pd.Series(np.nan, index=codes)
        reasons = validate.missing_reasons(df, indicator, basis, y)
        for code in col.index[col.isna()]:
            skipped.setdefault(str(code), f"{indicator} {y}: {reasons.get(code, 'no figure')}")
    if skipped and asked is not None:
        raise ArgumentError(f"no figure for {'; '.join(f'{c} ({r})' for c, r in skipped.items())} in this edition; "
                            "accepted: allies and years the edition publishes")
    return [c for c in codes if c not in skipped], skipped


def real_gdp_growth(*, countries: str | list[str] | None = None, data: pd.DataFrame | None = None,
                    edition: str | None = None) -> pd.DataFrame:
    """Annual real GDP growth of each ally, in percent, with documented breaks left out.

    ``(GDP[t] / GDP[t-1] - 1) * 100`` of GDP in constant prices and
    exchange rates (Table 5); the change into a break year listed in
    :func:`natoanalysis.reference.series_breaks` (Luxembourg 2023, GDP replaced by GNI) is NaN.

    Examples
    --------
    >>> import natoanalysis as na
    >>> data = na.load()
    >>> g = real_gdp_growth(data=data, countries="LUX,POL")
    >>> bool(np.isnan(g.loc["LUX", 2023])), float(round(g.loc["POL", 2023], 2))
    (True, 0.07)
    """
    df = validate.table(data, edition)
    codes = sorted(allies.registry()["iso3"]) if countries is None else validate.countries(countries)
    gdp = validate.wide(df, "gdp_usd", "constant").reindex(codes)
    yoy = (gdp / gdp.shift(1, axis=1) - 1) * 100
    breaks = reference.series_breaks()
    eds = set(df["edition"].unique())
    # An empty edition is a break in the world (Luxembourg's GNI), printed by every edition from its year on.
    breaks = breaks[(breaks["indicator"] == "gdp_usd") & (breaks["edition"].isin(eds) | (breaks["edition"] == ""))
                    & breaks["country"].isin(codes)]
    for code, year in zip(breaks["country"], breaks["year"]):
        if year in yoy.columns:
            yoy.loc[code, year] = np.nan
    yoy = yoy.iloc[:, 1:]
    yoy.index.name = "country"
    return yoy


def trend_growth(*, countries: str | list[str] | None = None, data: pd.DataFrame | None = None,
                 edition: str | None = None) -> pd.Series:
    """Each ally's trend real GDP growth, in percent per year.

    The compound annual growth rate of GDP in constant US dollars
    (Table 5) from the first to the last year of the edition (2014-2024 in
    the June 2024 edition, whose last two years are NATO estimates; the 2020
    fall is inside the window). Prices and exchange rates are both fixed at
    the edition's base year (2015 there), so this is real growth in national currency. Where a series has a
    documented break (:func:`natoanalysis.reference.series_breaks`: Luxembourg's GDP becomes GNI in
    2023) the rate is the geometric mean of the other years' changes, which
    for an unbroken series is the same CAGR.

    Examples
    --------
    >>> import natoanalysis as na
    >>> data = na.load()
    >>> t = trend_growth(data=data, countries=["POL", "LUX"])
    >>> float(round(t["POL"], 2)), float(round(t["LUX"], 2))
    (3.62, 2.44)
    """
    yoy = real_gdp_growth(countries=countries, data=data, edition=edition)
    factors = 1 + yoy / 100
    out = (np.exp(np.log(factors).mean(axis=1, skipna=True)) - 1) * 100
    out.name = "gdp_growth_pct"
    out.index.name = "country"
    return out


def gap_to_target(*, country: str | None = None, countries: str | list[str] | None = None,
                  target_pct: float = DEFAULT_TARGET_PCT, year: int | None = None, price_basis: str = "current",
                  data: pd.DataFrame | None = None, edition: str | None = None) -> pd.Series | pd.DataFrame:
    """Gap between an ally's share of GDP and a target, in points of GDP and in US dollars.

    ``gap_pp = target_pct - share_gdp_pct`` (positive: short of the target;
    negative: above it) and ``gap_usd_million = gap_pp / 100 x GDP`` where
    GDP is the ally's GDP of ``year`` in US dollars at ``price_basis``:
    ``"current"`` gives the extra spending in that year's dollars and
    exchange rates, ``"constant"`` in dollars of the edition's base year
    (2015 in the June 2024 edition, 2021 in the 2025 and 2026 ones). The share is NATO's
    published share of real GDP; the dollar gap is an order of magnitude
    (at current prices the nominal share differs slightly from the real one).

    Parameters
    ----------
    country : str, optional
        One ally (ISO3 code in any case, name or alias): a Series.
    countries : str or list of str, optional
        Several allies (``"POL,DEU"`` or a list): a DataFrame. Default (neither):
        every ally with armed forces that was a member in ``year``. Iceland
        has no defence expenditure and is refused, as is an ally in a year
        before it joined.
    target_pct : float, default 3.5
        Percent of GDP, 0.5 to 100 (0.035 is refused as a fraction).
    year : int, optional
        Default: the edition's latest year.
    price_basis : {"current", "constant"}
        Any case; "nominal" and "real" are accepted as synonyms.
    data, edition
        Tidy table and edition (default :func:`natoanalysis.load`, latest).

    Returns
    -------
    pandas.Series or pandas.DataFrame
        ``share_gdp_pct``, ``target_pct``, ``gap_pp``, ``gdp_usd_million``,
        ``gap_usd_million``; a Series for one ally, else a DataFrame indexed
        by ``country``.

    Examples
    --------
    >>> import natoanalysis as na
    >>> data = na.load()
    >>> g = gap_to_target(data=data, country="DEU", year=2024)
    >>> float(round(g["gap_pp"], 2)), float(round(g["gap_usd_million"] / 1000, 1))
    (1.38, 63.7)
    """
    df = validate.table(data, edition)
    asked, single = validate.one_or_many(country, countries, function="gap_to_target")
    tgt = validate.percent(target_pct, name="target_pct")
    y = validate.year_or_last(year, df)
    basis = validate.price_basis(price_basis, df, indicator="gdp_usd")
    codes, skipped = _allies_with(asked, df, y, needs=[("share_gdp_pct", "constant", y),
                                                                 ("gdp_usd", basis, y)])
    share = _share(df).reindex(codes)[y]
    gdp = validate.wide(df, "gdp_usd", basis).reindex(codes)[y]
    out = pd.DataFrame({"share_gdp_pct": share, "target_pct": tgt, "gap_pp": tgt - share, "gdp_usd_million": gdp})
    out["gap_usd_million"] = out["gap_pp"] / 100 * out["gdp_usd_million"]
    out.index.name = "country"
    out.attrs.update(year=y, price_basis=basis, skipped=skipped)
    return out.iloc[0] if single else out  # one ally: its row, named by its code


def required_annual_increase(*, country: str | None = None, countries: str | list[str] | None = None,
                             target_pct: float = DEFAULT_TARGET_PCT, by: int = DEFAULT_BY,
                             start: int | None = None, data: pd.DataFrame | None = None,
                             edition: str | None = None) -> float | pd.Series:
    """Rise in the share of GDP needed each year to reach a target by a deadline, in points per year.

    ``(target_pct - share[start]) / (by - start)``: a straight line in
    points of GDP from the share of ``start`` to the target in ``by``.
    Compare with the 0.2 points a year some allies asked for. Zero or
    negative means the ally is already at or above the target.

    Parameters
    ----------
    country, countries : str or list of str, optional
        One ally (a float) or several (a Series), as for :func:`gap_to_target`;
        default every ally with armed forces that was a member in ``start``.
    target_pct : float, default 3.5
        Percent of GDP, 0.5 to 100.
    by : int, default 2035
        Deadline year (2032 was discussed before 2035 was agreed).
    start : int, optional
        Starting year; default the edition's latest year.
    data, edition
        Tidy table and edition (default :func:`natoanalysis.load`, latest).

    Returns
    -------
    float or pandas.Series
        Points of GDP per year; a Series named
        ``required_increase_pp_per_year`` indexed by ``country`` for
        several allies.

    Examples
    --------
    >>> import natoanalysis as na
    >>> data = na.load()
    >>> round(required_annual_increase(data=data, country="ESP", target_pct=3.5, by=2035, start=2024), 3)
    0.202
    """
    df = validate.table(data, edition)
    asked, single = validate.one_or_many(country, countries, function="required_annual_increase")
    tgt = validate.percent(target_pct, name="target_pct")
    y0 = validate.year_or_last(start, df, name="start")
    deadline = validate.by(by, start=y0)
    codes, skipped = _allies_with(asked, df, y0, needs=[("share_gdp_pct", "constant", y0)])
    share = _share(df).reindex(codes)[y0]
    out = (tgt - share) / (deadline - y0)
    out.name = "required_increase_pp_per_year"
    out.index.name = "country"
    out.attrs.update(skipped=skipped)
    return float(out.iloc[0]) if single else out


def _per_ally(value, default: pd.Series, check, *, name: str) -> pd.Series:
    """Per ally: ``value`` (a number, or ``{ally: number}`` over ``default``) checked by ``check``; else ``default``."""
    if not isinstance(value, dict):
        return default if value is None else pd.Series(check(value), index=default.index, name=default.name)
    out = default.copy()
    for key, v in value.items():
        code = validate.country(key, name=f"{name} key")
        if code in out.index:
            out[code] = check(v)
    return out


def project_path(*, country: str | None = None, countries: str | list[str] | None = None,
                 target_pct: float = DEFAULT_TARGET_PCT, by: int = DEFAULT_BY,
                 gdp_growth_pct: float | dict[str, float] | None = None, start: int | None = None,
                 data: pd.DataFrame | None = None, edition: str | None = None) -> pd.DataFrame:
    """Yearly path of spending that reaches a target share of GDP by a deadline.

    * The share rises linearly in points of GDP from its ``start``
      value to ``target_pct`` in ``by``; an ally already at or above the target
      holds its share (the path never cuts spending).
    * GDP in constant US dollars grows from its ``start`` value at
      the assumed real rate ``gdp_growth_pct`` (percent per year).
    * Spending ``defence_exp_usd_constant_million = share / 100 x GDP``;
      ``extra_defence_exp_usd_constant_million`` is the spending above what
      holding the ``start`` share would cost in the same year.

    Parameters
    ----------
    country, countries : str or list of str
        One ally (indexed by year) or several (indexed by country and year),
        as for :func:`gap_to_target`; one of the two is required.
    target_pct : float, default 3.5
        Percent of GDP, 0.5 to 100.
    by : int, default 2035
        Deadline year.
    gdp_growth_pct : float or dict, optional
        Real GDP growth in percent a year (``1.5`` means 1.5%; 0.015 is
        refused as a fraction, as is anything beyond 20 either way), either one
        number for every ally or a dict per ISO3 code; allies not given use
        their trend: the CAGR of constant-dollar GDP over the edition's years
        (see :func:`trend_growth`).
    start : int, optional
        Starting year; default the edition's latest year.
    data, edition
        Tidy table and edition (default :func:`natoanalysis.load`, latest).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``year`` (``start`` to ``by``) for one ally, by
        ``(country, year)`` for several; columns ``share_gdp_pct``,
        ``gdp_usd_constant_million``, ``defence_exp_usd_constant_million``,
        ``extra_defence_exp_usd_constant_million`` and ``gdp_growth_pct``
        (the assumption used).

    Examples
    --------
    >>> import natoanalysis as na
    >>> data = na.load()
    >>> p = project_path(data=data, country="ITA", target_pct=3.5, by=2035, gdp_growth_pct=1.0)
    >>> p["share_gdp_pct"].round(3).iloc[[0, -1]].tolist()
    [1.491, 3.5]
    >>> float(round(p.loc[2035, "gdp_usd_constant_million"] / p.loc[2024, "gdp_usd_constant_million"], 4))
    1.1157
    """
    df = validate.table(data, edition)
    asked, single = validate.one_or_many(country, countries, function="project_path")
    if asked is None:
        raise ArgumentError("project_path() needs country= (one ally) or countries= (several, e.g. 'POL,DEU')")
    tgt = validate.percent(target_pct, name="target_pct")
    y0 = validate.year_or_last(start, df, name="start")
    deadline = validate.by(by, start=y0)
    codes, _ = _allies_with(asked, df, y0, needs=[("share_gdp_pct", "constant", y0),
                                                  ("gdp_usd", "constant", y0)])
    rate = _per_ally(gdp_growth_pct, trend_growth(countries=codes, data=df), validate.growth_rate,
                     name="gdp_growth_pct")
    s0 = _share(df).reindex(codes)[y0].to_numpy()
    g0 = validate.wide(df, "gdp_usd", "constant").reindex(codes)[y0].to_numpy()
    years = np.arange(y0, deadline + 1)
    steps = (years - y0) / (deadline - y0)
    rise = np.maximum(tgt - s0, 0.0)
    share = s0[:, None] + rise[:, None] * steps[None, :]
    gdp = g0[:, None] * (1 + rate.to_numpy()[:, None] / 100) ** (years - y0)[None, :]
    spend = share / 100 * gdp
    extra = spend - s0[:, None] / 100 * gdp
    idx = pd.MultiIndex.from_product([codes, years], names=["country", "year"])
    out = pd.DataFrame({"share_gdp_pct": share.ravel(), "gdp_usd_constant_million": gdp.ravel(),
                        "defence_exp_usd_constant_million": spend.ravel(),
                        "extra_defence_exp_usd_constant_million": extra.ravel(),
                        "gdp_growth_pct": np.repeat(rate.to_numpy(), len(years))}, index=idx)
    return out.loc[codes[0]] if single else out


def years_to_target(*, country: str | None = None, countries: str | list[str] | None = None,
                    target_pct: float = DEFAULT_TARGET_PCT, window: int = 5, start: int | None = None,
                    data: pd.DataFrame | None = None, edition: str | None = None) -> float | pd.DataFrame:
    """Years an ally needs to reach a target share of GDP at its recent pace.

    ``pace = (share[start] - share[start - window]) / window`` in
    points of GDP per year, and
    ``years = (target_pct - share[start]) / pace``. Explicitly:

    * already at or above the target: ``0.0``;
    * below the target with ``pace <= 0`` (flat or falling): ``math.inf``,
      the target is never reached at that pace.

    Parameters
    ----------
    country, countries : str or list of str, optional
        One ally (a float) or several (a DataFrame), as for
        :func:`gap_to_target`; default every ally with armed forces that was
        a member in ``start``.
    target_pct : float, default 3.5
        Percent of GDP, 0.5 to 100.
    window : int, default 5
        Number of years over which the pace is averaged; ``start -
        window`` must be a year of the edition.
    start : int, optional
        Default: the edition's latest year.
    data, edition
        Tidy table and edition (default :func:`natoanalysis.load`, latest).

    Returns
    -------
    float or pandas.DataFrame
        Years (float, possibly ``inf``) for one ally; for several a
        DataFrame indexed by ``country`` with ``share_gdp_pct``,
        ``pace_pp_per_year``, ``years_to_target`` and ``year_reached``
        (``start + years``, ``inf`` if never).

    Examples
    --------
    >>> import natoanalysis as na
    >>> data = na.load()
    >>> round(years_to_target(data=data, country="FRA", target_pct=3.5, window=5, start=2024), 1)
    29.0
    """
    df = validate.table(data, edition)
    asked, single = validate.one_or_many(country, countries, function="years_to_target")
    tgt = validate.percent(target_pct, name="target_pct")
    first, _ = validate.edition_years(df)
    y0 = validate.year_or_last(start, df, name="start")
    w = validate.positive_int(window, name="window")
    if y0 - w < first:
        raise ArgumentError(f"window {w} reaches back to {y0 - w}, before the edition's first year {first}; "
                            f"accepted: 1 to {y0 - first} for start={y0}")
    codes, skipped = _allies_with(asked, df, y0, needs=[("share_gdp_pct", "constant", y0),
                                                                  ("share_gdp_pct", "constant", y0 - w)])
    share = _share(df).reindex(codes)
    now = share[y0]
    pace = (now - share[y0 - w]) / w
    with np.errstate(divide="ignore", invalid="ignore"):
        years = np.where(now >= tgt, 0.0, np.where(pace > 0, (tgt - now) / pace, np.inf))
    if single:
        return float(years[0])
    out = pd.DataFrame({"share_gdp_pct": now, "pace_pp_per_year": pace, "years_to_target": years,
                        "year_reached": y0 + years}, index=pd.Index(codes, name="country"))
    out.attrs.update(skipped=skipped)
    return out


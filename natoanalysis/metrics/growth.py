"""Growth rates of a series and changes of a share in percentage points."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import reference, validate
from ..errors import ArgumentError

KINDS = ("yoy", "cumulative", "cagr")
_ID_COLUMNS = ("source", "edition", "country", "indicator", "price_basis")


def _percentages() -> set[str]:
    """Indicators that are percentages (their unit in ``reference/indicators.csv``), which do not grow."""
    ind = reference.indicators()
    return set(ind.loc[ind["unit"].str.startswith("percent"), "indicator"])


def _refuse_percentages(indicators) -> None:
    # 1.2% -> 2.0% of GDP is 0.8 points, not "67% growth": a growth rate of a share misleads.
    pct = sorted({str(i) for i in indicators} & _percentages())
    if pct:
        raise ArgumentError(f"growth of {', '.join(pct)}: a percentage does not grow in percent; accepted: level "
                            "indicators (defence_exp_usd, gdp_usd, military_personnel_thousand ...); for a change "
                            "in percentage points use natoanalysis.pp_change")


def growth(values: pd.Series | pd.DataFrame, *, kind: str = "yoy", start: int | None = None,
           end: int | None = None) -> pd.Series | pd.DataFrame | float:
    """Growth of a level series, in percent.

    Growth is *real* when the input is at constant prices (``price_basis ==
    "constant"``) and *nominal* when it is at current prices: the function
    only divides numbers, so the price basis of the input decides. Levels
    should be positive; a ratio with a zero or missing denominator gives NaN.
    Percentage indicators (shares of GDP, of defence expenditure, real
    changes) are refused, in tidy rows or as a Series named after one: their
    change is in points (:func:`pp_change`).

    Definitions, for a level ``x`` indexed by year:

    * ``"yoy"``: ``(x[t] / x[t-1] - 1) * 100`` for every year ``t`` whose
      previous calendar year is present (else NaN).
    * ``"cumulative"``: ``(x[t] / x[start] - 1) * 100`` for ``start <= t <= end``.
    * ``"cagr"``: compound annual growth rate
      ``((x[end] / x[start]) ** (1 / (end - start)) - 1) * 100``.

    Parameters
    ----------
    values : pandas.Series or pandas.DataFrame
        * a Series indexed by year;
        * a wide DataFrame, one row per series and one column per year;
        * or tidy rows (columns ``year`` and ``value``, e.g. a selection of
          :func:`natoanalysis.load`), grown separately for every country,
          indicator and price basis.
    kind : {"yoy", "cumulative", "cagr"}
    start, end : int, optional
        First and last year for ``"cumulative"`` and ``"cagr"`` (default: the
        first and last year of the input).

    Returns
    -------
    float, pandas.Series or pandas.DataFrame
        In percent. A Series input gives a Series (``"cagr"``: a float); a
        wide DataFrame gives a DataFrame (``"cagr"``: a Series per row); tidy
        rows give tidy rows with a ``growth_pct`` column (``"yoy"`` leaves
        out years without a previous year; ``"cagr"`` adds ``start_year`` and
        ``end_year``) and ``is_real``: True at constant prices, False at
        current prices, missing (``<NA>``) for series without a price basis
        (personnel counts are neither real nor nominal).

    Examples
    --------
    >>> x = pd.Series([100.0, 110.0, 121.0], index=[2020, 2021, 2022])
    >>> growth(x, kind="yoy").round(6).tolist()
    [nan, 10.0, 10.0]
    >>> growth(x, kind="cumulative").round(6).tolist()
    [0.0, 10.0, 21.0]
    >>> round(growth(x, kind="cagr"), 6)
    10.0
    """
    validate.choice(kind, name="kind", accepted=KINDS)
    if isinstance(values, pd.Series):
        _refuse_percentages([values.name])
        frame = values.to_frame().T
        out = _grow_wide(frame, kind=kind, start=start, end=end)
        if kind == "cagr":
            return float(out.iloc[0])
        res = out.iloc[0]
        res.name = f"{values.name}_growth_pct" if values.name is not None else "growth_pct"
        return res
    if not isinstance(values, pd.DataFrame):
        raise ArgumentError(f"values must be a pandas Series indexed by year or a DataFrame, "
                         f"got {type(values).__name__}")
    if {"year", "value"} <= set(values.columns):
        if "indicator" in values.columns:
            _refuse_percentages(values["indicator"].unique())
        return _grow_tidy(values, kind=kind, start=start, end=end)
    return _grow_wide(values, kind=kind, start=start, end=end)


def _grow_wide(frame: pd.DataFrame, *, kind: str, start: int | None, end: int | None):
    try:
        years = pd.Index(frame.columns).astype(int)
    except (TypeError, ValueError):
        raise ArgumentError("values must be indexed by integer years (a Series) or have one column per "
                         f"year (a DataFrame); got labels {list(frame.columns)[:5]}") from None
    frame = frame.set_axis(years, axis=1).sort_index(axis=1).astype(float)
    if frame.empty or len(years) == 0:
        raise ArgumentError("values has no years to grow; accepted: at least one year")
    full = range(int(years.min()), int(years.max()) + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "yoy":
            dense = frame.reindex(columns=full)
            out = (dense / dense.shift(1, axis=1) - 1) * 100
            return out.reindex(columns=frame.columns).replace([np.inf, -np.inf], np.nan)
        first = int(years.min()) if start is None else start
        last = int(years.max()) if end is None else end
        for nm, y in (("start", first), ("end", last)):
            if y not in frame.columns:
                raise ArgumentError(f"{nm} {y!r} is not a year of values; accepted: {', '.join(map(str, frame.columns))}")
        if last < first:
            raise ArgumentError(f"end ({last}) must not be before start ({first})")
        if kind == "cumulative":
            sub = frame.loc[:, first:last]
            out = (sub.div(frame[first], axis=0) - 1) * 100
            return out.replace([np.inf, -np.inf], np.nan)
        if last == first:
            raise ArgumentError(f"cagr needs end > start; got start={first}, end={last}")
        ratio = frame[last] / frame[first]
        out = (ratio.where(ratio > 0) ** (1 / (last - first)) - 1) * 100
        out.name = "cagr_pct"
        return out.replace([np.inf, -np.inf], np.nan)


def _grow_tidy(rows: pd.DataFrame, *, kind: str, start: int | None, end: int | None) -> pd.DataFrame:
    ids = [c for c in _ID_COLUMNS if c in rows.columns]
    keyed = rows.assign(**{c: rows[c].astype(object).fillna("") for c in ids})
    if keyed.duplicated(ids + ["year"]).any():
        raise ArgumentError(f"values has several rows per {', '.join(ids)} and year; select one indicator "
                         "and price basis per country first")
    wide = keyed.pivot(index=ids, columns="year", values="value") if ids else \
        keyed.set_index("year")["value"].to_frame().T
    out = _grow_wide(wide, kind=kind, start=start, end=end)
    if kind == "cagr":
        first = int(wide.columns.min()) if start is None else start
        last = int(wide.columns.max()) if end is None else end
        res = out.rename("growth_pct").reset_index()
        res["start_year"], res["end_year"] = first, last
    else:
        res = out.stack(future_stack=True).rename("growth_pct").reset_index()
        res = res.dropna(subset=["growth_pct"]) if kind == "yoy" else res
    if "price_basis" in res.columns:
        basis = res["price_basis"].astype(object).fillna("")
        res["is_real"] = pd.array(basis.eq("constant"), dtype="boolean")
        res.loc[basis.eq("").to_numpy(), "is_real"] = pd.NA
    return res.reset_index(drop=True)


def pp_change(*, country: str, start: int, end: int, indicator: str = "share_gdp_pct",
              data: pd.DataFrame | None = None, edition: str | None = None) -> float:
    """Change of a percentage indicator between two years, in percentage points.

    ``value[end] - value[start]`` of a ``*_pct`` indicator as published
    (e.g. Table 3's share of real GDP), so a rise from 1.2% to 2.0% is
    0.8 points, not 67%.

    Parameters
    ----------
    country : str
        One ally (ISO3 code in any case, name or alias), or a group as
        :func:`natoanalysis.aggregate` names it (``"nato"``,
        ``"europe_canada"``, NATO's codes ``"NATO_TOTAL"`` and
        ``"NATO_EUROPE_CANADA"``, any case): NATO's published row for it.
    start, end : int
        Years of the edition; ``start`` not before the ally joined.
    indicator : str, default "share_gdp_pct"
        Any percentage indicator (name ending in ``_pct``) with one value per
        country and year.

    Returns
    -------
    float
        Percentage points.

    Examples
    --------
    >>> import natoanalysis as na
    >>> data = na.load()
    >>> round(pp_change(data=data, country="POL", start=2014, end=2024), 2)
    2.24
    >>> round(pp_change(data=data, country="europe_canada", start=2014, end=2024), 2)
    0.59
    """
    df = validate.table(data, edition)
    pct = [i for i in df["indicator"].unique() if i.endswith("_pct") and "change" not in i]
    ind = validate.indicator(indicator, df, accepted=pct)
    codes = set(df.loc[df["indicator"] == ind, "country"])
    try:
        named = validate.group(country, name="country")
    except ArgumentError:
        named = None
    y0 = validate.year(start, df, name="start")
    y1 = validate.year(end, df, name="end")
    if isinstance(named, str):
        country = validate.published_row(named)
    else:
        country = validate.members_in([validate.country(country)], min(y0, y1))[0]
    sel = df[(df["indicator"] == ind) & (df["country"] == country)]
    if sel.empty:
        raise ArgumentError(f"country {country!r} has no {ind} rows in this edition; accepted: "
                         f"{', '.join(sorted(codes))}")
    vals = sel.groupby("year")["value"].first()
    for nm, y in (("start", y0), ("end", y1)):
        if y not in vals.index or pd.isna(vals[y]):
            raise ArgumentError(f"{nm} {y}: no {ind} value for {country}; accepted years: "
                             f"{', '.join(map(str, vals.dropna().index))}")
    return float(vals[y1] - vals[y0])


def largest_rise(values: pd.Series) -> tuple[float, int, int]:
    """The largest rise between any two points of a series: from a low to any later value.

    Parameters
    ----------
    values : pandas.Series
        Indexed by year, in order.

    Returns
    -------
    (float, int, int)
        The rise (in the series' unit), the year of the low and the year of the later value.

    Examples
    --------
    >>> largest_rise(pd.Series([2.0, 1.5, 1.8, 1.2, 1.9], index=[2020, 2021, 2022, 2023, 2024]))
    (0.7, 2023, 2024)
    """
    if values.empty or values.isna().any():
        raise ArgumentError("largest_rise needs a series with a value in every year; accepted: no gaps, no NaN")
    v = values.to_numpy(dtype=float)
    running_min = np.minimum.accumulate(v)
    rises = v - running_min
    best = int(np.argmax(rises))
    low = int(np.argmin(v[: best + 1]))
    return round(float(rises[best]), 12), int(values.index[low]), int(values.index[best])

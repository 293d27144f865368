"""Growth rates of a series and changes of a share in percentage points."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import validate

KINDS = ("yoy", "cumulative", "cagr")
_ID_COLUMNS = ("source", "edition", "country", "indicator", "price_basis")


def growth(values: pd.Series | pd.DataFrame, *, kind: str = "yoy", start: int | None = None,
           end: int | None = None) -> pd.Series | pd.DataFrame | float:
    """Growth of a level series, in percent.

    Growth is *real* when the input is at constant prices (``price_basis ==
    "constant"``) and *nominal* when it is at current prices: the function
    only divides numbers, so the price basis of the input decides. Levels
    should be positive; a ratio with a zero or missing denominator gives NaN.

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
        ``end_year``) and ``is_real`` (constant prices).

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
        frame = values.to_frame().T
        out = _grow_wide(frame, kind=kind, start=start, end=end)
        if kind == "cagr":
            return float(out.iloc[0])
        res = out.iloc[0]
        res.name = f"{values.name}_growth_pct" if values.name is not None else "growth_pct"
        return res
    if not isinstance(values, pd.DataFrame):
        raise ValueError(f"values must be a pandas Series indexed by year or a DataFrame, "
                         f"got {type(values).__name__}")
    if {"year", "value"} <= set(values.columns):
        return _grow_tidy(values, kind=kind, start=start, end=end)
    return _grow_wide(values, kind=kind, start=start, end=end)


def _grow_wide(frame: pd.DataFrame, *, kind: str, start: int | None, end: int | None):
    try:
        years = pd.Index(frame.columns).astype(int)
    except (TypeError, ValueError):
        raise ValueError("values must be indexed by integer years (a Series) or have one column per "
                         f"year (a DataFrame); got labels {list(frame.columns)[:5]}") from None
    frame = frame.set_axis(years, axis=1).sort_index(axis=1).astype(float)
    if frame.empty or len(years) == 0:
        raise ValueError("values has no years to grow; accepted: at least one year")
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
                raise ValueError(f"{nm} {y!r} is not a year of values; accepted: {', '.join(map(str, frame.columns))}")
        if last < first:
            raise ValueError(f"end ({last}) must not be before start ({first})")
        if kind == "cumulative":
            sub = frame.loc[:, first:last]
            out = (sub.div(frame[first], axis=0) - 1) * 100
            return out.replace([np.inf, -np.inf], np.nan)
        if last == first:
            raise ValueError(f"cagr needs end > start; got start={first}, end={last}")
        ratio = frame[last] / frame[first]
        out = (ratio.where(ratio > 0) ** (1 / (last - first)) - 1) * 100
        out.name = "cagr_pct"
        return out.replace([np.inf, -np.inf], np.nan)


def _grow_tidy(rows: pd.DataFrame, *, kind: str, start: int | None, end: int | None) -> pd.DataFrame:
    ids = [c for c in _ID_COLUMNS if c in rows.columns]
    keyed = rows.assign(**{c: rows[c].astype(object).fillna("") for c in ids})
    if keyed.duplicated(ids + ["year"]).any():
        raise ValueError(f"values has several rows per {', '.join(ids)} and year; select one indicator "
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
        res["is_real"] = res["price_basis"].eq("constant")
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
        Ally ISO3 code, or an aggregate code (``"NATO_EUROPE_CANADA"``,
        ``"NATO_TOTAL"``) where the edition publishes one.
    start, end : int
        Years of the edition.
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
    """
    df = validate.table(data, edition)
    pct = [i for i in df["indicator"].unique() if i.endswith("_pct") and "change" not in i]
    ind = validate.indicator(indicator, df, accepted=pct)
    codes = set(df.loc[df["indicator"] == ind, "country"])
    if not (isinstance(country, str) and country in codes):
        country = validate.country(country)
    y0 = validate.year(start, df, name="start")
    y1 = validate.year(end, df, name="end")
    sel = df[(df["indicator"] == ind) & (df["country"] == country)]
    if sel.empty:
        raise ValueError(f"country {country!r} has no {ind} rows in this edition; accepted: "
                         f"{', '.join(sorted(codes))}")
    vals = sel.groupby("year")["value"].first()
    for nm, y in (("start", y0), ("end", y1)):
        if y not in vals.index or pd.isna(vals[y]):
            raise ValueError(f"{nm} {y}: no {ind} value for {country}; accepted years: "
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
        raise ValueError("largest_rise needs a series with a value in every year; accepted: no gaps, no NaN")
    v = values.to_numpy(dtype=float)
    running_min = np.minimum.accumulate(v)
    rises = v - running_min
    best = int(np.argmax(rises))
    low = int(np.argmin(v[: best + 1]))
    return round(float(rises[best]), 12), int(values.index[low]), int(values.index[best])

"""Monte Carlo cost of reaching a spending target under uncertain GDP growth."""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd

from .. import validate
from ..errors import ArgumentError
from .targets import DEFAULT_BY, DEFAULT_TARGET_PCT, _allies_with, _per_ally, _share, real_gdp_growth, trend_growth

TOTAL = "TOTAL"
#: Random draws one call may make (scenarios x allies x years): 2**28 doubles are 2 GiB, twice over while the
#: paths compound; the default 10,000 x 31 x 11 is 3.4 million.
MAX_DRAWS = 2 ** 28


def growth_volatility(*, countries: str | list[str] | None = None, data: pd.DataFrame | None = None,
                      edition: str | None = None) -> pd.Series:
    """Standard deviation of each ally's annual real GDP growth over the edition, in percentage points.

    Sample standard deviation (``ddof=1``) of the year-on-year change of GDP
    in constant US dollars (2015-2024 in the June 2024 edition, so the
    2020 fall and rebound are included), leaving out documented breaks
    (see :func:`natoanalysis.metrics.targets.real_gdp_growth`).

    Examples
    --------
    >>> import natoanalysis as na
    >>> data = na.load()
    >>> float(round(growth_volatility(data=data, countries="FRA")["FRA"], 2))
    3.5
    """
    yoy = real_gdp_growth(countries=countries, data=data, edition=edition)
    out = yoy.std(axis=1, ddof=1, skipna=True)
    out.name = "gdp_growth_sd_pp"
    out.index.name = "country"
    return out


def simulate_paths(*, target_pct: float = DEFAULT_TARGET_PCT, by: int = DEFAULT_BY, n_scenarios: int = 10_000,
                   seed: int | None = 0, countries: str | list[str] | None = None,
                   gdp_growth_pct: float | dict[str, float] | None = None,
                   gdp_growth_sd_pp: float | dict[str, float] | None = None, correlation: float = 0.5,
                   quantiles: tuple[float, ...] = (0.05, 0.5, 0.95), start: int | None = None,
                   data: pd.DataFrame | None = None, edition: str | None = None) -> pd.DataFrame:
    """Distribution of the cumulative extra cost of reaching a target, over many GDP-growth scenarios.

    Model, for scenario ``s``, ally ``c`` and year ``t = start + 1 ...
    by``:

    * real GDP growth ``g[s,c,t] = mu[c] + sd[c] * (sqrt(rho) * z[s,t] +
      sqrt(1 - rho) * e[s,c,t])`` in percent, with ``z`` (common to all
      allies) and ``e`` independent standard normal draws from
      ``numpy.random.default_rng(seed)``; ``rho = correlation`` is the
      correlation between any two allies' growth in a year;
    * GDP in constant US dollars compounds from its ``start``
      value: ``GDP[t] = GDP[start] x prod(1 + g / 100)``;
    * the share of GDP follows the path of :func:`project_path`: linear in
      points from the ``start`` share to ``target_pct`` in ``by`` (held
      flat by allies already at or above it);
    * the extra cost is ``sum over t of (share[t] - share[start]) / 100
      x GDP[t]``: what the path spends above holding the ``start``
      share, in million constant US dollars of the base year. The ``TOTAL`` row sums the
      allies within each scenario before taking quantiles.

    Defaults: ``mu`` is each ally's trend (:func:`trend_growth`), ``sd`` the
    standard deviation of its annual growth over the edition
    (:func:`growth_volatility`, which includes the 2020 shock, so the spread
    is wide), ``rho = 0.5`` an assumption (sample correlations over 2015-2024
    are dominated by 2020). Growth draws are independent across years.

    Parameters
    ----------
    target_pct : float, default 3.5
        Percent of GDP, 0.5 to 100.
    by : int, default 2035
        Deadline year.
    n_scenarios : int, default 10000
    seed : int or None, default 0
        Seed of ``numpy.random.default_rng``; the same seed gives the same result.
    countries : str or list of str, optional
        Allies (``"DEU,POL"`` or a list); default every ally with armed forces in ``start``.
    gdp_growth_pct : float or dict, optional
        Mean real growth, percent a year (one number or per ISO3 code), as for :func:`project_path`.
    gdp_growth_sd_pp : float or dict, optional
        Standard deviation of annual growth, percentage points (non-negative).
    correlation : float, default 0.5
        Between 0 and 1.
    quantiles : tuple of float
        Quantiles reported, each in [0, 1].
    start : int, optional
        Default: the edition's latest year.
    data, edition
        Tidy table and edition (default :func:`natoanalysis.load`, latest).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``country`` (the allies, then ``"TOTAL"``); columns
        ``mean``, ``sd`` and one ``p<percent>`` column per quantile (``p5``,
        ``p50``, ``p95``), all in million constant US dollars of the base year
        (``columns.name == "extra_cost_usd_constant_million"``).

    Examples
    --------
    >>> import natoanalysis as na
    >>> data = na.load()
    >>> res = simulate_paths(data=data, countries="DEU,POL", n_scenarios=2000, seed=1)
    >>> res.index.tolist(), res.columns.tolist()
    (['DEU', 'POL', 'TOTAL'], ['mean', 'sd', 'p5', 'p50', 'p95'])
    >>> float(res.loc["POL", "p95"])
    0.0
    """
    df = validate.table(data, edition)
    tgt = validate.percent(target_pct, name="target_pct")
    y0 = validate.year_or_last(start, df, name="start")
    deadline = validate.by(by, start=y0)
    n = validate.positive_int(n_scenarios, name="n_scenarios")
    rho = validate.non_negative(correlation, name="correlation", unit="a correlation between 0 and 1")
    if rho > 1:
        raise ArgumentError(f"correlation must be between 0 and 1, got {correlation!r}")
    qs = tuple(quantiles)
    if not qs or any(not isinstance(q, (int, float)) or not 0 <= q <= 1 for q in qs):
        raise ArgumentError(f"quantiles must be numbers between 0 and 1, got {quantiles!r}")
    asked = None if countries is None else validate.countries(countries)
    codes, skipped = _allies_with(asked, df, y0, needs=[("share_gdp_pct", "constant", y0),
                                                             ("gdp_usd", "constant", y0)])
    steps = deadline - y0
    if n * len(codes) * steps > MAX_DRAWS:
        raise ArgumentError(f"n_scenarios {n:,} x {len(codes)} allies x {steps} years is more than {MAX_DRAWS:,} "
                         f"random draws (about {MAX_DRAWS * 8 // 2**30} GiB); accepted: n_scenarios up to "
                         f"{MAX_DRAWS // max(1, len(codes) * steps):,} for this request")
    mu = _per_ally(gdp_growth_pct, trend_growth(countries=codes, data=df), validate.growth_rate,
                   name="gdp_growth_pct").to_numpy(dtype=float)
    spread = functools.partial(validate.non_negative, name="gdp_growth_sd_pp", unit="percentage points")
    sd = _per_ally(gdp_growth_sd_pp, growth_volatility(countries=codes, data=df), spread,
                   name="gdp_growth_sd_pp").to_numpy(dtype=float)
    s0 = _share(df).reindex(codes)[y0].to_numpy(dtype=float)
    g0 = validate.wide(df, "gdp_usd", "constant").reindex(codes)[y0].to_numpy(dtype=float)

    rng = np.random.default_rng(seed)
    common = rng.standard_normal((n, 1, steps))
    shocks = rng.standard_normal((n, len(codes), steps))
    shocks *= math.sqrt(1 - rho)
    shocks += math.sqrt(rho) * common
    shocks *= (sd / 100)[None, :, None]
    shocks += (1 + mu / 100)[None, :, None]
    np.cumprod(shocks, axis=2, out=shocks)          # GDP relative to start
    # Extra share in year t is rise * t / steps; weight each year's GDP index by it.
    weights = np.arange(1, steps + 1) / steps
    rise = np.maximum(tgt - s0, 0.0) / 100 * g0
    extra = (shocks @ weights) * rise[None, :]      # scenarios x allies
    total = extra.sum(axis=1, keepdims=True)
    values = np.concatenate([extra, total], axis=1)
    cols = {"mean": values.mean(axis=0), "sd": values.std(axis=0, ddof=1) if n > 1 else np.zeros(values.shape[1])}
    for q, v in zip(qs, np.quantile(values, qs, axis=0)):
        cols[f"p{q * 100:g}"] = v
    out = pd.DataFrame(cols, index=pd.Index(codes + [TOTAL], name="country"))
    out.columns.name = "extra_cost_usd_constant_million"
    out.attrs.update(target_pct=tgt, by=deadline, start=y0, n_scenarios=n, seed=seed, correlation=rho,
                     skipped=skipped)
    return out

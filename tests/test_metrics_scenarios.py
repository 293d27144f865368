"""simulate_paths(): seeded, vectorised Monte Carlo of the cost of reaching a target."""

from __future__ import annotations

import numpy as np
import pytest

import natoanalysis as na
from natoanalysis.metrics import growth_volatility

from ._metrics_raw import T3_SHARE, T5_CONSTANT, by_iso3


@pytest.fixture(scope="module")
def df():
    return na.load()


def _cost_by_hand(iso3: str, growth_pct: float, target: float = 3.5, start: int = 2024, by: int = 2035) -> float:
    s0 = by_iso3("TABLE3", T3_SHARE, start)[iso3]
    g0 = by_iso3("TABLE5", T5_CONSTANT, start)[iso3]
    steps = by - start
    return sum(max(target - s0, 0) * t / steps / 100 * g0 * (1 + growth_pct / 100) ** t for t in range(1, steps + 1))


def test_without_uncertainty_every_quantile_is_the_hand_computed_cost(df):
    res = na.simulate_paths(countries=["DEU", "ITA", "POL"], gdp_growth_pct={"DEU": 1.0, "ITA": 0.5, "POL": 3.0},
                            gdp_growth_sd_pp=0.0, n_scenarios=50, seed=3, data=df)
    for iso3, g in (("DEU", 1.0), ("ITA", 0.5), ("POL", 3.0)):
        for col in ("mean", "p5", "p50", "p95"):
            assert res.loc[iso3, col] == pytest.approx(_cost_by_hand(iso3, g), rel=1e-12)
    assert res.loc["POL", "mean"] == 0.0
    assert res.loc["TOTAL", "mean"] == pytest.approx(_cost_by_hand("DEU", 1.0) + _cost_by_hand("ITA", 0.5), rel=1e-12)
    assert res.columns.name == "extra_cost_usd_constant_million"


def test_seeded_and_reproducible(df):
    a = na.simulate_paths(n_scenarios=500, seed=7, data=df)
    b = na.simulate_paths(n_scenarios=500, seed=7, data=df)
    c = na.simulate_paths(n_scenarios=500, seed=8, data=df)
    assert a.equals(b)
    assert not a.equals(c)
    assert len(a) == 32 and a.index[-1] == "TOTAL" and "ISL" not in a.index
    assert (a["p5"] <= a["p50"]).all() and (a["p50"] <= a["p95"]).all()


def test_mean_is_close_to_the_expected_cost(df):
    # Growth draws are independent across years, so E[prod(1 + g)] = (1 + mu)^t: the expected cost equals the
    # cost at the mean growth rate. 20,000 draws put the mean within a fraction of a percent of it.
    res = na.simulate_paths(countries=["FRA"], gdp_growth_pct=1.0, gdp_growth_sd_pp=2.0, n_scenarios=20_000, seed=11, data=df)
    assert res.loc["FRA", "mean"] == pytest.approx(_cost_by_hand("FRA", 1.0), rel=5e-3)
    assert res.loc["FRA", "sd"] > 0


def test_growth_volatility_is_the_sd_of_yoy_gdp_growth():
    g = [by_iso3("TABLE5", T5_CONSTANT, y)["FRA"] for y in range(2014, 2025)]
    yoy = [(b / a - 1) * 100 for a, b in zip(g, g[1:])]
    assert growth_volatility(countries="FRA", data=na.load())["FRA"] == pytest.approx(np.std(yoy, ddof=1), rel=1e-12)


def test_bad_arguments(df):
    with pytest.raises(ValueError, match=r"correlation must be between 0 and 1, got 1.5"):
        na.simulate_paths(correlation=1.5, n_scenarios=10, data=df)
    with pytest.raises(ValueError, match=r"quantiles must be numbers between 0 and 1"):
        na.simulate_paths(quantiles=(5, 50), n_scenarios=10, data=df)
    with pytest.raises(ValueError, match=r"n_scenarios must be a positive integer, got 0"):
        na.simulate_paths(n_scenarios=0, data=df)
    with pytest.raises(ValueError, match=r"target_pct -3.5 is outside the accepted range"):
        na.simulate_paths(target_pct=-3.5, n_scenarios=10, data=df)
    with pytest.raises(ValueError, match=r"gdp_growth_sd_pp must be a finite, non-negative number"):
        na.simulate_paths(gdp_growth_sd_pp=-1.0, n_scenarios=10, data=df)
    with pytest.raises(ValueError, match=r"country ISL: Iceland has no armed forces"):
        na.simulate_paths(countries=["ISL"], n_scenarios=10, data=df)

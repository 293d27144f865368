"""growth() and pp_change(): golden values from the raw cells, properties, bad arguments."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import natoanalysis as na
from ._metrics_raw import T2_CONSTANT, T3_REAL_CHANGE, T3_SHARE, T5_CONSTANT, value


@pytest.fixture(scope="module")
def df():
    return na.load()


def _series(df, country, indicator, basis):
    sel = df[(df["country"] == country) & (df["indicator"] == indicator) & (df["price_basis"] == basis)]
    return sel.set_index("year")["value"]


def test_yoy_real_growth_of_us_spending_matches_table2_and_table3(df):
    usa_row_t2 = T2_CONSTANT[1]  # TABLE2 row 75: United States, constant 2015 USD
    expected = (value("TABLE2", usa_row_t2, 2024) / value("TABLE2", usa_row_t2, 2023) - 1) * 100
    got = na.growth(_series(df, "USA", "defence_exp_usd", "constant"), kind="yoy")
    assert got[2024] == pytest.approx(expected, rel=1e-12)
    # For the US, dollars are the national currency: Table 3's real change (row 75) is the same number.
    assert got[2024] == pytest.approx(value("TABLE3", T3_REAL_CHANGE[1], 2024), abs=1e-9)
    assert math.isnan(got[2014])


def test_cagr_and_cumulative_of_polish_gdp(df):
    pol = T5_CONSTANT[0] + 22  # TABLE5 row 68: Poland, constant prices
    first, last = value("TABLE5", pol, 2014), value("TABLE5", pol, 2024)
    s = _series(df, "POL", "gdp_usd", "constant")
    assert na.growth(s, kind="cagr") == pytest.approx(((last / first) ** (1 / 10) - 1) * 100, rel=1e-12)
    cum = na.growth(s, kind="cumulative", start=2014)
    assert cum[2024] == pytest.approx((last / first - 1) * 100, rel=1e-12)
    assert cum[2014] == 0.0


def test_tidy_rows_grow_per_country_and_price_basis(df):
    rows = df[(df["indicator"] == "defence_exp_usd") & df["country"].isin(["DEU", "POL"])]
    out = na.growth(rows, kind="yoy")
    deu_current = out[(out["country"] == "DEU") & (out["price_basis"] == "current") & (out["year"] == 2024)]
    deu_row = 21  # TABLE2 row 21: Germany, current prices
    expected = (value("TABLE2", deu_row, 2024) / value("TABLE2", deu_row, 2023) - 1) * 100
    assert deu_current["growth_pct"].iloc[0] == pytest.approx(expected, rel=1e-12)
    assert not deu_current["is_real"].iloc[0]
    assert set(out["price_basis"]) == {"current", "constant"}
    assert len(out) == 2 * 2 * 10  # two allies, two price bases, 2015..2024
    cagr = na.growth(rows, kind="cagr", start=2014, end=2024)
    assert set(cagr.columns) >= {"country", "price_basis", "growth_pct", "start_year", "end_year"}
    assert len(cagr) == 4


def test_yoy_leaves_a_gap_year_missing():
    s = pd.Series([100.0, 110.0, 121.0], index=[2014, 2015, 2017])
    out = na.growth(s, kind="yoy")
    assert out[2015] == pytest.approx(10.0)
    assert math.isnan(out[2017])  # 2016 is missing, so there is no year-on-year change


def test_pp_change_is_a_difference_of_table3_shares(df):
    pol = T3_SHARE[0] + 21  # TABLE3 row 32: Poland
    expected = value("TABLE3", pol, 2024) - value("TABLE3", pol, 2014)
    assert na.pp_change(country="POL", start=2014, end=2024) == pytest.approx(expected, abs=1e-12)
    ec = 42  # TABLE3 row 42: NATO Europe and Canada
    assert na.pp_change(country="NATO_EUROPE_CANADA", start=2014, end=2024, data=df) == pytest.approx(
        value("TABLE3", ec, 2024) - value("TABLE3", ec, 2014), abs=1e-12)
    equip = na.pp_change(country="POL", start=2014, end=2024, indicator="equipment_share_pct", data=df)
    assert equip == pytest.approx(value("TABLE8a", 32, 2024) - value("TABLE8a", 32, 2014), abs=1e-12)


# Level series of real magnitudes; growth is a ratio, so extreme ratios only test float rounding.
levels = st.floats(min_value=1e-2, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(level=levels, n=st.integers(min_value=2, max_value=15), first=st.integers(1950, 2030))
def test_growth_of_a_constant_series_is_zero(level, n, first):
    s = pd.Series([level] * n, index=range(first, first + n))
    assert np.allclose(na.growth(s, kind="yoy").iloc[1:], 0.0, atol=1e-9)
    assert np.allclose(na.growth(s, kind="cumulative"), 0.0, atol=1e-9)
    assert na.growth(s, kind="cagr") == pytest.approx(0.0, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(values=st.lists(levels, min_size=3, max_size=12), data=st.data())
def test_cumulative_growth_composes(values, data):
    years = list(range(2000, 2000 + len(values)))
    s = pd.Series(values, index=years)
    a, b, c = sorted(data.draw(st.lists(st.sampled_from(years), min_size=3, max_size=3)))
    ab = na.growth(s, kind="cumulative", start=a, end=b)[b]
    bc = na.growth(s, kind="cumulative", start=b, end=c)[c]
    ac = na.growth(s, kind="cumulative", start=a, end=c)[c]
    assert (1 + ac / 100) == pytest.approx((1 + ab / 100) * (1 + bc / 100), rel=1e-6)
    # Chaining the year-on-year changes gives the cumulative change too.
    yoy = na.growth(s, kind="yoy").loc[a + 1:c]
    assert (1 + ac / 100) == pytest.approx(float(np.prod(1 + yoy / 100)), rel=1e-6)


def test_bad_arguments_name_the_argument_and_accepted_values(df):
    s = pd.Series([1.0, 2.0], index=[2020, 2021])
    with pytest.raises(ValueError, match=r"kind must be one of 'yoy', 'cumulative', 'cagr'; got 'annual'"):
        na.growth(s, kind="annual")
    with pytest.raises(ValueError, match=r"start 2019 is not a year of values; accepted: 2020, 2021"):
        na.growth(s, kind="cumulative", start=2019)
    with pytest.raises(ValueError, match=r"values must be a pandas Series"):
        na.growth([1, 2], kind="yoy")
    with pytest.raises(ValueError, match=r"unknown country 'XXX'; accepted: ISO3 codes ALB, BEL"):
        na.pp_change(country="XXX", start=2014, end=2024, data=df)
    with pytest.raises(ValueError, match=r"end 2030 is outside edition 2024-06; accepted: 2014 to 2024"):
        na.pp_change(country="POL", start=2014, end=2030, data=df)
    with pytest.raises(ValueError, match=r"indicator must be one of .*'share_gdp_pct'.*; got 'gdp_usd'"):
        na.pp_change(country="POL", start=2014, end=2024, indicator="gdp_usd", data=df)
    with pytest.raises(ValueError, match=r"country 'ISL' has no share_gdp_pct rows"):
        na.pp_change(country="ISL", start=2014, end=2024, data=df)

"""burden_share(): US and European/Canadian shares at both price bases."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import natoanalysis as na

from ._metrics_raw import (T2_EC_CONSTANT, T2_EC_CURRENT, T2_TOTAL_CONSTANT, T2_TOTAL_CURRENT, T5_CONSTANT,
                           T5_CURRENT, T5_TOTAL_CONSTANT, T5_TOTAL_CURRENT, value)

USA_T2_CURRENT, USA_T2_CONSTANT = 41, 75  # TABLE2 rows 41 and 75: United States
USA_T5_CURRENT, USA_T5_CONSTANT = T5_CURRENT[1], T5_CONSTANT[1]  # TABLE5 rows 42 and 77


@pytest.fixture(scope="module")
def df():
    return na.load()


def test_us_share_2024_at_current_and_constant_prices(df):
    cur = na.burden_share(year=2024, price_basis="current", data=df)
    assert cur["usa_defence_share_pct"] == pytest.approx(
        value("TABLE2", USA_T2_CURRENT, 2024) / value("TABLE2", T2_TOTAL_CURRENT, 2024) * 100, rel=1e-12)
    assert cur["europe_canada_defence_share_pct"] == pytest.approx(
        value("TABLE2", T2_EC_CURRENT, 2024) / value("TABLE2", T2_TOTAL_CURRENT, 2024) * 100, rel=1e-12)
    assert cur["usa_gdp_share_pct"] == pytest.approx(
        value("TABLE5", USA_T5_CURRENT, 2024) / value("TABLE5", T5_TOTAL_CURRENT, 2024) * 100, rel=1e-12)
    const = na.burden_share(year=2024, price_basis="constant", data=df)
    assert const["usa_defence_share_pct"] == pytest.approx(
        value("TABLE2", USA_T2_CONSTANT, 2024) / value("TABLE2", T2_TOTAL_CONSTANT, 2024) * 100, rel=1e-12)
    assert const["europe_canada_defence_share_pct"] == pytest.approx(
        value("TABLE2", T2_EC_CONSTANT, 2024) / value("TABLE2", T2_TOTAL_CONSTANT, 2024) * 100, rel=1e-12)
    assert const["usa_gdp_share_pct"] == pytest.approx(
        value("TABLE5", USA_T5_CONSTANT, 2024) / value("TABLE5", T5_TOTAL_CONSTANT, 2024) * 100, rel=1e-12)
    assert round(cur["usa_defence_share_pct"], 1) == 65.6 and round(const["usa_defence_share_pct"], 1) == 63.7


def test_all_years_frame(df):
    out = na.burden_share(data=df)
    assert list(out.index) == list(range(2014, 2025))
    assert list(out.columns) == ["usa_defence_share_pct", "europe_canada_defence_share_pct", "usa_gdp_share_pct",
                                 "europe_canada_gdp_share_pct"]


@settings(max_examples=30, deadline=None)
@given(year=st.integers(2014, 2024), basis=st.sampled_from(["current", "constant"]),
       membership=st.sampled_from(["published", "constant"]))
@pytest.mark.slow
def test_shares_stay_in_0_100_and_add_up(df, year, basis, membership):
    row = na.burden_share(year=year, price_basis=basis, membership=membership, data=df)
    assert ((row >= 0) & (row <= 100)).all()
    assert row["usa_defence_share_pct"] + row["europe_canada_defence_share_pct"] == pytest.approx(100, abs=1e-9)
    assert row["usa_gdp_share_pct"] + row["europe_canada_gdp_share_pct"] == pytest.approx(100, abs=1e-9)


def test_bad_arguments(df):
    # "nominal" is "current" (any case), "real" is "constant"
    assert na.burden_share(year=2024, price_basis="Nominal", data=df).equals(
        na.burden_share(year=2024, price_basis="current", data=df))
    assert na.burden_share(year=2024, price_basis="REAL", data=df).equals(
        na.burden_share(year=2024, price_basis="constant", data=df))
    with pytest.raises(ValueError, match=r"price_basis 'ppp' is not a price basis; accepted: 'current', 'constant' "
                                         r"\(any case; 'nominal' and 'real' are synonyms\)"):
        na.burden_share(year=2024, price_basis="ppp", data=df)
    with pytest.raises(ValueError, match=r"year 2013 is outside edition 2024-06; accepted: 2014 to 2024"):
        na.burden_share(year=2013, data=df)
    with pytest.raises(ValueError, match=r"year must be an integer year between 2014 and 2024, got '2024'"):
        na.burden_share(year="2024", data=df)

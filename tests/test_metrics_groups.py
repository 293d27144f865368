"""aggregate() and group_growth(): NATO's aggregates reproduced, accession effects isolated."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import natoanalysis as na

from ._metrics_raw import (ISO3, T2_CONSTANT, T2_CURRENT, T2_EC_CONSTANT, T2_EC_CURRENT, T2_TOTAL_CONSTANT,
                           T2_TOTAL_CURRENT, T3_REAL_CHANGE, T5_CONSTANT, T5_CURRENT, T5_EC_CONSTANT,
                           T5_EC_CURRENT, T5_TOTAL_CONSTANT, T5_TOTAL_CURRENT, by_iso3, value)

YEARS = range(2014, 2025)


@pytest.fixture(scope="module")
def df():
    return na.load()


@pytest.mark.parametrize("indicator, basis, sheet, ec_row, total_row", [
    ("defence_exp_usd", "current", "TABLE2", T2_EC_CURRENT, T2_TOTAL_CURRENT),
    ("defence_exp_usd", "constant", "TABLE2", T2_EC_CONSTANT, T2_TOTAL_CONSTANT),
    ("gdp_usd", "current", "TABLE5", T5_EC_CURRENT, T5_TOTAL_CURRENT),
    ("gdp_usd", "constant", "TABLE5", T5_EC_CONSTANT, T5_TOTAL_CONSTANT),
])
def test_published_membership_reproduces_nato_aggregate_rows(df, indicator, basis, sheet, ec_row, total_row):
    ec = na.aggregate(indicator=indicator, group="europe_canada", price_basis=basis, data=df)
    total = na.aggregate(indicator=indicator, group="nato", price_basis=basis, data=df)
    for year in YEARS:
        assert ec[year] == pytest.approx(value(sheet, ec_row, year), rel=1e-13)
        assert total[year] == pytest.approx(value(sheet, total_row, year), rel=1e-13)


def test_group_share_of_gdp_matches_table3_aggregate_rows(df):
    share = na.aggregate(indicator="share_gdp_pct", group="nato", data=df)
    for year in YEARS:
        assert share[year] == pytest.approx(value("TABLE3", 43, year), abs=1e-12)  # TABLE3 row 43: NATO Total


def test_iceland_adds_nothing_to_defence_and_is_listed_as_absent(df):
    out = na.aggregate(indicator="defence_exp_usd", group="nato", price_basis="current", data=df)
    assert out.attrs["absent"] == ["ISL"]
    gdp = na.aggregate(indicator="gdp_usd", group="nato", price_basis="current", data=df)
    assert gdp.attrs["absent"] == []


def test_group_growth_published_and_constant_membership_2024(df):
    # Published: the naive change of NATO Europe and Canada, constant 2015 USD (TABLE2 row 76), which is
    # Table 3's published real change for the aggregate (TABLE3 row 76, N76 = 17.947%).
    published = (value("TABLE2", T2_EC_CONSTANT, 2024) / value("TABLE2", T2_EC_CONSTANT, 2023) - 1) * 100
    assert published == pytest.approx(value("TABLE3", T3_REAL_CHANGE[1] + 1, 2024), abs=1e-9)
    assert na.group_growth(group="europe_canada", year=2024, data=df) == pytest.approx(published, rel=1e-12)
    # Constant membership: the 30 European allies and Canada of 2024 (TABLE2 rows 45..74, Iceland reports no
    # defence expenditure) in both years, so Sweden's budget is no longer counted as growth.
    rows = range(T2_CONSTANT[0], T2_CONSTANT[1])
    expected = (sum(value("TABLE2", r, 2024) for r in rows) / sum(value("TABLE2", r, 2023) for r in rows) - 1) * 100
    got = na.group_growth(group="europe_canada", year=2024, membership="constant", data=df)
    assert got == pytest.approx(expected, rel=1e-12)
    assert round(got, 2) == 14.89 and round(published, 3) == 17.947


# Accession years of the allies in the June 2024 tables (each counts from the calendar year it joined).
JOINED = {"MNE": 2017, "MKD": 2020, "FIN": 2023, "SWE": 2024}


@pytest.mark.parametrize("year", range(2015, 2025))
def test_like_for_like_growth_counts_the_year_s_members_in_both_years(df, year):
    now, before = by_iso3("TABLE2", T2_CONSTANT, year), by_iso3("TABLE2", T2_CONSTANT, year - 1)
    members = [c for c in now if c != "USA" and JOINED.get(c, 0) <= year]
    expected = (sum(now[c] for c in members) / sum(before[c] for c in members) - 1) * 100
    got = na.group_growth(group="europe_canada", year=year, membership="like_for_like", data=df)
    assert got == pytest.approx(expected, rel=1e-12)


def test_accession_effect_is_zero_in_years_nobody_joined(df):
    published = na.group_growth(group="europe_canada", data=df)
    same = na.group_growth(group="europe_canada", membership="like_for_like", data=df)
    effect = (published - same).round(10)
    assert sorted(effect[effect != 0].index) == sorted(JOINED.values()) == [2017, 2020, 2023, 2024]
    assert (effect[sorted(JOINED.values())] > 0).all()
    # Today's allies in every year is another series: it is not the change of the alliance of the time.
    today = na.group_growth(group="europe_canada", membership="constant", data=df)
    assert (published - today).round(10)[2022] != 0


def test_group_growth_as_of_a_date_before_north_macedonia_joined(df):
    # On 1 January 2020 neither North Macedonia (27 March 2020), Finland nor Sweden were allies.
    c24 = by_iso3("TABLE2", T2_CONSTANT, 2024)
    c23 = by_iso3("TABLE2", T2_CONSTANT, 2023)
    keep = [c for c in c24 if c not in ("USA", "MKD", "FIN", "SWE")]
    expected = (sum(c24[c] for c in keep) / sum(c23[c] for c in keep) - 1) * 100
    got = na.group_growth(group="europe_canada", year=2024, membership="as_of", as_of="2020-01-01", data=df)
    assert got == pytest.approx(expected, rel=1e-12)


def test_group_growth_at_current_prices_is_nominal(df):
    expected = (value("TABLE2", T2_TOTAL_CURRENT, 2017) / value("TABLE2", T2_TOTAL_CURRENT, 2016) - 1) * 100
    got = na.group_growth(group="nato", year=2017, price_basis="current", data=df)
    assert got == pytest.approx(expected, rel=1e-12)
    series = na.group_growth(group="nato", data=df)
    assert list(series.index) == list(range(2015, 2025)) and series.name == "defence_exp_usd_growth_pct"


def test_a_member_missing_a_year_gives_nan_not_a_partial_sum(df):
    holed = df[~((df["country"] == "FRA") & (df["year"] == 2020) & (df["indicator"] == "defence_exp_usd"))]
    out = na.aggregate(indicator="defence_exp_usd", group="nato", price_basis="current", data=holed,
                       membership="constant")
    assert np.isnan(out[2020]) and not np.isnan(out[2019])
    assert out.attrs["incomplete"] == {2020: ["FRA"]}


def test_under_nato_rule_a_missing_member_takes_the_published_total(df):
    """NATO's published total includes its own figure for an ally it does not print; a partial sum would not."""
    holed = df[~((df["country"] == "FRA") & (df["year"] == 2020) & (df["indicator"] == "defence_exp_usd"))]
    out = na.aggregate(indicator="defence_exp_usd", group="nato", price_basis="current", data=holed)
    published = value("TABLE2", T2_TOTAL_CURRENT, 2020)
    assert out[2020] == published and out.attrs["incomplete"] == {2020: ["FRA"]}


allies_with_defence = sorted(set(ISO3.values()) - {"ISL"})


@settings(max_examples=40, deadline=None)
@given(group=st.lists(st.sampled_from(allies_with_defence), min_size=1, max_size=8, unique=True),
       year=st.integers(2014, 2024), basis=st.sampled_from(["current", "constant"]))
def test_constant_membership_over_one_year_is_the_plain_sum(df, group, year, basis):
    rows = T2_CURRENT if basis == "current" else T2_CONSTANT
    raw = by_iso3("TABLE2", rows, year)
    got = na.aggregate(indicator="defence_exp_usd", group=group, price_basis=basis, membership="constant",
                       data=df)[year]
    assert got == pytest.approx(sum(raw[c] for c in group), rel=1e-12)


def test_gdp_group_includes_iceland(df):
    raw = by_iso3("TABLE5", T5_CURRENT, 2024)
    got = na.aggregate(indicator="gdp_usd", group=["ISL", "NOR"], price_basis="current", membership="constant",
                       data=df)[2024]
    assert got == pytest.approx(raw["ISL"] + raw["NOR"], rel=1e-12)
    assert by_iso3("TABLE5", T5_CONSTANT, 2024)["ISL"] > 0


def test_bad_arguments_name_the_argument_and_accepted_values(df):
    with pytest.raises(ValueError, match=r"group must be one of 'europe_canada', 'nato' or a list of ISO3"):
        na.aggregate(indicator="gdp_usd", group="europe", price_basis="current", data=df)
    with pytest.raises(ValueError, match=r"membership must be one of 'published', 'constant', 'as_of'; got 'fixed'"):
        na.aggregate(indicator="gdp_usd", price_basis="current", membership="fixed", data=df)
    with pytest.raises(ValueError, match=r"membership='as_of' needs as_of"):
        na.aggregate(indicator="gdp_usd", price_basis="current", membership="as_of", data=df)
    with pytest.raises(ValueError, match=r"as_of 1900-01-01: no ally of the group was a member on that date"):
        na.aggregate(indicator="gdp_usd", price_basis="current", membership="as_of", as_of="1900-01-01", data=df)
    with pytest.raises(ValueError, match=r"as_of is only used with membership='as_of'"):
        na.aggregate(indicator="gdp_usd", price_basis="current", as_of="2020-01-01", data=df)
    with pytest.raises(ValueError, match=r"as_of must be a date or an ISO date string"):
        na.aggregate(indicator="gdp_usd", price_basis="current", membership="as_of", as_of="last year", data=df)
    with pytest.raises(ValueError, match=r"price_basis 'fixed' is not a price basis; accepted: 'current', 'constant'"):
        na.aggregate(indicator="gdp_usd", price_basis="fixed", data=df)
    with pytest.raises(ValueError, match=r"price_basis 'current' does not exist for indicator 'share_gdp_pct'"):
        na.aggregate(indicator="share_gdp_pct", price_basis="current", data=df)
    with pytest.raises(ValueError, match=r"indicator must be one of .*'defence_exp_usd'.*got 'defence_exp_ncu'"):
        na.aggregate(indicator="defence_exp_ncu", price_basis="current", data=df)
    with pytest.raises(ValueError, match=r"unknown group 'XXX'; accepted: ISO3 codes ALB"):
        na.aggregate(indicator="gdp_usd", group=["POL", "XXX"], price_basis="current", data=df)
    with pytest.raises(ValueError, match=r"year 2014 is the first year of the edition.*accepted: 2015 onwards"):
        na.group_growth(year=2014, data=df)
    with pytest.raises(ValueError, match=r"year 2025 is outside edition 2024-06; accepted: 2014 to 2024"):
        na.group_growth(year=2025, data=df)

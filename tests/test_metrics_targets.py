"""gap_to_target, required_annual_increase, project_path, years_to_target: hand-computed from raw cells."""

from __future__ import annotations

import math

import pytest

import natoanalysis as na

from ._metrics_raw import T3_SHARE, T5_CONSTANT, by_iso3, value

DEU_T3, ESP_T3, FRA_T3, ITA_T3 = 21, 37, 20, 24      # TABLE3 rows (share of real GDP)
DEU_T5_CURRENT, DEU_T5_CONSTANT = 21, 56              # TABLE5 rows for Germany
ITA_T5_CONSTANT = 60                                  # TABLE5 row 60: Italy, constant prices


@pytest.fixture(scope="module")
def df():
    return na.load()


def test_gap_to_target_in_points_and_dollars(df):
    share = value("TABLE3", DEU_T3, 2024)
    gap = na.gap_to_target(country="DEU", target_pct=3.5, year=2024, price_basis="current", data=df)
    assert gap["gap_pp"] == pytest.approx(3.5 - share, abs=1e-12)
    assert gap["gap_usd_million"] == pytest.approx((3.5 - share) / 100 * value("TABLE5", DEU_T5_CURRENT, 2024),
                                                   rel=1e-12)
    const = na.gap_to_target(country="DEU", target_pct=3.5, year=2024, price_basis="constant", data=df)
    assert const["gap_usd_million"] == pytest.approx(
        (3.5 - share) / 100 * value("TABLE5", DEU_T5_CONSTANT, 2024), rel=1e-12)
    everyone = na.gap_to_target(year=2024, data=df)
    assert "ISL" not in everyone.index and len(everyone) == 31
    assert everyone.loc["POL", "gap_pp"] < 0  # above the target: the gap is negative, not clipped


def test_required_annual_increase(df):
    share = value("TABLE3", ESP_T3, 2024)
    got = na.required_annual_increase(country="ESP", target_pct=3.5, by=2035, start=2024, data=df)
    assert got == pytest.approx((3.5 - share) / 11, abs=1e-12)
    assert got > 0.2  # Spain needs more than the 0.2 points a year some allies asked for
    by2032 = na.required_annual_increase(country="ESP", target_pct=3.5, by=2032, start=2024, data=df)
    assert by2032 == pytest.approx((3.5 - share) / 8, abs=1e-12)
    all_allies = na.required_annual_increase(data=df)
    shares = by_iso3("TABLE3", T3_SHARE, 2024)
    assert all_allies.name == "required_increase_pp_per_year"
    assert sorted(all_allies.index[all_allies > 0.2]) == sorted(c for c, v in shares.items() if (3.5 - v) / 11 > 0.2)


def test_project_path_with_given_growth(df):
    s0, g0 = value("TABLE3", ITA_T3, 2024), value("TABLE5", ITA_T5_CONSTANT, 2024)
    path = na.project_path(country="ITA", target_pct=3.5, by=2035, gdp_growth_pct=1.0, data=df)
    assert list(path.index) == list(range(2024, 2036))
    share_2030 = s0 + (3.5 - s0) * 6 / 11
    gdp_2030 = g0 * 1.01 ** 6
    assert path.loc[2030, "share_gdp_pct"] == pytest.approx(share_2030, rel=1e-12)
    assert path.loc[2030, "gdp_usd_constant_million"] == pytest.approx(gdp_2030, rel=1e-12)
    assert path.loc[2030, "defence_exp_usd_constant_million"] == pytest.approx(share_2030 / 100 * gdp_2030, rel=1e-12)
    assert path.loc[2030, "extra_defence_exp_usd_constant_million"] == pytest.approx(
        (share_2030 - s0) / 100 * gdp_2030, rel=1e-12)
    assert path.loc[2035, "share_gdp_pct"] == pytest.approx(3.5)


def test_project_path_default_trend_and_per_ally_growth(df):
    g = by_iso3("TABLE5", T5_CONSTANT, 2024)
    g14 = by_iso3("TABLE5", T5_CONSTANT, 2014)
    trend_deu = (g["DEU"] / g14["DEU"]) ** (1 / 10) - 1
    paths = na.project_path(countries=["DEU", "FRA"], gdp_growth_pct={"FRA": 0.5}, data=df)
    assert paths.loc[("DEU", 2035), "gdp_usd_constant_million"] == pytest.approx(g["DEU"] * (1 + trend_deu) ** 11,
                                                                                rel=1e-12)
    assert paths.loc[("FRA", 2035), "gdp_usd_constant_million"] == pytest.approx(g["FRA"] * 1.005 ** 11, rel=1e-12)
    assert paths.loc[("DEU", 2024), "gdp_growth_pct"] == pytest.approx(trend_deu * 100, rel=1e-12)


def test_project_path_holds_a_share_already_above_target(df):
    share = by_iso3("TABLE3", T3_SHARE, 2024)["POL"]
    path = na.project_path(country="POL", target_pct=3.5, data=df)
    assert (path["share_gdp_pct"] == share).all()
    assert (path["extra_defence_exp_usd_constant_million"] == 0).all()


def test_years_to_target_at_recent_pace(df):
    now, then = value("TABLE3", FRA_T3, 2024), value("TABLE3", FRA_T3, 2019)
    pace = (now - then) / 5
    got = na.years_to_target(country="FRA", target_pct=3.5, window=5, start=2024, data=df)
    assert got == pytest.approx((3.5 - now) / pace, rel=1e-12)
    assert na.years_to_target(country="POL", target_pct=3.5, data=df) == 0.0
    # Bulgaria's share fell from 2019 (the F-16 payment) to 2024: pace <= 0 means never, reported as inf.
    bgr = by_iso3("TABLE3", T3_SHARE, 2024)["BGR"] - by_iso3("TABLE3", T3_SHARE, 2019)["BGR"]
    assert bgr < 0
    assert na.years_to_target(country="BGR", target_pct=3.5, window=5, data=df) == math.inf
    table = na.years_to_target(data=df)
    assert table.loc["BGR", "year_reached"] == math.inf
    assert table.loc["FRA", "year_reached"] == pytest.approx(2024 + (3.5 - now) / pace, rel=1e-12)


def test_bad_arguments(df):
    with pytest.raises(ValueError, match=r"target_pct -1 is outside the accepted range; accepted: 0.5 to 100 "
                                         r"\(percent of GDP\)"):
        na.gap_to_target(country="DEU", target_pct=-1, data=df)
    with pytest.raises(ValueError, match=r"unknown country 'ATL'; accepted: ISO3 codes ALB, BEL"):
        na.required_annual_increase(country="ATL", data=df)
    with pytest.raises(ValueError, match=r"country ISL: Iceland has no armed forces"):
        na.gap_to_target(country="ISL", data=df)
    with pytest.raises(ValueError, match=r"year 2030 is outside edition 2024-06; accepted: 2014 to 2024"):
        na.gap_to_target(country="DEU", year=2030, data=df)
    with pytest.raises(ValueError, match=r"price_basis 'ppp' is not a price basis"):
        na.gap_to_target(country="DEU", price_basis="ppp", data=df)
    with pytest.raises(ValueError, match=r"^by 2024 is outside the accepted range; accepted: a year from 2025 to 2100$"):
        na.required_annual_increase(country="DEU", by=2024, data=df)
    with pytest.raises(ValueError, match=r"start 2013 is outside edition 2024-06"):
        na.project_path(country="DEU", start=2013, data=df)
    with pytest.raises(ValueError, match=r"gdp_growth_pct must be a finite number \(percent a year\), got 'fast'"):
        na.project_path(country="DEU", gdp_growth_pct="fast", data=df)
    with pytest.raises(ValueError, match=r"unknown gdp_growth_pct key 'XX'; accepted: ISO3 codes ALB"):
        na.project_path(country="DEU", gdp_growth_pct={"XX": 1.0}, data=df)
    with pytest.raises(ValueError, match=r"project_path\(\) needs country= \(one ally\) or countries="):
        na.project_path(country=None, data=df)
    with pytest.raises(ValueError, match=r"window 11 reaches back to 2013.*accepted: 1 to 10"):
        na.years_to_target(country="FRA", window=11, data=df)
    with pytest.raises(ValueError, match=r"window must be a positive integer, got 0"):
        na.years_to_target(country="FRA", window=0, data=df)


def test_trend_leaves_out_luxembourgs_gdp_to_gni_break(df):
    # TABLE5 row 63: Luxembourg, constant prices. 2023 drops ~34% (GNI replaces GDP): not growth.
    g = {y: value("TABLE5", 63, y) for y in range(2014, 2025)}
    assert g[2023] / g[2022] < 0.7
    factors = [g[y] / g[y - 1] for y in range(2015, 2025) if y != 2023]
    expected = (math.prod(factors) ** (1 / len(factors)) - 1) * 100
    from natoanalysis.metrics import trend_growth
    assert trend_growth(countries="LUX", data=df)["LUX"] == pytest.approx(expected, rel=1e-12)
    path = na.project_path(country="LUX", data=df)
    assert path["gdp_growth_pct"].iloc[0] == pytest.approx(expected, rel=1e-12)


def test_a_missing_share_is_skipped_and_named_or_refused_when_asked_for(df):
    holed = df[~((df["country"] == "ESP") & (df["year"] == 2024) & (df["indicator"] == "share_gdp_pct"))]
    rise = na.required_annual_increase(data=holed)
    assert "ESP" not in rise.index and len(rise) == 30
    assert rise.attrs["skipped"] == {"ESP": "share_gdp_pct 2024: no figure"}
    gaps = na.gap_to_target(data=holed)
    assert "ESP" not in gaps.index and set(gaps.attrs["skipped"]) == {"ESP"}
    with pytest.raises(ValueError, match=r"no figure for ESP \(share_gdp_pct 2024: no figure\)"):
        na.required_annual_increase(country="ESP", data=holed)


def test_a_pace_of_points_a_year_reaches_the_target_where_the_required_increase_is_no_more(df):
    # The claim "0.2 points a year gets allies to 3.5% by 2035" adds 0.2 x 11 points to each printed share.
    import json

    shares = by_iso3("TABLE3", T3_SHARE, 2024)
    rise = na.required_annual_increase(by=2035, target_pct=3.5, start=2024, data=df)
    assert rise["ESP"] == pytest.approx((3.5 - value("TABLE3", ESP_T3, 2024)) / 11, abs=1e-12)
    assert "ISL" not in rise.index and len(rise) == len([c for c in shares if c != "ISL"])
    reached = {c for c, s in shares.items() if c != "ISL" and round(s + 2.2, 9) >= 3.5}
    claim = na.check_claims(data=df).set_index("id").loc["core-path-0-2pp-per-year"]
    assert set(json.loads(claim["computed_value"])) == reached and "DEU" in reached and "ESP" not in reached
    assert f"{len(reached)} of {len(rise)} allies would reach 3.5% by 2035" in claim["explanation"]
    with pytest.raises(ValueError, match=r"^by 2020 is outside the accepted range; accepted: a year from 2025 to 2100$"):
        na.required_annual_increase(by=2020, start=2024, data=df)


METRIC_CALLS = [
    ("aggregate", dict(indicator="gdp_usd", price_basis="constant")),
    ("allies_meeting", dict(year=2024)),
    ("compliance_table", dict(years=[2023, 2024])),
    ("gap_to_target", dict(year=2024)),
    ("required_annual_increase", dict(countries="ESP,ITA")),
    ("years_to_target", dict(countries="FRA,ITA")),
    ("simulate_paths", dict(n_scenarios=20)),
    ("trend_growth", dict(countries="POL")),
]


@pytest.mark.parametrize("metric, kwargs", METRIC_CALLS, ids=[m for m, _ in METRIC_CALLS])
def test_metric_results_keep_only_plain_values_in_attrs(df, metric, kwargs):
    import numpy as np
    import pandas as pd

    from natoanalysis import metrics

    f = getattr(na, metric, None) or getattr(metrics.targets, metric)
    out = f(**kwargs, data=df)

    def plain(v) -> bool:
        if isinstance(v, (list, tuple)):
            return all(plain(x) for x in v)
        if isinstance(v, dict):
            return all(plain(k) and plain(x) for k, x in v.items())
        return v is None or isinstance(v, (str, bool, int, float, np.integer, np.floating, np.bool_))

    assert plain(dict(out.attrs)), out.attrs
    assert pd.concat([out, out]).attrs == out.attrs == out.astype(str).attrs

"""One argument vocabulary: the same names, units, groups and guards in every public function.

The names 0.2 renamed (CHANGELOG.md, 0.3.0) are refused like any unknown keyword, in one line; every one of
them is covered here.
"""

from __future__ import annotations

import inspect

import pandas as pd
import pytest

import natoanalysis as na
from natoanalysis import metrics, validate
from natoanalysis.errors import ArgumentError, NatoAnalysisError

from ._metrics_raw import T3_SHARE, T8A_EQUIPMENT, by_iso3


@pytest.fixture(scope="module")
def df():
    return na.load()


# --- defaults from the reference data -----------------------------------------------------------------

def test_equipment_threshold_defaults_to_its_20pct_guideline(df):
    equip = by_iso3("TABLE8a", T8A_EQUIPMENT, 2024)
    res = na.allies_meeting(year=2024, indicator="equipment_share_pct", data=df)
    assert res.attrs["threshold_pct"] == 20.0
    assert equip["BEL"] == pytest.approx(15.16, abs=0.005)
    assert res.loc["BEL", "status"] == "below"
    meets = sorted(res.index[res["status"] == "meets"])
    assert meets == sorted(c for c, v in equip.items() if v >= 20.0)
    assert len(meets) == 29  # of 31 allies with forces: Belgium and Canada are below 20% in 2024
    assert sorted(res.index[res["status"] == "below"]) == ["BEL", "CAN"]


def test_share_threshold_defaults_to_the_2pct_guideline(df):
    share = by_iso3("TABLE3", T3_SHARE, 2024)
    res = na.allies_meeting(year=2024, data=df)
    assert res.attrs["threshold_pct"] == 2.0
    assert sorted(res.index[res["status"] == "meets"]) == sorted(c for c, v in share.items() if v >= 2.0)
    assert validate.guideline_pct("share_gdp_pct") == 2.0
    with pytest.raises(ArgumentError, match=r"indicator 'gdp_usd' has no guideline; give threshold_pct="):
        validate.guideline_pct("gdp_usd")


# --- guards: fractions, impossible values, years and accession -----------------------------------------

@pytest.mark.parametrize("call, message", [
    (lambda d: na.allies_meeting(threshold_pct=0.02, year=2024, data=d),
     r"^threshold_pct 0.02 looks like a fraction: give percent, e.g. 2; accepted: 0.5 to 100 \(percent of GDP\)$"),
    (lambda d: na.allies_meeting(threshold_pct=0.2, year=2024, indicator="equipment_share_pct", data=d),
     r"^threshold_pct 0.2 looks like a fraction: give percent, e.g. 20; accepted: 1 to 100 "
     r"\(percent of defence expenditure\)$"),
    (lambda d: na.gap_to_target(country="DEU", target_pct=0.035, data=d),
     r"^target_pct 0.035 looks like a fraction: give percent, e.g. 3.5; accepted: 0.5 to 100 \(percent of GDP\)$"),
    (lambda d: na.gap_to_target(country="DEU", target_pct=350, data=d),
     r"^target_pct 350 is outside the accepted range; accepted: 0.5 to 100 \(percent of GDP\)$"),
    (lambda d: na.required_annual_increase(country="ESP", target_pct=0.035, data=d), r"looks like a fraction"),
    (lambda d: na.years_to_target(country="FRA", target_pct=0.035, data=d), r"looks like a fraction"),
    (lambda d: na.simulate_paths(target_pct=0.035, n_scenarios=10, data=d), r"looks like a fraction"),
    (lambda d: na.project_path(country="ITA", gdp_growth_pct=0.015, data=d),
     r"^gdp_growth_pct 0.015 looks like a fraction: give percent a year, e.g. 1.5; accepted: 0, or -20 to 20"),
    (lambda d: na.project_path(country="ITA", gdp_growth_pct={"ITA": 35.0}, data=d),
     r"^gdp_growth_pct 35 is outside the accepted range; accepted: 0, or -20 to 20 percent a year"),
    (lambda d: na.gap_to_target(country="SWE", year=2020, data=d),
     r"^country SWE joined NATO in 2024, after 2020; accepted: years from 2024 for SWE, or allies that were "
     r"members in 2020$"),
    (lambda d: na.required_annual_increase(countries="POL,FIN", start=2020, data=d), r"FIN joined NATO in 2023"),
    (lambda d: na.pp_change(country="FIN", start=2014, end=2024, data=d), r"FIN joined NATO in 2023, after 2014"),
    (lambda d: na.compare_sources(years=[2030]), r"years 2030: not published by both NATO and SIPRI"),
    (lambda d: na.revisions(indicator="share_gdp_pct", country="POL", year=2030),
     r"^year 2030: no share_gdp_pct rows for POL in nato; accepted: 2014 to 2024$"),
    (lambda d: na.growth(d), r"^growth of .*share_gdp_pct.*: a percentage does not grow in percent; accepted: level"),
    (lambda d: na.growth(d.query("country == 'POL' and indicator == 'share_gdp_pct'").set_index("year")["value"]
                         .rename("share_gdp_pct")), r"use natoanalysis.pp_change"),
    (lambda d: na.aggregate(indicator="gdp_usd", price_basis="ppp", data=d),
     r"^price_basis 'ppp' is not a price basis; accepted: 'current', 'constant' \(any case; 'nominal' and 'real' "
     r"are synonyms\)$"),
    (lambda d: na.notes(edition="2019-04"), r"edition '2019-04' is not bundled for sipri; accepted: 2025-04"),
])
def test_refusals_say_what_was_wrong_and_what_is_accepted_in_one_line(df, call, message):
    with pytest.raises(ArgumentError, match=message) as info:
        call(df)
    assert isinstance(info.value, NatoAnalysisError) and isinstance(info.value, ValueError)
    assert "\n" not in str(info.value)


def test_members_of_the_year_are_answered_and_late_joiners_left_out_by_default(df):
    assert na.gap_to_target(country="SWE", year=2024, data=df)["gap_pp"] == pytest.approx(
        3.5 - by_iso3("TABLE3", T3_SHARE, 2024)["SWE"], abs=1e-12)
    by_default = na.gap_to_target(year=2020, data=df)
    assert "SWE" not in by_default.index and "FIN" not in by_default.index and "POL" in by_default.index


def test_growth_of_personnel_is_neither_real_nor_nominal(df):
    rows = df[(df["indicator"] == "military_personnel_thousand") & (df["country"] == "POL")]
    out = na.growth(rows, kind="yoy")
    assert out["is_real"].isna().all() and str(out["is_real"].dtype) == "boolean"
    level = rows.set_index("year")["value"]
    assert out.set_index("year").loc[2024, "growth_pct"] == pytest.approx((level[2024] / level[2023] - 1) * 100)
    money = na.growth(df[(df["indicator"] == "defence_exp_usd") & (df["country"] == "POL")], kind="yoy")
    assert money.groupby("price_basis")["is_real"].first().to_dict() == {"constant": True, "current": False}


# --- one vocabulary: countries, price bases, groups -----------------------------------------------------

def test_countries_take_names_aliases_codes_in_any_case_and_comma_lists(df):
    gap = na.gap_to_target(countries="germany, UK,pol", year=2024, data=df)
    assert gap.index.tolist() == ["DEU", "GBR", "POL"]
    assert gap.loc["DEU", "gap_pp"] == na.gap_to_target(country="Germany", year=2024, data=df)["gap_pp"]
    assert na.trend_growth(countries="Turkey", data=df).index.tolist() == ["TUR"]
    assert na.compare_sources(countries="Turkey,deu", years=[2024])["country"].tolist() == ["DEU", "TUR"]
    # one ally as countries= is still a table indexed by country
    assert isinstance(na.required_annual_increase(countries="ESP", data=df), pd.Series)
    assert isinstance(na.required_annual_increase(country="ESP", data=df), float)
    with pytest.raises(ArgumentError, match=r"takes country= \(one ally\) or countries= \(several\), not both"):
        na.gap_to_target(country="DEU", countries="POL", data=df)


def test_price_basis_in_any_case_with_nominal_and_real(df):
    constant = na.aggregate(indicator="gdp_usd", price_basis="constant", data=df)
    for word in ("real", "REAL", "Constant"):
        assert na.aggregate(indicator="gdp_usd", price_basis=word, data=df).equals(constant)
    assert na.gap_to_target(country="DEU", price_basis="Nominal", data=df).equals(
        na.gap_to_target(country="DEU", price_basis="current", data=df))
    assert na.revisions(indicator="gdp_usd", country="POL", year=2024, price_basis="real")["price_basis"].tolist() \
        == ["constant"]


@pytest.mark.parametrize("name", ["europe_canada", "NATO_EUROPE_CANADA", "nato_europe_canada", "Europe_Canada",
                                  "NATO Europe and Canada"])
def test_one_set_of_group_names_everywhere(df, name):
    expected = na.group_growth(group="europe_canada", year=2024, data=df)
    assert expected == pytest.approx(17.947, abs=5e-4)
    assert na.group_growth(group=name, year=2024, data=df) == expected
    assert na.aggregate(indicator="defence_exp_usd", group=name, price_basis="constant", data=df).equals(
        na.aggregate(indicator="defence_exp_usd", group="europe_canada", price_basis="constant", data=df))
    assert na.pp_change(country=name, start=2014, end=2024, data=df) == \
        na.pp_change(country="NATO_EUROPE_CANADA", start=2014, end=2024, data=df)
    assert na.revisions(indicator="share_gdp_pct", country=name, year=2024)["country"].tolist() == \
        ["NATO_EUROPE_CANADA"]
    assert na.growth_definitions(group=name, years=[2024], data=df).equals(
        na.growth_definitions(group="europe_canada", years=[2024], data=df))


def test_one_default_group(df):
    defaults = {f.__name__: inspect.signature(f).parameters["group"].default
                for f in (metrics.aggregate, metrics.group_growth, metrics.growth_definitions)}
    assert defaults == dict.fromkeys(defaults, "nato") and validate.DEFAULT_GROUP == "nato"
    assert na.group_growth(year=2024, data=df) == na.group_growth(group="NATO_TOTAL", year=2024, data=df)
    assert na.group_growth(year=2024, data=df) != na.group_growth(group="europe_canada", year=2024, data=df)


# --- removed names: every old name of CHANGELOG.md's 0.3.0 table is refused in one line ------------------

#: (where, function, old keyword, new keyword), as CHANGELOG.md lists them.
REMOVED = [
    ("na", "allies_meeting", "threshold", "threshold_pct"),
    ("na", "allies_meeting", "basis", "figure"),
    ("na", "compliance_table", "basis", "figure"),
    ("na", "real_gdp_growth", "country", "countries"),
    ("na", "trend_growth", "country", "countries"),
    ("na", "gap_to_target", "target", "target_pct"),
    ("na", "required_annual_increase", "target", "target_pct"),
    ("na", "required_annual_increase", "from_year", "start"),
    ("na", "project_path", "target", "target_pct"),
    ("na", "project_path", "gdp_growth", "gdp_growth_pct"),
    ("na", "project_path", "from_year", "start"),
    ("na", "years_to_target", "target", "target_pct"),
    ("na", "years_to_target", "from_year", "start"),
    ("na", "growth_volatility", "country", "countries"),
    ("na", "simulate_paths", "target", "target_pct"),
    ("na", "simulate_paths", "country", "countries"),
    ("na", "simulate_paths", "gdp_growth", "gdp_growth_pct"),
    ("na", "simulate_paths", "gdp_growth_sd", "gdp_growth_sd_pp"),
    ("na", "simulate_paths", "from_year", "start"),
    ("na", "fetch", "edition", "year"),
    ("charts.bars", "ranked_bars", "threshold", "threshold_pct"),
    ("views.compliance", "compliance_history", "basis", "figure"),
    ("views.compliance", "meeting_counts", "basis", "figure"),
    ("views.pathways", "target_gaps", "deadline", "by"),
    ("views.pathways", "scenario_costs", "deadline", "by"),
    ("views.pathways", "scenario_markdown", "deadline", "by"),
    ("views.profile", "profile_summary", "deadline", "by"),
    ("views.profile", "profile_markdown", "deadline", "by"),
    ("views.profile", "pathway", "deadline", "by"),
]


def _function(where: str, name: str):
    import importlib

    return getattr(na if where == "na" else importlib.import_module(f"natoanalysis.{where}"), name)


@pytest.mark.parametrize("where, function, old, new", REMOVED, ids=[f"{c[1]}-{c[2]}" for c in REMOVED])
def test_removed_argument_names_are_refused_in_one_line(where, function, old, new):
    f = _function(where, function)
    params = inspect.signature(f).parameters
    assert new in params and old not in params  # the new name is the only one shown (help(), the docs)
    with pytest.raises(TypeError) as info:
        f(**{old: 2030})
    assert str(info.value) == f"{function}() got an unexpected keyword argument '{old}'"


def test_the_changelog_lists_every_removed_name():
    from pathlib import Path

    changelog = (Path(__file__).resolve().parents[1] / "CHANGELOG.md").read_text(encoding="utf-8")
    section = changelog.split("## 0.3.0", 1)[1].split("\n## ", 1)[0]
    for _, function, old, new in REMOVED:
        assert any(f"`{function}`" in line and f"`{old}=`" in line and f"`{new}=`" in line
                   for line in section.splitlines()), (function, old)
    assert "`--edition YEAR` | `--year YEAR`" in section
    assert na.__version__ == "0.3.0"


def test_the_package_keeps_no_shim():
    assert not hasattr(validate, "renamed") and not hasattr(validate, "RENAMED_ARGUMENTS")


def test_a_list_given_as_country_is_refused(df):
    with pytest.raises(ArgumentError, match=r"^gap_to_target\(\) country= takes one ally, got a list; accepted: one "
                                            r"ally as country=, several as countries=$"):
        na.gap_to_target(country=["DEU", "POL"], year=2024, data=df)
    assert na.gap_to_target(countries=["DEU", "POL"], year=2024, data=df).index.tolist() == ["DEU", "POL"]


def test_fetch_takes_the_year_of_the_file_name_as_year(capsys):
    from natoanalysis.cli import main
    from natoanalysis.pipeline import fetch

    with pytest.raises(ArgumentError, match=r"^year must be a year such as 2025, got 'next'$"):
        fetch(source="nato", year="next")
    assert main(["fetch", "nato", "--year", "next"]) == 2
    assert "year must be a year such as 2025" in capsys.readouterr().err
    assert main(["fetch", "nato", "--edition", "2024"]) == 2  # 0.2's name of --year
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unrecognized arguments: --edition 2024" in err

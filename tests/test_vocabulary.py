"""One argument vocabulary: the same names, units, groups and guards in every public function.

Renamed arguments keep working for one release with a DeprecationWarning naming the new name
(``validate.renamed``); every rename is in ``validate.RENAMED_ARGUMENTS`` and covered here.
"""

from __future__ import annotations

import inspect
import math
import warnings

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


# --- renamed arguments: old names warn, name the new one, and give the same result ---------------------

OLD_AND_NEW = [
    ("allies_meeting", dict(threshold=2.5, basis="recomputed", year=2024),
     dict(threshold_pct=2.5, figure="recomputed", year=2024)),
    ("compliance_table", dict(basis="recomputed", years=[2024]), dict(figure="recomputed", years=[2024])),
    ("gap_to_target", dict(target=3.0, country="DEU", year=2024), dict(target_pct=3.0, country="DEU", year=2024)),
    ("required_annual_increase", dict(target=3.0, from_year=2023, country="ESP"),
     dict(target_pct=3.0, start=2023, country="ESP")),
    ("project_path", dict(target=3.0, gdp_growth=1.0, from_year=2023, country="ITA"),
     dict(target_pct=3.0, gdp_growth_pct=1.0, start=2023, country="ITA")),
    ("years_to_target", dict(target=3.0, from_year=2023, country="FRA"),
     dict(target_pct=3.0, start=2023, country="FRA")),
    ("simulate_paths", dict(target=3.0, country=["DEU"], gdp_growth=1.0, gdp_growth_sd=2.0, from_year=2023,
                            n_scenarios=50),
     dict(target_pct=3.0, countries=["DEU"], gdp_growth_pct=1.0, gdp_growth_sd_pp=2.0, start=2023, n_scenarios=50)),
    ("real_gdp_growth", dict(country=["POL"]), dict(countries=["POL"])),
    ("trend_growth", dict(country=["POL"]), dict(countries=["POL"])),
    ("growth_volatility", dict(country=["POL"]), dict(countries=["POL"])),
]


def _same(a, b) -> bool:
    if isinstance(a, (pd.Series, pd.DataFrame)):
        return a.equals(b)
    return a == b or (math.isnan(a) and math.isnan(b))


@pytest.mark.parametrize("function, old, new", OLD_AND_NEW, ids=[c[0] for c in OLD_AND_NEW])
def test_old_argument_names_warn_and_still_work(df, function, old, new):
    f = getattr(na, function)
    with pytest.warns(DeprecationWarning) as caught:
        got = f(**old, data=df)
    renamed = {k for k in old if k not in new}
    messages = [str(w.message) for w in caught]
    for k in renamed:
        assert any(f"{function}(): {k}= is renamed " in m for m in messages), messages
    # the warning points at the caller's line, not at the package (Python hides it there by default)
    assert {w.filename for w in caught} == {__file__}
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        assert _same(got, f(**new, data=df))


#: Views and charts renamed to the same vocabulary: (module, function, old keywords, new keywords).
VIEW_OLD_AND_NEW = [
    ("views.compliance", "compliance_history", dict(basis="recomputed"), dict(figure="recomputed")),
    ("views.compliance", "meeting_counts", dict(basis="recomputed"), dict(figure="recomputed")),
    ("views.pathways", "target_gaps", dict(deadline=2032, year=2024), dict(by=2032, year=2024)),
    ("views.pathways", "scenario_costs", dict(deadline=2032, n_scenarios=50), dict(by=2032, n_scenarios=50)),
    ("views.profile", "profile_summary", dict(deadline=2032, country="ITA"), dict(by=2032, country="ITA")),
    ("views.profile", "profile_markdown", dict(deadline=2032, country="ITA"), dict(by=2032, country="ITA")),
    ("views.profile", "pathway", dict(deadline=2032, country="ITA"), dict(by=2032, country="ITA")),
]


@pytest.mark.parametrize("module, function, old, new", VIEW_OLD_AND_NEW, ids=[c[1] for c in VIEW_OLD_AND_NEW])
def test_views_take_the_same_vocabulary_and_warn_on_old_names(df, module, function, old, new):
    import importlib

    f = getattr(importlib.import_module(f"natoanalysis.{module}"), function)
    with pytest.warns(DeprecationWarning, match=rf"{function}\(\): {next(k for k in old if k not in new)}= is renamed"):
        got = f(**old, data=df)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        assert _same(got, f(**new, data=df)) if not isinstance(got, str) else got == f(**new, data=df)


def test_scenario_markdown_and_ranked_bars_take_by_and_threshold_pct(df):
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    from natoanalysis import charts
    from natoanalysis.views import pathways

    costs = pathways.scenario_costs(data=df, by=2032, n_scenarios=50)
    with pytest.warns(DeprecationWarning, match=r"scenario_markdown\(\): deadline= is renamed by="):
        old = pathways.scenario_markdown(costs=costs, data=df, year=2024, deadline=2032)
    assert old == pathways.scenario_markdown(costs=costs, data=df, year=2024, by=2032) and "2025-2032" in old
    t = pd.DataFrame({"name": ["A", "B"], "pct": [1.5, 2.5]})
    with pytest.warns(DeprecationWarning, match=r"ranked_bars\(\): threshold= is renamed threshold_pct="):
        fig = charts.ranked_bars(t, value="pct", label="name", title="T", xlabel="%", provenance=df, threshold=2.0)
    assert fig.axes[0].lines[0].get_xdata()[0] == 2.0
    plt.close(fig)


def test_every_rename_is_listed_and_covered():
    import importlib

    # A rename is recorded when its module is imported: import every module that declares one.
    for module in ("views.compliance", "views.pathways", "views.profile", "charts.bars"):
        importlib.import_module(f"natoanalysis.{module}")
    listed = {(r.function.rsplit(".", 1)[-1], r.old): r.new for r in validate.RENAMED_ARGUMENTS}
    covered = {(fn, k) for fn, old, new in OLD_AND_NEW for k in old if k not in new}
    covered |= {(fn, k) for _, fn, old, new in VIEW_OLD_AND_NEW for k in old if k not in new}
    covered |= {("scenario_markdown", "deadline"), ("ranked_bars", "threshold")}
    covered.add(("fetch", "edition"))  # test_fetch_takes_the_year_of_the_file_name_as_year
    assert set(listed) == covered
    assert listed[("allies_meeting", "threshold")] == "threshold_pct"
    assert listed[("project_path", "from_year")] == "start"
    assert {r.function.rsplit(".", 1)[0] for r in validate.RENAMED_ARGUMENTS} == {
        "natoanalysis.metrics.guidelines", "natoanalysis.metrics.targets", "natoanalysis.metrics.scenarios",
        "natoanalysis.pipeline", "natoanalysis.views.compliance", "natoanalysis.views.pathways",
        "natoanalysis.views.profile", "natoanalysis.charts.bars"}
    # the signature shown is the new one
    assert "threshold_pct" in inspect.signature(na.allies_meeting).parameters
    assert "threshold" not in inspect.signature(na.allies_meeting).parameters


def test_old_and_new_name_together_are_refused(df):
    with pytest.raises(ArgumentError, match=r"^allies_meeting\(\) got threshold= and threshold_pct=: threshold is "
                                            r"the old name of threshold_pct; give threshold_pct= only$"):
        na.allies_meeting(threshold=2.0, threshold_pct=2.0, year=2024, data=df)


def test_a_list_given_as_country_warns_and_is_read_as_countries(df):
    with pytest.warns(DeprecationWarning, match=r"gap_to_target\(\): country= takes one ally; give several as "
                                                r"countries="):
        old = na.gap_to_target(country=["DEU", "POL"], year=2024, data=df)
    assert old.equals(na.gap_to_target(countries="DEU,POL", year=2024, data=df))


def test_renamed_refuses_a_declaration_that_cannot_work():
    with pytest.raises(TypeError, match=r"renamed\(old='new'\) on .*: new must be a parameter"):
        @validate.renamed(old="new")
        def f(*, other=1):
            return other


def test_an_old_name_inside_the_package_is_reported_at_that_line_not_the_users(df):
    # A view (any module of the package) calling a metric with an old name: the warning names the view's
    # line, where Python's default filters hide it from notebook readers; the test run still shows it.
    view = {"__name__": "natoanalysis.views.example", "metrics": metrics, "__file__": "views/example.py"}
    exec(compile("def summary(data):\n    return metrics.gap_to_target(country=['DEU'], target=3.0, data=data)\n",
                 "views/example.py", "exec"), view)
    with pytest.warns(DeprecationWarning) as caught:
        view["summary"](df)
    assert sorted(str(w.message).split(":")[0] for w in caught) == ["gap_to_target()", "gap_to_target()"]
    assert {(w.filename, w.lineno) for w in caught} == {("views/example.py", 2)}


def test_fetch_takes_the_year_of_the_file_name_as_year(capsys):
    from natoanalysis.cli import main
    from natoanalysis.pipeline import fetch

    with pytest.raises(ArgumentError, match=r"^year must be a year such as 2025, got 'next'$"):
        fetch(source="nato", year="next")
    with pytest.warns(DeprecationWarning, match=r"fetch\(\): edition= is renamed year="), \
            pytest.raises(ArgumentError, match=r"^year must be a year"):
        fetch(source="nato", edition="next")
    assert main(["fetch", "nato", "--edition", "2024", "--year", "2024"]) == 2
    assert "--edition is the old name of --year; give --year only" in capsys.readouterr().err
    assert main(["fetch", "nato", "--edition", "next"]) == 2
    err = capsys.readouterr().err
    assert "note: --edition YEAR is renamed --year YEAR" in err and "year must be a year such as 2025" in err

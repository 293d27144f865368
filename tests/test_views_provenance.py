"""A view's table carries the provenance of the rows it was computed from, as plain values; a chart writes
its footnote from it.

Every view's table survives ``astype(str)`` and ``pd.concat`` (no DataFrame is kept in ``attrs``). Also the
chart helpers' own checks: the year, the source (SIPRI said as SIPRI, its non-allies left out), and the colour
of a bar matching the figure printed on it.
"""

from __future__ import annotations

import copy

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import natoanalysis as na  # noqa: E402
from natoanalysis import charts, views  # noqa: E402
from natoanalysis.charts.style import PALETTE  # noqa: E402
from natoanalysis.views import (burden_sharing, compliance, coverage, headline, home, longrun, pathways,  # noqa: E402
                                profile, revisions, spending_growth)
from natoanalysis.views.provenance import MissingProvenanceError, Provenance, SourceFacts, provenance_of  # noqa: E402

NATO_2024 = ("Source: NATO, Defence Expenditure of NATO Countries (2014-2024), edition 2024-06; defence expenditure "
             "(NATO definition); constant prices are 2015 prices.")


@pytest.fixture(scope="module")
def data():
    return na.load()


def _footnote(fig) -> str:
    return fig.texts[-1].get_text().replace("\n", " ")


#: Every view that returns a table: (name, call(nato, sipri, all NATO editions), carries provenance).
VIEWS = [
    ("coverage.coverage", lambda d, s, a: coverage.coverage(d), False),
    ("coverage.values_by_year", lambda d, s, a: coverage.values_by_year(d), False),
    ("headline.largest_spenders", lambda d, s, a: headline.largest_spenders(data=d), True),
    ("profile.money_series NATO_TOTAL",
     lambda d, s, a: profile.money_series(data=d, country="NATO_TOTAL", indicator="defence_exp_usd"), True),
    ("burden_sharing.price_effect", lambda d, s, a: burden_sharing.price_effect(data=d), False),
    ("burden_sharing.transatlantic_levels", lambda d, s, a: burden_sharing.transatlantic_levels(data=d), True),
    ("burden_sharing.usa_share_by_basis", lambda d, s, a: burden_sharing.usa_share_by_basis(data=d), True),
    ("compliance.compliance_history", lambda d, s, a: compliance.compliance_history(data=d), True),
    ("compliance.meeting_counts", lambda d, s, a: compliance.meeting_counts(data=d), True),
    ("compliance.counts_long", lambda d, s, a: compliance.counts_long(compliance.meeting_counts(data=d)), True),
    ("compliance.printed_versus_recomputed", lambda d, s, a: compliance.printed_versus_recomputed(data=d), False),
    ("spending_growth.biggest_risers", lambda d, s, a: spending_growth.biggest_risers(data=d), True),
    ("spending_growth.group_growth_table", lambda d, s, a: spending_growth.group_growth_table(data=d), False),
    ("spending_growth.growth_by_ally", lambda d, s, a: spending_growth.growth_by_ally(data=d), True),
    ("spending_growth.growth_by_ally_long",
     lambda d, s, a: spending_growth.growth_by_ally_long(spending_growth.growth_by_ally(data=d)), True),
    ("spending_growth.growth_definitions_table", lambda d, s, a: spending_growth.growth_definitions_table(data=d),
     True),
    ("spending_growth.membership_effect", lambda d, s, a: spending_growth.membership_effect(data=d), True),
    ("spending_growth.membership_effect_long",
     lambda d, s, a: spending_growth.membership_effect_long(spending_growth.membership_effect(data=d)), True),
    ("profile.composition", lambda d, s, a: profile.composition(data=d, country="POL"), True),
    ("profile.money_series",
     lambda d, s, a: profile.money_series(data=d, country="POL", indicator="defence_exp_usd"), True),
    ("profile.pathway", lambda d, s, a: profile.pathway(data=d, country="ITA"), True),
    ("profile.profile_summary", lambda d, s, a: profile.profile_summary(data=d, country="ITA"), False),
    ("pathways.scenario_costs", lambda d, s, a: pathways.scenario_costs(data=d, n_scenarios=50), True),
    ("pathways.target_gaps", lambda d, s, a: pathways.target_gaps(data=d), True),
    ("longrun.period_levels", lambda d, s, a: longrun.period_levels(data=s, countries=["USA", "POL"]), True),
    ("longrun.share_series",
     lambda d, s, a: longrun.share_series(data=s, allies=["USA", "POL"], comparators=["RUS"]), True),
    ("longrun.spending_series", lambda d, s, a: longrun.spending_series(data=s, countries=["USA", "POL"]), True),
    ("revisions.count_by_edition", lambda d, s, a: revisions.count_by_edition(data=a), True),
    ("revisions.share_by_edition", lambda d, s, a: revisions.share_by_edition(data=a), False),
    ("revisions.us_share_by_edition", lambda d, s, a: revisions.us_share_by_edition(data=a), True),
    ("home.key_figures", lambda d, s, a: home.key_figures(data=d), False),
    ("views.rows", lambda d, s, a: views.rows(d, indicator="share_gdp_pct", year=2024), True),
]


@pytest.fixture(scope="module")
def inputs(data):
    return data, na.load(source="sipri"), na.load(edition="all")


def _plain(value) -> bool:
    """Strings, numbers, booleans, None, and tuples, lists, dicts and frozen dataclasses of them."""
    if value is None or isinstance(value, (str, bool, int, float, np.integer, np.floating, np.bool_)):
        return True
    if isinstance(value, (tuple, list)):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(_plain(k) and _plain(v) for k, v in value.items())
    if isinstance(value, (Provenance, SourceFacts)):
        return all(_plain(getattr(value, f)) for f in value.__dataclass_fields__)
    return False


@pytest.mark.parametrize("name, call, carries", VIEWS, ids=[v[0] for v in VIEWS])
def test_every_views_table_survives_astype_and_concat(inputs, name, call, carries):
    table = call(*inputs)
    assert _plain(dict(table.attrs)), table.attrs
    assert ("provenance" in table.attrs) is carries
    as_text = table.astype(str)
    both = pd.concat([table, table])
    assert len(both) == 2 * len(table) and as_text.shape == table.shape
    assert both.attrs == table.attrs and as_text.attrs == table.attrs  # equal attrs are kept, not compared away
    if carries:
        assert provenance_of(both) == provenance_of(table) == copy.deepcopy(provenance_of(table))
        assert provenance_of(table).sources[0].editions  # names the edition(s) it came from


def test_largest_spenders_carry_the_facts_of_exactly_the_rows_they_rank(data):
    top = headline.largest_spenders(data=data, year=2024, n=3)
    (nato,) = provenance_of(top).sources
    assert nato == SourceFacts(source="nato", editions=("2024-06",),
                               publication="NATO, Defence Expenditure of NATO Countries (2014-2024)",
                               definition="defence expenditure (NATO definition)", base_year=2015,
                               estimate_years=(2024,), n_estimates=4, n_values=4)  # DEU, GBR, USA and NATO_TOTAL
    spent = data.query("indicator == 'defence_exp_usd' and price_basis == 'current' and year == 2024")
    usa = spent.set_index("country")["value"]
    assert top.set_index("country").at["USA", "share_of_nato_total_pct"] == pytest.approx(
        usa["USA"] / usa["NATO_TOTAL"] * 100)
    fig = charts.ranked_bars(top, value="share_of_nato_total_pct", label="country_name", title="T", xlabel="%")
    assert _footnote(fig) == f"{NATO_2024} 2024 is an estimate."
    plt.close(fig)


def test_provenance_survives_filtering_and_assign_but_not_a_mix_of_views(data):
    shares = burden_sharing.usa_share_by_basis(data=data)
    derived = shares[shares["measure"] == "GDP"].assign(line="x").astype({"line": "string"})
    assert provenance_of(derived) == provenance_of(shares)
    mixed = pd.concat([shares, burden_sharing.transatlantic_levels(data=data)])  # different facts: pandas drops them
    assert "provenance" not in mixed.attrs
    with pytest.raises(MissingProvenanceError, match="pass a table returned by a natoanalysis view, or provenance="):
        charts.line_chart(mixed, y="share_pct", series="measure", title="T", ylabel="%")


def test_a_chart_of_a_view_needs_no_provenance_and_says_the_same_as_with_it(data):
    path = profile.pathway(data=data, country="ITA")
    implicit = charts.line_chart(path, y="share_gdp_pct", series="series", title="T", ylabel="%")
    explicit = charts.line_chart(path, y="share_gdp_pct", series="series", title="T", ylabel="%",
                                 provenance=views.rows(data, indicator=["share_gdp_pct", "gdp_usd"], country="ITA"))
    assert _footnote(implicit) == _footnote(explicit) == f"{NATO_2024} 2023 and 2024 are estimates."
    plt.close("all")


def test_sipri_footnotes_count_estimates_rather_than_list_them():
    series = longrun.spending_series(data=na.load(source="sipri"), countries=["USA", "RUS", "CHN"])
    (sipri,) = provenance_of(series).sources
    assert sipri.source == "sipri" and sipri.editions == ("2025-04",) and len(sipri.estimate_years) > 4
    fig = plt.figure()
    text = charts.footnote(fig, data=provenance_of(series))
    assert text.startswith("Source: SIPRI") and "release 2025-04" in text
    assert f"{sipri.n_estimates} of the {sipri.n_values} values shown are SIPRI estimates" in text
    plt.close(fig)


def test_reshaped_tables_keep_the_provenance_of_the_table_they_came_from(data):
    by_ally = spending_growth.growth_by_ally(data=data, year=2024)
    long = spending_growth.growth_by_ally_long(by_ally)
    assert provenance_of(long) == provenance_of(by_ally) and provenance_of(long).estimate_years == (2023, 2024)
    gaps = pathways.target_gaps(data=data, year=2024)
    short = gaps[gaps["gap_core_pp"] > 0]
    assert provenance_of(short).estimate_years == (2024,)


def test_a_bar_coloured_below_the_line_never_prints_the_line(data):
    edited = data.copy()
    at = (edited["country"] == "SWE") & (edited["indicator"] == "share_gdp_pct") & (edited["year"] == 2024)
    edited.loc[at, "value"] = 1.9977
    fig = charts.share_gdp_bars(edited, year=2024)
    ax = fig.axes[0]
    names = [t.get_text() for t in ax.get_yticklabels()]
    bar = ax.patches[names.index("Sweden")]
    assert matplotlib.colors.to_hex(bar.get_facecolor()) == matplotlib.colors.to_hex(PALETTE["grey"])
    printed = {t.get_position()[1]: t.get_text() for t in ax.texts}
    assert printed[names.index("Sweden")] == "1.998"
    plt.close(fig)


def test_share_bars_refuse_a_year_outside_the_edition(data):
    with pytest.raises(ValueError, match="year 2030 is outside edition 2024-06; accepted: 2014 to 2024"):
        charts.share_gdp_bars(data, year=2030)


def test_share_bars_of_sipri_say_sipri_and_show_allies_only():
    sipri = na.load(source="sipri")
    fig = charts.share_gdp_bars(sipri, year=2024)
    ax = fig.axes[0]
    names = {t.get_text() for t in ax.get_yticklabels()}
    assert not names & {"Ukraine", "Russia", "China"}
    assert "Poland" in names and "Iceland" not in names
    assert ax.get_xlabel() == "Military expenditure, % of GDP (SIPRI: current prices)"
    assert "SIPRI" in _footnote(fig) and "NATO: share of real GDP" not in ax.get_xlabel()
    plt.close(fig)

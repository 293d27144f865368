"""A view's table carries the rows it was computed from, and a chart writes its footnote from them.

Also the chart helpers' own checks: the year, the source (SIPRI said as SIPRI,
its non-allies left out), and the colour of a bar matching the figure printed on it.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import natoanalysis as na  # noqa: E402
from natoanalysis import charts, views  # noqa: E402
from natoanalysis.charts.style import PALETTE  # noqa: E402
from natoanalysis.views import burden_sharing, headline, pathways, profile, spending_growth  # noqa: E402
from natoanalysis.views.provenance import MissingProvenanceError, rows_of  # noqa: E402


@pytest.fixture(scope="module")
def data():
    return na.load()


def _footnote(fig) -> str:
    return fig.texts[-1].get_text().replace("\n", " ")


def test_largest_spenders_carry_exactly_the_rows_they_rank(data):
    top = headline.largest_spenders(data=data, year=2024, n=3)
    rows = rows_of(top)
    assert sorted(rows["country"]) == ["DEU", "GBR", "NATO_TOTAL", "USA"]
    assert set(rows["indicator"]) == {"defence_exp_usd"} and set(rows["price_basis"]) == {"current"}
    assert set(rows["year"]) == {2024} and rows["is_estimate"].all()
    # The share printed in the table is the carried rows' ratio.
    usa = rows.set_index("country")["value"]
    assert top.set_index("country").at["USA", "share_of_nato_total_pct"] == pytest.approx(
        usa["USA"] / usa["NATO_TOTAL"] * 100)


def test_provenance_survives_filtering_and_assign_but_not_a_mix_of_views(data):
    shares = burden_sharing.usa_share_by_basis(data=data)
    derived = shares[shares["measure"] == "GDP"].assign(line="x")
    assert len(rows_of(derived)) == len(rows_of(shares)) > 0
    mixed = pd.concat([shares, burden_sharing.transatlantic_levels(data=data)])  # pandas would raise on bare frames
    with pytest.raises(MissingProvenanceError, match="pass a table returned by a natoanalysis view, or provenance="):
        charts.line_chart(mixed, y="share_pct", series="measure", title="T", ylabel="%")


def test_a_chart_of_a_view_needs_no_provenance_and_says_the_same_as_with_it(data):
    path = profile.pathway(data=data, country="ITA")
    implicit = charts.line_chart(path, y="share_gdp_pct", series="series", title="T", ylabel="%")
    explicit = charts.line_chart(path, y="share_gdp_pct", series="series", title="T", ylabel="%",
                                 provenance=views.rows(data, indicator=["share_gdp_pct", "gdp_usd"], country="ITA"))
    assert _footnote(implicit) == _footnote(explicit)
    assert "2024-06" in _footnote(implicit) and "2023" in _footnote(implicit)  # edition and estimate years
    plt.close("all")


def test_reshaped_tables_keep_the_rows_of_the_table_they_came_from(data):
    by_ally = spending_growth.growth_by_ally(data=data, year=2024)
    long = spending_growth.growth_by_ally_long(by_ally)
    assert set(rows_of(long)["year"]) == {2023, 2024}
    assert set(rows_of(long)["indicator"]) == {"defence_exp_usd", "defence_exp_ncu"}
    gaps = pathways.target_gaps(data=data, year=2024)
    short = gaps[gaps["gap_core_pp"] > 0]
    assert set(rows_of(short)["year"]) == {2024}


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

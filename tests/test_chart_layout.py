"""What a reader sees of each chart, measured: no tick labels run together, no text leaves the figure or sits on
the footnote, a legend leaves the plot most of the width, counts are whole numbers, an outlier does not flatten
the others.

Each chart is drawn as the report notebooks draw it, with the bundled data and the house style, at its worst
case (all 32 allies, every year of the edition, long ally names); the extents are matplotlib's own
(``Text.get_window_extent`` after ``fig.draw_without_rendering()``).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402

import natoanalysis as na  # noqa: E402
from natoanalysis import charts, views  # noqa: E402
from natoanalysis.views import burden_sharing, compliance, longrun, pathways, profile, revisions, spending_growth  # noqa: E402

TOLERANCE = 1.0  # pixels


def _nato():
    return na.load()


def _usa_share():
    shares = burden_sharing.usa_share_by_basis(data=_nato())
    shares = shares.assign(line=shares["measure"] + ", " + shares["basis_label"].str.lower())
    return charts.line_chart(shares, y="share_pct", series="line", ylabel="Percent of the NATO total",
                             title="United States' share of allied defence expenditure and GDP",
                             note="Shares of NATO's published totals (members of each year).")


def _levels():
    return charts.line_chart(burden_sharing.transatlantic_levels(data=_nato()), y="defence_exp_usd_billion",
                             series="group", panel="basis_label", ylabel="Billion US dollars",
                             title="Defence expenditure: United States against European allies and Canada")


def _gdp(code):
    def draw():
        gdp = profile.money_series(data=_nato(), country=code, indicator="gdp_usd")
        return charts.line_chart(gdp, y="usd_billion", series="basis_label", title="Gross domestic product",
                                 ylabel="Billion US dollars")
    return draw


def _composition():
    comp = profile.composition(data=_nato(), country="MKD")
    return charts.stacked_bars(comp, x="year", part="category", value="share_of_defence_exp_pct",
                               title="North Macedonia: defence expenditure by category",
                               ylabel="Percent of defence expenditure", xlabel="Year")


def _growth():
    data = _nato()
    by_ally = spending_growth.growth_by_ally(data=data, year=int(data["year"].max()))
    return charts.grouped_bars(spending_growth.growth_by_ally_long(by_ally), x="country_name", series="measure",
                               value="growth_pct", title="Growth of defence expenditure by ally",
                               ylabel="Change on the previous year, percent", horizontal=True)


def _accession():
    effect = spending_growth.membership_effect(data=_nato(), group="europe_canada", price_basis="constant")
    return charts.grouped_bars(spending_growth.membership_effect_long(effect), x="year", series="membership",
                               value="growth_pct", title="Real growth of European allies and Canada",
                               ylabel="Real change on the previous year, percent", xlabel="Year")


def _counts():
    counts = compliance.meeting_counts(data=_nato())
    return charts.grouped_bars(compliance.counts_long(counts), x="year", series="guideline", value="n_allies",
                               title="Number of allies meeting each guideline", ylabel="Number of allies",
                               xlabel="Year", note="Published figures (Tables 3 and 8); Iceland not assessed.")


def _grid():
    return charts.status_grid(compliance.compliance_history(data=_nato()), flag="meets_2pct", title="Allies at 2%",
                              meets_label="2% or more", below_label="below 2%", note="Published share of real GDP.")


def _gaps():
    gaps = pathways.target_gaps(data=_nato(), year=int(_nato()["year"].max()), core_target_pct=3.5)
    return charts.ranked_bars(gaps, value="gap_core_pp", label="country_name", title="Distance to 3.5%",
                              xlabel="Target minus share of GDP, percentage points", value_format="{:+.2f}")


def _share_bars():
    return charts.share_gdp_bars(_nato(), year=int(_nato()["year"].max()))


def _scenarios():
    data = _nato()
    costs = pathways.scenario_costs(data=data, year=int(data["year"].max()), target_pct=3.5, by=2035,
                                    n_scenarios=200, seed=0)
    return charts.range_bars(costs[costs["country"] != "TOTAL"], label="country_name", low="p5", mid="p50",
                             high="p95", range_label="5th to 95th percentile", mid_label="median",
                             title="Cumulative extra cost: scenario range", xlabel="Billion US dollars")


def _sipri_shares():
    sipri = na.load(source="sipri")
    shares = longrun.share_series(data=sipri, allies=["USA", "GBR", "FRA", "DEU", "ITA", "CAN", "NOR", "TUR"],
                                  comparators=["RUS", "CHN"])
    return charts.line_chart(shares, y="share_gdp_pct", series="country_name", panel="group", sharey=True,
                             title="Military expenditure as a share of GDP, SIPRI", markers=False,
                             ylabel="Percent of GDP (current prices)")


def _cold_war():
    sipri = na.load(source="sipri")
    levels = longrun.period_levels(data=sipri, countries=["USA", "GBR", "FRA", "DEU", "ITA", "CAN", "NOR", "TUR",
                                                          "RUS", "CHN"], compare_year=int(sipri["year"].max()))
    return charts.grouped_bars(levels, x="country_name", series="period", value="share_gdp_pct", horizontal=True,
                               title="Cold War decades against today: military expenditure, % of GDP", xlabel="",
                               ylabel="Percent of GDP (current prices; decade average, latest year: that year)",
                               note="SIPRI's definition of military expenditure differs from NATO's; the figures "
                                    "are not comparable with NATO's tables.")


def _sipri_spend():
    spend = longrun.spending_series(data=na.load(source="sipri"), countries=["USA", "CHN", "RUS", "GBR", "FRA", "DEU"])
    return charts.line_chart(spend, y="usd_constant_billion", series="country_name", markers=False,
                             title="Military expenditure in constant US dollars, SIPRI",
                             ylabel=f"Billion US dollars, constant {spend.attrs['base_year']} prices",
                             note="SIPRI's definition of military expenditure differs from NATO's; the figures are "
                                  "not comparable with NATO's tables.")


def _revision_counts():
    counts = revisions.count_by_edition(data=na.load(edition="all"), threshold_pct=2.0)
    return charts.line_chart(counts, y="n_allies", series="edition", ylabel="Number of allies",
                             title="Allies at or above 2% of GDP, as each edition prints it",
                             note="Published share of real GDP (Table 3) of each edition; Iceland not assessed.")


def _revision_share():
    us = revisions.us_share_by_edition(data=na.load(edition="all"))
    return charts.line_chart(us, y="usa_defence_share_pct", series="edition",
                             title="United States' share of allied defence expenditure, by edition",
                             ylabel="Percent of the NATO total (current prices and exchange rates)")


def _all_allies_lines():
    rows = views.rows(_nato(), indicator="share_gdp_pct").dropna(subset=["value"])
    return charts.line_chart(rows, y="value", series="country_name", title="Every ally's share of GDP",
                             ylabel="Percent of GDP", markers=False)


def _scatter():
    points = views.selection.paired(_nato(), x="share_gdp_pct", y="equipment_share_pct")
    return charts.quadrant_scatter(points, x="share_gdp_pct", y="equipment_share_pct", label="country", x_at=2.0,
                                   y_at=20.0, title="Share of GDP and share spent on equipment, 2024e",
                                   xlabel="Defence expenditure, % of GDP", ylabel="Major equipment, % of defence "
                                   "expenditure", x_line_label="2% guideline", y_line_label="20% guideline")


def _growth_definitions():
    growth = spending_growth.growth_definitions_table(data=_nato())
    return charts.grouped_bars(growth, x="year", series="definition", value="growth_pct",
                               title="European allies and Canada: spending growth under four definitions",
                               ylabel="Change on previous year, %", xlabel="Year")


CHARTS = {"08 definitions": _growth_definitions, "03 scatter": _scatter, "02 US share": _usa_share, "02 levels": _levels, "05 GDP POL": _gdp("POL"), "05 GDP MKD": _gdp("MKD"),
          "05 composition": _composition, "04 growth": _growth, "04 accession": _accession, "03 counts": _counts,
          "03 grid": _grid, "03 gaps": _gaps, "00 share of GDP": _share_bars, "06 scenarios": _scenarios,
          "07 SIPRI shares": _sipri_shares, "07 Cold War": _cold_war, "07 SIPRI dollars": _sipri_spend,
          "09 counts": _revision_counts, "09 US share": _revision_share, "32 allies": _all_allies_lines}


@pytest.fixture(scope="module")
def drawn():
    """Every chart, drawn once in the house style (restored afterwards), with the renderer that measured it."""
    figures = {}
    with plt.rc_context():
        charts.apply_style()
        for name, draw in CHARTS.items():
            fig = draw()
            fig.draw_without_rendering()
            figures[name] = fig
    yield figures
    plt.close("all")


def _shown(texts):
    return [t for t in texts if t.get_visible() and t.get_text().strip()]


def _ticks(ax, axis: str):
    """The tick labels drawn (a locator's ticks beyond the axis's ends are not)."""
    which = ax.xaxis if axis == "x" else ax.yaxis
    low, high = sorted(which.get_view_interval())
    eps = 1e-9 * max(1.0, abs(high - low))
    return _shown(t for t, loc in zip(which.get_majorticklabels(), which.get_majorticklocs())
                  if low - eps <= loc <= high + eps)


def _texts(fig):
    """Every text a reader sees: the figure's texts, with only the tick labels that are drawn."""
    ticks = {id(t) for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)
             for t in [*axis.get_majorticklabels(), *axis.get_minorticklabels()]}
    drawn = [t for ax in fig.axes for t in [*_ticks(ax, "x"), *_ticks(ax, "y")]]
    return _shown([t for t in fig.findobj(Text) if id(t) not in ticks] + drawn)


def _box(text: Text, fig):
    return text.get_window_extent(fig.canvas.get_renderer())


def _overlap(a, b) -> bool:
    return (min(a.x1, b.x1) - max(a.x0, b.x0) > TOLERANCE) and (min(a.y1, b.y1) - max(a.y0, b.y0) > TOLERANCE)


def _footnote(fig) -> Text:
    return next(t for t in fig.texts if t.get_text().startswith("Source:"))


@pytest.mark.parametrize("name", list(CHARTS))
def test_no_two_tick_labels_overlap(drawn, name):
    fig = drawn[name]
    for ax in fig.axes:
        for axis in ("x", "y"):
            labels = _ticks(ax, axis)
            boxes = [(_box(t, fig), t.get_text()) for t in labels]
            for i, (a, ta) in enumerate(boxes):
                for b, tb in boxes[i + 1:]:
                    assert not _overlap(a, b), f"{name}: {axis} tick labels {ta!r} and {tb!r} overlap"


@pytest.mark.parametrize("name", list(CHARTS))
def test_no_text_leaves_the_figure(drawn, name):
    fig = drawn[name]
    frame = fig.bbox
    for text in _texts(fig):
        box = _box(text, fig)
        inside = (box.x0 >= frame.x0 - TOLERANCE and box.x1 <= frame.x1 + TOLERANCE
                  and box.y0 >= frame.y0 - TOLERANCE and box.y1 <= frame.y1 + TOLERANCE)
        assert inside, f"{name}: {text.get_text()[:60]!r} leaves the figure ({box} not in {frame})"


@pytest.mark.parametrize("name", list(CHARTS))
def test_axis_labels_ticks_and_legends_stay_off_the_footnote(drawn, name):
    fig = drawn[name]
    note = _box(_footnote(fig), fig)
    for ax in fig.axes:
        others = [ax.xaxis.label, ax.yaxis.label, *_ticks(ax, "x"), *_ticks(ax, "y")]
        if ax.get_legend() is not None:
            others += ax.get_legend().get_texts()
        for text in _shown(others):
            assert not _overlap(_box(text, fig), note), f"{name}: {text.get_text()[:40]!r} is printed on the footnote"


@pytest.mark.parametrize("name", list(CHARTS))
def test_axis_labels_fit_their_axes(drawn, name):
    fig = drawn[name]
    for ax in fig.axes:
        if ax.yaxis.label.get_text():
            assert _box(ax.yaxis.label, fig).height <= ax.bbox.height + TOLERANCE, f"{name}: the y label runs past the plot"
        if ax.xaxis.label.get_text():
            assert _box(ax.xaxis.label, fig).width <= ax.bbox.width + TOLERANCE, f"{name}: the x label runs past the plot"


@pytest.mark.parametrize("name", list(CHARTS))
def test_a_legend_leaves_the_plot_most_of_the_width(drawn, name):
    fig = drawn[name]
    if not any(ax.get_legend() is not None for ax in fig.axes):
        pytest.skip("no legend")
    plot = (max(ax.bbox.x1 for ax in fig.axes) - min(ax.bbox.x0 for ax in fig.axes)) / fig.bbox.width
    assert plot >= 0.55, f"{name}: the plot takes {plot:.0%} of the figure's width"


@pytest.mark.parametrize("name", ["03 counts", "09 counts"])
def test_count_axes_are_ticked_and_labelled_in_whole_numbers(drawn, name):
    ax = drawn[name].axes[0]
    ticks = [float(t.get_text().replace("−", "-")) for t in _ticks(ax, "y")]
    assert ticks and all(t.is_integer() for t in ticks), ticks
    printed = [t.get_text() for t in _shown(ax.texts) if t.get_text()[:1].isdigit()]
    assert all(p.isdigit() for p in printed), printed


def test_an_outlier_bar_does_not_flatten_the_others(drawn):
    fig = drawn["04 growth"]
    ax = fig.axes[0]
    data = _nato()
    by_ally = spending_growth.growth_by_ally_long(spending_growth.growth_by_ally(data=data, year=int(data["year"].max())))
    values = np.sort(by_ally["growth_pct"].dropna().to_numpy())
    assert values[-1] > 1.5 * values[-2]  # the bundled edition's case: Türkiye's nominal growth
    assert ax.get_xlim()[1] < values[-1]  # the axis is cut short of it ...
    assert ax.get_xlim()[1] >= values[-2]  # ... but not short of the next bar
    labels = [t.get_text() for t in ax.texts]
    assert f"{values[-1]:.1f}" in " ".join(labels)  # the cut bar is marked with its value
    who = by_ally.loc[by_ally["growth_pct"].idxmax(), "country_name"]
    assert who in _footnote(fig).get_text() and "cut" in _footnote(fig).get_text()


def test_year_ticks_keep_the_first_and_last_year_when_thinned(drawn):
    for name in ("02 US share", "05 GDP POL", "02 levels"):
        for ax in drawn[name].axes:
            labels = [t.get_text() for t in _ticks(ax, "x")]
            years = sorted(int(y) for y in pd.unique(_nato()["year"]))
            assert labels[0] == str(years[0]) and labels[-1] == str(years[-1]), (name, labels)


def test_bars_over_time_are_never_cut_the_last_year_is_the_news(drawn):
    ax = drawn["04 accession"].axes[0]
    effect = spending_growth.membership_effect(data=_nato(), group="europe_canada", price_basis="constant")
    top = float(spending_growth.membership_effect_long(effect)["growth_pct"].max())
    assert ax.get_ylim()[1] >= top  # 2024's published growth (17.9% in the bundled edition) is drawn whole
    assert "cut" not in _footnote(drawn["04 accession"]).get_text()

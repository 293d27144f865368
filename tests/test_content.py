"""New content of issue 22 (item 7): per-capita and national-currency series and SIPRI's long run in the
profiles, NATO's share-of-GDP against equipment scatter in 03, and the ``*`` marker explained (fast tier)."""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import natoanalysis as na  # noqa: E402
from natoanalysis import charts, reference  # noqa: E402
from natoanalysis.views import profile, tables  # noqa: E402
from natoanalysis.views.selection import marker_notes, paired  # noqa: E402

X, Y = "share_gdp_pct", "equipment_share_pct"


@pytest.fixture(scope="module")
def data():
    return na.load()


def _printed(data, country, indicator, year, basis):
    sel = data.query("country == @country and indicator == @indicator and year == @year and price_basis == @basis")
    [value] = sel["value"].tolist()
    return value


def test_per_capita_is_nato_table_6_at_constant_prices(data):
    t = profile.per_capita(data=data, country="POL")
    assert t["year"].tolist() == list(range(int(data["year"].min()), int(data["year"].max()) + 1))
    assert t.set_index("year").at[2020, "defence_exp_per_capita_usd"] == _printed(
        data, "POL", "defence_exp_per_capita_usd", 2020, "constant")
    base = int(data.query("indicator == 'defence_exp_per_capita_usd'")["base_year"].iloc[0])
    assert t["basis_label"].unique().tolist() == [f"Constant {base} prices and exchange rates"]
    assert profile.per_capita(data=data, country="ISL").empty


def test_national_currency_table_names_the_currency_its_source_and_estimates(data, tmp_path, monkeypatch):
    monkeypatch.setenv("NATOANALYSIS_TABLE_DIR", str(tmp_path))
    own = profile.national_currency(data=data, country="POL")
    assert own.set_index("year").at[2022, "defence_exp_ncu"] == _printed(data, "POL", "defence_exp_ncu", 2022, "current")
    note = profile.table_note(table=own, price_basis="current prices, million Zlotys")
    shown = tables.show(own, name="POL_national_currency", notes=[note])
    page = shown._repr_html_()
    assert "<th class=\"text\">Currency</th>" in page and page.count(">Zlotys<") == len(own) == 11
    edition = str(data["edition"].iloc[0])
    estimates = sorted(int(y) for y in own.loc[own["is_estimate"], "year"])
    assert estimates and f"edition {edition}; defence expenditure (NATO definition); current prices, million Zlotys. " \
        f"{estimates[0]} and {estimates[-1]} are estimates." in page
    assert profile.national_currency(data=data, country="ISL").empty


def test_croatia_euro_adoption_is_noted_and_not_mixed(data):
    own = profile.national_currency(data=data, country="HRV")
    assert set(own["currency"]) == {"Euros"} and own["year"].min() < 2023
    [note] = profile.currency_notes(table=own, country="HRV")
    change = reference.currency_changes().set_index("country").loc["HRV"]
    assert note.startswith(f"Currency: Croatia changed from {change['old_currency']} to Euros in {change['year']}; "
                           "the edition prints every year in Euros, the years before 2023 restated.")
    assert change["source"] in note
    # Two currencies in one table: each figure keeps its own, and the note says so.
    two = own.assign(currency=np.where(own["year"] < 2023, "Kuna", "Euros"))
    assert "each year is shown in the currency the edition prints it in (Euros and Kuna)" in \
        profile.currency_notes(table=two, country="HRV")[0]
    assert profile.currency_notes(table=own.query("year >= 2023"), country="HRV") == []


def test_sipri_long_run_is_sipri_alone_with_its_gaps():
    sipri = na.load(source="sipri")
    prt = profile.sipri_share(data=sipri, country="PRT")
    printed = sipri.query("country == 'PRT' and indicator == 'share_gdp_pct'").dropna(subset=["value"])
    assert prt.dropna()["share_gdp_pct"].tolist() == printed.sort_values("year")["value"].tolist()
    # SIPRI has no figure for 1951-1952: the gap stays, so a line does not bridge it
    assert prt.loc[prt["share_gdp_pct"].isna(), "year"].tolist() == [1951, 1952]
    facts = prt.attrs["provenance"].sources
    assert [f.source for f in facts] == ["sipri"] and facts[0].definition == "military expenditure (SIPRI definition)"
    assert profile.sipri_share(data=sipri, country="ISL").empty


def test_the_marker_is_explained_from_the_reference_file(data):
    meaning = reference.read("note_markers.csv").set_index("marker").at["*", "meaning"]
    assert marker_notes(["*", "", "*"]) == [f"* marks {meaning}."]
    pol = profile.profile_markdown(data=data, country="POL")
    assert f"- NATO marks Poland with an asterisk (*) in Tables 1, 2 and 3: {meaning}" in pol
    assert "asterisk" not in profile.profile_markdown(data=data, country="DEU")


@pytest.fixture(scope="module")
def scatter(data):
    charts.apply_style()
    points = paired(data, x=X, y=Y)
    g = na.guidelines().set_index("guideline")["threshold_pct"]
    fig = charts.quadrant_scatter(points, x=X, y=Y, label="country", x_at=g["nato_2pct"],
                                  y_at=g["nato_equipment_20pct"], title="T", xlabel="x", ylabel="y",
                                  x_line_label="2% guideline", y_line_label="20% guideline")
    fig.canvas.draw()
    yield points, g, fig
    plt.close(fig)


def test_scatter_points_are_the_views_values(data, scatter):
    points, _, fig = scatter
    last = int(data["year"].max())
    both = points.dropna(subset=[X, Y])
    assert len(both) == 31 and "ISL" not in set(both["country"])
    assert points.set_index("country").at["ITA", Y] == _printed(data, "ITA", Y, last, "")
    drawn = fig.axes[0].collections[0].get_offsets()
    assert np.array_equal(np.asarray(drawn), both[[X, Y]].to_numpy())


def test_scatter_counts_each_quadrant_as_a_direct_computation(data, scatter):
    points, g, fig = scatter
    last = int(data["year"].max())
    wide = data.query("year == @last and not is_aggregate and indicator in [@X, @Y]").pivot(
        index="country", columns="indicator", values="value").dropna()
    two, twenty = wide[X] >= g["nato_2pct"], wide[Y] >= g["nato_equipment_20pct"]
    direct = {"both": int((two & twenty).sum()), "x_only": int((two & ~twenty).sum()),
              "y_only": int((~two & twenty).sum()), "neither": int((~two & ~twenty).sum())}
    counts = charts.quadrant_counts(points, x=X, y=Y, x_at=g["nato_2pct"], y_at=g["nato_equipment_20pct"])
    assert counts == direct and sum(counts.values()) == 31
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert f"{direct['both']} allies: both guidelines" in texts
    assert f"{direct['neither']} allies: neither" in texts


def test_every_ally_is_labelled_once_with_its_marker_and_no_labels_overlap(scatter):
    points, _, fig = scatter
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    shown = points.dropna(subset=[X, Y])
    expected = sorted(c + m for c, m in zip(shown["country"], shown["note_marker"]))
    labels = [t for t in ax.texts if t.get_text() in expected]
    assert sorted(t.get_text() for t in labels) == expected and "POL*" in expected and "DEU" in expected
    boxes = [t.get_window_extent(renderer) for t in ax.texts]  # the allies' labels and the quadrant counts
    for (i, a), (j, b) in itertools.combinations(enumerate(boxes), 2):
        assert not a.overlaps(b), f"{ax.texts[i].get_text()!r} overlaps {ax.texts[j].get_text()!r}"
    for t, box in zip(ax.texts, boxes):
        assert ax.bbox.contains(box.x0, box.y0) and ax.bbox.contains(box.x1, box.y1), t.get_text()
    # and no label covers another ally's point
    centres = ax.transData.transform(shown[[X, Y]].to_numpy())
    for t in labels:
        box = t.get_window_extent(renderer)
        covered = [c for c, p in zip(shown["country"], centres) if box.contains(*p)]
        assert covered == [], f"{t.get_text()} covers {covered}"


def test_scatter_footnote_names_source_and_explains_the_marker(data, scatter):
    _, _, fig = scatter
    note = " ".join(fig.texts[-1].get_text().split())
    assert f"edition {data['edition'].iloc[0]}" in note and "is an estimate" in note
    assert marker_notes(["*"])[0] in note


def test_paired_refuses_an_indicator_with_two_price_bases(data):
    with pytest.raises(ValueError, match="more than one figure per ally"):
        paired(data, x="defence_exp_usd", y=Y)


def test_a_scatter_without_points_is_refused_in_one_line(data):
    empty = paired(data, x=X, y=Y).assign(**{X: float("nan")})
    with pytest.raises(ValueError, match=r"^no row has both share_gdp_pct and equipment_share_pct; accepted"):
        charts.quadrant_scatter(empty, x=X, y=Y, label="country", x_at=2.0, y_at=20.0, title="T", xlabel="x",
                                ylabel="y", x_line_label="2%", y_line_label="20%")

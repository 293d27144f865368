"""House style: the source footnote fits the figure line by line, with full lines and the given breaks kept."""

from __future__ import annotations

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from natoanalysis import charts  # noqa: E402

ROWS = pd.DataFrame({"source": ["nato"] * 2, "edition": ["2024-06"] * 2, "year": [2023, 2024],
                     "is_estimate": [True, True]})
LONG = ("Iceland has no armed forces and is not shown; Luxembourg's GDP is gross national income from 2023, "
        "so its shares are not comparable. NATO TOTAL, NATO EUROPE AND CANADA: 2014-2024e, US$ 1,185,000 MILLION "
        "(CURRENT PRICES), WWWW MMMM 8888 2024-06.")


def _line_width(fig, note, line: str) -> float:
    probe = fig.text(*note.get_position(), line, fontsize=note.get_fontsize())
    width = probe.get_window_extent(fig.canvas.get_renderer()).width
    probe.remove()
    return width


@pytest.mark.parametrize("width_in", [4.0, 9.0])
def test_a_long_footnote_is_wrapped_to_full_lines_inside_the_figure(width_in):
    fig = plt.figure(figsize=(width_in, 4))
    text = charts.footnote(fig, data=ROWS, extra=LONG)
    note = fig.texts[-1]
    lines = note.get_text().split("\n")
    assert " ".join(lines) == text  # every word, in order, only the spaces at the breaks changed
    assert len(lines) >= 2
    available = 0.98 * fig.bbox.width
    x0 = note.get_window_extent(fig.canvas.get_renderer()).x0
    for line, following in zip(lines, lines[1:] + [None]):
        width = _line_width(fig, note, line)
        assert x0 + width <= fig.bbox.x1  # inside the figure
        assert width <= available + 0.5
        if following is not None:  # full: the next word would not have fitted
            assert _line_width(fig, note, f"{line} {following.split()[0]}") > available - 0.5
    plt.close(fig)


def test_a_short_footnote_stays_on_one_line_and_given_breaks_are_kept():
    fig = plt.figure(figsize=(9, 5))
    text = charts.footnote(fig, data=ROWS)
    assert fig.texts[-1].get_text() == text == ("Source: NATO, Defence Expenditure of NATO Countries (2014-2024), edition "
                                                 "2024-06; constant prices are 2015 prices. 2023 and 2024 are estimates.")
    fig2 = plt.figure(figsize=(9, 5))
    charts.footnote(fig2, data=ROWS, extra="One.\nTwo.")
    assert fig2.texts[-1].get_text().split("\n") == [f"{text} One.", "Two."]
    plt.close(fig)
    plt.close(fig2)


# --- what a reader sees in the charts: ticks, labels, paths, colours, legends ------------------------------------

import matplotlib.colors as mcolors  # noqa: E402

import natoanalysis as na  # noqa: E402
from natoanalysis.views import profile  # noqa: E402

NATO_ROWS = pd.DataFrame({"source": ["nato"] * 2, "edition": ["2024-06"] * 2, "year": [2023, 2024],
                          "is_estimate": [True, True], "price_basis": ["constant"] * 2, "base_year": [2015] * 2})


def _draw(fig):
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def test_year_ticks_run_from_the_first_to_the_last_year():
    path = profile.pathway(data=na.load(), country="ITA")
    fig = charts.line_chart(path, y="share_gdp_pct", series="series", title="T", ylabel="%", provenance=NATO_ROWS)
    _draw(fig)
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels[0] == "2014" and labels[-1] == "2035" and "2013" not in labels and "2034" not in labels
    plt.close(fig)


def test_a_reference_line_label_sits_inside_the_axes_off_the_data():
    # A line that runs along the 3.5% reference at the right end, where a label would first go, and at the left.
    years = list(range(2014, 2036))
    t = pd.DataFrame({"year": years, "v": [3.55 if y < 2018 or y > 2030 else 2.0 for y in years], "s": "USA"})
    fig = charts.line_chart(t, y="v", series="s", title="T", ylabel="%", provenance=NATO_ROWS,
                            reference_lines={"3.5% core target": 3.5, "2% guideline": 2.0})
    renderer = _draw(fig)
    ax = fig.axes[0]
    line = next(l for l in ax.get_lines() if l.get_gid() != "reference")
    data_path = line.get_transform().transform_path(line.get_path())
    for text in ax.texts:
        if text.get_text() not in ("3.5% core target", "2% guideline"):
            continue
        box = text.get_window_extent(renderer)
        assert ax.bbox.contains(box.x0, box.y0) and ax.bbox.contains(box.x1, box.y1), text.get_text()
        assert not data_path.intersects_bbox(box, filled=False), f"{text.get_text()} covers the data"
    plt.close(fig)


def test_no_path_to_target_is_drawn_for_an_ally_above_it():
    pol = profile.pathway(data=na.load(), country="POL")
    assert set(pol["series"]) == {"Published"} and pol.attrs["above_target"]
    ita = profile.pathway(data=na.load(), country="ITA")
    assert set(ita["series"]) == {"Published", "Path to target"} and not ita.attrs["above_target"]


def test_negative_bars_have_their_own_colour():
    t = pd.DataFrame({"name": ["A", "B"], "gap": [-0.6, 1.4]})
    fig = charts.ranked_bars(t, value="gap", label="name", title="T", xlabel="points", provenance=NATO_ROWS)
    bars = {p.get_width() < 0: mcolors.to_hex(p.get_facecolor()) for p in fig.axes[0].patches}
    assert bars[True] == charts.PALETTE["negative"] and bars[False] == charts.PALETTE["ally"]
    plt.close(fig)


def test_grouped_bars_print_their_values_and_shade_estimate_years():
    t = pd.DataFrame({"year": [2023, 2023, 2024, 2024], "m": ["real", "nominal"] * 2, "g": [0.12, 2.5, -1.0, 3.0]})
    fig = charts.grouped_bars(t, x="year", series="m", value="g", title="T", ylabel="%", provenance=NATO_ROWS,
                              value_format="{:+.2f}")
    ax = fig.axes[0]
    printed = sorted(x.get_text() for x in ax.texts if x.get_text() != "estimates")
    assert printed == ["+0.12", "+2.50", "+3.00", "-1.00"]
    assert any(x.get_text() == "estimates" for x in ax.texts)
    legend = ax.get_legend().get_window_extent(_draw(fig))
    assert legend.x0 >= ax.bbox.x1  # outside the plot
    plt.close(fig)


def test_crowded_category_labels_under_vertical_bars_are_turned_upright_and_do_not_overlap():
    names = [na.countries().set_index("iso3").loc[c, "name"] for c in ("GBR", "MKD", "USA", "CZE", "NLD", "DEU", "FRA", "ITA")]
    t = pd.DataFrame({"ally": names * 2, "m": ["a"] * 8 + ["b"] * 8, "g": [float(i) for i in range(16)]})
    fig = charts.grouped_bars(t, x="ally", series="m", value="g", title="T", ylabel="%", value_format=None,
                              provenance=NATO_ROWS)
    renderer = _draw(fig)
    labels = [x for x in fig.axes[0].get_xticklabels() if x.get_text()]
    assert sorted(x.get_text() for x in labels) == sorted(names)
    assert {x.get_rotation() for x in labels} == {90.0}
    boxes = sorted((x.get_window_extent(renderer) for x in labels), key=lambda b: b.x0)
    assert all(a.x1 <= b.x0 for a, b in zip(boxes, boxes[1:]))
    assert all(fig.bbox.contains(b.x0, b.y0) for b in boxes)  # inside the figure, not cut off at its foot
    plt.close(fig)


def test_composition_bars_shade_estimate_years():
    t = pd.DataFrame({"year": [2022, 2023, 2024] * 2, "c": ["a"] * 3 + ["b"] * 3, "v": [30.0, 40, 50, 70, 60, 50]})
    fig = charts.stacked_bars(t, x="year", part="c", value="v", title="T", ylabel="%", provenance=NATO_ROWS)
    spans = [p for p in fig.axes[0].patches if p.get_alpha() is not None and abs(p.get_alpha() - 0.18) < 1e-9]
    assert len(spans) == 1 and any(x.get_text() == "estimates" for x in fig.axes[0].texts)
    plt.close(fig)


def test_many_lines_keep_to_the_house_palette():
    t = pd.DataFrame({"year": [2020, 2021] * 10, "c": [f"c{i // 2}" for i in range(20)], "v": range(20)})
    fig = charts.line_chart(t, y="v", series="c", title="T", ylabel="%", provenance=NATO_ROWS, markers=False)
    used = {mcolors.to_hex(l.get_color()) for l in fig.axes[0].get_lines()}
    assert used <= set(charts.SERIES_COLORS) and len(used) == 10
    plt.close(fig)


def test_counts_are_labelled_and_ticked_in_whole_numbers():
    import matplotlib.pyplot as plt

    from natoanalysis import charts

    rows = pd.DataFrame({"source": ["nato"], "edition": ["2024-06"], "year": [2024], "is_estimate": [True]})
    counts = pd.DataFrame({"year": [2023, 2023, 2024, 2024], "guideline": ["2%", "3.5%"] * 2, "n_allies": [11, 1, 23, 3]})
    fig = charts.grouped_bars(counts, x="year", series="guideline", value="n_allies", title="T", ylabel="Allies",
                              provenance=rows)
    ax = fig.axes[0]
    assert sorted(t.get_text() for t in ax.texts if t.get_text()[:1].isdigit()) == ["1", "11", "23", "3"]
    fig.canvas.draw()
    assert all(float(t).is_integer() for t in ax.get_yticks())
    line = charts.line_chart(counts, y="n_allies", series="guideline", title="T", ylabel="Allies", provenance=rows)
    line.canvas.draw()
    assert all(float(t).is_integer() for t in line.axes[0].get_yticks())
    plt.close("all")


def test_save_writes_the_values_drawn_and_shows_the_image_with_its_alt_text_and_links(tmp_path, monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    monkeypatch.delenv("NATOANALYSIS_FIGURE_HREF", raising=False)
    table = pd.DataFrame({"name": ["Poland", "Spain", "Estonia"], "year": [2024] * 3, "pct": [4.12, 1.28, 3.43]})
    fig = charts.ranked_bars(table, value="pct", label="name", title="Share of GDP, 2024", xlabel="% of GDP",
                             provenance=ROWS, threshold_pct=2.0, threshold_label="2% guideline")
    paths = charts.save(fig, "share gdp", directory=tmp_path / "figures", show=True)
    assert [p.name for p in paths] == ["share_gdp.png", "share_gdp.svg", "share_gdp.csv"]
    # Exactly the bars, top first, with their columns' names: no other column of the table.
    assert paths[2].read_text().splitlines() == ["name,pct", "Poland,4.12", "Estonia,3.43", "Spain,1.28"]
    image, links = shown
    assert image.data == paths[0].read_bytes()
    assert image.alt == ("Chart: Share of GDP, 2024. 3 horizontal bars, largest at the top, % of GDP, from Poland "
                         "(4.12) to Spain (1.28); a line at 2 (2% guideline).")
    assert links.data == ("[PNG](figures/share_gdp.png) · [SVG](figures/share_gdp.svg) · "
                          "[CSV (data drawn)](figures/share_gdp.csv)")
    monkeypatch.setenv("NATOANALYSIS_FIGURE_HREF", "../figures/01_x")  # the runner's pages are in html/
    fig = charts.line_chart(table.assign(year=[2014, 2024, 2019]), y="pct", series="name", title="Shares",
                            ylabel="% of GDP", provenance=ROWS, reference_lines={"2% guideline": 2.0})
    charts.save(fig, "lines", directory=tmp_path / "figures", show=True)
    assert shown[2].alt == ("Chart: Shares, 2014 to 2024. 3 lines, % of GDP, by year: Poland, Spain, Estonia; a line "
                            "at 2 (2% guideline).")
    assert shown[3].data.startswith("[PNG](../figures/01_x/lines.png) · ")


def test_a_figure_not_made_here_is_saved_without_data_and_alt_text_from_its_title(tmp_path, monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    fig, ax = plt.subplots()
    ax.plot([2014, 2024], [1.4, 2.0])
    ax.set_title("Own chart")
    assert [p.suffix for p in charts.save(fig, "own", directory=tmp_path, show=True)] == [".png", ".svg"]
    assert shown[0].alt == "Chart: Own chart" and "CSV" not in shown[1].data

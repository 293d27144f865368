"""The report site's explorer and tile map: the records and the Vega-Lite spec, the static tile map, and the page in
headless Chromium with the network cut (allies picked on the tile map change the chart, the table and the CSV).

The page is written by :func:`natoanalysis.reports.home.write_explorer` into a temporary folder, over the bundled
edition or over a data folder holding two more editions (the replicas of tests/replicas.py), as a run writes it.
"""

from __future__ import annotations

import json
import shutil
import time
import urllib.parse

import matplotlib.pyplot as plt
import pandas as pd
import pytest

import natoanalysis as na
from natoanalysis import charts
from natoanalysis.charts import explorer as chart
from natoanalysis.reports import home
from natoanalysis.views import explorer, labels

from .conftest import REPO


@pytest.fixture(scope="module")
def data():
    return na.load()


# --- the data and the specification --------------------------------------------------------------------------

def test_records_hold_every_figure_of_the_allies_as_published(data):
    series = explorer.records(data=data)
    rows = explorer.rows(series)
    allies = data[~data["is_aggregate"] & data["value"].notna()]
    assert len(rows) == len(allies)
    last = int(data["year"].max())
    fra = rows[(rows["country"] == "FRA") & (rows["indicator"] == "share_gdp_pct") & (rows["year"] == last)]
    expected = allies.query("country == 'FRA' and indicator == 'share_gdp_pct' and year == @last")
    assert fra["value"].item() == expected["value"].item() and fra["is_estimate"].item() == bool(
        expected["is_estimate"].item())
    pol = rows[(rows["country"] == "POL") & (rows["indicator"] == "defence_exp_usd")].set_index(["price_basis", "year"])
    assert pol.loc[("constant", last), "base_year"] == labels.base_year(data)
    assert pd.isna(pol.loc[("current", last), "base_year"]) and not pol["only_basis"].any()
    ncu = rows[(rows["country"] == "POL") & (rows["indicator"] == "defence_exp_ncu")]
    assert set(ncu["unit"]) == {"million Zlotys"}
    assert "ISL" not in set(rows.loc[rows["indicator"] == "defence_exp_usd", "country"])


def test_spec_names_each_series_footnote_and_picks_the_largest_spenders(data):
    import altair as alt

    spec = chart.explorer_spec(data=data)
    alt.HConcatChart.from_dict(spec)  # valid Vega-Lite (explorer_spec itself skips the schema check)
    ed = str(data["edition"].iloc[0])
    assert [p["name"] for p in spec["params"]] == ["allies", "indicator", "basis", "edition"]
    by_name = {p["name"]: p for p in spec["params"]}
    assert "bind" not in by_name["edition"] and by_name["edition"]["value"] == ed  # one edition: no widget
    assert by_name["indicator"]["bind"]["options"][0] == "share_gdp_pct"
    usd = data.query("indicator == 'defence_exp_usd' and price_basis == 'current' and not is_aggregate "
                     "and year == year.max()").nlargest(4, "value")["country"].tolist()
    assert [v["country"] for v in by_name["allies"]["select"].get("value", by_name["allies"].get("value"))] == usd
    note = spec["usermeta"]["notes"][f"{ed}|defence_exp_usd|current"]
    assert note.startswith(f"Source: {labels.publication(data)}, edition {ed}; {labels.definition(data)}")
    assert f"{labels.years_text(labels.estimate_years(data))} are estimates" in note
    assert note.endswith("Current prices and exchange rates; unit: million US dollars.")
    tiles = {t["country"]: t for t in spec["datasets"]["tiles"]}
    assert tiles["ISL"]["value"] is None and tiles["POL"]["value"] == data.query(
        "country == 'POL' and indicator == 'share_gdp_pct' and year == year.max()")["value"].item()


def test_the_tile_grid_places_every_ally_once():
    grid = pd.read_csv(REPO / "natoanalysis" / "reference" / "tile_grid.csv")
    assert sorted(grid["iso3"]) == sorted(na.countries()["iso3"]) and not grid.duplicated(["row", "col"]).any()


def test_static_tile_map_labels_each_ally_with_its_share_and_iceland_in_grey(data, tmp_path):
    table = explorer.tiles(data=data)
    charts.apply_style()
    fig = charts.tile_map(table)
    texts = {t.get_text().split("\n")[0]: t.get_text() for t in fig.axes[0].texts}
    pol = table.set_index("country").at["POL", "value"]
    assert texts["POL"] == f"POL\n{pol:.2f}%" and texts["ISL"] == "ISL\nno armed\nforces" and len(texts) == 32
    grey = [p for p in fig.axes[0].patches if p.get_facecolor()[:3] == pytest.approx((0xd9 / 255,) * 3)]
    assert len(grey) == 1
    assert f"edition {labels.edition(data)}" in fig.texts[-1].get_text()
    assert fig.axes[0].get_title(loc="left").endswith(labels.year_label(data, int(data["year"].max())))
    fig.canvas.draw()
    inside = fig.bbox
    assert all(inside.contains(*t.get_window_extent().p0) and inside.contains(*t.get_window_extent().p1)
               for t in fig.axes[0].texts)
    png, svg, csv = charts.save(fig, "tile_map", directory=tmp_path)
    assert png.stat().st_size > 0 and "POL" in svg.read_text()
    drawn = pd.read_csv(csv).set_index("country")  # the values drawn, beside the images
    assert len(drawn) == 32 and drawn.at["POL", "value"] == pytest.approx(pol) and pd.isna(drawn.at["ISL", "value"])
    plt.close(fig)


# --- the home page's cards -------------------------------------------------------------------------------------

def test_home_cards_show_the_latest_share_and_a_sparkline_not_a_thumbnail(data, tmp_path):
    profiles = [{"name": f"05_country_profile_{c}", "title": "Country profile", "summary": "", "status": "ok",
                 "href": f"html/05_country_profile_{c}.html", "country": c, "country_name": na.countries().set_index(
                     "iso3").at[c, "name"], "armed": c != "ISL"} for c in ("ISL", "POL")]
    manifest = {"run_id": "r1", "status": "complete", "notebooks": [], "editions": {"nato": labels.edition(data)}}
    page = home.render(manifest, reports=[], profiles=profiles, data=lambda: data, tile_map="figures/home/tile_map.png",
                       explorer="explorer.html")
    last = int(data["year"].max())
    pol = data.query("country == 'POL' and indicator == 'share_gdp_pct' and year == @last")["value"].item()
    card = page.split('href="html/05_country_profile_POL.html">', 1)[1].split("</a>", 1)[0]
    assert f'<strong class="latest">{pol:.2f}%</strong> <small>{labels.year_label(data, last)}</small>' in card
    assert card.count("<polyline") == 2 and 'class="estimate"' in card and "<title>Share of GDP: " in card
    iceland = page.split('href="html/05_country_profile_ISL.html">', 1)[1].split("</a>", 1)[0]
    assert "no armed forces" in iceland and "<svg" not in iceland
    assert "<img src=\"figures/home/tile_map.png\"" in page and 'href="explorer.html"' in page
    assert "thumbs/" not in page and f"edition {labels.edition(data)}" in page.split("Each card:", 1)[1]


# --- the page in a browser -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def editions_root(tmp_path_factory):
    """A data folder holding the bundled edition and the replicas of the 2025 and 2026 layouts."""
    from natoanalysis.pipeline import ingest

    from .replicas import write_replica

    base = tmp_path_factory.mktemp("explorer-editions")
    root = base / "data"
    shutil.copytree(REPO / "data" / "raw", root / "raw")
    for edition in ("2025-08", "2026-07"):
        ingest(write_replica(base / f"{edition}.xlsx", edition=edition).path, source="nato", data_dir=root)
    return root


@pytest.mark.slow
def test_every_edition_is_offered_with_its_own_footnote(editions_root):
    data = na.load(edition="all", data_dir=editions_root)
    spec = chart.explorer_spec(data=data)
    edition = {p["name"]: p for p in spec["params"]}["edition"]
    assert edition["bind"]["options"] == ["2026-07", "2025-08", "2024-06"] and edition["value"] == "2026-07"
    notes = spec["usermeta"]["notes"]
    for ed in ("2024-06", "2026-07"):
        rows = data[data["edition"] == ed]
        assert f"{labels.definition(rows)}; constant prices are {labels.base_year(rows)} prices" in \
            notes[f"{ed}|share_gdp_pct|constant"]
    assert {r["edition"] for r in spec["datasets"]["series"]} == {"2024-06", "2025-08", "2026-07"}


def _eval(page, expression: str):
    return page.call("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")


def _until(page, expression: str, *, deadline_s: float = 30):
    """The value of ``expression`` once it is truthy (the chart draws after the page's load event)."""
    end = time.monotonic() + deadline_s
    while not (value := _eval(page, expression)):
        assert time.monotonic() < end, f"never true: {expression}"
        time.sleep(0.1)
    return value


SHOWN = """JSON.stringify({
  lines: document.querySelectorAll('#explorer g.mark-line path').length,
  points: Array.from(document.querySelectorAll('#explorer g.mark-symbol path')).map(p => p.getAttribute('aria-label'))
    .filter(label => label && label.includes('Ally: ')),
  rows: Array.from(document.querySelectorAll('#selection tbody tr')).map(tr => tr.firstChild.textContent),
  head: Array.from(document.querySelectorAll('#selection thead th')).map(th => th.textContent),
  csv: decodeURIComponent(document.getElementById('csv').getAttribute('href').split(',').slice(1).join(',')),
  note: document.getElementById('footnote').textContent})"""


def _click_tile(page, name: str) -> None:
    """Click the tile of ``name`` as a reader does: a mouse press and release at its centre."""
    box = json.loads(_eval(page, f"""JSON.stringify((() => {{
        const tile = Array.from(document.querySelectorAll('#explorer g.mark-rect path'))
            .find(p => (p.getAttribute('aria-label') || '').includes('Ally: {name};'));
        const r = tile.getBoundingClientRect(); return {{x: r.x + r.width / 2, y: r.y + r.height / 2}}; }})())"""))
    for kind in ("mousePressed", "mouseReleased"):
        page.call("Input.dispatchMouseEvent", type=kind, x=box["x"], y=box["y"], button="left", clickCount=1)


@pytest.mark.slow
def test_explorer_works_offline_and_follows_the_allies_picked(browser, editions_root, tmp_path):
    page, proxy = browser
    data = na.load(edition="all", data_dir=editions_root)
    assert home.write_explorer(tmp_path, data_dir=editions_root) == "explorer.html"
    before = len(proxy.attempts)
    seen = page.open((tmp_path / "explorer.html").resolve().as_uri())
    assert [u for u in seen["requests"] if not u.startswith(("file:", "data:"))] == []
    assert {urllib.parse.urlparse(u).path.rsplit("/", 1)[-1] for u in seen["requests"]} >= {"vega-embed.js"}
    shown = json.loads(_until(page, f"document.querySelectorAll('#selection tbody tr').length && ({SHOWN})"))
    first = chart._first_allies(data)
    names = sorted(data.set_index("country")["country_name"].drop_duplicates().loc[first])
    assert shown["lines"] == len(first) and shown["rows"] == names
    newest = data[data["edition"] == "2026-07"]
    years = sorted(newest["year"].unique())
    assert len(shown["points"]) == len(first) * len(years)
    assert shown["head"] == ["Ally"] + [labels.year_label(newest, int(y)) for y in years]
    fra = newest.query("country == 'FRA' and indicator == 'share_gdp_pct' and year == @years[-1]")["value"].item()
    tooltip = f"Ally: France; Year: {years[-1]}; Value: {fra:.2f} percent of GDP; Figure: estimate"
    assert sum(label.endswith(tooltip) for label in shown["points"]) == 1
    assert shown["note"].startswith("Source: ") and "edition 2026-07" in shown["note"]
    csv = pd.read_csv(__import__("io").StringIO(shown["csv"]))
    assert list(csv.columns) == list(explorer.SERIES + explorer.VALUES) and len(csv) == len(first) * len(years)

    _click_tile(page, "Poland")
    after = json.loads(_until(page, f"document.querySelectorAll('#selection tbody tr').length == {len(first) + 1} "
                                    f"&& ({SHOWN})"))
    assert after["lines"] == len(first) + 1 and "Poland" in after["rows"] and "POL" in set(
        pd.read_csv(__import__("io").StringIO(after["csv"]))["country"])
    _click_tile(page, "Poland")  # a second click takes it off again
    again = json.loads(_until(page, f"document.querySelectorAll('#selection tbody tr').length == {len(first)} "
                                    f"&& ({SHOWN})"))
    assert again["rows"] == names and again["lines"] == len(first)
    # The indicator widget (Vega's own binding): the chart, the table and the footnote follow it.
    _eval(page, "(() => { const s = document.querySelector('#controls select'); s.value = 'defence_exp_usd';"
                " s.dispatchEvent(new Event('change')); })()")
    usd = json.loads(_until(page, f"document.getElementById('footnote').textContent.includes('US dollars') && ({SHOWN})"))
    value = newest.query("country == 'FRA' and indicator == 'defence_exp_usd' and price_basis == 'constant' "
                         "and year == @years[-1]")["value"].item()
    assert any(label.endswith(f"Ally: France; Year: {years[-1]}; Value: {value:,.0f} million US dollars; Figure: "
                              "estimate") for label in usd["points"])
    assert usd["note"].endswith(f"Constant {labels.base_year(newest)} prices and exchange rates; unit: million US "
                                "dollars.") and usd["rows"] == names
    assert [a for a in proxy.attempts[before:] if "example" in a or "cdn" in a] == []
    assert seen["console_errors"] == []

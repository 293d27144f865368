"""SIPRI: the tidy table holds exactly what the workbook prints, colours and markers included.

Expected values are read here straight from the official workbook with openpyxl
(once per session) and mapped with a hand-written name list, not through the
package's reader or registry.
"""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pandas as pd
import pytest

import natoanalysis as na
from natoanalysis.extract import transcript
from natoanalysis.transform.sipri import tidy as tidy_sipri
from natoanalysis.errors import LayoutError

from .conftest import REPO, SIPRI_XLSX, require

RAW_SIPRI = REPO / "data" / "raw" / "sipri" / "2025-04"
BLUE, RED = 12, 10  # Excel indexed colours SIPRI uses (legend: blue = estimate, red = highly uncertain)

# The 35 kept countries as SIPRI prints them, written out by hand.
KEPT = {
    "Albania": "ALB", "Belgium": "BEL", "Bulgaria": "BGR", "Canada": "CAN", "Croatia": "HRV", "Czechia": "CZE",
    "Denmark": "DNK", "Estonia": "EST", "Finland": "FIN", "France": "FRA", "Germany": "DEU", "Greece": "GRC",
    "Hungary": "HUN", "Iceland": "ISL", "Italy": "ITA", "Latvia": "LVA", "Lithuania": "LTU", "Luxembourg": "LUX",
    "Montenegro": "MNE", "Netherlands": "NLD", "North Macedonia": "MKD", "Norway": "NOR", "Poland": "POL",
    "Portugal": "PRT", "Romania": "ROU", "Slovakia": "SVK", "Slovenia": "SVN", "Spain": "ESP", "Sweden": "SWE",
    "Türkiye": "TUR", "United Kingdom": "GBR", "United States of America": "USA", "Russia": "RUS",
    "Ukraine": "UKR", "China": "CHN",
}
# sheet -> (indicator, price basis, factor applied to the printed number)
SHEETS = {
    "Local currency financial years": ("defence_exp_ncu_fy", "current", lambda x: x * 1.0 / 1e6),
    "Local currency calendar years": ("defence_exp_ncu", "current", lambda x: x * 1.0 / 1e6),
    "Constant (2023) US$": ("defence_exp_usd", "constant", lambda x: x * 1.0 / 1.0),
    "Current US$": ("defence_exp_usd", "current", lambda x: x * 1.0 / 1.0),
    "Share of GDP": ("share_gdp_pct", "current", lambda x: x * 100.0 / 1.0),
    "Per capita": ("defence_exp_per_capita_usd", "current", lambda x: x * 1.0 / 1.0),
    "Share of Govt. spending": ("share_govt_spending_pct", "current", lambda x: x * 100.0 / 1.0),
}


@dataclasses.dataclass
class Published:
    """Cells of the kept rows, by (sheet, ISO3 or region, year)."""

    cells: dict[tuple[str, str, int], tuple[object, int | None]]  # value, indexed font colour
    regional: dict[tuple[str, int, str], tuple[object, int | None]]  # (region name, year, basis)


def _colour(cell) -> int | None:
    color = cell.font.color if cell.font is not None else None
    return color.indexed if color is not None and color.type == "indexed" else None


@pytest.fixture(scope="session")
def published() -> Published:
    import openpyxl
    wb = openpyxl.load_workbook(require(SIPRI_XLSX), data_only=True)
    cells = {}
    for name in SHEETS:
        ws = wb[name]
        header = next(r for r in ws.iter_rows() if r[0].value == "Country")
        years = {c.column: int(c.value) for c in header if isinstance(c.value, int)}
        for row in ws.iter_rows(min_row=header[0].row + 1):
            code = KEPT.get(row[0].value)
            if code is None:
                continue
            for c in row:
                if c.column in years:
                    cells[(name, code, years[c.column])] = (c.value, _colour(c))
    ws = wb["Regional totals"]
    header = next(r for r in ws.iter_rows() if r[0].value == "Region")
    cols = {c.column: (int(c.value), "constant") for c in header if isinstance(c.value, int)}
    cols.update({c.column: (int(str(c.value)[:4]), "current") for c in header
                 if isinstance(c.value, str) and "current prices" in c.value})
    regional = {}
    for row in ws.iter_rows(min_row=header[0].row + 1):
        if row[0].value is None:
            continue
        for c in row:
            if c.column in cols:
                regional[(row[0].value, *cols[c.column])] = (c.value, _colour(c))
    return Published(cells, regional)


@pytest.fixture(scope="session")
def sipri() -> pd.DataFrame:
    return na.load(source="sipri")


def test_load_returns_the_tidy_schema_for_the_april_2025_release(sipri):
    assert sipri["edition"].unique().tolist() == ["2025-04"]
    assert sipri["source"].unique().tolist() == ["sipri"]
    nato_cols = list(na.load().columns)
    assert list(sipri.columns[:len(nato_cols)]) == nato_cols
    assert {"is_uncertain", "missing_reason", "fiscal_year", "sipri_region"} <= set(sipri.columns)
    countries = set(sipri.loc[~sipri["is_aggregate"], "country"])
    assert countries == set(KEPT.values())
    assert sipri["year"].min() == 1949 and sipri["year"].max() == 2024
    assert set(sipri.loc[(sipri["indicator"] == "defence_exp_usd") & (sipri["price_basis"] == "constant"),
                         "base_year"]) == {2023}


@pytest.mark.slow
def test_per_country_values_round_trip_exactly(sipri, published):
    countries = sipri[~sipri["is_aggregate"]]
    tidy = {(r.source_sheet, r.country, r.year): r for r in countries.itertuples(index=False)}
    assert len(tidy) == len(countries) == len(published.cells) == 35 * (76 * 5 + 37 * 2)
    for (sheet, code, year), (value, _) in published.cells.items():
        row = tidy[(sheet, code, year)]
        indicator, basis, convert = SHEETS[sheet]
        assert (row.indicator, row.price_basis) == (indicator, basis)
        if isinstance(value, (int, float)):
            assert row.value == convert(float(value)), (sheet, code, year)
            assert row.missing_reason == ""
        else:
            assert math.isnan(row.value), (sheet, code, year)
            assert row.missing_reason == {"...": "not_available", ". .": "not_available",
                                          "xxx": "did_not_exist"}[value.strip()]


def test_blue_and_red_cell_counts_equal_the_workbook(sipri, published):
    blue = sum(1 for _, colour in published.cells.values() if colour == BLUE)
    red = sum(1 for _, colour in published.cells.values() if colour == RED)
    countries = sipri[~sipri["is_aggregate"]]
    assert int(countries["is_estimate"].sum()) == blue
    assert int(countries["is_uncertain"].sum()) == red
    assert not (countries["is_estimate"] & countries["is_uncertain"]).any()
    regional_red = sum(1 for _, colour in published.regional.values() if colour == RED)
    assert int(sipri.loc[sipri["is_aggregate"], "is_uncertain"].sum()) == regional_red == 41
    # measured on the April 2025 release: no kept country has a red figure; only regional totals do
    assert (blue, red) == (2089, 0)


def test_world_and_regional_totals_are_the_published_ones(sipri, published):
    agg = sipri[sipri["is_aggregate"]]
    assert agg["indicator"].unique().tolist() == ["defence_exp_usd"]
    by_key = agg.set_index(["country_name", "year", "price_basis"])
    assert len(agg) == len(published.regional) == 19 * 38
    for (region, year, basis), (value, _) in published.regional.items():
        name = {"Asia & Oceania": "Asia and Oceania", "sub-Saharan Africa": "Sub-Saharan Africa"}.get(region, region)
        row = by_key.loc[(f"{name} (SIPRI)", year, basis)]
        if isinstance(value, (int, float)):
            assert row["value"] == float(value) * 1000.0  # printed in US$ billions, held in millions
        else:
            assert math.isnan(row["value"]) and row["missing_reason"] == "not_available"
    world = by_key.loc[("World (SIPRI)", 2024, "constant")]
    assert round(world["value"]) == 2676514 and world["base_year"] == 2023
    assert round(by_key.loc[("World (SIPRI)", 2024, "current"), "value"]) == 2718184


def test_sipri_totals_add_up_world_regions_subregions(sipri):
    agg = sipri[sipri["is_aggregate"] & (sipri["price_basis"] == "constant")]
    wide = agg.pivot(index="year", columns="country", values="value")
    parents = agg.groupby("country")["sipri_region"].first()
    checked = 0
    for parent in ["SIPRI_WORLD", "SIPRI_EUROPE", "SIPRI_AMERICAS", "SIPRI_AFRICA", "SIPRI_ASIA_OCEANIA"]:
        children = parents[parents == parent].index
        both = wide[[parent, *children]].dropna()
        total = both[list(children)].sum(axis=1)
        assert np.allclose(total, both[parent], rtol=1e-9, atol=1e-9), parent
        checked += len(both)
    assert checked > 150


def test_kept_country_figures_add_up_to_sipri_north_america(sipri):
    # North America is Canada + USA only, both kept: SIPRI's sub-regional total is their sum.
    usd = sipri[(sipri["indicator"] == "defence_exp_usd") & (sipri["price_basis"] == "constant")]
    wide = usd.pivot(index="year", columns="country", values="value").dropna(subset=["CAN", "USA"])
    both = wide.dropna(subset=["SIPRI_NORTH_AMERICA"])
    assert len(both) == 37
    assert np.allclose(both["CAN"] + both["USA"], both["SIPRI_NORTH_AMERICA"], rtol=1e-9)


def test_share_of_gdp_is_converted_from_a_fraction_to_percent(sipri, published):
    usa = sipri.query("country == 'USA' and indicator == 'share_gdp_pct' and year == 2024").iloc[0]
    fraction = published.cells[("Share of GDP", "USA", 2024)][0]
    assert 0.03 < fraction < 0.04  # SIPRI prints 0.034..., i.e. 3.4%
    assert usa["value"] == fraction * 100.0 and usa["unit"] == "percent of GDP"
    gov = sipri.query("country == 'DEU' and indicator == 'share_govt_spending_pct' and year == 2024").iloc[0]
    assert round(gov["value"], 2) == 3.93
    assert "multiplied by 100" in na.indicators().set_index("indicator").loc["share_govt_spending_pct", "description"]


def test_local_currency_notes_and_fiscal_years_are_kept(sipri):
    deu = sipri.query("country == 'DEU' and indicator == 'defence_exp_ncu' and year == 2024").iloc[0]
    assert deu["value"] == 81776500000 / 1e6 and deu["currency"] == "Euro" and deu["unit"] == "million national currency"
    gbr = sipri.query("country == 'GBR' and indicator == 'defence_exp_ncu_fy' and year == 2020").iloc[0]
    assert gbr["fiscal_year"] == "Apr-Mar" and gbr["currency"] == "Pounds"
    assert sipri.query("country == 'DEU' and indicator == 'defence_exp_ncu_fy'")["fiscal_year"].unique().tolist() == [
        "Jan-Dec"]
    alb = sipri.query("country == 'ALB' and indicator == 'defence_exp_ncu_fy'")["note_marker"].unique().tolist()
    assert alb == ["§¶3"]
    notes = na.store.processed_meta(source="sipri")["editions"]["2025-04"]["notes"]
    assert "†: Figures for these countries do not include military pensions" in notes["Footnotes"]
    assert any(n.startswith("3: Albania:") for n in notes["Footnotes"])
    assert "Brazil" in notes["not kept (Share of GDP)"] and "USSR" in notes["not kept (Share of GDP)"]
    assert "Africa: Djibouti, Eritrea, Somalia" in notes["Regional totals: omitted countries"]


def test_missing_values_keep_their_reason(sipri):
    svk = sipri.query("country == 'SVK' and indicator == 'share_gdp_pct'").set_index("year")
    # SIPRI prints '...' (not 'xxx') for Slovakia before independence
    assert math.isnan(svk.loc[1960, "value"]) and svk.loc[1960, "missing_reason"] == "not_available"
    assert svk.loc[1993:, "value"].notna().all()
    # Iceland has no armed forces: every SIPRI military-spending share is unavailable
    isl = sipri.query("country == 'ISL' and indicator == 'share_gdp_pct'")
    assert isl["value"].isna().all() and len(isl) == 76


def test_transcription_keeps_every_cell_and_colour(published):
    wb = transcript.read(RAW_SIPRI)
    assert [s.name for s in wb.sheets][:2] == ["Front page", "Regional totals"]
    cells = {(s.name, c.ref): c for s in wb.sheets for c in s.cells}
    assert len(cells) == 83216
    blue = sum(1 for c in cells.values() if c.font_color == "indexed:12")
    red = sum(1 for c in cells.values() if c.font_color == "indexed:10")
    # whole workbook, as counted when exploring it: blue numbers + blue '...'; red numbers (41 regional) +
    # red '...' + the eight red legend lines
    assert (blue, red) == (10960 + 428, 1091 + 41 + 180 + 8)
    rec = json.loads((RAW_SIPRI / "provenance.json").read_text())
    assert rec["sha256"] == "8a31c2794c8070230b3b9ef26a3249663f6317a8bc86ba3ec3099c791cdb692f"
    assert rec["edition"] == "2025-04" and rec["size_bytes"] == 872274


@pytest.mark.slow
def test_reingest_reproduces_committed_raw_files(tmp_path):
    committed = json.loads((RAW_SIPRI / "provenance.json").read_text())
    from natoanalysis.cli import main
    code = main(["--data-dir", str(tmp_path), "ingest", "sipri", str(require(SIPRI_XLSX)),
                        "--accessed", committed["access_date"]])
    assert code == 0
    target = tmp_path / "raw" / "sipri" / "2025-04"
    fresh = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    kept = sorted(p.relative_to(RAW_SIPRI).as_posix() for p in RAW_SIPRI.rglob("*") if p.is_file())
    assert fresh == kept
    for rel in kept:
        assert (target / rel).read_bytes() == (RAW_SIPRI / rel).read_bytes(), rel


def _mutated(fn):
    wb = transcript.read(RAW_SIPRI)
    for sheet in wb.sheets:
        sheet.cells = [fn(sheet.name, c) for c in sheet.cells]
    return wb


def test_a_kept_country_under_an_unknown_name_is_an_error_naming_it():
    wb = _mutated(lambda s, c: dataclasses.replace(c, value="Germany, Fed. Rep.")
                  if s == "Share of GDP" and c.value == "Germany" else c)
    with pytest.raises(LayoutError) as err:
        tidy_sipri(wb, edition="2025-04")
    assert "'Germany, Fed. Rep.'" in str(err.value) and "DEU" in str(err.value) and "Share of GDP" in str(err.value)


@pytest.mark.slow
def test_out_of_scope_countries_are_not_errors_but_unknown_regions_are():
    renamed = _mutated(lambda s, c: dataclasses.replace(c, value="Brasil") if c.value == "Brazil" else c)
    assert len(tidy_sipri(renamed, edition="2025-04").table) == len(na.load(source="sipri"))
    wb = _mutated(lambda s, c: dataclasses.replace(c, value="Atlantis")
                  if s == "Regional totals" and c.value == "Middle East" else c)
    with pytest.raises(LayoutError, match="'Atlantis'"):
        tidy_sipri(wb, edition="2025-04")


def _germany_2024_constant(sipri) -> tuple[str, str]:
    row = sipri.query("country == 'DEU' and year == 2024 and indicator == 'defence_exp_usd' "
                      "and price_basis == 'constant'").iloc[0]
    return row["source_sheet"], row["source_cell"]


@pytest.mark.slow
def test_unknown_colour_or_marker_is_an_error_not_a_guess(sipri):
    target = _germany_2024_constant(sipri)
    assert target == ("Constant (2023) US$", "CA168")
    wb = _mutated(lambda s, c: dataclasses.replace(c, font_color="FF00B050") if (s, c.ref) == target else c)
    with pytest.raises(LayoutError, match="CA168.*font colour 'FF00B050'"):
        tidy_sipri(wb, edition="2025-04")
    wb = _mutated(lambda s, c: dataclasses.replace(c, type="s", value="n/a") if (s, c.ref) == target else c)
    with pytest.raises(LayoutError, match="CA168 holds 'n/a'"):
        tidy_sipri(wb, edition="2025-04")


@pytest.mark.slow
def test_xxx_becomes_did_not_exist_and_a_changed_legend_stops_the_reader(sipri):
    target = _germany_2024_constant(sipri)
    wb = _mutated(lambda s, c: dataclasses.replace(c, type="s", value="xxx", font_color="indexed:8")
                  if (s, c.ref) == target else c)
    deu = tidy_sipri(wb, edition="2025-04", run_checks=False).table.query(
        "country == 'DEU' and year == 2024 and indicator == 'defence_exp_usd' and price_basis == 'constant'")
    assert deu["missing_reason"].tolist() == ["did_not_exist"] and deu["value"].isna().all()
    wb = _mutated(lambda s, c: dataclasses.replace(c, value="Figures in green are SIPRI estimates.")
                  if s == "Per capita" and str(c.value).startswith("Figures in blue") else c)
    with pytest.raises(LayoutError, match="Per capita.*legend"):
        tidy_sipri(wb, edition="2025-04")


def test_every_notes_marker_of_a_kept_country_has_its_footnote(sipri):
    footnotes = na.notes(source="sipri").query("group == 'Footnotes'")
    known = set(footnotes["marker"])
    assert {"†", "‡", "§", "¶", "‖"} <= known and len(footnotes) == 5 + 104
    markers = set(sipri.loc[~sipri["is_aggregate"], "note_marker"]) - {""}
    assert "§¶3" in markers
    for marker in markers:
        number = marker.lstrip("†‡§¶‖")
        symbols = set(marker[: len(marker) - len(number)])
        assert symbols <= known and (number == "" or number in known), marker
    usa = footnotes.set_index("marker").loc["44", "text"]
    assert usa.startswith("USA: All figures for the USA are for financial year")

"""NATO beside SIPRI: values come from each publisher's own cells, the difference is SIPRI minus NATO."""

from __future__ import annotations

import csv

import numpy as np
import pytest

import natoanalysis as na
from natoanalysis.errors import UnknownCountryError
from natoanalysis.extract.cells import column_index

from .conftest import REPO

RAW = REPO / "data" / "raw"


def _cells(path) -> dict[str, str]:
    with open(path, newline="", encoding="utf-8") as fh:
        return {r["cell"]: r["value"] for r in csv.DictReader(fh)}


def _sipri_cell(sheet_file: str, country: str, year: int) -> float:
    """A SIPRI figure found by row label and year header in the raw transcription."""
    cells = _cells(RAW / "sipri" / "2025-04" / "sheets" / sheet_file)
    row = next(ref[1:] for ref, v in cells.items() if ref.startswith("A") and ref[1:].isdigit() and v == country)
    header = next(ref[1:] for ref, v in cells.items() if ref.startswith("A") and v == "Country")
    col = next(ref[: -len(header)] for ref, v in cells.items() if ref.endswith(header) and
               ref[: -len(header)].isalpha() and v == str(year))
    return float(cells[f"{col}{row}"])


def test_share_of_gdp_side_by_side_from_each_publishers_cells():
    cmp = na.compare_sources(indicator="share_gdp_pct", countries=["POL", "DEU"], years=[2024])
    assert cmp["country"].tolist() == ["DEU", "POL"]
    pol = cmp.set_index("country").loc["POL"]
    # NATO Table 3 prints Poland's 2024e share of real GDP in D-column cells of TABLE3; SIPRI prints a fraction
    nato_cells = _cells(RAW / "nato" / "2024-06" / "sheets" / "03_TABLE3.csv")
    # the first 'Poland*' row is in the share-of-GDP section; its rightmost cell is 2024e
    nato_row = next(ref[1:] for ref, v in nato_cells.items() if ref.startswith("C") and v == "Poland*")
    nato_2024 = max((ref for ref in nato_cells if ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ") == nato_row),
                    key=lambda r: column_index(r.rstrip("0123456789")))
    header = next(ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for ref, v in nato_cells.items() if v == "2024e")
    assert nato_cells[nato_2024.rstrip("0123456789") + header] == "2024e"
    assert pol["nato_value"] == float(nato_cells[nato_2024])
    assert pol["sipri_value"] == _sipri_cell("07_Share_of_GDP.csv", "Poland", 2024) * 100.0
    assert pol["difference"] == pol["sipri_value"] - pol["nato_value"]
    assert round(pol["nato_value"], 2) == 4.12 and round(pol["sipri_value"], 2) == 4.15
    assert (pol["nato_price_basis"], pol["sipri_price_basis"]) == ("constant", "current")
    assert (pol["nato_edition"], pol["sipri_edition"]) == ("2024-06", "2025-04")
    assert bool(pol["nato_is_estimate"]) and not bool(pol["sipri_is_estimate"])


def test_every_ally_with_defence_figures_and_every_nato_year():
    cmp = na.compare_sources(indicator="share_gdp_pct")
    # Iceland has no armed forces, so NATO publishes no defence share for it
    assert set(cmp["country"]) == set(na.countries()["iso3"]) - {"ISL"}
    assert sorted(cmp["year"].unique()) == list(range(2014, 2025))
    assert len(cmp) == 31 * 11
    assert cmp["sipri_value"].notna().all() and cmp["nato_value"].notna().all()
    # the definitions diverge: SIPRI puts Türkiye (paramilitary forces) well above NATO, Germany below
    mean = cmp.groupby("country")["difference"].mean()
    assert mean["TUR"] > 0.3 and mean["DEU"] < -0.1


def test_current_dollars_compare_and_constant_dollars_with_different_base_years_refuse():
    cmp = na.compare_sources(indicator="defence_exp_usd", price_basis="current", countries="USA", years=range(2023, 2025))
    assert cmp["year"].tolist() == [2023, 2024]
    # names, aliases and codes in any case, as a comma list: the same allies
    assert na.compare_sources(countries="united states", years=[2024], price_basis="NOMINAL",
                              indicator="defence_exp_usd")["sipri_value"].tolist() == cmp["sipri_value"].tolist()[-1:]
    assert na.compare_sources(countries="USA", years=np.arange(2023, 2025)).equals(
        na.compare_sources(countries="USA", years=[2023, 2024]))
    assert cmp["sipri_value"].iloc[-1] == _sipri_cell("06_Current_US.csv", "United States of America", 2024)
    with pytest.raises(ValueError, match="pass price_basis= one of"):
        na.compare_sources(indicator="defence_exp_usd")
    with pytest.raises(ValueError, match=r"base year \[2015\] for NATO and \[2023\] for SIPRI"):
        na.compare_sources(indicator="defence_exp_usd", price_basis="constant")
    with pytest.raises(ValueError, match="cannot be compared"):
        na.compare_sources(indicator="defence_exp_per_capita_usd")


def test_local_currency_in_millions_for_both():
    cmp = na.compare_sources(indicator="defence_exp_ncu", price_basis="current", countries=["DEU"], years=[2023])
    row = cmp.iloc[0]
    assert row["sipri_value"] == _sipri_cell("04_Local_currency_calendar_years.csv", "Germany", 2023) / 1e6
    assert row["unit"] == "million national currency"
    assert abs(row["difference"]) / row["nato_value"] < 0.1


def test_bad_requests_name_what_is_accepted():
    with pytest.raises(ValueError, match="accepted: .*share_gdp_pct"):
        na.compare_sources(indicator="military_personnel_thousand")
    with pytest.raises(UnknownCountryError, match="RUS is not a NATO ally \\(Russia\\)"):
        na.compare_sources(countries=["RUS"])
    with pytest.raises(ValueError, match="whole years"):
        na.compare_sources(years=["2020"])
    with pytest.raises(ValueError, match="one edition of each source at a time"):
        na.compare_sources(nato_edition="all")
    with pytest.raises(ValueError, match="accepted: 2024-06"):
        na.compare_sources(nato_edition="2019-06")
    # "real" is "constant" (any case): the same refusal of two base years
    with pytest.raises(ValueError, match=r"base year \[2015\] for NATO and \[2023\] for SIPRI"):
        na.compare_sources(indicator="defence_exp_usd", price_basis="Real")
    with pytest.raises(ValueError, match=r"price_basis 'fixed' is not a price basis; accepted: 'current', 'constant'"):
        na.compare_sources(indicator="defence_exp_usd", price_basis="fixed")
    with pytest.raises(ValueError, match=r"years 2030: not published by both NATO and SIPRI for share_gdp_pct; "
                                         r"accepted: 2014 to 2024"):
        na.compare_sources(years=[2030])
    with pytest.raises(ValueError, match=r"countries ISL: no share_gdp_pct figure from both NATO and SIPRI"):
        na.compare_sources(countries="ISL,POL")


def test_sources_stay_separate_after_comparing():
    before = na.load(source="nato")
    na.compare_sources(indicator="share_gdp_pct")
    after = na.load(source="nato")
    assert after.equals(before) and set(after["source"]) == {"nato"}

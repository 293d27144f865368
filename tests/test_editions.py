"""Several editions of one source side by side: load(edition=...), editions() and revisions()."""

from __future__ import annotations

import dataclasses

import pytest

import natoanalysis as na

from .factory import clone, write_xlsx


# Table 3 prints exactly 2.0 for these (whitelisted for 2024-06 only); the made-up 2025-06 edition prints
# the ratio of Table 2 to Table 5 instead, as a real revision would.
PRINTED_TWO_PCT = [("FRA", 2020), ("LTU", 2019), ("SVK", 2024)]


def _set(workbook, sheet_name: str, ref: str, value: float) -> None:
    sheet = workbook.sheet(sheet_name)
    sheet.cells = [dataclasses.replace(c, value=value) if c.ref == ref else c for c in sheet.cells]


def revised_nato_workbook(nato_workbook):
    """The 2024 cell model with POL 2023 current national-currency spending +1000 and the 2.0% prints corrected."""
    nato = na.load(source="nato")
    pol = nato.query("country == 'POL' and indicator == 'defence_exp_ncu' "
                     "and price_basis == 'current' and year == 2023").iloc[0]
    revised = clone(nato_workbook)
    _set(revised, pol["source_sheet"], pol["source_cell"], float(pol["value"]) + 1000.0)
    const = nato[nato["price_basis"] == "constant"].set_index(["indicator", "country", "year"])["value"]
    for country, year in PRINTED_TWO_PCT:
        row = nato.query(f"country == '{country}' and year == {year} and indicator == 'share_gdp_pct'").iloc[0]
        ratio = const[("defence_exp_usd", country, year)] / const[("gdp_usd", country, year)] * 100
        _set(revised, row["source_sheet"], row["source_cell"], ratio)
        if year == 2024:  # Table 4 repeats the 2024 share; its repeat must agree with Table 3
            t4 = {(c.row, c.col): c for c in revised.sheet("TABLE4").cells}
            label = next(c for c in t4.values() if c.value == "Slovak Republic")
            column = next(c for c in t4.values() if c.value == "Share of real GDP 2024e (%)")
            _set(revised, "TABLE4", t4[(label.row, column.col)].ref, ratio)
    return revised, float(pol["value"])


@pytest.fixture
def two_nato_editions(tmp_data, nato_workbook, tmp_path):
    """tmp data root holding the real 2024-06 edition and a '2025-06' one with revised figures."""
    revised, pol_2023 = revised_nato_workbook(nato_workbook)
    path = write_xlsx(revised, tmp_path / "def-exp-2025-en.xlsx")
    na.ingest(path, source="nato", edition="2025-06", data_dir=tmp_data, accessed="2026-11-22")
    return tmp_data, pol_2023


def test_editions_lists_both_and_load_picks_one(two_nato_editions):
    root, published_2023 = two_nato_editions
    eds = na.editions(source="nato", data_dir=root)
    assert eds["edition"].tolist() == ["2024-06", "2025-06"]
    assert eds.set_index("edition").loc["2024-06", "publication_date"] == "2024-06-17"
    query = "country == 'POL' and indicator == 'defence_exp_ncu' and price_basis == 'current' and year == 2023"
    old = na.load(source="nato", edition="2024-06", data_dir=root).query(query)["value"].tolist()
    new = na.load(source="nato", edition="2025-06", data_dir=root).query(query)["value"].tolist()
    latest = na.load(source="nato", data_dir=root).query(query)["value"].tolist()
    assert old == [published_2023] and new == latest == [pytest.approx(published_2023 + 1000.0, abs=1e-9)]
    both = na.load(source="nato", edition="all", data_dir=root)
    assert len(both) == 2 * 5377
    with pytest.raises(ValueError, match="2024-06, 2025-06"):
        na.load(source="nato", edition="2023-06", data_dir=root)


def test_revisions_line_editions_up(two_nato_editions):
    root, published_2023 = two_nato_editions
    rev = na.revisions(indicator="defence_exp_ncu", country="POL", year=2023, price_basis="current", data_dir=root)
    assert rev.columns.tolist() == ["country", "year", "indicator", "price_basis", "2024-06", "2025-06", "revision"]
    row = rev.iloc[0]
    assert row["2024-06"] == published_2023
    assert row["2025-06"] == pytest.approx(published_2023 + 1000.0, abs=1e-9)
    assert row["revision"] == pytest.approx(1000.0)
    everything = na.revisions(indicator="defence_exp_ncu", data_dir=root)
    # the test workbook is written back with openpyxl, which moves some floats by one unit in the last place
    changed = everything[everything["revision"].abs() > 1e-9]
    assert changed[["country", "year", "price_basis"]].values.tolist() == [["POL", 2023, "current"]]
    shares = na.revisions(indicator="share_gdp_pct", data_dir=root)
    moved = shares[shares["revision"].abs() > 1e-9].set_index(["country", "year"])
    assert sorted(moved.index) == sorted(PRINTED_TWO_PCT)
    assert (moved["2024-06"] == 2.0).all()
    assert round(moved.loc[("FRA", 2020), "revision"], 4) == round(1.9861831737318296 - 2.0, 4)


def test_revisions_rejects_unknown_requests():
    with pytest.raises(ValueError, match="accepted: .*share_gdp_pct"):
        na.revisions(indicator="share_gdp")
    with pytest.raises(ValueError, match="no share_gdp_pct rows in nato"):
        na.revisions(indicator="share_gdp_pct", country="Atlantis")
    with pytest.raises(ValueError, match="year must be an int"):
        na.revisions(indicator="share_gdp_pct", year="2024")

"""The replica factory writes the 2025-08 and 2026-07 layouts as specified, with self-consistent numbers.

Everything here reads the written .xlsx back with openpyxl alone (never with the package's reader), so a
mistake in the factory cannot be hidden by the same mistake in the reader. The expected layout (names,
order, titles, headings) is spelled out again here rather than imported from the factory for the same
reason.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from .replicas import write_replica

RAW_2024 = Path(__file__).resolve().parents[1] / "data" / "raw" / "nato" / "2024-06" / "sheets"

SHEETS = ["Table 1", "Table 2", "Table 3", "Table 4", "Table 5", "Table 6", "Table 7", "Table 8a", "Table 8b"]
ALLY_NAMES = ["Albania", "Belgium", "Bulgaria", "Canada", "Croatia", "Czechia", "Denmark", "Estonia", "Finland",
              "France", "Germany", "Greece", "Hungary", "Italy", "Latvia", "Lithuania", "Luxembourg", "Montenegro",
              "Netherlands", "North Macedonia", "Norway", "Poland", "Portugal", "Romania", "Slovak Republic",
              "Slovenia", "Spain", "Sweden", "Türkiye", "United Kingdom", "United States"]
ALLY_CODES = ["ALB", "BEL", "BGR", "CAN", "HRV", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN", "ITA",
              "LVA", "LTU", "LUX", "MNE", "NLD", "MKD", "NOR", "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "SWE",
              "TUR", "GBR", "USA"]
CODE = dict(zip(ALLY_NAMES, ALLY_CODES)) | {"Iceland": "ISL", "NATO Europe and Canada": "NATO_EUROPE_CANADA",
                                            "NATO Total": "NATO_TOTAL"}
AGGS = ["NATO_EUROPE_CANADA", "NATO_TOTAL"]
JOINED = {"MNE": 2017, "MKD": 2020, "FIN": 2023, "SWE": 2024}
STARRED = {"2025-08": {"CZE", "EST", "LVA", "LTU", "POL", "ROU", "SVK", "BGR", "HRV", "TUR"}, "2026-07": {"SVN"}}
LAST = {"2025-08": 2025, "2026-07": 2026}

TITLES_2025 = {
    "Table 1": "Table 1: Defence expenditure",
    "Table 2": "Table 2: Defence expenditure",
    "Table 3": "Table 3: Defence expenditure as a share of GDP and annual real change",
    "Table 4": "Table 4: Defence expenditure real change 2014-2025e",
    "Table 5": "Table 5: GDP",
    "Table 6": "Table 6: GDP per capita and defence expenditure per capita",
    "Table 7": "Table 7: Military personnel",
    "Table 8a": "Table 8a: Distribution of defence expenditure by main category",
    "Table 8b": "Table 8b: Distribution of defence expenditure by main category",
}
TITLES_2026 = {
    "Table 1": "Table 1: Core defence expenditure",
    "Table 2": "Table 2: Core defence expenditure",
    "Table 3": "Table 3: Core defence expenditure as a share of GDP and annual real change",
    "Table 4": "Table 4: Core defence expenditure real change 2014-2026e",
    "Table 5": "Table 5: GDP",
    "Table 6": "Table 6: GDP per capita and core defence expenditure per capita",
    "Table 7": "Table 7: Military personnel",
    "Table 8a": "Table 8a: Distribution of core defence expenditure by main category",
    "Table 8b": "Table 8b: Distribution of core defence expenditure by main category",
}
UNITS = {"Table 1": "million national currency", "Table 2": "million US dollars", "Table 3": "percent",
         "Table 4": "million US dollars (2021 prices and exchange rates)", "Table 5": "million US dollars",
         "Table 6": "2021 prices and exchange rates", "Table 7": "thousands",
         "Table 8a": "percentage of total defence expenditure", "Table 8b": "percentage of total defence expenditure"}
HEADINGS = {
    "Table 1": ["Current prices", "Constant 2021 prices"],
    "Table 2": ["Current prices and exchange rates", "Constant 2021 prices and exchange rates"],
    "Table 3": ["Share of real GDP (%), based on 2021 prices", "Annual real change (%), based on 2021 prices"],
    "Table 4": [None],
    "Table 5": ["Current prices and exchange rates", "Constant 2021 prices and exchange rates"],
    "Table 6": ["GDP per capita (thousand US dollars)", "Defence expenditure per capita (US dollars)"],
    "Table 7": [None],
    "Table 8a": ["Equipment (a)", "Personnel (b)"],
    "Table 8b": ["Infrastructure (c)", "Other (d)"],
}
#: (sheet, block) -> (indicator, price_basis) of its cells; Table 4 is by column.
INDICATORS = {
    ("Table 1", 0): ("defence_exp_ncu", "current"), ("Table 1", 1): ("defence_exp_ncu", "constant"),
    ("Table 2", 0): ("defence_exp_usd", "current"), ("Table 2", 1): ("defence_exp_usd", "constant"),
    ("Table 3", 0): ("share_gdp_pct", "constant"), ("Table 3", 1): ("real_change_pct", "constant"),
    ("Table 5", 0): ("gdp_usd", "current"), ("Table 5", 1): ("gdp_usd", "constant"),
    ("Table 6", 0): ("gdp_per_capita_usd_thousand", "constant"),
    ("Table 6", 1): ("defence_exp_per_capita_usd", "constant"),
    ("Table 7", 0): ("military_personnel_thousand", ""),
    ("Table 8a", 0): ("equipment_share_pct", ""), ("Table 8a", 1): ("personnel_share_pct", ""),
    ("Table 8b", 0): ("infrastructure_share_pct", ""), ("Table 8b", 1): ("other_share_pct", ""),
}
TABLE4_COLUMNS = [("defence_exp_usd", "first"), ("defence_exp_usd", "last"), ("real_change_since_2014_pct", "last"),
                  ("share_gdp_pct", "first"), ("share_gdp_pct", "last")]


# --------------------------------------------------------------------------------------------------
# Reading a replica back with openpyxl

def parse_label(label: str) -> tuple[str, bool, str]:
    """(code, starred, currency) of a row label such as 'Poland* (Zlotys)'."""
    m = re.fullmatch(r"(?P<name>[^*(]+?)(?P<star>\*)?(?: \((?P<cur>[^)]+)\))?", label)
    assert m, label
    return CODE[m["name"]], bool(m["star"]), m["cur"] or ""


def parse_sheet(ws) -> dict:
    """Title, unit, blocks (heading, header row, year headers, data rows) and the Notes row of a sheet."""
    grid = {(c.row, c.column): c.value for row in ws.iter_rows() for c in row if c.value is not None}
    max_row = max(r for r, _ in grid)
    row_vals = {r: {c: v for (rr, c), v in grid.items() if rr == r} for r in range(1, max_row + 1)}
    assert not row_vals[3], "row 3 is empty"
    blocks, notes, r = [], None, 4
    while r <= max_row:
        vals = row_vals[r]
        if 1 in vals and str(vals[1]).startswith("Notes:"):
            notes = (r, vals[1])
            assert set(vals) == {1}
            r += 1
            continue
        if 1 in vals and 2 not in vals:  # a heading, followed at once by its year header row
            heading, r = vals[1], r + 1
            vals = row_vals[r]
        else:
            heading = None
        assert 1 not in vals and vals.get(2) is not None, f"row {r} of {ws.title} is no year header"
        header = [vals[c] for c in sorted(vals)]
        assert sorted(vals) == list(range(2, 2 + len(header)))
        header_row, rows = r, []
        r += 1
        while r <= max_row and row_vals[r]:
            rows.append((r, row_vals[r][1], [row_vals[r].get(c) for c in range(2, 2 + len(header))]))
            assert set(row_vals[r]) <= set(range(1, 2 + len(header)))
            r += 1
        blocks.append(dict(heading=heading, header_row=header_row, header=header, rows=rows))
        r += 1  # the empty row after a block
    return dict(title=row_vals[1].get(1), unit=row_vals[2].get(1), row1=row_vals[1], row2=row_vals[2],
                blocks=blocks, notes=notes, max_row=max_row)


def year_of(header) -> int:
    return header if isinstance(header, int) else int(header.rstrip("e"))


def read_cells(path: Path, edition: str) -> pd.DataFrame:
    """Every data cell of the workbook: sheet, cell, row label, country, year, indicator, raw value."""
    wb = openpyxl.load_workbook(path)
    out, raws = [], []
    last = LAST[edition]
    for ws in wb.worksheets:
        parsed = parse_sheet(ws)
        for b, block in enumerate(parsed["blocks"]):
            for r, label, values in block["rows"]:
                code, starred, cur = parse_label(label)
                for j, raw in enumerate(values):
                    if ws.title == "Table 4":
                        indicator, when = TABLE4_COLUMNS[j]
                        year, basis = (2014 if when == "first" else last), "constant"
                    else:
                        (indicator, basis), year = INDICATORS[(ws.title, b)], year_of(block["header"][j])
                    out.append(dict(sheet=ws.title, cell=f"{openpyxl.utils.get_column_letter(j + 2)}{r}", label=label,
                                    country=code, starred=starred, currency=cur, year=year, indicator=indicator,
                                    price_basis=basis))
                    raws.append(raw)
    frame = pd.DataFrame(out)
    # object dtype keeps what openpyxl returned (int, float, str or None); pandas would make it all float
    frame["raw"] = pd.Series(raws, dtype=object)
    return frame


def num(raw) -> float:
    return float(raw) if isinstance(raw, (int, float)) and not isinstance(raw, bool) else math.nan


class Book:
    """Numbers of a replica read back from the file, as wide tables."""

    def __init__(self, path: Path, edition: str):
        self.edition, self.last = edition, LAST[edition]
        self.years = list(range(2014, self.last + 1))
        self.cells = read_cells(path, edition)
        self.cells["value"] = self.cells["raw"].map(num)

    def wide(self, sheet: str, indicator: str, basis: str) -> pd.DataFrame:
        sel = self.cells[(self.cells["sheet"] == sheet) & (self.cells["indicator"] == indicator)
                         & (self.cells["price_basis"] == basis)]
        return sel.pivot(index="country", columns="year", values="value")

    def t4(self, column: int) -> pd.Series:
        sel = self.cells[(self.cells["sheet"] == "Table 4") & self.cells["cell"].str.startswith("BCDEF"[column])]
        return sel.set_index("country")["value"]


def members(year: int, agg: str) -> list[str]:
    codes = [c for c in ALLY_CODES + ["ISL"] if JOINED.get(c, 0) <= year]
    return [c for c in codes if c != "USA"] if agg == "NATO_EUROPE_CANADA" else codes


@pytest.fixture(scope="module")
def replicas(tmp_path_factory):
    root = tmp_path_factory.mktemp("replicas")
    made = {}
    for edition in ("2025-08", "2026-07"):
        for seed in (0, 7):
            rep = write_replica(root / f"{edition}-{seed}.xlsx", edition=edition, seed=seed)
            made[(edition, seed)] = (rep, Book(rep.path, edition))
    return made


@pytest.fixture(scope="module")
def r25(replicas):
    return replicas[("2025-08", 0)]


@pytest.fixture(scope="module")
def r26(replicas):
    return replicas[("2026-07", 0)]


# --------------------------------------------------------------------------------------------------
# API

def test_unknown_edition_is_refused_naming_the_accepted_ones(tmp_path):
    with pytest.raises(ValueError, match=r"'2024-06'.*accepted: 2025-08, 2026-07"):
        write_replica(tmp_path / "x.xlsx", edition="2024-06")
    assert not (tmp_path / "x.xlsx").exists()


def test_cells_frame_columns_and_dtypes(r25):
    rep, _ = r25
    assert rep.cells.columns.tolist() == ["sheet", "cell", "country", "year", "indicator", "price_basis", "value",
                                          "missing_reason", "is_estimate", "note_marker", "currency", "base_year"]
    dtypes = rep.cells.dtypes.astype(str).to_dict()
    assert dtypes["year"] == "int64" and dtypes["value"] == "float64" and dtypes["is_estimate"] == "bool"
    assert dtypes["base_year"] == "Int64" and dtypes["sheet"] == "string" and dtypes["missing_reason"] == "string"
    assert not rep.cells.duplicated(["sheet", "cell"]).any()


@pytest.mark.parametrize("edition", ["2025-08", "2026-07"])
def test_cells_frame_describes_every_data_cell_of_the_file(replicas, edition):
    rep, book = replicas[(edition, 0)]
    got = book.cells.set_index(["sheet", "cell"])
    want = rep.cells.set_index(["sheet", "cell"])
    assert sorted(got.index) == sorted(want.index)
    file_side = got[["country", "year", "indicator", "price_basis", "raw", "starred", "currency"]]
    joined = want.join(file_side.rename(columns=lambda c: c if c in ("raw", "starred") else f"{c}_file"))
    for col in ("country", "year", "indicator", "price_basis", "currency"):
        assert (joined[col].astype(object) == joined[f"{col}_file"].astype(object)).all(), col
    assert (joined["note_marker"].eq("*") == joined["starred"]).all()
    numbers = joined["raw"].map(lambda v: isinstance(v, (int, float)))
    assert (joined.loc[numbers, "value"] == joined.loc[numbers, "raw"].astype(float)).all()
    assert (joined.loc[numbers, "missing_reason"] == "").all()
    reason = joined.loc[~numbers, "raw"].map(lambda v: {"..": "not_available", "-": "nil"}.get(v, "not_published")
                                             if v is None or isinstance(v, str) else "?")
    assert (reason == joined.loc[~numbers, "missing_reason"]).all()
    assert joined.loc[~numbers, "value"].isna().all()
    estimates = {2024, 2025} if edition == "2025-08" else {2025, 2026}
    assert (joined["is_estimate"] == joined["year"].isin(estimates)).all()
    assert (joined["base_year"].eq(2021).fillna(False) == (joined["price_basis"] == "constant")).all()
    assert joined["base_year"].isna().sum() == (joined["price_basis"] != "constant").sum()
    assert set(joined.loc[joined.index.get_level_values("sheet") != "Table 1", "currency"]) == {""}


def test_counts_of_data_cells_per_sheet(r25, r26):
    per_2025 = r25[0].cells.groupby("sheet").size().to_dict()
    per_2026 = r26[0].cells.groupby("sheet").size().to_dict()
    # rows x years x blocks: 31 allies, +2 aggregates, +1 Iceland; Table 4 is 31 x 5
    assert per_2025 == {"Table 1": 31 * 12 * 2, "Table 2": 33 * 12 * 2, "Table 3": 33 * 12 * 2, "Table 4": 155,
                        "Table 5": 34 * 12 * 2, "Table 6": (34 + 33) * 12, "Table 7": 33 * 12,
                        "Table 8a": 31 * 12 * 2, "Table 8b": 31 * 12 * 2}
    assert per_2026 == {"Table 1": 31 * 13 * 2, "Table 2": 33 * 13 * 2, "Table 3": 33 * 13 * 2, "Table 4": 155,
                        "Table 5": 34 * 13 * 2, "Table 6": (34 + 33) * 13, "Table 7": 33 * 13,
                        "Table 8a": 31 * 13 * 2, "Table 8b": 31 * 13 * 2}


def test_same_seed_same_workbook_other_seed_other_numbers(tmp_path, replicas):
    rep0, book0 = replicas[("2026-07", 0)]
    again = write_replica(tmp_path / "again.xlsx", edition="2026-07", seed=0)
    pd.testing.assert_frame_equal(again.cells, rep0.cells)
    assert again.anomalies == rep0.anomalies
    pd.testing.assert_frame_equal(Book(again.path, "2026-07").cells, book0.cells)
    rep7, book7 = replicas[("2026-07", 7)]
    assert book7.cells[["sheet", "cell", "label"]].equals(book0.cells[["sheet", "cell", "label"]])
    assert [(a["sheet"], a["cell"]) for a in rep7.anomalies] == [(a["sheet"], a["cell"]) for a in rep0.anomalies]
    both = rep0.cells["value"].notna() & rep7.cells["value"].notna()
    differ = (rep0.cells.loc[both, "value"] != rep7.cells.loc[both, "value"]).mean()
    assert differ > 0.9


def test_truth_holds_the_unrounded_values_behind_the_cells(r25, r26):
    rep, _ = r26
    truth = rep.truth["cells"].set_index(["sheet", "cell"])["value"]
    cells = rep.cells.set_index(["sheet", "cell"])
    planted = {(a["sheet"], a["cell"]) for a in rep.anomalies}
    decimals = {"Table 1": 0, "Table 2": 0, "Table 3": 2, "Table 5": 0, "Table 7": 1, "Table 8a": 2, "Table 8b": 2}
    for (sheet, cell), row in cells.iterrows():
        if (sheet, cell) in planted or sheet not in decimals:
            continue
        assert row["value"] == round(truth[(sheet, cell)], decimals[sheet]), (sheet, cell)
    deu = r25[0].cells.query("country == 'DEU' and year == 2025 and sheet == 'Table 2'")
    behind = r25[0].truth["cells"].set_index(["sheet", "cell"]).loc[[("Table 2", c) for c in deu["cell"]], "value"]
    assert deu["value"].isna().all() and (behind > 50_000).all()
    latent = rep.truth["latent"]
    assert latent.columns.tolist() == ["country", "year", "quantity", "value"]
    assert {"def_const_ncu", "xr", "population"} <= set(latent["quantity"])


def test_currencies_are_those_of_the_2024_table_1_labels():
    from .replicas import currencies
    with open(RAW_2024 / "01_TABLE1.csv", encoding="utf-8", newline="") as fh:
        labels = [r["value"] for r in csv.DictReader(fh) if r["type"] == "s" and r["cell"].startswith("C")]
    said = {CODE[" ".join(m[1].replace("*", " ").split())]: m[2]
            for m in (re.fullmatch(r"(.+?)\s+\((.+)\)", lab) for lab in labels) if m}
    assert currencies() == said
    assert said["SWE"] == "Kronor" and said["POL"] == "Zlotys" and said["USA"] == "US dollars"


def test_currencies_are_those_of_the_package_2024_edition(tmp_data):
    """The factory reads the 2024 transcription itself (so it keeps working while the reader changes); the
    names must still be those the package gives for the bundled 2024 edition."""
    import natoanalysis as na  # the bundled 2024 edition only; never a replica
    from .replicas import currencies
    nato = na.load(source="nato", edition="2024-06", data_dir=tmp_data)
    cur = nato.query("indicator == 'defence_exp_ncu'").drop_duplicates("country").set_index("country")["currency"]
    assert currencies() == {str(k): str(v) for k, v in cur.items()}


# --------------------------------------------------------------------------------------------------
# Layout

@pytest.mark.parametrize("edition", ["2025-08", "2026-07"])
def test_sheet_names_titles_and_unit_rows(replicas, edition):
    rep, _ = replicas[(edition, 0)]
    wb = openpyxl.load_workbook(rep.path)
    assert wb.sheetnames == SHEETS
    titles = TITLES_2025 if edition == "2025-08" else TITLES_2026
    for ws in wb.worksheets:
        assert ws["A1"].value == titles[ws.title]
        assert ws["A2"].value == UNITS[ws.title]
        assert [c.value for c in ws[1] if c.value is not None] == [titles[ws.title]]
        assert [c.value for c in ws[2] if c.value is not None] == [UNITS[ws.title]]


@pytest.mark.parametrize("edition", ["2025-08", "2026-07"])
def test_blocks_headings_and_year_headers(replicas, edition):
    rep, _ = replicas[(edition, 0)]
    wb = openpyxl.load_workbook(rep.path)
    last = LAST[edition]
    est = [last - 1, last]
    for ws in wb.worksheets:
        parsed = parse_sheet(ws)
        headings = [b["heading"] for b in parsed["blocks"]]
        want = HEADINGS[ws.title]
        if edition == "2026-07" and ws.title == "Table 6":
            want = [want[0], "Core defence expenditure per capita (US dollars)"]
        assert headings == want, ws.title
        if ws.title in ("Table 4", "Table 7"):
            assert parsed["blocks"][0]["header_row"] == 4
        else:
            assert ws["A4"].value == want[0] and parsed["blocks"][0]["header_row"] == 5
        for b in parsed["blocks"]:
            header = b["header"]
            if ws.title == "Table 4":
                assert header == [2014, f"{last}e", f"Real change 2014-{last}e (%)", "Share of real GDP 2014 (%)",
                                  f"Share of real GDP {last}e (%)"]
                assert type(header[0]) is int
                continue
            assert [year_of(h) for h in header] == list(range(2014, last + 1))
            assert header[0] == 2014
            for h in header:
                if year_of(h) in est:
                    assert h == f"{year_of(h)}e"
                else:
                    assert type(h) is int
        # consecutive blocks: heading directly after the previous block's one empty row
        for prev, nxt in zip(parsed["blocks"], parsed["blocks"][1:]):
            assert nxt["header_row"] - 1 == prev["rows"][-1][0] + 2
        # the Notes row follows the last block after one empty row and ends the sheet
        assert parsed["notes"][0] == parsed["blocks"][-1]["rows"][-1][0] + 2 == parsed["max_row"]


def accession_2024() -> str:
    with open(RAW_2024 / "02_TABLE2.csv", encoding="utf-8", newline="") as fh:
        c80 = next(r["value"] for r in csv.DictReader(fh) if r["cell"] == "C80")
    head = "Notes: Figures for 2023 and 2024 are estimates. "
    assert c80.startswith(head)
    return c80[len(head):]


@pytest.mark.parametrize("edition", ["2025-08", "2026-07"])
def test_notes_row(replicas, edition):
    rep, _ = replicas[(edition, 0)]
    wb = openpyxl.load_workbook(rep.path)
    head = ("Notes: Figures for 2024 and 2025 are estimates." if edition == "2025-08"
            else "Notes: Figures for 2025 and 2026 are estimates.")
    sentence = accession_2024()
    assert sentence.startswith("The NATO Europe and Canada and NATO Total aggregates from 2017 onwards include "
                               "Montenegro") and sentence.endswith("7 March 2024.")
    for ws in wb.worksheets:
        text = parse_sheet(ws)["notes"][1]
        if ws.title in ("Table 2", "Table 3", "Table 5", "Table 6", "Table 7"):
            assert text == f"{head} {sentence}"
        else:
            assert text == head


@pytest.mark.parametrize("edition", ["2025-08", "2026-07"])
def test_row_labels_order_iceland_aggregates_currencies_and_stars(replicas, edition):
    rep, _ = replicas[(edition, 0)]
    wb = openpyxl.load_workbook(rep.path)
    with_isl = ALLY_CODES[:ALLY_CODES.index("HUN") + 1] + ["ISL"] + ALLY_CODES[ALLY_CODES.index("HUN") + 1:]
    expect = {"Table 1": [ALLY_CODES] * 2, "Table 2": [ALLY_CODES + AGGS] * 2, "Table 3": [ALLY_CODES + AGGS] * 2,
              "Table 4": [ALLY_CODES], "Table 5": [with_isl + AGGS] * 2,
              "Table 6": [with_isl + AGGS, ALLY_CODES + AGGS], "Table 7": [ALLY_CODES + AGGS],
              "Table 8a": [ALLY_CODES] * 2, "Table 8b": [ALLY_CODES] * 2}
    currency = {"SWE": "Kronor", "POL": "Zlotys", "USA": "US dollars", "TUR": "Liras", "GBR": "Pounds",
                "ROU": "New Lei", "MKD": "Denars", "CAN": "Canadian dollars", "DEU": "Euros", "HRV": "Euros"}
    for ws in wb.worksheets:
        blocks = parse_sheet(ws)["blocks"]
        for block, codes in zip(blocks, expect[ws.title], strict=True):
            labels = [label for _, label, _ in block["rows"]]
            parsed = [parse_label(lab) for lab in labels]
            assert [p[0] for p in parsed] == codes, ws.title
            assert {code for code, starred, _ in parsed if starred} == STARRED[edition]
            if ws.title == "Table 1":
                assert all(cur for _, _, cur in parsed)
                by_code = {code: cur for code, _, cur in parsed}
                assert {c: by_code[c] for c in currency} == currency
            else:
                assert not any(cur for _, _, cur in parsed)
    t1 = [lab for _, lab, _ in parse_sheet(wb["Table 1"])["blocks"][0]["rows"]]
    t3 = [lab for _, lab, _ in parse_sheet(wb["Table 3"])["blocks"][0]["rows"]]
    if edition == "2025-08":
        assert "Poland* (Zlotys)" in t1 and "Sweden (Kronor)" in t1 and "Türkiye* (Liras)" in t1
        assert "Slovak Republic*" in t3 and "Slovenia" in t3 and "NATO Total" in t3
    else:
        assert "Poland (Zlotys)" in t1 and "Slovenia* (Euros)" in t1 and "United States (US dollars)" in t1
        assert "Slovenia*" in t3 and "Czechia" in t3 and "North Macedonia" in t3


def test_germany_2025_blank_except_personnel(r25, r26):
    _, book = r25
    deu = book.cells[book.cells["country"] == "DEU"]
    blank = deu[deu["raw"].isna()]
    assert len(blank) > 0 and (blank["year"] == 2025).all()
    assert set(blank["sheet"]) == set(SHEETS) - {"Table 7"}
    # every 2025 cell of Germany except personnel is blank; in Table 4 the columns of 2025 (C, D, F)
    dated = deu[(deu["year"] == 2025)]
    assert dated.loc[dated["sheet"] == "Table 7", "raw"].map(lambda v: isinstance(v, float)).all()
    assert dated.loc[dated["sheet"] != "Table 7", "raw"].isna().all()
    assert sorted(blank.loc[blank["sheet"] == "Table 4", "cell"].str[0]) == ["C", "D", "F"]
    assert len(blank) == 2 * 6 + 2 + 3  # Tables 1, 2, 3, 5, 8a, 8b: two blocks each; Table 6: two; Table 4: three
    # the aggregates of 2025 are printed
    aggs = book.cells[book.cells["country"].isin(AGGS) & (book.cells["year"] == 2025)]
    assert aggs["value"].notna().all() and len(aggs) == 2 * 9
    # the other allies, and Germany in 2026, print numbers
    assert book.cells.loc[book.cells["country"] != "DEU", "value"].notna().all()
    _, b26 = r26
    assert b26.cells.loc[b26.cells["country"] == "DEU", "value"].notna().all()


def test_markers_only_in_2026(r25, r26):
    _, b25 = r25
    assert not b25.cells["raw"].map(lambda v: isinstance(v, str)).any()
    _, b26 = r26
    texts = b26.cells[b26.cells["raw"].map(lambda v: isinstance(v, str))]
    assert texts[["sheet", "country", "year", "indicator", "raw"]].values.tolist() == [
        ["Table 7", "MNE", 2014, "military_personnel_thousand", ".."],
        ["Table 8b", "LUX", 2015, "infrastructure_share_pct", "-"]]
    assert b26.cells["raw"].isna().sum() == 0
    lux = b26.cells[(b26.cells["country"] == "LUX") & (b26.cells["year"] == 2015)
                    & b26.cells["indicator"].str.endswith("_share_pct")]
    others = lux.loc[lux["indicator"] != "infrastructure_share_pct", "value"]
    assert len(others) == 3 and abs(others.sum() - 100) <= 3 * 0.005 + 1e-9
    mne = b26.wide("Table 7", "military_personnel_thousand", "").loc["MNE"]
    assert math.isnan(mne[2014]) and mne.drop(2014).notna().all() and (mne.drop(2014) > 0).all()


def test_document_properties(r25, r26):
    for (rep, _), created, modified, stamp in (
            (r25, dt.datetime(2025, 8, 20, 9, 0), dt.datetime(2025, 8, 27, 16, 0), "2025-08-27T16:00:00Z"),
            (r26, dt.datetime(2026, 7, 1, 9, 0), dt.datetime(2026, 7, 9, 11, 30), "2026-07-09T11:30:00Z")):
        props = openpyxl.load_workbook(rep.path).properties
        assert props.creator == "NATO" and props.lastModifiedBy == "NATO"
        assert props.created == created and props.modified == modified
        core = zipfile.ZipFile(rep.path).read("docProps/core.xml").decode()
        assert f"<dcterms:modified xsi:type=\"dcterms:W3CDTF\">{stamp}</dcterms:modified>" in core


# --------------------------------------------------------------------------------------------------
# Printed precision

def test_2025_values_are_unrounded_floats_except_the_typed_cells(r25):
    rep, book = r25
    cells = book.cells[book.cells["value"].notna()]
    # openpyxl reads a whole number back as int (the typed 2.0 share, the zero shares)
    assert cells["raw"].map(lambda v: type(v) is float or float(v).is_integer()).all()
    short = cells[(cells["value"] * 100).round(6) == (cells["value"] * 100).round(0)]
    typed = {(a["sheet"], a["cell"]) for a in rep.anomalies if a["rule"] != "aggregate_sum"}
    zeros = short[short["value"] == 0]  # shares of a category an ally did not spend on are exactly 0
    assert set(zip(short["sheet"], short["cell"])) - set(zip(zeros["sheet"], zeros["cell"])) == typed
    assert len(typed) == 4
    assert (zeros["indicator"] == "infrastructure_share_pct").all()


def test_2026_values_are_rounded_as_printed(r26):
    _, book = r26
    cells = book.cells[book.cells["value"].notna()]
    whole = (cells["indicator"].isin(["defence_exp_ncu", "defence_exp_usd", "gdp_usd", "defence_exp_per_capita_usd"]))
    one = cells["indicator"] == "military_personnel_thousand"
    two = ~whole & ~one
    assert cells.loc[whole, "raw"].map(lambda v: type(v) is int).all()  # whole numbers are written as int
    assert whole.sum() == 31 * 13 * 2 + 33 * 13 * 2 + 2 * 31 + 34 * 13 * 2 + 33 * 13
    assert (cells.loc[one, "value"] == cells.loc[one, "value"].round(1)).all()
    assert (cells.loc[two, "value"] == cells.loc[two, "value"].round(2)).all()
    # not everything happens to be coarser: the 2-decimal series do use their second decimal
    assert (cells.loc[two, "value"] != cells.loc[two, "value"].round(1)).mean() > 0.8
    assert (cells.loc[one, "value"] != cells.loc[one, "value"].round(0)).mean() > 0.8


# --------------------------------------------------------------------------------------------------
# Consistency: 2025 to floating-point precision, 2026 within the rounding of the printed figures

def rounding(edition: str, indicator: str) -> float:
    """Half a unit of the last printed digit (0 for the unrounded 2025 edition)."""
    if edition == "2025-08":
        return 0.0
    return {"defence_exp_ncu": 0.5, "defence_exp_usd": 0.5, "gdp_usd": 0.5, "defence_exp_per_capita_usd": 0.5,
            "military_personnel_thousand": 0.05}.get(indicator, 0.005)


def planted(rep, rule: str) -> set[tuple[str, int]]:
    return {(a["country"], a["year"]) for a in rep.anomalies if a["rule"] == rule}


def ratio_bound(a, b, ea, eb, scale=1.0):
    """Largest error of scale * a / b when a and b are each off by at most ea and eb (|b| > eb)."""
    return scale * ((abs(a) + ea) / (abs(b) - eb) - abs(a) / abs(b))


FP = 1e-9  # relative tolerance for the unrounded 2025 figures


@pytest.mark.parametrize("key", [("2025-08", 0), ("2025-08", 7), ("2026-07", 0), ("2026-07", 7)])
def test_exchange_rates_link_tables_1_and_2(replicas, key):
    rep, book = replicas[key]
    ed = key[0]
    ncu_cur, ncu_con = book.wide("Table 1", "defence_exp_ncu", "current"), book.wide("Table 1", "defence_exp_ncu", "constant")
    usd_cur, usd_con = (book.wide("Table 2", "defence_exp_usd", b).loc[ALLY_CODES] for b in ("current", "constant"))
    e = rounding(ed, "defence_exp_ncu")
    # constant prices equal current prices in the base year 2021, to the last digit
    assert (ncu_cur[2021] == ncu_con[2021]).all() and (usd_cur[2021] == usd_con[2021]).all()
    # constant NCU / constant USD is the 2021 exchange rate in every year
    rate21 = ncu_cur[2021] / usd_cur[2021]
    ratio = ncu_con / usd_con
    rel = ratio.sub(rate21, axis=0).abs().div(rate21, axis=0)
    bound = ((e / ncu_con.abs() + e / usd_con.abs()) * 1.001).add((e / ncu_cur[2021] + e / usd_cur[2021]) * 1.001,
                                                                 axis=0) + FP
    assert ((rel <= bound) | ratio.isna()).all().all()
    assert ratio.isna().sum().sum() == (1 if ed == "2025-08" else 0)  # Germany 2025
    assert (ratio.loc["USA"].dropna() == 1).all()
    # current rates move from year to year (one rate per ally-year), the constant ones do not
    cur_rate = ncu_cur / usd_cur
    assert (cur_rate.drop("USA").std(axis=1) / cur_rate.drop("USA").mean(axis=1) > 0.001).all()


@pytest.mark.parametrize("key", [("2025-08", 0), ("2025-08", 7), ("2026-07", 0), ("2026-07", 7)])
def test_share_of_gdp_is_defence_over_gdp(replicas, key):
    rep, book = replicas[key]
    ed = key[0]
    share = book.wide("Table 3", "share_gdp_pct", "constant")
    dc, gdp = book.wide("Table 2", "defence_exp_usd", "constant"), book.wide("Table 5", "gdp_usd", "constant")
    ratio = (dc / gdp.loc[dc.index] * 100).loc[share.index]
    e = rounding(ed, "gdp_usd")
    bound = (FP * share.abs() + rounding(ed, "share_gdp_pct")
             + ratio_bound(dc, gdp.loc[dc.index], e, e, 100).reindex_like(share))
    ok = ((ratio - share).abs() <= bound) | share.isna()
    bad = {(c, y) for (c, y), good in ok.stack().items() if not good}
    assert bad == planted(rep, "share_equals_ratio")
    assert len(bad) == 1


@pytest.mark.parametrize("key", [("2025-08", 0), ("2025-08", 7), ("2026-07", 0), ("2026-07", 7)])
def test_real_change_follows_the_constant_price_series(replicas, key):
    rep, book = replicas[key]
    ed = key[0]
    rc = book.wide("Table 3", "real_change_pct", "constant")
    assert rc[2014].notna().all()  # 2014 has a value too (against 2013)
    base = pd.concat([book.wide("Table 1", "defence_exp_ncu", "constant"),
                      book.wide("Table 2", "defence_exp_usd", "constant").loc[AGGS]])
    prev = base.shift(axis=1)
    expected = ((base / prev - 1) * 100).reindex_like(rc)
    e = rounding(ed, "defence_exp_ncu")
    bound = 1e-7 + rounding(ed, "real_change_pct") + ratio_bound(base, prev, e, e, 100).reindex_like(rc)
    ok = (((expected - rc).abs() <= bound) | rc.isna()).drop(columns=2014)
    bad = {(c, y) for (c, y), good in ok.stack().items() if not good}
    assert bad == planted(rep, "real_change_recomputed")


@pytest.mark.parametrize("key", [("2025-08", 0), ("2025-08", 7), ("2026-07", 0), ("2026-07", 7)])
def test_aggregates_sum_the_members_of_each_year(replicas, key):
    rep, book = replicas[key]
    ed = key[0]
    germany = rep.truth["cells"].merge(rep.cells[["sheet", "cell", "country", "year", "indicator", "price_basis"]])
    germany = germany[(germany["country"] == "DEU")].set_index(["sheet", "indicator", "price_basis", "year"])["value"]
    seen = set()
    for sheet, indicator, basis in [("Table 2", "defence_exp_usd", "current"), ("Table 2", "defence_exp_usd", "constant"),
                                    ("Table 5", "gdp_usd", "current"), ("Table 5", "gdp_usd", "constant"),
                                    ("Table 7", "military_personnel_thousand", "")]:
        wide = book.wide(sheet, indicator, basis)
        for agg in AGGS:
            for year in book.years:
                ms = [m for m in members(year, agg) if m in wide.index]
                printed = wide.loc[ms, year]
                total = printed.sum()
                e = rounding(ed, indicator)
                if printed.isna().any():  # Germany 2025 in the 2025 edition: the total includes its figure
                    assert printed.index[printed.isna()].tolist() == ["DEU"] and (ed, year) == ("2025-08", 2025)
                    total += germany[(sheet, indicator, basis, year)]
                    seen.add((sheet, agg, basis))
                assert abs(wide.at[agg, year] - total) <= FP * abs(total) + e * (len(ms) + 1), (sheet, agg, year)
        # an ally is printed in every year, also before it joined, but not counted in the totals until then
        for ally, joined in JOINED.items():
            before = wide.loc[ally, :joined - 1]
            assert (before.dropna() > 0).all() and before.isna().sum() <= int((ally, sheet) == ("MNE", "Table 7"))
            assert all(ally not in members(y, "NATO_TOTAL") for y in range(2014, joined))
    if ed == "2025-08":
        assert seen == {(s, a, b) for s in ("Table 2", "Table 5") for a in AGGS for b in ("current", "constant")}
        assert {(a["sheet"], a["country"]) for a in rep.anomalies if a["rule"] == "aggregate_sum"} == \
            {(s, a) for s in ("Table 2", "Table 5") for a in AGGS}
    # Iceland counts in GDP: NATO Total GDP exceeds the allies with armed forces
    gdp = book.wide("Table 5", "gdp_usd", "current")
    assert gdp.at["NATO_TOTAL", 2015] - gdp.loc[members(2015, "NATO_TOTAL"), 2015].drop("ISL").sum() > 10_000


@pytest.mark.parametrize("key", [("2025-08", 0), ("2025-08", 7), ("2026-07", 0), ("2026-07", 7)])
def test_per_capita_figures(replicas, key):
    rep, book = replicas[key]
    ed = key[0]
    gpc = book.wide("Table 6", "gdp_per_capita_usd_thousand", "constant")
    dpc = book.wide("Table 6", "defence_exp_per_capita_usd", "constant")
    dc, gdp = book.wide("Table 2", "defence_exp_usd", "constant"), book.wide("Table 5", "gdp_usd", "constant")
    ratio = dc / gdp.loc[dc.index]
    expected = (gpc.loc[dpc.index] * 1000 * ratio.loc[dpc.index]).reindex_like(dpc)
    e = rounding(ed, "gdp_usd")
    rel = (rounding(ed, "gdp_per_capita_usd_thousand") / gpc.loc[dpc.index] + e / dc.loc[dpc.index].abs()
           + e / gdp.loc[dpc.index]) * 1.001
    bound = FP * dpc.abs() + rounding(ed, "defence_exp_per_capita_usd") + expected.abs() * rel.reindex_like(dpc)
    ok = ((expected - dpc).abs() <= bound) | dpc.isna()
    bad = {(c, y) for (c, y), good in ok.stack().items() if not good}
    assert bad == planted(rep, "per_capita_ratio")
    # aggregate GDP per capita: aggregate GDP over the members' population (Iceland included)
    pop = gdp * 1000 / gpc
    for agg in AGGS:
        for year in book.years:
            ms = members(year, agg)
            if pop.loc[ms, year].isna().any():
                assert (ed, year) == ("2025-08", 2025)
                continue
            want = gdp.at[agg, year] * 1000 / pop.loc[ms, year].sum()
            tol = FP if ed == "2025-08" else 2e-3
            assert gpc.at[agg, year] == pytest.approx(want, rel=tol)


@pytest.mark.parametrize("key", [("2025-08", 0), ("2025-08", 7), ("2026-07", 0), ("2026-07", 7)])
def test_table_4_repeats_tables_2_and_3(replicas, key):
    rep, book = replicas[key]
    ed, last = key[0], LAST[key[0]]
    dc = book.wide("Table 2", "defence_exp_usd", "constant").loc[ALLY_CODES]
    share = book.wide("Table 3", "share_gdp_pct", "constant").loc[ALLY_CODES]
    b, c, d, e_, f = (book.t4(i).loc[ALLY_CODES] for i in range(5))
    pd.testing.assert_series_equal(b, dc[2014], check_names=False)
    pd.testing.assert_series_equal(c, dc[last], check_names=False)
    pd.testing.assert_series_equal(e_, share[2014], check_names=False)
    pd.testing.assert_series_equal(f, share[last], check_names=False)
    er = rounding(ed, "defence_exp_usd")
    expected = (c / b - 1) * 100
    bound = 1e-7 + rounding(ed, "real_change_since_2014_pct") + ratio_bound(c, b, er, er, 100)
    bad = set(d.index[~((expected - d).abs() <= bound) & d.notna()])
    assert bad == {c for c, _ in planted(rep, "period_change")}
    if ed == "2026-07":
        assert f["NLD"] == share.at["NLD", 2026] == 2.58


@pytest.mark.parametrize("key", [("2025-08", 0), ("2026-07", 0)])
def test_categories_add_up_to_100(replicas, key):
    _, book = replicas[key]
    total = sum(book.wide(s, ind, "").fillna(0) for s, ind in
                [("Table 8a", "equipment_share_pct"), ("Table 8a", "personnel_share_pct"),
                 ("Table 8b", "infrastructure_share_pct"), ("Table 8b", "other_share_pct")])
    dev = (total - 100).abs()
    if key[0] == "2025-08":
        assert total.at["DEU", 2025] == 0  # Germany's 2025 shares are blank
        dev.loc["DEU", 2025] = 0
        assert (dev <= 1e-9).all().all()
    else:
        # each share is rounded on its own, as printed, so a sum can miss 100 by up to four half-units
        assert (dev <= 4 * 0.005 + 1e-9).all().all()
        assert (dev > 0.001).any().any()


@pytest.mark.parametrize("key", [("2025-08", 0), ("2025-08", 7), ("2026-07", 0), ("2026-07", 7)])
def test_invented_numbers_are_plausible(replicas, key):
    _, book = replicas[key]
    last = LAST[key[0]]
    share = book.wide("Table 3", "share_gdp_pct", "constant").loc[ALLY_CODES, last].dropna()
    assert (share >= 3.5).sum() >= 1
    assert ((share >= 2) & (share < 3.5)).sum() >= 5
    assert share.between(0.3, 6).all()
    rc = book.wide("Table 3", "real_change_pct", "constant")
    europe = [c for c in ALLY_CODES if c not in ("USA", "CAN")]
    for year in range(2025, last + 1):
        growth = rc.loc[europe, year].dropna()
        assert (growth > 0).mean() >= 0.8 and growth.between(-20, 40).all()


# --------------------------------------------------------------------------------------------------
# Planted anomalies

def test_anomaly_records_have_the_specified_keys(r25, r26):
    for rep, _ in (r25, r26):
        for a in rep.anomalies:
            assert set(a) == {"rule", "sheet", "cell", "country", "year", "indicator", "description"}
            assert a["description"]
    assert sorted(a["rule"] for a in r25[0].anomalies) == sorted(
        ["share_equals_ratio", "real_change_recomputed", "per_capita_ratio", "period_change"] + ["aggregate_sum"] * 8)
    assert sorted(a["rule"] for a in r26[0].anomalies) == ["nil", "not_available", "share_equals_ratio",
                                                           "share_equals_ratio"]


def test_2025_typed_cells(r25):
    rep, book = r25
    at = book.cells.set_index(["sheet", "cell"])
    truth = rep.truth["cells"].set_index(["sheet", "cell"])["value"]
    by_rule = {a["rule"]: a for a in rep.anomalies}
    fra = by_rule["share_equals_ratio"]
    assert (fra["sheet"], fra["country"], fra["year"]) == ("Table 3", "FRA", 2020)
    assert at.loc[("Table 3", fra["cell"]), "raw"] == 2.0
    dc = book.wide("Table 2", "defence_exp_usd", "constant").at["FRA", 2020]
    gdp = book.wide("Table 5", "gdp_usd", "constant").at["FRA", 2020]
    assert 1.97 < dc / gdp * 100 < 1.995
    for rule in ("real_change_recomputed", "per_capita_ratio", "period_change"):
        a = by_rule[rule]
        printed = at.loc[(a["sheet"], a["cell"]), "value"]
        assert printed == round(printed, 2)
        assert 0.001 < abs(printed - truth[(a["sheet"], a["cell"])]) < 0.005
    assert [(a["sheet"], a["country"], a["year"]) for a in rep.anomalies[:4]] == [
        ("Table 3", "FRA", 2020), ("Table 3", "ESP", 2022), ("Table 6", "NOR", 2018), ("Table 4", "ITA", 2025)]


def test_2026_netherlands_share(r26):
    rep, book = r26
    share = book.wide("Table 3", "share_gdp_pct", "constant")
    assert share.at["NLD", 2026] == 2.58 and book.t4(4)["NLD"] == 2.58
    for basis in ("current", "constant"):
        dc = book.wide("Table 2", "defence_exp_usd", basis).at["NLD", 2026]
        gdp = book.wide("Table 5", "gdp_usd", basis).at["NLD", 2026]
        assert dc / gdp * 100 == pytest.approx(2.29, abs=0.006)
    cells = {(a["sheet"], a["cell"]) for a in rep.anomalies if a["country"] == "NLD"}
    nld = book.cells[(book.cells["country"] == "NLD") & (book.cells["year"] == 2026)
                     & (book.cells["indicator"] == "share_gdp_pct")]
    assert cells == set(zip(nld["sheet"], nld["cell"])) and len(cells) == 2
    # the earlier Dutch shares are the true ratios
    assert share.at["NLD", 2025] != 2.58 and 1.5 < share.at["NLD", 2025] < 2.58


def test_2026_markers_are_listed(r26):
    rep, book = r26
    at = book.cells.set_index(["sheet", "cell"])["raw"]
    marks = {a["rule"]: a for a in rep.anomalies if a["rule"] in ("nil", "not_available")}
    assert at[(marks["not_available"]["sheet"], marks["not_available"]["cell"])] == ".."
    assert at[(marks["nil"]["sheet"], marks["nil"]["cell"])] == "-"
    assert (marks["nil"]["country"], marks["nil"]["year"], marks["nil"]["indicator"]) == \
        ("LUX", 2015, "infrastructure_share_pct")
    assert (marks["not_available"]["country"], marks["not_available"]["year"]) == ("MNE", 2014)

"""The raw transcription is faithful, reproducible, and nothing published is dropped."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import natoanalysis as na
from natoanalysis.extract import transcript
from natoanalysis.extract.cells import read_xlsx

from .conftest import NATO_XLSX, RAW_NATO


def test_reingest_reproduces_committed_raw_files(nato_xlsx, tmp_path):
    committed = json.loads((RAW_NATO / "provenance.json").read_text())
    target = na.ingest(nato_xlsx, source="nato", data_dir=tmp_path, accessed=committed["access_date"]).path
    fresh = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    kept = sorted(p.relative_to(RAW_NATO).as_posix() for p in RAW_NATO.rglob("*") if p.is_file())
    assert fresh == kept
    for rel in kept:
        assert (target / rel).read_bytes() == (RAW_NATO / rel).read_bytes(), rel


def test_provenance_sidecar_describes_the_official_file(nato_xlsx):
    rec = json.loads((RAW_NATO / "provenance.json").read_text())
    assert rec["sha256"] == "1897e2ead4be252c5c9a9d2f2696a65398c51375c88a2e7425339a8d368a600b"
    assert rec["size_bytes"] == 206548 == nato_xlsx.stat().st_size
    assert rec["publisher"] == "NATO Public Diplomacy Division"
    assert rec["edition"] == "2024-06" and rec["publication_date"] == "2024-06-17"
    assert rec["url"].endswith("240617-def-exp-2024-TABLES-en.xlsx")
    assert "credit to NATO" in rec["terms"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", rec["access_date"])
    for field in ("title", "data_cutoff", "transcribed_files"):
        assert field in rec


def test_every_nonempty_cell_is_transcribed_as_published(nato_xlsx):
    wb = openpyxl.load_workbook(nato_xlsx, data_only=True)
    meta = json.loads((RAW_NATO / "workbook.json").read_text())
    assert [s["name"] for s in meta["sheets"]] == wb.sheetnames
    for entry in meta["sheets"]:
        ws = wb[entry["name"]]
        with open(RAW_NATO / entry["file"], newline="", encoding="utf-8") as fh:
            rows = {r["cell"]: r for r in csv.DictReader(fh)}
        published = {c.coordinate: c for row in ws.iter_rows() for c in row if c.value is not None}
        assert set(rows) == set(published), entry["name"]
        for ref, cell in published.items():
            rec = rows[ref]
            if isinstance(cell.value, (int, float)):
                assert rec["type"] == "n" and float(rec["value"]) == cell.value, ref
            else:
                assert rec["value"] == str(cell.value), ref
    table1 = {r["cell"]: r for r in csv.DictReader(open(RAW_NATO / "sheets/01_TABLE1.csv", encoding="utf-8"))}
    # quirks of the file as published survive: '*' markers, 'e' suffixes, text years and error cells
    assert table1["C16"]["value"] == "Czechia*   (Koruny)"
    assert table1["M8"]["value"] == "2023e" and table1["I8"] == {"cell": "I8", "type": "s", "value": "2019"}
    assert table1["D42"]["type"] == "e" and table1["D42"]["value"] == "#REF!"


def test_transcription_reads_back_identical_to_workbook(nato_workbook):
    back = transcript.read(RAW_NATO)
    assert [s.name for s in back.sheets] == [s.name for s in nato_workbook.sheets]
    for a, b in zip(back.sheets, nato_workbook.sheets):
        assert sorted(a.cells, key=lambda c: (c.row, c.col)) == sorted(b.cells, key=lambda c: (c.row, c.col))
        assert a.hidden_rows == b.hidden_rows
    got = na.read_workbook(NATO_XLSX)
    pd.testing.assert_frame_equal(got.table, na.load())
    assert got.identity.edition == "2024-06" and got.identity.is_publisher_file is True
    assert got.findings is not None and got.findings["is_whitelisted"].all()
    # the result carries nothing in attrs: every pandas operation works on it
    assert got.table.attrs == {}
    as_text = got.table[["country", "year", "value"]].astype(str)
    assert as_text.loc[0].tolist() == [str(got.table["country"][0]), str(got.table["year"][0]),
                                       str(got.table["value"][0])]
    both = pd.concat([got.table, got.table], ignore_index=True)
    assert len(both) == 2 * len(got.table) and both["value"].sum() == pytest.approx(2 * got.table["value"].sum())


# Published numbers per table, from the table structure: rows x year columns x sections.
# 31 allies publish defence data in June 2024 (32 minus Iceland); aggregates are NATO Europe and Canada, NATO Total.
ALLIES, AGG, YEARS = 31, 2, 11
EXPECTED_NUMBERS = {
    "Table 1": ALLIES * YEARS * 2,                 # NCU current + constant, no aggregates
    "Table 2": (ALLIES + AGG) * YEARS * 2,         # USD current + constant
    "Table 3": (ALLIES + AGG) * YEARS * 2,         # share of GDP + annual real change
    "Table 4": ALLIES * 5,                         # 2014, 2024e, real change, two shares
    "Table 5": (ALLIES + 1 + AGG) * YEARS * 2,     # GDP, Iceland included
    "Table 6": (ALLIES + 1 + AGG) * YEARS + (ALLIES + AGG) * YEARS,
    "Table 7": (ALLIES + AGG) * YEARS,
    "Table 8a": ALLIES * YEARS * 2,
    "Table 8b": ALLIES * YEARS * 2,
}
TABLE4_REPEATS = ALLIES * 4  # all but the 2014-2024 real change repeat Tables 2 and 3


def test_nothing_published_is_dropped():
    df = na.load()
    counts = df.groupby("table").size().to_dict()
    counts["Table 4"] += TABLE4_REPEATS
    assert counts == EXPECTED_NUMBERS
    assert len(df) == sum(EXPECTED_NUMBERS.values()) - TABLE4_REPEATS == 5377
    # and against the raw cells: every numeric cell is a published number, a year header, or a quirk
    n_numeric = header_years = 0
    for f in sorted((RAW_NATO / "sheets").glob("*.csv")):
        for r in csv.DictReader(open(f, encoding="utf-8")):
            if r["type"] == "n":
                n_numeric += 1
                header_years += bool(re.fullmatch(r"20\d\d", r["value"]))
    zero_row = 10  # TABLE8b row 42: label-less zeros, on the whitelist
    assert n_numeric == sum(EXPECTED_NUMBERS.values()) + header_years + zero_row
    assert header_years == 67


def test_every_value_sits_under_its_printed_label_and_year(nato_xlsx):
    """Independent of the reader: open each value's source cell and read its row label and column header."""
    wb = openpyxl.load_workbook(nato_xlsx, data_only=True)
    df = na.load()
    names = {r.iso3: {a.strip() for a in (r.nato_names + ";" + r.name).split(";") if a.strip()}
             for r in na.countries().itertuples()}
    names.update({"NATO_EUROPE_CANADA": {"NATO Europe and Canada"}, "NATO_TOTAL": {"NATO Total"}})
    for r in df.itertuples():
        ws = wb[r.source_sheet]
        cell = ws[r.source_cell]
        assert cell.value == r.value
        label = " ".join(str(ws.cell(cell.row, c).value) for c in range(1, 5)
                         if isinstance(ws.cell(cell.row, c).value, str))
        base = re.split(r"\*|\(", label)[0].strip()
        assert base in names[r.country], (r.source_sheet, r.source_cell, label)
        header = next(ws.cell(row, cell.column).value for row in range(cell.row - 1, 0, -1)
                      if ws.cell(row, cell.column).value is not None and (
                          re.fullmatch(r"20\d\de?", str(ws.cell(row, cell.column).value))
                          or "Real change" in str(ws.cell(row, cell.column).value)))
        assert str(header).rstrip("e").endswith(str(r.year)) or str(r.year) in str(header)
        assert str(header).endswith("e") == r.is_estimate or "Real change" in str(header)

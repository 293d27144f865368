"""Golden values straight from the raw transcription of the June 2024 NATO workbook.

The CSVs in data/raw/nato/2024-06/sheets hold one line per cell (cell,type,value).
Columns D..N are the years 2014..2024 in every table; rows are named in the
tests after the workbook rows they read (e.g. TABLE3 row 41 is the United States).
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path

SHEETS = Path(__file__).resolve().parents[1] / "data" / "raw" / "nato" / "2024-06" / "sheets"
YEAR_COLUMNS = "DEFGHIJKLMN"
FILES = {"TABLE2": "02_TABLE2.csv", "TABLE3": "03_TABLE3.csv", "TABLE5": "05_TABLE5.csv",
         "TABLE8a": "08_TABLE8a.csv"}


@functools.lru_cache(maxsize=None)
def cells(sheet: str) -> dict[str, str]:
    with open(SHEETS / FILES[sheet], encoding="utf-8", newline="") as fh:
        return {r["cell"]: r["value"] for r in csv.DictReader(fh)}


def cell(sheet: str, ref: str) -> float:
    return float(cells(sheet)[ref])


def value(sheet: str, row: int, year: int) -> float:
    return cell(sheet, f"{YEAR_COLUMNS[year - 2014]}{row}")


def label(sheet: str, row: int) -> str:
    c = cells(sheet)
    return (c.get(f"C{row}") or c.get(f"B{row}") or "").rstrip("*").strip()


def block(sheet: str, first: int, last: int, year: int) -> dict[str, float]:
    """Printed name -> value of ``year`` for rows first..last (inclusive)."""
    return {label(sheet, r): value(sheet, r, year) for r in range(first, last + 1)}


# Row ranges of the allies (no aggregates) in each block.
T2_CURRENT, T2_CONSTANT = (11, 41), (45, 75)
T2_EC_CURRENT, T2_TOTAL_CURRENT, T2_EC_CONSTANT, T2_TOTAL_CONSTANT = 42, 43, 76, 77
T3_SHARE, T3_REAL_CHANGE = (11, 41), (45, 75)
T5_CURRENT, T5_CONSTANT = (11, 42), (46, 77)
T5_EC_CURRENT, T5_TOTAL_CURRENT, T5_EC_CONSTANT, T5_TOTAL_CONSTANT = 43, 44, 78, 79
T8A_EQUIPMENT = (11, 41)

# Printed NATO names -> ISO3, typed from the workbook's column C.
ISO3 = {"Albania": "ALB", "Belgium": "BEL", "Bulgaria": "BGR", "Canada": "CAN", "Croatia": "HRV", "Czechia": "CZE",
        "Denmark": "DNK", "Estonia": "EST", "Finland": "FIN", "France": "FRA", "Germany": "DEU", "Greece": "GRC",
        "Hungary": "HUN", "Iceland": "ISL", "Italy": "ITA", "Latvia": "LVA", "Lithuania": "LTU",
        "Luxembourg": "LUX", "Montenegro": "MNE", "Netherlands": "NLD", "North Macedonia": "MKD", "Norway": "NOR",
        "Poland": "POL", "Portugal": "PRT", "Romania": "ROU", "Slovak Republic": "SVK", "Slovenia": "SVN",
        "Spain": "ESP", "Sweden": "SWE", "Türkiye": "TUR", "United Kingdom": "GBR", "United States": "USA"}


def by_iso3(sheet: str, rows: tuple[int, int], year: int) -> dict[str, float]:
    return {ISO3[name]: v for name, v in block(sheet, *rows, year).items()}

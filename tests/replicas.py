"""Replica workbooks of NATO's August 2025 and July 2026 *Defence Expenditure of NATO Countries* tables.

We do not hold the real files of these two editions, so tests build look-alikes: the layout follows what
public parsers of the real files report (sheet names, titles, unit rows, block headings, year headers,
footnote stars, the Notes row, document properties), the numbers are invented.

The invented numbers start from the levels of the bundled June 2024 edition (read from its transcription
in ``data/raw/nato/2024-06/sheets``, not through the package's reader, so that this factory keeps working
while the reader is being changed), perturbed by a seeded random generator, extended to 2025 and 2026 with
invented growth and re-based to 2021 prices. Every printed table is then derived from these latent
per-ally-year quantities, so NATO's identities (Table 2 = Table 1 / exchange rate, share = Table 2 /
Table 5, aggregates = sum of the members of that year, ...) hold exactly, except where an anomaly is
planted on purpose; each planted anomaly is listed in :attr:`Replica.anomalies`.

Nothing generated here is written into the repository: :func:`write_replica` writes only at the path it
is given (a ``tmp_path`` in tests).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import functools
import math
import re
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.compat import safe_string
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

__all__ = ["EDITIONS", "Replica", "write_replica"]

#: Editions this factory can build.
EDITIONS = ("2025-08", "2026-07")

RAW_2024 = Path(__file__).resolve().parents[1] / "data" / "raw" / "nato" / "2024-06" / "sheets"

FIRST_YEAR = 2014
BASE_YEAR = 2021

#: The 31 allies with armed forces, in NATO's order (that of the 2024 edition), with NATO's spellings.
ALLIES: tuple[tuple[str, str], ...] = (
    ("ALB", "Albania"), ("BEL", "Belgium"), ("BGR", "Bulgaria"), ("CAN", "Canada"), ("HRV", "Croatia"),
    ("CZE", "Czechia"), ("DNK", "Denmark"), ("EST", "Estonia"), ("FIN", "Finland"), ("FRA", "France"),
    ("DEU", "Germany"), ("GRC", "Greece"), ("HUN", "Hungary"), ("ITA", "Italy"), ("LVA", "Latvia"),
    ("LTU", "Lithuania"), ("LUX", "Luxembourg"), ("MNE", "Montenegro"), ("NLD", "Netherlands"),
    ("MKD", "North Macedonia"), ("NOR", "Norway"), ("POL", "Poland"), ("PRT", "Portugal"), ("ROU", "Romania"),
    ("SVK", "Slovak Republic"), ("SVN", "Slovenia"), ("ESP", "Spain"), ("SWE", "Sweden"), ("TUR", "Türkiye"),
    ("GBR", "United Kingdom"), ("USA", "United States"),
)
ICELAND = ("ISL", "Iceland")
AGGREGATES: tuple[tuple[str, str], ...] = (("NATO_EUROPE_CANADA", "NATO Europe and Canada"),
                                           ("NATO_TOTAL", "NATO Total"))
ALLY_CODES = tuple(code for code, _ in ALLIES)
NAMES = dict(ALLIES + (ICELAND,) + AGGREGATES)
#: Allies that joined after 2014; the aggregates include an ally from its accession year on.
ACCESSION_YEAR = {"MNE": 2017, "MKD": 2020, "FIN": 2023, "SWE": 2024}

CATEGORIES = ("equipment_share_pct", "personnel_share_pct", "infrastructure_share_pct", "other_share_pct")

#: Decimals printed in the 2026 edition, per indicator (0: whole numbers, written as int).
DECIMALS_2026 = {
    "defence_exp_ncu": 0, "defence_exp_usd": 0, "gdp_usd": 0,
    "share_gdp_pct": 2, "real_change_pct": 2, "real_change_since_2014_pct": 2,
    "gdp_per_capita_usd_thousand": 2, "defence_exp_per_capita_usd": 0,
    "military_personnel_thousand": 1,
    **{c: 2 for c in CATEGORIES},
}

CELL_COLUMNS = ["sheet", "cell", "country", "year", "indicator", "price_basis", "value", "missing_reason",
                "is_estimate", "note_marker", "currency", "base_year"]
ANOMALY_KEYS = ("rule", "sheet", "cell", "country", "year", "indicator", "description")


@dataclasses.dataclass(frozen=True)
class _Edition:
    name: str
    last_year: int
    core: bool          # 2026 reports "core defence expenditure"
    rounded: bool       # 2026 prints rounded figures
    starred: frozenset
    created: dt.datetime
    modified: dt.datetime

    @property
    def years(self) -> list[int]:
        return list(range(FIRST_YEAR, self.last_year + 1))

    @property
    def estimates(self) -> tuple[int, int]:
        return (self.last_year - 1, self.last_year)


_EDITIONS = {
    "2025-08": _Edition("2025-08", 2025, core=False, rounded=False,
                        starred=frozenset({"CZE", "EST", "LVA", "LTU", "POL", "ROU", "SVK", "BGR", "HRV", "TUR"}),
                        created=dt.datetime(2025, 8, 20, 9, 0), modified=dt.datetime(2025, 8, 27, 16, 0)),
    "2026-07": _Edition("2026-07", 2026, core=True, rounded=True, starred=frozenset({"SVN"}),
                        created=dt.datetime(2026, 7, 1, 9, 0), modified=dt.datetime(2026, 7, 9, 11, 30)),
}


@dataclasses.dataclass
class Replica:
    """A replica workbook written by :func:`write_replica` and what was put in it.

    Attributes
    ----------
    path : pathlib.Path
        The written ``.xlsx`` file.
    edition : str
        ``"2025-08"`` or ``"2026-07"``.
    cells : pandas.DataFrame
        One row per data cell position of the printed tables (headings and labels excluded), in sheet
        order and, within a sheet, block by block, row by row, year by year. Columns: ``sheet``
        ("Table 3"), ``cell`` ("N12"), ``country`` (ISO3, ``NATO_EUROPE_CANADA`` or ``NATO_TOTAL``),
        ``year`` (int64), ``indicator``, ``price_basis`` ("current", "constant" or ""), ``value``
        (float64: the number as stored in the file, NaN for a blank or marker cell), ``missing_reason``
        ("" for a number, "not_published" for a blank cell, "not_available" for "..", "nil" for "-"),
        ``is_estimate`` (bool), ``note_marker`` ("*" or ""), ``currency`` (Table 1 only, else ""),
        ``base_year`` (Int64: 2021 for constant-price series, else <NA>). Text columns are pandas
        ``string`` dtype.
    anomalies : list of dict
        Each deliberately planted publisher anomaly, with keys ``rule`` (the consistency rule that
        flags it, or the marker kind), ``sheet``, ``cell``, ``country``, ``year``, ``indicator`` and
        ``description``.
    truth : dict of str to pandas.DataFrame
        ``"cells"``: the unrounded value behind every cell position (columns ``sheet``, ``cell``,
        ``value``), before rounding, blanking, markers and planted overwrites; ``"latent"``: the
        generated per-country-year inputs in long form (``country``, ``year``, ``quantity``,
        ``value``): constant-price defence spending and GDP in national currency (2021 prices), their
        deflators (1 in 2021), exchange rate (national currency per US dollar), population (persons),
        military personnel (thousands) and the four category shares.
    """

    path: Path
    edition: str
    cells: pd.DataFrame
    anomalies: list[dict]
    truth: dict[str, pd.DataFrame]


# --------------------------------------------------------------------------------------------------
# The bundled 2024 edition, read from its transcription

def _norm_label(text: str) -> tuple[str, str]:
    """(name, currency) of a 2024 row label such as 'Czechia*   (Koruny)'."""
    m = re.fullmatch(r"\s*(.*?)\s*(?:\(([^)]*)\))?\s*", text)
    name = " ".join(m.group(1).replace("*", " ").split())
    return name, (m.group(2) or "").strip()


@functools.lru_cache(maxsize=None)
def _sheet_2024(file_name: str) -> tuple[list[pd.DataFrame], dict[str, str]]:
    """Blocks of one 2024 sheet (country code x year) and the currencies in its labels."""
    with open(RAW_2024 / file_name, encoding="utf-8", newline="") as fh:
        cells = {r["cell"]: (r["type"], r["value"]) for r in csv.DictReader(fh)}
    grid: dict[int, dict[int, tuple[str, str]]] = {}
    for ref, tv in cells.items():
        col_letters, row = re.fullmatch(r"([A-Z]+)(\d+)", ref).groups()
        grid.setdefault(int(row), {})[openpyxl.utils.column_index_from_string(col_letters)] = tv
    header_row, first_col = next((r, c) for r, cols in sorted(grid.items()) for c, (t, v) in sorted(cols.items())
                                 if t == "n" and v == str(FIRST_YEAR))
    year_cols = {first_col + i: FIRST_YEAR + i for i in range(2024 - FIRST_YEAR + 1)}
    code_of = {name: code for code, name in NAMES.items()}
    blocks: list[dict[str, dict[int, float]]] = []
    currency: dict[str, str] = {}
    for r in sorted(k for k in grid if k > header_row):
        row = grid[r]
        label = next((v for c, (t, v) in row.items() if c < first_col and t == "s"), None)
        if label is None:
            continue
        name, cur = _norm_label(label)
        code = code_of.get(name)
        if code is None or not any(c in row and row[c][0] == "n" for c in year_cols):
            continue
        if not blocks or code in blocks[-1]:
            blocks.append({})
        blocks[-1][code] = {y: float(row[c][1]) for c, y in year_cols.items() if c in row and row[c][0] == "n"}
        if cur:
            currency[code] = cur
    return [pd.DataFrame.from_dict(b, orient="index") for b in blocks], currency


@functools.lru_cache(maxsize=1)
def currencies() -> dict[str, str]:
    """Currency name of each ally as printed in the 2024 edition's Table 1 labels ('Zlotys')."""
    return dict(_sheet_2024("01_TABLE1.csv")[1])


@functools.lru_cache(maxsize=1)
def accession_sentence() -> str:
    """The sentence on accessions that follows 'Notes: Figures for ... are estimates.' in the 2024 edition."""
    with open(RAW_2024 / "02_TABLE2.csv", encoding="utf-8", newline="") as fh:
        note = next(r["value"] for r in csv.DictReader(fh) if r["cell"] == "C80")
    return re.split(r"(?<=are estimates\.)\s+", note, maxsplit=1)[1]


@functools.lru_cache(maxsize=1)
def _history() -> dict[str, pd.DataFrame]:
    """The 2014-2024 inputs implied by the 2024 edition, re-based to 2021 prices (codes x years)."""
    t1, _ = _sheet_2024("01_TABLE1.csv")
    t2, _ = _sheet_2024("02_TABLE2.csv")
    t3, _ = _sheet_2024("03_TABLE3.csv")
    t5, _ = _sheet_2024("05_TABLE5.csv")
    t6, _ = _sheet_2024("06_TABLE6.csv")
    t7, _ = _sheet_2024("07_TABLE7.csv")
    t8a, _ = _sheet_2024("08_TABLE8a.csv")
    t8b, _ = _sheet_2024("09_TABLE8b.csv")
    allies, everyone = list(ALLY_CODES), list(ALLY_CODES) + [ICELAND[0]]
    ncu_cur, ncu_c15 = t1[0].loc[allies], t1[1].loc[allies]
    xr = (ncu_cur / t2[0].loc[allies]).reindex(everyone)
    xr.loc["USA"] = 1.0
    xr.loc["ISL"] = 1.0  # Iceland is printed only in US dollars; its "national currency" is never shown
    def_const = ncu_c15.mul(ncu_cur[BASE_YEAR] / ncu_c15[BASE_YEAR], axis=0)
    gdp_cur_usd, gdp_c15_usd = t5[0].loc[everyone], t5[1].loc[everyone]
    gdp_const = gdp_c15_usd.mul(gdp_cur_usd[BASE_YEAR] / gdp_c15_usd[BASE_YEAR] * xr[BASE_YEAR], axis=0)
    shares = {"equipment_share_pct": t8a[0], "personnel_share_pct": t8a[1],
              "infrastructure_share_pct": t8b[0], "other_share_pct": t8b[1]}
    return {
        "def_const_ncu": def_const,
        "def_deflator": ncu_cur / def_const,
        "xr": xr,
        "gdp_const_ncu": gdp_const,
        "gdp_deflator": gdp_cur_usd * xr / gdp_const,
        "population": gdp_c15_usd * 1000 / t6[0].loc[everyone],
        "personnel": t7[0].loc[allies],
        "real_change_2014": t3[1].loc[allies, FIRST_YEAR],
        **{c: shares[c].loc[allies] for c in CATEGORIES},
    }


# --------------------------------------------------------------------------------------------------
# Latent quantities

def _latent(seed: int, last_year: int) -> tuple[dict[str, pd.DataFrame], np.ndarray]:
    """Seeded per-country-year inputs for 2013..last_year (code x year) and spare uniform draws."""
    hist = _history()
    rng = np.random.default_rng(seed)
    allies, everyone = list(ALLY_CODES), list(ALLY_CODES) + [ICELAND[0]]
    years = list(range(FIRST_YEAR - 1, last_year + 1))
    hist_years = list(range(FIRST_YEAR, 2025))
    new_years = list(range(2025, last_year + 1))
    na_, ne_, nh = len(allies), len(everyone), len(hist_years)

    def frame(index):
        return pd.DataFrame(np.nan, index=index, columns=years)

    # Each seed shifts an ally's whole spending path and jitters single years, so seeds differ in levels
    # and in growth; the draws are made in one fixed order so a seed always gives the same workbook.
    level = rng.uniform(0.95, 1.05, na_)
    jitter = np.exp(rng.normal(0, 0.01, (na_, nh)))
    dc = frame(allies)
    dc[hist_years] = hist["def_const_ncu"].loc[allies, hist_years].to_numpy() * level[:, None] * jitter
    dc[FIRST_YEAR - 1] = dc[FIRST_YEAR] / (1 + hist["real_change_2014"].loc[allies] / 100)
    dd = frame(allies)
    dd[hist_years] = hist["def_deflator"].loc[allies, hist_years].to_numpy()
    xr = frame(everyone)
    xr[hist_years] = hist["xr"].loc[everyone, hist_years].to_numpy()
    gc = frame(everyone)
    gc[hist_years] = hist["gdp_const_ncu"].loc[everyone, hist_years].to_numpy() * np.exp(
        rng.normal(0, 0.002, (ne_, nh)))
    gd = frame(everyone)
    gd[hist_years] = hist["gdp_deflator"].loc[everyone, hist_years].to_numpy()
    # exactly 1 in the base year (re-basing leaves an ulp), so constant prices equal current prices in 2021
    dd[BASE_YEAR], gd[BASE_YEAR] = 1.0, 1.0
    pop = frame(everyone)
    pop[hist_years] = hist["population"].loc[everyone, hist_years].to_numpy() * np.exp(
        rng.normal(0, 0.001, (ne_, nh)))
    pers = frame(allies)
    pers[hist_years] = hist["personnel"].loc[allies, hist_years].to_numpy() * np.exp(rng.normal(0, 0.01, (na_, nh)))
    cats = {c: frame(allies) for c in CATEGORIES}
    for c in CATEGORIES:
        cats[c][hist_years] = hist[c].loc[allies, hist_years].to_numpy() * np.exp(rng.normal(0, 0.02, (na_, nh)))

    # 2025 and 2026: European rearmament (real growth of 3-14% a year), modest GDP growth and inflation.
    is_usa = np.array([c == "USA" for c in allies])
    is_can = np.array([c == "CAN" for c in allies])
    euro = np.array([currencies().get(c) == "Euros" for c in everyone])
    for y in new_years:
        growth = np.where(is_usa, rng.uniform(0.0, 0.03, na_),
                          np.where(is_can, rng.uniform(0.04, 0.12, na_), rng.uniform(0.03, 0.14, na_)))
        dc[y] = dc[y - 1] * (1 + growth)
        gdp_growth = rng.uniform(0.005, 0.03, ne_)
        gc[y] = gc[y - 1] * (1 + gdp_growth)
        inflation = rng.uniform(0.015, 0.04, ne_)
        gd[y] = gd[y - 1] * (1 + inflation)
        dd[y] = dd[y - 1] * (1 + inflation[:na_] + rng.uniform(-0.005, 0.01, na_))
        # The euro allies move together against the dollar, as their exchange rates are one rate.
        move = np.where(euro, rng.uniform(-0.05, 0.03), rng.uniform(-0.05, 0.05, ne_))
        move[everyone.index("TUR")] = rng.uniform(0.15, 0.40)
        xr[y] = xr[y - 1] * (1 + move)
        xr.loc[["USA", "ISL"], y] = 1.0
        pop[y] = pop[y - 1] * (1 + rng.uniform(-0.006, 0.01, ne_))
        pers[y] = pers[y - 1] * (1 + rng.uniform(-0.01, 0.04, na_))
        shift = {"equipment_share_pct": rng.uniform(0.0, 0.12, na_), "personnel_share_pct": -rng.uniform(0.0, 0.08, na_),
                 "infrastructure_share_pct": rng.normal(0, 0.03, na_), "other_share_pct": rng.normal(0, 0.03, na_)}
        for c in CATEGORIES:
            cats[c][y] = cats[c][y - 1] * np.exp(shift[c])
    total = sum(cats[c] for c in CATEGORIES)
    for c in CATEGORIES:  # the four categories of an ally-year add up to 100 (to floating-point precision)
        cats[c] = cats[c] / total * 100
    return ({"def_const_ncu": dc, "def_deflator": dd, "xr": xr, "gdp_const_ncu": gc, "gdp_deflator": gd,
             "population": pop, "personnel": pers, **cats}, rng.uniform(size=8))


def _floor2(x: float) -> float:
    return math.floor(x * 100) / 100


def _plant_latent(lat: dict[str, pd.DataFrame], u: np.ndarray, ed: _Edition) -> dict:
    """Move latent values so that the planted anomalies show clearly; return the parameters used."""
    dc, gc, pop, xr = lat["def_const_ncu"], lat["gdp_const_ncu"], lat["population"], lat["xr"]
    params: dict = {}
    if ed.name == "2025-08":
        # France 2020: Table 3 prints 2.0 while Table 2 / Table 5 give 1.975-1.990 (as NATO did for FRA 2020
        # in the 2024 edition).
        ratio = 1.975 + 0.015 * u[0]
        dc.at["FRA", 2020] = ratio / 100 * gc.at["FRA", 2020]
        params["FRA_2020_share"] = ratio
        # The three cells "typed to two decimals" are placed 0.0015-0.0045 off their 2-decimal print, so the
        # difference is well above the checks' tolerance (1e-6) for every seed.
        off = 0.0015 + 0.003 * u[1:4]
        rc = (dc.at["ESP", 2022] / dc.at["ESP", 2021] - 1) * 100
        dc.at["ESP", 2022] = dc.at["ESP", 2021] * (1 + (_floor2(rc) + off[0]) / 100)
        pc = dc.at["NOR", 2018] / xr.at["NOR", BASE_YEAR] * 1e6 / pop.at["NOR", 2018]
        pop.at["NOR", 2018] = dc.at["NOR", 2018] / xr.at["NOR", BASE_YEAR] * 1e6 / (_floor2(pc) + off[1])
        d = (dc.at["ITA", 2025] / dc.at["ITA", FIRST_YEAR] - 1) * 100
        dc.at["ITA", 2025] = dc.at["ITA", FIRST_YEAR] * (1 + (_floor2(d) + off[2]) / 100)
    else:
        # Netherlands 2026: the true share is ~2.29 (current and constant prices alike); Table 3 will print 2.58.
        ratio = 2.29 + 0.008 * (u[0] - 0.5)
        dd, gd = lat["def_deflator"], lat["gdp_deflator"]
        dc.at["NLD", 2026] = ratio / 100 * gc.at["NLD", 2026]
        dc.at["NLD", 2025] = math.sqrt(dc.at["NLD", 2024] * dc.at["NLD", 2026])
        dd.at["NLD", 2026] = gd.at["NLD", 2026]
        dd.at["NLD", 2025] = math.sqrt(dd.at["NLD", 2024] * dd.at["NLD", 2026])
        params["NLD_2026_share"] = ratio
        # Luxembourg 2015: no infrastructure spending ("-"); the other three categories make up 100 alone.
        infra = lat["infrastructure_share_pct"]
        rest = [c for c in CATEGORIES if c != "infrastructure_share_pct"]
        scale = 100 / sum(lat[c].at["LUX", 2015] for c in rest)
        for c in rest:
            lat[c].at["LUX", 2015] *= scale
        infra.at["LUX", 2015] = 0.0
    return params


def _members(year: int, code: str) -> list[str]:
    members = [c for c in ALLY_CODES + (ICELAND[0],) if ACCESSION_YEAR.get(c, 0) <= year]
    return [c for c in members if c != "USA"] if code == "NATO_EUROPE_CANADA" else members


def _series(lat: dict[str, pd.DataFrame]) -> dict[tuple[str, str], pd.DataFrame]:
    """Every printed series, unrounded, as (indicator, price_basis) -> code x year (2013 included)."""
    allies = list(ALLY_CODES)
    dc, dd, xr = lat["def_const_ncu"], lat["def_deflator"], lat["xr"]
    gc, gd, pop = lat["gdp_const_ncu"], lat["gdp_deflator"], lat["population"]
    xr21 = xr[BASE_YEAR]
    usd_cur = dc * dd / xr.loc[allies]
    usd_const = dc.div(xr21.loc[allies], axis=0)
    gdp_cur = gc * gd / xr
    gdp_const = gc.div(xr21, axis=0)

    def with_aggregates(df: pd.DataFrame) -> pd.DataFrame:
        rows = {}
        for code, _ in AGGREGATES:
            member = pd.DataFrame({y: df.index.isin(_members(y, code)) for y in df.columns}, index=df.index)
            rows[code] = df.where(member).sum(min_count=1)
        return pd.concat([df, pd.DataFrame(rows).T])

    usd_cur, usd_const = with_aggregates(usd_cur), with_aggregates(usd_const)
    gdp_cur, gdp_const = with_aggregates(gdp_cur), with_aggregates(gdp_const)
    pop = with_aggregates(pop)
    change = (dc / dc.shift(axis=1) - 1) * 100
    agg_const = usd_const.loc[[c for c, _ in AGGREGATES]]
    change = pd.concat([change, (agg_const / agg_const.shift(axis=1) - 1) * 100])
    with_agg = allies + [c for c, _ in AGGREGATES]
    return {
        ("defence_exp_ncu", "current"): dc * dd,
        ("defence_exp_ncu", "constant"): dc.copy(),
        ("defence_exp_usd", "current"): usd_cur,
        ("defence_exp_usd", "constant"): usd_const,
        ("share_gdp_pct", "constant"): usd_const.loc[with_agg] / gdp_const.loc[with_agg] * 100,
        ("real_change_pct", "constant"): change,
        ("gdp_usd", "current"): gdp_cur,
        ("gdp_usd", "constant"): gdp_const,
        ("gdp_per_capita_usd_thousand", "constant"): gdp_const * 1000 / pop,
        ("defence_exp_per_capita_usd", "constant"): usd_const.loc[with_agg] * 1e6 / pop.loc[with_agg],
        ("military_personnel_thousand", ""): with_aggregates(lat["personnel"]),
        **{(c, ""): lat[c] for c in CATEGORIES},
    }


# --------------------------------------------------------------------------------------------------
# Layout

def _sheets(ed: _Edition) -> list[dict]:
    """Title, unit row and blocks of each sheet: blocks are (heading or None, row kind, indicator, basis)."""
    big = "Core defence expenditure" if ed.core else "Defence expenditure"
    small = big.lower()
    allies, with_agg, with_isl = "allies", "allies+aggregates", "allies+iceland+aggregates"
    return [
        dict(sheet="Table 1", title=f"Table 1: {big}", unit="million national currency",
             blocks=[("Current prices", allies, "defence_exp_ncu", "current"),
                     ("Constant 2021 prices", allies, "defence_exp_ncu", "constant")]),
        dict(sheet="Table 2", title=f"Table 2: {big}", unit="million US dollars",
             blocks=[("Current prices and exchange rates", with_agg, "defence_exp_usd", "current"),
                     ("Constant 2021 prices and exchange rates", with_agg, "defence_exp_usd", "constant")]),
        dict(sheet="Table 3", title=f"Table 3: {big} as a share of GDP and annual real change", unit="percent",
             blocks=[("Share of real GDP (%), based on 2021 prices", with_agg, "share_gdp_pct", "constant"),
                     ("Annual real change (%), based on 2021 prices", with_agg, "real_change_pct", "constant")]),
        dict(sheet="Table 4", title=f"Table 4: {big} real change {FIRST_YEAR}-{ed.last_year}e",
             unit="million US dollars (2021 prices and exchange rates)", blocks=None),
        dict(sheet="Table 5", title="Table 5: GDP", unit="million US dollars",
             blocks=[("Current prices and exchange rates", with_isl, "gdp_usd", "current"),
                     ("Constant 2021 prices and exchange rates", with_isl, "gdp_usd", "constant")]),
        dict(sheet="Table 6", title=f"Table 6: GDP per capita and {small} per capita",
             unit="2021 prices and exchange rates",
             blocks=[("GDP per capita (thousand US dollars)", with_isl, "gdp_per_capita_usd_thousand", "constant"),
                     (f"{big} per capita (US dollars)", with_agg, "defence_exp_per_capita_usd", "constant")]),
        dict(sheet="Table 7", title="Table 7: Military personnel", unit="thousands",
             blocks=[(None, with_agg, "military_personnel_thousand", "")]),
        dict(sheet="Table 8a", title=f"Table 8a: Distribution of {small} by main category",
             unit="percentage of total defence expenditure",
             blocks=[("Equipment (a)", allies, "equipment_share_pct", ""),
                     ("Personnel (b)", allies, "personnel_share_pct", "")]),
        dict(sheet="Table 8b", title=f"Table 8b: Distribution of {small} by main category",
             unit="percentage of total defence expenditure",
             blocks=[("Infrastructure (c)", allies, "infrastructure_share_pct", ""),
                     ("Other (d)", allies, "other_share_pct", "")]),
    ]


def _row_codes(kind: str) -> list[str]:
    codes = list(ALLY_CODES)
    if "iceland" in kind:
        codes.insert(codes.index("HUN") + 1, ICELAND[0])  # alphabetical place, after Hungary
    if "aggregates" in kind:
        codes += [c for c, _ in AGGREGATES]
    return codes


def _label(code: str, sheet: str, ed: _Edition) -> str:
    label = NAMES[code] + ("*" if code in ed.starred else "")
    return f"{label} ({currencies()[code]})" if sheet == "Table 1" else label


def _year_header(year: int, ed: _Edition):
    return f"{year}e" if year in ed.estimates else year


def _printed(value: float, indicator: str, ed: _Edition):
    if not ed.rounded:
        return float(value)
    decimals = DECIMALS_2026[indicator]
    return int(round(float(value))) if decimals == 0 else round(float(value), decimals)


def _build(ed: _Edition, frames: dict) -> tuple[dict[str, list], list[dict]]:
    """Cell contents per sheet as (row, col, value) and one record per data cell position."""
    # plain dicts: thousands of scalar look-ups in DataFrames would dominate the run time
    series = {key: df.to_dict(orient="index") for key, df in frames.items()}
    contents: dict[str, list] = {}
    records: list[dict] = []
    years = ed.years
    notes_head = f"Notes: Figures for {ed.estimates[0]} and {ed.estimates[1]} are estimates."

    def record(sheet, row, col, code, year, indicator, basis, truth):
        records.append(dict(
            sheet=sheet, row=row, col=col, cell=f"{get_column_letter(col)}{row}", country=code, year=year,
            indicator=indicator, price_basis=basis, truth=float(truth),
            is_estimate=year in ed.estimates, note_marker="*" if code in ed.starred else "",
            currency=currencies()[code] if sheet == "Table 1" else "",
            base_year=BASE_YEAR if basis == "constant" else None))

    for spec in _sheets(ed):
        sheet = spec["sheet"]
        out = contents[sheet] = [(1, 1, spec["title"]), (2, 1, spec["unit"])]
        row = 4
        has_aggregates = False
        if spec["blocks"] is None:  # Table 4: one header row, then the allies
            out += [(row, 2, FIRST_YEAR), (row, 3, f"{ed.last_year}e"),
                    (row, 4, f"Real change {FIRST_YEAR}-{ed.last_year}e (%)"),
                    (row, 5, f"Share of real GDP {FIRST_YEAR} (%)"),
                    (row, 6, f"Share of real GDP {ed.last_year}e (%)")]
            columns = [(FIRST_YEAR, "defence_exp_usd", ("defence_exp_usd", "constant")),
                       (ed.last_year, "defence_exp_usd", ("defence_exp_usd", "constant")),
                       (ed.last_year, "real_change_since_2014_pct", None),
                       (FIRST_YEAR, "share_gdp_pct", ("share_gdp_pct", "constant")),
                       (ed.last_year, "share_gdp_pct", ("share_gdp_pct", "constant"))]
            usd = series[("defence_exp_usd", "constant")]
            for code in ALLY_CODES:
                row += 1
                out.append((row, 1, _label(code, sheet, ed)))
                for col, (year, indicator, key) in enumerate(columns, start=2):
                    truth = ((usd[code][ed.last_year] / usd[code][FIRST_YEAR] - 1) * 100 if key is None
                             else series[key][code][year])
                    record(sheet, row, col, code, year, indicator, "constant", truth)
            row += 2
        else:
            for heading, kind, indicator, basis in spec["blocks"]:
                if heading is not None:
                    out.append((row, 1, heading))
                    row += 1
                out += [(row, col, _year_header(y, ed)) for col, y in enumerate(years, start=2)]
                for code in _row_codes(kind):
                    row += 1
                    out.append((row, 1, _label(code, sheet, ed)))
                    for col, y in enumerate(years, start=2):
                        record(sheet, row, col, code, y, indicator, basis, series[(indicator, basis)][code][y])
                has_aggregates |= "aggregates" in kind
                row += 2
        out.append((row, 1, f"{notes_head} {accession_sentence()}" if has_aggregates else notes_head))
    return contents, records


def _anomalies(ed: _Edition, records: list[dict], params: dict) -> tuple[dict, list[dict]]:
    """Overwrites {(sheet, cell): (printed value or None, missing_reason)} and the anomaly list."""
    by_key = {(r["sheet"], r["country"], r["year"], r["indicator"], r["price_basis"], r["col"]): r for r in records}

    def find(sheet, code, year, indicator, basis="", col=None):
        hits = [r for k, r in by_key.items() if k[:5] == (sheet, code, year, indicator, basis)
                and (col is None or k[5] == col)]
        assert len(hits) == 1, (sheet, code, year, indicator, hits)
        return hits[0]

    overwrite: dict[tuple[str, str], tuple[object, str]] = {}
    anomalies: list[dict] = []

    def plant(rule, r, printed, reason, description):
        overwrite[(r["sheet"], r["cell"])] = (printed, reason)
        anomalies.append(dict(rule=rule, sheet=r["sheet"], cell=r["cell"], country=r["country"], year=r["year"],
                              indicator=r["indicator"], description=description))

    if ed.name == "2025-08":
        r = find("Table 3", "FRA", 2020, "share_gdp_pct", "constant")
        plant("share_equals_ratio", r, 2.0, "",
              f"Table 3 prints exactly 2.0 while Table 2 / Table 5 (constant 2021 USD) x 100 gives "
              f"{params['FRA_2020_share']:.4f}")
        r = find("Table 3", "ESP", 2022, "real_change_pct", "constant")
        plant("real_change_recomputed", r, round(r["truth"], 2), "",
              f"annual real change typed to two decimals ({round(r['truth'], 2)}) while the change of Table 1 "
              f"constant prices is {r['truth']:.6f}")
        r = find("Table 6", "NOR", 2018, "defence_exp_per_capita_usd", "constant")
        plant("per_capita_ratio", r, round(r["truth"], 2), "",
              f"defence expenditure per capita typed to two decimals ({round(r['truth'], 2)}) while GDP per "
              f"capita x 1000 x Table 2 / Table 5 gives {r['truth']:.6f}")
        r = find("Table 4", "ITA", 2025, "real_change_since_2014_pct", "constant")
        plant("period_change", r, round(r["truth"], 2), "",
              f"real change 2014-2025e typed to two decimals ({round(r['truth'], 2)}) while columns B and C "
              f"give {r['truth']:.6f}")
        # Germany's 2025 figures are not published, yet NATO's 2025 totals include them: each printed total
        # exceeds the sum of the printed members by Germany's figure.
        for sheet, indicator in (("Table 2", "defence_exp_usd"), ("Table 5", "gdp_usd")):
            for basis in ("current", "constant"):
                deu = find(sheet, "DEU", 2025, indicator, basis)
                for code, _ in AGGREGATES:
                    r = find(sheet, code, 2025, indicator, basis)
                    anomalies.append(dict(
                        rule="aggregate_sum", sheet=sheet, cell=r["cell"], country=code, year=2025,
                        indicator=indicator,
                        description=f"{basis}-price total includes Germany's unpublished 2025 figure "
                                    f"({deu['truth']:.6f}, blank cell {deu['cell']}); it exceeds the sum of the "
                                    f"printed members by that amount"))
    else:
        for sheet, col in (("Table 3", None), ("Table 4", 6)):
            r = find(sheet, "NLD", 2026, "share_gdp_pct", "constant", col)
            plant("share_equals_ratio", r, 2.58, "",
                  f"{'Table 3' if sheet == 'Table 3' else 'Table 4 (repeat of Table 3)'} prints 2.58 while Table 2 "
                  f"/ Table 5 (constant 2021 USD) and current-price spending / current GDP give "
                  f"{params['NLD_2026_share']:.4f}")
        r = find("Table 7", "MNE", 2014, "military_personnel_thousand")
        plant("not_available", r, "..", "not_available", "'..' (not available) printed for Montenegro's 2014 personnel")
        r = find("Table 8b", "LUX", 2015, "infrastructure_share_pct")
        plant("nil", r, "-", "nil", "'-' (nil) infrastructure share; equipment + personnel + other add up to 100 alone")
    return overwrite, anomalies


def _save(wb: openpyxl.Workbook, path: Path, ed: _Edition) -> None:
    wb.properties.creator = "NATO"
    wb.properties.lastModifiedBy = "NATO"
    wb.properties.created = ed.created
    wb.properties.modified = ed.modified
    # openpyxl's save_workbook stamps `modified` with the current time; its ExcelWriter, called directly,
    # writes the properties as set.
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()


def write_replica(path: Path, *, edition: str, seed: int = 0) -> Replica:
    """Write a replica of a newer NATO defence-expenditure workbook with invented numbers.

    Parameters
    ----------
    path : pathlib.Path
        Where to write the ``.xlsx`` file (overwritten if it exists).
    edition : {"2025-08", "2026-07"}
        Which layout to replicate: the August 2025 edition (years 2014-2025, 2024-2025 estimates,
        unrounded figures, Germany's 2025 figures blank) or the July 2026 edition (years 2014-2026,
        2025-2026 estimates, core defence expenditure, figures rounded as printed).
    seed : int, default 0
        Seed of the invented numbers. The same seed gives the same cells and values; the layout and
        the positions of the planted anomalies do not depend on it.

    Returns
    -------
    Replica
        The path, the edition, one row per data cell position (:attr:`Replica.cells`), the planted
        anomalies and the unrounded values behind the cells.

    Raises
    ------
    ValueError
        If ``edition`` is not one of :data:`EDITIONS`.

    Examples
    --------
    >>> rep = write_replica(tmp_path / "def-exp-2025-TABLES-en.xlsx", edition="2025-08")  # doctest: +SKIP
    >>> rep.cells.query("sheet == 'Table 7' and country == 'DEU' and year == 2025")["value"].notna().all()
    ... # doctest: +SKIP
    True
    """
    if edition not in _EDITIONS:
        raise ValueError(f"unknown edition {edition!r}; accepted: {', '.join(EDITIONS)}")
    ed = _EDITIONS[edition]
    path = Path(path)
    lat, spare = _latent(int(seed), ed.last_year)
    params = _plant_latent(lat, spare, ed)
    series = _series(lat)
    contents, records = _build(ed, series)
    overwrite, anomalies = _anomalies(ed, records, params)

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    rows = []
    for spec in _sheets(ed):
        ws = wb.create_sheet(spec["sheet"])
        for r, c, v in contents[spec["sheet"]]:
            ws.cell(row=r, column=c, value=v)
    sheets = {ws.title: ws for ws in wb.worksheets}
    for rec in records:
        printed, reason = _printed(rec["truth"], rec["indicator"], ed), ""
        if edition == "2025-08" and rec["country"] == "DEU" and rec["year"] == 2025 and rec["sheet"] != "Table 7":
            printed, reason = None, "not_published"
        printed, reason = overwrite.get((rec["sheet"], rec["cell"]), (printed, reason))
        if printed is not None:
            sheets[rec["sheet"]].cell(row=rec["row"], column=rec["col"], value=printed)
        # The value as a reader gets it back: openpyxl stores numbers with 16 significant digits.
        value = float(safe_string(printed)) if isinstance(printed, (int, float)) else math.nan
        rows.append({**rec, "value": value, "missing_reason": reason})
    _save(wb, path, ed)

    frame = pd.DataFrame(rows)
    cells = frame[CELL_COLUMNS].astype({
        "sheet": "string", "cell": "string", "country": "string", "year": "int64", "indicator": "string",
        "price_basis": "string", "value": "float64", "missing_reason": "string", "is_estimate": "bool",
        "note_marker": "string", "currency": "string", "base_year": "Int64"})
    truth_cells = frame[["sheet", "cell", "truth"]].rename(columns={"truth": "value"}).astype(
        {"sheet": "string", "cell": "string"})
    latent = pd.concat({q: df.loc[:, ed.years[0] - 1:].stack() for q, df in lat.items()}, names=["quantity"])
    latent = latent.rename("value").rename_axis(["quantity", "country", "year"]).reset_index()
    latent = latent[["country", "year", "quantity", "value"]]
    return Replica(path=path, edition=edition, cells=cells, anomalies=anomalies,
                   truth={"cells": truth_cells, "latent": latent})

"""The NATO reader finds tables by titles and headings and fails loudly on anything else."""

from __future__ import annotations

import dataclasses
import re

import pandas as pd
import pytest

import natoanalysis as na
from natoanalysis.transform.nato import tidy as tidy_nato
from natoanalysis.errors import LayoutError, WorkbookError
from natoanalysis.extract.cells import Cell

from .factory import clone, find, replace_cells, set_value, write_xlsx


def _tidy(wb, edition="2024-06", **kw):
    return tidy_nato(wb, edition=edition, **kw).table


def _values(df):
    return df.set_index(["country", "year", "indicator", "price_basis"])["value"].sort_index()


def newer_layout(wb, *, shift: int = 2):
    """The 2025-style layout: sheets 'Table 1'..., titles 'Table 1: Core defence expenditure', base year 2021 in a
    subtitle, section headings without the year, text years ending with 'e', every year moved by ``shift``."""
    new = clone(wb)
    for sheet in new.sheets:
        sheet.name = re.sub(r"TABLE(\d+\w?)", r"Table \1", sheet.name)

        def edit(c: Cell):
            if c.type == "s":
                v = str(c.value)
                v = re.sub(r"^Table (\w+) : Defence expenditure$", r"Table \1: Core defence expenditure", v)
                v = re.sub(r"^Table (\w+) : ", r"Table \1: ", v)
                v = v.replace("Million national currency units", "Million national currency units, constant 2021 prices")
                v = v.replace("Million US dollars", "Million US dollars (constant prices are 2021 prices)") \
                    if v == "Million US dollars" else v
                v = re.sub(r"^Constant 2015 prices", "Constant prices", v)
                v = v.replace("2015 prices", "2021 prices")
                v = re.sub(r"\b(20\d\d)(e?)\b(?!\s+prices)", lambda m: f"{int(m.group(1)) + shift}{m.group(2)}", v)
                return dataclasses.replace(c, value=v)
            if c.type == "n" and float(c.value).is_integer() and 2014 <= c.value <= 2024 and c.row in (8, 20):
                year = int(c.value) + shift
                return dataclasses.replace(c, type="s", value=f"{year}e" if year >= 2025 else str(year))
            return c

        replace_cells(sheet, edit)
    return new


def test_reads_the_newer_layout_from_a_real_xlsx(nato_workbook, tmp_path):
    path = write_xlsx(newer_layout(nato_workbook), tmp_path / "def-exp-2026-en.xlsx")
    # Years moved by two break the accession arithmetic of the aggregates, so the checks are off here;
    # what is tested is that each value lands at the right country, year and indicator.
    new = na.read_workbook(path, edition="2026-06", run_checks=False).table
    old = na.load()
    assert set(new["source_sheet"]) == {f"Table {n}" for n in ["1", "2", "3", "4", "5", "6", "7", "8a", "8b"]}
    assert new["year"].min() == 2016 and new["year"].max() == 2026
    assert sorted(new.loc[new["is_estimate"], "year"].unique()) == [2025, 2026]
    assert set(new.loc[new["price_basis"] == "constant", "base_year"]) == {2021}
    shifted = old.assign(year=old["year"] + 2)
    shifted["indicator"] = shifted["indicator"].replace("real_change_since_2014_pct", "real_change_since_2016_pct")
    pd.testing.assert_series_equal(_values(new), _values(shifted))
    pol = new.set_index(["country", "year", "indicator", "price_basis"]).loc[("POL", 2026, "defence_exp_ncu", "current")]
    assert pol["value"] == 151240.714 and pol["source_cell"] == "N32" and pol["currency"] == "Zlotys"  # TABLE1 N32


def test_newer_layout_with_same_years_passes_every_check(nato_workbook):
    df = _tidy(newer_layout(nato_workbook, shift=0), edition="2024-06")
    pd.testing.assert_series_equal(_values(df), _values(na.load()))


def test_harmless_changes_give_identical_values(nato_workbook):
    wb = clone(nato_workbook)
    wb.sheets.reverse()                                   # reordered sheets
    for s in wb.sheets:
        s.name = f"renamed {s.name}"                      # renamed sheets
        replace_cells(s, lambda c: dataclasses.replace(c, row=c.row + 3, col=c.col + 2))  # shifted block
    t2 = next(s for s in wb.sheets if s.name == "renamed TABLE2")
    replace_cells(t2, lambda c: set_value(c, int(c.value)) if c.type == "s" and re.fullmatch(r"20\d\d", str(c.value))
                  else c)                                 # '2019' as a number
    t2.cells.append(Cell(200, 3, "s", "Note: an extra footnote row"))
    pd.testing.assert_series_equal(_values(_tidy(wb)), _values(na.load()))


def _mutated(wb, sheet_name, fn):
    new = clone(wb)
    replace_cells(new.sheet(sheet_name), fn)
    return new


def test_missing_ally_row_is_an_error(nato_workbook):
    row = find(nato_workbook.sheet("TABLE2"), "Albania").row
    wb = _mutated(nato_workbook, "TABLE2", lambda c: None if c.row == row else c)
    with pytest.raises(LayoutError, match=r"sheet 'TABLE2'.*missing rows for ALB"):
        _tidy(wb)


def test_duplicated_ally_row_is_an_error(nato_workbook):
    row = find(nato_workbook.sheet("TABLE3"), "Albania").row
    wb = _mutated(nato_workbook, "TABLE3", lambda c: set_value(c, "Belgium") if c.row == row and c.type == "s" else c)
    with pytest.raises(LayoutError, match=r"sheet 'TABLE3', row 12: second row for BEL"):
        _tidy(wb)


def test_text_in_a_numeric_block_is_an_error(nato_workbook):
    wb = _mutated(nato_workbook, "TABLE5", lambda c: set_value(c, "n/a") if (c.row, c.col) == (15, 6) else c)
    with pytest.raises(LayoutError, match=r"sheet 'TABLE5', row 15: cell F15 holds 'n/a' where a number was expected"):
        _tidy(wb)


def test_value_without_year_header_is_an_error(nato_workbook):
    new = clone(nato_workbook)
    new.sheet("TABLE7").cells.append(Cell(30, 16, "n", 1.5))
    with pytest.raises(LayoutError, match=r"sheet 'TABLE7', row 30: value 1.5 in column P has no year header"):
        _tidy(new)


def test_empty_sheet_is_an_error(nato_workbook):
    wb = _mutated(nato_workbook, "TABLE7", lambda c: None)
    with pytest.raises(LayoutError, match=r"lacks tables or sections for: military_personnel_thousand"):
        _tidy(wb)


def test_unknown_country_label_is_named(nato_workbook):
    row = find(nato_workbook.sheet("TABLE7"), "Albania").row
    wb = _mutated(nato_workbook, "TABLE7", lambda c: set_value(c, "Atlantis") if c.row == row and c.type == "s" else c)
    with pytest.raises(LayoutError, match=r"sheet 'TABLE7', row 23: unknown country 'Atlantis'"):
        _tidy(wb)


def test_repeat_that_disagrees_is_a_finding_and_fatal_when_strict(nato_workbook):
    wb = _mutated(nato_workbook, "TABLE4", lambda c: set_value(c, c.value + 1) if c.ref == "D23" else c)
    found = tidy_nato(wb, edition="2024-06").findings.query("rule == 'repeat_agrees'")
    assert found[["country", "year", "indicator", "is_whitelisted"]].values.tolist() == [
        ["ALB", 2014, "defence_exp_usd", False]]
    assert "TABLE4!D23 = 151.0255" in found["detail"].iloc[0] and "repeats TABLE2!D45" in found["detail"].iloc[0]
    with pytest.raises(na.ValidationError, match=r"TABLE4!D23 = 151.0255.* repeats TABLE2!D45"):
        _tidy(wb, strict=True)


def test_changed_published_figure_is_found_and_fatal_when_strict(nato_workbook):
    wb = _mutated(nato_workbook, "TABLE2", lambda c: set_value(c, c.value * 1.01) if c.ref == "N41" else c)
    found = tidy_nato(wb, edition="2024-06").findings
    bad = found[~found["is_whitelisted"]]
    assert ("aggregate_sum", "NATO_TOTAL", 2024) in set(zip(bad["rule"], bad["country"], bad["year"]))
    with pytest.raises(na.ValidationError, match=r"aggregate_sum: NATO_TOTAL 2024"):
        _tidy(wb, strict=True)


def test_not_a_workbook_and_truncated_file(tmp_path, nato_xlsx):
    text = tmp_path / "tables.xlsx"
    text.write_text("Country,2014\nAlbania,1\n")
    with pytest.raises(WorkbookError, match="not an Excel .xlsx workbook"):
        na.read_workbook(text)
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(nato_xlsx.read_bytes()[:50_000])
    with pytest.raises(WorkbookError, match="cut.xlsx"):
        na.read_workbook(cut)

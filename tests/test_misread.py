"""Symptoms of a misread workbook, found in the tidy table before it becomes NATO's figures."""

from __future__ import annotations

import numpy as np
import pytest

import natoanalysis as na
from natoanalysis.transform.misread import symptoms


@pytest.fixture(scope="module")
def base():
    return na.load()


def _set(df, mask, value):
    out = df.copy()
    out.loc[mask, "value"] = value(out.loc[mask, "value"]) if callable(value) else value
    return out


def test_the_bundled_edition_shows_no_symptom(base):
    assert symptoms(base, previous=base) == []


def test_a_share_table_in_fractions_is_a_symptom(base):
    fractions = _set(base, base["indicator"] == "share_gdp_pct", lambda v: v / 100)
    found = symptoms(fractions)
    assert len(found) == 1 and found[0].startswith("share_gdp_pct: ") and "look like fractions" in found[0]


def test_negative_money_names_the_ally(base):
    negative = _set(base, (base["country"] == "ALB") & (base["indicator"] == "defence_exp_usd"), lambda v: -v)
    found = symptoms(negative)
    assert found[0].startswith("negative money: ALB 2014 defence_exp_usd = -") and "more" in found[0]


def test_an_impossible_gdp_is_a_symptom_once(base):
    huge = _set(base, (base["country"] == "FRA") & (base["indicator"] == "gdp_usd") & (base["year"] == 2020), 1e308)
    found = symptoms(huge)
    assert [f.split(":")[0] for f in found] == ["GDP above US$ 1e+08 million, more than any economy"]


def test_a_us_share_printed_as_zero_is_a_symptom(base):
    zero = _set(base, (base["country"] == "USA") & (base["indicator"] == "share_gdp_pct"), 0.0)
    assert symptoms(zero) == ["a share of GDP of 0 for an ally that spends: USA 2014, USA 2015, USA 2016"]


@pytest.mark.parametrize("how", ["one year later", "one row down"])
def test_a_shifted_table_is_a_symptom_against_the_bundled_edition(base, how):
    share = base["indicator"] == "share_gdp_pct"
    moved = base.copy()
    if how == "one year later":
        moved.loc[share, "year"] = moved.loc[share, "year"] + 1
    else:  # every ally gets the figures of the ally printed on the row above it
        rows = moved.loc[share & ~moved["is_aggregate"]].copy()
        order = rows["source_cell"].str.extract(r"(\d+)$", expand=False).astype(int)
        by_row = rows.assign(r=order).sort_values(["year", "r"])
        by_row["value"] = by_row.groupby("year")["value"].shift(1)
        moved.loc[by_row.index, "value"] = by_row["value"]
    found = symptoms(moved, previous=base)
    assert len(found) == 1 and found[0].startswith("share_gdp_pct differs from edition 2024-06 for ")
    assert "agrees with it when shifted" in found[0]


def test_ordinary_revisions_are_not_a_shift(base):
    revised = base.copy()
    rng = np.random.default_rng(0)
    share = revised["indicator"] == "share_gdp_pct"
    revised.loc[share, "value"] = revised.loc[share, "value"] * (1 + rng.normal(0, 0.01, share.sum()))
    assert symptoms(revised, previous=base) == []


@pytest.fixture(scope="module")
def fractions_workbook(tmp_path_factory):
    """The June 2024 workbook with Table 3's shares of GDP written as fractions (0.0203 for 2.03%)."""
    import openpyxl

    from .conftest import NATO_XLSX, require

    wb = openpyxl.load_workbook(require(NATO_XLSX))
    sheet = wb["TABLE3"]
    for row in sheet.iter_rows(min_row=11, max_row=43, min_col=4, max_col=14):
        for cell in row:
            if isinstance(cell.value, (int, float)):
                cell.value = cell.value / 100
    path = tmp_path_factory.mktemp("misread") / "def-exp-2024-fractions.xlsx"
    wb.save(path)
    return path


@pytest.mark.slow
def test_ingest_refuses_a_misread_workbook_in_one_line_and_force_accepts_it(fractions_workbook, tmp_path, capsys):
    from natoanalysis.cli import main

    root = tmp_path / "data"
    assert main(["--data-dir", str(root), "ingest", "nato", str(fractions_workbook)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "def-exp-2024-fractions.xlsx looks misread, nothing was kept: share_gdp_pct: " in err
    assert "look like fractions" in err and "--force" in err
    assert not (root / "raw" / "nato" / "2024-06").exists()
    assert main(["--data-dir", str(root), "ingest", "nato", str(fractions_workbook), "--force"]) == 0
    assert (root / "raw" / "nato" / "2024-06" / "provenance.json").is_file()

"""NATO's derived figures agree with their inputs, as recomputed here by hand from the raw cells."""

from __future__ import annotations

import csv

import pytest

import natoanalysis as na
from natoanalysis.transform import checks

from .conftest import RAW_NATO


def raw(sheet_file: str) -> dict[str, float]:
    with open(RAW_NATO / "sheets" / sheet_file, encoding="utf-8") as fh:
        return {r["cell"]: float(r["value"]) for r in csv.DictReader(fh) if r["type"] == "n"}


def test_real_change_recomputed_from_constant_prices():
    t1, t3 = raw("01_TABLE1.csv"), raw("03_TABLE3.csv")
    # Germany: TABLE1 row 54 constant 2015 euros, TABLE3 row 55 annual real change; 2024e is column N, 2023e M
    assert (t1["N54"] / t1["M54"] - 1) * 100 == pytest.approx(t3["N55"], abs=1e-9)
    assert t3["N55"] == pytest.approx(29.447, abs=1e-3)
    assert checks.real_change(na.load()).empty


def test_published_aggregate_real_change_mixes_in_new_members():
    t2, t3 = raw("02_TABLE2.csv"), raw("03_TABLE3.csv")
    # NATO Europe and Canada, constant 2015 USD: TABLE2 row 76; its published 2024e real change: TABLE3 row 76
    assert (t2["N76"] / t2["M76"] - 1) * 100 == pytest.approx(t3["N76"], abs=1e-9)
    sweden_2024 = t2["N72"]  # Sweden joined on 7 March 2024 and enters the aggregate in 2024 only
    same_members = ((t2["N76"] - sweden_2024) / t2["M76"] - 1) * 100
    assert t3["N76"] == pytest.approx(17.947, abs=1e-3) and same_members == pytest.approx(14.488, abs=1e-3)


def test_share_of_gdp_equals_expenditure_over_gdp_except_three_whitelisted_cells():
    found = checks.share_equals_ratio(na.load())
    assert sorted(zip(found["country"], found["year"])) == [("FRA", 2020), ("LTU", 2019), ("SVK", 2024)]
    assert (found["published"] == 2.0).all()
    t2, t3, t5 = raw("02_TABLE2.csv"), raw("03_TABLE3.csv"), raw("05_TABLE5.csv")
    # France 2020 (column J): Table 2 constant row 54, Table 5 constant row 55, Table 3 row 20
    assert t3["J20"] == 2.0 and t2["J54"] / t5["J55"] * 100 == pytest.approx(1.98618, abs=1e-5)
    # United States 2024e agrees exactly: Table 2 row 75, Table 5 row 77, Table 3 row 41
    assert t2["N75"] / t5["N77"] * 100 == pytest.approx(t3["N41"], abs=1e-12)


def test_aggregates_equal_sum_of_members_of_that_year():
    t2 = raw("02_TABLE2.csv")
    allies_2014 = [f"D{r}" for r in range(11, 42) if r not in (28, 30, 19, 38)]  # without MNE, MKD, FIN, SWE
    assert sum(t2[c] for c in allies_2014) == pytest.approx(t2["D43"], rel=1e-12)  # NATO Total 2014, current USD
    assert sum(t2[f"N{r}"] for r in range(11, 42)) == pytest.approx(t2["N43"], rel=1e-12)  # 2024e, all 31
    assert sum(t2[f"N{r}"] for r in range(11, 41)) == pytest.approx(t2["N42"], rel=1e-12)  # Europe and Canada
    assert checks.aggregate_sums(na.load()).empty


def test_expenditure_categories_add_up_and_shares_in_range():
    assert checks.shares_in_range(na.load()).empty


def test_every_whitelist_entry_matches_a_finding():
    dq = na.data_quality()
    wl = checks.whitelist()
    bundled = set(na.editions(source="nato")["edition"])
    for w in wl.itertuples():
        if w.edition and w.edition not in bundled:
            continue  # an edition we do not hold: its entries are checked on the replica workbooks
        hit = dq[(dq["rule"] == w.rule) & ((dq["edition"] == w.edition) if w.edition else True)
                 & ((dq["country"] == w.country) if w.country else True)
                 & ((dq["year"] == int(w.year)) if w.year else True)]
        assert len(hit), f"stale whitelist entry: {w}"
    assert dq["is_whitelisted"].all()
    assert set(dq["rule"]) == {"share_equals_ratio", "unlabelled_row", "yoy_jump"}
    assert dq.loc[dq["rule"] == "yoy_jump", ["country", "year", "indicator"]].values.tolist() == [
        ["BGR", 2019, "defence_exp_ncu"], ["LUX", 2023, "gdp_usd"]]


def test_yoy_rule_flags_jumps_without_whitelist(tmp_data):
    df = na.load(data_dir=tmp_data)
    bumped = df.copy()
    sel = (bumped["country"] == "ITA") & (bumped["indicator"] == "defence_exp_ncu") & (bumped["year"] == 2020)
    bumped.loc[sel & (bumped["price_basis"] == "constant"), "value"] *= 3
    from natoanalysis.transform.checks import yoy_jumps
    found = checks.mark_whitelisted(yoy_jumps(bumped))
    ita = found[found["country"] == "ITA"]
    assert ita["year"].tolist() == [2020, 2021] and not ita["is_whitelisted"].any()

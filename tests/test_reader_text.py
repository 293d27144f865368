"""What a reader sees in sentences and tables: money by magnitude, people as people, no negative 'rise needed'."""

from __future__ import annotations

import math

import pandas as pd

import natoanalysis as na
from natoanalysis.claims import check_claims
from natoanalysis.views import pathways, profile, tables, text


def test_money_and_people_read_in_their_magnitude():
    assert [text.usd(v) for v in (160.4, 16867.1, 2_360_000.0)] == ["US$160 million", "US$16.9 billion",
                                                                   "US$2.36 trillion"]
    assert text.people(1.6) == "1,600"


def test_montenegro_reads_in_millions_and_people():
    page = profile.profile_markdown(data=na.load(), country="MNE")
    assert "US$0." not in page and "thousand." not in page
    assert "Military personnel: 1," in page or "Military personnel: 2," in page


def test_an_ally_above_the_target_needs_no_rise():
    gaps = pathways.target_gaps(data=na.load(), year=2024, core_target_pct=3.5).set_index("country")
    assert gaps.loc["POL", "gap_core_pp"] < 0 and math.isnan(gaps.loc["POL", "required_increase_pp_per_year"])
    assert gaps.loc["DEU", "required_increase_pp_per_year"] > 0
    summary = profile.profile_summary(data=na.load(), country="POL")
    assert math.isnan(summary["required_increase_pp_per_year"])


def test_a_claims_gap_is_in_billions():
    row = check_claims().set_index("id").loc["netherlands-3-5pct-cost"]
    assert row["computed"].startswith("Gap (points of GDP): ") and "; Gap (US$ billion): " in row["computed"]


def test_one_row_is_one_row(tmp_path, monkeypatch):
    monkeypatch.setenv("NATOANALYSIS_TABLE_DIR", str(tmp_path))
    html = tables.show(pd.DataFrame({"year": [2024]}), name="one")._repr_html_()
    assert "(1 row)" in html

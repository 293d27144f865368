"""The API as a new user tries it first, from the README (issue 21): defaults, the reports' own labels, any case."""

from __future__ import annotations

import pytest

import natoanalysis as na


def test_allies_meeting_defaults_to_the_latest_year_like_the_other_metrics():
    default = na.allies_meeting()
    assert default.attrs["year"] == 2024
    assert default["status"].equals(na.allies_meeting(year=2024)["status"])
    assert int((default["status"] == "meets").sum()) == 23


@pytest.mark.parametrize("label", ["European allies and Canada", "european allies and canada",
                                   "NATO Europe and Canada", "NATO_EUROPE_CANADA"])
def test_groups_accept_the_labels_the_reports_print(label):
    expected = na.aggregate(indicator="defence_exp_usd", group="europe_canada", price_basis="constant")
    assert na.aggregate(indicator="defence_exp_usd", group=label, price_basis="constant").equals(expected)
    assert round(na.group_growth(group=label, year=2024), 2) == 17.95


def test_the_nato_total_label_is_the_nato_group():
    assert na.aggregate(indicator="gdp_usd", group="NATO total", price_basis="current").equals(
        na.aggregate(indicator="gdp_usd", group="nato", price_basis="current"))


@pytest.mark.parametrize("name", ["SIPRI", "Sipri", " sipri "])
def test_a_source_is_named_in_any_case(name):
    df = na.load(source=name)
    assert set(df["source"]) == {"sipri"} and len(df) == len(na.load(source="sipri"))
    assert list(na.editions(source=name)["source"].unique()) == ["sipri"]


def test_an_unknown_source_is_refused_naming_the_accepted_ones():
    with pytest.raises(ValueError, match=r"^unknown source 'imf'; accepted: nato, sipri$"):
        na.load(source="imf")

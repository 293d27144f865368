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


def _stderr_of(code: str, **env) -> str:
    import os
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, **env}, check=True)
    return out.stderr


def test_load_says_once_in_one_line_that_newer_editions_are_published():
    err = _stderr_of("import natoanalysis as na\nfor _ in range(3): na.load()\nna.load(edition='2024-06')")
    assert err.splitlines() == [
        "natoanalysis: edition 2024-06 loaded. Newer NATO editions are published: 2025-08 (2025-08-28), 2026-07 "
        "(2026-07); `natoanalysis fetch nato` gets the newest."]


def test_the_notice_can_be_turned_off():
    assert _stderr_of("import natoanalysis as na\nna.load()", NATOANALYSIS_NOTICES="0") == ""


def test_help_names_the_newer_editions_and_how_to_get_them(capsys):
    from natoanalysis.cli import main

    assert main(["--help"]) == 0
    assert capsys.readouterr().out.rstrip().endswith(
        "Newer NATO editions are published: 2025-08 (2025-08-28), 2026-07 (2026-07); `natoanalysis fetch nato` "
        "gets the newest.")

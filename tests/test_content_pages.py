"""The new content of issue 22 (item 7) on the pages of the report suite: the profiles' per-capita,
national-currency and SIPRI sections, Iceland without empty ones, and 03's scatter with its counts (slow tier)."""

from __future__ import annotations

import pytest

import natoanalysis as na

from .browser import visible_text
from .conftest import SUITE

pytestmark = [pytest.mark.slow, SUITE]

SECTIONS = ["Spending per person", "Spending in national currency ({currency})", "The long run in SIPRI's data"]


def _text(report, name: str) -> str:
    return " ".join(visible_text((report.run_dir / "html" / f"{name}.html").read_text(encoding="utf-8")).split())


def test_poland_profile_has_per_capita_national_currency_and_sipri_sections(report):
    data = na.load()
    page = _text(report, "05_country_profile_POL")
    for section in SECTIONS:
        assert section.format(currency="Zlotys") in page
    last = int(data["year"].max())
    ncu = data.query("country == 'POL' and indicator == 'defence_exp_ncu' and price_basis == 'current' "
                     "and year == @last")["value"].iloc[0]
    assert f"Poland: defence expenditure, million Zlotys at current prices Year Currency Defence expenditure " \
           f"(million national currency) Estimate" in page and f"{last} Zlotys {ncu:,.0f} yes" in page
    assert f"edition {data['edition'].iloc[0]}; defence expenditure (NATO definition); current prices, million " \
           "Zlotys." in page
    assert "NATO marks Poland with an asterisk (*) in Tables 1, 2 and 3: allies with national laws" in page
    assert "SIPRI is another source with another definition" in page and "in national currency" in page
    folder = report.run_dir / "tables" / "05_country_profile_POL"
    assert (folder / "POL_national_currency.csv").read_text(encoding="utf-8").splitlines()[0] == \
        "year,currency,defence_exp_ncu,is_estimate"


def test_iceland_profile_shows_none_of_the_new_sections(report):
    page = _text(report, "05_country_profile_ISL")
    for absent in ("Spending per person", "in national currency", "NATO Table 1", "The long run in SIPRI's data",
                   "SIPRI is another source"):
        assert absent not in page


def test_guidelines_page_has_the_scatter_and_its_quadrant_counts(report):
    data = na.load()
    last = int(data["year"].max())
    g = na.guidelines().set_index("guideline")["threshold_pct"]
    wide = data.query("year == @last and not is_aggregate and indicator in ['share_gdp_pct', 'equipment_share_pct']")\
        .pivot(index="country", columns="indicator", values="value").dropna()
    two, equip = wide["share_gdp_pct"] >= g["nato_2pct"], wide["equipment_share_pct"] >= g["nato_equipment_20pct"]
    page = _text(report, "03_guidelines")
    assert (f"In {last}e, {int((two & equip).sum())} of the {len(wide)} allies shown met both guidelines; "
            f"{int((two & ~equip).sum())} met only the 2% guideline, {int((~two & equip).sum())} only the 20% "
            f"equipment guideline, and {int((~two & ~equip).sum())} neither.") in page

"""The reports' text as a reader meets it: told once and linked elsewhere, pages linked to each other, no
placeholder year, no empty sections (issue 22, item 6).

The first tests read the views and the committed notebooks; the last read the pages of the suite run made
once per session (``report`` in tests/conftest.py).
"""

from __future__ import annotations

import json
import re

import pytest

import natoanalysis as na
from natoanalysis.views import compliance, coverage

from .browser import visible_text
from .conftest import REPO, SUITE

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def _cells(path, kind: str) -> list[str]:
    return ["".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == kind]


def _anchor(heading: str) -> str:
    """The id nbconvert gives a heading: its text with spaces as hyphens."""
    return heading.strip().replace(" ", "-")


def test_the_recomputed_cases_are_told_in_full_once_and_linked_from_one_sentence_elsewhere():
    data = na.load()
    full = compliance.recomputed_markdown(data=data)
    brief = compliance.recomputed_markdown(data=data, brief=True)
    cases = compliance.printed_versus_recomputed(data=data)
    assert len(cases) == 3 and "recomputed 1.995%" in full  # Lithuania 2019, as the bundled edition prints it
    assert "recomputed" not in brief and brief.count(". ") == 0 and brief.endswith(".")
    assert f"]({compliance.RECOMPUTED_DETAILS})" in brief
    assert "Lithuania 2019" in brief and "Slovakia 2024e" in brief
    calls = {p.stem: re.findall(r"recomputed_markdown\(([^)]*)\)", " ".join(_cells(p, "code"))) for p in NOTEBOOKS}
    told = [stem for stem, found in calls.items() for args in found if "brief=True" not in args]
    linked = sorted(stem for stem, found in calls.items() for args in found if "brief=True" in args)
    assert told == ["00_data_overview"]
    assert linked == ["01_alliance_overview", "03_guidelines", "08_claims_check"]
    page, anchor = compliance.RECOMPUTED_DETAILS.split("#")
    headings = [h for md in _cells(REPO / "notebooks" / page.replace(".html", ".ipynb"), "markdown")
                for h in re.findall(r"^#+ (.+)$", md, flags=re.M)]
    assert anchor in [_anchor(h) for h in headings]


def test_pages_name_each_other_by_links_that_lead_to_a_page():
    stems = {p.stem for p in NOTEBOOKS}
    for path in NOTEBOOKS:
        text = " ".join(_cells(path, "markdown"))
        assert not re.search(r"\bnotebook \d\d\b|\(\d\d\)", text), path.name
        for target in re.findall(r"\]\(([^)#]+)\.html(?:#[^)]*)?\)", text):
            assert target in stems, (path.name, target)


def test_quality_findings_are_grouped_and_show_no_placeholder_year():
    quality = na.data_quality()
    assert (quality["year"] == -1).sum() == 6  # the six broken hidden rows of NATO's file, one per table and row
    shown = coverage.quality_findings(quality)
    assert len(shown) == 6 and shown["reason"].is_unique
    assert "-1" not in " ".join(shown["year"])
    hidden = shown.set_index("rule").loc["unlabelled_row"]
    assert (hidden["n_findings"], hidden["year"], hidden["country"]) == (6, "", "")
    assert hidden["indicator"] == "Table 1, Table 8a, Table 8b"
    share = shown[shown["rule"] == "share_equals_ratio"].set_index("country")
    assert share.loc["LTU", "year"] == "2019" and share.loc["LTU", "published"] == 2.0


@pytest.mark.slow
@SUITE
def test_pages_tell_the_recomputed_cases_once_and_iceland_has_no_empty_sections(report):
    html = report.run_dir / "html"
    texts = {p.stem: " ".join(visible_text(p.read_text(encoding="utf-8")).split()) for p in html.glob("*.html")}
    assert [stem for stem, t in texts.items() if "recomputed 1.995%" in t] == ["00_data_overview"]
    for stem in ("01_alliance_overview", "03_guidelines", "08_claims_check"):
        raw = (html / f"{stem}.html").read_text(encoding="utf-8")
        assert f'href="{compliance.RECOMPUTED_DETAILS}"' in raw, stem
    assert 'id="Data-quality-findings"' in (html / "00_data_overview.html").read_text(encoding="utf-8")
    assert 'href="02_burden_sharing.html"' in (html / "01_alliance_overview.html").read_text(encoding="utf-8")
    iceland = texts["05_country_profile_ISL"]
    assert iceland.count("has no armed forces") == 1
    assert not re.search(r"\bNo (share of GDP|defence expenditure series|spending composition|military personnel)\b",
                         iceland)
    assert "Military personnel" not in iceland
    assert 'id="GDP"' in (html / "05_country_profile_ISL.html").read_text(encoding="utf-8")  # what it has is shown
    assert "Military personnel" in texts["05_country_profile_POL"]

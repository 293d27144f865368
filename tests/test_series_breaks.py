"""A documented series break is footnoted wherever the ally's figures past it are ranked, counted or charted."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

import natoanalysis as na  # noqa: E402
from natoanalysis import charts  # noqa: E402
from natoanalysis.views import compliance, pathways, provenance, tables  # noqa: E402

GNI = "Luxembourg from 2023: NATO's GDP is gross national income (GNI), so its share of GDP is a share of GNI"


def _figure_text(fig) -> str:
    return " ".join(t.get_text().replace("\n", " ") for t in fig.texts)


@pytest.mark.parametrize("year, footnoted", [(2024, True), (2023, True), (2022, False)])
def test_the_share_of_gdp_chart_footnotes_luxembourg_from_2023(year, footnoted):
    fig = charts.share_gdp_bars(na.load(), year=year)
    try:
        assert (GNI in _figure_text(fig)) is footnoted
    finally:
        plt.close(fig)


@pytest.mark.parametrize("view", [compliance.compliance_history, compliance.meeting_counts, pathways.target_gaps])
def test_views_that_rank_or_count_shares_carry_the_break(view):
    table = view(data=na.load())
    assert any(b.startswith(GNI) for b in provenance.provenance_of(table).breaks)


def test_a_table_shown_from_such_a_view_has_the_note_under_it(tmp_path, monkeypatch):
    monkeypatch.setenv("NATOANALYSIS_TABLE_DIR", str(tmp_path))
    shown = tables.show(pathways.target_gaps(data=na.load()), name="gaps")
    assert sum(n.startswith(GNI) for n in shown.notes) == 1


def test_rows_before_the_break_carry_no_note():
    d = na.load()
    early = d[d["year"] <= 2022]
    assert provenance.Provenance.of(early).breaks == ()
    others = d[(d["country"] != "LUX")]
    assert provenance.Provenance.of(others).breaks == ()

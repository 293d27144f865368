"""A transcription made from a file that is not the publisher's says so: in the footnotes, report 00 and the home facts."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

import natoanalysis as na  # noqa: E402
from natoanalysis import charts  # noqa: E402
from natoanalysis.views import headline, home, provenance  # noqa: E402

from .conftest import NATO_XLSX, REPO, require  # noqa: E402

NOTE = "NATO edition 2024-06 is transcribed from a copy that is not the publisher's file."


@pytest.fixture(scope="module")
def resaved_root(tmp_path_factory):
    """A data folder whose 2024-06 edition was ingested from the June 2024 workbook saved again by openpyxl."""
    import openpyxl

    base = tmp_path_factory.mktemp("copies")
    copy = base / "240617-def-exp-2024-TABLES-en.xlsx"
    openpyxl.load_workbook(require(NATO_XLSX)).save(copy)
    root = base / "data"
    result = na.ingest(copy, data_dir=root, accessed="2026-12-01")
    assert result.status == "new"
    return root


@pytest.mark.slow
def test_the_copy_is_named_in_footnotes_report_00_and_home(resaved_root, monkeypatch):
    monkeypatch.setenv("NATOANALYSIS_DATA_DIR", str(resaved_root))
    data = na.load()
    assert na.sources().set_index("source").loc["nato", "is_publisher_file"] in (False, "False")
    assert provenance.copies("nato", ("2024-06",)) == ("2024-06",)
    fig = charts.share_gdp_bars(data, year=2024)
    try:
        assert NOTE in " ".join(t.get_text().replace("\n", " ") for t in fig.texts)
    finally:
        plt.close(fig)
    assert "This transcription was made from a copy that is not NATO's published file" in \
        headline.edition_summary(data=data)
    assert home.edition_facts(data=data)["is_copy"] is True


def test_the_bundled_publisher_file_carries_no_such_note(monkeypatch):
    monkeypatch.setenv("NATOANALYSIS_DATA_DIR", str(REPO / "data"))
    data = na.load()
    assert provenance.provenance_of(headline.largest_spenders(data=data)).sources[0].copies == ()
    assert home.edition_facts(data=data)["is_copy"] is False
    assert "copy" not in headline.edition_summary(data=data)

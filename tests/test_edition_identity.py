"""An edition id, given or read off a save date, must agree with what the workbook's tables cover."""

from __future__ import annotations

import pytest

from natoanalysis import edition
from natoanalysis.cli import main
from natoanalysis.errors import WorkbookError

from .conftest import NATO_XLSX

JUNE_2024 = dict(first_year=2014, last_year=2024, estimate_years=[2023, 2024],
                 definition="defence expenditure (NATO definition)", base_year=2015)


def _identify(coverage, **kwargs):
    return edition.identify(source="nato", **coverage, sha256="0" * 64, **kwargs)


def test_a_known_edition_id_given_for_other_content_is_refused():
    changed = {**JUNE_2024, "estimate_years": [2024]}  # matches no record: only the id given could name it
    with pytest.raises(WorkbookError, match=r"^the workbook is not nato edition 2025-08: years 2014-2024, not "
                                            r"2014-2025; estimates 2024, not 2024;2025; base year 2015, not 2021 "):
        _identify(changed, properties={}, requested="2025-08")


def test_a_new_edition_id_may_be_given_for_content_no_record_describes():
    ident = _identify({**JUNE_2024, "estimate_years": [2024]}, properties={}, requested="2024-09")
    assert (ident.edition, ident.how, ident.record) == ("2024-09", "given by the caller", {})


def test_the_save_date_never_names_a_known_edition_the_content_contradicts():
    content = {**JUNE_2024, "last_year": 2025, "estimate_years": [2024, 2025]}  # 2025 layout, but 2015 prices
    with pytest.raises(WorkbookError, match=r"was saved in 2025-08, but nato edition 2025-08 is known and this is not "
                                            r"it \(base year 2015, not 2021\)"):
        _identify(content, properties={"modified": "2025-08-20T09:00:00"})
    # an unknown month is still named from the save date
    assert _identify(content, properties={"modified": "2025-09-02T09:00:00"}).edition == "2025-09"


def test_content_that_matches_its_record_keeps_its_id():
    assert _identify(JUNE_2024, properties={}, requested="2024-06").edition == "2024-06"
    assert _identify(JUNE_2024, properties={"modified": "2026-01-01"}).edition == "2024-06"


@pytest.mark.skipif(not NATO_XLSX.is_file(), reason="the June 2024 workbook is not beside the checkout")
def test_ingest_refuses_the_june_2024_workbook_as_2025_08_in_one_line(tmp_path, capsys):
    assert main(["--data-dir", str(tmp_path), "ingest", "nato", str(NATO_XLSX), "--edition", "2025-08"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "is nato edition 2024-06" in err and "not 2025-08" in err
    assert not (tmp_path / "raw" / "nato" / "2025-08").exists()

"""Nothing lost, nothing escapes: hostile edition ids, look-alike workbooks, edited raw files, kills and races.

Each test reproduces an attack found on the data side of the package (ingest, raw transcriptions, the
processed cache) and checks what is left on disk afterwards. Kills are real (SIGKILL at a chosen step of
a child process), races are real (a child ingesting while the parent loads); nothing waits on a clock.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

import natoanalysis as na
from natoanalysis.store import cache as store
from natoanalysis.cli import main
from natoanalysis.errors import DataIntegrityError

from .conftest import NATO_XLSX, REPO, SIPRI_XLSX, require
from .factory import clone, replace_cells, write_xlsx

# Slow tier (make test): subprocesses, kernels, signals or large generated inputs.
pytestmark = pytest.mark.slow

RAW = "raw/nato/2024-06"


def _snapshot(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


# 1. edition ids are ids, never paths -------------------------------------------------------------------------

@pytest.mark.parametrize("edition", ["/some/folder", "../../processed", "2024-06/../../x", "", "2024-13"])
def test_an_edition_that_is_a_path_is_refused_before_any_file_is_touched(tmp_path, capsys, edition):
    root = tmp_path / "data"
    victim = tmp_path / "some" / "folder"
    victim.mkdir(parents=True)
    (victim / "keep.txt").write_text("mine")
    (root / "processed").mkdir(parents=True)
    (root / "processed" / "keep.txt").write_text("mine too")
    before = _snapshot(tmp_path)
    arg = str(victim) if edition == "/some/folder" else edition
    assert main(["--data-dir", str(root), "ingest", "sipri", str(require(SIPRI_XLSX)), "--edition", arg]) == 2
    err = capsys.readouterr().err
    assert "is not an edition id of sipri; accepted: 'YYYY-MM'" in err and "Traceback" not in err
    assert _snapshot(tmp_path) == before


# 4. a different workbook never silently replaces an edition ---------------------------------------------------

def _revised(nato_workbook, ref="N32", sheet="TABLE1", factor=1.001):
    wb = clone(nato_workbook)
    replace_cells(wb.sheet(sheet), lambda c: dataclasses.replace(c, value=c.value * factor) if c.ref == ref else c)
    return wb


def test_a_look_alike_named_like_nato_files_does_not_overwrite_the_edition(nato_workbook, tmp_data, tmp_path, capsys):
    path = write_xlsx(_revised(nato_workbook), tmp_path / "240617-def-exp-2024-TABLES-en.xlsx")
    before = _snapshot(tmp_data / "raw")
    assert main(["--data-dir", str(tmp_data), "ingest", "nato", str(path)]) == 2
    err = capsys.readouterr().err
    assert "is nato edition 2024-06, which is already transcribed" in err and "TABLE1!N32" in err
    assert _snapshot(tmp_data / "raw") == before
    # --replace: the new content goes in, the publisher's record is kept, the old transcription is backed up
    assert main(["--data-dir", str(tmp_data), "ingest", "nato", str(path), "--replace"]) == 0
    rec = json.loads((tmp_data / RAW / "provenance.json").read_text())
    assert rec["publisher"] == "NATO Public Diplomacy Division" and rec["title"].startswith("Defence Expenditure")
    assert rec["url"].endswith("240617-def-exp-2024-TABLES-en.xlsx") and "credit to NATO" in rec["terms"]
    assert rec["is_publisher_file"] is False
    (backup,) = (tmp_data / "raw" / "nato" / ".backups").iterdir()
    prefix = "nato/2024-06/"
    assert _snapshot(backup) == {k[len(prefix):]: v for k, v in before.items() if k.startswith(prefix)}
    assert na.editions(source="nato", data_dir=tmp_data)["edition"].tolist() == ["2024-06"]
    assert main(["--data-dir", str(tmp_data), "ingest", "nato", str(path)]) == 0  # the same content: a no-op
    assert "already transcribed with identical content (nothing written)" in capsys.readouterr().out


# 5. wrong numbers do not pass ---------------------------------------------------------------------------------

def test_tables_8a_and_8b_with_shifted_year_headers_are_refused(nato_workbook, tmp_data, tmp_path, capsys):
    wb = clone(nato_workbook)
    for name in ("TABLE8a", "TABLE8b"):
        def shift(c):
            if c.row == 8 and c.type == "n" and float(c.value).is_integer():
                return dataclasses.replace(c, value=c.value + 1)
            if c.row == 8 and c.type == "s" and c.value[:4].isdigit():
                return dataclasses.replace(c, value=f"{int(c.value[:4]) + 1}{c.value[4:]}")
            return c
        replace_cells(wb.sheet(name), shift)
    path = write_xlsx(wb, tmp_path / "shifted.xlsx")
    before = _snapshot(tmp_data / "raw")
    assert main(["--data-dir", str(tmp_data), "ingest", "nato", str(path), "--edition", "2024-06", "--replace"]) == 2
    err = capsys.readouterr().err
    assert "year headers of the tables disagree" in err and "TABLE8a" in err
    assert _snapshot(tmp_data / "raw") == before


def test_estimates_on_other_than_the_latest_years_and_years_after_the_edition_are_refused(nato_workbook):
    from natoanalysis.transform.nato import tidy as tidy_nato
    from natoanalysis.errors import LayoutError
    early = clone(nato_workbook)
    for s in early.sheets:
        replace_cells(s, lambda c: dataclasses.replace(c, type="s", value="2016e") if c.value in (2016, "2016")
                      and c.row in (8, 20) else c)
    with pytest.raises(LayoutError, match=r"estimate marks on 2016e, 2023e, 2024e are not the latest years"):
        tidy_nato(early, edition="2024-06")
    with pytest.raises(LayoutError, match=r"the tables print figures for 2024, after edition 2023-07"):
        tidy_nato(nato_workbook, edition="2023-07")


def test_a_raw_file_edited_by_hand_is_refused_naming_the_file(tmp_data, capsys):
    sheet = tmp_data / RAW / "sheets" / "01_TABLE1.csv"
    text = sheet.read_text(encoding="utf-8")
    line = next(l for l in text.splitlines() if l.startswith("I20,"))  # France 2019, current euros
    value = float(line.split(",")[2])
    sheet.write_text(text.replace(line, f"I20,n,{value / 10!r}"), encoding="utf-8")
    with pytest.raises(DataIntegrityError, match=r"01_TABLE1\.csv does not match the sha256 its provenance\.json"):
        na.load(data_dir=tmp_data)
    assert main(["--data-dir", str(tmp_data), "build"]) == 2
    assert "01_TABLE1.csv does not match the sha256" in capsys.readouterr().err


def test_a_duplicated_cell_line_is_refused_even_with_its_hash_recorded(tmp_data):
    folder = tmp_data / RAW
    sheet = folder / "sheets" / "01_TABLE1.csv"
    text = sheet.read_text(encoding="utf-8")
    sheet.write_text(text + "D11,n,1.0\n", encoding="utf-8")  # a second D11 would silently win
    rec = json.loads((folder / "provenance.json").read_text())
    rec["transcribed_files"]["sheets/01_TABLE1.csv"] = hashlib.sha256(sheet.read_bytes()).hexdigest()
    (folder / "provenance.json").write_text(json.dumps(rec))
    with pytest.raises(na.LayoutError, match=r"cell D11 is transcribed twice in sheets/01_TABLE1\.csv"):
        na.load(data_dir=tmp_data)


def test_a_stray_or_missing_raw_file_is_refused(tmp_data):
    (tmp_data / RAW / "sheets" / "99_extra.csv").write_text("cell,type,value\n")
    with pytest.raises(DataIntegrityError, match=r"99_extra\.csv is not one of the files its provenance\.json records"):
        na.build(data_dir=tmp_data)
    (tmp_data / RAW / "sheets" / "99_extra.csv").unlink()
    (tmp_data / RAW / "sheets" / "07_TABLE7.csv").unlink()
    with pytest.raises(DataIntegrityError, match=r"07_TABLE7\.csv is missing"):
        na.build(data_dir=tmp_data)


def test_a_misprinted_national_currency_figure_is_a_finding(nato_workbook):
    """A current-price figure divided by ten breaks the euro's one exchange rate and the deflator's path."""
    from natoanalysis.transform.nato import tidy as tidy_nato
    fra = _revised(nato_workbook, ref="I20", factor=0.1)  # France 2019, current euros
    found = tidy_nato(fra, edition="2024-06").findings.query("not is_whitelisted")
    assert {("exchange_rate_by_currency", "FRA", 2019), ("deflator_jump", "FRA", 2019)} <= set(
        zip(found["rule"], found["country"], found["year"]))
    pol = _revised(nato_workbook, ref="I32", factor=0.1)  # Poland 2019: zloty, no other ally to compare with
    found = tidy_nato(pol, edition="2024-06").findings.query("not is_whitelisted")
    assert ("deflator_jump", "POL", 2019) in set(zip(found["rule"], found["country"], found["year"]))
    with pytest.raises(na.ValidationError, match="deflator_jump"):
        tidy_nato(pol, edition="2024-06", strict=True)


# 6. an interrupted ingest breaks nothing later: tests/test_data_folder.py ----------------------------------


# 7. races ------------------------------------------------------------------------------------------------------

def test_loads_during_ingests_see_the_old_or_the_new_edition_never_an_error(nato_workbook, tmp_data, tmp_path):
    a = write_xlsx(_revised(nato_workbook, factor=1.001), tmp_path / "a.xlsx")
    b = write_xlsx(_revised(nato_workbook, factor=1.002), tmp_path / "b.xlsx")
    script = tmp_path / "ingests.py"
    script.write_text(textwrap.dedent(f"""
        import natoanalysis as na
        for i in range(6):
            na.ingest([{str(a)!r}, {str(b)!r}][i % 2], data_dir={str(tmp_data)!r}, replace=True)
        print("done")
    """))
    child = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = set()
    while child.poll() is None:
        store._MEMO.clear()
        df = na.load(data_dir=tmp_data)
        assert len(df) == 5377
        seen.add(float(df.query("source_sheet == 'TABLE1' and source_cell == 'N32'")["value"].iloc[0]))
    out, err = child.communicate()
    assert child.returncode == 0 and out.strip() == "done", err
    assert len(seen) >= 1 and len(list((tmp_data / "raw" / "nato" / ".backups").iterdir())) == 6


def test_two_ingests_at_once_both_finish_one_after_the_other(nato_workbook, tmp_data, tmp_path):
    paths = [write_xlsx(_revised(nato_workbook, factor=1 + k / 1000), tmp_path / f"{k}.xlsx") for k in (1, 2)]
    code = "import sys, natoanalysis as na; na.ingest(sys.argv[1], data_dir=sys.argv[2], replace=True)"
    procs = [subprocess.Popen([sys.executable, "-c", code, str(p), str(tmp_data)], stderr=subprocess.PIPE, text=True)
             for p in paths]
    errors = [p.communicate()[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    assert len(list((tmp_data / "raw" / "nato" / ".backups").iterdir())) == 2
    assert [p.name for p in (tmp_data / "raw" / "nato").iterdir() if p.name.startswith(".")] == [".backups"]
    assert len(na.load(data_dir=tmp_data)) == 5377


# 8. the processed cache is checked before it is served ---------------------------------------------------------

def test_a_cache_copied_from_another_source_is_not_served(tmp_data):
    na.load(data_dir=tmp_data)
    na.load(source="sipri", data_dir=tmp_data)
    processed = tmp_data / "processed"
    for suffix in (".arrow", ".meta.json"):
        shutil.copy(processed / f"sipri{suffix}", processed / f"nato{suffix}")
        store._MEMO.clear()
        df = na.load(data_dir=tmp_data)
        assert set(df["source"]) == {"nato"} and len(df) == 5377


def test_a_cache_edited_in_place_is_rebuilt(tmp_data):
    good = na.load(data_dir=tmp_data)
    path = tmp_data / "processed" / "nato.arrow"
    data = bytearray(path.read_bytes())
    at = data.find(b"Albania")
    data[at:at + 7] = b"Atlanti"  # same size, same row count: only the content hash can tell
    path.write_bytes(bytes(data))
    store._MEMO.clear()
    pd.testing.assert_frame_equal(na.load(data_dir=tmp_data), good)


@pytest.mark.parametrize("meta", ["[]", '"x"', "{}", "not json", '{"fingerprint": 1}'])
def test_a_meta_file_that_is_not_an_object_of_this_cache_gives_a_rebuild(tmp_data, meta):
    na.load(data_dir=tmp_data)
    (tmp_data / "processed" / "nato.meta.json").write_text(meta)
    store._MEMO.clear()
    assert len(na.load(data_dir=tmp_data)) == 5377


def test_a_folder_where_the_cache_belongs_is_one_clear_line(tmp_data, capsys):
    (tmp_data / "processed" / "nato.arrow").mkdir()
    assert main(["--data-dir", str(tmp_data), "build", "nato"]) == 2
    err = capsys.readouterr().err
    assert err.strip().endswith("nato.arrow is a folder where the processed table belongs; remove it "
                                "(natoanalysis build writes it again)") and "Traceback" not in err

"""The command line: what the user sees for good and bad input."""

from __future__ import annotations

import subprocess
import sys

import pytest

from natoanalysis.cli import main

from .conftest import REPO


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "natoanalysis", *args], capture_output=True, text=True, cwd=REPO)


def test_ingest_rejects_a_file_that_is_not_a_workbook(tmp_path, capsys):
    f = tmp_path / "x.xlsx"
    f.write_text("hello")
    assert main(["--data-dir", str(tmp_path), "ingest", "nato", str(f)]) == 2
    err = capsys.readouterr().err
    assert "natoanalysis ingest: error:" in err and "is not an Excel .xlsx workbook" in err


def test_ingest_missing_file(tmp_path, capsys):
    assert main(["ingest", "nato", str(tmp_path / "missing.xlsx")]) == 2
    assert "missing.xlsx does not exist" in capsys.readouterr().err


def test_ingest_bad_accessed_date(nato_xlsx, tmp_path, capsys):
    assert main(["--data-dir", str(tmp_path), "ingest", "nato", str(nato_xlsx), "--accessed", "yesterday"]) == 2
    assert "accessed must be a date or an ISO date string such as '2020-01-01', got 'yesterday'" in \
        capsys.readouterr().err


def test_ingest_into_a_data_dir_then_build(nato_xlsx, tmp_path, capsys):
    assert main(["--data-dir", str(tmp_path), "ingest", "nato", str(nato_xlsx), "--accessed", "2026-11-22"]) == 0
    assert (tmp_path / "raw" / "nato" / "2024-06" / "provenance.json").is_file()
    assert main(["--data-dir", str(tmp_path), "build"]) == 0
    out = capsys.readouterr().out
    assert "nato: 5377 rows, editions 2024-06" in out and "sipri" not in out  # only nato was ingested there


@pytest.mark.slow
def test_unknown_source_and_python_dash_m():
    out = run("ingest", "imf", "x.xlsx")
    assert out.returncode == 2 and "invalid choice: 'imf'" in out.stderr
    out = run("quality")
    assert out.returncode == 0 and "share_equals_ratio" in out.stdout


def test_bad_input_for_every_other_command(tmp_path, capsys):
    assert main(["build", "imf"]) == 2
    assert "unknown source 'imf'; accepted: nato, sipri" in capsys.readouterr().err
    assert main(["claims", "--edition", "1999-01"]) == 2
    assert "edition '1999-01' is not bundled for nato; accepted: 2024-06" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["--data-dir", str(empty), "quality"]) == 2
    assert "no raw nato data under" in capsys.readouterr().err
    assert main(["--data-dir", str(tmp_path / "missing"), "sources"]) == 2
    assert "missing (from the data_dir argument) does not exist" in capsys.readouterr().err


@pytest.mark.parametrize("command, first", [("sources", "nato  2024-06  Defence Expenditure of NATO Countries"),
                                            ("quality", "2024-06  share_equals_ratio  FRA  2020  share_gdp_pct")])
def test_sources_and_quality_read_on_a_terminal_and_as_csv_or_json(command, first, capsys, monkeypatch):
    import csv
    import io
    import json

    monkeypatch.setenv("COLUMNS", "80")
    assert main([command]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(first) and max(len(line) for line in lines
                                              if "http" not in line) <= 80  # addresses are never cut
    assert main([command, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert main([command, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) and rows and "edition" in rows[0]

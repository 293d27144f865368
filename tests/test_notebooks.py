"""Notebooks are committed clean, have one typed parameters cell, and execute under papermill."""

from __future__ import annotations

import json

import pytest

from natoanalysis.reports.notebooks import inspect, literal

from .conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs_and_with_one_parameters_cell(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    params = inspect(path)
    assert params, "parameters cell declares nothing"
    for name, p in params.items():
        assert p["type_name"] != "None", f"{path.name}: parameter {name} has no type annotation"
        assert p["help"], f"{path.name}: parameter {name} has no comment"
    assert nb["metadata"]["kernelspec"]["name"] == "natoanalysis"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_notebook_names_one_edition_or_one_year(path):
    """Defaults, labels and prose come from the data: no year, base year or edition written in by hand."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    source = "\n".join("".join(c["source"]) for c in nb["cells"])
    for pinned in ("2015 prices", "constant 2015", "2024-06\"", "'2024-06'", "year: int = 2024", "[2023, 2024]",
                   "23 in 2024", "2014-2024 trend"):
        assert pinned not in source, f"{path.name} names one edition: {pinned!r}"
    params = inspect(path)
    for name, p in params.items():
        if name == "year" or name.endswith("_year"):
            assert literal(p["default"]) is None and p["type_name"] in ("int|None", "Optional[int]"), f"{path.name}: {name}"


# -- parameters: one check, the library's (natoanalysis.validate.parameters) --------------------------------

import ast  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

import natoanalysis as na  # noqa: E402
from natoanalysis import validate  # noqa: E402
from natoanalysis.errors import ArgumentError  # noqa: E402
from natoanalysis.reports import ReportParameterError, run  # noqa: E402
from natoanalysis.reports.params import start_notebook  # noqa: E402

CLI = [sys.executable, "-m", "natoanalysis"]
PAPERMILL = [sys.executable, "-m", "papermill", "--log-level", "ERROR", "--no-progress-bar"]
REFUSED = [  # (notebook, name, value, the one line)
    ("05", "deadline", "100000000", "unknown parameter 'deadline'; the selected notebooks accept: 05_country_profile: "),
    ("05", "by", "100000000", "05_country_profile: by 100000000 is outside the accepted range; accepted: a year from "
                              "2025 to 2100"),
    ("03", "core_target_pct", "0.035", "03_guidelines: core_target_pct 0.035 looks like a fraction: give percent, "
                                       "e.g. 3.5; accepted: 0.5 to 100 (percent of GDP)"),
    ("06", "seed", "-1", "06_hague_pathways: seed must be a whole number >= 0, got -1"),
]


def _declared(path) -> list[str]:
    """The names the parameters cell assigns, read by Python's own parser."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    [cell] = [c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", [])]
    tree = ast.parse("".join(cell["source"]))
    return [n.target.id for n in tree.body if isinstance(n, ast.AnnAssign)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_papermill_sees_every_parameter_with_its_type(path):
    import papermill
    seen = papermill.inspect_notebook(str(path))
    assert list(seen) == _declared(path)
    assert all(p["inferred_type_name"] != "None" and p["help"] for p in seen.values())
    assert "deadline" not in seen


def test_help_notebook_lists_every_parameter():
    path = REPO / "notebooks" / "07_long_run.ipynb"
    out = subprocess.run(PAPERMILL + ["--help-notebook", str(path)], capture_output=True, text=True, check=True)
    shown = [line.split(":")[0].strip() for line in out.stdout.splitlines() if line.startswith("  ") and ": " in line
             and not line.startswith("   ")]
    assert shown == _declared(path) == ["sipri_edition", "allies", "comparators", "compare_year"]
    assert "compare_year: Optional[int] (default None)" in out.stdout


@pytest.mark.parametrize("notebook, name, value, line", REFUSED, ids=[r[1] for r in REFUSED])
def test_refused_in_one_line_before_any_kernel_starts(tmp_path, notebook, name, value, line):
    out = subprocess.run(CLI + ["report", notebook, "-p", name, value, "--out", str(tmp_path / "r")],
                         capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert out.returncode == 2
    [err] = out.stderr.splitlines()
    assert err.startswith(f"natoanalysis report: error: {line}")
    assert not (tmp_path / "r").exists()  # no run folder: nothing started
    with pytest.raises(ReportParameterError) as info:
        run(notebooks=[notebook], parameters={name: value}, out_dir=tmp_path / "r2", quiet=True)
    [message] = str(info.value).splitlines()
    assert message.startswith(line) and not (tmp_path / "r2").exists()


def test_the_library_check_normalises_and_refuses():
    assert validate.parameters({"country": "pol", "allies": "usa,gbr", "year": None, "by": 2035, "seed": 0,
                                "n_scenarios": 2000, "sipri_edition": "latest"}, load=na.load) == {
        "country": "POL", "allies": ["USA", "GBR"], "year": None, "by": 2035, "seed": 0, "n_scenarios": 2000,
        "sipri_edition": "latest"}
    assert validate.parameters({"editions": "2024-06"}, load=na.load) == {"editions": ["2024-06"]}  # papermill's -p
    refusals = {"year": (1999, "year 1999 is outside edition"), "by": (2020, "by 2020 is outside"),
                "n_scenarios": (10 ** 8, "n_scenarios 100000000 is too large"),
                "edition": ("all", "edition 'all' mixes editions"), "gdp_growth_pct": (0.015, "looks like a fraction"),
                "country": ("RUS", "RUS is not a NATO ally")}
    for name, (value, message) in refusals.items():
        with pytest.raises(ValueError, match=message):
            validate.parameters({name: value}, load=na.load)


def test_the_notebook_check_refuses_names_the_parameters_cell_did_not_declare():
    space = {"__annotations__": {"country": str, "year": int}, "country": "fra", "year": None,
             "countr": "POL", "na": na, "_private": 1, "PAPERMILL_OUTPUT_PATH": "-"}
    with pytest.raises(ArgumentError, match=r"^unknown parameter countr; this notebook takes: country, year$"):
        start_notebook(dict(space))
    del space["countr"]
    start_notebook(space)
    assert space["country"] == "FRA"


@pytest.mark.parametrize("name, value, message", [
    ("countr", "FRA", "unknown parameter countr; this notebook takes: edition, country, year, core_target_pct, by, "
                      "sipri_edition"),
    ("by", "100000000", "by 100000000 is outside the accepted range; accepted: a year from 2025 to 2100"),
])
def test_papermill_run_stops_in_the_first_cell_with_the_library_message(tmp_path, name, value, message):
    import nbformat
    out = subprocess.run(PAPERMILL + [str(REPO / "notebooks" / "05_country_profile.ipynb"), "out.ipynb",
                                      "-p", name, value], capture_output=True, text=True, cwd=tmp_path,
                         env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=300)
    assert out.returncode != 0
    nb = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    injected = next(i for i, c in enumerate(nb.cells) if "injected-parameters" in c.metadata.get("tags", []))
    first = next(i for i, c in enumerate(nb.cells) if i > injected and c.cell_type == "code")
    failed = [(i, o) for i, c in enumerate(nb.cells) if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert [(i, o["ename"], o["evalue"]) for i, o in failed] == [(first, "ArgumentError", message)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.ipynb"]


@pytest.mark.slow
def test_papermill_run_writes_figures_beside_its_output(tmp_path):
    """Tables go beside it the same way (one variable each: $NATOANALYSIS_FIGURE_DIR, $NATOANALYSIS_TABLE_DIR)."""
    (tmp_path / "out").mkdir()
    subprocess.run(PAPERMILL + [str(REPO / "notebooks" / "05_country_profile.ipynb"), "out/fra.ipynb",
                                "-p", "country", "FRA"], cwd=tmp_path, check=True, timeout=600,
                   env={**os.environ, "PYTHONPATH": str(REPO)})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["figures", "fra.ipynb", "tables"]
    assert "FRA_share_gdp_path.png" in {p.name for p in (tmp_path / "out" / "figures").iterdir()}
    # The links under each figure and table resolve beside the notebook, where papermill wrote it.
    nb = json.loads((tmp_path / "out" / "fra.ipynb").read_text(encoding="utf-8"))
    shown = "".join("".join(out.get("data", {}).get(key, "")) for cell in nb["cells"] for out in cell.get("outputs", [])
                    for key in ("text/markdown", "text/html"))
    links = re.findall(r'\]\(([^)]+)\)|href="([^"]+)"', shown)
    targets = [a or b for a, b in links]
    assert "figures/FRA_share_gdp_path.csv" in targets and "tables/FRA_key_figures.csv" in targets
    # Links to the other reports (NN_name.html) resolve among a run folder's pages (tests/test_pages.py).
    own = [t for t in targets if not re.fullmatch(r"\d\d_\w+\.html(#.*)?", t)]
    assert [t for t in own if not (tmp_path / "out" / t).is_file()] == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_parameter_is_a_name_the_library_checks(path):
    """A name outside the vocabulary would pass unchecked: every parameter must be refused a value of no type."""
    for name in inspect(path):
        with pytest.raises(ValueError, match=name):
            validate.parameters({name: object()}, load=na.load)

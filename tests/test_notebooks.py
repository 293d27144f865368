"""Notebooks are committed clean, have one typed parameters cell, and execute under papermill."""

from __future__ import annotations

import json

import pytest

from natoanalysis.reports.notebooks import inspect

from .conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs_and_with_one_parameters_cell(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    params = inspect(path).parameters
    assert params, "parameters cell declares nothing"
    for name, p in params.items():
        assert p.type_name != "None", f"{path.name}: parameter {name} has no type annotation"
        assert p.help, f"{path.name}: parameter {name} has no comment"
    assert nb["metadata"]["kernelspec"]["name"] == "natoanalysis"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_notebook_names_one_edition_or_one_year(path):
    """Defaults, labels and prose come from the data: no year, base year or edition written in by hand."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    source = "\n".join("".join(c["source"]) for c in nb["cells"])
    for pinned in ("2015 prices", "constant 2015", "2024-06\"", "'2024-06'", "year: int = 2024", "[2023, 2024]",
                   "23 in 2024", "2014-2024 trend"):
        assert pinned not in source, f"{path.name} names one edition: {pinned!r}"
    params = inspect(path).parameters
    for name, p in params.items():
        if name == "year" or name.endswith("_year"):
            assert p.default is None and p.type_name in ("int|None", "Optional[int]"), f"{path.name}: {name}"

"""Notebooks are committed clean, have one typed parameters cell, and execute under papermill."""

from __future__ import annotations

import json

import papermill as pm
import pytest

from .conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs_and_with_one_parameters_cell(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    params = pm.inspect_notebook(str(path))
    assert params, "parameters cell declares nothing"
    for name, p in params.items():
        assert p["inferred_type_name"] != "None", f"{path.name}: parameter {name} has no type annotation"
        assert p["help"], f"{path.name}: parameter {name} has no comment"
    assert nb["metadata"]["kernelspec"]["name"] == "natoanalysis"


def test_data_overview_executes(tmp_path, monkeypatch):
    monkeypatch.setenv("NATOANALYSIS_FIGURE_DIR", str(tmp_path / "fig"))
    out = tmp_path / "00.ipynb"
    pm.execute_notebook(str(REPO / "notebooks" / "00_data_overview.ipynb"), str(out), kernel_name="natoanalysis",
                        parameters={"edition": "2024-06"}, progress_bar=False, cwd=str(tmp_path))
    nb = json.loads(out.read_text(encoding="utf-8"))
    text = json.dumps(nb)
    assert "Edition 2024-06: 5,377 published values" in text
    assert "Estimated years in edition 2024-06: 2023, 2024" in text
    assert not any(o.get("output_type") == "error" for c in nb["cells"] for o in c.get("outputs", []))
    assert sorted(p.name for p in (tmp_path / "fig").iterdir()) == ["share_gdp_2024.png", "share_gdp_2024.svg"]

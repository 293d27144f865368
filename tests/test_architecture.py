"""The file tree is the architecture: each stage imports only the stages before it.

The rule is the import-linter ``layers`` contract in ``pyproject.toml`` ([tool.importlinter]): reports >
charts | claims > views > metrics > store > pipeline > transform > extract, with the shared modules
(validate, allies, edition, reference, config, errors ...) below every stage, in their own order. It is
``exhaustive``: a module of the package that sits in no layer breaks it too. ``lint-imports`` checks it here,
on the package as it is and on a copy with one import planted the wrong way, which must break it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _lint_imports(root: Path) -> subprocess.CompletedProcess:
    """``lint-imports`` (import-linter, of the dev extra) on the package under ``root``, with its pyproject."""
    command = Path(sys.executable).parent / "lint-imports"
    assert command.is_file(), f"{command} is missing: install the dev extra (pip install -e '.[dev]')"
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(command), "--no-cache", "--config", str(root / "pyproject.toml")], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)


def test_no_import_runs_back_up_a_stage():  # about a second: make test-fast checks the rule too
    run = _lint_imports(REPO)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Contracts: 1 kept, 0 broken." in run.stdout


@pytest.mark.slow
@pytest.mark.parametrize("module, planted, broken", [
    ("views/labels.py", "from .. import charts", "natoanalysis.views is not allowed to import natoanalysis.charts"),
    ("extract/cells.py", "from ..transform import checks",
     "natoanalysis.extract is not allowed to import natoanalysis.transform"),
    ("errors.py", "from . import config", "natoanalysis.errors is not allowed to import natoanalysis.config"),
])
def test_an_import_planted_the_wrong_way_breaks_the_contract(tmp_path, module, planted, broken):
    shutil.copytree(REPO / "natoanalysis", tmp_path / "natoanalysis", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    with open(tmp_path / "natoanalysis" / module, "a", encoding="utf-8") as f:
        f.write(f"\n{planted}  # planted\n")
    run = _lint_imports(tmp_path)
    assert run.returncode == 1 and "Contracts: 0 kept, 1 broken." in run.stdout, run.stdout + run.stderr
    assert broken in run.stdout


@pytest.mark.slow
def test_a_module_outside_every_layer_breaks_the_contract(tmp_path):
    shutil.copytree(REPO / "natoanalysis", tmp_path / "natoanalysis", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "natoanalysis" / "helpers.py").write_text('"""Placed in no stage."""\n', encoding="utf-8")
    run = _lint_imports(tmp_path)
    assert run.returncode == 1 and "natoanalysis.helpers" in run.stdout, run.stdout + run.stderr

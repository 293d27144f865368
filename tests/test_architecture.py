"""The file tree is the architecture: each stage imports only the stages before it.

Reads every module's import statements (not its doctests) and checks them
against the order extract -> transform -> pipeline -> store -> metrics ->
views -> claims -> charts -> reports, with the shared modules (errors, config,
reference, edition, allies, validate, atomic, schema) below every stage.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "natoanalysis"

SHARED = ("errors", "config", "reference", "atomic", "schema", "edition", "allies", "validate", "signals")
STAGES = ("extract", "transform", "pipeline", "store", "metrics", "views", "claims", "charts", "reports",
          "cli", "__main__", "__init__")


def _rank(top: str) -> int:
    if top in SHARED:
        return -1
    return STAGES.index(top)


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> list[str]:
    """Absolute names of the natoanalysis modules that ``path`` imports (at any depth in the file)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target == "natoanalysis" or target.startswith("natoanalysis."):
                # `from .. import metrics` names a module, not an attribute: count it as that module
                found += [f"{target}.{a.name}" if target == "natoanalysis" else target for a in node.names]
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("natoanalysis")]
    return found


def _top(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "__init__"
    return parts[1]


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_sits_in_a_stage_or_the_shared_layer():
    tops = {_top(_module_name(p)) if p.parent != PACKAGE else p.stem for p in MODULES}
    assert tops <= set(SHARED) | set(STAGES), sorted(tops - set(SHARED) - set(STAGES))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_import_runs_back_up_a_stage(path):
    here = _top(_module_name(path)) if path.parent != PACKAGE else path.stem
    up = []
    for target in _imports(path):
        there = _top(target)
        if there == here or there not in SHARED + STAGES:
            continue
        if _rank(there) > _rank(here) or (here in SHARED and there not in SHARED):
            up.append(target)
    assert not up, f"{path.relative_to(PACKAGE)} ({here}) imports later stages: {up}"


def test_shared_modules_import_only_each_other_in_order():
    # errors < config < reference < atomic, schema < edition < allies < validate
    for path in MODULES:
        if path.parent != PACKAGE or path.stem not in SHARED:
            continue
        later = [t for t in _imports(path) if _top(t) in SHARED and SHARED.index(_top(t)) > SHARED.index(path.stem)]
        assert not later, f"{path.name} imports {later}"


def test_extract_never_imports_transform():
    for path in (PACKAGE / "extract").glob("*.py"):
        assert not [t for t in _imports(path) if _top(t) in ("transform", "pipeline")], path.name

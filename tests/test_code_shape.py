"""The shape the brief asks of the code, checked on every module of the package.

* no block with a cyclomatic complexity over 20 (radon's count) and no function body over 60 lines
  (its docstring aside): past either, a function is a design to split;
* no dependency's private module imported (``openpyxl.worksheet._reader`` and the like), so that no
  dependency needs pinning to the release whose insides we know;
* nothing POSIX-only in the library (``fcntl``, ``prctl`` through ``ctypes``, ``/proc``).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from radon.complexity import cc_visit

PACKAGE = Path(__file__).resolve().parents[1] / "natoanalysis"
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "_bundled" not in p.parts)
MAX_COMPLEXITY = 20
MAX_BODY_LINES = 60


def _functions(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


def _body_lines(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    body = fn.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]  # the docstring
    return 0 if not body else body[-1].end_lineno - body[0].lineno + 1


def _rel(path: Path) -> str:
    return path.relative_to(PACKAGE.parent).as_posix()


@pytest.mark.parametrize("path", MODULES, ids=_rel)
def test_no_block_is_too_complex(path):
    blocks = [b for b in cc_visit(path.read_text(encoding="utf-8")) if b.complexity > MAX_COMPLEXITY]
    assert not blocks, [f"{_rel(path)}:{b.lineno} {b.name} has complexity {b.complexity}" for b in blocks]


@pytest.mark.parametrize("path", MODULES, ids=_rel)
def test_no_function_body_is_too_long(path):
    long = [f"{_rel(path)}:{fn.lineno} {fn.name} has a body of {_body_lines(fn)} lines"
            for fn in _functions(ast.parse(path.read_text(encoding="utf-8"))) if _body_lines(fn) > MAX_BODY_LINES]
    assert not long, long


def _imported(tree: ast.AST) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names += [node.module] + [f"{node.module}.{a.name}" for a in node.names]
    return names


@pytest.mark.parametrize("path", MODULES, ids=_rel)
def test_no_private_module_of_a_dependency(path):
    private = [n for n in _imported(ast.parse(path.read_text(encoding="utf-8")))
               if not n.startswith("natoanalysis") and any(part.startswith("_") and not part.startswith("__")
                                                           for part in n.split(".")[1:])]
    assert not private, f"{_rel(path)} imports private names: {private}"


@pytest.mark.parametrize("path", MODULES, ids=_rel)
def test_nothing_posix_only(path):
    text = path.read_text(encoding="utf-8")
    imported = {n.split(".")[0] for n in _imported(ast.parse(text))}
    found = sorted(imported & {"fcntl", "ctypes", "termios", "resource"})
    found += re.findall(r"""["'(]/proc/""", text) + re.findall(r"\bprctl\b", text)
    assert not found, f"{_rel(path)} uses {found}"


def test_the_checks_see_a_long_and_complex_function():
    """The two measures on a made-up function: 21 branches and 62 lines are both reported."""
    src = "def f(x):\n    '''doc'''\n" + "".join(f"    if x == {i}:\n        return {i}\n" for i in range(31))
    fn = next(_functions(ast.parse(src)))
    assert _body_lines(fn) == 62
    assert cc_visit(src)[0].complexity == 32

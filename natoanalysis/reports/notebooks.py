"""Which notebooks a report runs, and what parameters each declares.

A report notebook is a file ``NN_name.ipynb`` (two digits, an underscore, a
name) in the notebook folder; anything else there (scratch notebooks,
checkpoints) is ignored. Its parameters are what papermill's Python translator
reads from the cell tagged ``parameters``, as ``papermill --help-notebook``
prints them: each assignment is a parameter, its annotation the type
(``Optional[int]``, which papermill reads, not ``int | None``), the comment at
the end of its line the help.

The one rule that is not read from the folder: a notebook whose parameters
include ``country`` is the per-country notebook and is run once per selected ally.
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import notebook_dir
from ..errors import echo

if TYPE_CHECKING:
    import pandas as pd

_NAME = re.compile(r"^(?P<number>\d{2})_(?P<name>[A-Za-z0-9_]+)$")
PER_COUNTRY_PARAMETER = "country"


def literal(text: str) -> object:
    """``text`` as the Python literal it spells (a default, a ``-p`` value), else the text itself.

    Examples
    --------
    >>> literal("[2014, 2024]"), literal("None"), literal("POL")
    ([2014, 2024], None, 'POL')
    """
    try:
        return ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return text


def inspect(path: Path) -> dict[str, dict]:
    """A notebook's parameters, ``{name: {name, type_name, default, help}}``, as papermill reads them.

    Papermill's Python translator reads the cell tagged ``parameters`` (report
    kernels run Python), so a notebook without kernel metadata is read too.
    ``type_name`` is the annotation (spaces removed) or, without one, the type
    of the literal default (``"None"`` when neither says); ``default`` is the
    source text of the default.

    Examples
    --------
    >>> fixtures = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "notebooks"
    >>> inspect(fixtures / "05_profile.ipynb")["country"]
    {'name': 'country', 'type_name': 'str', 'default': '"POL"', 'help': 'ally ISO3 code'}
    """
    import nbformat
    from papermill.translators import PythonTranslator

    try:
        nb = nbformat.read(path, as_version=4)
        cell = next((c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])), {"source": ""})
    except Exception as exc:  # unreadable JSON, not a notebook: one line, not a traceback
        raise ValueError(f"{Path(path).name} cannot be read as a notebook: {exc!r}"[:500]) from None
    out = {}
    for p in PythonTranslator.inspect(cell):
        type_name = (p.inferred_type_name or "None").replace(" ", "")
        if type_name == "None" and (value := literal(p.default)) is not None and value is not p.default:
            type_name = type(value).__name__
        out[p.name] = {"name": p.name, "type_name": type_name, "default": p.default, "help": p.help}
    return out


def discover(folder: Path) -> list[Path]:
    """The report notebooks of a folder, in file-name order.

    Examples
    --------
    >>> discover(Path("/nonexistent"))
    []
    """
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.ipynb") if _NAME.match(p.stem))


def select(requested: list[str] | None, *, folder: Path) -> list[Path]:
    """Resolve requested names to notebook paths; all notebooks when none are requested.

    A request may be the file name (``05_country_profile.ipynb``), the stem
    (``05_country_profile``), the number (``05``) or the name without the number
    (``country_profile``). Unknown requests raise ``ValueError`` listing what exists.

    Examples
    --------
    >>> fixtures = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "notebooks"
    >>> [p.name for p in select(["05", "fast"], folder=fixtures)]
    ['05_profile.ipynb', '00_fast.ipynb']
    """
    available = discover(folder)
    if not available:
        raise ValueError(f"no report notebooks (NN_name.ipynb) in {folder}")
    if not requested:
        return available
    keys: dict[str, Path] = {}
    for p in available:
        m = _NAME.match(p.stem)
        for key in (p.name, p.stem, m["number"], m["name"]):
            keys.setdefault(key, p)
    chosen, unknown = [], []
    for req in requested:
        path = keys.get(req) or keys.get(Path(req).name)
        if path is None:
            unknown.append(req)
        elif path not in chosen:
            chosen.append(path)
    if unknown:
        raise ValueError(f"unknown notebook {', '.join(map(echo, unknown))}; accepted (by name or number): "
                         f"{', '.join(p.stem for p in available)}")
    return chosen


def list_notebooks(*, notebook_dir_path: str | os.PathLike | None = None) -> "pd.DataFrame":
    """The report notebooks and their parameters, one row per parameter (or per notebook without any).

    Columns: ``notebook, is_per_country, parameter, type_name, default, help``.
    A folder without notebooks raises :class:`~natoanalysis.errors.DataNotFoundError`.

    Examples
    --------
    >>> from pathlib import Path
    >>> fixtures = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "notebooks"
    >>> list_notebooks(notebook_dir_path=fixtures).query("notebook == '05_profile'")[["parameter", "type_name"]]
      parameter type_name
    3   country       str
    4   edition       str
    """
    import pandas as pd

    folder = notebook_dir(notebook_dir_path)
    found = discover(folder)
    if not found:
        from ..errors import DataNotFoundError
        raise DataNotFoundError(f"no report notebooks (NN_name.ipynb) in {folder}; point --notebook-dir or "
                                "NATOANALYSIS_NOTEBOOK_DIR at a folder of them (default: the bundled notebooks)")
    rows = []
    for path in found:
        params = inspect(path)
        per_country = PER_COUNTRY_PARAMETER in params
        rows += [{"notebook": path.stem, "is_per_country": per_country, **p} for p in params.values()] or [
            {"notebook": path.stem, "is_per_country": per_country}]
    return pd.DataFrame(rows, columns=["notebook", "is_per_country", "name", "type_name", "default", "help"]).rename(
        columns={"name": "parameter"})

"""Which notebooks a report runs, and what parameters each declares.

A report notebook is a file ``NN_name.ipynb`` (two digits, an underscore, a
name) in the notebook folder; anything else there (scratch notebooks,
checkpoints) is ignored. Its parameters are read from the cell tagged
``parameters`` by papermill's own inspection, so the runner sees the same names,
types and defaults that papermill will inject into.

The one rule that is not read from the folder: a notebook whose parameters
include ``country`` is the per-country notebook and is run once per selected ally.
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import echo

NOTEBOOK_DIR_ENV = "NATOANALYSIS_NOTEBOOK_DIR"
_REPO_NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
_NAME = re.compile(r"^(?P<number>\d{2})_(?P<name>[A-Za-z0-9_]+)$")
PER_COUNTRY_PARAMETER = "country"


@dataclass(frozen=True)
class Parameter:
    """One entry of a notebook's ``parameters`` cell.

    ``type_name`` is the annotation as written (``"int"``, ``"list[str]"``) or,
    without one, the type of the literal default; ``"None"`` when neither says.
    """

    name: str
    type_name: str
    default_text: str
    help: str = ""

    @property
    def default(self) -> object:
        """The default as a Python value, or its source text when it is not a literal."""
        try:
            return ast.literal_eval(self.default_text)
        except (ValueError, SyntaxError):
            return self.default_text

    def describe(self) -> str:
        return f"{self.name} ({self.type_name}, default {self.default_text})"


@dataclass(frozen=True)
class Notebook:
    """A report notebook found in the notebook folder."""

    path: Path
    parameters: dict[str, Parameter] = field(default_factory=dict)

    @property
    def stem(self) -> str:
        return self.path.stem

    @property
    def is_per_country(self) -> bool:
        return PER_COUNTRY_PARAMETER in self.parameters

    def describe_parameters(self) -> str:
        if not self.parameters:
            return f"{self.stem}: no parameters"
        return f"{self.stem}: " + ", ".join(p.describe() for p in self.parameters.values())


def notebook_dir(notebook_dir: str | os.PathLike | None = None) -> Path:
    """The notebook folder: the argument, ``$NATOANALYSIS_NOTEBOOK_DIR``, or the repository's ``notebooks/``.

    Examples
    --------
    >>> notebook_dir("/tmp").as_posix()
    '/tmp'
    """
    if notebook_dir is not None:
        return Path(notebook_dir).expanduser().resolve()
    if os.environ.get(NOTEBOOK_DIR_ENV):
        return Path(os.environ[NOTEBOOK_DIR_ENV]).expanduser().resolve()
    return _REPO_NOTEBOOKS


def _inferred_type(type_name: str, default_text: str) -> str:
    if type_name and type_name != "None":
        return type_name.replace(" ", "")
    try:
        value = ast.literal_eval(default_text)
    except (ValueError, SyntaxError):
        return "None"
    return "None" if value is None else type(value).__name__


def inspect(path: Path) -> Notebook:
    """Read a notebook's parameters with :func:`papermill.inspect_notebook`."""
    from papermill import inspect_notebook  # papermill is heavy; only the runner needs it

    raw = inspect_notebook(str(path))
    params = {name: Parameter(name=name, type_name=_inferred_type(p["inferred_type_name"], p["default"]),
                              default_text=p["default"], help=p.get("help", "") or "")
              for name, p in raw.items()}
    return Notebook(path=Path(path), parameters=params)


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

    rows = []
    for path in discover(notebook_dir(notebook_dir_path)):
        nb = inspect(path)
        params = list(nb.parameters.values()) or [None]
        for p in params:
            rows.append({"notebook": nb.stem, "is_per_country": nb.is_per_country,
                         "parameter": p.name if p else None, "type_name": p.type_name if p else None,
                         "default": p.default_text if p else None, "help": p.help if p else None})
    return pd.DataFrame(rows, columns=["notebook", "is_per_country", "parameter", "type_name", "default", "help"])

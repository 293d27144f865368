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
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import notebook_dir
from ..errors import echo

if TYPE_CHECKING:
    import pandas as pd

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


def _inferred_type(type_name: str, default_text: str) -> str:
    """The annotation, or the type of a literal default when papermill saw none (``"None"``)."""
    if type_name and type_name != "None":
        return type_name.replace(" ", "")
    try:
        value = ast.literal_eval(default_text)
    except (ValueError, SyntaxError):
        return "None"
    return "None" if value is None else type(value).__name__


def inspect(path: Path) -> Notebook:
    """A notebook's parameters, as papermill reads them from its cell tagged ``parameters``.

    Papermill's Python translator reads the cell (report kernels run Python),
    so a notebook without kernel metadata is read too.

    Examples
    --------
    >>> fixtures = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "notebooks"
    >>> inspect(fixtures / "00_fast.ipynb").describe_parameters()
    '00_fast: edition (str, default "latest"), year (int, default 2024), target_pct (float, default 2.0)'
    """
    from papermill.translators import PythonTranslator

    try:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
        cell = next((c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ValueError(f"{Path(path).name} cannot be read as a notebook: {exc!r}") from None
    source = "" if cell is None else cell.get("source", "")
    found = PythonTranslator.inspect({"source": "".join(source) if isinstance(source, list) else str(source)})
    return Notebook(path=Path(path), parameters={p.name: Parameter(
        name=p.name, type_name=_inferred_type(p.inferred_type_name, p.default), default_text=p.default,
        help=p.help) for p in found})


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
        nb = inspect(path)
        params = list(nb.parameters.values()) or [None]
        for p in params:
            rows.append({"notebook": nb.stem, "is_per_country": nb.is_per_country,
                         "parameter": p.name if p else None, "type_name": p.type_name if p else None,
                         "default": p.default_text if p else None, "help": p.help if p else None})
    return pd.DataFrame(rows, columns=["notebook", "is_per_country", "parameter", "type_name", "default", "help"])

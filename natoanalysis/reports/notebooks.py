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
:func:`plan` turns a request into the list of notebook executions (:class:`Job`),
or rejects it before any kernel starts.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .. import allies, validate
from ..config import notebook_dir
from ..errors import echo
from .errors import ReportParameterError
from .params import coerce, literal

if TYPE_CHECKING:
    import pandas as pd

_NAME = re.compile(r"^(?P<number>\d{2})_(?P<name>[A-Za-z0-9_]+)$")
PER_COUNTRY_PARAMETER = "country"


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


@dataclass(frozen=True)
class Job:
    """One notebook execution: ``name`` is the output name (``05_country_profile_POL``).

    The plan fills in what the notebook is given; the run adds where and how it
    runs (``folder``: the run's staging folder, ``cwd``, ``kernel``, ...).
    """

    name: str
    notebook: str
    input_path: str
    parameters: dict = field(default_factory=dict)  # effective values, for the manifest
    overrides: dict = field(default_factory=dict)  # what papermill injects
    country: str | None = None
    folder: Path = Path()
    cwd: str = ""
    kernel: str = ""
    show_code: bool = False
    timeout: int | None = None
    env: dict = field(default_factory=dict)
    pages: frozenset[str] | None = None  # the run's report pages: links to any other are unlinked

    def path(self, kind: str) -> Path:
        """Where one output goes: ``ipynb``, ``html``, ``log``, ``figures`` or ``tables``."""
        folder, suffix = {"ipynb": ("notebooks", ".ipynb"), "html": ("html", ".html"), "log": ("logs", ".log"),
                          "figures": ("figures", ""), "tables": ("tables", "")}[kind]
        return self.folder / folder / f"{self.name}{suffix}"


def where_refused(problem: str, *, notebooks: list[str], limit: int = 3) -> str:
    """One line for a ``problem`` found in each of ``notebooks``: named once, with the notebooks it concerns.

    Examples
    --------
    >>> where_refused("parameter year=1999: not covered", notebooks=["00_a"])
    '00_a: parameter year=1999: not covered'
    >>> where_refused("parameter edition='1999-01': not bundled", notebooks=["00_a", "01_b", "02_c", "03_d", "04_e"])
    "parameter edition='1999-01': not bundled (in 5 notebooks: 00_a, 01_b, 02_c and 2 more)"
    """
    if len(notebooks) == 1:
        return f"{notebooks[0]}: {problem}"
    shown = ", ".join(notebooks[:limit]) + (f" and {len(notebooks) - limit} more" if len(notebooks) > limit else "")
    return f"{problem} (in {len(notebooks)} notebooks: {shown})"


def _problems(specs: dict[Path, dict], parameters: dict, countries, override) -> tuple[list[str], list[str]]:
    """The request's unknown parameters and the allies the per-country notebook runs for, with the problems."""
    problems, unknown = [], [n for n in parameters if not any(n in params for params in specs.values())]
    if unknown:
        listing = "; ".join(f"{path.stem}: " + (", ".join(f"{n} ({p['type_name']}, default {p['default']})"
                                                          for n, p in params.items()) or "no parameters")
                            for path, params in specs.items())
        problems.append(f"unknown parameter {', '.join(map(echo, unknown))}; the selected notebooks accept: {listing}")
    try:
        if countries is not None and override is not None:
            problems.append("give either --countries or -p country, not both")
        elif countries is not None and not any(PER_COUNTRY_PARAMETER in params for params in specs.values()):
            problems.append(f"--countries was given but no selected notebook takes a '{PER_COUNTRY_PARAMETER}' "
                            f"parameter; notebooks: {', '.join(path.stem for path in specs)}")
        else:
            chosen = countries if override is None else str(override)
            return problems, allies.resolve_many("all" if chosen is None else chosen, name="country")
    except ValueError as exc:
        problems.append(str(exc))
    return problems, []


def plan(*, notebooks: list[str] | None, parameters: dict[str, object] | None, countries: str | list[str] | None,
         folder: Path, load) -> list[Job]:
    """Validate a request and return the jobs; raise :class:`ReportParameterError` listing every problem.

    ``-p`` strings take the declared type (:func:`natoanalysis.reports.params.coerce`);
    every notebook's values, defaults with the given ones, are then checked by
    :func:`natoanalysis.validate.parameters` with ``load``
    (:func:`natoanalysis.reports.params.cached_load`): the notebook's kernel
    checks them all alike. ``countries`` is ``"all"`` (default) or ISO3 codes.

    Examples
    --------
    >>> fixtures = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "notebooks"
    >>> from natoanalysis.reports.params import cached_load
    >>> [j.name for j in plan(notebooks=["05"], parameters={}, countries="pol,deu", folder=fixtures, load=cached_load())]
    ['05_profile_POL', '05_profile_DEU']
    """
    parameters = dict(parameters or {})
    try:
        specs = {path: inspect(path) for path in select(notebooks, folder=folder)}
    except ValueError as exc:
        raise ReportParameterError([str(exc)]) from None
    problems, selected = _problems(specs, parameters, countries, parameters.get(PER_COUNTRY_PARAMETER))
    parameters.pop(PER_COUNTRY_PARAMETER, None)
    jobs: list[Job] = []
    # {problem: notebooks}: a value refused by every notebook that declares the parameter is one problem.
    refused: dict[str, list[str]] = {}
    for path, declared in specs.items():
        values, given = {name: literal(p["default"]) for name, p in declared.items()}, set()
        for name in declared.keys() & parameters.keys():
            try:
                values[name] = coerce(parameters[name], type_name=declared[name]["type_name"])
                given.add(name)
            except ValueError as exc:
                refused.setdefault(f"parameter {name}={echo(parameters[name])} {exc}", []).append(path.stem)
        for country in (selected if PER_COUNTRY_PARAMETER in declared else [None]):
            if country is not None:
                values, given = {**values, PER_COUNTRY_PARAMETER: country}, given | {PER_COUNTRY_PARAMETER}
            try:
                checked = validate.parameters(values, load=load)
            except ValueError as exc:
                checked = dict(values)
                if path.stem not in refused.setdefault(str(exc), []):  # a per-country notebook repeats its checks
                    refused[str(exc)].append(path.stem)
            jobs.append(Job(name=path.stem if country is None else f"{path.stem}_{country}", notebook=path.stem,
                            input_path=str(path), parameters=checked, overrides={n: checked[n] for n in given},
                            country=country))
    problems += [where_refused(msg, notebooks=stems) for msg, stems in refused.items()]
    if problems:
        raise ReportParameterError(problems)
    return jobs


def is_full_suite(jobs: list[Job], *, folder: Path) -> bool:
    """Whether ``jobs`` run every notebook of ``folder``, a per-country one for every ally: what ``latest`` shows.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "00_overview.ipynb").write_text("{}"); _ = (folder / "05_profile.ipynb").write_text("{}")
    >>> overview = Job(name="00_overview", notebook="00_overview", input_path="")
    >>> profiles = [Job(name=f"05_profile_{c}", notebook="05_profile", input_path="", country=c)
    ...             for c in allies.members()]
    >>> is_full_suite([overview, *profiles], folder=folder), is_full_suite([overview, *profiles[:3]], folder=folder)
    (True, False)
    >>> is_full_suite(profiles, folder=folder)
    False
    >>> import shutil; shutil.rmtree(folder)
    """
    if not jobs or {j.notebook for j in jobs} != {p.stem for p in discover(folder)}:
        return False
    per_country = {j.notebook for j in jobs if j.country is not None}
    return all({j.country for j in jobs if j.notebook == stem} == set(allies.members()) for stem in per_country)

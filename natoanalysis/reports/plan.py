"""Turn a report request into the list of notebook executions, or reject it before any kernel starts."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import echo
from .errors import ReportParameterError
from .. import validate
from .notebooks import PER_COUNTRY_PARAMETER, discover, inspect, literal, select
from .params import coerce, plain


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
    kernel: object = None  # a kernel.KernelChoice
    show_code: bool = False
    timeout: int | None = None
    env: dict = field(default_factory=dict)

    def path(self, kind: str) -> Path:
        """Where one output goes: ``ipynb``, ``html``, ``log``, ``figures`` or ``tables``."""
        folder, suffix = {"ipynb": ("notebooks", ".ipynb"), "html": ("html", ".html"), "log": ("logs", ".log"),
                          "figures": ("figures", ""), "tables": ("tables", "")}[kind]
        return self.folder / folder / f"{self.name}{suffix}"


def parse_countries(countries: str | list[str] | None) -> list[str] | None:
    """``"all"`` or ``"POL,DEU"`` (or a list) to validated ISO3 codes; ``None`` stays ``None``.

    Examples
    --------
    >>> parse_countries("pol, deu")
    ['POL', 'DEU']
    >>> len(parse_countries("all"))
    32
    """
    from .. import allies

    if countries is None:
        return None
    items = [s.strip() for s in countries.split(",")] if isinstance(countries, str) else list(countries)
    items = [s for s in items if s]
    if not items:
        raise ValueError("--countries is empty; accepted: 'all' or ISO3 codes separated by commas")
    if [s.lower() for s in items] == ["all"]:
        return allies.members()
    codes = []
    for item in items:
        code = allies.resolve(item)
        if code not in codes:
            codes.append(code)
    return codes


def _unknown_parameters(names: list[str], specs: dict[Path, dict]) -> list[str]:
    unknown = [n for n in names if not any(n in params for params in specs.values())]
    if not unknown:
        return []
    listing = "; ".join(f"{path.stem}: " + (", ".join(f"{n} ({p['type_name']}, default {p['default']})"
                                                      for n, p in params.items()) or "no parameters")
                        for path, params in specs.items())
    return [f"unknown parameter {', '.join(map(echo, unknown))}; the selected notebooks accept: {listing}"]


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


def _selected_countries(countries, override, *, specs: dict[Path, dict], problems: list[str]) -> list[str]:
    """The allies the per-country notebook runs for (``--countries`` or ``-p country``); problems are appended."""
    per_country = [path for path, params in specs.items() if PER_COUNTRY_PARAMETER in params]
    try:
        if countries is not None and override is not None:
            problems.append("give either --countries or -p country, not both")
        elif countries is not None and not per_country:
            problems.append(f"--countries was given but no selected notebook takes a '{PER_COUNTRY_PARAMETER}' "
                            f"parameter; notebooks: {', '.join(path.stem for path in specs)}")
        elif per_country:
            return parse_countries(countries if override is None else str(override)) or parse_countries("all")
    except ValueError as exc:
        problems.append(str(exc))
    return []


def _given_values(path: Path, declared: dict, parameters: dict, refused: dict[str, list[str]]
                  ) -> tuple[dict, set[str]]:
    """A notebook's values (defaults, then the given ones in the declared types) and the names given."""
    values = {name: literal(p["default"]) for name, p in declared.items()}
    given = set()
    for name, raw in parameters.items():
        if name in declared:
            try:
                # plain() again: a literal can be a set or bytes, which neither papermill nor JSON carries faithfully
                values[name] = plain(coerce(raw, type_name=declared[name]["type_name"]))
                given.add(name)
            except ValueError as exc:
                refused.setdefault(f"parameter {name}={echo(raw)} {exc}", []).append(path.stem)
    return values, given


def plan(*, notebooks: list[str] | None, parameters: dict[str, object] | None, countries: str | list[str] | None,
         folder: Path, load) -> list[Job]:
    """Validate a request and return the jobs; raise :class:`ReportParameterError` listing every problem.

    Every notebook's values are checked by :func:`natoanalysis.validate.parameters`
    with ``load`` (:func:`natoanalysis.reports.params.cached_load`), defaults
    with the given values: the notebook's kernel checks them all alike.
    """
    parameters = dict(parameters or {})
    try:
        specs = {path: inspect(path) for path in select(notebooks, folder=folder)}
    except ValueError as exc:
        raise ReportParameterError([str(exc)]) from None
    problems = _unknown_parameters(list(parameters), specs)
    selected = _selected_countries(countries, parameters.pop(PER_COUNTRY_PARAMETER, None), specs=specs,
                                   problems=problems)
    jobs: list[Job] = []
    # {problem: notebooks}: a value refused by every notebook that declares the parameter is one problem.
    refused: dict[str, list[str]] = {}
    for path, declared in specs.items():
        values, given = _given_values(path, declared, parameters, refused)
        for country in (selected if PER_COUNTRY_PARAMETER in declared else [None]):
            if country is not None:
                values, given = {**values, PER_COUNTRY_PARAMETER: country}, given | {PER_COUNTRY_PARAMETER}
            try:
                checked = validate.parameters(values, load=load)
            except ValueError as exc:
                checked = dict(values)
                if path.stem not in refused.setdefault(str(exc), []):  # a per-country notebook repeats its checks
                    refused[str(exc)].append(path.stem)
            name = path.stem if country is None else f"{path.stem}_{country}"
            jobs.append(Job(name=name, notebook=path.stem, input_path=str(path), parameters=checked,
                            overrides={n: checked[n] for n in given}, country=country))
    problems += [where_refused(msg, notebooks=stems) for msg, stems in refused.items()]
    if not jobs and not problems:
        problems.append(f"nothing to run: no notebooks selected from {folder}")
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
    ...             for c in parse_countries("all")]
    >>> is_full_suite([overview, *profiles], folder=folder), is_full_suite([overview, *profiles[:3]], folder=folder)
    (True, False)
    >>> is_full_suite(profiles, folder=folder)
    False
    >>> import shutil; shutil.rmtree(folder)
    """
    if not jobs or {j.notebook for j in jobs} != {p.stem for p in discover(folder)}:
        return False
    everyone = set(parse_countries("all"))
    per_country = {j.notebook for j in jobs if j.country is not None}
    return all({j.country for j in jobs if j.notebook == stem} == everyone for stem in per_country)

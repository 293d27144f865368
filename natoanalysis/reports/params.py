"""Report parameters: ``-p NAME VALUE`` strings to typed values, and domain checks.

Types come from the notebook's ``parameters`` cell (annotation, else the type
of the default). Domain checks go through the library, keyed by parameter name:

=======================================  =====================================================
parameter name                           accepted values
=======================================  =====================================================
``country``                              an ally's ISO3 code (:func:`registry.validate_country`)
``countries``, ``allies``                ally ISO3 codes
``comparators``                          ISO3 codes the registry knows (allies or not)
``edition``, ``<source>_edition``        one edition bundled for NATO, or for ``<source>``
                                         (``sipri_edition``): ``YYYY-MM`` or ``"latest"``;
                                         not ``"all"``, which would mix editions under one label
``year``, ``*_year``, ``year_*``         a year of the notebook's edition (from ``load()``):
                                         its ``edition``, else its ``<source>_edition``
names containing ``target``/``threshold``  a finite, non-negative number
``top_n``, ``n_*``                       a whole number from 1 to :data:`MAX_COUNT`
=======================================  =====================================================

Values given from Python are first made plain built-in values (:func:`plain`),
so that what papermill writes into the notebook, what the kernel runs and what
the manifest records are the same thing.
"""

from __future__ import annotations

import ast
import math
import numbers
import operator
import os
import re
from dataclasses import dataclass, field
from typing import Callable

from ..errors import echo

_OPTIONAL = re.compile(r"^(?:Optional\[(?P<inner>.+)\]|(?P<inner2>.+)\|None|None\|(?P<inner3>.+))$")
_LIST = re.compile(r"^(?:list|List|tuple|Tuple|Sequence)(?:\[(?P<item>[^,\]]+)(?:,\.\.\.)?\])?$")
# Counts (``n_*``, ``top_n``) size arrays in the kernel: n_scenarios=10**8 asks for about 254 GiB.
# 1,000,000 scenarios take about 3.5 GB in the simulation (scenarios x allies x years of float64;
# measured: 350 MiB for 100,000), so the bound keeps a kernel within what a workstation has.
MAX_COUNT = 1_000_000
PLAIN_TYPES = "int, float, str, bool, None and lists of them"
_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}


def _to_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError("expects true or false (also yes/no, 1/0)")


def _to_int(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return int.__int__(value)  # the value itself, never a subclass's idea of it
    if isinstance(value, str):
        try:
            return int(str.__str__(value).strip())
        except ValueError:
            pass
    raise ValueError("expects a whole number (int)")


def _to_float(value: object) -> float:
    if isinstance(value, int) and not isinstance(value, bool):
        out = float(int.__int__(value))
    elif isinstance(value, float):
        out = float.__float__(value)
    elif isinstance(value, str):
        try:
            out = float(value.strip())
        except ValueError:
            raise ValueError("expects a number (float), e.g. 2 or 2.5") from None
    else:
        raise ValueError("expects a number (float), e.g. 2 or 2.5")
    if not math.isfinite(out):
        raise ValueError("expects a finite number")
    return out


def _to_str(value: object) -> str:
    if isinstance(value, str):
        return str.__str__(value)
    raise ValueError("expects text (str)")


def _to_literal(value: object) -> object:
    if not isinstance(value, str):
        return value
    try:
        return ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return value


def _type_name(value: object) -> str:
    return type(value).__qualname__[:60]


def plain(value: object) -> object:
    """``value`` as a plain built-in value: ``int``, ``float``, ``str``, ``bool``, ``None`` or a list of them.

    Subclasses are reduced to the built-in value they hold (``int.__int__``,
    ``str.__str__``, ...), whatever their own methods say: papermill writes
    parameters into the notebook as code with ``format``, so an ``int``
    subclass whose ``__format__`` returns code would run that code in the
    kernel while the manifest recorded a number. Tuples become lists; numpy
    numbers become ``int`` or ``float``. Anything else raises ``ValueError``
    naming the type and the accepted ones.

    Examples
    --------
    >>> class Sly(int):
    ...     def __format__(self, spec): return "__import__('os').system('true')"
    >>> value = plain(Sly(2024))
    >>> type(value).__name__, f"{value}"
    ('int', '2024')
    >>> plain(("POL", 2.5, None, True))
    ['POL', 2.5, None, True]
    >>> plain({"a": 1})
    Traceback (most recent call last):
    ...
    ValueError: dict is not accepted; accepted: int, float, str, bool, None and lists of them
    """
    if value is None or type(value) is bool:
        return value
    if isinstance(value, int):
        return int.__int__(value)
    if isinstance(value, float):
        out = float.__float__(value)
    elif isinstance(value, str):
        return str.__str__(value)
    elif isinstance(value, list):
        return [plain(v) for v in list.__iter__(value)]
    elif isinstance(value, tuple):
        return [plain(v) for v in tuple.__iter__(value)]
    elif isinstance(value, numbers.Integral):  # numpy integers
        return int.__int__(operator.index(value))
    elif isinstance(value, numbers.Real):  # numpy floats other than float64, fractions
        out = float.__float__(float(value))
    else:
        raise ValueError(f"{_type_name(value)} is not accepted; accepted: {PLAIN_TYPES}")
    if not math.isfinite(out):
        raise ValueError(f"{out} is not accepted; accepted: finite numbers ({PLAIN_TYPES})")
    return out


def plain_parameters(parameters: object) -> dict[str, object]:
    """A ``{name: value}`` request with text names and :func:`plain` values; ``ValueError`` lists every problem.

    Examples
    --------
    >>> plain_parameters({"year": 2024, "countries": ("POL",)})
    {'year': 2024, 'countries': ['POL']}
    >>> plain_parameters({"year": object()})
    Traceback (most recent call last):
    ...
    ValueError: parameter year: object is not accepted; accepted: int, float, str, bool, None and lists of them
    """
    if parameters is None:
        return {}
    if not isinstance(parameters, dict):
        raise ValueError(f"parameters must be a dict of {{name: value}}, got {_type_name(parameters)}")
    out, problems = {}, []
    for name, value in dict.items(parameters):
        if not isinstance(name, str):
            problems.append(f"parameter names must be text (str), got {_type_name(name)} {echo(name)}")
            continue
        name = str.__str__(name)
        try:
            out[name] = plain(value)
        except ValueError as exc:
            shown = name if name.isidentifier() and len(name) <= 60 else echo(name)
            problems.append(f"parameter {shown}: {exc}")
    if problems:
        raise ValueError("\n".join(problems))
    return out


_SCALARS: dict[str, Callable[[object], object]] = {
    "str": _to_str, "int": _to_int, "float": _to_float, "bool": _to_bool, "None": _to_literal,
}


def coerce(value: object, *, type_name: str) -> object:
    """Convert a parameter value (a ``-p`` string or a Python value) to the declared type.

    Lists are given comma-separated (``POL,DEU``) or as a Python list literal.
    Raises ``ValueError`` saying what the type expects.

    Examples
    --------
    >>> coerce("2.5", type_name="float"), coerce("2024", type_name="int"), coerce("no", type_name="bool")
    (2.5, 2024, False)
    >>> coerce("POL, DEU", type_name="list[str]")
    ['POL', 'DEU']
    >>> coerce("None", type_name="Optional[int]") is None
    True
    >>> coerce("two", type_name="float")
    Traceback (most recent call last):
    ...
    ValueError: expects a number (float), e.g. 2 or 2.5
    """
    type_name = type_name.replace(" ", "")
    m = _OPTIONAL.match(type_name)
    if m:
        if value is None or (isinstance(value, str) and value.strip() in {"", "None"}):
            return None
        return coerce(value, type_name=m["inner"] or m["inner2"] or m["inner3"])
    m = _LIST.match(type_name)
    if m:
        if isinstance(value, str):
            text = value.strip()
            literal = _to_literal(text) if text.startswith(("[", "(")) else None
            items = list(literal) if isinstance(literal, (list, tuple)) else \
                [s.strip() for s in text.split(",") if s.strip()]
        elif isinstance(value, (list, tuple)):
            items = list(value)
        else:
            raise ValueError(f"expects a list ({type_name}), comma-separated")
        item_type = m["item"] or "None"
        return [coerce(v, type_name=item_type) for v in items]
    convert = _SCALARS.get(type_name)
    if convert is None:  # dict and other literal types: accept what Python syntax gives
        value = _to_literal(value)
        expected = {"dict": dict, "Dict": dict}.get(type_name.split("[")[0])
        if expected is not None and not isinstance(value, expected):
            raise ValueError(f"expects a {type_name} literal")
        return value
    return convert(value)


@dataclass
class DomainContext:
    """What the domain checks look up through the library, loaded once per run."""

    data_dir: str | os.PathLike | None = None
    _years: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    _editions: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def years(self, *, source: str, edition: str) -> list[int]:
        """Years in the edition, via :func:`natoanalysis.load` (whose error lists accepted editions)."""
        key = (source, edition)
        if key not in self._years:
            from ..store import load
            df = load(source=source, edition=edition, data_dir=self.data_dir)
            self._years[key] = sorted(int(y) for y in df["year"].unique())
        return self._years[key]

    def editions(self, *, source: str) -> list[str]:
        """The editions bundled for ``source``, oldest first."""
        key = (source, "all")
        if key not in self._editions:
            from ..store import load
            self._editions[key] = sorted(str(e) for e in load(source=source, edition="all",
                                                             data_dir=self.data_dir)["edition"].unique())
        return self._editions[key]

    def resolve_edition(self, *, source: str = "nato", edition: str) -> str:
        """The concrete edition ``"latest"`` stands for (other values unchanged)."""
        if edition != "latest":
            return edition
        from ..store import load
        return str(sorted(load(source=source, edition="latest", data_dir=self.data_dir)["edition"].unique())[-1])


def _allies() -> list[str]:
    from .. import allies
    return allies.members()


def _check_country(value, *, name, values, ctx):
    from .. import allies
    return allies.resolve(value)


def _check_ally_list(value, *, name, values, ctx):
    return [_check_country(v, name=name, values=values, ctx=ctx) for v in value]


def _check_known_list(value, *, name, values, ctx):
    from .. import allies
    return [allies.resolve(v, include_non_allies=True) for v in value]


def edition_source(name: str) -> str | None:
    """``edition`` is NATO's; ``sipri_edition`` is SIPRI's; other names are not editions."""
    from ..transform.sources import names
    if name == "edition":
        return "nato"
    prefix = name[:-len("_edition")] if name.endswith("_edition") else None
    return prefix if prefix in names() else None


def _check_edition(value, *, name, values, ctx):
    source = edition_source(name)
    bundled = ctx.editions(source=source)
    accepted = ", ".join([*bundled, "'latest'"])
    if isinstance(value, str) and value.strip().lower() == "all":
        # load(edition="all") exists for analysis; a report labels its figures with one edition.
        raise ValueError(f"a notebook takes one edition, and 'all' would mix every bundled {source} edition "
                         f"under one label; accepted: {accepted}")
    if not isinstance(value, str) or (value != "latest" and value not in bundled):
        raise ValueError(f"{source} edition {echo(value)} is not bundled; accepted: {accepted}")
    return value


def _year_edition(values: dict) -> tuple[str, str]:
    names = [n for n in values if edition_source(n)]
    chosen = "edition" if "edition" in names else (names[0] if names else "edition")
    return edition_source(chosen) or "nato", values.get(chosen, "latest")


def _check_year(value, *, name, values, ctx):
    if value is None:
        return value
    source, edition = _year_edition(values)
    if not isinstance(edition, str):
        return value
    years = ctx.years(source=source, edition=edition)
    for year in value if isinstance(value, list) else [value]:
        if year not in years:
            shown = f"{source} edition {edition!r}"
            if edition == "latest":
                shown += f" ({ctx.resolve_edition(source=source, edition=edition)})"
            raise ValueError(f"{echo(year)} is not covered by {shown}; accepted years: {years[0]}-{years[-1]}")
    return value


def _check_target(value, *, name, values, ctx):
    if value is None:
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{echo(value)} is not a number; accepted: a finite number >= 0")
    if value < 0:
        raise ValueError(f"{echo(value)} is negative; accepted: a finite number >= 0")
    return value


def _check_count(value, *, name, values, ctx):
    accepted = f"accepted: a whole number from 1 to {MAX_COUNT:,}"
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{echo(value)} is not a count; {accepted}")
    if value > MAX_COUNT:
        raise ValueError(f"{echo(value)} is too large; {accepted}")
    return value


def _is_year(name: str) -> bool:
    return name in {"year", "years"} or name.endswith("_year") or name.startswith("year_")


# Rules apply in this order, so editions are known good before years are checked against them.
DOMAIN_RULES: list[tuple[Callable[[str], bool], Callable]] = [
    (lambda name: name == "country", _check_country),
    (lambda name: name in {"countries", "allies"}, _check_ally_list),
    (lambda name: name == "comparators", _check_known_list),
    (lambda name: edition_source(name) is not None, _check_edition),
    (_is_year, _check_year),
    (lambda name: "target" in name or "threshold" in name, _check_target),
    (lambda name: name == "top_n" or name.startswith("n_"), _check_count),
]


def check_domain(values: dict[str, object], *, given: set[str], ctx: DomainContext
                 ) -> tuple[dict[str, object], list[str]]:
    """Apply :data:`DOMAIN_RULES` to the ``given`` names among a notebook's effective parameters.

    Only values the caller supplied are checked: a notebook's own defaults may be
    placeholders its code resolves (``None`` for "the latest year"). Returns the
    (normalised) values and a list of problems, one per bad parameter.

    Examples
    --------
    >>> values, problems = check_domain({"country": "pol", "year": 2013, "edition": "latest"},
    ...                                 given={"country", "year"}, ctx=DomainContext())
    >>> values["country"], problems
    ('POL', ["parameter year=2013: 2013 is not covered by nato edition 'latest' (2024-06); accepted years: 2014-2024"])
    """
    out, problems = dict(values), []
    bad: set[str] = set()
    for applies, check in DOMAIN_RULES:
        for name in [n for n in out if n in given and applies(n) and n not in bad]:
            if _is_year(name) and any(edition_source(b) for b in bad):
                continue
            try:
                out[name] = check(out[name], name=name, values=out, ctx=ctx)
            except ValueError as exc:
                bad.add(name)
                problems.append(f"parameter {name}={echo(out[name])}: {exc}")
    return out, problems

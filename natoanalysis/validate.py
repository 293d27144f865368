"""Argument validation: the one place where what a caller passed is checked and normalised.

Metrics, views, charts and the report runner's parameter checks call these.
Every check raises :class:`~natoanalysis.errors.ArgumentError` (a
``ValueError``) whose message names the argument, the value received and the
values accepted, in one line, so that a wrong call reads as a sentence rather
than a pandas traceback. Nothing here reads data from disk: :func:`table`
checks a table the caller passes.

The argument vocabulary (the table "One argument vocabulary" in the README)
lives here too: the price bases and their synonyms, the group names and the
percentage guards.

Examples
--------
>>> year(2030, pd.DataFrame({"edition": ["2024-06"], "year": [2014]}))
Traceback (most recent call last):
...
natoanalysis.errors.ArgumentError: year 2030 is outside edition 2024-06; accepted: 2014 to 2014
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from . import allies, edition as editions_mod, reference
from .errors import ArgumentError, UnknownCountryError, echo

REQUIRED_COLUMNS = ("edition", "country", "year", "indicator", "price_basis", "value")

#: Indicators that add up across allies (money in one currency, people).
ADDITIVE = ("defence_exp_usd", "gdp_usd", "military_personnel_thousand")

#: Each indicator's unit, as ``reference/indicators.csv`` gives it.
UNITS = {row["indicator"]: row["unit"] for row in reference.records("indicators.csv")}

NO_DEFENCE_REASON = "Iceland has no armed forces and reports no defence expenditure"


def table(data: pd.DataFrame | None, edition: str | None) -> pd.DataFrame:
    """The tidy rows of one edition: ``data`` filtered to ``edition`` (None or "latest": its newest).

    The package-level functions (``natoanalysis.burden_share`` ...) load the
    bundled data when no table is given; the metrics themselves take it.
    """
    if data is None:
        raise ArgumentError("data is required: pass a tidy table, e.g. data=natoanalysis.load() "
                         "(the package-level natoanalysis.<metric> functions load it for you)")
    if not isinstance(data, pd.DataFrame):
        raise ArgumentError(f"data must be a tidy pandas DataFrame (as returned by natoanalysis.load()), "
                         f"got {type(data).__name__}")
    missing = [c for c in REQUIRED_COLUMNS if c not in data.columns]
    if missing:
        raise ArgumentError(f"data lacks the tidy columns {missing}; accepted: a table with columns "
                         f"{', '.join(REQUIRED_COLUMNS)} (as returned by natoanalysis.load())")
    available = sorted(data["edition"].dropna().unique())
    if not available:
        raise ArgumentError("data has no rows; accepted: a non-empty tidy table")
    try:
        edition = editions_mod.resolve(edition, available=available, allow_all=False,
                                       source=str(data["source"].iloc[0]) if "source" in data else "nato")
    except ValueError as exc:
        raise ArgumentError(str(exc).replace("is not bundled for", "is not in data for")) from None
    if len(available) == 1:
        return data
    return data[data["edition"] == edition]


def missing_reasons(df: pd.DataFrame, indicator: str, basis: str, year: int) -> dict[str, str]:
    """``{country: reason}`` for the rows of one indicator and year that carry no figure."""
    sel = df[(df["indicator"] == indicator) & (df["price_basis"].fillna("") == basis) & (df["year"] == year)
             & df["value"].isna()]
    reasons = sel["missing_reason"] if "missing_reason" in sel else pd.Series("", index=sel.index)
    return {str(c): (str(r) or "no figure") for c, r in zip(sel["country"], reasons)}


def edition_years(df: pd.DataFrame) -> tuple[int, int]:
    years = df["year"]
    return int(years.min()), int(years.max())


def year(value, df: pd.DataFrame, *, name: str = "year", allow_none: bool = False) -> int | None:
    """An integer year inside the edition's range."""
    if value is None and allow_none:
        return None
    first, last = edition_years(df)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ArgumentError(f"{name} must be an integer year between {first} and {last}, got {value!r}")
    if not first <= int(value) <= last:
        ed = ", ".join(sorted(df["edition"].unique()))
        raise ArgumentError(f"{name} {value} is outside edition {ed}; accepted: {first} to {last}")
    return int(value)


def year_or_last(value, df: pd.DataFrame, *, name: str = "year") -> int:
    """``value`` checked as by :func:`year`, or the edition's last year when it is None."""
    return year(value, df, name=name, allow_none=True) or edition_years(df)[1]


def choice(value, *, name: str, accepted: Iterable[str], shown=None):
    accepted = list(accepted)
    if not isinstance(value, str) or value not in accepted:
        raise ArgumentError(f"{name} must be one of {', '.join(repr(a) for a in accepted)}; "
                            f"got {echo(value if shown is None else shown)}")
    return value


def indicator(value, df: pd.DataFrame, *, accepted: Iterable[str] | None = None) -> str:
    present = sorted(df["indicator"].unique())
    return choice(value, name="indicator", accepted=[i for i in present if accepted is None or i in accepted])


#: The price bases of the tidy table, and the words accepted for them (any case).
PRICE_BASES = ("current", "constant")
PRICE_BASIS_SYNONYMS = {"nominal": "current", "real": "constant"}


def price_basis_name(value, *, name: str = "price_basis") -> str | None:
    """``"current"`` or ``"constant"`` from either word in any case, or the synonyms ``"nominal"`` / ``"real"``.

    ``None`` and ``""`` (the indicators without a price basis, such as personnel) are returned unchanged.

    Examples
    --------
    >>> price_basis_name("Real"), price_basis_name("NOMINAL"), price_basis_name("constant")
    ('constant', 'current', 'constant')
    >>> price_basis_name("fixed")
    Traceback (most recent call last):
    ...
    natoanalysis.errors.ArgumentError: price_basis 'fixed' is not a price basis; accepted: 'current', 'constant' (any case; 'nominal' and 'real' are synonyms)
    """
    if value is None or value == "":
        return value
    key = value.strip().lower() if isinstance(value, str) else None
    key = PRICE_BASIS_SYNONYMS.get(key, key)
    if key not in PRICE_BASES:
        raise ArgumentError(f"{name} {echo(value)} is not a price basis; accepted: 'current', 'constant' "
                            "(any case; 'nominal' and 'real' are synonyms)")
    return key


def price_basis(value, df: pd.DataFrame, *, indicator: str) -> str:
    """The price basis of ``indicator`` (as :func:`price_basis_name` reads it); ``None`` picks it when there is one."""
    bases = sorted(df.loc[df["indicator"] == indicator, "price_basis"].fillna("").unique())
    if value is None and len(bases) == 1:
        return bases[0]
    value = price_basis_name(value)
    if value not in bases:
        shown = ", ".join(repr(b) for b in bases)
        raise ArgumentError(f"price_basis {value!r} does not exist for indicator {indicator!r}; accepted: {shown}")
    return value


#: ``figure=``: which figure of a share is compared with a guideline: NATO's printed one, or the ratio of
#: the expenditure and GDP it prints (they differ by rounding: France 2020 prints 2.00, is 1.986).
FIGURES = ("published", "recomputed")


def figure(value) -> str:
    """``"published"`` or ``"recomputed"``, in any case."""
    key = value.strip().lower() if isinstance(value, str) else value
    return choice(key, name="figure", accepted=FIGURES, shown=value)


#: The groups of allies, each with the code of NATO's published row that stands for it. Accepted
#: everywhere as these names, those codes or NATO's printed names, in any case (:func:`group`).
GROUPS = {"nato": "NATO_TOTAL", "europe_canada": "NATO_EUROPE_CANADA"}
#: The one default group of the metrics (aggregate, group_growth, growth_definitions).
DEFAULT_GROUP = "nato"


def group(value, *, name: str = "group") -> str | list[str]:
    """A named group (``"nato"``, ``"europe_canada"``) or a list of allies' ISO3 codes.

    The names are accepted in any case, as NATO's codes of its aggregates
    (``NATO_TOTAL``, ``NATO_EUROPE_CANADA``), as NATO prints them ("NATO
    Europe and Canada") and as the reports label them ("European allies and
    Canada", ``reference/aggregates.csv``); allies as :func:`countries` takes them.

    Examples
    --------
    >>> group("NATO_EUROPE_CANADA"), group("Nato"), group("NATO Europe and Canada"), group("pol,deu")
    ('europe_canada', 'nato', 'europe_canada', ['POL', 'DEU'])
    >>> group("European allies and Canada")
    'europe_canada'
    """
    if isinstance(value, str):
        key = "_".join(value.strip().lower().replace("-", " ").split())
        if key in GROUPS:
            return key
        try:
            code = allies.lookup(value)
        except UnknownCountryError:
            code = None
        by_code = {c: g for g, c in GROUPS.items()}
        if code in by_code:
            return by_code[code]
    try:
        return countries(value, name=name)
    except UnknownCountryError as exc:
        raise ArgumentError(f"{name} must be one of {', '.join(repr(g) for g in sorted(GROUPS))} or a list of ISO3 "
                            f"codes ({exc}); the names are accepted in any case and as NATO's codes "
                            f"{', '.join(sorted(GROUPS.values()))}; got {echo(value)}") from None


def published_row(group_name) -> str | None:
    """The code of NATO's published row for a named group (None for a list of allies)."""
    return GROUPS.get(group_name) if isinstance(group_name, str) else None


#: Countries are checked where their names live: one ally's ISO3 code, from a code in any case, a name or an
#: alias; allies' codes from one value, a comma-separated string or a list.
country = allies.resolve
countries = allies.resolve_many


def with_defence(codes: list[str], *, name: str = "country") -> list[str]:
    """Refuse allies without defence expenditure (Iceland) where a share of GDP is needed."""
    bad = [c for c in codes if not allies.has_armed_forces(c)]
    if bad:
        raise ArgumentError(f"{name} {', '.join(bad)}: {NO_DEFENCE_REASON}, so it has no share of GDP to "
                         f"compare with a target; accepted: allies with armed forces")
    return codes


def defence_allies() -> list[str]:
    reg = allies.registry()
    return sorted(reg.loc[reg["has_armed_forces"], "iso3"])


def non_negative(value, *, name: str, unit: str = "percent of GDP") -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(float(value)) or float(value) < 0:
        raise ArgumentError(f"{name} must be a finite, non-negative number ({unit}), got {value!r}")
    return float(value)


def positive_int(value, *, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or int(value) < 1:
        raise ArgumentError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def whole_number(value, *, name: str, minimum: int = 0) -> int:
    """``value`` as a plain ``int`` of at least ``minimum`` (a count of workers, of runs to keep).

    Examples
    --------
    >>> whole_number(3, name="--keep")
    3
    >>> whole_number(0.5, name="--jobs", minimum=1)
    Traceback (most recent call last):
    ...
    ValueError: --jobs must be a whole number >= 1, got 0.5
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or int(value) < minimum:
        shown = f"{value:g}" if isinstance(value, (int, float)) and not isinstance(value, bool) else echo(value)
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {shown}")
    return int.__int__(int(value))


def date(value, *, name: str = "as_of") -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ArgumentError(f"{name} must be a date or an ISO date string such as '2020-01-01', got {value!r}") \
            from None


def wide(df: pd.DataFrame, indicator: str, basis: str) -> pd.DataFrame:
    """Countries x years of one indicator and price basis (aggregate rows included)."""
    sel = df[(df["indicator"] == indicator) & (df["price_basis"].fillna("") == basis)]
    out = sel.pivot(index="country", columns="year", values="value")
    out.columns = out.columns.astype(int)
    return out.astype(float)


def membership_mask(codes: list[str], years: Iterable[int]) -> pd.DataFrame:
    """Years x allies: True from the calendar year of accession on (NATO's rule for its aggregates)."""
    reg = allies.registry()
    acc = pd.Series([d.year for d in reg["accession_date"]], index=reg["iso3"].tolist()).reindex(codes)
    yrs = np.asarray(list(years), dtype=int)
    return pd.DataFrame(acc.to_numpy()[None, :] <= yrs[:, None], index=yrs, columns=codes)


def _number(value, *, name: str, unit: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(float(value)):
        raise ArgumentError(f"{name} must be a finite number ({unit}), got {echo(value)}")
    return float(value)


#: Percent arguments: (unit, smallest value not taken for a fraction, largest value accepted).
PERCENT_OF = {"GDP": ("percent of GDP", 0.5, 100.0),
              "defence expenditure": ("percent of defence expenditure", 1.0, 100.0)}


def percent(value, *, name: str, of: str = "GDP") -> float:
    """A percentage argument (``threshold_pct``, ``target_pct``), refusing fractions and impossible values.

    A share of GDP below 0.5 is taken for a fraction (0.035 meant as 3.5%):
    no ally's guideline or plausible target is that low. A share of defence
    expenditure below 1 likewise (0.2 meant as 20%). Neither can exceed 100.

    Examples
    --------
    >>> percent(3.5, name="target_pct")
    3.5
    >>> percent(0.035, name="target_pct")
    Traceback (most recent call last):
    ...
    natoanalysis.errors.ArgumentError: target_pct 0.035 looks like a fraction: give percent, e.g. 3.5; accepted: 0.5 to 100 (percent of GDP)
    >>> percent(350, name="target_pct")
    Traceback (most recent call last):
    ...
    natoanalysis.errors.ArgumentError: target_pct 350 is outside the accepted range; accepted: 0.5 to 100 (percent of GDP)
    """
    unit, low, high = PERCENT_OF[of]
    v = _number(value, name=name, unit=unit)
    accepted = f"accepted: {low:g} to {high:g} ({unit})"
    if 0 < v < low:
        raise ArgumentError(f"{name} {v:g} looks like a fraction: give percent, e.g. {v * 100:g}; {accepted}")
    if not low <= v <= high:
        raise ArgumentError(f"{name} {v:g} is outside the accepted range; {accepted}")
    return v


#: Assumed real growth, percent a year: accepted range, and the size below which a value is a fraction.
GROWTH_RATE_RANGE_PCT = (-20.0, 20.0)
GROWTH_FRACTION_BELOW_PCT = 0.1


def growth_rate(value, *, name: str = "gdp_growth_pct") -> float:
    """An assumed growth rate in percent a year (1.5 means 1.5% a year).

    Rates of less than 0.1% a year either way are refused as fractions
    (0.015 meant as 1.5%); pass 0 for no growth. More than 20% a year either
    way, sustained over a projection, is refused as a mistake.

    Examples
    --------
    >>> growth_rate(1.5), growth_rate(0), growth_rate(-2.0)
    (1.5, 0.0, -2.0)
    >>> growth_rate(0.015)
    Traceback (most recent call last):
    ...
    natoanalysis.errors.ArgumentError: gdp_growth_pct 0.015 looks like a fraction: give percent a year, e.g. 1.5; accepted: 0, or -20 to 20 percent a year with at least 0.1 either way
    """
    v = _number(value, name=name, unit="percent a year")
    low, high = GROWTH_RATE_RANGE_PCT
    accepted = (f"accepted: 0, or {low:g} to {high:g} percent a year with at least "
                f"{GROWTH_FRACTION_BELOW_PCT:g} either way")
    if 0 < abs(v) < GROWTH_FRACTION_BELOW_PCT:
        raise ArgumentError(f"{name} {v:g} looks like a fraction: give percent a year, e.g. {v * 100:g}; {accepted}")
    if not low <= v <= high:
        raise ArgumentError(f"{name} {v:g} is outside the accepted range; {accepted}")
    return v


def guideline_pct(indicator: str) -> float:
    """The threshold of the indicator's first guideline in ``reference/guidelines.csv`` (2 for the share of GDP).

    The default of every ``threshold_pct``: a threshold that is not the
    indicator's own guideline would count the equipment share against 2%.

    Examples
    --------
    >>> guideline_pct("share_gdp_pct"), guideline_pct("equipment_share_pct")
    (2.0, 20.0)
    """
    g = reference.guidelines()
    g = g[(g["indicator"] == indicator) & (g["comparison"] == "at_or_above")]
    if g.empty:
        raise ArgumentError(f"indicator {indicator!r} has no guideline; give threshold_pct=, or accepted: "
                            f"{', '.join(sorted(set(reference.guidelines()['indicator'])))}")
    return float(g["threshold_pct"].iloc[0])


#: The largest count a notebook parameter may ask for (``n_scenarios``, ``top_n``): a kernel sizes arrays by
#: it, and 1,000,000 scenarios already take about 3.5 GB in the simulation (10**8 would ask for 254 GiB).
MAX_COUNT = 1_000_000
#: The last year a target's deadline (``by``) may name: a path is computed for every year up to it.
LAST_BY = 2100


def by(value, *, start: int, name: str = "by") -> int:
    """A target's deadline: a whole year after ``start`` and no later than :data:`LAST_BY`.

    Examples
    --------
    >>> by(100000000, start=2024)
    Traceback (most recent call last):
    ...
    natoanalysis.errors.ArgumentError: by 100000000 is outside the accepted range; accepted: a year from 2025 to 2100
    """
    accepted = f"accepted: a year from {start + 1} to {LAST_BY}"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ArgumentError(f"{name} must be a whole year, got {echo(value)}; {accepted}")
    if not start < int(value) <= LAST_BY:
        raise ArgumentError(f"{name} {value} is outside the accepted range; {accepted}")
    return int(value)


def edition_source(name: str) -> str | None:
    """The source whose edition a parameter names: ``edition(s)`` NATO's, ``<source>_edition`` that source's."""
    if name in ("edition", "editions"):
        return "nato"
    source = name.removesuffix("_edition")
    return source if source != name and source in set(editions_mod.known()["source"]) else None


def _editions(out: dict, load: Callable[..., pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Check the edition parameters; ``{source: table of the edition chosen}``."""
    tables = {}
    for name, value in list(out.items()):
        source = edition_source(name)
        if source is None or (name == "editions" and value is None):
            continue
        if name == "editions" and isinstance(value, str):  # "2024-06,2025-06", as papermill's -p gives it
            value = out[name] = [v.strip() for v in value.split(",") if v.strip()]
        available = load(source=source, edition="all")["edition"].unique()
        for one in value if name == "editions" and isinstance(value, list) else [value]:
            if not isinstance(one, str):
                raise ArgumentError(f"{name} must be an edition id 'YYYY-MM' or 'latest', got {echo(one)}")
            editions_mod.resolve(one, available=available, source=source, allow_all=False)
        if name != "editions":
            tables[source] = load(source=source, edition=value)
    return tables


def _check(name: str, value, out: dict, table: pd.DataFrame):
    """One parameter of the vocabulary checked as the functions that take it check it; others unchanged."""
    if name == "country":
        return country(value)
    if name in ("countries", "allies", "comparators"):
        return allies.resolve_many(value, name=name, include_non_allies=name == "comparators")
    if name == "year" or name.endswith("_year"):
        return year(value, table, name=name, allow_none=True)
    if name == "by":
        return by(value, start=out.get("year") or edition_years(table)[1])
    if name == "gdp_growth_pct":
        return None if value is None else growth_rate(value)
    if name.endswith("_pct"):
        return percent(value, name=name)
    if name == "seed":
        return whole_number(value, name=name, minimum=0)
    if (name == "top_n" or name.startswith("n_")) and positive_int(value, name=name) > MAX_COUNT:
        raise ArgumentError(f"{name} {value} is too large; accepted: a whole number from 1 to {MAX_COUNT:,}")
    return value


def parameters(values: Mapping[str, object], *, load: Callable[..., pd.DataFrame]) -> dict[str, object]:
    """A report notebook's parameters checked as the functions that take them check them, and normalised.

    The one check of the runner (``report -p``, ``reports.run(parameters=)``)
    and of the notebook itself. Editions (``edition``, ``<source>_edition``,
    ``editions``) must be bundled, never ``"all"``; ``year`` and ``*_year`` in
    the edition, ``by`` after the year (:func:`by`); ``*_pct`` by
    :func:`percent` (``gdp_growth_pct`` :func:`growth_rate`); ``seed`` >= 0;
    ``top_n`` and ``n_*`` 1 to :data:`MAX_COUNT`; ``country``, ``countries``,
    ``allies`` and ``comparators`` as the registry knows them. Other names pass
    unchanged. ``load`` is :func:`natoanalysis.load` (this module reads no
    file); the first value refused raises :class:`ArgumentError`, in one line.

    Examples
    --------
    >>> import natoanalysis as na
    >>> parameters({"country": "pol", "by": 2035, "seed": 0}, load=na.load)
    {'country': 'POL', 'by': 2035, 'seed': 0}
    >>> parameters({"core_target_pct": 0.035}, load=na.load)
    Traceback (most recent call last):
    ...
    natoanalysis.errors.ArgumentError: core_target_pct 0.035 looks like a fraction: give percent, e.g. 3.5; accepted: 0.5 to 100 (percent of GDP)
    """
    out = dict(values)
    tables = _editions(out, load)
    table = tables.get("nato", next(iter(tables.values()), None))
    table = load(source="nato", edition="latest") if table is None else table
    for name in ("year", *(n for n in out if n != "year")):  # ``by`` comes after the year it follows
        if name in out:
            out[name] = _check(name, out[name], out, table)
    return out


def members_in(codes: list[str], year_: int, *, name: str = "country") -> list[str]:
    """Refuse allies that were not yet members in ``year_`` (NATO counts an ally from its accession year).

    Examples
    --------
    >>> members_in(["SWE"], 2020)
    Traceback (most recent call last):
    ...
    natoanalysis.errors.ArgumentError: country SWE joined NATO in 2024, after 2020; accepted: years from 2024 for SWE, or allies that were members in 2020
    """
    late = {c: allies.accession_year(c) for c in codes if allies.accession_year(c) > year_}
    if late:
        joined = ", ".join(f"{c} joined NATO in {y}" for c, y in late.items())
        since = ", ".join(f"from {y} for {c}" for c, y in late.items())
        raise ArgumentError(f"{name} {joined}, after {year_}; accepted: years {since}, or allies that were "
                            f"members in {year_}")
    return codes


def one_or_many(country, countries_, *, function: str) -> tuple[list[str] | None, bool]:
    """``(codes, single)`` from a function's ``country=`` (one ally) and ``countries=`` (one or several).

    ``country`` gives one result for one ally, ``countries`` a result indexed
    by country (even for one); neither gives ``(None, False)``, every ally.

    Examples
    --------
    >>> one_or_many(["POL", "DEU"], None, function="gap_to_target")
    Traceback (most recent call last):
    ...
    natoanalysis.errors.ArgumentError: gap_to_target() country= takes one ally, got a list; accepted: one ally as country=, several as countries=
    """
    if country is not None and countries_ is not None:
        raise ArgumentError(f"{function}() takes country= (one ally) or countries= (several), not both")
    if country is not None and not isinstance(country, str):
        raise ArgumentError(f"{function}() country= takes one ally, got a {type(country).__name__}; accepted: one "
                            "ally as country=, several as countries=")
    if country is not None:
        return [allies.resolve(country, name="country")], True
    if countries_ is not None:
        return allies.resolve_many(countries_, name="countries"), False
    return None, False

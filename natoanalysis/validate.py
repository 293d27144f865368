"""Argument validation: the one place where what a caller passed is checked and normalised.

Metrics, views, charts and the report runner's parameter checks call these.
Every check raises a ``ValueError`` (or a subclass) whose message names the
argument, the value received and the values accepted, so that a wrong call
reads as a sentence rather than a pandas traceback. Nothing here reads data
from disk: :func:`table` checks a table the caller passes.

Examples
--------
>>> year(2030, pd.DataFrame({"edition": ["2024-06"], "year": [2014]}))
Traceback (most recent call last):
...
ValueError: year 2030 is outside edition 2024-06; accepted: 2014 to 2014
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from . import allies, edition as editions_mod
from .errors import echo

REQUIRED_COLUMNS = ("edition", "country", "year", "indicator", "price_basis", "value")

#: Indicators that add up across allies (money in one currency, people).
ADDITIVE = ("defence_exp_usd", "gdp_usd", "military_personnel_thousand")

UNITS = {
    "defence_exp_usd": "million US dollars",
    "gdp_usd": "million US dollars",
    "military_personnel_thousand": "thousand persons",
    "share_gdp_pct": "percent of GDP",
}

NO_DEFENCE_REASON = "Iceland has no armed forces and reports no defence expenditure"


def table(data: pd.DataFrame | None, edition: str | None) -> pd.DataFrame:
    """The tidy rows of one edition: ``data`` filtered to ``edition`` (None or "latest": its newest).

    The package-level functions (``natoanalysis.burden_share`` ...) load the
    bundled data when no table is given; the metrics themselves take it.
    """
    if data is None:
        raise ValueError("data is required: pass a tidy table, e.g. data=natoanalysis.load() "
                         "(the package-level natoanalysis.<metric> functions load it for you)")
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"data must be a tidy pandas DataFrame (as returned by natoanalysis.load()), "
                         f"got {type(data).__name__}")
    missing = [c for c in REQUIRED_COLUMNS if c not in data.columns]
    if missing:
        raise ValueError(f"data lacks the tidy columns {missing}; accepted: a table with columns "
                         f"{', '.join(REQUIRED_COLUMNS)} (as returned by natoanalysis.load())")
    available = sorted(data["edition"].dropna().unique())
    if not available:
        raise ValueError("data has no rows; accepted: a non-empty tidy table")
    try:
        edition = editions_mod.resolve(edition, available=available, allow_all=False,
                                       source=str(data["source"].iloc[0]) if "source" in data else "nato")
    except ValueError as exc:
        raise ValueError(str(exc).replace("is not bundled for", "is not in data for")) from None
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
        raise ValueError(f"{name} must be an integer year between {first} and {last}, got {value!r}")
    if not first <= int(value) <= last:
        ed = ", ".join(sorted(df["edition"].unique()))
        raise ValueError(f"{name} {value} is outside edition {ed}; accepted: {first} to {last}")
    return int(value)


def year_or_last(value, df: pd.DataFrame, *, name: str = "year") -> int:
    """``value`` checked as by :func:`year`, or the edition's last year when it is None."""
    return year(value, df, name=name, allow_none=True) or edition_years(df)[1]


def choice(value, *, name: str, accepted: Iterable[str]):
    accepted = list(accepted)
    if not isinstance(value, str) or value not in accepted:
        raise ValueError(f"{name} must be one of {', '.join(repr(a) for a in accepted)}; got {value!r}")
    return value


def indicator(value, df: pd.DataFrame, *, accepted: Iterable[str] | None = None) -> str:
    present = sorted(df["indicator"].unique())
    allowed = [i for i in present if accepted is None or i in accepted]
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"indicator must be one of {', '.join(repr(a) for a in allowed)}; got {value!r}")
    return value


def price_basis(value, df: pd.DataFrame, *, indicator: str) -> str:
    """The price basis of ``indicator``; ``None`` picks it when the indicator has only one."""
    bases = sorted(df.loc[df["indicator"] == indicator, "price_basis"].fillna("").unique())
    if value is None and len(bases) == 1:
        return bases[0]
    if value not in bases:
        shown = ", ".join(repr(b) for b in bases)
        raise ValueError(f"price_basis {value!r} does not exist for indicator {indicator!r}; accepted: {shown}")
    return value


def country(value, *, name: str = "country") -> str:
    """One ally's ISO3 code, from a code in any case, a name or an alias (:func:`natoanalysis.allies.resolve`)."""
    return allies.resolve(value, name=name)


def countries(value, *, name: str = "countries") -> list[str]:
    """Allies' ISO3 codes from one value, a comma-separated string or a list (:func:`natoanalysis.allies.resolve_many`)."""
    return allies.resolve_many(value, name=name)


def with_defence(codes: list[str], *, name: str = "country") -> list[str]:
    """Refuse allies without defence expenditure (Iceland) where a share of GDP is needed."""
    reg = allies.registry().set_index("iso3")
    bad = [c for c in codes if not reg.at[c, "has_armed_forces"]]
    if bad:
        raise ValueError(f"{name} {', '.join(bad)}: {NO_DEFENCE_REASON}, so it has no share of GDP to "
                         f"compare with a target; accepted: allies with armed forces")
    return codes


def defence_allies() -> list[str]:
    reg = allies.registry()
    return sorted(reg.loc[reg["has_armed_forces"], "iso3"])


def non_negative(value, *, name: str, unit: str = "percent of GDP") -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(float(value)) or float(value) < 0:
        raise ValueError(f"{name} must be a finite, non-negative number ({unit}), got {value!r}")
    return float(value)


def positive_int(value, *, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or int(value) < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
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
        raise ValueError(f"{name} must be a date or an ISO date string such as '2020-01-01', got {value!r}") \
            from None


def wide(df: pd.DataFrame, indicator: str, basis: str) -> pd.DataFrame:
    """Countries x years of one indicator and price basis (aggregate rows included)."""
    sel = df[(df["indicator"] == indicator) & (df["price_basis"].fillna("") == basis)]
    out = sel.pivot(index="country", columns="year", values="value")
    out.columns = out.columns.astype(int)
    return out.astype(float)


def accession_years() -> pd.Series:
    reg = allies.registry()
    return pd.Series([d.year for d in reg["accession_date"]], index=reg["iso3"].tolist())


def membership_mask(codes: list[str], years: Iterable[int]) -> pd.DataFrame:
    """Years x allies: True from the calendar year of accession on (NATO's rule for its aggregates)."""
    acc = accession_years().reindex(codes)
    yrs = np.asarray(list(years), dtype=int)
    return pd.DataFrame(acc.to_numpy()[None, :] <= yrs[:, None], index=yrs, columns=codes)

"""Labels built from the data: price basis, base year, estimate years, definition, edition.

No view, chart, claim or notebook writes a base year or an edition by hand:
each reads them off the rows it shows, through these functions, so a report
on another edition says what that edition says.
"""

from __future__ import annotations

import pandas as pd

from .. import edition as editions_mod
from . import text

_SOURCE_TITLES = {"nato": "NATO, Defence Expenditure of NATO Countries", "sipri": "SIPRI Military Expenditure Database"}


def _one(values: pd.Series, what: str) -> object:
    found = sorted(set(values.dropna().tolist()))
    if len(found) != 1:
        raise ValueError(f"the rows hold {len(found)} {what}s ({', '.join(map(str, found)) or 'none'}); "
                         "accepted: rows of one edition (select one with load(edition=...))")
    return found[0]


def edition(data: pd.DataFrame) -> str:
    """The one edition the rows come from.

    Examples
    --------
    >>> import natoanalysis as na
    >>> edition(na.load()) == na.load()["edition"].iloc[0]
    True
    """
    return str(_one(data["edition"], "edition"))


def base_year(data: pd.DataFrame) -> int:
    """The base year of the rows' constant prices.

    Examples
    --------
    >>> import natoanalysis as na
    >>> base_year(na.load()) == int(na.load().query("price_basis == 'constant'")["base_year"].iloc[0])
    True
    """
    const = data.loc[data["price_basis"] == "constant", "base_year"]
    return int(_one(const, "base year"))


def definition(data: pd.DataFrame) -> str:
    """What the rows measure (``"defence expenditure (NATO definition)"``, ``"core defence expenditure"``, ...).

    Examples
    --------
    >>> import natoanalysis as na
    >>> definition(na.load())
    'defence expenditure (NATO definition)'
    """
    return str(_one(data["definition"], "definition"))


def estimate_years(data: pd.DataFrame) -> list[int]:
    """The years the rows mark as estimates.

    Examples
    --------
    >>> import natoanalysis as na
    >>> estimate_years(na.load()) == sorted(int(y) for y in na.load().query("is_estimate")["year"].unique())
    True
    """
    return sorted(int(y) for y in data.loc[data["is_estimate"].astype(bool), "year"].unique())


def years_text(years: list[int]) -> str:
    """``[2023]`` -> ``"2023"``, ``[2023, 2024]`` -> ``"2023 and 2024"``, three or more with commas.

    Examples
    --------
    >>> years_text([2025, 2026]), years_text([2022, 2023, 2024]), years_text([])
    ('2025 and 2026', '2022, 2023 and 2024', 'none')
    """
    return text.listing(sorted(years))


def year_label(data: pd.DataFrame, year: int) -> str:
    """A year as NATO prints it: ``"2024e"`` when the rows mark it as an estimate.

    Examples
    --------
    >>> import natoanalysis as na
    >>> df = na.load()
    >>> year_label(df, int(df["year"].min())), year_label(df, int(df["year"].max())).endswith("e")
    ('2014', True)
    """
    est = data.loc[data["year"] == year, "is_estimate"]
    return f"{year}e" if bool(est.astype(bool).any()) else str(year)


def prices(data: pd.DataFrame) -> str:
    """Short form of the constant-price basis, for axis labels: ``"2021 prices"``.

    Examples
    --------
    >>> import natoanalysis as na
    >>> prices(na.load()) == f"{base_year(na.load())} prices"
    True
    """
    return f"{base_year(data)} prices"


def price_basis(data: pd.DataFrame, basis: str, *, exchange_rates: bool = True, capital: bool = False) -> str:
    """``"current prices and exchange rates"`` or ``"constant <base year> prices and exchange rates"``.

    ``exchange_rates=False`` for national-currency figures, which involve none.

    Examples
    --------
    >>> import natoanalysis as na
    >>> price_basis(na.load(), "current", capital=True)
    'Current prices and exchange rates'
    >>> price_basis(na.load(), "constant", exchange_rates=False) == f"constant {base_year(na.load())} prices"
    True
    """
    if basis == "current":
        text = "current prices"
    elif basis == "constant":
        text = f"constant {base_year(data)} prices"
    else:
        raise ValueError(f"price basis {basis!r}; accepted: 'current', 'constant'")
    if exchange_rates:
        text += " and exchange rates"
    return text[0].upper() + text[1:] if capital else text


def growth_definition(data: pd.DataFrame, *, membership: str, price_basis: str) -> str:
    """How a group's growth was measured, for a table row or a claim's evidence.

    Examples
    --------
    >>> import natoanalysis as na
    >>> growth_definition(na.load(), membership="like_for_like", price_basis="current")
    'nominal (current USD), like-for-like membership (the members of the year, counted in both years)'
    >>> growth_definition(na.load(), membership="published", price_basis="constant").startswith("real (constant ")
    True
    """
    if price_basis == "constant":
        money = f"real (constant {base_year(data)} USD)"
    elif price_basis == "current":
        money = "nominal (current USD)"
    else:
        raise ValueError(f"price basis {price_basis!r}; accepted: 'current', 'constant'")
    counting = {"published": "published membership (the members of each year, as NATO counts)",
                "like_for_like": "like-for-like membership (the members of the year, counted in both years)",
                "constant": "today's allies (the allies of the latest year, counted in every year)"}
    if membership not in counting:
        raise ValueError(f"membership {membership!r}; accepted: {', '.join(map(repr, counting))}")
    return f"{money}, {counting[membership]}"


def basis_labels(data: pd.DataFrame) -> dict[str, str]:
    """``{"current": ..., "constant": ...}`` capitalised, for a legend or a panel title.

    Examples
    --------
    >>> import natoanalysis as na
    >>> basis_labels(na.load())["current"]
    'Current prices and exchange rates'
    """
    return {b: price_basis(data, b, capital=True) for b in ("current", "constant")}


def publication(data: pd.DataFrame) -> str:
    """The publication the rows come from, by title when the edition is known, else by series name.

    Examples
    --------
    >>> import natoanalysis as na
    >>> publication(na.load()).startswith("NATO, Defence")
    True
    """
    source = str(_one(data["source"], "source"))
    titles = []
    for ed in sorted(data["edition"].dropna().unique()):
        rec = editions_mod.record(source=source, edition=str(ed)) or {}
        titles.append(rec.get("title", ""))
    if source == "nato" and len(set(titles)) == 1 and titles[0]:
        return f"NATO, {titles[0]}"
    return _SOURCE_TITLES.get(source, source)


def measure(data: pd.DataFrame) -> str:
    """What the rows measure, for prose: ``"defence expenditure"`` or ``"core defence expenditure"``.

    Examples
    --------
    >>> import natoanalysis as na
    >>> measure(na.load())
    'defence expenditure'
    """
    text = definition(data)
    return text.split(" (")[0]

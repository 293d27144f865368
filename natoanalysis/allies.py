"""Allies (and the comparators of SIPRI's series): ``reference/countries.csv``, and the one way to name one.

:func:`resolve` and :func:`resolve_many` are the only places a country given
by a user becomes a code: ISO3 in any case, NATO's and SIPRI's names, and the
registry's aliases ("Germany", "deu", "UK", "Turkey", "the Netherlands") are
accepted alike, by every function, notebook and the command line. Readers of
the publishers' tables use :func:`lookup`, restricted to the names that
publisher prints.
"""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata

import pandas as pd

from . import reference
from .errors import ArgumentError, UnknownCountryError, echo


def _norm(name: str) -> str:
    # Accents and case vary between publishers (Türkiye/Turkiye) and editions; "the Netherlands" is Netherlands.
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = text.replace("*", " ").lower().split()
    return " ".join(words[1:] if words[:1] == ["the"] and len(words) > 1 else words)


@functools.lru_cache(maxsize=1)
def _countries() -> pd.DataFrame:
    df = reference.read("countries.csv")
    for col in ("is_nato_ally", "has_armed_forces"):
        df[col] = df[col].str.lower().eq("true")
    df["accession_date"] = pd.to_datetime(df["accession_date"].replace("", None)).dt.date
    return df


def registry(*, include_non_allies: bool = False) -> pd.DataFrame:
    """Return the ally registry (``natoanalysis.countries()``).

    Parameters
    ----------
    include_non_allies : bool, default False
        Also return the comparator countries used with SIPRI data (Russia,
        Ukraine, China).

    Returns
    -------
    pandas.DataFrame
        One row per country: ``iso3``, ``name``, ``article`` ("the" where
        English uses one: the Netherlands, the United Kingdom, the United
        States), ``is_nato_ally``, ``accession_date``, ``has_armed_forces``,
        ``nato_names``, ``sipri_names``, ``aliases`` (``;``-separated) and ``source``.

    Examples
    --------
    >>> reg = registry()
    >>> len(reg)
    32
    >>> reg.set_index("iso3").loc["FIN", "accession_date"]
    datetime.date(2023, 4, 4)
    """
    df = _countries()
    if not include_non_allies:
        df = df[df["is_nato_ally"]]
    return df.reset_index(drop=True).copy()


@functools.lru_cache(maxsize=4)
def _name_index(publisher: str) -> dict[str, str]:
    index: dict[str, str] = {}
    df = _countries()
    cols = {"nato": ["name", "nato_names", "aliases"], "sipri": ["name", "sipri_names", "aliases"],
            "any": ["iso3", "name", "nato_names", "sipri_names", "aliases"]}[publisher]
    for _, row in df.iterrows():
        for col in cols:
            for alias in filter(None, (a.strip() for a in row[col].split(";"))):
                index[_norm(alias)] = row["iso3"]
    for _, row in reference.aggregates().iterrows():
        # NATO's printed names, and the labels our reports print (the Secretary General's "European Allies and Canada")
        for alias in [row["code"], row["name"], *row["nato_names"].split(";"), *row["labels"].split(";")]:
            index[_norm(alias)] = row["code"]
    return index


def lookup(name: str, *, publisher: str = "any") -> str:
    """Return the ISO3 (or aggregate) code for a name as a publisher prints it, an alias or a code.

    Parameters
    ----------
    name : str
        A name as printed by a publisher (``"Türkiye"``, ``"Slovak Republic"``),
        an alias or an ISO3 code.
    publisher : {"any", "nato", "sipri"}
        Restrict the look-up to the names that publisher uses.

    Raises
    ------
    UnknownCountryError
        If the name is not in the registry.

    Examples
    --------
    >>> lookup("Turkey"), lookup("Slovak Republic", publisher="nato"), lookup("NATO Total")
    ('TUR', 'SVK', 'NATO_TOTAL')
    """
    code = _name_index(publisher).get(_norm(name)) if isinstance(name, str) else None
    if code is None:
        known = sorted(_countries()["name"])
        raise UnknownCountryError(
            f"unknown country {echo(name)}; the registry knows {', '.join(known)} "
            "and the aggregates NATO Europe and Canada, NATO Total"
        )
    return code


def _accepted(include_non_allies: bool) -> str:
    pool = _countries() if include_non_allies else _countries()[_countries()["is_nato_ally"]]
    return ", ".join(sorted(pool["iso3"]))


def resolve(value: object, *, name: str = "country", include_non_allies: bool = False,
            allow_aggregates: bool = False) -> str:
    """The code of one country given as ISO3 (any case), a name as NATO or SIPRI prints it, or an alias.

    Parameters
    ----------
    value : str
        ``"POL"``, ``"pol"``, ``"Poland"``, ``"UK"``, ``"Türkiye"``, ``"Turkey"``...
    name : str
        The argument's name, for the message.
    include_non_allies : bool, default False
        Accept the registry's comparators (Russia, Ukraine, China) too.
    allow_aggregates : bool, default False
        Accept NATO's aggregates (``NATO_TOTAL``, "NATO Europe and Canada").

    Raises
    ------
    UnknownCountryError
        (a ValueError) naming the value and the accepted codes.

    Examples
    --------
    >>> resolve("deu"), resolve("Germany"), resolve("UK"), resolve("the Netherlands")
    ('DEU', 'DEU', 'GBR', 'NLD')
    >>> resolve("RUS")
    Traceback (most recent call last):
    ...
    natoanalysis.errors.UnknownCountryError: country 'RUS': RUS is not a NATO ally (Russia); accepted: ALB, ...
    >>> resolve("rus", include_non_allies=True)
    'RUS'
    """
    if not isinstance(value, str) or not value.strip():
        raise UnknownCountryError(f"{name} must be an ally's ISO3 code or name, got {echo(value)}; accepted: "
                                  f"{_accepted(include_non_allies)}")
    try:
        code = lookup(value.strip())
    except UnknownCountryError:
        raise UnknownCountryError(f"unknown {name} {echo(value)}; accepted: ISO3 codes {_accepted(include_non_allies)}"
                                  ", or the allies' names and aliases of reference/countries.csv") from None
    reg = _countries().set_index("iso3")
    if code not in reg.index:
        if allow_aggregates:
            return code
        raise UnknownCountryError(f"{name} {echo(value)} is NATO's aggregate {code}, not one ally; accepted: "
                                  f"{_accepted(include_non_allies)}")
    if not include_non_allies and not reg.at[code, "is_nato_ally"]:
        raise UnknownCountryError(f"{name} {echo(value)}: {code} is not a NATO ally ({reg.at[code, 'name']}); accepted: "
                                  f"{_accepted(include_non_allies)}")
    return code


def resolve_many(value: object, *, name: str = "countries", include_non_allies: bool = False,
                 allow_aggregates: bool = False) -> list[str]:
    """Countries given as one value, a comma-separated string or a list, each as :func:`resolve` takes it.

    Duplicates are dropped, order kept; ``"all"`` is every ally.

    Examples
    --------
    >>> resolve_many("POL,deu"), resolve_many(["Poland", "Germany", "POL"])
    (['POL', 'DEU'], ['POL', 'DEU'])
    >>> len(resolve_many("all"))
    32
    """
    if isinstance(value, str):
        items = [s.strip() for s in value.split(",") if s.strip()]
        if [s.lower() for s in items] == ["all"]:
            return sorted(registry()["iso3"])
    else:
        try:
            items = list(value)  # type: ignore[arg-type]
        except TypeError:
            raise UnknownCountryError(f"{name} must be an ISO3 code, a comma-separated list or a list of them, "
                                      f"got {echo(value)}") from None
    if not items:
        raise UnknownCountryError(f"{name} names no country; accepted: ISO3 codes such as POL,DEU, or 'all'")
    codes = [resolve(v, name=name, include_non_allies=include_non_allies, allow_aggregates=allow_aggregates)
             for v in items]
    return list(dict.fromkeys(codes))


def country_name(code: str) -> str:
    """Return the registry name of an ISO3 or aggregate code.

    Examples
    --------
    >>> country_name("MKD")
    'North Macedonia'
    """
    df = _countries().set_index("iso3")
    if code in df.index:
        return df.at[code, "name"]
    agg = reference.aggregates().set_index("code")
    if code in agg.index:
        return agg.at[code, "name"]
    raise UnknownCountryError(f"unknown country code {echo(code)}; accepted: ISO3 codes of {', '.join(df.index)}")


def name_in_text(code: str, *, start: bool = False) -> str:
    """A country's name as it reads in a sentence: "the Netherlands", "Poland" ("The ..." at its start).

    Examples
    --------
    >>> name_in_text("USA"), name_in_text("NLD", start=True), name_in_text("POL")
    ('the United States', 'The Netherlands', 'Poland')
    """
    name = country_name(code)
    df = _countries().set_index("iso3")
    article = df.at[code, "article"] if code in df.index else ""
    if not article:
        return name
    return f"{article.capitalize() if start else article} {name}"


def has_armed_forces(code: str) -> bool:
    """False only for Iceland, which has no armed forces and reports no defence expenditure.

    Examples
    --------
    >>> has_armed_forces("POL"), has_armed_forces("ISL")
    (True, False)
    """
    return bool(_countries().set_index("iso3").at[resolve(code), "has_armed_forces"])


def accession_year(code: str) -> int:
    """The calendar year an ally joined (from which NATO's aggregates count it).

    Examples
    --------
    >>> accession_year("SWE")
    2024
    """
    return _countries().set_index("iso3").at[resolve(code), "accession_date"].year


def members(*, year: int | None = None, on: dt.date | None = None) -> list[str]:
    """Return the ISO3 codes of the allies: all of them today, or those that were members in a year or on a date.

    An ally counts in ``year`` from the calendar year of its accession on, as
    NATO's aggregates do (see ``aggregates.csv``); ``on`` counts it from the
    accession date itself.

    Examples
    --------
    >>> len(members()), len(members(year=2023)), "SWE" in members(year=2023), "SWE" in members(year=2024)
    (32, 31, False, True)
    >>> "FIN" in members(on=dt.date(2023, 4, 3))
    False
    """
    if year is not None and on is not None:
        raise ArgumentError("members() takes year= or on=, not both")
    df = _countries()
    df = df[df["is_nato_ally"]]
    if year is not None or on is not None:  # a year counts every ally that joined by its last day
        df = df[df["accession_date"] <= (on or dt.date(int(year), 12, 31))]
    return sorted(df["iso3"])

"""Reference data shipped with the package: allies, aggregates, indicators, guidelines.

Each table is a small CSV file in ``natoanalysis/reference`` whose entries cite
their source; this module only reads them and answers look-ups.
"""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from importlib import resources

import pandas as pd

from .errors import UnknownCountryError, echo

_REF = "reference"


def _read_reference(name: str) -> pd.DataFrame:
    with resources.files(__package__).joinpath(_REF, name).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


def _norm(name: str) -> str:
    # Accents and case vary between publishers (Türkiye/Turkiye) and editions.
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(text.replace("*", " ").lower().split())


@functools.lru_cache(maxsize=1)
def _countries() -> pd.DataFrame:
    df = _read_reference("countries.csv")
    for col in ("is_nato_ally", "has_armed_forces"):
        df[col] = df[col].str.lower().eq("true")
    df["accession_date"] = pd.to_datetime(df["accession_date"].replace("", None)).dt.date
    return df


def countries(*, include_non_allies: bool = False) -> pd.DataFrame:
    """Return the ally registry.

    Parameters
    ----------
    include_non_allies : bool, default False
        Also return the comparator countries used with SIPRI data (Russia,
        Ukraine, China).

    Returns
    -------
    pandas.DataFrame
        One row per country: ``iso3``, ``name``, ``is_nato_ally``,
        ``accession_date``, ``has_armed_forces``, ``nato_names``,
        ``sipri_names``, ``aliases`` (``;``-separated) and ``source``.

    Examples
    --------
    >>> reg = countries()
    >>> len(reg)
    32
    >>> reg.set_index("iso3").loc["FIN", "accession_date"]
    datetime.date(2023, 4, 4)
    """
    df = _countries()
    if not include_non_allies:
        df = df[df["is_nato_ally"]]
    return df.reset_index(drop=True).copy()


@functools.lru_cache(maxsize=1)
def aggregates() -> pd.DataFrame:
    """Return the published aggregates (NATO Europe and Canada, NATO Total) and their rules.

    Examples
    --------
    >>> aggregates()["code"].tolist()
    ['NATO_EUROPE_CANADA', 'NATO_TOTAL']
    """
    return _read_reference("aggregates.csv")


@functools.lru_cache(maxsize=1)
def indicators() -> pd.DataFrame:
    """Return the indicator vocabulary with units and descriptions.

    Examples
    --------
    >>> indicators().set_index("indicator").loc["share_gdp_pct", "unit"]
    'percent of GDP'
    """
    return _read_reference("indicators.csv")


@functools.lru_cache(maxsize=1)
def guidelines() -> pd.DataFrame:
    """Return the spending guidelines with the summit that set each.

    Examples
    --------
    >>> g = guidelines().set_index("guideline")
    >>> float(g.loc["nato_2pct", "threshold_pct"]), g.loc["nato_2pct", "summit"]
    (2.0, 'Wales Summit')
    """
    df = _read_reference("guidelines.csv")
    df["threshold_pct"] = df["threshold_pct"].astype(float)
    df["target_year"] = df["target_year"].astype(int)
    return df


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
    agg = aggregates()
    for _, row in agg.iterrows():
        for alias in [row["code"], row["name"], *row["nato_names"].split(";")]:
            index[_norm(alias)] = row["code"]
    return index


def lookup(name: str, *, publisher: str = "any") -> str:
    """Return the ISO3 (or aggregate) code for a country name, alias or code.

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
    code = _name_index(publisher).get(_norm(name))
    if code is None:
        known = sorted(_countries()["name"])
        raise UnknownCountryError(
            f"unknown country {name!r}; the registry knows {', '.join(known)} "
            "and the aggregates NATO Europe and Canada, NATO Total"
        )
    return code


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
    agg = aggregates().set_index("code")
    if code in agg.index:
        return agg.at[code, "name"]
    raise UnknownCountryError(f"unknown country code {code!r}; accepted: ISO3 codes of {', '.join(df.index)}")


def validate_country(code: str, *, include_non_allies: bool = False) -> str:
    """Return ``code`` upper-cased if it is a known ally ISO3 code, else raise ValueError.

    With ``include_non_allies=True`` the comparator countries of the registry
    (Russia, Ukraine, China) are accepted too.

    Examples
    --------
    >>> validate_country("pol")
    'POL'
    >>> validate_country("RUS")
    Traceback (most recent call last):
    ...
    natoanalysis.errors.UnknownCountryError: RUS is not a NATO ally (Russia); accepted ISO3 codes: ALB, ...
    >>> validate_country("rus", include_non_allies=True)
    'RUS'
    """
    if not isinstance(code, str):
        raise UnknownCountryError(f"country must be an ISO3 code string, got {echo(code)}")
    allies = _countries() if include_non_allies else _countries()[_countries()["is_nato_ally"]]
    up = code.strip().upper()
    if up not in set(allies["iso3"]):
        known = _countries().set_index("iso3")["name"]
        if up in known.index:
            raise UnknownCountryError(f"{up} is not a NATO ally ({known[up]}); accepted ISO3 codes: "
                                      f"{', '.join(sorted(allies['iso3']))}")
        raise UnknownCountryError(
            f"unknown country {echo(code)}; accepted ISO3 codes: {', '.join(sorted(allies['iso3']))}"
        )
    return up


def members(*, year: int | None = None, on: dt.date | None = None, exclude: tuple[str, ...] = ()) -> list[str]:
    """Return the ISO3 codes of the allies that were members in a year or on a date.

    An ally counts in ``year`` from the calendar year of its accession on, as
    NATO's aggregates do (see ``aggregates.csv``); ``on`` counts it from the
    accession date itself.

    Examples
    --------
    >>> len(members(year=2023)), "SWE" in members(year=2023), "SWE" in members(year=2024)
    (31, False, True)
    >>> "FIN" in members(on=dt.date(2023, 4, 3))
    False
    """
    if (year is None) == (on is None):
        raise ValueError("members() takes exactly one of year= or on=")
    df = _countries()
    df = df[df["is_nato_ally"]]
    if year is not None:
        mask = df["accession_date"].map(lambda d: d.year <= year)
    else:
        mask = df["accession_date"].map(lambda d: d <= on)
    return sorted(c for c in df.loc[mask, "iso3"] if c not in exclude)

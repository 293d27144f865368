"""The reference files shipped with the package, read in one place.

Each file here is a small table whose entries cite their source: allies and
their names (``countries.csv``), NATO's aggregates, the indicators and
their units, the guidelines and the summits that set them, the known
editions, currency changes, series breaks, SIPRI's markers and regions, the
publishers' pages, the data-quality whitelist, column labels and the claims
registry. :func:`read` returns a fresh copy every time, so no caller can
change what another one reads.

Examples
--------
>>> read("guidelines.csv")["guideline"].tolist()[:2]
['nato_2pct', 'nato_equipment_20pct']
"""

from __future__ import annotations

import csv
import functools
import json
from importlib import resources
from pathlib import Path

import pandas as pd

from ..errors import ArgumentError


@functools.lru_cache(maxsize=None)
def _table(name: str) -> pd.DataFrame:
    with resources.files(__package__).joinpath(name).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


@functools.lru_cache(maxsize=None)
def records(name: str) -> tuple[dict[str, str], ...]:
    """A reference CSV file as rows of text, without pandas: for what ``load()`` reads on its fast path.

    Examples
    --------
    >>> records("editions.csv")[0]["edition"]
    '2024-06'
    """
    # Beside this module, not through importlib.resources, whose first use imports its readers (about 1 ms); the
    # package is read from folders anyway (config's bundled data)
    with open(Path(__file__).with_name(name), encoding="utf-8", newline="") as fh:
        return tuple(dict(row) for row in csv.DictReader(fh))


def read(name: str) -> pd.DataFrame:
    """A reference CSV file as text columns (empty cells are ``""``), a copy of the cached table.

    Raises
    ------
    FileNotFoundError
        For a name that is not a reference file.
    """
    return _table(name).copy()


@functools.lru_cache(maxsize=None)
def _text(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def read_json(name: str) -> object:
    """A reference JSON file, parsed afresh (a new object for every caller).

    Examples
    --------
    >>> read_json("claims.json")["claims"][0]["id"]
    'allies-2pct-2014'
    """
    return json.loads(_text(name))


def guidelines() -> pd.DataFrame:
    """The spending guidelines with the summit that set each (``guidelines.csv``).

    Examples
    --------
    >>> g = guidelines().set_index("guideline")
    >>> float(g.loc["nato_2pct", "threshold_pct"]), g.loc["nato_2pct", "summit"]
    (2.0, 'Wales Summit')
    """
    df = read("guidelines.csv")
    df["threshold_pct"] = df["threshold_pct"].astype(float)
    df["target_year"] = df["target_year"].astype(int)
    return df


def guideline(name: str) -> float:
    """The threshold of one guideline, percent.

    Examples
    --------
    >>> guideline("nato_equipment_20pct"), guideline("hague_core_3_5pct")
    (20.0, 3.5)
    """
    g = guidelines().set_index("guideline")
    if name not in g.index:
        raise ArgumentError(f"unknown guideline {name!r}; accepted: {', '.join(g.index)}")
    return float(g.at[name, "threshold_pct"])


def indicators() -> pd.DataFrame:
    """The indicator vocabulary with labels, units, decimals and descriptions (``indicators.csv``).

    Examples
    --------
    >>> indicators().set_index("indicator").loc["share_gdp_pct", "unit"]
    'percent of GDP'
    """
    return read("indicators.csv")


def aggregates() -> pd.DataFrame:
    """NATO's published aggregates and the membership rule they follow (``aggregates.csv``).

    Examples
    --------
    >>> aggregates()["code"].tolist()
    ['NATO_EUROPE_CANADA', 'NATO_TOTAL']
    """
    return read("aggregates.csv")


def currency_changes() -> pd.DataFrame:
    """Allies that changed currency within NATO's tables, with the year the new one took effect.

    Examples
    --------
    >>> row = currency_changes().set_index("country").loc["HRV"]
    >>> row["new_currency"], int(row["year"])
    ('Euros', 2023)
    """
    df = read("currency_changes.csv")
    df["year"] = df["year"].astype(int)
    return df


def series_breaks() -> pd.DataFrame:
    """Documented level breaks in published series (``series_breaks.csv``).

    A break year's change from the year before is a change of definition,
    not growth, so trend and volatility estimates leave it out.

    Examples
    --------
    >>> series_breaks()[["country", "indicator", "year"]].values.tolist()
    [['LUX', 'gdp_usd', 2023]]
    """
    df = read("series_breaks.csv")
    df["year"] = df["year"].astype(int)
    return df

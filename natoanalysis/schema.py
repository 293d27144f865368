"""The tidy schema every source is cleaned into.

One row per published number. ``base_year`` is nullable (only constant prices
have one); ``currency`` is set for national-currency series only. A figure the
publisher did not give is a row too: ``value`` is NaN and ``missing_reason``
says why (NATO: ``"not_published"`` for a blank cell, ``"not_available"`` for
``..``, ``"nil"`` for ``-``; SIPRI: ``"not_available"``, ``"did_not_exist"``);
it is ``""`` for every number. ``definition`` is what the edition measures
(``"defence expenditure (NATO definition)"``, ``"core defence expenditure"``
from NATO's 2026 tables, SIPRI's ``"military expenditure (SIPRI definition)"``).
"""

from __future__ import annotations

import pandas as pd

COLUMNS: dict[str, str] = {
    "source": "string",
    "edition": "string",
    "definition": "string",
    "country": "string",
    "country_name": "string",
    "is_aggregate": "bool",
    "year": "int64",
    "indicator": "string",
    "value": "float64",
    "missing_reason": "string",
    "unit": "string",
    "currency": "string",
    "price_basis": "string",
    "base_year": "Int64",
    "is_estimate": "bool",
    "note_marker": "string",
    "table": "string",
    "source_sheet": "string",
    "source_cell": "string",
}

#: Columns that identify one published number.
KEY = ["source", "edition", "country", "year", "indicator", "price_basis"]

#: Why ``value`` is NaN: the publishers' marks for a figure not given (``""`` for a number).
MISSING_REASONS = {"not_published": "NATO left the cell blank", "not_available": "NATO's '..' or SIPRI's '...'",
                   "nil": "NATO's '-'", "did_not_exist": "SIPRI's 'xxx': the country did not exist"}


def conform(df: pd.DataFrame, *, extra: dict[str, str] | None = None) -> pd.DataFrame:
    """Order and type columns as the schema says; extra source-specific columns follow.

    Examples
    --------
    >>> conform(pd.DataFrame(columns=list(COLUMNS))).dtypes["year"]
    dtype('int64')
    """
    spec = dict(COLUMNS, **(extra or {}))
    missing = [c for c in spec if c not in df.columns]
    if missing:
        raise ValueError(f"tidy table lacks columns {missing}")
    out = df[list(spec)].astype(spec)
    return out.sort_values(KEY, kind="stable").reset_index(drop=True)

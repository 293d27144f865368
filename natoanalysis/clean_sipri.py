"""Clean stage for SIPRI: the cell model of one release -> the tidy table.

Same schema as NATO plus three columns: ``is_uncertain`` (figure printed in
red), ``missing_reason`` (``""``, ``"not_available"`` or ``"did_not_exist"``;
the value is NaN when set) and ``fiscal_year`` (the financial-year period of
``defence_exp_ncu_fy`` rows, e.g. ``"Apr-Mar"``) and ``sipri_region`` (code of
the SIPRI sub-region a country is listed under, or of the region a regional
total belongs to; see ``reference/sipri_regions.csv``).

SIPRI's definition of military expenditure differs from NATO's: the two
sources share indicator names so that they can be set side by side
(:func:`natoanalysis.compare_sources`), never summed or spliced.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import registry, schema
from .errors import ValidationError
from .layouts import sipri as sipri_layout
from .workbook import Workbook

EXTRA_COLUMNS = {"is_uncertain": "bool", "fiscal_year": "string",
                 "sipri_region": "string"}

#: Constant (base-year) and current US$ must agree in the base year; SIPRI's two sheets differ in the last bits.
BASE_YEAR_RTOL = 1e-9


def tidy_sipri(workbook: Workbook, *, edition: str, run_checks: bool = True, strict: bool = False) -> pd.DataFrame:
    """Turn a SIPRI workbook (xlsx or transcription) into the tidy table.

    Parameters
    ----------
    workbook : Workbook
        Cells of the official workbook, with font colours.
    edition : str
        SIPRI release ``"YYYY-MM"``.
    run_checks : bool, default True
        Check that constant and current US$ agree in the base year.
    strict : bool, default False
        Accepted for the same signature as NATO's; SIPRI's one check always raises.

    Raises
    ------
    LayoutError
        The workbook is not laid out as expected.
    ValidationError
        Duplicate keys, or a consistency check fails.
    """
    parsed = sipri_layout.parse(workbook)
    df = pd.DataFrame.from_records(parsed.records)
    df["source"] = "sipri"
    df["edition"] = edition
    df["definition"] = sipri_layout.DEFINITION
    reg = registry.countries(include_non_allies=True)
    names = dict(zip(reg["iso3"], reg["name"]))
    names.update({code: name for code, name, _ in sipri_layout.regions().values()})
    df["country_name"] = df["country"].map(names)
    df["is_aggregate"] = df["country"].str.startswith("SIPRI_")
    tidy = schema.conform(df, extra=EXTRA_COLUMNS)
    dup = tidy.duplicated(schema.KEY, keep=False)
    if dup.any():
        raise ValidationError(f"duplicate keys in the SIPRI tidy table: "
                              f"{tidy.loc[dup, schema.KEY].head().to_dict('records')}")
    if run_checks:
        check_base_year(tidy)
    tidy.attrs["findings"] = None
    tidy.attrs["quirks"] = []
    tidy.attrs["notes"] = {**parsed.notes, **{f"not kept ({k})": v for k, v in parsed.not_kept.items()}}
    return tidy


def check_base_year(tidy: pd.DataFrame) -> None:
    """Raise ValidationError if constant and current US$ differ in the constant series' base year."""
    usd = tidy[(tidy["indicator"] == "defence_exp_usd") & ~tidy["is_aggregate"]]
    const = usd[usd["price_basis"] == "constant"]
    base = const[const["year"] == const["base_year"]]
    cur = usd[usd["price_basis"] == "current"]
    merged = base.merge(cur, on=["country", "year"], suffixes=("_const", "_cur"))
    both = merged.dropna(subset=["value_const", "value_cur"])
    bad = ~np.isclose(both["value_const"], both["value_cur"], rtol=BASE_YEAR_RTOL, atol=0)
    if bad.any():
        row = both[bad].iloc[0]
        raise ValidationError(
            f"SIPRI {row['country']} {row['year']}: constant ({row['base_year_const']}) US$ "
            f"{row['value_const']} ({row['source_cell_const']}) differs from current US$ {row['value_cur']} "
            f"({row['source_cell_cur']}) in the base year")

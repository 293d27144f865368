"""Clean stage: the cell model of one edition -> the tidy table.

Repeated figures (Table 4 repeats Tables 2 and 3) are checked against the
original and kept once. Consistency checks run in :mod:`natoanalysis.checks`.
"""

from __future__ import annotations

import pandas as pd

from . import checks, registry, schema
from .errors import ValidationError
from .layouts import nato as nato_layout
from .workbook import Workbook

REPEAT_RTOL = 1e-9


def tidy_nato(workbook: Workbook, *, edition: str, run_checks: bool = True) -> pd.DataFrame:
    """Turn a NATO workbook (xlsx or transcription) into the tidy table.

    Parameters
    ----------
    workbook : Workbook
        Cells of the official workbook.
    edition : str
        ``"YYYY-MM"``.
    run_checks : bool, default True
        Run the consistency checks and raise on any failure not on the whitelist.

    Raises
    ------
    LayoutError
        The workbook is not laid out as expected.
    ValidationError
        A repeated figure disagrees with its original, or a consistency check fails.
    """
    parsed = nato_layout.parse(workbook, edition=edition)
    df = pd.DataFrame.from_records(parsed.records)
    df = _drop_repeats(df)
    df["source"] = "nato"
    df["edition"] = edition
    names = {**dict(zip(registry.countries()["iso3"], registry.countries()["name"])),
             **dict(zip(registry.aggregates()["code"], registry.aggregates()["name"]))}
    df["country_name"] = df["country"].map(names)
    df["is_aggregate"] = df["country"].isin(set(registry.aggregates()["code"]))
    tidy = schema.conform(df)
    dup = tidy.duplicated(schema.KEY, keep=False)
    if dup.any():
        raise ValidationError(f"duplicate keys in the tidy table: {tidy.loc[dup, schema.KEY].head().to_dict('records')}")
    if run_checks:
        checks.assert_consistent(tidy, notes=parsed.notes)
    tidy.attrs["quirks"] = parsed.quirks
    tidy.attrs["notes"] = parsed.notes
    return tidy


def _drop_repeats(df: pd.DataFrame) -> pd.DataFrame:
    key = ["country", "year", "indicator", "price_basis"]
    originals = df[~df["is_repeat"]]
    repeats = df[df["is_repeat"]]
    merged = repeats.merge(originals[key + ["value", "source_sheet", "source_cell"]], on=key, how="left",
                           suffixes=("", "_orig"))
    orphan = merged["value_orig"].isna()
    if orphan.any():
        row = merged[orphan].iloc[0]
        raise ValidationError(f"{row['source_sheet']}!{row['source_cell']} repeats {row['indicator']} "
                              f"{row['country']} {row['year']}, which no other table publishes")
    bad = ((merged["value"] - merged["value_orig"]).abs() > REPEAT_RTOL * merged["value_orig"].abs().clip(lower=1))
    if bad.any():
        row = merged[bad].iloc[0]
        raise ValidationError(
            f"{row['source_sheet']}!{row['source_cell']} = {row['value']} repeats "
            f"{row['source_sheet_orig']}!{row['source_cell_orig']} = {row['value_orig']} but disagrees")
    return originals.drop(columns="is_repeat").reset_index(drop=True)

"""Clean stage: the cell model of one edition -> the tidy table, with its findings.

Repeated figures (Table 4 repeats Tables 2 and 3) are compared with the
original and kept once. Consistency and plausibility rules run in
:mod:`natoanalysis.checks`; their findings travel with the table
(``tidy.attrs["findings"]``) and stop it only under ``strict=True``.
"""

from __future__ import annotations

import pandas as pd

from . import checks, registry, schema
from .errors import ValidationError
from .layouts import nato as nato_layout
from .workbook import Workbook

REPEAT_RTOL = 1e-9


def tidy_nato(workbook: Workbook, *, edition: str, run_checks: bool = True, strict: bool = False) -> pd.DataFrame:
    """Turn a NATO workbook (xlsx or transcription) into the tidy table.

    Parameters
    ----------
    workbook : Workbook
        Cells of the official workbook.
    edition : str
        ``"YYYY-MM"``.
    run_checks : bool, default True
        Run the consistency and plausibility rules; their findings (whitelist
        applied) are in ``attrs["findings"]``.
    strict : bool, default False
        Raise :class:`~natoanalysis.errors.ValidationError` on any finding not
        on the whitelist, for pipelines that want a publisher's anomaly to stop them.

    Raises
    ------
    LayoutError
        The workbook is not laid out as expected (a structural fault).
    ValidationError
        A repeated figure names no original, keys repeat, or (``strict``) a
        finding is not on the whitelist.
    """
    parsed = nato_layout.parse(workbook, edition=edition)
    df = pd.DataFrame.from_records(parsed.records)
    df, disagreements = _drop_repeats(df, edition=edition)
    df["source"] = "nato"
    df["edition"] = edition
    df["definition"] = parsed.definition
    names = {**dict(zip(registry.countries()["iso3"], registry.countries()["name"])),
             **dict(zip(registry.aggregates()["code"], registry.aggregates()["name"]))}
    df["country_name"] = df["country"].map(names)
    df["is_aggregate"] = df["country"].isin(set(registry.aggregates()["code"]))
    tidy = schema.conform(df)
    dup = tidy.duplicated(schema.KEY, keep=False)
    if dup.any():
        raise ValidationError(f"duplicate keys in the tidy table: {tidy.loc[dup, schema.KEY].head().to_dict('records')}")
    found = None
    if run_checks:
        found = checks.findings(tidy, notes=parsed.notes, quirks=parsed.quirks)
        if len(disagreements):
            found = pd.concat([found, checks.mark_whitelisted(disagreements)], ignore_index=True)
        bad = found[~found["is_whitelisted"]]
        if strict and len(bad):
            raise ValidationError(f"{len(bad)} finding(s) not on the whitelist (strict):\n"
                                  + checks.summary(found, limit=10))
    tidy.attrs["quirks"] = parsed.quirks
    tidy.attrs["notes"] = parsed.notes
    tidy.attrs["findings"] = found
    return tidy


def _drop_repeats(df: pd.DataFrame, *, edition: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The table without its repeats, and a finding for each repeat that disagrees with its original."""
    key = ["country", "year", "indicator", "price_basis"]
    originals = df[~df["is_repeat"]]
    repeats = df[df["is_repeat"]]
    merged = repeats.merge(originals[key + ["value", "missing_reason", "source_sheet", "source_cell"]], on=key,
                           how="left", suffixes=("", "_orig"), indicator=True)
    orphan = merged["_merge"] == "left_only"
    if orphan.any():
        row = merged[orphan].iloc[0]
        raise ValidationError(f"{row['source_sheet']}!{row['source_cell']} repeats {row['indicator']} "
                              f"{row['country']} {row['year']}, which no other table publishes")
    both_missing = merged["value"].isna() & merged["value_orig"].isna()
    bad = ~both_missing & ~((merged["value"] - merged["value_orig"]).abs()
                           <= REPEAT_RTOL * merged["value_orig"].abs().clip(lower=1))
    rows = [{"rule": "repeat_agrees", "source": "nato", "edition": edition, "country": r["country"],
             "year": int(r["year"]), "indicator": r["indicator"], "published": r["value"],
             "expected": r["value_orig"],
             "detail": f"{r['source_sheet']}!{r['source_cell']} = {r['value']} repeats "
                       f"{r['source_sheet_orig']}!{r['source_cell_orig']} = {r['value_orig']} but disagrees"}
            for _, r in merged[bad].iterrows()]
    found = pd.DataFrame(rows, columns=checks.FINDING_COLUMNS).astype({"published": float, "expected": float})
    return originals.drop(columns="is_repeat").reset_index(drop=True), found

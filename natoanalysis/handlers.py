"""One entry per data source: how to read its workbook and tidy it.

Ingest, clean and load look the source up here, so adding a publisher means
adding one entry, not another branch in each stage.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

import pandas as pd

from .workbook import Workbook


@dataclasses.dataclass(frozen=True)
class Handler:
    source: str
    tidy: Callable[..., pd.DataFrame]  # tidy(workbook, edition=..., run_checks=..., strict=...)
    scan: Callable[[Workbook], dict]  # what the workbook covers, before its edition is known
    with_font_color: bool = False


def _nato_tidy(workbook: Workbook, *, edition: str, run_checks: bool = True, strict: bool = False) -> pd.DataFrame:
    from .clean import tidy_nato
    return tidy_nato(workbook, edition=edition, run_checks=run_checks, strict=strict)


def _nato_scan(workbook: Workbook) -> dict:
    from .layouts.nato import scan
    sig = scan(workbook)
    return {"definition": sig.definition, "first_year": sig.first_year, "last_year": sig.last_year,
            "estimate_years": list(sig.estimate_years), "base_year": sig.base_year}


def _sipri_tidy(workbook: Workbook, *, edition: str, run_checks: bool = True, strict: bool = False) -> pd.DataFrame:
    from .clean_sipri import tidy_sipri
    return tidy_sipri(workbook, edition=edition, run_checks=run_checks, strict=strict)


def _sipri_scan(workbook: Workbook) -> dict:
    from .layouts.sipri import scan
    return scan(workbook)


HANDLERS: dict[str, Handler] = {
    "nato": Handler("nato", _nato_tidy, _nato_scan),
    # SIPRI encodes estimates (blue) and uncertain figures (red) in the font colour.
    "sipri": Handler("sipri", _sipri_tidy, _sipri_scan, with_font_color=True),
}


def get(source: str) -> Handler:
    """Handler of a source, or ValueError naming the accepted sources."""
    try:
        return HANDLERS[source]
    except (KeyError, TypeError):
        raise ValueError(f"unknown source {source!r}; accepted: {', '.join(sorted(HANDLERS))}") from None

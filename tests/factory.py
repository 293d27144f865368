"""Build test workbooks: write a cell model back to .xlsx, and mutate cell models."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import openpyxl

from natoanalysis.extract.cells import Cell, Sheet, Workbook


def write_xlsx(workbook: Workbook, path: Path) -> Path:
    """Write every cell of a cell model to a real .xlsx file with openpyxl."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet in workbook.sheets:
        ws = wb.create_sheet(sheet.name)
        for c in sheet.cells:
            ws.cell(row=c.row, column=c.col, value=c.value)
    wb.save(path)
    return path


def clone(workbook: Workbook) -> Workbook:
    return copy.deepcopy(workbook)


def replace_cells(sheet: Sheet, fn) -> None:
    """Apply ``fn(cell) -> Cell | None`` to every cell of a sheet (None deletes)."""
    sheet.cells = [c2 for c in sheet.cells if (c2 := fn(c)) is not None]


def set_value(cell: Cell, value, ctype: str | None = None) -> Cell:
    return dataclasses.replace(cell, value=value, type=ctype or ("n" if isinstance(value, (int, float)) else "s"))


def find(sheet: Sheet, value) -> Cell:
    return next(c for c in sheet.cells if c.value == value)

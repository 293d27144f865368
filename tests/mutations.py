"""A seeded mutation harness over the real NATO workbook's cell model.

Each mutation returns a changed copy of the workbook and whether the change is
harmless (the reader must then give exactly the original values) or harmful
(the reader must then raise a clear error). Nothing in between is acceptable.
"""

from __future__ import annotations

import dataclasses
import random
import re
from typing import Callable

from natoanalysis.extract.cells import Cell, Workbook

from .factory import clone

Mutation = Callable[[Workbook, random.Random], tuple[Workbook, bool, str]]

_YEAR = re.compile(r"^20\d\de?$")


def _data_rows(sheet) -> list[int]:
    rows = sheet.rows()
    return [r for r, cs in rows.items()
            if any(c.type == "s" and c.col <= 4 and not c.value.startswith(("Table", "Note", "*", "-"))
                   for c in cs) and sum(c.type == "n" for c in cs) >= 5]


def _pick_sheet(wb: Workbook, rng: random.Random):
    return rng.choice([s for s in wb.sheets if s.cells])


def shift_rows(wb, rng):
    new, k = clone(wb), rng.randint(1, 40)
    s = _pick_sheet(new, rng)
    s.cells = [dataclasses.replace(c, row=c.row + k) for c in s.cells]
    return new, True, f"{s.name}: all rows down by {k}"


def shift_cols(wb, rng):
    new, k = clone(wb), rng.randint(1, 10)
    s = _pick_sheet(new, rng)
    s.cells = [dataclasses.replace(c, col=c.col + k) for c in s.cells]
    return new, True, f"{s.name}: all columns right by {k}"


def rename_sheets(wb, rng):
    new = clone(wb)
    for s in new.sheets:
        s.name = f"S{rng.randint(0, 10**6)}_{s.name.lower()}"
    return new, True, "every sheet renamed"


def reorder_sheets(wb, rng):
    new = clone(wb)
    rng.shuffle(new.sheets)
    return new, True, "sheets shuffled"


def year_header_type(wb, rng):
    new = clone(wb)
    s = _pick_sheet(new, rng)

    def flip(c: Cell) -> Cell:
        if c.type == "n" and float(c.value).is_integer() and 2014 <= c.value <= 2024 and rng.random() < 0.5:
            return dataclasses.replace(c, type="s", value=str(int(c.value)))
        if c.type == "s" and re.fullmatch(r"20\d\d", str(c.value)):
            return dataclasses.replace(c, type="n", value=int(c.value))
        return c

    s.cells = [flip(c) for c in s.cells]
    return new, True, f"{s.name}: year headers flipped between text and number"


def extra_footnote(wb, rng):
    new = clone(wb)
    s = _pick_sheet(new, rng)
    last = max(c.row for c in s.cells)
    s.cells.append(Cell(last + rng.randint(1, 5), 3, "s", "Note: figures revised after the cut-off date."))
    return new, True, f"{s.name}: extra footnote row at the bottom"


def text_in_numbers(wb, rng):
    new = clone(wb)
    s = _pick_sheet(new, rng)
    rows = _data_rows(s)
    if not rows:
        return new, True, f"{s.name}: no data rows (unchanged)"
    r = rng.choice(rows)
    nums = [c for c in s.cells if c.row == r and c.type == "n"]
    target = rng.choice(nums)
    text = rng.choice(["n/a", "..", "12.5", "-", "x"])
    s.cells = [dataclasses.replace(c, type="s", value=text) if c is target else c for c in s.cells]
    return new, False, f"{s.name}!{target.ref}: number replaced by text {text!r}"


def missing_ally(wb, rng):
    new = clone(wb)
    s = _pick_sheet(new, rng)
    rows = _data_rows(s)
    if not rows:
        return new, True, f"{s.name}: no data rows (unchanged)"
    r = rng.choice(rows)
    s.cells = [c for c in s.cells if c.row != r]
    return new, False, f"{s.name}: row {r} deleted"


def duplicated_ally(wb, rng):
    new = clone(wb)
    s = _pick_sheet(new, rng)
    rows = _data_rows(s)
    if len(rows) < 2:
        return new, True, f"{s.name}: too few data rows (unchanged)"
    a, b = rng.sample(rows, 2)
    label_a = next(c for c in s.cells if c.row == a and c.type == "s")
    s.cells = [dataclasses.replace(c, value=label_a.value) if c.row == b and c.type == "s" and c.col == label_a.col
               else c for c in s.cells]
    return new, False, f"{s.name}: row {b} relabelled as row {a} ({label_a.value!r})"


def empty_sheet(wb, rng):
    new = clone(wb)
    s = _pick_sheet(new, rng)
    s.cells = []
    return new, False, f"{s.name}: emptied"


def drop_value(wb, rng):
    new = clone(wb)
    s = _pick_sheet(new, rng)
    rows = _data_rows(s)
    if not rows:
        return new, True, f"{s.name}: no data rows (unchanged)"
    r = rng.choice(rows)
    target = rng.choice([c for c in s.cells if c.row == r and c.type == "n"])
    s.cells = [c for c in s.cells if c is not target]
    return new, False, f"{s.name}!{target.ref}: value deleted"


def misalign_row(wb, rng):
    new = clone(wb)
    s = _pick_sheet(new, rng)
    rows = _data_rows(s)
    if not rows:
        return new, True, f"{s.name}: no data rows (unchanged)"
    r = rng.choice(rows)
    s.cells = [dataclasses.replace(c, col=c.col + 1) if c.row == r and c.type == "n" else c for c in s.cells]
    return new, False, f"{s.name}: values of row {r} moved one column right"


def swap_years(wb, rng):
    new = clone(wb)
    s = _pick_sheet(new, rng)
    header = [c for c in s.cells if (c.type == "n" and float(c.value).is_integer() and 2014 <= c.value <= 2024)
              or (c.type == "s" and _YEAR.match(str(c.value)))]
    rows = {c.row for c in header}
    if not rows:
        return new, True, f"{s.name}: no year header (unchanged)"
    row = max(rows, key=lambda r: sum(c.row == r for c in header))
    cells = [c for c in header if c.row == row]
    if len(cells) < 3:
        return new, True, f"{s.name}: short header (unchanged)"
    a, b = rng.sample(cells, 2)
    s.cells = [dataclasses.replace(c, value=b.value, type=b.type) if c is a else
               dataclasses.replace(c, value=a.value, type=a.type) if c is b else c for c in s.cells]
    return new, False, f"{s.name}: year headers {a.value!r} and {b.value!r} swapped"


MUTATIONS: dict[str, Mutation] = {f.__name__: f for f in [
    shift_rows, shift_cols, rename_sheets, reorder_sheets, year_header_type, extra_footnote, text_in_numbers,
    missing_ally, duplicated_ally, empty_sheet, drop_value, misalign_row, swap_years]}

"""The cell model shared by ingest and clean: a workbook as the publisher printed it.

An official workbook is read once into :class:`Workbook` (every non-empty cell
with its type and value, in sheet order). The raw transcription in
``data/raw`` is this same model written as text, so parsing a workbook and
parsing its transcription go through one code path and give one result.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import zipfile
from pathlib import Path

from .errors import WorkbookError

# Cell types follow openpyxl's data_type codes: n number, s string, e error, b bool, d date.
CELL_TYPES = ("n", "s", "e", "b", "d")


@dataclasses.dataclass(frozen=True)
class Cell:
    """One non-empty cell: 1-based ``row`` and ``col``, openpyxl type code and value."""

    row: int
    col: int
    type: str
    value: object
    font_color: str = ""

    @property
    def ref(self) -> str:
        """Excel reference such as ``"D11"``."""
        return f"{column_letter(self.col)}{self.row}"


@dataclasses.dataclass
class Sheet:
    """A worksheet: its name, visibility, hidden rows and columns, and non-empty cells."""

    name: str
    cells: list[Cell]
    state: str = "visible"
    hidden_rows: list[int] = dataclasses.field(default_factory=list)
    hidden_cols: list[int] = dataclasses.field(default_factory=list)

    def rows(self) -> dict[int, list[Cell]]:
        """Cells grouped by row number, each row sorted by column."""
        out: dict[int, list[Cell]] = {}
        for cell in self.cells:
            out.setdefault(cell.row, []).append(cell)
        return {r: sorted(cs, key=lambda c: c.col) for r, cs in sorted(out.items())}


@dataclasses.dataclass
class Workbook:
    """Sheets in workbook order plus document properties."""

    sheets: list[Sheet]
    properties: dict[str, str] = dataclasses.field(default_factory=dict)

    def sheet(self, name: str) -> Sheet:
        for s in self.sheets:
            if s.name == name:
                return s
        raise KeyError(name)


def column_letter(col: int) -> str:
    """Excel column letters for a 1-based index.

    Examples
    --------
    >>> column_letter(1), column_letter(4), column_letter(28)
    ('A', 'D', 'AB')
    """
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """1-based index of Excel column letters.

    Examples
    --------
    >>> column_index("AB")
    28
    """
    idx = 0
    for ch in letters:
        idx = idx * 26 + ord(ch.upper()) - 64
    return idx


def _font_rgb(cell) -> str:
    color = cell.font.color if cell.font is not None else None
    if color is None:
        return ""
    if color.type == "rgb" and isinstance(color.rgb, str):
        return color.rgb.upper()
    if color.type == "theme":
        return f"theme:{color.theme}"
    if color.type == "indexed":
        return f"indexed:{color.indexed}"
    return ""


def read_xlsx(path: str | Path, *, with_font_color: bool = False) -> Workbook:
    """Read every non-empty cell of an ``.xlsx`` workbook.

    Formulas are read as the values the publisher's Excel saved, which is what a
    reader of the published file sees.

    Parameters
    ----------
    path : path-like
        The workbook.
    with_font_color : bool, default False
        Keep each cell's font colour (SIPRI encodes estimates in colour).

    Raises
    ------
    WorkbookError
        If the file is missing, is not an xlsx workbook, or is truncated.
    """
    import openpyxl  # deferred: only ingest and read_workbook need it

    path = Path(path)
    if not path.is_file():
        raise WorkbookError(f"workbook {path} does not exist")
    if not zipfile.is_zipfile(path):
        raise WorkbookError(
            f"{path} is not an Excel .xlsx workbook (not a zip container; truncated or another format); "
            "accepted: the .xlsx tables as published"
        )
    try:
        wb = openpyxl.load_workbook(path, data_only=True, read_only=False)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise WorkbookError(f"{path} could not be read as an .xlsx workbook: {exc}") from exc
    sheets = []
    for ws in wb.worksheets:
        cells = []
        for row in ws.iter_rows():
            for c in row:
                value = c.value
                if value is None or (isinstance(value, str) and value == ""):
                    continue
                ctype = c.data_type
                if isinstance(value, bool):
                    ctype = "b"
                elif isinstance(value, (dt.datetime, dt.date)):
                    ctype, value = "d", value.isoformat()
                elif isinstance(value, (int, float)):
                    ctype = "n"
                elif ctype not in ("e",):
                    ctype, value = "s", str(value)
                cells.append(Cell(c.row, c.column, ctype, value, _font_rgb(c) if with_font_color else ""))
        sheets.append(Sheet(
            name=ws.title,
            cells=cells,
            state=ws.sheet_state,
            hidden_rows=sorted(int(k) for k, d in ws.row_dimensions.items() if d.hidden),
            hidden_cols=sorted(column_index(k) for k, d in ws.column_dimensions.items() if d.hidden),
        ))
    props = {}
    for key in ("creator", "lastModifiedBy", "created", "modified", "title"):
        val = getattr(wb.properties, key, None)
        if val is not None:
            props[key] = val.isoformat() if hasattr(val, "isoformat") else str(val)
    return Workbook(sheets=sheets, properties=props)

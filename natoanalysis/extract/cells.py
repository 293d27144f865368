"""The cell model shared by ingest and clean: a workbook as the publisher printed it.

An official workbook is read once into :class:`Workbook` (every non-empty cell
with its type and value, in sheet order). The raw transcription in
``data/raw`` is this same model written as text, so parsing a workbook and
parsing its transcription go through one code path and give one result.

The reader is bounded. A workbook is a zip of XML files, and both layers can
ask for far more than the file's size: a sheet that names only A1 and
XFD1048576 spans 17 billion cells, a few megabytes of zip inflate to
gigabytes, an XML entity can expand into gigabytes. So :func:`read_xlsx` first
streams every XML part once with the standard library's zipfile and
defusedxml (a document type declaration is refused there), counting bytes,
elements, rows, cells and how far the cells reach against the limits below;
only a workbook inside all of them is handed to openpyxl's public
``load_workbook``, which reads it with defusedxml too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import warnings
import zipfile
import zlib
from pathlib import Path
from xml.etree.ElementTree import ParseError

import openpyxl
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from openpyxl.cell.cell import MergedCell
from openpyxl.reader.excel import SUPPORTED_FORMATS as SUFFIXES  # endings openpyxl reads (.xls, .xlsb: other formats)
from openpyxl.utils.cell import column_index_from_string as column_index  # column_index("AB") == 28
from openpyxl.utils.cell import get_column_letter as column_letter  # 1-based: column_letter(28) == 'AB'
from openpyxl.utils.cell import range_boundaries

from ..errors import WorkbookError

# ---------------------------------------------------------------------------
# Limits. Each is at least ten times what the editions seen use (NATO 2024-06: a
# 206 KB file, 50 zip members inflating to 0.9 MB, members compressed at most 16
# to 1, 9 sheets of under 100 rows and 46 columns, 21,000 <c> elements; SIPRI
# 2025-04: 872 KB, 21 members inflating to 3.6 MB, 10 sheets of under 202 rows and
# 80 columns, 96,000 <c> elements), and low enough that a workbook at one of them
# is read in well under 1.5 GB.
# ---------------------------------------------------------------------------

#: File size: 19x SIPRI's 872 KB. Also bounds the zip directory zipfile reads whole.
MAX_FILE_BYTES = 16 * 2**20
#: Zip members: 20x NATO's 50 (one per sheet, rels, styles, printer settings...).
MAX_ZIP_MEMBERS = 1_000
#: Total inflated size the members declare: 70x SIPRI's 3.6 MB. This is what stops a zip bomb (4 MB
#: of zip holding 4 GiB): zipfile inflates no member past its declared size (it fails the CRC check).
MAX_UNCOMPRESSED_BYTES = 256 * 2**20
#: Inflated size of one non-sheet part (workbook, styles, shared strings, rels,
#: properties), which openpyxl parses whole into a tree: 190x NATO's largest
#: (workbook.xml, 88 KB), and a bound on the memory those trees take.
MAX_PART_BYTES = 16 * 2**20
#: Sheets in workbook.xml: 10x SIPRI's 10.
MAX_SHEETS = 100
#: <c> elements in all sheets together, empty ones included: 10x SIPRI's 96,000.
MAX_CELLS = 1_000_000
#: XML elements in all parts together (cells, values, strings, formats, column and merge
#: definitions...), the one bound on the objects openpyxl builds from them: 10x SIPRI's ~250,000.
MAX_ELEMENTS = 3_000_000
#: <row> elements in one sheet: 50x SIPRI's 200.
MAX_ROWS = 10_000
#: Elements inside one <row>, which openpyxl holds until the row ends: 50 per allowed cell.
MAX_ROW_ELEMENTS = 50_000
#: Highest row number of a row or cell: 500x SIPRI's 201.
MAX_ROW_INDEX = 100_000
#: Highest column number of a cell: 12x SIPRI's 80 (column CB); SIPRI adds one column a year.
MAX_COL_INDEX = 1_000
#: Cells the merged ranges of one sheet cover (openpyxl makes an object of each): 1,000x NATO's 99 (TABLE8b).
MAX_MERGED_CELLS = 100_000

#: What the reader accepts, for the error messages.
ACCEPTED = "accepted: an Excel .xlsx workbook as the publisher published it"

_REF_RE = re.compile(r"([A-Za-z]{1,3})(\d+)$")


@dataclasses.dataclass(frozen=True)
class Cell:
    """One non-empty cell: 1-based ``row`` and ``col``, openpyxl's type code (n, s, e, b, d) and value."""

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
        for cell in sorted(self.cells, key=lambda c: (c.row, c.col)):
            out.setdefault(cell.row, []).append(cell)
        return out


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


def _font_color_code(font) -> str:
    """The transcription's code for a font colour: ``"FF0000FF"``, ``"theme:1"``, ``"indexed:12"`` or ``""``."""
    color = font.color if font is not None else None
    if color is None or color.type not in ("rgb", "theme", "indexed"):
        return ""
    if color.type == "rgb":
        return color.rgb.upper() if isinstance(color.rgb, str) else ""
    return f"{color.type}:{color.value}"  # Color.value is the attribute its type names: theme 1, indexed 12


def _refuse(path: Path, what: str) -> WorkbookError:
    return WorkbookError(f"{path}: {what}; refused")


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


# ---------------------------------------------------------------------------
# Bounding the input: the zip, then every XML part streamed once, before openpyxl sees it.
# ---------------------------------------------------------------------------

class _Scan:
    """Counts over every XML part of one workbook, each checked against its limit as it grows.

    A part whose root is a ``<worksheet>``, wherever it lies, is a sheet: its
    rows, cells and how far they reach are counted as openpyxl numbers them (a
    row or cell without an ``r`` reference follows the previous one). Any other
    part is parsed whole by openpyxl, and held to MAX_PART_BYTES.
    """

    def __init__(self, path: Path):
        self.path = path
        self.elements = self.cells = self.sheets = 0

    def refuse(self, what: str) -> WorkbookError:
        return _refuse(self.path, f"{'sheet part' if self.is_sheet else 'part'} {self.name} {what}")

    def part(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        """Stream one XML part through defusedxml (no DTD), counting what openpyxl would build from it."""
        self.name, self.size, self.is_sheet = info.filename, info.file_size, None
        self.rows = self.row = self.col = self.in_row = self.merged = 0
        try:
            with zf.open(info) as fh:
                open_elements = []
                for event, elem in iterparse(fh, events=("start", "end"), forbid_dtd=True):
                    tag = elem.tag.rpartition("}")[2]
                    if event == "start":
                        open_elements.append(elem)
                        self._start(tag, elem.attrib)
                        continue
                    open_elements.pop()
                    self.in_row = 0 if tag == "row" else self.in_row
                    if open_elements:  # what has been counted is let go: memory stays at one branch
                        del open_elements[-1][-1]
        except DefusedXmlException:
            raise _refuse(self.path, f"part {self.name} has an XML document type declaration (DTD); a DTD can "
                                     "declare entities that expand a small file into gigabytes, and Excel never "
                                     "writes one") from None
        except ParseError as exc:
            raise WorkbookError(f"{self.path}: part {self.name} is not well-formed XML ({_one_line(exc)}); "
                                f"{ACCEPTED}") from None
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError) as exc:
            raise WorkbookError(f"{self.path}: part {self.name} is damaged or cannot be inflated ({_one_line(exc)}); "
                                f"{ACCEPTED}") from None

    def _start(self, tag: str, attrs: dict) -> None:
        if self.is_sheet is None:  # the root
            self.is_sheet = tag == "worksheet"
            if not self.is_sheet and self.size > MAX_PART_BYTES:
                raise self.refuse(f"declares {self.size:,} bytes, more than {MAX_PART_BYTES:,} (limit for one part)")
        self.elements += 1
        if self.elements > MAX_ELEMENTS:
            raise self.refuse(f"brings the workbook past {MAX_ELEMENTS:,} XML elements "
                              "(limit for a publisher's workbook)")
        if self.in_row:
            self.in_row += 1
            if self.in_row > MAX_ROW_ELEMENTS:
                raise self.refuse(f"has a row of more than {MAX_ROW_ELEMENTS:,} XML elements")
        if not self.is_sheet:
            self.sheets += tag == "sheet"
            if self.sheets > MAX_SHEETS:
                raise _refuse(self.path, f"it has more than {MAX_SHEETS:,} sheets (limit for a publisher's workbook)")
        elif tag == "row":
            self._row(attrs)
        elif tag == "c":
            self._cell(attrs)
        elif tag == "mergeCell":
            self._merge(attrs.get("ref", ""))

    def _row(self, attrs: dict) -> None:
        self.rows += 1
        if self.rows > MAX_ROWS:
            raise self.refuse(f"has more than {MAX_ROWS:,} rows (limit for a publisher's table)")
        ref = attrs.get("r", "")
        row = int(ref) if ref.isdigit() else self.row + 1
        if row <= self.row:  # Excel writes rows in order; openpyxl's streaming reader would skip this one
            raise self.refuse(f"has row {row:,} after row {self.row:,} (rows out of order)")
        self.row, self.col, self.in_row = row, 0, 1
        self._reach(self.row, 1)

    def _cell(self, attrs: dict) -> None:
        self.cells += 1
        if self.cells > MAX_CELLS:
            raise self.refuse(f"brings the workbook past {MAX_CELLS:,} cells (limit for a publisher's workbook)")
        match = _REF_RE.match(attrs.get("r", ""))
        if match:
            col, row = column_index(match.group(1)), int(match.group(2))
            if row == self.row and col < self.col:  # as for rows: in order, or a cell could go unread
                raise self.refuse(f"has cell {match.group(0)} after column {column_letter(self.col)} "
                                  "(cells out of order)")
            self.col = col
            self._reach(row, col)
        else:
            self.col += 1
            self._reach(self.row, self.col)

    def _merge(self, ref: str) -> None:
        try:
            c0, r0, c1, r1 = range_boundaries(ref)
        except (ValueError, TypeError):
            return  # openpyxl refuses it when it reads the sheet
        self.merged += (c1 - c0 + 1) * (r1 - r0 + 1)  # each range covers a cell at least: this bounds them too
        if self.merged > MAX_MERGED_CELLS:
            raise self.refuse(f"has merged ranges covering more than {MAX_MERGED_CELLS:,} cells")

    def _reach(self, row: int, col: int) -> None:
        if row > MAX_ROW_INDEX or col > MAX_COL_INDEX:
            raise self.refuse(f"has a cell at {column_letter(col)}{row}, beyond row {MAX_ROW_INDEX:,} or column "
                              f"{column_letter(MAX_COL_INDEX)} ({MAX_COL_INDEX:,}) (limit for a publisher's table)")


def _bound(path: Path) -> None:
    """Refuse, in one line, a file that is not a zip or passes a limit; inflates each part once, never whole."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _refuse(path, f"the file is {size:,} bytes, more than {MAX_FILE_BYTES:,} "
                                "(limit for a publisher's workbook)")
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ZIP_MEMBERS:
                raise _refuse(path, f"it has {len(infos):,} zip members, more than {MAX_ZIP_MEMBERS:,} "
                                    "(limit for a publisher's workbook)")
            declared = sum(i.file_size for i in infos)
            if declared > MAX_UNCOMPRESSED_BYTES:
                raise _refuse(path, f"its zip members declare {declared:,} bytes inflated, more than "
                                    f"{MAX_UNCOMPRESSED_BYTES:,} (limit for a publisher's workbook)")
            scan = _Scan(path)
            for info in infos:
                if info.filename.lower().endswith((".xml", ".rels")):
                    scan.part(zf, info)
    except zipfile.BadZipFile:
        raise WorkbookError(f"{path} is not an Excel .xlsx workbook (not a zip container; truncated or another "
                            f"format); {ACCEPTED}") from None
    except (ValueError, NotImplementedError, EOFError) as exc:
        raise WorkbookError(f"{path} is a damaged zip container ({_one_line(exc)}); {ACCEPTED}") from None
    except OSError as exc:
        raise WorkbookError(f"{path} cannot be opened ({_one_line(exc)}); {ACCEPTED}") from None


# ---------------------------------------------------------------------------
# Reading, through openpyxl's public API.
# ---------------------------------------------------------------------------

def _present(sheet) -> list[tuple[int, int]]:
    """Where a read-only sheet has values, row by row: its rows are streamed, never its bounding box.

    The sheet's own ``<dimension>`` is not trusted (a wrong one would cut
    cells off): each row then reaches its last cell, which the scan has
    checked lies within the limits, as do the rows, in order.
    """
    sheet.reset_dimensions()
    return [(cell.row, cell.column) for row in sheet.iter_rows() for cell in row if cell.value is not None]


def _cell(cell, with_font_color: bool) -> Cell | None:
    """The model's cell for an openpyxl cell, or None for an empty one (or one a merge covers)."""
    value, ctype = cell.value, cell.data_type
    if isinstance(cell, MergedCell) or value is None or (isinstance(value, str) and value == ""):
        return None
    if isinstance(value, bool):
        ctype = "b"
    elif isinstance(value, (dt.datetime, dt.date)):
        ctype, value = "d", value.isoformat()
    elif isinstance(value, (int, float)):
        ctype = "n"
    elif ctype != "e":
        ctype, value = "s", str(value)
    color = _font_color_code(cell.font) if with_font_color else ""
    return Cell(cell.row, cell.column, ctype, value, color)


def _sheet(streamed, ws, with_font_color: bool) -> Sheet:
    """One sheet: the cells the read-only pass found, as the full workbook ``ws`` holds them."""
    cells = [_cell(ws.cell(row=r, column=c), with_font_color) for r, c in sorted(set(_present(streamed)))]
    return Sheet(
        name=ws.title,
        cells=[c for c in cells if c is not None],
        state=ws.sheet_state,
        hidden_rows=sorted(int(k) for k, d in ws.row_dimensions.items() if d.hidden),
        hidden_cols=sorted(column_index(k) for k, d in ws.column_dimensions.items() if d.hidden),
    )


def _load(path: Path, with_font_color: bool) -> Workbook:
    """The bounded workbook through ``openpyxl.load_workbook``, twice: streamed to find the cells, whole for the rest.

    The read-only pass lists the cells present (a full worksheet has no public
    way to, other than its bounding box); the full pass gives what read-only
    mode does not keep (merged cells, hidden rows and columns), and each value
    exactly as openpyxl's full mode converts it. Both read the XML with
    defusedxml, which openpyxl uses when it is installed.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns of the parts it does not read (validation, ...)
        streamed = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
        try:
            whole = openpyxl.load_workbook(path, data_only=True, keep_links=False)
            sheets = [_sheet(s, ws, with_font_color) for s, ws in zip(streamed.worksheets, whole.worksheets)]
        finally:
            streamed.close()
    props = {}
    for key in ("creator", "lastModifiedBy", "created", "modified", "title"):
        val = getattr(whole.properties, key, None)
        if val is not None:
            props[key] = val.isoformat() if hasattr(val, "isoformat") else str(val)
    return Workbook(sheets=sheets, properties=props)


def read_xlsx(path: str | Path, *, with_font_color: bool = False) -> Workbook:
    """Read every non-empty cell of an ``.xlsx`` workbook, within the module's limits.

    Formulas are read as the values the publisher's Excel saved, which is what a
    reader of the published file sees. The file is first checked against the
    limits (``MAX_*`` in this module) with the standard library's zipfile and
    defusedxml, then read by ``openpyxl.load_workbook(path, data_only=True)``:
    values, types, font colours, hidden rows and columns, sheet states and
    document properties are those openpyxl gives.

    Parameters
    ----------
    path : path-like
        The workbook.
    with_font_color : bool, default False
        Keep each cell's font colour (SIPRI encodes estimates in colour).

    Returns
    -------
    Workbook
        Sheets in workbook order (chart sheets left out), each with its non-empty
        cells sorted by row and column.

    Raises
    ------
    WorkbookError
        If the path is missing, a directory or not a file, is not an xlsx
        workbook, is truncated or damaged, has an XML document type declaration
        (entity expansion), or passes one of the limits; the one-line message
        names the file and what was wrong.

    Examples
    --------
    >>> import pathlib, shutil, tempfile, openpyxl
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> book = openpyxl.Workbook()
    >>> book.active.title = "T1"
    >>> book.active["B2"], book.active["C2"] = 2.5, "2024e"
    >>> book.save(tmp / "t.xlsx")
    >>> [(c.ref, c.type, c.value) for c in read_xlsx(tmp / "t.xlsx").sheet("T1").cells]
    [('B2', 'n', 2.5), ('C2', 's', '2024e')]
    >>> read_xlsx(tmp)
    Traceback (most recent call last):
    ...
    natoanalysis.errors.WorkbookError: ... is a directory, not a workbook; accepted: an Excel .xlsx workbook ...
    >>> shutil.rmtree(tmp)
    """
    path = Path(path)
    if path.is_dir():
        raise WorkbookError(f"{path} is a directory, not a workbook; {ACCEPTED}")
    if not path.exists():
        raise WorkbookError(f"workbook {path} does not exist; {ACCEPTED}")
    if not path.is_file():  # a fifo or a device could be read forever
        raise WorkbookError(f"{path} is not a regular file; {ACCEPTED}")
    if path.suffix.lower() not in SUFFIXES:
        raise WorkbookError(f"{path} is not an Excel .xlsx workbook (its name ends in {path.suffix or 'no suffix'!r}, "
                            f"not one of {', '.join(SUFFIXES)}); {ACCEPTED}")
    _bound(path)
    try:
        return _load(path, with_font_color)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise WorkbookError(f"{path} could not be read as an .xlsx workbook ({_one_line(exc)}); {ACCEPTED}") from None

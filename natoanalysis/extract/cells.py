"""The cell model shared by ingest and clean: a workbook as the publisher printed it.

An official workbook is read once into :class:`Workbook` (every non-empty cell
with its type and value, in sheet order). The raw transcription in
``data/raw`` is this same model written as text, so parsing a workbook and
parsing its transcription go through one code path and give one result.

The reader is bounded. A workbook is a zip of XML files, and both layers can
ask for far more than the file's size: a sheet that names only A1 and
XFD1048576 spans 17 billion cells, a few megabytes of zip inflate to
gigabytes, an XML entity can expand into gigabytes. So :func:`read_xlsx`
reads only the cells present in the sheet XML, refuses any XML document type
declaration (the only place entities are declared), and counts everything it
reads against the limits below, stopping with a :class:`WorkbookError` as
soon as one is passed.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import functools
import io
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Iterator
from xml.parsers import expat

from ..errors import WorkbookError

# ---------------------------------------------------------------------------
# Limits. Each is far above any edition seen (NATO 2024-06: a 206 KB file, 50 zip
# members inflating to 0.9 MB, 9 sheets of under 100 rows and 46 columns,
# 21,000 <c> elements of which 6,208 hold a value; SIPRI 2025-04: 872 KB, 21
# members inflating to 3.6 MB, 10 sheets of under 202 rows and 80 columns, 96,000
# <c> elements of which 83,216 hold a value), and low enough that a workbook at
# one of them is read in well under 1 GB (measured: a million cells, 0.45 GB of
# process memory; a stylesheet of 200,000 elements, 0.27 GB).
# ---------------------------------------------------------------------------

#: File size: 75x SIPRI's 872 KB; publishers' tables are a few hundred KB.
MAX_FILE_BYTES = 64 * 2**20
#: Size of the zip's central directory. zipfile reads it whole, one object per
#: member, before anything else can be checked (NATO's is 5 KB for 50 members).
MAX_ZIP_DIRECTORY_BYTES = 2**20
#: Zip members: 20x NATO's 50 (one per sheet, rels, styles, printer settings...).
MAX_ZIP_MEMBERS = 1_000
#: Total inflated size of the members, declared and as counted while inflating:
#: 70x SIPRI's 3.6 MB. This is what stops a zip bomb (4 MB of zip holding 4 GiB).
MAX_UNCOMPRESSED_BYTES = 256 * 2**20
#: Inflated size of one non-sheet part (workbook, styles, shared strings, rels,
#: properties), which openpyxl parses whole into a tree: 190x NATO's largest
#: (workbook.xml, 88 KB), and a bound on the memory those trees take.
MAX_PART_BYTES = 16 * 2**20
#: XML elements in one non-sheet part: 140x NATO's largest (workbook.xml, 1,427).
MAX_PART_ELEMENTS = 200_000
#: Sheets in workbook.xml: 10x SIPRI's 10.
MAX_SHEETS = 100
#: <c> elements in all sheets together, empty ones included (each is parsed):
#: 10x SIPRI's 96,000.
MAX_CELLS = 1_000_000
#: <row> elements in one sheet: 50x SIPRI's 200; a yearly table would need
#: centuries to reach it.
MAX_ROWS = 10_000
#: Highest row number of a row or cell: 500x SIPRI's 201. Gaps are free to read
#: (only present cells are), but a downstream grid of the sheet would not be.
MAX_ROW_INDEX = 100_000
#: Highest column number of a cell: 12x SIPRI's 80 (column CB); SIPRI adds one
#: column a year. Also the most <c> elements one <row> may hold.
MAX_COL_INDEX = 1_000
#: <col> elements (column widths, hidden columns) in one sheet: Excel's own
#: column count, as each covers at least one column.
MAX_COL_RANGES = 16_384
#: Merged ranges in one sheet: 200x NATO's 5 (SIPRI has none).
MAX_MERGED_RANGES = 1_000
#: Elements inside one <row> (cells, values, inline-string runs) or one
#: <mergeCells>, held in memory until it ends: 50 per allowed cell of a row.
MAX_SUBTREE_ELEMENTS = 50_000

#: What the reader accepts, for the error messages.
ACCEPTED = "accepted: an Excel .xlsx workbook as the publisher published it"
#: File name endings openpyxl reads (a .xls or .xlsb is another format altogether).
SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")
#: openpyxl versions whose internals (the sheet parser) the reader was tested with;
#: pyproject.toml pins the same range, and _openpyxl() checks that what it uses is there.
OPENPYXL_TESTED = ((3, 1), (3, 2))

_CHUNK = 64 * 1024  # bytes inflated and parsed at a time

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


def _font_color_code(font) -> str:
    """The transcription's code for a font colour: ``"FF0000FF"``, ``"theme:1"``, ``"indexed:12"`` or ``""``."""
    color = font.color if font is not None else None
    if color is None:
        return ""
    if color.type == "rgb" and isinstance(color.rgb, str):
        return color.rgb.upper()
    if color.type == "theme":
        return f"theme:{color.theme}"
    if color.type == "indexed":
        return f"indexed:{color.indexed}"
    return ""


def _font_rgb(cell) -> str:
    """Font colour code of an openpyxl cell (see :func:`_font_color_code`)."""
    return _font_color_code(cell.font)


def _refuse(path: Path, what: str) -> WorkbookError:
    return WorkbookError(f"{path}: {what}; refused")


# ---------------------------------------------------------------------------
# openpyxl pieces. The cell values must be converted exactly as openpyxl does
# (shared strings, dates from the number format, the 1904 epoch, booleans,
# errors), so the reader drives openpyxl's own sheet parser, one <row> at a
# time, instead of its Worksheet, which fills the bounding box. The parser is a
# private module: it is checked here and the version range is pinned.
# ---------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _openpyxl():
    """The openpyxl pieces the reader uses, or a WorkbookError saying what is missing."""
    try:
        import openpyxl
        version = openpyxl.__version__
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise WorkbookError(f"reading workbooks needs openpyxl, which is not importable ({exc})") from None
    lo, hi = OPENPYXL_TESTED
    tested = f"openpyxl >= {lo[0]}.{lo[1]}, < {hi[0]}.{hi[1]}"
    try:
        from openpyxl.packaging.core import DocumentProperties
        from openpyxl.packaging.manifest import Manifest
        from openpyxl.reader.excel import _find_workbook_part
        from openpyxl.reader.strings import read_string_table
        from openpyxl.reader.workbook import WorkbookParser
        from openpyxl.styles.stylesheet import apply_stylesheet
        from openpyxl.worksheet._reader import (COL_TAG, MERGE_TAG, ROW_TAG, WorksheetReader,
                                                WorkSheetParser)
        from openpyxl.worksheet.cell_range import CellRange
        from openpyxl.worksheet.merge import MergeCells
        from openpyxl.xml.constants import ARC_CONTENT_TYPES, ARC_CORE, SHARED_STRINGS
        from openpyxl.xml.functions import fromstring
        needed = [(WorkSheetParser, ("parse_row", "parse_column_dimensions", "parse_cell")),
                  (WorksheetReader, ("bind_col_dimensions", "bind_row_dimensions")),
                  (WorkbookParser, ("parse", "find_sheets"))]
        missing = [f"{cls.__name__}.{attr}" for cls, attrs in needed for attr in attrs if not hasattr(cls, attr)]
    except ImportError as exc:
        missing = [str(exc)]
    if missing:
        raise WorkbookError(
            f"openpyxl {version} lacks what natoanalysis's workbook reader uses ({', '.join(missing)}); "
            f"it was tested with {tested}, the range pyproject.toml pins")
    return dict(DocumentProperties=DocumentProperties, Manifest=Manifest,
                find_workbook_part=_find_workbook_part, read_string_table=read_string_table,
                WorkbookParser=WorkbookParser, apply_stylesheet=apply_stylesheet,
                WorksheetReader=WorksheetReader, CellRange=CellRange, MergeCells=MergeCells,
                ROW_TAG=ROW_TAG, COL_TAG=COL_TAG, MERGE_TAG=MERGE_TAG, ARC_CONTENT_TYPES=ARC_CONTENT_TYPES,
                ARC_CORE=ARC_CORE, SHARED_STRINGS=SHARED_STRINGS, fromstring=fromstring)


# ---------------------------------------------------------------------------
# The zip container.
# ---------------------------------------------------------------------------

def _zip_directory_size(fh, size: int) -> int | None:
    """Bytes of the zip's central directory, from its end record (``None`` if there is none).

    zipfile reads the whole directory into one object per member as it opens the
    file; its size is checked first, and the directory is what zipfile walks
    (by bytes, not by the member count the end record states).
    """
    tail = min(size, 22 + 65_535 + 20)  # end record, longest comment, zip64 locator before it
    fh.seek(size - tail)
    data = fh.read(tail)
    at = data.rfind(b"PK\x05\x06")
    if at < 0 or len(data) - at < 22:
        return None
    cd_size = struct.unpack_from("<L", data, at + 12)[0]
    entries = struct.unpack_from("<H", data, at + 10)[0]
    if (cd_size == 0xFFFFFFFF or entries == 0xFFFF) and at >= 20 and data[at - 20:at - 16] == b"PK\x06\x07":
        offset = struct.unpack_from("<Q", data, at - 20 + 8)[0]
        if offset + 56 <= size:
            fh.seek(offset)
            record = fh.read(56)
            if record[:4] == b"PK\x06\x06":
                cd_size = struct.unpack_from("<Q", record, 40)[0]
    return cd_size


class _Archive:
    """A zip opened for reading within the limits.

    openpyxl's readers take an archive with ``read``, ``open`` and ``namelist``; this
    one inflates at most the limits, and every part it hands out has passed
    :meth:`_scan` (no DTD, a bounded number of elements), whatever XML parser
    openpyxl then uses on it.
    """

    def __init__(self, path: Path, zf: zipfile.ZipFile, parts):
        self.path, self.zf, self.x = path, zf, parts
        self.inflated = 0
        self._cache: dict[str, bytes] = {}

    def namelist(self) -> list[str]:
        return self.zf.namelist()

    def chunks(self, info: zipfile.ZipInfo, limit: int) -> Iterator[bytes]:
        """The member inflated in chunks, counted as they come against ``limit`` and the total.

        The declared sizes were checked before; counting the bytes actually
        inflated does not rely on them (zipfile stops at the declared size and
        then fails the CRC check, but that is zipfile's choice, not a promise).
        """
        got = 0
        try:
            with self.zf.open(info) as fh:
                while chunk := fh.read(_CHUNK):
                    got += len(chunk)
                    self.inflated += len(chunk)
                    if got > info.file_size:
                        raise _refuse(self.path, f"part {info.filename} inflates to more than the "
                                                 f"{info.file_size:,} bytes it declares")
                    if got > limit:
                        raise _refuse(self.path, f"part {info.filename} inflates to more than "
                                                 f"{limit:,} bytes (limit for one part)")
                    if self.inflated > MAX_UNCOMPRESSED_BYTES:
                        raise _refuse(self.path, f"its zip members inflate to more than "
                                                 f"{MAX_UNCOMPRESSED_BYTES:,} bytes (limit for a publisher's workbook)")
                    yield chunk
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError) as exc:
            raise WorkbookError(f"{self.path}: part {info.filename} is damaged or cannot be inflated "
                                f"({_one_line(exc)}); {ACCEPTED}") from None

    def read(self, name: str) -> bytes:
        """A non-sheet part, inflated whole (at most MAX_PART_BYTES) and scanned."""
        if name in self._cache:
            return self._cache[name]
        info = self.zf.getinfo(name)  # KeyError for a missing part, as openpyxl expects
        if info.file_size > MAX_PART_BYTES:
            raise _refuse(self.path, f"part {name} declares {info.file_size:,} bytes, more than "
                                     f"{MAX_PART_BYTES:,} (limit for one part)")
        data = b"".join(self.chunks(info, MAX_PART_BYTES))
        self._scan(name, [data], _ElementCounter(self.path, name))
        self._cache[name] = data
        return data

    def open(self, name: str, mode: str = "r") -> io.BytesIO:
        return io.BytesIO(self.read(name))

    def _scan(self, name: str, chunks, target) -> None:
        """Parse ``chunks`` into ``target`` (expat's handlers) with any DTD refused.

        Entities can only be declared in a document type declaration, and Excel
        never writes one, so refusing the declaration as soon as expat meets it
        refuses entity expansion (billion laughs, external entities) before it
        starts, whatever XML library is installed: openpyxl uses defusedxml only
        when it is importable, and expat's own amplification limit only from
        expat 2.4. A handler that raises stops expat at once.
        """
        parser = expat.ParserCreate(namespace_separator="}")
        parser.buffer_text = True

        def refuse_dtd(*_):
            raise _refuse(self.path, f"part {name} has an XML document type declaration (DTD); a DTD can "
                                     "declare entities that expand a small file into gigabytes, and Excel "
                                     "never writes one")

        # DefusedXMLParser's guards, forbid_dtd=True: the doctype, then (unreachable
        # without a doctype, kept as a second line) entity declarations and references.
        parser.StartDoctypeDeclHandler = refuse_dtd
        parser.EntityDeclHandler = refuse_dtd
        parser.UnparsedEntityDeclHandler = refuse_dtd
        parser.ExternalEntityRefHandler = refuse_dtd
        parser.StartElementHandler = target.start
        if hasattr(target, "end"):
            parser.EndElementHandler = target.end
            parser.CharacterDataHandler = target.data
        try:
            for chunk in chunks:
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except expat.ExpatError as exc:
            raise WorkbookError(f"{self.path}: part {name} is not well-formed XML ({_one_line(exc)}); "
                                f"{ACCEPTED}") from None


class _ElementCounter:
    """Parser target that only counts elements (the trees openpyxl builds grow with them)."""

    def __init__(self, path: Path, name: str):
        self.path, self.name, self.n = path, name, 0

    def start(self, tag, attrib):
        self.n += 1
        if self.n > MAX_PART_ELEMENTS:
            raise _refuse(self.path, f"part {self.name} has more than {MAX_PART_ELEMENTS:,} XML elements "
                                     "(limit for one part)")


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


# ---------------------------------------------------------------------------
# One worksheet, streamed.
# ---------------------------------------------------------------------------

class _SheetTarget:
    """expat handlers for a sheet's XML: keep one <row>, <col> or <mergeCells> at a time.

    Everything else in the sheet (views, print settings, conditional formats,
    extensions) is dropped as it streams past, so memory is bounded by the
    largest kept element, not by the sheet. A kept element is built as an
    ElementTree element, with names as ElementTree spells them, and handed whole
    to openpyxl's own parser methods when it ends, so values convert exactly as
    openpyxl converts them.
    """

    def __init__(self, reader: "_Reader", title: str, parser):
        from xml.etree.ElementTree import TreeBuilder  # the C builder: elements cost ~100 bytes
        self._TreeBuilder = TreeBuilder
        self.reader, self.title, self.parser = reader, title, parser
        x = reader.x
        # expat with namespace_separator="}" names an element "ns}row"; ElementTree "{ns}row"
        self._row, self._col, self._merge = x["ROW_TAG"][1:], x["COL_TAG"][1:], x["MERGE_TAG"][1:]
        self._styles = reader.wb._cell_styles
        self._names: dict[str, str] = {}
        self.cells: dict[tuple[int, int], tuple[object, str, int]] = {}
        self.rows = self.col_ranges = 0
        self._depth = self._kept_depth = self._elements = self._children = 0
        self._kept = None
        self._builder = None

    def _refuse(self, what: str) -> WorkbookError:
        return _refuse(self.reader.path, f"sheet {self.title!r} {what}")

    def _name(self, name: str) -> str:
        """ElementTree's spelling of an expat name (as ElementTree's XMLParser._fixname)."""
        fixed = self._names.get(name)
        if fixed is None:
            fixed = self._names[name] = "{" + name if "}" in name else name
        return fixed

    def start(self, name, attrs):
        self._depth += 1
        builder = self._builder
        if builder is None:
            if name == self._row:
                self.rows += 1
                if self.rows > MAX_ROWS:
                    raise self._refuse(f"has more than {MAX_ROWS:,} rows (limit for a publisher's table)")
            elif name == self._col:
                self.col_ranges += 1
                if self.col_ranges > MAX_COL_RANGES:
                    raise self._refuse(f"has more than {MAX_COL_RANGES:,} column definitions (<col>)")
            elif name != self._merge:
                return
            self._builder = builder = self._TreeBuilder()
            self._kept, self._kept_depth, self._elements, self._children = name, self._depth, 1, 0
        else:
            self._elements += 1
            if self._elements > MAX_SUBTREE_ELEMENTS:
                raise self._refuse(f"has a <{_local(self._kept)}> of more than {MAX_SUBTREE_ELEMENTS:,} "
                                   "XML elements")
            if self._depth == self._kept_depth + 1:
                self._children += 1
                if self._kept == self._row:
                    # openpyxl takes every child of a <row> as a cell
                    if self._children > MAX_COL_INDEX:
                        raise self._refuse(f"has a row of more than {MAX_COL_INDEX:,} cells "
                                           "(a row cannot hold more cells than the column limit)")
                    self.reader.count_cell(self.title)
                elif self._kept == self._merge and self._children > MAX_MERGED_RANGES:
                    raise self._refuse(f"has more than {MAX_MERGED_RANGES:,} merged ranges")
        for key in attrs:
            if "}" in key:  # a namespaced attribute (rare): respell them all
                attrs = {self._name(k): v for k, v in attrs.items()}
                break
        builder.start(self._name(name), attrs)

    def data(self, text):
        if self._builder is not None:
            self._builder.data(text)

    def end(self, name):
        depth = self._depth
        self._depth -= 1
        builder = self._builder
        if builder is None:
            return
        builder.end(self._name(name))
        if depth == self._kept_depth:
            self._builder = None
            self._dispatch(builder.close())

    def _dispatch(self, element) -> None:
        if self._kept == self._col:
            self.parser.parse_column_dimensions(element)
        elif self._kept == self._merge:
            self.parser.merged_cells = self.reader.x["MergeCells"].from_tree(element)
        else:
            row, cells = self.parser.parse_row(element)
            if row > MAX_ROW_INDEX:
                raise self._refuse(f"has row {row:,}, beyond row {MAX_ROW_INDEX:,} (limit for a publisher's table)")
            store, n_styles = self.cells, len(self._styles)
            for cell in cells:
                r, c, style = cell["row"], cell["column"], cell["style_id"]
                if r > MAX_ROW_INDEX or c > MAX_COL_INDEX:
                    raise self._refuse(f"has cell {column_letter(c)}{r}, beyond row {MAX_ROW_INDEX:,} or column "
                                       f"{column_letter(MAX_COL_INDEX)} ({MAX_COL_INDEX:,}) "
                                       "(limit for a publisher's table)")
                if not -n_styles <= style < n_styles:  # openpyxl's Worksheet looks up every cell's style
                    raise self._refuse(f"cell {column_letter(c)}{r} has style {style!r}, "
                                       "which the stylesheet does not define")
                # a later <c> for the same cell replaces the earlier one, as in openpyxl
                store[(r, c)] = (cell["value"], cell["data_type"], style)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _merged_away(keys: list[tuple[int, int]], bounds: list[tuple[int, int, int, int]]) -> set[tuple[int, int]]:
    """Cells (of the sorted ``keys``) that merged ranges cover other than at their top-left corner.

    openpyxl replaces them by empty MergedCells (Excel shows only the corner's
    value); this finds them without visiting the ranges' cells, one row of
    ``keys`` at a time against the ranges spanning it.

    Examples
    --------
    >>> sorted(_merged_away([(1, 1), (1, 2), (2, 1), (3, 3)], [(1, 1, 2, 2)]))  # A1:B2
    [(1, 2), (2, 1)]
    """
    if not bounds:
        return set()
    pending = sorted(bounds, key=lambda b: b[1])  # by first row
    active: list[tuple[int, int, int, int]] = []
    gone: set[tuple[int, int]] = set()
    i, current, starts, ends = 0, None, [], []
    for key in keys:
        r, c = key
        if r != current:
            current = r
            while i < len(pending) and pending[i][1] <= r:
                active.append(pending[i])
                i += 1
            active = [b for b in active if b[3] >= r]
            # masked columns of row r: a range's whole width, less its corner on its first row
            spans = sorted((c0 + (r0 == r), c1) for c0, r0, c1, _ in active if c0 + (r0 == r) <= c1)
            starts, ends = [], []
            for lo, hi in spans:
                if ends and lo <= ends[-1] + 1:
                    ends[-1] = max(ends[-1], hi)
                else:
                    starts.append(lo)
                    ends.append(hi)
        j = bisect.bisect_right(starts, c) - 1
        if j >= 0 and c <= ends[j]:
            gone.add(key)
    return gone


# ---------------------------------------------------------------------------
# The workbook.
# ---------------------------------------------------------------------------

class _Reader:
    def __init__(self, path: Path, zf: zipfile.ZipFile, with_font_color: bool):
        self.path, self.with_font_color = path, with_font_color
        self.x = _openpyxl()
        self.archive = _Archive(path, zf, self.x)
        self.cells_seen = 0
        self.wb = None

    def count_cell(self, title: str) -> None:
        self.cells_seen += 1
        if self.cells_seen > MAX_CELLS:
            raise _refuse(self.path, f"sheet {title!r} brings the workbook past {MAX_CELLS:,} cells "
                                     "(limit for a publisher's workbook)")

    def read(self) -> Workbook:
        x, archive = self.x, self.archive
        # The same steps, in the same order, as openpyxl's ExcelReader.read, less the
        # parts that hold no cell value (theme, custom properties, external links,
        # drawings, charts, comments, pivot tables).
        package = x["Manifest"].from_tree(x["fromstring"](archive.read(x["ARC_CONTENT_TYPES"])))
        strings_part = package.find(x["SHARED_STRINGS"])
        shared_strings = []
        if strings_part is not None:
            with archive.open(strings_part.PartName[1:]) as src:
                shared_strings = x["read_string_table"](src)
        wb_part = x["find_workbook_part"](package)
        parser = x["WorkbookParser"](archive, wb_part.PartName[1:], keep_links=False)
        parser.parse()
        self.wb = wb = parser.wb
        wb._sheets = []
        wb._data_only = True
        if len(parser.sheets) > MAX_SHEETS:
            raise _refuse(self.path, f"has {len(parser.sheets):,} sheets, more than {MAX_SHEETS:,} "
                                     "(limit for a publisher's workbook)")
        if x["ARC_CORE"] in archive.namelist():
            wb.properties = x["DocumentProperties"].from_tree(x["fromstring"](archive.read(x["ARC_CORE"])))
        x["apply_stylesheet"](archive, wb)
        members = set(archive.namelist())
        sheets = []
        for sheet, rel in parser.find_sheets():
            if rel.target not in members:
                continue  # openpyxl skips a sheet whose part is missing
            if "chartsheet" in rel.Type:
                wb.create_chartsheet(sheet.name)  # holds no cells; its name still counts for duplicates
                continue
            ws = wb.create_sheet(sheet.name)  # openpyxl's title rules (duplicates get a number)
            sheets.append(self._read_sheet(ws, sheet.state, rel.target, shared_strings))
        props = {}
        for key in ("creator", "lastModifiedBy", "created", "modified", "title"):
            val = getattr(wb.properties, key, None)
            if val is not None:
                props[key] = val.isoformat() if hasattr(val, "isoformat") else str(val)
        return Workbook(sheets=sheets, properties=props)

    def _read_sheet(self, ws, state: str, part: str, shared_strings) -> Sheet:
        x, archive = self.x, self.archive
        # openpyxl's WorksheetReader builds the sheet parser with the workbook's epoch and
        # date formats; its parse() is not used (it holds a whole <row> and every element
        # outside rows), only the per-element methods, from _SheetTarget.
        ws_reader = x["WorksheetReader"](ws, None, shared_strings, True, False)
        target = _SheetTarget(self, ws.title, ws_reader.parser)
        info = archive.zf.getinfo(part)
        archive._scan(part, archive.chunks(info, MAX_UNCOMPRESSED_BYTES), target)
        ws_reader.bind_col_dimensions()
        ws_reader.bind_row_dimensions()
        ws.sheet_state = state

        merged = ws_reader.parser.merged_cells
        bounds = [x["CellRange"](m.ref).bounds for m in merged.mergeCell] if merged else []
        keys = sorted(k for k in target.cells if k[0] >= 1)  # openpyxl's rows start at 1
        gone = _merged_away(keys, bounds)
        fonts = {}
        cells = []
        for key in keys:
            value, ctype, style = target.cells[key]
            if value is None or (isinstance(value, str) and value == "") or key in gone:
                continue
            if isinstance(value, bool):
                ctype = "b"
            elif isinstance(value, (dt.datetime, dt.date)):
                ctype, value = "d", value.isoformat()
            elif isinstance(value, (int, float)):
                ctype = "n"
            elif ctype not in ("e",):
                ctype, value = "s", str(value)
            color = ""
            if self.with_font_color:
                if style not in fonts:
                    fonts[style] = self._font_code(ws.title, key, style)
                color = fonts[style]
            cells.append(Cell(key[0], key[1], ctype, value, color))
        return Sheet(
            name=ws.title,
            cells=cells,
            state=ws.sheet_state,
            hidden_rows=sorted(int(k) for k, d in ws.row_dimensions.items() if d.hidden),
            hidden_cols=sorted(column_index(k) for k, d in ws.column_dimensions.items() if d.hidden),
        )

    def _font_code(self, title: str, key: tuple[int, int], style: int) -> str:
        font_id = self.wb._cell_styles[style].fontId
        try:
            font = self.wb._fonts[font_id]
        except IndexError:
            raise _refuse(self.path, f"sheet {title!r} cell {column_letter(key[1])}{key[0]} has font {font_id}, "
                                     "which the stylesheet does not define") from None
        return _font_color_code(font)


def _open_zip(path: Path) -> zipfile.ZipFile:
    """The workbook's zip, after the checks that need no inflating."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _refuse(path, f"the file is {size:,} bytes, more than {MAX_FILE_BYTES:,} "
                                "(limit for a publisher's workbook)")
        with open(path, "rb") as fh:
            directory = _zip_directory_size(fh, size)
    except OSError as exc:
        raise WorkbookError(f"{path} cannot be opened ({_one_line(exc)}); {ACCEPTED}") from None
    if directory is None or not zipfile.is_zipfile(path):
        raise WorkbookError(
            f"{path} is not an Excel .xlsx workbook (not a zip container; truncated or another format); "
            f"{ACCEPTED}")
    if directory > MAX_ZIP_DIRECTORY_BYTES:
        raise _refuse(path, f"its zip directory is {directory:,} bytes, more than {MAX_ZIP_DIRECTORY_BYTES:,} "
                            f"(limit for about {MAX_ZIP_MEMBERS:,} members)")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as exc:
        raise WorkbookError(f"{path} is a damaged zip container ({_one_line(exc)}); {ACCEPTED}") from None
    infos = zf.infolist()
    declared = sum(i.file_size for i in infos)
    if len(infos) > MAX_ZIP_MEMBERS:
        zf.close()
        raise _refuse(path, f"it has {len(infos):,} zip members, more than {MAX_ZIP_MEMBERS:,} "
                            "(limit for a publisher's workbook)")
    if declared > MAX_UNCOMPRESSED_BYTES:
        zf.close()
        raise _refuse(path, f"its zip members declare {declared:,} bytes inflated, more than "
                            f"{MAX_UNCOMPRESSED_BYTES:,} (limit for a publisher's workbook)")
    return zf


def read_xlsx(path: str | Path, *, with_font_color: bool = False) -> Workbook:
    """Read every non-empty cell of an ``.xlsx`` workbook, within the module's limits.

    Formulas are read as the values the publisher's Excel saved, which is what a
    reader of the published file sees. Only the cells present in each sheet's
    XML are read, never the sheet's bounding box; values, types, font colours,
    hidden rows and columns, sheet states and document properties are those
    openpyxl gives (``openpyxl.load_workbook(path, data_only=True)``).

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
        (entity expansion), or passes one of the limits (``MAX_*`` in this
        module); the one-line message names the file and what was wrong.

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
    zf = _open_zip(path)
    try:
        with zf:
            return _Reader(path, zf, with_font_color).read()
    except WorkbookError:
        raise
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise WorkbookError(f"{path} could not be read as an .xlsx workbook ({_one_line(exc)}); {ACCEPTED}") from None

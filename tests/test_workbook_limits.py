"""The workbook reader is bounded: hostile workbooks are refused in one line, ordinary ones read as before.

Each hostile workbook is built here, small on disk (the sheet XML is written
by hand into a zip, streamed where it is long), and read in a child process
under a 1.5 GB address-space limit: a reader that walked a sheet's bounding
box, inflated a bomb or expanded entities would die there with a MemoryError,
failing the test instead of exhausting the machine. No test depends on timing;
the child's timeout only stops a hang.

The equivalence tests compare :func:`read_xlsx` with openpyxl's full mode
walked with ``iter_rows`` (``reference_read`` below, fine for small files) on
workbooks that exercise every value type, font colours, hidden rows, columns
and sheets, merged cells and document properties.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.styles import Font
from openpyxl.styles.colors import Color

from natoanalysis import cli
from natoanalysis.extract import cells as workbook
from natoanalysis.errors import WorkbookError
from natoanalysis.extract.cells import column_index, read_xlsx

from .conftest import NATO_XLSX, SIPRI_XLSX, require

# Slow tier (make test): subprocesses, kernels, signals or large generated inputs.
pytestmark = pytest.mark.slow

AS_LIMIT = 1_500_000_000  # bytes of address space for the child; the package's imports take ~0.5 GB of it

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_BOOK = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
CT_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
          + "]>")  # &lol9; is 10**9 "lol": 3 GB from 900 bytes


# ---------------------------------------------------------------------------
# Building workbooks by hand
# ---------------------------------------------------------------------------

def sheet_xml(rows: str = "", *, before: str = "", after: str = "", prolog: str = "") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}<worksheet xmlns="{MAIN}">'
            f"{before}<sheetData>{rows}</sheetData>{after}</worksheet>")


def streamed_sheet(rows, *, block: int = 2000):
    """Sheet XML as byte chunks, from an iterable of row strings (never held whole)."""
    head, tail = sheet_xml("|").split("|")
    yield head.encode()
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == block:
            yield "".join(batch).encode()
            batch = []
    yield "".join(batch).encode() + tail.encode()


def package(sheets: list[str], *, strings: bool = False, styles: bool = False,
            states: dict[str, str] | None = None) -> dict[str, str]:
    """The parts around the sheets: content types, relationships, workbook.xml."""
    states = states or {}
    overrides = [f'<Override PartName="/xl/workbook.xml" ContentType="{CT_BOOK}"/>']
    overrides += [f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{CT_SHEET}"/>'
                  for i in range(1, len(sheets) + 1)]
    rels = [f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(sheets) + 1)]
    if strings:
        overrides.append(f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT_STRINGS}"/>')
        rels.append(f'<Relationship Id="rIdS" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>')
    if styles:
        overrides.append(f'<Override PartName="/xl/styles.xml" ContentType="{CT_STYLES}"/>')
        rels.append(f'<Relationship Id="rIdT" Type="{REL}/styles" Target="styles.xml"/>')
    entries = "".join(
        f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"'
        + (f' state="{states[name]}"' if name in states else "") + "/>"
        for i, name in enumerate(sheets, 1))
    return {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                               'package/2006/content-types"><Default Extension="rels" ContentType="application/'
                               'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
                               'ContentType="application/xml"/>' + "".join(overrides) + "</Types>",
        "_rels/.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL}"><Relationship '
                       f'Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">'
                           f"<sheets>{entries}</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL}">'
                                      + "".join(rels) + "</Relationships>",
    }


def write_book(path: Path, sheets: dict, *, parts: dict[str, str | bytes] | None = None,
               states: dict[str, str] | None = None) -> Path:
    """A workbook of ``sheets`` (name -> sheet XML, or an iterable of byte chunks streamed into the zip)."""
    parts = dict(parts or {})
    base = package(list(sheets), strings="xl/sharedStrings.xml" in parts, styles="xl/styles.xml" in parts,
                   states=states)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in {**base, **parts}.items():
            z.writestr(name, data)
        for i, body in enumerate(sheets.values(), 1):
            if isinstance(body, (str, bytes)):
                z.writestr(f"xl/worksheets/sheet{i}.xml", body)
            else:
                with z.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as fh:
                    for chunk in body:
                        fh.write(chunk)
    return path


def deflate(chunks) -> tuple[bytes, int, int]:
    """Raw-deflated bytes, CRC-32 and length of a stream of chunks."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    out, crc, size = [], 0, 0
    for chunk in chunks:
        crc, size = zlib.crc32(chunk, crc), size + len(chunk)
        out.append(comp.compress(chunk))
    out.append(comp.flush())
    return b"".join(out), crc, size


def raw_zip(path: Path, members: list[tuple[str, bytes, int, int]]) -> Path:
    """A zip written byte by byte: (name, deflated data, crc, declared size) -- sizes may lie."""
    body, directory = bytearray(), bytearray()
    for name, data, crc, declared in members:
        raw = name.encode()
        offset = len(body)
        body += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(data), declared, len(raw), 0)
        body += raw + data
        directory += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(data), declared,
                                 len(raw), 0, 0, 0, 0, 0, offset) + raw
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), len(body), 0)
    path.write_bytes(bytes(body + directory + end))
    return path


def spaces(n_bytes: int, block: int = 1 << 22):
    """A stream of ``n_bytes`` spaces, one block at a time."""
    buf = b" " * block
    for _ in range(n_bytes // block):
        yield buf
    yield b" " * (n_bytes % block)


# ---------------------------------------------------------------------------
# Reading in a bounded child
# ---------------------------------------------------------------------------

CHILD = r"""
import json, resource, sys
args = json.loads(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (args["as_limit"], args["as_limit"]))
from natoanalysis.extract import cells as workbook
for name, value in args["limits"].items():
    assert hasattr(workbook, name), name
    setattr(workbook, name, value)
try:
    wb = workbook.read_xlsx(args["path"], with_font_color=args["color"])
    out = {"sheets": [[s.name, len(s.cells)] for s in wb.sheets]}
except workbook.WorkbookError as exc:
    out = {"error": str(exc)}
print(json.dumps(out))
"""


def read_bounded(path: Path, *, limits: dict | None = None, color: bool = False, env: dict | None = None) -> dict:
    """``read_xlsx`` in a child under AS_LIMIT: ``{"sheets": [[name, n_cells]...]}`` or ``{"error": message}``."""
    args = {"path": str(path), "limits": limits or {}, "color": color, "as_limit": AS_LIMIT}
    proc = subprocess.run([sys.executable, "-c", CHILD, json.dumps(args)], capture_output=True, text=True,
                          timeout=900, env={**os.environ, **(env or {})})
    assert proc.returncode == 0, f"the child died (exit {proc.returncode}):\n{proc.stderr[-4000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


def refused(path: Path, **kw) -> str:
    """The one-line WorkbookError message a bounded read gives (fails if the workbook is accepted)."""
    out = read_bounded(path, **kw)
    assert "error" in out, f"{path.name} was accepted: {out}"
    message = out["error"]
    assert "\n" not in message and str(path) in message, message
    return message


def test_bounded_child_reads_an_ordinary_workbook(tmp_path):
    """The harness itself: within the limit, the child reads and reports the cells."""
    path = write_book(tmp_path / "ok.xlsx", {"S": sheet_xml('<row r="2"><c r="B2"><v>7</v></c></row>')})
    assert read_bounded(path) == {"sheets": [["S", 1]]}


# ---------------------------------------------------------------------------
# The security review's findings
# ---------------------------------------------------------------------------

def test_far_corner_cell_is_refused_without_walking_the_bounding_box(tmp_path):
    """Finding 1: A1 and XFD1048576 only (17 billion cells of bounding box)."""
    path = write_book(tmp_path / "corner.xlsx", {"S": sheet_xml(
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>')})
    assert path.stat().st_size < 2_000
    assert refused(path) == (f"{path}: sheet part xl/worksheets/sheet1.xml has a cell at A1048576, beyond row "
                             "100,000 or column ALL (1,000) (limit for a publisher's table); refused")


def test_far_column_in_row_one_is_refused(tmp_path):
    path = write_book(tmp_path / "wide.xlsx", {"S": sheet_xml('<row r="1"><c r="A1"><v>1</v></c>'
                                                              '<c r="XFD1"><v>2</v></c></row>')})
    message = refused(path)
    assert "sheet part xl/worksheets/sheet1.xml has a cell at XFD1, beyond row 100,000 or column ALL (1,000)" in message


def test_far_corner_within_limits_reads_only_the_two_cells(tmp_path):
    """Sparse: corners that the limits allow cost two cells, not the 100,000 x 1,000 box between them."""
    path = write_book(tmp_path / "box.xlsx", {"S": sheet_xml(
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="100000"><c r="ALL100000"><v>2</v></c></row>')})
    assert read_bounded(path) == {"sheets": [["S", 2]]}
    cells = read_xlsx(path).sheet("S").cells
    assert [(c.ref, c.value) for c in cells] == [("A1", 1), ("ALL100000", 2)]


def test_zip_bomb_of_spaces_is_refused_from_the_declared_size(tmp_path):
    """Finding 2: a sheet member that inflates to 300 MiB (> 256 MiB) of whitespace."""
    size = workbook.MAX_UNCOMPRESSED_BYTES + 44 * 2**20
    head, tail = sheet_xml("|").split("|")
    path = write_book(tmp_path / "bomb.xlsx", {"S": [head.encode(), *spaces(size), tail.encode()]})
    assert path.stat().st_size < 1_000_000
    message = refused(path)
    assert "its zip members declare" in message
    assert f"more than {workbook.MAX_UNCOMPRESSED_BYTES:,} (limit for a publisher's workbook); refused" in message


def test_zip_bomb_with_lying_sizes_is_refused_while_inflating(tmp_path):
    """Finding 2 again, the member declaring 2,000 bytes: inflating stops there, never at 300 MiB."""
    ordinary = write_book(tmp_path / "base.xlsx", {"S": sheet_xml()})
    with zipfile.ZipFile(ordinary) as z:
        members = [(n, *deflate([z.read(n)])) for n in z.namelist() if not n.startswith("xl/worksheets/")]
    head = sheet_xml("|").split("|")[0].encode()
    data, crc, _ = deflate([head, *spaces(300 * 2**20)])
    path = raw_zip(tmp_path / "liar.xlsx", [(n, d, c, s) for n, d, c, s in members]
                   + [("xl/worksheets/sheet1.xml", data, crc, 2_000)])
    message = refused(path)
    assert "part xl/worksheets/sheet1.xml is damaged or cannot be inflated" in message
    assert "accepted: an Excel .xlsx workbook" in message


def test_million_row_sheet_is_refused_at_the_row_limit(tmp_path):
    """Finding 3: an extra sheet of a million rows (compressed 500 to 1), refused at row 10,001."""
    rows = ("<row><c><v>1</v></c></row>" for _ in range(1_000_000))
    path = write_book(tmp_path / "extra.xlsx", {"Data": sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>'),
                                                "Extra": streamed_sheet(rows)})
    assert path.stat().st_size < 200_000
    assert refused(path) == (f"{path}: sheet part xl/worksheets/sheet2.xml has more than 10,000 rows "
                             "(limit for a publisher's table); refused")
    # the same at a ratio a publisher's file has
    rows = (f'<row><c t="inlineStr"><is><t>{i:x}</t></is></c></row>' for i in range(20_000))
    path = write_book(tmp_path / "rows.xlsx", {"Data": sheet_xml(), "Extra": streamed_sheet(rows)})
    assert refused(path) == (f"{path}: sheet part xl/worksheets/sheet2.xml has more than 10,000 rows "
                             "(limit for a publisher's table); refused")


def test_rows_at_the_limit_are_read(tmp_path):
    rows = (f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, workbook.MAX_ROWS + 1))
    path = write_book(tmp_path / "full.xlsx", {"Data": streamed_sheet(rows)})
    assert read_bounded(path) == {"sheets": [["Data", workbook.MAX_ROWS]]}


@pytest.mark.parametrize("where", ["sheet", "sharedStrings", "workbook"])
@pytest.mark.parametrize("defused", ["True", "False"])
def test_billion_laughs_is_refused_whatever_openpyxl_uses(tmp_path, where, defused):
    """Finding 4: entity expansion, in a sheet or in a part openpyxl parses itself, with and without
    openpyxl's own defusedxml (OPENPYXL_DEFUSEDXML=False turns it off)."""
    laugh = '<c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c>'
    sheet = sheet_xml(f'<row r="1">{laugh}</row>' if where == "sheet" else "", prolog=LAUGHS if where == "sheet" else "")
    parts = {}
    if where == "sharedStrings":
        parts["xl/sharedStrings.xml"] = (f'<?xml version="1.0"?>{LAUGHS}<sst xmlns="{MAIN}" count="1">'
                                         "<si><t>&lol9;</t></si></sst>")
    path = write_book(tmp_path / f"laughs-{where}.xlsx", {"S": sheet}, parts=parts)
    if where == "workbook":
        data = package(["S"])["xl/workbook.xml"].replace("<workbook ", LAUGHS + "<workbook ", 1)
        data = data.replace('name="S"', 'name="&lol9;"')
        path = rewrite_member(path, "xl/workbook.xml", data)
    part = {"sheet": "xl/worksheets/sheet1.xml", "sharedStrings": "xl/sharedStrings.xml",
            "workbook": "xl/workbook.xml"}[where]
    message = refused(path, env={"OPENPYXL_DEFUSEDXML": defused})
    assert f"part {part} has an XML document type declaration (DTD)" in message


def test_external_entity_is_refused(tmp_path):
    sheet = sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>&x;</t></is></c></row>',
                      prolog='<!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>')
    path = write_book(tmp_path / "xxe.xlsx", {"S": sheet})
    with pytest.raises(WorkbookError, match="has an XML document type declaration"):
        read_xlsx(path)


def rewrite_member(path: Path, name: str, data: str) -> Path:
    """The same zip with one member's content replaced."""
    out = path.with_name("re-" + path.name)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, data if info.filename == name else src.read(info.filename))
    return out


def test_directory_missing_non_zip_truncated_and_wrong_suffix(tmp_path, capsys):
    """Finding 5, and the other paths that are not a workbook: one line naming the path and what is accepted."""
    accepted = "accepted: an Excel .xlsx workbook as the publisher published it"
    cases = {
        tmp_path: f"{tmp_path} is a directory, not a workbook; {accepted}",
        tmp_path / "missing.xlsx": f"workbook {tmp_path / 'missing.xlsx'} does not exist; {accepted}",
    }
    text = tmp_path / "tables.xlsx"
    text.write_text("Country,2014\nAlbania,1\n")
    cases[text] = (f"{text} is not an Excel .xlsx workbook (not a zip container; truncated or another format); "
                   f"{accepted}")
    whole = write_book(tmp_path / "whole.xlsx", {"S": sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>')})
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(whole.read_bytes()[:-30])
    cases[cut] = cases[text].replace(str(text), str(cut))
    old = tmp_path / "tables.xls"
    old.write_bytes(whole.read_bytes())
    cases[old] = (f"{old} is not an Excel .xlsx workbook (its name ends in '.xls', not one of .xlsx, .xlsm, .xltx, "
                  f".xltm); {accepted}")
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    cases[fifo] = f"{fifo} is not a regular file; {accepted}"
    for path, expected in cases.items():
        with pytest.raises(WorkbookError) as err:
            read_xlsx(path)
        assert str(err.value) == expected
    # through the command line: one line on stderr, exit status 2
    assert cli.main(["ingest", "nato", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err == f"natoanalysis ingest: error: {tmp_path} is a directory, not a workbook; {accepted}\n"


def test_damaged_member_is_one_line(tmp_path):
    whole = write_book(tmp_path / "whole.xlsx", {"S": sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>')})
    data = bytearray(whole.read_bytes())
    with zipfile.ZipFile(whole) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename)
    data[start:start + info.compress_size] = b"\x00" * info.compress_size  # damaged deflate stream
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(bytes(data))
    with pytest.raises(WorkbookError, match=r"bad.xlsx: part xl/worksheets/sheet1.xml is damaged or cannot be "
                                            r"inflated \(.*\); accepted: ") as err:
        read_xlsx(bad)
    assert "\n" not in str(err.value)


def test_undefined_style_or_font_is_one_line(tmp_path):
    """A cell pointing past the stylesheet: openpyxl's IndexError is one line."""
    styles = (f'<?xml version="1.0"?><styleSheet xmlns="{MAIN}"><fonts count="1"><font/></fonts><fills count="1">'
              '<fill><patternFill/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1">'
              '<xf/></cellStyleXfs><cellXfs count="2"><xf fontId="0"/><xf fontId="4"/></cellXfs><cellStyles '
              'count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')
    bad_style = write_book(tmp_path / "style.xlsx", {"S": sheet_xml('<row r="1"><c r="B1" s="7"><v>1</v></c></row>')},
                           parts={"xl/styles.xml": styles})
    with pytest.raises(WorkbookError) as err:
        read_xlsx(bad_style)
    assert str(err.value) == (f"{bad_style} could not be read as an .xlsx workbook (list index out of range); "
                              "accepted: an Excel .xlsx workbook as the publisher published it")
    bad_font = write_book(tmp_path / "font.xlsx", {"S": sheet_xml('<row r="1"><c r="C1" s="1"><v>1</v></c></row>')},
                          parts={"xl/styles.xml": styles})
    assert [c.value for c in read_xlsx(bad_font).sheet("S").cells] == [1]  # the font matters only for colours
    with pytest.raises(WorkbookError) as err:
        read_xlsx(bad_font, with_font_color=True)
    assert str(err.value) == (f"{bad_font} could not be read as an .xlsx workbook (list index out of range); "
                              "accepted: an Excel .xlsx workbook as the publisher published it")


# ---------------------------------------------------------------------------
# Every other limit
# ---------------------------------------------------------------------------

def test_file_size_limit(tmp_path):
    path = tmp_path / "huge.xlsx"
    with open(path, "wb") as fh:  # sparse: no disk is written
        fh.truncate(workbook.MAX_FILE_BYTES + 1)
    assert refused(path) == (f"{path}: the file is {workbook.MAX_FILE_BYTES + 1:,} bytes, more than "
                             f"{workbook.MAX_FILE_BYTES:,} (limit for a publisher's workbook); refused")


def test_zip_member_count_limit(tmp_path):
    sheets = {"S": sheet_xml()}
    many = write_book(tmp_path / "many.xlsx", sheets,
                      parts={f"xl/media/n{i}.bin": b"" for i in range(workbook.MAX_ZIP_MEMBERS)})
    assert refused(many) == (f"{many}: it has {workbook.MAX_ZIP_MEMBERS + 5:,} zip members, more than "
                             f"{workbook.MAX_ZIP_MEMBERS:,} (limit for a publisher's workbook); refused")


def test_sheet_count_limit(tmp_path):
    path = write_book(tmp_path / "sheets.xlsx", {f"S{i}": sheet_xml() for i in range(workbook.MAX_SHEETS + 1)})
    assert refused(path) == (f"{path}: it has more than {workbook.MAX_SHEETS:,} sheets "
                             "(limit for a publisher's workbook); refused")


def test_cell_limit_counts_across_sheets(tmp_path):
    """Cells count over the whole workbook (the limit lowered to 2,500 in the child to keep the file small)."""
    def rows(n):
        return streamed_sheet(f'<row r="{r}">' + "".join(f'<c r="{col}{r}"><v>1</v></c>' for col in "ABCDE")
                              + "</row>" for r in range(1, n + 1))
    path = write_book(tmp_path / "cells.xlsx", {"One": rows(300), "Two": rows(300)})
    assert read_bounded(path, limits={"MAX_CELLS": 3_000}) == {"sheets": [["One", 1500], ["Two", 1500]]}
    message = refused(path, limits={"MAX_CELLS": 2_500})
    assert message == (f"{path}: sheet part xl/worksheets/sheet2.xml brings the workbook past 2,500 cells "
                       "(limit for a publisher's workbook); refused")


def test_cell_limit_at_its_real_value(tmp_path):
    """MAX_CELLS itself: 1,000,001 empty <c> elements (each parsed) in 101 sheets; the file stays small."""
    per_row = workbook.MAX_COL_INDEX
    n_rows = workbook.MAX_CELLS // per_row // 100  # 10 rows of 1,000 cells per sheet, 100 sheets = the limit
    row = "<row>" + "<c/>" * per_row + "</row>"
    sheets = {f"S{i}": streamed_sheet([row] * n_rows) for i in range(100)}
    sheets["S99"] = streamed_sheet([row] * n_rows + ["<row><c/></row>"])
    path = write_book(tmp_path / "cells.xlsx", sheets)
    assert path.stat().st_size < 500_000
    message = refused(path)
    assert message.endswith("brings the workbook past 1,000,000 cells (limit for a publisher's workbook); refused")


def test_row_with_too_many_cells_and_element_too_deep(tmp_path):
    wide = write_book(tmp_path / "wide.xlsx", {"S": sheet_xml('<row r="1">' + '<c/>' * 1001 + "</row>")})
    assert refused(wide) == (f"{wide}: sheet part xl/worksheets/sheet1.xml has a cell at ALM1, beyond row 100,000 "
                             "or column ALL (1,000) (limit for a publisher's table); refused")
    deep = write_book(tmp_path / "deep.xlsx", {"S": sheet_xml('<row r="1"><c r="A1">' + "<x/>" * 60_000 + "</c></row>")})
    assert refused(deep) == f"{deep}: sheet part xl/worksheets/sheet1.xml has a row of more than 50,000 XML elements; refused"


def test_many_merged_ranges_and_column_definitions_are_bounded(tmp_path):
    """Many small merges count by the cells they cover; a flood of <col> elements by the XML element limit."""
    merges = "".join(f'<mergeCell ref="A{r}:B{r}"/>' for r in range(1, 50_002))
    path = write_book(tmp_path / "merges.xlsx", {"S": sheet_xml(after=f'<mergeCells count="50001">{merges}</mergeCells>')})
    assert refused(path) == (f"{path}: sheet part xl/worksheets/sheet1.xml has merged ranges covering more than "
                             "100,000 cells; refused")
    cols = "".join(f'<col min="{i}" max="{i}" width="9"/>' for i in range(1, 16_386))
    path = write_book(tmp_path / "cols.xlsx", {"S": sheet_xml(before=f"<cols>{cols}</cols>")})
    assert refused(path, limits={"MAX_ELEMENTS": 10_000}) == (
        f"{path}: sheet part xl/worksheets/sheet1.xml brings the workbook past 10,000 XML elements "
        "(limit for a publisher's workbook); refused")


def test_rows_and_cells_out_of_order_are_refused(tmp_path):
    """Excel writes rows and cells in order; one out of order could be skipped by a streaming reader, so it is
    refused rather than read partly."""
    rows = write_book(tmp_path / "rows.xlsx", {"S": sheet_xml('<row r="5"><c r="A5"><v>1</v></c></row>'
                                                              '<row r="3"><c r="A3"><v>2</v></c></row>')})
    assert refused(rows) == (f"{rows}: sheet part xl/worksheets/sheet1.xml has row 3 after row 5 "
                             "(rows out of order); refused")
    cells = write_book(tmp_path / "cells.xlsx", {"S": sheet_xml('<row r="1"><c r="C1"><v>1</v></c>'
                                                                '<c r="A1"><v>2</v></c></row>')})
    assert refused(cells) == (f"{cells}: sheet part xl/worksheets/sheet1.xml has cell A1 after column C "
                              "(cells out of order); refused")


def test_huge_merged_range_is_refused(tmp_path):
    """A merge over the whole sheet (17 billion cells, an object each in openpyxl) is refused before loading."""
    path = write_book(tmp_path / "merge.xlsx", {"S": sheet_xml(
        '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c></row><row r="2"><c r="C2"><v>3</v></c></row>',
        after='<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>')})
    assert refused(path) == (f"{path}: sheet part xl/worksheets/sheet1.xml has merged ranges covering more than "
                             "100,000 cells; refused")
    small = write_book(tmp_path / "small.xlsx", {"S": sheet_xml(
        '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c></row><row r="2"><c r="C2"><v>3</v></c></row>',
        after='<mergeCells count="1"><mergeCell ref="A1:B100"/></mergeCells>')})
    assert [(c.ref, c.value) for c in read_xlsx(small).sheet("S").cells] == [("A1", 1), ("C2", 3)]


def test_part_size_and_element_limits(tmp_path):
    strings = f'<?xml version="1.0"?><sst xmlns="{MAIN}">' + "".join(f"<si><t>{i}</t></si>" for i in range(100_000)) + "</sst>"
    path = write_book(tmp_path / "strings.xlsx", {"S": sheet_xml()}, parts={"xl/sharedStrings.xml": strings})
    assert refused(path, limits={"MAX_ELEMENTS": 150_000}) == (
        f"{path}: part xl/sharedStrings.xml brings the workbook past 150,000 XML elements "
        "(limit for a publisher's workbook); refused")
    big = f'<?xml version="1.0"?><sst xmlns="{MAIN}"><si><t>' + os.urandom(8 * 2**20).hex() + "</t></si></sst>"
    path = write_book(tmp_path / "bigpart.xlsx", {"S": sheet_xml()}, parts={"xl/sharedStrings.xml": big})
    assert refused(path) == (f"{path}: part xl/sharedStrings.xml declares {len(big):,} bytes, more than "
                             "16,777,216 (limit for one part); refused")


def test_official_workbooks_are_far_inside_the_limits():
    """Each limit is at least 10x what the official editions use (counted here from their zips)."""
    import re
    for path in (require(NATO_XLSX), require(SIPRI_XLSX)):
        assert path.stat().st_size * 10 < workbook.MAX_FILE_BYTES
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            assert len(infos) * 10 < workbook.MAX_ZIP_MEMBERS
            assert sum(i.file_size for i in infos) * 50 < workbook.MAX_UNCOMPRESSED_BYTES
            sheets = [i for i in infos if i.filename.startswith("xl/worksheets/sheet")]
            assert len(sheets) * 10 <= workbook.MAX_SHEETS
            texts = [z.read(i).decode() for i in sheets]
            others = [z.read(i).decode() for i in infos if i not in sheets and i.filename.endswith((".xml", ".rels"))]
            elements = sum(len(re.findall(r"<[A-Za-z]", t)) for t in texts + others)
        assert sum(len(re.findall(r"<c[ >/]", t)) for t in texts) * 10 < workbook.MAX_CELLS
        assert max(len(re.findall(r"<row[ >]", t)) for t in texts) * 10 < workbook.MAX_ROWS
        assert max(len(t) for t in others) * 100 < workbook.MAX_PART_BYTES
        assert elements * 10 < workbook.MAX_ELEMENTS
        wb = read_xlsx(path)
        assert max(c.row for s in wb.sheets for c in s.cells) * 100 < workbook.MAX_ROW_INDEX
        assert max(c.col for s in wb.sheets for c in s.cells) * 10 < workbook.MAX_COL_INDEX


# ---------------------------------------------------------------------------
# openpyxl compatibility
# ---------------------------------------------------------------------------

def test_openpyxl_is_unpinned_and_reads_through_defusedxml():
    """Only openpyxl's public API is used, so no upper pin; its XML parsing goes through defusedxml."""
    pyproject = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text()
    assert '"openpyxl>=3.1"' in pyproject and '"defusedxml>=' in pyproject
    assert openpyxl.DEFUSEDXML is True
    import ast
    source = (Path(workbook.__file__)).read_text()
    modules = [n.module for n in ast.walk(ast.parse(source)) if isinstance(n, ast.ImportFrom) and n.module]
    assert not [m for m in modules if m != "__future__" and any(p.startswith("_") for p in m.split("."))]


# ---------------------------------------------------------------------------
# Same results as the reader it replaced
# ---------------------------------------------------------------------------

def reference_read(path: Path, with_font_color: bool = False):
    """The previous reader: openpyxl's full mode walked with iter_rows (fine for small files only)."""
    wb = openpyxl.load_workbook(path, data_only=True, read_only=False)
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
                cells.append((c.row, c.column, ctype, repr(value), workbook._font_color_code(c.font) if with_font_color else ""))
        sheets.append((ws.title, ws.sheet_state, cells,
                       sorted(int(k) for k, d in ws.row_dimensions.items() if d.hidden),
                       sorted(column_index(k) for k, d in ws.column_dimensions.items() if d.hidden)))
    props = {}
    for key in ("creator", "lastModifiedBy", "created", "modified", "title"):
        val = getattr(wb.properties, key, None)
        if val is not None:
            props[key] = val.isoformat() if hasattr(val, "isoformat") else str(val)
    return sheets, props


def summary(wb):
    """read_xlsx's result in reference_read's shape; values by repr, so 1 and 1.0 differ."""
    return ([(s.name, s.state, [(c.row, c.col, c.type, repr(c.value), c.font_color) for c in s.cells],
              s.hidden_rows, s.hidden_cols) for s in wb.sheets], wb.properties)


def assert_same_as_reference(path: Path) -> None:
    for color in (False, True):
        assert summary(read_xlsx(path, with_font_color=color)) == reference_read(path, color)


def test_same_as_reference_on_an_openpyxl_workbook(tmp_path):
    """Types, number formats, fonts, hidden rows/columns/sheets, merges and properties, as openpyxl saves them."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws["A1"], ws["B1"], ws["C1"], ws["D1"] = 3, 2.5, "2024e", True
    ws["E1"], ws["F1"], ws["G1"] = dt.datetime(2024, 6, 17, 10, 26), dt.date(2024, 6, 14), dt.time(12, 30)
    ws["H1"], ws["I1"], ws["J1"] = "#REF!", "", False
    ws["K1"] = dt.timedelta(hours=30)
    ws["A2"].value, ws["A2"].font = 1.5, Font(color="FF0000FF")
    ws["B2"].value, ws["B2"].font = 2, Font(color=Color(theme=1))
    ws["C2"].value, ws["C2"].font = 3, Font(color=Color(indexed=12))
    ws["D2"].value, ws["D2"].number_format = 45000, "yyyy-mm-dd"
    ws["E2"].value, ws["E2"].number_format = 1e-7, "0.00E+00"
    ws["A5"], ws["B5"] = "anchor", "under"
    ws.merge_cells("A5:C6")
    ws["Z40"] = "far"
    ws.row_dimensions[3].hidden = True
    ws.row_dimensions[4].height = 30
    ws.column_dimensions["C"].hidden = True
    ws.column_dimensions.group("E", "G", hidden=True)
    hidden = wb.create_sheet("Hidden")
    hidden.sheet_state = "hidden"
    hidden["B3"] = "x"
    very = wb.create_sheet("Very")
    very.sheet_state = "veryHidden"
    wb.create_sheet("Empty")
    wb.properties.creator, wb.properties.title = "NATO PDD", "Defence expenditure"
    wb.properties.lastModifiedBy = "someone"
    path = tmp_path / "types.xlsx"
    wb.save(path)
    assert_same_as_reference(path)
    got = read_xlsx(path, with_font_color=True)
    data = got.sheet("Data")
    by_ref = {c.ref: c for c in data.cells}
    assert (by_ref["A2"].font_color, by_ref["B2"].font_color, by_ref["C2"].font_color) == \
        ("FF0000FF", "theme:1", "indexed:12")
    assert (by_ref["E1"].type, by_ref["E1"].value) == ("d", "2024-06-17T10:26:00")
    assert (by_ref["D2"].type, by_ref["D2"].value) == ("d", "2023-03-15T00:00:00")
    assert by_ref["H1"].type == "e" and by_ref["D1"] == workbook.Cell(1, 4, "b", True, "theme:1")  # default font
    assert "B5" not in by_ref and "I1" not in by_ref and by_ref["A5"].value == "anchor"
    assert data.hidden_rows == [3] and data.hidden_cols == [3, 5]  # openpyxl keys a <col> range by its first column
    assert [s.state for s in got.sheets] == ["visible", "hidden", "veryHidden", "visible"]
    assert got.properties["creator"] == "NATO PDD" and got.properties["title"] == "Defence expenditure"


def test_same_as_reference_on_hand_written_xml(tmp_path):
    """What openpyxl does not write: cached formula values, inline and rich strings, cells and rows without
    a reference, a later duplicate emptying a cell, values under overlapping merges, duplicate sheet names,
    the 1904 date system, namespaced attributes."""
    strings = (f'<?xml version="1.0"?><sst xmlns="{MAIN}"><si><t>shared</t></si>'
               "<si><r><t>rich </t></r><r><rPr><b/></rPr><t>run</t></r></si><si><t>x005F_y</t></si></sst>")
    styles = (f'<?xml version="1.0"?><styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" '
              'formatCode="dd/mm/yyyy"/></numFmts><fonts count="2"><font/><font><color rgb="ffff0000"/></font>'
              '</fonts><fills count="1"><fill><patternFill/></fill></fills><borders count="1"><border/></borders>'
              '<cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0" fontId="0"/>'
              '<xf numFmtId="164" fontId="0" applyNumberFormat="1"/><xf numFmtId="0" fontId="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" '
              'builtinId="0"/></cellStyles></styleSheet>')
    rows = ('<row r="1" spans="1:9" xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" '
            'x14ac:dyDescent="0.25">'
            '<c r="A1"><f>1+1</f><v>2</v></c><c r="B1" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>'
            '<c r="C1" t="e"><v>#DIV/0!</v></c><c r="D1" t="b"><v>1</v></c><c r="E1" t="d"><v>2024-06-17T10:00:00</v></c>'
            '<c r="F1" t="s"><v>0</v></c><c r="G1" t="s"><v>1</v></c><c r="H1" t="s" s="2"><v>2</v></c>'
            '<c r="I1" t="inlineStr"><is><r><t>in</t></r><r><t>line</t></r></is></c></row>'
            '<row r="2"><c r="A2" s="1"><v>45000</v></c><c><v>7</v></c><c><v>8</v></c><c r="F2"><f>X</f></c></row>'
            '<row><c r="A3"><v>1E-3</v></c><c r="B3"><v>12345678901234567890</v></c></row>'
            '<row r="5" hidden="1"><c r="A5"><v>1</v></c><c r="A5"/></row>'
            '<row r="6" hidden="true"><c r="A6" t="str"><v>anchor</v></c><c r="B6" t="inlineStr"><is><t>under</t></is></c>'
            '<c r="C6"><v>3</v></c><c r="D6"><v>4</v></c></row>'
            '<row r="7" hidden="0"><c r="A7"><v>5</v></c><c r="C7"><v>6</v></c><c r="E7"><v>7</v></c></row>')
    merges = '<mergeCells count="3"><mergeCell ref="A6:B7"/><mergeCell ref="C6:D6"/><mergeCell ref="D6:E7"/></mergeCells>'
    cols = '<cols><col min="2" max="3" hidden="1" width="0"/><col min="6" max="6" hidden="false"/></cols>'
    book = package(["Data", "data", "Data"], strings=True, styles=True, states={"data": "hidden"})
    book["xl/workbook.xml"] = book["xl/workbook.xml"].replace("<sheets>", '<workbookPr date1904="1"/><sheets>')
    core = ('<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/'
            'dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>SIPRI</dc:creator>'
            '<dcterms:created xsi:type="dcterms:W3CDTF">2025-04-24T08:00:00Z</dcterms:created>'
            '<dcterms:modified xsi:type="dcterms:W3CDTF">2025-04-30T09:30:00Z</dcterms:modified></cp:coreProperties>')
    path = tmp_path / "hand.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in book.items():
            z.writestr(name, data)
        z.writestr("xl/sharedStrings.xml", strings)
        z.writestr("xl/styles.xml", styles)
        z.writestr("docProps/core.xml", core)
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml(rows, before=cols, after=merges))
        z.writestr("xl/worksheets/sheet2.xml", sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>'))
        z.writestr("xl/worksheets/sheet3.xml", sheet_xml('<row r="2"><c r="B2"><v>2</v></c></row>'))
    assert_same_as_reference(path)
    got = read_xlsx(path, with_font_color=True)
    assert [s.name for s in got.sheets] == ["Data", "data1", "Data2"]  # openpyxl's names for duplicates
    cells = {c.ref: (c.type, c.value) for c in got.sheet("Data").cells}
    assert cells["A1"] == ("n", 2) and cells["B1"] == ("s", "ab") and cells["C1"] == ("e", "#DIV/0!")
    assert cells["A2"] == ("d", "2027-03-16T00:00:00")  # 1904 system: 4 years and a day later than 1900's
    assert cells["B2"] == ("n", 7) and cells["C2"] == ("n", 8) and "F2" not in cells
    assert cells["G1"] == ("s", "rich run") and cells["H1"] == ("s", "y") and cells["I1"] == ("s", "inline")
    assert cells["B3"] == ("n", 12345678901234567890) and "A5" not in cells
    assert sorted(k for k in cells if k[1] in "67") == ["A6", "C6", "C7"]  # B6, D6, A7, E7 lie under merges
    assert got.sheet("Data").hidden_rows == [5, 6] and got.sheet("Data").hidden_cols == [2]
    assert got.properties == {"creator": "SIPRI", "created": "2025-04-24T08:00:00", "modified": "2025-04-30T09:30:00"}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_same_as_reference_on_random_workbooks(tmp_path, data):
    """Random cells, fonts, hidden rows and columns and merges, saved by openpyxl, read identically."""
    values = st.one_of(st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False, width=32),
                       st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=8),
                       st.booleans(), st.datetimes(dt.datetime(1950, 1, 1), dt.datetime(2030, 1, 1)))
    colors = st.sampled_from([None, "FF0000FF", "FFFF0000", ("theme", 1), ("indexed", 10), ("indexed", 12)])
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for n in range(data.draw(st.integers(1, 3), label="sheets")):
        ws = wb.create_sheet(f"T{n}")
        for _ in range(data.draw(st.integers(0, 40), label="cells")):
            cell = ws.cell(row=data.draw(st.integers(1, 60)), column=data.draw(st.integers(1, 30)))
            cell.value = data.draw(values)
            color = data.draw(colors)
            if color is not None:
                cell.font = Font(color=Color(**{color[0]: color[1]}) if isinstance(color, tuple) else color)
        for r in data.draw(st.lists(st.integers(1, 60), max_size=4)):
            ws.row_dimensions[r].hidden = True
        for c in data.draw(st.lists(st.integers(1, 30), max_size=3)):
            ws.column_dimensions[openpyxl.utils.get_column_letter(c)].hidden = True
        if data.draw(st.booleans(), label="merge"):
            r, c = data.draw(st.integers(1, 50)), data.draw(st.integers(1, 20))
            ws.merge_cells(start_row=r, start_column=c, end_row=r + data.draw(st.integers(0, 5)),
                           end_column=c + data.draw(st.integers(1, 5)))
        ws.sheet_state = data.draw(st.sampled_from(["visible", "hidden"])) if n else "visible"
    path = tmp_path / "random.xlsx"
    wb.save(path)
    assert_same_as_reference(path)

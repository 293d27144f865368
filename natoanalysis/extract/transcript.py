"""Raw text transcription of a workbook: write it, read it back.

Layout of ``data/raw/<source>/<edition>/``::

    workbook.json      sheet order, file names, visibility, hidden rows/columns
    sheets/NN_<name>.csv   one file per sheet: cell,type,value[,font_color]
    provenance.json    where the workbook came from (see provenance.py)

Numbers are written with ``repr`` so that reading them back gives the same
float bit for bit.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from ..errors import DataNotFoundError, LayoutError
from .cells import Cell, Sheet, Workbook, column_index

_REF_RE = re.compile(r"^([A-Z]+)(\d+)$")


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_") or "sheet"


def _fmt(cell: Cell) -> str:
    if cell.type == "n":
        v = cell.value
        return str(v) if isinstance(v, int) else repr(float(v))
    return str(cell.value)


def _parse(ctype: str, text: str) -> object:
    if ctype == "n":
        return int(text) if re.fullmatch(r"-?\d+", text) else float(text)
    if ctype == "b":
        return text == "True"
    return text


def render(workbook: Workbook, *, with_font_color: bool) -> dict[str, str]:
    """Return the transcription as ``{relative path: text}`` without writing it."""
    files: dict[str, str] = {}
    index = []
    for i, sheet in enumerate(workbook.sheets, start=1):
        rel = f"sheets/{i:02d}_{_slug(sheet.name)}.csv"
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        header = ["cell", "type", "value"] + (["font_color"] if with_font_color else [])
        writer.writerow(header)
        for cell in sorted(sheet.cells, key=lambda c: (c.row, c.col)):
            row = [cell.ref, cell.type, _fmt(cell)] + ([cell.font_color] if with_font_color else [])
            writer.writerow(row)
        files[rel] = buf.getvalue()
        index.append({
            "name": sheet.name, "file": rel, "state": sheet.state,
            "hidden_rows": sheet.hidden_rows, "hidden_cols": sheet.hidden_cols,
            "n_cells": len(sheet.cells),
        })
    meta = {"sheets": index, "properties": workbook.properties}
    files["workbook.json"] = json.dumps(meta, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    return files


def read(folder: str | Path) -> Workbook:
    """Read a transcription folder back into a :class:`Workbook`."""
    folder = Path(folder)
    meta_path = folder / "workbook.json"
    if not meta_path.is_file():
        raise DataNotFoundError(f"no transcription in {folder}: workbook.json is missing")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    sheets = []
    for entry in meta["sheets"]:
        cells = []
        seen: set[str] = set()
        with (folder / entry["file"]).open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            for rec in reader:
                m = _REF_RE.match(rec["cell"])
                if not m:
                    raise LayoutError(f"bad cell reference {rec['cell']!r} in {entry['file']}", sheet=entry["name"])
                if rec["cell"] in seen:
                    # A workbook has one value per cell: a second line would silently win over the first.
                    raise LayoutError(f"cell {rec['cell']} is transcribed twice in {entry['file']}",
                                      sheet=entry["name"])
                seen.add(rec["cell"])
                cells.append(Cell(int(m.group(2)), column_index(m.group(1)), rec["type"],
                                  _parse(rec["type"], rec["value"]), rec.get("font_color") or ""))
        sheets.append(Sheet(entry["name"], cells, entry.get("state", "visible"),
                            entry.get("hidden_rows", []), entry.get("hidden_cols", [])))
    return Workbook(sheets=sheets, properties=meta.get("properties", {}))

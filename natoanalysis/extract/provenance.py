"""Provenance sidecars: where each raw transcription came from, and what its content is.

The record of a known edition takes the publisher's metadata from
``reference/editions.csv``; for an unknown one the caller supplies what it
knows and the rest is left empty, never guessed. ``content_sha256`` hashes
the cells themselves (numbers at Excel's 15 significant digits), so a copy of
a workbook re-saved by another program, which rewrites the file's bytes and
its save date, nearly always has the content hash of the original (ingest
compares the cells themselves when the hashes differ: a number on a rounding
boundary can fall either way).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pandas as pd

from .cells import Workbook

FIELDS = ["source", "edition", "publisher", "title", "url", "redirects", "publication_date", "data_cutoff",
          "access_date", "terms", "definition", "first_year", "last_year", "estimate_years", "base_year",
          "identified_by", "file_name", "sha256", "size_bytes", "publisher_sha256", "is_publisher_file",
          "content_sha256", "transcribed_files"]


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def content_sha256(workbook: Workbook) -> str:
    """sha256 of a workbook's content: sheets, their visibility and hidden rows, and every cell.

    Document properties (author, save dates) are left out: they change when a
    copy is saved again, the figures do not.

    Examples
    --------
    >>> from natoanalysis.extract.cells import Cell, Sheet
    >>> a = Workbook([Sheet("T", [Cell(1, 1, "n", 25847.997999999996)])], {"modified": "2024-06-17"})
    >>> b = Workbook([Sheet("T", [Cell(1, 1, "n", 25847.998)])], {"modified": "2026-12-01"})
    >>> content_sha256(a) == content_sha256(b)
    True
    """
    digest = hashlib.sha256()
    for sheet in workbook.sheets:
        digest.update(json.dumps([sheet.name, sheet.state, sheet.hidden_rows, sheet.hidden_cols]).encode())
        for c in sorted(sheet.cells, key=lambda c: (c.row, c.col)):
            # Excel keeps 15 significant digits; writers differ beyond them (openpyxl writes 16, Excel 17).
            value = format(float(c.value), ".15g") if c.type == "n" else c.value
            digest.update(f"\n{c.row},{c.col},{c.type},{value},{c.font_color}".encode())
        digest.update(b"\0")
    return digest.hexdigest()


def build(*, source: str, edition: str, file_name: str, sha256: str, size: int, accessed: dt.date,
          files: dict[str, str], content: str, identity, coverage: dict, url: str | None = None,
          redirects: list[str] | None = None) -> str:
    """The provenance record of a transcription, as the text of its ``provenance.json``.

    ``identity`` is the :class:`natoanalysis.editions.Identity` of the
    workbook and ``coverage`` what its tables cover (``definition``,
    ``first_year``, ``last_year``, ``estimate_years``, ``base_year``).
    """
    known = identity.record or {}
    record = {
        "source": source,
        "edition": edition,
        "publisher": known.get("publisher", ""),
        "title": known.get("title", ""),
        "url": url or known.get("url", ""),
        "redirects": list(redirects or []),
        "publication_date": known.get("publication_date", ""),
        "data_cutoff": known.get("data_cutoff", "") or None,
        "access_date": accessed.isoformat(),
        "terms": known.get("terms", ""),
        **coverage,
        "identified_by": identity.how,
        "file_name": file_name,
        "sha256": sha256,
        "size_bytes": size,
        "publisher_sha256": known.get("sha256", "") or None,
        "is_publisher_file": identity.is_publisher_file,
        "content_sha256": content,
        "transcribed_files": {name: hashlib.sha256(text.encode("utf-8")).hexdigest()
                              for name, text in sorted(files.items())},
    }
    return json.dumps(record, indent=2, ensure_ascii=False) + "\n"


def read(folder: Path) -> dict:
    """The provenance record of one transcription folder."""
    return json.loads((folder / "provenance.json").read_text(encoding="utf-8"))


def read_all(root: Path) -> pd.DataFrame:
    """Every provenance record read for ``root``, one row per transcription (hidden folders are not editions).

    The root's editions and, for an installed package's own data folder, the
    bundled ones (:func:`natoanalysis.config.raw_source_dirs`); an edition in
    both is the root's. ``raw_path`` is ``raw/<source>/<edition>`` below
    the data folder that holds it.
    """
    from .. import atomic, config

    rows = []
    for source in config.raw_sources(root):
        seen = set()
        for folder in config.raw_source_dirs(root, source):
            # the editions as the store reads them: no links, backups or unfinished writes (atomic.published)
            for edition, where in atomic.published(folder).items():
                path = where / "provenance.json"
                if edition in seen or path.is_symlink() or not path.is_file():
                    continue
                seen.add(edition)
                rec = json.loads(path.read_text(encoding="utf-8"))
                rec["raw_path"] = f"raw/{source}/{edition}"
                rec["n_transcribed_files"] = len(rec.pop("transcribed_files", {}))
                rows.append(rec)
    rows.sort(key=lambda r: r["raw_path"])
    cols = [f for f in FIELDS if f != "transcribed_files"] + ["raw_path", "n_transcribed_files"]
    return pd.DataFrame(rows, columns=cols)

"""Provenance sidecars: where each raw transcription came from.

Known official files are recognised by their sha256 in
``reference/known_sources.csv``, which holds their publisher metadata; for an
unknown file the caller supplies what it knows and the rest is left empty,
never guessed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path

import pandas as pd

from . import registry

FIELDS = ["source", "edition", "publisher", "title", "url", "redirects", "publication_date", "data_cutoff",
          "access_date", "terms", "file_name", "sha256", "size_bytes", "transcribed_files"]


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def known_source(sha256: str) -> dict[str, str] | None:
    """Publisher metadata of a known official file, by content hash.

    Examples
    --------
    >>> known_source("1897e2ead4be252c5c9a9d2f2696a65398c51375c88a2e7425339a8d368a600b")["edition"]
    '2024-06'
    >>> known_source("0" * 64) is None
    True
    """
    df = registry._read_reference("known_sources.csv")
    hit = df[df["sha256"] == sha256]
    return None if hit.empty else hit.iloc[0].to_dict()


def infer_edition(path: str | Path, properties: dict[str, str]) -> str | None:
    """Edition ``YYYY-MM`` from a NATO file name (``240617-...``) or the workbook's save date.

    Examples
    --------
    >>> infer_edition("240617-def-exp-2024-TABLES-en.xlsx", {})
    '2024-06'
    >>> infer_edition("def-exp-2025-en.xlsx", {"modified": "2025-08-27T09:00:00"})
    '2025-08'
    """
    m = re.match(r"^(\d{2})(\d{2})(\d{2})-", Path(path).name)
    if m and 1 <= int(m.group(2)) <= 12:
        return f"20{m.group(1)}-{m.group(2)}"
    stamp = properties.get("modified") or properties.get("created")
    if stamp:
        return stamp[:7]
    return None


def build(*, source: str, edition: str, workbook_path: Path, sha256: str, size: int, accessed: dt.date,
          files: dict[str, str], url: str | None = None, redirects: list[str] | None = None) -> dict:
    """Assemble the provenance record for a transcription.

    ``redirects`` is the chain of URLs a download went through, from the link to ``url`` (empty when
    it was not redirected or not downloaded by the package).
    """
    known = known_source(sha256) or {}
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
        "file_name": workbook_path.name,
        "sha256": sha256,
        "size_bytes": size,
        "transcribed_files": {name: hashlib.sha256(text.encode("utf-8")).hexdigest()
                              for name, text in sorted(files.items())},
    }
    return record


def dumps(record: dict) -> str:
    return json.dumps(record, indent=2, ensure_ascii=False) + "\n"


def read_all(root: Path) -> pd.DataFrame:
    """Every provenance record under ``root/raw``, one row per transcription."""
    rows = []
    for path in sorted((root / "raw").glob("*/*/provenance.json")):
        rec = json.loads(path.read_text(encoding="utf-8"))
        rec["raw_path"] = str(path.parent.relative_to(root))
        rec["n_transcribed_files"] = len(rec.pop("transcribed_files", {}))
        rows.append(rec)
    cols = [f for f in FIELDS if f != "transcribed_files"] + ["raw_path", "n_transcribed_files"]
    return pd.DataFrame(rows, columns=cols)

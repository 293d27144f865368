"""Ingest stage: an official workbook -> faithful text transcription in ``data/raw``.

The workbook is parsed and checked before anything is written, and the
transcription folder is swapped in atomically: a workbook that cannot be read
leaves the previous raw data exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pandas as pd

from . import atomic, handlers, paths, provenance, transcript
from .errors import WorkbookError
from .workbook import read_xlsx


def resolve_edition(path: Path, properties: dict[str, str], sha256: str, edition: str | None) -> str:
    """Edition given by the caller, else the known-sources registry, else the file name or save date."""
    if edition:
        return edition
    known = provenance.known_source(sha256)
    if known:
        return known["edition"]
    inferred = provenance.infer_edition(path, properties)
    if inferred is None:
        raise WorkbookError(f"cannot tell the edition of {path.name}; pass edition='YYYY-MM'")
    return inferred


def read_workbook(path: str | os.PathLike, *, source: str = "nato", edition: str | None = None,
                  run_checks: bool = True) -> pd.DataFrame:
    """Return the tidy table straight from an official workbook, writing nothing.

    Parameters
    ----------
    path : path-like
        The publisher's ``.xlsx`` file.
    source : {"nato", "sipri"}
        Which publisher's layout to read.
    edition : str, optional
        ``"YYYY-MM"``; inferred from the file when omitted.
    run_checks : bool, default True
        Run the consistency checks (raise on failures not on the whitelist).

    Returns
    -------
    pandas.DataFrame
        The same tidy schema as :func:`natoanalysis.load`.

    Examples
    --------
    >>> from pathlib import Path
    >>> wb = Path(__file__).parents[2] / "shared/data/nato/240617-def-exp-2024-TABLES-en.xlsx"
    >>> df = read_workbook(wb) if wb.exists() else None
    >>> df is None or df["edition"].unique().tolist() == ["2024-06"]
    True
    """
    handler = handlers.get(source)
    path = Path(path)
    workbook = read_xlsx(path, with_font_color=handler.with_font_color)
    sha = provenance.sha256_file(path)
    ed = resolve_edition(path, workbook.properties, sha, edition)
    return handler.tidy(workbook, edition=ed, run_checks=run_checks)


def ingest(path: str | os.PathLike, *, source: str = "nato", edition: str | None = None,
           data_dir: str | os.PathLike | None = None, accessed: dt.date | str | None = None,
           url: str | None = None, redirects: list[str] | None = None) -> Path:
    """Transcribe an official workbook into ``<data>/raw/<source>/<edition>/``.

    Parameters
    ----------
    path : path-like
        The publisher's workbook.
    source : {"nato", "sipri"}
        Publisher.
    edition : str, optional
        ``"YYYY-MM"``; inferred when omitted.
    data_dir : path-like, optional
        Data root (default: ``NATOANALYSIS_DATA_DIR`` or the repository's ``data/``).
    accessed : date or ``"YYYY-MM-DD"``, optional
        When the file was obtained from the publisher (default: today).
    url : str, optional
        Where it was downloaded from, if not the registered URL.
    redirects : list of str, optional
        The redirect chain of the download, from the link to ``url`` (provenance field ``redirects``).

    Returns
    -------
    pathlib.Path
        The transcription folder.
    """
    handler = handlers.get(source)
    path = Path(path)
    if isinstance(accessed, str):
        try:
            accessed = dt.date.fromisoformat(accessed)
        except ValueError:
            raise ValueError(f"accessed must be a date 'YYYY-MM-DD', got {accessed!r}") from None
    accessed = accessed or dt.date.today()
    workbook = read_xlsx(path, with_font_color=handler.with_font_color)
    sha = provenance.sha256_file(path)
    ed = resolve_edition(path, workbook.properties, sha, edition)
    # Parse and check first: a workbook we cannot read must not replace good raw data.
    handler.tidy(workbook, edition=ed, run_checks=True)
    files = transcript.render(workbook, with_font_color=handler.with_font_color)
    record = provenance.build(source=source, edition=ed, workbook_path=path, sha256=sha,
                              size=path.stat().st_size, accessed=accessed, files=files, url=url,
                              redirects=redirects)
    files["provenance.json"] = provenance.dumps(record)
    root = paths.data_root(data_dir, must_exist=False)
    target = paths.raw_dir(root, source, ed)
    atomic.replace_dir(target, files)
    return target

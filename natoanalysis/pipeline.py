"""The pipeline: workbook -> cells (extract) -> tidy table and checks (transform) -> raw transcription.

One pipeline for every source: read the cells, recognise the edition from
what the tables cover (:mod:`natoanalysis.edition`), parse and check them,
and only then write. The transcription folder is swapped in atomically, so a
workbook that cannot be read leaves the previous raw data exactly as it was;
a workbook whose content is already bundled changes nothing; and one whose
content differs from the bundled edition of the same id is refused unless
``replace=True``, which keeps the previous transcription as a dated backup.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path
from typing import Mapping

import pandas as pd

from . import atomic, config, edition as editions, validate
from .errors import ArgumentError, DataFolderError, WorkbookError, echo
from .extract import fetch as fetch_stage, provenance, transcript
from .extract.cells import Workbook, read_xlsx
from .transform import checks, misread, sources

@dataclasses.dataclass(frozen=True)
class IngestResult:
    """What :func:`ingest` did.

    ``status`` is ``"new"`` (a new edition), ``"unchanged"`` (the same
    content was already transcribed: nothing written) or ``"replaced"``;
    ``findings`` are the checks' findings (whitelist applied), ``backup`` the
    folder the previous transcription was moved to on a replace. The result
    is path-like: ``os.fspath(result)`` is the transcription folder.
    """

    path: Path
    source: str
    edition: str
    status: str
    identified_by: str
    findings: pd.DataFrame | None = None
    backup: Path | None = None

    def __fspath__(self) -> str:
        return str(self.path)

    def summary(self) -> str:
        """One line on what happened, then the findings not on the whitelist."""
        what = {"new": "transcribed", "unchanged": "already transcribed with identical content (nothing written)",
                "replaced": f"replaced (previous transcription kept in {self.backup})" if self.backup else
                "transcribed in the data folder, where it is read in place of the bundled one (which stays as it "
                "was)"}[self.status]
        lines = [f"{self.source} edition {self.edition} ({self.identified_by}): {what} -> {self.path}"]
        if self.findings is not None and self.status != "unchanged":
            lines.append(checks.summary(self.findings))
        return "\n".join(lines)


def _read(path: Path, *, source: str, edition: str | None, strict: bool, run_checks: bool = True):
    record = sources.get(source)
    if edition is not None:
        editions.check_id(edition, source=source)
    workbook = read_xlsx(path, with_font_color=record.with_font_color)
    sha = provenance.sha256_file(path)
    coverage = record.scan(workbook)
    identity = editions.identify(source=source, **coverage, properties=workbook.properties, sha256=sha,
                                 requested=edition, name=path.name)
    tidy = record.tidy(workbook, edition=identity.edition, run_checks=run_checks, strict=strict)
    return workbook, sha, coverage, identity, tidy


@dataclasses.dataclass(frozen=True)
class WorkbookRead:
    """What :func:`read_workbook` read: the tidy table, and beside it what was learnt reading it.

    ``table`` is the tidy table (the schema of :func:`natoanalysis.load`, with
    empty ``attrs``, so every pandas operation works on it); ``identity``
    says which edition the workbook is and how that was decided
    (:class:`natoanalysis.edition.Identity`); ``findings`` are the checks'
    findings (None without checks); ``quirks`` and ``notes`` the layout quirks
    and the tables' notes.
    """

    table: pd.DataFrame
    identity: editions.Identity
    findings: pd.DataFrame | None
    quirks: tuple
    notes: Mapping


def read_workbook(path: str | os.PathLike, *, source: str = "nato", edition: str | None = None,
                  run_checks: bool = True, strict: bool = False) -> WorkbookRead:
    """Read the tidy table straight from an official workbook, writing nothing.

    Parameters
    ----------
    path : path-like
        The publisher's ``.xlsx`` file (or any copy of it).
    source : {"nato", "sipri"}
        Which publisher's layout to read.
    edition : str, optional
        ``"YYYY-MM"``; recognised from the workbook's content when omitted.
    run_checks : bool, default True
        Run the consistency and plausibility rules; their findings are in the
        result's ``findings``.
    strict : bool, default False
        Raise on any finding not on the whitelist.

    Returns
    -------
    WorkbookRead
        ``table`` in the same tidy schema as :func:`natoanalysis.load`;
        ``identity`` says which edition the workbook is and how that was
        decided; ``findings``, ``quirks`` and ``notes`` what the checks found.

    Examples
    --------
    >>> from pathlib import Path
    >>> wb = Path(__file__).parents[2] / "shared/data/nato/240617-def-exp-2024-TABLES-en.xlsx"
    >>> got = read_workbook(wb) if wb.exists() else None
    >>> got is None or (got.table["edition"].unique().tolist(), got.identity.is_publisher_file) == (["2024-06"], True)
    True
    """
    _, _, _, identity, tidy = _read(Path(path), source=source, edition=edition, strict=strict, run_checks=run_checks)
    return WorkbookRead(tidy.table, identity, tidy.findings, tidy.quirks, tidy.notes)


#: Two numbers are the same figure when they agree to this relative difference: writers keep 15 to 17
#: significant digits (openpyxl writes 16), so a re-saved copy differs from the original in the last one.
SAME_NUMBER_RTOL = 1e-13


def _differences(old: Workbook, new: Workbook) -> str | None:
    """How two transcriptions of an edition differ, in a few words for a message; None when they do not."""
    layout = [(s.name, s.state, s.hidden_rows, s.hidden_cols) for s in old.sheets]
    same_layout = layout == [(s.name, s.state, s.hidden_rows, s.hidden_cols) for s in new.sheets]

    def cells(wb):
        return {(s.name, c.ref): c for s in wb.sheets for c in s.cells}

    def same(a, b) -> bool:
        if a.type != b.type or a.font_color != b.font_color:
            return False
        if a.type == "n":
            x, y = float(a.value), float(b.value)
            return x == y or abs(x - y) <= SAME_NUMBER_RTOL * max(abs(x), abs(y))
        return a.value == b.value

    a, b = cells(old), cells(new)
    changed = sorted(k for k in a.keys() & b.keys() if not same(a[k], b[k]))
    only = sorted(a.keys() ^ b.keys())
    parts = []
    if changed:
        sheet, ref = changed[0]
        parts.append(f"{len(changed)} cell(s) differ (first: {sheet}!{ref} {a[changed[0]].value!r} -> "
                     f"{b[changed[0]].value!r})")
    if only:
        parts.append(f"{len(only)} cell(s) are in one and not the other (first: {only[0][0]}!{only[0][1]})")
    if not same_layout:
        parts.append("sheet names, order, visibility or hidden rows differ")
    return "; ".join(parts) or None


def ingest(path: str | os.PathLike, *, source: str = "nato", edition: str | None = None,
           data_dir: str | os.PathLike | None = None, accessed: dt.date | str | None = None,
           url: str | None = None, redirects: list[str] | None = None, strict: bool = False,
           replace: bool = False, expect_last_year: int | None = None,
           file_name: str | None = None, force: bool = False) -> IngestResult:
    """Transcribe an official workbook into ``<data>/raw/<source>/<edition>/``.

    Parameters
    ----------
    path : path-like
        The publisher's workbook.
    source : {"nato", "sipri"}
        Publisher.
    edition : str, optional
        ``"YYYY-MM"``; recognised from the workbook's content when omitted
        (refused if it contradicts the content).
    data_dir : path-like, optional
        Data root (default: ``NATOANALYSIS_DATA_DIR`` or the repository's ``data/``).
    accessed : date or ``"YYYY-MM-DD"``, optional
        When the file was obtained from the publisher (default: today).
    url : str, optional
        Where it was downloaded from, if not the registered URL.
    redirects : list of str, optional
        The redirects the download followed, recorded in the provenance.
    strict : bool, default False
        Refuse the workbook if the checks find anything not on the whitelist
        (by default findings are recorded and summarised, not fatal).
    replace : bool, default False
        Replace an edition already transcribed with different content (the
        previous transcription is kept in ``raw/<source>/.backups/``).
    expect_last_year : int, optional
        Refuse the workbook unless its tables end in this year (a download
        linked as one edition that holds another).
    file_name : str, optional
        The publisher's name of the file, for the provenance (default: the
        file's own name; a download is stored under a name of our choosing).
    force : bool, default False
        Accept a workbook that shows a symptom of a misread
        (:mod:`natoanalysis.transform.misread`: shares that look like
        fractions, negative money, impossible magnitudes, a table shifted by a
        year or a row against the newest edition already transcribed), for a
        publisher's real oddity. Without it such a workbook is refused.

    Returns
    -------
    IngestResult
        Path-like; ``status`` is ``"new"``, ``"unchanged"`` or ``"replaced"``.

    Raises
    ------
    WorkbookError
        Not a readable workbook, an edition that cannot be recognised,
        different content for an edition already transcribed (without
        ``replace``), or a symptom of a misread (without ``force``).
    LayoutError, ValidationError
        Structural faults; findings under ``strict``.
    """
    path = Path(path)
    accessed = dt.date.today() if accessed is None else validate.date(accessed, name="accessed")
    workbook, sha, coverage, identity, tidy = _read(path, source=source, edition=edition, strict=strict)
    if expect_last_year is not None and coverage["last_year"] != expect_last_year:
        raise WorkbookError(f"{path.name} was expected to hold {source}'s {expect_last_year} tables but its tables "
                            f"end in {coverage['last_year']} (edition {identity.edition}): the link points at "
                            "another edition's file; nothing was kept")
    root = config.data_root(data_dir, must_exist=False)
    _refuse_misread(tidy.table, previous=_previous(root, source, identity.edition), name=path.name, force=force)
    files = transcript.render(workbook, with_font_color=sources.get(source).with_font_color)
    content = provenance.content_sha256(workbook)
    status = "new"
    root.mkdir(parents=True, exist_ok=True)
    # One writer at a time, and no reader between the renames (readers take the lock too).
    with atomic.lock(root):
        parent = atomic.folder(root, "raw", source)
        atomic.settle(parent, identity.edition)
        target = parent / identity.edition
        # The edition as read now: the root's, else (an installed package) the bundled one, never written to.
        current = config.find_raw(root, source, identity.edition)
        if (current / "provenance.json").is_file():
            difference = _differences(transcript.read(current), workbook)
            if difference is None:
                return IngestResult(path=current, source=source, edition=identity.edition, status="unchanged",
                                    identified_by=identity.how, findings=tidy.findings)
            if not replace:
                raise WorkbookError(f"{path.name} is {source} edition {identity.edition}, which is already transcribed "
                                    f"in {target} with different content: {difference}; pass --replace "
                                    "(replace=True) to replace it (the current transcription is kept as a dated backup)")
            status = "replaced"
        record = provenance.build(source=source, edition=identity.edition, file_name=file_name or path.name,
                                  sha256=sha, size=path.stat().st_size, accessed=accessed, files=files,
                                  content=content, identity=identity, coverage=coverage, url=url, redirects=redirects)
        files["provenance.json"] = record  # written last: the record of the files before it
        # A bundled edition stays where it is (nothing to back up); the root's own is moved to .backups/.
        try:
            backup = atomic.publish(parent, identity.edition, files)
        except OSError as exc:  # a full disk, a file-size limit, a read-only folder
            raise DataFolderError(f"{source} edition {identity.edition} cannot be written in {parent} "
                                  f"({exc.strerror or exc}); nothing was changed there") from None
    return IngestResult(path=target, source=source, edition=identity.edition, status=status,
                        identified_by=identity.how, findings=tidy.findings, backup=backup)


def _previous(root: Path, source: str, edition: str) -> pd.DataFrame | None:
    """The newest other edition of ``source`` already transcribed (the data folder's or the bundled), as tidy rows."""
    found: dict[str, Path] = {}
    for parent in config.raw_source_dirs(root, source):
        for name, folder in atomic.published(parent).items():
            if editions.PATTERN.match(name) and name != edition and (folder / "provenance.json").is_file():
                found[name] = folder
    if not found:
        return None
    newest = max(found)
    return sources.get(source).tidy(transcript.read(found[newest]), edition=newest, run_checks=False).table


def _refuse_misread(tidy: pd.DataFrame, *, previous: pd.DataFrame | None, name: str, force: bool) -> None:
    """Refuse, in one line, a workbook that shows a symptom of a misread, unless ``force``."""
    found = misread.symptoms(tidy, previous=previous)
    if found and not force:
        more = f" (and {len(found) - 1} more symptom{'s' if len(found) > 2 else ''})" if len(found) > 1 else ""
        raise WorkbookError(f"{name} looks misread, nothing was kept: {found[0]}{more}; check the workbook, or "
                            "ingest it with --force (force=True) if the publisher printed it so")


def fetch(*, source: str = "nato", year: int | str | None = None, page_url: str | None = None,
          data_dir: str | os.PathLike | None = None, timeout: float = fetch_stage.DEFAULT_TIMEOUT_S,
          accessed: dt.date | str | None = None) -> fetch_stage.FetchResult:
    """Download the publisher's newest (or asked) workbook and ingest it as an edition.

    The download (:func:`natoanalysis.extract.fetch.fetch`: the publisher's
    page, links on allowed hosts only, a total deadline and size caps) is kept
    only when :func:`ingest` accepts it, and the workbook's tables must end in
    the year of its link.

    Parameters
    ----------
    source : {"nato", "sipri"}
    year : int or str, optional
        The year in the publisher's file name (``2025`` for
        ``def-exp-2025-en.xlsx``), the last year of its tables; default: the
        newest linked. The edition it becomes (``"2025-08"``) is named from
        the workbook's content.
    page_url : str, optional
        Publisher page (default: ``$NATOANALYSIS_<SOURCE>_PAGE_URL`` or ``reference/publishers.csv``).
    data_dir : path-like, optional
        Data root.
    timeout : float, default 60
        Time limit in seconds of the whole fetch.
    accessed : date or ``"YYYY-MM-DD"``, optional
        Access date for the provenance record (default: today).

    Examples
    --------
    >>> fetch(source="sipri", timeout=-1)
    Traceback (most recent call last):
    ...
    ValueError: timeout must be a number of seconds with 0 < timeout <= 86400 (...), got -1
    """
    if year is not None:
        try:
            year = int(year)
        except (TypeError, ValueError):
            raise ArgumentError(f"year must be a year such as 2025, got {echo(year)}") from None
    return fetch_stage.fetch(ingest=ingest, source=source, edition=year, page_url=page_url, data_dir=data_dir,
                             timeout=timeout, accessed=accessed)

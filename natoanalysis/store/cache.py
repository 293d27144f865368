"""The processed cache: ``data/raw`` -> ``data/processed``, verified against the raw files and their provenance.

The processed table is an Arrow IPC file (Feather v2, uncompressed: no decoding on a first load; pandas, R's
arrow, polars and DuckDB read it) per source. A build checks every raw file against the sha256 its edition's
``provenance.json`` records (:func:`verify_raw`) and records, with the table, the names, sizes and modification
times of those raw files and of the package code that read them. A load serves the table while these are
unchanged and the table matches its own recorded CRC-32; any change rebuilds it, verifying again, so a fixed
reader never leaves a stale table behind, and the first load of a process reads no raw file at all. Within one
process the last table read is also kept in memory under the same key.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from pyarrow import feather

from .. import atomic, config, edition as editions_mod
from ..errors import DataFolderError, DataIntegrityError, DataNotFoundError, NatoAnalysisError

#: The last table read of each data folder and source, under its key (:func:`cache_key`).
_MEMO: dict[tuple[str, str], tuple[str, pd.DataFrame, dict]] = {}


def checked_source(source: object) -> str:
    """A source's name (any case) when it is a plain name (safe in a path); else the error naming the sources.

    A plain name that is no source is refused when its table is built: the
    sources' readers are imported only then, so a first load stays quick.

    Examples
    --------
    >>> checked_source(" SIPRI")
    'sipri'
    >>> checked_source("../nato")
    Traceback (most recent call last):
    ...
    ValueError: unknown source '../nato'; accepted: nato, sipri
    """
    name = source.strip().lower() if isinstance(source, str) else ""
    if not (name.isascii() and name.isalpha()):
        from ..transform import sources

        return sources.get(source).name  # raises: no source has such a name
    return name


def edition_folders(root: Path, source: str) -> dict[str, Path]:
    """The folder each edition of a source is read from, oldest first: the root's, else the bundled one.

    Only real folders named as an edition and holding a ``provenance.json`` count
    (:func:`natoanalysis.atomic.published`: links, backups and what a killed ingest left unfinished are not
    editions; one it left between its two renames is).

    Examples
    --------
    >>> from natoanalysis import edition
    >>> set(edition_folders(config.data_root(), "nato")) <= set(edition.known(source="nato")["edition"])
    True
    """
    found: dict[str, Path] = {}
    for parent in reversed(config.raw_source_dirs(root, source)):  # the root's last: its editions win
        for name, folder in atomic.published(parent).items():
            record = folder / "provenance.json"
            if editions_mod.PATTERN.match(name) and record.is_file() and not record.is_symlink():
                found[name] = folder
    return dict(sorted(found.items()))


def raw_editions(root: Path, source: str) -> list[str]:
    """Editions with a transcription under ``raw/<source>`` (the root's and the bundled), oldest first.

    Examples
    --------
    >>> raw_editions(config.data_root(), "nato") == sorted(edition_folders(config.data_root(), "nato"))
    True
    """
    return list(edition_folders(root, source))


def _files(folder: Path) -> list[Path]:
    """Every entry of a folder that is not a folder, links included (never followed), sorted."""
    out = []
    for top, dirs, files in os.walk(folder):  # os.walk does not descend into links to folders
        out += [Path(top, name) for name in files + [d for d in dirs if Path(top, d).is_symlink()]]
    return sorted(out)


def raw_fingerprint(root: Path, source: str) -> str:
    """sha256 over the name, size and modification time of every raw file of a source's editions.

    Cheap (no file is read), so every first load can ask it; a build verifies what it reads (:func:`verify_raw`).
    """
    digest = hashlib.sha256()
    for ed, folder in edition_folders(root, source).items():
        for p in _files(folder):
            st = p.lstat()
            # Named from the source folder (edition/...), whichever folder (the root's or the bundled) holds it.
            digest.update(f"{ed}/{p.relative_to(folder).as_posix()}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return digest.hexdigest()


#: Stages above the store (pyproject's import-linter layers): the store cannot import them, so they cannot
#: change what it builds. Any other folder of the package, a new one included, is fingerprinted.
_ABOVE_THE_STORE = ("__pycache__", config.BUNDLED_DIR, "metrics", "views", "claims", "charts", "reports")


@functools.lru_cache(maxsize=1)
def code_fingerprint(package: Path = Path(__file__).resolve().parent.parent) -> str:
    """sha256 over the name, size and modification time of the Python sources and reference files the store uses.

    What turns raw into processed: a changed reader rebuilds the table.
    """
    digest = hashlib.sha256()
    for top, dirs, files in os.walk(package):
        # The bundled transcriptions of an installed package are raw data (in raw_fingerprint), not code.
        dirs[:] = sorted(d for d in dirs if d not in _ABOVE_THE_STORE)
        for name in sorted(f for f in files if f.endswith((".py", ".csv", ".json"))):
            path = os.path.join(top, name)
            st = os.lstat(path)
            digest.update(f"{path[len(str(package)):]}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def cache_key(root: Path, source: str) -> str:
    """Key of the processed table: the raw files' fingerprint and the code's together."""
    return hashlib.sha256(f"{raw_fingerprint(root, source)}:{code_fingerprint()}".encode()).hexdigest()


def verify_raw(root: Path, source: str, edition: str) -> None:
    """Check an edition's raw files against the sha256 of each in its ``provenance.json``.

    Raw data is never edited by hand: a file that differs from its record, one that is missing, one that is
    not in it, or a link, is an error naming the file.
    """
    from ..extract import provenance

    folder = edition_folders(root, source).get(edition) or config.find_raw(root, source, edition)
    try:
        recorded = provenance.read(folder).get("transcribed_files")
    except (OSError, ValueError) as exc:
        raise DataIntegrityError(f"{folder / 'provenance.json'} cannot be read ({exc}); re-ingest the workbook") \
            from None
    if not isinstance(recorded, dict) or not recorded:
        raise DataIntegrityError(f"{folder / 'provenance.json'} records no sha256 of the transcribed files; "
                                 "re-ingest the workbook")
    present = {p.relative_to(folder).as_posix() for p in _files(folder)} - {"provenance.json"}
    for rel in sorted(present | set(recorded)):
        path = folder / rel
        if path.is_symlink():
            raise DataIntegrityError(f"{path} is a link; raw data is written by ingest only and links are not "
                                     "followed: remove it, or re-ingest the workbook")
        if rel not in recorded:
            raise DataIntegrityError(f"{path} is not one of the files its provenance.json records; raw data is "
                                     "written by ingest only (remove it, or re-ingest the workbook)")
        if rel not in present:
            raise DataIntegrityError(f"{path} is missing (its provenance.json records it); re-ingest the workbook")
        if hashlib.sha256(path.read_bytes()).hexdigest() != recorded[rel]:
            raise DataIntegrityError(f"{path} does not match the sha256 its provenance.json records (edited by "
                                     "hand?); raw data is written by ingest only: re-ingest the workbook with "
                                     "--replace, or restore the file")


def _processed_paths(root: Path, source: str) -> tuple[Path, Path]:
    d = config.processed_dir(root)
    return d / f"{source}.arrow", d / f"{source}.meta.json"


def _table_bytes(df: pd.DataFrame) -> bytes:
    """The table as an Arrow IPC file, uncompressed (Feather v2: ``pandas.read_feather`` reads it)."""
    sink = pa.BufferOutputStream()
    feather.write_feather(df, sink, compression="uncompressed")
    return sink.getvalue().to_pybytes()


def _read_table(data: bytes) -> pd.DataFrame:
    """The table with the dtypes pandas' metadata in the file records: each column through its dtype's reader.

    Not ``Table.to_pandas``, nor labels from Python strings: either sets up pyarrow's pandas layer (3-6 ms).
    """
    table = pa.ipc.open_file(pa.BufferReader(data)).read_all()
    kinds = [c["numpy_type"] for c in json.loads(table.schema.metadata[b"pandas"])["columns"]]
    dtypes = {kind: pd.api.types.pandas_dtype(kind) for kind in set(kinds)}
    df = pd.DataFrame({i: dtypes[k].__from_arrow__(c) if hasattr(dtypes[k], "__from_arrow__") else c.to_numpy()
                       for i, (k, c) in enumerate(zip(kinds, table.columns, strict=True))}, copy=False)
    text = pd.api.types.pandas_dtype("str")  # pandas 3 labels a frame with Arrow text: made from buffers here
    if isinstance(text, pd.StringDtype) and text.storage == "pyarrow":
        names = [name.encode() for name in table.column_names]
        offsets = pa.py_buffer(np.cumsum([0, *map(len, names)]))
        labels = pa.Array.from_buffers(pa.large_string(), len(names), [None, offsets, pa.py_buffer(b"".join(names))])
        df.columns = pd.arrays.ArrowStringArray(labels, dtype=text)
    else:
        df.columns = table.column_names
    return df


def _write(root: Path, source: str, df: pd.DataFrame, meta: dict) -> None:
    """Write the table and its metadata (each a staged file and a rename); one line on any failure."""
    table_path, meta_path = _processed_paths(root, source)
    atomic.folder(root, "processed")
    for p in (table_path, meta_path):
        if p.is_dir() and not p.is_symlink():
            raise NatoAnalysisError(f"{p} is a folder where the processed table belongs; remove it "
                                    "(natoanalysis build writes it again)")
    data = _table_bytes(df)
    # A checksum finds a damaged file in half sha256's time (who could forge one could rewrite this record too)
    meta["table_crc32"] = zlib.crc32(data)
    try:
        atomic.write_bytes(table_path, data)
        atomic.write_bytes(meta_path, (json.dumps(meta, indent=2, ensure_ascii=False, default=str) + "\n").encode())
    except OSError as exc:
        raise DataFolderError(f"the processed table {table_path} cannot be written ({exc.strerror or exc}); free "
                              f"space or make the folder writable, or point {config.DATA_DIR_ENV} at a "
                              "writable copy of the data folder") from None


def _build(root: Path, source: str) -> tuple[pd.DataFrame, dict]:
    from ..extract import transcript
    from ..transform import sources

    handler = sources.get(source)  # an unknown source is refused here, before anything is read
    editions = edition_folders(root, source)
    if not editions:
        raise DataNotFoundError(
            f"no raw {source} data under {' or '.join(map(str, config.raw_source_dirs(root, source)))}; run "
            f"'natoanalysis ingest {source} PATH.xlsx' first")
    for ed in editions:
        verify_raw(root, source, ed)
    fingerprint = cache_key(root, source)
    frames, meta = [], {"source": source, "fingerprint": fingerprint, "editions": {}}
    for ed, folder in editions.items():
        wb = transcript.read(folder)
        result = handler.tidy(wb, edition=ed, run_checks=True)
        found = result.findings
        meta["editions"][ed] = {"quirks": list(result.quirks), "notes": dict(result.notes),
                                "rows": len(result.table),
                                "findings_not_whitelisted": 0 if found is None else int((~found["is_whitelisted"]).sum())}
        frames.append(result.table)
    df = pd.concat(frames, ignore_index=True)
    meta["rows"] = len(df)
    _write(root, source, df, meta)
    return _remember(root, source, fingerprint, (df, meta))


def build(*, source: str = "nato", data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Regenerate ``processed/<source>.arrow`` from the raw transcriptions, verified against them, and return it.

    Every raw file is checked against the sha256 its edition's ``provenance.json`` records first
    (:func:`verify_raw`). A table that cannot be written (a read-only folder, a full disk) is an error.

    Examples
    --------
    >>> import tempfile, shutil
    >>> root = Path(tempfile.mkdtemp())
    >>> _ = shutil.copytree(config.data_root() / "raw", root / "raw")
    >>> len(build(data_dir=root)), (root / "processed" / "nato.arrow").is_file()
    (5377, True)
    """
    source = checked_source(source)
    root = config.data_root(data_dir)
    with atomic.lock(root):
        return _build(root, source)[0]


def _read_cache(root: Path, source: str, fingerprint: str) -> tuple[pd.DataFrame, dict] | None:
    """The processed table and its metadata when both are what this key asks for, else None.

    The key covers the source's raw files by name, so a table written for another source or other raw
    files has another; the table must have the CRC-32 its metadata records.
    """
    table_path, meta_path = _processed_paths(root, source)
    if table_path.is_symlink() or meta_path.is_symlink():
        return None  # not written by the package: rebuilt (the link itself replaced), never followed
    try:
        meta = json.loads(meta_path.read_bytes())
        if not isinstance(meta, dict) or meta.get("fingerprint") != fingerprint or meta.get("source") != source:
            return None
        data = table_path.read_bytes()
        if meta.get("table_crc32") != zlib.crc32(data):
            return None
        df = _read_table(data)
    except (OSError, ValueError, TypeError, LookupError, pa.ArrowException):
        return None  # a missing, unreadable, damaged or foreign cache: rebuilt
    return df, meta


def _lookup(root: Path, source: str) -> tuple[pd.DataFrame, dict] | None:
    """The table when memory or the processed file holds it for the raw files and code as they are now."""
    key = cache_key(root, source)
    held = _MEMO.get((str(root), source))
    if held is not None and held[0] == key:
        return held[1:]
    found = _read_cache(root, source, key)
    return None if found is None else _remember(root, source, key, found)


def _remember(root: Path, source: str, key: str, value: tuple[pd.DataFrame, dict]) -> tuple[pd.DataFrame, dict]:
    """Keep the table in memory under its key, in place of the one of the same folder and source it replaces."""
    _MEMO[(str(root), source)] = (key, *value)
    return value


def _cached(root: Path, source: str) -> tuple[pd.DataFrame, dict]:
    # First without the lock: a table is served only under the key of what the raw folders hold, and an ingest
    # publishes by renames, so a listing taken during one gives the old key, the new one, or one with no table.
    try:
        found = _lookup(root, source)
    except OSError:  # a file renamed away while it was looked at
        found = None
    if found is not None:
        return found
    with atomic.lock(root, reader=True):
        return _lookup(root, source) or _build(root, source)

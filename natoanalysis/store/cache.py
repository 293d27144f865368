"""The processed cache: ``data/raw`` -> ``data/processed``, verified against the raw files and their provenance.

The processed table is an Arrow IPC file (Feather v2, uncompressed) per source,
rebuilt whenever the content hash of the raw files or of the package's own code
and reference data changes (timestamps are never trusted): a fixed reader must
not leave a stale table behind. Arrow IPC rather than parquet because the file
is a cache read on every first ``load()`` of a process: it needs no decoding
(1.5 ms against 4 ms for the same table as parquet) and ``pyarrow.feather``
imports in 1 ms where ``pyarrow.parquet`` pulls in ``pyarrow.dataset`` (20 ms);
pandas, R's arrow, polars and DuckDB all read it. Within one process the last
table read is also kept in memory under the same key.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import json
import os
from pathlib import Path

import pandas as pd

from .. import atomic, config, edition as editions_mod
from ..errors import DataIntegrityError, DataNotFoundError, NatoAnalysisError
from ..extract import provenance, transcript
from ..transform import sources

_MEMO: dict[tuple[str, str, str], tuple[pd.DataFrame, dict]] = {}


def _edition_files(root: Path, source: str) -> list[tuple[str, Path]]:
    """``(edition, file)`` for every file of every edition folder of a source (backups and staging left out)."""
    out = []
    for ed in raw_editions(root, source):
        folder = config.find_raw(root, source, ed)
        out += [(ed, p) for p in sorted(folder.rglob("*")) if p.is_file()]
    return out


def raw_fingerprint(root: Path, source: str) -> str:
    """sha256 over the names and bytes of every raw file of a source's editions."""
    digest = hashlib.sha256()
    for ed, p in _edition_files(root, source):
        # Named from the source folder (edition/...), whichever folder (the root's or the bundled) holds it.
        digest.update(f"{ed}/{p.relative_to(config.find_raw(root, source, ed)).as_posix()}".encode())
        digest.update(b"\0")
        digest.update(p.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """sha256 over the package's Python sources and reference files (what turns raw into processed)."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    # The bundled transcriptions of an installed package are raw data (in raw_fingerprint), not code.
    files = sorted(p for p in package.rglob("*") if p.is_file() and p.suffix in (".py", ".csv", ".json")
                   and "__pycache__" not in p.parts and config.BUNDLED_DIR not in p.relative_to(package).parts)
    for p in files:
        digest.update(p.relative_to(package).as_posix().encode())
        digest.update(p.read_bytes())
    return digest.hexdigest()


def cache_key(root: Path, source: str) -> str:
    """Key of the processed table: raw content and code together."""
    return hashlib.sha256(f"{raw_fingerprint(root, source)}:{code_fingerprint()}".encode()).hexdigest()


def raw_editions(root: Path, source: str) -> list[str]:
    """Editions with a transcription under ``raw/<source>`` (the root's and the bundled), oldest first.

    A swap an ingest left unfinished (killed between its renames) is finished
    or undone first (:func:`natoanalysis.atomic.recover`), in the root's folder
    only: the bundled one is never written to.
    """
    folders = config.raw_source_dirs(root, source)
    atomic.recover(folders[0])
    # Hidden folders are staging, swap or backup folders of an ingest, never editions.
    return sorted({p.parent.name for folder in folders for p in folder.glob("*/provenance.json")
                   if not p.parent.name.startswith(".") and editions_mod.PATTERN.match(p.parent.name)})


def verify_raw(root: Path, source: str, edition: str) -> None:
    """Check an edition's raw files against the sha256 of each in its ``provenance.json``.

    Raw data is never edited by hand: a file that differs from its record,
    one that is missing, or one that is not in it is an error naming the file.
    """
    folder = config.find_raw(root, source, edition)
    try:
        recorded = provenance.read(folder).get("transcribed_files")
    except (OSError, ValueError) as exc:
        raise DataIntegrityError(f"{folder / 'provenance.json'} cannot be read ({exc}); re-ingest the workbook") \
            from None
    if not isinstance(recorded, dict) or not recorded:
        raise DataIntegrityError(f"{folder / 'provenance.json'} records no sha256 of the transcribed files; "
                                 "re-ingest the workbook")
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {"provenance.json"}
    for rel in sorted(present | set(recorded)):
        path = folder / rel
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


def _write_table(df: pd.DataFrame, path: Path) -> str:
    """Write the table as Arrow IPC through a temporary file; return the file's sha256."""
    import pyarrow as pa
    from pyarrow import feather

    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        feather.write_feather(pa.Table.from_pandas(df, preserve_index=False), tmp, compression="uncompressed")
        digest = hashlib.sha256(tmp.read_bytes()).hexdigest()
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return digest


def _read_table(data: bytes) -> pd.DataFrame:
    import pyarrow as pa
    from pyarrow import feather

    return feather.read_table(pa.BufferReader(data)).to_pandas()


def _unwritable(exc: OSError) -> bool:
    return exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS)


def _build(root: Path, source: str) -> tuple[pd.DataFrame, dict]:
    handler = sources.get(source)
    editions = raw_editions(root, source)
    if not editions:
        raise DataNotFoundError(
            f"no raw {source} data under {' or '.join(map(str, config.raw_source_dirs(root, source)))}; run "
            f"'natoanalysis ingest {source} PATH.xlsx' first")
    for ed in editions:
        verify_raw(root, source, ed)
    fingerprint = cache_key(root, source)
    frames, meta = [], {"source": source, "fingerprint": fingerprint, "raw_fingerprint": raw_fingerprint(root, source),
                        "editions": {}}
    for ed in editions:
        wb = transcript.read(config.find_raw(root, source, ed))
        result = handler.tidy(wb, edition=ed, run_checks=True)
        found = result.findings
        meta["editions"][ed] = {"quirks": list(result.quirks), "notes": dict(result.notes),
                                "rows": len(result.table),
                                "findings_not_whitelisted": 0 if found is None else int((~found["is_whitelisted"]).sum())}
        frames.append(result.table)
    df = pd.concat(frames, ignore_index=True)
    meta["rows"] = len(df)
    table_path, meta_path = _processed_paths(root, source)
    try:
        table_path.parent.mkdir(parents=True, exist_ok=True)
        for p in (table_path, meta_path):
            if p.is_dir():
                raise NatoAnalysisError(f"{p} is a folder where the processed table belongs; remove it "
                                        "(natoanalysis build writes it again)")
        meta["table_sha256"] = _write_table(df, table_path)
        atomic.write_text(meta_path, json.dumps(meta, indent=2, ensure_ascii=False, default=str) + "\n")
    except FileExistsError:
        raise NatoAnalysisError(f"{table_path.parent} is a file where the processed folder belongs; remove it "
                                "(natoanalysis build makes the folder)") from None
    except OSError as exc:
        if not _unwritable(exc):
            raise
        # A read-only data folder (an installed package, a shared mount): the table lives in memory only.
    _MEMO[(str(root), source, fingerprint)] = (df, meta)
    return df, meta


def build(*, source: str = "nato", data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Regenerate ``processed/<source>.arrow`` from the raw transcriptions, verified against them, and return it.

    Every raw file is checked against the sha256 its edition's
    ``provenance.json`` records first (:func:`verify_raw`).
    """
    sources.get(source)
    root = config.data_root(data_dir)
    with atomic.data_lock(root, exclusive=False):
        return _build(root, source)[0]


def _valid_cache(meta: object, df: pd.DataFrame | None, *, source: str, fingerprint: str) -> bool:
    """Whether a processed table is what its metadata says: this source, these editions and rows, this key."""
    if not isinstance(meta, dict) or meta.get("fingerprint") != fingerprint or meta.get("source") != source:
        return False
    if df is None or not isinstance(meta.get("editions"), dict) or meta.get("rows") != len(df):
        return False
    if "source" not in df or set(df["source"].unique()) != {source}:
        return False
    return sorted(df["edition"].unique()) == sorted(meta["editions"])


def _cached(root: Path, source: str) -> tuple[pd.DataFrame, dict]:
    with atomic.data_lock(root, exclusive=False):
        fingerprint = cache_key(root, source)
        key = (str(root), source, fingerprint)
        if key in _MEMO:
            return _MEMO[key]
        table_path, meta_path = _processed_paths(root, source)
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            data = table_path.read_bytes()
            if isinstance(meta, dict) and meta.get("table_sha256") == hashlib.sha256(data).hexdigest():
                df = _read_table(data)
                if _valid_cache(meta, df, source=source, fingerprint=fingerprint):
                    _MEMO[key] = (df, meta)
                    return df, meta
        except (OSError, ValueError, ImportError, TypeError):
            pass  # a missing, unreadable or foreign cache: rebuilt below
        except Exception as exc:  # pyarrow's own errors for a damaged file
            if type(exc).__module__.split(".")[0] != "pyarrow":
                raise
        return _build(root, source)

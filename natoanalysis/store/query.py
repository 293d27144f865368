"""The query API over the store: the tidy table of a source and edition, the editions, their provenance.

:func:`load` is what every other part of the package reads; it serves the
processed cache (:mod:`.cache`) and resolves the edition asked for with
:func:`natoanalysis.edition.resolve`.
"""

from __future__ import annotations

import functools
import os

import pandas as pd

from .. import config, edition as editions_mod
from ..errors import DataNotFoundError
from .cache import _cached, checked_source


def load(*, source: str = "nato", edition: str | None = None,
         data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Return the tidy table of a source, one row per published number.

    Parameters
    ----------
    source : {"nato", "sipri"}
        Publisher.
    edition : str, optional
        ``"YYYY-MM"``, ``"latest"`` (the default, also None) for the newest
        bundled edition, or ``"all"`` for every bundled edition.
    data_dir : path-like, optional
        Data root (default: ``NATOANALYSIS_DATA_DIR`` or the repository's ``data/``).

    Returns
    -------
    pandas.DataFrame
        Columns ``source, edition, definition, country, country_name,
        is_aggregate, year, indicator, value, missing_reason, unit, currency,
        price_basis, base_year, is_estimate, note_marker, table, source_sheet,
        source_cell`` (SIPRI adds ``is_uncertain, fiscal_year, sipri_region``).
        ``value`` is NaN where the publisher gave no figure, with the reason
        in ``missing_reason``.

    Examples
    --------
    >>> df = load()
    >>> df["edition"].nunique(), df["definition"].iloc[0]
    (1, 'defence expenditure (NATO definition)')
    >>> usa = df.query("country == 'USA' and indicator == 'share_gdp_pct' and year == 2014")
    >>> round(float(usa["value"].iloc[0]), 2), usa["source_cell"].iloc[0]
    (3.71, 'D41')
    >>> load(source="SIPRI")["source"].iloc[0]  # a source's name in any case
    'sipri'
    """
    source = checked_source(source)
    root = config.data_root(data_dir)
    df, meta = _cached(root, source)
    available = sorted(meta["editions"])  # what the build read, without a pass over the table
    edition = editions_mod.resolve(edition, available=available, source=source)
    if isinstance(edition, list):
        return df.copy()
    _tell_of_newer(source, edition, tuple(available))
    if len(available) == 1:
        return df.copy()  # a copy, so that callers cannot change the cached table
    return df[df["edition"] == edition].reset_index(drop=True)


@functools.cache  # once per process for an edition among the same editions
def _tell_of_newer(source: str, edition: str, available: tuple[str, ...]) -> None:
    """Say once per process, in one line on the package's logger, that newer editions than the one loaded exist."""
    newer = editions_mod.newer_text(source=source, edition=edition, available=available)
    if newer:
        config.notice(f"edition {edition} loaded. {newer}")


def editions(*, source: str | None = None, data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Bundled editions with their publication dates, from the provenance records.

    Examples
    --------
    >>> editions(source="nato")[["source", "publication_date", "title"]].values.tolist()
    [['nato', '2024-06-17', 'Defence Expenditure of NATO Countries (2014-2024)']]
    """
    df = sources(data_dir=data_dir)
    if source is not None:
        df = df[df["source"] == checked_source(source)]
    return df[["source", "edition", "publication_date", "title", "raw_path"]].reset_index(drop=True)


def sources(*, data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Provenance of every bundled raw file: publisher, title, URL, dates, terms, sha256 and size.

    Examples
    --------
    >>> src = sources().set_index("source")
    >>> int(src.loc["nato", "size_bytes"]), bool(src.loc["nato", "is_publisher_file"])
    (206548, True)
    """
    from ..extract import provenance

    root = config.data_root(data_dir)
    df = provenance.read_all(root)
    if df.empty:
        raise DataNotFoundError(f"no raw transcriptions under {root / 'raw'}; run 'natoanalysis ingest SOURCE "
                                "PATH.xlsx' first, or point data_dir= at a folder holding raw/<source>/<edition>/")
    return df


def processed_meta(*, source: str = "nato", data_dir: str | os.PathLike | None = None) -> dict:
    """Quirks and notes recorded while building the processed table."""
    _, meta = _cached(config.data_root(data_dir), checked_source(source))
    return meta

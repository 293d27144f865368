"""What a view's table was computed from, carried with the table as plain values.

A view records the facts a footnote needs (:func:`attach`): for each source,
its editions, publication, definition, base year and estimated years, read
once off the tidy rows the view used. A chart reads them back
(:func:`provenance_of`) for its footnote and for shading estimates, so a
notebook never picks them by hand.

The facts travel in ``DataFrame.attrs["provenance"]`` as a frozen
:class:`Provenance` of strings, integers and tuples, never as a DataFrame:
pandas compares and copies ``attrs`` on most operations (``astype``,
``pd.concat``, ``assign``), and plain values survive all of them. A table
derived from one view keeps its provenance; tables of two views combined with
``pd.concat`` keep it only when both carry the same (pandas drops ``attrs``
that differ), and a chart of such a table then asks for ``provenance=``.
"""

from __future__ import annotations

import dataclasses
import functools
import json

import pandas as pd

from .. import config, edition as editions_mod, reference, store
from ..errors import NatoAnalysisError
from . import labels

KEY = "provenance"


class MissingProvenanceError(NatoAnalysisError, ValueError):
    """A chart was given a table without the provenance of the rows it was computed from."""


@dataclasses.dataclass(frozen=True)
class SourceFacts:
    """What a footnote says about the rows of one source.

    ``definition`` is empty when the rows mix definitions, ``base_year`` None
    when they mix base years; ``n_estimates`` of the ``n_values`` rows are
    estimates, in ``estimate_years``. ``breaks`` are the footnotes of the
    documented series breaks the rows reach (``reference/series_breaks.csv``);
    ``copies`` the editions whose transcription was made from a file that is
    not the publisher's (a re-save, a replacement: its sha256 is not the one
    the publisher's file has).
    """

    source: str
    editions: tuple[str, ...]
    publication: str
    definition: str = ""
    base_year: int | None = None
    estimate_years: tuple[int, ...] = ()
    n_estimates: int = 0
    n_values: int = 0
    breaks: tuple[str, ...] = ()
    copies: tuple[str, ...] = ()  # editions transcribed from a file that is not the publisher's (another sha256)


def copies(source: str, editions: tuple[str, ...]) -> tuple[str, ...]:
    """The editions among ``editions`` whose transcription in the data folder is not of the publisher's file.

    Such a transcription was made from a re-saved or replaced workbook: its
    sha256 is not the one the publisher's file is known to have.

    Examples
    --------
    >>> copies("nato", ("2024-06",))  # the bundled edition is the publisher's own file
    ()
    """
    try:
        folders = store.cache.edition_folders(config.data_root(), source)
    except NatoAnalysisError:  # a footnote without the remark rather than no chart
        return ()
    records = tuple((e, str(folders[e] / "provenance.json"), (folders[e] / "provenance.json").stat().st_mtime_ns)
                    for e in editions if e in folders)
    return _not_publisher_files(records)


@functools.lru_cache(maxsize=64)
def _not_publisher_files(records: tuple[tuple[str, str, int], ...]) -> tuple[str, ...]:
    # Read once per record file and its modification time: views are built many times, records rarely change.
    out = []
    for edition, path, _ in records:
        with open(path, encoding="utf-8") as fh:
            if json.load(fh).get("is_publisher_file") is False:
                out.append(edition)
    return tuple(out)


def _breaks(rows: pd.DataFrame, source: str) -> tuple[str, ...]:
    """Footnotes of the series breaks that touch ``rows``: the ally, an affected indicator, the break year or later.

    Examples
    --------
    >>> rows = pd.DataFrame({"country": ["LUX", "LUX"], "indicator": ["share_gdp_pct"] * 2, "year": [2022, 2024],
    ...                      "edition": ["2024-06"] * 2})
    >>> _breaks(rows, "nato")
    ("Luxembourg from 2023: NATO's GDP is gross national income (GNI), so its share of GDP is a share of GNI (a series break).",)
    >>> _breaks(rows[rows["year"] < 2023], "nato")
    ()
    """
    if not {"country", "indicator", "year"} <= set(rows.columns):
        return ()
    found = []
    for b in reference.series_breaks().itertuples():
        hit = (rows["country"] == b.country) & (rows["year"] >= b.year) & rows["indicator"].isin(b.indicators.split(";"))
        if b.source == source and (not b.edition or (rows["edition"] == b.edition).any()) and hit.any():
            found.append(b.footnote)
    return tuple(found)


def _base_year(rows: pd.DataFrame, source: str) -> int | None:
    """The one base year of the rows' constant prices; without constant rows, their one edition's."""
    bases = rows.loc[rows["price_basis"] == "constant", "base_year"].dropna().unique() \
        if {"base_year", "price_basis"} <= set(rows.columns) else []
    if len(bases) == 1:
        return int(bases[0])
    if len(bases) == 0 and rows["edition"].nunique() == 1:
        # A chart without constant-price rows still belongs to an edition with a base year; say which.
        rec = editions_mod.record(source=source, edition=str(rows["edition"].iloc[0])) or {}
        return int(rec["base_year"]) if rec.get("base_year") else None
    return None


@dataclasses.dataclass(frozen=True)
class Provenance:
    """The footnote facts of tidy rows, one :class:`SourceFacts` per source; safe in ``DataFrame.attrs``.

    Examples
    --------
    >>> import natoanalysis as na
    >>> rows = na.load()
    >>> p = Provenance.of(rows)
    >>> p.estimate_years == tuple(sorted(rows.loc[rows["is_estimate"], "year"].unique()))
    True
    >>> p.sources[0].editions == (rows["edition"].iloc[0],), p == Provenance.of(rows.copy())
    (True, True)
    """

    sources: tuple[SourceFacts, ...] = ()

    @classmethod
    def of(cls, rows: pd.DataFrame) -> "Provenance":
        """The facts of ``rows`` (tidy rows with at least ``source`` and ``edition``)."""
        facts = []
        for src in sorted(rows["source"].unique()):
            part = rows[rows["source"] == src]
            flags = part["is_estimate"].fillna(False).astype(bool) if "is_estimate" in part else None
            est = () if flags is None else tuple(sorted(int(y) for y in part.loc[flags, "year"].unique()))
            one_definition = "definition" in part and part["definition"].nunique() == 1
            facts.append(SourceFacts(
                source=str(src), editions=tuple(sorted(str(e) for e in part["edition"].unique())),
                publication=labels.publication(part),
                definition=str(part["definition"].iloc[0]) if one_definition else "",
                base_year=_base_year(part, str(src)), estimate_years=est,
                n_estimates=0 if flags is None else int(flags.sum()), n_values=len(part),
                breaks=_breaks(part, str(src)),
                copies=copies(str(src), tuple(sorted(str(e) for e in part["edition"].unique())))))
        return cls(tuple(facts))

    @property
    def estimate_years(self) -> tuple[int, ...]:
        """Every year any source marks as an estimate."""
        return tuple(sorted({y for f in self.sources for y in f.estimate_years}))

    @property
    def breaks(self) -> tuple[str, ...]:
        """The series-break footnotes of every source, each once."""
        return tuple(dict.fromkeys(b for f in self.sources for b in f.breaks))


def attach(table: pd.DataFrame, *, rows: pd.DataFrame | Provenance) -> pd.DataFrame:
    """Record on ``table`` (in place, and return it) the provenance of the rows it was computed from.

    Parameters
    ----------
    table : pandas.DataFrame
        What the view returns.
    rows : pandas.DataFrame or Provenance
        The tidy rows it read (their facts are computed here, once), or a
        :class:`Provenance` already computed.

    Returns
    -------
    pandas.DataFrame
        ``table``, with ``attrs["provenance"]`` set.

    Examples
    --------
    >>> rows = pd.DataFrame({"source": ["nato"] * 2, "edition": ["2024-06"] * 2, "year": [2023, 2024]})
    >>> t = attach(pd.DataFrame({"v": [1.0]}), rows=rows)
    >>> provenance_of(t.assign(w=2).astype(str)) == provenance_of(t)
    True
    """
    table.attrs[KEY] = rows if isinstance(rows, Provenance) else Provenance.of(rows)
    return table


def provenance_of(table: pd.DataFrame, provenance: pd.DataFrame | Provenance | None = None) -> Provenance:
    """The provenance of ``table``: that of ``provenance`` when given, else what a view attached.

    Parameters
    ----------
    table : pandas.DataFrame
        A table from a view (or derived from one by filtering, ``assign`` ...).
    provenance : pandas.DataFrame or Provenance, optional
        Tidy rows (or their facts) given explicitly; wins over the attached ones.

    Returns
    -------
    Provenance

    Raises
    ------
    MissingProvenanceError
        When neither is there (for instance after combining tables of two views).

    Examples
    --------
    >>> provenance_of(pd.DataFrame({"v": [1]}))
    Traceback (most recent call last):
    ...
    natoanalysis.views.provenance.MissingProvenanceError: the chart's table carries no provenance (the tidy rows \
it was computed from): pass a table returned by a natoanalysis view, or provenance=<tidy rows, e.g. \
views.rows(...)>
    """
    if provenance is not None:
        if isinstance(provenance, Provenance):
            return provenance
        if not isinstance(provenance, pd.DataFrame):
            raise MissingProvenanceError(f"provenance must be a DataFrame of tidy rows, got {type(provenance).__name__}")
        return Provenance.of(provenance)
    held = table.attrs.get(KEY) if isinstance(table, pd.DataFrame) else None
    if isinstance(held, Provenance):
        return held
    raise MissingProvenanceError(
        "the chart's table carries no provenance (the tidy rows it was computed from): pass a table returned by a "
        "natoanalysis view, or provenance=<tidy rows, e.g. views.rows(...)>")

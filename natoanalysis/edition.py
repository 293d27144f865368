"""Editions: what each is called, how a workbook is recognised as one, and how a request names one.

An edition is named ``"YYYY-MM"`` after the month its publisher released it
(NATO's July 2026 tables are ``"2026-07"``, SIPRI's April 2025 release
``"2025-04"``). A workbook is recognised from its *content*, never from its
file name or bytes: the years its tables cover, the years marked as
estimates, its base year and what it measures are matched against the
editions known in ``reference/editions.csv`` (each row citing its source), so
a copy re-saved by another program is still that edition. Only an edition
that is not known there is named from the workbook's own save date, and only
when that date lies within a year of the tables' last year.

:func:`resolve` is the one place where a request (``None``, ``"latest"``,
``"all"`` or an id) becomes editions; every loader, metric, view and the
report runner call it.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Sequence

import pandas as pd

from . import reference
from .errors import ArgumentError, WorkbookError, echo

PATTERN = re.compile(r"^(?P<year>(19|20)\d\d)-(?P<month>0[1-9]|1[0-2])$")
LATEST = "latest"
ALL = "all"


def check_id(edition: object, *, source: str = "nato") -> str:
    """Return ``edition`` if it is an edition id (``"YYYY-MM"``), else raise ArgumentError (a ValueError).

    Ids become folder names, so nothing else (a path, ``..``) ever reaches the disk.

    Examples
    --------
    >>> check_id("2026-07")
    '2026-07'
    >>> check_id("../../processed")
    Traceback (most recent call last):
    ...
    natoanalysis.errors.ArgumentError: edition '../../processed' is not an edition id of nato; accepted: 'YYYY-MM', the year and month of publication
    """
    if not isinstance(edition, str) or not PATTERN.match(edition):
        raise ArgumentError(f"edition {echo(edition)} is not an edition id of {source}; accepted: 'YYYY-MM', the year and "
                         "month of publication")
    return edition


def known(*, source: str | None = None) -> pd.DataFrame:
    """The editions this package knows of (``reference/editions.csv``), whether bundled or not.

    Examples
    --------
    >>> len(known(source="nato")), known(source="nato")["definition"].iloc[-1]
    (3, 'core defence expenditure')
    """
    df = reference.read("editions.csv")
    return (df if source is None else df[df["source"] == source]).reset_index(drop=True)


def record(*, source: str, edition: str) -> dict[str, str] | None:
    """The reference row of a known edition, or None.

    Examples
    --------
    >>> record(source="nato", edition="2026-07")["definition"]
    'core defence expenditure'
    """
    df = known(source=source)
    hit = df[df["edition"] == edition]
    return None if hit.empty else hit.iloc[0].to_dict()


def newer(*, source: str, edition: str, available: Sequence[str] = ()) -> list[dict[str, str]]:
    """Known editions published after ``edition`` that are not among ``available`` (the loaded ones), oldest first.

    Examples
    --------
    >>> [r["edition"] for r in newer(source="nato", edition="2024-06", available=["2024-06"])]
    ['2025-08', '2026-07']
    >>> newer(source="nato", edition="2024-06", available=["2024-06", "2025-08", "2026-07"])
    []
    """
    # reference.records, not known(): load() asks this on every first call, and pandas' CSV reader costs more
    # than the rest of a cached load together
    later = [r for r in reference.records("editions.csv") if r["source"] == source and r["edition"] > edition
             and r["edition"] not in set(available)]
    return sorted(later, key=lambda r: r["edition"])


def newer_text(*, source: str, edition: str, available: Sequence[str] = ()) -> str:
    """One sentence naming the newer editions and how to get them, or ``""`` when there is none.

    Examples
    --------
    >>> newer_text(source="nato", edition="2024-06", available=["2024-06"])
    'Newer NATO editions are published: 2025-08 (2025-08-28), 2026-07 (2026-07); `natoanalysis fetch nato` gets the newest.'
    """
    later = newer(source=source, edition=edition, available=available)
    if not later:
        return ""
    listed = ", ".join(f"{r['edition']} ({r['publication_date']})" for r in later)
    return (f"Newer {source.upper()} edition{'s are' if len(later) > 1 else ' is'} published: {listed}; "
            f"`natoanalysis fetch {source}` gets the newest.")


@dataclasses.dataclass(frozen=True)
class Identity:
    """Which edition a workbook is, and how that was decided.

    ``record`` is the reference row of a known edition (empty for an unknown
    one). ``is_publisher_file`` is True when the file's sha256 is the
    publisher's, False when the publisher's sha256 is known and differs (a
    re-saved or altered copy), None when the publisher's is not known here.
    """

    edition: str
    how: str
    record: dict
    is_publisher_file: bool | None


def _contradictions(row: dict, *, first_year: int, last_year: int, estimate_years: Sequence[int], definition: str,
                    base_year: int | None) -> list[str]:
    """What the content says against an edition's record: ``["base year 2015, not 2021", ...]``; empty if nothing.

    Examples
    --------
    >>> row = record(source="nato", edition="2025-08")
    >>> _contradictions(row, first_year=2014, last_year=2024, estimate_years=[2023, 2024],
    ...                 definition="defence expenditure (NATO definition)", base_year=2015)
    ['years 2014-2024, not 2014-2025', 'estimates 2023;2024, not 2024;2025', 'base year 2015, not 2021']
    """
    found = {"years": f"{first_year}-{last_year}", "estimates": ";".join(map(str, estimate_years)),
             "definition": definition, "base year": "" if base_year is None else str(base_year)}
    expected = {"years": f"{row.get('first_year', '')}-{row.get('last_year', '')}",
                "estimates": row.get("estimate_years", ""), "definition": row.get("definition", ""),
                "base year": row.get("base_year", "")}
    # An empty reference field says nothing (SIPRI marks estimates by colour, not by year).
    return [f"{k} {found[k]}, not {v}" for k, v in expected.items() if v.strip("-") and v != found[k]]


def identify(*, source: str, first_year: int, last_year: int, estimate_years: Sequence[int], definition: str,
             base_year: int | None, properties: dict[str, str], sha256: str, requested: str | None = None,
             name: str = "the workbook") -> Identity:
    """Recognise the edition of a workbook from what its tables cover.

    Parameters
    ----------
    source : str
        Publisher (``"nato"`` or ``"sipri"``).
    first_year, last_year, estimate_years, definition, base_year
        What the workbook's tables cover, read off its cells.
    properties : dict
        Document properties (``created``, ``modified``, ISO dates).
    sha256 : str
        Of the file, to tell the publisher's own file from a copy.
    requested : str, optional
        An edition id given by the caller; refused when the content is a
        known edition of another id.
    name : str
        How to call the file in messages.

    Raises
    ------
    WorkbookError
        The content matches no known edition and the save date does not tell
        it either, or it contradicts ``requested``.

    Examples
    --------
    >>> ident = identify(source="nato", first_year=2014, last_year=2025, estimate_years=[2024, 2025],
    ...                  definition="defence expenditure (NATO definition)", base_year=2021,
    ...                  properties={"modified": "2026-12-01T10:00:00"}, sha256="0" * 64)
    >>> ident.edition, ident.is_publisher_file
    ('2025-08', None)
    """
    covers = (f"its tables cover {first_year}-{last_year} (estimates: "
              f"{', '.join(map(str, estimate_years)) or 'none'}; {definition}"
              + (f"; {base_year} prices" if base_year else "") + ")")
    coverage = dict(first_year=first_year, last_year=last_year, estimate_years=estimate_years, definition=definition,
                    base_year=base_year)
    candidates = [row for row in known(source=source).to_dict("records") if not _contradictions(row, **coverage)]
    if requested is not None:
        row, how = _requested(requested, source=source, coverage=coverage, candidates=candidates, name=name,
                              covers=covers), "given by the caller"
    elif len(candidates) == 1:
        row = candidates[0]
        requested = row["edition"]
        how = "recognised from its content (years, estimates, base year, definition)"
    elif len(candidates) > 1:
        raise WorkbookError(f"{name}: {covers} matches editions {', '.join(r['edition'] for r in candidates)}; "
                            "give the edition (edition='YYYY-MM' or --edition)")
    else:
        row = {}
        requested, how = _from_save_date(properties, last_year=last_year, name=name, covers=covers, source=source)
        against = _contradictions(record(source=source, edition=requested) or {}, **coverage)
        if against:  # the save date names a known edition that this content is not
            raise WorkbookError(f"{name} was saved in {requested}, but {source} edition {requested} is known and "
                                f"this is not it ({'; '.join(against)}); give the edition it is "
                                "(edition='YYYY-MM' or --edition YYYY-MM, not a known edition's id)")
    publisher_sha = row.get("sha256", "")
    return Identity(edition=requested, how=how, record=row,
                    is_publisher_file=(sha256 == publisher_sha) if publisher_sha else None)


def _requested(requested: str, *, source: str, coverage: dict, candidates: list[dict], name: str,
               covers: str) -> dict:
    """The record of an edition id the caller gave, refused when the content is another edition or contradicts it."""
    check_id(requested, source=source)
    ids = [row["edition"] for row in candidates]
    if ids and requested not in ids:
        raise WorkbookError(f"{name} is {source} edition {ids[0]} ({covers}), not {requested}; "
                            f"omit the edition or give {ids[0]}")
    row = next((r for r in candidates if r["edition"] == requested), None) or record(source=source, edition=requested)
    against = _contradictions(row or {}, **coverage)
    if against:
        raise WorkbookError(f"{name} is not {source} edition {requested}: {'; '.join(against)} "
                            f"(reference/editions.csv); give another edition id, or none")
    return row or {}


def _from_save_date(properties: dict[str, str], *, last_year: int, name: str, covers: str,
                    source: str) -> tuple[str, str]:
    for key, what in (("modified", "last saved"), ("created", "created")):
        stamp = str(properties.get(key) or "")
        m = re.match(r"^((19|20)\d\d)-(0[1-9]|1[0-2])", stamp)
        # A publisher saves its tables in the year of their last figures or early in the next; a later date is
        # someone else's copy, which says nothing about when the edition came out.
        if m and last_year <= int(m.group(1)) <= last_year + 1:
            return f"{m.group(1)}-{m.group(3)}", f"named from the date the workbook was {what} ({stamp[:10]})"
    dates = ", ".join(f"{k} {properties[k][:10]}" for k in ("created", "modified") if properties.get(k)) or "none"
    raise WorkbookError(f"cannot tell which {source} edition {name} is: {covers} matches no edition in "
                        f"reference/editions.csv and its dates ({dates}) are not within a year of {last_year}; "
                        "give the edition (edition='YYYY-MM' or --edition YYYY-MM)")


def resolve(edition: str | None, *, available: Sequence[str], source: str = "nato",
            allow_all: bool = True) -> str | list[str]:
    """The edition(s) a request stands for, among ``available`` (oldest first).

    ``None`` and ``"latest"`` give the newest, ``"all"`` every one (a list),
    an id itself if it is available.

    Raises
    ------
    natoanalysis.errors.ArgumentError
        (a ValueError) naming the request and the accepted values.

    Examples
    --------
    >>> resolve(None, available=["2025-08", "2026-07"]), resolve("all", available=["2025-08", "2026-07"])
    ('2026-07', ['2025-08', '2026-07'])
    >>> resolve("2023-07", available=["2026-07"])
    Traceback (most recent call last):
    ...
    natoanalysis.errors.ArgumentError: edition '2023-07' is not bundled for nato; accepted: 2026-07, 'latest' or 'all'
    """
    available = sorted(available)
    extra = "'latest' or 'all'" if allow_all else "or 'latest'"
    if not available:
        raise ArgumentError(f"no {source} edition is available")
    if edition is None or edition == LATEST:
        return available[-1]
    if edition == ALL:
        if not allow_all:
            raise ArgumentError(f"edition 'all' mixes editions where one is needed; accepted: "
                             f"{', '.join(available)} {extra}")
        return list(available)
    if isinstance(edition, str) and edition in available:
        return edition
    raise ArgumentError(f"edition {echo(edition)} is not bundled for {source}; accepted: {', '.join(available)}, {extra}")

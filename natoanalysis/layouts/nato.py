"""Read NATO's *Defence Expenditure of NATO Countries* tables from the cell model.

Tables are found by their titles, subtitles and section headings, never by
fixed cell positions, so the 2024 layout (sheets ``TABLE1``...``TABLE8b``,
constant 2015 prices) and the 2025 layout (sheets ``Table 1``..., titles such
as "Table 1: Core defence expenditure", base year in a subtitle, years such as
``2026e``) are read by the same code. Anything unexpected raises
:class:`~natoanalysis.errors.LayoutError` naming the sheet, the row and what
was expected: a value is never placed in a year or country it was not printed
under.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from ..errors import LayoutError, UnknownCountryError
from ..registry import aggregates, countries, lookup
from .common import first_year
from ..workbook import Cell, Sheet, Workbook, column_letter

TITLE_RE = re.compile(r"^\s*table\s*(?P<number>\d+\s*[a-z]?)\s*:\s*(?P<title>.+?)\s*$", re.I)
YEAR_RE = re.compile(r"^\s*(?P<year>(19|20)\d\d)\s*(?P<e>e)?\s*$", re.I)
LABEL_RE = re.compile(r"^(?P<name>[^*(]+?)\s*(?P<marker>\*+)?\s*(?:\((?P<currency>[^)]*)\))?\s*$")
BASE_YEAR_RE = re.compile(r"((19|20)\d\d)\s+prices", re.I)
NOTE_RE = re.compile(r"^\s*(notes?\b|\*|\([a-z]\)|-\s*\d+\s*-$|source)", re.I)
PERIOD_RE = re.compile(r"real change\s*(?P<start>(19|20)\d\d)\s*-\s*(?P<end>(19|20)\d\d)(?P<e>e?)", re.I)
SHARE_COL_RE = re.compile(r"share of (real )?gdp\s*(?P<year>(19|20)\d\d)(?P<e>e?)", re.I)


@dataclasses.dataclass(frozen=True)
class SectionSpec:
    """A block of rows under one heading, and what its numbers are."""

    pattern: str | None  # regex on the heading; None: the block starts at the year header
    indicator: str
    unit: str
    price_basis: str  # "current", "constant" or ""
    includes_non_armed: bool = False  # Iceland has GDP rows but no defence rows


@dataclasses.dataclass(frozen=True)
class TableSpec:
    kind: str
    title: str  # regex on the title after "Table N:"
    unit_line: str | None  # regex one subtitle line must match, when the title is shared
    sections: tuple[SectionSpec, ...]
    has_aggregates: bool


_USD = "million US dollars"
_PCT_DEF = "percent of defence expenditure"

# Order matters: the first spec whose title (and unit line) matches wins.
TABLE_SPECS: tuple[TableSpec, ...] = (
    TableSpec("share_and_real_change", r"share of (real )?gdp", None, (
        SectionSpec(r"^share of (real )?gdp", "share_gdp_pct", "percent of GDP", "constant"),
        SectionSpec(r"^annual real change", "real_change_pct", "percent", "constant"),
    ), True),
    TableSpec("per_capita", r"per capita", None, (
        SectionSpec(r"^gdp per capita", "gdp_per_capita_usd_thousand", "thousand US dollars", "constant", True),
        SectionSpec(r"^defence expenditure per capita", "defence_exp_per_capita_usd", "US dollars", "constant"),
    ), True),
    TableSpec("personnel", r"military personnel", None, (
        SectionSpec(None, "military_personnel_thousand", "thousand persons", ""),
    ), True),
    TableSpec("distribution", r"distribution .*categor", None, (
        SectionSpec(r"^equipment", "equipment_share_pct", _PCT_DEF, ""),
        SectionSpec(r"^personnel", "personnel_share_pct", _PCT_DEF, ""),
        SectionSpec(r"^infrastructure", "infrastructure_share_pct", _PCT_DEF, ""),
        SectionSpec(r"^other", "other_share_pct", _PCT_DEF, ""),
    ), False),
    TableSpec("gdp", r"^gdp$", None, (
        SectionSpec(r"^current prices", "gdp_usd", _USD, "current", True),
        SectionSpec(r"^constant", "gdp_usd", _USD, "constant", True),
    ), True),
    TableSpec("defence_exp_ncu", r"defence expenditure$", r"national currency", (
        SectionSpec(r"^current prices", "defence_exp_ncu", "million national currency", "current"),
        SectionSpec(r"^constant", "defence_exp_ncu", "million national currency", "constant"),
    ), False),
    TableSpec("defence_exp_usd", r"defence expenditure$", r"us dollars", (
        SectionSpec(r"^current prices", "defence_exp_usd", _USD, "current"),
        SectionSpec(r"^constant", "defence_exp_usd", _USD, "constant"),
    ), True),
)

#: Every (indicator, price_basis) an edition must publish, Table 4 aside.
EXPECTED_SERIES = frozenset(
    (sec.indicator, sec.price_basis) for spec in TABLE_SPECS for sec in spec.sections
)


@dataclasses.dataclass
class Parsed:
    """What the reader found: value records, layout quirks and table notes."""

    records: list[dict]
    quirks: list[dict]
    notes: dict[str, list[str]]
    tables: dict[str, str]  # sheet name -> "Table N: title"


def _text(cells: list[Cell]) -> str:
    return " ".join(str(c.value).strip() for c in cells if c.type == "s" and str(c.value).strip())


def _year_of(cell: Cell) -> tuple[int, bool] | None:
    if cell.type == "n" and float(cell.value).is_integer() and 1949 <= cell.value <= 2100:
        return int(cell.value), False
    if cell.type == "s":
        m = YEAR_RE.match(str(cell.value))
        if m:
            return int(m.group("year")), bool(m.group("e"))
    return None


def edition_date(edition: str) -> dt.date:
    """Last day that counts for membership in an edition such as ``"2024-06"``.

    Examples
    --------
    >>> edition_date("2024-06")
    datetime.date(2024, 6, 28)
    """
    m = re.fullmatch(r"((19|20)\d\d)-(0[1-9]|1[0-2])", edition or "")
    if not m:
        raise ValueError(f"edition must look like 'YYYY-MM' (for example '2024-06'), got {edition!r}")
    return dt.date(int(m.group(1)), int(m.group(3)), 28)


def _expected_countries(edition: str, *, include_non_armed: bool, with_aggregates: bool) -> set[str]:
    reg = countries()
    cut = edition_date(edition)
    mask = reg["accession_date"].map(lambda d: d <= cut)
    if not include_non_armed:
        mask &= reg["has_armed_forces"]
    out = set(reg.loc[mask, "iso3"])
    if with_aggregates:
        out |= set(aggregates()["code"])
    return out


def _parse_label(label: str, *, sheet: str, row: int) -> tuple[str, str, str]:
    m = LABEL_RE.match(label)
    if not m:
        raise LayoutError(f"row label {label!r} is not 'Country[*] [(currency)]'", sheet=sheet, row=row)
    try:
        code = lookup(m.group("name"), publisher="nato")
    except UnknownCountryError as exc:
        raise LayoutError(str(exc), sheet=sheet, row=row) from None
    return code, (m.group("currency") or "").strip(), m.group("marker") or ""


def _match_spec(title: str, subtitles: list[str]) -> TableSpec | None:
    for spec in TABLE_SPECS:
        if not re.search(spec.title, title, re.I):
            continue
        if spec.unit_line and not any(re.search(spec.unit_line, s, re.I) for s in subtitles):
            continue
        return spec
    return None


def _find_title(rows: dict[int, list[Cell]]) -> tuple[int, re.Match] | None:
    for r, cells in rows.items():
        for c in cells:
            if c.type == "s":
                m = TITLE_RE.match(str(c.value))
                if m:
                    return r, m
    return None


def _find_year_header(rows: dict[int, list[Cell]], after: int, sheet: str) -> tuple[int, dict[int, tuple[int, bool]]]:
    for r, cells in rows.items():
        if r <= after:
            continue
        years = {c.col: y for c in cells if (y := _year_of(c))}
        if len(years) >= 3:
            cols = sorted(years)
            seq = [years[c][0] for c in cols]
            if seq != list(range(seq[0], seq[0] + len(seq))):
                raise LayoutError(f"year header {seq} is not consecutive years in column order", sheet=sheet, row=r)
            others = [c for c in cells if c.col not in years and c.col > cols[0]]
            if others:
                raise LayoutError(
                    f"unexpected cell {others[0].ref}={others[0].value!r} among the year headers", sheet=sheet, row=r)
            return r, years
    raise LayoutError("no year header row (a row of years such as 2014 ... 2024e) after the title", sheet=sheet)


def _base_year(texts: list[str]) -> int | None:
    return first_year(texts, BASE_YEAR_RE)


def _value(cell: Cell, sheet: str) -> float:
    if cell.type != "n":
        raise LayoutError(
            f"cell {cell.ref} holds {cell.value!r} where a number was expected", sheet=sheet, row=cell.row)
    return float(cell.value)


def _check_countries(found: dict[str, int], expected: set[str], *, sheet: str, what: str) -> None:
    missing = expected - set(found)
    extra = set(found) - expected
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing rows for {', '.join(sorted(missing))}")
        if extra:
            parts.append(f"rows for {', '.join(sorted(extra))} that are not allies in this edition")
        raise LayoutError(f"{what}: {'; '.join(parts)}", sheet=sheet)


def _parse_series_sheet(sheet: Sheet, spec: TableSpec, title_row: int, table: str, edition: str,
                        out: Parsed) -> set[tuple[str, str]]:
    rows = sheet.rows()
    header_row, years = _find_year_header(rows, title_row, sheet.name)
    first_year_col = min(years)
    subtitles = [_text(cs) for r, cs in rows.items() if title_row < r < header_row and _text(cs)]
    implicit = [s for s in spec.sections if s.pattern is None]
    current: SectionSpec | None = implicit[0] if implicit else None
    base_year = _base_year(subtitles)
    seen_sections: set[tuple[str, str]] = set()
    found: dict[str, int] = {}
    section_row = header_row

    def close_section() -> None:
        if current is None:
            return
        if not found:
            raise LayoutError(f"section for {current.indicator} has no data rows", sheet=sheet.name, row=section_row)
        expected = _expected_countries(edition, include_non_armed=current.includes_non_armed,
                                       with_aggregates=spec.has_aggregates)
        _check_countries(found, expected, sheet=sheet.name, what=f"{table}, {current.indicator} {current.price_basis}")

    for r, cells in rows.items():
        if r <= header_row:
            continue
        labels = [c for c in cells if c.col < first_year_col]
        values = [c for c in cells if c.col >= first_year_col]
        label = _text(labels)
        if not values:
            if not label:
                continue
            match = next((s for s in spec.sections if s.pattern and re.search(s.pattern, label, re.I)), None)
            if match is not None and not NOTE_RE.match(label):
                close_section()
                current, found, section_row = match, {}, r
                key = (match.indicator, match.price_basis)
                if key in seen_sections:
                    raise LayoutError(f"second section for {key[0]} ({key[1] or 'no price basis'})",
                                      sheet=sheet.name, row=r)
                seen_sections.add(key)
                if match.price_basis == "constant":
                    base_year = _base_year([label]) or _base_year(subtitles)
                    if base_year is None:
                        raise LayoutError(f"constant-price section {label!r} names no base year "
                                          "(expected '<year> prices' in the heading or subtitle)",
                                          sheet=sheet.name, row=r)
            else:
                close_section()
                current, found = None, {}
                out.notes.setdefault(table, []).append(label)
            continue
        if not label:
            if all(c.type == "e" or (c.type == "n" and c.value == 0) for c in values):
                out.quirks.append({"sheet": sheet.name, "row": r, "table": table,
                                   "cells": ",".join(f"{c.ref}={c.value}" for c in values),
                                   "kind": "error_cells" if any(c.type == "e" for c in values) else "zero_row"})
                continue
            raise LayoutError(f"numbers without a row label (first: {values[0].ref}={values[0].value!r})",
                              sheet=sheet.name, row=r)
        if current is None:
            heads = [s.pattern for s in spec.sections if s.pattern]
            raise LayoutError(f"data row {label!r} is not under a recognised section heading "
                              f"(expected one of {heads})", sheet=sheet.name, row=r)
        code, currency, marker = _parse_label(label, sheet=sheet.name, row=r)
        if code in found:
            raise LayoutError(f"second row for {code} ({label!r}; first at row {found[code]})", sheet=sheet.name, row=r)
        found[code] = r
        by_col = {c.col: c for c in values}
        stray = set(by_col) - set(years)
        if stray:
            col = min(stray)
            raise LayoutError(f"value {by_col[col].value!r} in column {column_letter(col)} has no year header",
                              sheet=sheet.name, row=r)
        for col, (year, is_est) in years.items():
            if col not in by_col:
                raise LayoutError(f"{label!r} has no value for {year} (column {column_letter(col)})",
                                  sheet=sheet.name, row=r)
            out.records.append({
                "country": code, "year": year, "indicator": current.indicator,
                "value": _value(by_col[col], sheet.name), "unit": current.unit,
                "currency": currency if current.indicator == "defence_exp_ncu" else "",
                "price_basis": current.price_basis,
                "base_year": base_year if current.price_basis == "constant" else None,
                "is_estimate": is_est, "note_marker": marker, "table": table,
                "source_sheet": sheet.name, "source_cell": by_col[col].ref, "is_repeat": False,
            })
    close_section()
    missing = {(s.indicator, s.price_basis) for s in spec.sections if s.pattern is None} - seen_sections
    return seen_sections | missing


def _parse_period_sheet(sheet: Sheet, title_row: int, table: str, edition: str, out: Parsed) -> None:
    """Table 4: columns are a start year, an end year, the real change between them and two shares."""
    rows = sheet.rows()
    header_row = next((r for r, cs in rows.items() if r > title_row and any(
        c.type == "s" and PERIOD_RE.search(str(c.value)) for c in cs)), None)
    if header_row is None:
        raise LayoutError("no header cell 'Real change YYYY-YYYY' in the real-change table", sheet=sheet.name)
    subtitles = [_text(cs) for r, cs in rows.items() if title_row < r < header_row and _text(cs)]
    base_year = _base_year(subtitles)
    if base_year is None:
        raise LayoutError("no base year ('<year> prices') in the subtitle of the real-change table", sheet=sheet.name)
    columns: dict[int, dict] = {}
    for c in rows[header_row]:
        if (y := _year_of(c)) is not None:
            columns[c.col] = {"indicator": "defence_exp_usd", "unit": _USD, "price_basis": "constant",
                              "year": y[0], "is_estimate": y[1], "is_repeat": True}
        elif c.type == "s" and (m := PERIOD_RE.search(str(c.value))):
            columns[c.col] = {"indicator": f"real_change_since_{m.group('start')}_pct", "unit": "percent",
                              "price_basis": "constant", "year": int(m.group("end")),
                              "is_estimate": bool(m.group("e")), "is_repeat": False}
        elif c.type == "s" and (m := SHARE_COL_RE.search(str(c.value))):
            columns[c.col] = {"indicator": "share_gdp_pct", "unit": "percent of GDP", "price_basis": "constant",
                              "year": int(m.group("year")), "is_estimate": bool(m.group("e")), "is_repeat": True}
        else:
            raise LayoutError(f"header cell {c.ref}={c.value!r} is not a year, 'Real change YYYY-YYYY' "
                              "or 'Share of real GDP YYYY'", sheet=sheet.name, row=header_row)
    first_col = min(columns)
    found: dict[str, int] = {}
    for r, cells in rows.items():
        if r <= header_row:
            continue
        label = _text([c for c in cells if c.col < first_col])
        values = {c.col: c for c in cells if c.col >= first_col}
        if not values:
            if label:
                out.notes.setdefault(table, []).append(label)
            continue
        if not label:
            raise LayoutError(f"numbers without a row label (first: {min(values.values(), key=lambda c: c.col).ref})",
                              sheet=sheet.name, row=r)
        code, _, marker = _parse_label(label, sheet=sheet.name, row=r)
        if code in found:
            raise LayoutError(f"second row for {code} (first at row {found[code]})", sheet=sheet.name, row=r)
        found[code] = r
        if set(values) != set(columns):
            raise LayoutError(f"{label!r} has values in columns {sorted(column_letter(c) for c in values)}, "
                              f"expected {sorted(column_letter(c) for c in columns)}", sheet=sheet.name, row=r)
        for col, meta in columns.items():
            out.records.append({
                "country": code, "value": _value(values[col], sheet.name), "currency": "",
                "base_year": base_year, "note_marker": marker, "table": table,
                "source_sheet": sheet.name, "source_cell": values[col].ref, **meta,
            })
    _check_countries(found, _expected_countries(edition, include_non_armed=False, with_aggregates=False),
                     sheet=sheet.name, what=f"{table}")


def parse(workbook: Workbook, *, edition: str) -> Parsed:
    """Parse every NATO table in a workbook into value records.

    Parameters
    ----------
    workbook : Workbook
        Cells read from the xlsx file or from its transcription.
    edition : str
        ``"YYYY-MM"``; decides which allies each table must list.

    Raises
    ------
    LayoutError
        If a table is missing, duplicated, or not laid out as expected.
    """
    edition_date(edition)
    out = Parsed(records=[], quirks=[], notes={}, tables={})
    series: dict[tuple[str, str], str] = {}
    period_tables = []
    for sheet in workbook.sheets:
        rows = sheet.rows()
        found = _find_title(rows)
        if found is None:
            if sheet.cells:
                out.quirks.append({"sheet": sheet.name, "row": None, "table": "", "kind": "untitled_sheet",
                                   "cells": f"{len(sheet.cells)} cells"})
            continue
        title_row, m = found
        table = f"Table {m.group('number').replace(' ', '')}"
        title = m.group("title")
        out.tables[sheet.name] = f"{table}: {title}"
        if PERIOD_RE.search(title):
            _parse_period_sheet(sheet, title_row, table, edition, out)
            period_tables.append(sheet.name)
            continue
        subtitles = [_text(cs) for r, cs in list(rows.items()) if r > title_row][:3]
        spec = _match_spec(title, subtitles)
        if spec is None:
            raise LayoutError(f"title {m.group(0)!r} is not one of the known NATO tables "
                              "(defence expenditure, share of GDP, real change, GDP, per capita, "
                              "military personnel, distribution by category)", sheet=sheet.name, row=title_row)
        for key in _parse_series_sheet(sheet, spec, title_row, table, edition, out):
            if key in series:
                raise LayoutError(f"{key[0]} ({key[1] or 'no price basis'}) is published twice, "
                                  f"in sheets {series[key]!r} and {sheet.name!r}", sheet=sheet.name)
            series[key] = sheet.name
    missing = EXPECTED_SERIES - set(series)
    if missing:
        names = ", ".join(f"{i} ({p or 'no price basis'})" for i, p in sorted(missing))
        raise LayoutError(f"workbook lacks tables or sections for: {names}")
    if len(period_tables) != 1:
        raise LayoutError(f"expected one 'real change YYYY-YYYY' table, found {len(period_tables)}")
    return out

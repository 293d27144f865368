"""Read NATO's *Defence Expenditure of NATO Countries* tables from the cell model.

Tables are found by their titles, subtitles and section headings, never by
fixed cell positions, so every layout NATO has used is read by the same code:

* the 2024 layout: sheets ``TABLE1``...``TABLE8b``, one year header per sheet
  above all of its sections, labels in column C, constant prices of 2015;
* the 2025 and 2026 layouts: sheets ``Table 1``...``Table 8b``, the title in
  A1 and the unit in A2, each section heading in column A directly above its
  own year header row, actual years as numbers and estimates as text
  (``2025e``), constant 2021 prices, and in 2026 *core* defence expenditure.

Cells that hold no number where one is due are kept as rows with a ``NaN``
value and a ``missing_reason``: ``"not_published"`` for a blank cell,
``"not_available"`` for NATO's ``..`` and ``"nil"`` for its ``-``. Anything
else unexpected raises :class:`~natoanalysis.errors.LayoutError` naming the
sheet, the row and what was expected: a value is never placed in a year or
country it was not printed under.

:func:`tidy` turns the records into the tidy table: repeated figures (Table 4
repeats Tables 2 and 3) are compared with the original and kept once, and
the consistency and plausibility rules of :mod:`natoanalysis.transform.checks`
run; their findings travel beside the table (:class:`~natoanalysis.transform.Tidy`)
and stop it only under ``strict=True``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re

import pandas as pd

from .. import reference
from ..allies import lookup, registry as countries
from ..errors import LayoutError, UnknownCountryError, ValidationError
from ..extract.cells import Cell, Sheet, Workbook, column_letter
from . import Tidy, checks, conform

TITLE_RE = re.compile(r"^\s*table\s*(?P<number>\d+\s*[a-z]?)\s*:\s*(?P<title>.+?)\s*$", re.I)
YEAR_RE = re.compile(r"^\s*(?P<year>(19|20)\d\d)\s*(?P<e>e)?\s*$", re.I)
LABEL_RE = re.compile(r"^(?P<name>[^*(]+?)\s*(?P<marker>\*+)?\s*(?:\((?P<currency>[^)]*)\))?\s*$")
BASE_YEAR_RE = re.compile(r"((19|20)\d\d)\s+prices", re.I)
NOTE_RE = re.compile(r"^\s*(notes?\b|\*|\([a-z]\)|-\s*\d+\s*-$|source)", re.I)
PERIOD_RE = re.compile(r"real change\s*(?P<start>(19|20)\d\d)\s*-\s*(?P<end>(19|20)\d\d)(?P<e>e?)", re.I)
SHARE_COL_RE = re.compile(r"share of (real )?gdp\s*(?P<year>(19|20)\d\d)(?P<e>e?)", re.I)
CORE_RE = re.compile(r"\bcore defence expenditure\b", re.I)

#: NATO's markers for a figure it does not give, and what each means (notes to the 2025 and 2026 tables).
MISSING_MARKERS = {"..": "not_available", "-": "nil"}
#: A data cell that holds nothing at all: the figure was not published (e.g. Germany 2025 in the 2025 edition).
BLANK = "not_published"

#: What the tables measure, by edition: the 2026 tables report core defence expenditure (The Hague, 2025).
DEFINITION_NATO = "defence expenditure (NATO definition)"
DEFINITION_CORE = "core defence expenditure"


_USD = "million US dollars"


def _tables() -> dict[str, list[dict[str, str]]]:
    """Each table's sections, from ``reference/nato_tables.csv``, the tables in the file's order.

    One row per section: the title (and the unit line, when a title is
    shared) that find the table, the heading that opens the section (empty
    for a table of one block under its year header), what its numbers are,
    and whether Iceland and the aggregates have rows.
    """
    out: dict[str, list[dict[str, str]]] = {}
    for section in reference.records("nato_tables.csv"):
        out.setdefault(section["table"], []).append(section)
    return out


@dataclasses.dataclass
class Parsed:
    """What the reader found: value records, layout quirks, table notes and what the edition covers."""

    records: list[dict]
    quirks: list[dict]
    notes: dict[str, list[str]]
    definition: str = DEFINITION_NATO


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
    """Last day that counts for membership in an edition ``"YYYY-MM"``.

    Examples
    --------
    >>> edition_date("2024-06")
    datetime.date(2024, 6, 28)
    """
    m = re.fullmatch(r"((19|20)\d\d)-(0[1-9]|1[0-2])", edition or "")
    if not m:
        raise ValueError(f"edition must look like 'YYYY-MM' (year and month of publication), got {edition!r}")
    return dt.date(int(m.group(1)), int(m.group(3)), 28)


def _expected_countries(edition: str, *, include_non_armed: bool, with_aggregates: bool) -> set[str]:
    reg = countries()
    cut = edition_date(edition)
    mask = reg["accession_date"].map(lambda d: d <= cut)
    if not include_non_armed:
        mask &= reg["has_armed_forces"]
    out = set(reg.loc[mask, "iso3"])
    if with_aggregates:
        out |= set(reference.aggregates()["code"])
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


def _is_country_label(label: str) -> bool:
    """Whether a row label names an ally or aggregate (a data row whose cells may all be blank)."""
    try:
        return not NOTE_RE.match(label) and bool(_parse_label(label, sheet="", row=0))
    except LayoutError:
        return False


def _match_spec(title: str, subtitles: list[str]) -> list[dict[str, str]] | None:
    """The sections of the first table in ``TABLES`` whose title (and unit line, when it has one) match."""
    return next((sections for sections in _tables().values() if re.search(sections[0]["title"], title, re.I) and (
        not sections[0]["unit_line"] or any(re.search(sections[0]["unit_line"], t, re.I) for t in subtitles))), None)


def _find_title(rows: dict[int, list[Cell]]) -> tuple[int, re.Match] | None:
    for r, cells in rows.items():
        for c in cells:
            if c.type == "s":
                m = TITLE_RE.match(str(c.value))
                if m:
                    return r, m
    return None


def _year_header(cells: list[Cell], *, sheet: str, row: int) -> dict[int, tuple[int, bool]] | None:
    """``{column: (year, is_estimate)}`` when ``cells`` are a year header row, else None.

    A header row holds three or more consecutive years in column order and no
    text to their left (a data row always has its label there, so a row of
    figures that happen to look like years is never taken for a header).
    """
    years = {c.col: y for c in cells if (y := _year_of(c))}
    if len(years) < 3:
        return None
    cols = sorted(years)
    if any(c.col < cols[0] and c.type == "s" and str(c.value).strip() for c in cells):
        return None
    seq = [years[c][0] for c in cols]
    if seq != list(range(seq[0], seq[0] + len(seq))):
        raise LayoutError(f"year header {seq} is not consecutive years in column order", sheet=sheet, row=row)
    others = [c for c in cells if c.col not in years and c.col > cols[0]]
    if others:
        raise LayoutError(f"unexpected cell {others[0].ref}={others[0].value!r} among the year headers",
                          sheet=sheet, row=row)
    return years


def _base_year(texts: list[str]) -> int | None:
    """The base year the first text naming one names (``BASE_YEAR_RE``), else None."""
    return next((int(m.group(1)) for text in texts if (m := BASE_YEAR_RE.search(text))), None)


def _value(cell: Cell | None, sheet: str, *, row: int) -> tuple[float, str]:
    """(number, missing reason) of a data cell; a blank cell is an unpublished figure."""
    if cell is None:
        return math.nan, BLANK
    if cell.type == "n":
        return float(cell.value), ""
    if cell.type == "s" and str(cell.value).strip() in MISSING_MARKERS:
        return math.nan, MISSING_MARKERS[str(cell.value).strip()]
    raise LayoutError(
        f"cell {cell.ref} holds {cell.value!r} where a number was expected (or NATO's '..' not available, "
        f"'-' nil, or a blank cell)", sheet=sheet, row=row)


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


def _section_for(label: str, spec: list[dict[str, str]]) -> dict[str, str] | None:
    if NOTE_RE.match(label):
        return None
    return next((s for s in spec if s["heading"] and re.search(s["heading"], label, re.I)), None)


class _TableSheet:
    """Reads one table, row by row: section headings, header rows, data rows and notes.

    ``spec`` is the table's sections (:func:`_tables`), ``current`` the open
    section, ``years`` the columns of the header row in force, ``found`` the
    rows of the open section by country code.
    """

    def __init__(self, sheet: Sheet, spec: list[dict[str, str]], table: str, edition: str, out: Parsed,
                 title_row: int):
        self.sheet, self.spec, self.table, self.edition, self.out = sheet, spec, table, edition, out
        self.current: dict[str, str] | None = next((s for s in spec if not s["heading"]), None)
        self.years: dict[int, dict] | None = None  # column -> what it holds (its year, for a yearly table)
        self.subtitles: list[str] = []  # text between the title and the first heading or year header
        self.base_year: int | None = None
        self.seen_sections: set[tuple[str, str]] = set()
        self.found: dict[str, int] = {}
        self.section_row = title_row

    def error(self, message: str, row: int | None = None) -> LayoutError:
        return LayoutError(message, sheet=self.sheet.name, row=row)

    def read(self, title_row: int) -> set[tuple[str, str]]:
        """Every row below the title; the (indicator, price basis) pairs the sheet publishes."""
        for r, cells in self.sheet.rows().items():
            if r > title_row:
                self.row(r, cells)
        if self.years is None:
            raise self.error("no year header row (a row of years such as 2014 ... 2024e) after the title")
        self.close_section()
        implicit = {(s["indicator"], s["price_basis"]) for s in self.spec if not s["heading"]}
        return self.seen_sections | (implicit - self.seen_sections)

    def header(self, cells: list[Cell], r: int) -> dict[int, dict] | None:
        """The columns a header row defines: its years, or in Table 4 its years, changes and shares; else None."""
        if self.spec[0]["header"] == "years":
            years = _year_header(cells, sheet=self.sheet.name, row=r)
            return None if years is None else {col: {"year": y, "is_estimate": e} for col, (y, e) in years.items()}
        if not any(c.type == "s" and PERIOD_RE.search(str(c.value)) for c in cells):
            return None
        self.base_year = _base_year(self.subtitles)
        if self.base_year is None:
            raise self.error("no base year ('<year> prices') in the subtitle of the real-change table", r)
        columns = {c.col: _period_column(c) for c in cells}
        odd = next((c for c in cells if columns[c.col] is None), None)
        if odd is not None:
            raise self.error(f"header cell {odd.ref}={odd.value!r} is not a year, 'Real change YYYY-YYYY' "
                             "or 'Share of real GDP YYYY'", r)
        return columns

    def row(self, r: int, cells: list[Cell]) -> None:
        header = self.header(cells, r)
        if header is not None:
            self.years = header
            return
        if self.years is None and any(c.type == "n" for c in cells):
            first = next(c for c in cells if c.type == "n")
            raise self.error(f"figures before any year header row (first: {first.ref}={first.value!r})", r)
        first_col = min(self.years) if self.years else None
        label = _text([c for c in cells if first_col is None or c.col < first_col])
        values = [c for c in cells if first_col is not None and c.col >= first_col]
        if not values:
            self.text_row(label, r)
        elif not label:
            self.unlabelled_row(values, r)
        else:
            self.data_row(label, values, r)

    def text_row(self, label: str, r: int) -> None:
        """A row of text only: a section heading, a subtitle, an ally with every figure blank, or a note."""
        if not label:
            return
        match = _section_for(label, self.spec)
        if match is not None:
            self.open_section(match, label, r)
        elif self.years is None:
            self.subtitles.append(label)
        elif self.current is not None and _is_country_label(label):
            self.data_row(label, [], r)  # a row whose every figure is blank
        else:
            self.close_section()
            self.current, self.found = None, {}
            self.out.notes.setdefault(self.table, []).append(label)

    def unlabelled_row(self, values: list[Cell], r: int) -> None:
        """Figures without a label: a layout quirk when they are all errors or zeros, else a fault."""
        if all(c.type == "e" or (c.type == "n" and c.value == 0) for c in values):
            self.out.quirks.append({"sheet": self.sheet.name, "row": r, "table": self.table,
                                    "cells": ",".join(f"{c.ref}={c.value}" for c in values),
                                    "kind": "error_cells" if any(c.type == "e" for c in values) else "zero_row"})
            return
        raise self.error(f"numbers without a row label (first: {values[0].ref}={values[0].value!r})", r)

    def open_section(self, match: dict[str, str], label: str, r: int) -> None:
        self.close_section()
        self.current, self.found, self.section_row = match, {}, r
        key = (match["indicator"], match["price_basis"])
        if key in self.seen_sections:
            raise self.error(f"second section for {key[0]} ({key[1] or 'no price basis'})", r)
        self.seen_sections.add(key)
        # A heading without a base year takes the subtitle's; failing that, the workbook's (filled in by parse()).
        self.base_year = _base_year([label]) or _base_year(self.subtitles)

    def close_section(self) -> None:
        current = self.current
        if current is None:
            return
        if not self.found:
            raise self.error(f"section for {current['indicator']} has no data rows", self.section_row)
        expected = _expected_countries(self.edition, include_non_armed=bool(current["non_armed"]),
                                       with_aggregates=bool(current["aggregates"]))
        _check_countries(self.found, expected, sheet=self.sheet.name,
                         what=f"{self.table}, {current['indicator']} {current['price_basis']}")

    def data_row(self, label: str, values: list[Cell], r: int) -> None:
        current, years = self.current, self.years
        if current is None:
            heads = [s["heading"] for s in self.spec if s["heading"]]
            raise self.error(f"data row {label!r} is not under a recognised section heading "
                             f"(expected one of {heads})", r)
        if years is None:
            raise self.error(f"data row {label!r} comes before any year header row", r)
        basis = current["price_basis"]
        meta = {"indicator": current["indicator"], "unit": current["unit"], "price_basis": basis,
                "currency": "", "base_year": self.base_year if basis == "constant" else None, "table": self.table,
                "is_repeat": False}
        code, currency, marker = _parse_label(label, sheet=self.sheet.name, row=r)
        if current["indicator"] == "defence_exp_ncu":
            meta["currency"] = currency
        if code in self.found:
            raise self.error(f"second row for {code} ({label!r}; first at row {self.found[code]})", r)
        self.found[code] = r
        by_col = {c.col: c for c in values}
        stray = set(by_col) - set(years)
        if stray:
            col = min(stray)
            raise self.error(f"value {by_col[col].value!r} in column {column_letter(col)} has no year header", r)
        for col, fields in years.items():
            cell = by_col.get(col)
            value, reason = _value(cell, self.sheet.name, row=r)
            self.out.records.append({
                **meta, "country": code, "value": value, "missing_reason": reason, "note_marker": marker,
                "source_sheet": self.sheet.name, "source_cell": cell.ref if cell is not None else
                f"{column_letter(col)}{r}", **fields})


def _period_column(c: Cell) -> dict | None:
    """What one header cell of Table 4 heads: a year of figures, a real change over a period, or a share of GDP."""
    if (y := _year_of(c)) is not None:
        return {"indicator": "defence_exp_usd", "unit": _USD, "price_basis": "constant",
                "year": y[0], "is_estimate": y[1], "is_repeat": True}
    text = str(c.value) if c.type == "s" else ""
    if m := PERIOD_RE.search(text):
        return {"indicator": f"real_change_since_{m.group('start')}_pct", "unit": "percent",
                "price_basis": "constant", "year": int(m.group("end")),
                "is_estimate": bool(m.group("e")), "is_repeat": False}
    if m := SHARE_COL_RE.search(text):
        return {"indicator": "share_gdp_pct", "unit": "percent of GDP", "price_basis": "constant",
                "year": int(m.group("year")), "is_estimate": bool(m.group("e")), "is_repeat": True}
    return None


def _titles(workbook: Workbook) -> list[tuple[Sheet, int, re.Match]]:
    return [(sheet, *found) for sheet in workbook.sheets if (found := _find_title(sheet.rows())) is not None]


def _definition(titles: list[str]) -> str:
    """What the tables measure: core defence expenditure once a title says so (the 2026 tables).

    Not every title need repeat it (the GDP and personnel tables never name
    defence expenditure at all), so one is enough.
    """
    return DEFINITION_CORE if any(CORE_RE.search(t) for t in titles) else DEFINITION_NATO


def scan(workbook: Workbook) -> dict:
    """What a NATO workbook covers (years, estimates, base year, definition), before knowing its edition.

    Reads only the titles, the year header rows and the base-year headings,
    so that the edition can be recognised from the workbook's content:
    ``first_year``, ``last_year``, ``estimate_years`` (those printed with an
    ``e``), ``base_year`` (the constant-price base) and ``definition`` (what
    the tables measure, from their titles).

    Raises
    ------
    LayoutError
        If no NATO table is found, or the year headers of the tables disagree.

    Examples
    --------
    >>> from natoanalysis.extract import transcript
    >>> from pathlib import Path
    >>> sig = scan(transcript.read(Path(__file__).parents[2] / "data/raw/nato/2024-06"))
    >>> sig["first_year"], sig["last_year"], sig["estimate_years"], sig["base_year"], sig["definition"]
    (2014, 2024, [2023, 2024], 2015, 'defence expenditure (NATO definition)')
    """
    titles = _titles(workbook)
    if not titles:
        raise LayoutError("no NATO table found: no sheet has a title such as 'Table 1: Defence expenditure'")
    headers: dict[str, set[tuple[tuple[int, bool], ...]]] = {}
    base_years = set()
    for sheet, title_row, m in titles:
        if not PERIOD_RE.search(m.group("title")):
            base_years |= _scan_sheet(sheet, title_row, headers)
    span = _one_span(headers)
    years = tuple(y for y, _ in span)
    estimates = tuple(y for y, e in span if e)
    if estimates and estimates != years[-len(estimates):]:
        raise LayoutError(f"estimate marks on {', '.join(f'{y}e' for y in estimates)} are not the latest years "
                          f"of the tables ({years[0]}-{years[-1]}): NATO marks only its latest years as estimates")
    return {"definition": _definition([m.group("title") for _, _, m in titles]), "first_year": years[0],
            "last_year": years[-1], "estimate_years": list(estimates),
            "base_year": min(base_years) if len(base_years) == 1 else None}


def _scan_sheet(sheet: Sheet, title_row: int, headers: dict) -> set[int]:
    """Add the sheet's year headers to ``headers``; the base years its headings name."""
    base_years = set()
    for r, cells in sheet.rows().items():
        if r <= title_row:
            continue
        header = _year_header(cells, sheet=sheet.name, row=r)
        if header is not None:
            headers.setdefault(sheet.name, set()).add(tuple(header[c] for c in sorted(header)))
        elif (y := _base_year([_text(cells)])) is not None:
            base_years.add(y)
    return base_years


def _one_span(headers: dict[str, set[tuple[tuple[int, bool], ...]]]) -> tuple[tuple[int, bool], ...]:
    """The one run of years every table's header prints, or a LayoutError naming where they disagree."""
    spans = {h for hs in headers.values() for h in hs}
    if not spans:
        raise LayoutError("no year header row (a row of years such as 2014 ... 2024e) in any table")
    if len(spans) > 1:
        mixed = next((name for name, hs in sorted(headers.items()) if len(hs) > 1), None)
        if mixed is not None:
            raise LayoutError(f"the year headers of one table disagree: {_describe(headers[mixed])}", sheet=mixed)
        first, *others = sorted(headers)
        odd = next(name for name in others if headers[name] != headers[first])
        raise LayoutError(f"the year headers of the tables disagree: {first!r} has {_describe(headers[first])}, "
                          f"{odd!r} has {_describe(headers[odd])}")
    (span,) = spans
    return span


def _describe(spans: set[tuple[tuple[int, bool], ...]]) -> str:
    return " / ".join(", ".join(f"{y}{'e' if e else ''}" for y, e in (s[0], s[-1])) for s in sorted(spans))


def parse(workbook: Workbook, *, edition: str) -> Parsed:
    """Parse every NATO table in a workbook into value records.

    Parameters
    ----------
    workbook : Workbook
        Cells read from the xlsx file or from its transcription.
    edition : str
        ``"YYYY-MM"``; decides which allies each table must list, and no
        table may print a year after it.

    Raises
    ------
    LayoutError
        If a table is missing, duplicated, or not laid out as expected, if
        the tables cover different years, if estimates are marked on years
        other than the latest, or if a year lies after the edition.
    """
    cut = edition_date(edition)
    signature = scan(workbook)
    if signature["last_year"] > cut.year:
        raise LayoutError(f"the tables print figures for {signature['last_year']}, after edition {edition}: "
                          "an edition cannot hold actual figures for a later year (are the year headers shifted?)")
    out = Parsed(records=[], quirks=[], notes={}, definition=signature["definition"])
    series: dict[tuple[str, str], str] = {}
    for sheet in workbook.sheets:
        rows = sheet.rows()
        if (found := _find_title(rows)) is None:
            if sheet.cells:
                out.quirks.append({"sheet": sheet.name, "row": None, "table": "", "kind": "untitled_sheet",
                                   "cells": f"{len(sheet.cells)} cells"})
            continue
        title_row, m = found
        table = f"Table {m.group('number').replace(' ', '')}"
        title = m.group("title")
        subtitles = [_text(cs) for r, cs in list(rows.items()) if r > title_row and _text(cs)][:3]
        spec = _match_spec(title, subtitles)
        if spec is None:
            raise LayoutError(f"title {m.group(0)!r} is not one of the known NATO tables "
                              "(defence expenditure, share of GDP, real change, GDP, per capita, "
                              "military personnel, distribution by category)", sheet=sheet.name, row=title_row)
        for key in _TableSheet(sheet, spec, table, edition, out, title_row).read(title_row):
            if key in series:
                raise LayoutError(f"{key[0]} ({key[1] or 'no price basis'}) is published twice, "
                                  f"in sheets {series[key]!r} and {sheet.name!r}", sheet=sheet.name)
            series[key] = sheet.name
    # Every (indicator, price_basis) an edition must publish, and Table 4's real change.
    missing = {(s["indicator"], s["price_basis"]) for sections in _tables().values() for s in sections} - set(series)
    if missing:
        names = ", ".join(f"{i} ({p or 'no price basis'})" for i, p in sorted(missing))
        raise LayoutError(f"workbook lacks tables or sections for: {names}")
    _fill_base_year(out)
    return out


def _fill_base_year(out: Parsed) -> None:
    """Give constant-price sections whose heading names no base year the one base year of the workbook."""
    named = {rec["base_year"] for rec in out.records if rec["price_basis"] == "constant" and rec["base_year"]}
    unnamed = [rec for rec in out.records if rec["price_basis"] == "constant" and not rec["base_year"]]
    if not unnamed:
        if len(named) > 1:
            raise LayoutError(f"constant-price tables use different base years: {sorted(named)}")
        return
    if len(named) != 1:
        where = f"{unnamed[0]['source_sheet']}, {unnamed[0]['indicator']}"
        raise LayoutError(f"constant-price section ({where}) names no base year (expected '<year> prices' in "
                          f"its heading or subtitle) and the workbook's other tables name "
                          f"{sorted(named) or 'none'}")
    (base,) = named
    for rec in unnamed:
        rec["base_year"] = base


REPEAT_RTOL = 1e-9


def tidy(workbook: Workbook, *, edition: str, run_checks: bool = True, strict: bool = False) -> Tidy:
    """Turn a NATO workbook (xlsx or transcription) into the tidy table.

    Parameters
    ----------
    workbook : Workbook
        Cells of the official workbook.
    edition : str
        ``"YYYY-MM"``.
    run_checks : bool, default True
        Run the consistency and plausibility rules; their findings (whitelist
        applied) are in the result's ``findings``.
    strict : bool, default False
        Raise :class:`~natoanalysis.errors.ValidationError` on any finding not
        on the whitelist, for pipelines that want a publisher's anomaly to stop them.

    Returns
    -------
    Tidy
        The tidy table with the findings, the layout quirks and the notes.

    Raises
    ------
    LayoutError
        The workbook is not laid out as expected (a structural fault).
    ValidationError
        A repeated figure names no original, keys repeat, or (``strict``) a
        finding is not on the whitelist.
    """
    parsed = parse(workbook, edition=edition)
    df, disagreements = _drop_repeats(pd.DataFrame.from_records(parsed.records), edition=edition)
    aggs = reference.aggregates()
    tidy = conform(df, source="nato", edition=edition, definition=parsed.definition,
                   aggregates=dict(zip(aggs["code"], aggs["name"])))
    found = None
    if run_checks:
        found = checks.findings(tidy, notes=parsed.notes, quirks=parsed.quirks)
        if len(disagreements):
            found = pd.concat([found, checks.mark_whitelisted(disagreements)], ignore_index=True)
        bad = found[~found["is_whitelisted"]]
        if strict and len(bad):
            raise ValidationError(f"{len(bad)} finding(s) not on the whitelist (strict):\n"
                                  + checks.summary(found, limit=10))
    return Tidy(tidy, found, parsed.quirks, parsed.notes)


def _drop_repeats(df: pd.DataFrame, *, edition: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The table without its repeats, and a finding for each repeat that disagrees with its original."""
    key = ["country", "year", "indicator", "price_basis"]
    originals = df[~df["is_repeat"]]
    repeats = df[df["is_repeat"]]
    merged = repeats.merge(originals[key + ["value", "missing_reason", "source_sheet", "source_cell"]], on=key,
                           how="left", suffixes=("", "_orig"), indicator=True)
    orphan = merged["_merge"] == "left_only"
    if orphan.any():
        row = merged[orphan].iloc[0]
        raise ValidationError(f"{row['source_sheet']}!{row['source_cell']} repeats {row['indicator']} "
                              f"{row['country']} {row['year']}, which no other table publishes")
    both_missing = merged["value"].isna() & merged["value_orig"].isna()
    bad = ~both_missing & ~((merged["value"] - merged["value_orig"]).abs()
                           <= REPEAT_RTOL * merged["value_orig"].abs().clip(lower=1))
    rows = [{"rule": "repeat_agrees", "source": "nato", "edition": edition, "country": r["country"],
             "year": int(r["year"]), "indicator": r["indicator"], "published": r["value"],
             "expected": r["value_orig"],
             "detail": f"{r['source_sheet']}!{r['source_cell']} = {r['value']} repeats "
                       f"{r['source_sheet_orig']}!{r['source_cell_orig']} = {r['value_orig']} but disagrees"}
            for _, r in merged[bad].iterrows()]
    found = pd.DataFrame(rows, columns=checks.FINDING_COLUMNS).astype({"published": float, "expected": float})
    return originals.drop(columns="is_repeat").reset_index(drop=True), found

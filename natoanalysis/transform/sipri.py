"""Read SIPRI's *Military Expenditure Database* workbook from the cell model.

Sheets are recognised by their titles (row 1), columns by the header row that
starts with ``Country`` (or ``Region``), and countries by the registry, never
by fixed positions. What a cell means beyond its number is read from the
workbook too: the font colour (blue: SIPRI estimate, red: highly uncertain)
and the missing-value markers (``...``/``. .``: not available, ``xxx``: the
country did not exist); both vocabularies are in ``reference/sipri_markers.csv``
and each sheet's legend is checked to still say what that file assumes.

Which rows are kept: every country row is looked up in the registry
(``countries(include_non_allies=True)``, SIPRI names and aliases). Rows the
registry does not know (Brazil, the USSR, the European Union, ...) are out of
scope and only listed; but each registry country must be found exactly once in
every country sheet, so an ally or comparator that SIPRI prints under a name
the registry lacks is an error naming the unmatched SIPRI rows, not a silent
gap. Regional totals are all kept, and there an unknown region name is an error.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re

import pandas as pd

from .. import reference
from ..allies import lookup, registry as countries
from ..errors import LayoutError, UnknownCountryError, ValidationError
from ..extract.cells import Cell, Sheet, Workbook, column_letter
from . import Tidy, checks, conform

_USD = "million US dollars"


REGIONAL_TITLE = r"by region in constant US dollars"
FOOTNOTES_TITLE = r"^footnotes"
# Regional totals are printed in US$ billions; the tidy table uses millions, as for countries.
REGIONAL_MULTIPLY = 1000.0

LEGEND_COUNTRY = (r"figures in blue are sipri estimates", r"figures in red indicate highly uncertain")
LEGEND_REGIONAL = (r"figures in red indicate that more than 10%",)

YEAR_HEADER_RE = re.compile(r"^\s*((19|20)\d\d)\s*$")
BASE_YEAR_RE = re.compile(r"constant \(?((19|20)\d\d)\)? (US\$|prices)", re.I)
CURRENT_COL_RE = re.compile(r"^\s*((19|20)\d\d)\s*\(current prices\)\s*$", re.I)


@dataclasses.dataclass
class Parsed:
    """What the reader found: value records, notes and the rows deliberately not kept."""

    records: list[dict]
    notes: dict[str, list[str]]
    not_kept: dict[str, list[str]]  # sheet -> SIPRI names not in the registry


@functools.lru_cache(maxsize=1)
def sheets() -> tuple[dict, ...]:
    """The country sheets, from ``reference/sipri_sheets.csv``: the first whose title (and subtitle) match wins.

    A printed value ``x`` becomes ``x * multiply / divide`` in the tidy table.

    Examples
    --------
    >>> [(s["indicator"], s["multiply"], s["divide"]) for s in sheets() if s["indicator"] == "share_gdp_pct"]
    [('share_gdp_pct', 100.0, 1.0)]
    """
    return tuple({**row, "multiply": float(row["multiply"]), "divide": float(row["divide"])}
                 for row in reference.records("sipri_sheets.csv"))


@functools.lru_cache(maxsize=1)
def markers() -> tuple[dict[str, str], dict[str, str]]:
    """``(font colour -> flag, missing marker -> reason)`` from ``reference/sipri_markers.csv``.

    Examples
    --------
    >>> colours, missing = markers()
    >>> colours["indexed:12"], colours["indexed:10"], missing["xxx"]
    ('is_estimate', 'is_uncertain', 'did_not_exist')
    """
    df = reference.read("sipri_markers.csv")
    return tuple(df[df["kind"] == kind].set_index("code")["flag"].to_dict() for kind in ("font_color", "missing"))


@functools.lru_cache(maxsize=1)
def regions() -> dict[str, tuple[str, str, str]]:
    """Normalised SIPRI region name -> (aggregate code, name, parent code), from ``reference/sipri_regions.csv``.

    Examples
    --------
    >>> regions()["world"], regions()["western europe"]
    (('SIPRI_WORLD', 'World (SIPRI)', ''), ('SIPRI_WESTERN_EUROPE', 'Western Europe (SIPRI)', 'SIPRI_EUROPE'))
    """
    out = {}
    for _, row in reference.read("sipri_regions.csv").iterrows():
        for alias in row["sipri_names"].split(";"):
            out[_norm(alias)] = (row["code"], row["name"], row["parent"])
    return out


def _norm(text: str) -> str:
    return " ".join(str(text).lower().split())


def _text(cells: list[Cell]) -> str:
    return " ".join(str(c.value).strip() for c in cells if c.type == "s" and str(c.value).strip())


def _first_text(rows: dict[int, list[Cell]]) -> tuple[int, str] | None:
    for r, cells in rows.items():
        t = _text(cells)
        if t:
            return r, t
    return None


def _header(rows: dict[int, list[Cell]], first_label: str, sheet: str) -> tuple[int, dict[str, int], dict[int, int]]:
    """Header row: label columns by their (lower-cased) heading, and year columns."""
    for r, cells in rows.items():
        if cells and cells[0].col == 1 and _norm(cells[0].value) == first_label:
            labels, years = {}, {}
            for c in cells:
                text = str(c.value).strip()
                if c.type == "n" and float(c.value).is_integer() and 1900 < c.value < 2100:
                    years[c.col] = int(c.value)
                elif c.type == "s" and YEAR_HEADER_RE.match(text):
                    years[c.col] = int(text)
                else:
                    labels[_norm(text)] = c.col
            cols = sorted(years)
            seq = [years[c] for c in cols]
            if len(seq) < 3 or seq != list(range(seq[0], seq[0] + len(seq))) or cols != list(
                    range(cols[0], cols[0] + len(cols))):
                raise LayoutError(f"year header {seq} is not consecutive years in adjacent columns", sheet=sheet, row=r)
            return r, labels, years
    raise LayoutError(f"no header row starting with {first_label.title()!r}", sheet=sheet)


def _check_legend(texts: list[str], patterns: tuple[str, ...], sheet: str) -> None:
    # Colour flags are only as good as the legend: if SIPRI changes what a colour means, stop.
    joined = " ".join(texts).lower()
    for pat in patterns:
        if not re.search(pat, joined):
            raise LayoutError(f"legend line matching {pat!r} not found above the table; the meaning of "
                              "the font colours cannot be confirmed", sheet=sheet)


def _cell_meaning(cell: Cell, sheet: str) -> tuple[float, str, bool, bool]:
    """(number as printed or NaN, missing reason, is_estimate, is_uncertain) of a data cell."""
    colours, missing = markers()
    if cell.font_color not in colours:
        raise LayoutError(f"cell {cell.ref} has font colour {cell.font_color!r}, which has no known meaning; "
                          f"known: {', '.join(repr(k) for k in colours)}", sheet=sheet, row=cell.row)
    flag = colours[cell.font_color]
    if cell.type == "n":
        value, reason = float(cell.value), ""
    elif cell.type == "s" and str(cell.value).strip() in missing:
        value, reason = math.nan, missing[str(cell.value).strip()]
    else:
        raise LayoutError(f"cell {cell.ref} holds {cell.value!r}; expected a number or one of "
                          f"{', '.join(repr(k) for k in missing)}", sheet=sheet, row=cell.row)
    return value, reason, flag == "is_estimate", flag == "is_uncertain"


def _base_year(texts: list[str]) -> int | None:
    """The base year the first text naming one names (``BASE_YEAR_RE``), else None."""
    return next((int(m.group(1)) for text in texts if (m := BASE_YEAR_RE.search(text))), None)


def _match(title: str, subtitles: list[str]) -> dict | None:
    return next((spec for spec in sheets() if re.search(spec["title"], title, re.I) and (
        not spec["subtitle"] or any(re.search(spec["subtitle"], s, re.I) for s in subtitles))), None)


def _texts_above(rows: dict[int, list[Cell]], title: str, title_row: int, header_row: int) -> list[str]:
    return [title] + [_text(cs) for r, cs in rows.items() if title_row < r < header_row]


def _heading_region(name: str, cells: list[Cell], sheet: str, r: int) -> str:
    """The region code of a heading row (a region or sub-region alone in column A); LayoutError for other rows."""
    if not (name and len(cells) == 1):
        raise LayoutError(f"row without figures: {[c.ref for c in cells]}", sheet=sheet, row=r)
    if _norm(name) not in regions():
        raise LayoutError(f"heading {name!r} is not a region in reference/sipri_regions.csv", sheet=sheet, row=r)
    return regions()[_norm(name)][0]


def _row_records(out: Parsed, sheet: str, r: int, name: str, by_col: dict[int, Cell], columns: dict[int, dict],
                 scale: tuple[float, float]) -> None:
    """The records of one row: a value for every column (``columns``: what each holds), x ``multiply / divide``."""
    stray = set(by_col) - set(columns)
    if stray:
        raise LayoutError(f"value in column {column_letter(min(stray))} has no year header", sheet=sheet, row=r)
    multiply, divide = scale
    for col, meta in columns.items():
        if col not in by_col:
            raise LayoutError(f"{name!r} has no cell for {meta['year']} {meta['price_basis']} (column "
                              f"{column_letter(col)}); SIPRI marks missing figures with '...' or 'xxx'", sheet=sheet,
                              row=r)
        value, reason, is_est, is_unc = _cell_meaning(by_col[col], sheet)
        out.records.append({
            **meta, "value": value * multiply / divide, "is_estimate": is_est, "is_uncertain": is_unc,
            "missing_reason": reason, "table": sheet, "source_sheet": sheet, "source_cell": by_col[col].ref})


def _country_row(sheet: Sheet, spec: dict, r: int, cells: list[Cell], ctx: dict, out: Parsed) -> None:
    """The records of one country's row: a value for every year column, and the row's note, currency and fiscal year."""
    row_text = {c.col: str(c.value).strip() for c in cells}
    label = {key: row_text.get(col, "") if col else "" for key, col in ctx["label_cols"].items()}
    meta = {"country": ctx["code"], "indicator": spec["indicator"], "unit": spec["unit"],
            "currency": label["currency"], "price_basis": spec["price_basis"], "base_year": ctx["base_year"],
            "note_marker": label["notes"], "sipri_region": ctx["region"],
            "fiscal_year": (label["fiscal"] or "Jan-Dec") if ctx["label_cols"]["fiscal"] else ""}
    _row_records(out, sheet.name, r, ctx["name"], {c.col: c for c in cells if c.col >= min(ctx["years"])},
                 {col: {**meta, "year": year} for col, year in ctx["years"].items()},
                 (spec["multiply"], spec["divide"]))


def _country_context(sheet: Sheet, spec: dict, rows: dict, title_row: int, title: str) -> tuple[int, dict]:
    """The header row, and what every row of a country sheet shares: year and label columns, base year."""
    header_row, labels, years = _header(rows, "country", sheet.name)
    texts = _texts_above(rows, title, title_row, header_row)
    _check_legend(texts, LEGEND_COUNTRY, sheet.name)
    base_year = _base_year(texts) if spec["price_basis"] == "constant" else None
    if spec["price_basis"] == "constant" and base_year is None:
        raise LayoutError("constant-price sheet names no base year (expected 'constant (YYYY) US$' in the title)",
                          sheet=sheet.name, row=title_row)
    label_cols = {"notes": labels.get("notes"), "currency": labels.get("currency"),
                  "fiscal": next((c for k, c in labels.items() if k.startswith("fiscal year")), None)}
    return header_row, {"years": years, "base_year": base_year, "label_cols": label_cols, "region": ""}


def _country_sheet(sheet: Sheet, spec: dict, title_row: int, title: str, out: Parsed) -> None:
    rows = sheet.rows()
    header_row, ctx = _country_context(sheet, spec, rows, title_row, title)
    found: dict[str, int] = {}
    unknown: list[tuple[int, str, str]] = []
    for r, cells in rows.items():
        if r <= header_row or not cells:
            continue
        values = [c for c in cells if c.col >= min(ctx["years"])]
        name = _text([c for c in cells if c.col == 1])
        if not values:
            ctx["region"] = _heading_region(name, cells, sheet.name, r)  # the innermost SIPRI heading above
            continue
        if not name:
            raise LayoutError(f"figures without a country name (first: {values[0].ref})", sheet=sheet.name, row=r)
        try:
            code = lookup(name, publisher="sipri")
        except UnknownCountryError:
            unknown.append((r, name, ctx["region"]))
            continue
        if code in found:
            raise LayoutError(f"second row for {code} ({name!r}; first at row {found[code]})", sheet=sheet.name, row=r)
        found[code] = r
        _country_row(sheet, spec, r, cells, {**ctx, "name": name, "code": code}, out)
    missing = set(countries(include_non_allies=True)["iso3"]) - set(found)
    if missing:
        listed = "; ".join(f"{n!r} (row {r}, {reg})" for r, n, reg in unknown)
        raise LayoutError(
            f"no row for {', '.join(sorted(missing))}: a kept country is printed under a name the registry "
            f"does not know (add it to sipri_names in countries.csv). SIPRI rows not in the registry: {listed}",
            sheet=sheet.name)
    out.not_kept[sheet.name] = [n for _, n, _ in unknown]


def _regional_columns(sheet: Sheet, rows: dict, title_row: int, title: str) -> tuple[int, dict, int | None]:
    """The header row, ``{column: {year, price_basis, base_year}}`` and the column of omitted countries."""
    header_row, labels, years = _header(rows, "region", sheet.name)
    texts = _texts_above(rows, title, title_row, header_row)
    _check_legend(texts, LEGEND_REGIONAL, sheet.name)
    base_year = _base_year(texts)
    if base_year is None:
        raise LayoutError("regional totals name no base year ('at constant YYYY prices')", sheet=sheet.name)
    current_cols = {col: int(m.group(1)) for text, col in labels.items() if (m := CURRENT_COL_RE.match(text))}
    known = {labels[k] for k in ("region", "omitted countries") if k in labels} | set(current_cols)
    stray = set(labels.values()) - known
    if stray:
        raise LayoutError(f"unexpected header cell in column {column_letter(min(stray))}", sheet=sheet.name,
                          row=header_row)
    columns = {col: {"year": year, "price_basis": "constant", "base_year": base_year} for col, year in years.items()}
    columns.update({col: {"year": year, "price_basis": "current", "base_year": None}
                    for col, year in current_cols.items()})
    return header_row, columns, labels.get("omitted countries")


def _regional_row(sheet: Sheet, r: int, cells: list[Cell], columns: dict, omitted_col: int | None,
                  out: Parsed) -> str:
    """The records of one region's row; its code."""
    name = _text([c for c in cells if c.col == 1])
    if _norm(name) not in regions():
        raise LayoutError(f"region {name!r} is not in reference/sipri_regions.csv; known: "
                          f"{', '.join(sorted(regions()))}", sheet=sheet.name, row=r)
    code, _, parent = regions()[_norm(name)]
    by_col = {c.col: c for c in cells if c.col != 1}
    if omitted_col in by_col:
        out.notes.setdefault("Regional totals: omitted countries", []).append(
            f"{name}: {str(by_col.pop(omitted_col).value).strip()}")
    meta = {"country": code, "indicator": "defence_exp_usd", "unit": _USD, "currency": "", "note_marker": "",
            "fiscal_year": "", "sipri_region": parent}
    _row_records(out, sheet.name, r, name, by_col, {col: {**meta, **fields} for col, fields in columns.items()},
                 (REGIONAL_MULTIPLY, 1.0))
    return code


def _regional_sheet(sheet: Sheet, title_row: int, title: str, out: Parsed) -> None:
    rows = sheet.rows()
    header_row, columns, omitted_col = _regional_columns(sheet, rows, title_row, title)
    found: dict[str, int] = {}
    for r, cells in rows.items():
        if r <= header_row or not cells:
            continue
        code = _regional_row(sheet, r, cells, columns, omitted_col, out)
        if code in found:
            name = _text([c for c in cells if c.col == 1])
            raise LayoutError(f"second row for {name!r} (first at row {found[code]})", sheet=sheet.name, row=r)
        found[code] = r
    absent = {c for c, _, _ in regions().values()} - set(found)
    if absent:
        raise LayoutError(f"regional totals lack rows for {', '.join(sorted(absent))}", sheet=sheet.name)


def _footnotes(sheet: Sheet, out: Parsed) -> None:
    for r, cells in sheet.rows().items():
        marker = [c for c in cells if c.col == 1]
        text = _text([c for c in cells if c.col > 1])
        if marker and text:
            out.notes.setdefault("Footnotes", []).append(f"{str(marker[0].value).strip()}: {text}")


def parse(workbook: Workbook) -> Parsed:
    """Parse every SIPRI sheet of a workbook into value records.

    Parameters
    ----------
    workbook : Workbook
        Cells (with font colours) read from the xlsx file or its transcription.

    Raises
    ------
    LayoutError
        If a sheet is not recognised, is laid out unexpectedly, a colour or
        marker has no known meaning, or a kept country or region is missing.
    """
    out = Parsed(records=[], notes={}, not_kept={})
    seen: dict[str, str] = {}
    for sheet in workbook.sheets:
        rows = sheet.rows()
        first = _first_text(rows)
        if first is None:
            continue  # SIPRI's front page is text boxes only: no cells
        title_row, title = first
        if re.search(FOOTNOTES_TITLE, title, re.I):
            _footnotes(sheet, out)
            continue
        if re.search(REGIONAL_TITLE, title, re.I):
            key = "regional totals"
            _regional_sheet(sheet, title_row, title, out)
        else:
            header_row = next((r for r, cs in rows.items() if cs and _norm(cs[0].value) == "country"), None)
            subtitles = [_text(cs) for r, cs in rows.items() if title_row < r < (header_row or title_row + 6)]
            spec = _match(title, subtitles)
            if spec is None:
                raise LayoutError(f"title {title!r} is not one of the known SIPRI sheets (local currency, "
                                  "constant/current US$, share of GDP, per capita, share of government spending, "
                                  "regional totals, footnotes)", sheet=sheet.name, row=title_row)
            key = f"{spec['indicator']} {spec['price_basis']}"
            _country_sheet(sheet, spec, title_row, title, out)
        if key in seen:
            raise LayoutError(f"{key} is published twice, in sheets {seen[key]!r} and {sheet.name!r}",
                              sheet=sheet.name)
        seen[key] = sheet.name
    expected = {f"{s['indicator']} {s['price_basis']}" for s in sheets()} | {"regional totals"}
    missing = expected - set(seen)
    if missing:
        raise LayoutError(f"workbook lacks sheets for: {', '.join(sorted(missing))}")
    if "Footnotes" not in out.notes:
        raise LayoutError("workbook has no 'Footnotes' sheet explaining the Notes column markers")
    return out


DEFINITION = "military expenditure (SIPRI definition)"


def scan(workbook: Workbook) -> dict:
    """What a SIPRI workbook covers (years, base year, definition), read off its constant-dollar sheet.

    SIPRI marks estimates by colour in every year, so ``estimate_years`` is empty.

    Examples
    --------
    >>> from natoanalysis.extract import transcript
    >>> from pathlib import Path
    >>> scan(transcript.read(Path(__file__).parents[2] / "data/raw/sipri/2025-04"))["last_year"]
    2024
    """
    constant = next(s for s in sheets() if s["price_basis"] == "constant")
    for sheet in workbook.sheets:
        rows = sheet.rows()
        first = _first_text(rows)
        if first is None or not re.search(constant["title"], first[1], re.I):
            continue
        _, _, years = _header(rows, "country", sheet.name)
        texts = [first[1]] + [_text(cs) for r, cs in rows.items() if first[0] < r < first[0] + 6]
        return {"definition": DEFINITION, "first_year": min(years.values()), "last_year": max(years.values()),
                "estimate_years": [], "base_year": _base_year(texts)}
    raise LayoutError("no SIPRI sheet of military expenditure in constant US$ (title 'Military expenditure by "
                      "country, in constant (YYYY) US$ m.') in the workbook")


EXTRA_COLUMNS = {"is_uncertain": "bool", "fiscal_year": "string",
                 "sipri_region": "string"}


def tidy(workbook: Workbook, *, edition: str, run_checks: bool = True, strict: bool = False) -> Tidy:
    """Turn a SIPRI workbook (xlsx or transcription) into the tidy table.

    Parameters
    ----------
    workbook : Workbook
        Cells of the official workbook, with font colours.
    edition : str
        SIPRI release ``"YYYY-MM"``.
    run_checks : bool, default True
        Check that constant and current US$ agree in the base year
        (:func:`natoanalysis.transform.checks.base_year_prices`, NATO's rule).
    strict : bool, default False
        Accepted for the same signature as NATO's; SIPRI's one check always raises.

    Returns
    -------
    Tidy
        The tidy table and the notes (SIPRI's check raises, so ``findings`` is None).

    Raises
    ------
    LayoutError
        The workbook is not laid out as expected.
    ValidationError
        Duplicate keys, or a consistency check fails.
    """
    parsed = parse(workbook)
    tidy = conform(pd.DataFrame.from_records(parsed.records), source="sipri", edition=edition, definition=DEFINITION,
                   aggregates={code: name for code, name, _ in regions().values()}, include_non_allies=True,
                   extra=EXTRA_COLUMNS)
    if run_checks and len(found := checks.base_year_prices(tidy)):
        row = found.iloc[0]
        raise ValidationError(f"SIPRI {row['country']} {row['year']}: {row['detail']} (constant US$ "
                              f"{row['published']}, current US$ {row['expected']})")
    notes = {**parsed.notes, **{f"not kept ({k})": v for k, v in parsed.not_kept.items()}}
    return Tidy(tidy, None, (), notes)


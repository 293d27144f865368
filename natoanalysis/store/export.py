"""Data to take away: an edition's tidy table as CSV with a Frictionless ``datapackage.json``.

The descriptor is plain data built from the package's one field registry
(``reference/columns.csv``, ``reference/indicators.csv`` and the tidy schema):
each field's type, title and description, the primary key, the missing-value
code, the publications the rows come from (the editions' provenance, else
``reference/editions.csv``) and the publishers' terms and pages
(``reference/publishers.csv``), stated as the publishers
give them: neither NATO nor SIPRI publishes its tables under an open licence.
The report runner describes the CSVs of its ``tables-and-figures.zip`` the same way.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
from pathlib import Path

import pandas as pd

from .. import atomic, reference, schema
from ..errors import ArgumentError, NatoAnalysisError
from .query import load, sources

DESCRIPTOR = "datapackage.json"
#: How a CSV written by pandas shows no figure: an empty cell (``missing_reason`` says why).
MISSING_VALUES = [""]


def _registry() -> dict[str, dict[str, str]]:
    fields = {r["indicator"]: {"title": r["label"], "description": f"{r['description']} ({r['unit']})",
                               "type": "number"} for r in reference.records("indicators.csv")}
    for r in reference.records("columns.csv"):
        fields[r["column"]] = {"title": r["label"], "description": r["source"], "type": r.get("type") or ""}
    return fields


#: What a CSV cell holds for each type, as pandas writes it (a type fits a column when every cell matches).
_WRITTEN = {"integer": r"-?\d+", "number": r"-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", "boolean": "True|False"}


def field(name: str, values: pd.Series) -> dict:
    """The Table Schema field of a column: title, description and type from the registry, checked on the values.

    A column the registry does not know, or whose values do not fit its
    registered type, gets the narrowest type every value fits.

    Examples
    --------
    >>> field("year", pd.Series([2024]))["type"], field("2024", pd.Series(["1.5", None]))
    ('integer', {'name': '2024', 'type': 'number'})
    >>> field("year", pd.Series(["2024", "all"]))["type"]
    'string'
    """
    known = _registry().get(name, {})
    text = values.dropna().astype(str)
    kinds = [known.get("type"), *(("integer", "number", "boolean") if len(text) else ())]
    kind = next((k for k in kinds if k == "string" or (k in _WRITTEN and text.str.fullmatch(_WRITTEN[k]).all())),
                "string")
    out = {"name": name, "type": kind, **{k: v for k, v in known.items() if k != "type" and v}}
    if name == "missing_reason":
        out["constraints"] = {"enum": list(schema.MISSING_REASONS)}
        out["description"] = "why value is empty: " + "; ".join(f"{k}: {v}" for k, v in schema.MISSING_REASONS.items())
    return out


def _key(frame: pd.DataFrame, fields: list[dict]) -> list[str]:
    """The shortest run of leading non-number columns whose values identify every row (none: ``[]``)."""
    for n, f in enumerate(fields, start=1):
        if f["type"] == "number":
            return []
        cols = [f["name"] for f in fields[:n]]
        if frame[cols].notna().all().all() and not frame.duplicated(cols).any():
            return cols
    return []


def resource(frame: pd.DataFrame, *, path: str, key: list[str] | None = None) -> dict:
    """A tabular data resource describing ``frame`` as written (CSV, UTF-8) to ``path``.

    Examples
    --------
    >>> r = resource(pd.DataFrame({"country": ["POL"], "gap_core_pp": [0.5]}), path="tables/x/gaps.csv")
    >>> r["name"], r["schema"]["primaryKey"], [f["type"] for f in r["schema"]["fields"]]
    ('tables-x-gaps', ['country'], ['string', 'number'])
    """
    fields = [field(str(c), frame[c]) for c in frame.columns]
    key = _key(frame, fields) if key is None else key
    for f in fields:
        if f["name"] in key and f["type"] == "string":
            f["missingValues"] = []  # an empty key text ("" price basis) is a value, not a missing one
    return {"name": re.sub(r"[^a-z0-9]+", "-", Path(path).with_suffix("").as_posix().lower()).strip("-"),
            "path": path, "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": {"fields": fields, "missingValues": MISSING_VALUES, **({"primaryKey": key} if key else {})}}


def publications(used: dict[str, list[str]], *, data_dir: str | os.PathLike | None = None) -> list[dict]:
    """The publications behind ``{source: [edition, ...]}``: title, edition, definition, file, pages and terms.

    Each edition is described by its provenance in the data folder, else by ``reference/editions.csv``.

    Examples
    --------
    >>> nato = publications({"nato": [reference.records("editions.csv")[0]["edition"]]})[0]
    >>> nato["page_url"].startswith("https://www.nato.int/"), nato["file_name"].endswith(".xlsx")
    (True, True)
    """
    pages = {r["source"]: r for r in reference.records("publishers.csv")}
    known = {(r["source"], r["edition"]): r for r in reference.records("editions.csv")}
    with contextlib.suppress(NatoAnalysisError):
        known.update({(r["source"], r["edition"]): r for r in sources(data_dir=data_dir).to_dict("records")})
    out = []
    for source, editions in used.items():
        for edition in editions:
            r = {k: "" if v is None else str(v) for k, v in known.get((source, edition), {}).items()}
            out.append({"source": source, "edition": edition, "title": r.get("title") or f"{source} {edition}",
                        "publisher": r.get("publisher", ""), "published": r.get("publication_date", ""),
                        "definition": r.get("definition", ""), "file_name": r.get("file_name", ""),
                        "file_url": r.get("url", ""), "terms": r.get("terms", ""),
                        "page_url": pages[source]["page_url"], "page_title": pages[source]["page_title"]})
    return out


def package(resources: list[dict], *, used: dict[str, list[str]], name: str, title: str,
            data_dir: str | os.PathLike | None = None) -> dict:
    """A data package descriptor: the resources with the sources and the publishers' terms of ``used``.

    Examples
    --------
    >>> d = package([], used={"sipri": ["2025-04"]}, name="x", title="X")
    >>> d["sources"][0]["title"], d["licenses"][0]["path"]
    ('SIPRI Military Expenditure Database 1949-2024, release 2025-04 (SIPRI-Milex-data-1949-2024_2.xlsx)', 'https://www.sipri.org/databases/milex')
    """
    pubs = publications(used, data_dir=data_dir)
    sources = [{"title": f"{p['title']}, {'edition' if p['source'] == 'nato' else 'release'} {p['edition']}"
                         + (f" ({p['file_name']})" if p["file_name"] else ""), "path": p["file_url"] or p["page_url"]}
               for p in pubs]
    terms = {p["source"]: {"title": f"{p['publisher'] or p['source']}: {p['terms']} (the publisher's terms; "
                                    "not an open licence)", "path": p["page_url"]} for p in pubs if p["terms"]}
    return {"name": name, "title": title, "profile": "tabular-data-package", "sources": sources,
            "licenses": list(terms.values()), "resources": resources}


def describe(root: Path, paths: list[str], *, used: dict[str, list[str]], name: str, title: str,
             data_dir: str | os.PathLike | None = None) -> dict:
    """The data package of the CSV files ``paths`` (relative to ``root``), from the publications ``used``.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> _ = (root / "t.csv").write_text("country,year,share_gdp_pct\\nPOL,2024,4.12\\nISL,2024,\\n")
    >>> d = describe(root, ["t.csv"], used={}, name="x", title="X")
    >>> [(f["name"], f["type"]) for f in d["resources"][0]["schema"]["fields"]]
    [('country', 'string'), ('year', 'integer'), ('share_gdp_pct', 'number')]
    """
    resources = [resource(pd.read_csv(root / p, dtype=str, keep_default_na=False).replace("", None), path=p)
                 for p in paths]
    return package(resources, used=used, name=name, title=title, data_dir=data_dir)


def export(*, out_dir: str | os.PathLike, edition: str | None = None, source: str = "nato",
           data_dir: str | os.PathLike | None = None) -> Path:
    """Write the tidy table of one edition as CSV with its ``datapackage.json`` into a new folder.

    Parameters
    ----------
    out_dir : path-like
        A folder that does not exist yet, or an empty one; it appears whole or not at all.
    edition : str, optional
        ``"YYYY-MM"`` or ``"latest"`` (the default).
    source : {"nato", "sipri"}
    data_dir : path-like, optional
        Data root, as for :func:`natoanalysis.load`.

    Returns
    -------
    pathlib.Path
        The descriptor written (``out_dir/datapackage.json``).

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "nato"
    >>> descriptor = json.loads(export(out_dir=out).read_text())
    >>> descriptor["resources"][0]["path"] == f"nato-{load()['edition'].iloc[0]}.csv"
    True
    >>> export(out_dir=out)
    Traceback (most recent call last):
    ...
    natoanalysis.errors.ArgumentError: out_dir ... exists and is not an empty folder; give a new or empty folder ...
    """
    out = Path(out_dir)
    if out.is_symlink() or (out.exists() and (not out.is_dir() or any(out.iterdir()))):
        raise ArgumentError(f"out_dir {out} exists and is not an empty folder; give a new or empty folder "
                            "(nothing is overwritten)")
    df = load(source=source, edition=edition, data_dir=data_dir)
    if str(edition).lower() == "all" or df["edition"].nunique() != 1:
        raise ArgumentError(f"edition {edition!r}: export writes one edition; give 'YYYY-MM' or 'latest'")
    edition = str(df["edition"].iloc[0])
    name = f"{df['source'].iloc[0]}-{edition}"
    text = io.StringIO()
    df.to_csv(text, index=False, lineterminator="\n")
    res = resource(df, path=f"{name}.csv", key=[k for k in schema.KEY if k in df.columns])
    res["title"] = f"{df['definition'].iloc[0]}, {name}: one row per published number"
    descriptor = package([res], used={df["source"].iloc[0]: [edition]}, name=name,
                         title=f"Tidy table of {name} (natoanalysis)", data_dir=data_dir)
    try:
        if out.exists():
            out.rmdir()  # empty, checked above: a folder written meanwhile makes this fail, never lose it
        out.parent.mkdir(parents=True, exist_ok=True)
        atomic.publish(out.parent, out.name, {res["path"]: text.getvalue(),
                                              DESCRIPTOR: json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n"})
    except OSError as exc:
        raise ArgumentError(f"out_dir {out} cannot be written: {exc.strerror or exc}") from None
    return out / DESCRIPTOR

"""``index.html``: the home page of a run, and the files it links that the notebooks do not write.

What a reader sees first: whether the run is complete, the edition (cut-off,
estimate years, prices), the key figures (:mod:`natoanalysis.views.home`),
the narrative reports by title with one line each, and the country profiles
as a grid of names with a small chart each. The run log moves to ``run.html``;
all tables and figures are offered as one zip.
"""

from __future__ import annotations

import functools
import io
import json
import zipfile
from pathlib import Path

from .. import allies
from ..errors import NatoAnalysisError
from . import pages, runlog

PAGE = "index.html"
ZIP = "tables-and-figures.zip"
THUMBS = "thumbs"
#: What the zip holds: the folders of the run a reader may reuse.
ZIPPED = ("tables", "figures")
_THUMB_PX = (320, 200)  # twice the size shown, for sharp thumbnails on high-density screens
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the zip format's earliest date: the same files give the same zip


def _notebook(run_dir: Path, nb: dict) -> dict | None:
    path = (nb.get("outputs") or {}).get("ipynb")
    if not path or not (run_dir / path).is_file():
        return None
    return json.loads((run_dir / path).read_text(encoding="utf-8"))


def _first_chart(run_dir: Path, entry: dict, executed: dict | None) -> str | None:
    """The run-relative path of the first chart the notebook shows (else its first saved PNG)."""
    import base64
    pngs = [f for f in (entry.get("outputs") or {}).get("figures", []) if f.lower().endswith(".png")]
    shown = [base64.b64decode(out["data"]["image/png"]) for cell in (executed or {}).get("cells", [])
             for out in cell.get("outputs", []) if "image/png" in out.get("data", {})]
    if shown:  # charts.save shows the very file it wrote
        for f in pngs:
            if (run_dir / f).read_bytes() == shown[0]:
                return f
    return pngs[0] if pngs else None


def _thumbnail(run_dir: Path, figure: str, name: str) -> str:
    from PIL import Image

    out = Path(THUMBS) / f"{name}.png"
    (run_dir / THUMBS).mkdir(exist_ok=True)
    with Image.open(run_dir / figure) as img:
        img.thumbnail(_THUMB_PX)
        img.save(run_dir / out, optimize=True)
    return out.as_posix()


def write_zip(run_dir: Path) -> Path | None:
    """Zip the run's tables and figures into ``tables-and-figures.zip``; ``None`` when there are none.

    The zip also carries ``datapackage.json``, a Frictionless data package
    describing every CSV in it (:func:`natoanalysis.store.export.describe`),
    with the publications of the editions the run's manifest names.

    Examples
    --------
    >>> import tempfile
    >>> run_dir = Path(tempfile.mkdtemp())
    >>> (run_dir / "tables" / "01_x").mkdir(parents=True)
    >>> _ = (run_dir / "tables" / "01_x" / "a.csv").write_text("x\\n1\\n")
    >>> zf = zipfile.ZipFile(write_zip(run_dir))
    >>> zf.namelist(), [r["path"] for r in json.loads(zf.read("datapackage.json"))["resources"]]
    (['datapackage.json', 'tables/01_x/a.csv'], ['tables/01_x/a.csv'])
    >>> import shutil; shutil.rmtree(run_dir)
    """
    from ..store.export import DESCRIPTOR, describe

    files = sorted(p for folder in ZIPPED if (run_dir / folder).is_dir()
                   for p in (run_dir / folder).rglob("*") if p.is_file())
    if not files:
        return None
    manifest = run_dir / "manifest.json"
    meta = json.loads(manifest.read_text(encoding="utf-8")) if manifest.is_file() else {}
    used = {s: [e.strip() for e in v.split(",") if e.strip()] for s, v in meta.get("editions", {}).items()}
    package = describe(run_dir, [p.relative_to(run_dir).as_posix() for p in files if p.suffix == ".csv"], used=used,
                       name=f"natoanalysis-run-{meta.get('run_id', run_dir.name)}".lower(),
                       title=f"Tables of natoanalysis report run {meta.get('run_id', run_dir.name)}",
                       data_dir=meta.get("inputs", {}).get("data_dir"))
    members = {DESCRIPTOR: (json.dumps(package, indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
               **{p.relative_to(run_dir).as_posix(): p for p in files}}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data if isinstance(data, bytes) else data.read_bytes())
    (run_dir / ZIP).write_bytes(buffer.getvalue())
    return run_dir / ZIP


def _data_sections(data) -> dict:
    """The edition's facts and key figures, or why they are missing: a home page is written for every run."""
    if data is None:
        return {}
    from ..views.home import edition_facts, findings_flag, key_figures
    try:
        df = data()
        return {"facts": edition_facts(data=df), "figures": list(key_figures(data=df).itertuples()),
                "flag": findings_flag(data=df)}
    # The data may have been changed or broken during the run (an inconsistent run): say so, never abort.
    except (NatoAnalysisError, ValueError, KeyError, OSError) as exc:
        return {"data_error": str(exc)}


def render(manifest: dict, *, reports: list[dict], profiles: list[dict], data=None, zip_size: int | None = None) -> str:
    """The home page of a run (``templates/site/home.html.j2``).

    ``reports`` and ``profiles`` hold one dict per notebook (``name``, ``title``,
    ``summary``, ``href`` of its page or None, ``status``; a profile also
    ``country_name`` and ``thumb``). ``data`` is the tidy table of the run's
    edition (for the edition and the key figures), as a function of no argument; ``zip_size`` the size of the
    zip of tables and figures, if one was written.

    Examples
    --------
    >>> page = render({"run_id": "r1", "status": "failed", "notebooks": [
    ...     {"name": "01_x", "status": "failed", "error": None}]},
    ...     reports=[{"name": "01_x", "title": "The <alliance>", "summary": "One line.", "href": None,
    ...               "status": "failed"}], profiles=[])
    >>> "This run is incomplete: 1 of 1 notebooks failed" in page and "The &lt;alliance&gt;" in page
    True
    """
    title = "Defence expenditure reports" + (f", edition {manifest['editions']['nato']}"
                                             if manifest.get("editions", {}).get("nato") else "")
    overview = next((r["href"] for r in reports if r["name"].startswith("00_") and r.get("href")), None)
    return pages.render("home.html.j2", title=title, m=manifest, error_text=runlog.error_text, overview=overview,
                        finished=str(manifest.get("finished_utc") or "").replace("T", " ")[:16],
                        reports=reports, profiles=profiles, run_log=runlog.PAGE, zip=ZIP, zip_size=zip_size,
                        nav=[(PAGE, "Home"), (runlog.PAGE, "Run log")], **_data_sections(data))


def _run_data(manifest: dict, data_dir):
    """The tidy table of the run's NATO edition (the newest, if notebooks used several)."""
    used = [e.strip() for e in (manifest.get("editions", {}).get("nato") or "").split(",") if e.strip()]
    from ..store import load
    return load(edition=max(used) if used else None, data_dir=data_dir)


def write(run_dir: Path, manifest: dict, *, data_dir) -> None:
    """Write the home page, the run log, the profiles' thumbnails and the zip of tables and figures."""
    run_dir = Path(run_dir)
    reports, profiles, tables = [], [], {}
    for entry in manifest.get("notebooks", []):
        name = entry["name"]
        executed = _notebook(run_dir, entry)
        folder = run_dir / "tables" / name
        tables[name] = sorted(p.relative_to(run_dir).as_posix() for p in folder.rglob("*.csv")) if folder.is_dir() \
            else []
        item = {"name": name, "status": entry.get("status", ""), "href": (entry.get("outputs") or {}).get("html"),
                "title": pages.title(executed) if executed else name,
                "summary": pages.summary(executed) if executed else ""}
        if entry.get("country"):
            chart = _first_chart(run_dir, entry, executed)
            item["country_name"] = allies.country_name(entry["country"])
            item["thumb"] = _thumbnail(run_dir, chart, name) if chart else None
            profiles.append(item)
        else:
            reports.append(item)
    profiles.sort(key=lambda p: p["country_name"])
    zipped = write_zip(run_dir)
    data = functools.partial(_run_data, manifest, data_dir)
    (run_dir / runlog.PAGE).write_text(runlog.render(manifest, tables=tables), encoding="utf-8")
    (run_dir / PAGE).write_text(render(manifest, reports=reports, profiles=profiles, data=data,
                                       zip_size=zipped.stat().st_size if zipped else None), encoding="utf-8")

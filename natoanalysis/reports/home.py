"""``index.html``: the home page of a run, and the files it links that the notebooks do not write.

What a reader sees first: whether the run is complete, the edition (cut-off,
estimate years, prices), the key figures (:mod:`natoanalysis.views.home`),
the narrative reports by title with one line each, a tile map of the allies'
shares of GDP, and the country profiles as cards (the latest share of GDP
printed large over a sparkline of the edition's years). The run log moves to
``run.html``; all tables and figures are offered as one zip; ``explorer.html``
lets a reader pick allies, an indicator, a price basis and an edition.
"""

from __future__ import annotations

import concurrent.futures
import functools
import importlib
import io
import os
import json
import zipfile
from pathlib import Path

from .. import allies
from ..errors import NatoAnalysisError
from ..store.export import publications
from . import pages, runlog

PAGE = "index.html"
ZIP = "tables-and-figures.zip"
EXPLORER = "explorer.html"
#: The explorer's script (Vega, Vega-Lite and vega-embed, from vl-convert), written once per run folder.
BUNDLE = "vega-embed.js"
#: The home page's tile map of the allies (PNG and SVG), beside the notebooks' figures (so the zip holds it).
TILE_MAP = Path("figures") / "home" / "tile_map"
#: What the zip holds: the folders of the run a reader may reuse.
ZIPPED = ("tables", "figures")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the zip format's earliest date: the same files give the same zip


def _notebook(run_dir: Path, nb: dict) -> dict | None:
    path = (nb.get("outputs") or {}).get("ipynb")
    if not path or not (run_dir / path).is_file():
        return None
    return json.loads((run_dir / path).read_text(encoding="utf-8"))


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


def _data_sections(data, countries: list[str], data_dir=None) -> dict:
    """The edition's facts, key figures and the cards' sparklines, or why they are missing.

    ``data_dir`` is the data folder ``data`` comes from (its build recorded the findings the page flags).

    A home page is written for every run, so a failure here is said on the page, never raised.
    """
    if data is None:
        return {}
    from ..views.home import edition_facts, findings_flag, key_figures, sparklines
    try:
        df = data()
        return {"facts": edition_facts(data=df), "figures": list(key_figures(data=df).itertuples()),
                "flag": findings_flag(data=df, data_dir=data_dir), "sparks": sparklines(data=df, countries=countries)}
    # The data may have been changed or broken during the run (an inconsistent run): say so, never abort.
    except (NatoAnalysisError, ValueError, KeyError, OSError) as exc:
        return {"data_error": str(exc)}


def render(manifest: dict, *, reports: list[dict], profiles: list[dict], data=None, sections: dict | None = None,
           zip_size: int | None = None, tile_map: str | None = None, explorer: str | None = None,
           publications: list[dict] | None = None) -> str:
    """The home page of a run (``templates/site/home.html.j2``).

    ``reports`` and ``profiles`` hold one dict per notebook (``name``, ``title``,
    ``summary``, ``href`` of its page or None, ``status``; a profile also
    ``country``, ``country_name`` and ``armed``, False for an ally without armed forces). ``data`` is the tidy table of the run's
    edition (for the edition, the key figures and the profiles' sparklines), as a function of no argument, unless
    ``sections`` holds what :func:`_data_sections` made of it already;
    ``zip_size`` the size of the zip of tables and figures, if one was written; ``tile_map`` and
    ``explorer`` the run-relative paths of the tile map's PNG and of the explorer, if written; ``publications``
    the editions the run read, for the sources footer (:func:`natoanalysis.store.export.publications`).

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
    nav = [(PAGE, "Home")] + ([(explorer, "Explorer")] if explorer else []) + [(runlog.PAGE, "Run log")]
    return pages.render("home.html.j2", title=title, m=manifest, error_text=runlog.error_text, overview=overview,
                        finished=str(manifest.get("finished_utc") or "").replace("T", " ")[:16],
                        reports=reports, profiles=profiles, run_log=runlog.PAGE, zip=ZIP, zip_size=zip_size,
                        tile_map=tile_map, explorer=explorer, nav=nav, publications=publications,
                        **(sections if sections is not None
                           else _data_sections(data, [p["country"] for p in profiles if p.get("country")])))


def _run_data(manifest: dict, data_dir):
    """The tidy table of the run's NATO edition (the newest, if notebooks used several)."""
    used = [e.strip() for e in (manifest.get("editions", {}).get("nato") or "").split(",") if e.strip()]
    from ..store import load
    return load(edition=max(used) if used else None, data_dir=data_dir)


def write_tile_map(run_dir: Path, *, data) -> str:
    """Draw the allies' tile map of ``data`` (:func:`natoanalysis.charts.tile_map`) into the run; its PNG's path."""
    import matplotlib.pyplot as plt

    from .. import charts
    from ..views.explorer import tiles
    with plt.rc_context():  # the house style for this figure only: the calling process keeps its own
        charts.apply_style()
        charts.save(charts.tile_map(tiles(data=data)), TILE_MAP.name, directory=run_dir / TILE_MAP.parent,
                    show=False)
    return TILE_MAP.with_suffix(".png").as_posix()


def _bundle() -> bytes:
    """Vega, Vega-Lite and vega-embed in one script, for the Vega-Lite version Altair writes ("v6_4" for v6.4.x).

    vl-convert bundles it anew on each call (seconds), so it is kept in the user's cache folder by version.
    """
    import tempfile

    import altair as alt
    import platformdirs
    import vl_convert

    vl = "_".join(alt.SCHEMA_VERSION.split(".")[:2])
    cached = platformdirs.user_cache_path("natoanalysis", appauthor=False) / "vega" / \
        f"vega-embed-{vl}-vl-convert-{vl_convert.__version__}.js"
    if cached.is_file():
        return cached.read_bytes()
    bundle = vl_convert.javascript_bundle(vl_version=vl).encode("utf-8")
    try:  # runs at the same time write the same bytes: each through its own temporary file and one rename
        cached.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=cached.parent, suffix=".tmp", delete=False) as fh:
            fh.write(bundle)
        os.replace(fh.name, cached)
    except OSError:  # no cache folder to write (a read-only home): bundle again next time
        pass
    return bundle


def write_explorer(run_dir: Path, *, data_dir) -> str:
    """Write ``explorer.html`` over every NATO edition of the data folder, and the Vega bundle beside it.

    Examples
    --------
    >>> import tempfile
    >>> run_dir = Path(tempfile.mkdtemp())
    >>> write_explorer(run_dir, data_dir=None), sorted(p.name for p in run_dir.iterdir())
    ('explorer.html', ['explorer.html', 'vega-embed.js'])
    >>> import shutil; shutil.rmtree(run_dir)
    """
    from ..charts.explorer import FIRST_BASIS, FIRST_INDICATOR, explorer_spec
    from ..store import load
    data = load(edition="all", data_dir=data_dir)
    spec = explorer_spec(data=data)
    editions = sorted({r["edition"] for r in spec["datasets"]["series"]}, reverse=True)
    first_note = spec["usermeta"]["notes"].get(f"{editions[0]}|{FIRST_INDICATOR}|{FIRST_BASIS}", "")
    (run_dir / BUNDLE).write_bytes(_bundle())
    (run_dir / EXPLORER).write_text(pages.render(
        "explorer.html.j2", title="Explore the figures", spec=spec, editions=editions, first_note=first_note,
        bundle=BUNDLE, nav=[(PAGE, "Home"), (EXPLORER, "Explorer"), (runlog.PAGE, "Run log")],
        publications=publications({"nato": editions}, data_dir=data_dir)), encoding="utf-8")
    return EXPLORER


def start(run_dir: Path, manifest: dict, *, data_dir) -> concurrent.futures.Future:
    """Draw the tile map, write the explorer and compute the home page's key figures in a thread; see :func:`write`.

    They run while the notebooks run: they need the data of the run's edition alone (known before any notebook
    runs), and the runner mostly waits on its kernels meanwhile. The future's result holds the two run-relative
    paths (None when the data failed, said on the home page) and the home page's data sections.
    """
    # defusedxml (nbconvert's page export imports it) swaps entries of sys.modules while it is first imported,
    # so a thread importing xml.etree meanwhile (matplotlib's PIL, here) gets mixed Element classes, and the
    # export fails ("append() argument must be xml.etree.ElementTree.Element"): imported here, before the thread.
    importlib.import_module("defusedxml.ElementTree")
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="natoanalysis-home")
    future = pool.submit(_data_pages, Path(run_dir), manifest, data_dir)
    pool.shutdown(wait=False)
    return future


def _data_pages(run_dir: Path, manifest: dict, data_dir) -> dict:
    data = functools.cache(functools.partial(_run_data, manifest, data_dir))
    sections = _data_sections(data, manifest.get("countries", []), data_dir)
    try:
        return {"tile_map": write_tile_map(run_dir, data=data()),
                "explorer": write_explorer(run_dir, data_dir=data_dir), "sections": sections}
    except (NatoAnalysisError, ValueError, KeyError, OSError):  # said on the home page by _data_sections
        return {"tile_map": None, "explorer": None, "sections": sections}


def write(run_dir: Path, manifest: dict, *, data_dir, started: concurrent.futures.Future | None = None) -> None:
    """Write the home page, the explorer, the tile map, the run log and the zip of tables and figures.

    ``started`` is what :func:`start` returned, if it was called when the run began.
    """
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
            item.update(country=entry["country"], country_name=allies.country_name(entry["country"]),
                        armed=allies.has_armed_forces(entry["country"]))
            profiles.append(item)
        else:
            reports.append(item)
    profiles.sort(key=lambda p: p["country_name"])
    drawn = (started or start(run_dir, manifest, data_dir=data_dir)).result()
    zipped = write_zip(run_dir)
    (run_dir / runlog.PAGE).write_text(runlog.render(manifest, tables=tables), encoding="utf-8")
    used = {source: [edition] for source, edition in (manifest.get("editions") or {}).items() if edition}
    # Inputs changed during the run: the figures drawn from them at its start are computed again (or the page says
    # why they cannot be), so the page shows the data as they are now, as the run log does.
    sections = _data_sections(functools.partial(_run_data, manifest, data_dir), manifest.get("countries", []),
                              data_dir) if (manifest.get("inputs") or {}).get("changed") else drawn["sections"]
    (run_dir / PAGE).write_text(render(manifest, reports=reports, profiles=profiles, sections=sections,
                                       tile_map=drawn["tile_map"], explorer=drawn["explorer"],
                                       zip_size=zipped.stat().st_size if zipped else None,
                                       publications=publications(used, data_dir=data_dir)),
                                encoding="utf-8")

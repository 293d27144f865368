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
from html import escape
from pathlib import Path

from .. import allies
from ..errors import NatoAnalysisError
from . import pages, runlog
from .runlog import link

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

    Examples
    --------
    >>> import tempfile
    >>> run_dir = Path(tempfile.mkdtemp())
    >>> (run_dir / "tables" / "01_x").mkdir(parents=True)
    >>> _ = (run_dir / "tables" / "01_x" / "a.csv").write_text("x\\n1\\n")
    >>> zipfile.ZipFile(write_zip(run_dir)).namelist()
    ['tables/01_x/a.csv']
    >>> import shutil; shutil.rmtree(run_dir)
    """
    files = sorted(p for folder in ZIPPED if (run_dir / folder).is_dir()
                   for p in (run_dir / folder).rglob("*") if p.is_file())
    if not files:
        return None
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for p in files:
            info = zipfile.ZipInfo(p.relative_to(run_dir).as_posix(), date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, p.read_bytes())
    (run_dir / ZIP).write_bytes(buffer.getvalue())
    return run_dir / ZIP


def _size(n: int) -> str:
    return f"{n / 2 ** 20:.1f} MB" if n >= 2 ** 20 else f"{max(1, round(n / 1024))} kB"


def _banner(manifest: dict) -> str:
    """What is wrong with the run, first on the page; ``""`` for a complete run."""
    status = manifest.get("status")
    if status == "complete":
        return ""
    failed = [nb for nb in manifest.get("notebooks", []) if nb.get("status") != "ok"]
    if failed:
        what = (f"This run is incomplete: {len(failed)} of {len(manifest.get('notebooks', []))} notebooks failed ("
                + "; ".join(f"{nb['name']}, {runlog.error_text(nb) or nb.get('status')}" for nb in failed)
                + "). Their pages are missing or end early.")
    elif status == "inconsistent":
        what = ("The data or notebooks changed while this run read them, so its pages may mix old and new figures: "
                + ", ".join(manifest.get("inputs", {}).get("changed") or []) + ".")
    else:
        what = f"This run did not finish (status {status})."
    return f'<p class="banner" role="alert">{escape(what)} See the {link(runlog.PAGE, "run log")}.</p>\n'


def _edition_section(data) -> str:
    from ..views.home import edition_facts

    facts = edition_facts(data=data)
    rows = [("Edition", f"{escape(facts['edition'])} of <em>{escape(facts['publication'])}</em>"),
            ("Published", escape(facts["publication_date"] or "date not recorded")),
            ("Data cut-off", escape(facts["data_cutoff"] or "not stated by the publisher")),
            ("Years", f"{facts['first_year']}-{facts['last_year']}; estimates: {escape(facts['estimate_years_text'])}"),
            ("Measure", escape(facts["definition"])),
            ("Constant prices", escape(facts["prices"]))]
    return ("<h2 id=\"edition\">The edition</h2>\n<dl class=\"facts\">"
            + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows) + "</dl>\n")


def _key_figures_section(data) -> str:
    from ..views.home import key_figures

    rows = "".join(
        f"<tr><td class=\"text\">{escape(r.label)}</td><td class=\"num\"><strong>{escape(r.shown)}</strong></td>"
        f"<td class=\"text nowrap\">{escape(r.year_label)}{' (estimate)' if r.is_estimate else ''}</td>"
        f"<td class=\"text\">{escape(r.basis[:1].upper() + r.basis[1:])}</td></tr>"
        for r in key_figures(data=data).itertuples())
    return ("<h2 id=\"key-figures\">Key figures</h2>\n<div class=\"nato-table\"><table><thead><tr>"
            "<th class=\"text\">Figure</th><th class=\"num\">Value</th><th class=\"text\">Year</th>"
            "<th class=\"text\">Price basis and measure</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></div>\n"
            "<p class=\"note\">A year marked e is an estimate in the edition.</p>\n")


def _data_sections(data) -> str:
    """The edition and key figures, or why they are missing: a home page is written for every run."""
    if data is None:
        return ""
    try:
        df = data()
        return _edition_section(df) + _key_figures_section(df)
    # The data may have been changed or broken during the run (an inconsistent run): say so, never abort.
    except (NatoAnalysisError, ValueError, KeyError, OSError) as exc:
        return f'<p class="banner">The key figures could not be computed: {escape(str(exc))}</p>\n'


def render(manifest: dict, *, reports: list[dict], profiles: list[dict], data=None, zip_size: int | None = None) -> str:
    """The home page of a run.

    ``reports`` and ``profiles`` hold one dict per notebook (``name``, ``title``,
    ``summary``, ``href`` of its page or None, ``status``; a profile also
    ``country_name`` and ``thumb``). ``data`` is the tidy table of the run's
    edition (for the edition and the key figures), as a function of no argument; ``zip_size`` the size of the
    zip of tables and figures, if one was written.

    Examples
    --------
    >>> page = render({"run_id": "r1", "status": "failed", "notebooks": [
    ...     {"name": "01_x", "status": "failed", "error": None}]},
    ...     reports=[{"name": "01_x", "title": "The alliance", "summary": "One line.", "href": None,
    ...               "status": "failed"}], profiles=[])
    >>> "This run is incomplete: 1 of 1 notebooks failed" in page and "The alliance" in page
    True
    """
    items = []
    for r in reports:
        head = link(r["href"], r["title"]) if r["href"] else escape(r["title"])
        failed = "" if r["status"] == "ok" else f' <span class="failed">({escape(r["status"])})</span>'
        items.append(f"<li>{head}{failed}<span class=\"line\">{escape(r['summary'])}</span></li>")
    cards = []
    for p in profiles:
        img = f'<img src="{escape(p["thumb"])}" alt="">' if p.get("thumb") else ""
        label = escape(p["country_name"]) + ("" if p["status"] == "ok" else f" ({escape(p['status'])})")
        card = f"{img}<span>{label}</span>"
        cards.append(f'<a href="{escape(p["href"])}">{card}</a>' if p["href"] else f"<div>{card}</div>")
    downloads = [link(runlog.PAGE, "Run log"), link("manifest.json", "manifest.json")]
    if zip_size is not None:
        downloads.insert(0, link(ZIP, "All tables and figures (zip)") + f" {_size(zip_size)}")
    title = "Defence expenditure reports" + (f", edition {manifest['editions']['nato']}"
                                             if manifest.get("editions", {}).get("nato") else "")
    body = (f"<h1>{escape(title)}</h1>\n{_banner(manifest)}"
            f"<p class=\"lede\">Run {escape(manifest['run_id'])}, finished "
            f"{escape(str(manifest.get('finished_utc') or '').replace('T', ' ')[:16])} UTC.</p>\n" + _data_sections(data))
    if items:
        body += "<h2 id=\"reports\">Reports</h2>\n<ul class=\"reports\">" + "".join(items) + "</ul>\n"
    if cards:
        body += f"<h2 id=\"profiles\">Country profiles</h2>\n<div class=\"profiles\">{''.join(cards)}</div>\n"
    body += "<h2 id=\"downloads\">Downloads and the run log</h2>\n<ul>" + "".join(
        f"<li>{d}</li>" for d in downloads) + "</ul>\n"
    return pages.document(title=title, body=body, nav=[(PAGE, "Home"), (runlog.PAGE, "Run log")])


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

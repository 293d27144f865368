"""``index.html``: one self-contained page linking every output of a run."""

from __future__ import annotations

import json
from html import escape
from urllib.parse import quote

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
th, td { border-bottom: 1px solid #ddd; padding: .35rem .5rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } code { font-size: .9em; }
.failed { color: #a00; font-weight: bold; } .ok { color: #060; }
dl { display: grid; grid-template-columns: max-content auto; gap: .2rem 1rem; } dt { font-weight: bold; }
"""


def _link(href: str, text: str) -> str:
    return f'<a href="{escape(quote(href))}">{escape(text)}</a>'


def _figure(path: str) -> str:
    link = _link(path, path.rsplit("/", 1)[-1])
    if path.lower().endswith(".png"):
        link = (f'<a href="{escape(quote(path))}"><img src="{escape(quote(path))}" alt="" '
                f'style="max-width:12rem;display:block"></a>' + link)
    return link


def _params(values: dict) -> str:
    return "<br>".join(f"<code>{escape(k)} = {escape(json.dumps(v, default=str))}</code>"
                       for k, v in values.items()) or "&mdash;"


def render(manifest: dict) -> str:
    """The index page of a run from its manifest; links are relative to the run folder.

    Examples
    --------
    >>> page = render({"run_id": "r1", "status": "complete", "notebooks": [], "editions": {"nato": "2024-06"}})
    >>> "<title>Report r1</title>" in page and "2024-06" in page
    True
    """
    rows = []
    for nb in manifest.get("notebooks", []):
        out = nb.get("outputs", {})
        links = []
        if out.get("html"):
            links.append(_link(out["html"], "report (HTML)"))
        if out.get("ipynb"):
            links.append(_link(out["ipynb"], "notebook (ipynb)"))
        if out.get("log"):
            links.append(_link(out["log"], "kernel log"))
        figures = "<br>".join(_figure(f) for f in out.get("figures", [])) or "&mdash;"
        status = nb.get("status", "")
        err = nb.get("error")
        if err:
            where = f"cell {err['cell_index']}" if err.get("cell_index") is not None else "before any cell ran"
            status += f"<br>{escape(where)}: {escape(str(err.get('ename')))}: {escape(str(err.get('evalue')))}"
        duration = nb.get("duration_s")
        rows.append(
            f"<tr><td>{escape(nb['name'])}</td><td>{_params(nb.get('parameters', {}))}</td>"
            f"<td class=\"{escape(nb.get('status', ''))}\">{status}</td>"
            f"<td>{'' if duration is None else f'{duration:.1f} s'}</td>"
            f"<td>{'<br>'.join(links) or '&mdash;'}</td><td>{figures}</td></tr>")
    editions = ", ".join(f"{escape(s)} {escape(e)}" for s, e in manifest.get("editions", {}).items()) or "&mdash;"
    request = manifest.get("request", {})
    package = manifest.get("package", {})
    facts = [
        ("Status", f"<span class=\"{'ok' if manifest.get('status') == 'complete' else 'failed'}\">"
                   f"{escape(str(manifest.get('status')))}</span>"),
        ("Edition", editions),
        ("Started (UTC)", escape(str(manifest.get("started_utc", "")))),
        ("Finished (UTC)", escape(str(manifest.get("finished_utc", "")))),
        ("Parameters", _params(request.get("parameters", {}))),
        ("Countries", escape(", ".join(manifest.get("countries") or [])) or "&mdash;"),
        ("Package", escape(f"{package.get('name', '')} {package.get('version', '')}")),
        ("Manifest", _link("manifest.json", "manifest.json")),
    ]
    changed = manifest.get("inputs", {}).get("changed") or []
    if changed:  # the outputs may mix old and new versions of these files
        facts.insert(1, ("Inputs changed during the run", "<br>".join(f"<code>{escape(c)}</code>" for c in changed)))
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>Report {escape(manifest['run_id'])}</title><style>{_STYLE}</style></head><body>\n"
        f"<h1>Report {escape(manifest['run_id'])}</h1>\n<dl>"
        + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts)
        + "</dl>\n<table><thead><tr><th>Notebook</th><th>Parameters</th><th>Status</th><th>Duration</th>"
          "<th>Outputs</th><th>Figures</th></tr></thead><tbody>\n"
        + "\n".join(rows) + "\n</tbody></table>\n</body></html>\n")

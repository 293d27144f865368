"""``run.html``: the log of a run for a person (the manifest is the same for machines).

Parameters, editions, times, status, versions and errors, and per notebook
its parameters, duration, status and every file it produced. Figures are
linked, not shown: the home page shows the reports.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from ..views.text import DASH
from .pages import document

PAGE = "run.html"


def link(href: str, text: str) -> str:
    """An ``<a>`` to a file of the run (``href`` relative to the run folder, quoted), its text escaped.

    Examples
    --------
    >>> link("html/05 x.html", "A & B")
    '<a href="html/05%20x.html">A &amp; B</a>'
    """
    return f'<a href="{escape(quote(href))}">{escape(text)}</a>'


def _value(value: object) -> str:
    """A parameter's value as a reader reads it: lists as ``a, b``, no value as a dash."""
    if value is None:
        return DASH
    if isinstance(value, (list, tuple)):
        return ", ".join(_value(v) for v in value) or DASH
    return str(value)


def _params(values: dict) -> str:
    return "<br>".join(f"<code>{escape(k)} = {escape(_value(v))}</code>" for k, v in values.items()) or DASH


def error_text(nb: dict) -> str:
    """Where and how a notebook failed, in one line, or ``""``.

    Examples
    --------
    >>> error_text({"error": {"cell_index": 3, "ename": "ZeroDivisionError", "evalue": "division by zero"}})
    'cell 3: ZeroDivisionError: division by zero'
    >>> error_text({"error": None})
    ''
    """
    err = nb.get("error")
    if not err:
        return ""
    where = f"cell {err['cell_index']}" if err.get("cell_index") is not None else "before any cell ran"
    return f"{where}: {err.get('ename')}: {err.get('evalue')}"


def _versions(manifest: dict) -> str:
    package = manifest.get("package", {})
    git = package.get("git") or {}
    parts = [f"{package.get('name', '')} {package.get('version', '')}"
             + (f" (commit {git['commit'][:12]}{', with local changes' if git.get('is_dirty') else ''})"
                if git.get("commit") else "")]
    parts += [f"{name} {manifest[name]}" for name in ("python", "papermill") if manifest.get(name)]
    # Libraries the kernels import, when the manifest records them.
    parts += [f"{name} {version}" for name, version in sorted((manifest.get("versions") or {}).items())]
    return escape(", ".join(p for p in parts if p.strip()))


def render(manifest: dict, *, tables: dict[str, list[str]] | None = None) -> str:
    """The run log of a run from its manifest; ``tables`` lists each notebook's CSV files (run-relative paths).

    Examples
    --------
    >>> page = render({"run_id": "r1", "status": "failed", "editions": {"nato": "2024-06"}, "notebooks": [
    ...     {"name": "01_x", "status": "failed", "error": {"cell_index": 2, "ename": "KeyError", "evalue": "'a'"},
    ...      "outputs": {"html": "html/01_x.html", "figures": ["figures/01_x/a.png"]}}]})
    >>> "<title>Run log r1</title>" in page and "cell 2: KeyError" in page and 'href="figures/01_x/a.png"' in page
    True
    """
    tables = tables or {}
    rows = []
    for nb in manifest.get("notebooks", []):
        out = nb.get("outputs", {})
        links = [link(out[key], text) for key, text in (("html", "report page"), ("ipynb", "notebook (ipynb)"),
                                                        ("log", "kernel log")) if out.get(key)]
        files = [link(f, f.rsplit("/", 1)[-1]) for f in out.get("figures", []) + tables.get(nb["name"], [])]
        status = escape(nb.get("status", ""))
        if nb.get("error"):
            status += f"<br>{escape(error_text(nb))}"
        duration = nb.get("duration_s")
        rows.append(
            f"<tr><td>{escape(nb['name'])}</td><td>{_params(nb.get('parameters', {}))}</td>"
            f"<td class=\"{'ok' if nb.get('status') == 'ok' else 'failed'}\">{status}</td>"
            f"<td class=\"num\">{'' if duration is None else f'{duration:.1f} s'}</td>"
            f"<td>{'<br>'.join(links) or '&mdash;'}</td><td>{'<br>'.join(files) or '&mdash;'}</td></tr>")
    editions = ", ".join(f"{escape(s)} {escape(e)}" for s, e in manifest.get("editions", {}).items()) or "&mdash;"
    request = manifest.get("request", {})
    duration = manifest.get("duration_s")
    facts = [
        ("Status", f"<span class=\"{'ok' if manifest.get('status') == 'complete' else 'failed'}\">"
                   f"{escape(str(manifest.get('status')))}</span>"),
        ("Edition", editions),
        ("Started (UTC)", escape(str(manifest.get("started_utc", "")))),
        ("Finished (UTC)", escape(str(manifest.get("finished_utc", "")))),
        ("Duration", DASH if duration is None else f"{duration:.1f} s"),
        ("Parameters", _params(request.get("parameters", {}))),
        ("Countries", escape(", ".join(manifest.get("countries") or [])) or "&mdash;"),
        ("Workers", escape(str(manifest.get("jobs", "")))),
        ("Versions", _versions(manifest)),
        ("Manifest", link("manifest.json", "manifest.json")),
    ]
    changed = manifest.get("inputs", {}).get("changed") or []
    if changed:  # the outputs may mix old and new versions of these files
        facts.insert(1, ("Inputs changed during the run", "<br>".join(f"<code>{escape(c)}</code>" for c in changed)))
    title = f"Run log {manifest['run_id']}"
    body = (f"<h1>{escape(title)}</h1>\n<dl class=\"facts\">"
            + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts)
            + "</dl>\n<div class=\"nato-table\"><table><thead><tr><th>Notebook</th><th>Parameters</th><th>Status</th>"
              "<th class=\"num\">Duration</th><th>Outputs</th><th>Figures and tables</th></tr></thead><tbody>\n"
            + "\n".join(rows) + "\n</tbody></table></div>")
    return document(title=title, body=body, nav=[("index.html", "Home"), ("manifest.json", "manifest.json")])

"""``run.html``: the log of a run for a person (the manifest is the same for machines).

Parameters, editions, times, status, versions and errors, and per notebook
its parameters, duration, status and every file it produced
(``templates/site/run.html.j2``). Figures are linked, not shown: the home page
shows the reports.
"""

from __future__ import annotations

from . import pages

PAGE = "run.html"


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
    return ", ".join(p for p in parts if p.strip())


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
    notebooks = []
    for nb in manifest.get("notebooks", []):
        out = nb.get("outputs") or {}
        notebooks.append({
            "name": nb["name"], "parameters": nb.get("parameters") or {}, "status": nb.get("status", ""),
            "error": error_text(nb), "duration_s": nb.get("duration_s"),
            "links": [(out[key], text) for key, text in (("html", "report page"), ("ipynb", "notebook (ipynb)"),
                                                         ("log", "kernel log")) if out.get(key)],
            "files": out.get("figures", []) + (tables or {}).get(nb["name"], [])})
    return pages.render("run.html.j2", title=f"Run log {manifest['run_id']}", m=manifest, notebooks=notebooks,
                        changed=manifest.get("inputs", {}).get("changed") or [], versions=_versions(manifest),
                        nav=[("index.html", "Home"), ("manifest.json", "manifest.json")])

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
    """How a notebook failed, in one line, or ``""``.

    Examples
    --------
    >>> error_text({"error": {"ename": "ZeroDivisionError", "evalue": "division by zero"}})
    'ZeroDivisionError: division by zero'
    >>> error_text({"error": None})
    ''
    """
    err = nb.get("error")
    return (f"{err.get('ename')}: {err.get('evalue')}".strip().splitlines() or [""])[0] if err else ""


def render(manifest: dict, *, tables: dict[str, list[str]] | None = None) -> str:
    """The run log of a run from its manifest; ``tables`` lists each notebook's CSV files (run-relative paths).

    Examples
    --------
    >>> page = render({"run_id": "r1", "status": "failed", "editions": {"nato": "2024-06"}, "notebooks": [
    ...     {"name": "01_x", "status": "failed", "error": {"ename": "KeyError", "evalue": "'a'"},
    ...      "outputs": {"html": "html/01_x.html", "figures": ["figures/01_x/a.png"]}}]})
    >>> "<title>Run log r1</title>" in page and "KeyError: &#39;a&#39;" in page and 'href="figures/01_x/a.png"' in page
    True
    """
    return pages.render("run.html.j2", title=f"Run log {manifest['run_id']}", m=manifest, tables=tables or {},
                        error_text=error_text, nav=[("index.html", "Home"), ("manifest.json", "manifest.json")])

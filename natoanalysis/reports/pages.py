"""The pages of a run as a reader opens them: the HTML of each notebook, its title, one line on it, its contents.

Every page (a report, the home page, the run log) is one self-contained file:
the style sheet is inlined and nothing is loaded from elsewhere, so a page
renders with the network off. The home page and the run log come from the
Jinja2 templates in ``templates/site`` (autoescaped); report pages from the package's own
nbconvert template (``templates/natoanalysis``), which leaves out require.js,
MathJax, mermaid and the widget loader that nbconvert's templates fetch from a
CDN: no page uses them.
"""

from __future__ import annotations

import copy
import functools
import html
import re
from collections.abc import Iterator
from pathlib import Path

from .. import allies

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE = "natoanalysis"
#: Where a report page (``html/<name>.html``) finds the home page of its run.
HOME_FROM_PAGE = "../index.html"
_SHORT = 40  # characters: a shorter first sentence ("NATO's tables start in 2014.") says too little alone
_CONTENTS_MARKER = "<!-- natoanalysis:contents -->"
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$", re.M)
_RENDERED_HEADING = re.compile(r'<h([1-3]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.S)
#: A Markdown link to another report's page of the run (``[the claims](08_claims_check.html#...)``).
_REPORT_LINK = re.compile(r"\[([^\]]+)\]\((\d\d_[\w-]+\.html)(?:#[^)\s]*)?\)")


@functools.cache
def css() -> str:
    """The one style sheet of every page of a run (``templates/natoanalysis/page.css``)."""
    return (TEMPLATES / TEMPLATE / "page.css").read_text(encoding="utf-8")


@functools.cache
def _environment():
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES / "site"), autoescape=True,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def render(template: str, **context) -> str:
    """A page of the run from ``templates/site/<template>``; every value in ``context`` is escaped.

    Examples
    --------
    >>> page = render("base.html.j2", title="<Run> log", nav=[("index.html", "Home")])
    >>> "<title>&lt;Run&gt; log</title>" in page and '<a href="index.html">Home</a>' in page and "<script" not in page
    True
    """
    return _environment().get_template(template).render(css=css(), **context)


def _plain(markdown: str) -> str:
    """Markdown inline text as plain text: emphasis, code marks and link targets dropped."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"(\*\*|__|\*|_|`)(\S(?:.*?\S)?)\1", r"\2", text)
    return " ".join(text.split())


def _markdown_texts(nb) -> Iterator[str]:
    """The Markdown a reader sees, in page order: Markdown cells and the Markdown that code cells display."""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            yield _joined(cell.get("source", ""))
        for out in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            if "text/markdown" in out.get("data", {}):
                yield _joined(out["data"]["text/markdown"])


def _output_text(nb) -> str:
    """What the code cells put on the page as text: Markdown, HTML, plain text and the figures' alt texts (no image data)."""
    return " ".join(_joined(value) if isinstance(value, (str, list)) else str(value)
                    for cell in nb.get("cells", []) if cell.get("cell_type") == "code"
                    for out in cell.get("outputs", [])
                    for value in [*(v for k, v in out.get("data", {}).items() if k.startswith("text/")),
                                  *out.get("metadata", {}).values(), out.get("text", "")])


def _joined(source: str | list[str]) -> str:
    return source if isinstance(source, str) else "".join(source)


def country(nb) -> str | None:
    """The ally a notebook was run for (its ``country`` parameter as papermill recorded it), else ``None``.

    Examples
    --------
    >>> country({"metadata": {"papermill": {"parameters": {"country": "pol"}}}}), country({"metadata": {}})
    ('POL', None)
    """
    code = nb.get("metadata", {}).get("papermill", {}).get("parameters", {}).get("country")
    return allies.resolve(code) if code else None


def title(nb) -> str:
    """A notebook's title: its first Markdown heading, with the ally's name for a notebook run for one ally.

    Examples
    --------
    >>> nb = {"metadata": {"papermill": {"parameters": {"country": "POL"}}},
    ...       "cells": [{"cell_type": "markdown", "source": "# Country *profile*\\n\\nOne ally."}]}
    >>> title(nb)
    'Country profile: Poland'
    >>> title({"metadata": {}, "cells": [{"cell_type": "markdown", "source": "Text\\n## Growth ##"}]})
    'Growth'
    """
    heading = next((_plain(m.group(2)) for text in _markdown_texts(nb) for m in _HEADING.finditer(text)), "")
    heading = heading or "Report"
    code = country(nb)
    if code:
        name = allies.country_name(code)
        if name not in heading:
            heading = f"{heading}: {name}"
    return heading


def summary(nb) -> str:
    """One line on a notebook: the first sentence of its first paragraph.

    A first sentence shorter than ``_SHORT`` characters takes the next one with it.

    Examples
    --------
    >>> summary({"metadata": {}, "cells": [{"cell_type": "markdown",
    ...          "source": "# Growth\\n\\nHow fast *spending* grew, e.g. in the allies of NATO. And more.\\n\\n## Next"}]})
    'How fast spending grew, e.g. in the allies of NATO.'
    >>> summary({"metadata": {}, "cells": [{"cell_type": "markdown",
    ...          "source": "# T\\n\\nTables start in 2014. This note goes back to 1949. It uses SIPRI."}]})
    'Tables start in 2014. This note goes back to 1949.'
    """
    for text in _markdown_texts(nb):
        for para in re.split(r"\n\s*\n", text):
            para = para.strip()
            # (nor a figure's line of links, "[PNG](...) · ...", which charts.save displays)
            if para and not _HEADING.match(para) and not para.startswith(("|", "<", "!", "-", "*   ", ">", "[PNG](")):
                plain = _plain(para)
                # A sentence ends at ". " before a capital (so "e.g. in" does not end it).
                for end in re.finditer(r"[.!?](?=\s+[A-Z])", plain):
                    if end.end() >= _SHORT:
                        return plain[:end.end()]
                return plain
    return ""


def with_contents(page: str, *, heading: str | None = None) -> str:
    """Put a table of contents of the page's h2 and h3 headings after its h1 (its text made ``heading``, if given).

    Examples
    --------
    >>> page = ('<main><!-- natoanalysis:contents --><h1 id="T">T</h1><h2 id="A">A<a class="anchor-link" '
    ...         'href="#A">¶</a></h2><h3 id="B">B &amp; C</h3><h2 id="D">D</h2></main>')
    >>> print(with_contents(page))  # doctest: +NORMALIZE_WHITESPACE
    <main><h1 id="T">T</h1><nav class="contents" aria-label="Contents"><span class="contents-title">Contents</span><ol>
    <li><a href="#A">A</a><ol><li><a href="#B">B &amp; C</a></li></ol></li>
    <li><a href="#D">D</a></li>
    </ol></nav>
    <h2 id="A">A<a class="anchor-link" href="#A">¶</a></h2><h3 id="B">B &amp; C</h3><h2 id="D">D</h2></main>
    >>> with_contents('<h1 id="P">Profile<a class="anchor-link" href="#P">¶</a></h1>', heading="Profile: Poland")
    '<h1 id="P">Profile: Poland<a class="anchor-link" href="#P">¶</a></h1>'
    """
    headings = list(_RENDERED_HEADING.finditer(page))
    sections: list[dict] = []
    for m in headings:
        if m.group(1) == "1":
            continue
        text = " ".join(html.unescape(re.sub(r"<a class=\"anchor-link\".*?</a>|<[^>]+>", "", m.group(3),
                                             flags=re.S)).split())
        item = {"anchor": html.unescape(m.group(2)), "text": text, "subs": []}
        if m.group(1) == "3" and sections:
            sections[-1]["subs"].append(item)
        else:
            sections.append(item)
    nav = render("contents.html.j2", sections=sections) if sections else ""
    page = page.replace(_CONTENTS_MARKER, "", 1)
    first_h1 = next((m for m in headings if m.group(1) == "1"), None)
    if first_h1 is None:
        at = page.find("<main>")
        at = at + len("<main>") if at >= 0 else 0
    else:
        at = page.find(first_h1.group(0)) + len(first_h1.group(0))
        if heading is not None:  # a profile's h1 names its ally, as its title does
            h1 = re.sub(r'(?<=>).*?(?=<a class="anchor-link"|</h1>)', lambda _: html.escape(heading),
                        first_h1.group(0), count=1, flags=re.S)
            page, at = page.replace(first_h1.group(0), h1, 1), at + len(h1) - len(first_h1.group(0))
    return page[:at] + nav + page[at:]


class PageExporter:
    """nbconvert's HTML exporter with the package's template, the page's title and its contents.

    Code is hidden unless ``show_code``; output prompts are never shown. ``resources["data_dir"]``
    names the data folder whose editions the footer names (default: as :func:`natoanalysis.load`).
    """

    def __init__(self, *, show_code: bool):
        from nbconvert import HTMLExporter

        self._exporter = HTMLExporter(template_name=TEMPLATE, extra_template_basedirs=[str(TEMPLATES)],
                                      exclude_input=not show_code, exclude_input_prompt=not show_code,
                                      exclude_output_prompt=True)

    def from_notebook_node(self, nb, resources: dict | None = None) -> tuple[str, dict]:
        if (resources or {}).get("pages") is not None:
            nb = unlink_absent(nb, pages=resources["pages"])
        resources = {**(resources or {}), "natoanalysis": {
            "title": title(nb), "home": HOME_FROM_PAGE, "css": css(), "contents_marker": _CONTENTS_MARKER,
            **footer(nb, data_dir=(resources or {}).get("data_dir"))}}
        body, out = self._exporter.from_notebook_node(nb, resources=resources)
        return with_contents(body, heading=title(nb) if country(nb) else None), out


def unlink_absent(nb, *, pages: frozenset[str]):
    """A copy of ``nb`` whose Markdown links to report pages not among ``pages`` are plain text.

    A partial run (``natoanalysis report 01``) renders only some pages: a link to another would lead nowhere.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
    ...     "See [the claims](08_claims_check.html#Verdicts) and [above](01_overview.html#Top).")])
    >>> unlink_absent(nb, pages=frozenset({"01_overview.html"})).cells[0].source
    'See the claims and [above](01_overview.html#Top).'
    """
    def unlink(text: str) -> str:
        return _REPORT_LINK.sub(lambda m: m[0] if m[2] in pages else m[1], text)

    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = unlink(_joined(cell.source))
        for output in cell.get("outputs", []):
            if "text/markdown" in output.get("data", {}):
                output["data"]["text/markdown"] = unlink(_joined(output["data"]["text/markdown"]))
    return nb


def footer(nb, *, data_dir=None) -> dict:
    """What a page's footer shows: the definition box and the publications of the editions its notebook reads.

    The editions are those of the edition parameters the notebook declares
    (``edition``, ``editions``: NATO's; ``sipri_edition``: SIPRI's), as
    given, ``"latest"`` resolved in the data folder; the box's prose comes
    from ``reference/definitions.csv``, what each edition measures from its provenance.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
    ...     'edition: str = "latest"', metadata={"tags": ["parameters"]})])
    >>> out = footer(nb)
    >>> [p["source"] for p in out["publications"]], out["definitions"][0]["heading"]
    (['nato'], 'What NATO counts as defence expenditure')
    >>> footer(nbformat.v4.new_notebook())
    {'publications': [], 'definitions': []}
    """
    from papermill.translators import PythonTranslator

    from .. import reference, store, validate
    from ..errors import NatoAnalysisError
    from ..store.export import publications
    from .notebooks import literal

    cell = next((c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    given = {p.name: literal(p.default) for p in PythonTranslator.inspect(cell)} if cell else {}
    given.update(nb.get("metadata", {}).get("papermill", {}).get("parameters", {}))
    used: dict[str, set[str]] = {}
    for name, value in given.items():
        source = validate.edition_source(name)
        if source is None:
            continue
        try:
            available = sorted(store.editions(source=source, data_dir=data_dir)["edition"])
        except NatoAnalysisError:  # no data folder to read: the page goes without its sources
            continue
        for v in value if isinstance(value, list) else available if value in (None, "all") else [value]:
            used.setdefault(source, set()).update(available[-1:] if v == "latest" else [str(v)])
    shown = _output_text(nb)
    if shown:  # an executed page lists only the sources its outputs name: Iceland's profile shows no SIPRI figure
        used = {s: v for s, v in used.items() if s.upper() in shown}
    pubs = publications({s: sorted(v) for s, v in used.items()}, data_dir=data_dir)
    boxes = [dict(r, measures=[p for p in pubs if p["source"] == r["source"]])
             for r in reference.records("definitions.csv") if r["source"] in used]
    return {"publications": pubs, "definitions": boxes}

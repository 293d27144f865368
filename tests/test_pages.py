"""The pages of the report suite as a reader gets them: home page, run log, report pages, zip.

Reads the run of the whole suite made once per session (``report`` in
tests/conftest.py); nothing here runs a notebook. Expected values come from the
committed notebooks, the raw transcription (``data/raw``) and the manifest.
"""

from __future__ import annotations

import base64
import html
import json
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from .browser import visible_text
from .conftest import PROFILED, REPO, SUITE
from .test_notebook_suite import EXPECTED_FIGURES, _raw_share_2024

pytestmark = [pytest.mark.slow, SUITE]

NAMES = {"POL": "Poland", "DEU": "Germany", "ISL": "Iceland"}
assert sorted(NAMES) == sorted(PROFILED)


class _Page(HTMLParser):
    """Links, images, scripts, headings with their ids and the contents' links of one page."""

    def __init__(self, text: str):
        super().__init__()
        self.links: list[tuple[str, str]] = []  # (href, text)
        self.images: list[str] = []
        self.external: list[str] = []  # every tag loading a resource: script, link, iframe, object...
        self.headings: list[tuple[str, str]] = []  # (tag, id) of h2/h3
        self.contents: list[str] = []  # hrefs inside nav.contents
        self.title = ""
        self._in: list[str] = []
        self._href: str | None = None
        self._text = ""
        self._in_contents = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "link", "iframe", "object", "embed", "source", "video", "audio"):
            self.external.append(f"<{tag} {a}>")
        if tag == "img":
            self.images.append(a.get("src", ""))
        if tag in ("h2", "h3") and a.get("id"):
            self.headings.append((tag, a["id"]))
        if tag == "nav" and "contents" in (a.get("class") or ""):
            self._in_contents = True
        if tag == "a" and a.get("href"):
            self._href, self._text = a["href"], ""
            if self._in_contents:
                self.contents.append(a["href"])
        self._in.append(tag)

    def handle_endtag(self, tag):
        if tag in self._in:
            del self._in[len(self._in) - 1 - self._in[::-1].index(tag):]
        if tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join(self._text.split())))
            self._href = None
        if tag == "nav":
            self._in_contents = False

    def handle_data(self, data):
        if self._href is not None:
            self._text += data
        if self._in and self._in[-1] == "title":
            self.title += data


def _page(path: Path) -> _Page:
    return _Page(path.read_text(encoding="utf-8"))


def _committed_heading(notebook: str) -> str:
    """The first Markdown heading of a committed notebook, read here without the package."""
    nb = json.loads((REPO / "notebooks" / f"{notebook}.ipynb").read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            m = re.search(r"^#+\s+(.+?)\s*$", "".join(cell["source"]), re.M)
            if m:
                return re.sub(r"[*_`]", "", m.group(1))
    raise AssertionError(f"{notebook} has no heading")


def _provenance(edition: str) -> dict:
    return json.loads((REPO / "data" / "raw" / "nato" / edition / "provenance.json").read_text(encoding="utf-8"))


def _resolves(page: Path, href: str) -> bool:
    target = href.split("#", 1)[0]
    return not target or (page.parent / target).resolve().is_file()


# --- the home page --------------------------------------------------------------------------------------------

def test_home_page_states_the_edition_and_its_estimate_years(report):
    edition = report.manifest["editions"]["nato"]
    prov = _provenance(edition)
    text = " ".join(visible_text((report.run_dir / "index.html").read_text(encoding="utf-8")).split())
    years = " and ".join(str(y) for y in prov["estimate_years"])
    assert f"Edition {edition} of NATO, {prov['title']}" in text
    assert f"Published {prov['publication_date']}" in text
    cutoff = prov["data_cutoff"] or "not stated by the publisher"
    assert f"Data cut-off {cutoff}" in text
    assert f"{prov['first_year']}-{prov['last_year']}; estimates: {years}" in text
    assert f"Constant prices constant {prov['base_year']} prices and exchange rates" in text


def test_home_page_key_figures_state_value_year_and_basis(report):
    edition = report.manifest["editions"]["nato"]
    prov = _provenance(edition)
    year = prov["last_year"]
    assert (edition, year) == ("2024-06", 2024)  # the raw cells read below are those of the bundled edition
    label = f"{year}e (estimate)" if year in prov["estimate_years"] else str(year)
    share = _raw_share_2024()
    rows = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", (report.run_dir / "index.html").read_text(encoding="utf-8"), re.S):
        cells = [" ".join(visible_text(td).split()) for td in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
        if len(cells) == 4:
            rows.setdefault(cells[0], []).append(cells[1:])
    base = f"constant {prov['base_year']} prices"
    assert rows["Allies at or above 2% of GDP"] == [
        [f"{sum(v >= 2.0 for v in share.values())} of {len(share)}", label,
         f"Defence expenditure over GDP, {base} (NATO's published share)"]]
    n_core = sum(v >= 3.5 for v in share.values())
    assert rows["Allies at or above 3.5% core (Hague)"][0][0] == f"{n_core} of {len(share)}"
    us = rows["The United States' share of allied defence expenditure"]
    assert [r[1:] for r in us] == [[label, "Current prices and exchange rates"],
                                   [label, f"Constant {prov['base_year']} prices and exchange rates"]]
    import natoanalysis as na
    data = na.load(edition=edition)
    for (value, _, _), basis in zip(us, ("current", "constant")):
        expected = na.burden_share(data=data, year=year, price_basis=basis)["usa_defence_share_pct"]
        assert value == f"{expected:.1f}%"
    growth = rows["NATO Europe and Canada: real growth on the year before"]
    assert [g[2] for g in growth] == [
        f"Real (constant {prov['base_year']} USD), published membership (the members of each year, as NATO counts)",
        f"Real (constant {prov['base_year']} USD), like-for-like membership (the members of the year, counted in both years)"]
    assert all(re.fullmatch(r"[+-]\d+\.\d\d%", g[0]) for g in growth) and growth[0][0] != growth[1][0]


def test_home_page_lists_reports_by_title_with_a_line_and_profiles_by_name(report):
    import natoanalysis as na

    home = _page(report.run_dir / "index.html")
    links = dict((text, href) for href, text in home.links)
    narrative = [nb for nb in report.manifest["notebooks"] if not nb["country"]]
    for nb in narrative:
        title = _committed_heading(nb["notebook"].removesuffix(".ipynb").rsplit("/", 1)[-1])
        assert links.get(title) == f"html/{nb['name']}.html", title
    text = visible_text((report.run_dir / "index.html").read_text(encoding="utf-8"))
    # One line under each title: the committed notebook's own first words.
    assert "A short note on one year of NATO's defence expenditure tables" in text
    profiles = re.findall(r'<a href="(html/05_country_profile_(\w+)\.html)"><span>([^<]+)</span>(.*?)</a>',
                          (report.run_dir / "index.html").read_text(encoding="utf-8"), re.S)
    assert [(code, name) for _, code, name, _ in profiles] == sorted(
        ((c, NAMES[c]) for c in PROFILED), key=lambda x: x[1])
    data = na.load(edition=report.manifest["editions"]["nato"])
    for href, code, _, card in profiles:
        assert (report.run_dir / href).is_file()
        share = data.query("country == @code and indicator == 'share_gdp_pct' and year == year.max()")["value"]
        if code == "ISL":  # no armed forces: no figure, no line
            assert share.isna().all() and "no armed forces" in card and "<svg" not in card
        else:  # the latest share printed large over a sparkline, no thumbnail of a whole chart
            assert f'<strong class="latest">{share.item():.2f}%</strong>' in card and "<polyline" in card
    assert home.images == ["figures/home/tile_map.png"]  # the home page's one image: the tile map of the allies
    assert (report.run_dir / "figures/home/tile_map.png").is_file() and not (report.run_dir / "thumbs").exists()
    assert ("explorer.html", "Open the explorer") in home.links and (report.run_dir / "explorer.html").is_file()


def test_home_page_links_the_run_log_and_the_zip_and_every_link_resolves(report):
    index = report.run_dir / "index.html"
    home = _page(index)
    hrefs = {href for href, _ in home.links}
    assert {"run.html", "tables-and-figures.zip", "manifest.json"} <= hrefs
    assert home.external == []
    # Off-site links are the sources footer's: the publishers' pages and the edition's file.
    off_site = {href for href in hrefs if href.startswith(("http:", "https:", "//"))}
    assert off_site and all(h.startswith(("https://www.nato.int/", "https://www.sipri.org/")) for h in off_site)
    bad = [href for href in (hrefs - off_site) | set(home.images) if not _resolves(index, href)]
    assert bad == []
    assert "This run is incomplete" not in visible_text(index.read_text(encoding="utf-8"))


def test_run_log_has_every_notebook_its_status_duration_and_versions(report):
    log = report.run_dir / "run.html"
    page = _page(log)
    text = " ".join(visible_text(log.read_text(encoding="utf-8")).split())
    assert page.title == f"Run log {report.run_id}"
    m = report.manifest
    assert f"natoanalysis {m['package']['version']}" in text and f"python {m['versions']['python']}" in text
    for nb in m["notebooks"]:
        assert f"{nb['name']}" in text and f"{nb['duration_s']:.1f} s" in text
    assert [href for href, _ in page.links if not _resolves(log, href)] == []
    assert ("index.html", "Home") in page.links


def test_zip_holds_every_table_and_figure(report):
    on_disk = sorted(p.relative_to(report.run_dir).as_posix() for folder in ("tables", "figures")
                     if (report.run_dir / folder).is_dir() for p in (report.run_dir / folder).rglob("*") if p.is_file())
    with zipfile.ZipFile(report.run_dir / "tables-and-figures.zip") as zf:
        assert sorted(zf.namelist()) == sorted(on_disk + ["datapackage.json"])  # tests/test_sources.py validates it
        first = on_disk[0]
        assert zf.read(first) == (report.run_dir / first).read_bytes()


# --- report pages ---------------------------------------------------------------------------------------------

def test_every_report_page_has_its_title_a_link_home_and_contents(report):
    for nb in report.manifest["notebooks"]:
        path = report.run_dir / nb["outputs"]["html"]
        page = _page(path)
        heading = _committed_heading(Path(nb["notebook"]).stem)
        expected = heading if not nb["country"] else f"{heading}: {NAMES[nb['country']]}"
        assert page.title == expected, nb["name"]
        h1 = re.search(r"<h1[^>]*>([^<]*)", path.read_text(encoding="utf-8")).group(1).strip()
        assert h1 == expected, nb["name"]  # a profile's h1 names its ally
        assert ("../index.html", "← All reports of this run") in page.links, nb["name"]
        assert (path.parent / "../index.html").resolve() == (report.run_dir / "index.html").resolve()
        ids = [i for _, i in page.headings]
        assert ids, f"{nb['name']} has no h2/h3 heading"
        assert page.contents == [f"#{i}" for i in ids], nb["name"]
        assert len(set(ids)) == len(ids), f"{nb['name']}: two headings share an anchor"


def test_no_report_page_loads_anything_from_elsewhere(report):
    offenders = {}
    for path in sorted((report.run_dir / "html").glob("*.html")):
        raw = path.read_text(encoding="utf-8")
        page = _Page(raw)
        found = page.external + [src for src in page.images if not src.startswith("data:")]
        found += [w for w in ("require.js", "mathjax", "MathJax", "cdn.", "@import", "url(http", "fonts.googleapis")
                  if w in raw]
        if found:
            offenders[path.name] = found[:5]
    assert offenders == {}


def test_code_is_hidden_on_every_page(report):
    for path in sorted((report.run_dir / "html").glob("*.html")):
        body = path.read_text(encoding="utf-8").split("<main>", 1)[1]
        assert 'class="jp-InputArea-editor' not in body and 'class="jp-InputPrompt' not in body, path.name


# --- what a reader must never see -----------------------------------------------------------------------------

#: Python and pandas leaking onto a page: missing values as printed, None, reprs of lists and dicts, cut cells.
LEAKS = {
    "nan": r"\bnan\b", "NaN": r"\bNaN\b", "<NA>": r"<NA>", "None": r"\bNone\b",
    "list repr": r"\[['\"]", "dict repr": r"\{['\"]", "cut off": r"\.\.\.|…",
}


def _leaks(text: str) -> list[str]:
    """Each leak with 40 characters either side; a leak within the snippet of the one before is not repeated."""
    found = []
    for what, pattern in LEAKS.items():
        shown_to = -1
        for m in re.finditer(pattern, text):
            if m.start() < shown_to:
                continue
            shown_to = m.end() + 40
            found.append(f"{what}: …{' '.join(text[max(0, m.start() - 40):shown_to].split())}…")
    return list(dict.fromkeys(found))


#: A shortfall said of two figures that read the same: "printed 2.000%, recomputed 2.000%" within a sentence
#: that says it falls short (the rounding of the printed inputs is no shortfall).
SAME_FIGURES = re.compile(r"printed (\d+(?:\.\d+)?)%, recomputed (\d+(?:\.\d+)?)%")


def _false_shortfalls(text: str) -> list[str]:
    """Sentences that call a figure short of another although both read the same as printed."""
    found = []
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if re.search(r"\bshort\b|\bbelow\b", sentence):
            found += [f"{m.group(0)} in: {sentence[:160]}" for m in SAME_FIGURES.finditer(sentence)
                      if m.group(1) == m.group(2)]
    return found


def test_false_shortfall_scan_finds_what_it_looks_for():
    text = ("In edition 2026-07, 4 published shares meet 2% of GDP although defence expenditure over GDP falls just "
            "short: Poland 2018 (printed 2.000%, recomputed 2.000%) and Estonia 2019 (printed 2.000%, recomputed "
            "1.986%). Elsewhere printed 2.000%, recomputed 2.000% is said to agree.")
    found = _false_shortfalls(text)
    assert len(found) == 1 and found[0].startswith("printed 2.000%, recomputed 2.000% in: In edition 2026-07")


def _site_pages(report) -> list[Path]:
    """The report pages of the suite's run, then its home page and run log."""
    return sorted((report.run_dir / "html").glob("*.html")) + [report.run_dir / "index.html", report.run_dir / "run.html"]


def test_leak_scan_finds_what_it_looks_for():
    found = _leaks("Real spending changed by +nan% ; ['GBR', 'USA'] {\"2014\": 3.7} <NA> None x... NaN")
    assert [f.split(":")[0] for f in found] == ["nan", "NaN", "<NA>", "None", "list repr", "dict repr", "cut off"]
    assert _leaks("Financing nano-satellites; none of them; 2.5 [1] {a}") == []


def test_no_page_shows_nan_none_reprs_or_cut_off_cells(report):
    pages = _site_pages(report)
    found = {}
    for path in pages:
        text = visible_text(path.read_text(encoding="utf-8"))
        leaks = _leaks(text) + _false_shortfalls(text)
        if leaks:
            found[path.relative_to(report.run_dir).as_posix()] = leaks
    assert not found, "pages show what a reader should never see:\n" + "\n".join(
        f"{page}:\n  " + "\n  ".join(leaks) for page, leaks in found.items())


# --- every figure with its data, every table with its CSV --------------------------------------------------------

NBCONVERT_DEFAULT_ALT = "No description has been provided for this image"


class _Figures(HTMLParser):
    """Each image of a page with its alt text and the links after it; and every link and table of the page."""

    def __init__(self, text: str):
        super().__init__()
        self.figures: list[dict] = []  # {"src", "alt", "links": [(href, text)]}
        self.links: list[tuple[str, str]] = []
        self.tables = 0
        self._href: str | None = None
        self._text = ""
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img":
            self.figures.append({"src": a.get("src", ""), "alt": a.get("alt"), "links": []})
        if tag == "div" and "nato-table" in (a.get("class") or "").split():
            self.tables += 1
        if tag == "a" and a.get("href"):
            self._href, self._text = a["href"], ""

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            link = (self._href, " ".join(self._text.split()))
            self.links.append(link)
            if self.figures:
                self.figures[-1]["links"].append(link)
            self._href = None

    def handle_data(self, data):
        if self._href is not None:
            self._text += data


def _svg_titles(svg: Path) -> list[str]:
    """The bold texts of a chart's SVG (its title and panel titles): text stays text (svg.fonttype none)."""
    return [html.unescape(t) for t in re.findall(r'<text style="font-weight: 700[^>]*>([^<]+)</text>',
                                                 svg.read_text(encoding="utf-8"))]


def test_every_figure_has_alt_text_naming_its_title_and_years_and_links_to_its_png_svg_and_data(report):
    seen = 0
    for page in sorted((report.run_dir / "html").glob("*.html")):
        figures = _Figures(page.read_text(encoding="utf-8")).figures
        folder = (report.run_dir / "figures" / page.stem).resolve()
        assert len(figures) == len(list(folder.glob("*.png"))), page.name
        for fig in figures:
            alt = fig["alt"] or ""
            assert alt.startswith("Chart: ") and alt != NBCONVERT_DEFAULT_ALT, (page.name, alt)
            links = fig["links"][:3]
            assert [text for _, text in links] == ["PNG", "SVG", "CSV (data drawn)"], (page.name, alt)
            png, svg, csv_file = [(page.parent / href).resolve() for href, _ in links]
            assert [p.parent for p in (png, svg, csv_file)] == [folder] * 3 and png.stem == svg.stem == csv_file.stem
            assert png.is_file() and svg.is_file() and csv_file.is_file()
            assert base64.b64decode(fig["src"].split(",", 1)[1]) == png.read_bytes()  # the page shows the file
            titles = _svg_titles(svg)
            assert any(alt.startswith(f"Chart: {t}") for t in titles), (alt, titles)
            drawn = pd.read_csv(csv_file)
            assert len(drawn) > 0
            if "year" in drawn.columns:
                assert f"{drawn['year'].min()}" in alt and f"{drawn['year'].max()}" in alt, alt
            else:
                assert re.search(r"\b(19|20)\d\d", alt), alt  # in the title: "2024e", "by 2035"
            seen += 1
    assert seen >= sum(len(v) for v in EXPECTED_FIGURES.values())
    alts = " ".join(f["alt"] for f in _Figures((report.run_dir / "html" / "01_alliance_overview.html")
                                               .read_text(encoding="utf-8")).figures)
    assert "31 horizontal bars, largest at the top" in alts and "from Poland (4.12) to " in alts


def test_figure_csv_holds_exactly_the_values_drawn(report):
    share = _raw_share_2024()  # Table 3 of the raw transcription, as the bars of 01 draw it
    drawn = pd.read_csv(report.run_dir / "figures" / "01_alliance_overview" / "share_gdp_2024.csv")
    assert drawn.columns.tolist() == ["country_name", "value"]
    share["Slovakia"] = share.pop("Slovak Republic")  # NATO's name in the table, the registry's on the chart
    assert dict(zip(drawn["country_name"], drawn["value"])) == pytest.approx(share, abs=5e-13)
    assert drawn["value"].is_monotonic_decreasing  # top bar first
    # 02: the lines of the US share are the table the page shows under them (percent, by year and basis).
    lines = pd.read_csv(report.run_dir / "figures" / "02_burden_sharing" / "usa_share_by_basis.csv")
    table = pd.read_csv(report.run_dir / "tables" / "02_burden_sharing" / "usa_defence_share_by_year.csv")
    for basis in table.columns.drop("year"):
        line = lines[lines["line"] == f"Defence expenditure, {basis.lower()}"].set_index("year")["share_pct"]
        assert line.to_dict() == pytest.approx(table.set_index("year")[basis].to_dict(), abs=1e-12), basis


def test_every_table_links_its_csv_and_01_and_the_profiles_have_tables(report):
    for page in sorted((report.run_dir / "html").glob("*.html")):
        parsed = _Figures(page.read_text(encoding="utf-8"))
        csvs = [href for href, text in parsed.links if text == "Download this table as CSV"]
        assert len(csvs) == parsed.tables, page.name
        folder = (report.run_dir / "tables" / page.stem).resolve()
        assert all((page.parent / h).resolve().parent == folder and (page.parent / h).resolve().is_file()
                   for h in csvs), page.name
        if page.stem.startswith(("01_", "05_")):
            assert parsed.tables >= 1, f"{page.name} shows no table"
    key = pd.read_csv(report.run_dir / "tables" / "05_country_profile_POL" / "POL_key_figures.csv").set_index("year")
    assert key.loc[2024, "share_gdp_pct"] == pytest.approx(_raw_share_2024()["Poland"], abs=5e-13)


def test_no_local_link_on_any_page_is_broken(report):
    pages = _site_pages(report)
    broken = {}
    for path in pages:
        page = _Page(path.read_text(encoding="utf-8"))
        local = [h for h, _ in page.links] + page.images
        local = [h for h in local if not re.match(r"^([a-z]+:|#)", h)]
        missing = [h for h in local if not _resolves(path, h)]
        if missing:
            broken[path.name] = missing[:5]
    assert broken == {}

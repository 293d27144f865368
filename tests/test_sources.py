"""Data to take away and sources one click away (issue 22, items 4, 5 and the definition box of 7).

What a reader gets: ``natoanalysis export`` and the run's zip as Frictionless data packages that
``frictionless`` validates, report pages whose footer links the publications they use, a box saying
what NATO counts as defence expenditure, and the claims page linking an article where its address is known.
Expected values come from the raw transcriptions' provenance and the reference files, read here directly.
"""

from __future__ import annotations

import csv
import json
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import frictionless
import nbformat
import pandas as pd
import pytest

import natoanalysis as na
from natoanalysis import schema
from natoanalysis.cli import main

from .browser import visible_text
from .conftest import REPO, SUITE

REFERENCE = REPO / "natoanalysis" / "reference"


def _rows(name: str) -> list[dict]:
    with open(REFERENCE / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _provenance(source: str, edition: str) -> dict:
    return json.loads((REPO / "data" / "raw" / source / edition / "provenance.json").read_text(encoding="utf-8"))


def _errors(report) -> list[tuple]:
    return report.flatten(["taskName", "rowNumber", "fieldName", "type"])


# --- natoanalysis export --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "nato"
    assert main(["export", str(out)]) == 0
    return out


def test_export_writes_a_package_that_frictionless_validates(exported):
    report = frictionless.validate(str(exported / "datapackage.json"))
    assert report.valid, _errors(report)[:5]
    tidy = na.load()
    edition = str(tidy["edition"].iloc[0])
    descriptor = json.loads((exported / "datapackage.json").read_text(encoding="utf-8"))
    (res,) = descriptor["resources"]
    assert res["path"] == f"nato-{edition}.csv" and sorted(p.name for p in exported.iterdir()) == [
        "datapackage.json", f"nato-{edition}.csv"]
    assert res["schema"]["primaryKey"] == schema.KEY
    assert [f["name"] for f in res["schema"]["fields"]] == list(tidy.columns)
    types = {f["name"]: f["type"] for f in res["schema"]["fields"]}
    assert (types["year"], types["value"], types["is_estimate"], types["country"]) == (
        "integer", "number", "boolean", "string")
    assert res["schema"]["missingValues"] == [""]
    reason = next(f for f in res["schema"]["fields"] if f["name"] == "missing_reason")
    assert set(reason["constraints"]["enum"]) == {"not_published", "not_available", "nil", "did_not_exist"}
    prov = _provenance("nato", edition)
    (src,) = descriptor["sources"]
    assert prov["file_name"] in src["title"] and edition in src["title"] and src["path"] == prov["url"]
    assert descriptor["licenses"][0]["path"].startswith("https://www.nato.int/")
    assert "credit to NATO" in descriptor["licenses"][0]["title"]
    # Row count and a real value, read back from the CSV with frictionless (typed by the descriptor).
    rows = frictionless.Resource(res, basepath=str(exported)).read_rows()
    assert len(rows) == len(tidy)
    pol = [r for r in rows if (r["country"], r["indicator"], r["year"]) == ("POL", "share_gdp_pct", 2024)]
    assert [round(float(r["value"]), 2) for r in pol] == [4.12] and pol[0]["is_estimate"] is True
    assert sum(r["value"] is None for r in rows) == int(tidy["value"].isna().sum())


def test_the_primary_key_is_checked_a_duplicated_row_fails(exported, tmp_path):
    copy = tmp_path / "copy"
    copy.mkdir()
    for p in exported.iterdir():
        (copy / p.name).write_bytes(p.read_bytes())
    data = next(copy.glob("*.csv"))
    lines = data.read_text(encoding="utf-8").splitlines(keepends=True)
    data.write_text("".join(lines + lines[1:2]), encoding="utf-8")
    report = frictionless.validate(str(copy / "datapackage.json"))
    assert not report.valid and {e[3] for e in _errors(report)} == {"primary-key"}


def test_export_of_sipri_validates_from_python(tmp_path):
    descriptor = na.export(out_dir=tmp_path / "sipri", source="SIPRI")
    report = frictionless.validate(str(descriptor))
    assert report.valid, _errors(report)[:5]
    package = json.loads(descriptor.read_text(encoding="utf-8"))
    assert "SIPRI Military Expenditure Database" in package["sources"][0]["title"]
    assert package["licenses"][0]["path"] == "https://www.sipri.org/databases/milex"
    rows = frictionless.Resource(package["resources"][0], basepath=str(tmp_path / "sipri")).read_rows()
    assert len(rows) == len(na.load(source="sipri"))
    blank = [r for r in rows if r["value"] is None]  # '...' and 'xxx': an empty value with its reason
    assert blank and {r["missing_reason"] for r in blank} <= set(schema.MISSING_REASONS)


@pytest.mark.parametrize("args, message", [
    (["--edition", "1999-01"], "edition '1999-01' is not bundled for nato"),
    (["--edition", "all"], "export writes one edition"),
    (["--source", "imf"], "unknown source 'imf'; accepted: nato, sipri"),
])
def test_export_refuses_an_unknown_edition_or_source_in_one_line(tmp_path, capsys, args, message):
    assert main(["export", str(tmp_path / "out"), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("natoanalysis export: error: ") and message in err and len(err.splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_export_never_overwrites_a_folder_with_files_or_a_file(tmp_path, capsys):
    full = tmp_path / "full"
    full.mkdir()
    (full / "notes.txt").write_text("mine")
    blocker = tmp_path / "file"
    blocker.write_text("mine")
    for target in (full, blocker, blocker / "sub"):
        assert main(["export", str(target)]) == 2
        err = capsys.readouterr().err
        assert len(err.splitlines()) == 1 and str(target) in err
    assert [p.name for p in full.iterdir()] == ["notes.txt"] and blocker.read_text() == "mine"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["export", str(empty)]) == 0 and "datapackage.json" in capsys.readouterr().out
    assert (empty / "datapackage.json").is_file()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no staging folder left


def test_the_registry_types_the_tidy_columns_as_the_schema_does():
    """columns.csv is the one field registry: every tidy column is in it, with the type of schema.COLUMNS."""
    kinds = {"string": "string", "bool": "boolean", "int64": "integer", "Int64": "integer", "float64": "number"}
    registry = {r["column"]: r["type"] for r in _rows("columns.csv")}
    assert {c: registry.get(c) for c in schema.COLUMNS} == {c: kinds[t] for c, t in schema.COLUMNS.items()}


# --- the run's zip --------------------------------------------------------------------------------------------

def _validate_zip(path: Path, into: Path) -> dict:
    with zipfile.ZipFile(path) as zf:
        zf.extractall(into)
        csvs = sorted(n for n in zf.namelist() if n.endswith(".csv"))
    package = json.loads((into / "datapackage.json").read_text(encoding="utf-8"))
    assert sorted(r["path"] for r in package["resources"]) == csvs
    report = frictionless.validate(str(into / "datapackage.json"))
    assert report.valid, _errors(report)[:5]
    return package


def test_zip_datapackage_describes_every_csv_and_validates(tmp_path):
    from natoanalysis.reports.home import write_zip

    run = tmp_path / "run"
    for name, text in {
        "tables/01_x/gaps.csv": "country,year,gap_core_pp,is_estimate\nPOL,2024,-0.62,True\nISL,2024,,False\n",
        "tables/09_y/by_edition.csv": "country_name,2024-06,2025-08\nPoland,4.12,\nFrance,2.06,2.05\n",
        "figures/01_x/chart.csv": "year,value,label\n2014,1.5,a\n2015,2,\n",
    }.items():
        (run / name).parent.mkdir(parents=True, exist_ok=True)
        (run / name).write_text(text, encoding="utf-8")
    (run / "figures" / "01_x" / "chart.png").write_bytes(b"png")
    edition = str(na.load()["edition"].iloc[0])
    (run / "manifest.json").write_text(json.dumps({"run_id": "20250101T000000Z-abcdef",
                                                   "editions": {"nato": edition}}))
    package = _validate_zip(write_zip(run), tmp_path / "unzipped")
    fields = {r["path"]: {f["name"]: f for f in r["schema"]["fields"]} for r in package["resources"]}
    gaps = fields["tables/01_x/gaps.csv"]
    assert (gaps["year"]["type"], gaps["gap_core_pp"]["type"], gaps["is_estimate"]["type"]) == (
        "integer", "number", "boolean")
    assert gaps["gap_core_pp"]["title"] == "Gap to core target (points of GDP)"  # the registry's label
    assert fields["tables/09_y/by_edition.csv"]["2025-08"]["type"] == "number"
    keys = {r["path"]: r["schema"].get("primaryKey") for r in package["resources"]}
    assert keys["tables/01_x/gaps.csv"] == ["country"] and keys["figures/01_x/chart.csv"] == ["year"]
    assert _provenance("nato", edition)["file_name"] in package["sources"][0]["title"]


# --- report pages: footer and definition box --------------------------------------------------------------------

class _Links(HTMLParser):
    """The links of a page's footer and definition box, as (href, text)."""

    def __init__(self, text: str):
        super().__init__()
        self.links: dict[str, list[tuple[str, str]]] = {"footer": [], "aside": []}
        self._where: list[str] = []
        self._href: str | None = None
        self._text = ""
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag in self.links:
            self._where.append(tag)
        if tag == "a" and self._where:
            self._href, self._text = dict(attrs).get("href"), ""

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links[self._where[-1]].append((self._href, " ".join(self._text.split())))
            self._href = None
        if tag in self.links and self._where:
            self._where.pop()

    def handle_data(self, data):
        if self._href is not None:
            self._text += data


def _page(parameters: str, data_dir: Path | None = None, **injected) -> str:
    from natoanalysis.reports.pages import PageExporter

    nb = nbformat.v4.new_notebook(metadata={"papermill": {"parameters": injected}}, cells=[
        nbformat.v4.new_markdown_cell("# A report\n\n## One section"),
        nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]})])
    return PageExporter(show_code=False).from_notebook_node(nb, {"data_dir": data_dir})[0]


def _publisher(source: str) -> dict:
    return next(r for r in _rows("publishers.csv") if r["source"] == source)


def _assert_links_work(links: list[tuple[str, str]]) -> None:
    for href, text in links:
        parts = urlsplit(href)
        assert parts.scheme == "https" and parts.netloc in {"www.nato.int", "www.sipri.org"} and text, href


def test_a_page_footer_links_nato_s_page_and_the_edition_s_file():
    edition = str(na.load()["edition"].iloc[0])
    prov = _provenance("nato", edition)
    page = _page('edition: str = "latest"')
    links = _Links(page).links
    assert (prov["url"], prov["file_name"]) in links["footer"]
    assert (_publisher("nato")["page_url"], _publisher("nato")["page_title"]) in links["footer"]
    _assert_links_work(links["footer"] + links["aside"])
    text = " ".join(visible_text(page).split())
    assert f"{prov['title']}, published {prov['publication_date']}, edition {edition}" in text
    box = next(r for r in _rows("definitions.csv") if r["source"] == "nato")
    assert box["heading"] in text and box["text"] in text
    assert f"This page reads edition {edition}, which measures {prov['definition']}." in text
    assert links["aside"] == [(box["url"], box["link_title"])]


def test_a_page_using_sipri_links_sipri_s_database_and_an_edition_given_is_the_one_linked():
    sipri = str(na.load(source="sipri")["edition"].iloc[0])
    edition = str(na.load()["edition"].iloc[0])
    page = _page('edition: str = "latest"\nsipri_edition: str = "latest"', edition=edition)
    links = _Links(page).links
    assert (_publisher("sipri")["page_url"], _publisher("sipri")["page_title"]) in links["footer"]
    text = " ".join(visible_text(page).split())
    assert f"edition {sipri}: {_provenance('sipri', sipri)['file_name']}" in text
    assert "What SIPRI counts as military expenditure" in text and "What NATO counts" in text
    assert "SIPRI" not in " ".join(visible_text(_page('edition: str = "latest"')).split())


def test_the_footer_reads_the_editions_of_the_run_s_data_folder(tmp_data):
    """The runner passes its data folder (``--data-dir``): "latest" is resolved there, not in the default one."""
    import shutil

    shutil.rmtree(tmp_data / "raw" / "sipri")
    params = 'edition: str = "latest"\nsipri_edition: str = "latest"'
    assert "www.sipri.org" in _page(params)
    footer = _Links(_page(params, data_dir=tmp_data)).links["footer"]
    assert footer and not any("sipri" in href for href, _ in footer)


# --- the claims page ------------------------------------------------------------------------------------------

def test_claims_link_the_article_where_its_address_is_known_and_name_the_outlet_otherwise():
    from natoanalysis.claims import render

    base = {"id": "my-count", "statement": "23 allies met 2% in 2024.",
            "reported": {"outlet": "My paper", "date": "2025-01"},
            "publication": {"kind": "NATO tables, June 2024", "date": "2024-06-17", "source": "my reading"},
            "quantity": {"unit": "allies at or above 2% of GDP", "value": 23},
            "method": "allies_at_threshold", "args": {"year": 2024, "threshold": 2.0, "expect": "count_meeting"},
            "tolerance": 0, "notes": ""}
    linked = dict(base, id="my-linked", reported={**base["reported"], "url": "https://example.org/news/1"})
    table = na.check_claims(claims=[base, linked])
    assert table["reported_url"].tolist() == ["", "https://example.org/news/1"]
    text = render.as_markdown(table)
    assert "(My paper, 2025-01)" in text and "([My paper, 2025-01](https://example.org/news/1))" in text
    with pytest.raises(ValueError, match="reported.url must match pattern"):
        na.check_claims(claims=[dict(base, reported={**base["reported"], "url": "javascript:alert(1)"})])
    registry = json.loads((REFERENCE / "claims.json").read_text(encoding="utf-8"))["claims"]
    urls = {c["id"]: c["reported"].get("url", "") for c in registry}
    assert na.check_claims()["reported_url"].tolist() == [urls[i] for i in na.check_claims()["id"]]
    linked = na.check_claims().set_index("id")["reported_url"]  # the Telegraph's article carries both its claims
    assert linked[["allies-2pct-2014", "europe-canada-rise-11pct"]].str.contains("the-daily-telegraph/20240215").all()
    assert "](http://www.pressreader.com/uk/the-daily-telegraph/20240215/" in render.as_markdown(na.check_claims())


# --- the suite run (slow) ---------------------------------------------------------------------------------------

@pytest.mark.slow
@SUITE
def test_suite_zip_datapackage_lists_every_csv_and_validates(report, tmp_path):
    package = _validate_zip(report.run_dir / "tables-and-figures.zip", tmp_path)
    assert package["resources"]  # every report writes its tables
    titles = " ".join(s["title"] for s in package["sources"])
    for source, editions in report.manifest["editions"].items():
        for edition in editions.split(", "):
            assert f"{edition} ({_provenance(source, edition)['file_name']})" in titles


@pytest.mark.slow
@SUITE
def test_suite_pages_link_their_publications_and_define_defence_expenditure(report):
    nato, sipri = (f"https://{h}/" for h in ("www.nato.int", "www.sipri.org"))
    for nb in report.manifest["notebooks"]:
        page = (report.run_dir / nb["outputs"]["html"]).read_text(encoding="utf-8")
        links = _Links(page).links
        _assert_links_work(links["footer"] + links["aside"])
        hrefs = [h for h, _ in links["footer"]]
        # 07 and the profiles declare sipri_edition; Iceland's profile shows no SIPRI figure, so it lists no SIPRI
        shows_sipri = "sipri_edition" in nb["parameters"] and nb.get("country") != "ISL"
        assert any(h.startswith(sipri) for h in hrefs) == shows_sipri, nb["name"]
        if "edition" in nb["parameters"]:
            assert any(h.startswith(nato) for h in hrefs), nb["name"]
            assert "What NATO counts as defence expenditure" in visible_text(page), nb["name"]
    assert {n["name"][:2] for n in report.manifest["notebooks"] if "edition" in n["parameters"]} >= {"00", "01", "05"}
    assert "sipri_edition" in next(n for n in report.manifest["notebooks"] if n["name"].startswith("07_"))["parameters"]
    for site_page, names in (("index.html", ("nato", "sipri")), ("explorer.html", ("nato",))):
        page = (report.run_dir / site_page).read_text(encoding="utf-8")
        links, footer = _Links(page).links["footer"], page[page.index('<footer class="sources"'):]
        for source in names:  # the home page and the explorer name the editions of the run, with their files
            file_name = _provenance(source, report.manifest["editions"][source])["file_name"]
            assert file_name in " ".join(visible_text(footer).split()), (site_page, source)
        assert any(h.startswith(nato) for h, _ in links), site_page


def _executed(shown: str) -> nbformat.NotebookNode:
    """A notebook declaring NATO's and SIPRI's editions whose one output is the Markdown ``shown``."""
    params = nbformat.v4.new_code_cell('edition: str = "latest"\nsipri_edition: str = "latest"',
                                       metadata={"tags": ["parameters"]})
    out = nbformat.v4.new_output("display_data", data={"text/markdown": shown, "image/png": "iVBORSIPRINATO"})
    return nbformat.v4.new_notebook(cells=[params, nbformat.v4.new_code_cell("x", outputs=[out])])


def test_an_executed_page_lists_only_the_sources_its_outputs_name():
    from natoanalysis.reports import pages

    # Iceland's profile declares sipri_edition but shows no SIPRI figure: no SIPRI box, no SIPRI source.
    nato_only = pages.footer(_executed("Iceland has no armed forces; NATO prints its GDP."))
    assert [p["source"] for p in nato_only["publications"]] == ["nato"]
    assert [d["source"] for d in nato_only["definitions"]] == ["nato"]
    both = pages.footer(_executed("NATO's share of GDP; the long run in SIPRI's data."))
    assert [p["source"] for p in both["publications"]] == ["nato", "sipri"]
    # Image data is not text a reader sees: letters in its base64 ("SIPRINATO" above) must not count.
    assert [p["source"] for p in pages.footer(_executed("no source named"))["publications"]] == []

"""Report pages, home page and run log rendered from small notebooks and manifests (no kernel, fast tier)."""

from __future__ import annotations

import re

import nbformat
import pytest

from natoanalysis.reports import home, pages, runlog

from .browser import visible_text


def _notebook(country: str | None = None):
    nb = nbformat.v4.new_notebook()
    nb.metadata["papermill"] = {"parameters": {"country": country} if country else {}}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Growth of *spending*\n\nHow fast spending grew. More text.\n\n## By ally"),
        nbformat.v4.new_code_cell("x = 1", outputs=[nbformat.v4.new_output(
            "display_data", data={"text/markdown": "### Real & nominal\n\nA sentence."})]),
        nbformat.v4.new_markdown_cell("## The groups\n\nText with $ signs: US$10 and US$20."),
    ]
    return nb


@pytest.fixture(scope="module")
def exporter():
    return pages.PageExporter(show_code=False)


def test_links_to_pages_the_run_did_not_render_are_plain_text(exporter):
    nb = _notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("See [the claim checker](08_claims_check.html) and [the burden]"
                                                  "(02_burden_sharing.html#By-ally)."))
    nb.cells[1].outputs[0]["data"]["text/markdown"] += " Details: [both figures](00_data_overview.html#Findings)."
    rendered = {"01_growth.html", "02_burden_sharing.html"}
    body, _ = exporter.from_notebook_node(nb, {"pages": frozenset(rendered)})
    links = re.findall(r'<a href="([^"]+)"', body)
    assert "02_burden_sharing.html#By-ally" in links
    assert not [href for href in links if href.startswith(("08_", "00_"))]
    text = visible_text(body)
    assert "See the claim checker and the burden." in text and "Details: both figures." in text
    # Outside a run (papermill alone) nothing is known of the other pages: every link stays.
    alone = re.findall(r'<a href="([^"]+)"', exporter.from_notebook_node(nb)[0])
    assert {"08_claims_check.html", "00_data_overview.html#Findings"} <= set(alone)


def test_report_page_loads_nothing_and_has_title_home_link_and_contents(exporter):
    body, _ = exporter.from_notebook_node(_notebook())
    assert re.search(r"<title>Growth of spending</title>", body)
    assert "<script" not in body and "<link" not in body
    assert not re.search(r"(src|href)=\"(https?:)?//", body)  # no CDN: require.js, MathJax, fonts
    assert '<a href="../index.html">' in body
    contents = re.search(r'<nav class="contents".*?</nav>', body, re.S).group(0)
    assert re.findall(r'href="#([^"]+)"', contents) == ["By-ally", "Real-&amp;-nominal", "The-groups"]
    for anchor in ("By-ally", "The-groups"):
        assert f'id="{anchor}"' in body
    # The contents come after the title, and the first paragraph stays as written.
    assert body.index("</h1>") < body.index('<nav class="contents"') < body.index("How fast spending grew")
    assert "x = 1" not in visible_text(body)  # code hidden


def test_show_code_keeps_the_code(tmp_path):
    body, _ = pages.PageExporter(show_code=True).from_notebook_node(_notebook())
    assert "x" in visible_text(body) and "jp-InputArea-editor" in body and "<script" not in body


def test_profile_title_names_the_ally(exporter):
    body, _ = exporter.from_notebook_node(_notebook(country="NLD"))
    assert "<title>Growth of spending: Netherlands</title>" in body
    assert pages.summary(_notebook()) == "How fast spending grew. More text."


def _manifest(**changes) -> dict:
    m = {"run_id": "20260101T000000Z-abc", "status": "complete", "finished_utc": "2026-01-01T00:02:00Z",
         "editions": {"nato": "2024-06"}, "package": {"name": "natoanalysis", "version": "9.9"}, "python": "3.11.2",
         "notebooks": [{"name": "01_a", "status": "ok", "duration_s": 2.25, "parameters": {"year": 2024},
                        "country": None, "error": None, "outputs": {"html": "html/01_a.html"}}]}
    return {**m, **changes}


def test_failed_run_says_so_first():
    failed = _manifest(status="failed", notebooks=[
        {"name": "01_a", "status": "failed", "duration_s": 1.0, "parameters": {}, "country": None,
         "error": {"ename": "KeyError", "evalue": "'x'"}, "outputs": {}}])
    reports = [{"name": "01_a", "title": "Report A", "summary": "", "href": None, "status": "failed"}]
    page = home.render(failed, reports=reports, profiles=[])
    text = " ".join(visible_text(page[page.index("<main>"):]).split())
    assert text.startswith("Defence expenditure reports, edition 2024-06 This run is incomplete: 1 of 1 notebooks "
                           "failed (01_a, KeyError: 'x')")
    assert "Report A (failed)" in text
    ok = home.render(_manifest(), reports=[], profiles=[])
    assert "incomplete" not in ok and 'class="banner"' not in ok


def test_inconsistent_run_names_the_changed_files():
    changed = _manifest(status="inconsistent", inputs={"changed": ["raw/nato/2024-06/sheets/03_TABLE3.csv"]})
    text = visible_text(home.render(changed, reports=[], profiles=[]))
    assert "changed while this run read them" in text and "raw/nato/2024-06/sheets/03_TABLE3.csv" in text


def test_run_log_lists_parameters_durations_and_versions():
    m = _manifest(versions={"pandas": "2.2.3", "numpy": "2.1.0"})
    text = " ".join(visible_text(runlog.render(m, tables={"01_a": ["tables/01_a/t.csv"]})).split())
    assert "natoanalysis 9.9, python 3.11.2, numpy 2.1.0, pandas 2.2.3" in text
    assert "01_a year = 2024 ok 2.2 s" in text and "t.csv" in text


HOSTILE = '<script>alert(1)</script>" onload="x'


def test_hostile_text_is_escaped_on_the_home_page_and_the_run_log():
    m = _manifest(status="failed", inputs={"changed": [HOSTILE]}, request={"parameters": {"country": HOSTILE}},
                  notebooks=[{"name": HOSTILE, "status": "failed", "duration_s": 1.0, "parameters": {"x": [HOSTILE]},
                              "country": None, "error": {"ename": "E", "evalue": HOSTILE},
                              "outputs": {"html": f"html/{HOSTILE}.html", "figures": [f"figures/{HOSTILE}.png"]}}])
    reports = [{"name": "01", "title": HOSTILE, "summary": HOSTILE, "href": f"html/{HOSTILE}", "status": HOSTILE}]
    profiles = [{"name": "05", "country_name": HOSTILE, "thumb": HOSTILE, "href": HOSTILE, "status": HOSTILE}]
    for page in (home.render(m, reports=reports, profiles=profiles), runlog.render(m, tables={HOSTILE: [HOSTILE]})):
        assert "<script" not in page and 'onload="' not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;&#34; onload=&#34;x" in page
        assert HOSTILE in visible_text(page)


def test_home_page_names_the_newer_editions_and_flags_findings_and_copies(monkeypatch):
    import natoanalysis as na
    from natoanalysis.reports import home
    from natoanalysis.views import home as home_view

    reports = [{"name": "00_data_overview", "title": "Data", "summary": "x", "href": "html/00_data_overview.html",
                "status": "ok"}]
    manifest = {"run_id": "r1", "status": "complete", "notebooks": [], "editions": {"nato": "2024-06"}}
    page = home.render(manifest, reports=reports, profiles=[], data=na.load)
    assert "Newer NATO editions are published: 2025-08 (2025-08-28), 2026-07 (2026-07); natoanalysis fetch nato gets" in page
    assert "not the publisher's file" not in page and "the whitelist does not explain" not in page
    monkeypatch.setattr(home_view, "findings_flag",
                        lambda data, data_dir=None: "Edition 2024-06 holds 3 findings <b>x</b>.")
    facts = home_view.edition_facts(data=na.load())
    monkeypatch.setattr(home_view, "edition_facts", lambda data: {**facts, "is_copy": True})
    page = home.render(manifest, reports=reports, profiles=[], data=na.load)
    assert "Edition 2024-06 holds 3 findings &lt;b&gt;x&lt;/b&gt;." in page
    assert 'href="html/00_data_overview.html">Open the data overview.</a>' in page
    assert "This edition was transcribed from a copy that is not the publisher's file" in page


def test_amounts_in_dollars_do_not_turn_a_paragraph_into_a_formula(exporter):
    from natoanalysis.views import text

    nb = _notebook()
    sentence = text.markdown(f"All allies: median **{text.usd(2_360_000)}**, between {text.usd(2_100_000)} and "
                             f"{text.usd(2_600_000)}.")
    nb.cells.append(nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output(
        "display_data", data={"text/markdown": sentence})]))
    body, _ = exporter.from_notebook_node(nb)
    assert "All allies: median <strong>US$2.36 trillion</strong>, between US$2.10 trillion and US$2.60 trillion." \
        in body and "**" not in body


def test_an_image_keeps_the_alt_text_of_its_output(exporter):
    nb = _notebook()
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
    nb.cells[1].outputs = [
        nbformat.v4.new_output("display_data", data={"image/png": png},
                               metadata={"image/png": {"alt": 'Chart: "Shares" & more, 2014 to 2024.', "width": 600}}),
        nbformat.v4.new_output("display_data", data={"image/png": png})]
    body, _ = exporter.from_notebook_node(nb)
    from html.parser import HTMLParser

    images = []
    parser = HTMLParser()
    parser.handle_starttag = lambda tag, attrs: images.append(dict(attrs)) if tag == "img" else None
    parser.feed(body)
    assert [(i["alt"], i.get("width")) for i in images] == [
        ('Chart: "Shares" & more, 2014 to 2024.', "600"),
        ("No description has been provided for this image", None)]  # nbconvert's, where no alt was given

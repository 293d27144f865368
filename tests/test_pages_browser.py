"""The report suite's pages in a real browser with the network shut: headless Chromium.

Opens the home page and three report pages of the session's suite run
(``report`` in tests/conftest.py) with no name resolving and every other
request sent to a local proxy that records it. Each page must request
nothing but its own files and inlined images, log no console error, and show
its title and its charts (every image loaded, natural width above zero).
Skipped, with the reason, where no Chromium is installed (``.ci/run`` installs
Debian's ``chromium``).
"""

from __future__ import annotations

import pytest

from .conftest import SUITE

pytestmark = [pytest.mark.slow, SUITE]

#: Report pages opened besides the home page: two narrative reports and a profile.
PAGES = ["01_alliance_overview", "03_guidelines", "05_country_profile_POL"]
#: Hosts Chromium itself calls at start-up (component updates, account checks) whatever the page: they are the
#: browser's, made before or beside any page, and the proxy refuses them like everything else.
BROWSER_OWN = ("update.googleapis.com", "accounts.google.com", "clients2.google.com",
               "optimizationguide-pa.googleapis.com")


def _host(attempt: str) -> str:
    """``CONNECT host:443 HTTP/1.1`` or ``GET http://host/path HTTP/1.1`` -> ``host``."""
    target = attempt.split(" ")[1] if " " in attempt else attempt
    return target.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0]


def _opened(page, path):
    return page.open(path.resolve().as_uri())


def test_the_browser_sees_a_page_that_calls_out(browser, tmp_path):
    """The checks below can fail: an external image is requested, reaches the proxy and logs an error."""
    page, proxy = browser
    bad = tmp_path / "bad.html"
    bad.write_text('<title>t</title><img src="https://example.org/chart.png"><script>console.error("oops")</script>')
    seen = _opened(page, bad)
    assert "https://example.org/chart.png" in seen["requests"]
    assert any("oops" in e for e in seen["console_errors"]) and any("example.org" in e for e in seen["console_errors"])
    assert seen["images"][0]["width"] == 0
    assert "example.org" in {_host(a) for a in proxy.attempts}


@pytest.mark.parametrize("name", ["index"] + PAGES)
def test_page_renders_offline_with_its_title_and_charts(browser, report, name):
    page, proxy = browser
    path = report.run_dir / ("index.html" if name == "index" else f"html/{name}.html")
    before = len(proxy.attempts)
    seen = _opened(page, path)
    outside = [u for u in seen["requests"] if not u.startswith(("file:", "data:"))]
    assert outside == [], f"{name} requested {outside}"
    called = [a for a in proxy.attempts[before:] if _host(a) not in BROWSER_OWN]
    assert called == [], f"{name}: requests reached the network proxy: {called}"
    assert seen["console_errors"] == []
    assert seen["title"] and seen["h1"], f"{name} shows no title"
    if name != "index":
        assert seen["title"].startswith(seen["h1"])  # the page's title is its first heading (with the ally)
    assert seen["images"], f"{name} shows no chart"
    broken = [i["src"] for i in seen["images"] if not (i["complete"] and i["width"] > 0)]
    assert broken == [], f"{name}: images not shown: {broken}"


def test_home_page_of_a_full_run_stays_short(browser, report, tmp_path):
    """The home page of a run profiling every ally (the suite profiles three), at 1280 px wide.

    The run log's index of a full run was 27,000 px tall from 178 thumbnails; this one is a few screens, with a card
    per ally (its latest share of GDP and a sparkline) and the tile map of the allies.
    """
    import shutil

    import natoanalysis as na
    from natoanalysis import allies
    from natoanalysis.reports import home

    page, _ = browser
    shutil.copytree(report.run_dir / "figures" / "home", tmp_path / "figures" / "home")
    members = allies.members()
    profiles = [{"name": f"05_country_profile_{c}", "title": "Country profile", "summary": "", "status": "ok",
                 "href": None, "country": c, "country_name": allies.country_name(c),
                 "armed": allies.has_armed_forces(c)} for c in members]
    reports = [{"name": f"0{n}", "title": f"Report {n}", "summary": "One line on it.", "href": None, "status": "ok"}
               for n in range(9)]
    data = na.load(edition=report.manifest["editions"]["nato"])
    (tmp_path / "index.html").write_text(home.render(report.manifest, reports=reports, profiles=profiles,
                                                     data=lambda: data, tile_map="figures/home/tile_map.png"),
                                         encoding="utf-8")
    seen = _opened(page, tmp_path / "index.html")
    assert len(seen["images"]) == 1 and seen["images"][0]["width"] > 0  # the tile map
    sparklines = page.call("Runtime.evaluate", returnByValue=True,
                           expression="document.querySelectorAll('.profiles svg.spark').length")["result"]["value"]
    assert sparklines == len([c for c in members if allies.has_armed_forces(c)])
    assert seen["height"] < 4000, seen["height"]

"""Shared fixtures: repository paths, the official workbooks beside the clone, tmp data roots."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _shared_data() -> Path:
    # The official workbooks sit in shared/data beside the clone; a git worktree (/work/wt/NAME) sits
    # one level deeper than the main clone, so look beside each folder above the repository, unless
    # NATOANALYSIS_SHARED_DATA names the folder.
    if os.environ.get("NATOANALYSIS_SHARED_DATA"):
        return Path(os.environ["NATOANALYSIS_SHARED_DATA"])
    for folder in REPO.parents:
        if (folder / "shared" / "data").is_dir():
            return folder / "shared" / "data"
    return REPO.parent / "shared" / "data"


SHARED = _shared_data()
NATO_XLSX = SHARED / "nato" / "240617-def-exp-2024-TABLES-en.xlsx"
SIPRI_XLSX = SHARED / "sipri" / "SIPRI-Milex-data-1949-2024_2.xlsx"
RAW_NATO = REPO / "data" / "raw" / "nato" / "2024-06"


def require(path: Path) -> Path:
    """Skip (with the reason printed by -ra) when an official workbook is not beside the clone."""
    if not path.is_file():
        pytest.skip(f"official workbook {path} is absent; place ../shared/data beside the clone to run this test")
    return path


@pytest.fixture(scope="session")
def nato_xlsx() -> Path:
    return require(NATO_XLSX)


@pytest.fixture(scope="session")
def nato_workbook(nato_xlsx):
    from natoanalysis.extract.cells import read_xlsx
    return read_xlsx(nato_xlsx)


@pytest.fixture
def tmp_data(tmp_path) -> Path:
    """A private copy of the repository's raw data, for tests that write or modify data."""
    root = tmp_path / "data"
    shutil.copytree(REPO / "data" / "raw", root / "raw")
    (root / "processed").mkdir()
    return root


#: Marks every test that reads the suite run: under pytest-xdist (`--dist loadgroup`) they share one worker, so
#: that the session fixture below runs once, not once per worker.
SUITE = pytest.mark.xdist_group("report_suite")

#: The allies the report suite profiles (tests/test_notebook_suite.py, tests/test_pages*.py).
PROFILED = ["POL", "DEU", "ISL"]


@pytest.fixture(scope="session")
def report(tmp_path_factory):
    """The whole report suite, run once per session (every notebook, the profile for each of PROFILED).

    Shared by the notebook and page tests, so that no notebook runs twice in a session.
    """
    from natoanalysis import reports

    out = tmp_path_factory.mktemp("reports")
    return reports.run(countries=PROFILED, jobs=2, out_dir=out, quiet=True, check=False)


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium with the network cut (tests/browser.py): the page and the proxy that records any call out."""
    from .browser import RecordingProxy, chromium, find_browser

    path = find_browser()
    if path is None:
        pytest.skip("no Chromium on PATH (Debian: apt-get install chromium); the browser test cannot run here")
    proxy = RecordingProxy()
    try:
        with chromium(path, proxy=proxy) as page:
            yield page, proxy
    finally:
        proxy.close()

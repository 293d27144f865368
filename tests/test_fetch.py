"""fetch against a real HTTP server on 127.0.0.1 serving the official workbooks (no internet needed)."""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time

import pytest

import natoanalysis as na
from natoanalysis.cli import main
from natoanalysis.fetch import FetchError, fetch

from .conftest import NATO_XLSX, SIPRI_XLSX, require
from .factory import write_xlsx
from .test_editions import revised_nato_workbook

SIPRI_PAGE = """<html><body><h1>SIPRI Military Expenditure Database</h1>
<p><a href="/files/SIPRI-Milex-data-1949-2023.xlsx">Data for all countries 1949-2023</a>
<a href='/files/SIPRI-Milex-data-1949-2024.xlsx'>Data for all countries 1949-2024 (excel)</a></p></body></html>"""


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict[str, tuple[str, bytes]] = {}

    def do_GET(self):  # noqa: N802 - http.server's naming
        mode, body = self.routes.get(self.path, ("missing", b""))
        if mode == "missing":
            self.send_error(404, "Not Found")
            return
        if mode == "slow":
            time.sleep(3)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8" if self.path.endswith((".htm", "/milex"))
                         else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if mode == "truncate":
            # announce the whole file, send a third of it, hang up: a download that breaks off
            self.wfile.write(body[: len(body) // 3])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    """Start a threaded HTTP server on 127.0.0.1 (port chosen by the OS); yield (base URL, routes)."""
    routes: dict[str, tuple[str, bytes]] = {}
    handler = type("Handler", (_Handler,), {"routes": routes})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    httpd.block_on_close = False
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", routes
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def _leftovers(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if ".part" in p.name or
                  p.name.startswith(".") and p.is_file())


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed when the with-block ends: nothing listens there


def test_fetch_sipri_downloads_verifies_and_ingests(server, tmp_path):
    base, routes = server
    data = require(SIPRI_XLSX).read_bytes()
    routes["/milex"] = ("ok", SIPRI_PAGE.encode())
    routes["/files/SIPRI-Milex-data-1949-2024.xlsx"] = ("ok", data)
    root = tmp_path / "data"
    result = fetch(source="sipri", page_url=f"{base}/milex", data_dir=root, accessed="2026-11-22")
    assert result.is_new and result.url == f"{base}/files/SIPRI-Milex-data-1949-2024.xlsx"
    assert result.sha256 == "8a31c2794c8070230b3b9ef26a3249663f6317a8bc86ba3ec3099c791cdb692f"
    assert result.path == root / "downloads" / "sipri" / "SIPRI-Milex-data-1949-2024.xlsx"
    assert result.path.read_bytes() == data
    assert result.raw_dir == root / "raw" / "sipri" / "2025-04"
    rec = json.loads((result.raw_dir / "provenance.json").read_text())
    assert rec["url"] == result.url and rec["sha256"] == result.sha256 and rec["access_date"] == "2026-11-22"
    assert _leftovers(root) == []
    world = na.load(source="sipri", data_dir=root).query(
        "country == 'SIPRI_WORLD' and year == 2024 and price_basis == 'constant'")
    assert round(float(world["value"].iloc[0])) == 2676514
    again = fetch(source="sipri", page_url=f"{base}/milex", data_dir=root)
    assert not again.is_new and again.raw_dir == result.raw_dir


def test_fetch_nato_takes_the_newest_edition_beside_the_old_one(server, tmp_data, tmp_path, nato_workbook):
    base, routes = server
    revised, _ = revised_nato_workbook(nato_workbook)
    new_bytes = write_xlsx(revised, tmp_path / "def-exp-2025-en.xlsx").read_bytes()
    # the topic page links the 2025 PDF only (the tables sit beside it) and the 2024 tables directly
    routes["/topics.htm"] = ("ok", b'<a href="/pdf/def-exp-2025-en.pdf">2025</a>'
                                   b'<a href="/old/240617-def-exp-2024-TABLES-en.xlsx">2024 tables</a>')
    routes["/pdf/def-exp-2025-TABLES-en.xlsx"] = ("ok", new_bytes)  # def-exp-2025-en.xlsx itself is 404
    routes["/old/240617-def-exp-2024-TABLES-en.xlsx"] = ("ok", require(NATO_XLSX).read_bytes())
    code = main(["--data-dir", str(tmp_data), "fetch", "nato", "--page-url", f"{base}/topics.htm"])
    assert code == 0
    eds = na.editions(source="nato", data_dir=tmp_data)
    assert len(eds) == 2 and eds["edition"].iloc[0] == "2024-06"
    new_edition = eds["edition"].iloc[1]
    rec = json.loads((tmp_data / "raw" / "nato" / new_edition / "provenance.json").read_text())
    assert rec["url"] == f"{base}/pdf/def-exp-2025-TABLES-en.xlsx" and rec["file_name"] == "def-exp-2025-TABLES-en.xlsx"
    rev = na.revisions(indicator="share_gdp_pct", country="FRA", year=2020, data_dir=tmp_data)
    assert rev["2024-06"].iloc[0] == 2.0 and round(rev[new_edition].iloc[0], 4) == 1.9862
    # asking for 2024 downloads the file already transcribed: nothing new is ingested
    old = fetch(source="nato", edition=2024, page_url=f"{base}/topics.htm", data_dir=tmp_data)
    assert not old.is_new and old.raw_dir == tmp_data / "raw" / "nato" / "2024-06"
    assert len(na.editions(source="nato", data_dir=tmp_data)) == 2
    with pytest.raises(FetchError, match="no nato edition 2019; linked: 2024, 2025"):
        fetch(source="nato", edition=2019, page_url=f"{base}/topics.htm", data_dir=tmp_data)


def test_a_broken_download_leaves_nothing_behind(server, tmp_path):
    base, routes = server
    routes["/milex"] = ("ok", SIPRI_PAGE.encode())
    routes["/files/SIPRI-Milex-data-1949-2024.xlsx"] = ("truncate", require(SIPRI_XLSX).read_bytes())
    root = tmp_path / "data"
    with pytest.raises(FetchError, match=r"broke off after \d+ of 872274 bytes; nothing was kept"):
        fetch(source="sipri", page_url=f"{base}/milex", data_dir=root)
    assert not root.exists() or sorted(p.name for p in root.rglob("*")) == []


def test_a_missing_file_is_a_clear_error_and_existing_data_is_untouched(server, tmp_data):
    base, routes = server
    routes["/milex"] = ("ok", SIPRI_PAGE.encode())  # the linked workbook is not on the server
    before = {p: p.read_bytes() for p in tmp_data.rglob("*") if p.is_file()}
    with pytest.raises(FetchError, match=r"SIPRI-Milex-data-1949-2024.xlsx answered HTTP 404"):
        fetch(source="sipri", page_url=f"{base}/milex", data_dir=tmp_data)
    after = {p: p.read_bytes() for p in tmp_data.rglob("*") if p.is_file()}
    assert after == before


def test_a_download_that_is_not_a_workbook_is_not_kept(server, tmp_path):
    base, routes = server
    routes["/milex"] = ("ok", SIPRI_PAGE.encode())
    routes["/files/SIPRI-Milex-data-1949-2024.xlsx"] = ("ok", b"<html>Access denied</html>")
    root = tmp_path / "data"
    with pytest.raises(FetchError, match="not an Excel .xlsx workbook"):
        fetch(source="sipri", page_url=f"{base}/milex", data_dir=root)
    assert not (root / "downloads").exists()


def test_offline_gives_a_clear_message(tmp_path, monkeypatch, capsys):
    port = _closed_port()
    monkeypatch.setenv("NATOANALYSIS_SIPRI_PAGE_URL", f"http://127.0.0.1:{port}/milex")
    with pytest.raises(FetchError, match=r"cannot reach http://127.0.0.1:\d+/milex .*are you offline\?"):
        fetch(source="sipri", data_dir=tmp_path)
    assert main(["--data-dir", str(tmp_path), "fetch", "sipri"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("natoanalysis fetch: error: cannot reach") and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_a_server_that_does_not_answer_times_out(server, tmp_path):
    base, routes = server
    routes["/milex"] = ("slow", SIPRI_PAGE.encode())
    with pytest.raises(FetchError, match="did not answer within 0.5 s"):
        fetch(source="sipri", page_url=f"{base}/milex", data_dir=tmp_path, timeout=0.5)


def test_a_page_without_workbook_links_is_an_error(server, tmp_path):
    base, routes = server
    routes["/milex"] = ("ok", b"<html><a href='/about'>About SIPRI</a></html>")
    with pytest.raises(FetchError, match="links no sipri workbook"):
        fetch(source="sipri", page_url=f"{base}/milex", data_dir=tmp_path)

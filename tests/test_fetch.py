"""fetch against a real HTTP server on 127.0.0.1 serving the official workbooks (no internet needed).

The attacks found on loopback are reproduced one per test: names taken from the URL, links and
redirects to other hosts or to local files, no size caps, no overall deadline, unbounded retries,
an unknown charset, ``.part`` files left after SIGTERM, and private file modes. The tests assert
messages and files left on disk, never elapsed time.
"""

from __future__ import annotations

import http.server
import json
import math
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import natoanalysis as na
from natoanalysis.extract import fetch as fetch_module
from natoanalysis.cli import main
from natoanalysis.errors import WorkbookError
from natoanalysis.extract.fetch import FetchError
from natoanalysis.pipeline import fetch

from .conftest import NATO_XLSX, REPO, SIPRI_XLSX, require
from .factory import write_xlsx
from .replicas import write_replica

SIPRI_PAGE = """<html><body><h1>SIPRI Military Expenditure Database</h1>
<p><a href="/files/SIPRI-Milex-data-1949-2023.xlsx">Data for all countries 1949-2023</a>
<a href='/files/SIPRI-Milex-data-1949-2024.xlsx'>Data for all countries 1949-2024 (excel)</a></p></body></html>"""
SIPRI_LINK = "/files/SIPRI-Milex-data-1949-2024.xlsx"

_DRIP_INTERVAL_S = 0.1  # one byte per interval: a server that never finishes within a short deadline
_DRIP_MAX_BYTES = 600   # ... but stops by itself after a minute, so no server thread outlives a failed test
_ENDLESS_BYTES = 2 << 30  # what the endless body would send if nobody stopped reading (2 GiB)


class _Handler(http.server.BaseHTTPRequestHandler):
    """Routes: path -> (mode, body[, extra headers]); every request path is appended to ``seen``."""

    routes: dict[str, tuple] = {}
    seen: list[str] = []
    sent: dict[str, int] = {}

    def do_GET(self):  # noqa: N802 - http.server's naming
        self.seen.append(self.path)
        mode, body, *extra = self.routes.get(self.path, ("missing", b""))
        headers = extra[0] if extra else {}
        if mode == "missing":
            self.send_error(404, "Not Found")
            return
        if mode in ("301", "302", "307"):  # body: the Location, as written (relative or absolute)
            self.send_response(int(mode))
            self.send_header("Location", body.decode())
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if mode == "slow":
            time.sleep(3)
        self.send_response(200)
        self.send_header("Content-Type", headers.get("Content-Type") or (
            "text/html; charset=utf-8" if self.path.endswith((".htm", "/milex"))
            else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        if mode == "endless":
            # no Content-Length: the body ends when the server hangs up, which it does after 2 GiB
            self.end_headers()
            self.close_connection = True
            block = b"PK" + b"\0" * ((1 << 16) - 2)
            try:
                while self.sent.get("endless", 0) < _ENDLESS_BYTES:
                    self.wfile.write(block)
                    self.sent["endless"] = self.sent.get("endless", 0) + len(block)
            except OSError:
                pass  # the client stopped reading
            return
        if mode == "huge":
            self.send_header("Content-Length", str(_ENDLESS_BYTES))
            self.end_headers()
            self.close_connection = True
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if mode == "truncate":
            # announce the whole file, send a third of it, hang up: a download that breaks off
            self.wfile.write(body[: len(body) // 3])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        if mode == "drip":
            try:
                for i in range(min(len(body), _DRIP_MAX_BYTES)):
                    self.wfile.write(body[i:i + 1])
                    self.wfile.flush()
                    time.sleep(_DRIP_INTERVAL_S)
            except OSError:
                pass  # the client gave up
            self.close_connection = True
            return
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class _Served(tuple):
    """``(base URL, routes)`` as before, plus ``seen`` (request paths) and ``sent`` (byte counters)."""

    def __new__(cls, base, routes, seen, sent):
        self = super().__new__(cls, (base, routes))
        self.base, self.routes, self.seen, self.sent = base, routes, seen, sent
        self.port = int(base.rsplit(":", 1)[1])
        return self


@pytest.fixture
def server():
    """Start a threaded HTTP server on 127.0.0.1 (port chosen by the OS); yield (base URL, routes)."""
    routes: dict[str, tuple] = {}
    seen: list[str] = []
    sent: dict[str, int] = {}
    handler = type("Handler", (_Handler,), {"routes": routes, "seen": seen, "sent": sent})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    httpd.block_on_close = False
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield _Served(f"http://127.0.0.1:{httpd.server_address[1]}", routes, seen, sent)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def _leftovers(root):
    """Partial downloads and hidden files left in the data folder, less the data folder's lock (kept by design)."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if (".part" in p.name or
                  p.name.startswith(".") and p.is_file()) and p.relative_to(root).as_posix() != "processed/.lock")


def _everything(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) if root.exists() else []


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed when the with-block ends: nothing listens there


@pytest.mark.slow
def test_fetch_sipri_downloads_verifies_and_ingests(server, tmp_path):
    base, routes = server
    data = require(SIPRI_XLSX).read_bytes()
    routes["/milex"] = ("ok", SIPRI_PAGE.encode())
    routes["/files/SIPRI-Milex-data-1949-2024.xlsx"] = ("ok", data)
    root = tmp_path / "data"
    result = fetch(source="sipri", page_url=f"{base}/milex", data_dir=root, accessed="2026-11-22")
    assert result.is_new and result.url == f"{base}/files/SIPRI-Milex-data-1949-2024.xlsx"
    assert result.sha256 == "8a31c2794c8070230b3b9ef26a3249663f6317a8bc86ba3ec3099c791cdb692f"
    # named by the package from source and edition year; the publisher's name is kept as information
    assert result.path == root / "downloads" / "sipri" / "sipri-2024.xlsx"
    assert result.remote_name == "SIPRI-Milex-data-1949-2024.xlsx" and result.redirects == ()
    assert result.path.read_bytes() == data
    assert result.raw_dir == root / "raw" / "sipri" / "2025-04"
    rec = json.loads((result.raw_dir / "provenance.json").read_text())
    assert rec["url"] == result.url and rec["sha256"] == result.sha256 and rec["access_date"] == "2026-11-22"
    assert rec["redirects"] == []
    assert _leftovers(root) == []
    world = na.load(source="sipri", data_dir=root).query(
        "country == 'SIPRI_WORLD' and year == 2024 and price_basis == 'constant'")
    assert round(float(world["value"].iloc[0])) == 2676514
    again = fetch(source="sipri", page_url=f"{base}/milex", data_dir=root)
    assert not again.is_new and again.raw_dir == result.raw_dir


@pytest.mark.slow
def test_fetch_nato_takes_the_newest_edition_beside_the_old_one(server, tmp_data, tmp_path):
    base, routes = server
    replica = write_replica(tmp_path / "def-exp-2025-en.xlsx", edition="2025-08")
    # the topic page links the 2025 PDF only (the tables sit beside it) and the 2024 tables directly
    routes["/topics.htm"] = ("ok", b'<a href="/pdf/def-exp-2025-en.pdf">2025</a>'
                                   b'<a href="/old/240617-def-exp-2024-TABLES-en.xlsx">2024 tables</a>')
    routes["/pdf/def-exp-2025-TABLES-en.xlsx"] = ("ok", replica.path.read_bytes())  # def-exp-2025-en.xlsx is 404
    routes["/old/240617-def-exp-2024-TABLES-en.xlsx"] = ("ok", require(NATO_XLSX).read_bytes())
    code = main(["--data-dir", str(tmp_data), "fetch", "nato", "--page-url", f"{base}/topics.htm"])
    assert code == 0
    eds = na.editions(source="nato", data_dir=tmp_data)
    assert eds["edition"].tolist() == ["2024-06", "2025-08"]  # named from the workbook's content
    rec = json.loads((tmp_data / "raw" / "nato" / "2025-08" / "provenance.json").read_text())
    assert rec["url"] == f"{base}/pdf/def-exp-2025-TABLES-en.xlsx"
    assert rec["file_name"] == "def-exp-2025-TABLES-en.xlsx"  # the publisher's name, kept as information
    assert (tmp_data / "downloads" / "nato" / "nato-2025.xlsx").is_file()  # the name on disk is ours
    assert rec["publication_date"] == "2025-08-28" and rec["is_publisher_file"] is None
    cell = replica.cells.query("sheet == 'Table 3' and country == 'POL' and year == 2025 "
                               "and indicator == 'share_gdp_pct'").iloc[0]
    rev = na.revisions(indicator="share_gdp_pct", country="POL", year=2025, data_dir=tmp_data)
    assert rev["2025-08"].iloc[0] == cell["value"] and np.isnan(rev["2024-06"].iloc[0])
    # asking for 2024 downloads the file already transcribed: nothing new is ingested
    old = fetch(source="nato", year=2024, page_url=f"{base}/topics.htm", data_dir=tmp_data)
    assert not old.is_new and old.raw_dir == tmp_data / "raw" / "nato" / "2024-06"
    assert len(na.editions(source="nato", data_dir=tmp_data)) == 2
    with pytest.raises(FetchError, match="no nato edition 2019; linked: 2024, 2025"):
        fetch(source="nato", year=2019, page_url=f"{base}/topics.htm", data_dir=tmp_data)


def test_a_link_to_another_editions_file_is_refused(server, tmp_path):
    """NATO's topic page has linked its "2023" tables to the 2022 file: the content decides, not the link."""
    base, routes = server
    routes["/topics.htm"] = ("ok", b'<a href="/files/def-exp-2025-en.xlsx">2025 tables</a>')
    routes["/files/def-exp-2025-en.xlsx"] = ("ok", require(NATO_XLSX).read_bytes())
    root = tmp_path / "data"
    with pytest.raises(WorkbookError, match=r"expected to hold nato's 2025 tables but its tables end in 2024 "
                                            r"\(edition 2024-06\)"):
        fetch(source="nato", page_url=f"{base}/topics.htm", data_dir=root)
    assert not (root / "raw").exists() and not list((root / "downloads").rglob("*.xlsx"))


def test_a_broken_download_leaves_nothing_behind(server, tmp_path):
    base, routes = server
    routes["/milex"] = ("ok", SIPRI_PAGE.encode())
    routes["/files/SIPRI-Milex-data-1949-2024.xlsx"] = ("truncate", require(SIPRI_XLSX).read_bytes())
    root = tmp_path / "data"
    with pytest.raises(FetchError, match=r"broke off after \d+ of 872274 bytes; nothing was kept"):
        fetch(source="sipri", page_url=f"{base}/milex", data_dir=root)
    assert not root.exists() or sorted(p.name for p in root.rglob("*")) == []


def test_a_damaged_workbook_download_is_refused_naming_its_url(server, tmp_path):
    base, routes = server
    body = bytearray(require(SIPRI_XLSX).read_bytes())
    at = body.index(b"xl/worksheets/") + 200  # inside the deflated data of a part: its CRC no longer matches
    body[at:at + 64] = bytes(64)
    routes["/milex"] = ("ok", SIPRI_PAGE.encode())
    routes["/files/SIPRI-Milex-data-1949-2024.xlsx"] = ("ok", bytes(body))
    root = tmp_path / "data"
    with pytest.raises(WorkbookError) as caught:
        fetch(source="sipri", page_url=f"{base}/milex", data_dir=root)
    message = str(caught.value)
    assert message.startswith(f"the download from {base}/files/SIPRI-Milex-data-1949-2024.xlsx: part xl/")
    assert "is damaged or cannot be inflated" in message
    assert message.endswith("nothing was kept") and ".part" not in message and "\n" not in message
    assert not (root / "raw").exists() and not list((root / "downloads").rglob("*.xlsx"))


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
    with pytest.raises(FetchError, match=r"did not answer within the 0.5 s deadline of the fetch"):
        fetch(source="sipri", page_url=f"{base}/milex", data_dir=tmp_path, timeout=0.5)


def test_a_page_without_workbook_links_is_an_error(server, tmp_path):
    base, routes = server
    routes["/milex"] = ("ok", b"<html><a href='/about'>About SIPRI</a></html>")
    with pytest.raises(FetchError, match="links no sipri workbook"):
        fetch(source="sipri", page_url=f"{base}/milex", data_dir=tmp_path)


# --- 1. names, schemes, hosts and redirects ---------------------------------------------------------

def test_a_traversal_in_the_link_cannot_name_the_download(server, tmp_path):
    """``%2F`` decoded in the link's name used to put (and, on failure, delete) the file outside downloads/."""
    base, routes = server
    routes["/topics.htm"] = ("ok", b'<a href="/d/.%2F..%2F..%2F...%2Fdef-exp-2024-en.xlsx">2024</a>')
    routes["/d/.%2F..%2F..%2F...%2Fdef-exp-2024-en.xlsx"] = ("ok", require(NATO_XLSX).read_bytes())
    root = tmp_path / "data"
    # where the old name led: the temporary file into tmp_path/..., the download over data/.../
    (tmp_path / "...").mkdir()
    victim = root / "..." / "def-exp-2024-en.xlsx"
    victim.parent.mkdir(parents=True)
    victim.write_bytes(b"not to be touched")
    result = fetch(source="nato", page_url=f"{base}/topics.htm", data_dir=root, accessed="2026-11-22")
    assert victim.read_bytes() == b"not to be touched"
    assert list((tmp_path / "...").iterdir()) == []
    assert result.path == root / "downloads" / "nato" / "nato-2024.xlsx" and result.path.is_file()
    assert result.remote_name == "./../../.../def-exp-2024-en.xlsx"  # information only
    # processed/ holds the data folder's lock, taken by the ingest
    assert [p for p in _everything(root) if not p.startswith(("raw", "downloads", "processed"))] == [
        "...", ".../def-exp-2024-en.xlsx"]


def test_a_file_link_on_the_page_is_refused(server, tmp_path, capsys):
    """A ``file://`` link on an http page used to copy the local file."""
    base, routes = server
    local = require(SIPRI_XLSX).resolve().as_uri()
    routes["/milex"] = ("ok", f'<a href="{local}">Data 1949-2024</a>'.encode())
    root = tmp_path / "data"
    with pytest.raises(FetchError, match=r"links no sipri workbook it may download; refused 1 link: file:///.*"
                                         r"SIPRI-Milex-data-1949-2024_2.xlsx \(file: URL; only http and https"):
        fetch(source="sipri", page_url=f"{base}/milex", data_dir=root)
    assert main(["--data-dir", str(root), "fetch", "sipri", "--page-url", f"{base}/milex"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("natoanalysis fetch: error: ") and err.count("\n") == 1 and "Traceback" not in err
    assert _everything(root) == []


def test_a_link_to_another_host_is_refused(server, tmp_path):
    """``//host/...`` links used to be followed to whatever host they named."""
    base, routes = server
    routes["/milex"] = ("ok", f'<a href="//localhost:{server.port}/elsewhere/SIPRI-Milex-data-1949-2024.xlsx">'
                              f'xlsx</a>'.encode())
    routes["/elsewhere/SIPRI-Milex-data-1949-2024.xlsx"] = ("ok", require(SIPRI_XLSX).read_bytes())
    root = tmp_path / "data"
    with pytest.raises(FetchError, match=r"refused 1 link: http://localhost:\d+/elsewhere/\S+ \(host localhost "
                                         r"is neither the page's host 127.0.0.1 nor in allowed_hosts"):
        fetch(source="sipri", page_url=f"{base}/milex", data_dir=root)
    assert server.seen == ["/milex"] and _everything(root) == []


def test_a_link_to_another_port_of_the_same_host_is_refused(server, tmp_path):
    """Another port is another service (an admin console, a database): only the page's port or the default."""
    base, routes = server
    port = _closed_port()
    routes["/milex"] = ("ok", f'<a href="http://127.0.0.1:{port}{SIPRI_LINK}">xlsx</a>'.encode())
    with pytest.raises(FetchError, match=rf"refused 1 link: \S+ \(port {port} is neither the page's port nor the "
                                         r"default for http\)"):
        fetch(source="sipri", page_url=f"{base}/milex", data_dir=tmp_path / "data")


def test_an_https_page_leads_to_https_only():
    """From an https page, an http link (or redirect) to the same host is a downgrade, and refused."""
    refused = []
    links = fetch_module.workbook_links('<a href="http://www.nato.int/x/def-exp-2025-en.xlsx">x</a>'
                                        '<a href="/y/def-exp-2024-en.xlsx">y</a>',
                                        base_url="https://www.nato.int/topic.htm", source="nato", refused=refused)
    assert links == {2024: ["https://www.nato.int/y/def-exp-2024-en.xlsx"]}
    assert refused == ["http://www.nato.int/x/def-exp-2025-en.xlsx (an http link from an https page; only https "
                       "is followed from there)"]


def test_a_host_listed_in_allowed_hosts_is_followed(server, tmp_path, monkeypatch):
    base, routes = server
    real = fetch_module.publisher
    monkeypatch.setattr(fetch_module, "publisher", lambda source: {
        **real(source), "allowed_hosts": "localhost (test: the same server under another name)"})
    link = f"//localhost:{server.port}/elsewhere/def-exp-2024-en.xlsx"
    routes["/topics.htm"] = ("ok", f'<a href="{link}">2024</a>'.encode())
    routes["/elsewhere/def-exp-2024-en.xlsx"] = ("ok", require(NATO_XLSX).read_bytes())
    result = fetch(source="nato", page_url=f"{base}/topics.htm", data_dir=tmp_path / "data", accessed="2026-11-22")
    assert result.is_new and result.url == f"http://localhost:{server.port}/elsewhere/def-exp-2024-en.xlsx"


def test_a_redirect_to_another_host_is_refused(server, tmp_path):
    base, routes = server
    routes["/milex"] = ("ok", SIPRI_PAGE.encode())
    routes[SIPRI_LINK] = ("302", f"http://localhost:{server.port}/elsewhere/SIPRI-Milex-data-1949-2024.xlsx".encode())
    routes["/elsewhere/SIPRI-Milex-data-1949-2024.xlsx"] = ("ok", require(SIPRI_XLSX).read_bytes())
    root = tmp_path / "data"
    with pytest.raises(FetchError, match=r"refused the redirect from http://127.0.0.1:\d+/files/\S+ to "
                                         r"http://localhost:\d+/elsewhere/\S+: host localhost is neither"):
        fetch(source="sipri", page_url=f"{base}/milex", data_dir=root)
    assert "/elsewhere/SIPRI-Milex-data-1949-2024.xlsx" not in server.seen
    assert _everything(root) == []


def test_a_redirect_on_the_same_host_is_followed_and_recorded(server, tmp_path):
    base, routes = server
    routes["/topics.htm"] = ("ok", b'<a href="/files/def-exp-2024-en.xlsx">2024</a>')
    routes["/files/def-exp-2024-en.xlsx"] = ("301", b"/moved/def-exp-2024-en.xlsx")  # relative Location
    routes["/moved/def-exp-2024-en.xlsx"] = ("307", f"{base}/cdn/240617-def-exp-2024-TABLES-en.xlsx".encode())
    routes["/cdn/240617-def-exp-2024-TABLES-en.xlsx"] = ("ok", require(NATO_XLSX).read_bytes())
    root = tmp_path / "data"
    result = fetch(source="nato", page_url=f"{base}/topics.htm", data_dir=root, accessed="2026-11-22")
    chain = [f"{base}/files/def-exp-2024-en.xlsx", f"{base}/moved/def-exp-2024-en.xlsx",
             f"{base}/cdn/240617-def-exp-2024-TABLES-en.xlsx"]
    assert result.url == chain[-1] and list(result.redirects) == chain
    rec = json.loads((result.raw_dir / "provenance.json").read_text())
    assert rec["url"] == chain[-1] and rec["redirects"] == chain
    assert result.path == root / "downloads" / "nato" / "nato-2024.xlsx"


def test_a_redirect_loop_stops(server, tmp_path):
    base, routes = server
    routes["/milex"] = ("ok", SIPRI_PAGE.encode())
    routes[SIPRI_LINK] = ("302", SIPRI_LINK.encode())
    with pytest.raises(FetchError, match="redirects in a loop"):
        fetch(source="sipri", page_url=f"{base}/milex", data_dir=tmp_path / "data")
    assert server.seen == ["/milex", SIPRI_LINK]


# --- 2. limits -----------------------------------------------------------------------------------------

def test_an_endless_download_stops_at_the_cap(server, tmp_path, monkeypatch):
    """A body without Content-Length that would run to 2 GiB: reading stops once the cap is passed."""
    base, routes = server
    monkeypatch.setattr(fetch_module, "MAX_WORKBOOK_BYTES", 2 << 20)  # 2 MiB, above the 0.9 MB real one
    routes["/milex"] = ("ok", SIPRI_PAGE.encode())
    routes[SIPRI_LINK] = ("endless", b"")
    root = tmp_path / "data"
    with pytest.raises(FetchError, match=r"download of http://\S+ passed 2097152 bytes, the cap for one workbook"
                                         r" \(MAX_WORKBOOK_BYTES\); stopped, nothing was kept"):
        fetch(source="sipri", page_url=f"{base}/milex", data_dir=root)
    assert server.sent["endless"] < 64 << 20  # far from 2 GiB: the socket buffers' worth beyond the cap at most
    assert _everything(root) == []


def test_a_content_length_over_the_cap_is_refused_at_once(server, tmp_path):
    base, routes = server
    routes["/milex"] = ("ok", SIPRI_PAGE.encode())
    routes[SIPRI_LINK] = ("huge", b"")  # announces 2 GiB, sends nothing
    root = tmp_path / "data"
    with pytest.raises(FetchError, match=r"announces 2147483648 bytes \(Content-Length\), more than the "
                                         r"104857600-byte cap for one workbook; refused, nothing was kept"):
        fetch(source="sipri", page_url=f"{base}/milex", data_dir=root)
    assert _everything(root) == []


def test_an_endless_page_stops_at_the_page_cap(server, tmp_path):
    base, routes = server
    routes["/milex"] = ("endless", b"")
    with pytest.raises(FetchError, match=r"page http://\S+/milex passed 5242880 bytes, the cap for a "
                                         r"publisher's page \(MAX_PAGE_BYTES\)"):
        fetch(source="sipri", page_url=f"{base}/milex", data_dir=tmp_path / "data")
    assert server.sent["endless"] < 64 << 20


@pytest.mark.slow
def test_a_drip_feed_stops_at_the_deadline_of_the_whole_fetch(server, tmp_path):
    """One byte per 0.1 s never trips a per-read timeout; the deadline of the whole fetch stops it."""
    base, routes = server
    routes["/milex"] = ("ok", SIPRI_PAGE.encode())
    routes[SIPRI_LINK] = ("drip", require(SIPRI_XLSX).read_bytes())
    root = tmp_path / "data"
    with pytest.raises(FetchError, match=r"download of http://\S+ did not finish within the 2 s deadline of "
                                         r"the fetch \(\d+ of 872274 bytes received\); nothing was kept"):
        fetch(source="sipri", page_url=f"{base}/milex", data_dir=root, timeout=2)
    assert _everything(root) == []


@pytest.mark.parametrize("timeout", [0, -1, math.nan, math.inf, "soon"])
def test_a_timeout_that_is_no_time_limit_is_refused(timeout, tmp_path):
    with pytest.raises(ValueError, match=r"timeout must be a number of seconds with 0 < timeout <= 86400"):
        fetch(source="sipri", page_url="http://127.0.0.1:9/milex", data_dir=tmp_path, timeout=timeout)


def test_the_cli_refuses_a_bad_timeout_in_one_line(tmp_path, capsys):
    assert main(["--data-dir", str(tmp_path), "fetch", "sipri", "--timeout", "nan"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("natoanalysis fetch: error: timeout must be a number of seconds") and err.count("\n") == 1


@pytest.mark.parametrize("charset", ["x-no-such-charset", "rot13", "base64"])
def test_an_unknown_or_bogus_charset_is_read_as_utf8(server, tmp_path, charset):
    """``charset=x-no-such-charset`` used to be a LookupError traceback; non-text codecs likewise."""
    base, routes = server
    routes["/milex"] = ("ok", SIPRI_PAGE.encode(), {"Content-Type": f"text/html; charset={charset}"})
    # the workbook is absent: the page was read, its links found and the newest one asked for
    with pytest.raises(FetchError, match="SIPRI-Milex-data-1949-2024.xlsx answered HTTP 404"):
        fetch(source="sipri", page_url=f"{base}/milex", data_dir=tmp_path / "data")
    assert server.seen == ["/milex", SIPRI_LINK]


def test_thousands_of_missing_links_make_a_handful_of_requests(server, tmp_path):
    """3,000 links that answer 404 used to make 3,000 requests; at most 5 per edition are tried."""
    base, routes = server
    links = "".join(f'<a href="/gone/{i}/SIPRI-Milex-data-1949-2024.xlsx">x</a>' for i in range(3000))
    routes["/milex"] = ("ok", links.encode())
    root = tmp_path / "data"
    with pytest.raises(FetchError, match=r"no sipri 2024 workbook could be downloaded: http://\S+/gone/0/\S+ "
                                         r"answered HTTP 404 \(Not Found\), and so did the other 4 links tried; "
                                         r"2995 more links were not tried \(at most 5 per edition\)"):
        fetch(source="sipri", page_url=f"{base}/milex", data_dir=root)
    assert len(server.seen) == 1 + fetch_module.MAX_CANDIDATES_PER_EDITION
    assert _everything(root) == []


def test_long_urls_are_shortened_in_messages(server, tmp_path):
    base, routes = server
    long_link = "/" + "a" * 400 + "/SIPRI-Milex-data-1949-2024.xlsx"
    routes["/milex"] = ("ok", f'<a href="{long_link}">x</a>'.encode())
    with pytest.raises(FetchError) as info:
        fetch(source="sipri", page_url=f"{base}/milex", data_dir=tmp_path / "data")
    message = str(info.value)
    assert "a" * 120 not in message and "aaa... answered HTTP 404 (Not Found)" in message
    assert "\n" not in message and len(message) < 400


_SIGNAL_CASES = [pytest.param(signal.SIGTERM, 128 + signal.SIGTERM, "stopped by SIGTERM", id="SIGTERM"),
                 pytest.param(signal.SIGINT, 130, "interrupted", id="Ctrl-C")]


@pytest.mark.parametrize(("signum", "status", "said"), _SIGNAL_CASES)
def test_a_signal_during_the_download_leaves_nothing(server, tmp_path, signum, status, said):
    """SIGTERM (and Ctrl-C) while the workbook drips in: the .part file and the folders made for it go."""
    if signum == signal.SIGINT and signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        pytest.skip("SIGINT is ignored in this process, hence in the child too (a background job)")
    base, routes = server
    routes["/milex"] = ("ok", SIPRI_PAGE.encode())
    routes[SIPRI_LINK] = ("drip", require(SIPRI_XLSX).read_bytes())
    root = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NATOANALYSIS_")}
    proc = subprocess.Popen([sys.executable, "-m", "natoanalysis", "--data-dir", str(root), "fetch", "sipri",
                             "--page-url", f"{base}/milex", "--timeout", "120"],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # wait for the condition (the download has begun), not for a time: bounded by the drip's own minute
        while not list(root.rglob("*.part")) and proc.poll() is None:
            time.sleep(0.05)
        assert proc.poll() is None, proc.communicate()
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == status, err
    assert f"natoanalysis fetch: {said}" in err and "Traceback" not in err
    assert _everything(root) == []


# --- 3. file modes -------------------------------------------------------------------------------------

def test_the_download_gets_the_ordinary_umask_modes(server, tmp_path):
    """mkstemp made the download 0600 whatever the umask; it now gets 0666 less the umask like any file."""
    base, routes = server
    routes["/topics.htm"] = ("ok", b'<a href="/files/def-exp-2024-en.xlsx">2024</a>')
    routes["/files/def-exp-2024-en.xlsx"] = ("ok", require(NATO_XLSX).read_bytes())
    old = os.umask(0o027)
    try:
        result = fetch(source="nato", page_url=f"{base}/topics.htm", data_dir=tmp_path / "data", accessed="2026-11-22")
    finally:
        os.umask(old)
    assert result.path.name == "nato-2024.xlsx"
    assert stat.S_IMODE(result.path.stat().st_mode) == 0o640
    assert stat.S_IMODE(result.path.parent.stat().st_mode) == 0o750


def test_a_data_folder_that_cannot_be_written_is_one_clear_error(server, tmp_path, capsys):
    """A disk error (here: a file where the downloads folder should be; root ignores permissions) is one line."""
    base, routes = server
    routes["/milex"] = ("ok", SIPRI_PAGE.encode())
    routes[SIPRI_LINK] = ("ok", require(SIPRI_XLSX).read_bytes())
    root = tmp_path / "data"
    root.mkdir()
    (root / "downloads").write_text("in the way")
    assert main(["--data-dir", str(root), "fetch", "sipri", "--page-url", f"{base}/milex"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("natoanalysis fetch: error: cannot store the sipri 2024 workbook under ")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert _everything(root) == ["downloads"] and (root / "downloads").read_text() == "in the way"

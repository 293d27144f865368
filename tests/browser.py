"""Headless Chromium for the page tests, driven through the Chrome DevTools Protocol, with the network shut.

The browser resolves no host name (``--host-resolver-rules``) and sends what
it would fetch from the network to a local proxy that answers nothing and
records the attempt; the DevTools protocol reports every request a page
makes, what its console says and what it shows.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def find_browser() -> str | None:
    """The path of a Chromium on PATH, else None."""
    return next((path for path in map(shutil.which, BROWSERS) if path), None)


class RecordingProxy:
    """A proxy on 127.0.0.1 that refuses every request and keeps its first line (``CONNECT host:443 ...``)."""

    def __init__(self):
        self.attempts: list[str] = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:  # closed
                return
            with conn:
                conn.settimeout(5)
                with contextlib.suppress(OSError):
                    self.attempts.append(conn.recv(4096).split(b"\r\n", 1)[0].decode("latin-1"))
                    conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    def close(self) -> None:
        self._server.close()


class Page:
    """One browser tab: :meth:`open` a URL and get back what it requested, logged and showed."""

    def __init__(self, ws_url: str):
        import websocket  # websocket-client (dev extra)

        self._ws = websocket.create_connection(ws_url, timeout=60, suppress_origin=True)
        self._id = 0
        self.events: list[dict] = []
        for domain in ("Page", "Network", "Runtime", "Log"):
            self.call(f"{domain}.enable")

    def call(self, method: str, **params) -> dict:
        self._id += 1
        self._ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            msg = json.loads(self._ws.recv())
            if msg.get("id") == self._id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def _wait_for(self, method: str, deadline: float) -> None:
        while not any(e.get("method") == method for e in self.events):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {method} before the deadline")
            self._ws.settimeout(max(0.1, deadline - time.monotonic()))
            self.events.append(json.loads(self._ws.recv()))

    def open(self, url: str, *, timeout_s: float = 60) -> dict:
        """Load ``url``; return ``requests`` (URLs), ``console_errors``, ``title``, ``h1``, ``images``, ``height``."""
        self.events.clear()
        self.call("Page.navigate", url=url)
        self._wait_for("Page.loadEventFired", time.monotonic() + timeout_s)
        shown = json.loads(self.call("Runtime.evaluate", returnByValue=True, expression="""JSON.stringify({
            title: document.title,
            h1: (document.querySelector('h1') || {}).innerText || '',
            images: Array.from(document.images).map(i => ({src: i.getAttribute('src').slice(0, 80),
                                                           complete: i.complete, width: i.naturalWidth})),
            height: document.documentElement.scrollHeight})""")["result"]["value"])
        errors = []
        for e in self.events:
            p = e.get("params", {})
            if e.get("method") == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
            elif e.get("method") == "Runtime.exceptionThrown":
                errors.append(p["exceptionDetails"].get("text", "exception"))
            elif e.get("method") == "Log.entryAdded" and p["entry"].get("level") == "error":
                errors.append(f"{p['entry'].get('text')} {p['entry'].get('url', '')}".strip())
        requests = [e["params"]["request"]["url"] for e in self.events
                    if e.get("method") == "Network.requestWillBeSent"]
        return {**shown, "requests": requests, "console_errors": errors}

    def close(self) -> None:
        self._ws.close()


@contextlib.contextmanager
def chromium(path: str, *, proxy: RecordingProxy) -> Iterator[Page]:
    """A headless Chromium with the network shut (no name resolves; everything else goes to ``proxy``)."""
    profile = tempfile.mkdtemp(prefix="pages-chromium-")
    args = [path, "--headless=new", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-default-apps", "--disable-extensions", "--metrics-recording-only", "--mute-audio",
            "--disable-client-side-phishing-detection", "--disable-domain-reliability", "--no-pings",
            "--disable-breakpad", "--disable-component-extensions-with-background-pages",
            "--disable-features=Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider,"
            "NetworkTimeServiceQuerying,SafeBrowsing,AutofillServerCommunication,"
            "CertificateTransparencyComponentUpdater",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", f"--proxy-server=http://127.0.0.1:{proxy.port}",
            "--proxy-bypass-list=<-loopback>", "--allow-file-access-from-files", "--window-size=1280,1000",
            f"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank"]
    if os.geteuid() == 0:  # Chromium's sandbox refuses to run as root (containers, CI)
        args.insert(1, "--no-sandbox")
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    page = None
    try:
        port_file = Path(profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not port_file.is_file() or len(port_file.read_text().split()) < 2:
            if proc.poll() is not None or time.monotonic() > deadline:
                said = proc.stderr.read()[-2000:] if proc.poll() is not None else "(still starting)"
                raise RuntimeError(f"Chromium did not start: {said}")
            time.sleep(0.05)
        port = int(port_file.read_text().split()[0])
        import urllib.request
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # DevTools is on this machine
        targets = json.loads(opener.open(f"http://127.0.0.1:{port}/json/list", timeout=30).read())
        page = Page(next(t["webSocketDebuggerUrl"] for t in targets if t.get("type") == "page"))
        yield page
    finally:
        if page is not None:
            page.close()
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)


def visible_text(page_html: str) -> str:
    """What a reader reads on a page: its title and body text, without scripts, styles and tags."""
    import html

    text = re.sub(r"<(script|style)\b.*?</\1>", " ", page_html, flags=re.S | re.I)
    text = re.sub(r"<br\s*/?>|</(p|div|li|tr|td|th|h[1-6]|dt|dd|caption|pre)>", "\n", text, flags=re.I)
    return html.unescape(re.sub(r"<[^>]+>", "", text))

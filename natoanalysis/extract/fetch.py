"""Refresh: download the publisher's latest workbook and ingest it as a new edition.

The publisher's page (``reference/publishers.csv``) is read for links to the
workbook; the newest edition (or the one asked for) is downloaded into a
hidden ``.part`` folder beside its destination, checked (complete length, a
zip), ingested (the reader checks every part), and only then renamed to
``<data>/downloads/<source>/<source>-<year>.xlsx``, so a failed download
leaves nothing behind. A file already transcribed (same sha256) is not
ingested again.

What a page may make the package do is bounded, because the page is not ours:

* the local file name is chosen by the package (source and edition year),
  never taken from the URL; the URL's base name is kept only as information;
* only ``http(s)`` links are followed (from an https page, https only), and
  only to the page's own host or to a host listed in the ``allowed_hosts``
  column of ``reference/publishers.csv`` (ports: the page's own or the
  scheme's default); each redirect is checked before it is followed, a
  redirect elsewhere is refused, and every hop is recorded in the provenance;
* ``timeout`` is the time limit of the whole fetch, page and downloads
  together: every request gets at most the time left, and a body is read
  against the deadline, chunk by chunk;
* the page is read up to :data:`MAX_PAGE_BYTES`, a workbook up to
  :data:`MAX_WORKBOOK_BYTES`, at most :data:`MAX_CANDIDATES_PER_EDITION` links
  are tried, each through at most :data:`MAX_REDIRECTS` redirects.

The page address can be overridden with ``page_url=`` or the environment
variable ``NATOANALYSIS_<SOURCE>_PAGE_URL`` (tests point it at a local server).
HTTP goes through requests (urllib3's Retry retries a failed connection
twice); HTTP proxies (``http_proxy``) and ``.netrc`` are not used: the
download talks to the publisher's host directly.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import html.parser
import math
import os
import re
import tempfile
import time
import urllib.parse
import zipfile
from collections.abc import Callable
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .. import config, reference
from . import provenance
from ..errors import NatoAnalysisError, WorkbookError

DEFAULT_TIMEOUT_S = 60.0
#: Longest time limit accepted: a fetch moves about 1 MB; a day is already no limit in practice.
MAX_TIMEOUT_S = 86400.0
#: The page is held whole to be parsed; a page listing a few workbook links needs a small fraction
#: of 5 MiB, so the cap costs nothing real and bounds memory.
MAX_PAGE_BYTES = 5 << 20
#: The real workbooks are 0.2-1 MB (NATO 2024: 206,548 bytes; SIPRI 1949-2024: 872,274 bytes). 100 MiB
#: is over a hundred times the largest, room for years of growth, and stops a hostile or broken
#: server from filling the disk.
MAX_WORKBOOK_BYTES = 100 << 20
#: A page links one workbook per edition, or a PDF with two possible Excel names beside it; five
#: candidates cover that with room, and a page with thousands of dead links costs five requests.
MAX_CANDIDATES_PER_EDITION = 5
#: A publisher redirects once or twice (http -> https, a moved folder); more is a loop or an attack.
MAX_REDIRECTS = 5
_SHOWN_URL = 120  # characters of a URL shown in a message
_CHUNK = 1 << 16
_USER_AGENT = "natoanalysis (research; +https://www.nato.int)"
_NOT_FOUND_CODES = (404, 410)  # try the next candidate; any other HTTP error is an answer worth reporting
_DEFAULT_PORTS = {"http": 80, "https": 443}


class FetchError(NatoAnalysisError):
    """A publisher's page or workbook could not be downloaded or is incomplete."""


class _NotFound(FetchError):
    """HTTP 404/410 for one candidate: the next candidate may still be there."""


@dataclasses.dataclass(frozen=True)
class FetchResult:
    """What :func:`fetch` did.

    ``url`` is where the bytes came from (the end of ``redirects`` when there were redirects),
    ``path`` the local file, ``raw_dir`` the transcription folder; ``remote_name`` is the
    publisher's file name, as information (the local name is the package's own).
    """

    source: str
    url: str
    path: Path
    sha256: str
    raw_dir: Path
    is_new: bool
    redirects: tuple[str, ...] = ()
    remote_name: str = ""


def _short(text: str, limit: int = _SHOWN_URL) -> str:
    """One printable line of at most ``limit`` characters, for messages.

    Examples
    --------
    >>> _short("http://example.org/" + "a" * 200)[-10:]
    'aaaaaaa...'
    >>> len(_short("x" * 500))
    120
    >>> _short("two\\nlines")
    'two?lines'
    """
    text = "".join(c if c.isprintable() else "?" for c in str(text))
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.extend(v for k, v in attrs if k == "href" and v)


def publisher(source: str) -> dict[str, str]:
    """Publisher page, link pattern and allowed hosts of a source, from ``reference/publishers.csv``.

    Examples
    --------
    >>> publisher("sipri")["page_url"]
    'https://www.sipri.org/databases/milex'
    """
    df = reference.read("publishers.csv")
    hit = df[df["source"] == source]
    if hit.empty:
        raise ValueError(f"no publisher page for source {source!r}; accepted: {', '.join(df['source'])}")
    return hit.iloc[0].to_dict()


def allowed_hosts(source: str) -> frozenset[str]:
    """Hosts besides the page's own that a source's links and redirects may lead to.

    The ``allowed_hosts`` column of ``reference/publishers.csv`` lists them ``;``-separated,
    each followed by the reason in parentheses.

    Examples
    --------
    >>> sorted(allowed_hosts("nato"))
    ['www.nato.int']
    """
    entries = publisher(source).get("allowed_hosts", "") or ""
    return frozenset(h for e in entries.split(";") if (h := e.split("(", 1)[0].strip().lower().rstrip(".")))


def _host(url: str) -> str:
    return (urllib.parse.urlsplit(url).hostname or "").rstrip(".")


def _refusal(url: str, *, page_url: str, hosts: frozenset[str]) -> str | None:
    """Why ``url`` may not be fetched for a page at ``page_url`` (None: it may)."""
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
        page_port = urllib.parse.urlsplit(page_url).port
    except ValueError:
        return "not a valid URL"
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        return f"{_short(scheme, 20) + ': URL' if scheme else 'no scheme'}; only http and https links are followed"
    if parts.username is not None or parts.password is not None:
        return "a user name or password in the URL; publishers' links carry none"
    host, page_host = _host(url), _host(page_url)
    if not host:
        return "no host in the URL"
    if host != page_host and host not in hosts:
        listed = ", ".join(sorted(hosts)) or "none"
        return (f"host {_short(host, 60)} is neither the page's host {_short(page_host, 60)} nor in allowed_hosts "
                f"of reference/publishers.csv ({listed})")
    page_scheme = urllib.parse.urlsplit(page_url).scheme.lower()
    if page_scheme == "https" and scheme != "https":
        return "an http link from an https page; only https is followed from there"
    effective = port or _DEFAULT_PORTS[scheme]
    if effective not in (page_port or _DEFAULT_PORTS.get(page_scheme, 0), _DEFAULT_PORTS[scheme]):
        return f"port {effective} is neither the page's port nor the default for {scheme}"
    return None


def _page_url(source: str, page_url: str | None) -> str:
    page = (page_url or os.environ.get(config.page_url_env(source)) or publisher(source)["page_url"]).strip()
    reason = _refusal(page, page_url=page, hosts=frozenset())  # the rules for a link, from the page itself
    if reason is not None:
        raise ValueError(f"page URL must be an http:// or https:// address with a host, got {_short(page)!r} "
                         f"({reason})")
    return urllib.parse.urldefrag(page)[0]


def _remote_name(url: str) -> str:
    return urllib.parse.unquote(urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1])


def workbook_links(page_html: str, *, base_url: str, source: str,
                   refused: list[str] | None = None) -> dict[int, list[str]]:
    """Candidate workbook URLs on a publisher's page, by edition year (best candidate first).

    A NATO edition linked only by its PDF gets the Excel names NATO uses beside it. Only
    http(s) links to the page's host or to the source's :func:`allowed_hosts` are kept; the
    workbook-looking links left out are appended to ``refused``, each with the reason.

    Examples
    --------
    >>> page = '<a href="/pdf/def-exp-2025-en.pdf">PDF</a> <a href="x/240617-def-exp-2024-TABLES-en.xlsx">xls</a>'
    >>> links = workbook_links(page, base_url="https://www.nato.int/topic.htm", source="nato")
    >>> links[2025]
    ['https://www.nato.int/pdf/def-exp-2025-en.xlsx', 'https://www.nato.int/pdf/def-exp-2025-TABLES-en.xlsx']
    >>> links[2024]
    ['https://www.nato.int/x/240617-def-exp-2024-TABLES-en.xlsx']
    >>> refused = []
    >>> workbook_links('<a href="file:///etc/def-exp-2025-en.xlsx">x</a>', base_url="https://www.nato.int/t.htm",
    ...                source="nato", refused=refused)
    {}
    >>> refused
    ['file:///etc/def-exp-2025-en.xlsx (file: URL; only http and https links are followed)']
    """
    pub = publisher(source)
    pattern = re.compile(pub["link_pattern"], re.I)
    suffixes = [s for s in pub["fallback_suffixes"].split(";") if s]
    hosts = allowed_hosts(source)
    parser = _Links()
    parser.feed(page_html)
    parser.close()
    xlsx: dict[int, list[str]] = {}
    pdf: dict[int, list[str]] = {}
    for href in parser.hrefs:
        url = urllib.parse.urldefrag(urllib.parse.urljoin(base_url, href.strip()))[0]
        m = pattern.search(_remote_name(url))
        if not m:
            continue
        reason = _refusal(url, page_url=base_url, hosts=hosts)
        if reason is not None:
            if refused is not None:
                refused.append(f"{_short(url)} ({reason})")
            continue
        year = int(m.group("year"))
        target = xlsx if m.group("ext").lower() == "xlsx" else pdf
        if url not in target.setdefault(year, []):
            target[year].append(url)
    out = {year: list(urls) for year, urls in xlsx.items()}
    for year, urls in pdf.items():
        for url in urls:
            stem = re.sub(r"-en\.pdf$", "", url, flags=re.I)
            for cand in (stem + s for s in suffixes):
                if cand not in out.setdefault(year, []):
                    out[year].append(cand)
    return out


# --- HTTP: requests, with one deadline for the whole fetch ------------------------------------------------

class _Http:
    """One fetch's HTTP: a requests Session, the deadline of the whole fetch, and the hops of the last request.

    requests follows redirects itself (at most MAX_REDIRECTS); its response
    hook sees each redirect before the next hop is requested, so the host and
    loop checks sit there.
    """

    def __init__(self, timeout: float, check: Callable[[str], str | None]) -> None:
        self.timeout, self.end, self.check = timeout, time.monotonic() + timeout, check
        self.session = requests.Session()
        self.session.trust_env = False  # no proxies and no .netrc: the publisher's host directly
        self.session.max_redirects = MAX_REDIRECTS
        self.session.headers.update({"User-Agent": _USER_AGENT, "Accept-Encoding": "identity"})
        # a connection that fails is tried twice more; a read that fails is reported (read=False re-raises it)
        retry = Retry(total=2, connect=2, read=False, status=0, other=0, redirect=0, backoff_factor=0.2)
        for scheme in ("http://", "https://"):
            self.session.mount(scheme, HTTPAdapter(max_retries=retry))
        self.chain: list[str] = []

    def _redirect(self, response: requests.Response, **kwargs) -> None:
        new = response.is_redirect and self.session.get_redirect_target(response)
        if not new:
            return
        new = urllib.parse.urldefrag(urllib.parse.urljoin(response.url, new))[0]
        reason = self.check(new)
        if reason is not None:
            raise FetchError(f"refused the redirect from {_short(self.chain[-1])} to {_short(new)}: {reason}")
        if new in self.chain:
            raise FetchError(f"{_short(self.chain[0])} redirects in a loop (back to {_short(new)})")
        self.chain.append(new)

    def open(self, url: str) -> requests.Response:
        """The 200 response for ``url`` after its redirects, its body not read yet; ``chain`` the URLs visited."""
        self.chain = [url]
        try:
            if time.monotonic() >= self.end:
                raise requests.Timeout
            response = self.session.get(url, stream=True, timeout=self.end - time.monotonic(),
                                        hooks={"response": self._redirect})
        except requests.Timeout:
            raise FetchError(f"{_short(url)} did not answer within the {self.timeout:g} s deadline of the fetch "
                             "(timeout= covers the page and the downloads together); try again later or raise "
                             "timeout=") from None
        except requests.TooManyRedirects:
            raise FetchError(f"{_short(url)} redirects more than {MAX_REDIRECTS} times (MAX_REDIRECTS)") from None
        except requests.exceptions.SSLError as exc:
            raise FetchError(f"secure connection to {_short(url)} failed ({_short(exc, 160)})") from None
        except requests.ConnectionError as exc:
            raise FetchError(f"cannot reach {_short(url)} ({_short(exc, 160)}); are you offline? Without network, "
                             "ingest a workbook you already have: natoanalysis ingest SOURCE PATH.xlsx") from None
        except (requests.RequestException, ValueError) as exc:
            raise FetchError(f"{_short(url)} gave no valid HTTP answer ({_short(exc, 160)})") from None
        if response.status_code != 200:
            response.close()
            error = _NotFound if response.status_code in _NOT_FOUND_CODES else FetchError
            raise error(f"{_short(self.chain[-1])} answered HTTP {response.status_code} "
                        f"({_short(response.reason, 60)})")
        return response

    def body(self, response: requests.Response, what: str, limit: int, cap: str, name: str):
        """The body in chunks, read within the deadline, refused past ``limit`` bytes (``cap``, ``name``: which)."""
        expected = response.headers.get("Content-Length", "")
        expected = int(expected) if expected.isdigit() else None  # None: chunked, or the length not announced
        if expected is not None and expected > limit:
            raise FetchError(f"{what} announces {expected} bytes (Content-Length), more than the {limit}-byte cap "
                             f"for {cap}; refused, nothing was kept")
        received, broke = 0, False
        try:
            while time.monotonic() < self.end:
                chunk = response.raw.read1(_CHUNK)  # as soon as some bytes are there: the deadline is checked often
                if not chunk:
                    break
                received += len(chunk)
                if received > limit:
                    raise FetchError(f"{what} passed {limit} bytes, the cap for {cap} ({name}); stopped, "
                                     "nothing was kept")
                yield chunk
            else:
                of = f"{received} of {expected}" if expected is not None else f"{received}"
                raise FetchError(f"{what} did not finish within the {self.timeout:g} s deadline of the fetch "
                                 f"({of} bytes received); nothing was kept; try again later or raise timeout=")
        except FetchError:
            raise
        except Exception:  # noqa: BLE001 - urllib3's and the socket's errors alike: the body broke off
            broke = True
        if broke or (expected is not None and received != expected):
            of = f"{received} of {expected}" if expected is not None else f"{received}"
            raise FetchError(f"{what} broke off after {of} bytes; nothing was kept")


def _read_page(http: _Http, url: str) -> tuple[str, str]:
    """The page's text (at most MAX_PAGE_BYTES) and its final URL, the base of its relative links.

    A charset the page does not declare, or that is no text encoding, is read as UTF-8.
    """
    with http.open(url) as response:
        body = b"".join(http.body(response, f"page {_short(http.chain[-1])}", MAX_PAGE_BYTES,
                                  "a publisher's page", "MAX_PAGE_BYTES"))
        declared = "charset" in response.headers.get("Content-Type", "").lower()
        try:
            return body.decode(response.encoding if declared else "utf-8", errors="replace"), http.chain[-1]
        except (LookupError, ValueError, TypeError):  # unknown ('x-bogus') or not a text codec ('rot13')
            return body.decode("utf-8", errors="replace"), http.chain[-1]


def _download(http: _Http, url: str, tmp: Path) -> list[str]:
    """Download ``url`` into ``tmp``, verified; return the URLs visited. The caller removes ``tmp`` on failure."""
    with http.open(url) as response:
        chain = list(http.chain)
        # a plain open() gives 0666 less the umask (tempfile.mkstemp would make it 0600); "x": a new file only
        with open(tmp, "xb") as fh:
            for chunk in http.body(response, f"download of {_short(chain[-1])}", MAX_WORKBOOK_BYTES,
                                   "one workbook", "MAX_WORKBOOK_BYTES"):
                fh.write(chunk)
    # The rest of its integrity (every part inflates to its declared size with its CRC, within the reader's
    # caps) is checked by the reader (extract.cells) when the workbook is ingested, before it is kept.
    if not zipfile.is_zipfile(tmp):
        raise FetchError(f"{_short(chain[-1])} is not an Excel .xlsx workbook (not a zip container); "
                         "nothing was kept")
    return chain


def _check_timeout(timeout: object) -> float:
    ok = isinstance(timeout, (int, float)) and not isinstance(timeout, bool)
    if not ok or not math.isfinite(timeout) or not 0 < timeout <= MAX_TIMEOUT_S:
        raise ValueError(f"timeout must be a number of seconds with 0 < timeout <= {MAX_TIMEOUT_S:g} (the time "
                         f"limit of the whole fetch), got {_short(repr(timeout), 60)}")
    return float(timeout)


def _candidates(http: _Http, page: str, source: str, edition: int | None) -> tuple[int, list[str], int, str]:
    """The edition year, the links to try for it, how many more were left untried, and the page's final URL."""
    text, final_page = _read_page(http, page)
    refused: list[str] = []
    links = workbook_links(text, base_url=final_page, source=source, refused=refused)
    if not links:
        why = (f"; refused {len(refused)} link{'s' if len(refused) > 1 else ''}: {refused[0]}"
               + (f" and {len(refused) - 1} more" if len(refused) > 1 else "") if refused else "")
        raise FetchError(f"{_short(final_page)} links no {source} workbook it may download{why} "
                         f"(looked for {publisher(source)['link_pattern']!r})")
    year = max(links) if edition is None else edition
    if year not in links:
        raise FetchError(f"{_short(final_page)} links no {source} edition {year}; linked: "
                         f"{', '.join(map(str, sorted(links)))}")
    tried = links[year][:MAX_CANDIDATES_PER_EDITION]
    return year, tried, len(links[year]) - len(tried), final_page


def _first_found(http: _Http, candidates: list[str], untried: int, tmp: Path, what: str) -> tuple[list[str], str]:
    """The first candidate that downloads into ``tmp`` (404 and 410 move on to the next): its chain and link."""
    missing: list[str] = []
    for link in candidates:
        try:
            return _download(http, link, tmp), link
        except _NotFound as exc:
            missing.append(str(exc))
    more = (f"; {untried} more link{'s were' if untried > 1 else ' was'} not tried (at most "
            f"{MAX_CANDIDATES_PER_EDITION} per edition)" if untried else "")
    others = (f", and so did the other {len(missing) - 1} link{'s' if len(missing) > 2 else ''} tried"
              if len(missing) > 1 else "")
    raise FetchError(f"no {what} workbook could be downloaded: {missing[0]}{others}{more}")


def fetch(*, ingest: Callable, source: str = "nato", edition: int | None = None, page_url: str | None = None,
          data_dir: str | os.PathLike | None = None, timeout: float = DEFAULT_TIMEOUT_S,
          accessed: dt.date | str | None = None) -> FetchResult:
    """Download the publisher's workbook and hand it to ``ingest``; keep it only if that succeeds.

    The extract stage downloads; parsing and checking belong to the pipeline,
    which passes its ``ingest`` (:func:`natoanalysis.pipeline.fetch` is the
    function to call).

    Parameters
    ----------
    ingest : callable
        ``ingest(path, source=, data_dir=, accessed=, url=, redirects=,
        expect_last_year=, file_name=)`` returning an object with ``path``
        and ``status``.
    source : {"nato", "sipri"}
        Publisher.
    edition : int, optional
        Edition year as in the publisher's file name (``2025`` for
        ``def-exp-2025-en.xlsx``); default: the newest linked.
    page_url : str, optional
        Publisher page to read links from (default: ``NATOANALYSIS_<SOURCE>_PAGE_URL``
        or ``reference/publishers.csv``); http or https.
    data_dir : path-like, optional
        Data root (default: ``NATOANALYSIS_DATA_DIR`` or the repository's ``data/``).
    timeout : float, default 60
        Time limit in seconds of the whole fetch, page and downloads together; every
        request gets at most the time left. ``0 < timeout <= 86400``.
    accessed : date or ``"YYYY-MM-DD"``, optional
        Access date for the provenance record (default: today).

    Returns
    -------
    FetchResult
        ``is_new`` is False when the file was already transcribed (nothing ingested). The
        download is ``<data>/downloads/<source>/<source>-<year>.xlsx``.

    Raises
    ------
    FetchError
        Offline, past the deadline, HTTP error, no workbook link (or only refused ones), a
        redirect to another host, a page or download over its cap, or an incomplete download.
    ValueError
        A bad argument: timeout, page URL or source.

    Examples
    --------
    >>> fetch(ingest=print, source="sipri", timeout=0)
    Traceback (most recent call last):
    ...
    ValueError: timeout must be a number of seconds with 0 < timeout <= 86400 (...), got 0
    """
    timeout = _check_timeout(timeout)
    page = _page_url(source, page_url)
    hosts = allowed_hosts(source)
    http = _Http(timeout, functools.partial(_refusal, page_url=page, hosts=hosts))
    with http.session:
        year, candidates, untried, final_page = _candidates(http, page, source, edition)
        http.check = functools.partial(_refusal, page_url=final_page, hosts=hosts)
        root = config.data_root(data_dir, must_exist=False)
        dest_dir = config.downloads_dir(root, source)
        target = dest_dir / f"{source}-{year}.xlsx"  # our name: the URL's may hold anything, '../' included
        created = [d for d in (dest_dir, *dest_dir.parents) if not d.exists()]
        # The download is made, checked and ingested under its own name in a hidden .part folder, and
        # renamed into place last: on any failure (SIGTERM and Ctrl-C included) the .part folder and the
        # folders made for it go, and an earlier download of the edition stays as it was.
        try:
            dest_dir.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(prefix=f".{target.name}.", suffix=".part", dir=dest_dir) as stage:
                tmp = Path(stage) / target.name
                chain, link = _first_found(http, candidates, untried, tmp, f"{source} {year}")
                result = _ingest(ingest, tmp, target, root, source, year, chain, link, accessed)
                os.replace(tmp, target)
        except BaseException as exc:
            _remove_empty(created)
            if isinstance(exc, OSError):  # network errors are FetchErrors by now: this is the disk
                raise FetchError(f"cannot store the {source} {year} workbook under {_short(str(root))} "
                                 f"({_short(exc, 160)}); nothing was kept") from None
            raise
    return result


def _ingest(ingest: Callable, tmp: Path, target: Path, root: Path, source: str, year: int, chain: list[str],
            link: str, accessed) -> FetchResult:
    """The fetch's result, the workbook ``tmp`` ingested unless a transcription of the same file exists."""
    sha = provenance.sha256_file(tmp)
    url, redirects, remote_name = chain[-1], tuple(chain) if len(chain) > 1 else (), _remote_name(link)
    known = provenance.read_all(root)
    same = known[(known["source"] == source) & (known["sha256"] == sha)]
    if not same.empty:
        return FetchResult(source, url, target, sha, root / same.iloc[0]["raw_path"], is_new=False,
                           redirects=redirects, remote_name=remote_name)
    # The edition comes from the workbook's content; the link's year must be its last year (NATO's
    # topic page has linked its "2023" tables to the 2022 file).
    try:
        raw = ingest(tmp, source=source, data_dir=root, accessed=accessed, url=url, redirects=list(redirects),
                     expect_last_year=year, file_name=remote_name)
    except WorkbookError as exc:
        if str(tmp) not in str(exc):
            raise
        # The workbook reader names the temporary file it read: the reader of this message wants the URL.
        raise WorkbookError(f"{str(exc).replace(str(tmp), f'the download from {_short(url)}')}; nothing was kept") \
            from None
    return FetchResult(source, url, target, sha, raw.path, is_new=raw.status != "unchanged",
                       redirects=redirects, remote_name=remote_name)


def _remove_empty(created: list[Path]) -> None:
    for d in created:  # innermost first
        if d.is_dir() and not any(d.iterdir()):
            d.rmdir()


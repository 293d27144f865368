"""Refresh: download the publisher's latest workbook and ingest it as a new edition.

The publisher's page (``reference/publishers.csv``) is read for links to the
workbook; the newest edition (or the one asked for) is downloaded with a
timeout into a hidden temporary file beside its destination, checked (complete
length, a readable xlsx zip, sha256) and only then renamed into
``<data>/downloads/<source>/``, so a failed download leaves nothing behind.
A file already transcribed (same sha256) is not ingested again.

The page address can be overridden with ``page_url=`` or the environment
variable ``NATOANALYSIS_<SOURCE>_PAGE_URL`` (tests point it at a local server).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import html.parser
import http.client
import os
import re
import socket
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

from . import paths, provenance, registry
from .errors import NatoAnalysisError
from .ingest import ingest as _ingest

DEFAULT_TIMEOUT_S = 60.0
_CHUNK = 1 << 16
_USER_AGENT = "natoanalysis (research; +https://www.nato.int)"


class FetchError(NatoAnalysisError):
    """A publisher's page or workbook could not be downloaded or is incomplete."""


@dataclasses.dataclass(frozen=True)
class FetchResult:
    """What :func:`fetch` did: the URL, the local file, its sha256, and the transcription folder."""

    source: str
    url: str
    path: Path
    sha256: str
    raw_dir: Path
    is_new: bool


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.extend(v for k, v in attrs if k == "href" and v)


def publisher(source: str) -> dict[str, str]:
    """Publisher page and link pattern of a source, from ``reference/publishers.csv``.

    Examples
    --------
    >>> publisher("sipri")["page_url"]
    'https://www.sipri.org/databases/milex'
    """
    df = registry._read_reference("publishers.csv")
    hit = df[df["source"] == source]
    if hit.empty:
        raise ValueError(f"no publisher page for source {source!r}; accepted: {', '.join(df['source'])}")
    return hit.iloc[0].to_dict()


def _page_url(source: str, page_url: str | None) -> str:
    return page_url or os.environ.get(f"NATOANALYSIS_{source.upper()}_PAGE_URL") or publisher(source)["page_url"]


def _open(url: str, timeout: float):
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    try:
        return urllib.request.urlopen(request, timeout=timeout)  # noqa: S310 - http(s) URLs from the registry
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url} answered HTTP {exc.code} ({exc.reason})") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (socket.timeout, TimeoutError)):
            raise FetchError(f"{url} did not answer within {timeout:g} s; try again later or raise timeout=") from None
        raise FetchError(f"cannot reach {url} ({reason}); are you offline? Without network, ingest a "
                         "workbook you already have: natoanalysis ingest SOURCE PATH.xlsx") from None
    except (socket.timeout, TimeoutError):
        raise FetchError(f"{url} did not answer within {timeout:g} s; try again later or raise timeout=") from None


def workbook_links(page_html: str, *, base_url: str, source: str) -> dict[int, list[str]]:
    """Candidate workbook URLs on a publisher's page, by edition year (best candidate first).

    A NATO edition linked only by its PDF gets the Excel names NATO uses beside it.

    Examples
    --------
    >>> page = '<a href="/pdf/def-exp-2025-en.pdf">PDF</a> <a href="x/240617-def-exp-2024-TABLES-en.xlsx">xls</a>'
    >>> links = workbook_links(page, base_url="https://www.nato.int/topic.htm", source="nato")
    >>> links[2025]
    ['https://www.nato.int/pdf/def-exp-2025-en.xlsx', 'https://www.nato.int/pdf/def-exp-2025-TABLES-en.xlsx']
    >>> links[2024]
    ['https://www.nato.int/x/240617-def-exp-2024-TABLES-en.xlsx']
    """
    pub = publisher(source)
    pattern = re.compile(pub["link_pattern"], re.I)
    suffixes = [s for s in pub["fallback_suffixes"].split(";") if s]
    parser = _Links()
    parser.feed(page_html)
    xlsx: dict[int, list[str]] = {}
    pdf: dict[int, list[str]] = {}
    for href in parser.hrefs:
        url = urllib.parse.urljoin(base_url, href.strip())
        name = urllib.parse.unquote(urllib.parse.urlparse(url).path.rsplit("/", 1)[-1])
        m = pattern.search(name)
        if not m:
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


def _download(url: str, dest_dir: Path, *, timeout: float) -> tuple[Path, str]:
    """Download ``url`` into ``dest_dir`` atomically; return the file and its sha256."""
    name = urllib.parse.unquote(urllib.parse.urlparse(url).path.rsplit("/", 1)[-1]) or "download.xlsx"
    created = [d for d in (dest_dir, *dest_dir.parents) if not d.exists()]
    dest_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest_dir, prefix=f".{name}.", suffix=".part")
    tmp = Path(tmp_name)
    digest = hashlib.sha256()
    received = 0
    try:
        with os.fdopen(fd, "wb") as fh:
            response = _open(url, timeout)
            with response:
                expected = response.headers.get("Content-Length")
                try:
                    while chunk := response.read(_CHUNK):
                        fh.write(chunk)
                        digest.update(chunk)
                        received += len(chunk)
                except http.client.IncompleteRead as exc:
                    raise FetchError(f"download of {url} broke off after {received + len(exc.partial)} of "
                                     f"{expected or 'an unknown number of'} bytes; nothing was kept") from None
                except (socket.timeout, TimeoutError):
                    raise FetchError(f"download of {url} stalled for {timeout:g} s after {received} bytes; "
                                     "nothing was kept") from None
                except (ConnectionError, OSError) as exc:
                    raise FetchError(f"download of {url} failed after {received} bytes ({exc}); "
                                     "nothing was kept") from None
        if expected is not None and int(expected) != received:
            raise FetchError(f"download of {url} broke off after {received} of {expected} bytes; nothing was kept")
        if not zipfile.is_zipfile(tmp):
            raise FetchError(f"{url} is not an Excel .xlsx workbook (not a zip container); nothing was kept")
        with zipfile.ZipFile(tmp) as zf:
            bad = zf.testzip()
        if bad is not None:
            raise FetchError(f"{url} is a damaged workbook (member {bad} fails its CRC); nothing was kept")
        target = dest_dir / name
        os.replace(tmp, target)
        return target, digest.hexdigest()
    except BaseException:
        tmp.unlink(missing_ok=True)
        for d in created:  # innermost first: leave no empty folders behind either
            if d.is_dir() and not any(d.iterdir()):
                d.rmdir()
        raise


def fetch(*, source: str = "nato", edition: int | str | None = None, page_url: str | None = None,
          data_dir: str | os.PathLike | None = None, timeout: float = DEFAULT_TIMEOUT_S,
          accessed: dt.date | str | None = None) -> FetchResult:
    """Download the publisher's workbook and ingest it as a new edition.

    Parameters
    ----------
    source : {"nato", "sipri"}
        Publisher.
    edition : int or str, optional
        Edition year as in the publisher's file name (``2025`` for
        ``def-exp-2025-en.xlsx``); default: the newest linked.
    page_url : str, optional
        Publisher page to read links from (default: ``NATOANALYSIS_<SOURCE>_PAGE_URL``
        or ``reference/publishers.csv``).
    data_dir : path-like, optional
        Data root (default: ``NATOANALYSIS_DATA_DIR`` or the repository's ``data/``).
    timeout : float, default 60
        Seconds to wait for the server on each connection and read.
    accessed : date or ``"YYYY-MM-DD"``, optional
        Access date for the provenance record (default: today).

    Returns
    -------
    FetchResult
        ``is_new`` is False when the file was already transcribed (nothing ingested).

    Raises
    ------
    FetchError
        Offline, timeout, HTTP error, no workbook link, or an incomplete download.
    """
    page = _page_url(source, page_url)
    if edition is not None:
        try:
            edition = int(edition)
        except (TypeError, ValueError):
            raise ValueError(f"edition must be a year such as 2025, got {edition!r}") from None
    with _open(page, timeout) as response:
        charset = response.headers.get_content_charset() or "utf-8"
        text = response.read().decode(charset, errors="replace")
    links = workbook_links(text, base_url=page, source=source)
    if not links:
        raise FetchError(f"{page} links no {source} workbook (looked for {publisher(source)['link_pattern']!r})")
    year = max(links) if edition is None else edition
    if year not in links:
        raise FetchError(f"{page} links no {source} edition {year}; linked: {', '.join(map(str, sorted(links)))}")
    root = paths.data_root(data_dir, must_exist=False)
    failures = []
    for url in links[year]:
        try:
            path, sha = _download(url, root / "downloads" / source, timeout=timeout)
            break
        except FetchError as exc:
            if "HTTP 404" not in str(exc):
                raise
            failures.append(str(exc))
    else:
        raise FetchError(f"no {source} {year} workbook could be downloaded: {'; '.join(failures)}")
    known = provenance.read_all(root)
    same = known[(known["source"] == source) & (known["sha256"] == sha)]
    if not same.empty:
        return FetchResult(source, url, path, sha, root / same.iloc[0]["raw_path"], is_new=False)
    try:
        target = _ingest(path, source=source, data_dir=root, accessed=accessed, url=url)
    except BaseException:
        path.unlink(missing_ok=True)  # all or nothing: a workbook we cannot ingest is not kept either
        raise
    return FetchResult(source, url, path, sha, target, is_new=True)

"""Paths and environment variables: the one place that says where things are.

* data read: the bundled transcriptions (``data/raw/`` of the checkout, or
  ``natoanalysis/_bundled/raw/`` of an installed package, read-only) together
  with the ``raw/`` folder of the data root, whose editions win;
* the data root, where the package writes (new editions, the processed cache,
  downloads): an explicit ``data_dir`` argument, else ``$NATOANALYSIS_DATA_DIR``,
  else the checkout's ``data/``, else (an installed package) the user's data
  folder (:func:`platformdirs.user_data_path`); ``raw/<source>/<edition>/``,
  ``processed/`` and ``downloads/`` below it. A root named by the argument or
  the variable is a whole data folder: its ``raw/`` is all that is read;
* notebooks: ``$NATOANALYSIS_NOTEBOOK_DIR``, else the bundled notebooks
  (``notebooks/`` of the checkout, ``natoanalysis/_bundled/notebooks/`` installed);
* reports: ``--out``, else ``reports/`` of the current working directory;
* what a report kernel writes: ``$NATOANALYSIS_FIGURE_DIR`` (figures) and
  ``$NATOANALYSIS_TABLE_DIR`` (tables as CSV), and how the page links them
  (``$NATOANALYSIS_FIGURE_HREF``, ``$NATOANALYSIS_TABLE_HREF``: :func:`page_href`),
  set by the runner for each notebook;
* a publisher's page: ``$NATOANALYSIS_<SOURCE>_PAGE_URL`` (tests point it at
  a local server).

Nothing is ever written inside an installed package: every folder written
to is the data root, the reports folder or a folder the caller names.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
from collections.abc import Iterator
from pathlib import Path

from .errors import DataNotFoundError

DATA_DIR_ENV = "NATOANALYSIS_DATA_DIR"
NOTEBOOK_DIR_ENV = "NATOANALYSIS_NOTEBOOK_DIR"
FIGURE_DIR_ENV = "NATOANALYSIS_FIGURE_DIR"
TABLE_DIR_ENV = "NATOANALYSIS_TABLE_DIR"
TABLE_HREF_ENV = "NATOANALYSIS_TABLE_HREF"
FIGURE_HREF_ENV = "NATOANALYSIS_FIGURE_HREF"
#: "0": load() does not say that newer editions are published (the report runner's kernels: pages say it in text).
NOTICES_ENV = "NATOANALYSIS_NOTICES"
APP_NAME = "natoanalysis"

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent
_REPO_DATA = _CHECKOUT / "data"
# What the wheel build maps data/raw/ and notebooks/ to (pyproject.toml, [tool.hatch.build.targets.wheel]).
BUNDLED_DIR = "_bundled"


@functools.lru_cache(maxsize=None)  # asked on every load: what the wheel carries does not change while it runs
def _bundled(name: str) -> Path | None:
    """A folder the wheel carries below ``natoanalysis/_bundled/``, or None (a checkout carries none)."""
    # Wheels install unpacked, so the package is a real folder (the data is read in place, never zipped).
    folder = _PACKAGE / BUNDLED_DIR / name
    return folder if folder.is_dir() else None


def is_installed() -> bool:
    """Whether the package runs from an installed wheel (True) or from a checkout (False).

    Examples
    --------
    >>> is_installed() == ((Path(__file__).parent / "_bundled" / "raw").is_dir())
    True
    """
    return _bundled("raw") is not None


def bundled_dir(name: str) -> Path:
    """A folder the package carries, read in place, never written: ``"raw"`` or ``"notebooks"``.

    ``"raw"``: the bundled transcriptions, ``raw/`` of the checkout's
    ``data/``; ``"notebooks"``: the report notebooks, the checkout's
    ``notebooks/``; or the installed package's copy of either (read-only).

    Examples
    --------
    >>> sorted(p.name for p in bundled_dir("raw").iterdir() if not p.name.startswith("."))
    ['nato', 'sipri']
    >>> (bundled_dir("notebooks") / "00_data_overview.ipynb").is_file()
    True
    """
    return _bundled(name) or {"raw": _REPO_DATA / "raw", "notebooks": _CHECKOUT / "notebooks"}[name]


def default_data_dir() -> Path:
    """Where the package writes when no folder is named: the checkout's ``data/``, else the user's data folder.

    The user's data folder is platformdirs' (``~/.local/share/natoanalysis`` on Linux).

    Examples
    --------
    >>> default_data_dir().name == ("natoanalysis" if is_installed() else "data")
    True
    """
    if not is_installed():
        return _REPO_DATA
    import platformdirs

    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def data_root(data_dir: str | os.PathLike | None = None, *, must_exist: bool = True) -> Path:
    """Return the data root directory: where the package writes, and whose ``raw/`` it reads.

    Parameters
    ----------
    data_dir : path-like, optional
        Explicit root; wins over the environment variable.
    must_exist : bool, default True
        Raise :class:`DataNotFoundError` if a named root does not exist (the
        installed package's default root is made on first use).

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> data_root("/tmp", must_exist=False).as_posix()
    '/tmp'
    >>> data_root("/nonexistent")
    Traceback (most recent call last):
    ...
    natoanalysis.errors.DataNotFoundError: data directory /nonexistent (from the data_dir argument) does not exist; ...
    """
    if data_dir is not None:
        if not str(data_dir).strip():
            raise DataNotFoundError("data_dir is an empty string; give a folder holding raw/ and processed/")
        root = Path(data_dir)
        origin = "the data_dir argument"
    elif DATA_DIR_ENV in os.environ:
        if not os.environ[DATA_DIR_ENV].strip():
            raise DataNotFoundError(f"{DATA_DIR_ENV} is set but empty; unset it, or set it to a folder holding raw/ "
                                    "and processed/")
        root = Path(os.environ[DATA_DIR_ENV])
        origin = f"the {DATA_DIR_ENV} environment variable"
    else:
        root = default_data_dir()
        origin = "the user's data folder" if is_installed() else "the repository's data/ folder"
    if root.expanduser().is_symlink():
        # What a link points at is not the folder named: following it let a link to / receive raw/ and processed/.
        raise DataNotFoundError(f"data directory {root} (from {origin}) is a link to {os.readlink(root.expanduser())};"
                                " links are not followed: name the folder itself")
    root = root.expanduser().resolve()
    if root.exists() and not root.is_dir():
        raise DataNotFoundError(f"data directory {root} (from {origin}) is a file, not a folder; point {DATA_DIR_ENV} "
                                "or data_dir= at a folder holding raw/ and processed/")
    if _reads_bundled(root):
        # The user's data folder is made on first use: readers lock it, the processed cache lives in it.
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DataNotFoundError(f"the user's data folder {root} cannot be created ({exc.strerror or exc}); set "
                                    f"{DATA_DIR_ENV} to a writable folder") from None
    elif must_exist:
        if not root.is_dir():
            raise DataNotFoundError(
                f"data directory {root} (from {origin}) does not exist; point {DATA_DIR_ENV} or "
                "data_dir= at a folder holding raw/ and processed/"
            )
    return root


def _reads_bundled(root: Path) -> bool:
    """Whether a root is read together with the bundled transcriptions: the installed package's default root."""
    return is_installed() and root == default_data_dir().expanduser().resolve()


def raw_source_dirs(root: Path, source: str) -> list[Path]:
    """The folders a source's editions are read from, the one that wins first: the root's, then the bundled one.

    Only the first is ever written to (:func:`raw_dir`).

    Examples
    --------
    >>> [p.as_posix() for p in raw_source_dirs(Path("/srv/data"), "nato")]
    ['/srv/data/raw/nato']
    """
    folders = [raw_dir(root, source)]
    if _reads_bundled(root):
        folders.append(bundled_dir("raw") / source)
    return folders


def raw_sources(root: Path) -> list[str]:
    """Sources with a folder under any raw folder read for ``root`` (hidden folders left out).

    Examples
    --------
    >>> raw_sources(Path("/nonexistent"))
    []
    """
    parents = [root / "raw"] + ([bundled_dir("raw")] if _reads_bundled(root) else [])
    return sorted({p.name for parent in parents if parent.is_dir() for p in parent.iterdir()
                   if p.is_dir() and not p.name.startswith(".")})


def find_raw(root: Path, source: str, edition: str) -> Path:
    """The folder an edition is read from: the root's if it holds one, else the bundled one, else the root's.

    Examples
    --------
    >>> find_raw(Path("/srv/data"), "nato", "2031-06").as_posix()
    '/srv/data/raw/nato/2031-06'
    """
    for folder in raw_source_dirs(root, source):
        if not (folder / edition).is_symlink() and (folder / edition / "provenance.json").is_file():
            return folder / edition
    return raw_dir(root, source, edition)


def raw_dir(root: Path, source: str, edition: str | None = None) -> Path:
    """Folder the raw transcription of one source (and edition) is written to: below the root.

    Examples
    --------
    >>> raw_dir(Path("/srv/data"), "nato", "2024-06").as_posix()
    '/srv/data/raw/nato/2024-06'
    """
    path = root / "raw" / source
    return path / edition if edition else path


def processed_dir(root: Path) -> Path:
    """Folder of regenerated processed tables (below the root: never in the installed package).

    Examples
    --------
    >>> processed_dir(Path("/srv/data")).as_posix()
    '/srv/data/processed'
    """
    return root / "processed"


def downloads_dir(root: Path, source: str) -> Path:
    """Folder of the workbooks ``fetch`` downloaded (names chosen by the package).

    Examples
    --------
    >>> downloads_dir(Path("/srv/data"), "sipri").as_posix()
    '/srv/data/downloads/sipri'
    """
    return root / "downloads" / source


def page_url_env(source: str) -> str:
    """The environment variable that overrides a publisher's page: ``NATOANALYSIS_NATO_PAGE_URL``.

    Examples
    --------
    >>> page_url_env("sipri")
    'NATOANALYSIS_SIPRI_PAGE_URL'
    """
    return f"NATOANALYSIS_{source.upper()}_PAGE_URL"


def notebook_dir(notebook_dir: str | os.PathLike | None = None) -> Path:
    """The notebook folder: the argument, ``$NATOANALYSIS_NOTEBOOK_DIR``, or the bundled notebooks.

    Examples
    --------
    >>> notebook_dir("/tmp").as_posix()
    '/tmp'
    """
    chosen = notebook_dir if notebook_dir is not None else os.environ.get(NOTEBOOK_DIR_ENV) or None
    return bundled_dir("notebooks") if chosen is None else Path(chosen).expanduser().resolve()


def reports_dir(out_dir: str | os.PathLike | None = None) -> Path:
    """Where report runs go: ``out_dir``, else ``reports/`` of the current working directory.

    Examples
    --------
    >>> reports_dir("/tmp/r").as_posix()
    '/tmp/r'
    >>> reports_dir() == Path.cwd().resolve() / "reports"
    True
    """
    return Path(out_dir if out_dir is not None else "reports").expanduser().resolve()


def figure_dir() -> Path:
    """Where charts are saved: ``$NATOANALYSIS_FIGURE_DIR`` or ``./figures``."""
    return Path(os.environ.get(FIGURE_DIR_ENV) or "figures")


def table_dir() -> Path:
    """Where tables are written as CSV: ``$NATOANALYSIS_TABLE_DIR`` or ``./tables``."""
    return Path(os.environ.get(TABLE_DIR_ENV) or "tables")


def page_href(path: Path, *, href_env: str) -> str:
    """The relative link from a report page to a file its notebook wrote (a figure, its data, a table's CSV).

    ``$<href_env>/<file name>`` where the runner set it (its pages are in
    ``html/``, beside ``figures/`` and ``tables/``); else the file relative to
    the folder above its own, where papermill writes the notebook (``figures/``
    and ``tables/`` beside it) and where Jupyter runs it.

    Examples
    --------
    >>> page_href(Path("/out/figures/share_gdp_2024.png"), href_env="NATOANALYSIS_UNSET_HREF")
    'figures/share_gdp_2024.png'
    """
    from urllib.parse import quote

    base = os.environ.get(href_env)
    return quote(f"{base.rstrip('/')}/{path.name}" if base else f"{path.parent.name}/{path.name}")


def notice(message: str) -> None:
    """Tell the user one thing in one line, on the package's logger, unless ``NATOANALYSIS_NOTICES=0``.

    Logging rather than warnings: Python's last-resort handler prints the message alone, and an
    application that configures logging decides where it goes. The report runner's kernels set the
    variable to 0: their pages say the same in their text.

    Examples
    --------
    >>> os.environ[NOTICES_ENV] = "0"
    >>> notice("not shown")
    >>> del os.environ[NOTICES_ENV]
    """
    if os.environ.get(NOTICES_ENV) != "0":
        logging.getLogger("natoanalysis").warning("natoanalysis: %s", message)


@contextlib.contextmanager
def notices_off() -> Iterator[None]:
    """Within the block, :func:`notice` says nothing (the variable is restored after, for an in-process caller).

    Examples
    --------
    >>> with notices_off():
    ...     notice("not shown")
    """
    before = os.environ.get(NOTICES_ENV)
    os.environ[NOTICES_ENV] = "0"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(NOTICES_ENV, None)
        else:
            os.environ[NOTICES_ENV] = before

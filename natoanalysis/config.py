"""Paths and environment variables: the one place that says where things are.

* data: an explicit ``data_dir`` argument, else ``$NATOANALYSIS_DATA_DIR``,
  else the ``data/`` folder of the checkout the package runs from;
  ``raw/<source>/<edition>/``, ``processed/`` and ``downloads/`` below it;
* notebooks: ``$NATOANALYSIS_NOTEBOOK_DIR``, else ``notebooks/``;
* reports: ``--out``, else ``reports/``;
* what a report kernel writes: ``$NATOANALYSIS_FIGURE_DIR`` (figures) and
  ``$NATOANALYSIS_TABLE_DIR`` / ``$NATOANALYSIS_TABLE_HREF`` (tables as CSV,
  and how the page links them), set by the runner for each notebook;
* a publisher's page: ``$NATOANALYSIS_<SOURCE>_PAGE_URL`` (tests point it at
  a local server).
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import DataNotFoundError

DATA_DIR_ENV = "NATOANALYSIS_DATA_DIR"
NOTEBOOK_DIR_ENV = "NATOANALYSIS_NOTEBOOK_DIR"
FIGURE_DIR_ENV = "NATOANALYSIS_FIGURE_DIR"
TABLE_DIR_ENV = "NATOANALYSIS_TABLE_DIR"
TABLE_HREF_ENV = "NATOANALYSIS_TABLE_HREF"

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent
_REPO_DATA = _CHECKOUT / "data"


def data_root(data_dir: str | os.PathLike | None = None, *, must_exist: bool = True) -> Path:
    """Return the data root directory.

    Parameters
    ----------
    data_dir : path-like, optional
        Explicit root; wins over the environment variable.
    must_exist : bool, default True
        Raise :class:`DataNotFoundError` if the directory does not exist.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> data_root("/tmp", must_exist=False).as_posix()
    '/tmp'
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
        root = _REPO_DATA
        origin = "the repository's data/ folder"
    root = root.expanduser().resolve()
    if root.exists() and not root.is_dir():
        raise DataNotFoundError(f"data directory {root} (from {origin}) is a file, not a folder; point {DATA_DIR_ENV} "
                                "or data_dir= at a folder holding raw/ and processed/")
    if must_exist and not root.is_dir():
        raise DataNotFoundError(
            f"data directory {root} (from {origin}) does not exist; point {DATA_DIR_ENV} or "
            "data_dir= at a folder holding raw/ and processed/"
        )
    return root


def raw_dir(root: Path, source: str, edition: str | None = None) -> Path:
    """Folder of the raw transcription of one source (and edition)."""
    path = root / "raw" / source
    return path / edition if edition else path


def processed_dir(root: Path) -> Path:
    """Folder of regenerated processed tables."""
    return root / "processed"


def downloads_dir(root: Path, source: str) -> Path:
    """Folder of the workbooks ``fetch`` downloaded (names chosen by the package)."""
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
    """The notebook folder: the argument, ``$NATOANALYSIS_NOTEBOOK_DIR``, or the checkout's ``notebooks/``.

    Examples
    --------
    >>> notebook_dir("/tmp").as_posix()
    '/tmp'
    """
    if notebook_dir is not None:
        return Path(notebook_dir).expanduser().resolve()
    if os.environ.get(NOTEBOOK_DIR_ENV):
        return Path(os.environ[NOTEBOOK_DIR_ENV]).expanduser().resolve()
    return _CHECKOUT / "notebooks"


def reports_dir(out_dir: str | os.PathLike | None = None) -> Path:
    """Where report runs go: ``out_dir``, else the checkout's ``reports/``.

    Examples
    --------
    >>> reports_dir("/tmp/r").as_posix()
    '/tmp/r'
    """
    return Path(out_dir).expanduser().resolve() if out_dir is not None else _CHECKOUT / "reports"


def figure_dir() -> Path:
    """Where charts are saved: ``$NATOANALYSIS_FIGURE_DIR`` or ``./figures``."""
    return Path(os.environ.get(FIGURE_DIR_ENV) or "figures")


def table_dir() -> Path:
    """Where tables are written as CSV: ``$NATOANALYSIS_TABLE_DIR`` or ``./tables``."""
    return Path(os.environ.get(TABLE_DIR_ENV) or "tables")

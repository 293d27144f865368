"""Where data lives: the data root and its raw/processed layout.

The root is chosen, in order, by an explicit ``data_dir`` argument, the
``NATOANALYSIS_DATA_DIR`` environment variable, and the ``data/`` folder of the
repository this package was installed from.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import DataNotFoundError

ENV_VAR = "NATOANALYSIS_DATA_DIR"
_REPO_DATA = Path(__file__).resolve().parent.parent / "data"


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
    elif ENV_VAR in os.environ:
        if not os.environ[ENV_VAR].strip():
            raise DataNotFoundError(f"{ENV_VAR} is set but empty; unset it, or set it to a folder holding raw/ "
                                    "and processed/")
        root = Path(os.environ[ENV_VAR])
        origin = f"the {ENV_VAR} environment variable"
    else:
        root = _REPO_DATA
        origin = "the repository's data/ folder"
    root = root.expanduser().resolve()
    if root.exists() and not root.is_dir():
        raise DataNotFoundError(f"data directory {root} (from {origin}) is a file, not a folder; point {ENV_VAR} "
                                "or data_dir= at a folder holding raw/ and processed/")
    if must_exist and not root.is_dir():
        raise DataNotFoundError(
            f"data directory {root} (from {origin}) does not exist; point {ENV_VAR} or "
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

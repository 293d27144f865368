"""Writes into the data folder: a staged file or folder renamed into place, under one lock, following no link.

Every name written below the data folder is one the package chose, and no record on disk names a path,
so nothing found there is ever followed. An edition ``E`` is written as ``.E.new``, renamed ``.E.ready``
once whole, the previous ``E`` renamed into ``.backups/`` and ``.E.ready`` renamed ``E``
(:func:`publish`); what a killed writer leaves is recognised by these names alone (:func:`settle`,
:func:`published`), so no kill loses an edition and a reader never writes in ``raw/``. The README's
"The data folder trusts nothing" says what a user sees.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from .errors import DataFolderError

LOCK_NAME = ".lock"  # below processed/: the one folder a reader may write
BACKUPS = ".backups"  # where a replaced edition is kept, beside the editions
_NEW, _READY = ".new", ".ready"
# Open a file without following a link where it belongs (Windows has no O_NOFOLLOW and no such links by default).
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
_UNWRITABLE = (errno.EROFS, errno.EACCES, errno.EPERM)


def folder(root: Path, *parts: str) -> Path:
    """The folder ``root/parts...``, made when missing; a link on the way is refused, never followed.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> folder(root, "raw", "nato") == root / "raw" / "nato"
    True
    >>> (root / "processed").symlink_to("/")
    >>> folder(root, "processed")
    Traceback (most recent call last):
    ...
    natoanalysis.errors.DataFolderError: .../processed is a link; the package writes only real folders inside the data folder: remove the link
    """
    path = Path(root)
    for part in parts:
        path = path / part
        if path.is_symlink():
            raise DataFolderError(f"{path} is a link; the package writes only real folders inside the data "
                                  "folder: remove the link")
        try:
            path.mkdir(exist_ok=True)
        except FileExistsError:
            raise DataFolderError(f"{path} is a file where a folder belongs; remove it") from None
    return path


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through ``.<name>.tmp`` and one rename; the caller holds :func:`lock`.

    The temporary name is fixed (one writer at a time): a file left by a
    killed writer is overwritten, a link there is refused (``O_NOFOLLOW``).
    The file gets the usual permissions (0666 less the umask).
    """
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _NOFOLLOW, 0o666)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)  # a link at ``path`` is replaced itself, never followed


def published(parent: Path) -> dict[str, Path]:
    """The visible folders of ``parent`` by name, an edition left as ``.E.ready`` by a killed writer included.

    Links, files and hidden names are left out (never followed); ``E`` wins
    over ``.E.ready``. Nothing is written.

    Examples
    --------
    >>> import tempfile
    >>> parent = Path(tempfile.mkdtemp())
    >>> for name in ("done", ".left-between-renames.ready", ".unfinished.new", ".backups"):
    ...     (parent / name).mkdir()
    >>> (parent / "linked").symlink_to("/")
    >>> sorted(published(parent))
    ['done', 'left-between-renames']
    """
    found: dict[str, Path] = {}
    if parent.is_symlink() or not parent.is_dir():
        return found
    for entry in sorted(os.scandir(parent), key=lambda e: e.name):
        if not entry.is_dir(follow_symlinks=False):
            continue
        name = entry.name
        if name.startswith(".") and name.endswith(_READY):
            found.setdefault(name[1:-len(_READY)], Path(entry.path))
        elif not name.startswith("."):
            found[name] = Path(entry.path)
    return found


def _remove(path: Path) -> None:
    """Remove a name the package chose: a link or file itself, a real folder with what it holds (links unfollowed)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif os.path.lexists(path):
        path.unlink()


def settle(parent: Path, name: str) -> None:
    """Finish what a killed writer left of folder ``name`` in ``parent`` (a writer's step, under :func:`lock`).

    ``.name.new`` is an unfinished folder: removed. ``.name.ready`` beside
    ``name`` is a replacement killed before it moved the old folder aside:
    removed. ``.name.ready`` alone was killed between the two renames: it is
    the folder, and is renamed ``name``. A link or file under these names is
    removed itself, never followed.
    """
    target, ready = parent / name, parent / f".{name}{_READY}"
    _remove(parent / f".{name}{_NEW}")
    if ready.is_symlink() or (os.path.lexists(ready) and not ready.is_dir()):
        _remove(ready)
    elif ready.is_dir():
        if os.path.lexists(target):
            _remove(ready)  # a replacement killed before it moved the old folder aside: never started
        else:
            os.replace(ready, target)  # killed between the two renames: the new folder is the edition


def publish(parent: Path, name: str, files: dict[str, str]) -> Path | None:
    """Write ``files`` (relative path -> text) as the folder ``parent/name``; return where the old one went.

    The caller holds :func:`lock` and has called :func:`settle`. The folder
    is written as ``.name.new``, renamed ``.name.ready``, the previous
    ``name`` (if any: it is never deleted) renamed into
    ``.backups/name.<UTC time>``, and ``.name.ready`` renamed ``name``.
    Folders get the usual permissions (0777 less the umask). On an error
    or Ctrl-C the previous folder stays (or is put back) and the new one is
    removed.
    """
    new, ready, target = parent / f".{name}{_NEW}", parent / f".{name}{_READY}", parent / name
    backup = None
    try:
        new.mkdir()
        for rel, text in files.items():
            path = new / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            # os.open, not open(path, "x"): one call every write of the package goes through, which is where the
            # tests put a full disk or a read-only folder
            with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o666), "w",
                      encoding="utf-8", newline="") as fh:
                fh.write(text)
        os.replace(new, ready)
        if os.path.lexists(target):
            stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
            backup = folder(parent, BACKUPS) / f"{name}.{stamp}"
            os.replace(target, backup)
        os.replace(ready, target)
    except BaseException:
        if backup is not None and not os.path.lexists(target) and os.path.lexists(backup):
            os.replace(backup, target)
        with contextlib.suppress(OSError):
            _remove(new)
            _remove(ready)
        raise
    return backup


@contextlib.contextmanager
def lock(root: Path, *, reader: bool = False) -> Iterator[None]:
    """Hold the data folder's lock (re-entrant within a process); a reader of a read-only folder goes without.

    Writers and readers take it (the file ``processed/.lock``), so a reader
    never sees a folder between two renames; nobody can write a read-only
    folder, so there a reader has nothing to wait for.

    ``filelock`` rather than ``flock``: it works where ``fcntl`` does not
    (Windows) and the operating system releases it when the process dies.
    """
    import filelock

    held = None
    try:
        # one lock object per lock file (is_singleton), so that holding it twice in a process does not wait
        held = filelock.FileLock(folder(root, "processed") / LOCK_NAME, is_singleton=True)
        held.acquire()
    except OSError as exc:
        if not (reader and exc.errno in _UNWRITABLE):
            raise
        held = None  # nobody can write a read-only folder: there is nothing to wait for
    try:
        yield
    finally:
        if held is not None:
            held.release()

"""Run folders: built as ``.<run-id>.tmp``, renamed into place, and the ``latest`` link.

Nothing a run writes is visible under its final name until the run has ended,
so an interrupted run never leaves a half-written report, and earlier runs are
never touched. Run ids start with the UTC start time, so sorting them sorts runs
by start; a random suffix keeps runs started in the same second apart.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import time
from pathlib import Path

LATEST = "latest"
INCOMPLETE = "INCOMPLETE"
OWNER = ".owner"
_REPO_REPORTS = Path(__file__).resolve().parents[2] / "reports"


def reports_dir(out_dir: str | os.PathLike | None = None) -> Path:
    """Where runs go: ``out_dir`` or the repository's ``reports/``.

    Examples
    --------
    >>> reports_dir("/tmp/r").as_posix()
    '/tmp/r'
    """
    return Path(out_dir).expanduser().resolve() if out_dir is not None else _REPO_REPORTS


def new_run_id(now: float | None = None) -> str:
    """``YYYYMMDDTHHMMSSZ-xxxxxx``: UTC start time and six random hex digits.

    Examples
    --------
    >>> new_run_id(0.0)[:17]
    '19700101T000000Z-'
    """
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() if now is None else now))
    return f"{stamp}-{secrets.token_hex(3)}"


def staging_dir(root: Path, run_id: str) -> Path:
    """Create and return the hidden folder a run is built in, recording which process owns it."""
    path = root / f".{run_id}.tmp"
    path.mkdir(parents=True)
    (path / OWNER).write_text(f"{socket.gethostname()} {os.getpid()}\n", encoding="utf-8")
    return path


def remove_abandoned(root: Path) -> list[str]:
    """Delete staging folders whose owner process on this host is gone (a run killed with SIGKILL).

    Folders of live runs, of other hosts, or without an owner record are left alone.
    Returns the names removed.

    Examples
    --------
    >>> remove_abandoned(Path("/nonexistent"))
    []
    """
    removed = []
    for path in sorted(root.glob(".*.tmp")) if root.is_dir() else []:
        try:
            host, pid = (path / OWNER).read_text(encoding="utf-8").split()
            if host != socket.gethostname():
                continue
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
        except (OSError, ValueError):  # no owner record, or a process we may not signal: not ours to judge
            continue
    return removed


def publish(staging: Path, root: Path, run_id: str, *, is_complete: bool) -> Path:
    """Rename a finished (or failed) run into place; failed runs get an ``INCOMPLETE`` marker first."""
    (staging / OWNER).unlink(missing_ok=True)
    if not is_complete:
        (staging / INCOMPLETE).write_text("This run failed; see manifest.json. reports/latest does not point here.\n",
                                          encoding="utf-8")
    final = root / run_id
    os.replace(staging, final)
    return final


def is_complete_run(path: Path) -> bool:
    return path.is_dir() and (path / "manifest.json").is_file() and not (path / INCOMPLETE).exists()


@contextlib.contextmanager
def _locked(root: Path):
    import fcntl

    with open(root / ".latest.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def point_latest(root: Path, run_id: str) -> bool:
    """Point ``root/latest`` at ``run_id`` unless it already points at a newer complete run.

    The link is replaced atomically (a new link renamed over the old one), under
    a lock so that two runs finishing together leave it at the newer one.
    Returns whether the link now points at ``run_id``.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> for run_id in ("20250101T000000Z-aaaaaa", "20250102T000000Z-bbbbbb"):
    ...     (root / run_id).mkdir(); _ = (root / run_id / "manifest.json").write_text("{}")
    >>> point_latest(root, "20250102T000000Z-bbbbbb"), point_latest(root, "20250101T000000Z-aaaaaa")
    (True, False)
    >>> os.readlink(root / "latest")
    '20250102T000000Z-bbbbbb'
    >>> shutil.rmtree(root)
    """
    link = root / LATEST
    if link.exists() and not link.is_symlink():
        raise FileExistsError(f"{link} exists and is not a symbolic link; remove it to let reports update it")
    with _locked(root):
        if link.is_symlink():
            current = os.readlink(link)
            if current > run_id and is_complete_run(root / current):
                return False
        tmp = root / f".{LATEST}.{run_id}.tmp"
        tmp.unlink(missing_ok=True)
        os.symlink(run_id, tmp)
        os.replace(tmp, link)
    return True

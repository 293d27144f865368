"""Run folders: built as ``.<run-id>.tmp``, renamed into place, and the ``latest`` link.

Nothing a run writes is visible under its final name until the run has ended,
so an interrupted run never leaves a half-written report, and earlier runs are
never touched. A run locks its staging folder for as long as it lives
(:class:`Staging`), so the next run can tell a dead run's folder from a live
one. Run ids start with the UTC start time, so sorting them sorts runs by
start; a random suffix keeps runs started in the same second apart.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import socket
import time
from pathlib import Path

LATEST = "latest"
INCOMPLETE = "INCOMPLETE"
INCONSISTENT = "INCONSISTENT"
OWNER = ".owner"


def new_run_id(now: float | None = None) -> str:
    """``YYYYMMDDTHHMMSSZ-xxxxxx``: UTC start time and six random hex digits.

    Examples
    --------
    >>> new_run_id(0.0)[:17]
    '19700101T000000Z-'
    """
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() if now is None else now))
    return f"{stamp}-{secrets.token_hex(3)}"


class Staging:
    """A run being built: its hidden folder ``.<run-id>.tmp`` and the lock that says the run is alive.

    The run holds an exclusive ``flock`` on ``.<run-id>.lock`` (beside the
    folder) from before the folder exists until after it has been renamed or
    removed, so a staging folder whose lock anyone can take belongs to nobody:
    the kernel releases the lock of a process however it ended, SIGKILL
    included. The worker processes inherit the lock's descriptor, so a folder
    stays locked while any process of the run may still write into it.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> stage = Staging.begin(root, "20250101T000000Z-abcdef")
    >>> sorted(p.name for p in root.iterdir()), remove_abandoned(root)
    (['.20250101T000000Z-abcdef.lock', '.20250101T000000Z-abcdef.tmp'], [])
    >>> stage.publish(markers={}).name, sorted(p.name for p in root.iterdir())
    ('20250101T000000Z-abcdef', ['20250101T000000Z-abcdef'])
    >>> shutil.rmtree(root)
    """

    def __init__(self, root: Path, run_id: str, lock_fd: int):
        self.root, self.run_id, self.lock_fd = root, run_id, lock_fd
        self.path = root / f".{run_id}.tmp"
        self.lock_path = root / f".{run_id}.lock"
        self._released = False

    @classmethod
    def begin(cls, root: Path, run_id: str) -> "Staging":
        """Take the run's lock, then create its folder; raises ``OSError`` when ``root`` cannot be written."""
        import fcntl

        lock_path = root / f".{run_id}.lock"
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o644)
        stage = cls(root, run_id, fd)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a file just created: nobody else has it open
            stage.path.mkdir()
            # For runners of earlier versions, which know only this record.
            (stage.path / OWNER).write_text(f"{socket.gethostname()} {os.getpid()}\n", encoding="utf-8")
        except BaseException:
            stage.discard()
            raise
        return stage

    def discard(self) -> None:
        """Remove the folder (a run stopped or failed before publishing), then release the lock."""
        shutil.rmtree(self.path, ignore_errors=True)
        self.release()

    def publish(self, *, markers: dict[str, str]) -> Path:
        """Write the ``markers`` files (``{name: text}``), rename the folder into place, release the lock."""
        (self.path / OWNER).unlink(missing_ok=True)
        for name, text in markers.items():
            (self.path / name).write_text(text, encoding="utf-8")
        final = self.root / self.run_id
        os.replace(self.path, final)
        self.release()
        return final

    def release(self) -> None:
        # The lock file goes first, while still locked: a clean-up that finds it unlocked then finds no folder.
        if not self._released:
            self._released = True
            with contextlib.suppress(OSError):
                self.lock_path.unlink()
            os.close(self.lock_fd)


RUN_ID = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{6}$")
_RUN_FILE = re.compile(r"^\.(?P<run_id>\d{8}T\d{6}Z-[0-9a-f]{6})\.(?P<kind>tmp|lock)$")


def _legacy_owner_alive(path: Path) -> bool:
    """For a folder without a lock file: whether its ``.owner`` record names a live process (or another host).

    Runners before the lock wrote only this record. Anything else (no record,
    an unreadable one, a process that is gone) means nobody owns the folder: a
    current run takes its lock before its folder appears.
    """
    try:
        host, pid = (path / OWNER).read_text(encoding="utf-8").split()
        if host != socket.gethostname():
            return True  # another machine's run on a shared folder: its process cannot be checked from here
        os.kill(int(pid), 0)
    except PermissionError:
        return True  # a process of another user
    except (OSError, ValueError):
        return False
    return True


# How long a clean-up waits for the workers of a run whose own process is gone (killed outright) to
# release its lock: they stop their kernels and exit (interrupts.die_with_parent), in well under a second
# here; the kernel also releases a dead process's lock a little after it has exited.
ORPHAN_WAIT_S = 30.0


def _owner_gone(path: Path) -> bool:
    """Whether the ``.owner`` record of a staging folder names a process of this host that has exited."""
    try:
        host, pid = (path / OWNER).read_text(encoding="utf-8").split()
        if host != socket.gethostname():
            return False
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except (OSError, ValueError):
        return False
    with contextlib.suppress(OSError, IndexError):  # Linux: an exited process not yet reaped by its parent
        return Path(f"/proc/{int(pid)}/stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    return False


def _lock_now_or_soon(fd: int, *, owner_gone: bool) -> bool:
    """Take the lock on ``fd`` now; when its run's process is gone, wait up to :data:`ORPHAN_WAIT_S` for it."""
    import fcntl

    deadline = time.monotonic() + (ORPHAN_WAIT_S if owner_gone else 0.0)
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)


def remove_abandoned(root: Path) -> list[str]:
    """Delete the staging folders (and lock files) of runs that are no longer running.

    A folder is abandoned when its lock file can be locked (its run ended
    without cleaning up: SIGKILL, a power cut), or when it has no lock file and
    no live owner record (SIGTERM and Ctrl-C of earlier versions left such
    folders). When the run's own process is gone but the lock is still held,
    its workers are stopping (they die with the run): the clean-up waits for
    them, up to :data:`ORPHAN_WAIT_S`. A lock file without a folder is removed
    when unlocked too.
    Returns the names removed (the folder's name for a folder and its lock).

    Examples
    --------
    >>> remove_abandoned(Path("/nonexistent"))
    []
    """
    if not root.is_dir():
        return []
    run_ids = sorted({m["run_id"] for p in root.iterdir() if (m := _RUN_FILE.match(p.name))})
    removed = []
    for run_id in run_ids:
        path, lock_path = root / f".{run_id}.tmp", root / f".{run_id}.lock"
        if path.is_symlink():
            continue  # not something a run creates; never follow it
        try:
            fd = os.open(lock_path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError:
            if path.is_dir() and not _legacy_owner_alive(path):
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path.name)
            continue
        except OSError:
            continue  # a lock we may not read: not ours to judge
        try:
            if not _lock_now_or_soon(fd, owner_gone=_owner_gone(path)):
                continue  # held: the run, or one of its workers, is alive
            existed = path.is_dir()
            shutil.rmtree(path, ignore_errors=True)
            with contextlib.suppress(OSError):
                lock_path.unlink()
            removed.append(path.name if existed else lock_path.name)
        finally:
            os.close(fd)
    return removed


def is_complete_run(path: Path) -> bool:
    """A run folder with a manifest and neither an ``INCOMPLETE`` nor an ``INCONSISTENT`` marker."""
    return (path.is_dir() and (path / "manifest.json").is_file()
            and not (path / INCOMPLETE).exists() and not (path / INCONSISTENT).exists())


def is_full_run(path: Path) -> bool:
    """A complete run whose manifest says it ran the full suite: what ``latest`` may point at.

    Runs of earlier versions, which did not record it, count as partial: one
    of them may have been a one-notebook run.
    """
    if not is_complete_run(path):
        return False
    try:
        return json.loads((path / "manifest.json").read_text(encoding="utf-8")).get("is_full_suite") is True
    except (OSError, ValueError, AttributeError):
        return False


@contextlib.contextmanager
def _locked(root: Path):
    """The reports folder's lock: held while a run is published and linked, and while old runs are pruned."""
    import fcntl

    with open(root / ".latest.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _check_latest_link(root: Path) -> Path:
    link = root / LATEST
    if link.exists() and not link.is_symlink():
        raise FileExistsError(f"{link} exists and is not a symbolic link; remove it to let reports update it")
    return link


def _point_latest(root: Path, run_id: str) -> bool:
    """:func:`point_latest` for a caller that holds the lock."""
    link = root / LATEST
    if link.is_symlink():
        current = os.readlink(link)
        if current > run_id and is_full_run(root / current):
            return False
    tmp = root / f".{LATEST}.{run_id}.tmp"
    tmp.unlink(missing_ok=True)
    os.symlink(run_id, tmp)
    os.replace(tmp, link)
    return True


def point_latest(root: Path, run_id: str) -> bool:
    """Point ``root/latest`` at ``run_id`` unless it already points at a newer full run (:func:`is_full_run`).

    The link is replaced atomically (a new link renamed over the old one), under
    a lock so that two runs finishing together leave it at the newer one.
    Returns whether the link now points at ``run_id``.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> for run_id in ("20250101T000000Z-aaaaaa", "20250102T000000Z-bbbbbb"):
    ...     (root / run_id).mkdir(); _ = (root / run_id / "manifest.json").write_text('{"is_full_suite": true}')
    >>> point_latest(root, "20250102T000000Z-bbbbbb"), point_latest(root, "20250101T000000Z-aaaaaa")
    (True, False)
    >>> os.readlink(root / "latest")
    '20250102T000000Z-bbbbbb'
    >>> shutil.rmtree(root)
    """
    _check_latest_link(root)
    with _locked(root):
        return _point_latest(root, run_id)


def publish(stage: Staging, *, markers: dict[str, str], link_latest: bool) -> tuple[Path, bool]:
    """Rename a finished run into place and, when ``link_latest``, point ``latest`` at it.

    Both happen under the reports folder's lock, so :func:`prune` never sees
    a run published but not yet linked (and takes it for an old one). Returns
    the run's folder and whether ``latest`` now points at it.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> stage = Staging.begin(root, "20250101T000000Z-abcdef")
    >>> _ = (stage.path / "manifest.json").write_text('{"is_full_suite": true}')
    >>> folder, moved = publish(stage, markers={}, link_latest=True)
    >>> folder.name, moved, os.readlink(root / LATEST)
    ('20250101T000000Z-abcdef', True, '20250101T000000Z-abcdef')
    >>> shutil.rmtree(root)
    """
    if link_latest:
        _check_latest_link(stage.root)
    with _locked(stage.root):
        final = stage.publish(markers=markers)
        return final, (_point_latest(stage.root, stage.run_id) if link_latest else False)


def latest_target(root: Path) -> str | None:
    """The run id ``root/latest`` points at, or ``None`` (no link, or one that points elsewhere).

    Examples
    --------
    >>> latest_target(Path("/nonexistent")) is None
    True
    """
    try:
        target = os.readlink(root / LATEST)
    except OSError:
        return None
    return target if RUN_ID.match(target) else None

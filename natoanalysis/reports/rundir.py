"""Run folders: built as ``.<run-id>.tmp``, renamed into place, and the ``latest`` link.

Nothing a run writes is visible under its final name until the run has ended,
so an interrupted run never leaves a half-written report, and earlier runs are
never touched. A run locks its staging folder for as long as it lives
(:class:`Staging`), so the next run can tell a dead run's folder from a live
one. Run ids start with the UTC start time, so sorting them sorts runs by
start; a random suffix keeps runs started in the same second apart.

``latest`` points at the newest complete run of the full suite (:func:`is_full_run`).
:func:`prune` removes old runs: only folders named by a run id that hold a
``manifest.json``, never the one ``latest`` points at, never one being published,
and never by following a link out of the reports folder.
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
from dataclasses import dataclass, field
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

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> for name, text in (("full", '{"is_full_suite": true}'), ("partial", '{"is_full_suite": false}'),
    ...                    ("earlier", '{"status": "complete"}')):
    ...     (root / name).mkdir(); _ = (root / name / "manifest.json").write_text(text)
    >>> [is_full_run(root / name) for name in ("full", "partial", "earlier", "missing")]
    [True, False, False, False]
    >>> shutil.rmtree(root)
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


# `.<run-id>.trash`: a run renamed out of sight by prune and being deleted; one a killed prune left
# behind is deleted by the next.
_TRASH = re.compile(r"^\.(?P<run_id>\d{8}T\d{6}Z-[0-9a-f]{6})\.trash$")


def is_run_folder(path: Path) -> bool:
    """A folder a run published: named by a run id, a real folder (not a link), holding ``manifest.json``.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> (root / "20250101T000000Z-abcdef").mkdir(); (root / "notes").mkdir()
    >>> _ = (root / "20250101T000000Z-abcdef" / "manifest.json").write_text("{}")
    >>> os.symlink(root / "20250101T000000Z-abcdef", root / "20250102T000000Z-abcdef")
    >>> sorted(p.name for p in root.iterdir() if is_run_folder(p))
    ['20250101T000000Z-abcdef']
    >>> shutil.rmtree(root)
    """
    import stat

    if not RUN_ID.match(path.name):
        return False
    try:
        return stat.S_ISDIR(path.lstat().st_mode) and stat.S_ISREG((path / "manifest.json").lstat().st_mode)
    except OSError:
        return False


def disk_usage(path: Path) -> int:
    """Bytes on disk of a folder, its subfolders and files, as ``du -s -B1`` counts them.

    Links are not followed, and a file with several names (hard links) counts once.

    Examples
    --------
    >>> disk_usage(Path("/nonexistent"))
    0
    """
    try:
        top = path.lstat()
    except OSError:
        return 0
    import stat

    total = getattr(top, "st_blocks", 0) * 512 or top.st_size
    if not stat.S_ISDIR(top.st_mode):
        return total  # a file, or a link: not followed
    seen, stack = {(top.st_dev, top.st_ino)}, [path]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
            if (info.st_dev, info.st_ino) not in seen:
                seen.add((info.st_dev, info.st_ino))
                total += getattr(info, "st_blocks", 0) * 512 or info.st_size
    return total


def shown_bytes(n: int) -> str:
    """A size as people read it: ``'75.3 MiB'``.

    Examples
    --------
    >>> shown_bytes(0), shown_bytes(1536), shown_bytes(78_950_000)
    ('0 B', '1.5 KiB', '75.3 MiB')
    """
    size, unit = float(n), "B"
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            break
        size /= 1024
    return f"{n} B" if unit == "B" else f"{size:.1f} {unit}"


@dataclass(frozen=True)
class Pruned:
    """What :func:`prune` removed (or, with ``dry_run``, would remove) and what it kept."""

    removed: dict[str, int] = field(default_factory=dict)  # {run id: bytes freed}
    kept: list[str] = field(default_factory=list)  # run ids, newest first
    failed: dict[str, str] = field(default_factory=dict)  # {run id: why it could not be removed}
    dry_run: bool = False

    @property
    def bytes_freed(self) -> int:
        return sum(self.removed.values())


def _held_by_another(root: Path, run_id: str) -> bool:
    """Whether a process holds the lock of ``run_id`` (a run publishing it, or anyone reading it under it)."""
    import fcntl

    try:
        fd = os.open(root / f".{run_id}.lock", os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return False
    except OSError:
        return True  # a lock we may not read: not ours to judge
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)


def prune(root: Path, *, keep: int, protect: tuple[str, ...] = (), dry_run: bool = False) -> Pruned:
    """Remove all but the ``keep`` newest runs of ``root`` (by run id, i.e. start time), whatever their status.

    Never removed: the run ``latest`` points at, the runs in ``protect`` (the
    run just made), a run whose lock another process holds, and anything that
    is not :func:`is_run_folder` (staging folders, links, other files). The
    choice and the renames out of sight (``.<run-id>.trash``) happen under the
    lock a run holds while it publishes and moves ``latest``, so a concurrent
    run is never caught half-published; the deletion itself happens after,
    and one a killed prune left unfinished is completed by the next.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> for day in (1, 2, 3, 4):
    ...     (root / f"2025010{day}T000000Z-aaaaaa").mkdir()
    ...     _ = (root / f"2025010{day}T000000Z-aaaaaa" / "manifest.json").write_text("{}")
    >>> os.symlink("20250101T000000Z-aaaaaa", root / LATEST)
    >>> done = prune(root, keep=2)
    >>> sorted(done.removed), done.kept
    (['20250102T000000Z-aaaaaa'], ['20250104T000000Z-aaaaaa', '20250103T000000Z-aaaaaa', '20250101T000000Z-aaaaaa'])
    >>> sorted(p.name for p in root.iterdir())
    ['.latest.lock', '20250101T000000Z-aaaaaa', '20250103T000000Z-aaaaaa', '20250104T000000Z-aaaaaa', 'latest']
    >>> shutil.rmtree(root)
    """
    if isinstance(keep, bool) or not isinstance(keep, int) or keep < 0:
        raise ValueError(f"keep must be a whole number >= 0, got {keep!r}")
    if not root.is_dir():
        return Pruned(dry_run=dry_run)
    doomed: dict[str, Path] = {}
    if not dry_run:
        doomed = {m["run_id"]: root / p.name for p in root.iterdir() if (m := _TRASH.match(p.name))}
    failed: dict[str, str] = {}
    with contextlib.nullcontext() if dry_run else _locked(root):  # a dry run writes nothing, not even the lock
        runs = sorted((p.name for p in root.iterdir() if is_run_folder(p)), reverse=True)
        spared = set(runs[:keep]) | set(protect) | {latest_target(root)}
        kept = [r for r in runs if r in spared or _held_by_another(root, r)]
        for run_id in (r for r in runs if r not in kept):
            if dry_run:
                doomed[run_id] = root / run_id
                continue
            trash = root / f".{run_id}.trash"
            try:
                os.rename(root / run_id, trash)
            except OSError as exc:
                failed[run_id] = exc.strerror or str(exc)
                kept.append(run_id)
                continue
            doomed[run_id] = trash
    removed = {}
    for run_id, path in sorted(doomed.items()):
        removed[run_id] = disk_usage(path)
        if not dry_run:
            shutil.rmtree(path, ignore_errors=True)  # never follows links (fd-based on Linux)
            if os.path.lexists(path):  # a file it may not delete: what is left was not freed
                removed[run_id] -= disk_usage(path)
                failed[run_id] = f"partly removed; the rest is in {path.name}"
    return Pruned(removed=removed, kept=sorted(kept, reverse=True), failed=failed, dry_run=dry_run)

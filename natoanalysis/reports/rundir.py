"""Run folders: built as ``.<run-id>.tmp``, renamed into place, and the ``latest`` link.

Nothing a run writes is visible under its final name until the run has ended,
so an interrupted run never leaves a half-written report, and earlier runs are
never touched. A run holds a lock (``filelock``) on ``.<run-id>.lock`` while it
lives, so the next run or ``clean`` tells a dead run's folder from a live one:
the operating system releases the lock of a process however it ended. Run ids
start with the UTC start time, so sorting them sorts runs by start.

Only names the package chose are touched, inside the reports folder, and links
are never followed: a link planted under a lock's name is removed (not
followed), a run folder or ``latest`` that is a link or points out of the
folder is neither removed nor trusted.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock, Timeout

LATEST = "latest"
INCOMPLETE = "INCOMPLETE"
INCONSISTENT = "INCONSISTENT"
MANIFEST = "manifest.json"
RUN_ID = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{6}$")
_RUN_FILE = re.compile(r"^\.(?P<run_id>\d{8}T\d{6}Z-[0-9a-f]{6})\.(?:tmp|lock)$")


def new_run_id(now: float | None = None) -> str:
    """``YYYYMMDDTHHMMSSZ-xxxxxx``: UTC start time and six random hex digits.

    Examples
    --------
    >>> new_run_id(0.0)[:17]
    '19700101T000000Z-'
    """
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() if now is None else now))
    return f"{stamp}-{secrets.token_hex(3)}"


def _lock(path: Path) -> FileLock:
    """The lock on ``path``, a name the package chose; a link planted there is removed, never followed."""
    if path.is_symlink():
        path.unlink()
    return FileLock(path)


class Staging:
    """A run being built: its hidden folder ``.<run-id>.tmp`` and the lock that says the run is alive.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> stage = Staging.begin(root, "20250101T000000Z-abcdef")
    >>> sorted(p.name for p in root.iterdir()), remove_abandoned(root)
    (['.20250101T000000Z-abcdef.lock', '.20250101T000000Z-abcdef.tmp'], [])
    >>> stage.discard(); sorted(root.iterdir())
    []
    >>> shutil.rmtree(root)
    """

    def __init__(self, root: Path, run_id: str):
        self.root, self.run_id = root, run_id
        self.path, self.lock_path = root / f".{run_id}.tmp", root / f".{run_id}.lock"
        self.lock = _lock(self.lock_path)

    @classmethod
    def begin(cls, root: Path, run_id: str) -> "Staging":
        """Take the run's lock, then create its folder; ``OSError`` when ``root`` cannot be written."""
        stage = cls(root, run_id)
        stage.lock.acquire(timeout=0)
        try:
            stage.path.mkdir()
        except BaseException:
            stage.release()
            raise
        return stage

    def discard(self) -> None:
        """Remove the folder (a run stopped before publishing), then release the lock."""
        shutil.rmtree(self.path, ignore_errors=True)
        self.release()

    def release(self) -> None:
        # The lock file goes while still held: a clean-up that then takes a lock finds no folder.
        with contextlib.suppress(OSError):
            self.lock_path.unlink()
        self.lock.release(force=True)


def remove_abandoned(root: Path) -> list[str]:
    """Delete the staging folders (and lock files) of runs that are no longer running; return their names.

    A run's folder is abandoned when its lock can be taken (SIGKILL, a power
    cut). Links are never followed.

    Examples
    --------
    >>> remove_abandoned(Path("/nonexistent"))
    []
    """
    removed = []
    for run_id in sorted({m["run_id"] for p in (root.iterdir() if root.is_dir() else ())
                          if (m := _RUN_FILE.match(p.name))}):
        stage = Staging(root, run_id)
        try:
            stage.lock.acquire(timeout=0)
        except Timeout:
            continue  # held: the run is alive
        existed = stage.path.is_dir() and not stage.path.is_symlink()
        removed.append(stage.path.name if existed else stage.lock_path.name)
        stage.discard()  # rmtree never follows a link: a planted one stays, untouched
    return removed


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
    try:
        return bool(RUN_ID.match(path.name)) and stat.S_ISDIR(path.lstat().st_mode) \
            and stat.S_ISREG((path / MANIFEST).lstat().st_mode)
    except OSError:
        return False


def _is_full_run(path: Path) -> bool:
    """A complete run folder whose manifest says it ran the full suite: what ``latest`` may point at."""
    try:
        return is_run_folder(path) and not (path / INCOMPLETE).exists() and not (path / INCONSISTENT).exists() \
            and json.loads((path / MANIFEST).read_text(encoding="utf-8")).get("is_full_suite") is True
    except (OSError, ValueError, AttributeError):
        return False


def latest_target(root: Path) -> str | None:
    """The run id ``root/latest`` points at, or ``None`` (no link, or one that points anywhere else).

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


def publish(stage: Staging, *, markers: dict[str, str], link_latest: bool) -> tuple[Path, bool]:
    """Write the ``markers`` files, rename a finished run into place and, when ``link_latest``, point ``latest`` at it.

    Both happen under the reports folder's lock (``.latest.lock``), so two
    runs finishing together leave ``latest`` at the newer one and :func:`prune`
    never sees a run published but not yet linked. ``latest`` never moves back
    to an older run. Returns the run's folder and whether ``latest`` points at it.

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
    root, run_id = stage.root, stage.run_id
    for name, text in markers.items():
        (stage.path / name).write_text(text, encoding="utf-8")
    with _lock(root / ".latest.lock"):
        os.replace(stage.path, root / run_id)
        stage.release()
        current = latest_target(root)
        if not link_latest or (current is not None and current > run_id and _is_full_run(root / current)):
            return root / run_id, False
        tmp = root / f".{LATEST}.{run_id}.tmp"
        tmp.unlink(missing_ok=True)
        os.symlink(run_id, tmp)
        os.replace(tmp, root / LATEST)  # replaces the link itself, never what it points at
        return root / run_id, True


@dataclass(frozen=True)
class Pruned:
    """What :func:`prune` removed (or, with ``dry_run``, would remove) and what it kept (run ids)."""

    removed: list[str] = field(default_factory=list)  # oldest first
    kept: list[str] = field(default_factory=list)  # newest first
    dry_run: bool = False


def prune(root: Path, *, keep: int, protect: tuple[str, ...] = (), dry_run: bool = False) -> Pruned:
    """Remove all but the ``keep`` newest runs of ``root`` (by run id, i.e. start time), whatever their status.

    Never removed: the run ``latest`` points at, the runs in ``protect`` (the
    run just made) and anything that is not :func:`is_run_folder` (staging
    folders, links, other files). It runs under the lock a run holds while it
    publishes and moves ``latest``, so a concurrent run is never caught
    half-published. Unless ``dry_run``, the staging folders of runs that died
    go first (:func:`remove_abandoned`, not counted). A run is renamed to a
    hidden staging name before it is removed, so one whose removal is cut
    short is such a folder, removed by the next run or clean-up.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> for day in (1, 2, 3, 4):
    ...     (root / f"2025010{day}T000000Z-aaaaaa").mkdir()
    ...     _ = (root / f"2025010{day}T000000Z-aaaaaa" / "manifest.json").write_text("{}")
    >>> os.symlink("20250101T000000Z-aaaaaa", root / LATEST)
    >>> done = prune(root, keep=2)
    >>> done.removed, done.kept
    (['20250102T000000Z-aaaaaa'], ['20250104T000000Z-aaaaaa', '20250103T000000Z-aaaaaa', '20250101T000000Z-aaaaaa'])
    >>> shutil.rmtree(root)
    """
    if not root.is_dir():
        return Pruned(dry_run=dry_run)
    if not dry_run:
        remove_abandoned(root)
    # A dry run writes nothing, not even the lock.
    with contextlib.nullcontext() if dry_run else _lock(root / ".latest.lock"):
        runs = sorted((p.name for p in root.iterdir() if is_run_folder(p)), reverse=True)
        spared = set(runs[:keep]) | set(protect) | {latest_target(root)}
        removed = sorted(r for r in runs if r not in spared)  # oldest first
        for run_id in [] if dry_run else removed:
            os.replace(root / run_id, root / f".{run_id}.tmp")
            shutil.rmtree(root / f".{run_id}.tmp")
    return Pruned(removed=removed, kept=[r for r in runs if r in spared], dry_run=dry_run)

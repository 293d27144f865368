"""Write files and folders so that a failed, killed or concurrent run leaves the previous version intact.

* :func:`write_text` writes a file through a temporary file and a rename.
* :func:`replace_dir` swaps a folder for a new one by two renames, recorded in
  a journal (``.<name>.swap.json`` beside the folder) before the first one, so
  that a process killed between them leaves a state :func:`recover` can
  finish: forward to the new folder when it was complete, back to the old one
  otherwise. Every later start (load, build, ingest) calls :func:`recover`.
* :func:`data_lock` is a lock on the data folder itself (``flock`` on the
  directory, so no lock file is left behind): writers (ingest) hold it
  exclusively, readers (load, build) shared, so a reader sees either the old
  edition or the new one, never a folder in the middle of a swap.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

_COMPLETE = ".complete"  # written last into a staging folder: its content is whole


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and an atomic rename.

    The file gets the usual permissions (0666 less the umask), as a plain
    ``open`` would give it; ``tempfile.mkstemp`` would leave it private (0600).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = str(path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"))
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _journal(target: Path) -> Path:
    return target.parent / f".{target.name}.swap.json"


def replace_dir(target: Path, files: dict[str, str], *, keep_old: Path | None = None) -> None:
    """Write ``files`` (relative path -> text) as the new content of ``target``.

    The folder is built beside the target (hidden, so never taken for an
    edition) and swapped in by renames, so readers see either the old folder
    or the new one, never a half-written one. The previous content is deleted,
    or moved to ``keep_old`` when given. Folders get the usual permissions
    (0777 less the umask), as ``mkdir`` gives them; ``tempfile.mkdtemp`` would
    leave them private (0700).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    recover(target.parent)
    token = f"{os.getpid()}.{secrets.token_hex(4)}"
    staging = target.parent / f".{target.name}.new.{token}"
    backup = keep_old or target.parent / f".{target.name}.old.{token}"
    journal = _journal(target)
    staging.mkdir()
    try:
        for rel, text in files.items():
            p = staging / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text, encoding="utf-8", newline="")
        (staging / _COMPLETE).touch()
        write_text(journal, json.dumps({"target": target.name, "staging": staging.name,
                                        "backup": os.path.relpath(backup, target.parent),
                                        "keep_old": keep_old is not None}) + "\n")
        if target.exists():
            backup.parent.mkdir(parents=True, exist_ok=True)
            os.replace(target, backup)
        os.replace(staging, target)
        (target / _COMPLETE).unlink()
        journal.unlink()
    except BaseException:
        # Whatever stopped us (an error, Ctrl-C): the old folder goes back, the new one away.
        if not target.exists() and backup.exists():
            os.replace(backup, target)
        shutil.rmtree(staging, ignore_errors=True)
        journal.unlink(missing_ok=True)
        raise
    if keep_old is None:
        shutil.rmtree(backup, ignore_errors=True)


def recover(parent: Path) -> list[str]:
    """Finish or undo swaps a killed process left in ``parent``; remove its leftovers.

    For each journal: if the target folder is gone, the new folder is moved in
    when it was complete (roll forward), else the old one is moved back (roll
    back). Staging folders without a journal are debris of a process killed
    before its first rename and are removed, as are old folders whose swap
    finished. Returns what was done, one line per folder.

    Examples
    --------
    >>> import tempfile
    >>> recover(Path(tempfile.mkdtemp()))
    []
    """
    done: list[str] = []
    if not parent.is_dir():
        return done
    try:
        entries = list(parent.iterdir())
    except OSError:
        return done
    journals = [p for p in entries if p.name.startswith(".") and p.name.endswith(".swap.json")]
    if not journals and not any(p.name.startswith(".") and (".new." in p.name or ".old." in p.name)
                                for p in entries):
        return done
    try:
        with _locked_dir(parent, exclusive=True):
            for journal in journals:
                done += _finish(parent, journal)
            for p in parent.iterdir():
                if p.is_dir() and p.name.startswith(".") and (".new." in p.name or ".old." in p.name) \
                        and not _owned_by_live_swap(parent, p):
                    shutil.rmtree(p, ignore_errors=True)
                    done.append(f"removed {p.name}")
    except OSError as exc:
        if exc.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
            raise
    return done


def _owned_by_live_swap(parent: Path, folder: Path) -> bool:
    # Another process may be mid-swap right now: its journal names the folder and its pid is alive.
    pid = folder.name.split(".")[-2] if folder.name.count(".") >= 3 else ""
    if not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _finish(parent: Path, journal: Path) -> list[str]:
    try:
        rec = json.loads(journal.read_text(encoding="utf-8"))
        target, staging, backup = parent / rec["target"], parent / rec["staging"], parent / rec["backup"]
    except (OSError, ValueError, KeyError, TypeError):
        journal.unlink(missing_ok=True)
        return [f"removed unreadable journal {journal.name}"]
    if _owned_by_live_swap(parent, staging):
        return []
    done = []
    if not target.exists():
        if (staging / _COMPLETE).exists():
            os.replace(staging, target)
            done.append(f"rolled {rec['target']} forward to the new transcription")
        elif backup.exists():
            os.replace(backup, target)
            done.append(f"rolled {rec['target']} back to the previous transcription")
    (target / _COMPLETE).unlink(missing_ok=True)
    shutil.rmtree(staging, ignore_errors=True)
    if not rec.get("keep_old"):
        shutil.rmtree(backup, ignore_errors=True)
    with contextlib.suppress(OSError):  # a backup folder made for a swap that never got that far
        if backup.parent != parent and not any(backup.parent.iterdir()):
            backup.parent.rmdir()
    journal.unlink(missing_ok=True)
    return done


@contextlib.contextmanager
def _locked_dir(path: Path, *, exclusive: bool) -> Iterator[None]:
    """``flock`` on a directory: released by the kernel when the process dies, however it dies."""
    import fcntl

    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


_held = threading.local()


@contextlib.contextmanager
def data_lock(root: Path, *, exclusive: bool) -> Iterator[None]:
    """Hold the data folder's lock: exclusive for a writer, shared for a reader.

    Re-entrant within a thread (a load that builds holds it once, an ingest
    that reads the old transcription too); a shared holder asking for the
    exclusive lock is a programming error, refused rather than deadlocked.
    """
    key = str(Path(root).resolve())
    depth = getattr(_held, "depth", None)
    if depth is None:
        depth = _held.depth = {}
    if key in depth:
        held_exclusive, n = depth[key]
        if exclusive and not held_exclusive:
            raise RuntimeError("data_lock: exclusive lock asked for while holding the shared one")
        depth[key] = (held_exclusive, n + 1)
        try:
            yield
        finally:
            depth[key] = (held_exclusive, depth[key][1] - 1)
        return
    with _locked_dir(Path(root), exclusive=exclusive):
        depth[key] = (exclusive, 1)
        try:
            yield
        finally:
            depth.pop(key, None)

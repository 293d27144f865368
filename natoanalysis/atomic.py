"""Write files and folders so that a failed run leaves the previous version intact."""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path


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
    staging = target.parent / f".{target.name}.new.{os.getpid()}.{secrets.token_hex(4)}"
    staging.mkdir()
    backup = None
    try:
        for rel, text in files.items():
            p = staging / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text, encoding="utf-8", newline="")
        if target.exists():
            backup = keep_old or target.parent / f".{target.name}.old.{os.getpid()}.{secrets.token_hex(4)}"
            backup.parent.mkdir(parents=True, exist_ok=True)
            os.replace(target, backup)
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if backup is not None and backup.exists() and not target.exists():
            os.replace(backup, target)
        raise
    if backup is not None and keep_old is None:
        shutil.rmtree(backup, ignore_errors=True)

"""The data folder trusts nothing: what is planted there changes nothing outside it and loses no edition.

Every write below the data folder is a staged file or folder renamed into place under one lock; what a
killed ingest leaves is recognised by names the package chose; links are never followed; a full disk, a
file-size limit or a read-only folder is one line and a non-zero exit. Kills are real (SIGKILL at a
chosen step of a child process); nothing waits on a clock.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import natoanalysis as na
from natoanalysis.cli import main
from natoanalysis.store import cache as store

from .conftest import NATO_XLSX, REPO, require
from .factory import clone, replace_cells, write_xlsx

RAW = "raw/nato/2024-06"


def _snapshot(root: Path, *, skip: str | None = None) -> dict[str, object]:
    """Every entry below ``root`` (links as their target, never followed), ``skip`` left out."""
    out: dict[str, object] = {}
    for top, dirs, files in os.walk(root):
        for name in dirs + files:
            p = Path(top, name)
            rel = p.relative_to(root).as_posix()
            if skip and (rel == skip or rel.startswith(skip + "/")):
                continue
            out[rel] = ("link", os.readlink(p)) if p.is_symlink() else (p.read_bytes() if p.is_file() else "dir")
    return out


@pytest.fixture
def victim(tmp_path) -> Path:
    """A folder outside the data folder that nothing may touch."""
    folder = tmp_path / "victim"
    (folder / "sub").mkdir(parents=True)
    (folder / "keep.txt").write_text("mine")
    (folder / "sub" / "provenance.json").write_text("{}")
    return folder


def _plant_journals(tmp_data: Path, victim: Path) -> None:
    """Journal-like files naming folders outside and the edition itself, and a folder with such a name."""
    parent = tmp_data / "raw" / "nato"
    for i, (staging, backup) in enumerate([(str(victim), str(victim / "sub")), ("../../../victim", "../victim"),
                                           ("2024-06", "2024-06"), (str(tmp_data / RAW), str(victim))]):
        (parent / f".x{i}.swap.json").write_text(json.dumps({"target": "2024-06", "staging": staging,
                                                               "backup": backup, "keep_old": False}))
    (parent / ".2024-06.swap.json").write_text(json.dumps({"target": "../../../victim", "staging": str(victim),
                                                           "backup": str(victim)}))
    (parent / ".dir.swap.json").mkdir()
    (parent / ".dir.swap.json" / "x").write_text("a folder with a journal's name")


@pytest.mark.parametrize("command", ["load", "quality", "build", "claims", "sources"])
def test_planted_journals_change_nothing_and_a_read_command_writes_only_the_cache(tmp_data, victim, command, capsys):
    _plant_journals(tmp_data, victim)
    (tmp_data / "raw" / "nato" / ".2024-06.new").symlink_to(victim)  # names a killed ingest would leave
    (tmp_data / "raw" / "nato" / ".2031-06.ready").symlink_to(victim)
    outside, before = _snapshot(victim), _snapshot(tmp_data, skip="processed")
    if command == "load":
        assert len(na.load(data_dir=tmp_data)) == 5377
    else:
        assert main(["--data-dir", str(tmp_data), command]) == 0, capsys.readouterr().err
    assert _snapshot(victim) == outside and _snapshot(tmp_data, skip="processed") == before
    assert na.editions(source="nato", data_dir=tmp_data)["edition"].tolist() == ["2024-06"]


def test_an_ingest_among_planted_names_follows_none_and_keeps_the_edition(nato_workbook, tmp_data, victim, tmp_path):
    _plant_journals(tmp_data, victim)
    parent = tmp_data / "raw" / "nato"
    (parent / ".2024-06.new").symlink_to(victim)
    (parent / ".2024-06.ready").symlink_to(victim)
    outside = _snapshot(victim)
    path = write_xlsx(_revised(nato_workbook), tmp_path / "revised.xlsx")
    result = na.ingest(path, data_dir=tmp_data, replace=True, accessed="2026-12-01")
    assert result.status == "replaced" and result.backup.parent == parent / ".backups"
    assert _snapshot(victim) == outside
    # the links with the package's names were removed (the links themselves); the planted journals are left
    assert not os.path.lexists(parent / ".2024-06.new") and not os.path.lexists(parent / ".2024-06.ready")
    assert (parent / ".x0.swap.json").is_file() and (parent / ".dir.swap.json" / "x").is_file()
    assert json.loads((parent / "2024-06" / "provenance.json").read_text())["is_publisher_file"] is False
    assert len(na.load(data_dir=tmp_data)) == 5377


# links -------------------------------------------------------------------------------------------------------

def test_links_in_raw_are_not_editions_and_a_linked_raw_file_is_one_line(tmp_data, victim, capsys):
    (tmp_data / "raw" / "nato" / "2023-06").symlink_to(victim / "sub")  # an "edition" outside the data folder
    (tmp_data / "raw" / "nato" / "2022-06").symlink_to(tmp_data / "nowhere")  # dangling
    assert na.editions(source="nato", data_dir=tmp_data)["edition"].tolist() == ["2024-06"]
    assert store.raw_editions(tmp_data, "nato") == ["2024-06"]
    assert len(na.load(data_dir=tmp_data)) == 5377
    (tmp_data / RAW / "sheets" / "99_extra.csv").symlink_to(victim / "keep.txt")
    assert main(["--data-dir", str(tmp_data), "build", "nato"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith("99_extra.csv is a link; raw data is written by ingest only and links are not followed: "
                        "remove it, or re-ingest the workbook") and len(err.splitlines()) == 1


@pytest.mark.parametrize("dangling", [False, True])
def test_a_processed_folder_that_is_a_link_is_refused_in_one_line(tmp_path, victim, dangling, capsys):
    root = tmp_path / "data"
    (root / "raw").mkdir(parents=True)
    os.symlink(REPO / "data" / "raw" / "nato", root / "raw" / "nato")  # a whole source linked: not read
    (root / "processed").symlink_to(tmp_path / "gone" if dangling else victim)
    outside = _snapshot(victim)
    assert main(["--data-dir", str(root), "build", "nato"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith("processed is a link; the package writes only real folders inside the data folder: remove "
                        "the link") and len(err.splitlines()) == 1
    assert _snapshot(victim) == outside and not (tmp_path / "gone").exists()


def test_a_processed_file_that_is_a_link_is_replaced_not_followed(tmp_data, victim):
    (tmp_data / "processed" / "nato.arrow").symlink_to(victim / "keep.txt")
    (tmp_data / "processed" / "nato.meta.json").symlink_to(victim / "gone.json")  # dangling
    outside = _snapshot(victim)
    assert len(na.load(data_dir=tmp_data)) == 5377
    assert _snapshot(victim) == outside
    assert not (tmp_data / "processed" / "nato.arrow").is_symlink()
    assert (tmp_data / "processed" / "nato.arrow").read_bytes()[:6] == b"ARROW1"


@pytest.mark.parametrize("dangling", [False, True])
def test_a_backups_link_sends_nothing_outside(nato_workbook, tmp_data, victim, tmp_path, dangling, capsys):
    (tmp_data / "raw" / "nato" / ".backups").symlink_to(tmp_path / "gone" if dangling else victim)
    path = write_xlsx(_revised(nato_workbook), tmp_path / "revised.xlsx")
    outside, before = _snapshot(victim), _snapshot(tmp_data / "raw")
    assert main(["--data-dir", str(tmp_data), "ingest", "nato", str(path), "--replace"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith(".backups is a link; the package writes only real folders inside the data folder: remove "
                        "the link") and len(err.splitlines()) == 1
    assert _snapshot(victim) == outside and _snapshot(tmp_data / "raw") == before
    assert not (tmp_path / "gone").exists()


def test_a_data_folder_that_is_a_link_is_refused(tmp_path, victim, capsys):
    (tmp_path / "data").symlink_to(victim)
    outside = _snapshot(victim)
    assert main(["--data-dir", str(tmp_path / "data"), "ingest", "nato", str(require(NATO_XLSX))]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith(f"is a link to {victim}; links are not followed: name the folder itself")
    assert _snapshot(victim) == outside


# kills -------------------------------------------------------------------------------------------------------

def _revised(nato_workbook, ref="N32", sheet="TABLE1", factor=1.001):
    wb = clone(nato_workbook)
    replace_cells(wb.sheet(sheet), lambda c: dataclasses.replace(c, value=c.value * factor) if c.ref == ref else c)
    return wb


KILLER = textwrap.dedent("""
    import os, signal, sys
    import natoanalysis as na
    from natoanalysis import atomic
    step, stop = 0, sys.argv[3]
    real_replace, real_open = os.replace, os.open
    def replace(a, b):
        global step
        step += 1
        if stop == f"rename{step}":
            os.kill(os.getpid(), signal.SIGKILL)
        return real_replace(a, b)
    def open_(path, *a, **k):
        if stop == "staging" and str(path).endswith("05_TABLE5.csv"):
            os.kill(os.getpid(), signal.SIGKILL)
        return real_open(path, *a, **k)
    atomic.os.replace = replace
    atomic.os.open = open_
    na.ingest(sys.argv[1], data_dir=sys.argv[2], replace=True, accessed="2026-12-01")
""")


@pytest.mark.slow
@pytest.mark.parametrize("stop", ["staging", "rename1", "rename2", "rename3"])
def test_a_killed_ingest_loses_no_edition_and_the_next_ingest_settles_it(nato_workbook, tmp_data, tmp_path, stop):
    """Killed while writing, or before each of the three renames (complete; old aside; new in)."""
    path = write_xlsx(_revised(nato_workbook), tmp_path / "revised.xlsx")
    before = _snapshot(tmp_data / RAW)
    script = tmp_path / "kill.py"
    script.write_text(KILLER)
    proc = subprocess.run([sys.executable, str(script), str(path), str(tmp_data), stop], capture_output=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    parent = tmp_data / "raw" / "nato"
    left = sorted(p.name for p in parent.iterdir() if p.name.startswith("."))
    assert left == {"staging": [".2024-06.new"], "rename1": [".2024-06.new"], "rename2": [".2024-06.ready", ".backups"],
                    "rename3": [".2024-06.ready", ".backups"]}[stop]
    raw = _snapshot(tmp_data / "raw")
    df = na.load(data_dir=tmp_data)  # a reader reads what is published, and writes nothing in raw/
    assert df["edition"].unique().tolist() == ["2024-06"] and _snapshot(tmp_data / "raw") == raw
    value = float(df.query("source_sheet == 'TABLE1' and source_cell == 'N32'")["value"].iloc[0])
    old = float(na.load().query("source_sheet == 'TABLE1' and source_cell == 'N32'")["value"].iloc[0])
    # past the rename that moved the old folder aside, the new one is the edition (read from .2024-06.ready)
    assert value == pytest.approx(old * 1.001 if stop == "rename3" else old, rel=1e-12)
    result = na.ingest(path, data_dir=tmp_data, replace=True, accessed="2026-12-01")  # the next writer settles
    assert result.status == ("unchanged" if stop == "rename3" else "replaced")
    assert sorted(p.name for p in parent.iterdir() if p.name.startswith(".")) == [".backups"]
    (backup,) = (parent / ".backups").iterdir()
    assert _snapshot(backup) == before  # the previous transcription, whole


# full disk, file-size limit, read-only folder ----------------------------------------------------------------

FAULT = textwrap.dedent("""
    import errno, os, sys
    root, fault, argv = os.path.realpath(sys.argv[1]), sys.argv[2], sys.argv[3:]
    real_open, real_mkdir, real_replace = os.open, os.mkdir, os.replace
    def inside(path):
        return os.path.realpath(path).startswith(root + os.sep)
    def open_(path, flags, *a, **k):
        if inside(path) and flags & (os.O_WRONLY | os.O_RDWR) and not str(path).endswith(".lock"):
            if fault == "enospc":
                return real_open("/dev/full", os.O_WRONLY)  # every write there: "No space left on device"
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *a, **k)
    def mkdir(path, *a, **k):
        if fault == "erofs" and inside(path):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_mkdir(path, *a, **k)
    def replace(a, b, **k):
        if fault == "erofs" and inside(b):
            raise OSError(errno.EROFS, "Read-only file system", str(a))
        return real_replace(a, b, **k)
    if fault != "efbig":
        os.open, os.mkdir, os.replace = open_, mkdir, replace
    from natoanalysis.cli import main
    sys.exit(main(argv))
""")


def _run(tmp_path, root: Path, fault: str, *argv: str) -> subprocess.CompletedProcess:
    script = tmp_path / "fault.py"
    script.write_text(FAULT)

    def limit():  # `ulimit -f`: past 16 KiB a write fails with EFBIG (SIGXFSZ ignored, as the CLI also does)
        import resource
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 1024, 16 * 1024))

    return subprocess.run([sys.executable, str(script), str(root), fault, "--data-dir", str(root), *argv],
                          capture_output=True, text=True, cwd=REPO, preexec_fn=limit if fault == "efbig" else None)


def _one_line(proc: subprocess.CompletedProcess, command: str, *words: str) -> None:
    assert proc.returncode not in (0, None) and proc.returncode > 0, (proc.returncode, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"natoanalysis {command}: error: "), proc.stderr
    assert all(w in lines[0] for w in words), lines[0]


MESSAGES = {"enospc": "No space left on device", "efbig": "File too large", "erofs": "Read-only file system"}


@pytest.mark.slow
@pytest.mark.parametrize("fault", ["enospc", "efbig", "erofs"])
def test_a_write_that_fails_is_one_line_and_claims_nothing(tmp_data, tmp_path, fault):
    raw = _snapshot(tmp_data / "raw")
    # build: the table cannot be written, so no "nato: 5377 rows" either
    proc = _run(tmp_path, tmp_data, fault, "build", "nato")
    _one_line(proc, "build", MESSAGES[fault])
    assert proc.stdout == "" and not (tmp_data / "processed" / "nato.arrow").exists()
    # a read command that must write the cache first
    _one_line(_run(tmp_path, tmp_data, fault, "claims"), "claims", MESSAGES[fault])
    _one_line(_run(tmp_path, tmp_data, fault, "quality"), "quality", MESSAGES[fault])
    # ingest of a new edition (a fresh data folder) and a replacement of the existing one
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    _one_line(_run(tmp_path, fresh, fault, "ingest", "nato", str(require(NATO_XLSX))), "ingest", MESSAGES[fault])
    assert not (fresh / RAW).exists()
    assert _snapshot(tmp_data / "raw") == raw


@pytest.mark.slow
def test_a_read_only_folder_with_its_cache_serves_it(tmp_data, tmp_path):
    """A read-only copy of a built data folder still answers every read command: nothing needs writing."""
    na.build(data_dir=tmp_data)
    proc = _run(tmp_path, tmp_data, "erofs", "quality")
    assert proc.returncode == 0 and "share_equals_ratio" in proc.stdout, proc.stderr


# portability --------------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_the_library_works_where_fcntl_does_not_exist(tmp_data, tmp_path):
    code = textwrap.dedent(f"""
        import sys, warnings
        sys.modules["fcntl"] = None  # as on Windows: `import fcntl` raises ImportError
        warnings.simplefilter("ignore")  # filelock says it falls back to a lock file of its own
        import natoanalysis as na
        df = na.load(data_dir={str(tmp_data)!r})  # builds the cache: the data folder's lock is taken
        share = na.burden_share(year=2024, data=df)
        from natoanalysis import charts
        fig = charts.share_gdp_bars(df, year=2024)
        charts.save(fig, "bars", directory={str(tmp_path / "figures")!r})
        print(len(df), round(float(share["usa_defence_share_pct"]), 1))
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["5377", "65.6"]
    assert (tmp_data / "processed" / "nato.arrow").is_file() and list((tmp_path / "figures").iterdir())

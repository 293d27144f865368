"""The runner's console and housekeeping, without kernels: messages, listings, pipes, pruning.

Fast tier: nothing here starts a kernel (``execute.run_jobs`` is replaced where a
run is asked for), so these run in ``make test-fast``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from natoanalysis import cli
from natoanalysis.reports import execute
from natoanalysis.reports.rundir import RUN_ID

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "notebooks"


@pytest.fixture
def no_kernels(monkeypatch):
    monkeypatch.setattr(execute, "run_jobs", lambda *a, **k: pytest.fail("a kernel would have started"))


def _entry(status: str, duration_s: float | None) -> dict:
    error = None if status == "ok" else {"ename": "ZeroDivisionError", "evalue": "division by zero"}
    return {"status": status, "duration_s": duration_s, "error": error,
            "outputs": {"ipynb": None, "html": None, "log": None, "figures": [], "tables": []}}


@pytest.fixture
def fake_kernels(monkeypatch):
    """Runs without kernels: ``execute.execute`` is faked (``09_fails`` fails, the others take 1.25 s).

    Returns the tasks each call of ``run_jobs`` was given.
    """
    calls, run_jobs = [], execute.run_jobs

    def recorded(tasks, **kwargs):
        calls.append(tasks)
        return run_jobs(tasks, **kwargs)
    monkeypatch.setattr(execute, "run_jobs", recorded)
    monkeypatch.setattr(execute, "execute", lambda task, kernels: _entry(
        "failed" if task.notebook == "09_fails" else "ok", None if task.notebook == "09_fails" else 1.25))
    return calls


def test_a_bad_parameter_is_reported_once_for_every_notebook_that_declares_it(tmp_path, capsys, no_kernels):
    status = cli.main(["report", "-p", "edition", "1999-01", "--out", str(tmp_path / "r"),
                       "--notebook-dir", str(FIXTURES)])
    lines = capsys.readouterr().err.splitlines()
    assert status == 2
    # 00_fast and 05_profile declare edition; 05_profile would otherwise repeat it for each of 32 allies.
    assert lines == ["natoanalysis report: error: edition '1999-01' is not bundled for nato; accepted: 2024-06, "
                     "or 'latest' (in 2 notebooks: 00_fast, 05_profile)"]
    assert not (tmp_path / "r").exists()


def test_a_problem_of_one_notebook_still_names_it_first(tmp_path, capsys, no_kernels):
    status = cli.main(["report", "-p", "year", "1999", "-p", "seconds", "soon", "--out", str(tmp_path / "r"),
                       "--notebook-dir", str(FIXTURES)])
    assert status == 2
    assert capsys.readouterr().err.splitlines() == [
        "natoanalysis report: error: 00_fast: year 1999 is outside edition 2024-06; accepted: 2014 to 2024",
        "natoanalysis report: error: 07_sleeps: parameter seconds='soon' expects a number (float), e.g. 2 or 2.5"]


@pytest.mark.parametrize("argv, status", [
    (["claims"], cli.EXIT_BROKEN_PIPE), (["claims", "--format", "json"], cli.EXIT_BROKEN_PIPE),
    (["sources"], cli.EXIT_BROKEN_PIPE), (["quality"], cli.EXIT_BROKEN_PIPE),
    (["report", "--list"], cli.EXIT_BROKEN_PIPE),
    (["--help"], 0),  # argparse drops what it cannot write and exits as asked
])
def test_output_into_a_closed_pipe_ends_quietly(argv, status):
    # The reader has gone before the first byte is written, so every write meets a closed pipe.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run([sys.executable, "-m", "natoanalysis", *argv], stdout=write_end,
                              stderr=subprocess.PIPE, text=True, cwd=REPO)
    finally:
        os.close(write_end)
    assert (proc.returncode, proc.stderr) == (status, "")


def test_errors_into_a_closed_pipe_end_quietly_too():
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run([sys.executable, "-m", "natoanalysis", "report", "--jobs", "0"],
                              stdout=subprocess.PIPE, stderr=write_end, text=True, cwd=REPO)
    finally:
        os.close(write_end)
    assert (proc.returncode, proc.stdout) == (cli.EXIT_BROKEN_PIPE, "")


def test_report_list_names_every_notebook_and_parameter_within_100_columns(capsys):
    from natoanalysis.reports import list_notebooks

    assert cli.main(["report", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line for line in lines if len(line) > cli.LIST_WIDTH] == []
    table = list_notebooks()
    assert [line for line in lines if not line.startswith(" ")] == [
        stem + ("  (runs once per ally: --countries)" if per_country else "")
        for stem, per_country in dict(zip(table["notebook"], table["is_per_country"])).items()]
    heads = [line.split(" = ")[0].strip() for line in lines if line.startswith("  ") and " = " in line]
    assert heads == [f"{p}: {t}" for p, t in zip(table["parameter"], table["type_name"])]


def test_report_list_of_the_fixtures_reads_as_a_listing(capsys):
    assert cli.main(["report", "--list", "--notebook-dir", str(FIXTURES)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "00_fast",
        '  edition: str = "latest"  NATO edition or "latest"',
        "  year: int = 2024         year to show",
        "  target_pct: float = 2.0  guideline, % of GDP",
        "05_profile  (runs once per ally: --countries)",
        '  country: str = "POL"     ally ISO3 code',
        '  edition: str = "latest"  NATO edition',
        "07_sleeps",
        "  seconds: float = 0.0  how long to sleep",
        "09_fails",
        "  divisor: int = 0  0 makes the notebook fail",
    ]


def test_report_list_wraps_long_defaults_and_help_within_100_columns(tmp_path, capsys):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        f"countries: list[str] = {['POL'] * 60!r}  # {'allies to compare, ' * 20}\n"
        f"label: str = {'x' * 250!r}  # {'y' * 180}\n"
        "top_n: int = 3  # short", metadata={"tags": ["parameters"]})]
    nbformat.write(nb, tmp_path / "01_long.ipynb")
    nb.cells = [nbformat.v4.new_markdown_cell("no parameters cell")]
    nbformat.write(nb, tmp_path / "02_bare.ipynb")
    assert cli.main(["report", "--list", "--notebook-dir", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert max(len(line) for line in lines) <= cli.LIST_WIDTH
    assert lines[0] == "01_long" and lines[-2:] == ["02_bare", "  no parameters"]
    text = " ".join(lines)
    assert (text.count("'POL'"), text.count("x"), text.count("y")) == (60, 250, 180)  # wrapped, not cut
    assert lines[-3] == "  top_n: int = 3  short"


def test_library_versions_are_those_the_libraries_report_themselves():
    import importlib
    import platform

    from natoanalysis.reports import manifest

    versions = manifest.library_versions()
    assert versions.pop("python") == platform.python_version()
    assert versions == {name: importlib.import_module(name).__version__ for name in (
        "natoanalysis", "pandas", "numpy", "matplotlib", "seaborn", "pyarrow", "ipykernel",
        "papermill", "nbconvert", "nbformat", "jupyter_client")}


def test_without_a_terminal_each_finished_notebook_prints_one_line(tmp_path, capsys, fake_kernels):
    from natoanalysis.reports import run

    result = run(notebooks=["00", "05", "09"], countries="POL,DEU", jobs=1, out_dir=tmp_path,
                 notebook_dir_path=FIXTURES, check=False)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == f"report {result.run_id}: 4 notebooks on 1 worker"
    # In the order they finished, counted as they finish.
    assert sorted(line[:-5] for line in lines[1:]) == [
        "00_fast         ok        1.2 s",
        "05_profile_DEU  ok        1.2 s",
        "05_profile_POL  ok        1.2 s",
        "09_fails        failed      - s",
    ]
    assert [line[-5:] for line in lines[1:]] == ["  1/4", "  2/4", "  3/4", "  4/4"]


def test_quiet_prints_no_progress(tmp_path, capsys, fake_kernels):
    from natoanalysis.reports import run

    run(notebooks=["00"], jobs=1, out_dir=tmp_path, notebook_dir_path=FIXTURES, quiet=True)
    assert capsys.readouterr().err == ""


def test_on_a_terminal_the_lines_give_way_to_the_progress_bar(tmp_path, monkeypatch, fake_kernels):
    import io

    from natoanalysis.reports import run

    class Terminal(io.StringIO):
        def isatty(self):
            return True
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    result = run(notebooks=["00", "05"], countries="POL", jobs=1, out_dir=tmp_path, notebook_dir_path=FIXTURES)
    bar = terminal.getvalue()
    assert f"report {result.run_id}: 100%" in bar and "2/2" in bar  # tqdm's bar, and no line beside it
    assert "00_fast  " not in bar and "notebooks on" not in bar


def test_a_log_reader_that_goes_away_does_not_stop_the_run(tmp_path, monkeypatch, fake_kernels):
    from natoanalysis.reports import run

    class ClosedPipe:
        def isatty(self):
            return False

        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            pass
    monkeypatch.setattr(sys, "stderr", ClosedPipe())
    result = run(notebooks=["00"], jobs=1, out_dir=tmp_path, notebook_dir_path=FIXTURES)
    assert result.is_complete and (tmp_path / result.run_id / "manifest.json").is_file()


def _suite(tmp_path: Path, *stems: str) -> Path:
    """A notebook folder holding copies of some fixtures: its full suite is those notebooks."""
    import shutil

    folder = tmp_path / "notebooks"
    folder.mkdir()
    for stem in stems:
        shutil.copy(FIXTURES / f"{stem}.ipynb", folder / f"{stem}.ipynb")
    return folder


def _runs(out: Path) -> set[str]:
    return {p.name for p in out.iterdir() if RUN_ID.match(p.name)} if out.is_dir() else set()


def _report(capsys, *argv: str, out: Path) -> tuple[int, list[str], str]:
    """``natoanalysis report ... --out OUT``: its status, its stdout lines and the run it made."""
    before = _runs(out)
    status = cli.main(["report", "--jobs", "1", *argv, "--out", str(out)])
    [made] = _runs(out) - before
    return status, capsys.readouterr().out.splitlines(), made


def test_only_a_full_suite_moves_latest_and_a_partial_run_says_where_it_went(tmp_path, capsys, fake_kernels):
    import json
    import os

    folder, out = _suite(tmp_path, "00_fast", "05_profile"), tmp_path / "reports"
    common = ["--notebook-dir", str(folder), "--quiet"]

    status, lines, partial = _report(capsys, "05", "--countries", "POL", *common, out=out)
    assert status == 0 and not os.path.lexists(out / "latest")
    assert lines == [f"report {partial}: 1 notebook in {_duration(out / partial)} s -> {out / partial / 'index.html'}; "
                     "a partial run (not every notebook and ally), so 'latest' was not moved (there is none yet)"]

    status, lines, full = _report(capsys, *common, out=out)  # every notebook, the profile for all 32 allies
    assert status == 0 and len(fake_kernels[-1]) == 33 and os.readlink(out / "latest") == full
    assert lines[0].endswith("; 'latest' points here")

    status, lines, _ = _report(capsys, "00", *common, out=out)
    assert status == 0 and os.readlink(out / "latest") == full
    assert lines[0].endswith(f"so 'latest' was not moved (it points at {full})")
    flags = {name: json.loads((out / name / "manifest.json").read_text())["is_full_suite"] for name in _runs(out)}
    assert sorted(flags.values()) == [False, False, True] and flags[full] is True


def _duration(run_dir: Path) -> str:
    import json

    return f"{json.loads((run_dir / 'manifest.json').read_text())['duration_s']:.1f}"


def test_a_full_run_takes_latest_from_a_newer_run_of_an_earlier_version(tmp_path, capsys, fake_kernels):
    import os

    folder, out = _suite(tmp_path, "00_fast"), tmp_path / "reports"
    legacy = out / "29990101T000000Z-aaaaaa"  # newer than any run made now; no is_full_suite in its manifest
    legacy.mkdir(parents=True)
    (legacy / "manifest.json").write_text('{"status": "complete"}')
    os.symlink(legacy.name, out / "latest")
    status, lines, made = _report(capsys, "--notebook-dir", str(folder), "--quiet", out=out)
    assert status == 0 and lines[0].endswith("; 'latest' points here") and os.readlink(out / "latest") == made


def _fake_run(out: Path, run_id: str, *, size: int = 0, manifest: bool = True) -> Path:
    folder = out / run_id
    (folder / "html").mkdir(parents=True)
    if manifest:
        (folder / "manifest.json").write_text('{"status": "complete"}')
    (folder / "html" / "page.html").write_bytes(b"x" * size)
    return folder


def test_clean_removes_only_old_run_folders_and_says_which(tmp_path, capsys):
    from natoanalysis.reports import rundir

    out, outside = tmp_path / "reports", tmp_path / "elsewhere"
    old = [_fake_run(out, f"2026010{d}T000000Z-aaaaaa", size=100_000 * d) for d in range(1, 7)]
    os.symlink(old[0].name, out / "latest")  # the oldest run is still what latest shows: it stays
    _fake_run(outside, "20990101T000000Z-ffffff", size=10)
    os.symlink(outside / "20990101T000000Z-ffffff", out / "20250101T000000Z-bbbbbb")  # a link: never followed
    _fake_run(out, "20250102T000000Z-cccccc", manifest=False)  # no manifest: not recognisably a run
    (out / "notes").mkdir()
    live = rundir.Staging.begin(out, "20250103T000000Z-dddddd")  # a run in progress
    try:
        before = sorted(p.name for p in out.iterdir())
        assert cli.main(["clean", "--keep", "2", "--out", str(out), "--dry-run"]) == 0
        dry = capsys.readouterr().out.splitlines()
        assert sorted(p.name for p in out.iterdir()) == before
        assert cli.main(["clean", "--keep", "2", "--out", str(out)]) == 0
        lines = capsys.readouterr().out.splitlines()
        assert sorted(p.name for p in out.iterdir()) == sorted({*before, ".latest.lock"} - {p.name for p in old[1:4]})
        assert live.path.is_dir() and (outside / "20990101T000000Z-ffffff" / "html" / "page.html").is_file()
    finally:
        live.discard()
    gone = [p.name for p in old[1:4]]
    assert lines == [f"removed {out / g}" for g in gone] + [f"clean: removed 3 old runs; 3 runs kept in {out}"]
    assert dry == [f"would remove {out / g}" for g in gone] + [f"clean: would remove 3 old runs; 3 runs kept in {out}"]


def test_a_clean_up_killed_half_way_is_finished_by_the_next(tmp_path, capsys, monkeypatch):
    from natoanalysis.reports import rundir

    out = tmp_path / "reports"
    _fake_run(out, "20260101T000000Z-aaaaaa")
    half = _fake_run(out, "20250101T000000Z-aaaaaa", size=5000)

    def killed(path, *args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(rundir.shutil, "rmtree", killed)
    assert cli.main(["clean", "--out", str(out)]) == 130
    # Left under a hidden staging name that no live run holds, so the next clean-up (or run) removes it.
    assert not half.exists() and (out / f".{half.name}.tmp" / "html" / "page.html").is_file()
    monkeypatch.undo()
    assert cli.main(["clean", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [".latest.lock", "20260101T000000Z-aaaaaa"]


def test_report_keep_prunes_after_a_complete_run_only(tmp_path, capsys, fake_kernels):
    import os

    folder, out = _suite(tmp_path, "00_fast", "09_fails"), tmp_path / "reports"
    full = _fake_run(out, "20200101T000000Z-aaaaaa")
    (full / "manifest.json").write_text('{"is_full_suite": true}')
    os.symlink(full.name, out / "latest")
    older = [_fake_run(out, f"2020010{d}T000000Z-bbbbbb") for d in (2, 3, 4)]

    status = cli.main(["report", "--keep", "1", "--quiet", "--out", str(out), "--notebook-dir", str(folder)])
    captured = capsys.readouterr()
    assert status == 1 and captured.err.splitlines()[-1].endswith("; no old run removed (--keep)")
    assert all(p.is_dir() for p in older)

    [failed] = _runs(out) - {full.name, *(p.name for p in older)}
    status, lines, made = _report(capsys, "00", "--keep", "2", "--quiet", "--notebook-dir", str(folder), out=out)
    assert status == 0
    # Kept: the two newest (this run and the failed one) and the full run latest points at.
    assert _runs(out) == {made, failed, full.name}
    assert not any(p.exists() for p in older)
    assert lines[1:] == [f"removed {p}" for p in older] + [f"report: removed 3 old runs; 3 runs kept in {out}"]


def test_keep_must_be_a_whole_number(tmp_path, capsys, no_kernels):
    assert cli.main(["report", "00", "--keep", "-1", "--out", str(tmp_path), "--notebook-dir", str(FIXTURES)]) == 2
    assert cli.main(["clean", "--keep", "x", "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "natoanalysis report: error: --keep must be a whole number >= 0, got -1",
        "natoanalysis clean: error: argument --keep: expects a whole number, got 'x' (see natoanalysis clean --help)"]

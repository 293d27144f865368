"""Report runner under attack: killed runs, data changing under a run, hostile values, resource bounds.

Each test reproduces a way the runner was broken (see the commit messages) and
checks what it does now. Waits are for conditions (a file appearing, a process
exiting) with generous bounds, never fixed sleeps, so the tests hold on a loaded
machine; the notebooks are tiny, so memory stays small.
"""

from __future__ import annotations

import importlib
import json
import math
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from natoanalysis import cli
from natoanalysis.reports import ReportFailedError, ReportParameterError, execute, rundir, run

run_module = importlib.import_module("natoanalysis.reports.run")  # the package's `run` is the function

from .test_reports import CLI, FIXTURES, REPO, _write_notebook, fast_suite

# Slow tier (make test): subprocesses, kernels, signals or large generated inputs.
pytestmark = pytest.mark.slow

BOUND_S = 180  # upper bound of every wait: only reached when something is broken
LINUX = sys.platform.startswith("linux")


@pytest.fixture(scope="module", autouse=True)
def _kernel():
    from jupyter_client.kernelspec import KernelSpecManager
    if "natoanalysis" not in KernelSpecManager().find_kernel_specs():
        pytest.skip("the 'natoanalysis' Jupyter kernel is not installed; run `make venv`")


def _wait_for(condition, what: str, bound_s: float = BOUND_S):
    """Poll ``condition`` until it is true; fail naming ``what`` after ``bound_s`` (a guard, not a delay)."""
    deadline = time.monotonic() + bound_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"gave up after {bound_s} s waiting for {what}")
        time.sleep(0.05)


def _state(pid: int) -> str | None:
    """The process state letter from /proc (``None`` when there is no such process)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return text.rsplit(")", 1)[1].split()[0]


def _alive(pid: int) -> bool:
    return _state(pid) not in (None, "Z", "X")  # a zombie has exited; only its parent has not reaped it


def _descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (workers, kernels, helpers such as a resource tracker)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in out:
                out.add(child)
                todo.append(child)
    return out


SLEEPER = ("import os, time\nfrom pathlib import Path\n"
           "Path(os.environ['NATOANALYSIS_FIGURE_DIR'], 'pids').write_text(f'{os.getpid()} {os.getppid()}')\n"
           "time.sleep(seconds)")


def _sleepers(folder: Path, stems=("01_sleep_a", "02_sleep_b")) -> Path:
    for stem in stems:
        _write_notebook(folder / f"{stem}.ipynb", parameters="seconds: float = 600.0  # how long", cells=[SLEEPER])
    return folder


def _previous_run(out: Path) -> str:
    previous = out / "20200101T000000Z-aaaaaa"
    previous.mkdir(parents=True)
    (previous / "manifest.json").write_text("{}", encoding="utf-8")
    os.symlink(previous.name, out / "latest")
    return previous.name


def _start_sleeping_run(tmp_path: Path, **popen):
    out = tmp_path / "reports"
    previous = _previous_run(out)
    folder = _sleepers(tmp_path / "nb")
    proc = subprocess.Popen(CLI + ["report", "--jobs", "2", "--quiet", "--out", str(out), "--notebook-dir",
                                   str(folder)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=tmp_path, **popen)

    def both_started():
        if proc.poll() is not None:
            pytest.fail(f"the run ended early: {proc.communicate()}")
        files = list(out.glob(".*.tmp/figures/*/pids"))
        texts = [f.read_text() for f in files]
        return len(files) == 2 and all(len(t.split()) == 2 for t in texts) and texts
    texts = _wait_for(both_started, "both kernels to be inside their notebooks")
    kernels = {int(t.split()[0]) for t in texts}
    workers = {int(t.split()[1]) for t in texts}
    return proc, out, previous, kernels, workers


@pytest.mark.skipif(not LINUX, reason="reads /proc")
def test_a_run_killed_outright_takes_its_kernels_with_it(tmp_path, monkeypatch):
    proc, out, previous, kernels, parents = _start_sleeping_run(tmp_path)
    below = _descendants(proc.pid)
    try:
        assert kernels <= below and parents == {proc.pid}  # no worker processes between
        proc.kill()
        proc.wait(timeout=BOUND_S)
        assert len(list(out.glob(".*.tmp"))) == 1  # what a SIGKILL leaves: the run could not clean up
        # The next run, started at once, removes it: the dead run's lock is free.
        monkeypatch.setattr(execute, "run_jobs", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt))
        with pytest.raises(KeyboardInterrupt):
            run(notebooks=["00_fast"], out_dir=out, notebook_dir_path=FIXTURES, quiet=True)
        assert sorted(p.name for p in out.iterdir()) == [previous, "latest"]
        _wait_for(lambda: not any(_alive(p) for p in below),
                  f"the kernels of the killed run to exit (ipykernel polls its parent): "
                  f"{sorted((p, _state(p)) for p in below if _alive(p))}")
        proc.communicate(timeout=BOUND_S)  # the pipes close once the last process holding them is gone
    finally:
        for pid in below:  # clean up after a failure, so that no process outlives the test
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.skipif(not LINUX, reason="reads /proc")
def test_ctrl_c_stops_everything_cleans_up_and_says_so_in_one_line(tmp_path):
    # A new session, so that the signal can go to the whole process group as a terminal's Ctrl-C does;
    # SIGINT at its default, as in a terminal's foreground job (a shell starts background jobs, such as
    # `pytest ... &` in a script, with SIGINT ignored, and Python keeps an ignored SIGINT ignored).
    proc, out, previous, kernels, workers = _start_sleeping_run(
        tmp_path, start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        below = _descendants(proc.pid)
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=BOUND_S)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert err == "natoanalysis report: interrupted; nothing was published\n"
    assert sorted(p.name for p in out.iterdir()) == [previous, "latest"]
    assert not any(_alive(p) for p in kernels)  # the run stopped its kernels before it ended


@pytest.mark.skipif(not LINUX, reason="reads /proc")
def test_sigterm_to_the_runner_alone_stops_its_kernels(tmp_path):
    proc, out, previous, kernels, workers = _start_sleeping_run(tmp_path)
    try:
        below = _descendants(proc.pid)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=BOUND_S)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143, err
    assert err == "natoanalysis report: interrupted; nothing was published\n"
    assert sorted(p.name for p in out.iterdir()) == [previous, "latest"]
    assert not any(_alive(p) for p in kernels)  # the run stopped its kernels before it ended


def test_a_kernel_that_dies_fails_its_notebook_and_the_others_run(tmp_path):
    """SIGKILL of a kernel (the OOM killer) fails that notebook only."""
    folder = tmp_path / "nb"
    _write_notebook(folder / "01_kills_kernel.ipynb", parameters="x: int = 0  # unused", cells=[
        "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"])
    _write_notebook(folder / "02_fine.ipynb", parameters="x: int = 0  # unused", cells=["print('fine')"])
    result = run(jobs=1, out_dir=tmp_path / "reports", quiet=True, notebook_dir_path=folder, check=False)
    entries = {nb["name"]: nb for nb in result.manifest["notebooks"]}
    assert entries["02_fine"]["status"] == "ok" and entries["01_kills_kernel"]["status"] == "failed"
    assert entries["01_kills_kernel"]["error"]["ename"] == "DeadKernelError"
    assert result.failure_messages()[0].startswith("notebook 01_kills_kernel failed: DeadKernelError: ")


def _first_start(monkeypatch, change) -> list:
    """Make the first kernel start of the run ``change`` its manager; return the managers started."""
    from jupyter_client import AsyncKernelManager

    start, started = AsyncKernelManager.start_kernel, []

    async def patched(self, **kw):
        if not started:
            change(self, kw)
        started.append(self)
        return await start(self, **kw)
    monkeypatch.setattr(AsyncKernelManager, "start_kernel", patched)
    return started


def test_a_kernel_that_loses_the_port_race_is_started_again(tmp_path, monkeypatch):
    """Another process took a port the kernel was given (jupyter_client#276): it dies with ZMQError "Address
    already in use"; the runner starts it again on fresh ports and the run is complete."""
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]

    def on_taken_port(km, kw):
        km.cache_ports, km.shell_port = False, port  # as if another process had bound it meanwhile
    started = _first_start(monkeypatch, on_taken_port)
    with taken:
        result = run(notebooks=["00_fast"], notebook_dir_path=FIXTURES, out_dir=tmp_path, quiet=True)
    assert result.is_complete and [nb["status"] for nb in result.manifest["notebooks"]] == ["ok"]
    assert [km.shell_port == port for km in started] == [True, False]
    log = result.run_dir / "logs" / "00_fast.log"  # the log is the kernel's that ran the notebook
    assert not log.exists() or "Address already in use" not in log.read_text()


def test_a_kernel_that_dies_at_start_otherwise_is_not_started_again(tmp_path, monkeypatch):
    def dies(km, kw):
        kw["extra_arguments"] = [*kw.get("extra_arguments", []), "--IPKernelApp.exec_lines=import os; os._exit(3)"]
    started = _first_start(monkeypatch, dies)
    result = run(notebooks=["00_fast"], notebook_dir_path=FIXTURES, out_dir=tmp_path, quiet=True, check=False)
    assert len(started) == 1 and not result.is_complete
    assert result.failure_messages() == ["notebook 00_fast failed: RuntimeError: Kernel died before replying to "
                                         "kernel_info"]


def test_stale_staging_folders_are_removed_whatever_they_hold(tmp_path):
    """A staging folder whose lock is free is stale, with or without a lock file; a held lock keeps a folder."""
    from filelock import FileLock

    def staging(run_id: str, lock: bool = False) -> Path:
        path = tmp_path / f".{run_id}.tmp"
        (path / "notebooks").mkdir(parents=True)
        (path / "notebooks" / "x.ipynb").write_text("{}")
        if lock:
            (tmp_path / f".{run_id}.lock").write_text("")
        return path

    staging("20200101T000000Z-000001")                                   # no lock file
    staging("20200101T000000Z-000002", lock=True)                        # lock file, nobody holds it
    live = staging("20200101T000000Z-000004", lock=True)                 # a live run holds its lock
    (tmp_path / ".20200101T000000Z-000006.lock").write_text("")           # lock of a run killed after publishing
    (tmp_path / ".latest.lock").write_text("")
    (tmp_path / ".other.tmp").mkdir()                                    # not a run's name: not ours
    with FileLock(tmp_path / ".20200101T000000Z-000004.lock"):
        removed = rundir.remove_abandoned(tmp_path)
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
            [live.name, ".20200101T000000Z-000004.lock", ".latest.lock", ".other.tmp"])
    assert removed == [".20200101T000000Z-000001.tmp", ".20200101T000000Z-000002.tmp",
                       ".20200101T000000Z-000006.lock"]
    # Once the lock is released, the folder is stale too.
    assert rundir.remove_abandoned(tmp_path) == [live.name]


def test_a_run_holds_the_lock_of_its_staging_folder_until_it_ends(tmp_path, monkeypatch):
    seen = {}

    def fake_run_jobs(tasks, **kwargs):
        [staging] = list(tmp_path.glob(".*.tmp"))
        seen["kept"] = rundir.remove_abandoned(tmp_path) == [] and staging.is_dir()
        return [_ok_entry() for _ in tasks]
    monkeypatch.setattr(execute, "run_jobs", fake_run_jobs)
    result = run(notebooks=["00_fast"], out_dir=tmp_path, notebook_dir_path=FIXTURES, quiet=True)
    assert seen == {"kept": True}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([result.run_id, ".latest.lock"])


def _ok_entry() -> dict:
    return {"status": "ok", "error": None, "duration_s": 0.01,
            "outputs": {"ipynb": None, "html": None, "log": None, "figures": [], "tables": []}}


# -- 2. provenance: inputs that change while the run reads them ------------------------------------------

def test_data_changed_during_the_run_marks_it_inconsistent(tmp_path, tmp_data, capsys):
    out = tmp_path / "reports"
    previous = _previous_run(out)
    folder = tmp_path / "nb"
    changed = "nato/2024-06/sheets/03_TABLE3.csv"
    _write_notebook(folder / "01_edits_data.ipynb", parameters="x: int = 0  # unused", cells=[
        "import os\nfrom pathlib import Path\n"
        f"p = Path(os.environ['NATOANALYSIS_DATA_DIR'], 'raw', {changed!r})\n"
        "p.write_text(p.read_text() + '\\n')"])
    status = cli.main(["--data-dir", str(tmp_data), "report", "--quiet", "--jobs", "1", "--out", str(out),
                       "--notebook-dir", str(folder)])
    err = capsys.readouterr().err
    assert status == 1, err
    assert f"raw/{changed}" in err and "changed while the run read them" in err
    [run_dir] = [p for p in out.iterdir() if p.is_dir() and not p.is_symlink() and p.name != previous]
    assert os.readlink(out / "latest") == previous
    m = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert m["status"] == "inconsistent" and m["failed"] == []
    assert m["inputs"]["changed"] == [f"raw/{changed}"]
    assert (run_dir / rundir.INCONSISTENT).is_file() and f"raw/{changed}" in (run_dir / rundir.INCONSISTENT).read_text()
    # The home page is still written, and says why it has no key figures.
    home = (run_dir / "index.html").read_text(encoding="utf-8")
    assert "The key figures could not be computed" in home and "does not match the sha256" in home


def test_a_notebook_edited_during_the_run_marks_it_inconsistent(tmp_path):
    folder = tmp_path / "nb"
    _write_notebook(folder / "01_edits_itself.ipynb", parameters="x: int = 0  # unused", cells=[
        "from pathlib import Path\np = Path('01_edits_itself.ipynb')\np.write_text(p.read_text() + ' ')"])
    with pytest.raises(ReportFailedError, match=r"01_edits_itself\.ipynb") as info:
        run(jobs=1, out_dir=tmp_path / "reports", quiet=True, notebook_dir_path=folder)
    result = info.value.result
    assert not result.is_complete and result.manifest["status"] == "inconsistent"
    assert not (tmp_path / "reports" / "latest").exists()


# -- 3. the Python API and its values --------------------------------------------------------------------

class EvilInt(int):
    """Says 2024 to comparisons and the manifest, and code to whatever formats it."""

    def __format__(self, spec):
        return "__import__('pathlib').Path('PWNED').write_text('pwned') and 2024"

    __repr__ = __str__ = lambda self: self.__format__("")


class EvilStr(str):
    def __format__(self, spec):
        return "x'; open('PWNED', 'w')  #"

    __repr__ = __str__ = lambda self: self.__format__("")


class EvilFloat(float):
    __format__ = EvilInt.__format__
    __repr__ = __str__ = lambda self: self.__format__("")


def test_parameter_values_reach_the_kernel_as_plain_builtins(tmp_path):
    folder = tmp_path / "nb"
    _write_notebook(folder / "01_shows.ipynb",
                    parameters="year: int = 2000  # a year\nlabel: str = 'a'  # text\nshare: float = 1.0  # number",
                    cells=["print(type(year).__name__, year, type(label).__name__, label, type(share).__name__, share)"])
    result = run(jobs=1, out_dir=tmp_path / "reports", quiet=True, notebook_dir_path=folder,
                 parameters={"year": EvilInt(2024), "label": EvilStr("POL"), "share": EvilFloat(2.5)})
    assert not (folder / "PWNED").exists()
    import nbformat
    nb = nbformat.read(result.run_dir / "notebooks" / "01_shows.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert printed.strip() == "int 2024 str POL float 2.5"
    [entry] = result.manifest["notebooks"]
    assert entry["parameters"] == {"year": 2024, "label": "POL", "share": 2.5}
    assert result.manifest["request"]["parameters"] == {"year": 2024, "label": "POL", "share": 2.5}


@pytest.mark.parametrize("value, expected", [
    (object(), "00_fast: parameter year=<object object at "), ({"a": 1}, "00_fast: parameter year={'a': 1} "),
    (b"2024", "00_fast: parameter year=b'2024' "), (1 + 2j, "00_fast: parameter year=(1+2j) "),
    ([2024, object()], "00_fast: parameter year=[2024, <object object at "),
])
def test_parameter_values_of_other_types_are_refused_with_the_accepted_types(tmp_path, monkeypatch, value,
                                                                              expected):
    monkeypatch.setattr(execute, "run_jobs", lambda *a, **k: pytest.fail("a kernel would have started"))
    with pytest.raises(ReportParameterError) as info:
        run(notebooks=["00_fast"], parameters={"year": value}, out_dir=tmp_path / "r", notebook_dir_path=FIXTURES)
    assert str(info.value).startswith(expected) and str(info.value).endswith(" expects a whole number (int)")


def test_a_parameter_name_must_be_text(tmp_path, monkeypatch):
    monkeypatch.setattr(execute, "run_jobs", lambda *a, **k: pytest.fail("a kernel would have started"))
    with pytest.raises(ReportParameterError, match="unknown parameter 1; the selected notebooks accept: 00_fast: "):
        run(notebooks=["00_fast"], parameters={1: 2}, out_dir=tmp_path / "r", notebook_dir_path=FIXTURES)


@pytest.mark.parametrize("name", ["edition", "sipri_edition"])
def test_edition_all_is_refused_for_a_notebook(tmp_path, monkeypatch, capsys, name):
    monkeypatch.setattr(execute, "run_jobs", lambda *a, **k: pytest.fail("a kernel would have started"))
    folder = tmp_path / "nb"
    _write_notebook(folder / "01_ed.ipynb", parameters=f"{name}: str = 'latest'  # edition", cells=["1"])
    status = cli.main(["report", "-p", name, "all", "--out", str(tmp_path / "r"), "--notebook-dir", str(folder)])
    err = capsys.readouterr().err
    assert status == 2 and len(err.splitlines()) == 1
    assert f"01_ed: edition 'all' mixes editions where one is needed; accepted: " in err and "'latest'" in err


def test_run_from_a_script_without_a_main_guard(tmp_path):
    """The runner does not import the caller's ``__main__``: a plain script works and runs its own code once."""
    counter = tmp_path / "started"
    script = tmp_path / "make_reports.py"
    script.write_text(textwrap.dedent(f"""
        import os
        with open({str(counter)!r}, "a") as fh:
            fh.write(f"{{os.getpid()}}\\n")
        from natoanalysis import reports
        result = reports.run(notebooks=["00_fast", "05"], countries="POL", jobs=2, out_dir={str(tmp_path / 'r')!r},
                             quiet=True, notebook_dir_path={str(FIXTURES)!r})
        print("complete" if result.is_complete else result.failure_messages())
    """), encoding="utf-8")
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path,
                         timeout=BOUND_S * 3)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "complete"
    assert len(counter.read_text().splitlines()) == 1


# -- 4. bounds and messages ------------------------------------------------------------------------------

def _capture_run_jobs(monkeypatch) -> dict:
    seen: dict = {}

    def fake(tasks, *, workers, **kwargs):
        seen.update(workers=workers, tasks=tasks)
        return [_ok_entry() for _ in tasks]
    monkeypatch.setattr(execute, "run_jobs", fake)
    return seen


def test_jobs_are_capped_at_the_cpus(tmp_path, monkeypatch, capsys):
    seen = _capture_run_jobs(monkeypatch)
    monkeypatch.setattr(run_module, "usable_cpus", lambda: 2)
    status = cli.main(["report", "00", "--jobs", "10000", "--quiet", "--out", str(tmp_path), "--notebook-dir",
                       str(FIXTURES)])
    err = capsys.readouterr().err
    assert status == 0 and seen["workers"] == 2
    assert err.splitlines() == [next(line for line in err.splitlines() if "capped" in line)]
    assert err.startswith("natoanalysis report: note: --jobs 10000 capped at 2: 2 CPUs")
    [run_dir] = [p for p in tmp_path.iterdir() if rundir.RUN_ID.match(p.name)]
    m = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert m["jobs"] == 2


@pytest.mark.parametrize("given, expected", [("1.5", 2), ("1", 1), ("86400.2", 86401)])
def test_fractional_timeouts_round_up_to_whole_seconds(tmp_path, monkeypatch, given, expected):
    seen = _capture_run_jobs(monkeypatch)
    assert cli.main(["report", "00", "--timeout", given, "--quiet", "--out", str(tmp_path), "--notebook-dir",
                     str(FIXTURES)]) == 0
    assert {type(t.timeout) for t in seen["tasks"]} == {int}
    assert {t.timeout for t in seen["tasks"]} == {expected}


def test_a_fractional_timeout_runs_the_notebook(tmp_path):
    """papermill takes whole seconds: 1.5 used to fail every notebook with a TraitError (the limit is far off)."""
    result = run(notebooks=["00_fast"], timeout_s=1000.5, jobs=1, out_dir=tmp_path, quiet=True,
                 notebook_dir_path=FIXTURES)
    assert result.is_complete


@pytest.mark.parametrize("argv, expected", [
    (["00", "--timeout", "0"], "--timeout must be a whole number >= 1, got 0"),
    (["00", "--timeout", "-5"], "--timeout must be a finite, non-negative number (seconds), got -5.0"),
    (["00", "--timeout", "nan"], "--timeout must be a finite, non-negative number (seconds), got nan"),
    (["00", "--timeout", "inf"], "--timeout must be a finite, non-negative number (seconds), got inf"),
    (["00", "--timeout", "soon"], "argument --timeout: expects a number of seconds, got 'soon'"),
    (["00", "--timeout", "s" * 5000], "argument --timeout: expects a number of seconds, got 'ssss"),
    (["00", "--jobs", "0"], "--jobs must be a whole number >= 1, got 0"),
    (["00", "--jobs", "two"], "argument --jobs: expects a whole number, got 'two'"),
    (["00", "-p", "year", "2024", "-p", "year", "2023"], "parameter 'year' given twice"),
    (["00", "-p", "year", "1999"], "00_fast: year 1999 is outside edition 2024-06"),
    (["00", "-p", "year", "9" * 5000], "00_fast: parameter year='9999999999"),
    (["00", "-p", "y" * 5000, "1"], "unknown parameter 'yyyyyyyy"),
    (["00", "-p", "target_pct", "x" * 5000], "00_fast: parameter target_pct='xxxxxx"),
    (["no_such_" + "n" * 5000], "unknown notebook 'no_such_nnnn"),
    (["00", "--countries", "X" * 5000], "--countries was given but no selected notebook"),
    (["05", "--countries", "X" * 5000], "unknown country 'XXXX"),
    (["00", "--kernel", "k" * 5000], "no Jupyter kernel named 'kkkk"),
    (["00", "--bogus"], "unrecognized arguments: --bogus"),
])
def test_every_user_error_is_one_short_line_and_exit_2(tmp_path, monkeypatch, capsys, argv, expected):
    monkeypatch.setattr(execute, "run_jobs", lambda *a, **k: pytest.fail("a kernel would have started"))
    status = cli.main(["report", *argv, "--out", str(tmp_path / "r"), "--notebook-dir", str(FIXTURES)])
    err = capsys.readouterr().err
    assert status == 2
    [line] = err.splitlines()
    assert line.startswith("natoanalysis report: error: ") and expected in line, line
    assert len(line) < 400, line  # long values are echoed cut short
    assert not (tmp_path / "r").exists()


def test_argparse_errors_also_exit_2_in_one_line():
    out = subprocess.run(CLI + ["report", "--jobs"], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 2
    [line] = out.stderr.splitlines()
    assert line.startswith("natoanalysis report: error: argument --jobs: expected one argument")


def test_counts_have_an_upper_bound(tmp_path, monkeypatch):
    monkeypatch.setattr(execute, "run_jobs", lambda *a, **k: pytest.fail("a kernel would have started"))
    folder = tmp_path / "nb"
    _write_notebook(folder / "01_sim.ipynb", parameters="n_scenarios: int = 2000  # scenarios\n"
                                                        "top_n: int = 10  # bars", cells=["1"])
    for name, value in (("n_scenarios", "100000000"), ("top_n", 10 ** 9)):
        with pytest.raises(ReportParameterError) as info:
            run(parameters={name: value}, out_dir=tmp_path / "r", notebook_dir_path=folder)
        assert str(info.value).splitlines() == [
            f"01_sim: {name} {int(value)} is too large; accepted: a whole number from 1 to 1,000,000"]
    from natoanalysis import validate
    from natoanalysis.reports.params import cached_load
    assert validate.parameters({"n_scenarios": 1_000_000}, load=cached_load()) == {"n_scenarios": 1_000_000}


def test_out_that_is_a_file_is_refused_before_any_kernel_starts(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(execute, "run_jobs", lambda *a, **k: pytest.fail("a kernel would have started"))
    target = tmp_path / "reports.txt"
    target.write_text("not a folder")
    status = cli.main(["report", "00", "--out", str(target), "--notebook-dir", str(FIXTURES)])
    [line] = capsys.readouterr().err.splitlines()
    assert status == 2 and line == f"natoanalysis report: error: --out {target} is a file, not a folder"
    assert target.read_text() == "not a folder"


@pytest.mark.parametrize("make", ["read_only_dir", "below_a_file", "proc"])
def test_out_that_cannot_be_written_is_refused_before_any_kernel_starts(tmp_path, monkeypatch, capsys, make):
    monkeypatch.setattr(execute, "run_jobs", lambda *a, **k: pytest.fail("a kernel would have started"))
    if make == "read_only_dir":
        if os.geteuid() == 0:
            pytest.skip("root writes to read-only folders")
        target = tmp_path / "ro"
        target.mkdir(mode=0o555)
    elif make == "below_a_file":
        (tmp_path / "file").write_text("")
        target = tmp_path / "file" / "reports"
    else:
        if not LINUX:
            pytest.skip("needs /proc")
        target = Path("/proc")  # a folder that even root cannot create files in
    status = cli.main(["report", "00", "--out", str(target), "--notebook-dir", str(FIXTURES)])
    [line] = capsys.readouterr().err.splitlines()
    assert status == 2 and line.startswith(f"natoanalysis report: error: --out {target} ") and "writ" in line, line


def test_timeouts_that_mean_no_limit_are_refused_from_python(tmp_path, monkeypatch):
    monkeypatch.setattr(execute, "run_jobs", lambda *a, **k: pytest.fail("a kernel would have started"))
    for bad in (0, -1, math.nan, math.inf, True, "10"):
        with pytest.raises(ReportParameterError, match=r"^timeout_s must be a (finite, non-negative number \(seconds\)|"
                                                       r"whole number >= 1), got "):
            run(notebooks=["00_fast"], timeout_s=bad, out_dir=tmp_path / "r", notebook_dir_path=FIXTURES)


# -- 5. links planted in the reports folder, and a platform without fcntl -------------------------------

def _planted(out: Path, outside: Path) -> None:
    """Links where the runner writes or removes: ``latest`` and ``.latest.lock`` dangling or out of the folder."""
    outside.mkdir(parents=True)
    elsewhere = outside / "20200101T000000Z-ffffff"  # a full-suite run folder, but not in the reports folder
    elsewhere.mkdir()
    (elsewhere / "manifest.json").write_text('{"is_full_suite": true}')
    out.mkdir(parents=True)
    os.symlink(outside / "lock-target", out / ".latest.lock")  # dangling, pointing out
    os.symlink(elsewhere, out / "latest")
    os.symlink(elsewhere, out / "20200102T000000Z-eeeeee")  # a run folder that is a link
    os.symlink(outside / "nothing", out / ".20200103T000000Z-dddddd.lock")  # a dead run's lock, dangling


def _tree(folder: Path) -> dict[str, bytes | None]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else None for p in folder.rglob("*")}


@pytest.mark.parametrize("argv", [["clean", "--keep", "0"], ["report", "--keep", "0", "--quiet"]])
def test_links_planted_in_the_reports_folder_change_nothing_outside_it(tmp_path, monkeypatch, capsys, argv):
    out, outside = tmp_path / "reports", tmp_path / "outside"
    _planted(out, outside)
    before = _tree(outside)
    monkeypatch.setattr(execute, "run_jobs", lambda tasks, **k: [_ok_entry() for _ in tasks])
    suite = ["--notebook-dir", str(fast_suite(tmp_path))] if argv[0] == "report" else []
    status = cli.main(argv + ["--out", str(out)] + suite)
    assert status == 0, capsys.readouterr()
    assert _tree(outside) == before  # nothing created, changed or removed out there
    assert (out / "20200102T000000Z-eeeeee").is_symlink()  # a link is neither followed nor removed
    if argv[0] == "report":  # a complete full run: latest moves from the folder outside to it
        [made] = [p.name for p in out.iterdir() if rundir.RUN_ID.match(p.name) and not p.is_symlink()]
        assert os.readlink(out / "latest") == made


def test_the_drawing_thread_starts_after_defusedxml_has_been_imported(tmp_path):
    """defusedxml's first import swaps sys.modules entries: done in a thread beside another import of xml.etree,
    it left nbconvert with mixed Element classes and a page export failed. It must be done before the thread."""
    code = textwrap.dedent(f"""
        import sys
        from natoanalysis import reports
        from natoanalysis.reports import home
        seen = []
        def data_pages(*args, _real=home._data_pages):
            seen.append("defusedxml.ElementTree" in sys.modules)
            return _real(*args)
        home._data_pages = data_pages
        result = reports.run(notebooks=["00_fast"], jobs=1, quiet=True, out_dir={str(tmp_path / 'r')!r},
                             notebook_dir_path={str(FIXTURES)!r})
        print(result.is_complete, seen)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                         timeout=BOUND_S * 3)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "[True]"]


def test_report_runs_where_fcntl_does_not_exist(tmp_path):
    """Windows has no fcntl: the library locks through filelock, which picks what the platform has."""
    code = textwrap.dedent(f"""
        import sys, warnings
        sys.modules["fcntl"] = None  # `import fcntl` now raises ImportError, as on Windows
        warnings.simplefilter("ignore")  # filelock's note that only a soft lock is available
        from natoanalysis import reports
        result = reports.run(notebooks=["00_fast"], jobs=1, quiet=True, out_dir={str(tmp_path / 'r')!r},
                             notebook_dir_path={str(FIXTURES)!r})
        print(result.is_complete, sorted(nb["status"] for nb in result.manifest["notebooks"]))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                         timeout=BOUND_S * 3)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "['ok']"]

"""Report runner: parallel runs, failures, parameter rejection, concurrency, atomic publishing.

The notebooks are small fixtures (tests/fixtures/notebooks) so that each kernel
runs for about a second; they save figures with plain ``savefig`` so that the
byte-identical figures of two runs show the runner's own pinning at work.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from natoanalysis import cli
from natoanalysis.reports import ReportFailedError, ReportParameterError, execute, rundir, run

# Slow tier (make test): subprocesses, kernels, signals or large generated inputs.
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "notebooks"
RAW_TABLE3 = REPO / "data" / "raw" / "nato" / "2024-06" / "sheets" / "03_TABLE3.csv"
CLI = [sys.executable, "-m", "natoanalysis"]
CODE_COMMENT = "# Plain savefig without pinned metadata"  # in a code cell of 00_fast; survives highlighting


@pytest.fixture(scope="module", autouse=True)
def _kernel():
    from jupyter_client.kernelspec import KernelSpecManager
    if "natoanalysis" not in KernelSpecManager().find_kernel_specs():
        pytest.skip("the 'natoanalysis' Jupyter kernel is not installed; run `make venv`")


def _table3_share_2024(country_label: str) -> float:
    """Share of real GDP in 2024 as printed in NATO Table 3 (first block), read from the raw cells."""
    cells = {r["cell"]: r for r in csv.DictReader(RAW_TABLE3.open(encoding="utf-8"))}
    col = next(c.rstrip("0123456789") for c, r in cells.items() if r["value"] == "2024e")
    row = min(int(c[1:]) for c, r in cells.items() if c.startswith("C") and r["value"] == country_label)
    return float(cells[f"{col}{row}"]["value"])


def entries_sha(manifest: dict, name: str) -> str:
    return next(nb["notebook_sha256"] for nb in manifest["notebooks"] if nb["name"] == name)


def _stdout(nb_path: Path) -> str:
    nb = nbformat.read(nb_path, as_version=4)
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                   if o.get("output_type") == "stream")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.targets: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if (tag, name) in {("a", "href"), ("img", "src"), ("script", "src")}:
                self.targets.add(value)


def _write_notebook(path: Path, *, parameters: str, cells: list[str]) -> None:
    """A notebook for the project's kernel: a ``parameters`` cell, then ``cells``."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "natoanalysis", "display_name": "Python (natoanalysis)",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]})]
    nb.cells += [nbformat.v4.new_code_cell(c) for c in cells]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def fast_suite(tmp_path: Path) -> Path:
    """A notebook folder whose full suite is ``00_fast`` alone: a run of it is full and moves ``latest``."""
    folder = tmp_path / "fast_suite"
    folder.mkdir(parents=True)
    (folder / "00_fast.ipynb").write_bytes((FIXTURES / "00_fast.ipynb").read_bytes())
    return folder


def _files(run_dir: Path) -> set[str]:
    return {p.relative_to(run_dir).as_posix() for p in run_dir.rglob("*") if p.is_file()}


def test_parallel_run_writes_every_output_and_links_it(tmp_path):
    result = run(notebooks=["00_fast", "05"], countries="POL,DEU", jobs=2, out_dir=tmp_path, quiet=True,
                 notebook_dir_path=FIXTURES)
    run_dir = tmp_path / result.run_id
    assert result.is_complete and result.run_dir == run_dir
    # Two allies and not 07 or 09: a partial run, which leaves `latest` alone.
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([result.run_id, ".latest.lock"])
    assert result.latest is None and not result.is_full_suite

    m = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert m["status"] == "complete" and m["failed"] == [] and m["jobs"] == 2 and m["is_full_suite"] is False
    import importlib
    import platform
    assert m["versions"] == {"python": platform.python_version(), **{name: importlib.import_module(name).__version__
                             for name in ("natoanalysis", "pandas", "numpy", "matplotlib", "seaborn", "pyarrow",
                                          "ipykernel", "papermill", "nbconvert", "nbformat", "jupyter_client")}}
    assert m["package"]["name"] == "natoanalysis" and m["package"]["version"]
    assert entries_sha(m, "00_fast") == hashlib.sha256((FIXTURES / "00_fast.ipynb").read_bytes()).hexdigest()
    assert m["editions"] == {"nato": "2024-06"}
    assert m["countries"] == ["DEU", "POL"]
    assert m["started_utc"] <= m["finished_utc"] and m["duration_s"] > 0
    raw = REPO / "data" / "raw"
    for rel, digest in m["inputs"]["sources"]["nato"]["files"].items():
        assert hashlib.sha256((raw / rel).read_bytes()).hexdigest() == digest
    assert len(m["inputs"]["sources"]["nato"]["files"]) == sum(
        1 for p in (raw / "nato").rglob("*") if p.is_file())
    entries = {nb["name"]: nb for nb in m["notebooks"]}
    assert sorted(entries) == ["00_fast", "05_profile_DEU", "05_profile_POL"]
    # Kernels that wrote nothing to stderr leave no log: no transport warning of ipykernel's in every log.
    assert [nb["outputs"]["log"] for nb in entries.values()] == [None, None, None]
    assert not list((run_dir / "logs").glob("*.log"))
    for nb in entries.values():
        assert nb["status"] == "ok" and nb["error"] is None and nb["duration_s"] > 0
    assert entries["05_profile_POL"]["parameters"] == {"country": "POL", "edition": "2024-06"}
    assert entries["00_fast"]["parameters"] == {"edition": "2024-06", "year": 2024, "target_pct": 2.0}
    assert entries["00_fast"]["outputs"]["figures"] == ["figures/00_fast/share_gdp_2024.png",
                                                       "figures/00_fast/share_gdp_2024.svg"]

    # The kernels ran with the parameters and on the bundled data.
    for iso3, label in [("POL", "Poland*"), ("DEU", "Germany")]:
        printed = _stdout(run_dir / "notebooks" / f"05_profile_{iso3}.ipynb")
        assert printed.startswith(iso3) and f"{_table3_share_2024(label):.2f}" in printed
    # No worker processes: every kernel is a child of the process that called run().
    parents = {int(line.split()[-1]) for name in entries for line in
               _stdout(run_dir / "notebooks" / f"{name}.ipynb").splitlines() if line.startswith("worker pid")}
    assert parents == {os.getpid()}
    assert (run_dir / "figures" / "05_profile_DEU" / "DEU_share_gdp.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (run_dir / "figures" / "05_profile_DEU" / "DEU_share_gdp.svg").read_text().lstrip().startswith("<?xml")

    html = (run_dir / "html" / "00_fast.html").read_text(encoding="utf-8")
    assert "at or above 2.0%" in html and CODE_COMMENT not in html  # code hidden by default

    links = _Links()  # the home page, the run log and the explorer (its Vega bundle) reach every file of the run
    for page in ("index.html", "run.html", "explorer.html"):
        links.feed((run_dir / page).read_text(encoding="utf-8"))
    assert {t for t in links.targets if "://" not in t and not t.startswith("#")} == _files(run_dir)  # sources: off-site
    # Off-site: only the publishers' pages and files the sources footer links (nothing is loaded from there).
    assert all(t.startswith(("https://www.nato.int/", "https://www.sipri.org/")) for t in links.targets
               if t.startswith(("http:", "https:", "//")))


def test_show_code_keeps_code_cells(tmp_path):
    result = run(notebooks=["00_fast"], jobs=1, out_dir=tmp_path, quiet=True, notebook_dir_path=FIXTURES,
                 show_code=True)
    assert CODE_COMMENT in (result.run_dir / "html" / "00_fast.html").read_text(encoding="utf-8")


def test_failing_notebook_fails_the_run_and_leaves_latest(tmp_path, capsys):
    good = run(jobs=1, out_dir=tmp_path, quiet=True, notebook_dir_path=fast_suite(tmp_path / ".nb"))
    assert os.readlink(tmp_path / "latest") == good.run_id and good.is_full_suite

    status = cli.main(["report", "09_fails", "00_fast", "--jobs", "2", "--quiet", "--out", str(tmp_path),
                       "--notebook-dir", str(FIXTURES)])
    err = capsys.readouterr().err
    source = nbformat.read(FIXTURES / "09_fails.ipynb", as_version=4)
    bad_cell = next(i for i, c in enumerate(source.cells) if "numerator / divisor" in c.source)
    assert status == 1
    assert "natoanalysis report: error: notebook 09_fails failed: ZeroDivisionError: division by zero\n" in err

    assert os.readlink(tmp_path / "latest") == good.run_id
    failed_dir = next(p for p in tmp_path.iterdir() if rundir.RUN_ID.match(p.name) and p.name != good.run_id)
    assert (failed_dir / rundir.INCOMPLETE).is_file()
    m = json.loads((failed_dir / "manifest.json").read_text(encoding="utf-8"))
    assert m["status"] == "failed" and m["failed"] == ["09_fails"]
    entries = {nb["name"]: nb for nb in m["notebooks"]}
    assert entries["00_fast"]["status"] == "ok" and (failed_dir / entries["00_fast"]["outputs"]["html"]).is_file()
    assert entries["09_fails"]["error"] == {"ename": "ZeroDivisionError", "evalue": "division by zero"}
    # The failed notebook is kept, executed up to the error, for inspection.
    assert (failed_dir / "notebooks" / "09_fails.ipynb").is_file() and (failed_dir / "html" / "09_fails.html").is_file()
    # Its home page says so first, naming the notebook and the error.
    home = (failed_dir / "index.html").read_text(encoding="utf-8")
    main = home[home.index("<main>"):]
    assert main.index('class="banner"') < main.index("</h1>") + 40
    assert "1 of 2 notebooks failed (09_fails, ZeroDivisionError: division by zero" in main
    # The executed notebook shows the failing cell with papermill's banner above it.
    assert any("numerator / divisor" in c.source and c.outputs and c.outputs[-1].get("ename") == "ZeroDivisionError"
               for c in nbformat.read(failed_dir / "notebooks" / "09_fails.ipynb", as_version=4).cells)
    assert bad_cell


def test_python_api_raises_on_failure_with_the_result(tmp_path):
    with pytest.raises(ReportFailedError, match=r"notebook 09_fails failed: ZeroDivisionError") as info:
        run(notebooks=["09"], jobs=1, out_dir=tmp_path, quiet=True, notebook_dir_path=FIXTURES)
    assert not info.value.result.is_complete and not (tmp_path / "latest").exists()


def test_a_cell_over_the_time_limit_fails_its_notebook_and_is_named(tmp_path):
    result = run(notebooks=["07"], parameters={"seconds": 60}, timeout_s=1, jobs=1, out_dir=tmp_path, quiet=True,
                 notebook_dir_path=FIXTURES, check=False)
    [entry] = result.manifest["notebooks"]
    assert not result.is_complete and entry["status"] == "failed" and entry["error"]["ename"] == "CellTimeoutError"
    assert result.failure_messages()[0].startswith("notebook 07_sleeps failed: CellTimeoutError: ")


@pytest.mark.parametrize("request_kwargs, expected", [
    ({"parameters": {"year": "2013"}}, "00_fast: year 2013 is outside edition 2024-06; accepted: 2014 to 2024"),
    ({"parameters": {"year": 2025}}, "accepted: 2014 to 2024"),
    ({"parameters": {"target_pct": "abc"}}, "target_pct='abc' expects a number"),
    ({"parameters": {"target_pct": "-1"}}, "target_pct -1 is outside the accepted range; accepted: 0.5 to 100"),
    ({"parameters": {"target_pct": "0.035"}}, "target_pct 0.035 looks like a fraction: give percent, e.g. 3.5"),
    ({"parameters": {"edition": "2020-01"}}, "edition '2020-01' is not bundled for nato; accepted: 2024-06, or 'latest'"),
    ({"parameters": {"edition": "all"}}, "edition 'all' mixes editions where one is needed; accepted: 2024-06 or "
                                         "'latest'"),
    ({"parameters": {"colour": "red"}}, "unknown parameter 'colour'; the selected notebooks accept: 00_fast: "
                                        "edition (str, default \"latest\"), year (int, default 2024)"),
    ({"countries": "POL,XYZ"}, "unknown country 'XYZ'; accepted: ISO3 codes ALB, BEL"),
    ({"countries": "RUS"}, "RUS is not a NATO ally"),
    ({"notebooks": ["00_fast", "no_such"]}, "unknown notebook 'no_such'; accepted (by name or number): "
                                           "00_fast, 05_profile, 07_sleeps, 09_fails"),
    ({"notebooks": ["00_fast"], "countries": "POL"}, "no selected notebook takes a 'country' parameter"),
    ({"kernel_name": "no-such-kernel"}, "no Jupyter kernel named 'no-such-kernel'; accepted: "),
])
def test_bad_requests_are_rejected_before_any_kernel_starts(tmp_path, monkeypatch, request_kwargs, expected):
    def no_kernels(*args, **kwargs):
        raise AssertionError("a kernel would have started")
    monkeypatch.setattr(execute, "run_jobs", no_kernels)
    kwargs = {"notebooks": None, **request_kwargs}
    with pytest.raises(ReportParameterError) as info:
        run(out_dir=tmp_path / "reports", notebook_dir_path=FIXTURES, **kwargs)
    assert expected in str(info.value)
    assert not (tmp_path / "reports").exists()


def test_cli_exits_2_for_a_bad_parameter(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(execute, "run_jobs", lambda *a, **k: pytest.fail("a kernel would have started"))
    status = cli.main(["report", "00", "-p", "year", "1999", "--out", str(tmp_path / "r"),
                       "--notebook-dir", str(FIXTURES)])
    assert status == 2
    assert "00_fast: year 1999 is outside edition 2024-06" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def test_two_runs_at_once_both_complete_with_identical_figures(tmp_path):
    out = tmp_path / "reports"
    args = ["report", "--jobs", "1", "--quiet", "--out", str(out), "--notebook-dir", str(fast_suite(tmp_path))]
    procs = [subprocess.Popen(CLI + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
             for _ in range(2)]
    outputs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    runs = sorted(p for p in out.iterdir() if p.is_dir() and not p.is_symlink())
    assert len(runs) == 2 and not list(out.glob(".*.tmp"))
    assert os.readlink(out / "latest") == runs[-1].name  # run ids sort by start time
    for r in runs:
        m = json.loads((r / "manifest.json").read_text(encoding="utf-8"))
        assert m["status"] == "complete" and [nb["name"] for nb in m["notebooks"]] == ["00_fast"]
    figures = [{f: (r / f).read_bytes() for f in _files(r) if f.startswith("figures/")} for r in runs]
    assert len(figures[0]) == 5 and figures[0] == figures[1]  # 00_fast's PNG and SVG, the home tile map's PNG, SVG, CSV


def test_interrupted_run_leaves_previous_reports_intact(tmp_path, monkeypatch):
    previous = tmp_path / "20200101T000000Z-aaaaaa"
    previous.mkdir()
    (previous / "manifest.json").write_text("{}", encoding="utf-8")
    os.symlink(previous.name, tmp_path / "latest")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(execute, "run_jobs", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run(notebooks=["00_fast"], out_dir=tmp_path, notebook_dir_path=FIXTURES, quiet=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == [previous.name, "latest"]
    assert os.readlink(tmp_path / "latest") == previous.name


def test_terminated_run_removes_its_staging_and_leaves_previous_reports(tmp_path):
    out = tmp_path / "reports"
    previous = out / "20200101T000000Z-aaaaaa"
    previous.mkdir(parents=True)
    (previous / "manifest.json").write_text("{}", encoding="utf-8")
    os.symlink(previous.name, out / "latest")
    proc = subprocess.Popen(CLI + ["report", "07", "-p", "seconds", "600", "--jobs", "1", "--quiet", "--out",
                                   str(out), "--notebook-dir", str(FIXTURES)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        # Wait until the kernel is inside the notebook (it writes a marker); the loop bound is a guard only.
        for _ in range(1200):
            if list(out.glob(".*.tmp/figures/07_sleeps/started")) or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert proc.poll() is None, proc.communicate()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + signal.SIGTERM
    assert err == "natoanalysis report: interrupted; nothing was published\n"
    assert sorted(p.name for p in out.iterdir()) == [previous.name, "latest"]
    assert os.readlink(out / "latest") == previous.name


def test_staging_of_a_killed_run_is_removed_by_the_next_run(tmp_path, monkeypatch):
    """A staging folder whose lock nobody holds is a dead run's; one whose lock is held is a live run's."""
    dead = tmp_path / ".20200101T000000Z-dead00.tmp"
    dead.mkdir()
    (dead / "notebooks").mkdir()
    (tmp_path / ".20200101T000000Z-dead00.lock").write_text("")  # what a run killed by SIGKILL leaves
    holder = subprocess.Popen([sys.executable, "-c", "import sys; from pathlib import Path; "
                               "from natoanalysis.reports import rundir; "
                               f"rundir.Staging.begin(Path({str(tmp_path)!r}), '20200101T000000Z-live00'); "
                               "print('ready', flush=True); sys.stdin.read()"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        assert holder.stdout.readline() == "ready\n"
        monkeypatch.setattr(execute, "run_jobs", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt))
        with pytest.raises(KeyboardInterrupt):
            run(notebooks=["00_fast"], out_dir=tmp_path, notebook_dir_path=FIXTURES, quiet=True)
        assert sorted(p.name for p in tmp_path.iterdir()) == [".20200101T000000Z-live00.lock",
                                                              ".20200101T000000Z-live00.tmp"]
    finally:
        holder.kill()
        holder.wait()


def _staged_full_run(root: Path, run_id: str) -> rundir.Staging:
    stage = rundir.Staging.begin(root, run_id)
    (stage.path / "manifest.json").write_text('{"is_full_suite": true}', encoding="utf-8")
    return stage


def test_latest_never_moves_back_to_an_older_run(tmp_path):
    older = _staged_full_run(tmp_path, "20240101T000000Z-aaaaaa")
    newer = _staged_full_run(tmp_path, "20240102T000000Z-bbbbbb")
    assert rundir.publish(newer, markers={}, link_latest=True)[1] is True
    assert rundir.publish(older, markers={}, link_latest=True)[1] is False  # it finished last, but started first
    assert os.readlink(tmp_path / "latest") == "20240102T000000Z-bbbbbb"


def test_parameter_strings_take_the_declared_type():
    from natoanalysis.reports.params import coerce
    assert coerce("POL,DEU", type_name="list[str]") == ["POL", "DEU"]
    assert coerce("[2014, 2024]", type_name="list[int]") == [2014, 2024]
    assert coerce("True", type_name="bool") is True and coerce("2024", type_name="str") == "2024"
    assert coerce("None", type_name="Optional[int]") is None and coerce("2030", type_name="Optional[int]") == 2030
    with pytest.raises(ValueError, match="whole number"):
        coerce("2024.5", type_name="int")
    with pytest.raises(ValueError, match="finite"):
        coerce("1e999", type_name="float")
    with pytest.raises(ValueError, match="True or False"):
        coerce("maybe", type_name="bool")
    with pytest.raises(ValueError, match="whole number"):
        coerce("True", type_name="int")


def test_all_countries_are_the_allies_of_the_registry_file(tmp_path):
    from natoanalysis.reports.notebooks import plan
    from natoanalysis.reports.params import cached_load
    ref = REPO / "natoanalysis" / "reference" / "countries.csv"
    allies = sorted(r["iso3"] for r in csv.DictReader(ref.open(encoding="utf-8"))
                    if r["is_nato_ally"].lower() == "true")
    jobs = plan(notebooks=["05"], parameters={}, countries="all", folder=FIXTURES, load=cached_load())
    assert len(allies) == 32 and [j.country for j in jobs] == allies


def test_import_natoanalysis_does_not_load_the_runner_machinery():
    code = ("import sys, natoanalysis; "
            "print(sorted(m for m in ('papermill', 'nbconvert', 'nbclient') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("entry", [
    "from natoanalysis import cli; cli.main(['report', '--list'])",
    "from natoanalysis.reports import execute; execute.skip_iri_format_checkers()",
])
def test_runner_processes_skip_the_iri_grammars_and_still_validate_notebooks(entry):
    """The CLI hides rfc3987_syntax (seconds of Earley-grammar compilation at import)."""
    code = (f"import sys, io, contextlib\n"
            f"with contextlib.redirect_stdout(io.StringIO()):\n    {entry}\n"
            "import nbformat\n"
            f"nb = nbformat.read({str(FIXTURES / '00_fast.ipynb')!r}, as_version=4)\n"
            "nbformat.validate(nb)\n"
            "print(sys.modules.get('rfc3987_syntax', 'absent'), 'jsonschema' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["None", "True"]


def test_importing_the_library_leaves_the_iri_checkers_alone():
    code = "import sys, natoanalysis, natoanalysis.reports; print(sys.modules.get('rfc3987_syntax', 'absent'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "absent"


def test_kernels_start_empty_and_are_gone_when_the_run_returns(tmp_path):
    """Every notebook gets a fresh kernel with an empty namespace, and every kernel has exited by the end."""
    folder = tmp_path / "nb"
    cell = ("import os, sys\n"
            # What IPython and ipykernel put in every user namespace, and this cell's own names.
            "names = [n for n in dir() if not n.startswith('_') and n not in "
            "{'In', 'Out', 'exit', 'quit', 'get_ipython', 'open', 'label', 'os', 'sys'}]\n"
            "print(label, names, os.getpid())")
    for stem in ("01_first", "02_second", "03_third"):
        _write_notebook(folder / f"{stem}.ipynb", parameters="label: str = 'a'  # printed", cells=[cell])
    result = run(jobs=1, out_dir=tmp_path / "reports", quiet=True, notebook_dir_path=folder,
                 parameters={"label": "x"})
    assert result.is_complete
    pids = []
    for stem in ("01_first", "02_second", "03_third"):
        label, rest = _stdout(result.run_dir / "notebooks" / f"{stem}.ipynb").strip().split(" ", 1)
        assert label == "x"
        assert rest.rsplit(" ", 1)[0] == "[]"
        pids.append(int(rest.rsplit(" ", 1)[1]))
    assert len(set(pids)) == 3  # a fresh kernel for every notebook
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


@pytest.mark.parametrize("body, timeout_s, status", [
    ("print('done')", None, "ok"),
    ("1 / 0", None, "failed"),
    ("import time\ntime.sleep(60)", 1, "failed"),
])
def test_no_kernel_outlives_its_notebook(tmp_path, body, timeout_s, status):
    """Whether the notebook ends, raises or is stopped in a cell by the time limit, its kernel has exited."""
    folder = tmp_path / "nb"
    _write_notebook(folder / "01_case.ipynb", parameters="x: int = 0  # unused", cells=[
        "import os\nfrom pathlib import Path\n"
        "Path(os.environ['NATOANALYSIS_FIGURE_DIR'], 'pid').write_text(str(os.getpid()))", body])
    result = run(jobs=1, out_dir=tmp_path / "reports", quiet=True, notebook_dir_path=folder, timeout_s=timeout_s,
                 check=False)
    [entry] = result.manifest["notebooks"]
    assert entry["status"] == status
    pid = int((result.run_dir / "figures" / "01_case" / "pid").read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)

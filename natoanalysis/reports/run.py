"""The report run: validate, execute in parallel, write index and manifest, publish."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import execute, index, manifest as manifest_mod, rundir
from .errors import ReportFailedError, ReportParameterError
from .notebooks import notebook_dir
from .params import DomainContext, edition_source
from .plan import plan

DEFAULT_KERNEL = "natoanalysis"


@dataclass(frozen=True)
class RunResult:
    """What a report run produced: its folder, whether it completed, and its manifest."""

    run_id: str
    run_dir: Path
    is_complete: bool
    manifest: dict

    @property
    def notebooks(self) -> pd.DataFrame:
        """One row per executed notebook: ``name, status, duration_s, cell_index, error``."""
        return pd.DataFrame([{
            "name": nb["name"], "status": nb["status"], "duration_s": nb["duration_s"],
            "cell_index": (nb["error"] or {}).get("cell_index"),
            "error": f"{nb['error']['ename']}: {nb['error']['evalue']}" if nb["error"] else None,
        } for nb in self.manifest["notebooks"]], columns=["name", "status", "duration_s", "cell_index", "error"])

    def failure_messages(self) -> list[str]:
        """One line per failed notebook, naming it and the cell that raised."""
        out = []
        for nb in self.manifest["notebooks"]:
            err = nb["error"]
            if nb["status"] == "ok" or not err:
                continue
            if err.get("cell_index") is not None:
                where = (f"at cell index {err['cell_index']} (In [{err.get('execution_count')}]"
                         + (f": {err['source_first_line']!r}" if err.get("source_first_line") else "") + ")")
            else:
                where = "before any cell ran"
            out.append(f"notebook {nb['name']} failed {where}: {err['ename']}: {err['evalue']}")
        return out


@contextlib.contextmanager
def _terminate_raises():
    """Turn SIGTERM (a scheduler stopping the job) into SystemExit, so the run cleans up like on Ctrl-C."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise SystemExit(128 + signum)
    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _resolved_editions(job_list, *, ctx: DomainContext) -> dict[tuple[str, str], str]:
    """``{(source, requested edition): edition}`` for every edition parameter of the run ("latest" resolved)."""
    requested = {(src, value) for j in job_list for name, value in j.parameters.items()
                 if isinstance(value, str) and (src := edition_source(name))}
    return {key: ctx.resolve_edition(source=key[0], edition=key[1]) for key in requested or {("nato", "latest")}}


def _default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may use (containers, taskset)
    except AttributeError:
        return os.cpu_count() or 1


def _payload(job, *, staging: Path, folder: Path, kernel_name: str, show_code: bool, timeout_s: float | None,
             env: dict) -> dict:
    """What a worker needs to run one notebook (plain data: it crosses a process boundary)."""
    return {
        "name": job.name, "notebook": job.notebook, "input_path": job.input_path, "overrides": job.overrides,
        "output_ipynb": str(staging / "notebooks" / f"{job.name}.ipynb"),
        "output_html": str(staging / "html" / f"{job.name}.html"),
        "output_log": str(staging / "logs" / f"{job.name}.log"),
        "figure_dir": str(staging / "figures" / job.name), "kernel_name": kernel_name, "cwd": str(folder),
        "show_code": show_code, "timeout": timeout_s, "env": env,
    }


def _check_kernel(name: str) -> None:
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    manager = KernelSpecManager()
    try:
        manager.get_kernel_spec(name)
    except NoSuchKernel:
        known = sorted(manager.find_kernel_specs())
        raise ReportParameterError([
            f"no Jupyter kernel named {name!r}; accepted: {', '.join(known) or 'none installed'} "
            "(the project's kernel is installed by `make venv`)"]) from None


def run(*, notebooks: list[str] | None = None, parameters: dict[str, object] | None = None,
        countries: str | list[str] | None = None, jobs: int | None = None,
        out_dir: str | os.PathLike | None = None, show_code: bool = False, quiet: bool = False,
        notebook_dir_path: str | os.PathLike | None = None, data_dir: str | os.PathLike | None = None,
        kernel_name: str = DEFAULT_KERNEL, timeout_s: float | None = None, check: bool = True) -> RunResult:
    """Execute report notebooks into ``<out_dir>/<run-id>/`` and point ``<out_dir>/latest`` at it.

    Parameters
    ----------
    notebooks : list of str, optional
        Notebooks by stem, number or name (``"05"``, ``"country_profile"``);
        default: every ``NN_name.ipynb`` of the notebook folder.
    parameters : dict, optional
        ``{name: value}`` given to every selected notebook that declares the
        name; strings are converted to the declared type.
    countries : str or list of str, optional
        ``"all"`` (default) or ISO3 codes; the per-country notebook (the one
        with a ``country`` parameter) runs once per ally.
    jobs : int, optional
        Worker processes (default: the number of CPUs).
    out_dir : path-like, optional
        Reports folder (default: the repository's ``reports/``).
    show_code : bool, default False
        Show code cells in the HTML versions.
    quiet : bool, default False
        No progress bar (it is also off when stderr is not a terminal).
    notebook_dir_path : path-like, optional
        Notebook folder (default: ``$NATOANALYSIS_NOTEBOOK_DIR`` or ``notebooks/``).
    data_dir : path-like, optional
        Data root, also passed to the kernels as ``NATOANALYSIS_DATA_DIR``.
    kernel_name : str, default "natoanalysis"
        Jupyter kernel to execute with.
    timeout_s : float, optional
        Per-cell time limit in seconds (default: none).
    check : bool, default True
        Raise :class:`ReportFailedError` when a notebook fails (the run is still
        kept, marked incomplete); with ``False`` return the result instead.

    Returns
    -------
    RunResult
        ``run_id``, ``run_dir``, ``is_complete``, ``manifest`` (dict) and
        ``notebooks`` (a DataFrame with ``duration_s`` per notebook).

    Raises
    ------
    ReportParameterError
        Before any kernel starts, for an unknown notebook, parameter, ally or
        edition, a year outside the edition, or a non-numeric or negative target.

    Examples
    --------
    >>> run(notebooks=["no_such_notebook"])
    Traceback (most recent call last):
    ...
    natoanalysis.reports.errors.ReportParameterError: unknown notebook 'no_such_notebook'; accepted ...
    """
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise ReportParameterError([f"jobs must be a whole number >= 1, got {jobs!r}"])
    folder = notebook_dir(notebook_dir_path)
    ctx = DomainContext(data_dir=data_dir)
    job_list = plan(notebooks=notebooks, parameters=parameters, countries=countries, folder=folder, ctx=ctx)
    _check_kernel(kernel_name)

    from ..paths import data_root
    root = data_root(data_dir)
    resolved = _resolved_editions(job_list, ctx=ctx)
    reports = rundir.reports_dir(out_dir)
    reports.mkdir(parents=True, exist_ok=True)
    rundir.remove_abandoned(reports)
    run_id = rundir.new_run_id()
    started = time.time()
    with _terminate_raises():
        staging = rundir.staging_dir(reports, run_id)
        try:
            meta = {
                "run_id": run_id, "status": "running", "started_utc": execute._utc(started),
                **manifest_mod.environment(), "kernel_name": kernel_name,
                "jobs": jobs or _default_jobs(), "show_code": show_code,
                "request": {"notebooks": list(notebooks or []), "parameters": dict(parameters or {}),
                            "countries": countries if countries is None or isinstance(countries, str)
                            else list(countries)},
                "countries": sorted({j.country for j in job_list if j.country}),
                "editions": {src: ", ".join(sorted({e for (s, _), e in resolved.items() if s == src}))
                             for src in sorted({s for s, _ in resolved})},
                "inputs": {"data_dir": str(root), "sources": manifest_mod.input_hashes(root)},
            }
            env = {"NATOANALYSIS_DATA_DIR": str(root)}
            payloads = [_payload(j, staging=staging, folder=folder, kernel_name=kernel_name, show_code=show_code,
                                 timeout_s=timeout_s, env=env) for j in job_list]
            entries = execute.run_jobs(payloads, workers=jobs or _default_jobs(), quiet=quiet)
            meta["notebooks"] = [manifest_mod.notebook_entry(j, e, editions=resolved)
                                 for j, e in zip(job_list, entries)]
            meta["failed"] = [nb["name"] for nb in meta["notebooks"] if nb["status"] != "ok"]
            is_complete = not meta["failed"]
            meta["status"] = "complete" if is_complete else "failed"
            finished = time.time()
            meta["finished_utc"] = execute._utc(finished)
            meta["duration_s"] = round(finished - started, 3)
            manifest_mod.write(staging / manifest_mod.MANIFEST, meta)
            (staging / "index.html").write_text(index.render(meta), encoding="utf-8")
            run_dir = rundir.publish(staging, reports, run_id, is_complete=is_complete)
        except BaseException:
            # An interrupted run leaves nothing behind; earlier runs and `latest` were never touched.
            shutil.rmtree(staging, ignore_errors=True)
            raise
    if is_complete:
        rundir.point_latest(reports, run_id)
    result = RunResult(run_id=run_id, run_dir=run_dir, is_complete=is_complete, manifest=meta)
    if check and not is_complete:
        raise ReportFailedError(f"report run {run_id} failed (kept in {run_dir}, marked incomplete):\n"
                                + "\n".join(result.failure_messages()), result=result)
    return result

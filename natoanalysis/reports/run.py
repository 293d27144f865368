"""The report run: check the request, execute the notebooks, write the pages and manifest, publish."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import math
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .. import config, signals, validate
from ..validate import edition_source
from . import execute, home, manifest as manifest_mod, rundir
from .errors import ReportFailedError, ReportParameterError, ReportTerminated
from .execute import DEFAULT_KERNEL
from .notebooks import is_full_suite, plan
from .params import cached_load

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class RunResult:
    """What a report run produced: its folder, whether it completed, its manifest, where ``latest`` points."""

    run_id: str
    run_dir: Path
    is_complete: bool
    manifest: dict
    latest: str | None = None
    pruned: rundir.Pruned | None = None  # the old runs removed after it (``keep``)

    @property
    def is_full_suite(self) -> bool:
        """Whether the run ran every notebook, the per-country one for every ally (only such a run moves ``latest``)."""
        return bool(self.manifest.get("is_full_suite"))

    @property
    def notebooks(self) -> "pd.DataFrame":
        """One row per executed notebook: ``name, status, duration_s, error``."""
        import pandas as pd

        from .runlog import error_text

        return pd.DataFrame([{"name": nb["name"], "status": nb["status"], "duration_s": nb["duration_s"],
                              "error": error_text(nb) or None} for nb in self.manifest["notebooks"]],
                            columns=["name", "status", "duration_s", "error"])

    @property
    def changed_inputs(self) -> list[str]:
        """Input files (data under ``raw/``, notebooks) that changed while the run read them."""
        return list(self.manifest.get("inputs", {}).get("changed", []))

    def failure_messages(self) -> list[str]:
        """One line per failed notebook, naming it and its error; one for changed inputs."""
        from .runlog import error_text

        out = [f"notebook {nb['name']} failed: {error_text(nb)}" for nb in self.manifest["notebooks"]
               if nb["status"] != "ok" and nb["error"]]
        if self.changed_inputs:
            shown = ", ".join(self.changed_inputs[:10]) + (
                f" and {len(self.changed_inputs) - 10} more (see manifest.json)" if len(self.changed_inputs) > 10 else "")
            out.append(f"inputs changed while the run read them, so its outputs may mix old and new versions: {shown}")
        return out


def usable_cpus() -> int:
    """The CPUs this process may use (its affinity mask where the platform has one)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _seconds(value: object, *, name: str) -> int:
    """A per-cell time limit as the whole seconds papermill takes, rounded up; > 0 (``validate``'s checks)."""
    return validate.whole_number(math.ceil(validate.non_negative(value, name=name, unit="seconds")), name=name,
                                 minimum=1)


def _begin(reports: Path, run_id: str) -> rundir.Staging:
    """Create the reports folder and the run's staging folder, or say in one line why it cannot be written."""
    shown = str(reports)
    if reports.exists() and not reports.is_dir():
        raise ReportParameterError([f"--out {shown} is a file, not a folder"])
    if (reports / rundir.LATEST).exists() and not (reports / rundir.LATEST).is_symlink():
        raise ReportParameterError([f"{shown}/latest exists and is not a symbolic link; remove it to let "
                                    "reports update it"])
    try:
        reports.mkdir(parents=True, exist_ok=True)
        return rundir.Staging.begin(reports, run_id)
    except OSError as exc:
        raise ReportParameterError([f"--out {shown} is not a writable folder: {exc.strerror or exc}"]) from None


def _utc() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _start_manifest(stage, job_list, *, request: dict, kernel: str, workers: int, folder: Path, load,
                    root: Path) -> tuple[dict, dict]:
    """The manifest's fields known before any notebook runs (inputs hashed as the run starts), and the editions.

    The editions map ``(source, requested edition)`` to the edition used ("latest" resolved).
    """
    requested = {(src, value) for j in job_list for name, value in j.parameters.items()
                 if isinstance(value, str) and (src := edition_source(name))} or {("nato", "latest")}
    editions = {key: str(load(source=key[0], edition=key[1])["edition"].max()) for key in requested}
    return {"run_id": stage.run_id, "status": "running", "started_utc": _utc(),
            **manifest_mod.environment(), "kernel_name": kernel, "jobs": workers,
            "request": {k: request[k] for k in ("notebooks", "parameters", "countries")},
            "countries": sorted({j.country for j in job_list if j.country}),
            "is_full_suite": is_full_suite(job_list, folder=folder),
            "editions": {src: ", ".join(sorted({e for (s, _), e in editions.items() if s == src}))
                         for src in sorted({s for s, _ in editions})},
            "inputs": {"sources": manifest_mod.input_hashes(root)}}, editions


def _execute(stage, job_list, *, request: dict, kernel: str, workers: int, quiet: bool, folder: Path, load,
             root: Path) -> dict:
    """Run the jobs into the staging folder, write the manifest and pages; return the manifest."""
    started = time.time()
    hashes = {path: manifest_mod.file_sha256(path) for path in dict.fromkeys(j.input_path for j in job_list)}
    meta, editions = _start_manifest(stage, job_list, request=request, kernel=kernel, workers=workers, folder=folder,
                           load=load, root=root)
    pages = frozenset(f"{j.name}.html" for j in job_list)
    tasks = [dataclasses.replace(j, folder=stage.path, cwd=str(folder), kernel=kernel, show_code=request["show_code"],
                                 timeout=request["timeout"], env={"NATOANALYSIS_DATA_DIR": str(root)}, pages=pages)
             for j in job_list]
    drawing = home.start(stage.path, meta, data_dir=root)
    try:
        entries = execute.run_jobs(tasks, workers=workers, quiet=quiet, title=f"report {stage.run_id}")
    except BaseException:
        concurrent.futures.wait([drawing])  # nothing may write into the staging folder once it is discarded
        raise
    # Hashed again at the end: a file changed meanwhile may have been read before or after the change.
    changed = manifest_mod.changed_inputs(meta["inputs"]["sources"], manifest_mod.input_hashes(root))
    changed += [path for path, digest in hashes.items() if manifest_mod.file_sha256(path) != digest]
    meta["notebooks"] = [manifest_mod.notebook_entry(j, e, editions=editions, notebook_sha256=hashes[j.input_path])
                         for j, e in zip(job_list, entries)]
    meta["failed"] = [nb["name"] for nb in meta["notebooks"] if nb["status"] != "ok"]
    meta["inputs"]["changed"] = changed
    meta["status"] = "failed" if meta["failed"] else "inconsistent" if changed else "complete"
    meta["finished_utc"], meta["duration_s"] = _utc(), round(time.time() - started, 3)
    manifest_mod.write(stage.path / manifest_mod.MANIFEST, meta)
    home.write(stage.path, meta, data_dir=root, started=drawing)
    return meta


def _markers(meta: dict) -> dict[str, str]:
    """The marker files of a run that failed or whose inputs changed (``{name: text}``)."""
    markers, changed = {}, meta["inputs"]["changed"]
    if meta["failed"]:
        markers[rundir.INCOMPLETE] = "This run failed; see manifest.json. reports/latest does not point here.\n"
    if changed:
        markers[rundir.INCONSISTENT] = ("These inputs changed while the run read them, so its outputs may mix old "
                                        "and new versions; see manifest.json (inputs). reports/latest does not "
                                        "point here.\n" + "\n".join(changed) + "\n")
    return markers


def _checked(*, parameters, notebooks, countries, jobs, keep, timeout_s, show_code) -> dict:
    """The request's values checked, or :class:`ReportParameterError` (before anything else reads them)."""
    if parameters is not None and not isinstance(parameters, dict):
        raise ReportParameterError([f"parameters must be a dict of {{name: value}}, got {type(parameters).__name__}"])
    try:
        return {"parameters": dict(parameters or {}), "countries": countries, "show_code": bool(show_code),
                "notebooks": [notebooks] if isinstance(notebooks, str) else notebooks,
                "jobs": None if jobs is None else validate.whole_number(jobs, name="jobs", minimum=1),
                "keep": None if keep is None else validate.whole_number(keep, name="keep"),
                "timeout": None if timeout_s is None else _seconds(timeout_s, name="timeout_s")}
    except ValueError as exc:
        raise ReportParameterError(str(exc).splitlines()) from None


def run(*, notebooks: list[str] | None = None, parameters: dict[str, object] | None = None,
        countries: str | list[str] | None = None, jobs: int | None = None,
        out_dir: str | os.PathLike | None = None, show_code: bool = False, quiet: bool = False,
        notebook_dir_path: str | os.PathLike | None = None, data_dir: str | os.PathLike | None = None,
        kernel_name: str = DEFAULT_KERNEL, timeout_s: float | None = None, check: bool = True,
        keep: int | None = None) -> RunResult:
    """Execute report notebooks into ``<out_dir>/<run-id>/``; a full suite also moves ``<out_dir>/latest``.

    ``latest`` moves only for a complete run of the full suite (every notebook
    of the folder, the per-country one for every ally); the manifest records
    which it was (``is_full_suite``).

    Parameters
    ----------
    notebooks : list of str, optional
        Notebooks by stem, number or name (``"05"``, ``"country_profile"``);
        default: every ``NN_name.ipynb`` of the notebook folder.
    parameters : dict, optional
        ``{name: value}`` given to every selected notebook that declares the
        name; values (strings too) are converted to the declared type, then
        checked by :func:`natoanalysis.validate.parameters`.
    countries : str or list of str, optional
        ``"all"`` (default) or ISO3 codes; the per-country notebook runs once per ally.
    jobs : int, optional
        Notebooks run at once (default and most: the CPUs this process may
        use; more is capped, with a note on stderr).
    out_dir : path-like, optional
        Reports folder (default: ``reports/`` of the working directory).
    show_code : bool, default False
        Show code cells in the HTML versions.
    quiet : bool, default False
        No progress: neither the bar on a terminal nor the line per finished
        notebook elsewhere.
    notebook_dir_path : path-like, optional
        Notebook folder (default: ``$NATOANALYSIS_NOTEBOOK_DIR`` or the bundled notebooks).
    data_dir : path-like, optional
        Data root, also passed to the kernels as ``NATOANALYSIS_DATA_DIR``.
    kernel_name : str, default "natoanalysis"
        Jupyter kernel; without one named ``natoanalysis``, the ``python3``
        kernel (:func:`natoanalysis.reports.execute.select_kernel`).
    timeout_s : float, optional
        Per-cell time limit in seconds, rounded up (default: none).
    check : bool, default True
        Raise :class:`ReportFailedError` when a notebook fails or an input
        changed during the run (the run is kept, marked ``INCOMPLETE`` or
        ``INCONSISTENT``); with ``False`` return the result instead.
    keep : int, optional
        After a complete run, remove all but the ``keep`` newest runs
        (:func:`natoanalysis.reports.rundir.prune`, as ``natoanalysis clean`` does).

    Returns
    -------
    RunResult

    Raises
    ------
    ReportParameterError
        Before any kernel starts, for a request that cannot run (one line per problem).
    KeyboardInterrupt, ReportTerminated
        On Ctrl-C, or SIGTERM/SIGHUP (a :class:`SystemExit` with status 143/129),
        after the kernels have stopped and the staging folder is removed.

    Examples
    --------
    >>> run(notebooks=["no_such_notebook"])
    Traceback (most recent call last):
    ...
    natoanalysis.reports.errors.ReportParameterError: unknown notebook 'no_such_notebook'; accepted ...
    """
    request = _checked(parameters=parameters, notebooks=notebooks, countries=countries, jobs=jobs, keep=keep,
                       timeout_s=timeout_s, show_code=show_code)
    folder, load = config.notebook_dir(notebook_dir_path), cached_load(data_dir)
    job_list = plan(notebooks=request["notebooks"], parameters=request["parameters"],
                    countries=request["countries"], folder=folder, load=load)
    kernel, note = execute.select_kernel(kernel_name)
    # A notebook keeps one core busy: more at once than usable CPUs only share the cores.
    workers = min(request["jobs"] or usable_cpus(), usable_cpus())
    capped = f"--jobs {request['jobs']} capped at {workers}: {workers} CPU{'s' if workers != 1 else ''} available " \
             "to this process" if request["jobs"] is not None and workers < request["jobs"] else None
    for line in filter(None, (note, capped)):  # said even with quiet (which only hides the progress)
        print(f"natoanalysis report: note: {line}", file=sys.stderr)
    reports = config.reports_dir(out_dir)
    with signals.terminate_raises(error=ReportTerminated):
        stage = _begin(reports, rundir.new_run_id())
        try:
            rundir.remove_abandoned(reports)
            meta = _execute(stage, job_list, request=request, kernel=kernel, workers=workers, quiet=quiet,
                            folder=folder, load=load, root=config.data_root(data_dir))
            markers = _markers(meta)
            with signals.held_off():  # a few milliseconds, after which the run has completed
                run_dir, _ = rundir.publish(stage, markers=markers, link_latest=not markers and meta["is_full_suite"])
        except BaseException:
            with signals.held_off():  # a second Ctrl-C must not leave the staging folder behind
                stage.discard()
            raise
    # Only after a complete run: a failed one is no reason to give up the runs that worked.
    pruned = rundir.prune(reports, keep=request["keep"], protect=(stage.run_id,)) \
        if request["keep"] is not None and not markers else None
    result = RunResult(run_id=stage.run_id, run_dir=run_dir, is_complete=not markers, manifest=meta,
                       latest=rundir.latest_target(reports), pruned=pruned)
    if check and markers:
        raise ReportFailedError(f"report run {stage.run_id} {'failed' if meta['failed'] else 'is inconsistent'} "
                                f"(kept in {run_dir}, marked {' and '.join(markers)}):\n"
                                + "\n".join(result.failure_messages()), result=result)
    return result

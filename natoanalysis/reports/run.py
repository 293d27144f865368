"""The report run: validate, execute in parallel, write index and manifest, publish."""

from __future__ import annotations

import contextlib
import math
import os
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import config, validate
from ..errors import echo
from . import execute, home, interrupts, kernel as kernel_mod, manifest as manifest_mod, rundir
from .errors import JobsCappedWarning, ReportFailedError, ReportParameterError
from .params import DomainContext, edition_source, plain_parameters
from .plan import is_full_suite, plan

DEFAULT_KERNEL = kernel_mod.DEFAULT_KERNEL


@dataclass(frozen=True)
class RunResult:
    """What a report run produced: its folder, whether it completed, and its manifest."""

    run_id: str
    run_dir: Path
    is_complete: bool
    manifest: dict
    #: Where ``latest`` points after the run (its own id when it moved there), or ``None``.
    latest: str | None = None
    #: The old runs removed after it (``keep``), or ``None`` when nothing was pruned.
    pruned: rundir.Pruned | None = None

    @property
    def is_full_suite(self) -> bool:
        """Whether the run ran every notebook, the per-country one for every ally (only such a run moves ``latest``)."""
        return bool(self.manifest.get("is_full_suite"))

    @property
    def notebooks(self) -> pd.DataFrame:
        """One row per executed notebook: ``name, status, duration_s, cell_index, error``."""
        return pd.DataFrame([{
            "name": nb["name"], "status": nb["status"], "duration_s": nb["duration_s"],
            "cell_index": (nb["error"] or {}).get("cell_index"),
            "error": f"{nb['error']['ename']}: {nb['error']['evalue']}" if nb["error"] else None,
        } for nb in self.manifest["notebooks"]], columns=["name", "status", "duration_s", "cell_index", "error"])

    @property
    def changed_inputs(self) -> list[str]:
        """Input files (data under ``raw/``, notebooks) that changed while the run read them."""
        return list(self.manifest.get("inputs", {}).get("changed", []))

    def failure_messages(self) -> list[str]:
        """One line per failed notebook, naming it and the cell that raised; one for changed inputs."""
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
        if self.changed_inputs:
            out.append(f"inputs changed while the run read them, so its outputs may mix old and new versions: "
                       f"{_listing(self.changed_inputs)}")
        return out


def _listing(items: list[str], limit: int = 10) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more (see manifest.json)" if len(items) > limit else "")


def _resolved_editions(job_list, *, ctx: DomainContext) -> dict[tuple[str, str], str]:
    """``{(source, requested edition): edition}`` for every edition parameter of the run ("latest" resolved)."""
    requested = {(src, value) for j in job_list for name, value in j.parameters.items()
                 if isinstance(value, str) and (src := edition_source(name))}
    return {key: ctx.resolve_edition(source=key[0], edition=key[1]) for key in requested or {("nato", "latest")}}


# What one worker and its kernel take at most: the peak of their resident memory over the 40
# notebooks of the bundled suite was 405 MiB (PSS 327 MiB; the kernel of 06_hague_pathways 239 MiB,
# the worker 165 MiB, flat over 40 notebooks), measured with benchmarks/worker_memory.py; with a
# margin for the sampling interval. Larger counts (-p n_scenarios) make a kernel larger.
WORKER_MEMORY_BYTES = 450 * 2 ** 20


def _cgroup_cpu_quota() -> int | None:
    """The CPUs a container's CPU quota allows (rounded up), or ``None`` without a quota.

    Read at the cgroup mount's root, which inside a container is the container's own group.
    """
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()  # v2: "max 100000", "150000 100000"
    except (OSError, ValueError):
        try:
            quota = Path("/sys/fs/cgroup/cpu/cpu.cfs_quota_us").read_text().strip()  # v1: -1 for none
            period = Path("/sys/fs/cgroup/cpu/cpu.cfs_period_us").read_text().strip()
        except OSError:
            return None
    if quota in ("max", "-1"):
        return None
    try:
        return max(1, math.ceil(int(quota) / int(period)))
    except (ValueError, ZeroDivisionError):
        return None


def _usable_cpus() -> int:
    """The CPUs this process may run on: its affinity mask (taskset, containers), and a CPU quota."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    quota = _cgroup_cpu_quota()
    return max(1, min(cpus, quota or cpus))


def _cgroup_memory_left() -> int | None:
    """Memory this process's cgroup may still use (limit minus usage), or ``None`` without a limit."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, rel = line.split(":", 2)
        if controllers == "":  # cgroup v2
            mount, files = Path("/sys/fs/cgroup"), ("memory.max", "memory.current")
        elif "memory" in controllers.split(","):  # cgroup v1
            mount, files = Path("/sys/fs/cgroup/memory"), ("memory.limit_in_bytes", "memory.usage_in_bytes")
        else:
            continue
        # Inside a container the group's path is often not visible below the mount: its root is the group.
        for folder in (mount / rel.lstrip("/"), mount):
            try:
                limit = (folder / files[0]).read_text().strip()
                usage = int((folder / files[1]).read_text())
            except (OSError, ValueError):
                continue
            if limit != "max" and int(limit) < 2 ** 60:  # v1 writes "no limit" as a huge number
                return max(0, int(limit) - usage)
            break
    return None


def _available_memory() -> int | None:
    """Memory a run can still use without swapping: MemAvailable, or less under a cgroup limit."""
    available = None
    with contextlib.suppress(OSError, ValueError, StopIteration):
        line = next(line for line in Path("/proc/meminfo").read_text().splitlines()
                    if line.startswith("MemAvailable:"))
        available = int(line.split()[1]) * 1024
    if available is None:
        with contextlib.suppress(AttributeError, ValueError, OSError):
            available = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    left = _cgroup_memory_left()
    if left is not None:
        available = left if available is None else min(available, left)
    return available


def worker_limit(requested: int | None) -> tuple[int, str | None]:
    """How many workers to start for ``requested`` (``None``: one per CPU), and a note when fewer.

    At most one per usable CPU (a notebook keeps one core busy, so more only
    share the cores and add a kernel's memory each) and as many as the
    available memory holds at :data:`WORKER_MEMORY_BYTES` each; always one.

    Examples
    --------
    >>> jobs, note = worker_limit(10 ** 6)
    >>> 1 <= jobs <= _usable_cpus(), note.startswith("--jobs 1000000 capped at")
    (True, True)
    """
    cpus = _usable_cpus()
    memory = _available_memory()
    by_memory = None if memory is None else max(1, memory // WORKER_MEMORY_BYTES)
    wanted = cpus if requested is None else requested
    jobs = max(1, min(wanted, cpus, by_memory or wanted))
    if jobs == wanted:
        return jobs, None
    reasons = f"{cpus} CPU{'s' if cpus != 1 else ''} available to this process"
    if by_memory is not None and by_memory < wanted:
        reasons += (f", memory for {by_memory} worker{'s' if by_memory != 1 else ''} "
                    f"({memory / 2 ** 30:.1f} GiB available, about {WORKER_MEMORY_BYTES / 2 ** 20:.0f} MiB "
                    "for a worker and its kernel)")
    if requested is None:
        return jobs, f"using {jobs} worker{'s' if jobs != 1 else ''}, not one per CPU: {reasons}"
    return jobs, f"--jobs {requested} capped at {jobs}: {reasons}"


def _shown_number(value: object) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) and not isinstance(value, bool) else echo(value)


def whole_jobs(value: object, *, name: str = "jobs") -> int | None:
    """``value`` as a number of workers (``None`` stays ``None``); ``ValueError`` unless a whole number >= 1.

    Examples
    --------
    >>> whole_jobs(2), whole_jobs(None)
    (2, None)
    >>> whole_jobs(0, name="--jobs")
    Traceback (most recent call last):
    ...
    ValueError: --jobs must be a whole number >= 1, got 0
    """
    return None if value is None else validate.whole_number(value, name=name, minimum=1)


def positive_seconds(value: object, *, name: str = "timeout_s") -> int | None:
    """A per-cell time limit as the whole seconds papermill takes, rounded up; ``None`` means no limit.

    Zero, negative and non-finite values are refused rather than read as "no
    limit": someone who gives a limit wants one.

    Examples
    --------
    >>> positive_seconds(1.5), positive_seconds(30), positive_seconds(None)
    (2, 30, None)
    >>> positive_seconds(0, name="--timeout")
    Traceback (most recent call last):
    ...
    ValueError: --timeout must be a positive number of seconds, got 0
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number of seconds, got {_shown_number(value)}")
    return math.ceil(value)


def _payload(job, *, staging: Path, folder: Path, kernel_name: str, show_code: bool, timeout_s: int | None,
             env: dict) -> dict:
    """What a worker needs to run one notebook (plain data: it crosses a process boundary)."""
    return {
        "name": job.name, "notebook": job.notebook, "input_path": job.input_path, "overrides": job.overrides,
        "output_ipynb": str(staging / "notebooks" / f"{job.name}.ipynb"),
        "output_html": str(staging / "html" / f"{job.name}.html"),
        "output_log": str(staging / "logs" / f"{job.name}.log"),
        "figure_dir": str(staging / "figures" / job.name), "table_dir": str(staging / "tables" / job.name),
        "kernel_name": kernel_name, "cwd": str(folder),
        "show_code": show_code, "timeout": timeout_s, "env": env,
    }


def finished_line(*, name: str, status: str, duration_s: float | None, width: int = 0, done: int = 0,
                  total: int = 0) -> str:
    """The line a run prints for a finished notebook when its output is not a terminal (a CI log).

    Examples
    --------
    >>> finished_line(name="05_country_profile_POL", status="ok", duration_s=3.24)
    '05_country_profile_POL  ok  3.2 s'
    >>> finished_line(name="09_fails", status="failed", duration_s=None, width=12, done=3, total=40)
    '09_fails      failed     - s   3/40'
    """
    seconds = "-" if duration_s is None else f"{duration_s:.1f}"
    line = f"{name:<{width}}  {status:<{6 if width else 0}}  {seconds:>{5 if width else 0}} s"
    return line + (f"  {done:>{len(str(total))}}/{total}" if total else "")


class _FinishedLines:
    """One line per finished notebook on ``stream``, flushed: what a log of a run shows instead of a bar.

    A stream that can no longer be written (a reader that went away) stops the
    lines, not the run: the notebooks still finish and are published.
    """

    def __init__(self, names: list[str], *, stream):
        self.stream, self.width, self.total, self.done = stream, max(map(len, names), default=0), len(names), 0

    def say(self, text: str) -> None:
        if self.stream is None:
            return
        try:
            print(text, file=self.stream, flush=True)
        except (OSError, ValueError):  # EPIPE, or a stream closed under us
            self.stream = None

    def __call__(self, name: str, entry: dict) -> None:
        self.done += 1
        self.say(finished_line(name=name, status=entry["status"], duration_s=entry.get("duration_s"),
                               width=self.width, done=self.done, total=self.total))


def _progress_lines(names: list[str], *, quiet: bool) -> _FinishedLines | None:
    """The per-notebook lines, unless ``quiet`` or stderr is a terminal (which has the progress bar)."""
    stream = sys.stderr
    if quiet or stream is None:
        return None
    try:
        if stream.isatty():
            return None
    except (AttributeError, ValueError):
        pass
    return _FinishedLines(names, stream=stream)


def run(*, notebooks: list[str] | None = None, parameters: dict[str, object] | None = None,
        countries: str | list[str] | None = None, jobs: int | None = None,
        out_dir: str | os.PathLike | None = None, show_code: bool = False, quiet: bool = False,
        notebook_dir_path: str | os.PathLike | None = None, data_dir: str | os.PathLike | None = None,
        kernel_name: str = DEFAULT_KERNEL, timeout_s: float | None = None, check: bool = True,
        keep: int | None = None) -> RunResult:
    """Execute report notebooks into ``<out_dir>/<run-id>/``; a full suite also moves ``<out_dir>/latest``.

    ``latest`` moves only for a complete run of the full suite (every notebook
    of the folder, the per-country one for every ally), so a run of one
    notebook never hides the full reports; the manifest records which it was
    (``is_full_suite``).

    Parameters
    ----------
    notebooks : list of str, optional
        Notebooks by stem, number or name (``"05"``, ``"country_profile"``);
        default: every ``NN_name.ipynb`` of the notebook folder.
    parameters : dict, optional
        ``{name: value}`` given to every selected notebook that declares the
        name; strings are converted to the declared type. Values must be
        ``int``, ``float``, ``str``, ``bool``, ``None`` or lists of them;
        subclasses are reduced to the built-in value (:func:`params.plain`).
    countries : str or list of str, optional
        ``"all"`` (default) or ISO3 codes; the per-country notebook (the one
        with a ``country`` parameter) runs once per ally.
    jobs : int, optional
        Worker processes (default: the number of CPUs). Capped at the CPUs
        this process may use and at what the available memory holds
        (:func:`worker_limit`), with a :class:`JobsCappedWarning`.
    out_dir : path-like, optional
        Reports folder (default: the repository's ``reports/``).
    show_code : bool, default False
        Show code cells in the HTML versions.
    quiet : bool, default False
        No progress: neither the bar (on stderr, when it is a terminal) nor,
        when stderr is not a terminal (a CI log, a file), the line per
        finished notebook (:func:`finished_line`).
    notebook_dir_path : path-like, optional
        Notebook folder (default: ``$NATOANALYSIS_NOTEBOOK_DIR`` or ``notebooks/``).
    data_dir : path-like, optional
        Data root, also passed to the kernels as ``NATOANALYSIS_DATA_DIR``.
    kernel_name : str, default "natoanalysis"
        Jupyter kernel to execute with.
    timeout_s : float, optional
        Per-cell time limit in seconds, rounded up to whole seconds (default:
        none); zero, negative and non-finite values are refused.
    check : bool, default True
        Raise :class:`ReportFailedError` when a notebook fails or an input
        (a data file, a notebook) changed during the run; the run is still
        kept, marked ``INCOMPLETE`` or ``INCONSISTENT``, and ``latest`` stays
        where it was. With ``False`` return the result instead.
    keep : int, optional
        After a complete run, remove all but the ``keep`` newest runs of the
        reports folder (:func:`clean`); the run just made and the one
        ``latest`` points at always stay. Default: remove nothing.

    Returns
    -------
    RunResult
        ``run_id``, ``run_dir``, ``is_complete``, ``manifest`` (dict) and
        ``notebooks`` (a DataFrame with ``duration_s`` per notebook).

    Raises
    ------
    ReportParameterError
        Before any kernel starts, for an unknown notebook, parameter, ally or
        edition, a year outside the edition, a non-numeric or negative target,
        a count above :data:`params.MAX_COUNT`, a value of another type, a bad
        ``jobs`` or ``timeout_s``, or a reports folder that cannot be written.
    KeyboardInterrupt, ReportTerminated
        On Ctrl-C, or SIGTERM/SIGHUP (a :class:`SystemExit` with status 143/129),
        after the workers and their kernels have stopped and the staging
        folder has been removed; nothing is published.

    Examples
    --------
    >>> run(notebooks=["no_such_notebook"])
    Traceback (most recent call last):
    ...
    natoanalysis.reports.errors.ReportParameterError: unknown notebook 'no_such_notebook'; accepted ...
    """
    # Plain values before anything else reads them: what papermill injects, what the kernel runs and
    # what the manifest records must be the same (see params.plain).
    try:
        parameters = plain_parameters(parameters)
        notebooks = _plain_texts(notebooks, name="notebooks")
        countries = countries if countries is None else (
            _plain_texts([countries], name="countries")[0] if isinstance(countries, str)
            else _plain_texts(countries, name="countries"))
        kernel_name = _plain_texts([kernel_name], name="kernel_name")[0]
        jobs_requested = whole_jobs(jobs, name="jobs")
        keep = None if keep is None else validate.whole_number(keep, name="keep")
        timeout = positive_seconds(timeout_s, name="timeout_s")
    except ValueError as exc:
        raise ReportParameterError(str(exc).splitlines()) from None
    show_code = bool(show_code)
    folder = config.notebook_dir(notebook_dir_path)
    ctx = DomainContext(data_dir=data_dir)
    job_list = plan(notebooks=notebooks, parameters=parameters, countries=countries, folder=folder, ctx=ctx)
    kernel = kernel_mod.select(kernel_name)
    kernel_name, kernel_python = kernel.name, kernel.python
    if kernel.note:  # said even with quiet (which only hides the progress bar)
        print(f"natoanalysis report: note: {kernel.note}", file=sys.stderr)

    root = config.data_root(data_dir)
    resolved = _resolved_editions(job_list, ctx=ctx)
    reports = config.reports_dir(out_dir)
    _prepare_reports(reports)
    workers, note = worker_limit(jobs_requested)
    if note:
        warnings.warn(note, JobsCappedWarning, stacklevel=2)
    with interrupts.terminate_raises():
        run_id = rundir.new_run_id()
        try:
            stage = rundir.Staging.begin(reports, run_id)  # the first write: it tells whether the folder takes any
        except OSError as exc:
            raise ReportParameterError([f"--out {_shown_path(reports)} is not a writable folder: "
                                        f"{exc.strerror or exc}"]) from None
        try:
            rundir.remove_abandoned(reports)
            started = time.time()
            notebook_hashes = {path: manifest_mod.file_sha256(path) for path in dict.fromkeys(
                j.input_path for j in job_list)}
            meta = {
                "run_id": run_id, "status": "running", "started_utc": execute._utc(started),
                **manifest_mod.environment(kernel_python=kernel_python), "kernel_name": kernel_name,
                "jobs": workers, "jobs_requested": jobs_requested, "show_code": show_code,
                "request": {"notebooks": list(notebooks or []), "parameters": dict(parameters),
                            "countries": countries},
                "countries": sorted({j.country for j in job_list if j.country}),
                "is_full_suite": is_full_suite(job_list, folder=folder),
                "editions": {src: ", ".join(sorted({e for (s, _), e in resolved.items() if s == src}))
                             for src in sorted({s for s, _ in resolved})},
                "inputs": {"data_dir": str(root), "sources": manifest_mod.input_hashes(root)},
            }
            env = {"NATOANALYSIS_DATA_DIR": str(root), **kernel.env}
            payloads = [_payload(j, staging=stage.path, folder=folder, kernel_name=kernel_name,
                                 show_code=show_code, timeout_s=timeout, env=env) for j in job_list]
            lines = _progress_lines([j.name for j in job_list], quiet=quiet)
            if lines is not None:
                lines.say(f"report {run_id}: {len(job_list)} notebook{'s' if len(job_list) != 1 else ''} "
                          f"on {workers} worker{'s' if workers != 1 else ''}")
            entries = execute.run_jobs(payloads, workers=workers, quiet=quiet, hold_fds=(stage.lock_fd,),
                                       on_finished=lines)
            # Hashed again at the end: a file changed meanwhile may have been read before or after the change.
            changed = manifest_mod.changed_inputs(meta["inputs"]["sources"], manifest_mod.input_hashes(root))
            changed += [path for path, digest in notebook_hashes.items() if _sha256_or_none(path) != digest]
            meta["inputs"]["changed"] = changed
            meta["notebooks"] = [manifest_mod.notebook_entry(j, e, editions=resolved,
                                                             notebook_sha256=notebook_hashes[j.input_path])
                                 for j, e in zip(job_list, entries)]
            meta["failed"] = [nb["name"] for nb in meta["notebooks"] if nb["status"] != "ok"]
            is_complete = not meta["failed"] and not changed
            meta["status"] = "failed" if meta["failed"] else "inconsistent" if changed else "complete"
            finished = time.time()
            meta["finished_utc"] = execute._utc(finished)
            meta["duration_s"] = round(finished - started, 3)
            manifest_mod.write(stage.path / manifest_mod.MANIFEST, meta)
            home.write(stage.path, meta, data_dir=root)
            markers = {}
            if meta["failed"]:
                markers[rundir.INCOMPLETE] = "This run failed; see manifest.json. reports/latest does not point here.\n"
            if changed:
                markers[rundir.INCONSISTENT] = (
                    "These inputs changed while the run read them, so its outputs may mix old and new versions; "
                    "see manifest.json (inputs). reports/latest does not point here.\n" + "\n".join(changed) + "\n")
            # A signal now would only leave a finished run unpublished: the few milliseconds run to their end.
            with interrupts.held_off():
                run_dir, _ = rundir.publish(stage, markers=markers,
                                            link_latest=is_complete and meta["is_full_suite"])
        except BaseException:
            # An interrupted run leaves nothing behind (its workers have stopped: run_jobs waits for them);
            # earlier runs and `latest` were never touched.
            with interrupts.held_off():
                stage.discard()
            raise
    # Only after a complete run: a failed one is no reason to give up the runs that worked.
    pruned = rundir.prune(reports, keep=keep, protect=(run_id,)) if keep is not None and is_complete else None
    result = RunResult(run_id=run_id, run_dir=run_dir, is_complete=is_complete, manifest=meta,
                       latest=rundir.latest_target(reports), pruned=pruned)
    if check and not is_complete:
        what = "failed" if meta["failed"] else "is inconsistent"
        marks = " and ".join(m for m in (rundir.INCOMPLETE, rundir.INCONSISTENT) if m in markers)
        raise ReportFailedError(f"report run {run_id} {what} (kept in {run_dir}, marked {marks}):\n"
                                + "\n".join(result.failure_messages()), result=result)
    return result


def clean(*, out_dir: str | os.PathLike | None = None, keep: int = 1, dry_run: bool = False) -> rundir.Pruned:
    """Remove old runs from the reports folder: all but the ``keep`` newest, and the one ``latest`` points at.

    Only folders a run published (:func:`rundir.is_run_folder`) are removed,
    never through a link; a run being published or whose lock another
    process holds stays, and so do the hidden folders of runs in progress.
    Staging folders of runs that died are removed too (they are not counted
    in the result). ``dry_run`` says what would go and removes nothing.

    Examples
    --------
    >>> import tempfile
    >>> empty = Path(tempfile.mkdtemp())
    >>> clean(out_dir=empty).removed
    {}
    >>> clean(out_dir=empty, keep=-1)
    Traceback (most recent call last):
    ...
    natoanalysis.reports.errors.ReportParameterError: --keep must be a whole number >= 0, got -1
    >>> import shutil; shutil.rmtree(empty)
    """
    try:
        keep = validate.whole_number(keep, name="--keep")
    except ValueError as exc:
        raise ReportParameterError([str(exc)]) from None
    reports = config.reports_dir(out_dir)
    if reports.exists() and not reports.is_dir():
        raise ReportParameterError([f"--out {_shown_path(reports)} is a file, not a folder"])
    try:
        if not dry_run:
            rundir.remove_abandoned(reports)
        return rundir.prune(reports, keep=keep, dry_run=dry_run)
    except OSError as exc:
        raise ReportParameterError([f"--out {_shown_path(reports)} cannot be cleaned: {exc.strerror or exc}"]) from None


def _plain_texts(values: object, *, name: str) -> list[str] | None:
    """A list of text values (notebook names, ally codes) as plain ``str``; ``ValueError`` otherwise."""
    if values is None:
        return None
    if isinstance(values, str) or not isinstance(values, (list, tuple)):
        raise ValueError(f"{name} must be a list of text (str), got {type(values).__qualname__[:60]}")
    out = []
    for v in (list.__iter__(values) if isinstance(values, list) else tuple.__iter__(values)):
        if not isinstance(v, str):
            raise ValueError(f"{name} must be text (str), got {type(v).__qualname__[:60]} {echo(v)}")
        out.append(str.__str__(v))
    return out


def _sha256_or_none(path: str) -> str | None:
    try:
        return manifest_mod.file_sha256(path)
    except OSError:
        return None


def _shown_path(path: Path, limit: int = 200) -> str:
    text = str(path)
    return text if len(text) <= limit else text[:limit // 2] + "…" + text[-limit // 2:]


def _prepare_reports(reports: Path) -> None:
    """Create the reports folder, or say in one line why a run cannot write there (before any kernel starts)."""
    shown = _shown_path(reports)
    if reports.exists() and not reports.is_dir():
        raise ReportParameterError([f"--out {shown} is a file, not a folder"])
    try:
        reports.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportParameterError([f"--out {shown} is not a writable folder: cannot create it: "
                                    f"{exc.strerror or exc}"]) from None
    link = reports / rundir.LATEST
    if link.exists() and not link.is_symlink():
        raise ReportParameterError([f"{_shown_path(link)} exists and is not a symbolic link; remove it to let "
                                    "reports update it"])

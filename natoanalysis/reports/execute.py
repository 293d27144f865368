"""Execute notebooks: papermill in the threads of a ``concurrent.futures`` pool, one kernel per notebook.

Threads are enough: the work happens in the kernels, which are separate
processes, and a script calling :func:`natoanalysis.reports.run` needs no
``if __name__ == "__main__":`` guard (a process pool would re-import it). Each
notebook gets its own kernel manager, started here with the notebook's own
environment, working folder and log file, and handed to papermill; papermill's
``cwd`` is not used, because it changes the working folder of the whole process.

A kernel dies with the run however the run ends: ipykernel polls its parent
(``JPY_PARENT_PID``, set by jupyter_client) and exits when it is gone, so a run
killed outright takes its kernels within about a second. On Ctrl-C or SIGTERM
:func:`run_jobs` kills the running kernels itself; papermill then fails their
notebooks and the threads end.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path

from jupyter_core.utils import run_sync

from .. import config, signals
from .plan import Job

# Reproducible figures even when a notebook saves without pinned metadata: matplotlib dates SVG
# (and PDF) files from SOURCE_DATE_EPOCH, and the rc file fixes the salt of SVG element ids.
PINNED_ENV = {"SOURCE_DATE_EPOCH": "0", "MATPLOTLIBRC": str(Path(__file__).with_name("matplotlibrc"))}


def skip_iri_format_checkers() -> None:
    """Keep jsonschema from importing ``rfc3987_syntax`` in this process.

    nbformat (under papermill and nbconvert) validates with jsonschema, which
    imports rfc3987_syntax when it is installed. That module compiles a few
    dozen Earley grammars at import: 1-3 s of every process that reads a
    notebook (python-jsonschema/jsonschema#1428), for the ``iri`` formats that
    no notebook schema uses. Called only in the ``natoanalysis report``
    command, never on import of the library; no effect once jsonschema is imported.
    """
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]


class Stopped(Exception):
    """The run is being stopped: a notebook not started yet is not started."""


class Kernels:
    """The kernels running now, so that a stopped run can kill them from the main thread."""

    def __init__(self):
        self._lock, self._live, self.stopping = threading.Lock(), set(), False

    def start(self, task: Job, log) -> object:
        """Start the task's kernel, its stderr into ``log``; :class:`Stopped` once the run is stopping."""
        km = task.kernel.manager()
        with self._lock:
            if self.stopping:
                raise Stopped
            self._live.add(km)
        env = {**os.environ, **PINNED_ENV, **task.env,
               config.FIGURE_DIR_ENV: str(task.path("figures")), config.TABLE_DIR_ENV: str(task.path("tables")),
               # The page is html/<name>.html; its links to the CSV files are relative, so the run can move.
               config.TABLE_HREF_ENV: f"../tables/{task.name}", config.FIGURE_HREF_ENV: f"../figures/{task.name}",
               # pages say in their text what load() would tell on stderr (newer editions, missing growth)
               config.NOTICES_ENV: "0"}
        try:
            run_sync(km.start_kernel)(cwd=task.cwd, env=env, stderr=log,
                                      extra_arguments=["--HistoryManager.hist_file=:memory:"])  # no shared SQLite file
            with self._lock:
                if self.stopping:  # stopped while it started: stop() found no process to kill yet
                    raise Stopped
        except BaseException:
            self.done(km)
            raise
        return km

    def done(self, km) -> None:
        with self._lock:
            self._live.discard(km)
        with contextlib.suppress(Exception):
            run_sync(km.shutdown_kernel)(now=True)
            run_sync(km.cleanup_resources)()

    def stop(self) -> None:
        """Start no more kernels and kill the running ones; their threads then end."""
        with self._lock:
            self.stopping = True
            live = list(self._live)
        for km in live:
            with contextlib.suppress(Exception):
                run_sync(km.signal_kernel)(getattr(signal, "SIGKILL", signal.SIGTERM))


def _error_entry(exc: BaseException) -> dict:
    """The manifest's error record: the failing cell for a cell error, the exception otherwise."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        source = (exc.source or "").strip()
        return {"executed_cell_index": exc.cell_index, "execution_count": exc.exec_count, "ename": exc.ename,
                "evalue": exc.evalue, "source_first_line": source.splitlines()[0][:200] if source else ""}
    return {"executed_cell_index": None, "execution_count": None, "ename": type(exc).__name__,
            "evalue": str(exc) or type(exc).__name__, "source_first_line": ""}


def _locate_error(nb, error: dict) -> None:
    """Complete ``error`` with the failing cell's index in the notebook as committed.

    A time-out or a dead kernel carries no cell: it is the last code cell
    papermill started. Papermill's indices count the ``injected-parameters``
    cell it inserted; the error banners it adds afterwards are not counted.
    """
    cells = [c for c in nb.cells if "papermill-error-cell-tag" not in c.get("metadata", {}).get("tags", [])]
    if error["executed_cell_index"] is None:
        started = [i for i, c in enumerate(cells) if c.cell_type == "code"
                   and c.get("metadata", {}).get("papermill", {}).get("status", "pending") != "pending"]
        if not started:
            return
        cell = cells[started[-1]]
        first = cell.source.strip().splitlines()[0][:200] if cell.source.strip() else ""
        error.update(executed_cell_index=started[-1], execution_count=cell.get("execution_count"),
                     source_first_line=first)
    index = error["executed_cell_index"]
    error["cell_index"] = index - sum("injected-parameters" in c.get("metadata", {}).get("tags", [])
                                      for c in cells[:index])


# nbconvert's exporters are not documented as thread-safe: one page is rendered at a time (0.04 s each).
_EXPORT_LOCK = threading.Lock()
_EXPORTERS: dict[bool, object] = {}


def _render(nb, *, show_code: bool, data_dir: str | None = None) -> str:
    """The notebook's HTML page; the first one per process loads the templates (0.5 s)."""
    from .pages import PageExporter

    with _EXPORT_LOCK:
        if show_code not in _EXPORTERS:
            _EXPORTERS[show_code] = PageExporter(show_code=show_code)
        return _EXPORTERS[show_code].from_notebook_node(nb, {"data_dir": data_dir})[0]  # the footer's editions


def _warm(show_code: bool) -> None:
    """Load the templates while the first kernels run, so that the first page does not wait for them."""
    import nbformat

    with contextlib.suppress(Exception):  # the real export reports any problem
        _render(nbformat.v4.new_notebook(), show_code=show_code)


def _export_html(task: Job, entry: dict) -> None:
    """Write the notebook's HTML version; a notebook that ran but cannot be shown fails."""
    import nbformat

    if not task.path("ipynb").is_file():
        return
    try:
        nb = nbformat.read(task.path("ipynb"), as_version=4)
        if entry["error"]:
            _locate_error(nb, entry["error"])
        body = _render(nb, show_code=task.show_code, data_dir=task.env.get(config.DATA_DIR_ENV))
        task.path("html").parent.mkdir(parents=True, exist_ok=True)
        task.path("html").write_text(body, encoding="utf-8")
    except Exception as exc:
        entry["status"] = "failed"
        entry["error"] = entry["error"] or {**_error_entry(exc), "evalue": f"HTML export: {exc}"}


def _utc(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


def execute(task: Job, kernels: Kernels) -> dict:
    """Run one notebook and return its result (status, times, error, outputs); a notebook's error is not raised."""
    for kind in ("figures", "ipynb", "log"):
        (task.path(kind) if kind == "figures" else task.path(kind).parent).mkdir(parents=True, exist_ok=True)
    started, t0 = time.time(), time.perf_counter()
    entry = {"status": "ok", "error": None}
    with open(task.path("log"), "w", encoding="utf-8") as log:
        km = None
        try:
            km = kernels.start(task, log)
            import papermill as pm  # the first notebook imports it while its kernel boots

            pm.execute_notebook(task.input_path, str(task.path("ipynb")), parameters=task.overrides, km=km,
                                kernel_name=km.kernel_name, progress_bar=False, log_output=False,
                                request_save_on_cell_execute=True, execution_timeout=task.timeout,
                                # papermill's 60 s is too short for a kernel booting on a loaded machine; a
                                # kernel that dies meanwhile is noticed at once (its manager polls it).
                                start_timeout=300)
        except Exception as exc:  # a failing cell, a kernel that died or timed out, an unreadable notebook
            entry.update(status="failed", error=_error_entry(exc))
        finally:
            if km is not None:
                kernels.done(km)
    entry.update(duration_s=round(time.perf_counter() - t0, 3), started_utc=_utc(started),
                 finished_utc=_utc(time.time()))
    _export_html(task, entry)
    if task.path("log").stat().st_size == 0:
        task.path("log").unlink()
    return {**entry, **_outputs(task)}


def _outputs(task: Job) -> dict:
    return {"figures": _files(task.path("figures")), "tables": _files(task.path("tables")),
            **{f"has_{kind}": task.path(kind).is_file() for kind in ("ipynb", "html", "log")}}


def run_jobs(tasks: list[Job], *, workers: int, quiet: bool = False, on_finished=None) -> list[dict]:
    """Execute ``tasks`` on ``workers`` threads; return their results in task order.

    A progress bar goes to stderr when it is a terminal and ``quiet`` is
    false; ``on_finished(name, result)`` is called as each notebook finishes.
    However this function ends (Ctrl-C, SIGTERM, a bug), no kernel is left
    running when it returns or raises.
    """
    from tqdm import tqdm

    # What papermill and nbclient log (a kernel killed on Ctrl-C, a time-out) is in the manifest already;
    # without a handler of its own Python's last resort would print it on stderr, over the progress.
    logger = logging.getLogger("papermill")
    if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
        logger.addHandler(logging.NullHandler())
    kernels = Kernels()
    if tasks:
        threading.Thread(target=_warm, args=(tasks[0].show_code,), daemon=True).start()
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="notebook")
    show_bar = not quiet and sys.stderr is not None and sys.stderr.isatty()
    try:
        futures = {pool.submit(execute, task, kernels): i for i, task in enumerate(tasks)}
        results: list[dict] = [{}] * len(tasks)
        with tqdm(total=len(tasks), desc="report", unit="nb", file=sys.stderr, disable=not show_bar) as bar:
            for future in concurrent.futures.as_completed(futures):
                i = futures[future]
                try:
                    results[i] = future.result()
                except Exception as exc:  # not the notebook's failure but the runner's (a full disk)
                    results[i] = {"status": "failed", "duration_s": None, "error": _error_entry(exc),
                                  **_outputs(tasks[i])}
                bar.set_postfix_str(f"{tasks[i].name} {results[i]['status']}", refresh=False)
                bar.update(1)
                if on_finished is not None:
                    on_finished(tasks[i].name, results[i])
        return results
    except BaseException:
        # Held off, so that a second Ctrl-C cannot leave a thread writing into a folder being removed; bounded:
        # papermill sees a killed kernel within about a second, and no queued notebook starts.
        with signals.held_off():
            kernels.stop()
            pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=True)

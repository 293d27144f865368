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
import functools
import logging
import os
import re
import signal
import sys
import threading
import time
from pathlib import Path

from jupyter_core.utils import run_sync

from .. import config, signals
from ..errors import echo
from .errors import ReportParameterError
from .notebooks import Job

DEFAULT_KERNEL = "natoanalysis"
# Reproducible figures even when a notebook saves without pinned metadata: matplotlib dates SVG
# (and PDF) files from SOURCE_DATE_EPOCH, and the rc file fixes the salt of SVG element ids.
PINNED_ENV = {"SOURCE_DATE_EPOCH": "0", "MATPLOTLIBRC": str(Path(__file__).with_name("matplotlibrc"))}
# What papermill and nbclient log (a kernel killed on Ctrl-C, a time-out) is in the manifest already;
# without a handler of its own Python's last resort would print it on stderr, over the progress.
logging.getLogger("papermill").addHandler(logging.NullHandler())


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


def select_kernel(name: str = DEFAULT_KERNEL) -> tuple[str, str | None]:
    """The Jupyter kernel to run notebooks with, and a note when it is not the one asked for.

    ``make venv`` registers the project's kernel, ``natoanalysis``; without it
    the notebooks run with the ``python3`` kernel (ipykernel's own for this
    interpreter, unless one is installed under that name). A kernel named by
    the caller that does not exist is refused, never replaced.

    Examples
    --------
    >>> select_kernel()[0] in ("natoanalysis", "python3")
    True
    >>> select_kernel("no-such-kernel")
    Traceback (most recent call last):
    ...
    natoanalysis.reports.errors.ReportParameterError: no Jupyter kernel named 'no-such-kernel'; accepted: ...
    """
    from jupyter_client.kernelspec import KernelSpecManager

    specs = KernelSpecManager()
    known = specs.find_kernel_specs()
    if name in known:
        return name, None
    if name != DEFAULT_KERNEL:
        raise ReportParameterError([f"no Jupyter kernel named {echo(name)}; accepted: {', '.join(sorted(known))}"])
    return "python3", (f"no Jupyter kernel named {DEFAULT_KERNEL!r}: the notebooks run with the kernel 'python3' "
                       f"({specs.get_kernel_spec('python3').argv[0]})")


class Kernels:
    """The kernels running now, so that a stopped run can kill them from the main thread."""

    def __init__(self):
        self._lock, self._live, self.stopping = threading.Lock(), set(), False

    def start(self, task: Job, log) -> object:
        """Start the task's kernel, its stderr into ``log``; ``RuntimeError`` once the run is stopping."""
        from jupyter_client import AsyncKernelManager

        # ipykernel warns in every log unless the manager provisions CurveZMQ keys where it can.
        km = AsyncKernelManager(kernel_name=task.kernel, **(
            {"transport_encryption": "auto"} if "transport_encryption" in AsyncKernelManager.class_trait_names()
            else {}))
        with self._lock:
            if self.stopping:  # a notebook not started yet is not started
                raise RuntimeError("the run is being stopped")
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
                    raise RuntimeError("the run is being stopped")
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


def _error(exc: BaseException, prefix: str = "") -> dict:
    """The manifest's error record: the exception a cell raised (papermill's), or the one that stopped the run."""
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    return {"ename": ename or type(exc).__name__, "evalue": prefix + (evalue or str(exc) or type(exc).__name__)}


_EXPORT_LOCK = threading.Lock()  # nbconvert's exporters are not documented as thread-safe: one page at a time


@functools.cache
def _exporter(show_code: bool):
    from .pages import PageExporter

    return PageExporter(show_code=show_code)  # loads the templates once per process (0.5 s)


def _warm(show_code: bool) -> None:
    """Load the templates while the first kernel boots, so that the first page does not wait for them.

    Needed for ``natoanalysis report 01`` to stay within 1.5x of papermill (``benchmarks/run.py``).
    """
    import nbformat

    with _EXPORT_LOCK, contextlib.suppress(Exception):  # the real export reports any problem
        _exporter(show_code).from_notebook_node(nbformat.v4.new_notebook())


def _export_html(task: Job, entry: dict) -> None:
    """Write the notebook's HTML version; a notebook that ran but cannot be shown fails."""
    import nbformat

    if not task.path("ipynb").is_file():
        return
    try:
        nb = nbformat.read(task.path("ipynb"), as_version=4)
        with _EXPORT_LOCK:
            # The footer names the run folder's editions; links to pages the run does not render are unlinked.
            resources = {"data_dir": task.env.get(config.DATA_DIR_ENV), "pages": task.pages}
            body = _exporter(task.show_code).from_notebook_node(nb, resources)[0]
        task.path("html").parent.mkdir(parents=True, exist_ok=True)
        task.path("html").write_text(body, encoding="utf-8")
    except Exception as exc:
        entry.update(status="failed", error=entry["error"] or _error(exc, prefix="HTML export: "))


def _outputs(task: Job) -> dict:
    """The files the notebook produced, as paths relative to the run folder."""
    def rel(path: Path) -> str:
        return path.relative_to(task.folder).as_posix()
    return {**{kind: rel(task.path(kind)) if task.path(kind).is_file() else None for kind in ("ipynb", "html", "log")},
            **{kind: sorted(rel(p) for p in task.path(kind).iterdir() if p.is_file()) if task.path(kind).is_dir()
               else [] for kind in ("figures", "tables")}}


# Two processes (two runs at once, pytest-xdist workers) can pick the same free TCP port for their kernels
# (jupyter_client#276, papermill#511): the loser dies at start with ZMQError "Address already in use".
# jupyter_client's port cache only keeps the kernels of one process apart and a lock cannot reach other
# processes, so such a kernel is started again on fresh ports, and only such a kernel.
_PORT_TAKEN = re.compile(r"ZMQError: Address (already )?in use")
_STARTS = 3


def _lost_port_race(exc: Exception, log) -> bool:
    """Whether the kernel died at start because another process took one of its ports (its log says so)."""
    log.flush()
    return isinstance(exc, RuntimeError) and "kernel_info" in str(exc) and bool(
        _PORT_TAKEN.search(Path(log.name).read_text(encoding="utf-8", errors="replace")))


def _papermill(task: Job, kernels: Kernels, log) -> None:
    """Execute the notebook in a kernel of its own, started again when it lost a port race."""
    for start in range(1, _STARTS + 1):
        km = kernels.start(task, log)
        try:
            import papermill as pm  # the first notebook imports it while its kernel boots

            pm.execute_notebook(task.input_path, str(task.path("ipynb")), parameters=task.overrides, km=km,
                                kernel_name=km.kernel_name, progress_bar=False, log_output=False,
                                request_save_on_cell_execute=False, execution_timeout=task.timeout,
                                # papermill's 60 s is too short for a kernel booting on a loaded machine; a
                                # kernel that dies meanwhile is noticed at once (its manager polls it).
                                start_timeout=300)
            return
        except RuntimeError as exc:
            if start == _STARTS or not _lost_port_race(exc, log):
                raise
            log.seek(0)  # the log is the kernel's that ran the notebook
            log.truncate()
        finally:
            kernels.done(km)


def execute(task: Job, kernels: Kernels) -> dict:
    """Run one notebook: ``{status, duration_s, error, outputs}``; a notebook's error is not raised."""
    for path in (task.path("figures"), task.path("ipynb").parent, task.path("log").parent):
        path.mkdir(parents=True, exist_ok=True)
    t0, entry = time.perf_counter(), {"status": "ok", "error": None}
    with open(task.path("log"), "w", encoding="utf-8") as log:
        try:
            _papermill(task, kernels, log)
        except Exception as exc:  # a failing cell, a kernel that died or timed out, an unreadable notebook
            entry.update(status="failed", error=_error(exc))
    entry["duration_s"] = round(time.perf_counter() - t0, 3)
    _export_html(task, entry)
    if task.path("log").stat().st_size == 0:
        task.path("log").unlink()
    return {**entry, "outputs": _outputs(task)}


def _say(text: str) -> bool:
    """One flushed line on stderr; ``False`` once its reader has gone, which stops the lines, not the run."""
    try:
        print(text, file=sys.stderr, flush=True)
        return True
    except (OSError, ValueError):  # EPIPE, or a stream closed under us
        return False


def run_jobs(tasks: list[Job], *, workers: int, quiet: bool = False, title: str = "report") -> list[dict]:
    """Execute ``tasks`` on ``workers`` threads; return their results in task order.

    Unless ``quiet``, progress goes to stderr: a bar when it is a terminal,
    else one line per finished notebook (``05_country_profile_POL  ok     3.2 s  12/40``,
    after a first line ``title: N notebooks on W workers``). However this
    function ends (Ctrl-C, SIGTERM, a bug), no kernel is left running when it
    returns or raises.
    """
    from tqdm import tqdm

    kernels = Kernels()
    if tasks:
        threading.Thread(target=_warm, args=(tasks[0].show_code,), daemon=True).start()
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="notebook")
    show_bar = not quiet and sys.stderr is not None and sys.stderr.isatty()
    lines = not quiet and sys.stderr is not None and not show_bar and _say(
        f"{title}: {len(tasks)} notebook{'s' if len(tasks) != 1 else ''} on {workers} worker{'s' if workers != 1 else ''}")
    width, count = max((len(t.name) for t in tasks), default=0), len(str(len(tasks)))
    try:
        futures = {pool.submit(execute, task, kernels): i for i, task in enumerate(tasks)}
        results: list[dict] = [{}] * len(tasks)
        with tqdm(total=len(tasks), desc=title, unit="nb", file=sys.stderr, disable=not show_bar) as bar:
            for done, future in enumerate(concurrent.futures.as_completed(futures), start=1):
                i = futures[future]
                try:
                    results[i] = future.result()
                except Exception as exc:  # not the notebook's failure but the runner's (a full disk)
                    results[i] = {"status": "failed", "duration_s": None, "error": _error(exc),
                                  "outputs": _outputs(tasks[i])}
                bar.set_postfix_str(f"{tasks[i].name} {results[i]['status']}", refresh=False)
                bar.update(1)
                seconds = "-" if results[i]["duration_s"] is None else f"{results[i]['duration_s']:.1f}"
                lines = lines and _say(f"{tasks[i].name:<{width}}  {results[i]['status']:<6}  {seconds:>5} s  "
                                       f"{done:>{count}}/{len(tasks)}")
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

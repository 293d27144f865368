"""Execute notebooks in a pool of worker processes.

Each worker imports papermill and nbconvert once and then executes many
notebooks, so their start-up is paid once per worker rather than once per
notebook; only the kernel itself starts per notebook. A worker launches its
first kernel before it imports papermill, so the kernel boots (and imports the
package, pandas and matplotlib) on the other core meanwhile, and it prepares
the HTML exporter while the kernel runs the notebook.

Workers are started as ``python -m natoanalysis.reports.worker``, not with
multiprocessing: a spawned multiprocessing child re-imports the caller's
``__main__``, so a script calling :func:`natoanalysis.reports.run` without an
``if __name__ == "__main__":`` guard ran itself again in every worker (and
forking instead is unsafe: the parent has read Arrow files by then, and forking
a process whose Arrow thread pool is running can deadlock). A worker reads one
job a line (JSON) on its stdin and answers with one line on its stdout; it dies
with the runner however the runner ends (:func:`interrupts.die_with_parent`),
and so do its kernels.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import json
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from .. import config

# Reproducible figures even when a notebook saves without pinned metadata: matplotlib dates SVG
# (and PDF) files from SOURCE_DATE_EPOCH, and the rc file fixes the salt of SVG element ids.
PINNED_ENV = {"SOURCE_DATE_EPOCH": "0", "MATPLOTLIBRC": str(Path(__file__).with_name("matplotlibrc"))}

_EXPORTERS: dict[bool, object] = {}

# Imported by a report kernel while it starts, before the worker hands it the notebook: the notebooks'
# own first cell then finds them loaded. Only sys.modules changes; the user namespace is left empty.
PRELOAD_MODULES = ("natoanalysis.charts", "natoanalysis.views", "seaborn", "matplotlib.backends.backend_svg")


def skip_iri_format_checkers() -> None:
    """Keep jsonschema from importing ``rfc3987_syntax`` in this process.

    nbformat (under papermill and nbconvert) validates with jsonschema, which
    imports rfc3987_syntax when it is installed (jupyter's dependencies install
    it). That module compiles a few dozen Earley grammars at import: 1-3 s of
    every process that reads a notebook (python-jsonschema/jsonschema#1428),
    for the ``iri`` formats that no notebook schema uses. With the module
    hidden, jsonschema skips those two format checkers, as it does where the
    package is absent. Called only in processes that are ours: the runner's
    workers and the ``natoanalysis report`` command, never on import of the
    library. It has no effect once jsonschema has been imported.
    """
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]


def _kernel_config():
    """Kernel-manager settings for the kernels the runner starts.

    ipykernel (7.3 and later) warns at every start over TCP without CurveZMQ
    keys, which would put the same line in every notebook's log and hide what
    a kernel really wrote to stderr. Where jupyter_client can provision keys
    (its ``transport_encryption`` setting, and a libzmq with Curve), it does so
    for kernels whose kernelspec declares support; otherwise nothing changes.
    """
    import zmq
    from jupyter_client import KernelManager
    from traitlets.config import Config

    if "transport_encryption" in KernelManager.class_trait_names() and zmq.has("curve"):
        return Config({"KernelManager": {"transport_encryption": "auto"}})
    return Config()


def _init_worker() -> None:
    # papermill and nbconvert are imported by the first job, after it has launched its kernel.
    skip_iri_format_checkers()


def _preload_line() -> str:
    """The kernel's start-up line: import :data:`PRELOAD_MODULES` for their side effect only.

    Nothing stays bound in the notebook's namespace, whatever fails: a kernel
    without the package (another kernel name) just skips it, and the
    notebook's own import then says what is missing.
    """
    return (f"for _preload in {PRELOAD_MODULES!r}:\n"
            "    try:\n        __import__(_preload)\n    except Exception:\n        pass\n"
            "del _preload")


def _lifeline_line(worker_pid: int) -> str:
    """Kernel start-up code that makes the kernel die with its worker (Linux; a no-op elsewhere).

    ipykernel already polls its parent once a second and exits when it is gone;
    ``PR_SET_PDEATHSIG`` makes that immediate, so a kernel whose worker was
    killed writes nothing more into the run's folder. The kernel is started
    from the worker's main thread, which lives as long as the worker (the
    signal follows the thread that forked). Nothing stays in the namespace.
    """
    if not sys.platform.startswith("linux"):
        return ""
    return ("def _natoanalysis_lifeline():\n"
            "    import ctypes, os, signal\n"
            "    try:\n"
            "        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)\n"
            "    except Exception:\n"
            "        return\n"
            f"    if os.getppid() != {int(worker_pid)}:  # the worker died before the request took effect\n"
            "        os._exit(1)\n"
            "_natoanalysis_lifeline()\n"
            "del _natoanalysis_lifeline")


def _kernel_manager(job: dict):
    """The job's kernel manager (kernel not started yet)."""
    return _manager_class()(kernel_name=job["kernel_name"], config=_kernel_config())


def _start_kernel(km, job: dict) -> None:
    """Launch the job's kernel without waiting for it to be ready.

    papermill's client waits for it (``start_timeout``) and runs the notebook
    on it; the caller shuts it down. IPython kernels keep their history in
    memory (parallel kernels share no SQLite file) and run the preload line
    and the lifeline (:func:`_lifeline_line`).
    """
    from jupyter_core.utils import run_sync

    # jupyter_client's own ``km.ipykernel`` goes by the kernel's name (python3), so the spec is asked.
    is_ipykernel = any("ipykernel" in arg for arg in km.kernel_spec.argv)
    start_up = "\n".join(line for line in (_preload_line(), _lifeline_line(os.getpid())) if line)
    extra = ["--HistoryManager.hist_file=:memory:", f"--IPKernelApp.exec_lines={start_up}"] \
        if is_ipykernel else []
    run_sync(km.start_kernel)(extra_arguments=extra, cwd=job["cwd"])


@functools.cache
def _manager_class() -> type:
    """An async kernel manager that remembers the clients it hands out.

    papermill's client opens channels (and a heartbeat thread) on a kernel it
    was given but, not owning the kernel, leaves them open; :func:`_stop_kernel`
    closes them, so a worker running many notebooks does not gather threads.
    """
    from jupyter_client.manager import AsyncKernelManager

    class ReportKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.report_clients: list = []

        def client(self, **kwargs):
            kc = super().client(**kwargs)
            self.report_clients.append(kc)
            return kc

    return ReportKernelManager


def _request_shutdown(km) -> bool:
    """Ask an idle kernel to exit, without waiting; True when the request went out.

    Only for a notebook that ran to its end: the kernel's own exit (a few
    tenths of a second of interpreter shutdown) then overlaps the HTML export,
    and :func:`_stop_kernel` waits for it. A kernel still busy in a cell (a
    time-out) is left to :func:`_stop_kernel`, which interrupts it first.
    """
    from jupyter_core.utils import run_sync

    try:
        if not run_sync(km.is_alive)():
            return False
        run_sync(km.request_shutdown)()
        return True
    except Exception:  # the full shutdown in _stop_kernel deals with it
        return False


def _stop_kernel(km, *, requested: bool = False) -> None:
    """Make sure the kernel has exited and its files are gone; never raises an ``Exception``.

    Waits for a requested shutdown; otherwise (a failed, timed-out or
    interrupted notebook) shuts the kernel down, interrupting a running cell
    first. Either way a kernel that does not exit is terminated, then killed.
    """
    from jupyter_core.utils import run_sync

    for kc in km.report_clients:
        with contextlib.suppress(Exception):
            kc.stop_channels()
    try:
        with contextlib.suppress(Exception):
            if requested:
                run_sync(km.finish_shutdown)(pollinterval=0.02)
            elif run_sync(km.is_alive)():
                run_sync(km.shutdown_kernel)(now=False)
    finally:
        with contextlib.suppress(Exception):
            run_sync(km.cleanup_resources)()


def _exporter(show_code: bool):
    if show_code not in _EXPORTERS:
        from .pages import PageExporter
        _EXPORTERS[show_code] = PageExporter(show_code=show_code)
    return _EXPORTERS[show_code]


def _warm_exporter(show_code: bool) -> threading.Thread | None:
    """Load the exporter's templates on a thread while the kernel works (0.2 s on a worker's first notebook).

    The worker only waits on the kernel meanwhile, so the thread costs the
    notebook nothing; it is joined before the exporter is used. ``None`` once
    the worker has the exporter.
    """
    if show_code in _EXPORTERS:
        return None

    def warm():
        import nbformat
        with contextlib.suppress(Exception):  # the real export reports any problem
            _exporter(show_code).from_notebook_node(nbformat.v4.new_notebook())
    thread = threading.Thread(target=warm, name="warm-html-exporter", daemon=True)
    thread.start()
    return thread


def _source_cell_index(nb, executed_index: int) -> int:
    """Index of a failing cell in the notebook as committed.

    Papermill's index counts the ``injected-parameters`` cell it inserted
    (when parameters are given); the error banners it adds afterwards are not
    counted, so they are dropped before counting.
    """
    cells = [c for c in nb.cells if "papermill-error-cell-tag" not in c.get("metadata", {}).get("tags", [])]
    injected = sum(1 for c in cells[:executed_index]
                   if "injected-parameters" in c.get("metadata", {}).get("tags", []))
    return executed_index - injected


def _locate_interrupted_cell(nb, error: dict) -> None:
    """Fill in the cell a time-out or a dead kernel stopped at: the last code cell papermill started.

    Papermill reports such cells as completed without an error output, so they
    are found by their state; cells never reached stay ``pending``.
    """
    started = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"
               and c.get("metadata", {}).get("papermill", {}).get("status", "pending") != "pending"
               and "papermill-error-cell-tag" not in c.get("metadata", {}).get("tags", [])]
    if started:
        cell = nb.cells[started[-1]]
        error["executed_cell_index"] = started[-1]
        error["execution_count"] = cell.get("execution_count")
        error["source_first_line"] = cell.source.strip().splitlines()[0][:200] if cell.source.strip() else ""


def execute_job(job: dict) -> dict:
    """Run one notebook (worker side) and return its manifest entry.

    ``job`` holds ``name, notebook, input_path, overrides, output_ipynb,
    output_html, figure_dir, table_dir, kernel_name, cwd, show_code, timeout, env``.
    Never raises for a notebook error: the error goes into the returned entry.
    """
    figure_dir = Path(job["figure_dir"])
    figure_dir.mkdir(parents=True, exist_ok=True)
    Path(job["output_ipynb"]).parent.mkdir(parents=True, exist_ok=True)
    table_dir = Path(job["table_dir"])
    # The kernel inherits this process's environment; one notebook runs at a time per worker.
    os.environ[config.FIGURE_DIR_ENV] = str(figure_dir)
    os.environ[config.TABLE_DIR_ENV] = str(table_dir)
    # The page is html/<name>.html; its links to the tables' CSV are relative, so the run folder can move.
    os.environ[config.TABLE_HREF_ENV] = f"../tables/{table_dir.name}"
    for name, value in PINNED_ENV.items():
        os.environ.setdefault(name, value)
    os.environ.update(job.get("env") or {})
    started = time.time()
    t0 = time.perf_counter()
    entry = {"status": "ok", "error": None}
    log_path = Path(job["output_log"])
    log_path.parent.mkdir(parents=True, exist_ok=True)
    warming = None
    shutdown_requested = False
    km = None
    # The kernel inherits this stderr when it is launched; what the worker itself writes while it runs
    # and stops the kernel (jupyter_client's warnings) belongs with the notebook too.
    with _stderr_to(log_path):
        try:
            try:
                # Bound before the launch, so that an interrupt during it still reaches _stop_kernel.
                km = _kernel_manager(job)
                _start_kernel(km, job)
                import papermill as pm  # the first job imports it while its kernel boots
                warming = _warm_exporter(bool(job["show_code"]))
                pm.execute_notebook(job["input_path"], job["output_ipynb"], parameters=job["overrides"],
                                    kernel_name=job["kernel_name"], cwd=job["cwd"], progress_bar=False,
                                    log_output=False, request_save_on_cell_execute=True,
                                    execution_timeout=job.get("timeout"), km=km)
            except Exception as exc:  # a failing cell, a kernel that died or timed out, an unreadable notebook
                entry["status"] = "failed"
                entry["error"] = _error_entry(exc)
            entry["duration_s"] = round(time.perf_counter() - t0, 3)
            entry["started_utc"] = _utc(started)
            entry["finished_utc"] = _utc(time.time())
            if entry["status"] == "ok":
                shutdown_requested = _request_shutdown(km)  # the kernel exits while the HTML is written
            _export_html(job, entry, warming)
        finally:
            if km is not None:
                try:
                    _stop_kernel(km, requested=shutdown_requested)
                except KeyboardInterrupt:
                    # Interrupted while stopping it: stop it for good (a worker ignores further signals by
                    # now), so that no kernel outlives the worker and writes into a removed folder.
                    _stop_kernel(km, requested=False)
                    raise
    if log_path.is_file() and log_path.stat().st_size == 0:
        log_path.unlink()
    entry["has_log"] = log_path.is_file()
    entry["figures"] = sorted(p.name for p in figure_dir.iterdir() if p.is_file())
    entry["tables"] = sorted(p.name for p in table_dir.iterdir() if p.is_file()) if table_dir.is_dir() else []
    entry["has_ipynb"] = Path(job["output_ipynb"]).is_file()
    entry["has_html"] = Path(job["output_html"]).is_file()
    return entry


def _export_html(job: dict, entry: dict, warming: threading.Thread | None) -> None:
    """Write the notebook's HTML version and complete ``entry["error"]`` with the committed cell index."""
    html_path = Path(job["output_html"])
    if warming is not None:
        warming.join()
    if Path(job["output_ipynb"]).is_file():
        import nbformat
        try:
            nb = nbformat.read(job["output_ipynb"], as_version=4)
            if entry["error"] and entry["error"]["executed_cell_index"] is None:
                _locate_interrupted_cell(nb, entry["error"])
            if entry["error"] and entry["error"]["executed_cell_index"] is not None:
                entry["error"]["cell_index"] = _source_cell_index(nb, entry["error"]["executed_cell_index"])
            body, _ = _exporter(bool(job["show_code"])).from_notebook_node(nb)
            html_path.parent.mkdir(parents=True, exist_ok=True)
            html_path.write_text(body, encoding="utf-8")
        except Exception as exc:  # a notebook that ran but cannot be shown is not a complete report
            entry["status"] = "failed"
            entry["error"] = entry["error"] or {"executed_cell_index": None, "execution_count": None,
                                                "ename": type(exc).__name__, "evalue": f"HTML export: {exc}",
                                                "source_first_line": ""}


def _error_entry(exc: Exception) -> dict:
    """The manifest's error record: the failing cell for a cell error, the exception otherwise."""
    try:
        from papermill.exceptions import PapermillExecutionError
    except ImportError:  # papermill itself failed to import: that is the error to report
        PapermillExecutionError = ()  # noqa: N806

    if isinstance(exc, PapermillExecutionError):
        source = (exc.source or "").strip()
        return {"executed_cell_index": exc.cell_index, "execution_count": exc.exec_count, "ename": exc.ename,
                "evalue": exc.evalue, "source_first_line": source.splitlines()[0][:200] if source else ""}
    return {"executed_cell_index": None, "execution_count": None, "ename": type(exc).__name__,
            "evalue": str(exc), "source_first_line": ""}


@contextlib.contextmanager
def _stderr_to(path: Path):
    """Send this process's stderr, and so the kernel's (it inherits the descriptor), to ``path``.

    Kernel warnings and crash messages belong with the notebook they came
    from, not interleaved on the terminal of a parallel run.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.dup2(fd, 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(fd)


def _utc(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


WORKER_MODULE = "natoanalysis.reports.worker"
# The folder holding the package: workers run there so that `-m` imports this very package, even
# when the caller found it through sys.path rather than an installation.
_PACKAGE_PARENT = Path(__file__).resolve().parents[2]
# How long interrupted workers get to stop their kernels (jupyter_client waits up to 5 s for a
# kernel to exit, then kills it) before they are killed; a loaded machine needs the margin.
STOP_GRACE_S = 30.0


class _Worker:
    """One worker process, the job it is running (an index) and what it has written so far."""

    def __init__(self, *, hold_fds: tuple[int, ...] = ()):
        cmd = [sys.executable, "-m", WORKER_MODULE, "--parent", str(os.getpid())]
        cmd += [arg for fd in hold_fds for arg in ("--hold-fd", str(fd))]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=_PACKAGE_PARENT,
                                     pass_fds=hold_fds)
        self.job: int | None = None
        self._buffer = b""
        self.eof = False

    @property
    def fd(self) -> int:
        return self.proc.stdout.fileno()

    def give(self, index: int, job: dict) -> None:
        self.job = index
        try:
            self.proc.stdin.write((json.dumps(job) + "\n").encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):  # it died: its end of stdout closes too, and the job is failed then
            pass

    def finish(self) -> None:
        """No more jobs: the worker exits when it reads the end of its input."""
        with contextlib.suppress(OSError):
            self.proc.stdin.close()

    def read(self) -> list[dict]:
        """The answers that arrived (one per finished job); sets ``eof`` when the worker has closed its end."""
        data = os.read(self.fd, 1 << 16)
        if not data:
            self.eof = True
            return []
        *lines, self._buffer = (self._buffer + data).split(b"\n")
        return [json.loads(line) for line in lines if line.strip()]

    def stop(self) -> None:
        """Ask the worker to stop now (it interrupts its notebook and stops its kernel)."""
        self.finish()
        if self.proc.poll() is None:
            with contextlib.suppress(OSError):
                self.proc.send_signal(signal.SIGTERM)

    def close(self) -> None:
        for stream in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                stream.close()


def _exit_description(returncode: int | None) -> str:
    if returncode is None:
        return "stopped answering"
    if returncode < 0:
        name = signal.Signals(-returncode).name if -returncode in signal.valid_signals() else str(-returncode)
        return f"was killed by {name}" + (" (out of memory?)" if -returncode == signal.SIGKILL else "")
    return f"exited with status {returncode}"


def _lost_entry(job: dict, returncode: int | None) -> dict:
    """The entry of a notebook whose worker died under it, with whatever it had written to disk."""
    figure_dir = Path(job["figure_dir"])
    return {"status": "failed", "duration_s": None,
            "figures": sorted(p.name for p in figure_dir.iterdir() if p.is_file()) if figure_dir.is_dir() else [],
            "has_ipynb": Path(job["output_ipynb"]).is_file(), "has_html": Path(job["output_html"]).is_file(),
            "has_log": Path(job["output_log"]).is_file(),
            "error": {"executed_cell_index": None, "execution_count": None, "ename": "WorkerDied",
                      "evalue": f"the worker process running this notebook {_exit_description(returncode)}",
                      "source_first_line": ""}}


def _wait_all(workers: list[_Worker], *, grace_s: float) -> None:
    """Wait for the workers to exit, killing those still running after ``grace_s``; they are all gone after."""
    deadline = time.monotonic() + grace_s
    for w in workers:
        try:
            w.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            w.proc.kill()  # its kernel dies with it (see _lifeline_line)
            w.proc.wait()
        w.close()


def run_jobs(jobs: list[dict], *, workers: int, quiet: bool = False, hold_fds: tuple[int, ...] = (),
             on_finished=None) -> list[dict]:
    """Execute ``jobs`` on ``workers`` processes; return the entries in job order.

    A progress bar goes to stderr when it is a terminal and ``quiet`` is false;
    ``on_finished(name, entry)`` is called as each notebook finishes.
    ``hold_fds`` are descriptors every worker keeps open until it exits (the
    run's lock). A worker that dies fails the notebook it was running, and a
    new one takes the remaining notebooks. However this function ends (an
    exception, Ctrl-C, SIGTERM), no worker or kernel is left running when it
    returns or raises: interrupted workers stop their kernels, and those that
    do not within :data:`STOP_GRACE_S` are killed.
    """
    from tqdm import tqdm

    from . import interrupts

    results: list[dict | None] = [None] * len(jobs)
    todo = collections.deque(range(len(jobs)))
    size = max(1, min(workers, len(jobs)))
    pool: list[_Worker] = []
    selector = selectors.DefaultSelector()
    show_bar = not quiet and sys.stderr.isatty()

    def next_job(w: _Worker) -> None:
        if todo:
            i = todo.popleft()
            w.give(i, jobs[i])
        else:
            w.finish()

    def add_worker() -> None:
        w = _Worker(hold_fds=hold_fds)
        pool.append(w)
        selector.register(w.fd, selectors.EVENT_READ, w)
        next_job(w)  # the first job goes with the start: the worker reads it once it is ready

    try:
        with tqdm(total=len(jobs), desc="report", unit="nb", file=sys.stderr, disable=not show_bar) as bar:
            def record(i: int, entry: dict) -> None:
                results[i] = entry
                bar.set_postfix_str(f"{jobs[i]['name']} {entry['status']}", refresh=False)
                bar.update(1)
                if on_finished is not None:
                    on_finished(jobs[i]["name"], entry)

            while todo and len(pool) < size:
                add_worker()
            while any(r is None for r in results):
                for key, _ in selector.select(timeout=1.0):
                    w = key.data
                    for entry in w.read():
                        i, w.job = w.job, None
                        record(i, entry)
                        next_job(w)
                    if w.eof:  # the worker is exiting; a job it held is lost with it
                        selector.unregister(w.fd)
                        pool.remove(w)
                        _wait_all([w], grace_s=STOP_GRACE_S)
                        if w.job is not None:
                            record(w.job, _lost_entry(jobs[w.job], w.proc.returncode))
                        if todo and len(pool) < size:
                            add_worker()
            for w in pool:
                w.finish()
            _wait_all(pool, grace_s=STOP_GRACE_S)
            pool.clear()
    except BaseException:
        # Ctrl-C, SIGTERM or a bug: stop every worker before the caller removes the folder they write
        # into. Held off, so that a second Ctrl-C cannot cut this short and leave workers running.
        with interrupts.held_off():
            for w in pool:
                w.stop()
            _wait_all(pool, grace_s=STOP_GRACE_S)
        raise
    finally:
        selector.close()
    return [r for r in results if r is not None]

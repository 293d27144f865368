"""A report worker process: ``python -m natoanalysis.reports.worker --parent PID``.

Started by :func:`natoanalysis.reports.execute.run_jobs`, never by hand. It
reads one job (JSON) a line on stdin, runs it with
:func:`~natoanalysis.reports.execute.execute_job`, and writes the job's
manifest entry (JSON) as one line on its original stdout; it exits at the end
of its input. Everything else that would go to stdout goes to stderr, so that
nothing a library prints can garble an answer.

SIGINT, SIGTERM and SIGHUP interrupt the running notebook once (its kernel is
stopped, then the worker exits with status 130); further signals are ignored so
that the kernel's shutdown completes. The worker dies with the runner, however
the runner ends (:func:`natoanalysis.reports.interrupts.die_with_parent`).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys

from . import execute, interrupts


def _interrupt_once(signum, frame):
    for s in interrupts.STOPPING:
        signal.signal(s, signal.SIG_IGN)  # the clean-up (stopping the kernel) must not be interrupted in turn
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Serve jobs until the end of stdin; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m natoanalysis.reports.worker")
    parser.add_argument("--parent", type=int, required=True, help="pid of the runner; the worker dies with it")
    parser.add_argument("--hold-fd", type=int, action="append", default=[],
                        help="descriptor to keep open until exit (the run's lock); not passed on to kernels")
    args = parser.parse_args(argv)
    execute._init_worker()
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    for fd in args.hold_fd:
        os.set_inheritable(fd, False)  # kernels must not keep the run's lock
    for s in interrupts.STOPPING:
        # SIGTERM is how the runner stops a worker; SIGINT and SIGHUP stay ignored if the runner's were
        # (``nohup``, a background job): the worker must not stop while its runner carries on.
        if s == signal.SIGTERM or signal.getsignal(s) != signal.SIG_IGN:
            signal.signal(s, _interrupt_once)
    interrupts.die_with_parent(args.parent)
    status = 0
    try:
        for line in iter(sys.stdin.readline, ""):
            job = json.loads(line)
            try:
                entry = execute.execute_job(job)
            except Exception as exc:  # not the notebook's failure but the worker's (a full disk): still an answer
                entry = execute._lost_entry(job, None)
                entry["error"].update(ename=type(exc).__name__, evalue=f"in the worker: {exc}")
            answers.write(json.dumps(entry) + "\n")
            answers.flush()
    except KeyboardInterrupt:
        status = 130
    except BrokenPipeError:  # the runner is gone
        status = 1
    return status


if __name__ == "__main__":
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    # No interpreter teardown: every kernel has been stopped and every file closed by now, and the
    # teardown of jupyter_client's and zmq's threads can take seconds or hang.
    os._exit(code)

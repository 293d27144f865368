"""Peak memory of one report worker and its kernel, over the bundled report suite.

Runs the suite with one worker (``--countries`` as given, default every ally)
while a thread samples, every 20 ms, the resident memory (RSS, and PSS, which
splits shared pages) of every process below this one: the worker and the kernel
it is running. The peak of the sum is what one more parallel job needs;
``natoanalysis.reports.run.WORKER_MEMORY_BYTES`` is set from it, with a margin.

    .venv/bin/python benchmarks/worker_memory.py [--countries POL]

Linux only (reads /proc).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from pathlib import Path


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in bytes; zeros for a process that has gone."""
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1]) * 1024
            elif line.startswith("Pss:"):
                pss = int(line.split()[1]) * 1024
    except OSError:
        pass
    return rss, pss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--countries", default=None, help="allies for the per-country notebook (default: all)")
    args = parser.parse_args()
    peak = {"rss": 0, "pss": 0}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            sizes = [_memory(p) for p in _descendants(os.getpid())]
            peak["rss"] = max(peak["rss"], sum(r for r, _ in sizes))
            peak["pss"] = max(peak["pss"], sum(p for _, p in sizes))
            time.sleep(0.02)

    from natoanalysis import reports

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    with tempfile.TemporaryDirectory() as out:
        result = reports.run(jobs=1, countries=args.countries, out_dir=out, quiet=True, check=False)
    done.set()
    thread.join()
    print(f"{len(result.manifest['notebooks'])} notebooks, complete: {result.is_complete}")
    print(f"peak of worker + kernel: RSS {peak['rss'] / 2 ** 20:.0f} MiB, PSS {peak['pss'] / 2 ** 20:.0f} MiB")


if __name__ == "__main__":
    main()

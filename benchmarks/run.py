"""Benchmarks of natoanalysis: each figure a ratio against a baseline measured in the same invocation.

``make bench`` writes ``benchmarks/RESULTS.md``; ``--smoke`` (what CI runs) takes one repetition of
each figure and the report suite for one ally only, so that it ends in well under two minutes. Only
public interfaces are measured (``import``, ``na.load``, ``na.simulate_paths`` and the
``natoanalysis`` and ``papermill`` commands), each in a new process, so a change of the package's
insides cannot break this script. Nothing here passes or fails: the targets are printed beside the
figures, and the script fails only when a measurement cannot be made.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NATO_XLSX = REPO.parent / "shared" / "data" / "nato" / "240617-def-exp-2024-TABLES-en.xlsx"
BIN = Path(sys.executable).parent
# The checkout's own data folder, whatever the caller's environment says.
ENV = {k: v for k, v in os.environ.items() if k != "NATOANALYSIS_DATA_DIR"}

EMPTY_NOTEBOOK = {
    "cells": [{"cell_type": "code", "metadata": {"tags": ["parameters"]}, "execution_count": None, "outputs": [],
               "source": "x: int = 0  # unused"},
              {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
               "source": "import pandas\nimport matplotlib.pyplot"}],
    "metadata": {"kernelspec": {"name": "natoanalysis", "display_name": "Python (natoanalysis)", "language": "python"}},
    "nbformat": 4, "nbformat_minor": 5,
}


def seconds(cmd: list[str]) -> float:
    """Wall time of one command in a new process (it must succeed)."""
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=REPO, env=ENV, capture_output=True)
    return time.perf_counter() - t0


def seconds_inside(setup: str, call: str) -> float:
    """Seconds ``call`` takes in a new interpreter after ``setup``, timed inside that process."""
    code = f"import time\n{setup}\nt0 = time.perf_counter()\n{call}\nprint(time.perf_counter() - t0)"
    out = subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO, env=ENV, capture_output=True, text=True)
    return float(out.stdout.split()[-1])


def alternated(repeats: int, **commands) -> dict[str, float]:
    """Median seconds of each command, run in turn so that drift in the machine's load affects all alike."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeats):
        for name, measure in commands.items():
            times[name].append(measure())
    return {name: statistics.median(t) for name, t in times.items()}


def figure(name, baseline, ours, ratio, target, ok, detail="") -> dict:
    return {"name": name, "baseline_s": baseline, "ours_s": ours, "ratio": ratio, "target": target, "ok": ok,
            "detail": detail}


def bench_import(repeats: int) -> dict:
    # A start-up varies by a third from one process to the next here: three times the usual repeats.
    t = alternated(3 * repeats, pandas=lambda: seconds([sys.executable, "-c", "import pandas"]),
                   ours=lambda: seconds([sys.executable, "-c", "import natoanalysis"]))
    ratio = t["ours"] / t["pandas"]
    return figure("`import natoanalysis` vs `import pandas` (new processes)", t["pandas"], t["ours"], ratio,
                  "<= 1.2x", ratio <= 1.2)


def bench_first_load(repeats: int) -> dict:
    seconds_inside("import natoanalysis as na", "na.load()")  # the processed cache exists before timing
    t = alternated(repeats,
                   excel=lambda: seconds_inside("import pandas as pd",
                                                f"pd.read_excel({str(NATO_XLSX)!r}, sheet_name=None)"),
                   ours=lambda: seconds_inside("import natoanalysis as na", "na.load()"))
    ratio = t["excel"] / t["ours"]
    return figure("first `na.load()` vs first `pandas.read_excel(workbook)`, each in a new process after its "
                  "package's import", t["excel"], t["ours"], ratio, ">= 50x faster", ratio >= 50)


def bench_rebuild(tmp: Path) -> dict:
    data = tmp / "data"  # a data folder of its own: its raw/ is all that is read, and it has no processed cache
    shutil.copytree(REPO / "data" / "raw", data / "raw")
    t = seconds_inside("import natoanalysis as na",
                       f"na.load(data_dir={str(data)!r}); na.load(source='sipri', data_dir={str(data)!r})")
    return figure("first load from a data folder without a processed cache (NATO and SIPRI built from raw)",
                  None, t, None, "seconds (no target)", None)


def bench_simulate(repeats: int) -> dict:
    call = "na.simulate_paths(n_scenarios=10_000, seed=1)"
    t = statistics.median(seconds_inside(f"import natoanalysis as na; na.load(); {call}", call)
                          for _ in range(repeats))
    return figure("`simulate_paths`, 10,000 scenarios x every ally with armed forces, to the Hague deadline",
                  None, t, None, "< 1 s", t < 1.0)


def empty_papermill(tmp: Path) -> list[str]:
    empty = tmp / "empty.ipynb"
    empty.write_text(json.dumps(EMPTY_NOTEBOOK), encoding="utf-8")
    return [str(BIN / "papermill"), str(empty), str(tmp / "empty-out.ipynb"), "-k", "natoanalysis",
            "--no-progress-bar"]


def report(tmp: Path, *args: str) -> list[str]:
    return [str(BIN / "natoanalysis"), "report", *args, "--quiet", "--out", str(tmp / "reports")]


def bench_report_01(repeats: int, tmp: Path) -> tuple[dict, float]:
    t = alternated(repeats, floor=lambda: seconds(empty_papermill(tmp)),
                   ours=lambda: seconds(report(tmp, "01", "--jobs", "1")))
    ratio = t["ours"] / t["floor"]
    return figure("`natoanalysis report 01` vs `papermill` on an empty notebook (commands, new processes)",
                  t["floor"], t["ours"], ratio, "<= 1.5x", ratio <= 1.5), t["floor"]


def bench_suite(tmp: Path, *, floor_s: float, jobs: int, countries: str | None) -> dict:
    cores = min(jobs, os.cpu_count() or 1)
    args = ["--jobs", str(jobs)] + (["--countries", countries] if countries else [])
    t0 = time.perf_counter()
    subprocess.run(report(tmp, *args), cwd=REPO, env=ENV, capture_output=True)  # exit 1 still has a manifest
    took = time.perf_counter() - t0
    manifests = sorted((tmp / "reports").glob("*/manifest.json"), key=lambda p: p.stat().st_mtime)
    manifest = json.loads(manifests[-1].read_text(encoding="utf-8"))
    n = len(manifest["notebooks"])
    baseline = n * floor_s / cores
    which = f"suite for {countries} only" if countries else "full suite"
    slowest = sorted(manifest["notebooks"], key=lambda nb: -(nb.get("duration_s") or 0))[:5]
    detail = (f"status {manifest['status']}; slowest: "
              + ", ".join(f"{nb['name']} {nb.get('duration_s') or 0:.1f} s" for nb in slowest))
    return figure(f"{which}, {n} notebooks, `--jobs {jobs}` vs {n} x empty papermill / {cores} cores",
                  baseline, took, took / baseline, "<= 1.3x", took / baseline <= 1.3, detail)


def write_results(results: list[dict], path: Path, *, started: float, smoke: bool) -> None:
    kind = "smoke run (one repetition each, the suite for one ally)" if smoke else "run"
    lines = ["# Benchmark results", "",
             f"{kind.capitalize()} of {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC on "
             f"{platform.node() or 'this machine'} ({os.cpu_count()} cores, Python {platform.python_version()}), "
             f"{time.time() - started:.0f} s in all. Each figure is a median of repeats against a baseline "
             "measured in the same invocation. Written by `make bench`; what the figures led to is in "
             "[NOTES.md](NOTES.md).", "",
             "| measurement | baseline | ours | ratio | target | met |", "| --- | --- | --- | --- | --- | --- |"]
    for r in results:
        base = "-" if r["baseline_s"] is None else f"{r['baseline_s']:.3f} s"
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.2f}x"
        met = "-" if r["ok"] is None else ("yes" if r["ok"] else "no")
        lines.append(f"| {r['name']} | {base} | {r['ours_s']:.3f} s | {ratio} | {r['target']} | {met} |")
    lines += [""] + [f"- {r['name']}: {r['detail']}" for r in results if r["detail"]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--smoke", action="store_true", help="one repetition each; the suite for one ally")
    parser.add_argument("--out", default=str(REPO / "benchmarks" / "RESULTS.md"))
    args = parser.parse_args(argv)
    repeats = 1 if args.smoke else args.repeats
    started = time.time()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        results = [bench_import(repeats)]
        if NATO_XLSX.is_file():
            results.append(bench_first_load(repeats))
        results += [bench_rebuild(tmp), bench_simulate(repeats)]
        report_01, floor_s = bench_report_01(repeats, tmp)
        results += [report_01, bench_suite(tmp, floor_s=floor_s, jobs=args.jobs,
                                           countries="POL" if args.smoke else None)]
    write_results(results, Path(args.out), started=started, smoke=args.smoke)
    for r in results:
        value = f"{r['ratio']:.2f}x" if r["ratio"] is not None else f"{r['ours_s']:.3f} s"
        print(f"{r['name']}: {value} (target {r['target']})")
    print(f"wrote {args.out} in {time.time() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

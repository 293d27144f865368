"""``manifest.json``: what a report run used and produced, for machines.

Top-level fields: ``run_id``, ``status`` ("complete", "failed" when a notebook failed,
or "inconsistent" when every notebook ran but an input changed during the run),
``started_utc``, ``finished_utc``, ``duration_s``, ``package`` {name, version, git
{commit, is_dirty} or null}, ``python``, ``papermill``, ``versions`` {library: version or
null} of every library the workers and kernels import (:data:`KERNEL_LIBRARIES`,
:data:`WORKER_LIBRARIES`: the kernel's own ones as its interpreter has them), ``kernel_name``, ``jobs`` (worker
processes used), ``jobs_requested`` (as asked, or null), ``show_code``, ``request``
{notebooks, parameters, countries} as asked, ``countries`` (the allies the per-country
notebook ran for), ``is_full_suite`` (every notebook of the folder, the per-country one for
every ally: only such a run, when complete, moves ``latest``), ``editions`` {source: edition}, ``inputs`` {data_dir, sources {source:
{fingerprint, files {path: sha256}}} as hashed when the run started, changed [paths
that differed at the end: data files relative to the data root, ``raw/...``, and
notebook files]}, ``notebooks`` [...] and ``failed`` [names].

Each notebook entry: ``name``, ``notebook``, ``notebook_sha256``, ``country``,
``parameters``, ``status``, ``duration_s``, ``started_utc``, ``finished_utc``, ``outputs``
{ipynb, html, log, figures} and ``error`` (null, or {cell_index, executed_cell_index,
execution_count, ename, evalue, source_first_line}; ``cell_index`` counts the cells of
the notebook as committed, from 0).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

MANIFEST = "manifest.json"

#: Distributions a report kernel imports (the notebooks, and the runner's start-up line).
KERNEL_LIBRARIES = ("natoanalysis", "pandas", "numpy", "matplotlib", "seaborn", "pyarrow", "ipykernel")
#: Distributions the runner's workers import to execute and convert the notebooks.
WORKER_LIBRARIES = ("papermill", "nbconvert", "nbformat", "jupyter_client")

# Run by the kernel's interpreter when it is not the runner's: the same lookup as _installed().
_VERSIONS_SCRIPT = """
import importlib.metadata, json, platform, sys
def version(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None
print(json.dumps({"python": platform.python_version(), **{n: version(n) for n in sys.argv[1:]}}))
"""


def input_hashes(root: Path) -> dict:
    """sha256 of every raw file per source, and the source fingerprint the processed cache is keyed by.

    Examples
    --------
    >>> input_hashes(Path("/nonexistent"))
    {}
    """
    from .. import config
    from ..store import raw_fingerprint

    out = {}
    for source in config.raw_sources(root):
        # The root's files and (an installed package's data folder) the bundled ones, as <source>/<edition>/...
        files = {}
        for folder in config.raw_source_dirs(root, source):
            taken = {rel.split("/")[1] for rel in files}  # an edition the root holds hides the bundled one
            files.update({rel: p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")
                          and (rel := f"{source}/{p.relative_to(folder).as_posix()}").split("/")[1] not in taken})
        out[source] = {
            "fingerprint": raw_fingerprint(root, source),
            "files": {rel: hashlib.sha256(p.read_bytes()).hexdigest() for rel, p in sorted(files.items())},
        }
    return out


def file_sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def changed_inputs(before: dict, after: dict) -> list[str]:
    """Data files (``raw/<path>``) that were added, removed or changed between two :func:`input_hashes`.

    Examples
    --------
    >>> a = {"nato": {"fingerprint": "f1", "files": {"nato/x.csv": "1", "nato/y.csv": "2"}}}
    >>> b = {"nato": {"fingerprint": "f2", "files": {"nato/x.csv": "1", "nato/y.csv": "3", "nato/z.csv": "4"}}}
    >>> changed_inputs(a, b), changed_inputs(a, a)
    (['raw/nato/y.csv', 'raw/nato/z.csv'], [])
    """
    def files(hashes: dict) -> dict[str, str]:
        return {path: digest for source in hashes.values() for path, digest in source["files"].items()}
    old, new = files(before), files(after)
    return [f"raw/{path}" for path in sorted(old.keys() | new.keys()) if old.get(path) != new.get(path)]


def notebook_entry(job, result: dict, *, editions: dict[tuple[str, str], str], notebook_sha256: str) -> dict:
    """The manifest entry of one executed notebook.

    ``editions`` maps ``(source, requested)`` to the edition used, so that the
    manifest records the edition's id where the notebook was given "latest".
    ``notebook_sha256`` is the notebook file's hash when the run started (the
    run checks at the end that it has not changed since).
    """
    from .params import edition_source

    params = {name: editions.get((edition_source(name), value), value)
              if isinstance(value, str) and edition_source(name) else value
              for name, value in job.parameters.items()}
    name = job.name
    return {
        "name": name, "notebook": job.notebook, "notebook_sha256": notebook_sha256, "country": job.country,
        "parameters": params,
        "status": result["status"], "duration_s": result["duration_s"], "started_utc": result.get("started_utc"),
        "finished_utc": result.get("finished_utc"),
        "outputs": {"ipynb": f"notebooks/{name}.ipynb" if result["has_ipynb"] else None,
                    "html": f"html/{name}.html" if result["has_html"] else None,
                    "log": f"logs/{name}.log" if result["has_log"] else None,
                    "figures": [f"figures/{name}/{f}" for f in result["figures"]],
                    "tables": [f"tables/{name}/{f}" for f in result.get("tables", [])]},
        "error": result["error"],
    }


def _git_state(folder: Path) -> dict | None:
    """Commit and whether the working tree differs from it, when the package runs from a git checkout."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True,
                                timeout=30)
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=folder,
                                capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    if commit.returncode != 0:
        return None
    return {"commit": commit.stdout.strip(), "is_dirty": bool(status.stdout.strip())}


def _installed(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def library_versions(*, kernel_python: str | None = None) -> dict[str, str | None]:
    """``{library: version}`` of :data:`KERNEL_LIBRARIES`, :data:`WORKER_LIBRARIES` and ``python``.

    Read from the installed distributions' metadata (``importlib.metadata``),
    not by importing them; ``None`` for one that is not installed. The kernel
    libraries and ``python`` are those of ``kernel_python`` (the interpreter
    of the run's kernel) when it is another interpreter than this one: a
    kernel of another environment runs its own pandas.

    Examples
    --------
    >>> versions = library_versions()
    >>> sorted(versions) == sorted({"python", *KERNEL_LIBRARIES, *WORKER_LIBRARIES})
    True
    >>> versions["python"] == platform.python_version(), versions["pandas"] == __import__("pandas").__version__
    (True, True)
    """
    kernel = {"python": platform.python_version(), **{name: _installed(name) for name in KERNEL_LIBRARIES}}
    if kernel_python and not _same_file(kernel_python, sys.executable):
        try:
            out = subprocess.run([kernel_python, "-c", _VERSIONS_SCRIPT, *KERNEL_LIBRARIES], capture_output=True,
                                 text=True, timeout=60, check=True)
            kernel = {name: json.loads(out.stdout).get(name) for name in kernel}
        except (OSError, subprocess.SubprocessError, ValueError):
            kernel = dict.fromkeys(kernel)  # unknown, rather than this interpreter's versions under its name
    return {**kernel, **{name: _installed(name) for name in WORKER_LIBRARIES}}


def environment(*, kernel_python: str | None = None) -> dict:
    """Package version (and git commit, in a checkout), Python and papermill versions, :func:`library_versions`."""
    import papermill

    from .. import __version__
    package = {"name": "natoanalysis", "version": __version__,
               "git": _git_state(Path(__file__).resolve().parents[2])}
    return {"package": package, "python": platform.python_version(), "papermill": papermill.__version__,
            "versions": library_versions(kernel_python=kernel_python)}


def write(path: Path, manifest: dict) -> None:
    # Written into the run's staging folder, which becomes visible only by its final rename.
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


def read(run_dir: str | Path) -> dict:
    """The manifest of a run folder, e.g. ``read("reports/latest")["notebooks"]``.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> write(folder / MANIFEST, {"run_id": "r1", "status": "complete"})
    >>> read(folder)["status"]
    'complete'
    >>> import shutil; shutil.rmtree(folder)
    """
    return json.loads((Path(run_dir) / MANIFEST).read_text(encoding="utf-8"))

"""``manifest.json``: what a report run used and produced, for machines.

Top-level fields: ``run_id``, ``status`` ("complete", "failed" when a notebook failed,
or "inconsistent" when every notebook ran but an input changed during the run),
``started_utc``, ``finished_utc``, ``duration_s``, ``package`` {name, version},
``versions`` {library: version or null} of Python and of every library the runner and
its kernels import (:data:`LIBRARIES`, as installed with the package), ``kernel_name``,
``jobs`` (notebooks run at once), ``request`` {notebooks, parameters, countries} as
asked, ``countries`` (the allies the per-country notebook ran for), ``is_full_suite``
(every notebook of the folder, the per-country one for every ally: only such a run, when
complete, moves ``latest``), ``editions`` {source: edition}, ``inputs`` {sources
{source: {files {path: sha256}}} as hashed when the run started, changed [paths that
differed at the end: data files relative to the data root, ``raw/...``, and notebook
files]}, ``notebooks`` [...] and ``failed`` [names].

Each notebook entry: ``name``, ``notebook`` (its stem), ``country``, ``parameters``, ``notebook_sha256``,
``status``, ``duration_s``, ``error`` (null, or {ename, evalue}) and ``outputs`` {ipynb,
html, log, figures, tables}, paths relative to the run folder.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import platform
from pathlib import Path

MANIFEST = "manifest.json"

#: Distributions a report kernel imports, then those the runner imports to execute and convert the notebooks.
LIBRARIES = ("natoanalysis", "pandas", "numpy", "matplotlib", "seaborn", "pyarrow", "ipykernel",
             "papermill", "nbconvert", "nbformat", "jupyter_client")


def input_hashes(root: Path) -> dict:
    """sha256 of every raw file per source: ``{source: {"files": {path: sha256}}}``.

    The files of the editions as the store reads them (the root's, else the
    bundled ones), named ``<source>/<edition>/...``.

    Examples
    --------
    >>> input_hashes(Path("/nonexistent"))
    {}
    """
    from .. import config
    from ..store.cache import edition_folders

    return {source: {"files": {f"{source}/{edition}/{p.relative_to(folder).as_posix()}": file_sha256(p)
                               for edition, folder in edition_folders(root, source).items()
                               for p in sorted(folder.rglob("*"))
                               if p.is_file() and not p.is_symlink() and not p.name.startswith(".")}}
            for source in config.raw_sources(root)}


def file_sha256(path: str | Path) -> str | None:
    """The file's sha256 (hex); ``None`` for a file that cannot be read (one removed during the run)."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def changed_inputs(before: dict, after: dict) -> list[str]:
    """Data files (``raw/<path>``) that were added, removed or changed between two :func:`input_hashes`.

    Examples
    --------
    >>> a = {"nato": {"files": {"nato/x.csv": "1", "nato/y.csv": "2"}}}
    >>> b = {"nato": {"files": {"nato/x.csv": "1", "nato/y.csv": "3", "nato/z.csv": "4"}}}
    >>> changed_inputs(a, b), changed_inputs(a, a)
    (['raw/nato/y.csv', 'raw/nato/z.csv'], [])
    """
    old, new = ({path: digest for source in hashes.values() for path, digest in source["files"].items()}
                for hashes in (before, after))
    return [f"raw/{path}" for path in sorted(old.keys() | new.keys()) if old.get(path) != new.get(path)]


def notebook_entry(job, result: dict, *, editions: dict[tuple[str, str], str], notebook_sha256: str | None) -> dict:
    """The manifest entry of one executed notebook: the job's names, country and parameters, then ``result``.

    ``editions`` maps ``(source, requested)`` to the edition used, so that the
    manifest records the edition's id where the notebook was given "latest".
    """
    from ..validate import edition_source

    params = {name: editions.get((edition_source(name), value), value)
              if isinstance(value, str) and edition_source(name) else value
              for name, value in job.parameters.items()}
    return {"name": job.name, "notebook": job.notebook, "country": job.country, "parameters": params,
            "notebook_sha256": notebook_sha256, **result}


def library_versions() -> dict[str, str | None]:
    """``{library: version}`` of ``python`` and :data:`LIBRARIES`.

    Read from the installed distributions' metadata, not by importing them;
    ``None`` for one that is not installed.

    Examples
    --------
    >>> versions = library_versions()
    >>> versions["python"] == platform.python_version(), versions["pandas"] == __import__("pandas").__version__
    (True, True)
    """
    def installed(name: str) -> str | None:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return None
    from .. import __version__

    # The package as imported (a checkout on the path may differ from the installed metadata), as the kernels import it.
    return {"python": platform.python_version(), **{n: installed(n) for n in LIBRARIES}, "natoanalysis": __version__}


def environment() -> dict:
    """The package's version and :func:`library_versions`."""
    from .. import __version__

    return {"package": {"name": "natoanalysis", "version": __version__}, "versions": library_versions()}


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

"""The package as a pip user gets it: a wheel and an sdist carrying the data and notebooks, nothing written inside.

The fast tests make this checkout look installed (``config._bundled`` pointed at a read-only copy of
``data/raw`` and ``notebooks``, the user's data folder in a temporary folder) and check where the
package reads and writes. The slow tests build the wheel and the sdist, install the wheel into a
fresh venv outside the checkout and use it there from another working directory.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

import natoanalysis as na
from natoanalysis import config
from natoanalysis.errors import DataNotFoundError

from .conftest import REPO
from .replicas import write_replica

slow = pytest.mark.slow


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file below a folder with its size and mtime: what a run must leave as it was."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file() or p.is_symlink()}


def _read_only(folder: Path) -> None:
    for p in [folder, *folder.rglob("*")]:
        p.chmod(p.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def _writable(folder: Path) -> None:
    for p in [folder, *folder.rglob("*")]:
        p.chmod(p.stat().st_mode | stat.S_IWUSR)


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """This checkout seen as an installed package: bundled data read-only, the user's folders temporary."""
    bundled = tmp_path / "site-packages" / "natoanalysis" / config.BUNDLED_DIR
    shutil.copytree(REPO / "data" / "raw", bundled / "raw")
    shutil.copytree(REPO / "notebooks", bundled / "notebooks")
    _read_only(bundled)
    monkeypatch.setattr(config, "_bundled", lambda name: bundled / name if (bundled / name).is_dir() else None)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / "share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home" / "cache"))
    monkeypatch.delenv(config.DATA_DIR_ENV, raising=False)
    monkeypatch.delenv(config.NOTEBOOK_DIR_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    before = _files(bundled)
    yield bundled
    assert _files(bundled) == before  # nothing written inside the "installed" package
    _writable(bundled)


def test_an_installed_package_reads_the_bundled_data_and_writes_to_the_users_folder(installed, tmp_path):
    user = tmp_path / "home" / "share" / "natoanalysis"
    assert config.is_installed()
    assert config.data_root() == user.resolve() and user.is_dir()
    assert config.raw_source_dirs(config.data_root(), "nato") == [user.resolve() / "raw" / "nato",
                                                                   installed / "raw" / "nato"]
    df = na.load()
    assert df["edition"].unique().tolist() == ["2024-06"] and len(df) == 5377
    # The processed cache lives in the user's folder (with the data folder's lock file, .lock).
    assert sorted(p.name for p in (user / "processed").iterdir()) == [".lock", "nato.arrow", "nato.meta.json"]
    assert na.sources()["raw_path"].tolist() == ["raw/nato/2024-06", "raw/sipri/2025-04"]
    from natoanalysis.reports.manifest import input_hashes
    hashes = input_hashes(config.data_root())  # what a report's manifest records: the bundled files too
    assert {s: len(h["files"]) for s, h in hashes.items()} == {"nato": 11, "sipri": 12}
    assert config.notebook_dir() == installed / "notebooks"
    assert config.reports_dir() == tmp_path.resolve() / "reports"


@slow  # ingests a workbook
def test_editions_the_user_ingests_are_read_beside_the_bundled_ones(installed, tmp_path):
    user = tmp_path / "home" / "share" / "natoanalysis"
    replica = write_replica(tmp_path / "def-exp-2025-en.xlsx", edition="2025-08")
    result = na.ingest(replica.path, source="nato", accessed="2026-12-01")
    assert result.status == "new" and Path(result.path) == user.resolve() / "raw" / "nato" / "2025-08"
    assert (user / "raw" / "nato" / "2025-08" / "provenance.json").is_file()
    assert na.editions(source="nato")["edition"].tolist() == ["2024-06", "2025-08"]
    both = na.load(edition="all")
    assert sorted(both["edition"].unique()) == ["2024-06", "2025-08"]
    assert na.load()["edition"].unique().tolist() == ["2025-08"]
    assert not (user / "raw" / "nato" / "2024-06").exists()  # the bundled edition is not copied


@slow  # ingests a workbook
def test_ingesting_a_bundled_edition_again_changes_nothing(installed, nato_xlsx, tmp_path):
    result = na.ingest(nato_xlsx, source="nato")
    assert result.status == "unchanged" and Path(result.path) == installed / "raw" / "nato" / "2024-06"
    assert not (tmp_path / "home" / "share" / "natoanalysis" / "raw" / "nato" / "2024-06").exists()


def test_a_named_data_folder_is_the_whole_data(installed, tmp_path):
    named = tmp_path / "mine"
    named.mkdir()
    with pytest.raises(DataNotFoundError, match=r"no raw nato data under .*mine/raw/nato; run"):
        na.load(data_dir=named)
    with pytest.raises(DataNotFoundError, match=r"no raw transcriptions under .*mine/raw"):
        na.sources(data_dir=named)


def test_a_missing_data_folder_is_data_not_found_everywhere(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    for call in (lambda: na.load(data_dir=empty), lambda: na.load(source="sipri", data_dir=empty),
                 lambda: na.sources(data_dir=empty), lambda: na.editions(data_dir=empty),
                 lambda: na.notes(data_dir=empty), lambda: na.data_quality(data_dir=empty),
                 lambda: na.check_claims(data_dir=empty), lambda: na.load(data_dir=tmp_path / "absent")):
        with pytest.raises(DataNotFoundError):
            call()


def test_an_empty_notebook_folder_is_an_error(tmp_path, capsys):
    from natoanalysis.cli import main
    assert main(["report", "--list", "--notebook-dir", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith("natoanalysis report: error: no report notebooks (NN_name.ipynb) in ")


def test_the_help_names_the_real_default_folders(installed, tmp_path, monkeypatch):
    from natoanalysis.cli import build_parser
    monkeypatch.setenv("COLUMNS", "10000")  # argparse wraps long paths at their hyphens
    text = " ".join(build_parser().format_help().split())
    assert f"the user's data folder {(tmp_path / 'home' / 'share' / 'natoanalysis').resolve()}" in text
    assert "./data" not in text


def test_without_the_project_kernel_the_notebooks_run_with_python3(monkeypatch):
    from jupyter_client.kernelspec import KernelSpecManager

    from natoanalysis.reports import execute

    # No kernelspec installed anywhere: jupyter_client still offers ipykernel's own, for this interpreter.
    monkeypatch.setattr(KernelSpecManager, "kernel_dirs", [])
    assert execute.select_kernel() == ("python3", "no Jupyter kernel named 'natoanalysis': the notebooks run with "
                                                  f"the kernel 'python3' ({sys.executable})")
    with pytest.raises(ValueError, match="no Jupyter kernel named 'other'; accepted: python3$"):
        execute.select_kernel("other")


# ---- slow: the real wheel and sdist -----------------------------------------------------------------


@pytest.fixture(scope="module")
def dists(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(REPO)],
                   check=True, capture_output=True, cwd=out)
    wheel, = out.glob("natoanalysis-*.whl")
    sdist, = out.glob("natoanalysis-*.tar.gz")
    return wheel, sdist


def _tracked(folder: str) -> list[str]:
    out = subprocess.run(["git", "-C", str(REPO), "ls-files", folder], capture_output=True, text=True, check=True)
    return sorted(out.stdout.split())


@slow
def test_the_wheel_and_the_sdist_carry_the_transcriptions_and_the_notebooks(dists):
    wheel, sdist = dists
    names = set(zipfile.ZipFile(wheel).namelist())
    raw = _tracked("data/raw")
    notebooks = _tracked("notebooks")
    assert raw and notebooks
    assert {f"natoanalysis/_bundled/raw/{p.removeprefix('data/raw/')}" for p in raw} <= names
    assert {f"natoanalysis/_bundled/{p}" for p in notebooks} <= names
    assert "natoanalysis/reference/countries.csv" in names and "natoanalysis/reports/matplotlibrc" in names
    assert not [n for n in names if "__pycache__" in n or n.startswith(("tests/", "data/"))]
    with tarfile.open(sdist) as tar:
        members = {m.name.split("/", 1)[1] for m in tar.getmembers() if m.isfile()}
    assert set(raw) <= members and set(notebooks) <= members and "pyproject.toml" in members
    assert not [m for m in members if "_bundled" in m or m.startswith(".venv")]


@pytest.fixture(scope="module")
def venv(dists, tmp_path_factory):
    """A fresh venv outside the checkout with the wheel installed; its dependencies are this venv's.

    The dependencies are reached through a ``.pth`` line naming this interpreter's site-packages
    (whose own ``.pth`` files, the editable install among them, are not read from there), so no
    index is needed; .ci/run installs the wheel with its dependencies from the index instead.
    """
    base = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(base / "venv")], check=True)
    python = base / "venv" / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "_natoanalysis_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                    "--no-index", str(dists[0])], check=True, capture_output=True)
    # nbconvert's templates are data files of this venv; only they are lent (not its kernels).
    lent = base / "jupyter"
    lent.mkdir()
    (lent / "nbconvert").symlink_to(Path(sys.prefix) / "share" / "jupyter" / "nbconvert")
    home = base / "home"
    work = base / "work"
    home.mkdir()
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NATOANALYSIS_", "XDG_", "JUPYTER", "PYTHON"))}
    env.update(HOME=str(home), COLUMNS="10000", JUPYTER_PATH=str(lent), PATH=f"{python.parent}{os.pathsep}{env.get('PATH', '')}")
    _read_only(site)
    before = _files(site)
    yield {"python": python, "site": site, "package": site / "natoanalysis", "home": home, "work": work, "env": env,
           "before": before}
    _writable(site)


def _run(venv, *args, check=True):
    proc = subprocess.run(list(args), cwd=venv["work"], env=venv["env"], capture_output=True, text=True, timeout=600)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


@slow
def test_the_installed_wheel_works_outside_the_checkout_and_writes_nothing_inside(venv):
    script = ("import natoanalysis as na, natoanalysis.config as c\n"
              "df = na.load()\n"
              "print(na.__file__, c.is_installed(), df['edition'].unique().tolist(), len(df))\n")
    out = _run(venv, str(venv["python"]), "-c", script).stdout.split()
    assert out[0] == str(venv["package"] / "__init__.py") and out[1:] == ["True", "['2024-06']", "5377"]
    claims = _run(venv, "natoanalysis", "claims", "--format", "json")
    assert {c["verdict"] for c in json.loads(claims.stdout)} >= {"supported"}
    listed = _run(venv, "natoanalysis", "report", "--list")
    assert "05_country_profile" in listed.stdout
    report = _run(venv, "natoanalysis", "report", "01", "--quiet")
    assert "no Jupyter kernel named 'natoanalysis': the notebooks run with the kernel 'python3' " in report.stderr
    # One notebook is not the full suite: the run is kept but `latest` does not move to it.
    runs = [p for p in (venv["work"] / "reports").iterdir() if not p.name.startswith(".") and p.name != "latest"]
    assert len(runs) == 1
    latest = runs[0]
    manifest = json.loads((latest / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["kernel_name"] == "python3"
    assert sorted(manifest["inputs"]["sources"]) == ["nato", "sipri"]
    assert (latest / "html" / "01_alliance_overview.html").is_file()
    assert list((latest / "figures" / "01_alliance_overview").glob("*.png"))
    user = venv["home"] / ".local" / "share" / "natoanalysis"
    assert (user / "processed" / "nato.arrow").is_file()
    help_text = " ".join(_run(venv, "natoanalysis", "--help").stdout.split())
    assert f"the user's data folder {user}" in help_text
    assert _files(venv["site"]) == venv["before"]


def test_citation_file_names_this_version_and_the_publications():
    import re

    from natoanalysis import __version__

    text = (REPO / "CITATION.cff").read_text(encoding="utf-8")
    assert re.search(rf"^version: {re.escape(__version__)}$", text, flags=re.M)
    assert "Defence Expenditure of NATO Countries" in text and "SIPRI Military Expenditure Database" in text

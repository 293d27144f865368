"""Which Jupyter kernel runs the report notebooks: the one named, else one for this interpreter.

``make venv`` registers the project's kernel (``natoanalysis``). A pip user has
none: the notebooks then run with the interpreter the package is installed in,
through a kernelspec the runner writes for ``sys.executable`` into a folder of
its own (the user's cache folder, never site-packages nor the user's Jupyter
folders) and hands to its workers on ``JUPYTER_PATH``. A kernel named by the
caller that does not exist is refused, never replaced.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import echo
from .errors import ReportParameterError

DEFAULT_KERNEL = "natoanalysis"


@dataclass(frozen=True)
class KernelChoice:
    """The kernel a run uses.

    ``name`` is the kernelspec name the workers start, ``python`` the
    interpreter it runs (the first word of its command line; None for a kernel
    that is not a path), ``env`` what the workers need in their environment to
    find it, ``note`` the one line saying which interpreter runs the notebooks
    when the named kernel was absent (else None).
    """

    name: str
    python: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    note: str | None = None


def _interpreter(argv: list[str]) -> str | None:
    """The interpreter a kernelspec's command line starts (jupyter_client runs a bare ``python`` as its own)."""
    if not argv:
        return None
    if argv[0] in {"python", f"python{sys.version_info[0]}", "python%d.%d" % sys.version_info[:2]}:
        return sys.executable
    return argv[0]


def interpreter_kernel_name(executable: str | None = None) -> str:
    """The kernelspec name for an interpreter: one per interpreter path, so that venvs never share one.

    Examples
    --------
    >>> name = interpreter_kernel_name("/opt/venv/bin/python")
    >>> name.startswith("natoanalysis-python-"), name == interpreter_kernel_name("/opt/venv/bin/python")
    (True, True)
    """
    digest = hashlib.sha256((executable or sys.executable).encode()).hexdigest()[:12]
    return f"natoanalysis-python-{digest}"


def _spec_root() -> Path:
    """A Jupyter data folder of the package's own (``<root>/kernels/<name>/kernel.json``)."""
    import platformdirs

    return Path(platformdirs.user_cache_path("natoanalysis", appauthor=False)) / "jupyter"


def write_interpreter_kernel(*, root: str | os.PathLike | None = None, executable: str | None = None) -> Path:
    """Write the kernelspec that runs ipykernel in ``executable`` (default: this interpreter); return its data folder.

    The content depends on the interpreter only, and is written through a
    temporary file, so runs started together write the same file side by side.

    Parameters
    ----------
    root : path-like, optional
        Jupyter data folder to write into (default: the user's cache folder,
        ``~/.cache/natoanalysis/jupyter`` on Linux; a temporary folder if that
        cannot be written).
    executable : str, optional
        Interpreter path (default: ``sys.executable``).

    Returns
    -------
    pathlib.Path
        The data folder, for ``JUPYTER_PATH``.

    Examples
    --------
    >>> import json, tempfile
    >>> folder = write_interpreter_kernel(root=tempfile.mkdtemp(), executable="/opt/venv/bin/python")
    >>> spec = json.loads((folder / "kernels" / interpreter_kernel_name("/opt/venv/bin/python") / "kernel.json").read_text())
    >>> spec["argv"][:3], spec["language"]
    (['/opt/venv/bin/python', '-m', 'ipykernel_launcher'], 'python')
    """
    executable = executable or sys.executable
    spec = {"argv": [executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": f"Python ({executable})", "language": "python", "metadata": {"debugger": True}}
    text = json.dumps(spec, indent=1) + "\n"
    # A home that cannot be written (a locked-down account) still runs reports: a per-user temporary folder.
    fallback = Path(tempfile.gettempdir()) / f"natoanalysis-{getattr(os, 'getuid', lambda: 'user')()}"
    candidates = [Path(root)] if root is not None else [_spec_root(), fallback]
    for base in candidates:
        folder = base / "kernels" / interpreter_kernel_name(executable)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / "kernel.json"
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                tmp = folder / f".kernel.json.{os.getpid()}.tmp"
                tmp.write_text(text, encoding="utf-8")
                os.replace(tmp, path)
            return base
        except OSError:
            if base is candidates[-1]:
                raise
    raise AssertionError("unreachable")


def select(name: str = DEFAULT_KERNEL) -> KernelChoice:
    """The kernel to run notebooks with: ``name`` if it exists, else (for the default name) this interpreter's.

    Parameters
    ----------
    name : str, default "natoanalysis"
        Kernelspec name. Only the default falls back; another name that does
        not exist raises :class:`~natoanalysis.reports.ReportParameterError`.

    Returns
    -------
    KernelChoice

    Examples
    --------
    >>> choice = select()
    >>> choice.name == "natoanalysis" or choice.name == interpreter_kernel_name()
    True
    >>> select("no-such-kernel")
    Traceback (most recent call last):
    ...
    natoanalysis.reports.errors.ReportParameterError: no Jupyter kernel named 'no-such-kernel'; accepted: ...
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    manager = KernelSpecManager()
    try:
        return KernelChoice(name=name, python=_interpreter(list(manager.get_kernel_spec(name).argv)))
    except NoSuchKernel:
        if name != DEFAULT_KERNEL:
            known = sorted(manager.find_kernel_specs())
            raise ReportParameterError([
                f"no Jupyter kernel named {echo(name)}; accepted: {', '.join(known) or 'none installed'} "
                f"(or leave --kernel out: without a kernel named {DEFAULT_KERNEL!r} the notebooks run with "
                "this interpreter)"]) from None
    folder = write_interpreter_kernel()
    paths = [str(folder)] + [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p]
    return KernelChoice(
        name=interpreter_kernel_name(), python=sys.executable, env={"JUPYTER_PATH": os.pathsep.join(paths)},
        note=f"no Jupyter kernel named {DEFAULT_KERNEL!r}: the notebooks run with this interpreter, "
             f"{sys.executable} (kernelspec in {folder / 'kernels'})")

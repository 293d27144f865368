"""Which Jupyter kernel runs the report notebooks: the one named, else one for this interpreter.

``make venv`` registers the project's kernel (``natoanalysis``). A pip user has
none: the notebooks then run with the interpreter the package is installed in,
through a kernelspec written for ``sys.executable`` into the user's cache
folder (never site-packages nor the user's Jupyter folders). A kernel named by
the caller that does not exist is refused, never replaced.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from ..errors import echo
from .errors import ReportParameterError

DEFAULT_KERNEL = "natoanalysis"


@dataclass(frozen=True)
class KernelChoice:
    """The kernel a run uses: its kernelspec ``name``, where its spec is, a ``note``.

    ``spec_dir`` is the folder of the interpreter's own kernelspec when the
    named kernel was absent (else None), and ``note`` the line that says so.
    """

    name: str
    spec_dir: Path | None = None
    note: str | None = None

    def manager(self):
        """A new (not started) kernel manager for this kernel: an asynchronous one, as nbclient expects."""
        from jupyter_client import AsyncKernelManager as KernelManager
        from jupyter_client.kernelspec import KernelSpecManager

        specs = KernelSpecManager()
        if self.spec_dir is not None:
            specs = KernelSpecManager(kernel_dirs=[str(self.spec_dir), *specs.kernel_dirs])
        # ipykernel warns in every log unless the manager provisions CurveZMQ keys where it can.
        config = {"transport_encryption": "auto"} if "transport_encryption" in KernelManager.class_trait_names() else {}
        return KernelManager(kernel_name=self.name, kernel_spec_manager=specs, **config)


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


def write_interpreter_kernel(*, root: str | Path | None = None, executable: str | None = None) -> Path:
    """Write the kernelspec that runs ipykernel in ``executable`` (default: this interpreter); return its ``kernels`` folder.

    ``root`` defaults to the user's cache folder (``~/.cache/natoanalysis/jupyter``
    on Linux). The content depends on the interpreter only, so runs started
    together write the same file.

    Examples
    --------
    >>> import tempfile
    >>> folder = write_interpreter_kernel(root=tempfile.mkdtemp(), executable="/opt/venv/bin/python")
    >>> spec = json.loads((folder / interpreter_kernel_name("/opt/venv/bin/python") / "kernel.json").read_text())
    >>> spec["argv"][:3], spec["language"]
    (['/opt/venv/bin/python', '-m', 'ipykernel_launcher'], 'python')
    """
    import platformdirs

    executable = executable or sys.executable
    root = Path(root) if root is not None else platformdirs.user_cache_path("natoanalysis", appauthor=False) / "jupyter"
    folder = root / "kernels" / interpreter_kernel_name(executable)
    folder.mkdir(parents=True, exist_ok=True)
    spec = {"argv": [executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": f"Python ({executable})", "language": "python"}
    text, path = json.dumps(spec, indent=1) + "\n", folder / "kernel.json"
    if not path.is_file() or path.read_text(encoding="utf-8") != text:  # written once per interpreter
        path.write_text(text, encoding="utf-8")
    return folder.parent


def select(name: str = DEFAULT_KERNEL) -> KernelChoice:
    """The kernel to run notebooks with: ``name`` if it exists, else (for the default name) this interpreter's.

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
        manager.get_kernel_spec(name)
        return KernelChoice(name=name)
    except NoSuchKernel:
        if name != DEFAULT_KERNEL:
            known = ", ".join(sorted(manager.find_kernel_specs())) or "none installed"
            raise ReportParameterError([f"no Jupyter kernel named {echo(name)}; accepted: {known} (or leave "
                                        f"--kernel out: without a kernel named {DEFAULT_KERNEL!r} the notebooks "
                                        "run with this interpreter)"]) from None
    folder = write_interpreter_kernel()
    return KernelChoice(name=interpreter_kernel_name(), spec_dir=folder,
                        note=f"no Jupyter kernel named {DEFAULT_KERNEL!r}: the notebooks run with this interpreter, "
                             f"{sys.executable} (kernelspec in {folder})")

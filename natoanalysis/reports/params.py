"""Report parameters: ``-p NAME VALUE`` strings to the declared types, then the library's one check.

Every value is checked by :func:`natoanalysis.validate.parameters`, the check a
notebook also runs in its own kernel (:func:`start_notebook`), so the runner
refuses before any kernel starts exactly what the notebook would refuse.
"""

from __future__ import annotations

import ast
import functools
import math
import os
import re
from pathlib import Path

from .. import config, validate
from ..errors import ArgumentError

_OPTIONAL = re.compile(r"Optional\[(.+)\]")  # papermill reads no ``X | None`` annotation
_LIST = re.compile(r"(?:list|List|tuple|Tuple|Sequence)\[([^,\]]+)(?:,\.\.\.)?\]")
#: The scalar annotations a value is converted to: (types accepted, what the message says is expected).
_SCALARS = {"int": ((int,), "a whole number (int)"), "float": ((int, float), "a number (float), e.g. 2 or 2.5"),
            "bool": ((bool,), "True or False"), "str": ((str,), "text (str)")}


def literal(text: str) -> object:
    """``text`` as the Python literal it spells (a default, a ``-p`` value), else the text itself.

    Examples
    --------
    >>> literal("[2014, 2024]"), literal("None"), literal("POL")
    ([2014, 2024], None, 'POL')
    """
    try:
        return ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return text


def coerce(value: object, *, type_name: str) -> object:
    """Convert a parameter value (a ``-p`` string or a Python value) to the declared type.

    A string is read as a Python literal (``2024``, ``2.5``, ``True``, ``[2014, 2024]``)
    unless the type is ``str``; a list may also be given comma-separated (``POL,DEU``).
    Annotations other than ``int``, ``float``, ``bool``, ``str``, lists and
    ``Optional`` take what the literal gives. Raises ``ValueError`` saying what
    the type expects.

    Examples
    --------
    >>> coerce("2.5", type_name="float"), coerce("2024", type_name="int"), coerce("False", type_name="bool")
    (2.5, 2024, False)
    >>> coerce("POL, DEU", type_name="list[str]")
    ['POL', 'DEU']
    >>> coerce("None", type_name="Optional[int]") is None
    True
    >>> coerce("two", type_name="float")
    Traceback (most recent call last):
    ...
    ValueError: expects a number (float), e.g. 2 or 2.5
    """
    type_name = type_name.replace(" ", "")
    optional = _OPTIONAL.fullmatch(type_name)
    if optional:
        if value is None or (isinstance(value, str) and value.strip() in {"", "None"}):
            return None
        return coerce(value, type_name=optional[1])
    if isinstance(value, str) and type_name != "str":
        value = literal(value)
    items = _LIST.fullmatch(type_name)
    if items:
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, (list, tuple)):
            raise ValueError(f"expects a list ({type_name}), comma-separated")
        return [coerce(v, type_name=items[1]) for v in value]
    return _scalar(value, type_name=type_name) if type_name in _SCALARS else value


def _scalar(value: object, *, type_name: str) -> object:
    accepted, expects = _SCALARS[type_name]
    if not isinstance(value, accepted) or (isinstance(value, bool) and type_name != "bool"):
        raise ValueError(f"expects {expects}")
    if type_name == "float" and not math.isfinite(value):
        raise ValueError("expects a finite number")
    return {"int": int, "float": float, "bool": bool, "str": str.__str__}[type_name](value)  # the built-in type


def cached_load(data_dir: str | os.PathLike | None = None):
    """:func:`natoanalysis.load` for the checks of one run: each edition's table is read once.

    Examples
    --------
    >>> load = cached_load()
    >>> load(source="nato", edition="latest") is load(source="nato", edition="latest")
    True
    """
    from ..store import load

    return functools.cache(functools.partial(load, data_dir=data_dir))


#: Names papermill itself injects (``--inject-paths``), which no parameters cell declares.
PAPERMILL_NAMES = {"PAPERMILL_INPUT_PATH", "PAPERMILL_OUTPUT_PATH"}
_VALUES = (str, int, float, bool, list, dict, type(None))  # what papermill's Python translator writes


def _assigned_after_parameters(namespace: dict) -> list[str]:
    """The names the cells run since the ``parameters`` cell assigned: papermill's injected cell.

    IPython's ``In`` holds every cell run, this one last; the ``parameters``
    cell is the latest with annotated assignments. Read so, a notebook run
    again in Jupyter does not take its own later variables for parameters.
    Without IPython, every plain value of the namespace counts.
    """
    history = namespace.get("In")
    if not isinstance(history, list):
        return [n for n, v in namespace.items() if isinstance(v, _VALUES) and not n.startswith("_")]
    names = []
    for source in reversed(history[:-1]):
        try:
            body = ast.parse(source).body
        except SyntaxError:
            continue
        if any(isinstance(node, ast.AnnAssign) for node in body):
            break
        names += [t.id for node in body if isinstance(node, ast.Assign) for t in node.targets
                  if isinstance(t, ast.Name)]
    return names


def start_notebook(namespace: dict) -> None:
    """Check a notebook's parameters in its kernel, and put its figures and tables beside its output.

    The first code cell after the ``parameters`` cell calls it with
    ``globals()``. Every parameter is declared with a type annotation, so the
    cell's ``__annotations__`` name them all: any other value assigned by then
    (papermill's injected cell) is an unknown parameter, refused in one line,
    as is a value :func:`natoanalysis.validate.parameters` refuses.

    Outside a report run (where the runner names the folders), figures and
    tables go to ``figures/`` and ``tables/`` beside the notebook papermill
    writes (:func:`papermill_output`), else into the current folder.

    Examples
    --------
    >>> space = {"__annotations__": {"country": str}, "country": "pol", "countr": "FRA"}
    >>> start_notebook(space)
    Traceback (most recent call last):
    ...
    natoanalysis.errors.ArgumentError: unknown parameter countr; this notebook takes: country
    >>> del space["countr"]; start_notebook(space); space["country"]
    'POL'
    >>> ipython = {**space, "In": ["", "country: str = 'POL'", "# Parameters\\ncountr = 'FRA'\\n", "start_notebook()"]}
    >>> start_notebook(ipython)
    Traceback (most recent call last):
    ...
    natoanalysis.errors.ArgumentError: unknown parameter countr; this notebook takes: country
    """
    declared = list(namespace.get("__annotations__", {}))
    unknown = [n for n in dict.fromkeys(_assigned_after_parameters(namespace))
               if n not in declared and n not in PAPERMILL_NAMES]
    if unknown:
        raise ArgumentError(f"unknown parameter {', '.join(unknown)}; this notebook takes: {', '.join(declared)}")
    namespace.update(validate.parameters({n: namespace[n] for n in declared}, load=cached_load()))
    if not os.environ.get(config.FIGURE_DIR_ENV):
        folder = papermill_output(namespace.get("PAPERMILL_OUTPUT_PATH"))
        if folder is not None:
            os.environ[config.FIGURE_DIR_ENV] = str(folder / "figures")
            os.environ[config.TABLE_DIR_ENV] = str(folder / "tables")


def papermill_output(injected: object = None) -> Path | None:
    """The folder of the notebook papermill writes, when papermill runs this kernel; else ``None``.

    ``injected`` is papermill's ``PAPERMILL_OUTPUT_PATH`` (``--inject-output-path``).
    Without it, the command line of the process that started this kernel is
    read (:mod:`psutil`) and parsed by papermill's own command, so an option
    placed anywhere is understood. Python's ``papermill.execute_notebook``
    leaves no command line to read: its caller names the folders, as the runner does.

    Examples
    --------
    >>> papermill_output("/tmp/out/05.ipynb").as_posix()
    '/tmp/out'
    """
    if isinstance(injected, str) and injected not in ("", "-") and "://" not in injected:
        return Path(injected).resolve().parent
    import psutil

    try:
        parent = psutil.Process().parent()
        argv, cwd = (parent.cmdline(), parent.cwd()) if parent is not None else ([], "")
    except psutil.Error:
        return None
    starts = [i + 1 for i, arg in enumerate(argv)
              if (Path(arg).stem == "papermill" and Path(arg).suffix in ("", ".exe"))
              or argv[max(i - 1, 0):i + 1] == ["-m", "papermill"]]
    if not starts:
        return None
    import click
    from papermill.cli import papermill as command

    try:
        output = command.make_context("papermill", argv[starts[0]:], resilient_parsing=True).params.get("output_path")
    except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
        return None
    if not isinstance(output, str) or output in ("", "-") or "://" in output:
        return None
    return (Path(cwd) / output).resolve().parent

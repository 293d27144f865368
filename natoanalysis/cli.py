"""Command line: ``natoanalysis <command> ...`` (also ``python -m natoanalysis``).

Errors the user can fix print one line each to stderr (``natoanalysis <command>:
error: ...``) and exit with status 2; Ctrl-C exits with 130 and one line, no traceback.
Output into a pipe closed early (``natoanalysis claims | head``) ends quietly with
status 141, as for a program ended by SIGPIPE.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import signal
import sys
from typing import TYPE_CHECKING, Sequence

from . import config, signals
from .errors import NatoAnalysisError, echo

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

    from .reports.rundir import Pruned

EXIT_USAGE = 2
EXIT_FAILED = 1
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for a program stopped by Ctrl-C
# 128 + SIGPIPE: what a shell reports for `yes | head`, so a pipeline under `set -o pipefail` sees it
# as the other tools of the pipeline would have ended.
EXIT_BROKEN_PIPE = 141


class _Parser(argparse.ArgumentParser):
    """argparse with errors in one line (argparse prints the usage first, over several lines)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        text = " ".join(message.split())
        if len(text) > 300:  # argparse repeats values whole ("invalid choice: '...'")
            text = text[:300] + "…"
        self.exit(EXIT_USAGE, f"{self.prog}: error: {text} (see {self.prog} --help)\n")

    def format_help(self) -> str:
        text = super().format_help()
        return text + _newer_editions() if self.prog == "natoanalysis" else text


def _newer_editions() -> str:
    """The lines of ``--help`` naming newer editions than the data folder's newest, computed when help is asked."""
    from . import edition, store
    lines = []
    for source in ("nato", "sipri"):
        try:
            have = store.editions(source=source)["edition"].tolist()
        except (NatoAnalysisError, OSError):  # help still prints when the data folder cannot be read
            continue
        newer = edition.newer_text(source=source, edition=max(have, default=""), available=have)
        lines += [newer] if newer else []
    return "\n" + "\n".join(lines) + "\n" if lines else ""


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expects a whole number, got {echo(text)}") from None


def _seconds(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expects a number of seconds, got {echo(text)}") from None


def _print_errors(command: str, exc: BaseException) -> None:
    for line in str(exc).splitlines() or [type(exc).__name__]:
        print(f"natoanalysis {command}: error: {line}", file=sys.stderr)


def _cmd_ingest(args: argparse.Namespace) -> int:
    from .pipeline import ingest
    result = ingest(args.path, source=args.source, edition=args.edition, data_dir=args.data_dir,
                    accessed=args.accessed, url=args.url, strict=args.strict, replace=args.replace, force=args.force)
    print(result.summary())
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    from .store import build, raw_editions
    from .transform.sources import names
    sources = args.source
    if not sources:
        root = config.data_root(args.data_dir)
        sources = [s for s in names() if raw_editions(root, s)] or ["nato"]
    for source in sources:
        df = build(source=source, data_dir=args.data_dir)
        print(f"{source}: {len(df)} rows, editions {', '.join(sorted(df['edition'].unique()))}")
    return 0


def _cmd_quality(args: argparse.Namespace) -> int:
    from .store import data_quality
    dq = data_quality(data_dir=args.data_dir)
    if args.format == "table" and not len(dq):
        print("no findings")
        return 0
    return _print_table(dq, fmt=args.format, head=["edition", "rule", "country", "year", "indicator"])


def _cmd_sources(args: argparse.Namespace) -> int:
    from .store import sources
    return _print_table(sources(data_dir=args.data_dir), fmt=args.format, head=["source", "edition", "title"])


def _cmd_export(args: argparse.Namespace) -> int:
    from .store.export import export
    descriptor = export(out_dir=args.out_dir, edition=args.edition, source=args.source, data_dir=args.data_dir)
    print(f"wrote {descriptor.parent}: {', '.join(sorted(p.name for p in descriptor.parent.iterdir()))}")
    return 0


def _print_table(table, *, fmt: str, head: list[str]) -> int:
    """A table as CSV or JSON for scripts, or for a reader: one block per row, wrapped to the terminal's width.

    Examples
    --------
    >>> import pandas as pd
    >>> _print_table(pd.DataFrame({"a": ["x"], "b": [1], "note": ["word " * 20]}), fmt="table", head=["a", "b"])
    x  1
      note: word word word word word word word word word word word word word word word word word word word
        word
    0
    """
    import shutil
    import textwrap

    if fmt == "json":
        print(table.to_json(orient="records", indent=2, force_ascii=False))
        return 0
    if fmt == "csv":
        print(table.to_csv(index=False), end="")
        return 0
    width = max(60, min(shutil.get_terminal_size((100, 24)).columns, 120))
    for row in table.to_dict("records"):
        print("  ".join(str(row[c]) for c in head))
        for column, value in row.items():
            if column not in head and str(value) not in ("", "nan", "None", "[]"):
                print(textwrap.fill(f"{column}: {value}", width=width, initial_indent="  ", subsequent_indent="    ",
                                    break_long_words=False, break_on_hyphens=False))  # addresses stay whole
    return 0


LIST_WIDTH = 100  # `report --list` fits a terminal of this many columns, and a review diff


def _notebook_listing(table, *, width: int = LIST_WIDTH) -> list[str]:
    """``report --list``: each notebook, then one entry per parameter with its help wrapped to ``width``."""
    import textwrap

    lines = []
    for stem, rows in table.groupby("notebook", sort=False):
        per_country = bool(rows["is_per_country"].iloc[0])
        lines.append(stem + ("  (runs once per ally: --countries)" if per_country else ""))
        params = rows[rows["parameter"] != ""]
        heads = [f"  {r.parameter}: {r.type_name} = {r.default}" for r in params.itertuples()]
        # Help starts in one column per notebook; a head past the middle (a long default) does not move it.
        column = max((len(h) for h in heads if len(h) <= width // 2), default=0) + 2
        for head, help_text in zip(heads, params["help"]):
            head_lines = textwrap.wrap(head, width=width, subsequent_indent=" " * 6, drop_whitespace=False,
                                       break_on_hyphens=False) or [head]
            help_lines = textwrap.wrap(help_text, width=width - column, break_on_hyphens=False)
            if help_lines and len(head_lines[-1]) + 2 <= column:
                head_lines[-1] = head_lines[-1].ljust(column) + help_lines.pop(0)
            lines += [line.rstrip() for line in head_lines] + [" " * column + h for h in help_lines]
        if not heads:
            lines.append("  no parameters")
    return lines


def _cmd_report(args: argparse.Namespace) -> int:
    from . import validate
    from .reports import list_notebooks, run
    from .reports.errors import ReportTerminated
    from .reports.execute import skip_iri_format_checkers
    skip_iri_format_checkers()  # this process is ours: papermill's import need not compile IRI grammars
    if args.list:
        table = list_notebooks(notebook_dir_path=args.notebook_dir).fillna("")
        print("\n".join(_notebook_listing(table)))  # an empty folder is refused by list_notebooks
        return 0
    params: dict[str, str] = {}
    for name, value in args.parameter:
        if name in params:
            raise ValueError(f"parameter {echo(name)} given twice (-p NAME ...); give each parameter once")
        params[name] = value
    # Checked here too, so that the message names the options as typed.
    if args.jobs is not None:
        validate.whole_number(args.jobs, name="--jobs", minimum=1)
    if args.timeout is not None:
        validate.whole_number(math.ceil(validate.non_negative(args.timeout, name="--timeout", unit="seconds")),
                              name="--timeout", minimum=1)
    if args.keep is not None:
        validate.whole_number(args.keep, name="--keep")
    with signals.terminate_raises(error=ReportTerminated):
        result = run(notebooks=args.notebooks or None, parameters=params, countries=args.countries,
                     jobs=args.jobs, out_dir=args.out, show_code=args.show_code, quiet=args.quiet,
                     notebook_dir_path=args.notebook_dir, data_dir=args.data_dir, kernel_name=args.kernel,
                     timeout_s=args.timeout, check=False, keep=args.keep)
    n = len(result.manifest["notebooks"])
    if result.is_complete:
        print(f"report {result.run_id}: {n} notebook{'s' if n != 1 else ''} in {result.manifest['duration_s']:.1f} s -> "
              f"{result.run_dir / 'index.html'}; {_latest_note(result)}")
        if result.pruned is not None:
            _print_pruned(result.pruned, reports=result.run_dir.parent, command="report")
        return 0
    for line in result.failure_messages():
        print(f"natoanalysis report: error: {line}", file=sys.stderr)
    failed = result.manifest["failed"]
    marks = " and ".join(m for m, on in (("INCOMPLETE", failed), ("INCONSISTENT", result.changed_inputs)) if on)
    what = (f"FAILED ({len(failed)} of {n} notebooks)" if failed else "")
    if result.changed_inputs:
        what += (" and " if what else "") + "INCONSISTENT (inputs changed while it ran)"
    print(f"natoanalysis report: run {result.run_id} {what}; kept in {result.run_dir} (marked {marks}), "
          "'latest' not moved" + ("; no old run removed (--keep)" if args.keep is not None else ""), file=sys.stderr)
    return EXIT_FAILED


def _print_pruned(pruned: "Pruned", *, reports: "Path", command: str) -> None:
    """What a clean-up removed (or would remove), each run on its line, then how many."""
    verb = "would remove" if pruned.dry_run else "removed"
    for run_id in pruned.removed:
        print(f"{verb} {reports / run_id}")
    n, kept = len(pruned.removed), len(pruned.kept)
    done = f"{verb} {n} old run{'s' if n != 1 else ''}" if n else "no old run to remove"
    print(f"{command}: {done}; {kept} run{'s' if kept != 1 else ''} kept in {reports}")


def _cmd_clean(args: argparse.Namespace) -> int:
    from . import validate
    from .reports import rundir
    keep, reports = validate.whole_number(args.keep, name="--keep"), config.reports_dir(args.out)
    if reports.exists() and not reports.is_dir():
        raise ValueError(f"--out {reports} is a file, not a folder")
    _print_pruned(rundir.prune(reports, keep=keep, dry_run=args.dry_run), reports=reports, command="clean")
    return 0


def _latest_note(result) -> str:
    """Where ``latest`` points after a complete run, and why it did not move when it did not."""
    if result.latest == result.run_id:
        return "'latest' points here"
    now = f"it points at {result.latest}" if result.latest else "there is none yet"
    if not result.is_full_suite:
        return f"a partial run (not every notebook and ally), so 'latest' was not moved ({now})"
    return f"'latest' was not moved: {now}, a newer full run"


def _cmd_fetch(args: argparse.Namespace) -> int:
    from .pipeline import fetch
    with signals.terminate_raises():
        result = fetch(source=args.source, year=args.year, page_url=args.page_url,
                       data_dir=args.data_dir, timeout=args.timeout)
    via = f" (redirected from {result.redirects[0]})" if result.redirects else ""
    if result.is_new:
        print(f"downloaded {result.url}{via} (sha256 {result.sha256}) -> {result.path}; "
              f"transcribed -> {result.raw_dir}")
    else:
        print(f"{result.url}{via} (sha256 {result.sha256}) is already transcribed in {result.raw_dir}; nothing new")
    return 0


def _cmd_claims(args: argparse.Namespace) -> int:
    from .claims import check_claims
    table = check_claims(edition=args.edition, data_dir=args.data_dir)
    if args.format != "table":
        return _print_table(table, fmt=args.format, head=[])
    if "reproduced_by" in table.columns:  # --edition all: which editions reproduce each claim
        for row in table.itertuples():
            print(f"{row.id:<30} reproduced by: {row.reproduced_by}")
            print(f"{'':<30} {row.verdicts}\n")
    else:
        for row in table.itertuples():
            print(f"{row.id:<30} {row.verdict:<22} {row.computed}")
            print(f"{'':<30} {row.explanation}\n")
    return 0


def _default_data_text() -> str:
    """The default data root as the help says it (computed: the checkout's data/ or the user's data folder)."""
    root = config.default_data_dir()
    if config.is_installed():
        return f"the user's data folder {root}, read together with the bundled editions in {config.bundled_dir('raw')}"
    return f"the checkout's data folder {root}"


def _add_report_parsers(sub) -> None:
    """The ``report`` and ``clean`` commands."""
    p = sub.add_parser("report", help="execute the report notebooks into reports/<run-id>/ (reports/latest)",
                       description="Execute report notebooks with papermill into OUT/<run-id>/: executed "
                                   "notebooks, HTML, figures (PNG, SVG), index.html and manifest.json. Exit "
                                   "status 1 if a notebook fails, 2 for a bad request.")
    p.add_argument("notebooks", nargs="*", metavar="NOTEBOOK",
                   help="notebooks by stem, number or name (default: all in the notebook folder)")
    p.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                   help="set a parameter in every selected notebook that declares it (repeatable)")
    p.add_argument("--countries", help="'all' (default) or ISO3 codes, e.g. POL,DEU: allies for the "
                                       "per-country notebook (the one with a 'country' parameter)")
    p.add_argument("--jobs", type=_whole_number,
                   help="notebooks run at once, each in its own kernel (default and most: the CPUs this "
                        "process may use)")
    p.add_argument("--out", help="reports folder (default: reports/ of the working directory, now "
                                 f"{config.reports_dir()})")
    p.add_argument("--show-code", action="store_true", help="show code cells in the HTML versions")
    p.add_argument("--quiet", action="store_true",
                   help="no progress: no bar on a terminal, no line per finished notebook elsewhere")
    p.add_argument("--list", action="store_true", help="list the notebooks and their parameters, run nothing")
    p.add_argument("--notebook-dir", help=f"notebook folder (default: ${config.NOTEBOOK_DIR_ENV} or the bundled "
                                          f"notebooks, {config.bundled_dir('notebooks')})")
    p.add_argument("--kernel", default="natoanalysis",
                   help="Jupyter kernel (default: natoanalysis if registered, else python3)")
    p.add_argument("--timeout", type=_seconds,
                   help="per-cell time limit in seconds, > 0, rounded up to whole seconds (default: none)")
    p.add_argument("--keep", type=_whole_number, metavar="N",
                   help="after a complete run, remove all but the N newest runs (never the one 'latest' points "
                        "at, nor this one); see `natoanalysis clean`")
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("clean", help="remove old report runs from reports/, keeping the newest and 'latest'",
                       description="Remove old report runs: all but the N newest run folders and the one "
                                   "'latest' points at, and the hidden folders of runs that died. Only "
                                   "folders named by a run id that hold a manifest.json are removed.")
    p.add_argument("--keep", type=_whole_number, default=1, metavar="N",
                   help="how many of the newest runs to keep, besides the one 'latest' points at (default: 1)")
    p.add_argument("--out", help="reports folder (default: the repository's reports/)")
    p.add_argument("--dry-run", action="store_true", help="say what would be removed, remove nothing")
    p.set_defaults(func=_cmd_clean)


def _add_data_commands(sub) -> None:
    """The commands that read and write the data folder: ingest, build, quality, sources, claims, fetch."""
    p = sub.add_parser("ingest", help="transcribe an official workbook into raw/<source>/<edition>/ of the data root (--data-dir)")
    p.add_argument("source", choices=["nato", "sipri"], help="publisher of the workbook")
    p.add_argument("path", help="the .xlsx file as published")
    p.add_argument("--edition", help="edition YYYY-MM (default: recognised from the workbook's content)")
    p.add_argument("--accessed", help="date the file was obtained, YYYY-MM-DD (default: today)")
    p.add_argument("--url", help="where the file was downloaded from")
    p.add_argument("--strict", action="store_true",
                   help="refuse the workbook if the checks find anything not on the whitelist "
                        "(default: record and summarise the findings)")
    p.add_argument("--replace", action="store_true",
                   help="replace an edition already transcribed with different content (the previous "
                        "transcription is kept as a dated backup)")
    p.add_argument("--force", action="store_true",
                   help="accept a workbook that looks misread (shares like fractions, negative money, impossible "
                        "magnitudes, a table shifted against the newest edition), for a publisher's real oddity")
    p.set_defaults(func=_cmd_ingest)

    p = sub.add_parser("build", help="regenerate processed/ of the data root from the raw transcriptions")
    p.add_argument("source", nargs="*", default=[],
                   help="sources to build (default: every source with a transcription under raw/)")
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("quality", help="print the data-quality findings")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table",
                   help="table: one block per finding, wrapped to the terminal (default); csv or json for scripts")
    p.set_defaults(func=_cmd_quality)

    p = sub.add_parser("sources", help="print the provenance of the bundled raw files")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table",
                   help="table: one block per edition, wrapped to the terminal (default); csv or json for scripts")
    p.set_defaults(func=_cmd_sources)

    p = sub.add_parser("export", help="write an edition's tidy table as CSV with a Frictionless datapackage.json")
    p.add_argument("out_dir", help="a new or empty folder (nothing is overwritten)")
    p.add_argument("--source", default="nato", help="nato or sipri (default: nato)")
    p.add_argument("--edition", default=None, help="edition YYYY-MM (default: the latest)")
    p.set_defaults(func=_cmd_export)

    p = sub.add_parser("claims", help="check the claims registry against the official data")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table", help="output format (default: table)")
    p.add_argument("--edition", default=None,
                   help="NATO edition YYYY-MM, or 'all' to say which bundled editions reproduce each claim "
                        "(default: the latest bundled)")
    p.set_defaults(func=_cmd_claims)

    p = sub.add_parser("fetch", help="download the publisher's latest workbook and ingest it as a new edition")
    p.add_argument("source", choices=["nato", "sipri"], help="publisher")
    p.add_argument("--year", help="the year in the publisher's file name, e.g. 2025 (default: the newest linked); "
                                  "the edition is named from the workbook's content, e.g. 2025-08")
    p.add_argument("--page-url", help="publisher page to read links from (default: reference/publishers.csv "
                                      "or $NATOANALYSIS_<SOURCE>_PAGE_URL)")
    p.add_argument("--timeout", type=float, default=60.0,
                   help="time limit in seconds of the whole fetch, page and downloads together (default: 60)")
    p.set_defaults(func=_cmd_fetch)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="natoanalysis", description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None,
                        help=f"data root holding raw/ and processed/, where ingest, fetch and build write (default: "
                             f"${config.DATA_DIR_ENV} or {_default_data_text()})")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    _add_data_commands(sub)
    _add_report_parsers(sub)
    parser.commands = sub.choices  # type: ignore[attr-defined]  # {name: parser}, for main's messages
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    Every command's output goes through here, so a reader that stops early
    (``natoanalysis claims | head``) is handled once for all of them: no
    ``BrokenPipeError`` traceback, exit status :data:`EXIT_BROKEN_PIPE`.

    Examples
    --------
    >>> main(["report", "--jobs", "0"])
    2
    """
    if hasattr(signal, "SIGXFSZ"):
        # Past a file-size limit (`ulimit -f`) a write then fails with EFBIG, reported in one line, where the
        # signal's default action would kill the process with a core dump and no word.
        with contextlib.suppress(ValueError):  # not the main thread: left as it is
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    try:
        # A command's output is its own: the notices load() gives a script (newer editions) are in --help.
        with config.notices_off():
            status = _main(argv)
        # What is still buffered goes now, while a closed pipe can still be caught: at exit Python
        # would print "Exception ignored ... BrokenPipeError" itself.
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        _discard_output()
        return EXIT_BROKEN_PIPE


def _discard_output() -> None:
    """Point stdout and stderr at /dev/null, so that nothing more is written into the closed pipe.

    Python flushes both at exit; into the closed pipe that flush would fail
    again and print its own message.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(AttributeError, OSError, ValueError):  # not a real file (a test's capture)
                os.dup2(devnull, stream.fileno())
    finally:
        os.close(devnull)


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if extra:  # reported by the command's own parser, so that the message names the command
            parser.commands[args.command].error("unrecognized arguments: " + " ".join(
                a if len(a) <= 60 else echo(a) for a in extra))
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2, already printed)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        return args.func(args)
    except (NatoAnalysisError, ValueError, FileNotFoundError) as exc:
        _print_errors(args.command, exc)
        return EXIT_USAGE
    except BrokenPipeError:
        raise  # a reader that stopped early: main() ends quietly
    except OSError as exc:  # a full disk, a file-size limit, a read-only folder: what the system said, in one line
        _print_errors(args.command, _system_error(exc))
        return EXIT_FAILED
    except KeyboardInterrupt:
        return _interrupted(args.command, EXIT_INTERRUPTED)
    except signals.Terminated as exc:  # SIGTERM or SIGHUP during a report run or a fetch
        return _interrupted(args.command, exc.code, signum=exc.signum)


def _system_error(exc: OSError) -> str:
    """An operating system's error in one line: what failed on which file, without Python's ``[Errno n]``.

    Examples
    --------
    >>> import errno
    >>> _system_error(OSError(errno.ENOSPC, "No space left on device", "/data/processed/.nato.arrow.tmp"))
    '/data/processed/.nato.arrow.tmp: No space left on device'
    """
    what = exc.strerror or type(exc).__name__
    where = f"{exc.filename}: " if exc.filename else ""
    return " ".join(f"{where}{what}".split())


#: What a stopped command left: a report run has stopped its kernels and removed its staging folder by the time
#: this is printed, a fetch its partial download.
_LEFT = {"report": "; nothing was published", "fetch": "; nothing unfinished was kept"}


def _interrupted(command: str, status: int, *, signum: int | None = None) -> int:
    what = f"stopped by {signal.Signals(signum).name}" if signum and command == "fetch" else "interrupted"
    print(f"natoanalysis {command}: {what}{_LEFT.get(command, '')}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())

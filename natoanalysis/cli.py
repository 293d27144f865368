"""Command line: ``natoanalysis <command> ...`` (also ``python -m natoanalysis``).

Errors the user can fix print one line each to stderr (``natoanalysis <command>:
error: ...``) and exit with status 2; Ctrl-C exits with 130 and one line, no traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
import warnings
from typing import Iterator, Sequence

from .errors import NatoAnalysisError, echo

EXIT_USAGE = 2
EXIT_FAILED = 1
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for a program stopped by Ctrl-C


class _Parser(argparse.ArgumentParser):
    """argparse with errors in one line (argparse prints the usage first, over several lines)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        text = " ".join(message.split())
        if len(text) > 300:  # argparse repeats values whole ("invalid choice: '...'")
            text = text[:300] + "…"
        self.exit(EXIT_USAGE, f"{self.prog}: error: {text} (see {self.prog} --help)\n")


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
                    accessed=args.accessed, url=args.url, strict=args.strict, replace=args.replace)
    print(result.summary())
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    from . import config
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
    print(dq.drop(columns=["reason"]).to_string(index=False) if len(dq) else "no findings")
    return 0


def _cmd_sources(args: argparse.Namespace) -> int:
    from .store import sources
    print(sources(data_dir=args.data_dir).to_string(index=False))
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from .reports import JobsCappedWarning, list_notebooks, run
    from .reports.execute import skip_iri_format_checkers
    from .reports.interrupts import terminate_raises
    from .reports.run import positive_seconds, whole_jobs
    skip_iri_format_checkers()  # this process is ours: papermill's import need not compile IRI grammars
    if args.list:
        table = list_notebooks(notebook_dir_path=args.notebook_dir).fillna("")
        print(table.to_string(index=False) if len(table) else "no report notebooks found")
        return 0
    params: dict[str, str] = {}
    for name, value in args.parameter:
        if name in params:
            raise ValueError(f"parameter {echo(name)} given twice (-p NAME ...); give each parameter once")
        params[name] = value
    # Checked here too, so that the message names the options as typed.
    whole_jobs(args.jobs, name="--jobs")
    positive_seconds(args.timeout, name="--timeout")

    def note(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, JobsCappedWarning):
            print(f"natoanalysis report: note: {message}", file=sys.stderr)
        else:
            shown(message, category, filename, lineno, file, line)
    with terminate_raises(), warnings.catch_warnings():
        warnings.simplefilter("always", JobsCappedWarning)
        shown, warnings.showwarning = warnings.showwarning, note
        result = run(notebooks=args.notebooks or None, parameters=params, countries=args.countries,
                     jobs=args.jobs, out_dir=args.out, show_code=args.show_code, quiet=args.quiet,
                     notebook_dir_path=args.notebook_dir, data_dir=args.data_dir, kernel_name=args.kernel,
                     timeout_s=args.timeout, check=False)
    n = len(result.manifest["notebooks"])
    if result.is_complete:
        print(f"report {result.run_id}: {n} notebook{'s' if n != 1 else ''} in {result.manifest['duration_s']:.1f} s -> "
              f"{result.run_dir / 'index.html'}")
        return 0
    for line in result.failure_messages():
        print(f"natoanalysis report: error: {line}", file=sys.stderr)
    failed = result.manifest["failed"]
    marks = " and ".join(m for m, on in (("INCOMPLETE", failed), ("INCONSISTENT", result.changed_inputs)) if on)
    what = (f"FAILED ({len(failed)} of {n} notebooks)" if failed else "")
    if result.changed_inputs:
        what += (" and " if what else "") + "INCONSISTENT (inputs changed while it ran)"
    print(f"natoanalysis report: run {result.run_id} {what}; kept in {result.run_dir} (marked {marks}), "
          "'latest' not moved", file=sys.stderr)
    return EXIT_FAILED


class _Terminated(SystemExit):
    """SIGTERM, raised as SystemExit so that ``except BaseException`` clean-ups run on the way out."""


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """Turn SIGTERM into :class:`_Terminated` (exit status 143) while the block runs.

    Python's default for SIGTERM ends the process at once, skipping every ``finally``: a fetch
    stopped that way would leave its ``.part`` file. Only the main thread may set handlers; in
    another thread the block runs unchanged.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # one is enough: let the clean-up finish
        raise _Terminated(128 + signum)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


def _cmd_fetch(args: argparse.Namespace) -> int:
    from .pipeline import fetch
    try:
        with _sigterm_raises():
            result = fetch(source=args.source, edition=args.edition, page_url=args.page_url,
                           data_dir=args.data_dir, timeout=args.timeout)
    except _Terminated:
        print("natoanalysis fetch: stopped by SIGTERM; nothing unfinished was kept", file=sys.stderr)
        raise
    except KeyboardInterrupt:
        print("natoanalysis fetch: interrupted; nothing unfinished was kept", file=sys.stderr)
        return 128 + signal.SIGINT
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
    if args.format == "json":
        print(table.to_json(orient="records", indent=2, force_ascii=False))
    elif args.format == "csv":
        print(table.to_csv(index=False), end="")
    elif "reproduced_by" in table.columns:  # --edition all: which editions reproduce each claim
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
    from . import config
    root = config.default_data_dir()
    if config.is_installed():
        return f"the user's data folder {root}, read together with the bundled editions in {config.bundled_raw_dir()}"
    return f"the checkout's data folder {root}"


def build_parser() -> argparse.ArgumentParser:
    from . import config
    parser = _Parser(prog="natoanalysis", description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None,
                        help=f"data root holding raw/ and processed/, where ingest, fetch and build write (default: "
                             f"${config.DATA_DIR_ENV} or {_default_data_text()})")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

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
    p.set_defaults(func=_cmd_ingest)

    p = sub.add_parser("build", help="regenerate processed/ of the data root from the raw transcriptions")
    p.add_argument("source", nargs="*", default=[],
                   help="sources to build (default: every source with a transcription under raw/)")
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("quality", help="print the data-quality findings")
    p.set_defaults(func=_cmd_quality)

    p = sub.add_parser("sources", help="print the provenance of the bundled raw files")
    p.set_defaults(func=_cmd_sources)

    p = sub.add_parser("claims", help="check the claims registry against the official data")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table", help="output format (default: table)")
    p.add_argument("--edition", default=None,
                   help="NATO edition YYYY-MM, or 'all' to say which bundled editions reproduce each claim "
                        "(default: the latest bundled)")
    p.set_defaults(func=_cmd_claims)

    p = sub.add_parser("fetch", help="download the publisher's latest workbook and ingest it as a new edition")
    p.add_argument("source", choices=["nato", "sipri"], help="publisher")
    p.add_argument("--edition", help="edition year as in the file name, e.g. 2025 (default: the newest linked)")
    p.add_argument("--page-url", help="publisher page to read links from (default: reference/publishers.csv "
                                      "or $NATOANALYSIS_<SOURCE>_PAGE_URL)")
    p.add_argument("--timeout", type=float, default=60.0,
                   help="time limit in seconds of the whole fetch, page and downloads together (default: 60)")
    p.set_defaults(func=_cmd_fetch)

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
                   help="parallel worker processes (default and most: the CPUs this process may use, "
                        "fewer if memory is short)")
    p.add_argument("--out", help="reports folder (default: reports/ of the working directory, now "
                                 f"{config.reports_dir()})")
    p.add_argument("--show-code", action="store_true", help="show code cells in the HTML versions")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--list", action="store_true", help="list the notebooks and their parameters, run nothing")
    p.add_argument("--notebook-dir", help=f"notebook folder (default: ${config.NOTEBOOK_DIR_ENV} or the bundled "
                                          f"notebooks, {config.bundled_notebook_dir()})")
    p.add_argument("--kernel", default="natoanalysis", help="Jupyter kernel (default: natoanalysis if registered, "
                                                            f"else one for this interpreter, {sys.executable})")
    p.add_argument("--timeout", type=_seconds,
                   help="per-cell time limit in seconds, > 0, rounded up to whole seconds (default: none)")
    p.set_defaults(func=_cmd_report)
    parser.commands = sub.choices  # type: ignore[attr-defined]  # {name: parser}, for main's messages
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
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
    except KeyboardInterrupt:
        return _interrupted(args.command, EXIT_INTERRUPTED)
    except SystemExit as exc:
        from .reports.errors import ReportTerminated  # SIGTERM or SIGHUP during a report run
        if isinstance(exc, ReportTerminated):
            return _interrupted(args.command, exc.code)
        raise


def _interrupted(command: str, status: int) -> int:
    # A report run has stopped its workers and removed its staging folder by the time this is printed.
    detail = "; nothing was published" if command == "report" else ""
    print(f"natoanalysis {command}: interrupted{detail}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())

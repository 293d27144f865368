"""Command line: ``natoanalysis <command> ...`` (also ``python -m natoanalysis``).

Errors the user can fix print one line to stderr and exit with status 2.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from typing import Iterator, Sequence

from .errors import NatoAnalysisError

EXIT_USAGE = 2
EXIT_FAILED = 1


def _cmd_ingest(args: argparse.Namespace) -> int:
    from .ingest import ingest
    result = ingest(args.path, source=args.source, edition=args.edition, data_dir=args.data_dir,
                    accessed=args.accessed, url=args.url, strict=args.strict, replace=args.replace)
    print(result.summary())
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    from . import handlers, paths
    from .store import build, raw_editions
    sources = args.source
    if not sources:
        root = paths.data_root(args.data_dir)
        sources = [s for s in sorted(handlers.HANDLERS) if raw_editions(root, s)] or ["nato"]
    for source in sources:
        df = build(source=source, data_dir=args.data_dir)
        print(f"{source}: {len(df)} rows, editions {', '.join(sorted(df['edition'].unique()))}")
    return 0


def _cmd_quality(args: argparse.Namespace) -> int:
    from .quality import data_quality
    dq = data_quality(data_dir=args.data_dir)
    print(dq.drop(columns=["reason"]).to_string(index=False) if len(dq) else "no findings")
    return 0


def _cmd_sources(args: argparse.Namespace) -> int:
    from .store import sources
    print(sources(data_dir=args.data_dir).to_string(index=False))
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from .reports import list_notebooks, run
    from .reports.execute import skip_iri_format_checkers
    skip_iri_format_checkers()  # this process is ours: papermill's import need not compile IRI grammars
    if args.list:
        table = list_notebooks(notebook_dir_path=args.notebook_dir).fillna("")
        print(table.to_string(index=False) if len(table) else "no report notebooks found")
        return 0
    params: dict[str, str] = {}
    for name, value in args.parameter:
        if name in params:
            raise ValueError(f"parameter {name!r} given twice (-p {name} ...); give each parameter once")
        params[name] = value
    result = run(notebooks=args.notebooks or None, parameters=params, countries=args.countries, jobs=args.jobs,
                 out_dir=args.out, show_code=args.show_code, quiet=args.quiet,
                 notebook_dir_path=args.notebook_dir, data_dir=args.data_dir, kernel_name=args.kernel,
                 timeout_s=args.timeout, check=False)
    n = len(result.manifest["notebooks"])
    if result.is_complete:
        print(f"report {result.run_id}: {n} notebook{'s' if n != 1 else ''} in {result.manifest['duration_s']:.1f} s -> "
              f"{result.run_dir / 'index.html'}")
        return 0
    for line in result.failure_messages():
        print(f"natoanalysis report: error: {line}", file=sys.stderr)
    print(f"natoanalysis report: run {result.run_id} FAILED ({len(result.manifest['failed'])} of {n} notebooks); "
          f"kept in {result.run_dir} (marked INCOMPLETE), 'latest' not moved", file=sys.stderr)
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
    from .fetch import fetch
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="natoanalysis", description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None,
                        help="data root holding raw/ and processed/ (default: $NATOANALYSIS_DATA_DIR or ./data)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("ingest", help="transcribe an official workbook into data/raw/<source>/<edition>/")
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

    p = sub.add_parser("build", help="regenerate data/processed from data/raw")
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
    p.add_argument("--jobs", type=int, help="parallel worker processes (default: number of CPUs)")
    p.add_argument("--out", help="reports folder (default: the repository's reports/)")
    p.add_argument("--show-code", action="store_true", help="show code cells in the HTML versions")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--list", action="store_true", help="list the notebooks and their parameters, run nothing")
    p.add_argument("--notebook-dir", help="notebook folder (default: $NATOANALYSIS_NOTEBOOK_DIR or notebooks/)")
    p.add_argument("--kernel", default="natoanalysis", help="Jupyter kernel (default: natoanalysis)")
    p.add_argument("--timeout", type=float, help="per-cell time limit in seconds (default: none)")
    p.set_defaults(func=_cmd_report)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (NatoAnalysisError, ValueError, FileNotFoundError) as exc:
        print(f"natoanalysis {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())

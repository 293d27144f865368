"""Command line: ``natoanalysis <command> ...`` (also ``python -m natoanalysis``).

Errors the user can fix print one line to stderr and exit with status 2.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from .errors import NatoAnalysisError

EXIT_USAGE = 2


def _cmd_ingest(args: argparse.Namespace) -> int:
    from .ingest import ingest
    target = ingest(args.path, source=args.source, edition=args.edition, data_dir=args.data_dir,
                    accessed=args.accessed, url=args.url)
    print(f"transcribed {args.path} -> {target}")
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    from .store import build
    for source in args.source:
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="natoanalysis", description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None,
                        help="data root holding raw/ and processed/ (default: $NATOANALYSIS_DATA_DIR or ./data)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("ingest", help="transcribe an official workbook into data/raw/<source>/<edition>/")
    p.add_argument("source", choices=["nato", "sipri"], help="publisher of the workbook")
    p.add_argument("path", help="the .xlsx file as published")
    p.add_argument("--edition", help="edition YYYY-MM (default: from the file)")
    p.add_argument("--accessed", help="date the file was obtained, YYYY-MM-DD (default: today)")
    p.add_argument("--url", help="where the file was downloaded from")
    p.set_defaults(func=_cmd_ingest)

    p = sub.add_parser("build", help="regenerate data/processed from data/raw")
    p.add_argument("source", nargs="*", default=["nato"], help="sources to build (default: nato)")
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("quality", help="print the data-quality findings")
    p.set_defaults(func=_cmd_quality)

    p = sub.add_parser("sources", help="print the provenance of the bundled raw files")
    p.set_defaults(func=_cmd_sources)
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

"""The sources the package reads, one small record each.

A record says how to read a source's workbook: whether its font colours
carry meaning, how to see what a workbook covers before its edition is known
(``scan``), and how to turn its cells into the tidy table (``tidy``).
Ingest, the cache and the command line look sources up here, so adding a
publisher means adding one module and one record.
"""

from __future__ import annotations

import dataclasses
from typing import Callable


from ..extract.cells import Workbook
from . import Tidy, nato, sipri


@dataclasses.dataclass(frozen=True)
class Source:
    """How one publisher's workbook is read."""

    name: str
    title: str
    scan: Callable[[Workbook], dict]  # what the workbook covers: definition, first/last year, estimates, base year
    tidy: Callable[..., Tidy]  # tidy(workbook, edition=, run_checks=, strict=)
    with_font_color: bool = False  # SIPRI encodes estimates (blue) and uncertain figures (red) in the font colour


SOURCES: dict[str, Source] = {
    "nato": Source("nato", "NATO, Defence Expenditure of NATO Countries", nato.scan, nato.tidy),
    "sipri": Source("sipri", "SIPRI Military Expenditure Database", sipri.scan, sipri.tidy, with_font_color=True),
}


def get(source: str) -> Source:
    """The record of a source (its name in any case), or ValueError naming the accepted sources.

    Examples
    --------
    >>> get("sipri").with_font_color, get("SIPRI").name
    (True, 'sipri')
    >>> get("imf")
    Traceback (most recent call last):
    ...
    ValueError: unknown source 'imf'; accepted: nato, sipri
    """
    try:
        return SOURCES[source.strip().lower()]
    except (KeyError, AttributeError):
        raise ValueError(f"unknown source {source!r}; accepted: {', '.join(sorted(SOURCES))}") from None


def names() -> list[str]:
    """The sources the package reads, sorted.

    Examples
    --------
    >>> names()
    ['nato', 'sipri']
    """
    return sorted(SOURCES)

"""Small pieces of English for the sentences the reports build from data.

Numbers are written to the precision that means something (shares of GDP to
two decimals, money in billions to one), lists read as English ("A, B and
C") and country names take their article ("the Netherlands").
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from ..allies import name_in_text

DASH = "–"  # what a table or sentence shows for a figure that does not exist


def listing(items: Iterable[str], *, empty: str = "none") -> str:
    """``["A"]`` -> ``"A"``; ``["A", "B", "C"]`` -> ``"A, B and C"``.

    Examples
    --------
    >>> listing(["France", "Lithuania", "Slovakia"]), listing([])
    ('France, Lithuania and Slovakia', 'none')
    """
    items = [str(i) for i in items]
    if not items:
        return empty
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def allies(codes: Iterable[str], *, empty: str = "none") -> str:
    """Allies' names as they read in a sentence, listed.

    Examples
    --------
    >>> allies(["NLD", "POL", "USA"])
    'the Netherlands, Poland and the United States'
    """
    return listing([name_in_text(c) for c in codes], empty=empty)


def name(code: str, *, start: bool = False) -> str:
    """One ally's name in a sentence ("the United States"; "The United States" at the start).

    Examples
    --------
    >>> name("USA", start=True)
    'The United States'
    """
    return name_in_text(code, start=start)


def pct(value: float, *, decimals: int = 2, sign: bool = False) -> str:
    """A percentage: ``2.0 -> "2.00%"``; a missing one is a dash.

    Examples
    --------
    >>> pct(3.1234), pct(-0.5, decimals=1, sign=True), pct(float("nan"))
    ('3.12%', '-0.5%', '–')
    """
    if value is None or not math.isfinite(float(value)):
        return DASH
    return f"{float(value):{'+' if sign else ''}.{decimals}f}%"


def points(value: float, *, decimals: int = 2) -> str:
    """Percentage points: ``1.384 -> "1.38 points"``.

    Examples
    --------
    >>> points(1.384), points(1.0, decimals=1)
    ('1.38 points', '1.0 point')
    """
    if value is None or not math.isfinite(float(value)):
        return DASH
    text = f"{float(value):.{decimals}f}"
    return f"{text} point" if float(text) in (1.0, -1.0) else f"{text} points"


def usd_billion(usd_million: float, *, decimals: int | None = None) -> str:
    """Money in US dollars from millions: ``63712.5 -> "US$63.7 billion"``; trillions above 1,000 billion.

    Sums under a billion keep two significant figures (``"US$0.045 billion"``), never ``"US$0.0 billion"``.

    Examples
    --------
    >>> usd_billion(63712.5), usd_billion(1474399.0), usd_billion(45.0)
    ('US$63.7 billion', 'US$1.47 trillion', 'US$0.045 billion')
    """
    if usd_million is None or not math.isfinite(float(usd_million)):
        return DASH
    bn = float(usd_million) / 1000
    if abs(bn) >= 1000:
        return f"US${bn / 1000:,.2f} trillion"
    if decimals is None:
        decimals = 1 if abs(bn) >= 1 else max(1, 1 - int(math.floor(math.log10(abs(bn)))) if bn else 1)
    return f"US${bn:,.{decimals}f} billion"


def count(n: int, noun: str, *, plural: str | None = None) -> str:
    """``count(1, "ally", plural="allies") -> "1 ally"``.

    Examples
    --------
    >>> count(1, "ally", plural="allies"), count(23, "ally", plural="allies")
    ('1 ally', '23 allies')
    """
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"

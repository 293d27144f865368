"""Small pieces of English for the sentences the reports build from data.

Numbers are written to the precision that means something (shares of GDP to
two decimals, money in billions to one), lists read as English ("A, B and
C") and country names take their article ("the Netherlands"). The sentences
of the report pages are written once, in ``sentences.md.j2`` (one Jinja2
macro each, with these functions as its filters), and filled by
:func:`sentence` with the figures a view computed.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable
from pathlib import Path

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


def usd(usd_million: float, *, decimals: int | None = None) -> str:
    """Money in US dollars from millions, in the unit its size reads best in: million, billion or trillion.

    ``decimals`` applies to billions (default 1); millions are whole (a sum
    under one million keeps one decimal), trillions have two.

    Examples
    --------
    >>> usd(63712.5), usd(1474399.0), usd(160.4), usd(16867.1), usd(0.42)
    ('US$63.7 billion', 'US$1.47 trillion', 'US$160 million', 'US$16.9 billion', 'US$0.4 million')
    """
    if usd_million is None or not math.isfinite(float(usd_million)):
        return DASH
    m = float(usd_million)
    if abs(m) >= 1_000_000:
        return f"US${m / 1_000_000:,.2f} trillion"
    if abs(m) >= 1000:
        return f"US${m / 1000:,.{1 if decimals is None else decimals}f} billion"
    return f"US${m:,.0f} million" if abs(m) >= 1 else f"US${m:,.1f} million"


def markdown(text: str) -> str:
    r"""Text for a Markdown page, its dollar signs escaped: maths renderers read ``US$ ... US$`` as a formula.

    Jupyter and nbconvert typeset ``$...$`` as LaTeX: two amounts in US dollars in one paragraph
    swallow the text between them, bold markers included.

    Examples
    --------
    >>> markdown("median **US$2.36 trillion**, between US$2.1 and US$2.6 trillion")
    'median **US\\$2.36 trillion**, between US\\$2.1 and US\\$2.6 trillion'
    """
    return re.sub(r"(?<!\\)\$", r"\\$", text)


def people(thousands: float) -> str:
    """A number of people from NATO's thousands: ``1.6 -> "1,600"``, ``1316.2 -> "1,316,200"``.

    Examples
    --------
    >>> people(1.6), people(1316.2)
    ('1,600', '1,316,200')
    """
    if thousands is None or not math.isfinite(float(thousands)):
        return DASH
    return f"{round(float(thousands) * 1000):,}"


def count(n: int, noun: str, *, plural: str | None = None) -> str:
    """``count(1, "ally", plural="allies") -> "1 ally"``.

    Examples
    --------
    >>> count(1, "ally", plural="allies"), count(23, "ally", plural="allies")
    ('1 ally', '23 allies')
    """
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"


@functools.cache
def _sentences():
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent), autoescape=False,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.filters.update(pct=pct, points=points, usd=usd, people=people, listing=listing, allies=allies, count=count,
                       name=name_in_text, g=lambda v: f"{float(v):g}")
    return env.get_template("sentences.md.j2").module


def sentence(template: str, **values: object) -> str:
    """The Markdown of one macro of ``sentences.md.j2`` filled with ``values``, its dollar signs escaped.

    In the template a line break is a space, so a sentence can run over several lines; a
    line that starts with ``- `` starts a bullet point and an empty line a paragraph.

    Examples
    --------
    >>> sentence("estimates", edition="2024-06", years=[2023, 2024], n=62, n_values=5377)
    'In edition 2024-06, 2023 and 2024 are estimates: 62 of the 5,377 values. They rest on budgets rather than outturns and are revised in the next edition.'
    """
    rendered = str(getattr(_sentences(), template)(**values)).strip()
    return markdown(re.sub(r"(?<!\n)[ \t]*\n[ \t]*(?!\n|- )", " ", rendered))

"""Text helpers shared by the publisher readers."""

from __future__ import annotations

import re


def first_year(texts: list[str], pattern: re.Pattern) -> int | None:
    """The year captured by ``pattern``'s first group in the first text that matches, else None.

    Examples
    --------
    >>> first_year(["Million US dollars", "Constant 2015 prices"], re.compile(r"(\\d{4}) prices"))
    2015
    """
    for text in texts:
        m = pattern.search(text)
        if m:
            return int(m.group(1))
    return None

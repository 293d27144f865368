"""Transform stage: the cells of one edition -> the tidy table, with the findings of its checks.

* :mod:`.nato`, :mod:`.sipri`: one module per source, reading its tables into tidy rows;
* :mod:`.checks`: the consistency rules (NATO's derived figures recomputed within
  the printed precision), the plausibility rules and the whitelist;
* :mod:`.sources`: one record per source and the tidy driver over them;
* :mod:`.text`: small text helpers shared by the readers.
"""

from __future__ import annotations

import dataclasses
from types import MappingProxyType
from typing import Mapping

import pandas as pd


@dataclasses.dataclass(frozen=True)
class Tidy:
    """What the transform makes of one edition: the tidy table and what was learnt reading it.

    Kept beside the table, never in ``table.attrs``: pandas compares and copies
    ``attrs`` in its operations, and a DataFrame there makes them raise.

    Attributes
    ----------
    table : pandas.DataFrame
        The tidy rows (:mod:`natoanalysis.schema`), with empty ``attrs``.
    findings : pandas.DataFrame or None
        The checks' findings, whitelist applied; None when no checks ran.
    quirks : tuple of str
        The publisher's layout quirks met while reading.
    notes : Mapping
        The workbook's notes, read-only.

    Examples
    --------
    >>> import pandas as pd
    >>> t = Tidy(pd.DataFrame({"value": [1.0]}), None, ("a",), {"n": "x"})
    >>> t.notes["n"], t.quirks
    ('x', ('a',))
    """

    table: pd.DataFrame
    findings: pd.DataFrame | None
    quirks: tuple = ()
    notes: Mapping = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "quirks", tuple(self.quirks))
        object.__setattr__(self, "notes", MappingProxyType(dict(self.notes)))

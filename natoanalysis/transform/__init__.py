"""Transform stage: the cells of one edition -> the tidy table, with the findings of its checks.

* :mod:`.nato`, :mod:`.sipri`: one module per source, reading its tables into tidy rows;
* :mod:`.checks`: the consistency rules (NATO's derived figures recomputed within
  the printed precision), the plausibility rules and the whitelist;
* :mod:`.sources`: one record per source: which reader, whether font colours count.
"""

from __future__ import annotations

import dataclasses
from types import MappingProxyType
from typing import Mapping

import pandas as pd

from .. import schema
from ..allies import registry
from ..errors import ValidationError


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


def conform(df: pd.DataFrame, *, source: str, edition: str, definition: str, aggregates: Mapping[str, str],
            include_non_allies: bool = False, extra: dict[str, str] | None = None) -> pd.DataFrame:
    """A reader's rows as the tidy table: source, edition, definition and names added, typed by the schema.

    ``aggregates`` names the aggregate codes (NATO's totals, SIPRI's regions);
    the other codes are named from the registry of countries.

    Raises
    ------
    ValidationError
        If a key (:data:`natoanalysis.schema.KEY`) repeats.

    Examples
    --------
    >>> import natoanalysis as na
    >>> rows = na.load().query("country in ['POL', 'NATO_TOTAL']").drop(columns=["country_name", "is_aggregate"])
    >>> t = conform(rows, source="nato", edition="x", definition="d", aggregates={"NATO_TOTAL": "NATO Total"})
    >>> t.groupby("country")[["country_name", "is_aggregate"]].first().values.tolist()
    [['NATO Total', True], ['Poland', False]]
    """
    reg = registry(include_non_allies=include_non_allies)
    names = {**dict(zip(reg["iso3"], reg["name"])), **aggregates}
    tidy = schema.conform(df.assign(source=source, edition=edition, definition=definition,
                                    country_name=df["country"].map(names),
                                    is_aggregate=df["country"].isin(set(aggregates))), extra=extra)
    dup = tidy.duplicated(schema.KEY, keep=False)
    if dup.any():
        raise ValidationError(f"duplicate keys in the {source} tidy table: "
                              f"{tidy.loc[dup, schema.KEY].head().to_dict('records')}")
    return tidy

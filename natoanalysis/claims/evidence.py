"""Small evidence tables that show why a claim's verdict depends on a definition."""

from __future__ import annotations

import pandas as pd

from ..metrics import group_growth

GROWTH_DEFINITIONS = (
    ("real, published membership", "published", "constant"),
    ("real, constant membership", "constant", "constant"),
    ("nominal USD, published membership", "published", "current"),
    ("nominal USD, constant membership", "constant", "current"),
)


def growth_under_definitions(*, data: pd.DataFrame, group: str = "europe_canada",
                             years: list[int] | tuple[int, ...] | None = None) -> pd.DataFrame:
    """Year-on-year growth of a group total under the four definitions a headline may use.

    ``years`` default to the edition's last two. Real growth uses constant
    US dollars (the edition's base year), nominal growth current US
    dollars; "published membership" counts each year's allies (NATO's
    aggregates), "constant membership" the allies of the edition's latest year
    on both sides of every change.

    Returns
    -------
    pandas.DataFrame
        ``year, definition, growth_pct``.

    Examples
    --------
    >>> import natoanalysis as na
    >>> t = growth_under_definitions(data=na.load(), years=[2024])
    >>> t.set_index("definition")["growth_pct"].round(2).to_dict()["real, published membership"]
    17.95
    """
    if years is None:
        last = int(data["year"].max())
        years = (last - 1, last)
    rows = []
    for year in years:
        for label, membership, basis in GROWTH_DEFINITIONS:
            pct = float(group_growth(group=group, year=int(year), membership=membership, price_basis=basis, data=data))
            rows.append({"year": int(year), "definition": label, "growth_pct": pct})
    return pd.DataFrame(rows)

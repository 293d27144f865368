"""Who met NATO's guidelines in which year, and how many (notebook 03)."""

from __future__ import annotations

import pandas as pd

from .. import registry
from ..metrics import _args
from ..metrics.guidelines import allies_meeting, compliance_table

GUIDELINE_LABELS = {"meets_2pct": "2% of GDP", "meets_equipment_20pct": "20% on equipment",
                    "meets_hague_core_3_5pct": "3.5% core (Hague)"}


def compliance_history(*, data: pd.DataFrame, basis: str = "published") -> pd.DataFrame:
    """:func:`natoanalysis.compliance_table` for every year of the edition, with the allies' names.

    Returns
    -------
    pandas.DataFrame
        ``country, country_name, year, share_gdp_pct, equipment_share_pct,
        meets_2pct, meets_equipment_20pct, meets_hague_core_3_5pct`` (nullable
        booleans, missing for Iceland), one row per ally from its accession year.

    Examples
    --------
    >>> import natoanalysis as na
    >>> t = compliance_history(data=na.load())
    >>> t.query("country == 'POL' and year == 2014")[["country_name", "meets_2pct"]].values.tolist()
    [['Poland', False]]
    """
    df = _args.table(data, None)
    t = compliance_table(basis=basis, data=df)
    names = registry.countries().set_index("iso3")["name"]
    t.insert(1, "country_name", t["country"].map(names).astype(str))
    return t


def meeting_counts(*, data: pd.DataFrame, basis: str = "published") -> pd.DataFrame:
    """Number of allies meeting each guideline per year, and how many were assessed.

    Iceland (no armed forces) is never assessed; an ally is assessed from its
    accession year.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``year``: ``n_assessed``, ``n_meets_2pct``,
        ``n_meets_equipment_20pct``, ``n_meets_hague_core_3_5pct``.

    Examples
    --------
    >>> import natoanalysis as na
    >>> c = meeting_counts(data=na.load())
    >>> c.loc[[2014, 2023, 2024], "n_meets_2pct"].tolist()
    [3, 10, 23]
    """
    t = compliance_history(data=data, basis=basis)
    g = t.groupby("year")
    out = pd.DataFrame({"n_assessed": g["meets_2pct"].count()})
    for col in GUIDELINE_LABELS:
        out[f"n_{col}"] = g[col].sum().astype(int)
    return out


def counts_long(counts: pd.DataFrame) -> pd.DataFrame:
    """:func:`meeting_counts` as a long table ``year, guideline, n_allies`` for a grouped bar chart.

    Examples
    --------
    >>> c = pd.DataFrame({"n_assessed": [28], "n_meets_2pct": [3], "n_meets_equipment_20pct": [8],
    ...                   "n_meets_hague_core_3_5pct": [1]}, index=pd.Index([2014], name="year"))
    >>> counts_long(c).values.tolist()
    [[2014, '2% of GDP', 3], [2014, '20% on equipment', 8], [2014, '3.5% core (Hague)', 1]]
    """
    parts = [pd.DataFrame({"year": counts.index.astype(int), "guideline": label,
                           "n_allies": counts[f"n_{col}"].to_numpy()}) for col, label in GUIDELINE_LABELS.items()]
    return pd.concat(parts, ignore_index=True).sort_values(["year"], kind="stable").reset_index(drop=True)


def printed_versus_recomputed(*, data: pd.DataFrame, threshold_pct: float = 2.0) -> pd.DataFrame:
    """Ally-years whose status against a threshold differs between the published share and expenditure / GDP.

    NATO's Table 3 prints some shares as exactly 2.0 where Table 2 expenditure
    over Table 5 GDP (constant 2015 US dollars) is slightly lower.

    Returns
    -------
    pandas.DataFrame
        ``country, year, published_share_gdp_pct, recomputed_share_gdp_pct``.

    Examples
    --------
    >>> import natoanalysis as na
    >>> t = printed_versus_recomputed(data=na.load())
    >>> [(c, y, round(r, 3)) for c, y, r in t[["country", "year", "recomputed_share_gdp_pct"]].values]
    [('LTU', 2019, 1.995), ('FRA', 2020, 1.986), ('SVK', 2024, 1.989)]
    """
    df = _args.table(data, None)
    thr = _args.non_negative(threshold_pct, name="threshold_pct", unit="percent")
    # compliance_table covers every ally-year of a basis in one pass (allies_meeting year by year would
    # rebuild the same tables twice per year); the comparison is allies_meeting's: >= threshold, unrounded.
    share = {basis: compliance_table(basis=basis, data=df).set_index(["country", "year"])["share_gdp_pct"]
             for basis in ("published", "recomputed")}
    both = pd.DataFrame({"published_share_gdp_pct": share["published"],
                         "recomputed_share_gdp_pct": share["recomputed"]}).dropna()  # Iceland has no share
    differs = (both["published_share_gdp_pct"] >= thr) != (both["recomputed_share_gdp_pct"] >= thr)
    out = both[differs].reset_index().sort_values(["year", "country"], kind="stable")
    return out[["country", "year", "published_share_gdp_pct", "recomputed_share_gdp_pct"]].reset_index(drop=True)

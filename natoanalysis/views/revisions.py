"""How the headline figures moved between editions: shares of GDP, the count at 2%, the US share (notebook 09).

Every edition revises the years before it (its latest years are estimates,
and GDP is revised too), and editions may differ in definition (NATO's 2026
tables report core defence expenditure) and in base year; these tables put
the editions side by side without mixing them.
"""

from __future__ import annotations

import pandas as pd

from .. import allies
from .. import edition as editions_mod
from ..metrics.burden import burden_share
from ..metrics.guidelines import allies_meeting
from . import labels, text
from .provenance import attach


def _editions(data: pd.DataFrame) -> list[str]:
    if "edition" not in data or data.empty:
        raise ValueError("data has no rows; accepted: tidy rows of one or more editions (load(edition='all'))")
    return sorted(data["edition"].unique())


def share_by_edition(*, data: pd.DataFrame) -> pd.DataFrame:
    """Each ally's published share of GDP in every year two or more editions print, one column per edition.

    Returns
    -------
    pandas.DataFrame
        ``country, country_name, year`` then one column per edition (percent
        of GDP, NaN where that edition prints none) and ``revision_pp``: the
        newest edition's figure minus the oldest's, in points of GDP.

    Examples
    --------
    >>> import natoanalysis as na
    >>> t = share_by_edition(data=na.load(edition="all"))
    >>> list(t.columns[:3]), "revision_pp" in t.columns
    (['country', 'country_name', 'year'], True)
    """
    eds = _editions(data)
    sel = data[(data["indicator"] == "share_gdp_pct") & ~data["is_aggregate"].astype(bool)]
    wide = sel.pivot_table(index=["country", "country_name", "year"], columns="edition", values="value",
                           aggfunc="first").reindex(columns=eds)
    if len(eds) > 1:
        wide = wide[wide.notna().sum(axis=1) >= 2]
    wide["revision_pp"] = wide[eds[-1]] - wide[eds[0]] if len(eds) > 1 else float("nan")
    out = wide.reset_index()
    out.columns.name = None
    return out


def count_by_edition(*, data: pd.DataFrame, threshold_pct: float = 2.0) -> pd.DataFrame:
    """Allies at or above ``threshold_pct`` of GDP per year, as each edition prints it (long table).

    Returns
    -------
    pandas.DataFrame
        ``edition, year, n_allies, n_assessed`` (allies with a published share that year).

    Examples
    --------
    >>> import natoanalysis as na
    >>> t = count_by_edition(data=na.load(edition="all"))
    >>> int(t.query("year == 2014")["n_allies"].iloc[0])
    3
    """
    found = []
    for ed in _editions(data):
        df = data[data["edition"] == ed]
        for year in sorted(df["year"].unique()):
            res = allies_meeting(threshold_pct=threshold_pct, year=int(year), data=df)
            assessed = res[res["status"].isin(["meets", "below"])]
            found.append({"edition": ed, "year": int(year), "n_allies": int((assessed["status"] == "meets").sum()),
                          "n_assessed": len(assessed)})
    return attach(pd.DataFrame(found), rows=data[(data["indicator"] == "share_gdp_pct") & ~data["is_aggregate"]])


def us_share_by_edition(*, data: pd.DataFrame, price_basis: str = "current") -> pd.DataFrame:
    """The United States' share of allied defence expenditure per year, as each edition gives it.

    Returns
    -------
    pandas.DataFrame
        ``edition, year, usa_defence_share_pct``.

    Examples
    --------
    >>> import natoanalysis as na
    >>> t = us_share_by_edition(data=na.load(edition="all"))
    >>> round(float(t.query("year == 2024")["usa_defence_share_pct"].iloc[0]), 1)
    65.6
    """
    parts = []
    for ed in _editions(data):
        b = burden_share(price_basis=price_basis, data=data[data["edition"] == ed])
        parts.append(pd.DataFrame({"edition": ed, "year": b.index.astype(int),
                                   "usa_defence_share_pct": b["usa_defence_share_pct"].to_numpy()}))
    used = data[(data["indicator"] == "defence_exp_usd") & (data["price_basis"] == price_basis)]
    return attach(pd.concat(parts, ignore_index=True), rows=used)


def revisions_markdown(*, data: pd.DataFrame, threshold_pct: float = 2.0) -> str:
    """What changed between the editions in ``data``, in a few Markdown bullet points.

    Examples
    --------
    >>> import natoanalysis as na
    >>> print(revisions_markdown(data=na.load(edition="all")))  # doctest: +ELLIPSIS
    - Only one edition is at hand: 2024-06 (...). There is nothing to compare yet, ... Newer NATO editions are published: 2025-08 ...
    """
    eds = _editions(data)
    of = {e: data[data["edition"] == e] for e in eds}
    about = [f"{e} ({labels.definition(of[e])}, {labels.prices(of[e])}, estimates "
             f"{labels.years_text(labels.estimate_years(of[e]))})" for e in eds]
    if len(eds) == 1:
        return text.sentence("revisions", about=about, newer=editions_mod.newer_text(
            source=str(data["source"].iloc[0]), edition=eds[0], available=eds))
    bases = {e: labels.base_year(of[e]) for e in eds}
    rev = share_by_edition(data=data).dropna(subset=["revision_pp"])
    big = rev.reindex(rev["revision_pp"].abs().sort_values(ascending=False).index).head(3)
    counts = count_by_edition(data=data, threshold_pct=threshold_pct)
    common = sorted(set.intersection(*(set(counts.loc[counts["edition"] == e, "year"]) for e in eds)))[-1]
    n = counts[counts["year"] == common].set_index("edition")["n_allies"]
    us = us_share_by_edition(data=data)
    us = us[us["year"] == common].set_index("edition")["usa_defence_share_pct"]
    return text.sentence(
        "revisions", about=about, first=eds[0], last=eds[-1], threshold=threshold_pct, common=common,
        definitions=sorted({labels.definition(of[e]) for e in eds}),
        bases=[f"{b} prices in {e}" for e, b in bases.items()] if len(set(bases.values())) > 1 else [],
        years=sorted(rev["year"].unique()), median=rev["revision_pp"].abs().median(),
        biggest=[f"{allies.name_in_text(r.country)} {r.year} ({r.revision_pp:+.2f} points)" for r in big.itertuples()],
        counts=[f"{n[e]} in {e}" for e in eds], us_basis=labels.price_basis(of[eds[-1]], "current"),
        us=[f"{text.pct(us[e], decimals=1)} in {e}" for e in eds])

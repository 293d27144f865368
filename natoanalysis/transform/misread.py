"""Symptoms of a misread workbook: figures no publisher prints, which the consistency rules would only count.

A table read in the wrong unit, a column or row out of place, or a workbook
edited by hand can pass every structural check and still be wrong in every
cell. Ingest refuses a workbook that shows one of these symptoms (``--force``
overrides, for a publisher's real oddity):

* shares that look like fractions (most of a percent series below 0.1);
* negative money;
* magnitudes no ally has (a GDP above US$ 100 trillion, spending above GDP,
  a share above 100%, a share of 0 for an ally that spends);
* figures that differ from a bundled edition of the same publisher for most
  allies, in a way a shift by one year or one row explains.
"""

from __future__ import annotations

import pandas as pd

#: Percent series checked for fractions, and the money series that cannot be negative.
PERCENT_SERIES = ("share_gdp_pct", "equipment_share_pct", "personnel_share_pct")
MONEY_SERIES = ("defence_exp_usd", "defence_exp_ncu", "gdp_usd")
#: Larger than any ally's GDP in million US dollars by two orders of magnitude (the United States: about 3e7).
MAX_GDP_USD_MILLION = 1e8
#: A series "looks like fractions" when this share of its values is below 0.1 percent.
FRACTION_SHARE = 0.5
#: A series differs from an earlier edition "for most allies" when this share of them moved by more than
#: REVISION_REL: NATO's revisions between editions move a few allies' figures by a few percent.
MOST, REVISION_REL = 0.5, 0.05


def _allies(tidy: pd.DataFrame) -> pd.DataFrame:
    return tidy[~tidy["is_aggregate"].astype(bool) & tidy["value"].notna()]


def _cases(rows: pd.DataFrame, limit: int = 3) -> str:
    shown = ", ".join(f"{r.country} {r.year} {r.indicator} = {r.value:g}" for r in rows.head(limit).itertuples())
    return shown + (f" and {len(rows) - limit} more" if len(rows) > limit else "")


def fractions(tidy: pd.DataFrame) -> list[str]:
    """Percent series most of whose values are below 0.1: read as fractions (0.02 for 2%).

    Examples
    --------
    >>> t = pd.DataFrame({"country": ["POL", "DEU"], "year": [2024, 2024], "indicator": ["share_gdp_pct"] * 2,
    ...                   "value": [0.041, 0.021], "is_aggregate": [False, False]})
    >>> fractions(t)
    ['share_gdp_pct: 2 of 2 values are below 0.1 (median 0.031): they look like fractions, not percent']
    """
    out = []
    for ind in PERCENT_SERIES:
        v = _allies(tidy).loc[lambda d: d["indicator"] == ind, "value"]
        if len(v) and (v.abs() < 0.1).mean() > FRACTION_SHARE:
            out.append(f"{ind}: {int((v.abs() < 0.1).sum())} of {len(v)} values are below 0.1 (median "
                       f"{v.median():.3g}): they look like fractions, not percent")
    return out


def impossible(tidy: pd.DataFrame) -> list[str]:
    """Negative money, GDP beyond any economy, spending above GDP, shares above 100%.

    Examples
    --------
    >>> t = pd.DataFrame({"country": ["ALB"], "year": [2014], "indicator": ["defence_exp_usd"], "value": [-178.0],
    ...                   "price_basis": ["current"], "is_aggregate": [False]})
    >>> impossible(t)
    ['negative money: ALB 2014 defence_exp_usd = -178']
    """
    rows = _allies(tidy)
    money = rows[rows["indicator"].isin(MONEY_SERIES)]
    out = []
    if (money["value"] < 0).any():
        out.append(f"negative money: {_cases(money[money['value'] < 0])}")
    gdp = rows[(rows["indicator"] == "gdp_usd") & (rows["value"].abs() > MAX_GDP_USD_MILLION)]
    if len(gdp):
        out.append(f"GDP above US$ {MAX_GDP_USD_MILLION:.0e} million, more than any economy: {_cases(gdp)}")
    pct = rows[rows["indicator"].isin(PERCENT_SERIES) & (rows["value"] > 100)]
    if len(pct):
        out.append(f"shares above 100%: {_cases(pct)}")
    return out + _above_gdp(rows) + _zero_share(rows)


def _above_gdp(rows: pd.DataFrame) -> list[str]:
    key = ["country", "year", "price_basis"]
    usd = rows[rows["indicator"] == "defence_exp_usd"].set_index(key)["value"]
    gdp = rows[rows["indicator"] == "gdp_usd"].set_index(key)["value"]
    both = pd.concat({"spending": usd, "gdp": gdp}, axis=1).dropna()
    over = both[both["spending"] > both["gdp"]]
    return [f"defence expenditure above GDP: {len(over)} ally-years, e.g. {over.index[0][0]} {over.index[0][1]}"] \
        if len(over) else []


def _zero_share(rows: pd.DataFrame) -> list[str]:
    """A share of GDP of 0 printed for an ally that spends: a misread cell, not a figure."""
    share = rows[rows["indicator"] == "share_gdp_pct"].set_index(["country", "year"])["value"]
    spend = rows[(rows["indicator"] == "defence_exp_usd") & (rows["value"] > 0)].set_index(["country", "year"])
    zero = share[(share == 0) & share.index.isin(spend.index)]
    return [f"a share of GDP of 0 for an ally that spends: {', '.join(f'{c} {y}' for c, y in zero.index[:3])}"] \
        if len(zero) else []


def _series(tidy: pd.DataFrame, indicator: str = "share_gdp_pct") -> pd.DataFrame:
    """Allies x years, the allies in the order of their rows in the publisher's table (a row shift follows it)."""
    rows = _allies(tidy)
    rows = rows[rows["indicator"] == indicator]
    wide = rows.pivot_table(index="country", columns="year", values="value")
    if "source_cell" in rows:
        row_of = rows["source_cell"].str.extract(r"(\d+)$", expand=False).astype(float).groupby(rows["country"]).min()
        wide = wide.loc[row_of.reindex(wide.index).sort_values(kind="stable").index]
    return wide


def _moved(new: pd.DataFrame, old: pd.DataFrame) -> float:
    """Share of the allies whose overlapping figures differ from ``old`` by more than REVISION_REL anywhere."""
    a, b = new.align(old, join="inner")
    if a.empty:
        return 0.0
    rel = ((a - b).abs() / b.abs().clip(lower=1e-9)).max(axis=1)
    return float((rel > REVISION_REL).mean())


def shifted(tidy: pd.DataFrame, *, previous: pd.DataFrame | None) -> list[str]:
    """Shares of GDP that differ from ``previous`` (a bundled edition) for most allies, as a shift would explain.

    Examples
    --------
    >>> import natoanalysis as na
    >>> old = na.load()
    >>> late = old.assign(year=old["year"] + 1)  # every figure a year late
    >>> shifted(late, previous=old)[0].startswith("share_gdp_pct differs from edition 2024-06 for")
    True
    >>> shifted(old, previous=old)
    []
    """
    if previous is None or previous.empty:
        return []
    new, old = _series(tidy), _series(previous)
    moved = _moved(new, old)
    if moved <= MOST:
        return []
    shifts = {"one year later": new.T.shift(-1).T, "one year earlier": new.T.shift(1).T,
              "one row down": new.shift(-1), "one row up": new.shift(1)}
    fits = [what for what, s in shifts.items() if _moved(s, old) <= 1 - MOST]
    if not fits:
        return []
    edition = str(previous["edition"].iloc[0])
    return [f"share_gdp_pct differs from edition {edition} for {moved:.0%} of the allies, and agrees with it when "
            f"shifted {fits[0]}: a table read one {fits[0].split()[1]} out of place"]


def symptoms(tidy: pd.DataFrame, *, previous: pd.DataFrame | None = None) -> list[str]:
    """Every symptom of a misread in a tidy edition, one line each; empty when there is none.

    Examples
    --------
    >>> import natoanalysis as na
    >>> symptoms(na.load(), previous=na.load())
    []
    """
    return fractions(tidy) + impossible(tidy) + shifted(tidy, previous=previous)

"""The United States against European allies and Canada, at current and constant prices (notebook 02)."""

from __future__ import annotations

import pandas as pd

from .. import validate
from ..metrics.burden import burden_share
from ..metrics.groups import aggregate
from . import labels, text
from .provenance import attach
from .selection import rows

GROUP_LABELS = {"USA": "United States", "europe_canada": "European allies and Canada"}


def transatlantic_levels(*, data: pd.DataFrame) -> pd.DataFrame:
    """Defence expenditure of the United States and of European allies and Canada, at both price bases.

    European allies and Canada are NATO's published aggregate (an ally counts
    from its accession year). Constant prices are those of the edition's base year.

    Returns
    -------
    pandas.DataFrame
        Long table ``year, group, price_basis, basis_label, defence_exp_usd_billion``.

    Examples
    --------
    >>> import natoanalysis as na
    >>> t = transatlantic_levels(data=na.load())
    >>> t.query("year == 2024 and price_basis == 'current'")["defence_exp_usd_billion"].round(1).tolist()
    [967.7, 506.7]
    """
    df = validate.table(data, None)
    parts = []
    for basis, label in labels.basis_labels(df).items():
        for group, name in GROUP_LABELS.items():
            members = ["USA"] if group == "USA" else group
            s = aggregate(indicator="defence_exp_usd", group=members, price_basis=basis,
                          membership="constant" if group == "USA" else "published", data=df)
            parts.append(pd.DataFrame({"year": s.index.astype(int), "group": name, "price_basis": basis,
                                       "basis_label": label, "defence_exp_usd_billion": s.to_numpy() / 1000}))
    return attach(pd.concat(parts, ignore_index=True),
                  rows=rows(df, indicator="defence_exp_usd", country=["USA", "NATO_EUROPE_CANADA"]))


def usa_share_by_basis(*, data: pd.DataFrame) -> pd.DataFrame:
    """The United States' share of allied defence expenditure and GDP, at current and at constant prices.

    Returns
    -------
    pandas.DataFrame
        Long table ``year, price_basis, basis_label, measure, share_pct`` with
        ``measure`` "Defence expenditure" or "GDP" (the US share of the NATO
        total, percent).

    Examples
    --------
    >>> import natoanalysis as na
    >>> t = usa_share_by_basis(data=na.load()).query("year == 2024 and measure == 'Defence expenditure'")
    >>> t["share_pct"].round(1).tolist()
    [65.6, 63.7]
    """
    df = validate.table(data, None)
    parts = []
    for basis, label in labels.basis_labels(df).items():
        b = burden_share(price_basis=basis, data=df)
        for col, measure in (("usa_defence_share_pct", "Defence expenditure"), ("usa_gdp_share_pct", "GDP")):
            parts.append(pd.DataFrame({"year": b.index.astype(int), "price_basis": basis, "basis_label": label,
                                       "measure": measure, "share_pct": b[col].to_numpy()}))
    return attach(pd.concat(parts, ignore_index=True),
                  rows=rows(df, indicator=["defence_exp_usd", "gdp_usd"], country=["USA", "NATO_TOTAL"]))


def price_effect(*, data: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
    """How far current-dollar spending sits from constant-dollar spending, per group, in ``year``.

    ``ratio = current / constant``: above 1 when prices (in dollars, at
    that year's exchange rates) are higher than in the base year. A lower ratio for
    European allies and Canada than for the United States means their
    spending is worth less in today's dollars than their real effort
    suggests, because their currencies weakened against the dollar.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``group``: ``current_usd_billion``, ``constant_usd_billion`` (at the base year's
        prices, in ``attrs["base_year"]``), ``current_to_constant_ratio``.

    Examples
    --------
    >>> import natoanalysis as na
    >>> price_effect(data=na.load(), year=2024)["current_to_constant_ratio"].round(2).tolist()
    [1.28, 1.18]
    """
    df = validate.table(data, None)
    y = validate.year_or_last(year, df)
    t = transatlantic_levels(data=df)
    t = t[t["year"] == y].pivot(index="group", columns="price_basis", values="defence_exp_usd_billion")
    out = pd.DataFrame({"current_usd_billion": t["current"], "constant_usd_billion": t["constant"]})
    out["current_to_constant_ratio"] = out["current_usd_billion"] / out["constant_usd_billion"]
    out = out.reindex(list(GROUP_LABELS.values()))
    out.attrs["base_year"] = labels.base_year(df)
    return out


def price_basis_markdown(*, data: pd.DataFrame, year: int | None = None) -> str:
    """Why the US share differs at current and at constant prices, with the edition's own figures (Markdown).

    Examples
    --------
    >>> import natoanalysis as na
    >>> print(price_basis_markdown(data=na.load()))  # doctest: +ELLIPSIS
    At constant prices every year is valued at the prices and exchange rates of 2015, ...
    """
    df = validate.table(data, None)
    y = validate.year_or_last(year, df)
    base = labels.base_year(df)
    t = usa_share_by_basis(data=df)
    t = t[t["measure"] == "Defence expenditure"].pivot(index="year", columns="price_basis", values="share_pct")
    first = int(t.index.min())
    diff = t["current"] - t["constant"]

    def compare(yr: int) -> str:
        cur, const = t.at[yr, "current"], t.at[yr, "constant"]
        verb = "is" if yr == y else "was"
        if abs(cur - const) < 0.05:
            return f"in {labels.year_label(df, yr)} it {verb} {text.pct(cur, decimals=1)} at both"
        side = "higher" if cur > const else "lower"
        return (f"in {labels.year_label(df, yr)} it {verb} {text.pct(cur, decimals=1)} at current prices, {side} "
                f"than the {text.pct(const, decimals=1)} at constant prices")

    widest = int(diff.abs().idxmax())
    return text.sentence("price_basis", base=base, compared=[compare(yr) for yr in [first] + ([y] if y != first else [])],
                         widest=labels.year_label(df, widest), apart=abs(diff[widest]))

"""The headline picture of one year: totals, the allies at 2%, the largest spenders (notebook 01)."""

from __future__ import annotations

import pandas as pd

from .. import allies
from .. import validate
from ..metrics.guidelines import allies_meeting
from . import labels, text
from .home import edition_facts
from .provenance import attach


def headline(*, data: pd.DataFrame, year: int | None = None, threshold_pct: float = 2.0) -> pd.Series:
    """Alliance totals and the count of allies at or above a share of GDP in one year.

    Totals are NATO's published aggregates (``NATO_TOTAL``,
    ``NATO_EUROPE_CANADA``), which count an ally from its accession year.
    Allies are counted on NATO's published share of real GDP (Table 3);
    Iceland, with no armed forces, is not assessed.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy NATO rows of one edition.
    year : int, optional
        A year of the edition (default: its latest).
    threshold_pct : float, default 2.0
        Share of GDP, percent.

    Returns
    -------
    pandas.Series
        ``nato_defence_exp_usd_current_million``, ``europe_canada_defence_exp_usd_current_million``,
        ``usa_defence_exp_usd_current_million``, ``nato_share_gdp_pct``,
        ``n_allies``, ``n_allies_assessed``, ``n_allies_at_threshold``,
        ``no_figure`` (allies the edition prints no share for, ``{code: why}``),
        ``threshold_pct``, ``year``, ``is_estimate``.

    Examples
    --------
    >>> import natoanalysis as na
    >>> h = headline(data=na.load(), year=2024)
    >>> int(h["n_allies_at_threshold"]), int(h["n_allies_assessed"]), round(h["nato_defence_exp_usd_current_million"])
    (23, 31, 1474399)
    """
    df = validate.table(data, None)
    y = validate.year_or_last(year, df)

    def value(country: str, indicator: str, basis: str) -> float:
        sel = df[(df["country"] == country) & (df["indicator"] == indicator) & (df["year"] == y)
                 & (df["price_basis"].fillna("") == basis)]
        if len(sel) != 1:
            raise ValueError(f"no single {indicator} ({basis}) value for {country} in {y}")
        return float(sel["value"].iloc[0])

    meets = allies_meeting(threshold_pct=threshold_pct, year=y, data=df)
    assessed = meets[meets["status"].isin(["meets", "below"])]
    return pd.Series({
        "nato_defence_exp_usd_current_million": value("NATO_TOTAL", "defence_exp_usd", "current"),
        "europe_canada_defence_exp_usd_current_million": value("NATO_EUROPE_CANADA", "defence_exp_usd", "current"),
        "usa_defence_exp_usd_current_million": value("USA", "defence_exp_usd", "current"),
        "nato_share_gdp_pct": value("NATO_TOTAL", "share_gdp_pct", "constant"),
        "n_allies": len(meets), "n_allies_assessed": len(assessed),
        "n_allies_at_threshold": int((assessed["status"] == "meets").sum()),
        "no_figure": dict(meets.attrs.get("no_figure", {})),
        "threshold_pct": float(threshold_pct), "year": y,
        "is_estimate": bool(df.loc[df["year"] == y, "is_estimate"].any()),
    }, dtype=object)


def largest_spenders(*, data: pd.DataFrame, year: int | None = None, n: int = 10,
                     price_basis: str = "current") -> pd.DataFrame:
    """The ``n`` allies with the largest defence expenditure in US dollars, with their share of the NATO total.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy NATO rows of one edition.
    year : int, optional
        Default: the edition's latest year.
    n : int, default 10
    price_basis : {"current", "constant"}
        Current prices and exchange rates (default) or constant ones (the edition's base year).

    Returns
    -------
    pandas.DataFrame
        ``country, country_name, year, defence_exp_usd_million, defence_exp_usd_billion,
        share_of_nato_total_pct, is_estimate``, largest first; ``attrs["price_basis"]``.

    Examples
    --------
    >>> import natoanalysis as na
    >>> t = largest_spenders(data=na.load(), year=2024, n=3)
    >>> t["country"].tolist(), t["share_of_nato_total_pct"].round(1).tolist()
    (['USA', 'DEU', 'GBR'], [65.6, 6.6, 5.6])
    """
    df = validate.table(data, None)
    y = validate.year_or_last(year, df)
    k = validate.positive_int(n, name="n")
    basis = validate.price_basis(price_basis, df, indicator="defence_exp_usd")
    sel = df[(df["indicator"] == "defence_exp_usd") & (df["price_basis"] == basis) & (df["year"] == y)]
    total = float(sel.loc[sel["country"] == "NATO_TOTAL", "value"].iloc[0])
    allies = sel[~sel["is_aggregate"]].dropna(subset=["value"]).nlargest(k, "value")
    out = pd.DataFrame({"country": allies["country"].astype(str), "country_name": allies["country_name"].astype(str),
                        "year": y, "defence_exp_usd_million": allies["value"].astype(float),
                        "defence_exp_usd_billion": allies["value"].astype(float) / 1000,
                        "share_of_nato_total_pct": allies["value"].astype(float) / total * 100,
                        "is_estimate": allies["is_estimate"].astype(bool)})
    out = out.reset_index(drop=True)
    out.attrs["price_basis"] = basis
    return attach(out, rows=pd.concat([allies, sel[sel["country"] == "NATO_TOTAL"]]))


def edition_summary(*, data: pd.DataFrame) -> str:
    """One paragraph (Markdown) on what an edition holds: publication, definition, years, estimates, prices.

    It ends by naming the newer editions the package knows of (``reference/editions.csv``) that are
    not loaded, and how to get them (:func:`~natoanalysis.views.home.edition_facts`).

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy rows of one edition.

    Examples
    --------
    >>> import natoanalysis as na
    >>> print(edition_summary(data=na.load()))  # doctest: +ELLIPSIS
    **Edition 2024-06** of *NATO, Defence Expenditure of NATO Countries (2014-2024)*: defence expenditure (NATO definition), ... Newer NATO editions are published: 2025-08 (2025-08-28), 2026-07 (2026-07); `natoanalysis fetch nato` gets the newest.
    """
    df = validate.table(data, None)
    facts = edition_facts(data=df)
    by_reason = df[df["value"].isna()].groupby("missing_reason").size()
    gaps = [f"{n:,} cell{'s' if n != 1 else ''} ({_REASONS.get(r, r)})" for r, n in by_reason.items()]
    return text.sentence("edition_summary", facts=facts, n_values=int(df["value"].notna().sum()),
                         n_allies=df.loc[~df["is_aggregate"].astype(bool), "country"].nunique(),
                         prices=labels.prices(df), gaps=gaps, copy=facts["is_copy"], source=str(df["source"].iloc[0]))


#: How a reader is told why a figure is missing.
_REASONS = {"not_published": "left blank by NATO", "not_available": "'..': not available", "nil": "'-': nil"}


def headline_markdown(*, data: pd.DataFrame, year: int | None = None, threshold_pct: float = 2.0) -> str:
    r"""The headline figures of one year as Markdown bullet points, from :func:`headline`.

    Examples
    --------
    >>> import natoanalysis as na
    >>> print(headline_markdown(data=na.load()).splitlines()[0])  # doctest: +ELLIPSIS
    - NATO allies together spend **US\$1.47 trillion** on defence in 2024e ...
    """
    df = validate.table(data, None)
    h = headline(data=df, year=year, threshold_pct=threshold_pct)
    no_figure = [f"{allies.name_in_text(c)} ({_REASONS.get(r, r)})" for c, r in sorted(h["no_figure"].items())]
    return text.sentence("headline", h=h, year=labels.year_label(df, h["year"]), measure=labels.measure(df),
                         current=labels.price_basis(df, "current"), no_figure=no_figure)


def estimates_markdown(*, data: pd.DataFrame) -> str:
    """Which years of the edition are estimates, and how many values that is (Markdown).

    Examples
    --------
    >>> import natoanalysis as na
    >>> estimates_markdown(data=na.load()).startswith("In edition 2024-06, 2023 and 2024 are estimates")
    True
    """
    df = validate.table(data, None)
    return text.sentence("estimates", edition=labels.edition(df), years=labels.estimate_years(df),
                         n=int(df["is_estimate"].astype(bool).sum()), n_values=len(df))


def largest_markdown(*, top: pd.DataFrame, data: pd.DataFrame) -> str:
    """The largest spender's share of the allied total and the share of all of ``top``, with year and basis (Markdown).

    ``top`` is :func:`largest_spenders` of ``data``.

    Examples
    --------
    >>> import natoanalysis as na
    >>> data = na.load()
    >>> largest_markdown(top=largest_spenders(data=data, n=3), data=data)
    'In 2024e, at current prices and exchange rates, the United States alone accounts for 65.6% of allied defence expenditure; the 3 largest spenders together for 77.8%.'
    """
    df = validate.table(data, None)
    return text.sentence("largest", year=labels.year_label(df, int(top["year"].iloc[0])), top=top,
                         basis=labels.price_basis(df, top.attrs.get("price_basis", "current")))

"""Real and nominal growth by ally and for the groups; the accession effect; the risers (notebook 04)."""

from __future__ import annotations

import re

import pandas as pd

from .. import validate
from ..metrics.groups import group_growth, growth_definitions
from ..metrics.growth import growth
from . import labels, text
from .provenance import attach
from .selection import rows

GROUP_LABELS = {"europe_canada": "European allies and Canada", "nato": "NATO total"}
MEMBERSHIP_LABELS = {"published": "Published aggregate (members of each year)",
                     "like_for_like": "Like for like (the year's members in both years)"}


def growth_by_ally(*, data: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
    """Each ally's real and nominal growth of defence expenditure from ``year - 1`` to ``year``, in percent.

    * real: change of expenditure in constant US dollars (Table 2, at the
      edition's base-year prices), which moves like expenditure in constant
      national currency;
    * nominal: change of expenditure in national currency at current
      prices (Table 1), free of exchange-rate movements.

    Returns
    -------
    pandas.DataFrame
        ``country, country_name, year, real_growth_pct, nominal_growth_pct``,
        sorted by real growth, highest first; ``attrs["base_year"]`` is the
        base year of the real growth. Allies without both figures are left
        out and named in ``attrs["skipped"]``.

    Examples
    --------
    >>> import natoanalysis as na
    >>> t = growth_by_ally(data=na.load(), year=2024).set_index("country")
    >>> t.loc["POL", ["real_growth_pct", "nominal_growth_pct"]].round(1).tolist()
    [30.1, 36.0]
    """
    df = validate.table(data, None)
    y = validate.year_or_last(year, df)
    first, _ = validate.edition_years(df)
    if y == first:
        raise ValueError(f"year {y} is the first year of the edition; accepted: {first + 1} onwards")
    real = growth(validate.wide(df, "defence_exp_usd", "constant"), kind="yoy")[y]
    nominal = growth(validate.wide(df, "defence_exp_ncu", "current"), kind="yoy")[y]
    names = df.drop_duplicates("country").set_index("country")["country_name"]
    out = pd.DataFrame({"real_growth_pct": real, "nominal_growth_pct": nominal.reindex(real.index)})
    out = out[~out.index.isin(df.loc[df["is_aggregate"].astype(bool), "country"].unique())]
    incomplete = out.index[out.isna().any(axis=1)]
    skipped = {str(c): "no figure for the year or the year before" for c in incomplete}
    out = out.drop(index=incomplete)
    out.insert(0, "year", y)
    out.insert(0, "country_name", names.reindex(out.index).astype(str))
    out.index.name = "country"
    out = out.reset_index().sort_values("real_growth_pct", ascending=False).reset_index(drop=True)
    out.attrs.update(base_year=labels.base_year(df), skipped=skipped)
    return attach(out, rows=rows(df, indicator=["defence_exp_usd", "defence_exp_ncu"], year=[y - 1, y]))


def membership_effect(*, data: pd.DataFrame, group: str = "europe_canada",
                      price_basis: str = "constant") -> pd.DataFrame:
    """Year-on-year growth of a group total as published and like for like, and the gap: the accession effect.

    Published growth counts each year's members (an ally's whole budget is
    growth in the year it joins); like-for-like growth counts the members of
    the year of the change in both years. ``accession_effect_pp = published -
    like_for_like`` is the part of the published change that comes from allies
    joining (Montenegro 2017, North Macedonia 2020, Finland 2023, Sweden 2024)
    rather than from spending more: zero in a year nobody joined.

    Parameters
    ----------
    data : pandas.DataFrame
    group : {"europe_canada", "nato"}
    price_basis : {"constant", "current"}
        Constant: real growth; current: nominal growth in US dollars.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``year``: ``published_growth_pct``, ``like_for_like_growth_pct``, ``accession_effect_pp``.

    Examples
    --------
    >>> import natoanalysis as na
    >>> m = membership_effect(data=na.load())
    >>> m.loc[2024].round(2).tolist()
    [17.95, 14.89, 3.06]
    >>> float(m.loc[2022, "accession_effect_pp"])
    0.0
    """
    df = validate.table(data, None)
    group = validate.choice(validate.group(group), name="group", accepted=GROUP_LABELS)
    pub = group_growth(group=group, membership="published", price_basis=price_basis, data=df)
    same = group_growth(group=group, membership="like_for_like", price_basis=price_basis, data=df)
    out = pd.DataFrame({"published_growth_pct": pub, "like_for_like_growth_pct": same})
    out["accession_effect_pp"] = out["published_growth_pct"] - out["like_for_like_growth_pct"]
    out.index.name = "year"
    used = "defence_exp_usd"
    return attach(out, rows=rows(df, indicator=used, price_basis=validate.price_basis(price_basis, df, indicator=used),
                                 include_aggregates=True))


def membership_effect_long(effect: pd.DataFrame) -> pd.DataFrame:
    """:func:`membership_effect` as ``year, membership, growth_pct`` for a grouped bar chart.

    Examples
    --------
    >>> e = pd.DataFrame({"published_growth_pct": [18.0], "like_for_like_growth_pct": [15.0],
    ...                   "accession_effect_pp": [3.0]}, index=pd.Index([2024], name="year"))
    >>> membership_effect_long(e)["growth_pct"].tolist()
    [18.0, 15.0]
    """
    parts = [pd.DataFrame({"year": effect.index.astype(int), "membership": label,
                           "growth_pct": effect[f"{rule}_growth_pct"].to_numpy()})
             for rule, label in MEMBERSHIP_LABELS.items()]
    out = pd.concat(parts, ignore_index=True).sort_values("year", kind="stable").reset_index(drop=True)
    out.attrs.update(effect.attrs)  # the provenance of the effect (plain values)
    return out


def biggest_risers(*, data: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The allies with the largest real change of defence expenditure over the period NATO's Table 4 covers.

    Returns
    -------
    pandas.DataFrame
        ``country, country_name, year, <indicator>, is_estimate``, largest
        first, where ``<indicator>`` is Table 4's, e.g.
        ``real_change_since_2014_pct``; ``attrs`` holds ``indicator`` and
        ``start_year``. Allies without the figure are left out and named in
        ``attrs["skipped"]``.

    Examples
    --------
    >>> import natoanalysis as na
    >>> biggest_risers(data=na.load(), n=3)["country"].tolist()
    ['LTU', 'LVA', 'HUN']
    """
    df = validate.table(data, None)
    k = validate.positive_int(n, name="n")
    period = sorted(i for i in df["indicator"].unique() if re.fullmatch(r"real_change_since_\d{4}_pct", i))
    if not period:
        raise ValueError("data has no real_change_since_YYYY_pct rows (NATO Table 4)")
    indicator = period[0]
    sel = df[(df["indicator"] == indicator) & ~df["is_aggregate"].astype(bool)]
    skipped = {str(c): str(r) or "no figure" for c, r in zip(sel.loc[sel["value"].isna(), "country"],
                                                             sel.loc[sel["value"].isna(), "missing_reason"])}
    sel = sel.dropna(subset=["value"])
    top = sel.nlargest(k, "value")
    out = pd.DataFrame({"country": top["country"].astype(str), "country_name": top["country_name"].astype(str),
                        "year": top["year"].astype(int), indicator: top["value"].astype(float),
                        "is_estimate": top["is_estimate"].astype(bool)}).reset_index(drop=True)
    out.attrs.update(indicator=indicator, start_year=int(re.search(r"\d{4}", indicator).group()), skipped=skipped)
    return attach(out, rows=top)


def growth_by_ally_long(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`growth_by_ally` as ``country_name, measure, growth_pct`` for a grouped bar chart, order kept.

    Examples
    --------
    >>> t = pd.DataFrame({"country": ["A"], "country_name": ["Aland"], "year": [2024], "real_growth_pct": [2.0],
    ...                   "nominal_growth_pct": [5.0]})
    >>> t.attrs["base_year"] = 2021
    >>> growth_by_ally_long(t).values.tolist()
    [['Aland', 'Real (constant 2021 prices)', 2.0], ['Aland', 'Nominal (current prices, national currency)', 5.0]]
    """
    base = table.attrs.get("base_year")
    names = {"real_growth_pct": f"Real (constant {base} prices)" if base else "Real (constant prices)",
             "nominal_growth_pct": "Nominal (current prices, national currency)"}
    parts = [pd.DataFrame({"country_name": table["country_name"].to_numpy(), "measure": label,
                           "growth_pct": table[col].to_numpy(), "_pos": range(len(table))})
             for col, label in names.items()]
    out = pd.concat(parts, ignore_index=True).sort_values("_pos", kind="stable").drop(columns="_pos")
    out.attrs.update(table.attrs)  # the provenance and base year of the table (plain values)
    return out.reset_index(drop=True)


def group_growth_table(*, data: pd.DataFrame) -> pd.DataFrame:
    """Real and nominal growth of both groups, published and like for like, year by year, in percent.

    Real: constant US dollars (the edition's base year); nominal: current US dollars (national
    currencies cannot be added up, so a group's nominal growth includes
    exchange-rate movements against the dollar).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``year``; columns ``(group, measure, membership)``.

    Examples
    --------
    >>> import natoanalysis as na
    >>> t = group_growth_table(data=na.load())
    >>> round(float(t.loc[2024, ("European allies and Canada", "real", "published")]), 2)
    17.95
    """
    df = validate.table(data, None)
    cols = {}
    for group, glabel in GROUP_LABELS.items():
        for basis, measure in (("constant", "real"), ("current", "nominal")):
            eff = membership_effect(data=df, group=group, price_basis=basis)
            cols[(glabel, measure, "published")] = eff["published_growth_pct"]
            cols[(glabel, measure, "like for like")] = eff["like_for_like_growth_pct"]
    out = pd.DataFrame(cols)
    out.columns.names = ["group", "measure", "membership"]
    return out


def growth_markdown(*, by_ally: pd.DataFrame, data: pd.DataFrame) -> str:
    """Median real growth, how many allies cut real spending, and the fastest riser (Markdown).

    ``by_ally`` is :func:`growth_by_ally`.

    Examples
    --------
    >>> import natoanalysis as na
    >>> print(growth_markdown(by_ally=growth_by_ally(data=na.load()), data=na.load()))  # doctest: +ELLIPSIS
    Median real growth in 2024e: ...
    """
    df = validate.table(data, None)
    y = int(by_ally["year"].iloc[0])
    return text.sentence("growth", year=labels.year_label(df, y), real=by_ally["real_growth_pct"], top=by_ally.iloc[0],
                         skipped=sorted(by_ally.attrs.get("skipped", {})), y=y)


def growth_definitions_table(*, data: pd.DataFrame, group: str = "europe_canada",
                             years: list[int] | None = None) -> pd.DataFrame:
    """:func:`natoanalysis.metrics.growth_definitions` with each definition labelled, for a chart or a table.

    Returns
    -------
    pandas.DataFrame
        ``year, definition, membership, price_basis, growth_pct``;
        carrying the rows the growth was computed from (:mod:`.provenance`).

    Examples
    --------
    >>> import natoanalysis as na
    >>> t = growth_definitions_table(data=na.load(), years=[2024])
    >>> t["definition"].iloc[1].endswith("like-for-like membership (the members of the year, counted in both years)")
    True
    >>> round(float(t["growth_pct"].iloc[1]), 2)
    14.89
    """
    df = validate.table(data, None)
    out = growth_definitions(data=df, group=group, years=years)
    out.insert(1, "definition", [labels.growth_definition(df, membership=m, price_basis=b)
                                 for m, b in zip(out["membership"], out["price_basis"])])
    return attach(out, rows=rows(df, indicator="defence_exp_usd", include_aggregates=True))

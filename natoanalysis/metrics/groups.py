"""Group totals under three membership rules, and their growth.

NATO's published aggregates (NATO Europe and Canada, NATO Total) count an
ally from the calendar year of its accession, so their year-on-year change
mixes real change with the arrival of new members. The ``"constant"`` and
``"as_of"`` rules hold one set of allies fixed in every year (today's allies,
or those of a date); ``"like_for_like"`` (growth only) counts the members of
the year of the change on both sides of it, so published growth minus
like-for-like growth is the accession effect, zero in a year nobody joined.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .. import allies, config
from .. import validate
from ..errors import ArgumentError

#: The group names (any case; NATO's codes NATO_EUROPE_CANADA and NATO_TOTAL accepted too): validate.GROUPS.
GROUPS = tuple(sorted(validate.GROUPS))
MEMBERSHIPS = ("published", "constant", "as_of")
#: Growth also takes "like_for_like": the members of the year of the change, counted in both years.
GROWTH_MEMBERSHIPS = MEMBERSHIPS + ("like_for_like",)
#: A share of GDP for a group is the ratio of the group sums of these two series.
_RATIO = {"share_gdp_pct": (("defence_exp_usd", "constant"), ("gdp_usd", "constant"))}


def group_members(*, group: str | list[str], membership: str = "published", as_of=None,
                  years, edition_last_year: int) -> pd.DataFrame:
    """Years x allies: True where the ally counts in the group that year.

    ``"published"``: from the calendar year of accession; ``"constant"``: the
    allies of ``edition_last_year`` (or every ally listed) in every year;
    ``"as_of"``: the allies on the date ``as_of`` in every year.
    """
    validate.choice(membership, name="membership", accepted=MEMBERSHIPS)
    if membership != "as_of" and as_of is not None:
        raise ArgumentError(f"as_of is only used with membership='as_of'; got membership={membership!r}")
    years = list(years)
    group = validate.group(group)
    listed = not isinstance(group, str)
    pool = group if listed else [c for c in allies.registry()["iso3"] if (group, c) != ("europe_canada", "USA")]
    if membership == "published":
        return validate.membership_mask(pool, years)
    if membership == "constant":
        fixed = pool if listed else [c for c in pool if c in allies.members(year=edition_last_year)]
    else:
        if as_of is None:
            raise ArgumentError("membership='as_of' needs as_of, a date such as '2020-01-01'")
        on = validate.date(as_of)
        fixed = [c for c in pool if c in allies.members(on=on)]
        if not fixed:
            raise ArgumentError(f"as_of {on.isoformat()}: no ally of the group was a member on that date; "
                             "accepted: a date on or after 24 August 1949")
    return pd.DataFrame(np.ones((len(years), len(fixed)), dtype=bool), index=years, columns=fixed)


def _group_sum(df: pd.DataFrame, indicator: str, basis: str, mask: pd.DataFrame,
               published_row: str | None = None) -> tuple[pd.Series, list[str], dict[int, list[str]]]:
    """Per-year total, the allies that publish nothing for the series, and ``{year: members without a figure}``."""
    wide = validate.wide(df, indicator, basis)
    reporting = [c for c in mask.columns if c in wide.index]
    # Allies that publish nothing for the series (Iceland's defence rows) add
    # nothing, as in NATO's own totals; a member missing one year is a hole.
    absent = [c for c in mask.columns if c not in wide.index]
    vals = wide.reindex(index=reporting, columns=mask.index).T
    m = mask[reporting]
    holes_mask = m & vals.isna()
    hole = holes_mask.any(axis=1)
    holes = {int(y): [c for c in reporting if holes_mask.at[y, c]] for y in hole.index[hole]}
    total = vals.where(m, 0.0).fillna(0.0).sum(axis=1)
    total[hole | ~m.any(axis=1)] = np.nan
    if published_row is not None and published_row in wide.index and holes:
        # NATO's published total includes its own figure for a member it does not print (Germany 2025 in the
        # August 2025 edition): under NATO's rule that total, not a partial sum, is the group's figure.
        pub = wide.loc[published_row].reindex(total.index)
        total[hole] = pub[hole]
    return total, absent, holes


def aggregate(*, indicator: str, group: str | list[str] = validate.DEFAULT_GROUP, price_basis: str | None = None,
              membership: str = "published", as_of: str | dt.date | None = None,
              data: pd.DataFrame | None = None, edition: str | None = None) -> pd.Series:
    """Total of an indicator over a group of allies, per year.

    Sums ``defence_exp_usd``, ``gdp_usd`` or ``military_personnel_thousand``
    over the allies counted in each year. For ``share_gdp_pct`` the group
    figure is sum of defence expenditure / sum of GDP x 100, both in constant
    US dollars, which is how NATO's aggregate shares are built (Iceland's GDP
    is in the denominator, as in NATO's totals).

    Membership rules:

    * ``"published"``: an ally counts from the calendar year of its accession
      (Montenegro from 2017, North Macedonia 2020, Finland 2023, Sweden 2024),
      reproducing NATO's ``NATO_EUROPE_CANADA`` / ``NATO_TOTAL`` rows;
    * ``"constant"``: the same allies every year, by default those of the
      edition's latest year (or every ally listed in ``group``);
    * ``"as_of"``: the allies on the date ``as_of``, every year.

    Allies that publish no figures for the series (Iceland has no defence
    expenditure) add nothing; their codes are in ``result.attrs["absent"]``.
    If a counted ally lacks a value in one year (its figure was not
    published), that year's total is NaN rather than a partial sum, except
    under ``"published"`` membership for ``"nato"`` and ``"europe_canada"``,
    where NATO's published aggregate (which includes NATO's own figure for
    that ally) is used; ``attrs["incomplete"]`` names those years and allies.

    Parameters
    ----------
    indicator : {"defence_exp_usd", "gdp_usd", "military_personnel_thousand", "share_gdp_pct"}
    group : {"nato", "europe_canada"} or list of ISO3 codes, default "nato"
        Any case; NATO's codes ``NATO_TOTAL`` and ``NATO_EUROPE_CANADA`` (and
        its printed names) are the same groups; allies as a comma list or a list.
    price_basis : {"current", "constant"}, optional
        Required for money series; constant is the edition's base-year prices and exchange rates.
        Any case; "nominal" and "real" are accepted as synonyms.
    membership : {"published", "constant", "as_of"}
    as_of : str or datetime.date, optional
        Date for ``membership="as_of"``.
    data : pandas.DataFrame, optional
        Tidy table (default :func:`natoanalysis.load`).
    edition : str, optional
        Edition of ``data`` (default: the latest).

    Returns
    -------
    pandas.Series
        Indexed by year, named after the indicator; unit as the indicator
        (million US dollars, thousand persons or percent of GDP), also in
        ``attrs["unit"]``.

    Examples
    --------
    >>> import natoanalysis as na
    >>> data = na.load()
    >>> pub = aggregate(data=data, indicator="defence_exp_usd", group="europe_canada", price_basis="constant")
    >>> const = aggregate(data=data, indicator="defence_exp_usd", group="europe_canada", price_basis="constant",
    ...                   membership="constant")
    >>> round(pub[2014]), round(const[2014])
    (250340, 259048)
    """
    df = validate.table(data, edition)
    ind = validate.indicator(indicator, df, accepted=validate.ADDITIVE + tuple(_RATIO))
    group = validate.group(group)
    if ind in _RATIO:
        if validate.price_basis_name(price_basis) not in (None, "constant"):
            raise ArgumentError(f"price_basis {price_basis!r} does not exist for indicator {ind!r}; "
                             "accepted: 'constant' (NATO's share of real GDP)")
        basis = "constant"
    else:
        basis = validate.price_basis(price_basis, df, indicator=ind)
    first, last = validate.edition_years(df)
    mask = group_members(group=group, membership=membership, as_of=as_of, years=range(first, last + 1),
                         edition_last_year=last)
    row = validate.published_row(group) if membership == "published" else None
    if ind in _RATIO:
        (num_i, num_b), (den_i, den_b) = _RATIO[ind]
        num, absent, holes = _group_sum(df, num_i, num_b, mask, row)
        den, _, den_holes = _group_sum(df, den_i, den_b, mask, row)
        holes = {y: sorted(set(holes.get(y, [])) | set(den_holes.get(y, []))) for y in {*holes, *den_holes}}
        out = num / den * 100
    else:
        out, absent, holes = _group_sum(df, ind, basis, mask, row)
    out.index.name = "year"
    out.name = ind
    out.attrs.update(unit=validate.UNITS[ind], price_basis=basis, membership=membership, absent=absent,
                     incomplete=dict(sorted(holes.items())))
    return out


def group_growth(*, group: str | list[str] = validate.DEFAULT_GROUP, year: int | None = None,
                 membership: str = "published", price_basis: str = "constant",
                 indicator: str = "defence_exp_usd", as_of: str | dt.date | None = None,
                 data: pd.DataFrame | None = None, edition: str | None = None) -> float | pd.Series:
    """Year-on-year change of a group total, in percent.

    ``(total[t] / total[t-1] - 1) * 100``, where the membership rule says who
    counts on each side:

    * ``"published"``: each year's own members, as NATO's aggregates and
      NATO's published real change (Table 3) count them; an ally's whole
      budget shows as growth in its accession year (the 2024 figure for NATO
      Europe and Canada, 17.95%, includes Sweden's);
    * ``"like_for_like"``: the members of year ``t`` on both sides, so the
      change is free of accessions; ``published - like_for_like`` is the
      accession effect, which is zero in a year nobody joined;
    * ``"constant"`` or ``"as_of"``: one fixed set in every year (the allies of
      the edition's latest year, or of a date), so future members are on both
      sides of every earlier year too: a like-for-like series of today's
      alliance, not the change of the alliance of the time.

    At constant prices (the default) the change is real; at current prices it
    is nominal. A year in which a counted ally has no figure is NaN.

    Parameters
    ----------
    group, as_of, price_basis, indicator, data, edition
        As for :func:`aggregate` (``group`` defaults to ``"nato"``, as there);
        ``indicator`` must be additive.
    membership : {"published", "like_for_like", "constant", "as_of"}
    year : int, optional
        Year of the change (the change from ``year - 1``). Default: all years.

    Returns
    -------
    float or pandas.Series
        Percent; a float for one ``year``, else a Series indexed by year
        named ``<indicator>_growth_pct``.

    Examples
    --------
    >>> import natoanalysis as na
    >>> data = na.load()
    >>> round(group_growth(data=data, group="europe_canada", year=2024), 3)
    17.947
    >>> round(group_growth(data=data, group="europe_canada", year=2024, membership="like_for_like"), 2)
    14.89
    >>> [round(group_growth(data=data, group="europe_canada", year=2022, membership=m), 2)
    ...  for m in ("published", "like_for_like")]
    [3.73, 3.73]

    So about 3.06 of the 17.95 points of 2024 are Sweden's accession, not
    growth, and nothing of 2022's, when nobody joined.
    """
    df = validate.table(data, edition)
    validate.indicator(indicator, df, accepted=validate.ADDITIVE)
    validate.choice(membership, name="membership", accepted=GROWTH_MEMBERSHIPS)
    y = validate.year(year, df, allow_none=True)
    first, _ = validate.edition_years(df)
    if y == first:
        raise ArgumentError(f"year {y} is the first year of the edition, which has no previous year; "
                         f"accepted: {first + 1} onwards")
    if membership == "like_for_like":
        out = _like_for_like_growth(df, group=group, indicator=indicator, price_basis=price_basis)
    else:
        total = aggregate(indicator=indicator, group=group, price_basis=price_basis, membership=membership,
                          as_of=as_of, data=df)
        out = ((total / total.shift(1) - 1) * 100).iloc[1:]
        out.attrs["incomplete"] = total.attrs["incomplete"]
        if y is not None and np.isnan(out[y]):
            _say_why(total.attrs["incomplete"], year=y, membership=membership)
    out.name = f"{indicator}_growth_pct"
    return float(out[y]) if y is not None else out


def _say_why(incomplete: dict[int, list[str]], *, year: int, membership: str) -> None:
    """One line on why a group's growth is missing: the counted allies without a figure in either year."""
    missing = {y: c for y, c in incomplete.items() if y in (year - 1, year)}
    if missing:
        who = "; ".join(f"{y}: {', '.join(c)}" for y, c in sorted(missing.items()))
        config.notice(f"group growth {year} is NaN under membership={membership!r}: the edition prints no figure for "
                      f"{who}; membership='published' uses NATO's own total, which includes NATO's figure for them")


def _like_for_like_growth(df: pd.DataFrame, *, group, indicator: str, price_basis: str) -> pd.Series:
    """Growth of each year's members from the year before, with the same allies counted in both years."""
    basis = validate.price_basis(price_basis, df, indicator=indicator)
    first, last = validate.edition_years(df)
    each_year = group_members(group=group, years=range(first, last + 1), edition_last_year=last)
    now, _, _ = _group_sum(df, indicator, basis, each_year)
    # Each year's members counted in the year before: the mask moved back a year.
    before, _, _ = _group_sum(df, indicator, basis, each_year.shift(-1, fill_value=False))
    return ((now / before.shift(1) - 1) * 100).iloc[1:].rename_axis("year")


#: The four readings of "spending grew x%" for a group: (membership, price_basis). Real growth is at
#: constant prices, nominal at current prices; "published" counts each year's members, as NATO does,
#: "like_for_like" the members of the year of the change on both sides (no accession counted as growth).
GROWTH_DEFINITIONS = (("published", "constant"), ("like_for_like", "constant"),
                      ("published", "current"), ("like_for_like", "current"))


def growth_definitions(*, data: pd.DataFrame | None = None, group: str | list[str] = validate.DEFAULT_GROUP,
                       years: list[int] | tuple[int, ...] | None = None,
                       edition: str | None = None) -> pd.DataFrame:
    """Year-on-year growth of a group's defence expenditure under the four definitions a headline may use.

    Real (constant prices) or nominal (current prices) US dollars, each with
    NATO's published membership (the members of each year, so an accession
    counts as growth) or like-for-like membership (the members of the year of
    the change on both sides). The difference between the two memberships is
    the accession effect; between the two price bases, inflation and the
    dollar's exchange rates.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy NATO rows (:func:`natoanalysis.load`).
    group : str or list of str, default "nato"
        As for :func:`aggregate`.
    years : list of int, optional
        Years of the change (each from the year before). Default: the
        edition's last two.
    edition : str, optional
        Edition to select from ``data`` when it holds several.

    Returns
    -------
    pandas.DataFrame
        ``year, membership, price_basis, growth_pct``: one row per year and
        definition, in the order of :data:`GROWTH_DEFINITIONS`.

    Examples
    --------
    >>> import natoanalysis as na
    >>> t = growth_definitions(data=na.load(), group="NATO_EUROPE_CANADA", years=[2024])
    >>> t.round(2).values.tolist()[:2]
    [[2024, 'published', 'constant', 17.95], [2024, 'like_for_like', 'constant', 14.89]]
    """
    df = validate.table(data, edition)
    if years is None:
        _, last = validate.edition_years(df)
        years = (last - 1, last)
    rows = []
    for year in years:
        y = validate.year(year, df, name="years")
        for membership, basis in GROWTH_DEFINITIONS:
            pct = group_growth(group=group, year=y, membership=membership, price_basis=basis, data=df)
            rows.append({"year": y, "membership": membership, "price_basis": basis, "growth_pct": float(pct)})
    return pd.DataFrame(rows)


def combined_share_gdp(*, data: pd.DataFrame, start: int, countries: list[str] | None = None) -> tuple[pd.Series, list[str]]:
    """Combined defence expenditure of a fixed set of allies as a share of their combined GDP, by year.

    Each ally's GDP is recovered from its expenditure and its share of GDP
    (current US dollars), so the figure works for sources that publish no GDP
    (SIPRI). Only allies with both figures in every year from ``start`` are
    counted, so the set is the same in every year and a change is not an
    accession or a gap in the data.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy rows of one edition with ``defence_exp_usd`` and
        ``share_gdp_pct`` at current prices (NATO or SIPRI).
    start : int
        First year.
    countries : list of str, optional
        Allies to consider (default: all of today's allies).

    Returns
    -------
    (pandas.Series, list of str)
        The combined share in percent, indexed by year, and the ISO3 codes
        of the allies counted.

    Examples
    --------
    >>> import natoanalysis as na
    >>> share, counted = combined_share_gdp(data=na.load(source="sipri"), start=2014)
    >>> len(counted), float(round(share[2014], 2)), float(round(share[2024], 2))
    (31, 2.47, 2.74)
    """
    pool = allies.members() if countries is None else validate.countries(countries)
    rows = data[data["country"].isin(pool) & (data["price_basis"] == "current")]
    usd = rows[rows["indicator"] == "defence_exp_usd"].pivot(index="country", columns="year", values="value")
    share = rows[rows["indicator"] == "share_gdp_pct"].pivot(index="country", columns="year", values="value")
    usd, share = usd.loc[:, usd.columns >= start], share.loc[:, share.columns >= start]
    if usd.empty or share.empty:
        raise ArgumentError(f"no defence_exp_usd and share_gdp_pct at current prices from {start}; "
                         "accepted: a tidy table holding both (NATO's or SIPRI's)")
    counted = sorted(c for c in usd.index.intersection(share.index)
                     if usd.loc[c].notna().all() and share.loc[c].notna().all() and (share.loc[c] > 0).all())
    gdp = usd.loc[counted] / (share.loc[counted] / 100)
    return usd.loc[counted].sum() / gdp.sum() * 100, counted

"""Burden sharing: the United States' and European allies' and Canada's shares of the allied totals."""

from __future__ import annotations

import pandas as pd

from .. import validate
from .groups import aggregate

COLUMNS = ["usa_defence_share_pct", "europe_canada_defence_share_pct", "usa_gdp_share_pct",
           "europe_canada_gdp_share_pct"]


def burden_share(*, year: int | None = None, price_basis: str = "current", membership: str = "published",
                 as_of=None, data: pd.DataFrame | None = None, edition: str | None = None) -> pd.DataFrame | pd.Series:
    """Shares of the United States and of European allies and Canada in allied defence expenditure and GDP.

    ``usa_defence_share_pct = USA defence expenditure / NATO total x 100`` and
    ``europe_canada_defence_share_pct = NATO Europe and Canada / NATO total
    x 100``, both in US dollars of the chosen price basis; the GDP columns
    are the same ratios of GDP. The allies counted follow ``membership`` as
    in :func:`aggregate` (by default NATO's published totals, which count an
    ally from its accession year). Iceland adds GDP but no defence
    expenditure, so the two defence shares sum to 100 and so do the two GDP
    shares.

    At current prices and exchange rates (the default, how NATO's
    infographics show it) the shares move with the dollar; at constant
    prices and exchange rates they show real weight.

    Parameters
    ----------
    year : int, optional
        One year (returns a Series); default every year (a DataFrame).
    price_basis : {"current", "constant"}
    membership : {"published", "constant", "as_of"}
    as_of : str or datetime.date, optional
        For ``membership="as_of"``.
    data, edition
        Tidy table and edition (default :func:`natoanalysis.load`, latest).

    Returns
    -------
    pandas.DataFrame or pandas.Series
        Percent; columns (or index) ``usa_defence_share_pct``,
        ``europe_canada_defence_share_pct``, ``usa_gdp_share_pct``,
        ``europe_canada_gdp_share_pct``.

    Examples
    --------
    >>> import natoanalysis as na
    >>> data = na.load()
    >>> s = burden_share(data=data, year=2024)
    >>> float(round(s["usa_defence_share_pct"], 1)), float(round(s["europe_canada_defence_share_pct"], 1))
    (65.6, 34.4)
    """
    df = validate.table(data, edition)
    y = validate.year(year, df, allow_none=True)
    basis = validate.price_basis(price_basis, df, indicator="defence_exp_usd")
    kw = dict(price_basis=basis, membership=membership, as_of=as_of, data=df)
    out = {}
    for ind, short in (("defence_exp_usd", "defence"), ("gdp_usd", "gdp")):
        total = aggregate(indicator=ind, group="nato", **kw)
        usa = aggregate(indicator=ind, group=["USA"], **{**kw, "membership": "constant", "as_of": None})
        europe = aggregate(indicator=ind, group="europe_canada", **kw)
        out[f"usa_{short}_share_pct"] = usa / total * 100
        out[f"europe_canada_{short}_share_pct"] = europe / total * 100
    res = pd.DataFrame(out)[COLUMNS]
    res.index.name = "year"
    if y is not None:
        row = res.loc[y]
        row.name = y
        return row
    return res

"""NATO and SIPRI side by side: where the two definitions of military spending diverge.

The sources are never merged into one series: each keeps its own value,
edition and flags, and the difference is shown so that a researcher sees how
far apart the definitions (pensions, paramilitary forces, fiscal years, price
basis) put an ally.
"""

from __future__ import annotations

import numbers
import os
from typing import Iterable

import pandas as pd

from .. import allies, validate
from ..errors import ArgumentError
from .query import load

_SOURCES = ("nato", "sipri")


def _years(years: Iterable[int] | None) -> list[int] | None:
    if years is None:
        return None
    years = [years] if isinstance(years, (int, str)) else list(years)
    bad = [y for y in years if isinstance(y, bool) or not isinstance(y, numbers.Integral)]
    if bad:
        raise ArgumentError(f"years must be whole years such as 2014 or range(2014, 2025), got {bad[0]!r}")
    return [int(y) for y in years]


def _select(df: pd.DataFrame, source: str, indicator: str, price_basis: str | None) -> pd.DataFrame:
    rows = df[(df["indicator"] == indicator) & ~df["is_aggregate"]]
    bases = sorted(rows["price_basis"].unique())
    if price_basis is None:
        if len(bases) > 1:
            raise ArgumentError(f"{source} publishes {indicator} at {' and '.join(bases)} prices; "
                                f"pass price_basis= one of {bases}")
        return rows
    if price_basis not in bases:
        raise ArgumentError(f"{source} does not publish {indicator} at price_basis={price_basis!r}; "
                            f"accepted: {bases}")
    return rows[rows["price_basis"] == price_basis]


def compare_sources(*, indicator: str = "share_gdp_pct", countries: Iterable[str] | str | None = None,
                    years: Iterable[int] | None = None, price_basis: str | None = None,
                    nato_edition: str | None = None, sipri_edition: str | None = None,
                    data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """NATO's and SIPRI's figures for one indicator, per ally and year, with the difference.

    Parameters
    ----------
    indicator : str, default ``"share_gdp_pct"``
        An indicator both sources publish: ``share_gdp_pct``, ``defence_exp_usd``,
        ``defence_exp_ncu`` or ``defence_exp_per_capita_usd``.
    countries : str or list of str, optional
        Allies to compare: ISO3 codes in any case, names or aliases, as a
        comma list (``"POL,DEU"``) or a list (default: every ally either source has).
    years : iterable of int, optional
        Years to compare (default: every year both sources publish); a year
        that is not published by both is refused.
    price_basis : {"current", "constant"}, optional
        Needed when a source publishes the indicator at both (``defence_exp_usd``).
        Constant prices are only compared when both sources use the same base year.
        Any case; "nominal" and "real" are accepted as synonyms.
    nato_edition, sipri_edition : str, optional
        The NATO edition and the SIPRI release to compare (default: the latest
        of each). Two arguments, not one ``edition``: the publishers release
        on different dates, so the two are never the same id.
    data_dir : path-like, optional
        Data root.

    Returns
    -------
    pandas.DataFrame
        One row per ally and year: ``country, country_name, year, indicator, unit,
        nato_value, sipri_value, difference`` (SIPRI minus NATO, in ``unit``;
        percentage points for shares), ``nato_price_basis, sipri_price_basis,
        nato_base_year, sipri_base_year, nato_is_estimate, sipri_is_estimate,
        sipri_is_uncertain, sipri_missing_reason, nato_edition, sipri_edition``.
        ``sipri_value`` is NaN where SIPRI prints no figure (reason in
        ``sipri_missing_reason``).

    Raises
    ------
    natoanalysis.errors.ArgumentError
        Unknown indicator or country, years not published by both, ambiguous
        or incomparable price bases.

    Examples
    --------
    >>> cmp = compare_sources(indicator="share_gdp_pct", countries=["POL"], years=[2024])
    >>> cmp[["country", "year", "nato_value", "sipri_value", "difference"]].round(2).values.tolist()
    [['POL', 2024, 4.12, 4.15, 0.03]]
    """
    price_basis = validate.price_basis_name(price_basis)
    # Allies only: NATO publishes no figures for anyone else to compare with.
    wanted_c, wanted_y = None if countries is None else allies.resolve_many(countries), _years(years)
    for name, ed in (("nato_edition", nato_edition), ("sipri_edition", sipri_edition)):
        if ed == "all":
            raise ArgumentError(f"{name}='all': compare one edition of each source at a time "
                             "(use natoanalysis.revisions to line editions up)")
    frames = {"nato": load(source="nato", edition=nato_edition, data_dir=data_dir),
              "sipri": load(source="sipri", edition=sipri_edition, data_dir=data_dir)}
    common = sorted(set(frames["nato"]["indicator"]) & set(frames["sipri"]["indicator"]))
    if indicator not in common:
        raise ArgumentError(f"indicator {indicator!r} is not published by both NATO and SIPRI; accepted: "
                            f"{', '.join(common)}")
    sel = {s: _select(frames[s], s, indicator, price_basis) for s in _SOURCES}
    units = {s: set(sel[s]["unit"]) for s in _SOURCES}
    if units["nato"] != units["sipri"]:
        raise ArgumentError(f"{indicator} is in {units['nato']} for NATO but {units['sipri']} for SIPRI")
    unit = next(iter(units["nato"]))
    _check_comparable(frames, sel, indicator=indicator, unit=unit)
    cols = ["country", "year", "value", "price_basis", "base_year", "is_estimate", "edition"]
    nato = sel["nato"][cols].add_prefix("nato_").rename(columns={"nato_country": "country", "nato_year": "year"})
    sipri = sel["sipri"][cols + ["is_uncertain", "missing_reason"]].add_prefix("sipri_").rename(
        columns={"sipri_country": "country", "sipri_year": "year"})
    out = nato.merge(sipri, on=["country", "year"], how="inner", validate="one_to_one")
    out = out[out["country"].isin(allies.members())]
    out = _restrict(out, years=wanted_y, countries=wanted_c, indicator=indicator)
    out["indicator"] = indicator
    out["unit"] = unit
    reg = allies.registry()
    out["country_name"] = out["country"].map(dict(zip(reg["iso3"], reg["name"])))
    out["difference"] = out["sipri_value"] - out["nato_value"]
    order = ["country", "country_name", "year", "indicator", "unit", "nato_value", "sipri_value", "difference",
             "nato_price_basis", "sipri_price_basis", "nato_base_year", "sipri_base_year", "nato_is_estimate",
             "sipri_is_estimate", "sipri_is_uncertain", "sipri_missing_reason", "nato_edition", "sipri_edition"]
    out = out[order].astype({"country": "string", "country_name": "string", "indicator": "string", "unit": "string"})
    return out.sort_values(["country", "year"]).reset_index(drop=True)


def _check_comparable(frames: dict[str, pd.DataFrame], sel: dict[str, pd.DataFrame], *, indicator: str,
                      unit: str) -> None:
    """Refuse money at different price bases or base years; shares are ratios and always compare."""
    # Shares are ratios, so NATO's real-GDP share and SIPRI's nominal one are the same kind of number;
    # money at different price bases or base years is not.
    if unit.startswith("percent"):
        return
    bases = {s: sorted(sel[s]["price_basis"].unique()) for s in _SOURCES}
    if bases["nato"] != bases["sipri"]:
        both = sorted(set(frames["nato"].loc[frames["nato"]["indicator"] == indicator, "price_basis"])
                      & set(frames["sipri"].loc[frames["sipri"]["indicator"] == indicator, "price_basis"]))
        hint = f"; pass price_basis= one of {both}" if both else "; the two cannot be compared"
        raise ArgumentError(f"{indicator}: NATO's figures are at {bases['nato']} prices and SIPRI's at "
                            f"{bases['sipri']} prices{hint}")
    base_years = {s: sorted(int(b) for b in sel[s]["base_year"].dropna().unique()) for s in _SOURCES}
    if base_years["nato"] != base_years["sipri"]:
        raise ArgumentError(f"{indicator} at constant prices uses base year {base_years['nato']} for NATO and "
                            f"{base_years['sipri']} for SIPRI; pass price_basis='current' instead")


def _restrict(out: pd.DataFrame, *, years: list[int] | None, countries: list[str] | None,
              indicator: str) -> pd.DataFrame:
    """The rows of the years and allies asked for; one that the two sources do not both publish is refused."""
    if years is not None:
        both = sorted(out["year"].unique())
        outside = [y for y in years if y not in both]
        if outside:
            raise ArgumentError(f"years {', '.join(map(str, outside))}: not published by both NATO and SIPRI for "
                                f"{indicator}; accepted: {both[0]} to {both[-1]}" if both else
                                f"years {', '.join(map(str, outside))}: NATO and SIPRI publish no common year of "
                                f"{indicator}")
        out = out[out["year"].isin(years)]
    if countries is not None:
        absent = [c for c in countries if c not in set(out["country"])]
        if absent:
            raise ArgumentError(f"countries {', '.join(absent)}: no {indicator} figure from both NATO and SIPRI; "
                                f"accepted: {', '.join(sorted(set(out['country'])))}")
        out = out[out["country"].isin(countries)]
    return out

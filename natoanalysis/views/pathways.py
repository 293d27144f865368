"""Distance to the Hague targets per ally, in points and dollars, and the cost scenarios (notebook 06)."""

from __future__ import annotations

import pandas as pd

from .. import allies
from . import labels, text
from .provenance import attach
from .selection import rows
from .. import validate
from ..metrics.scenarios import TOTAL, simulate_paths
from ..metrics.targets import gap_to_target, required_annual_increase


def target_gaps(*, data: pd.DataFrame, year: int | None = None, core_target_pct: float = 3.5, total_target_pct: float = 5.0,
                by: int = 2035) -> pd.DataFrame:
    """Each ally's gap to the core and the total target in ``year``, and the yearly rise needed by ``by``.

    Gaps are ``target - share`` in points of GDP (negative: above the target)
    and that many points of the ally's ``year`` GDP in current US dollars.
    The share is NATO's published share of real GDP (Table 3), used as the
    measure of core defence spending; the total target (5% in The Hague)
    also counts up to 1.5% of GDP of defence- and security-related spending
    that NATO's tables do not report, so its gap is an upper bound.

    Returns
    -------
    pandas.DataFrame
        ``country, country_name, share_gdp_pct, gap_core_pp, gap_core_usd_billion,
        gap_total_pp, gap_total_usd_billion, required_increase_pp_per_year``
        (towards the core target), sorted by ``gap_core_pp``, largest first.

    Examples
    --------
    >>> import natoanalysis as na
    >>> t = target_gaps(data=na.load(), year=2024).set_index("country")
    >>> t.loc["DEU", ["gap_core_pp", "gap_core_usd_billion"]].round(1).tolist()
    [1.4, 63.7]
    """
    df = validate.table(data, None)
    y = validate.year_or_last(year, df)
    core = gap_to_target(target_pct=core_target_pct, year=y, data=df)
    total = gap_to_target(target_pct=total_target_pct, year=y, data=df)
    rise = required_annual_increase(target_pct=core_target_pct, by=by, start=y, data=df)
    out = pd.DataFrame({
        "country_name": core.index.map(allies.country_name).astype(str), "share_gdp_pct": core["share_gdp_pct"],
        "gap_core_pp": core["gap_pp"], "gap_core_usd_billion": core["gap_usd_million"] / 1000,
        "gap_total_pp": total["gap_pp"], "gap_total_usd_billion": total["gap_usd_million"] / 1000,
        # an ally already at or above the target needs no rise: no figure, not a negative one
        "required_increase_pp_per_year": rise.reindex(core.index).where(core["gap_pp"] > 0)})
    out.index.name = "country"
    out = out.reset_index().sort_values("gap_core_pp", ascending=False).reset_index(drop=True)
    out.attrs.update(skipped=core.attrs.get("skipped", {}), year=y)
    return attach(out, rows=rows(df, indicator=["share_gdp_pct", "gdp_usd"], year=y))


def scenario_costs(*, data: pd.DataFrame, year: int | None = None, target_pct: float = 3.5, by: int = 2035,
                   gdp_growth_pct: float | None = None, n_scenarios: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Distribution of each ally's cumulative extra cost of reaching ``target_pct`` by ``by``, in US$ billion.

    :func:`natoanalysis.simulate_paths` with GDP growth drawn around
    ``gdp_growth_pct`` (percent a year for every ally; ``None``: each ally's
    trend) and each ally's historical volatility; the cost is the spending
    above holding the ``year`` share, summed over the years, in constant
    US dollars of the base year. Allies already at the target cost nothing.

    Returns
    -------
    pandas.DataFrame
        ``country, country_name, mean, p5, p50, p95`` in billion constant
        US dollars of the base year, allies with a positive cost, largest median first,
        and the ``TOTAL`` row last.

    Examples
    --------
    >>> import natoanalysis as na
    >>> t = scenario_costs(data=na.load(), year=2024, n_scenarios=200)
    >>> t["country"].iloc[-1], bool((t["p5"] <= t["p50"]).all())
    ('TOTAL', True)
    """
    df = validate.table(data, None)
    y = validate.year_or_last(year, df)
    res = simulate_paths(target_pct=target_pct, by=by, n_scenarios=n_scenarios, seed=seed,
                         gdp_growth_pct=gdp_growth_pct, start=y, data=df)
    res = res[["mean", "p5", "p50", "p95"]] / 1000
    res.insert(0, "country_name", ["All allies" if c == TOTAL else allies.country_name(c) for c in res.index])
    by_ally = res.drop(index=TOTAL)
    by_ally = by_ally[by_ally["p95"] > 0].sort_values("p50", ascending=False)
    out = pd.concat([by_ally, res.loc[[TOTAL]]])
    out.index.name = "country"
    out.attrs.clear()
    # Every year feeds the GDP trend and volatility of the scenarios, not only the starting year.
    return attach(out.reset_index(), rows=rows(df, indicator=["share_gdp_pct", "gdp_usd"], price_basis="constant"))


def gaps_markdown(*, gaps: pd.DataFrame, data: pd.DataFrame, core_target_pct: float, total_target_pct: float) -> str:
    """How many allies are below the core target and what closing every gap would add a year (Markdown).

    ``gaps`` is :func:`target_gaps`.
    """
    df = validate.table(data, None)
    y = int(gaps.attrs["year"])
    return text.sentence("gaps", year=labels.year_label(df, y), y=y, n_short=int((gaps["gap_core_pp"] > 0).sum()),
                         n=len(gaps), core=core_target_pct, total=total_target_pct,
                         core_usd=gaps.loc[gaps["gap_core_pp"] > 0, "gap_core_usd_billion"].sum() * 1000,
                         total_usd=gaps.loc[gaps["gap_total_pp"] > 0, "gap_total_usd_billion"].sum() * 1000,
                         current=labels.price_basis(df, "current"), skipped=sorted(gaps.attrs.get("skipped", {})))


def scenario_markdown(*, costs: pd.DataFrame, data: pd.DataFrame, year: int, by: int) -> str:
    """The all-allies median and 90% range of the cumulative extra cost, in constant dollars (Markdown)."""
    df = validate.table(data, None)
    return text.sentence("scenario", total=costs.set_index("country").loc[TOTAL], year=year, by=by,
                         basis=labels.price_basis(df, "constant"))

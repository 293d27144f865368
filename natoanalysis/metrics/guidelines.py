"""Who meets NATO's spending guidelines: 2% of GDP, 20% on equipment, 3.5% core defence."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import allies, reference
from .. import validate
from ..errors import ArgumentError

#: ``no_figure``: the edition prints no figure for the ally that year (its reason is in ``missing_reason``).
STATUSES = ("meets", "below", "not_assessed", "no_figure")


def _compliance() -> tuple[tuple[str, str], ...]:
    """(guideline, flag column) of the guidelines a compliance table tests (``flag_column`` in guidelines.csv)."""
    g = reference.guidelines()
    g = g[g["flag_column"].fillna("").astype(str) != ""]
    return tuple(zip(g["guideline"], g["flag_column"]))


def _values(df: pd.DataFrame, indicator: str, figure: str) -> tuple[pd.DataFrame, pd.DataFrame | float]:
    """Countries x years of the figure compared with the threshold, and the rounding it is compared within.

    A published figure is compared as printed (NATO's Table 3 printing 2.00 meets 2%); a recomputed share
    is within the rounding of its printed inputs (:func:`natoanalysis.transform.checks.recomputed_share`).
    """
    if figure == "published":
        return validate.wide(df, indicator, validate.price_basis(None, df, indicator=indicator)), 0.0
    if indicator != "share_gdp_pct":
        raise ArgumentError(f"figure='recomputed' exists only for indicator 'share_gdp_pct'; got indicator "
                            f"{indicator!r}; accepted for {indicator!r}: figure='published'")
    from ..transform.checks import recomputed_share  # on use: `import natoanalysis` loads no transform stage
    return recomputed_share(df)


def _assess(values: pd.Series, codes: list[str], threshold: float, reasons: dict[str, str],
            rounding: pd.Series | float = 0.0) -> pd.DataFrame:
    reg = allies.registry().set_index("iso3")
    has_forces = reg.loc[codes, "has_armed_forces"].to_numpy()
    vals = values.reindex(codes).to_numpy(dtype=float)
    within = rounding.reindex(codes).fillna(0.0).to_numpy(dtype=float) if isinstance(rounding, pd.Series) else rounding
    absent = has_forces & np.isnan(vals)
    at = vals >= threshold - within  # short of the threshold only by more than rounding can explain
    status = np.where(~has_forces, "not_assessed", np.where(absent, "no_figure", np.where(at, "meets", "below")))
    meets = pd.array(np.where(has_forces, at, False), dtype="boolean")
    meets[~has_forces | absent] = pd.NA
    why = [validate.NO_DEFENCE_REASON if not h else (reasons.get(c, "no figure") if a else "")
           for c, h, a in zip(codes, has_forces, absent)]
    return pd.DataFrame({"value_pct": vals, "status": pd.Categorical(status, categories=STATUSES),
                         "is_meeting": meets, "missing_reason": why}, index=pd.Index(codes, name="country"))


def allies_meeting(*, threshold_pct: float | None = None, year: int | None = None, indicator: str = "share_gdp_pct",
                   figure: str = "published", data: pd.DataFrame | None = None,
                   edition: str | None = None) -> pd.DataFrame:
    """Which allies are at or above a spending threshold in a year.

    An ally meets the threshold when its figure is ``>= threshold_pct``: a
    published figure as printed, a recomputed one within the rounding of the
    printed figures it is computed from (so in tables printed in whole
    millions, expenditure over GDP of 1.99992 for a share printed 2.00 is at
    2%, not short of it). The threshold defaults to the indicator's guideline
    (``reference/guidelines.csv``): 2% of GDP for ``share_gdp_pct``, 20% of
    defence expenditure for ``equipment_share_pct``. With
    ``figure="published"`` the figure is NATO's own (Table 3
    share of real GDP for ``share_gdp_pct``, Table 8 for
    ``equipment_share_pct``). Table 3 prints exactly 2.0 for France 2020,
    Lithuania 2019 and Slovakia 2024, so they meet 2% on the published
    figure; ``figure="recomputed"`` uses defence expenditure / GDP in
    constant US dollars (Tables 2 and 5) instead, on which they are at
    1.986, 1.995 and 1.989: short by more than the rounding (the 2024 tables
    are unrounded), so below.

    From 2023 Luxembourg's published share is a share of gross national
    income, not GDP (see :func:`natoanalysis.reference.series_breaks`).

    Every ally of ``year`` (counted from its accession year) gets a row.
    Iceland has no armed forces and reports no defence expenditure: its
    status is ``"not_assessed"`` and ``is_meeting`` is missing (``<NA>``),
    so it is counted neither as meeting nor as missing the guideline. An ally
    whose figure the edition does not print (Germany's 2025 share in the
    August 2025 edition) is ``"no_figure"``, also counted neither way, with
    the publisher's reason in ``missing_reason``; such allies are listed in
    ``attrs["no_figure"]``.

    Parameters
    ----------
    threshold_pct : float, optional
        Percent of GDP for ``share_gdp_pct`` (0.5 to 100: 0.02 is refused as
        a fraction), of defence expenditure for ``equipment_share_pct`` (1 to
        100). Default: the indicator's guideline (2 and 20).
    year : int, optional
        A year of the edition; default its latest year, as for the other metrics.
    indicator : {"share_gdp_pct", "equipment_share_pct"}
    figure : {"published", "recomputed"}
        Which figure is compared (any case).
    data, edition
        Tidy table and edition (default :func:`natoanalysis.load`, latest).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``country`` (ISO3, sorted), columns named after the
        indicator (the figure compared, percent, e.g. ``share_gdp_pct``),
        ``status`` (``"meets"``, ``"below"``, ``"not_assessed"``,
        ``"no_figure"``), ``is_meeting`` (nullable boolean) and
        ``missing_reason`` (why there is no figure, else ``""``).

    Examples
    --------
    >>> import natoanalysis as na
    >>> data = na.load()
    >>> res = allies_meeting(data=data, year=2014)
    >>> res.index[res["status"] == "meets"].tolist()
    ['GBR', 'GRC', 'USA']
    >>> res.loc["ISL", "status"]
    'not_assessed'
    >>> allies_meeting(data=data).attrs["year"]  # the edition's latest year
    2024
    >>> res = allies_meeting(data=data, year=2024, figure="recomputed")
    >>> res.loc["SVK", "status"], float(round(res.loc["SVK", "share_gdp_pct"], 3))
    ('below', 1.989)
    >>> eq = allies_meeting(data=data, year=2024, indicator="equipment_share_pct")
    >>> eq.attrs["threshold_pct"], eq.loc["BEL", "status"], int((eq["status"] == "meets").sum())
    (20.0, 'below', 29)
    """
    df = validate.table(data, edition)
    ind = validate.indicator(indicator, df, accepted=[g for g in ("share_gdp_pct", "equipment_share_pct")])
    thr = validate.guideline_pct(ind) if threshold_pct is None else validate.percent(
        threshold_pct, name="threshold_pct", of="GDP" if ind == "share_gdp_pct" else "defence expenditure")
    y = validate.year_or_last(year, df)
    basis = validate.figure(figure)
    values, rounding = _values(df, ind, basis)
    if y not in values.columns:
        raise ArgumentError(f"year {y}: no {ind} figures; accepted: {', '.join(map(str, values.columns))}")
    reasons = validate.missing_reasons(df, ind, validate.price_basis(None, df, indicator=ind), y) if basis == "published" \
        else {**validate.missing_reasons(df, "gdp_usd", "constant", y), **validate.missing_reasons(df, "defence_exp_usd",
                                                                                              "constant", y)}
    out = _assess(values[y], allies.members(year=y), thr, reasons,
                  rounding[y] if isinstance(rounding, pd.DataFrame) else rounding)
    out = out.rename(columns={"value_pct": ind})
    no_figure = {c: r for c, r in out.loc[out["status"] == "no_figure", "missing_reason"].items()}
    out.attrs.update(threshold_pct=thr, year=y, figure=basis, indicator=ind, no_figure=no_figure)
    return out


def compliance_table(*, years: list[int] | None = None, figure: str = "published",
                     data: pd.DataFrame | None = None, edition: str | None = None) -> pd.DataFrame:
    """For every ally and year, whether it meets the 2%, 20% equipment and 3.5% core guidelines.

    * ``meets_2pct``: share of GDP >= 2.0 (Wales Summit, 2014);
    * ``meets_equipment_20pct``: major equipment incl. R&D >= 20% of
      defence expenditure (Wales Summit, 2014);
    * ``meets_hague_core_3_5pct``: share of GDP >= 3.5 (The Hague Summit,
      25 June 2025, core defence by 2035). NATO's Table 3 definition of
      defence expenditure is used as the measure of core defence spending;
      years before 2025 show the distance from a target set later.

    Thresholds come from :func:`natoanalysis.guidelines`. The share of GDP is
    the published Table 3 figure unless ``figure="recomputed"`` (compared
    within the rounding of its inputs, as in :func:`allies_meeting`). Rows
    cover each ally from its accession year;
    Iceland's flags are missing (``<NA>``), never True or False.

    Parameters
    ----------
    years : list of int, optional
        Default: every year of the edition.
    figure : {"published", "recomputed"}
        Which share of GDP is compared.
    data, edition
        Tidy table and edition (default :func:`natoanalysis.load`, latest).

    Returns
    -------
    pandas.DataFrame
        One row per ally and year: ``country``, ``year``, ``share_gdp_pct``,
        ``equipment_share_pct`` (percent) and the three nullable boolean
        ``meets_*`` columns.

    Examples
    --------
    >>> import natoanalysis as na
    >>> data = na.load()
    >>> t = compliance_table(data=data, years=[2024])
    >>> int(t["meets_2pct"].sum()), int(t["meets_equipment_20pct"].sum()), int(t["meets_hague_core_3_5pct"].sum())
    (23, 29, 1)
    """
    df = validate.table(data, edition)
    basis = validate.figure(figure)
    first, last = validate.edition_years(df)
    yrs = list(range(first, last + 1)) if years is None else \
        [validate.year(y, df, name="years") for y in ([years] if isinstance(years, int) else years)]
    rules = reference.guidelines().set_index("guideline")
    share, rounding = _values(df, "share_gdp_pct", basis)
    equip, _ = _values(df, "equipment_share_pct", "published")
    codes = sorted(allies.registry()["iso3"])
    member = validate.membership_mask(codes, yrs).stack()
    idx = member.index[member.to_numpy()].swaplevel().set_names(["country", "year"])
    out = pd.DataFrame(index=idx)
    out["share_gdp_pct"] = share.stack().reindex(idx).to_numpy()
    out["equipment_share_pct"] = equip.stack().reindex(idx).to_numpy()
    within = {"share_gdp_pct": rounding.stack().reindex(idx).fillna(0.0).to_numpy()
              if isinstance(rounding, pd.DataFrame) else rounding, "equipment_share_pct": 0.0}
    has_forces = allies.registry().set_index("iso3")["has_armed_forces"].reindex(
        idx.get_level_values("country")).to_numpy()
    for guideline, column in _compliance():
        rule = rules.loc[guideline]
        vals = out[rule["indicator"]].to_numpy()
        flag = pd.array(vals >= rule["threshold_pct"] - within[rule["indicator"]], dtype="boolean")
        flag[~has_forces | np.isnan(vals)] = pd.NA
        out[column] = flag
    return out.reset_index().sort_values(["country", "year"]).reset_index(drop=True)


def printed_versus_recomputed(*, threshold_pct: float = 2.0, data: pd.DataFrame | None = None,
                              edition: str | None = None) -> pd.DataFrame:
    """Ally-years whose status against a threshold differs between the published share and expenditure / GDP.

    NATO's Table 3 prints some shares as exactly 2.0 where Table 2 expenditure
    over Table 5 GDP (constant US dollars of the base year) is slightly lower.
    Only a difference larger than the rounding of the printed expenditure and
    GDP can explain counts: in tables printed in whole millions, 1.99992
    against a printed 2.00 is the same figure.

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
    df = validate.table(data, edition)
    thr = validate.non_negative(threshold_pct, name="threshold_pct", unit="percent")
    # compliance_table covers every ally-year of a basis in one pass (allies_meeting year by year would
    # rebuild the same tables twice per year); the comparison is allies_meeting's: the published share as
    # printed, the recomputed one within the rounding of its printed inputs.
    share = {figure: compliance_table(figure=figure, data=df).set_index(["country", "year"])["share_gdp_pct"]
             for figure in ("published", "recomputed")}
    from ..transform.checks import recomputed_share
    _, rounding = recomputed_share(df)
    both = pd.DataFrame({"published_share_gdp_pct": share["published"],
                         "recomputed_share_gdp_pct": share["recomputed"],
                         "rounding_pp": rounding.stack().rename_axis(["country", "year"])}).dropna()  # Iceland: none
    recomputed_at = both["recomputed_share_gdp_pct"] >= thr - both["rounding_pp"]
    differs = (both["published_share_gdp_pct"] >= thr) != recomputed_at
    out = both[differs].reset_index().sort_values(["year", "country"], kind="stable")
    return out[["country", "year", "published_share_gdp_pct", "recomputed_share_gdp_pct"]].reset_index(drop=True)

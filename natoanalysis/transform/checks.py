"""Consistency and plausibility rules on a tidy NATO edition: NATO's derived figures recomputed.

Each rule returns the cells where the published figure and the recomputed one
differ by more than the rule's tolerance. Tolerances follow from the
precision printed: every series is printed to some number of decimals (the
most any of its cells shows), so a figure printed to 2 decimals may be off by
half a unit in the last place, and a ratio of rounded inputs by as much as
their rounding allows (first-order error propagation). Unrounded series
(NATO's 2024 and 2025 tables, nine or more decimals) are compared to the
floors below, which NATO's own arithmetic meets by orders of magnitude.

Findings are never silently dropped: :func:`findings` marks those on the
documented whitelist (``reference/quality_whitelist.csv``) with the reason;
``strict=True`` ingest raises on the others (:func:`natoanalysis.transform.nato.tidy`).
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

import numpy as np
import pandas as pd

from .. import allies, reference

#: Floors in the unit of the compared figure; NATO's own arithmetic agrees to ~1e-12.
TOL_PCT = 1e-6
TOL_REL = 1e-9
TOL_CATEGORY_SUM_PCT = 0.01
#: A series printed to this many decimals or more is taken as unrounded (full floating-point figures).
UNROUNDED_DECIMALS = 9

FINDING_COLUMNS = ["rule", "source", "edition", "country", "year", "indicator", "published", "expected", "detail"]

#: (indicator, price basis, threshold in percent): a real change beyond the threshold in one year is worth a look.
#: Defence spending: the largest outside one-off purchases in the 2024 edition is about 50%. Real GDP: the largest
#: change otherwise is Montenegro's -15% in 2020, so 20% marks a break in the series rather than growth.
JUMP_RULES: tuple[tuple[str, str, float], ...] = (
    ("defence_exp_ncu", "constant", 60.0),
    ("gdp_usd", "constant", 20.0),
)
#: The implied defence deflator (current / constant national currency) moving by more than this factor in one
#: year is a misprinted figure, not inflation: Türkiye's, the largest in the 2024 edition, rose 1.96-fold in 2022.
DEFLATOR_JUMP_FACTOR = 2.5

#: Currency names that stand for one currency across allies. NATO names currencies, not ISO codes, and
#: "Kroner" is both Denmark's and Norway's (different currencies), so only the euro is compared across allies.
SHARED_CURRENCIES = ("Euros",)

_CATEGORIES = ["equipment_share_pct", "personnel_share_pct", "infrastructure_share_pct", "other_share_pct"]


def decimals(value: float) -> int:
    """Decimals a number is printed with: those of its shortest representation (0 for a whole number).

    Examples
    --------
    >>> decimals(2.58), decimals(1234.0), decimals(3913.2223219999996), decimals(1e-05)
    (2, 0, 13, 5)
    """
    if value is None or not math.isfinite(value) or float(value).is_integer():
        return 0
    return max(0, -Decimal(repr(float(value))).as_tuple().exponent)


def half_unit(tidy: pd.DataFrame, indicator: str, price_basis: str = "") -> float:
    """Half a unit in the last printed decimal of a series; 0 for an unrounded series.

    Examples
    --------
    >>> t = pd.DataFrame({"indicator": ["x"] * 2, "price_basis": [""] * 2, "value": [2.5, 2.58]})
    >>> half_unit(t, "x")
    0.005
    """
    values = tidy.loc[(tidy["indicator"] == indicator) & (tidy["price_basis"] == price_basis), "value"].dropna()
    if values.empty:
        return 0.0
    places = max(decimals(v) for v in values.to_numpy(dtype=float))
    return 0.0 if places >= UNROUNDED_DECIMALS else 0.5 * 10.0 ** -places


def _wide(tidy: pd.DataFrame, indicator: str, price_basis: str = "") -> pd.DataFrame:
    sel = tidy[(tidy["indicator"] == indicator) & (tidy["price_basis"] == price_basis)]
    return sel.pivot(index="country", columns="year", values="value").astype(float)


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else _frame([])


def _cells(rule: str, tidy: pd.DataFrame, indicator: str, bad: pd.DataFrame, published: pd.DataFrame,
           expected: pd.DataFrame, detail: str | pd.DataFrame) -> pd.DataFrame:
    """A finding for each True cell of ``bad`` (countries x years); ``detail`` is one text or one per cell."""
    flags = bad.stack()
    cells = flags.index[flags.to_numpy(dtype=bool)]

    def at(frame: pd.DataFrame) -> np.ndarray:
        return frame.stack().reindex(cells).to_numpy()

    return pd.DataFrame({
        "rule": rule, "source": str(tidy["source"].iloc[0]) if len(tidy) else "",
        "edition": str(tidy["edition"].iloc[0]) if len(tidy) else "",
        "country": cells.get_level_values(0).to_numpy(dtype=object),
        "year": cells.get_level_values(1).astype(int), "indicator": indicator,
        "published": at(published).astype(float), "expected": at(expected).astype(float),
        "detail": detail if isinstance(detail, str) else at(detail)}, columns=FINDING_COLUMNS)


def _rows(rule: str, rows: pd.DataFrame, *, published: object, detail: object, expected: object = np.nan,
          indicator: object = None) -> pd.DataFrame:
    """A finding for each row of a tidy table (its source, edition, country, year and indicator)."""
    return pd.DataFrame({
        "rule": rule, **{k: rows[k].to_numpy(dtype=object) for k in ("source", "edition", "country")},
        "year": rows["year"].to_numpy(dtype=int),
        "indicator": rows["indicator"].to_numpy(dtype=object) if indicator is None else indicator,
        "published": published, "expected": expected, "detail": detail}, columns=FINDING_COLUMNS)


def _findings(rule: str, tidy: pd.DataFrame, indicator: str, published: pd.DataFrame, expected: pd.DataFrame,
              tolerance: pd.DataFrame | float, detail: str) -> pd.DataFrame:
    """Cells where ``|expected - published| > tolerance``; cells with a missing side are not compared."""
    bad = (expected - published).abs().gt(tolerance) & published.notna() & expected.notna()
    return _cells(rule, tidy, indicator, bad, published, expected, detail)


def _ratio_tolerance(num: pd.DataFrame, den: pd.DataFrame, h_num: float, h_den: float) -> pd.DataFrame:
    """Largest error of ``num / den`` that rounding of the inputs by half units can cause, relative to 1."""
    return h_num / den.abs() + num.abs() * h_den / den ** 2


def real_change(tidy: pd.DataFrame) -> pd.DataFrame:
    """Table 3 annual real change against the change of Table 1 (allies) or Table 2 (aggregates) constant series."""
    rc = _wide(tidy, "real_change_pct", "constant")
    aggs = set(reference.aggregates()["code"])
    parts = []
    for indicator, keep in (("defence_exp_ncu", lambda i: ~i.isin(aggs)), ("defence_exp_usd", lambda i: i.isin(aggs))):
        base = _wide(tidy, indicator, "constant")
        base = base.loc[keep(base.index)]
        prev = base.shift(axis=1)
        expected = (base / prev - 1) * 100
        tol = 100 * _ratio_tolerance(base, prev, *(2 * [half_unit(tidy, indicator, "constant")]))
        parts.append((expected, tol))
    expected = pd.concat([p[0] for p in parts]).reindex_like(rc)
    tol = pd.concat([p[1] for p in parts]).reindex_like(rc) + half_unit(tidy, "real_change_pct", "constant") + TOL_PCT
    return _findings("real_change_recomputed", tidy, "real_change_pct", rc, expected, tol,
                     "annual real change != change of the constant-price series")


def recomputed_share(tidy: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Defence expenditure / GDP x 100 (constant US dollars), allies x years, and how far rounding can move it.

    The second frame is the most the rounding of the two printed inputs can
    move the ratio (points of GDP), plus the floor :data:`TOL_PCT` for
    floating-point arithmetic: a recomputed share within it of a threshold is
    at the threshold, as far as the printed figures can tell.

    Examples
    --------
    >>> import natoanalysis as na
    >>> share, rounding = recomputed_share(na.load())
    >>> round(float(share.at["SVK", 2024]), 3), float(rounding.at["SVK", 2024])  # 2024 tables: unrounded
    (1.989, 1e-06)
    """
    num, den = _wide(tidy, "defence_exp_usd", "constant"), _wide(tidy, "gdp_usd", "constant")
    rounding = 100 * _ratio_tolerance(num, den, half_unit(tidy, "defence_exp_usd", "constant"),
                                      half_unit(tidy, "gdp_usd", "constant"))
    return num / den * 100, rounding + TOL_PCT


def share_equals_ratio(tidy: pd.DataFrame) -> pd.DataFrame:
    """Table 3 share of GDP against defence expenditure / GDP, both constant US dollars."""
    share = _wide(tidy, "share_gdp_pct", "constant")
    expected, rounding = recomputed_share(tidy)
    expected, tol = expected.reindex_like(share), rounding.reindex_like(share) + half_unit(tidy, "share_gdp_pct",
                                                                                          "constant")
    return _findings("share_equals_ratio", tidy, "share_gdp_pct", share, expected, tol,
                     "share of GDP != defence expenditure / GDP (constant USD) x 100")


def per_capita_ratio(tidy: pd.DataFrame) -> pd.DataFrame:
    """Table 6 per-capita figures against Tables 2 and 5 (population cancels out)."""
    pc = _wide(tidy, "defence_exp_per_capita_usd", "constant")
    gpc = _wide(tidy, "gdp_per_capita_usd_thousand", "constant").reindex_like(pc)
    num, den = _wide(tidy, "defence_exp_usd", "constant"), _wide(tidy, "gdp_usd", "constant")
    ratio = (num / den).reindex_like(pc)
    expected = ratio * gpc * 1000
    ratio_tol = _ratio_tolerance(num, den, half_unit(tidy, "defence_exp_usd", "constant"),
                                 half_unit(tidy, "gdp_usd", "constant")).reindex_like(pc)
    tol = 1000 * (half_unit(tidy, "gdp_per_capita_usd_thousand", "constant") * ratio + gpc * ratio_tol)
    tol = tol + half_unit(tidy, "defence_exp_per_capita_usd", "constant") + TOL_REL * pc.abs().clip(lower=1) * 1e3
    return _findings("per_capita_ratio", tidy, "defence_exp_per_capita_usd", pc, expected, tol,
                     "defence per capita != GDP per capita x (defence / GDP)")


def aggregate_sums(tidy: pd.DataFrame) -> pd.DataFrame:
    """Each published aggregate equals the sum of the allies that were members that year.

    Members count from the calendar year of their accession (``aggregates.csv``).
    A year in which a member has no figure is not compared: the blank is a
    finding of its own (``not_published``).
    """
    out = []
    rules = reference.aggregates().set_index("code")
    for indicator, basis in [("defence_exp_usd", "current"), ("defence_exp_usd", "constant"),
                             ("gdp_usd", "current"), ("gdp_usd", "constant"), ("military_personnel_thousand", "")]:
        wide = _wide(tidy, indicator, basis)
        if wide.empty:
            continue
        h = half_unit(tidy, indicator, basis)
        countries = [c for c in wide.index if c not in rules.index]
        years = [int(y) for y in wide.columns]
        acc = pd.Series({c: allies.accession_year(c) for c in countries})
        member = pd.DataFrame(acc.to_numpy()[:, None] <= np.asarray(years)[None, :],
                              index=countries, columns=wide.columns)
        values = wide.loc[countries]
        for code in rules.index:
            if code not in wide.index:
                continue
            counted = member.copy()
            if code == "NATO_EUROPE_CANADA":
                counted.loc[counted.index == "USA"] = False
            terms = values.where(counted)
            expected = terms.sum(min_count=1).to_frame(code).T
            hole = (counted & values.isna()).any()
            expected.loc[code, hole[hole].index] = np.nan
            pub = wide.loc[[code]]
            tol = h + counted.sum().to_frame(code).T * h + TOL_REL * pub.abs()
            out.append(_findings("aggregate_sum", tidy, indicator, pub, expected, tol,
                                 f"{code} != sum of members that year ({basis or 'no price basis'})"))
    return _concat(out)


def period_change(tidy: pd.DataFrame) -> pd.DataFrame:
    """Table 4 real change over the period against the two constant-dollar endpoints."""
    out = []
    usd = _wide(tidy, "defence_exp_usd", "constant")
    h_usd = half_unit(tidy, "defence_exp_usd", "constant")
    for indicator in sorted(i for i in tidy["indicator"].unique() if re.fullmatch(r"real_change_since_\d{4}_pct", i)):
        start = int(re.search(r"\d{4}", indicator).group())
        pub = _wide(tidy, indicator, "constant")
        ut = usd.loc[pub.index, pub.columns]
        u0 = ut * 0 + usd.loc[pub.index, start].to_numpy()[:, None]
        expected = (ut / u0 - 1) * 100
        tol = 100 * _ratio_tolerance(ut, u0, h_usd, h_usd) + half_unit(tidy, indicator, "constant") + TOL_PCT
        out.append(_findings("period_change", tidy, indicator, pub, expected, tol,
                             f"real change since {start} != change of constant USD series"))
    return _concat(out)


def shares_in_range(tidy: pd.DataFrame) -> pd.DataFrame:
    """Every percentage share lies in [0, 100]; the four categories add up to 100.

    A category NATO prints as ``-`` (nil) counts as zero in the sum.
    """
    pct = tidy[tidy["indicator"].str.endswith("share_pct") | (tidy["indicator"] == "share_gdp_pct")]
    bad = pct[(pct["value"] < 0) | (pct["value"] > 100)]
    outside = _rows("share_in_range", bad, published=bad["value"].to_numpy(), detail="share outside [0, 100]")
    cats = tidy[tidy["indicator"].isin(_CATEGORIES)]
    cats = cats.assign(value=cats["value"].where(cats["missing_reason"] != "nil", 0.0))
    total = sum(_wide(cats, c) for c in _CATEGORIES)
    hundred = total * 0 + 100
    tol = TOL_CATEGORY_SUM_PCT + sum(half_unit(tidy, c) for c in _CATEGORIES)
    found = _findings("category_sum", tidy, "equipment+personnel+infrastructure+other", total, hundred, tol,
                      "the four expenditure categories do not add up to 100%")
    return _concat([outside, found])


def base_year_prices(tidy: pd.DataFrame) -> pd.DataFrame:
    """In the base year, constant-price figures equal current-price ones (Tables 1, 2 and 5)."""
    out = []
    base = tidy.loc[tidy["price_basis"] == "constant", "base_year"].dropna()
    if base.empty:
        return _frame([])
    year = int(base.iloc[0])
    for indicator in ("defence_exp_ncu", "defence_exp_usd", "gdp_usd"):
        const, cur = _wide(tidy, indicator, "constant"), _wide(tidy, indicator, "current")
        if year not in const.columns or year not in cur.columns:
            continue
        pub, expected = const[[year]], cur[[year]].reindex_like(const[[year]])
        tol = half_unit(tidy, indicator, "constant") + half_unit(tidy, indicator, "current") + TOL_REL * pub.abs()
        out.append(_findings("base_year_prices", tidy, indicator, pub, expected, tol,
                             f"constant {year} prices != current prices in the base year {year}"))
    return _concat(out)


def _rates(tidy: pd.DataFrame, basis: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """National currency per US dollar implied by Tables 1 and 2, and the relative error rounding allows."""
    ncu, usd = _wide(tidy, "defence_exp_ncu", basis), _wide(tidy, "defence_exp_usd", basis)
    usd = usd.reindex_like(ncu)
    rate = ncu / usd
    rel = _ratio_tolerance(ncu, usd, half_unit(tidy, "defence_exp_ncu", basis),
                           half_unit(tidy, "defence_exp_usd", basis)) / rate.abs()
    return rate, rel


def constant_exchange_rate(tidy: pd.DataFrame) -> pd.DataFrame:
    """Constant national currency / constant US dollars is one rate per ally: the base year's, in every year."""
    rate, rel = _rates(tidy, "constant")
    typical = rate.median(axis=1)
    expected = rate * 0 + typical.to_numpy()[:, None]
    tol = expected.abs() * (2 * rel + TOL_REL)
    return _findings("constant_exchange_rate", tidy, "defence_exp_ncu", rate, expected, tol,
                     "constant NCU / constant USD differs from the ally's base-year exchange rate")


def exchange_rate_by_currency(tidy: pd.DataFrame) -> pd.DataFrame:
    """Current national currency / current US dollars: one rate per currency and year across allies.

    Allies printed in the euro (17 in the 2024 edition) must imply the same
    exchange rate each year; an ally counts
    from the year it adopted the currency (``reference/currency_changes.csv``),
    since NATO restates its earlier figures in the new currency but converted
    them to dollars at the old currency's rates.
    """
    rate, rel = _rates(tidy, "current")
    currency = tidy[tidy["indicator"] == "defence_exp_ncu"].drop_duplicates("country").set_index("country")["currency"]
    changes = reference.currency_changes()
    since = changes.set_index("country")["year"].to_dict()
    eligible = rate.copy()
    for code, year in since.items():
        if code in eligible.index:
            eligible.loc[code, eligible.columns < year] = np.nan
    out = []
    for cur in SHARED_CURRENCIES:
        codes = [c for c in rate.index if currency.get(c) == cur]
        if len(codes) < 2:
            continue
        group = eligible.loc[codes]
        # Against the best-determined rate of the year (the largest budgets lose least to rounding).
        group_rel = rel.loc[codes].where(group.notna())
        best = group_rel.idxmin()
        years = [y for y in group.columns if isinstance(best[y], str)]
        typical = pd.Series({y: group.at[best[y], y] for y in years}).reindex(group.columns)
        best_rel = pd.Series({y: group_rel.at[best[y], y] for y in years}).reindex(group.columns)
        expected = group * 0 + typical.to_numpy()[None, :]
        tol = expected.abs() * (rel.loc[codes] + best_rel.to_numpy()[None, :] + TOL_REL)
        out.append(_findings("exchange_rate_by_currency", tidy, "defence_exp_ncu", group, expected, tol,
                             f"current NCU / current USD differs from the rate of the other allies in {cur}"))
    return _concat(out)


def not_published(tidy: pd.DataFrame) -> pd.DataFrame:
    """Figures the publisher left blank where a number is due (``..`` and ``-`` are NATO's own markers)."""
    blank = tidy[tidy["missing_reason"] == "not_published"]
    return _rows("not_published", blank, published=np.nan, detail=(
        blank["source_sheet"] + "!" + blank["source_cell"] + " is blank: the figure was not published").to_numpy())


def yoy_jumps(tidy: pd.DataFrame, *, rules: tuple[tuple[str, str, float], ...] = JUMP_RULES) -> pd.DataFrame:
    """Ally series whose year-on-year change exceeds the rule's threshold (in percent).

    Examples
    --------
    >>> import natoanalysis as na
    >>> yoy_jumps(na.load())[["country", "year", "indicator"]].values.tolist()
    [['BGR', 2019, 'defence_exp_ncu'], ['LUX', 2023, 'gdp_usd']]
    """
    out = []
    for indicator, basis, threshold in rules:
        sel = tidy[(tidy["indicator"] == indicator) & (tidy["price_basis"] == basis) & ~tidy["is_aggregate"]]
        sel = sel.sort_values(["source", "edition", "country", "year"])
        prev = sel.groupby(["source", "edition", "country"])["value"].shift()
        change = (sel["value"] / prev - 1) * 100
        jump = change.abs() > threshold
        out.append(_rows("yoy_jump", sel[jump], published=sel.loc[jump, "value"].to_numpy(dtype=float),
                         expected=prev[jump].to_numpy(dtype=float), detail=[
                             f"{basis} {indicator} changes {pct:+.1f}% in one year (threshold {threshold:g}%)"
                             for pct in change[jump]]))
    return _concat(out)


def deflator_jumps(tidy: pd.DataFrame) -> pd.DataFrame:
    """Allies whose implied defence deflator (current / constant national currency) jumps implausibly in a year."""
    deflator = _wide(tidy, "defence_exp_ncu", "current") / _wide(tidy, "defence_exp_ncu", "constant")
    factor = deflator / deflator.shift(axis=1)
    bad = np.exp(np.log(factor).abs()).gt(DEFLATOR_JUMP_FACTOR)
    detail = factor.map(lambda f: f"current / constant national currency moves {f:.2f}-fold in one year (limit "
                                  f"{DEFLATOR_JUMP_FACTOR:g}): a current- or constant-price figure of Table 1 is "
                                  "misprinted")
    return _cells("deflator_jump", tidy, "defence_exp_ncu", bad, deflator, deflator.shift(axis=1), detail)


def estimate_notes(tidy: pd.DataFrame, notes: dict[str, list[str]]) -> pd.DataFrame:
    """The 'Figures for YYYY and YYYY are estimates' notes agree with the ``e`` year headers.

    A note may name estimate years its own table does not print (Table 4 prints
    only the first and last years), but every year it names must be an
    estimate of the edition, and every estimate year the table prints must be named.
    """
    flagged = set(tidy.loc[tidy["is_estimate"], "year"])
    rows = []
    for table, texts in (notes or {}).items():
        for text in texts:
            m = re.search(r"figures for ((?:\d{4}(?:\s*(?:,|and)\s*)?)+) (?:is|are) estimates", text, re.I)
            if m:
                said = {int(y) for y in re.findall(r"\d{4}", m.group(1))}
                years_in_table = set(tidy.loc[tidy["table"] == table, "year"])
                if not said <= flagged or (said & years_in_table) != (flagged & years_in_table):
                    rows.append({"rule": "estimate_notes", "source": "nato", "edition": tidy["edition"].iloc[0],
                                 "country": "", "year": min(said), "indicator": table, "published": np.nan,
                                 "expected": np.nan,
                                 "detail": f"note says {sorted(said)} are estimates, headers mark "
                                           f"{sorted(flagged & years_in_table)}"})
    return _frame(rows)


def layout_quirks(quirks: list[dict], *, source: str, edition: str) -> pd.DataFrame:
    """Layout quirks of the published file (error cells, label-less rows, untitled sheets) as findings."""
    rows = [{"rule": "untitled_sheet" if q["kind"] == "untitled_sheet" else "unlabelled_row", "source": source,
             "edition": edition, "country": "", "year": -1, "indicator": q.get("table", ""), "published": np.nan,
             "expected": np.nan, "detail": f"{q['sheet']} row {q['row']}: {q['cells']}"} for q in quirks]
    return _frame(rows)


#: NATO's derived figures recomputed (identities that hold by construction).
RULES = (real_change, share_equals_ratio, per_capita_ratio, aggregate_sums, period_change, shares_in_range,
         base_year_prices, constant_exchange_rate, exchange_rate_by_currency, not_published)
#: Figures that are possible but implausible enough to be looked at.
PLAUSIBILITY_RULES = (yoy_jumps, deflator_jumps)


def whitelist() -> pd.DataFrame:
    """Known, explained anomalies (rule, source, edition, country, year, indicator, reason).

    Entries are keyed by edition, so they hold for any copy of that edition; an
    entry with an empty edition is an event in the world (Bulgaria's 2019
    aircraft purchase) that every edition prints.

    Examples
    --------
    >>> "reason" in whitelist().columns
    True
    """
    return reference.read("quality_whitelist.csv")


def mark_whitelisted(findings: pd.DataFrame) -> pd.DataFrame:
    """Add ``is_whitelisted`` and ``reason`` columns from the whitelist."""
    pairs = findings.reset_index(drop=True).reset_index(names="finding").merge(
        whitelist().reset_index(names="entry"), on=["rule", "source"], suffixes=("", "_wl"))
    match = (pd.to_numeric(pairs["year_wl"], errors="coerce") == pairs["year"]) | (pairs["year_wl"] == "")
    for column in ("edition", "country", "indicator"):
        match &= (pairs[f"{column}_wl"] == "") | (pairs[f"{column}_wl"] == pairs[column])
    first = pairs[match].sort_values(["finding", "entry"]).drop_duplicates("finding").set_index("finding")
    reason = first["reason"].reindex(range(len(findings)))
    return findings.assign(is_whitelisted=reason.notna().to_numpy(), reason=reason.fillna("").to_numpy())


def findings(tidy: pd.DataFrame, *, notes: dict[str, list[str]] | None = None,
             quirks: list[dict] | None = None) -> pd.DataFrame:
    """Everything the rules find in one edition, whitelist applied.

    Returns
    -------
    pandas.DataFrame
        ``rule, source, edition, country, year, indicator, published, expected,
        detail, is_whitelisted, reason``; ``year`` is -1 for layout quirks.
    """
    frames = [rule(tidy) for rule in RULES + PLAUSIBILITY_RULES] + [estimate_notes(tidy, notes or {})]
    if quirks and len(tidy):
        frames.append(layout_quirks(quirks, source=str(tidy["source"].iloc[0]), edition=str(tidy["edition"].iloc[0])))
    found = _concat(frames).sort_values(["rule", "edition", "country", "year"], kind="stable").reset_index(drop=True)
    return mark_whitelisted(found)


def summary(found: pd.DataFrame, *, limit: int = 8) -> str:
    """A short text of the findings not on the whitelist: one line per rule, then the first few cases.

    Examples
    --------
    >>> f = pd.DataFrame([{"rule": "not_published", "country": "DEU", "year": 2025, "indicator": "gdp_usd",
    ...                    "published": float("nan"), "expected": float("nan"), "detail": "blank",
    ...                    "is_whitelisted": False}])
    >>> print(summary(f))
    1 finding not on the whitelist (not_published: 1)
      not_published: DEU 2025 gdp_usd: blank
    """
    bad = found[~found["is_whitelisted"].astype(bool)]
    if bad.empty:
        return "no findings outside the whitelist"
    counts = ", ".join(f"{rule}: {n}" for rule, n in bad["rule"].value_counts(sort=False).sort_index().items())
    lines = [f"{len(bad)} finding{'s' if len(bad) != 1 else ''} not on the whitelist ({counts})"]
    for r in bad.head(limit).itertuples():
        where = " ".join(str(p) for p in (r.country, r.year if r.year != -1 else "", r.indicator) if str(p))
        lines.append(f"  {r.rule}: {where}: {r.detail}")
    if len(bad) > limit:
        lines.append(f"  ... and {len(bad) - limit} more (natoanalysis quality lists them all)")
    return "\n".join(lines)

"""Consistency checks on a tidy NATO edition: NATO's derived figures recomputed.

Each rule returns the cells where the published figure and the recomputed one
differ by more than the rule's tolerance. :func:`assert_consistent` raises if
any finding is not on the documented whitelist
(``reference/quality_whitelist.csv``).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from . import registry
from .errors import ValidationError

#: Tolerances in the unit of the compared figure; NATO's own arithmetic agrees to ~1e-12.
TOL_PCT = 1e-6
TOL_REL = 1e-9
TOL_CATEGORY_SUM_PCT = 0.01

FINDING_COLUMNS = ["rule", "source", "edition", "country", "year", "indicator", "published", "expected", "detail"]


def _wide(tidy: pd.DataFrame, indicator: str, price_basis: str = "") -> pd.DataFrame:
    sel = tidy[(tidy["indicator"] == indicator) & (tidy["price_basis"] == price_basis)]
    return sel.pivot(index="country", columns="year", values="value")


def _findings(rule: str, tidy: pd.DataFrame, indicator: str, published: pd.DataFrame, expected: pd.DataFrame,
              mask: pd.DataFrame, detail: str) -> pd.DataFrame:
    rows = []
    for (country, year), bad in mask.stack().items():
        if bad:
            rows.append({"rule": rule, "country": country, "year": int(year), "indicator": indicator,
                         "published": float(published.at[country, year]),
                         "expected": float(expected.at[country, year]), "detail": detail})
    out = pd.DataFrame(rows, columns=[c for c in FINDING_COLUMNS if c not in ("source", "edition")])
    out.insert(1, "source", tidy["source"].iloc[0] if len(tidy) else "")
    out.insert(2, "edition", tidy["edition"].iloc[0] if len(tidy) else "")
    return out


def real_change(tidy: pd.DataFrame) -> pd.DataFrame:
    """Table 3 annual real change against the change of Table 1 (allies) or Table 2 (aggregates) constant series."""
    rc = _wide(tidy, "real_change_pct", "constant")
    base = pd.concat([_wide(tidy, "defence_exp_ncu", "constant"),
                      _wide(tidy, "defence_exp_usd", "constant").loc[lambda d: d.index.isin(
                          registry.aggregates()["code"])]])
    expected = ((base / base.shift(axis=1) - 1) * 100).reindex_like(rc)
    mask = (expected - rc).abs() > TOL_PCT
    return _findings("real_change_recomputed", tidy, "real_change_pct", rc, expected, mask,
                     "annual real change != change of the constant-price series")


def share_equals_ratio(tidy: pd.DataFrame) -> pd.DataFrame:
    """Table 3 share of GDP against defence expenditure / GDP, both constant US dollars."""
    share = _wide(tidy, "share_gdp_pct", "constant")
    expected = (_wide(tidy, "defence_exp_usd", "constant") / _wide(tidy, "gdp_usd", "constant") * 100).reindex_like(share)
    mask = (expected - share).abs() > TOL_PCT
    return _findings("share_equals_ratio", tidy, "share_gdp_pct", share, expected, mask,
                     "share of GDP != defence expenditure / GDP (constant USD) x 100")


def per_capita_ratio(tidy: pd.DataFrame) -> pd.DataFrame:
    """Table 6 per-capita figures against Tables 2 and 5 (population cancels out)."""
    pc = _wide(tidy, "defence_exp_per_capita_usd", "constant")
    gpc = _wide(tidy, "gdp_per_capita_usd_thousand", "constant").reindex_like(pc)
    ratio = (_wide(tidy, "defence_exp_usd", "constant") / _wide(tidy, "gdp_usd", "constant")).reindex_like(pc)
    expected = ratio * gpc * 1000
    mask = ((expected - pc).abs() > TOL_REL * pc.abs().clip(lower=1) * 1e3)
    return _findings("per_capita_ratio", tidy, "defence_exp_per_capita_usd", pc, expected, mask,
                     "defence per capita != GDP per capita x (defence / GDP)")


def aggregate_sums(tidy: pd.DataFrame) -> pd.DataFrame:
    """Each published aggregate equals the sum of the allies that were members that year."""
    out = []
    rules = registry.aggregates().set_index("code")
    for indicator, basis in [("defence_exp_usd", "current"), ("defence_exp_usd", "constant"),
                             ("gdp_usd", "current"), ("gdp_usd", "constant"), ("military_personnel_thousand", "")]:
        wide = _wide(tidy, indicator, basis)
        for code in rules.index:
            if code not in wide.index:
                continue
            exclude = ("USA",) if code == "NATO_EUROPE_CANADA" else ()
            expected = pd.DataFrame(index=[code], columns=wide.columns, dtype=float)
            for year in wide.columns:
                members = [m for m in registry.members(year=int(year), exclude=exclude) if m in wide.index]
                expected.at[code, year] = wide.loc[members, year].sum()
            pub = wide.loc[[code]]
            mask = (expected - pub).abs() > TOL_REL * pub.abs()
            out.append(_findings("aggregate_sum", tidy, indicator, pub, expected, mask,
                                 f"{code} != sum of members that year ({basis or 'no price basis'})"))
    return pd.concat(out, ignore_index=True)


def period_change(tidy: pd.DataFrame) -> pd.DataFrame:
    """Table 4 real change over the period against the two constant-dollar endpoints."""
    out = []
    usd = _wide(tidy, "defence_exp_usd", "constant")
    for indicator in sorted(i for i in tidy["indicator"].unique() if re.fullmatch(r"real_change_since_\d{4}_pct", i)):
        start = int(re.search(r"\d{4}", indicator).group())
        pub = _wide(tidy, indicator, "constant")
        expected = pub.copy()
        for year in pub.columns:
            expected[year] = (usd.loc[pub.index, year] / usd.loc[pub.index, start] - 1) * 100
        mask = (expected - pub).abs() > TOL_PCT
        out.append(_findings("period_change", tidy, indicator, pub, expected, mask,
                             f"real change since {start} != change of constant USD series"))
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=FINDING_COLUMNS)


def shares_in_range(tidy: pd.DataFrame) -> pd.DataFrame:
    """Every percentage share lies in [0, 100]; the four categories add up to 100."""
    pct = tidy[tidy["indicator"].str.endswith("share_pct") | (tidy["indicator"] == "share_gdp_pct")]
    bad = pct[(pct["value"] < 0) | (pct["value"] > 100)]
    rows = [{"rule": "share_in_range", "source": r.source, "edition": r.edition, "country": r.country,
             "year": int(r.year), "indicator": r.indicator, "published": r.value, "expected": np.nan,
             "detail": "share outside [0, 100]"} for r in bad.itertuples()]
    cats = ["equipment_share_pct", "personnel_share_pct", "infrastructure_share_pct", "other_share_pct"]
    total = sum(_wide(tidy, c) for c in cats)
    hundred = total * 0 + 100
    mask = (total - 100).abs() > TOL_CATEGORY_SUM_PCT
    found = _findings("category_sum", tidy, "equipment+personnel+infrastructure+other", total, hundred, mask,
                      "the four expenditure categories do not add up to 100%")
    return pd.concat([pd.DataFrame(rows, columns=FINDING_COLUMNS), found], ignore_index=True)


def estimate_notes(tidy: pd.DataFrame, notes: dict[str, list[str]]) -> pd.DataFrame:
    """The 'Figures for YYYY and YYYY are estimates' notes agree with the ``e`` year headers."""
    flagged = set(tidy.loc[tidy["is_estimate"], "year"])
    rows = []
    for table, texts in (notes or {}).items():
        for text in texts:
            m = re.search(r"figures for ((?:\d{4}(?:\s*(?:,|and)\s*)?)+) (?:is|are) estimates", text, re.I)
            if m:
                said = {int(y) for y in re.findall(r"\d{4}", m.group(1))}
                years_in_table = set(tidy.loc[tidy["table"] == table, "year"])
                if said != (flagged & years_in_table):
                    rows.append({"rule": "estimate_notes", "source": "nato", "edition": tidy["edition"].iloc[0],
                                 "country": "", "year": min(said), "indicator": table, "published": np.nan,
                                 "expected": np.nan,
                                 "detail": f"note says {sorted(said)} are estimates, headers mark "
                                           f"{sorted(flagged & years_in_table)}"})
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


RULES = (real_change, share_equals_ratio, per_capita_ratio, aggregate_sums, period_change, shares_in_range)


def whitelist() -> pd.DataFrame:
    """Known, explained anomalies (rule, source, edition, country, year, indicator, reason).

    Examples
    --------
    >>> "reason" in whitelist().columns
    True
    """
    return registry._read_reference("quality_whitelist.csv")


def mark_whitelisted(findings: pd.DataFrame) -> pd.DataFrame:
    """Add ``is_whitelisted`` and ``reason`` columns from the whitelist."""
    wl = whitelist()
    out = findings.copy()
    out["is_whitelisted"] = False
    out["reason"] = ""
    for i, f in out.iterrows():
        for _, w in wl.iterrows():
            if (w["rule"] == f["rule"] and w["source"] == f["source"] and w["edition"] == f["edition"]
                    and w["country"] in ("", f["country"]) and w["indicator"] in ("", f["indicator"])
                    and (w["year"] == "" or int(w["year"]) == f["year"])):
                out.at[i, "is_whitelisted"] = True
                out.at[i, "reason"] = w["reason"]
                break
    return out


def run_all(tidy: pd.DataFrame, *, notes: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """All consistency findings for one edition, whitelist applied."""
    frames = [rule(tidy) for rule in RULES] + [estimate_notes(tidy, notes or {})]
    frames = [f for f in frames if len(f)]
    found = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=FINDING_COLUMNS)
    return mark_whitelisted(found)


def assert_consistent(tidy: pd.DataFrame, *, notes: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """Run all rules; raise :class:`ValidationError` listing findings not on the whitelist."""
    found = run_all(tidy, notes=notes)
    bad = found[~found["is_whitelisted"]]
    if len(bad):
        lines = [f"{r.rule}: {r.country} {r.year} {r.indicator} published {r.published!r}, expected {r.expected!r}"
                 for r in bad.head(10).itertuples()]
        raise ValidationError(f"{len(bad)} consistency check(s) failed (not on the whitelist):\n  "
                              + "\n  ".join(lines))
    return found

"""Data-quality report: anomalies found in the published figures.

Three kinds of finding, each with the rule that raised it:

* consistency rules from :mod:`natoanalysis.checks` (NATO's derived figures
  recomputed);
* plausibility rules (implausible year-on-year jumps in a series);
* layout quirks of the published file (error cells, label-less rows).

Findings on the whitelist carry ``is_whitelisted=True`` and the reason.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from . import checks, store

#: (indicator, price basis, threshold in percent): a real change beyond the threshold in one year is worth a look.
#: Defence spending: the largest outside one-off purchases in the 2024 edition is about 50%. Real GDP: the largest
#: change otherwise is Montenegro's -15% in 2020, so 20% marks a break in the series rather than growth.
JUMP_RULES: tuple[tuple[str, str, float], ...] = (
    ("defence_exp_ncu", "constant", 60.0),
    ("gdp_usd", "constant", 20.0),
)


def yoy_jumps(tidy: pd.DataFrame, *, rules: tuple[tuple[str, str, float], ...] = JUMP_RULES) -> pd.DataFrame:
    """Ally series whose year-on-year change exceeds the rule's threshold (in percent).

    Examples
    --------
    >>> import natoanalysis as na
    >>> yoy_jumps(na.load())[["country", "year", "indicator"]].values.tolist()
    [['BGR', 2019, 'defence_exp_ncu'], ['LUX', 2023, 'gdp_usd']]
    """
    rows = []
    for indicator, basis, threshold in rules:
        sel = tidy[(tidy["indicator"] == indicator) & (tidy["price_basis"] == basis) & ~tidy["is_aggregate"]]
        for (ed, country), g in sel.groupby(["edition", "country"]):
            s = g.set_index("year")["value"].sort_index()
            change = (s / s.shift() - 1) * 100
            for year, pct in change[change.abs() > threshold].items():
                rows.append({"rule": "yoy_jump", "source": "nato", "edition": ed, "country": country,
                             "year": int(year), "indicator": indicator, "published": float(s[year]),
                             "expected": float(s[year - 1]),
                             "detail": f"{basis} {indicator} changes {pct:+.1f}% in one year (threshold {threshold:g}%)"})
    return pd.DataFrame(rows, columns=checks.FINDING_COLUMNS)


def _quirks(meta: dict) -> pd.DataFrame:
    rows = []
    for ed, info in meta.get("editions", {}).items():
        for q in info.get("quirks", []):
            rows.append({"rule": "unlabelled_row" if q["kind"] != "untitled_sheet" else "untitled_sheet",
                         "source": "nato", "edition": ed, "country": "", "year": -1, "indicator": q.get("table", ""),
                         "published": np.nan, "expected": np.nan,
                         "detail": f"{q['sheet']} row {q['row']}: {q['cells']}"})
    return pd.DataFrame(rows, columns=checks.FINDING_COLUMNS)


def data_quality(*, edition: str | None = "all", data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Return the anomalies the checks found in the bundled NATO data.

    Parameters
    ----------
    edition : str, optional
        ``"YYYY-MM"``, ``"all"`` (default) or None for the latest.
    data_dir : path-like, optional
        Data root.

    Returns
    -------
    pandas.DataFrame
        ``rule, source, edition, country, year, indicator, published, expected,
        detail, is_whitelisted, reason``; ``year`` is -1 for layout quirks.

    Examples
    --------
    >>> dq = data_quality()
    >>> sorted(dq.loc[dq["rule"] == "share_equals_ratio", "country"])
    ['FRA', 'LTU', 'SVK']
    >>> bool(dq["is_whitelisted"].all())
    True
    """
    tidy = store.load(source="nato", edition=edition, data_dir=data_dir)
    meta = store.processed_meta(source="nato", data_dir=data_dir)
    frames = []
    for ed, g in tidy.groupby("edition"):
        frames.append(checks.run_all(g, notes=meta["editions"].get(ed, {}).get("notes")))
    frames.append(checks.mark_whitelisted(yoy_jumps(tidy)))
    q = _quirks(meta)
    q = q[q["edition"].isin(tidy["edition"].unique())]
    frames.append(checks.mark_whitelisted(q))
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=checks.FINDING_COLUMNS + ["is_whitelisted", "reason"])
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["rule", "edition", "country", "year"], kind="stable").reset_index(drop=True)

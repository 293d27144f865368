"""Data-quality report: anomalies found in the published figures of the bundled editions.

Every rule lives in :mod:`natoanalysis.transform.checks`; this module runs them over
what the store holds:

* consistency rules (NATO's derived figures recomputed, within the rounding
  the tables print);
* plausibility rules (implausible year-on-year jumps in a series);
* blank cells where a figure is due, and layout quirks of the published file
  (error cells, label-less rows).

Findings on the whitelist carry ``is_whitelisted=True`` and the reason.
"""

from __future__ import annotations

import os

import pandas as pd

from .query import load, processed_meta


def data_quality(*, edition: str | None = "all", data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Return the anomalies the checks found in the bundled NATO data.

    Parameters
    ----------
    edition : str, optional
        ``"YYYY-MM"``, ``"all"`` (default) or None / ``"latest"`` for the latest.
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
    from ..transform import checks  # the rules: imported when asked, not with the package

    tidy = load(source="nato", edition=edition, data_dir=data_dir)
    meta = processed_meta(source="nato", data_dir=data_dir)
    info = meta["editions"]
    frames = [checks.findings(g, notes=info.get(ed, {}).get("notes"), quirks=info.get(ed, {}).get("quirks"))
              for ed, g in tidy.groupby("edition")]
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=checks.FINDING_COLUMNS + ["is_whitelisted", "reason"])
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["rule", "edition", "country", "year"], kind="stable").reset_index(drop=True)

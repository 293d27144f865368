"""Verdict tables as text for reports: a summary count and one Markdown paragraph per claim."""

from __future__ import annotations

import pandas as pd

from .verdicts import VERDICTS

LABELS = {
    "supported": "Supported",
    "supported_with_caveat": "Supported with a caveat",
    "contradicted": "Contradicted",
    "other_vintage": "Another vintage",
    "not_checkable": "Not checkable",
}


def summary(verdicts: pd.DataFrame) -> pd.DataFrame:
    """Number of claims per verdict, in the fixed order of :data:`VERDICTS`.

    Examples
    --------
    >>> t = pd.DataFrame({"verdict": ["supported", "supported", "other_vintage"]})
    >>> summary(t)["claims"].tolist()
    [2, 0, 0, 1, 0]
    """
    counts = verdicts["verdict"].value_counts()
    return pd.DataFrame({"verdict": list(VERDICTS), "meaning": [LABELS[v] for v in VERDICTS],
                         "claims": [int(counts.get(v, 0)) for v in VERDICTS]})


def as_markdown(verdicts: pd.DataFrame) -> str:
    """One paragraph per claim: statement, where reported, verdict, and the evidence sentence.

    Examples
    --------
    >>> row = {"id": "x", "verdict": "supported", "statement": "S.", "reported": "Outlet, 2025",
    ...        "definition": "d", "computed": "1", "claimed": "1 (u)", "explanation": "E."}
    >>> print(as_markdown(pd.DataFrame([row])).splitlines()[0])
    ### x: Supported
    """
    parts = []
    for r in verdicts.itertuples():
        parts.append(f"### {r.id}: {LABELS[r.verdict]}\n\n"
                     f"*{r.statement}* ({r.reported})\n\n"
                     f"- Claimed: {r.claimed}\n- Computed: {r.computed} ({r.definition})\n\n{r.explanation}\n")
    return "\n".join(parts)

"""Verdict tables as text for reports: a summary count and one Markdown paragraph per claim."""

from __future__ import annotations

from html import escape

import pandas as pd

from .. import allies, reference
from ..errors import UnknownCountryError
from ..views import text
from ..views.tables import header
from .verdicts import VERDICTS

#: Each verdict in words (``reference/verdicts.csv``).
LABELS = {r["verdict"]: r["label"] for r in reference.records("verdicts.csv")}


def _is_country(value: object) -> bool:
    try:
        allies.lookup(value)
    except UnknownCountryError:
        return False
    return isinstance(value, str)


def value_text(value: object) -> str:
    """A claimed or computed value as a reader reads it: allies by name, years with their figures.

    Examples
    --------
    >>> value_text(["GBR", "GRC", "USA"]), value_text({"2014": 3.714, "2024": 3.379}), value_text(9.26)
    ('the United Kingdom, Greece and the United States', '2014: 3.714; 2024: 3.379', '9.26')
    >>> value_text({"gap_pp": 1.45})
    'Gap (points of GDP): 1.45'
    >>> value_text([]), value_text(None), value_text(["a", "b"])
    ('none', '–', 'a and b')
    """
    if value is None:
        return text.DASH
    if isinstance(value, (list, tuple)):
        return text.allies(value) if all(_is_country(v) for v in value) else text.listing(map(str, value))
    if isinstance(value, dict):
        # Keys are years or registered column names ("gap_pp"): shown as their reader's label.
        return "; ".join(f"{header(k)}: {value_text(v)}" for k, v in value.items()) or text.DASH
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e6 else f"{value:,.0f}"
    return str(value)


def verdict_table(verdicts: pd.DataFrame) -> pd.DataFrame:
    """The verdicts as a reader's table: claim, verdict in words, what was claimed and what the edition gives.

    Examples
    --------
    >>> row = {"id": "x", "verdict": "other_vintage", "claimed": "3 (allies)", "computed": "2", "cited_publication": "",
    ...        "edition": "2024-06"}
    >>> verdict_table(pd.DataFrame([row])).values.tolist()
    [['x', 'Another vintage', 'edition 2024-06', '3 (allies)', '2']]
    """
    rests_on = [s if s else f"edition {e}" for s, e in zip(verdicts["cited_publication"], verdicts["edition"])]
    return pd.DataFrame({"id": verdicts["id"], "verdict": verdicts["verdict"].map(LABELS), "judged_against": rests_on,
                         "claimed": verdicts["claimed"], "computed": verdicts["computed"]})


def reproduced_table(across: pd.DataFrame) -> pd.DataFrame:
    """``check_claims(edition="all")`` as a reader's table: claim, editions that reproduce it, each verdict in words.

    Examples
    --------
    >>> t = pd.DataFrame({"id": ["x"], "reproduced_by": ["2025-08"], "verdicts": ["2025-08: supported"]})
    >>> reproduced_table(t).values.tolist()
    [['x', '2025-08', '2025-08: Supported']]
    """
    def words(cell: str) -> str:
        return "; ".join(f"{ed}: {LABELS.get(v, v)}" for ed, v in (p.split(": ", 1) for p in cell.split("; ") if p))

    return pd.DataFrame({"id": across["id"], "reproduced_by": across["reproduced_by"],
                         "verdicts": across["verdicts"].map(words)})


def summary(verdicts: pd.DataFrame) -> pd.DataFrame:
    """Number of claims per verdict, in the fixed order of :data:`VERDICTS`.

    Examples
    --------
    >>> t = pd.DataFrame({"verdict": ["supported", "supported", "other_vintage"]})
    >>> summary(t)["claims"].tolist()
    [0, 2, 0, 0, 0, 1, 0]
    """
    counts = verdicts["verdict"].value_counts()
    return pd.DataFrame({"verdict": list(VERDICTS), "meaning": [LABELS[v] for v in VERDICTS],
                         "claims": [int(counts.get(v, 0)) for v in VERDICTS]})


def as_markdown(verdicts: pd.DataFrame) -> str:
    """One paragraph per claim: statement, where reported, verdict, the evidence, and a link to the cited source.

    Where the claims registry gives the article's address (``reported.url``), the outlet links it; else the
    outlet is named without a link. Claim texts are escaped: a claim of one's own may hold anything, and the
    page must show it, not run it.

    Examples
    --------
    >>> row = {"id": "x", "verdict": "supported", "statement": "S <img src=x onerror=alert(1)>.",
    ...        "reported": "Outlet, 2025", "definition": "d", "computed": "1", "claimed": "1 (u)", "explanation": "E.",
    ...        "cited_publication": "", "cited_url": ""}
    >>> print(as_markdown(pd.DataFrame([row])))
    ### x: Supported
    <BLANKLINE>
    *S &lt;img src=x onerror=alert(1)&gt;.* (Outlet, 2025)
    <BLANKLINE>
    - Claimed: 1 (u)
    - Computed: 1 (d)
    <BLANKLINE>
    E.
    <BLANKLINE>
    >>> print(as_markdown(pd.DataFrame([dict(row, reported_url="https://example.org/a?b=1&c")])).splitlines()[2])
    *S &lt;img src=x onerror=alert(1)&gt;.* ([Outlet, 2025](https://example.org/a?b=1&amp;c))
    """
    parts = []
    for r in verdicts.itertuples():
        e = {k: escape(str(getattr(r, k)), quote=False)
             for k in ("id", "statement", "reported", "claimed", "computed", "definition", "explanation")}
        link = f"\n\nSource: [{escape(r.cited_publication, quote=False)}]({escape(r.cited_url)})" if r.cited_url else ""
        article = getattr(r, "reported_url", "")
        reported = f"[{e['reported']}]({escape(article)})" if article else e["reported"]
        parts.append(f"### {e['id']}: {LABELS[r.verdict]}\n\n*{e['statement']}* ({reported})\n\n"
                     f"- Claimed: {e['claimed']}\n- Computed: {e['computed']} ({e['definition']})\n\n"
                     f"{e['explanation']}{link}\n")
    return "\n".join(parts)

"""A claim judged against the publication it cites, where ``reference/publications.csv`` holds that figure.

News reports quote NATO's figures from the Secretary General's Annual Reports
and press conferences, whose estimates differ from the tables of any one
edition. A claim that names such a publication (``publication.id`` and
``publication.figure`` in the registry) is judged against it first; what each
bundled edition gives is reported beside it.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from .. import allies, reference
from .verdicts import CONTRADICTED_BY_SOURCE, SUPPORTED_BY_SOURCE


@dataclasses.dataclass(frozen=True)
class SourceJudgement:
    """The verdict against the cited publication, the sentence saying so, and where to read it."""

    verdict: str | None  # None: the publication is on file, but not the figure the claim needs
    sentence: str
    title: str
    url: str


def figures() -> pd.DataFrame:
    """NATO's figures published outside the tables, one per row, with publication, date, URL, year and basis.

    Examples
    --------
    >>> f = figures().set_index(["publication", "figure", "country", "year"])
    >>> row = f.loc[("sg-annual-report-2024", "allies_at_2pct", "NATO_TOTAL", 2024)]
    >>> float(row["value"]), row["published"]
    (22.0, '2025-04-24')
    """
    df = reference.read("publications.csv")
    df["year"] = df["year"].astype(int)
    df["value"] = df["value"].astype(float)
    return df


def _claimed(claim: dict) -> dict[int, float] | float | None:
    q = claim["quantity"]
    if "values" in q:
        return {int(y): float(v) for y, v in q["values"].items()}
    return float(q["value"]) if "value" in q else None


def _source_values(claim: dict, rows: pd.DataFrame) -> tuple[dict[int, float] | float, str] | None:
    """The cited figure in the claim's terms (the same years; for a count below, the allies left), and its wording."""
    args, claimed = claim["args"], _claimed(claim)
    if "country" in args:
        rows = rows[rows["country"] == allies.resolve(args["country"])]
    if rows.empty:
        return None
    by_year, unit, basis = dict(zip(rows["year"], rows["value"])), rows["unit"].iloc[0], rows["basis"].iloc[0]
    if isinstance(claimed, dict):
        if not set(claimed) <= set(by_year):
            return None
        values = {y: by_year[y] for y in claimed}
        return values, f"{'; '.join(f'{y}: {v:g}' for y, v in values.items())} ({unit}; {basis})"
    year = args.get("year", args.get("end"))
    if not isinstance(year, int) or year not in by_year:
        return None
    if args.get("expect") == "count_below":  # the allies with armed forces that the source does not count
        assessed = [c for c in allies.members(year=year) if allies.has_armed_forces(c)]
        below = float(len(assessed) - by_year[year])
        return below, (f"{by_year[year]:g} {unit} in {year}, so {below:g} of the {len(assessed)} allies with armed "
                       f"forces below ({basis})")
    return by_year[year], f"{by_year[year]:g} ({unit}, {year}; {basis})"


def judge(claim: dict) -> SourceJudgement | None:
    """The claim against its cited publication, or None when ``publications.csv`` does not hold that publication.

    Examples
    --------
    >>> from natoanalysis.claims import load_claims
    >>> claim = {c["id"]: c for c in load_claims()}["allies-2pct-22-of-32"]
    >>> j = judge(claim)
    >>> j.verdict, j.sentence
    ('supported_by_source', "Supported by its source: The Secretary General's Annual Report 2024 (NATO, 2025-04-24) gives 22 (allies at or above 2% of GDP, 2024; NATO's estimates for 2024, as the report gives them).")
    """
    pub = claim["publication"]
    rows = figures()
    rows = rows[rows["publication"] == pub.get("id", "")]
    if rows.empty:
        return None
    first = rows.iloc[0]
    cited = f"{first['title']} ({first['publisher']}, {first['published']})"
    found = _source_values(claim, rows[rows["figure"] == pub.get("figure", "")])
    if found is None:
        return SourceJudgement(None, f"Its source, {cited}, does not print this figure.", cited, first["url"])
    source, wording = found
    claimed, tol = _claimed(claim), float(claim["tolerance"])
    pairs = [(claimed[y], source[y]) for y in claimed] if isinstance(claimed, dict) else [(claimed, source)]
    if all(abs(c - s) <= tol + 1e-9 for c, s in pairs):  # 1e-9: the registry's decimals, not a tolerance
        return SourceJudgement(SUPPORTED_BY_SOURCE, f"Supported by its source: {cited} gives {wording}.", cited,
                               first["url"])
    return SourceJudgement(CONTRADICTED_BY_SOURCE, f"Contradicted by its source: {cited} gives {wording}.", cited,
                           first["url"])

"""Who met NATO's guidelines in which year, and how many (notebook 03)."""

from __future__ import annotations

import pandas as pd

from .. import allies, reference
from .. import validate
from ..metrics.guidelines import compliance_table, printed_versus_recomputed
from . import labels, text
from .provenance import attach, provenance_of
from .selection import rows


def guideline_labels() -> dict[str, str]:
    """``{flag column: label}`` of the guidelines a compliance table tests, from ``reference/guidelines.csv``.

    Examples
    --------
    >>> guideline_labels()["meets_2pct"]
    '2% of GDP'
    """
    g = reference.guidelines()
    g = g[g["flag_column"].fillna("").astype(str) != ""]
    return dict(zip(g["flag_column"], g["label"]))


def compliance_history(*, data: pd.DataFrame, figure: str = "published") -> pd.DataFrame:
    """:func:`natoanalysis.compliance_table` for every year of the edition, with the allies' names.

    Returns
    -------
    pandas.DataFrame
        ``country, country_name, year, share_gdp_pct, equipment_share_pct,
        meets_2pct, meets_equipment_20pct, meets_hague_core_3_5pct`` (nullable
        booleans, missing for Iceland), one row per ally from its accession year.

    Examples
    --------
    >>> import natoanalysis as na
    >>> t = compliance_history(data=na.load())
    >>> t.query("country == 'POL' and year == 2014")[["country_name", "meets_2pct"]].values.tolist()
    [['Poland', False]]
    """
    df = validate.table(data, None)
    t = compliance_table(figure=figure, data=df)
    t.insert(1, "country_name", t["country"].map(allies.country_name).astype(str))
    used = ["share_gdp_pct", "equipment_share_pct"] + (["defence_exp_usd", "gdp_usd"] if figure != "published" else [])
    return attach(t, rows=rows(df, indicator=[i for i in used if i in set(df["indicator"])]))


def meeting_counts(*, data: pd.DataFrame, figure: str = "published") -> pd.DataFrame:
    """Number of allies meeting each guideline per year, and how many were assessed.

    Iceland (no armed forces) is never assessed; an ally is assessed from its
    accession year.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``year``: ``n_assessed``, ``n_meets_2pct``,
        ``n_meets_equipment_20pct``, ``n_meets_hague_core_3_5pct``.

    Examples
    --------
    >>> import natoanalysis as na
    >>> c = meeting_counts(data=na.load())
    >>> c.loc[[2014, 2023, 2024], "n_meets_2pct"].tolist()
    [3, 10, 23]
    """
    t = compliance_history(data=data, figure=figure)
    g = t.groupby("year")
    out = pd.DataFrame({"n_assessed": g["meets_2pct"].count()})
    for col in guideline_labels():
        out[f"n_{col}"] = g[col].sum().astype(int)
    return attach(out, rows=provenance_of(t))


def counts_long(counts: pd.DataFrame) -> pd.DataFrame:
    """:func:`meeting_counts` as a long table ``year, guideline, n_allies`` for a grouped bar chart.

    Examples
    --------
    >>> c = pd.DataFrame({"n_assessed": [28], "n_meets_2pct": [3], "n_meets_equipment_20pct": [8],
    ...                   "n_meets_hague_core_3_5pct": [1]}, index=pd.Index([2014], name="year"))
    >>> counts_long(c).values.tolist()
    [[2014, '2% of GDP', 3], [2014, '20% on equipment', 8], [2014, '3.5% core (Hague)', 1]]
    """
    parts = [pd.DataFrame({"year": counts.index.astype(int), "guideline": label,
                           "n_allies": counts[f"n_{col}"].to_numpy()}) for col, label in guideline_labels().items()]
    out = pd.concat(parts, ignore_index=True).sort_values(["year"], kind="stable").reset_index(drop=True)
    out.attrs.update(counts.attrs)  # the provenance of the counts (plain values)
    return out


#: Where the reports tell the printed-against-recomputed cases in full (the data overview's findings); the
#: other pages link there. Pages are rendered side by side, ``html/<notebook>.html``, headings anchored by their text.
RECOMPUTED_DETAILS = "00_data_overview.html#Data-quality-findings"


def recomputed_markdown(*, data: pd.DataFrame, threshold_pct: float = 2.0, brief: bool = False) -> str:
    """Which ally-years meet a threshold on NATO's printed share but not on expenditure / GDP, as Markdown.

    In full (the data overview) each case with both figures; ``brief``, one
    sentence naming the cases with a link to the full account
    (:data:`RECOMPUTED_DETAILS`), for the other pages.

    Examples
    --------
    >>> import natoanalysis as na
    >>> print(recomputed_markdown(data=na.load()))  # doctest: +ELLIPSIS
    In edition 2024-06, 3 published shares meet 2% of GDP although defence expenditure over GDP ... Lithuania 2019 (printed 2.000%, recomputed 1.995%), France 2020 ...
    >>> print(recomputed_markdown(data=na.load(), brief=True))  # doctest: +ELLIPSIS
    In edition 2024-06, 3 published shares meet 2% of GDP although defence expenditure over GDP falls just short: Lithuania 2019, France 2020 and ... ([both figures](00_data_overview.html#Data-quality-findings)).
    """
    df = validate.table(data, None)
    t = printed_versus_recomputed(data=df, threshold_pct=threshold_pct)
    cases = [f"{allies.name_in_text(r.country)} {labels.year_label(df, r.year)}"
             + ("" if brief else f" (printed {text.pct(r.published_share_gdp_pct, decimals=3)}, recomputed "
                                 f"{text.pct(r.recomputed_share_gdp_pct, decimals=3)})") for r in t.itertuples()]
    return text.sentence("recomputed", edition=labels.edition(df), threshold=threshold_pct, cases=cases,
                         meets_all=bool((t["published_share_gdp_pct"] >= threshold_pct).all()), brief=brief,
                         base=f"(Tables 2 and 5, {labels.price_basis(df, 'constant')})", link=RECOMPUTED_DETAILS)


def counts_markdown(*, data: pd.DataFrame, counts: pd.DataFrame | None = None) -> str:
    """How the number of allies at 2% of GDP moved over the edition's years, as one Markdown sentence.

    Examples
    --------
    >>> import natoanalysis as na
    >>> print(counts_markdown(data=na.load()))  # doctest: +ELLIPSIS
    Allies at or above 2% of GDP: 3 of 27 assessed in 2014, ... 10 in 2023e and 23 of 31 in 2024e. ...
    """
    df = validate.table(data, None)
    c = meeting_counts(data=df) if counts is None else counts
    years = [int(y) for y in c.index]
    first, last = years[0], years[-1]
    est = set(labels.estimate_years(df))
    n = c["n_meets_2pct"]
    assessed = c["n_assessed"]
    parts = [f"{n[first]} of {assessed[first]} assessed in {labels.year_label(df, first)}"]
    middle = [y for y in years[1:-1] if y not in est]
    if middle:
        lo, hi = min(middle, key=lambda y: n[y]), max(middle, key=lambda y: n[y])
        parts.append(f"between {n[lo]} ({lo}) and {n[hi]} ({hi}) in the years up to {middle[-1]}")
    parts += [f"{n[y]} in {labels.year_label(df, y)}" for y in years[1:-1] if y in est]
    parts.append(f"{n[last]} of {assessed[last]} in {labels.year_label(df, last)}")
    return text.sentence("counts", parts=parts, equip_more=int((c["n_meets_equipment_20pct"] > n).sum()),
                         n_years=len(years), core_max=int(c["n_meets_hague_core_3_5pct"].max()))


def core_target_markdown(*, gaps: pd.DataFrame, data: pd.DataFrame, year: int, core_target_pct: float) -> str:
    """Which allies stand at or above the core target in ``year`` and how far the median ally is short (Markdown).

    ``gaps`` is :func:`natoanalysis.views.pathways.target_gaps`.
    """
    df = validate.table(data, None)
    above = gaps.loc[gaps["gap_core_pp"] <= 0].sort_values("share_gdp_pct", ascending=False)["country"].tolist()
    return text.sentence("core_target", year=labels.year_label(df, year), above=above, n=len(gaps),
                         target=core_target_pct, median=gaps["gap_core_pp"].median(),
                         skipped=sorted(gaps.attrs.get("skipped", {})))

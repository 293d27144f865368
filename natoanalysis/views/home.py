"""The home page of a report run: what the edition is and the figures a reader looks for first.

Each key figure is computed by a metric and labelled from the rows it comes
from: its year (``"2024e"`` for an estimate), its price basis and what is
measured, so the home page states them without writing any by hand.
"""

from __future__ import annotations

import os

import pandas as pd

from .. import allies, reference, store, validate
from .. import edition as editions_mod
from ..metrics.burden import burden_share
from ..metrics.groups import group_growth
from ..metrics.guidelines import allies_meeting
from . import labels, text
from .provenance import copies

#: The guidelines whose count of allies the home page shows (rows of ``reference/guidelines.csv``).
COUNTED_GUIDELINES = ("nato_2pct", "hague_core_3_5pct")


def edition_facts(*, data: pd.DataFrame) -> dict[str, object]:
    """What a reader needs to know about the edition before its figures.

    Returns
    -------
    dict
        ``edition``, ``publication``, ``publication_date`` and ``data_cutoff``
        (``"YYYY-MM-DD"``, or ``None`` when the publisher states none),
        ``first_year``, ``last_year``, ``estimate_years`` (list of int),
        ``estimate_years_text``, ``prices`` (the constant-price basis),
        ``definition``, ``newer`` (a sentence naming the newer editions
        known but not loaded, and how to get them; ``""`` when there is none)
        and ``is_copy`` (True when the transcription was made from a file that
        is not the publisher's: a re-save or a replacement).

    Examples
    --------
    >>> import natoanalysis as na
    >>> from natoanalysis.views import labels
    >>> data = na.load(edition="2024-06")
    >>> facts = edition_facts(data=data)
    >>> facts["publication_date"], facts["data_cutoff"], facts["estimate_years_text"]
    ('2024-06-17', None, '2023 and 2024')
    >>> facts["prices"] == f"constant {labels.base_year(data)} prices and exchange rates"
    True
    >>> facts["newer"].startswith("Newer NATO editions are published: 2025-08")
    True
    """
    df = validate.table(data, None)
    ed = labels.edition(df)
    record = editions_mod.record(source=str(df["source"].iloc[0]), edition=ed) or {}
    first, last = validate.edition_years(df)
    est = labels.estimate_years(df)
    return {
        "edition": ed, "publication": labels.publication(df),
        "publication_date": record.get("publication_date") or None, "data_cutoff": record.get("data_cutoff") or None,
        "first_year": first, "last_year": last, "estimate_years": est, "estimate_years_text": labels.years_text(est),
        "prices": labels.price_basis(df, "constant"), "definition": labels.definition(df),
        "is_copy": bool(copies(str(df["source"].iloc[0]), (ed,))),
        "newer": editions_mod.newer_text(source=str(df["source"].iloc[0]), edition=ed,
                                         available=store.editions(source=str(df["source"].iloc[0]))["edition"]),
    }


def key_figures(*, data: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
    """The key figures of one year: allies at each counted guideline, the US share, European real growth.

    Allies are counted on NATO's published share of real GDP, Iceland (no
    armed forces) and allies without a printed figure counted neither way
    (:func:`~natoanalysis.metrics.guidelines.allies_meeting`). The US share
    of allied defence expenditure is given at current and at constant prices
    (:func:`~natoanalysis.metrics.burden.burden_share`). The real growth of
    NATO Europe and Canada is given as NATO counts it (each year's members,
    so accessions count as growth) and for the same allies in both years
    (:func:`~natoanalysis.metrics.groups.group_growth`).

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy NATO rows of one edition.
    year : int, optional
        Default: the edition's latest year (the latest year with a previous one, for growth).

    Returns
    -------
    pandas.DataFrame
        One row per figure: ``key``, ``label``, ``value`` (a number: a count
        or percent), ``shown`` (as a reader reads it), ``year``,
        ``year_label``, ``is_estimate``, ``basis`` (price basis and what is measured).

    Examples
    --------
    >>> import natoanalysis as na
    >>> k = key_figures(data=na.load(edition="2024-06")).set_index("key")
    >>> k.loc["allies_at_nato_2pct", "shown"], k.loc["allies_at_nato_2pct", "year_label"]
    ('23 of 31', '2024e')
    >>> k.loc["usa_share_current", "shown"], k.loc["usa_share_constant", "basis"].startswith("Constant ")
    ('65.6%', True)
    >>> k.loc["europe_canada_real_growth_published", "shown"], k.loc["europe_canada_real_growth_like_for_like", "shown"]
    ('+17.95%', '+14.89%')
    """
    df = validate.table(data, None)
    y = validate.year_or_last(year, df)
    year_label = labels.year_label(df, y)
    is_estimate = bool(df.loc[df["year"] == y, "is_estimate"].any())
    rows = []

    def add(key: str, label: str, value: float, shown: str, basis: str) -> None:
        rows.append({"key": key, "label": label, "value": value, "shown": shown, "year": y, "year_label": year_label,
                     "is_estimate": is_estimate, "basis": basis})

    guidelines = reference.guidelines().set_index("guideline")
    share_basis = (f"{labels.measure(df).capitalize()} over GDP, "
                   f"{labels.price_basis(df, 'constant', exchange_rates=False)} (NATO's published share)")
    for name in COUNTED_GUIDELINES:
        meets = allies_meeting(threshold_pct=float(guidelines.at[name, "threshold_pct"]), year=y, data=df)
        assessed = meets[meets["status"].isin(["meets", "below"])]
        n = int((assessed["status"] == "meets").sum())
        add(f"allies_at_{name}", f"Allies at or above {guidelines.at[name, 'label']}", n, f"{n} of {len(assessed)}",
            share_basis)
    for basis in ("current", "constant"):
        share = float(burden_share(year=y, price_basis=basis, data=df)["usa_defence_share_pct"])
        add(f"usa_share_{basis}", f"{allies.name_in_text('USA', start=True)}' share of allied {labels.measure(df)}",
            share, text.pct(share, decimals=1), labels.price_basis(df, basis, capital=True))
    group = allies.country_name("NATO_EUROPE_CANADA")
    for membership in ("published", "like_for_like"):
        growth = group_growth(group="europe_canada", year=y, membership=membership, price_basis="constant", data=df)
        add(f"europe_canada_real_growth_{membership}", f"{group}: real growth on the year before", growth,
            text.pct(growth, sign=True), labels.growth_definition(df, membership=membership, price_basis="constant"))
    return pd.DataFrame(rows)


def findings_flag(*, data: pd.DataFrame, data_dir: str | os.PathLike | None = None) -> str:
    """A warning for the home page when the edition was ingested with findings not on the whitelist, else ``""``.

    The count is the one the processed table's build recorded (the checks are not run again).

    Parameters
    ----------
    data : pandas.DataFrame
        One edition of the tidy NATO table.
    data_dir : path-like, optional
        The data folder ``data`` was loaded from (default: the usual one).

    Examples
    --------
    >>> import natoanalysis as na
    >>> findings_flag(data=na.load())  # the bundled edition's findings are all on the whitelist
    ''
    """
    df = validate.table(data, None)
    ed = labels.edition(df)
    info = store.processed_meta(source="nato", data_dir=data_dir)["editions"].get(ed, {})
    n = int(info.get("findings_not_whitelisted", 0))
    if not n:
        return ""
    return (f"Edition {ed} holds {n} finding{'s' if n != 1 else ''} of the consistency checks that the whitelist "
            "does not explain: its figures may have been misread or edited. The data overview (00) lists them.")


def sparklines(*, data: pd.DataFrame, countries: list[str], width: int = 120, height: int = 32) -> dict[str, dict]:
    """Each ally's published share of GDP as a sparkline for a home-page card, on one scale for all the cards.

    The scale runs from just below the lowest share shown (or 2%) to just above the highest.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy NATO rows of one edition.
    countries : list of str
        ISO3 codes of the cards.
    width, height : int
        The sparkline's box, in SVG user units.

    Returns
    -------
    dict
        ``{code: {...}}`` for each ally with a figure: ``points`` (the
        published years, ``"x,y x,y"``), ``estimate_points`` (from the last
        published year on; ``""`` when none), ``guideline_y`` (the 2% line),
        ``latest`` (``"4.12%"``), ``year_label`` (``"2024e"``), ``first_year``
        and ``summary`` (the values in words, for the SVG's title). An ally
        without a figure (Iceland: no armed forces) is left out.

    Examples
    --------
    >>> import natoanalysis as na
    >>> df = na.load()
    >>> s = sparklines(data=df, countries=["POL", "ISL"])
    >>> sorted(s), s["POL"]["latest"] == text.pct(df.query("country == 'POL' and indicator == 'share_gdp_pct'"
    ...                                                      " and year == year.max()")["value"].item())
    (['POL'], True)
    >>> len(s["POL"]["points"].split()) + len(s["POL"]["estimate_points"].split()) - 1 == df["year"].nunique()
    True
    """
    df = validate.table(data, None)
    share = df[(df["indicator"] == "share_gdp_pct") & ~df["is_aggregate"] & df["value"].notna()]
    threshold = float(reference.guidelines().set_index("guideline").at["nato_2pct", "threshold_pct"])
    first, last = validate.edition_years(df)
    shown = share.loc[share["country"].isin(countries), "value"]
    low, top = min([*shown, threshold]) * 0.95, max([*shown, threshold]) * 1.05

    def xy(year: int, value: float) -> str:
        return f"{(year - first) / max(last - first, 1) * width:.1f},{(top - value) / (top - low) * height:.1f}"

    out = {}
    for code, part in share[share["country"].isin(countries)].sort_values("year").groupby("country"):
        est = part["is_estimate"].astype(bool).to_numpy()
        pts = [xy(int(y), float(v)) for y, v in zip(part["year"], part["value"])]
        n_pub = int((~est).sum())
        latest = part.iloc[-1]
        out[str(code)] = {
            "points": " ".join(pts[:n_pub]), "estimate_points": " ".join(pts[max(n_pub - 1, 0):]) if est.any() else "",
            "guideline_y": f"{(top - threshold) / (top - low) * height:.1f}", "latest": text.pct(float(latest["value"])),
            "year_label": labels.year_label(df, int(latest["year"])), "first_year": int(part["year"].iloc[0]),
            "summary": f"{text.pct(float(part['value'].iloc[0]))} in {int(part['year'].iloc[0])}, "
                       f"{text.pct(float(latest['value']))} in {labels.year_label(df, int(latest['year']))}"}
    return out

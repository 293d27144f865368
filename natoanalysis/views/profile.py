"""One ally at a glance: its series, rank, guideline status, composition, personnel, pathway (notebook 05)."""

from __future__ import annotations

import pandas as pd

from .. import allies, reference
from .. import validate
from . import labels, text
from .provenance import attach, provenance_of
from .selection import marker_notes, rows
from ..metrics.targets import gap_to_target, project_path, required_annual_increase

COMPOSITION = {"equipment_share_pct": "Equipment (incl. R&D)", "personnel_share_pct": "Personnel",
               "infrastructure_share_pct": "Infrastructure", "other_share_pct": "Other"}


def _rank(df: pd.DataFrame, *, indicator: str, basis: str, year: int, country: str) -> tuple[int, int]:
    sel = df[(df["indicator"] == indicator) & (df["price_basis"].fillna("") == basis) & (df["year"] == year)
             & ~df["is_aggregate"].astype(bool)]
    order = sel.sort_values("value", ascending=False)["country"].tolist()
    return order.index(country) + 1, len(order)


def profile_summary(*, data: pd.DataFrame, country: str, year: int | None = None, core_target_pct: float = 3.5,
                    by: int = 2035) -> pd.Series:
    """Key figures for one ally in one year.

    Ranks are among the allies with a figure that year (1 = highest). The
    2% and 20% statuses use NATO's published figures (Tables 3 and 8) and
    the thresholds of ``reference/guidelines.csv``.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy NATO rows of one edition.
    country : str
        Ally ISO3 code with armed forces (not Iceland).
    year : int, optional
        Default: the latest year in which the edition prints the ally's share
        of GDP (the edition's last year unless its figure was held back).
    core_target_pct : float, default 3.5
        Core defence target, percent of GDP.
    by : int, default 2035
        Year the target is to be met.

    Returns
    -------
    pandas.Series
        ``country_name``, ``year``, ``share_gdp_pct``, ``rank_share_gdp``, ``n_ranked``,
        ``defence_exp_usd_current_million``, ``rank_defence_exp``,
        ``real_change_pct``, ``meets_2pct``, ``years_at_2pct`` (since the
        edition's first year or accession), ``equipment_share_pct``,
        ``meets_equipment_20pct``, ``military_personnel_thousand``,
        ``gap_to_core_target_pp``, ``gap_to_core_target_usd_current_million``,
        ``required_increase_pp_per_year``, ``is_estimate``, and
        ``years_without_share`` (``{year: why}`` where the edition prints none).

    Examples
    --------
    >>> import natoanalysis as na
    >>> s = profile_summary(data=na.load(), country="POL", year=2024)
    >>> int(s["rank_share_gdp"]), int(s["rank_defence_exp"]), s["meets_2pct"], round(s["gap_to_core_target_pp"], 2)
    (1, 5, True, -0.62)
    >>> round(s["real_change_pct"], 1)
    30.1
    """
    df = validate.table(data, None)
    code = validate.country(country)
    if not allies.has_armed_forces(code):
        raise ValueError(f"country {code}: {validate.NO_DEFENCE_REASON}; accepted: allies with armed forces")
    share = validate.wide(df, "share_gdp_pct", "constant").loc[code] if code in set(df["country"]) else pd.Series(
        dtype=float)
    missing = {int(y): r for y, r in df.loc[(df["country"] == code) & (df["indicator"] == "share_gdp_pct")
                                            & df["value"].isna()].set_index("year")["missing_reason"].items()}
    if year is None:
        if share.dropna().empty:
            raise ValueError(f"the edition prints no share of GDP for {code}; accepted: allies with figures")
        y = int(share.dropna().index.max())
    else:
        y = validate.year(year, df)
        if y in missing:
            printed = ", ".join(map(str, share.dropna().index.astype(int)))
            raise ValueError(f"the edition prints no share of GDP for {code} in {y} ({missing[y]}); accepted "
                             f"years: {printed}")

    def value(indicator: str) -> float:
        basis = validate.price_basis(None, df, indicator=indicator) if indicator != "defence_exp_usd" else "current"
        sel = df[(df["country"] == code) & (df["indicator"] == indicator) & (df["year"] == y)
                 & (df["price_basis"].fillna("") == basis)]
        return float(sel["value"].iloc[0]) if len(sel) else float("nan")

    two, equip_min = reference.guideline("nato_2pct"), reference.guideline("nato_equipment_20pct")
    rank_share, n = _rank(df, indicator="share_gdp_pct", basis="constant", year=y, country=code)
    rank_exp, _ = _rank(df, indicator="defence_exp_usd", basis="current", year=y, country=code)
    gap = gap_to_target(country=code, target_pct=core_target_pct, year=y, data=df)
    equipment = value("equipment_share_pct")
    return pd.Series({
        "country_name": allies.country_name(code), "year": y, "share_gdp_pct": value("share_gdp_pct"),
        "rank_share_gdp": rank_share, "n_ranked": n,
        "defence_exp_usd_current_million": value("defence_exp_usd"), "rank_defence_exp": rank_exp,
        "real_change_pct": value("real_change_pct"),
        "meets_2pct": bool(share.get(y, float("nan")) >= two),
        "years_at_2pct": sorted(int(v) for v in share.index[share >= two]),
        "equipment_share_pct": equipment, "meets_equipment_20pct": bool(equipment >= equip_min),
        "military_personnel_thousand": value("military_personnel_thousand"),
        "gap_to_core_target_pp": float(gap["gap_pp"]), "gap_to_core_target_usd_current_million":
            float(gap["gap_usd_million"]),
        # an ally already at or above the target needs no rise: no figure, not a negative one
        "required_increase_pp_per_year": required_annual_increase(country=code, target_pct=core_target_pct, by=by,
                                                                  start=y, data=df)
        if float(gap["gap_pp"]) > 0 else float("nan"),
        "is_estimate": bool(df.loc[df["year"] == y, "is_estimate"].any()),
        "years_without_share": missing,
    }, dtype=object)


def profile_markdown(*, data: pd.DataFrame, country: str, year: int | None = None, core_target_pct: float = 3.5,
                     by: int = 2035) -> str:
    """The profile's opening paragraph and bullet points, as Markdown, from :func:`profile_summary`.

    Examples
    --------
    >>> import natoanalysis as na
    >>> print(profile_markdown(data=na.load(), country="POL").splitlines()[0])  # doctest: +ELLIPSIS
    In 2024 (NATO estimate), Poland spent **4.12% of GDP** on defence, rank 1 of 31 allies, ...
    """
    df = validate.table(data, None)
    s = profile_summary(data=df, country=country, year=year, core_target_pct=core_target_pct, by=by)
    code = validate.country(country)
    marked = df.loc[(df["country"] == code) & (df["year"] == s["year"]), ["note_marker", "table"]].dropna()
    marked = marked[marked["note_marker"] != ""]
    tables = sorted(set(marked["table"]))
    where = ("Tables " if len(tables) > 1 else "Table ") + text.listing(t.replace("Table ", "") for t in tables)
    return text.sentence(
        "profile", s=s, year=int(s["year"]), name=allies.name_in_text(code), measure=labels.measure(df),
        current=labels.price_basis(df, "current"), real_basis=labels.price_basis(df, "constant", exchange_rates=False),
        held=[f"{y} ({r.replace('_', ' ')})" for y, r in sorted(s["years_without_share"].items())],
        two=reference.guideline("nato_2pct"), equipment=reference.guideline("nato_equipment_20pct"),
        marks=[note.split(" marks ", 1) for note in marker_notes(marked["note_marker"])], where=where,
        target=core_target_pct, by=by)


def composition(*, data: pd.DataFrame, country: str) -> pd.DataFrame:
    """An ally's defence expenditure by category (NATO Table 8), as a long table.

    Returns
    -------
    pandas.DataFrame
        ``year, category, share_of_defence_exp_pct`` (the four categories add
        up to about 100 each year).

    Examples
    --------
    >>> import natoanalysis as na
    >>> c = composition(data=na.load(), country="POL").query("year == 2024")
    >>> round(float(c["share_of_defence_exp_pct"].sum()))
    100
    """
    df = validate.table(data, None)
    code = validate.country(country)
    sel = df[(df["country"] == code) & df["indicator"].isin(list(COMPOSITION))]
    out = pd.DataFrame({"year": sel["year"].astype(int), "category": sel["indicator"].map(COMPOSITION),
                        "share_of_defence_exp_pct": sel["value"].astype(float),
                        "_order": sel["indicator"].map({k: i for i, k in enumerate(COMPOSITION)})})
    return attach(out.sort_values(["year", "_order"]).drop(columns="_order").reset_index(drop=True), rows=sel)


def pathway(*, data: pd.DataFrame, country: str, core_target_pct: float = 3.5, by: int = 2035,
            year: int | None = None) -> pd.DataFrame:
    """Published share of GDP up to ``year`` followed by the straight path to the core target by ``by``.

    The path is :func:`natoanalysis.project_path` (GDP growing at the ally's
    trend over the edition's years). An ally already at or above the target
    needs no path: only its published share comes back, and
    ``attrs["above_target"]`` is True.

    Returns
    -------
    pandas.DataFrame
        ``year, series, share_gdp_pct`` with ``series`` "Published" or "Path to target".

    Examples
    --------
    >>> import natoanalysis as na
    >>> p = pathway(data=na.load(), country="ITA")
    >>> p.groupby("series")["year"].agg(["min", "max"]).loc["Path to target"].tolist()
    [2024, 2035]
    >>> pol = pathway(data=na.load(), country="POL")
    >>> pol["series"].unique().tolist(), pol.attrs["above_target"]
    (['Published'], True)
    """
    df = validate.table(data, None)
    code = validate.country(country)
    _, last = validate.edition_years(df)
    y = validate.year(year, df, allow_none=True) or last
    hist = df[(df["country"] == code) & (df["indicator"] == "share_gdp_pct") & (df["year"] <= y)].dropna(
        subset=["value"])
    published = pd.DataFrame({"year": hist["year"].astype(int), "series": "Published",
                              "share_gdp_pct": hist["value"].astype(float)})
    now = hist.loc[hist["year"] == y, "value"]
    above = bool(len(now) and float(now.iloc[0]) >= core_target_pct)
    parts = [published]
    if not above:
        path = project_path(country=code, target_pct=core_target_pct, by=by, start=y, data=df)
        parts.append(pd.DataFrame({"year": path.index.astype(int), "series": "Path to target",
                                   "share_gdp_pct": path["share_gdp_pct"].to_numpy()}))
    out = pd.concat(parts, ignore_index=True)
    out.attrs.update(above_target=above, from_year=y)
    # The path's GDP trend reads every year of the ally's GDP, not only the years drawn.
    return attach(out, rows=rows(df, indicator=["share_gdp_pct", "gdp_usd"], country=code))


def money_series(*, data: pd.DataFrame, country: str, indicator: str) -> pd.DataFrame:
    """An ally's (or a NATO aggregate's) defence expenditure or GDP in US dollars at both price bases.

    Billions, unless the largest figure is under one billion (Montenegro's
    spending): then millions, so that an axis never reads "0.06 billion".
    :func:`money_axis` gives the column and its axis label.

    Parameters
    ----------
    data : pandas.DataFrame
    country : str
        Ally ISO3 code (or name), or a NATO aggregate (``"NATO_TOTAL"``: NATO's published total, which
        counts an ally from its accession year).
    indicator : {"defence_exp_usd", "gdp_usd"}

    Returns
    -------
    pandas.DataFrame
        ``year, basis_label`` and ``usd_billion`` or ``usd_million``, constant prices first; empty for Iceland's
        defence expenditure.

    Examples
    --------
    >>> import natoanalysis as na
    >>> t = money_series(data=na.load(), country="ISL", indicator="gdp_usd").query("year == 2014")
    >>> t["usd_billion"].round(1).tolist()
    [16.8, 17.9]
    >>> t = money_series(data=na.load(), country="NATO_TOTAL", indicator="defence_exp_usd").query("year == 2014")
    >>> t["usd_billion"].round(1).tolist()
    [910.4, 943.2]
    """
    df = validate.table(data, None)
    validate.choice(indicator, name="indicator", accepted=("defence_exp_usd", "gdp_usd"))
    sel = rows(df, indicator=indicator, country=country)
    usd_million = sel["value"].astype(float)
    column = "usd_million" if usd_million.abs().max() < 1000 else "usd_billion"  # NaN max (no rows): billions
    out = pd.DataFrame({"year": sel["year"].astype(int), "basis_label": sel["price_basis"].map(labels.basis_labels(df)),
                        column: usd_million / (1 if column == "usd_million" else 1000)})
    return attach(out.sort_values(["basis_label", "year"]).reset_index(drop=True), rows=sel)


def money_axis(table: pd.DataFrame) -> tuple[str, str]:
    """The money column of a :func:`money_series` table and the axis label of its unit.

    Parameters
    ----------
    table : pandas.DataFrame
        A table returned by :func:`money_series`.

    Returns
    -------
    tuple of str
        The column, and ``"Billion US dollars"`` or ``"Million US dollars"``.

    Examples
    --------
    >>> import natoanalysis as na
    >>> data = na.load()
    >>> money_axis(money_series(data=data, country="MNE", indicator="defence_exp_usd"))
    ('usd_million', 'Million US dollars')
    >>> money_axis(money_series(data=data, country="MNE", indicator="gdp_usd"))
    ('usd_billion', 'Billion US dollars')
    """
    column = "usd_million" if "usd_million" in table.columns else "usd_billion"
    return column, f"{column.removeprefix('usd_').capitalize()} US dollars"


def per_capita(*, data: pd.DataFrame, country: str) -> pd.DataFrame:
    """An ally's defence expenditure per head of population (NATO Table 6), in US dollars.

    Returns
    -------
    pandas.DataFrame
        ``year, basis_label, defence_exp_per_capita_usd``, at the price basis
        the edition prints (constant prices and exchange rates of its base
        year); empty where the edition prints none (Iceland).

    Examples
    --------
    >>> import natoanalysis as na
    >>> df = na.load()
    >>> t = per_capita(data=df, country="POL").query("year == 2024")
    >>> printed = df.query("country == 'POL' and indicator == 'defence_exp_per_capita_usd' and year == 2024")
    >>> t["defence_exp_per_capita_usd"].tolist() == printed["value"].tolist(), len(per_capita(data=df, country="ISL"))
    (True, 0)
    """
    df = validate.table(data, None)
    code = validate.country(country)
    sel = df[(df["country"] == code) & (df["indicator"] == "defence_exp_per_capita_usd")].dropna(subset=["value"])
    out = pd.DataFrame({"year": sel["year"].astype(int), "basis_label": sel["price_basis"].map(labels.basis_labels(df)),
                        "defence_exp_per_capita_usd": sel["value"].astype(float)})
    return attach(out.sort_values(["basis_label", "year"]).reset_index(drop=True), rows=sel)


def national_currency(*, data: pd.DataFrame, country: str) -> pd.DataFrame:
    """An ally's defence expenditure in its own currency at current prices (NATO Table 1), in millions.

    The currency is the one NATO names in the ally's row (``currency``): an
    ally that changed currency is printed in its new one for every year
    (:func:`currency_notes` says so), and a table with two currencies keeps
    each figure beside its own.

    Returns
    -------
    pandas.DataFrame
        ``year, currency, defence_exp_ncu, is_estimate``; empty where the
        edition prints none (Iceland).

    Examples
    --------
    >>> import natoanalysis as na
    >>> t = national_currency(data=na.load(), country="POL")
    >>> t["currency"].unique().tolist(), bool(t["year"].min() == na.load()["year"].min())
    (['Zlotys'], True)
    """
    df = validate.table(data, None)
    code = validate.country(country)
    sel = df[(df["country"] == code) & (df["indicator"] == "defence_exp_ncu") & (df["price_basis"] == "current")
             ].dropna(subset=["value"])
    out = pd.DataFrame({"year": sel["year"].astype(int), "currency": sel["currency"].astype(str),
                        "defence_exp_ncu": sel["value"].astype(float), "is_estimate": sel["is_estimate"].astype(bool)})
    return attach(out.sort_values("year").reset_index(drop=True), rows=sel)


def currency_notes(*, table: pd.DataFrame, country: str) -> list[str]:
    """Notes on a currency change within the years of :func:`national_currency` (``reference/currency_changes.csv``).

    Examples
    --------
    >>> import natoanalysis as na
    >>> note = currency_notes(table=national_currency(data=na.load(), country="HRV"), country="HRV")[0]
    >>> note.startswith("Currency: Croatia changed from Kuna to Euros in 2023"), "every year in Euros" in note
    (True, True)
    >>> currency_notes(table=national_currency(data=na.load(), country="POL"), country="POL")
    []
    """
    code = validate.country(country)
    years = table["year"].astype(int)
    out = []
    for ch in reference.currency_changes().query("country == @code").itertuples():
        if not len(years) or not years.min() < ch.year <= years.max() + 1:
            continue
        shown = sorted(set(table["currency"]))
        printed = (f"the edition prints every year in {shown[0]}, the years before {ch.year} restated" if len(shown) == 1
                   else f"each year is shown in the currency the edition prints it in ({text.listing(shown)})")
        out.append(f"Currency: {allies.country_name(code)} changed from {ch.old_currency} to {ch.new_currency} in "
                   f"{ch.year}; {printed}. {ch.source}.")
    return out


def table_note(*, table: pd.DataFrame, price_basis: str) -> str:
    """The note under a profile's table: source, edition, definition, price basis and estimated years.

    Read off the provenance the view attached to ``table``, as a chart's footnote is.

    Examples
    --------
    >>> import natoanalysis as na
    >>> t = national_currency(data=na.load(), country="POL")
    >>> note = table_note(table=t, price_basis="current prices")
    >>> note.startswith("Source: NATO, Defence Expenditure of NATO Countries"), "; current prices." in note
    (True, True)
    >>> labels.years_text(labels.estimate_years(na.load())) in note
    True
    """
    return text.sentence("table_note", sources=provenance_of(table).sources, price_basis=price_basis)


def sipri_share(*, data: pd.DataFrame, country: str) -> pd.DataFrame:
    """An ally's military expenditure as a share of GDP in SIPRI's long series, every year SIPRI prints one.

    SIPRI's definition is not NATO's and its share is at current prices: the
    series stands apart from NATO's and is never joined to it.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy SIPRI rows (``natoanalysis.load(source="sipri")``).
    country : str
        Ally ISO3 code.

    Returns
    -------
    pandas.DataFrame
        ``year, country_name, share_gdp_pct`` from SIPRI's first figure for the
        ally to its last (NaN in years between without one); empty where SIPRI
        prints no figure (Iceland).

    Examples
    --------
    >>> import natoanalysis as na
    >>> s = sipri_share(data=na.load(source="sipri"), country="USA")
    >>> int(s["year"].min()), len(sipri_share(data=na.load(source="sipri"), country="ISL"))
    (1949, 0)
    """
    code = validate.country(country)
    sel = data[(data["country"] == code) & (data["indicator"] == "share_gdp_pct")]
    printed = sel.dropna(subset=["value"])
    # Years without a figure inside the span stay, as gaps: a line must not bridge them.
    sel = sel[sel["year"].between(printed["year"].min(), printed["year"].max())]
    out = pd.DataFrame({"year": sel["year"].astype(int), "country_name": sel["country_name"].astype(str),
                        "share_gdp_pct": sel["value"].astype(float)})
    return attach(out.sort_values("year").reset_index(drop=True), rows=printed)

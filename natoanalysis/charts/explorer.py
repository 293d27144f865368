"""The explorer's interactive chart: a Vega-Lite specification written with Vega-Altair.

A tile map of the allies (click a tile to add or remove an ally), a line chart
of the allies picked, and selection widgets for the indicator, the price basis
and (where several are loaded) the edition. Vega-Lite does the filtering and
drawing in the reader's browser; the data travel inside the specification
(``datasets``), and the footnote of each series in ``usermeta``, so that the
page's table and CSV download read the very same JSON.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from .. import reference
from ..views import explorer as view
from ..views import labels
from ..views.provenance import Provenance
from .style import PALETTE, SERIES_COLORS, source_note

#: Where the page puts the selection widgets (an element of ``templates/site/explorer.html.j2``).
CONTROLS = "#controls"
#: The series a reader sees first: share of GDP, at constant prices, of the largest spenders.
FIRST_INDICATOR, FIRST_BASIS, N_FIRST = "share_gdp_pct", "constant", 4
_SHOWN = ("datum.edition == edition && datum.indicator == indicator"
          " && (datum.only_basis || datum.price_basis == basis)")


def notes(*, data: pd.DataFrame) -> dict[str, str]:
    """The footnote of each series the explorer can show, keyed ``"edition|indicator|price basis"``.

    Each names the source, edition, definition, base year, the price basis
    and unit, and the estimate years, all read off the rows.

    Examples
    --------
    >>> import natoanalysis as na
    >>> df = na.load()
    >>> ed = str(df["edition"].iloc[0])
    >>> note = notes(data=df)[f"{ed}|share_gdp_pct|constant"]
    >>> f"edition {ed}" in note and f"Constant {labels.base_year(df)} prices; unit: percent of GDP." in note
    True
    """
    out, own = {}, " (each ally's own currency)"
    rows = data[~data["is_aggregate"] & data["value"].notna()]
    for (ed, ind, basis), part in rows.groupby(["edition", "indicator", rows["price_basis"].fillna("")]):
        facts = Provenance.of(part).sources[0]
        unit = part["unit"].iloc[0]
        shown = labels.price_basis(part, basis, exchange_rates="usd" in ind, capital=True) + "; " if basis else ""
        out[f"{ed}|{ind}|{basis}"] = source_note(
            source=facts.source, edition=ed, estimate_years=facts.estimate_years, title=facts.publication,
            definition=facts.definition, base_year=facts.base_year,
            extra=f"{shown}unit: {unit}{own if 'national' in unit else ''}.")
    return out


def _first_allies(data: pd.DataFrame) -> list[str]:
    """The allies with the largest defence expenditure (current US$) in the newest edition's latest year."""
    usd = data[(data["indicator"] == "defence_exp_usd") & (data["price_basis"] == "current") & ~data["is_aggregate"]]
    usd = usd[usd["edition"] == usd["edition"].max()]
    return usd[usd["year"] == usd["year"].max()].nlargest(N_FIRST, "value")["country"].astype(str).tolist()


def _controls(series: list[dict]) -> tuple[alt.Parameter, ...]:
    """The widgets: indicator, price basis and, where several editions are loaded, the edition."""
    names = reference.indicators().set_index("indicator")["label"]
    shown = sorted({r["indicator"] for r in series}, key=lambda i: (i != FIRST_INDICATOR, names.get(i, i)))
    editions = sorted({r["edition"] for r in series}, reverse=True)
    indicator = alt.param(name="indicator", value=shown[0], bind=alt.binding_select(
        options=shown, labels=[names.get(i, i) for i in shown], name="Indicator ", element=CONTROLS))
    basis = alt.param(name="basis", value=FIRST_BASIS, bind=alt.binding_radio(
        options=["constant", "current"], labels=["constant prices", "current prices"], name="Prices ",
        element=CONTROLS))
    edition = alt.param(name="edition", value=editions[0], bind=alt.binding_select(
        options=editions, name="Edition ", element=CONTROLS) if len(editions) > 1 else alt.Undefined)
    return indicator, basis, edition


def _tile_map(allies: alt.Parameter) -> alt.Chart:
    """One square per ally on the schematic grid, coloured by share of GDP; a click adds or removes the ally."""
    base = alt.Chart(alt.Data(name="tiles")).transform_filter("datum.edition == edition").encode(
        x=alt.X("col:O", axis=None), y=alt.Y("row:O", axis=None))
    label = "datum.value == null ? 'no armed forces' : format(datum.value, '.2f') + '%'"
    rect = base.mark_rect(cornerRadius=2, stroke=PALETTE["highlight"], cursor="pointer", invalid="show").encode(
        color=alt.condition("datum.value == null", alt.value("#d9d9d9"),
                            alt.Color("value:Q", scale=alt.Scale(scheme="blues"),
                                      legend=alt.Legend(title="% of GDP", orient="bottom", gradientLength=160))),
        strokeWidth=alt.condition(allies, alt.value(3), alt.value(0)),
        tooltip=[alt.Tooltip("country_name:N", title="Ally"), alt.Tooltip("year_label:N", title="Year"),
                 alt.Tooltip("shown:N", title="Share of GDP")],
    ).add_params(allies).transform_calculate(shown=label)
    iso = base.mark_text(dy=-6, fontWeight="bold", fontSize=11).encode(
        text="country:N", color=alt.condition("datum.value > 3", alt.value("white"), alt.value("#222222")))
    value = base.mark_text(dy=8, fontSize=9, lineBreak="/").transform_calculate(
        shown="datum.value == null ? 'no armed/forces' : format(datum.value, '.2f')").encode(
        text="shown:N", color=alt.condition("datum.value > 3", alt.value("white"), alt.value("#222222")))
    return alt.layer(rect, iso, value).properties(
        width=alt.Step(44), height=alt.Step(44),
        title=alt.Title("Share of GDP in the latest year", subtitle="Click an ally to add or remove it"))


def _lines(allies: alt.Parameter, indicators: pd.DataFrame) -> alt.LayerChart:
    """The picked allies' series, estimates as hollow points over a shaded span; values on hover."""
    digits = "{" + ", ".join(f"'{k}': {v or 0}" for k, v in indicators["decimals"].items()) + "}"
    titles = "{" + ", ".join(f"'{k}': '{v}'" for k, v in indicators["label"].str.replace("'", "’").items()) + "}"
    base = alt.Chart(alt.Data(name="series")).transform_filter(_SHOWN).transform_filter(allies).transform_flatten(
        list(view.VALUES)).transform_calculate(
        shown=f"format(datum.value, ',.' + ({digits}[datum.indicator] || 0) + 'f') + ' ' + datum.unit",
        status="datum.is_estimate ? 'estimate' : 'published'")
    span = base.transform_filter("datum.is_estimate").transform_aggregate(
        first="min(year)", last="max(year)").transform_calculate(
        x0="datum.first - 0.5", x1="datum.last + 0.5", text="'estimates'").mark_rect(
        color=PALETTE["estimate"], opacity=0.25).encode(x="x0:Q", x2="x1:Q")
    span_label = span.mark_text(align="right", baseline="top", dx=-3, dy=3, color="#555555").encode(
        x="x1:Q", y=alt.value(0), text="text:N", x2=alt.X2())
    color = alt.Color("country_name:N", title="Ally", scale=alt.Scale(range=SERIES_COLORS))
    line = base.mark_line(strokeWidth=2).encode(
        x=alt.X("year:Q", title="Year", axis=alt.Axis(format="d", tickMinStep=1),
              scale=alt.Scale(zero=False, nice=False, padding=12)),
        y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)), color=color, detail="country:N")
    tooltip = [alt.Tooltip("country_name:N", title="Ally"), alt.Tooltip("year:Q", title="Year", format="d"),
               alt.Tooltip("shown:N", title="Value"), alt.Tooltip("status:N", title="Figure")]
    points = base.mark_point(size=60, strokeWidth=2, opacity=1).encode(
        x="year:Q", y="value:Q", color=color, tooltip=tooltip,
        fill=alt.condition("datum.is_estimate", alt.value("white"), color.legend(None)))
    return alt.layer(span, span_label, line, points).properties(width=560, height=380, title=alt.Title(
        {"expr": f"{titles}[indicator]"}, subtitle="Hover for values; hollow points and the shaded span are "
                                                   "estimates"))


def explorer_spec(*, data: pd.DataFrame, selected: list[str] | None = None) -> dict:
    """The explorer's Vega-Lite specification, with its data (``datasets``) and footnotes (``usermeta``).

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy NATO rows of every edition the explorer offers (``na.load(edition="all")``).
    selected : list of str, optional
        ISO3 codes of the allies picked when the page opens; default: the
        largest spenders (current US$) in the newest edition's latest year.

    Returns
    -------
    dict
        A Vega-Lite specification (JSON-ready): ``datasets`` holds ``series``
        (:func:`natoanalysis.views.explorer.records`) and ``tiles`` (the tile
        map of each edition); ``usermeta`` holds ``notes``
        (:func:`notes`), ``fields`` (the columns of the CSV download) and
        ``decimals`` (the decimals each indicator is printed with).

    Examples
    --------
    >>> import natoanalysis as na
    >>> spec = explorer_spec(data=na.load())
    >>> sorted(spec["datasets"]), [p["name"] for p in spec["params"]][:3]
    (['series', 'tiles'], ['allies', 'indicator', 'basis'])
    >>> len(spec["datasets"]["tiles"]), spec["usermeta"]["fields"][:3]
    (32, ['edition', 'country', 'country_name'])
    """
    series = view.records(data=data)
    tiles = pd.concat([view.tiles(data=part).assign(edition=ed) for ed, part in data.groupby("edition")])
    first = selected if selected is not None else _first_allies(data)
    allies = alt.selection_point(name="allies", fields=["country"], toggle="true", clear=False,
                                 value=[{"country": c} for c in first])
    indicators = reference.indicators().set_index("indicator")
    chart = alt.hconcat(_tile_map(allies), _lines(allies, indicators), spacing=30).add_params(
        *_controls(series)).resolve_scale(color="independent").configure_view(stroke=None)
    # Not validated against the Vega-Lite schema here (half the time of this function): the structure is the
    # code's, the same for any data, and tests/test_explorer.py validates it.
    spec = chart.to_dict(validate=False)
    tiles = tiles[["edition", "country", "country_name", "row", "col", "value", "year_label"]]
    spec["datasets"] = {"series": series, "tiles": tiles.astype(object).where(tiles.notna(), None).to_dict("records")}
    spec["usermeta"] = {"notes": notes(data=data), "fields": list(view.SERIES + view.VALUES),
                        "decimals": {k: int(v) for k, v in indicators["decimals"].items() if v}}
    return spec

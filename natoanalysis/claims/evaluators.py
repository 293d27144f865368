"""One evaluator per kind of claim, named in the claims registry's ``method`` field.

Each evaluator is a pure function of the claim and the data context: it
computes the claimed quantity under the headline definition and the stated
alternatives, and fills in its method's explanation (``explanations`` in
``reference/claims.json``), which names the edition, the price basis and the
counting rule.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Callable

import pandas as pd

from .. import allies, reference
from ..metrics import allies_meeting, burden_share, gap_to_target, required_annual_increase
from ..metrics.groups import combined_share_gdp, growth_definitions
from ..metrics.growth import largest_rise
from ..views import labels
from .verdicts import Definition, Outcome



@functools.cache
def _explanations() -> dict[str, str]:
    return reference.read_json("claims.json")["explanations"]


@dataclasses.dataclass
class Context:
    """The data one claim check runs on."""

    data: pd.DataFrame  # tidy NATO rows of one edition
    edition: str
    sipri: Callable[[], pd.DataFrame]  # loaded only by claims that need it

    @property
    def latest_year(self) -> int:
        return int(self.data["year"].max())

    def year(self, value) -> int:
        return self.latest_year if value == "latest" else int(value)

    def is_estimate(self, year: int) -> bool:
        return bool(self.data.loc[self.data["year"] == year, "is_estimate"].any())

    def label(self, year: int) -> str:
        return f"{year}{'e' if self.is_estimate(year) else ''}"

    def basis(self, basis: str, *, exchange_rates: bool = True) -> str:
        """``"constant <base year> prices and exchange rates"`` of this edition, or current ones."""
        return labels.price_basis(self.data, basis, exchange_rates=exchange_rates)

    def explain(self, claim: dict, **fields) -> str:
        """The explanation of the claim's method (``explanations`` in ``reference/claims.json``), filled in.

        Its fields are the claim's ``args`` and ``tolerance``, then ``fields``; also ``{edition}`` (``"Edition
        2026-07, core defence expenditure"``: every explanation names the definition), ``{constant_prices}``
        (``"constant 2021 prices"``) and ``{label}``, the year as NATO prints it (``2024e`` for an estimate).
        """
        fields = {**claim["args"], "tolerance": claim["tolerance"], **fields}
        return _explanations()[claim["method"]].format(
            **fields, edition=f"Edition {self.edition}, {labels.definition(self.data)}",
            constant_prices=self.basis("constant", exchange_rates=False),
            label=self.label(fields["year"]) if isinstance(fields.get("year"), int) else "")


def _names(codes) -> str:
    return ", ".join(sorted(codes)) if len(codes) else "none"


def _listed(codes) -> str:
    return f" ({_names(codes)})" if 0 < len(codes) <= 10 else ""


def _share_wide(ctx: Context) -> pd.DataFrame:
    rows = ctx.data[(ctx.data["indicator"] == "share_gdp_pct") & ~ctx.data["is_aggregate"]]
    return rows.pivot(index="country", columns="year", values="value")


def allies_at_threshold(claim: dict, ctx: Context) -> Outcome:
    args = claim["args"]
    year = ctx.year(args["year"])
    threshold = float(args["threshold"])
    expect = args["expect"]
    defs, counts = [], {}
    for basis, label in (("published", f"NATO's published share of real GDP (Table 3), edition {ctx.edition}"),
                         ("recomputed", f"defence expenditure / GDP, {ctx.basis('constant')} (Tables 2 and 5)")):
        res = allies_meeting(threshold_pct=threshold, year=year, figure=basis, data=ctx.data)
        meets = sorted(res.index[res["status"] == "meets"])
        below = sorted(res.index[res["status"] == "below"])
        counts[basis] = (meets, below)
        # The schema admits these three (claims.schema.json), so no other reaches here.
        value = {"set": meets, "count_meeting": len(meets), "count_below": len(below)}[expect]
        claimed = sorted(claim["quantity"]["countries"]) if expect == "set" else claim["quantity"]["value"]
        defs.append(Definition(label, value, value == claimed))
    (pm, pb), (rm, rb) = counts["published"], counts["recomputed"]
    differ = sorted(set(pm) ^ set(rm))
    no_figure = res.attrs.get("no_figure", {})
    explanation = ctx.explain(
        claim, year=year, meeting=len(pm), meeting_listed=_listed(pm), below=len(pb), below_listed=_listed(pb),
        recomputed_meeting=len(rm), recomputed_below=len(rb),
        differs=f" (differs for {_names(differ)}, printed as exactly {threshold:g}%)" if differ else "",
        no_figure=f" Counted neither way, as the edition prints no figure: "
                  f"{', '.join(f'{c} ({r})' for c, r in sorted(no_figure.items()))}." if no_figure else "")
    return Outcome(tuple(defs), explanation)


def group_growth_claim(claim: dict, ctx: Context) -> Outcome:
    args, claimed, tol = claim["args"], float(claim["quantity"]["value"]), float(claim["tolerance"])
    year, group = ctx.year(args["year"]), args["group"]
    table = growth_definitions(group=group, years=[year], data=ctx.data)
    defs = [Definition(labels.growth_definition(ctx.data, membership=r.membership, price_basis=r.price_basis),
                       round(r.growth_pct, 2), abs(r.growth_pct - claimed) <= tol)
            for r in table.itertuples()]
    joined = [c for c in allies.members(year=year) if c not in allies.members(year=year - 1)]
    return Outcome(tuple(defs), ctx.explain(claim, year=year, previous=year - 1, claimed=claimed, joined=_names(joined),
                                            growth="; ".join(f"{d.name}: {d.value:+.2f}%" for d in defs)))


def us_share(claim: dict, ctx: Context) -> Outcome:
    year, claimed, tol = ctx.year(claim["args"]["year"]), float(claim["quantity"]["value"]), float(claim["tolerance"])
    defs = []
    for basis, label in (("current", ctx.basis("current")), ("constant", ctx.basis("constant"))):
        s = burden_share(year=year, price_basis=basis, data=ctx.data)
        us = float(s["usa_defence_share_pct"])
        defs.append(Definition(f"US share of NATO total defence expenditure, {label}", round(us, 2),
                               abs(us - claimed) <= tol))
    return Outcome(tuple(defs), ctx.explain(claim, year=year, current=defs[0].value, constant=defs[1].value,
                                            claimed=claimed))


def share_values(claim: dict, ctx: Context) -> Outcome:
    country, tol = claim["args"]["country"], float(claim["tolerance"])
    claimed = {int(y): float(v) for y, v in claim["quantity"]["values"].items()}
    wide = _share_wide(ctx)
    got = {y: float(wide.at[country, y]) for y in claimed if y in wide.columns}
    ok = len(got) == len(claimed) and all(abs(got[y] - claimed[y]) <= tol for y in claimed)
    explanation = ctx.explain(claim, values=", ".join(f"{ctx.label(y)} {got[y]:.2f}% (claimed {claimed[y]:.2f}%)"
                                                      for y in sorted(got)))
    return Outcome((Definition("published share of real GDP (Table 3)", {y: round(v, 3) for y, v in got.items()},
                               ok),), explanation)


def share_fell(claim: dict, ctx: Context) -> Outcome:
    start, end = int(claim["args"]["start"]), ctx.year(claim["args"]["end"])
    wide = _share_wide(ctx)
    change = (wide[end] - wide[start]).dropna()
    expected = sorted(claim["quantity"]["countries"])
    fell = sorted(change.index[change < 0])
    fell_rounded = sorted(change.index[(wide[end].round(2) - wide[start].round(2)).reindex(change.index) < 0])
    defs = (Definition("unrounded published shares", fell, fell == expected),
            Definition("published shares rounded to two decimals, as NATO prints them", fell_rounded,
                       fell_rounded == expected))
    sizes = ", ".join(f"{c} {change[c]:+.3f}" for c in fell) or "none"
    return Outcome(defs, ctx.explain(claim, year=end, sizes=sizes, fell_rounded=_names(fell_rounded)))


def largest_spender(claim: dict, ctx: Context) -> Outcome:
    country, year = claim["args"]["country"], ctx.year(claim["args"]["year"])
    min_ratio = float(claim["quantity"]["value"])
    defs, parts = [], []
    for basis in ("current", "constant"):
        rows = ctx.data[(ctx.data["indicator"] == "defence_exp_usd") & (ctx.data["price_basis"] == basis)
                        & (ctx.data["year"] == year) & ~ctx.data["is_aggregate"]].set_index("country")["value"]
        others = rows.drop(country)
        ratio = float(rows[country] / others.max())
        defs.append(Definition(f"{country} / next-largest ally, {basis} US dollars", round(ratio, 2),
                               ratio >= min_ratio))
        parts.append(f"{basis} USD: {rows[country]:,.0f} million vs {others.idxmax()} {others.max():,.0f} million "
                     f"({ratio:.1f}x)")
    return Outcome(tuple(defs), ctx.explain(claim, year=year, comparisons="; ".join(parts), min_ratio=min_ratio))


def top_by_share(claim: dict, ctx: Context) -> Outcome:
    year, ceiling = ctx.year(claim["args"]["year"]), float(claim["args"]["ceiling"])
    expected = sorted(claim["quantity"]["countries"])
    ranked = _share_wide(ctx)[year].dropna().sort_values(ascending=False)
    top = sorted(ranked.index[: len(expected)])
    ok = top == expected and bool((ranked < ceiling).all())
    order = ", ".join(f"{c} {v:.2f}%" for c, v in ranked.head(len(expected) + 2).items())
    explanation = ctx.explain(claim, year=year, order=order, highest=ranked.iloc[0], expected=_names(expected),
                              n=len(expected), side="below" if ranked.iloc[0] < ceiling else "at or above")
    return Outcome((Definition(f"top {len(expected)} by published share, {year}", top, ok),), explanation)


def country_below(claim: dict, ctx: Context) -> Outcome:
    country, threshold, year = claim["args"]["country"], float(claim["args"]["threshold"]), ctx.year(claim["args"]["year"])
    value = float(_share_wide(ctx).at[country, year])
    explanation = ctx.explain(claim, year=year, value=value, side="below" if value < threshold else "at or above")
    return Outcome((Definition(f"published share {year} < {threshold:g}%", round(value, 3), value < threshold),),
                   explanation)


def guideline_difference(claim: dict, ctx: Context) -> Outcome:
    g = reference.guidelines().set_index("guideline")
    hi, lo = g.loc[claim["args"]["higher"]], g.loc[claim["args"]["lower"]]
    diff = float(hi["threshold_pct"] - lo["threshold_pct"])
    claimed, tol = float(claim["quantity"]["value"]), float(claim["tolerance"])
    explanation = ctx.explain(claim, higher=hi, lower=lo, difference=diff)
    return Outcome((Definition("difference of the guideline values", diff, abs(diff - claimed) <= tol),), explanation)


def long_run_rise(claim: dict, ctx: Context) -> Outcome:
    target, since = float(claim["args"]["target"]), int(claim["args"]["since"])
    sipri = ctx.sipri()
    combined, counted = combined_share_gdp(data=sipri, start=since)
    last = int(combined.index.max())
    needed = target - float(combined[last])
    largest, low_year, high_year = largest_rise(combined)
    explanation = ctx.explain(claim, release=sipri["edition"].iloc[0], counted=len(counted), share=combined[last],
                              last=last, needed=needed, largest=largest, low_year=low_year, high_year=high_year)
    return Outcome((Definition(f"required rise vs largest rise since {since} (points of GDP)",
                               {"required_pp": round(needed, 2), "largest_since_pp": round(largest, 2)},
                               needed > largest),), explanation,
                   caveat=f"on SIPRI's definition, for the {len(counted)} allies with complete data")


def path_reach(claim: dict, ctx: Context) -> Outcome:
    args = claim["args"]
    target, by, pace = float(args["target"]), int(args["by"]), float(args["pace_pp"])
    year = ctx.latest_year
    needed = required_annual_increase(by=by, target_pct=target, start=year, data=ctx.data)
    # Rounded far below the printed precision so that 1.3 + 0.2 * 11 reaches 3.5 (binary floats give 3.4999...).
    reaches = needed.round(9) <= pace
    reach, miss = sorted(needed.index[reaches]), sorted(needed.index[~reaches])
    explanation = ctx.explain(claim, year=year, years=by - year, added=pace * (by - year), reach=len(reach),
                              allies=len(needed), miss=_names(miss))
    return Outcome((Definition(f"allies reaching {target:g}% by {by} at +{pace:g} pp/year", reach, False),),
                   explanation, checkable=False)


def gap(claim: dict, ctx: Context) -> Outcome:
    args = claim["args"]
    year = ctx.year(args["year"])
    res = gap_to_target(country=args["country"], target_pct=float(args["target"]), year=year, price_basis="current",
                        data=ctx.data)
    gap_pp, gap_usd = float(res["gap_pp"]), float(res["gap_usd_million"])
    explanation = ctx.explain(claim, year=year, share=args["target"] - gap_pp, gap_pp=gap_pp, gap_usd=gap_usd / 1000)
    return Outcome((Definition("gap to target (points of GDP, million current USD)",
                               {"gap_pp": round(gap_pp, 3), "gap_usd_billion": round(gap_usd / 1000, 1)}, False),),
                   explanation, checkable=False)


EVALUATORS: dict[str, Callable[[dict, Context], Outcome]] = {
    "allies_at_threshold": allies_at_threshold,
    "group_growth": group_growth_claim,
    "us_share": us_share,
    "share_values": share_values,
    "share_fell": share_fell,
    "largest_spender": largest_spender,
    "top_by_share": top_by_share,
    "country_below": country_below,
    "guideline_difference": guideline_difference,
    "long_run_rise": long_run_rise,
    "path_reach": path_reach,
    "gap": gap,
}

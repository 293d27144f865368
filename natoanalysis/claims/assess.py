"""Check every registered claim against one bundled edition."""

from __future__ import annotations

import functools
import json
import os

import pandas as pd

from .. import store
from ..errors import ArgumentError
from .evaluators import EVALUATORS, Context
from .catalogue import load_claims, validate
from .publications import judge
from .render import value_text
from .verdicts import decide

COLUMNS = ["id", "verdict", "claimed", "computed", "definition", "explanation", "edition", "statement", "reported",
           "reported_url", "claimed_value", "computed_value", "edition_verdict", "cited_publication", "cited_url"]
#: Verdicts under which an edition reproduces a claim (under its headline or a stated definition).
REPRODUCED = ("supported", "supported_with_caveat")
ALL_COLUMNS = ["id", "reproduced_by", "verdicts", "claimed", "statement", "reported"]


def _claimed_value(claim: dict) -> object:
    q = claim["quantity"]
    return q.get("value", q.get("values", q.get("countries")))


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def check_claims(*, edition: str | None = None, data: pd.DataFrame | None = None,
                 sipri: pd.DataFrame | None = None, claims: list[dict] | None = None,
                 data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Evaluate every claim and return one verdict row per claim.

    Each claim is evaluated on its own (no state is shared between claims), so a
    verdict never depends on the order of the registry.

    Parameters
    ----------
    edition : str, optional
        NATO edition ``"YYYY-MM"``; default the latest bundled one. ``"all"``
        checks every bundled edition and returns one row per claim saying
        which editions reproduce it (``reproduced_by``: supported, or
        supported under a stated definition) and each edition's verdict
        (``verdicts``); one edition's full rows are ``check_claims(edition=<it>)``.
    data : pandas.DataFrame, optional
        A tidy NATO table to check against instead of the bundled one (one edition).
    sipri : pandas.DataFrame, optional
        A tidy SIPRI table for the long-run claims (default: the bundled release).
    claims : list of dict, optional
        Claims to check (default: the registry in ``reference/claims.json``).
    data_dir : path-like, optional
        Data root.

    Returns
    -------
    pandas.DataFrame
        ``id, verdict, claimed, computed, definition, explanation, edition, statement, reported,
        claimed_value, computed_value, edition_verdict, cited_publication, cited_url``: ``claimed`` and
        ``computed`` in words (allies by name), the ``_value`` columns the same as JSON. ``verdict``
        rests on the publication the claim cites when ``reference/publications.csv`` holds its figure
        (``supported_by_source``, ``contradicted_by_source``; ``cited_publication`` and ``cited_url``),
        else on the edition; ``edition_verdict`` is always the edition's, and ``computed`` what the
        edition gives;
        with ``edition="all"``: ``id, reproduced_by, verdicts, claimed, statement, reported``.

    Examples
    --------
    >>> v = check_claims().set_index("id")
    >>> v.loc["allies-2pct-2014", "verdict"], v.loc["us-gdp-share-3-68-to-3-19", "verdict"]
    ('supported', 'supported_by_source')
    >>> v.loc["us-gdp-share-3-68-to-3-19", "edition_verdict"]
    'other_vintage'
    """
    if edition == "all":
        return _all_editions(data=data, sipri=sipri, claims=claims, data_dir=data_dir)
    if data is None:
        data = store.load(source="nato", edition=edition, data_dir=data_dir)
    elif edition is not None:
        data = data[data["edition"] == edition]
    editions = sorted(data["edition"].unique())
    if len(editions) != 1:
        raise ArgumentError(f"check_claims needs one edition; the data holds {editions or 'none'}")
    ed = editions[0]
    published = store.editions(source="nato", data_dir=data_dir).set_index("edition")["publication_date"]
    edition_date = str(published.get(ed, ""))
    sipri_loader = (lambda: sipri) if sipri is not None else functools.partial(
        store.load, source="sipri", data_dir=data_dir)
    claims = load_claims() if claims is None else claims
    validate(claims)
    rows = [_row(claim, Context(data=data, edition=ed, sipri=sipri_loader), edition_date) for claim in claims]
    return pd.DataFrame(rows, columns=COLUMNS)


def _row(claim: dict, ctx: Context, edition_date: str) -> dict:
    """One claim's verdict row: against its cited publication when on file, and against the edition."""
    outcome = EVALUATORS[claim["method"]](claim, ctx)
    # "" marks a claim that holds in any edition; "unknown" a publication not known to be this edition.
    pub = claim["publication"]
    same_vintage = not pub.get("date", "") or pub.get("date", "") == edition_date
    edition_verdict, basis = decide(outcome, same_vintage=same_vintage)
    explanation = outcome.explanation
    if edition_verdict == "other_vintage":
        kind = pub["kind"]
        explanation += (f" The claim names no publication ({kind.removeprefix('unknown: ')}); "
                        if kind.startswith("unknown") else f" The claimed figure comes from {kind}; ")
        explanation += f"edition {ctx.edition} (published {edition_date}) does not give it."
    judged = judge(claim)
    verdict = judged.verdict if judged and judged.verdict else edition_verdict
    if judged:
        explanation = f"{judged.sentence} Against the bundled edition: {edition_verdict.replace('_', ' ')}. {explanation}"
    claimed = _claimed_value(claim)
    # Words for the reader (allies by name), JSON beside them for a script (claimed_value, computed_value).
    return {"id": claim["id"], "verdict": verdict, "claimed": f"{value_text(claimed)} ({claim['quantity']['unit']})",
            "computed": value_text(basis.value), "claimed_value": _json(claimed), "computed_value": _json(basis.value),
            "definition": basis.name, "explanation": explanation, "edition": ctx.edition,
            "statement": claim["statement"], "reported": f"{claim['reported']['outlet']}, {claim['reported']['date']}",
            "reported_url": claim["reported"].get("url", ""),
            "edition_verdict": edition_verdict, "cited_publication": judged.title if judged else "",
            "cited_url": judged.url if judged else ""}


def _all_editions(*, data, sipri, claims, data_dir) -> pd.DataFrame:
    if data is None:
        data = store.load(source="nato", edition="all", data_dir=data_dir)
    frames = [check_claims(data=g, sipri=sipri, claims=claims, data_dir=data_dir)
              for _, g in data.groupby("edition", sort=True)]
    long = pd.concat(frames, ignore_index=True)
    long["reproduced_by"] = long["edition"].where(long["edition_verdict"].isin(REPRODUCED))
    long["verdicts"] = long["edition"] + ": " + long["edition_verdict"]
    out = long.groupby("id", sort=False).agg({"reproduced_by": lambda e: ", ".join(e.dropna()) or "none",
                                              "verdicts": "; ".join, "claimed": "first", "statement": "first",
                                              "reported": "first"})
    return out.reset_index()[ALL_COLUMNS]

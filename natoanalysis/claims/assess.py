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
from .render import value_text
from .verdicts import decide

COLUMNS = ["id", "verdict", "claimed", "computed", "definition", "explanation", "edition", "statement", "reported",
           "claimed_value", "computed_value"]
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
        claimed_value, computed_value``: ``claimed`` and ``computed`` in words (allies by name), the
        ``_value`` columns the same as JSON;
        with ``edition="all"``: ``id, reproduced_by, verdicts, claimed, statement, reported``.

    Examples
    --------
    >>> v = check_claims().set_index("id")["verdict"]
    >>> v["allies-2pct-2014"], v["allies-2pct-22-of-32"], v["us-gdp-share-3-68-to-3-19"]
    ('supported', 'supported_with_caveat', 'other_vintage')
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
    rows = []
    for claim in claims:
        ctx = Context(data=data, edition=ed, sipri=sipri_loader)
        outcome = EVALUATORS[claim["method"]](claim, ctx)
        # "" marks a claim that holds in any edition; "unknown" a publication not known to be this edition.
        pub_date = claim["publication"].get("date", "")
        same_vintage = not pub_date or pub_date == edition_date
        verdict, basis = decide(outcome, same_vintage=same_vintage)
        explanation = outcome.explanation
        if verdict == "other_vintage":
            explanation += (f" The claimed figure likely comes from {claim['publication']['kind']}, not the bundled "
                            f"edition {ed} (published {edition_date}).")
        claimed = _claimed_value(claim)
        # Words for the reader (allies by name), JSON beside them for a script (claimed_value, computed_value).
        rows.append({"id": claim["id"], "verdict": verdict,
                     "claimed": f"{value_text(claimed)} ({claim['quantity']['unit']})",
                     "computed": value_text(basis.value), "claimed_value": _json(claimed),
                     "computed_value": _json(basis.value),
                     "definition": basis.name, "explanation": explanation, "edition": ed,
                     "statement": claim["statement"],
                     "reported": f"{claim['reported']['outlet']}, {claim['reported']['date']}"})
    return pd.DataFrame(rows, columns=COLUMNS)


def _all_editions(*, data, sipri, claims, data_dir) -> pd.DataFrame:
    if data is None:
        data = store.load(source="nato", edition="all", data_dir=data_dir)
    frames = [check_claims(data=g, sipri=sipri, claims=claims, data_dir=data_dir)
              for _, g in data.groupby("edition", sort=True)]
    long = pd.concat(frames, ignore_index=True)
    rows = []
    for cid, g in long.groupby("id", sort=False):
        first = g.iloc[0]
        reproduced = [e for e, v in zip(g["edition"], g["verdict"]) if v in REPRODUCED]
        rows.append({"id": cid, "reproduced_by": ", ".join(reproduced) or "none",
                     "verdicts": "; ".join(f"{e}: {v}" for e, v in zip(g["edition"], g["verdict"])),
                     "claimed": first["claimed"], "statement": first["statement"], "reported": first["reported"]})
    return pd.DataFrame(rows, columns=ALL_COLUMNS)

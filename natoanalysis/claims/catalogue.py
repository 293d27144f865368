"""The claims catalogue: ``reference/claims.json``, read and validated."""

from __future__ import annotations

from .. import reference

REQUIRED = ("id", "statement", "reported", "publication", "quantity", "method", "args", "tolerance", "notes")




def load_claims() -> list[dict]:
    """Return the registered claims, each a dict with the fields in ``REQUIRED``.

    Examples
    --------
    >>> claims = load_claims()
    >>> claims[0]["id"], claims[0]["reported"]["outlet"]
    ('allies-2pct-2014', 'Daily Telegraph')
    """
    claims = reference.read_json("claims.json")["claims"]
    validate(claims)
    return claims


def validate(claims: list[dict]) -> None:
    """Raise ValueError naming the first claim with a missing field, an unknown method or a repeated id."""
    from .evaluators import EVALUATORS

    seen = set()
    for i, claim in enumerate(claims):
        missing = [f for f in REQUIRED if f not in claim]
        if missing:
            raise ValueError(f"claim #{i} ({claim.get('id', '?')}) lacks {', '.join(missing)}")
        pub = claim["publication"]
        lacking = [k for k in ("kind", "date", "source") if k not in pub]
        if lacking:
            raise ValueError(f"claim {claim['id']}: publication lacks {', '.join(lacking)} (an attribution is a fact "
                             "with a source, or says it is unknown)")
        if claim["method"] not in EVALUATORS:
            raise ValueError(f"claim {claim['id']}: method {claim['method']!r}; accepted: {', '.join(sorted(EVALUATORS))}")
        if claim["id"] in seen:
            raise ValueError(f"claim id {claim['id']!r} is used twice")
        seen.add(claim["id"])

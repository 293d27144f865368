"""The claims catalogue: ``reference/claims.json``, read and validated against ``reference/claims.schema.json``.

The schema (JSON Schema 2020-12) is the one description of a claim: its fields, and for each
``method`` the ``args`` it needs and the ``quantity`` it compares (``value``, ``values`` by year,
or ``countries``). The registry and the claims a caller passes to
:func:`natoanalysis.check_claims` are held to it alike.
"""

from __future__ import annotations

import functools

import fastjsonschema

from .. import reference
from ..errors import ArgumentError, echo

SCHEMA = "claims.schema.json"


@functools.lru_cache(maxsize=1)
def _validator():
    # fastjsonschema (already required by nbformat) compiles the schema in milliseconds; jsonschema's
    # import alone takes seconds here, for its IRI grammars.
    return fastjsonschema.compile(reference.read_json(SCHEMA))


def load_claims() -> list[dict]:
    """Return the registered claims, each a dict as ``reference/claims.schema.json`` describes.

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
    """Refuse, in one line naming the claim and the field, claims the schema does not describe.

    Also refused: an id used twice, and a list that is not a list of claims.

    Examples
    --------
    >>> claim = {**load_claims()[0], "args": {"year": 2014, "threshold": 2.0}}
    >>> validate([claim])
    Traceback (most recent call last):
    ...
    natoanalysis.errors.ArgumentError: claim #0 ('allies-2pct-2014'): args must contain ['expect'] properties; a claim is described by natoanalysis/reference/claims.schema.json
    """
    if not isinstance(claims, (list, tuple)):
        raise ArgumentError(f"claims must be a list of claims (dicts); got {echo(claims)}")
    seen = set()
    for i, claim in enumerate(claims):
        name = echo(claim.get("id", "no id") if isinstance(claim, dict) else "not a dict")
        try:
            _validator()(claim)
        except fastjsonschema.JsonSchemaValueException as exc:
            field = exc.message.removeprefix("data.").removeprefix("data ")
            got = "" if exc.rule == "required" else f", got {echo(exc.value)}"
            raise ArgumentError(f"claim #{i} ({name}): {field}{got}; "
                                f"a claim is described by natoanalysis/reference/{SCHEMA}") from None
        if claim["id"] in seen:
            raise ArgumentError(f"claim id {claim['id']!r} is used twice")
        seen.add(claim["id"])

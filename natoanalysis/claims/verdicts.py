"""Verdicts and the one rule that turns computed definitions into a verdict.

An evaluator computes the claimed quantity under one or more named
definitions (the headline one first: NATO's published figure and counting
rule). Then:

* the headline definition gives the claimed figure -> ``supported`` (or
  ``supported_with_caveat`` when the evaluator states a condition even the
  headline rests on, such as another publisher's definition);
* only another stated definition does -> ``supported_with_caveat``;
* none does, and the claim's figure comes from a NATO publication other than
  the bundled edition -> ``other_vintage``;
* none does, from the same edition -> ``contradicted``.

Claims that are forecasts, pledges or outside the data are ``not_checkable``
whatever is computed for them.

A claim whose cited publication holds the figure (``reference/publications.csv``)
is judged against that publication first: ``supported_by_source`` or
``contradicted_by_source`` (:mod:`natoanalysis.claims.publications`); the rule
above still gives the edition's verdict beside it.
"""

from __future__ import annotations

import dataclasses

SUPPORTED = "supported"
SUPPORTED_WITH_CAVEAT = "supported_with_caveat"
CONTRADICTED = "contradicted"
OTHER_VINTAGE = "other_vintage"
NOT_CHECKABLE = "not_checkable"
SUPPORTED_BY_SOURCE = "supported_by_source"
CONTRADICTED_BY_SOURCE = "contradicted_by_source"
VERDICTS = (SUPPORTED_BY_SOURCE, SUPPORTED, SUPPORTED_WITH_CAVEAT, CONTRADICTED_BY_SOURCE, CONTRADICTED, OTHER_VINTAGE,
            NOT_CHECKABLE)


@dataclasses.dataclass(frozen=True)
class Definition:
    """The claimed quantity computed one way: a name, the value, and whether it matches the claim."""

    name: str
    value: object
    matches: bool


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What an evaluator returns."""

    definitions: tuple[Definition, ...]
    explanation: str
    checkable: bool = True
    caveat: str = ""  # set when even the headline definition holds only under a stated condition


def decide(outcome: Outcome, *, same_vintage: bool) -> tuple[str, Definition]:
    """Apply the verdict rule; return the verdict and the definition it rests on.

    Examples
    --------
    >>> head = Definition("published share", 23, False)
    >>> alt = Definition("expenditure / GDP", 22, True)
    >>> decide(Outcome((head, alt), "..."), same_vintage=False)[0]
    'supported_with_caveat'
    >>> decide(Outcome((head,), "..."), same_vintage=False)[0]
    'other_vintage'
    >>> decide(Outcome((head,), "..."), same_vintage=True)[0]
    'contradicted'
    """
    head = outcome.definitions[0]
    if not outcome.checkable:
        return NOT_CHECKABLE, head
    if head.matches:
        return (SUPPORTED_WITH_CAVEAT if outcome.caveat else SUPPORTED), head
    for alt in outcome.definitions[1:]:
        if alt.matches:
            return SUPPORTED_WITH_CAVEAT, alt
    return (CONTRADICTED if same_vintage else OTHER_VINTAGE), head

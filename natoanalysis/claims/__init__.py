"""Claim checker: what the news said about allied defence spending, tested against the official data.

The claims live in ``reference/claims.json``; :func:`check_claims` evaluates
each with the evaluator its ``method`` names and the verdict rule in
:mod:`natoanalysis.claims.verdicts`.
"""

from .assess import check_claims
from .catalogue import load_claims
from .verdicts import VERDICTS

__all__ = ["VERDICTS", "check_claims", "load_claims"]

"""NLSat: random k-SAT as natural-language rules (Richardson & Sabharwal, AAAI 2022).

Modules: ``config`` (knobs, levels), ``formula`` (random clauses, evaluation),
``dpll`` (solver with effort counts), ``render`` (wording, prompts), ``narrate``
(reference reasoning), ``verifier`` (scoring), ``task`` (the :class:`NLSat` task).
"""

from generators.nlsat.config import LEVELS, NLSatConfig
from generators.nlsat.task import NLSat

__all__ = ["LEVELS", "NLSat", "NLSatConfig"]

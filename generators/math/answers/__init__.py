"""A safe parser for math answers: our own grammar, never ``eval`` or sympy's parsers.

Untrusted text goes lexer (:mod:`.lexer`) → parser (:mod:`.grammar`) → bounded sympy
construction (:mod:`.build`) → equivalence and answer shapes (:mod:`.equiv`). Every stage
bounds its work; malformed or oversized input raises :class:`AnswerFormatError`.
"""

from generators.math.answers.build import Answer, Equation, Matrix, Seq, SetOf, Union
from generators.math.answers.equiv import (
    assignment,
    intervals,
    matrix_rows,
    parse_answer,
    parse_expr,
    same_set,
    same_value,
    single_value,
    value_list,
)

__all__ = [
    "Answer",
    "Equation",
    "Matrix",
    "Seq",
    "SetOf",
    "Union",
    "assignment",
    "intervals",
    "matrix_rows",
    "parse_answer",
    "parse_expr",
    "same_set",
    "same_value",
    "single_value",
    "value_list",
]

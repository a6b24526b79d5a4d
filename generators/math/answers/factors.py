"""Reading a prime factorisation: a product of prime powers in the usual notations.

``2^3 × 3 × 7``, ``2**3 * 3 * 7``, ``2 · 2 · 2 · 3 · 7``, ``2, 2, 2, 3, 7``,
``2^{3} \\cdot 3 \\cdot 7``, ``\\boxed{168 = 2^3 \\times 3 \\times 7}``: the factors in any
order, repeated or with exponents. The result is the multiset of bases with their total
exponents, so ``2 × 2^2`` and ``2^3`` read the same; whether every base is prime is the
caller's comparison with the true factorisation. One left-to-right scan with anchored
patterns (no backtracking), bounded digits, exponents and term count; never sympy.
"""

from __future__ import annotations

import re
from collections import Counter

from generators.base import AnswerFormatError
from generators.extract import MAX_ANSWER_CHARS

MAX_TERMS = 400
MAX_BASE_DIGITS = 40
MAX_EXPONENT = 200

_BASE = rf"\s*(\d{{1,{MAX_BASE_DIGITS}}})"
_EXPONENT = r"\s*(?:\^|\*\*)\s*(?:\{\s*(\d{1,3})\s*\}|\(\s*(\d{1,3})\s*\)|(\d{1,3}))"
_TERM = re.compile(rf"{_BASE}(?:{_EXPONENT})?\s*")
_SEPARATOR = re.compile(r"(?:×|⋅|·|∙|\*|,|x|X|\\times|\\cdot|\\ast)")
_NOISE = re.compile(r"\$|\\[,;!: ]|\\left|\\right|\\displaystyle")
_BOXED = re.compile(r"\s*\\boxed\s*\{(.*)\}\s*", re.DOTALL)
_PREFIX = re.compile(rf"{_BASE}\s*=")
_BRACKETS = {"(": ")", "[": "]", "{": "}"}


def _unwrap(text: str) -> str:
    text = _NOISE.sub("", text).strip()
    boxed = _BOXED.fullmatch(text)
    if boxed:
        text = boxed.group(1).strip()
    if text[:1] in _BRACKETS and text.endswith(_BRACKETS[text[0]]):
        text = text[1:-1]
    return text


def read_factorisation(text: str, number: int | None = None) -> Counter[int]:
    """Base → total exponent of a written product; ``number =`` in front is allowed when it
    is ``number`` itself. Raises :class:`AnswerFormatError` on anything else."""
    if len(text) > MAX_ANSWER_CHARS:
        raise AnswerFormatError("the answer is too long")
    text = _unwrap(text)
    prefix = _PREFIX.match(text)
    if prefix:
        if number is None or int(prefix.group(1)) != number:
            raise AnswerFormatError(f"the product is written as equal to {prefix.group(1)[:30]}")
        text = text[prefix.end() :]
    found: Counter[int] = Counter()
    position, terms = 0, 0
    while True:
        term = _TERM.match(text, position)
        if term is None:
            raise AnswerFormatError(
                f"expected a prime or a prime power at: {text[position:][:30]!r}"
            )
        exponent = int(term.group(2) or term.group(3) or term.group(4) or 1)
        if not 1 <= exponent <= MAX_EXPONENT:
            raise AnswerFormatError(f"exponent {exponent} is outside 1..{MAX_EXPONENT}")
        found[int(term.group(1))] += exponent
        terms += 1
        if terms > MAX_TERMS:
            raise AnswerFormatError(f"more than {MAX_TERMS} factors")
        position = term.end()
        if position == len(text):
            return found
        separator = _SEPARATOR.match(text, position)
        if separator is None:
            raise AnswerFormatError(f"expected × between factors at: {text[position:][:30]!r}")
        position = separator.end()


def factorisation_text(factors: Counter[int] | dict[int, int]) -> str:
    """``{2: 3, 3: 1, 7: 1}`` → ``2^3 × 3 × 7`` (increasing primes)."""
    return " × ".join(str(p) if e == 1 else f"{p}^{e}" for p, e in sorted(factors.items()))

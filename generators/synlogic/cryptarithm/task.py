"""Cryptarithms: letters stand for digits in an addition, subtraction or multiplication.

Generation draws random numbers, computes the result, and replaces each digit by a random
letter (so at most ten letters). A search on the equation as one linear sum
(:mod:`.linear`, in C where compiled) then looks for two solutions; while it finds two, the
generator reveals the value of a letter that at least one of them gets wrong (a hint in the
prompt; see :func:`.linear.reveal`) and searches again, until a search finds one and so
proves it unique. ``solve`` re-proves that independently with the column solver
(:mod:`.solver`, one full search with the hints), and the verifier relies on it.
"""

from __future__ import annotations

import re
from itertools import product
from math import prod
from random import Random
from string import ascii_uppercase
from typing import Any, ClassVar

from generators.base import (
    ANSWER_INSTRUCTION,
    AnswerFormatError,
    Instance,
    Solution,
    Task,
    config_cached,
)
from generators.canonical import digest, first_seen
from generators.hashrandom import Draws
from generators.synlogic.cryptarithm import linear
from generators.synlogic.cryptarithm.config import LEVELS, CryptarithmConfig
from generators.synlogic.cryptarithm.solver import Equation, SearchResult, solve
from generators.synlogic.normalize import bounded_int
from schemas.records import Problem

_SYMBOL = {"add": "+", "sub": "−", "mul": "×"}
_DIGITS = "0123456789"

_INTROS = (
    "Solve this cryptarithm: each letter stands for a digit.",
    "In the puzzle below every letter hides a digit; decode it.",
    "This is a letter-arithmetic puzzle (a cryptarithm): replace the letters by digits.",
)
_RULES = (
    "Different letters stand for different digits, the same letter always for the same "
    "digit, and no number starts with 0 (a one-letter number is not 0 either)."
)
_QUESTIONS = (
    "Which digit does each letter stand for?",
    "Find the digit of every letter.",
    "Give the value of each letter.",
)
_FORMAT = (
    "Answer with every letter of the puzzle and its digit as LETTER=DIGIT pairs separated by "
    "commas, in any order, for example: A=3, B=0, C=7."
)


_LETTER_RADICES = tuple(range(26, 16, -1))
_LETTER_CHOICES = prod(_LETTER_RADICES)


@config_cached
def _bits(config: CryptarithmConfig) -> int:
    """Random bits that every draw of a puzzle of ``config`` takes, plus 64."""
    low, high = config.min_digits, config.max_digits
    extra = config.n_addends - 2
    terms = [(high - low + 1) * 9 * 10 ** (high - 1)] * config.n_addends
    choices = max(prod(terms), (high - low + 1) * 9 * 10 ** (high + extra - 1) * 8)
    choices *= len(config.operations) * _LETTER_CHOICES * len(_PROMPTS)
    return choices.bit_length() + 64


def _numbers(draws: Draws, count: int, low: int, high: int) -> list[int]:
    """``count`` numbers of ``low``..``high`` digits, each length equally likely, then each
    value of that length: one draw a number, split into the length and a value below
    ``9·10^(high-1)``, a multiple of every shorter range, which it is reduced to."""
    width = 9 * 10 ** (high - 1)
    choices = (high - low + 1) * width
    numbers = []
    for _ in range(count):
        length, value = divmod(draws.below(choices), width)
        first = 10 ** (low + length - 1)
        numbers.append(first + value % (9 * first))
    return numbers


def _draw(config: CryptarithmConfig, draws: Draws) -> tuple[str, list[int], int]:
    """An operation, its operands and the result, as numbers.

    A subtraction ``a − b₁ − … = c`` has ``n_addends`` terms on the left, like an addition;
    a multiplicand grows by a digit per addend beyond two, to keep pace with the others.
    """
    op = draws.pick(config.operations)
    low, high = config.min_digits, config.max_digits
    if op == "mul":
        extra = config.n_addends - 2
        operands = [*_numbers(draws, 1, low + extra, high + extra), 2 + draws.below(8)]
        return op, operands, operands[0] * operands[1]
    terms = _numbers(draws, config.n_addends, low, high)
    if op == "add":
        return op, terms, sum(terms)
    return op, [sum(terms), *terms[1:]], terms[0]


def _letters(choice: int) -> str:
    """Ten distinct letters in random order: a partial Fisher–Yates shuffle whose swaps are
    the mixed-radix digits of ``choice``."""
    pool = list(ascii_uppercase)
    for i, radix in enumerate(_LETTER_RADICES):
        choice, j = divmod(choice, radix)
        pool[i], pool[i + j] = pool[i + j], pool[i]
    return "".join(pool[:10])


def _equation(op: str, words: list[str], result: str) -> Equation:
    """The column-addition form the solver works on."""
    if op == "add":
        return Equation(tuple(words), result)
    if op == "sub":
        return Equation((*words[1:], result), words[0])
    return Equation((words[0],), result, factor=words[1])


def _render_equation(op: str, words: list[str], result: str) -> str:
    return f" {_SYMBOL[op]} ".join(words) + f" = {result}"


def _render_column(op: str, words: list[str], result: str) -> str:
    width = max(len(w) for w in (*words, result)) + 2
    lines = [words[0].rjust(width)]
    lines += [f"{_SYMBOL[op]} {w}".rjust(width) for w in words[1:]]
    return "\n".join([*lines, "-" * width, result.rjust(width)])


_PROMPTS = tuple(product(_INTROS, (_render_equation, _render_column), _QUESTIONS))
"""(intro, layout, question): one draw picks all three."""


class Cryptarithm(Task[CryptarithmConfig]):
    """Letter arithmetic with a unique solution proven by the column solver."""

    name: ClassVar[str] = "cryptarithm"
    version: ClassVar[str] = "1.4.0"
    description: ClassVar[str] = (
        "Cryptarithm: an addition, subtraction or one-digit multiplication written in letters; "
        "find the digit of every letter (distinct letters, distinct digits, no leading zeros)."
    )
    Config = CryptarithmConfig
    LEVELS = LEVELS
    hashed_rng: ClassVar[bool] = True

    def generate(self, config: CryptarithmConfig, rng: Random, index: int) -> Instance:
        draws = Draws(rng.getrandbits(_bits(config)))
        op, operands, result = _draw(config, draws)
        written = _written(op, operands, result, draws.below(_LETTER_CHOICES))
        words, result_word, hints, solution, answer = written
        payload = {
            "operation": op,
            "operands": words,
            "result": result_word,
            "hints": hints,
            "solution": solution,
        }
        return Instance(
            prompt=self._prompt(draws, op, words, result_word, hints),
            answer=answer,
            payload=payload,
        )

    @staticmethod
    def _prompt(draws: Draws, op: str, words: list[str], result: str, hints: dict[str, int]) -> str:
        intro, render, question = draws.pick(_PROMPTS)
        parts = [intro, _RULES, render(op, words, result)]
        if hints:
            parts.append(f"You are also told: {_format(hints)}.")
        parts += [question, _FORMAT, ANSWER_INSTRUCTION]
        return "\n\n".join(parts)

    def solve(self, problem: Problem) -> Solution:
        p = problem.payload
        equation = _equation(p["operation"], p["operands"], p["result"])
        search = solve(equation, p["hints"])
        if len(search.solutions) != 1:
            raise ValueError(f"puzzle has {len(search.solutions)} solutions, expected 1")
        return Solution(
            answer=_format(search.solutions[0]),
            reasoning=_reasoning(p, equation, search),
            stats={"effort": search.nodes, "nodes": search.nodes, "hints": len(p["hints"])},
        )

    def structural_key(self, problem: Problem) -> str:
        """The equation and hints with the letters relabelled in order of appearance."""
        p = problem.payload
        words = [*p["operands"], p["result"]]
        rank = first_seen("".join(words))
        table = str.maketrans({letter: ascii_uppercase[r] for letter, r in rank.items()})
        hints = sorted([letter.translate(table), digit] for letter, digit in p["hints"].items())
        return digest([p["operation"], [word.translate(table) for word in words], hints])

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        p = problem.payload
        mapping = parse_mapping(answer)
        expected = set(p["solution"])
        if set(mapping) != expected:
            missing = sorted(expected - set(mapping))
            extra = sorted(set(mapping) - expected)
            return 0.0, f"letters missing: {missing or 'none'}; unknown letters: {extra or 'none'}"
        if len(set(mapping.values())) != len(mapping):
            return 0.0, "two letters share a digit"
        if any(not 0 <= d <= 9 for d in mapping.values()):
            return 0.0, "a value is not a single digit"
        equation = _equation(p["operation"], p["operands"], p["result"])
        if zero := sorted(k for k in equation.leading() if mapping[k] == 0):
            return 0.0, f"leading letter(s) {zero} are 0"
        if wrong := sorted(k for k, v in p["hints"].items() if mapping[k] != v):
            return 0.0, f"contradicts the given values of {wrong}"

        def num(word: str) -> int:
            return int("".join(str(mapping[c]) for c in word))

        factor = num(equation.factor) if equation.factor else 1
        if factor * sum(num(w) for w in equation.addends) != num(equation.result):
            return 0.0, "the arithmetic does not hold with these digits"
        if mapping != p["solution"]:  # unreachable for a unique puzzle; kept as a guard
            return 0.0, "differs from the proven unique solution"
        return 1.0, "correct"


_DIGITS_OF = tuple(tuple(d for d in range(10) if mask >> d & 1) for mask in range(1 << 10))
_OPERATION_CODES = {"add": 0, "sub": 1, "mul": 2}
Written = tuple[list[str], str, dict[str, int], dict[str, int], str]


def _written(
    op: str, operands: list[int], result: int, choice: int, python: bool = False
) -> Written:
    """The puzzle in letters (``choice`` picks them, see :func:`_letters`): the operand words,
    the result word, the hints, the solution and the answer. Where compiled, the C kernel
    does all of it in one call; ``python`` runs this reference instead."""
    if linear.native is not None and not python:
        return linear.native.puzzle(_OPERATION_CODES[op], operands, result, choice)
    letters = _letters(choice)
    table = str.maketrans(_DIGITS, letters)
    words = [str(n).translate(table) for n in operands]
    result_word = str(result).translate(table)
    if op == "add":
        revealed = linear.reveal(operands, result, 0, letters)
    elif op == "sub":
        revealed = linear.reveal([*operands[1:], result], operands[0], 0, letters)
    else:
        revealed = linear.reveal(operands[:1], result, operands[1], letters)
    hints = {letters[d]: d for d in sorted(_DIGITS_OF[revealed], key=letters.__getitem__)}
    truth = dict(zip(letters, range(10), strict=True))
    solution = {letter: truth[letter] for letter in sorted({*result_word, *"".join(words)})}
    return words, result_word, hints, solution, _format(solution)


def _format(solution: dict[str, int]) -> str:
    return ", ".join([f"{k}={v}" for k, v in sorted(solution.items())])


_PAIR = re.compile(r"\b([A-Za-z])[\"'`]?\s*(?:=|:|->|→|\bis\b)\s*(\d+)", re.IGNORECASE)
_FILLER = re.compile(r"[\s,;.\[\]{}()\"'`]|and", re.IGNORECASE)


def parse_mapping(answer: str) -> dict[str, int]:
    """Letter → value from 'A=1, B=2' (also ':' or '->', any separators, any case)."""
    pairs = _PAIR.findall(answer)
    rest = _FILLER.sub("", _PAIR.sub("", answer))
    if not pairs or rest:
        raise AnswerFormatError(f"expected LETTER=DIGIT pairs, found {answer[:80]!r}")
    mapping: dict[str, int] = {}
    for letter, digits in pairs:
        key = letter.upper()
        if key in mapping:
            raise AnswerFormatError(f"letter {key} is given more than once")
        mapping[key] = bounded_int(digits, 3, f"the value of {key}")
    return mapping


def _reasoning(p: dict[str, Any], equation: Equation, search: SearchResult) -> str:
    op, words, result = p["operation"], p["operands"], p["result"]
    lines = [f"Puzzle: {_render_equation(op, words, result)}."]
    if op == "sub":
        added = " + ".join([*words[1:], result])
        lines.append(f"Rewrite the subtraction as an addition: {added} = {words[0]}.")
    if p["hints"]:
        lines.append("Given: " + _format(p["hints"]) + ".")
    lines.append(
        "Work column by column from the units, with carries; in each column choose digits for "
        "the new letters on the left, and the column sum then forces the result letter (or, "
        "when the result letter is already known, one of the new letters on the left)."
    )
    solution = search.solutions[0]
    if equation.factor:
        lines.append(
            f"The multiplier {equation.factor} is chosen first; the value that survives is "
            f"{equation.factor}={solution[equation.factor]}."
        )
    seen = {equation.factor} if equation.factor else set()
    carry = 0
    for j, letter in enumerate(reversed(equation.result)):
        column = [w[-1 - j] for w in equation.addends if j < len(w)]
        total = sum(solution[c] for c in column)
        total = total * (solution[equation.factor] if equation.factor else 1) + carry
        text = " + ".join(column) or "nothing"
        if equation.factor:
            text = f"{equation.factor}×({text})"
        new = [c for c in dict.fromkeys([*column, letter]) if c not in seen]
        seen.update(new)
        chosen = ", ".join(f"{c}={solution[c]}" for c in new) or "no new letters"
        lines.append(
            f"Column {j + 1}: {text} + carry {carry} → {letter}: {chosen}; "
            f"sum {total}, digit {total % 10}, carry {total // 10}. "
            f"({search.dead_ends[j]} partial assignments fail at this column.)"
        )
        carry = total // 10
    lines.append(
        "Every other branch ends in a contradiction (a used digit, a leading zero, a wrong "
        f"column digit or a leftover carry); the full search creates {search.nodes} partial "
        "assignments and finds exactly one solution."
    )

    def num(word: str) -> str:
        return "".join(str(solution[c]) for c in word)

    lines.append(f"Check: {_render_equation(op, [num(w) for w in words], num(result))}.")
    return "\n".join(lines)

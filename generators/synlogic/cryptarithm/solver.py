"""Column-wise cryptarithm solver with carries: all solutions and the search's node count.

Every puzzle is solved as a column addition ``factor × (addend₁ + … + addendₖ) = result``:
subtraction ``a − b − … = c`` becomes ``b + … + c = a`` and multiplication by a one-letter word
``w × M = p`` has the single addend ``w`` and the letter ``M`` as factor (chosen first).
Columns are processed from the units up; the addend letters that first appear in a column
are branched on, the result letter is then forced by the column sum, and the carry passes
left. When the column's result letter is already known, the sum forces one new addend
letter instead (the last one appearing 1, 3, 7 or 9 times in the column: a unit mod 10), so
that letter is solved for rather than tried with every digit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Equation:
    """``factor × sum(addends) = result`` over letters (``factor`` is a letter or None for 1)."""

    addends: tuple[str, ...]
    result: str
    factor: str | None = None

    def letters(self) -> list[str]:
        """Distinct letters in the order the solver assigns them."""
        order: list[str] = [self.factor] if self.factor else []
        for j in range(len(self.result)):
            for word in (*self.addends, self.result):
                if j < len(word) and word[-1 - j] not in order:
                    order.append(word[-1 - j])
        return order

    def leading(self) -> set[str]:
        """Letters that may not be 0: the first letter of every word."""
        words = (*self.addends, self.result, *([self.factor] if self.factor else []))
        return {word[0] for word in words}


@dataclass
class SearchResult:
    solutions: list[dict[str, int]]
    nodes: int
    """Partial assignments created: one per digit tried for a letter that passed the checks."""
    dead_ends: list[int]
    """Per column (units first): partial assignments the column's sum refuted."""


def _solvable(new: list[int], counts: dict[int, int]) -> int | None:
    """The new letter the column sum determines once the result letter is known: the last
    one whose count in the column is a unit mod 10 (1, 3, 7, 9), if any."""
    for i in reversed(new):
        if counts[i] % 2 and counts[i] % 5:
            return i
    return None


def solve(equation: Equation, hints: dict[str, int] | None = None) -> SearchResult:
    """Every solution honouring ``hints`` (letter → digit), found breadth-first by column."""
    letters, table, nodes, dead_ends = solution_table(equation, hints)
    solutions = [dict(zip(letters, row, strict=True)) for row in table.tolist()]
    return SearchResult(solutions=solutions, nodes=nodes, dead_ends=dead_ends)


def solution_table(
    equation: Equation, hints: dict[str, int] | None = None
) -> tuple[list[str], np.ndarray, int, list[int]]:
    """(letters, one row of digits per solution, nodes, dead ends per column).

    The search keeps all surviving partial assignments of one column as rows of numpy
    arrays, so a column costs a handful of vectorised operations instead of a Python loop
    per branch; the rows and their count are exactly the nodes of a depth-first search
    with the same letter order.
    """
    letters = equation.letters()
    index = {letter: i for i, letter in enumerate(letters)}
    leading = equation.leading()
    hints = hints or {}
    values = np.full((1, len(letters)), -1, dtype=np.int16)
    used = np.zeros(1, dtype=np.int16)
    carry = np.zeros(1, dtype=np.int16)
    nodes = 0

    def lowest(letter: str) -> int:
        return 1 if letter in leading else 0

    def branch(i: int) -> None:
        """Give letter ``i`` every digit that is allowed and still free in each row."""
        nonlocal values, used, carry, nodes
        letter = letters[i]
        digits = np.array(
            [hints[letter]] if letter in hints else range(lowest(letter), 10), dtype=np.int16
        )
        rows, choice = np.nonzero((used[:, None] >> digits[None, :]) & 1 == 0)
        digit = digits[choice]
        values = values[rows]
        values[:, i] = digit
        used = used[rows] | (1 << digit)
        carry = carry[rows]
        nodes += len(values)

    seen: set[int] = set()
    if equation.factor:
        branch(0)
        seen.add(0)
    dead_ends = []
    for j in range(len(equation.result)):
        counts: dict[int, int] = {}
        for word in equation.addends:
            if j < len(word):
                counts[index[word[-1 - j]]] = counts.get(index[word[-1 - j]], 0) + 1
        r = index[equation.result[-1 - j]]
        new = [i for i in sorted(counts) if i not in seen]
        solved = _solvable(new, counts) if r in seen and not equation.factor else None
        for i in new:
            if i != solved:
                branch(i)
                seen.add(i)
        total = carry.copy()
        for i, m in counts.items():
            if i != solved:
                total += m * values[:, i]
        if solved is not None:  # m·x ≡ result − rest (mod 10) has one solution x
            m = counts[solved]
            x = (values[:, r] - total) * pow(m, -1, 10) % 10
            letter = letters[solved]
            fits = ((used >> x) & 1 == 0) & (x >= lowest(letter))
            if letter in hints:
                fits &= x == hints[letter]
            nodes += int(fits.sum())
            values, used, carry, total, x = (
                values[fits],
                used[fits],
                carry[fits],
                total[fits],
                x[fits],
            )
            values[:, solved] = x
            used = used | (1 << x)
            total += m * x
            seen.add(solved)
        if equation.factor:
            total = carry + values[:, 0] * (total - carry)
        digit = total % 10
        if r in seen:
            ok = values[:, r] == digit
        else:
            letter = letters[r]
            ok = ((used >> digit) & 1 == 0) & (digit >= lowest(letter))
            if letter in hints:
                ok &= digit == hints[letter]
            seen.add(r)
            values[:, r] = digit
            used = used | (1 << digit)
            nodes += int(ok.sum())
        dead_ends.append(int(len(ok) - ok.sum()))
        values, used, carry = values[ok], used[ok], total[ok] // 10
    final = carry == 0
    dead_ends[-1] += int(len(final) - final.sum())
    return letters, values[final], nodes, dead_ends

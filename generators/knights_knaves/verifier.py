"""Answer parsing and scoring.

An answer is one line per person, "(k) Name is a <role>". Parsing tolerates case, a
missing article, a trailing full stop, "(k)"/"k."/"k)" numbering or a "-"/"*" bullet,
blank lines, and any order of the lines. Lines that are not of the form "<name> is <role>"
make the answer malformed (:class:`AnswerFormatError`); a well-formed answer that names
someone unknown, misses or repeats a person, or uses a role word outside this puzzle's
pair scores 0 with the reason.

Scoring: 1.0 only for the exact assignment. Otherwise 0, unless the puzzle opted into
partial credit (``partial_credit`` knob), which is guess-proof: with ``m`` the size of
the larger role class in the solution, a well-formed answer with ``c`` correct roles out
of ``n`` scores ``max(0, (c - m) / (n - m))``. Calling everyone a knight, or everyone a
knave, gets at most ``m`` right and so scores 0; only answers that beat the best constant
guess earn anything.
"""

from __future__ import annotations

import re
from functools import lru_cache

from generators.base import AnswerFormatError
from generators.knights_knaves.puzzle import Puzzle
from generators.knights_knaves.render import answer_lines
from generators.statement_lines import listed_decisions

_NUMBERING = re.compile(r"^(?:[-*]\s*)?(?:\(\s*\d+\s*\)|\d+\s*[.):])?\s*")
_IS = re.compile(r"(?<=\s)is(?=\s)", re.IGNORECASE)  # not \s+is\s+: quadratic on spaces
_ARTICLE = re.compile(r"^an?\s+", re.IGNORECASE)
_PLAIN = re.compile(r"\(\d+\) (\w+) is an? ([\w-]+)")
"""A line as answers write it, "(2) Bob is a knave": read in one match as
:func:`_read_line` would read it (a one-word name; no space or full stop in the role)."""


def parse_answer(answer: str) -> list[tuple[str, str]]:
    """(name, role word) per non-blank line, as written (not yet matched to the puzzle)."""
    claims = []
    for number, raw in enumerate(answer.splitlines(), start=1):
        line = raw.strip()
        plain = _PLAIN.fullmatch(line)
        claim = (plain[1], plain[2]) if plain else _read_line(line, number, raw)
        if claim is not None:
            claims.append(claim)
    if not claims:
        raise AnswerFormatError("empty answer")
    return claims


@lru_cache(maxsize=1)
def _claims(answer: str) -> tuple[tuple[str, str], ...]:
    """:func:`parse_answer`, kept for the last answer: the audit scores one answer (the
    commonest reference answer) against many puzzles in a row."""
    return tuple(parse_answer(answer))


def _read_line(line: str, number: int, raw: str) -> tuple[str, str] | None:
    """(name, role word) of the stripped line ``line`` (line ``number``, ``raw`` as written),
    None for a blank one."""
    line = _NUMBERING.sub("", line, count=1)
    if not line:
        return None
    parts = _IS.split(line, maxsplit=1)
    if len(parts) != 2 or not parts[0].strip():
        raise AnswerFormatError(f"line {number} is not '(k) Name is a <role>': {raw[:80]!r}")
    role = _ARTICLE.sub("", parts[1].strip().rstrip(".").strip())
    return parts[0].strip(), " ".join(role.split())


class AnswerChecker:
    """``check_answer`` for one puzzle, its lookups built once (a reward scores many answers
    per puzzle).

    The reference answer itself is recognised by one string comparison; lines exactly as
    the reference answer writes them ("(2) Bob is a knave", either role) are looked up
    whole; an answer with any other line goes through :func:`parse_answer`. All paths give
    the same score and reason.
    """

    def __init__(self, puzzle: Puzzle) -> None:
        self.puzzle = puzzle
        self.people = {name.casefold(): person for person, name in enumerate(puzzle.names)}
        pair = puzzle.role_pair
        self.role_of = {pair.truthful.casefold(): True, pair.liar.casefold(): False}
        self.solution = dict(enumerate(puzzle.solution))
        lines = answer_lines(puzzle.names, pair)
        self.canonical = {
            lines[truthful][person]: (person, truthful)
            for person in range(puzzle.n)
            for truthful in (True, False)
        }
        self.reference = "\n".join(
            [lines[truthful][person] for person, truthful in enumerate(puzzle.solution)]
        )
        self.solved = self._score(self.solution)

    def __call__(self, answer: str) -> tuple[float, str]:
        """Score in [0, 1] and a reason; raises :class:`AnswerFormatError` on malformed text."""
        if answer == self.reference:  # the commonest right answer: no need to read it
            return self.solved
        claimed = listed_decisions(answer, self.canonical)
        if claimed is None:
            claimed = self._parsed_claims(answer)
            if isinstance(claimed, str):
                return 0.0, claimed
        return self._score(claimed)

    def _parsed_claims(self, answer: str) -> dict[int, bool] | str:
        """The roles claimed, or the reason the answer scores 0."""
        pair = self.puzzle.role_pair
        claimed: dict[int, bool] = {}
        for name, role in _claims(answer):
            person = self.people.get(name.casefold())
            if person is None:
                return f"unknown person {name!r}"
            if person in claimed:
                return f"{self.puzzle.names[person]} is named more than once"
            if role.casefold() not in self.role_of:
                return (
                    f"unknown role {role!r} for {name}; expected {pair.truthful!r} or {pair.liar!r}"
                )
            claimed[person] = self.role_of[role.casefold()]
        return claimed

    def _score(self, claimed: dict[int, bool]) -> tuple[float, str]:
        puzzle = self.puzzle
        if len(claimed) < puzzle.n:
            missing = [name for person, name in enumerate(puzzle.names) if person not in claimed]
            return 0.0, f"no role given for {', '.join(missing)}"
        n = puzzle.n
        if claimed == self.solution:
            return 1.0, f"all {n} roles correct"
        correct = sum(claimed[person] == role for person, role in self.solution.items())
        summary = f"{correct} of {n} roles correct"
        if not puzzle.partial_credit:
            return 0.0, summary
        majority = max(sum(puzzle.solution), n - sum(puzzle.solution))
        score = max(0.0, (correct - majority) / (n - majority)) if n > majority else 0.0
        return score, f"{summary}; partial credit beyond the best constant guess ({majority})"


def check_answer(puzzle: Puzzle, answer: str) -> tuple[float, str]:
    """Score in [0, 1] and a reason; raises :class:`AnswerFormatError` on malformed text."""
    return AnswerChecker(puzzle)(answer)

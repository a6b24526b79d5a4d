"""Space reasoning: objects on a lattice, relative-position statements, one displacement asked.

Objects sit on distinct points of a lattice (square, diagonal "diamond", eight-way or
triangular). Statements such as "the lamp is 2 steps north of the chair" form a tree, so
every object's position relative to any other is fixed; the question asks where one object
is relative to another (as moves along lattice directions) or how many steps apart they
are. The answer is computed exactly by adding the statement vectors along the chain.
Any list of lattice moves whose sum equals the true displacement scores 1.
"""

from __future__ import annotations

import re
from itertools import combinations_with_replacement
from random import Random
from typing import Literal

from pydantic import Field

from generators.base import (
    ANSWER_INSTRUCTION,
    AnswerFormatError,
    Instance,
    Solution,
    Task,
    TaskConfig,
)
from generators.synlogic.normalize import normalize_text, parse_number
from generators.wordlists import load_words
from schemas.records import Problem

Vector = tuple[int, int]
# x grows east, y grows north; the triangular lattice uses doubled x so that it stays integral.
LATTICES: dict[str, dict[str, Vector]] = {
    "square": {"north": (0, 1), "east": (1, 0), "south": (0, -1), "west": (-1, 0)},
    "diamond": {"north-east": (1, 1), "south-east": (1, -1), "south-west": (-1, -1),
                "north-west": (-1, 1)},
    "eight-way": {"north": (0, 1), "north-east": (1, 1), "east": (1, 0), "south-east": (1, -1),
                  "south": (0, -1), "south-west": (-1, -1), "west": (-1, 0),
                  "north-west": (-1, 1)},
    "triangular": {"north-east": (1, 1), "east": (2, 0), "south-east": (1, -1),
                   "south-west": (-1, -1), "west": (-2, 0), "north-west": (-1, 1)},
}  # fmt: skip
LATTICE_TEXT = {
    "square": "a square grid: each step goes north, east, south or west",
    "diamond": "a diamond lattice: each step goes north-east, south-east, south-west or "
    "north-west (one unit along each axis)",
    "eight-way": "a square grid with diagonal links: each step goes to one of the eight "
    "neighbouring points (north, north-east, east, south-east, south, south-west, west, "
    "north-west)",
    "triangular": "a triangular lattice: each step goes east, west, north-east, north-west, "
    "south-east or south-west (six neighbours, the diagonal steps at 60 degrees)",
}
_ABBREVIATIONS = {"n": "north", "e": "east", "s": "south", "w": "west", "ne": "northeast",
                  "se": "southeast", "sw": "southwest", "nw": "northwest"}  # fmt: skip
_TERM_SPLIT = re.compile(r"\s*(?:[,;\n+&]|\band\b|\bthen\b)\s*", re.IGNORECASE)
_TERM = re.compile(
    r"(?:(?P<n1>[\w.]+)\s+(?:steps?\s+)?(?P<d1>[a-z][a-z -]*?)"
    r"|(?P<d2>[a-z][a-z -]*?)\s+(?P<n2>[\w.]+)(?:\s+steps?)?)(?:\s+of\b.*)?"
)
MAX_TERMS = 40
MAX_TERM_CHARS = 80  # bounds the regex's work on hostile input


class SpaceReasoningConfig(TaskConfig):
    lattice: Literal["square", "diamond", "eight-way", "triangular"] = "square"
    chain_length: int = Field(default=3, ge=1, le=16, description="statements between the two")
    distractors: int = Field(default=2, ge=0, le=12, description="objects off the chain")
    max_steps: int = Field(default=2, ge=1, le=5, description="largest step count in a statement")
    distance_share: float = Field(default=0.3, ge=0.0, le=1.0, description="share of distance Qs")


def _add(a: Vector, b: Vector, k: int = 1) -> Vector:
    return (a[0] + k * b[0], a[1] + k * b[1])


def decompose(lattice: str, d: Vector) -> list[tuple[int, str]]:
    """Shortest list of (count, direction) with at most two directions that sums to ``d``."""
    best: list[tuple[int, str]] | None = None
    for (n1, u), (n2, v) in combinations_with_replacement(LATTICES[lattice].items(), 2):
        det = u[0] * v[1] - u[1] * v[0]
        if det == 0:
            if n1 != n2:
                continue
            k = d[0] // u[0] if u[0] else d[1] // u[1]
            moves = [(k, n1)] if k > 0 and (k * u[0], k * u[1]) == d else None
        else:
            a, ra = divmod(d[0] * v[1] - d[1] * v[0], det)
            b, rb = divmod(u[0] * d[1] - u[1] * d[0], det)
            ok = ra == rb == 0 and a >= 0 and b >= 0
            moves = [(k, n) for k, n in ((a, n1), (b, n2)) if k] if ok else None
        if moves and (best is None or sum(k for k, _ in moves) < sum(k for k, _ in best)):
            best = moves
    if best is None:
        raise ValueError(f"{d} is not a point of the {lattice} lattice")
    return best


def format_moves(moves: list[tuple[int, str]]) -> str:
    return ", ".join(f"{k} step{'s' if k != 1 else ''} {name}" for k, name in moves)


def parse_moves(lattice: str, text: str) -> Vector:
    """Sum of the moves in ``text`` ("2 steps north, 1 step east"); raises on anything else."""
    names = {name.replace("-", ""): vec for name, vec in LATTICES[lattice].items()}
    terms = [t for t in _TERM_SPLIT.split(normalize_text(text)) if t.strip()]
    if not terms:
        raise AnswerFormatError("no moves given")
    if len(terms) > MAX_TERMS:
        raise AnswerFormatError(f"more than {MAX_TERMS} moves")
    total: Vector = (0, 0)
    for term in terms:
        match = _TERM.fullmatch(term.strip(" .")) if len(term) <= MAX_TERM_CHARS else None
        if not match:
            raise AnswerFormatError(f"{term[:40]!r} is not 'COUNT steps DIRECTION'")
        count_text = match["n1"] or match["n2"]
        raw = (match["d1"] or match["d2"]).replace("-", "").replace(" ", "")
        direction = _ABBREVIATIONS.get(raw, raw)
        count = parse_number(count_text)
        if count.denominator != 1 or count < 0:
            raise AnswerFormatError(f"{count_text!r} is not a whole number of steps")
        if direction not in names:
            raise AnswerFormatError(f"{raw!r} is not a direction of the {lattice} lattice")
        total = _add(total, names[direction], int(count))
    return total


_AT = {"distance_share": 0.0}  # position questions only


class SpaceReasoning(Task[SpaceReasoningConfig]):
    name = "space_reasoning"
    version = "1.1.0"
    description = "Objects on a lattice with relative-position statements; find a displacement."
    Config = SpaceReasoningConfig
    surface_fields = frozenset({"objects"})
    LEVELS = {
        # short chains give distances of a few likely values: ask only for positions there
        1: {"lattice": "square", "chain_length": 1, "distractors": 1, "max_steps": 2, **_AT},
        2: {"lattice": "square", "chain_length": 2, "distractors": 2, "max_steps": 2, **_AT},
        3: {"lattice": "square", "chain_length": 3, "distractors": 2, "max_steps": 3, **_AT},
        4: {"lattice": "eight-way", "chain_length": 3, "distractors": 3, "max_steps": 3, **_AT},
        5: {"lattice": "eight-way", "chain_length": 4, "distractors": 4, "max_steps": 3, **_AT},
        6: {"lattice": "diamond", "chain_length": 5, "distractors": 4, "max_steps": 3},
        7: {"lattice": "diamond", "chain_length": 6, "distractors": 5, "max_steps": 4},
        8: {"lattice": "triangular", "chain_length": 7, "distractors": 5, "max_steps": 4},
        9: {"lattice": "triangular", "chain_length": 8, "distractors": 6, "max_steps": 4},
        10: {"lattice": "triangular", "chain_length": 10, "distractors": 8, "max_steps": 5},
    }

    def generate(self, config: SpaceReasoningConfig, rng: Random, index: int) -> Instance:
        directions = list(LATTICES[config.lattice].items())
        n = config.chain_length + 1 + config.distractors
        names = rng.sample(load_words("space_reasoning_objects"), n)
        positions: list[Vector] = [(0, 0)]
        edges: list[tuple[int, int, int, str]] = []  # (new object, anchor, steps, direction)
        while len(positions) < n:
            new = len(positions)
            anchor = new - 1 if new <= config.chain_length else rng.randrange(new)
            name, vec = rng.choice(directions)
            steps = rng.randint(1, config.max_steps)
            point = _add(positions[anchor], vec, steps)
            if point in positions:
                continue
            positions.append(point)
            edges.append((new, anchor, steps, name))
        opposite = {v: k for k, v in LATTICES[config.lattice].items()}
        statements = []
        for new, anchor, steps, name in edges:
            a, b, direction = new, anchor, name
            if rng.random() < 0.5:
                vec = LATTICES[config.lattice][name]
                a, b, direction = anchor, new, opposite[(-vec[0], -vec[1])]
            unit = "step" if steps == 1 else "steps"
            statements.append([a, b, steps, direction, f"The {names[a]} is {steps} {unit} "
                               f"{direction} of the {names[b]}."])  # fmt: skip
        rng.shuffle(statements)
        source, target = (0, config.chain_length)
        if rng.random() < 0.5:
            source, target = target, source
        kind = "distance" if rng.random() < config.distance_share else "position"
        payload = {
            "lattice": config.lattice,
            "objects": names,
            "statements": [s[:4] for s in statements],
            "source": source,
            "target": target,
            "kind": kind,
        }
        prompt = self._prompt(rng, payload, [s[4] for s in statements])
        return Instance(prompt=prompt, answer=self._solve(payload)[0], payload=payload)

    @staticmethod
    def _prompt(rng: Random, payload: dict, sentences: list[str]) -> str:
        objects = payload["objects"]
        src, tgt = objects[payload["source"]], objects[payload["target"]]
        intro = rng.choice(
            [
                f"Some objects are placed on {LATTICE_TEXT[payload['lattice']]}.",
                f"Picture {LATTICE_TEXT[payload['lattice']]}. Objects sit on its points.",
                f"A room's floor is marked as {LATTICE_TEXT[payload['lattice']]}; objects "
                "stand on distinct points.",
            ]
        )
        if payload["kind"] == "distance":
            question = rng.choice(
                [
                    f"What is the smallest number of steps from the {src} to the {tgt}?",
                    f"How many steps apart are the {src} and the {tgt} along the lattice?",
                    f"Walking only along lattice steps, how far is the {tgt} from the {src}?",
                ]
            )
            form = "Answer with a single whole number of steps, e.g. 4."
        else:
            question = rng.choice(
                [
                    f"Where is the {tgt} relative to the {src}?",
                    f"Starting at the {src}, which moves reach the {tgt}?",
                    f"Describe the position of the {tgt} as seen from the {src}.",
                ]
            )
            form = (
                "Answer with a comma-separated list of moves in the lattice's directions, "
                "such as '2 steps north-east, 1 step east'; any list whose moves add up to "
                "the right position is accepted."
            )
        return "\n".join([intro, "", *sentences, "", question, form, ANSWER_INSTRUCTION])

    @staticmethod
    def _solve(payload: dict) -> tuple[str, list[str], int]:
        """Answer, trace lines and chain length, walking the statement tree from the source."""
        lattice, names = payload["lattice"], payload["objects"]
        links: dict[int, list[tuple[int, Vector, str]]] = {}
        for a, b, steps, direction in payload["statements"]:
            vec = LATTICES[lattice][direction]
            text = f"the {names[a]} is {format_moves([(steps, direction)])} of the {names[b]}"
            links.setdefault(b, []).append((a, (vec[0] * steps, vec[1] * steps), text))
            links.setdefault(a, []).append((b, (-vec[0] * steps, -vec[1] * steps), text))
        parent: dict[int, tuple[int, Vector, str] | None] = {payload["source"]: None}
        frontier = [payload["source"]]
        while frontier:
            node = frontier.pop()
            for other, vec, text in links.get(node, []):
                if other not in parent:
                    parent[other] = (node, vec, text)
                    frontier.append(other)
        chain = []
        node = payload["target"]
        while (step := parent[node]) is not None:
            chain.append((node, *step))
            node = step[0]
        chain.reverse()
        unit = "half-units" if lattice == "triangular" else "units"
        lines = [f"Put the {names[payload['source']]} at (0, 0) (x east, y north, in {unit})."]
        pos: Vector = (0, 0)
        for node, _prev, vec, text in chain:
            pos = _add(pos, vec)
            lines.append(f"Since {text}, the {names[node]} is at {pos}.")
        moves = decompose(lattice, pos)
        distance = sum(k for k, _ in moves)
        lines.append(f"The shortest way there is {format_moves(moves)}: {distance} steps in all.")
        answer = str(distance) if payload["kind"] == "distance" else format_moves(moves)
        return answer, lines, len(chain)

    def solve(self, problem: Problem) -> Solution:
        answer, lines, chain = self._solve(problem.payload)
        return Solution(answer=answer, reasoning="\n".join(lines), stats={"effort": chain})

    def question_kind(self, problem: Problem) -> str:
        return problem.payload["kind"]

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        payload = problem.payload
        expected = problem.answer
        if payload["kind"] == "distance":
            given = parse_number(answer)
            ok = given == int(expected)
            return (1.0, "correct") if ok else (0.0, f"expected {expected} steps, got {given}")
        lattice = payload["lattice"]
        want = parse_moves(lattice, expected)
        got = parse_moves(lattice, answer)
        if got == want:
            return 1.0, "correct"
        return 0.0, f"those moves end at the wrong point (expected {expected})"

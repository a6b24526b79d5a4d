"""Redefined operators: "a ⊕ b = 2 × a + b; a ⊗ b = (a ⊕ b) × a", then evaluate an expression.

Operator bodies are small arithmetic trees over ``a``, ``b`` and constants (+, −, ×), may use
operators defined before them, and at higher levels are piecewise ("if a > b ..."). The main
expression is fully parenthesised. The answer is an integer computed exactly by our own
evaluator (no ``eval``), so it is unique by construction.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from random import Random
from typing import Any, ClassVar

from pydantic import Field, model_validator

from generators.base import ANSWER_INSTRUCTION, Instance, Solution, Task, TaskConfig
from generators.canonical import digest
from generators.synlogic.normalize import parse_number
from schemas.arrow import canonical_json
from schemas.records import Problem

SYMBOLS = ("⊕", "⊗", "⊙", "△", "☆", "◇")
_ARITHMETIC = {"+": 1, "−": 1, "×": 2}
_CONDITIONS = ("a > b", "a < b", "a + b is even")
_MAX_TRIES = 400
_LISTED_STEPS = 60

# A body tree is JSON-friendly: "a", "b", an int, [op, left, right] with op in + − × or a
# defined symbol (an application of an earlier operator).
Body = Any


@dataclass(frozen=True)
class Definition:
    symbol: str
    body: Body
    condition: str = ""  # when set: ``body`` applies if it holds, else ``otherwise``
    otherwise: Body = None


def render_body(
    body: Body, a: str = "a", b: str = "b", parent: int = 0, right: bool = False
) -> str:
    """Infix text with the fewest parentheses; applications of defined operators are bracketed."""
    if body == "a":
        return a
    if body == "b":
        return b
    if isinstance(body, int):
        return str(body) if body >= 0 else f"({body})"
    op, left, rhs = body
    if op not in _ARITHMETIC:
        return f"({render_body(left, a, b)} {op} {render_body(rhs, a, b)})"
    prec = _ARITHMETIC[op]
    text = f"{render_body(left, a, b, prec)} {op} {render_body(rhs, a, b, prec, right=True)}"
    return f"({text})" if prec < parent or (prec == parent and right) else text


def render_definition(definition: Definition) -> str:
    head = f"a {definition.symbol} b = {render_body(definition.body)}"
    if definition.condition:
        head += f" if {definition.condition}, otherwise {render_body(definition.otherwise)}"
    return head


def render_expression(expr: Any, top: bool = True) -> str:
    if isinstance(expr, int):
        return str(expr)
    text = f"{render_expression(expr[1], False)} {expr[0]} {render_expression(expr[2], False)}"
    return text if top else f"({text})"


def _number(value: int) -> str:
    return str(value) if value >= 0 else f"({value})"


class Evaluator:
    """Exact evaluation with a step count (effort) and readable step lines."""

    def __init__(self, definitions: list[Definition]) -> None:
        self.definitions = {d.symbol: d for d in definitions}
        self.steps = 0
        self.lines: list[str] = []

    def apply(self, symbol: str, a: int, b: int) -> int:
        definition = self.definitions[symbol]
        body, note = definition.body, ""
        if definition.condition:
            self.steps += 1
            holds = _holds(definition.condition, a, b)
            if not holds:
                body = definition.otherwise
            shown = definition.condition.replace("a", _number(a), 1).replace("b", _number(b), 1)
            note = f"{shown} is {'true' if holds else 'false'}, so "
        value = self.body(body, a, b)
        self.steps += 1
        text = render_body(body, _number(a), _number(b))
        self.lines.append(f"{_number(a)} {symbol} {_number(b)}: {note}{text} = {value}")
        return value

    def body(self, body: Body, a: int, b: int) -> int:
        if body == "a":
            return a
        if body == "b":
            return b
        if isinstance(body, int):
            return body
        op, left, right = body
        x, y = self.body(left, a, b), self.body(right, a, b)
        if op not in _ARITHMETIC:
            return self.apply(op, x, y)
        self.steps += 1
        return x + y if op == "+" else x - y if op == "−" else x * y

    def expression(self, expr: Any) -> int:
        if isinstance(expr, int):
            return expr
        return self.apply(expr[0], self.expression(expr[1]), self.expression(expr[2]))


def _holds(condition: str, a: int, b: int) -> bool:
    if condition == "a > b":
        return a > b
    if condition == "a < b":
        return a < b
    return (a + b) % 2 == 0


class OperationConfig(TaskConfig):
    """Knobs: how many operators, whether they nest or branch, and the expression's size."""

    n_definitions: int = Field(default=1, ge=1, le=len(SYMBOLS), description="operators defined")
    nested: bool = Field(default=False, description="later operators use earlier ones")
    piecewise: bool = Field(default=False, description="one operator has an if/otherwise rule")
    min_applications: int = Field(default=1, ge=1, le=20, description="fewest operator uses")
    max_applications: int = Field(default=1, ge=1, le=20, description="most operator uses")
    max_number: int = Field(default=9, ge=2, le=99, description="largest number in the expression")
    max_abs: int = Field(
        default=10**6, ge=100, le=10**12, description="largest magnitude of any intermediate"
    )

    @model_validator(mode="after")
    def _consistent(self) -> OperationConfig:
        if self.min_applications > self.max_applications:
            raise ValueError("min_applications must not exceed max_applications")
        return self


def _level(defs: int, nested: bool, piecewise: bool, apps: tuple[int, int]) -> dict[str, Any]:
    return {
        "n_definitions": defs,
        "nested": nested,
        "piecewise": piecewise,
        "min_applications": apps[0],
        "max_applications": apps[1],
    }


LEVELS: dict[int, dict[str, Any]] = {
    1: _level(1, False, False, (1, 1)),
    2: _level(1, False, False, (2, 2)),
    3: _level(2, False, False, (2, 3)),
    4: _level(2, True, False, (3, 3)),
    5: _level(2, True, False, (3, 4)),
    6: _level(3, True, True, (4, 5)),
    7: _level(3, True, True, (5, 6)),
    8: _level(3, True, True, (6, 7)),
    9: _level(4, True, True, (7, 8)),
    10: _level(4, True, True, (8, 10)),
}

_INTROS = (
    "New operators are defined as follows (a and b are integers; ×, + and − keep their usual "
    "meaning and precedence):",
    "In this problem some symbols get new meanings. For any numbers a and b (with the usual "
    "rules for +, − and ×):",
    "Consider these custom operations on integers, written with ordinary arithmetic:",
)
_QUESTIONS = (
    "Compute the value of: {expr}",
    "Using these definitions, evaluate {expr}",
    "What is {expr}?",
)
_FORMATS = (
    "Parenthesised parts are evaluated first. Answer with a single integer.",
    "Work out the innermost parentheses first. Your answer is one integer, e.g. -12 or 345.",
    "Evaluate inside parentheses first and give the result as an integer only.",
)


class Operation(Task[OperationConfig]):
    """Evaluate an expression built from newly defined operators; the answer is an integer."""

    name: ClassVar[str] = "operation"
    version: ClassVar[str] = "1.0.0"
    description: ClassVar[str] = (
        "Redefined operators (a ⊕ b = 2 × a + b, a ⊗ b = (a ⊕ b) × a, piecewise rules at "
        "higher levels) and an expression using them to evaluate; the answer is an integer."
    )
    Config: ClassVar[type[TaskConfig]] = OperationConfig
    LEVELS: ClassVar[dict[int, dict[str, Any]]] = LEVELS

    def generate(self, config: OperationConfig, rng: Random, index: int) -> Instance:
        for attempt in range(_MAX_TRIES):
            if attempt % 20 == 0:
                definitions = self._definitions(config, rng)
            n = rng.randint(config.min_applications, config.max_applications)
            expr = self._expression(rng, n, config.max_number, [d.symbol for d in definitions])
            value = _bounded_value(definitions, expr, config.max_abs)
            if value is not None:
                break
        else:
            raise RuntimeError("no expression within max_abs; raise max_abs or lower the knobs")
        text = render_expression(expr)
        lines = [rng.choice(_INTROS), *(render_definition(d) for d in definitions), ""]
        lines += [rng.choice(_QUESTIONS).format(expr=text), rng.choice(_FORMATS)]
        payload = {
            "definitions": [
                {"symbol": d.symbol, "body": d.body, "condition": d.condition, "else": d.otherwise}
                for d in definitions
            ],
            "expression": expr,
        }
        return Instance(
            prompt="\n".join([*lines, ANSWER_INSTRUCTION]), answer=str(value), payload=payload
        )

    def _definitions(self, config: OperationConfig, rng: Random) -> list[Definition]:
        symbols = rng.sample(SYMBOLS, config.n_definitions)
        branching = rng.randrange(config.n_definitions) if config.piecewise else -1
        definitions: list[Definition] = []
        for i, symbol in enumerate(symbols):
            earlier = symbols[:i] if config.nested else []
            uses = [rng.choice(earlier)] if earlier else []
            body = _body(rng, uses)
            if i == branching:
                definitions.append(
                    Definition(symbol, body, rng.choice(_CONDITIONS), _body(rng, []))
                )
            else:
                definitions.append(Definition(symbol, body))
        return definitions

    def _expression(self, rng: Random, n: int, top: int, symbols: list[str]) -> Any:
        """A random tree with exactly ``n`` operator applications and leaves 1..top."""
        if n == 0:
            return rng.randint(1, top)
        left = rng.randint(0, n - 1)
        return [
            rng.choice(symbols),
            self._expression(rng, left, top, symbols),
            self._expression(rng, n - 1 - left, top, symbols),
        ]

    def solve(self, problem: Problem) -> Solution:
        definitions = _load(problem.payload)
        evaluator = Evaluator(definitions)
        value = evaluator.expression(problem.payload["expression"])
        lines = ["Definitions:", *(render_definition(d) for d in definitions)]
        lines.append(
            f"Evaluate {render_expression(problem.payload['expression'])} from the innermost "
            "parentheses outwards, expanding each operator by its definition."
        )
        steps = evaluator.lines
        shown = steps if len(steps) <= _LISTED_STEPS else steps[: _LISTED_STEPS - 1]
        lines += [f"Step {i}: {line}" for i, line in enumerate(shown, 1)]
        if len(shown) < len(steps):
            lines.append(f"({len(steps) - len(shown)} more applications, the last one:)")
            lines.append(f"Step {len(steps)}: {steps[-1]}")
        lines.append(f"The value is {value}.")
        return Solution(
            answer=str(value),
            reasoning="\n".join(lines),
            stats={"effort": evaluator.steps, "applications": len(steps)},
        )

    def structural_key(self, problem: Problem) -> str:
        """Definitions and expression with the operator symbols renamed in definition order."""
        text = canonical_json(problem.payload)
        for rank, definition in enumerate(problem.payload["definitions"]):
            text = text.replace(definition["symbol"], f"op{rank}")
        return digest(text)

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        given = parse_number(answer)
        if given == Fraction(problem.answer):
            return 1.0, f"correct: {problem.answer}"
        return 0.0, f"wrong: {given} is not the value"


def _body(rng: Random, uses: list[str]) -> Body:
    """Two or three distinct terms joined by + or −, at least one using a or b.

    A term may apply an earlier operator (``uses``), possibly multiplied by a or b.
    """
    terms: list[Body] = []
    for symbol in uses:
        application = [symbol, "a", "b"] if rng.random() < 0.7 else [symbol, "b", "a"]
        if rng.random() < 0.3:
            application = ["×", application, rng.choice(("a", "b", 2))]
        terms.append(application)
    pool: list[Body] = [
        "a",
        "b",
        ["×", "a", "b"],
        ["×", rng.randint(2, 3), "a"],
        ["×", rng.randint(2, 3), "b"],
        rng.randint(1, 5),
    ]
    wanted = rng.randint(2, 3)
    while len(terms) < wanted:
        term = rng.choice(pool)
        if term in terms or (isinstance(term, int) and not terms):
            continue  # distinct terms; a constant never comes first, so a variable is present
        terms.append(term)
    rng.shuffle(terms)
    body = terms[0]
    for term in terms[1:]:
        body = [rng.choice(("+", "−")), body, term]
    return body


def _load(payload: dict[str, Any]) -> list[Definition]:
    return [
        Definition(d["symbol"], d["body"], d["condition"], d["else"])
        for d in payload["definitions"]
    ]


def _bounded_value(definitions: list[Definition], expr: Any, max_abs: int) -> int | None:
    """The expression's value, or None when it exceeds ``max_abs``."""
    value = Evaluator(definitions).expression(expr)
    return value if abs(value) <= max_abs else None

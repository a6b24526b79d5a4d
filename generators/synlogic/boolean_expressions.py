"""Boolean expressions: evaluate a nested formula over True/False (and named variables).

The formula is a random tree with an exact number of binary operators; every binary
operation is parenthesised, so there is no precedence to guess. The answer (True or False)
is computed by our own tree evaluator, never by ``eval``; it is unique by construction.
"""

from __future__ import annotations

from dataclasses import dataclass
from random import Random
from typing import Any, ClassVar

from pydantic import Field, model_validator

from generators.balanced import balanced_choice
from generators.base import (
    ANSWER_INSTRUCTION,
    AnswerFormatError,
    Instance,
    Solution,
    Task,
    TaskConfig,
)
from generators.canonical import digest, least_relabelling, sorted_operands
from generators.synlogic.normalize import normalize_text
from schemas.records import Problem

_BASIC = ("and", "or")
_EXTENDED = ("and", "or", "xor", "implies")
_VARIABLE_NAMES = ("p", "q", "r", "s", "t", "u", "v", "w")
_TRUTH = {"true": True, "false": False}
_COMMUTATIVE = frozenset({"and", "or", "xor"})
_LISTED_STEPS = 80
_SHOWN_CHARS = 100


@dataclass(frozen=True)
class Node:
    """A formula node: ``op`` is "lit", "var", "not" or a binary operator."""

    op: str
    value: bool = False
    name: str = ""
    children: tuple[Node, ...] = ()


def apply(op: str, left: bool, right: bool) -> bool:
    if op == "and":
        return left and right
    if op == "or":
        return left or right
    if op == "xor":
        return left != right
    if op == "implies":
        return (not left) or right
    raise ValueError(f"unknown operator {op!r}")


def render(node: Node, top: bool = True) -> str:
    if node.op == "lit":
        return str(node.value)
    if node.op == "var":
        return node.name
    if node.op == "not":
        return f"not {render(node.children[0], top=False)}"
    left, right = (render(child, top=False) for child in node.children)
    text = f"{left} {node.op} {right}"
    return text if top else f"({text})"


def to_json(node: Node) -> Any:
    if node.op == "lit":
        return node.value
    if node.op == "var":
        return node.name
    return [node.op, *(to_json(child) for child in node.children)]


def _renamed(tree: Any, names: dict[str, str]) -> Any:
    """A JSON formula with variable ``v`` renamed ``names[v]``."""
    if isinstance(tree, str):
        return names[tree]
    if isinstance(tree, list):
        return [tree[0], *(_renamed(child, names) for child in tree[1:])]
    return tree


def _contexts(tree: Any, parent: str, found: dict[str, list[str]]) -> dict[str, list[str]]:
    """Each variable → the operators it appears under, one entry per occurrence."""
    if isinstance(tree, str):
        found.setdefault(tree, []).append(parent)
    elif isinstance(tree, list):
        for child in tree[1:]:
            _contexts(child, tree[0], found)
    return found


def from_json(data: Any) -> Node:
    if isinstance(data, bool):
        return Node("lit", value=data)
    if isinstance(data, str):
        return Node("var", name=data)
    return Node(data[0], children=tuple(from_json(child) for child in data[1:]))


def evaluate(node: Node, values: dict[str, bool], steps: list[str] | None = None) -> bool:
    """The formula's value; each operator evaluated appends one readable line to ``steps``."""
    if node.op == "lit":
        return node.value
    if node.op == "var":
        return values[node.name]
    results = [evaluate(child, values, steps) for child in node.children]
    if node.op == "not":
        value = not results[0]
        shown = f"not {results[0]}"
    else:
        value = apply(node.op, results[0], results[1])
        shown = f"{results[0]} {node.op} {results[1]}"
    if steps is not None:
        text = render(node)
        if len(text) > _SHOWN_CHARS:
            text = text[: _SHOWN_CHARS - 5] + " … )"
        steps.append(f"{text}  →  {shown} = {value}")
    return value


class BooleanExpressionsConfig(TaskConfig):
    """Knobs: formula size (binary operators), negations, operator set and variables."""

    min_binary: int = Field(default=2, ge=1, le=60, description="fewest binary operators")
    max_binary: int = Field(default=3, ge=1, le=60, description="most binary operators")
    not_probability: float = Field(
        default=0.2, ge=0.0, le=0.6, description="chance that a node is wrapped in 'not'"
    )
    extended_ops: bool = Field(default=False, description="also use xor and implies")
    n_variables: int = Field(
        default=0, ge=0, le=len(_VARIABLE_NAMES), description="named variables with given values"
    )

    @model_validator(mode="after")
    def _consistent(self) -> BooleanExpressionsConfig:
        if self.min_binary > self.max_binary:
            raise ValueError("min_binary must not exceed max_binary")
        return self


def _level(lo: int, hi: int, neg: float, ext: bool, nvars: int) -> dict[str, Any]:
    return {
        "min_binary": lo,
        "max_binary": hi,
        "not_probability": neg,
        "extended_ops": ext,
        "n_variables": nvars,
    }


LEVELS: dict[int, dict[str, Any]] = {
    1: _level(1, 2, 0.1, False, 0),
    2: _level(2, 3, 0.2, False, 0),
    3: _level(3, 5, 0.2, False, 0),
    4: _level(5, 7, 0.25, False, 2),
    5: _level(7, 9, 0.25, True, 2),
    6: _level(9, 12, 0.3, True, 3),
    7: _level(12, 15, 0.3, True, 4),
    8: _level(15, 19, 0.3, True, 5),
    9: _level(19, 24, 0.35, True, 6),
    10: _level(24, 30, 0.35, True, 8),
}

_INTROS = (
    "Evaluate the following Boolean expression.",
    "Work out whether this logical expression is true or false.",
    "Here is a nested Boolean formula to evaluate.",
)
_SEMANTICS = (
    "'not' negates its operand, 'and' is true when both sides are true, 'or' when at least "
    "one side is true",
    "'not X' flips X; 'X and Y' holds only if both hold; 'X or Y' holds if either holds",
    "The operators have their usual meaning: not (negation), and (conjunction), or "
    "(inclusive disjunction)",
)
_EXTENDED_SEMANTICS = (
    "; 'X xor Y' is true when exactly one side is true, and 'X implies Y' is false only when "
    "X is true and Y is false."
)
_SCOPE = (
    "A 'not' applies only to the value, variable or parenthesised group right after it; "
    "every binary operation is enclosed in parentheses except the outermost one."
)
_FORMATS = (
    "Answer with the single word True or False.",
    "Your answer must be exactly one word: True or False.",
    "Give the value of the expression as True or False.",
)


class BooleanExpressions(Task[BooleanExpressionsConfig]):
    """Evaluate a parenthesised formula: not/and/or, plus xor/implies and variables later."""

    name: ClassVar[str] = "boolean_expressions"
    version: ClassVar[str] = "1.1.0"
    description: ClassVar[str] = (
        "Evaluate a nested Boolean expression over True/False with not, and, or (and xor, "
        "implies and named variables at higher levels); the answer is True or False."
    )
    Config: ClassVar[type[TaskConfig]] = BooleanExpressionsConfig
    LEVELS: ClassVar[dict[int, dict[str, Any]]] = LEVELS

    def generate(self, config: BooleanExpressionsConfig, rng: Random, index: int) -> Instance:
        names = list(_VARIABLE_NAMES[: config.n_variables])
        values = {name: rng.random() < 0.5 for name in names}
        # True and False equally often at every level (a coin strays by √n): redraw the
        # tree until its value matches
        wanted = balanced_choice(index, 2, salt=0.17) == 0
        for _ in range(64):
            tree = self._tree(config, rng, rng.randint(config.min_binary, config.max_binary), names)
            if evaluate(tree, values) == wanted:
                break
        answer = str(evaluate(tree, values))
        prompt = self._prompt(config, rng, tree, values)
        payload = {"formula": to_json(tree), "values": values, "expression": render(tree)}
        return Instance(prompt=prompt, answer=answer, payload=payload)

    def _tree(
        self, config: BooleanExpressionsConfig, rng: Random, n_binary: int, names: list[str]
    ) -> Node:
        """A random tree with exactly ``n_binary`` binary operators (split at random)."""
        if n_binary == 0:
            if names and rng.random() < 0.6:
                node = Node("var", name=rng.choice(names))
            else:
                node = Node("lit", value=rng.random() < 0.5)
        else:
            left = rng.randint(0, n_binary - 1)
            ops = _EXTENDED if config.extended_ops else _BASIC
            node = Node(
                rng.choice(ops),
                children=(
                    self._tree(config, rng, left, names),
                    self._tree(config, rng, n_binary - 1 - left, names),
                ),
            )
        if rng.random() < config.not_probability:
            node = Node("not", children=(node,))
        return node

    def _prompt(
        self, config: BooleanExpressionsConfig, rng: Random, tree: Node, values: dict[str, bool]
    ) -> str:
        semantics = rng.choice(_SEMANTICS)
        semantics += _EXTENDED_SEMANTICS if config.extended_ops else "."
        lines = [rng.choice(_INTROS), semantics, _SCOPE]
        if values:
            given = ", ".join(f"{name} = {value}" for name, value in values.items())
            lines.append(f"The variables have these values: {given}.")
        lines += ["", render(tree), "", rng.choice(_FORMATS), ANSWER_INSTRUCTION]
        return "\n".join(lines)

    def solve(self, problem: Problem) -> Solution:
        tree = from_json(problem.payload["formula"])
        values = problem.payload["values"]
        steps: list[str] = []
        value = evaluate(tree, values, steps)
        lines = ["Evaluate from the innermost operators outwards."]
        if values:
            lines.append("Substitute " + ", ".join(f"{k} = {v}" for k, v in values.items()) + ".")
        shown = steps if len(steps) <= _LISTED_STEPS else steps[: _LISTED_STEPS - 1]
        lines += [f"Step {i}: {step}" for i, step in enumerate(shown, 1)]
        if len(shown) < len(steps):
            lines.append(f"({len(steps) - len(shown)} more steps, ending with the whole formula.)")
            lines.append(f"Step {len(steps)}: {steps[-1]}")
        lines.append(f"So the expression is {value}.")
        return Solution(
            answer=str(value),
            reasoning="\n".join(lines),
            stats={"effort": len(steps), "operators": len(steps)},
        )

    def labels(self, problem: Problem) -> tuple[str, ...]:
        return ("True", "False")

    def structural_key(self, problem: Problem) -> str:
        """The formula with and/or/xor operands sorted and the variables renamed canonically
        (with their values)."""
        values = problem.payload["values"]
        names = sorted(values)

        def renamed(relabel: list[int]) -> list[Any]:
            new = {name: _VARIABLE_NAMES[relabel[i]] for i, name in enumerate(names)}
            formula = sorted_operands(_renamed(problem.payload["formula"], new), _COMMUTATIVE)
            return [formula, sorted([new[name], values[name]] for name in names)]

        contexts = _contexts(problem.payload["formula"], "top", {})
        colours = [[values[name], sorted(contexts.get(name, []))] for name in names]
        return digest(least_relabelling(colours, renamed))

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        word = normalize_text(answer)
        if word not in _TRUTH:
            raise AnswerFormatError(f"expected True or False, got {answer.strip()[:40]!r}")
        expected = problem.answer == "True"
        if _TRUTH[word] == expected:
            return 1.0, f"correct: {problem.answer}"
        return 0.0, f"wrong: the expression is {problem.answer}"

"""Tiny tasks that exercise the build machinery independently of the real generators."""

from __future__ import annotations

from random import Random

from pydantic import Field

from generators.base import AnswerFormatError, Instance, Solution, Task, TaskConfig
from schemas.records import Problem


class ToySumConfig(TaskConfig):
    terms: int = Field(default=2, ge=1, le=20)


class ToySum(Task[ToySumConfig]):
    """Add small numbers; the effort is the number of additions."""

    name = "toy_sum"
    version = "1.0.0"
    description = "add a few numbers"
    Config = ToySumConfig
    LEVELS = {level: {"terms": level + 1} for level in range(1, 11)}

    def generate(self, config: ToySumConfig, rng: Random, index: int) -> Instance:
        numbers = [rng.randint(1, 99) for _ in range(config.terms)]
        prompt = f"What is {' + '.join(map(str, numbers))}? Answer in <answer></answer>."
        return Instance(prompt=prompt, answer=str(sum(numbers)), payload={"numbers": numbers})

    def solve(self, problem: Problem) -> Solution:
        numbers = problem.payload["numbers"]
        steps, total = [], 0
        for n in numbers:
            steps.append(f"{total} + {n} = {total + n}")
            total += n
        return Solution(str(total), "\n".join(steps), {"effort": len(numbers)})

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        if not answer.strip().lstrip("-").isdigit():
            raise AnswerFormatError("expected an integer")
        ok = int(answer) == sum(problem.payload["numbers"])
        return (1.0, "correct") if ok else (0.0, "wrong sum")


class ToyBroken(ToySum):
    """A task whose solver is wrong for odd indices: the self-check must stop the build."""

    name = "toy_broken"

    def solve(self, problem: Problem) -> Solution:
        solution = super().solve(problem)
        if problem.index % 2:
            return Solution(str(int(solution.answer) + 1), solution.reasoning, solution.stats)
        return solution


class ToyTinyConfig(TaskConfig):
    distinct: int = Field(default=5, ge=1, le=1000)


class ToyTiny(Task[ToyTinyConfig]):
    """Name a number from a small range: a problem space of ``distinct`` problems per level
    (the name shown is a surface detail that the structural key leaves out)."""

    name = "toy_tiny"
    version = "1.0.0"
    description = "repeat a number"
    Config = ToyTinyConfig
    LEVELS = {level: {"distinct": 5 * level} for level in range(1, 11)}
    surface_fields = frozenset({"name"})

    def generate(self, config: ToyTinyConfig, rng: Random, index: int) -> Instance:
        number, name = rng.randint(1, config.distinct), rng.choice(["Ann", "Bob"])
        prompt = f"{name} says {number}. Repeat the number in <answer></answer>."
        return Instance(prompt=prompt, answer=str(number), payload={"n": number, "name": name})

    def solve(self, problem: Problem) -> Solution:
        return Solution(str(problem.payload["n"]), "Repeat it.", {"effort": 1})

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        ok = answer.strip() == str(problem.payload["n"])
        return (1.0, "correct") if ok else (0.0, "wrong number")

"""A corpus of long, over-thought traces made from our own solvers' reference traces.

Each trace is a solver's reference trace (reasoning + ``<answer>`` block) followed by
redundant re-checks of the kind long-CoT models produce after they already have the
answer: "Wait, let me verify this again." with the reasoning gone through again,
step-by-step checks, "Hmm, alternatively …" passes, and restated answers. The number,
style and length of the re-checks are drawn from an rng seeded per trace, so trace
``i`` depends only on ``(seed, i)``: a smaller corpus is a prefix of a larger one. Some
traces put all of it inside ``<think>…</think>`` with the answer after.

Every trace is correct before any cut: its final ``<answer>`` block is the solver's.
"""

from __future__ import annotations

from random import Random

from factory.stages import reference_trace
from generators.base import make_problem
from generators.registry import get_task
from schemas.ids import derive_seed
from schemas.records import Problem

CORPUS_TASKS = (
    "knights_knaves",
    "nlsat",
    "sudoku",
    "game_of_24",
    "zebra_puzzle",
    "futoshiki",
    "cryptarithm",
    "web_of_lies",
    "boolean_expressions",
    "word_sorting",
)
LEVELS = (1, 4)
THINK_SHARE = 0.4

_VERIFY_OPENERS = (
    "Wait, let me verify this again.",
    "Wait, let me double-check that before I commit.",
    "Hold on, let me go through it once more to be sure.",
)
_STEP_OPENERS = (
    "Let me verify each step on its own.",
    "To be safe, I'll re-check the steps one at a time.",
)
_ALTERNATIVE_OPENERS = (
    "Hmm, alternatively, I could work through it in the other direction.",
    "Hmm, alternatively, let me look at it from the end backwards.",
)
_AGREEMENTS = (
    "Yes, that gives the same result again.",
    "Same outcome as before.",
    "That agrees with what I found.",
)


def _restated(answer: str, rng: Random) -> str:
    styles = ["boxed", "tag"] + ([] if "\n" in answer else ["line", "line"])
    style = rng.choice(styles)
    if style == "line":
        template = rng.choice(("So the answer is {}.", "Final answer: {}", "The answer is {}."))
        return template.format(answer)
    if style == "boxed":
        return f"So the result is \\boxed{{{answer}}}"
    return f"<answer>\n{answer}\n</answer>"


def _excerpt(lines: list[str], rng: Random) -> list[str]:
    """A contiguous run of 40–100% of the reasoning lines."""
    size = max(1, round(len(lines) * rng.uniform(0.4, 1.0)))
    start = rng.randint(0, len(lines) - size)
    return lines[start : start + size]


def _recheck(lines: list[str], answer: str, rng: Random) -> str:
    style = rng.choice(("verify", "steps", "alternative"))
    part = _excerpt(lines, rng)
    if style == "verify":
        body = [rng.choice(_VERIFY_OPENERS), *part]
    elif style == "steps":
        body = [rng.choice(_STEP_OPENERS)]
        body += [f"Check {k}: {line} - this holds." for k, line in enumerate(part, 1)]
    else:
        body = [rng.choice(_ALTERNATIVE_OPENERS), *reversed(part)]
    body.append(rng.choice(_AGREEMENTS))
    if rng.random() < 0.6:
        body.append(_restated(answer, rng))
    return "\n".join(body)


def long_trace(problem: Problem, rng: Random) -> str:
    """The solver's trace for ``problem`` plus 1–3 redundant re-checks drawn from ``rng``."""
    trace = reference_trace(problem)
    reasoning = trace.text.rsplit("<answer>", 1)[0]
    lines = [line.strip() for line in reasoning.splitlines() if line.strip()]
    rechecks = [_recheck(lines, trace.answer, rng) for _ in range(rng.randint(1, 3))]
    final = f"<answer>\n{trace.answer}\n</answer>"
    body = "\n\n".join([trace.text, *rechecks])
    if rng.random() < THINK_SHARE:
        return f"<think>\n{body}\n</think>\n\n{final}"
    return f"{body}\n\n{final}"


def long_trace_corpus(count: int, seed: int) -> list[tuple[Problem, str]]:
    """``count`` (problem, long trace) pairs over :data:`CORPUS_TASKS`, deterministic for a seed."""
    pairs = []
    for index in range(count):
        name = CORPUS_TASKS[index % len(CORPUS_TASKS)]
        rng = Random(derive_seed(seed, "rewrite-corpus", index))
        level = rng.randint(*LEVELS)
        task = get_task(name)
        problem = make_problem(task, task.config_for_level(level), seed, index, level)
        pairs.append((problem, long_trace(problem, rng)))
    return pairs

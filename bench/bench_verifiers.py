"""Worst-case verifier time per task on hostile input, and answer extraction on its
degenerate case next to the regex it replaced.

Run: ``python bench/bench_verifiers.py [--level L] [--repeats R] [--baseline-limit N]
[TASK ...]``.

Per task (a problem of level L, default 1; NLSat also with an assignment question), each
figure is the worst, over the hostile inputs of ``tests/hostile_inputs.py``, of the CPU
time of one call (``time.process_time``, best of R repeats, so that other processes on
the machine inflate it as little as possible):

- ``20k answer``: ``verify`` on each hostile answer of ``MAX_ANSWER_CHARS`` characters in
  ``<answer>`` tags, nearly all of it ``check_answer`` (target ≤ 50 ms); ``slowest`` names
  the input;
- ``200k``, ``1M``: ``verify`` on whole completions of that many characters (padding,
  unclosed tags, thinking full of tags) ending with the oracle answer or the task's
  slowest hostile answer, extraction included (target ≤ 200 ms at 1M).

Then ``extract_answer`` alone on ``"<answer>" * n`` (unclosed tags) at 16k, 64k, 200k and
1M characters, next to the regex ``<answer>(.*?)</answer>`` it replaced, run in this
process. That regex is quadratic (about a minute at 200k): sizes above
``--baseline-limit`` skip it.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generators.base import Task, make_problem  # noqa: E402
from generators.extract import MAX_ANSWER_CHARS, extract_answer  # noqa: E402
from generators.registry import get_task, task_names  # noqa: E402
from schemas.records import Problem  # noqa: E402
from tests.hostile_inputs import hostile_answers, hostile_completions, run_of  # noqa: E402

ANSWER_TARGET_S = 0.050
COMPLETION_TARGET_S = 0.200
COMPLETION_SIZES = (200_000, 1_000_000)
EXTRACTION_SIZES = (16_000, 64_000, 200_000, 1_000_000)
VARIANTS = {"nlsat": [{}, {"question": "assignment"}]}
OLD_ANSWER = re.compile(r"<answer>(.*?)</answer>", re.DOTALL | re.IGNORECASE)


def cpu_seconds(call: Callable[[], object], repeats: int) -> float:
    """The least CPU time of ``repeats`` calls."""
    best = math.inf
    for _ in range(repeats):
        start = time.process_time()
        call()
        best = min(best, time.process_time() - start)
    return best


def slowest(task: Task, problem: Problem, texts: dict[str, str], repeats: int) -> tuple[float, str]:
    """(seconds, name) of the slowest of ``texts`` to verify."""
    return max(
        (cpu_seconds(lambda text=text: task.verify(problem, text), repeats), name)
        for name, text in texts.items()
    )


def task_figures(name: str, level: int, repeats: int) -> tuple[tuple[float, str], list[float]]:
    """The slowest 20k answer (seconds, input) and the slowest completion per size."""
    task = get_task(name)
    worst_answer, worst_completions = (0.0, ""), [0.0] * len(COMPLETION_SIZES)
    for knobs in VARIANTS.get(name, [{}]):
        problem = make_problem(task, task.config_for_level(level, knobs), 1, 0, level)
        answers = hostile_answers(problem.answer, MAX_ANSWER_CHARS)
        wrapped = {kind: f"<answer>{answer}</answer>" for kind, answer in answers.items()}
        seconds, kind = slowest(task, problem, wrapped, repeats)
        worst_answer = max(worst_answer, (seconds, kind))
        for i, size in enumerate(COMPLETION_SIZES):
            texts = {
                f"{shape}, {label}": text
                for label, answer in (("oracle", problem.answer), (kind, answers[kind]))
                for shape, text in hostile_completions(answer, size).items()
            }
            seconds = slowest(task, problem, texts, repeats)[0]
            worst_completions[i] = max(worst_completions[i], seconds)
    return worst_answer, worst_completions


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def chars(size: int) -> str:
    return f"{size // 10**6}M" if size % 10**6 == 0 else f"{size // 1000}k"


def print_tasks(names: list[str], level: int, repeats: int) -> None:
    sizes = "".join(f"{chars(size):>11}" for size in COMPLETION_SIZES)
    print(f"{'task':<32}{'20k answer':>11}  {'slowest':<30}{sizes}  targets")
    overall = [0.0] * (1 + len(COMPLETION_SIZES))
    for name in names:
        (answer_s, kind), completion_s = task_figures(name, level, repeats)
        figures = [answer_s, *completion_s]
        overall = [max(a, b) for a, b in zip(overall, figures, strict=True)]
        ok = answer_s <= ANSWER_TARGET_S and completion_s[-1] <= COMPLETION_TARGET_S
        row = "".join(f"{ms(s):>11}" for s in completion_s)
        print(f"{name:<32}{ms(answer_s):>11}  {kind[:29]:<30}{row}  {'ok' if ok else 'OVER'}")
    row = "".join(f"{ms(s):>11}" for s in overall[1:])
    print(f"{'worst of all':<32}{ms(overall[0]):>11}  {'':<30}{row}", flush=True)


def print_extraction(baseline_limit: int, repeats: int) -> None:
    print('\nextract_answer on "<answer>" * n (unclosed tags), CPU time per call')
    print(f"{'chars':>10}{'linear scan':>14}{'old regex':>14}{'old / new':>12}")
    for size in EXTRACTION_SIZES:
        text = run_of("<answer>", size)
        new = cpu_seconds(lambda text=text: extract_answer(text), repeats)
        if size > baseline_limit:
            print(f"{size:>10,}{ms(new):>14}{'skipped':>14}", flush=True)
            continue
        old = cpu_seconds(lambda text=text: OLD_ANSWER.findall(text), 1)
        print(f"{size:>10,}{ms(new):>14}{ms(old):>14}{old / new:>11,.0f}x", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--level", type=int, default=1, help="the problems' level")
    parser.add_argument("--repeats", type=int, default=3, help="best of this many calls")
    parser.add_argument(
        "--baseline-limit", type=int, default=200_000, help="longest text for the old regex"
    )
    parser.add_argument("tasks", nargs="*", help="default: every built-in task")
    args = parser.parse_args()
    print_tasks(args.tasks or task_names(), args.level, args.repeats)
    print_extraction(args.baseline_limit, args.repeats)


if __name__ == "__main__":
    main()

"""Reward evaluations per second on one core: ``factory.rewards`` over realistic completions.

Run: ``python bench/bench_rewards.py [--problems N] [--seconds S] [--profile TASK] [TASK ...]``.

Per task, problems at every level (NLSat: both question kinds) get completions shaped like
a model's: the solver's reasoning inside ``<think>…</think>``, then ``<answer>…</answer>``
holding the reference answer (half of them) or a task-aware wrong edit of it (the other
half, see ``tests/answer_perturb.py``). Columns, all in evaluations per CPU second of this
single process pinned to one CPU, best of 3 (``chars``: mean completion length, ``pass``: share
scoring 1.0):

- ``verify``: the task's own ``verify(problem, text)`` alone (the floor the reward sits on);
- ``compute_score``: verl's entry point, ground truths parsed once (LRU cache);
- ``cold``: the same with the cache cleared before every call (first sight of a prompt);
- ``trl``: ``verifier_reward`` on batches of 16 chat-message completions, per completion.

The issue's target: compute_score ≥ 20,000/s for knights_knaves.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from factory import rewards  # noqa: E402
from factory.rewards import compute_score, encode_ground_truth, verifier_reward  # noqa: E402
from generators.base import make_problem  # noqa: E402
from generators.registry import get_task  # noqa: E402
from schemas.records import Problem  # noqa: E402
from tests.answer_perturb import perturb  # noqa: E402

TASKS = ("knights_knaves", "nlsat", "sudoku", "zebra_puzzle", "game_of_24")
KNOBS = {"nlsat": [{"question": "consistency"}, {"question": "assignment"}]}
TARGETS = {"knights_knaves": 20_000}
BATCH = 16

Case = tuple[Problem, str, str]  # problem, ground truth, completion


def cases(task_name: str, count: int) -> list[Case]:
    """``count`` problems over every level (and knob set), alternately right and wrong."""
    task = get_task(task_name)
    variants = [(level, knobs) for level in task.LEVELS for knobs in KNOBS.get(task_name, [{}])]
    made = []
    for i in range(count):
        level, knobs = variants[i % len(variants)]
        problem = make_problem(task, task.config_for_level(level, knobs), 1, i, level)
        solution = task.solve(problem)
        answer = (
            solution.answer if i % 2 == 0 else perturb(task_name, solution.answer, problem.payload)
        )
        text = f"<think>\n{solution.reasoning.strip()}\n</think>\n<answer>\n{answer}\n</answer>"
        made.append((problem, encode_ground_truth(problem), text))
    return made


def rate(calls: Callable[[int], int], seconds: float, repeats: int = 3) -> float:
    """Evaluations per CPU second of ``calls(i)`` (which returns how many it made), best
    of ``repeats`` runs: CPU time and the best run, so that other processes sharing the
    machine deflate the figure as little as possible."""
    best = 0.0
    for _ in range(repeats):
        done, i, start = 0, 0, time.process_time()
        while (elapsed := time.process_time() - start) < seconds / repeats:
            done += calls(i)
            i += 1
        best = max(best, done / elapsed)
    return best


def figures(task_name: str, batch: list[Case], seconds: float) -> dict[str, float]:
    task = get_task(task_name)
    source = f"reasoning_factory/{task_name}"
    n = len(batch)

    def verify(i: int) -> int:
        problem, _, text = batch[i % n]
        task.verify(problem, text)
        return 1

    def warm(i: int) -> int:
        _, truth, text = batch[i % n]
        compute_score(source, text, truth, {"index": i})
        return 1

    def cold(i: int) -> int:
        rewards._prepared.cache_clear()
        return warm(i)

    chats = [[{"role": "assistant", "content": text}] for _, _, text in batch]
    truths = [truth for _, truth, _ in batch]

    def trl(i: int) -> int:
        start = (i * BATCH) % n
        chunk = slice(start, start + BATCH)
        return len(verifier_reward(chats[chunk], truths[chunk]))

    scores = [compute_score(source, text, truth) for _, truth, text in batch]
    return {
        "verify": rate(verify, seconds),
        "compute_score": rate(warm, seconds),
        "cold": rate(cold, seconds),
        "trl": rate(trl, seconds),
        "pass": sum(s == 1.0 for s in scores) / n,
        "chars": statistics.mean(len(text) for _, _, text in batch),
    }


def profile(task_name: str, batch: list[Case], seconds: float) -> None:
    source = f"reasoning_factory/{task_name}"
    profiler = cProfile.Profile()
    profiler.enable()
    start = time.perf_counter()
    i = 0
    while time.perf_counter() - start < seconds:
        _, truth, text = batch[i % len(batch)]
        compute_score(source, text, truth)
        i += 1
    profiler.disable()
    print(f"\nprofile of compute_score on {task_name} ({i} calls):")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--problems", type=int, default=200, help="problems per task")
    parser.add_argument("--seconds", type=float, default=2.0, help="time per figure")
    parser.add_argument("--profile", metavar="TASK", help="also print a profile for TASK")
    parser.add_argument("tasks", nargs="*", help=f"default: {' '.join(TASKS)}")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    print(f"reward evaluations per second, one process on one CPU ({args.problems} problems)")
    header = ["task", "chars", "pass", "verify", "compute_score", "cold", "trl", "target"]
    print(f"{header[0]:<16}" + "".join(f"{h:>14}" for h in header[1:]))
    batches = {}
    for name in args.tasks or TASKS:
        batches[name] = cases(name, args.problems)
        f = figures(name, batches[name], args.seconds)
        target = TARGETS.get(name)
        verdict = "" if target is None else ("ok" if f["compute_score"] >= target else "BELOW")
        verdict = f"{target} {verdict}" if target else "-"
        cells = [f"{f['chars']:.0f}", f"{f['pass']:.2f}"]
        cells += [f"{f[k]:,.0f}" for k in ("verify", "compute_score", "cold", "trl")]
        print(f"{name:<16}" + "".join(f"{c:>14}" for c in [*cells, verdict]), flush=True)
    if args.profile:
        profile(args.profile, batches.get(args.profile) or cases(args.profile, args.problems), 2.0)


if __name__ == "__main__":
    main()

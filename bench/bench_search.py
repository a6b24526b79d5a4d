"""MCTS throughput on one core: iterations/s, finished searches/s and finished traces/s.

Run: ``python bench/bench_search.py [--seconds S] [--iterations N]``. Cases: Countdown
with 4 and 6 numbers (game_of_24 problems, which generate 6 numbers natively) and
Knights & Knaves with 6 people. Each search runs MCTS (c = 1.0, 3 children per expansion)
with up to ``--iterations`` iterations on a fresh problem and stops at the first verified
answer; iterations/s counts every iteration run, searches/s the searches finished (solved
or budget spent), and the solved share is printed alongside. traces/s is the search task's
whole solver (``search_countdown`` / ``search_knights_knaves``: MCTS, the DFS fallback when
the budget is spent, an ASTRO trace with 2 backtracks) plus the verifier on the trace.

Then, per task, trace style and level (``--levels``, ``--traces`` each): p50/p99 seconds
per trace (generation, with its line-budget check, + solve + verify) and p50/p99/max
trace lines, and traces/s; plus the matched setting of the Stream-of-Search authors'
generator (4 numbers, targets 10..100, their format), whose own rate is ~107 traces/s.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generators.base import make_problem  # noqa: E402
from generators.registry import get_task  # noqa: E402
from generators.search.countdown import Countdown  # noqa: E402
from generators.search.engines import mcts  # noqa: E402
from generators.search.knights_knaves import KnightsKnaves  # noqa: E402

CASES = [
    ("countdown, 4 numbers", Countdown, "game_of_24", {"n_numbers": 4}),
    ("countdown, 6 numbers", Countdown, "game_of_24", {"n_numbers": 6, "target_max": 100}),
    ("knights & knaves, 6 people", KnightsKnaves, "knights_knaves", {"n_people": 6, "depth": 3}),
]
SEARCH_TASK = {"game_of_24": "search_countdown", "knights_knaves": "search_knights_knaves"}
PROFILES = [
    ("search_countdown", "stream_of_search", {}),
    ("search_countdown", "astro", {}),
    ("search_knights_knaves", "stream_of_search", {}),
    ("search_sudoku", "astro", {}),
    ("search_nlsat", "stream_of_search", {}),
]
MATCHED = {"n_numbers": 4, "target_min": 10, "target_max": 100, "min_effort": 0}


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def profile(name: str, level: int | None, knobs: dict, count: int) -> str:
    """One row: time and length of ``count`` traces, generation included."""
    task = get_task(name)
    config = task.config_for_level(level, knobs)
    seconds, lines = [], []
    for index in range(count):
        start = time.perf_counter()
        problem = make_problem(task, config, 0, index, level)
        solution = task.solve(problem)
        assert task.verify(problem, solution.trace_text()).passed
        seconds.append(time.perf_counter() - start)
        lines.append(solution.stats["trace_lines"])
    return (
        f"{name:<22} {knobs.get('trace', ''):<22} {level or '-':>5} "
        f"{quantile(seconds, 0.5):>8.4f} {quantile(seconds, 0.99):>8.4f} "
        f"{quantile(lines, 0.5):>6} {quantile(lines, 0.99):>6} {max(lines):>6} "
        f"{count / sum(seconds):>9.1f}"
    )


def profiles(levels: list[int], count: int) -> None:
    print(
        f"\n{'task':<22} {'trace':<22} {'level':>5} {'p50 s':>8} {'p99 s':>8} "
        f"{'p50 ln':>6} {'p99 ln':>6} {'max ln':>6} {'traces/s':>9}"
    )
    for name, trace, knobs in PROFILES:
        for level in levels:
            print(profile(name, level, {**knobs, "trace": trace}, count), flush=True)
    paper = {**MATCHED, "trace": "stream_of_search_paper"}
    print(profile("search_countdown", None, paper, count), "(matched: SoS authors ~107/s)")


def traces_per_second(task_name: str, knobs: dict, rollout: str, iterations: int, seconds: float):
    """Verified search traces per second from the search task's solver."""
    task = get_task(SEARCH_TASK[task_name])
    config = task.config_for_level(None, {**knobs, "policy": rollout, "iterations": iterations})
    problems = [make_problem(task, config, 1, i) for i in range(64)]
    done = verified = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds or done == 0:
        problem = problems[done % len(problems)]
        verified += task.verify(problem, task.solve(problem).trace_text()).passed
        done += 1
    return done / (time.perf_counter() - start), verified / done


def measure(
    env_cls, task_name: str, knobs: dict, rollout: str, iterations: int, seconds: float
) -> tuple[float, float, float]:
    """(iterations/s, searches/s, solved share) over fresh problems for ``seconds``."""
    task = get_task(task_name)
    config = task.config_for_level(None, knobs)
    problems = [make_problem(task, config, 1, i) for i in range(64)]  # generation not timed
    done = solved = spent = 0
    start = time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds or done == 0:
        env = env_cls(problems[done % len(problems)])
        result = mcts(env, iterations=iterations, seed=done, rollout=rollout)
        done += 1
        solved += result.solved
        spent += result.iterations
    elapsed = time.perf_counter() - start
    return spent / elapsed, done / elapsed, solved / done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0, help="time per case")
    parser.add_argument("--iterations", type=int, default=200, help="MCTS budget per search")
    parser.add_argument("--levels", default="1,5,10", help="levels profiled, comma-separated")
    parser.add_argument("--traces", type=int, default=100, help="traces per profiled level")
    parser.add_argument("--skip-mcts", action="store_true", help="only the per-level profile")
    args = parser.parse_args()
    if not args.skip_mcts:
        mcts_table(args)
    profiles([int(level) for level in args.levels.split(",")], args.traces)


def mcts_table(args: argparse.Namespace) -> None:
    print(f"MCTS budget {args.iterations} iterations per search, c=1.0, 3 children/expansion")
    print(
        f"{'case':<28} {'rollout':<10} {'iterations/s':>13} {'searches/s':>11} {'solved':>7}"
        f" {'traces/s':>9} {'verified':>9}"
    )
    for label, env_cls, task_name, knobs in CASES:
        for rollout in ("uniform", "heuristic"):
            rate, searches, share = measure(
                env_cls, task_name, knobs, rollout, args.iterations, args.seconds
            )
            traces, verified = traces_per_second(
                task_name, knobs, rollout, args.iterations, args.seconds
            )
            print(
                f"{label:<28} {rollout:<10} {rate:>13.0f} {searches:>11.1f} {share:>7.0%}"
                f" {traces:>9.1f} {verified:>9.0%}",
                flush=True,
            )


if __name__ == "__main__":
    main()

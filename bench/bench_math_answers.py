"""Our math-answer parser against math-verify on the same inputs.

Run: ``python bench/bench_math_answers.py [--limit S] [--seconds S]``. For each hostile
input, equivalent form and near miss of ``tests/test_math_answers.py``, prints the time
and verdict of our parser (``generators.math.answers``) and of math-verify (``parse`` +
``verify``, default settings, both texts inside ``$…$``). math-verify runs each input in
a fresh child process, stopped after ``--limit`` seconds: its own timeouts use SIGALRM,
which only works on a main thread, and a hang must not stall the bench. Ends with our
evaluations per second on normal answers. math-verify is optional (``pip install
math-verify==0.9.0``); without it only our column is printed.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generators.base import AnswerFormatError  # noqa: E402
from generators.math.answers import parse_expr, same_value  # noqa: E402
from tests.test_math_answers import EQUIVALENT, HOSTILE, NEAR_MISSES  # noqa: E402

VARIABLES = ("x", "y")


def ours(answer: str, reference: str) -> tuple[str, float]:
    start = time.perf_counter()
    try:
        verdict = str(same_value(parse_expr(answer, VARIABLES), parse_expr(reference, VARIABLES)))
    except AnswerFormatError as error:
        verdict = f"refused: {error}"
    except Exception as error:  # a bug in ours: the bench shows it rather than stopping
        verdict = f"RAISED {type(error).__name__}"
    return verdict, time.perf_counter() - start


def _theirs_child(answer: str, reference: str, out) -> None:
    import logging
    import os

    quiet = os.open(os.devnull, os.O_WRONLY)  # math-verify logs the whole input on a timeout
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    logging.disable(logging.CRITICAL)
    from math_verify import parse, verify

    start = time.perf_counter()
    try:
        gold = parse(f"${reference}$")
        found = parse(answer if "$" in answer else f"${answer}$")
        if not gold:
            verdict = "reference not parsed"
        else:
            verdict = str(verify(gold, found)) if found else "refused: nothing parsed"
    except Exception as error:
        verdict = f"RAISED {type(error).__name__}"
    out.send((verdict, time.perf_counter() - start))


def theirs(answer: str, reference: str, limit: float) -> tuple[str, float]:
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_theirs_child, args=(answer, reference, send), daemon=True)
    child.start()
    if receive.poll(limit):
        result = receive.recv()
        child.join()
        return result
    child.kill()
    child.join()
    return f"no verdict after {limit:.0f} s (killed)", limit


def has_math_verify() -> bool:
    try:
        import math_verify  # noqa: F401
    except ImportError:
        return False
    return True


def cases() -> list[tuple[str, str, str, str]]:
    """(group, name, answer, reference)."""
    found = [("hostile", name, text, "x") for name, text in sorted(HOSTILE.items())]
    found += [("equal", a[:30], a, b) for a, b in EQUIVALENT]
    found += [("near miss", a[:30], a, b) for a, b in NEAR_MISSES]
    return found


def evaluations_per_second(seconds: float) -> float:
    pairs = [(a, b) for a, b in EQUIVALENT] + [(a, b) for a, b in NEAR_MISSES]
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        answer, reference = pairs[count % len(pairs)]
        ours(answer, reference)
        count += 1
    return count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=float, default=20.0, help="seconds per math-verify call")
    parser.add_argument("--seconds", type=float, default=3.0, help="time for the rate")
    args = parser.parse_args()
    compare = has_math_verify()
    if not compare:
        print("math-verify is not installed: only our parser is measured")
    print(f"{'group':<9} {'input':<30} {'ours ms':>8}  {'ours verdict':<38}", end="")
    print(f" {'m-v ms':>8}  m-v verdict" if compare else "")
    for group, name, answer, reference in cases():
        verdict, seconds = ours(answer, reference)
        line = f"{group:<9} {name:<30} {seconds * 1e3:>8.2f}  {verdict[:38]:<38}"
        if compare:
            their_verdict, their_seconds = theirs(answer, reference, args.limit)
            line += f" {their_seconds * 1e3:>8.1f}  {their_verdict[:40]}"
        print(line, flush=True)
    rate = evaluations_per_second(args.seconds)
    print(
        f"\nours: {rate:.0f} evaluations/s on the equal and near-miss pairs (parse both + compare)"
    )


if __name__ == "__main__":
    main()

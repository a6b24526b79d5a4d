"""Side by side with reasoning-gym (the pinned peer): generation and reward throughput.

Run: ``python bench/bench_peers.py [--seconds S] [--min-calls N] [--rounds R] [--only NAME,...]
[--json PATH]``
(``pip install -e '.[bench]'`` installs the peer).

Every row puts one of our tasks next to the reasoning-gym dataset that makes the same kind
of puzzle, at matching knobs, at both ends of the range (our level 1 and level 10, or the
peer's own extremes where our knobs reach them). The knob mapping is printed under each
row. Throughput is problems made per CPU second in this one process, pinned to one CPU:
ours ``generators.base.make_problem`` (which proves uniqueness, labels and solves), the
peer's ``dataset[index]``. The two sides alternate (ours, peer, ours, peer …) for
``--rounds`` rounds of ``--seconds`` each (run on for at least ``--min-calls`` problems, up
to ``STRETCH`` times as long, so that a slow row's round averages over enough puzzles that
one hard draw does not decide it), fresh
indices every round; the row reports the
median rate of each side, the median ratio ours/peer and the worst round's ratio.

Reward rows compare ``factory.rewards.compute_score`` with the peer's ``extract_answer`` +
``score_answer`` on completions that share their thinking (our solver's reasoning) and
differ only in the answer, which is each side's reference answer (half) or one wrong edit
of it (the other half), in each side's own answer format.

``peer unique`` says whether the peer's generator proves its answer is the only one (read
from its code): where it does not, the two sides do not make the same product.

Targets (issue 18): every row ≥ 1.0×; rows where we already led ≥ 2×; rewards ≥ 1.5×.
Rows below target are listed at the end. A peer dataset that cannot be built is an error:
the run says so loudly and exits with status 2.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from factory.rewards import compute_score, encode_ground_truth  # noqa: E402
from generators.base import make_problem  # noqa: E402
from generators.registry import get_task, task_names  # noqa: E402
from tests.answer_perturb import perturb  # noqa: E402

SEED = 1
PEER_SIZE = 10**9  # the peer's virtual dataset size: indices never run out
REWARD_CASES = 32  # problems per reward row (half answered right, half wrong)

# How each peer generator stands behind its answer (read from reasoning-gym 0.1.25's code).
UNIQUE = "yes"
UNIQUE_BEST_EFFORT = "yes; clue count best effort"
NOT_UNIQUE = "NO"
NOT_APPLICABLE = "n/a"


@dataclass(frozen=True)
class Ours:
    task: str
    level: int | None = None
    knobs: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        knobs = {**get_task(self.task).LEVELS.get(self.level, {}), **self.knobs}
        level = f"L{self.level} " if self.level is not None else ""
        return f"{self.task} {level}{_knob_text(knobs)}"


@dataclass(frozen=True)
class Peer:
    dataset: str
    config: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        return f"{self.dataset} {_knob_text(self.config)}"


@dataclass(frozen=True)
class Row:
    """One measurement: ``kind`` is ``generate`` or ``reward``."""

    pair: str
    end: str
    ours: Ours
    peer: Peer
    peer_unique: str
    target: float
    kind: str = "generate"
    note: str = ""

    @property
    def name(self) -> str:
        prefix = "reward " if self.kind == "reward" else ""
        return f"{prefix}{self.pair} [{self.end}]"


def _knob_text(knobs: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{k}={v}" for k, v in knobs.items()) + "}"


def pair(
    name: str,
    ends: dict[str, tuple[Ours, Peer]],
    unique: str,
    lead: bool = False,
    note: str = "",
    kind: str = "generate",
) -> list[Row]:
    """Rows of one task pair; ``lead``: we led before issue 18, so the target is 2×."""
    target = 1.5 if kind == "reward" else 2.0 if lead else 1.0
    return [
        Row(name, end, ours, peer, unique, target, kind, note) for end, (ours, peer) in ends.items()
    ]


def _kk(n: int, depth: int, width: int) -> dict[str, int]:
    return {"n_people": n, "depth_constraint": depth, "width_constraint": width}


def _empty(cells: int) -> dict[str, int]:
    return {"min_empty": cells, "max_empty": cells}


def _span(low: str, high: str, value: Any) -> dict[str, Any]:
    return {low: value, high: value}


def _countdown(n: int) -> dict[str, Any]:
    return {"n_numbers": n, "max_number": 100, "target_min": 100, "target_max": 999}


GENERATION: list[Row] = [
    *pair(
        "knights_knaves",
        {
            "L1": (Ours("knights_knaves", 1), Peer("knights_knaves", _kk(2, 2, 2))),
            "L10": (Ours("knights_knaves", 10), Peer("knights_knaves", _kk(12, 3, 3))),
        },
        f"{UNIQUE}: all 2^n assignments evaluated",
        lead=True,
    ),
    *pair(
        "sudoku",
        {
            "L3": (Ours("sudoku", 3), Peer("sudoku", _empty(41))),
            "L10": (Ours("sudoku", 10), Peer("sudoku", _empty(56))),
            "22 clues": (Ours("sudoku", None, {"clues": 22}), Peer("sudoku", _empty(59))),
        },
        UNIQUE_BEST_EFFORT,
        lead=True,
        note="the peer stops at a minimal puzzle above the clue target; ours always reaches it",
    ),
    *pair(
        "mini_sudoku",
        {
            "8 clues": (
                Ours("sudoku", None, {"size": 4, "clues": 8}),
                Peer("mini_sudoku", _empty(8)),
            ),
            "L1": (Ours("sudoku", 1), Peer("mini_sudoku", _empty(10))),
            "4 clues": (
                Ours("sudoku", None, {"size": 4, "clues": 4}),
                Peer("mini_sudoku", _empty(12)),
            ),
        },
        UNIQUE_BEST_EFFORT,
        lead=True,
        note="the peer stops at a minimal puzzle above the clue target; ours always reaches it",
    ),
    *pair(
        "futoshiki",
        {
            "L1": (
                Ours("futoshiki", 1),
                Peer(
                    "futoshiki",
                    {
                        **_span("min_board_size", "max_board_size", 4),
                        **_span("min_difficulty", "max_difficulty", 0),
                    },
                ),
            ),
            "L10": (
                Ours("futoshiki", 10),
                Peer(
                    "futoshiki",
                    {
                        **_span("min_board_size", "max_board_size", 7),
                        **_span("min_difficulty", "max_difficulty", 3),
                    },
                ),
            ),
        },
        UNIQUE,
        lead=True,
    ),
    *pair(
        "zebra",
        {
            "L1": (
                Ours("zebra_puzzle", 1),
                Peer("zebra_puzzles", {"num_people": 3, "num_characteristics": 3}),
            ),
            "L10": (
                Ours("zebra_puzzle", 10),
                Peer("zebra_puzzles", {"num_people": 6, "num_characteristics": 6}),
            ),
        },
        f"{UNIQUE} (SAT: no second model)",
        lead=True,
    ),
    *pair(
        "countdown",
        {
            "4 numbers": (
                Ours("game_of_24", None, _countdown(4)),
                Peer("countdown", _span("min_numbers", "max_numbers", 4)),
            ),
            "6 numbers": (
                Ours("game_of_24", None, _countdown(6)),
                Peer("countdown", _span("min_numbers", "max_numbers", 6)),
            ),
        },
        f"{NOT_APPLICABLE}: any expression hitting the target",
    ),
    *pair(
        "puzzle24",
        {"1..10": (Ours("game_of_24", 1), Peer("puzzle24", {"min_value": 1, "max_value": 10}))},
        f"{NOT_APPLICABLE}: any expression making 24",
        lead=True,
    ),
    *pair(
        "cryptarithm",
        {
            "2 addends": (
                Ours(
                    "cryptarithm",
                    None,
                    {"operations": ["add"], "n_addends": 2, "min_digits": 3, "max_digits": 5},
                ),
                Peer("cryptarithm", _span("min_words", "max_words", 2)),
            ),
            "5 addends": (
                Ours(
                    "cryptarithm",
                    None,
                    {"operations": ["add"], "n_addends": 5, "min_digits": 3, "max_digits": 5},
                ),
                Peer("cryptarithm", _span("min_words", "max_words", 5)),
            ),
        },
        f"{NOT_UNIQUE}: any consistent letter mapping scores",
        note="ours proves the letter mapping unique; the peer only sums random numbers",
    ),
    *pair(
        "word_sorting",
        {
            "L1": (
                Ours("word_sorting", 1),
                Peer("word_sorting", _span("min_words", "max_words", 4)),
            ),
            "28 words": (
                Ours("word_sorting", None, {"count": 28, "order": "ascending"}),
                Peer("word_sorting", _span("min_words", "max_words", 28)),
            ),
        },
        f"{NOT_APPLICABLE}: the order is determined",
    ),
    *pair(
        "kakurasu",
        {
            "L1": (
                Ours("kukurasu", 1),
                Peer("kakurasu", {"min_rows": 3, "max_rows": 3, "min_cols": 3, "max_cols": 3}),
            ),
            "9x9": (
                Ours("kukurasu", None, {"rows": 9, "cols": 9, "density": 0.3}),
                Peer(
                    "kakurasu",
                    {"min_rows": 9, "max_rows": 9, "min_cols": 9, "max_cols": 9, "p_ones": 0.3},
                ),
            ),
        },
        f"{UNIQUE} (until max_retries runs out)",
    ),
    *pair(
        "survo",
        {
            "L1": (
                Ours("survo", 1),
                Peer(
                    "survo",
                    {
                        **_span("min_board_size", "max_board_size", 4),
                        **_span("min_empty", "max_empty", 3),
                    },
                ),
            ),
            "L10": (
                Ours("survo", 10),
                Peer(
                    "survo",
                    {
                        **_span("min_board_size", "max_board_size", 6),
                        **_span("min_empty", "max_empty", 15),
                    },
                ),
            ),
        },
        f"{NOT_UNIQUE}: blanks drawn, never checked",
        note="rules differ: ours places 1..R*C once each; the peer lists the missing numbers",
    ),
    *pair(
        "caesar_cipher",
        {
            "1 word": (
                Ours("cipher", 1),
                Peer("caesar_cipher", _span("min_words", "max_words", 1)),
            ),
            "12 words": (
                Ours("cipher", None, {"words": 12, "ciphers": ["caesar"]}),
                Peer("caesar_cipher", _span("min_words", "max_words", 12)),
            ),
        },
        f"{NOT_APPLICABLE}: a bijection",
    ),
]

# Math and graph pairs: peer configs at both ends; ours at the lowest and highest level of
# the first of ``names`` found in the registry (those families are still being added).
FAMILY_PAIRS: list[tuple[str, tuple[str, ...], str, dict[str, Any], dict[str, Any], str]] = [
    (
        "gcd",
        ("gcd", "gcd_lcm"),
        "gcd",
        {"max_value": 100},
        {"min_numbers": 4, "max_numbers": 4, "max_value": 10**6},
        NOT_APPLICABLE,
    ),
    (
        "lcm",
        ("lcm", "gcd_lcm"),
        "lcm",
        {"max_value": 20},
        {"min_numbers": 4, "max_numbers": 4, "max_value": 1000},
        NOT_APPLICABLE,
    ),
    (
        "prime_factorization",
        ("prime_factorization", "factorization"),
        "prime_factorization",
        {"max_value": 100},
        {"min_value": 10**5, "max_value": 10**6},
        NOT_APPLICABLE,
    ),
    (
        "simple_equations",
        ("simple_equations", "linear_equations", "linear_equation"),
        "simple_equations",
        _span("min_terms", "max_terms", 2),
        _span("min_terms", "max_terms", 4),
        NOT_APPLICABLE,
    ),
    (
        "polynomial_equations",
        ("polynomial_equations", "polynomial_roots"),
        "polynomial_equations",
        _span("min_degree", "max_degree", 1),
        _span("min_degree", "max_degree", 3),
        NOT_APPLICABLE,
    ),
    (
        "integration",
        ("integration", "simple_integration", "antiderivative"),
        "simple_integration",
        {"min_terms": 2, "max_terms": 2, "max_degree": 3},
        _span("min_terms", "max_terms", 5),
        NOT_APPLICABLE,
    ),
    (
        "shortest_path",
        ("shortest_path",),
        "shortest_path",
        {"min_rows": 5, "max_rows": 5, "min_cols": 5, "max_cols": 5},
        {"min_rows": 12, "max_rows": 12, "min_cols": 12, "max_cols": 12},
        f"{NOT_UNIQUE}: any shortest path scores",
    ),
    (
        "graph_colouring",
        ("graph_colouring", "graph_coloring", "graph_color"),
        "graph_color",
        _span("min_num_vertices", "max_num_vertices", 6),
        {**_span("min_num_vertices", "max_num_vertices", 20), "edge_probability": 0.2},
        f"{NOT_UNIQUE}: any proper colouring scores",
    ),
    (
        "course_schedule",
        ("course_feasibility", "course_schedule"),  # the peer asks: can every course be taken?
        "course_schedule",
        _span("min_num_courses", "max_num_courses", 5),
        _span("min_num_courses", "max_num_courses", 20),
        NOT_APPLICABLE,
    ),
    (
        "family_relationships",
        ("family_relationships", "family_relations"),
        "family_relationships",
        _span("min_family_size", "max_family_size", 4),
        _span("min_family_size", "max_family_size", 8),
        NOT_APPLICABLE,
    ),
    (
        "complex_arithmetic",
        ("complex_arithmetic",),
        "complex_arithmetic",
        {"operations": ("+", "-"), "operations_weights": [0.5, 0.5]},
        {"min_real": -100, "max_real": 100, "min_imag": -100, "max_imag": 100},
        NOT_APPLICABLE,
    ),
    (
        "largest_island",
        ("largest_island",),
        "largest_island",
        {"min_rows": 5, "max_rows": 5, "min_cols": 5, "max_cols": 5},
        {"min_rows": 10, "max_rows": 10, "min_cols": 10, "max_cols": 10},
        NOT_APPLICABLE,
    ),
]

REWARDS: list[Row] = [
    *pair(
        "knights_knaves",
        {
            "L4": (Ours("knights_knaves", 4), Peer("knights_knaves", _kk(4, 3, 2))),
            "L8": (Ours("knights_knaves", 8), Peer("knights_knaves", _kk(8, 3, 3))),
        },
        "strict 0/1 (peer: partial credit)",
        kind="reward",
    ),
    *pair(
        "sudoku",
        {
            "L1 4x4": (Ours("sudoku", 1), Peer("mini_sudoku", _empty(10))),
            "L10": (Ours("sudoku", 10), Peer("sudoku", _empty(56))),
        },
        "strict 0/1 (peer: partial credit)",
        kind="reward",
    ),
]


def family_rows(present: set[str]) -> tuple[list[Row], list[str]]:
    """Rows for the math/graph pairs whose task exists; notes for the others."""
    rows, notes = [], []
    for name, candidates, dataset, easy, hard, unique in FAMILY_PAIRS:
        ours = next((candidate for candidate in candidates if candidate in present), None)
        if ours is None:
            notes.append(f"{name}: skipped, none of {', '.join(candidates)} is registered yet")
            continue
        levels = get_task(ours).LEVELS
        ends = {
            f"L{min(levels)}": (Ours(ours, min(levels)), Peer(dataset, easy)),
            f"L{max(levels)}": (Ours(ours, max(levels)), Peer(dataset, hard)),
        }
        rows += pair(name, ends, unique)
    return rows, notes


def all_rows() -> tuple[list[Row], list[str]]:
    family, notes = family_rows(set(task_names()))
    return [*GENERATION, *family, *REWARDS], notes


# --- building each side -------------------------------------------------------------------


def peer_dataset(peer: Peer) -> Any:
    import reasoning_gym

    return reasoning_gym.create_dataset(peer.dataset, seed=SEED, size=PEER_SIZE, **peer.config)


def our_maker(ours: Ours) -> Callable[[int], Any]:
    task = get_task(ours.task)
    config = task.config_for_level(ours.level, ours.knobs)
    return lambda index: make_problem(task, config, SEED, index, ours.level)


def peer_maker(peer: Peer) -> Callable[[int], Any]:
    dataset = peer_dataset(peer)
    return dataset.__getitem__


def _swap_first_cells(answer: str) -> str:
    """The first two numbers of row 1 swapped (both sides write rows of spaced digits)."""
    first, *rest = answer.split("\n")
    cells = first.split()
    cells[0], cells[1] = cells[1], cells[0]
    return "\n".join([" ".join(cells), *rest])


def _flip_peer_role(entry: dict[str, Any]) -> str:
    """The peer's K&K answer with the first person's role swapped."""
    terms = entry["metadata"]["knight_knave_terms"]
    knight, knave = f" is {terms['a_knight']}", f" is {terms['a_knave']}"
    answer = entry["answer"]
    first_knight, first_knave = answer.find(knight), answer.find(knave)
    if first_knave < 0 or 0 <= first_knight < first_knave:
        return answer.replace(knight, knave, 1)
    return answer.replace(knave, knight, 1)


def _peer_wrong(entry: dict[str, Any]) -> str:
    if "knight_knave_terms" in entry["metadata"]:
        return _flip_peer_role(entry)
    return _swap_first_cells(entry["answer"])


def _completion(thinking: str, answer: str) -> str:
    return f"<think>\n{thinking.strip()}\n</think>\n<answer>\n{answer}\n</answer>"


def reward_makers(
    row: Row,
) -> tuple[Callable[[int], float], Callable[[int], float], dict[str, float]]:
    """Scorers of case ``i`` for each side, and the mean score of each over the cases."""
    from reasoning_gym.utils import extract_answer

    task = get_task(row.ours.task)
    config = task.config_for_level(row.ours.level, row.ours.knobs)
    dataset = peer_dataset(row.peer)
    ours, peers = [], []
    for i in range(REWARD_CASES):
        problem = make_problem(task, config, SEED, i, row.ours.level)
        solution = task.solve(problem)
        entry = dataset[i]
        right = i % 2 == 0
        our_answer = (
            solution.answer if right else perturb(task.name, solution.answer, problem.payload)
        )
        peer_answer = entry["answer"] if right else _peer_wrong(entry)
        ours.append((_completion(solution.reasoning, our_answer), encode_ground_truth(problem)))
        peers.append((_completion(solution.reasoning, peer_answer), entry))
    source = f"reasoning_factory/{task.name}"

    def ours_score(i: int) -> float:
        text, truth = ours[i % REWARD_CASES]
        return compute_score(source, text, truth)

    def peer_score(i: int) -> float:
        text, entry = peers[i % REWARD_CASES]
        return dataset.score_answer(extract_answer(text), entry)

    means = {
        "ours_mean_score": statistics.mean(map(ours_score, range(REWARD_CASES))),
        "peer_mean_score": statistics.mean(map(peer_score, range(REWARD_CASES))),
    }
    return ours_score, peer_score, means


# --- measuring ----------------------------------------------------------------------------


STRETCH = 8
"""A round runs on past ``--seconds`` for its ``--min-calls``, up to this many times as long."""


def timed(
    step: Callable[[int], Any], start: int, seconds: float, min_calls: int = 1
) -> tuple[int, float]:
    """(calls, CPU seconds) of ``step(start)``, ``step(start + 1)`` … for ``seconds``, then
    on until ``min_calls`` calls or ``STRETCH * seconds``, whichever comes first."""
    count, began = 0, time.process_time()
    while True:
        step(start + count)
        count += 1
        elapsed = time.process_time() - began
        if elapsed >= seconds and (count >= min_calls or elapsed >= STRETCH * seconds):
            return count, elapsed


@dataclass
class Result:
    row: Row
    ours_rate: float = 0.0
    peer_rate: float = 0.0
    ratio: float = 0.0
    worst: float = 0.0
    rounds: list[dict[str, float]] = field(default_factory=list)
    extra: dict[str, float] = field(default_factory=dict)
    error: str = ""

    @property
    def below_target(self) -> bool:
        return not self.error and self.ratio < self.row.target


def measure(row: Row, seconds: float, rounds: int, min_calls: int = 1) -> Result:
    """Interleaved rounds (ours, peer, ours, peer …) after one warm-up call of each."""
    result = Result(row)
    try:
        if row.kind == "reward":
            ours, peer, result.extra = reward_makers(row)
        else:
            ours, peer = our_maker(row.ours), peer_maker(row.peer)
        ours(0)
        peer(0)
    except Exception as error:  # a side that cannot be built is reported, not hidden
        result.error = f"{type(error).__name__}: {error}"
        return result
    next_ours = next_peer = 1
    for _ in range(rounds):
        made, spent = timed(ours, next_ours, seconds, min_calls)
        next_ours += made
        ours_rate = made / spent
        made, spent = timed(peer, next_peer, seconds, min_calls)
        next_peer += made
        peer_rate = made / spent
        result.rounds.append({"ours": ours_rate, "peer": peer_rate, "ratio": ours_rate / peer_rate})
    result.ours_rate = statistics.median(r["ours"] for r in result.rounds)
    result.peer_rate = statistics.median(r["peer"] for r in result.rounds)
    result.ratio = statistics.median(r["ratio"] for r in result.rounds)
    result.worst = min(r["ratio"] for r in result.rounds)
    return result


# --- reporting ----------------------------------------------------------------------------

HEADER = (
    f"{'row':<34}{'ours/s':>11}{'peer/s':>11}{'ours/peer':>11}{'worst':>9}{'target':>8}"
    f"  {'peer unique':<40}"
)


def line(result: Result) -> str:
    row = result.row
    if result.error:
        return f"{row.name:<34}  ERROR building a side: {result.error}"
    flag = "  BELOW" if result.below_target else ""
    return (
        f"{row.name:<34}{result.ours_rate:>11,.1f}{result.peer_rate:>11,.1f}"
        f"{result.ratio:>10.2f}x{result.worst:>8.2f}x{row.target:>7.1f}x"
        f"  {row.peer_unique:<40}{flag}\n"
        f"    ours: {row.ours.describe()}  <->  peer: {row.peer.describe()}"
        + (f"\n    note: {row.note}" if row.note else "")
    )


def selected(rows: list[Row], only: str | None) -> list[Row]:
    if not only:
        return rows
    wanted = {name.strip() for name in only.split(",") if name.strip()}
    return [row for row in rows if row.pair in wanted or row.kind in wanted]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=1.0, help="CPU seconds per side per round")
    parser.add_argument(
        "--min-calls", type=int, default=100, help="problems per side per round, at least"
    )
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per row")
    parser.add_argument("--only", help="comma-separated pair names (or 'generate'/'reward')")
    parser.add_argument(
        "--json", metavar="PATH", help="also write the results as JSON ('-': stdout)"
    )
    args = parser.parse_args()
    try:
        import reasoning_gym  # noqa: F401
    except ImportError:
        print("ERROR: reasoning-gym is not installed: pip install -e '.[bench]'", file=sys.stderr)
        return 2
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    rows, notes = all_rows()
    rows = selected(rows, args.only)
    print(
        f"ours vs reasoning-gym {metadata.version('reasoning-gym')}: per CPU second on one CPU, "
        f"{args.rounds} interleaved rounds of {args.seconds:g} s (or ≥ {args.min_calls} problems, "
        f"up to {STRETCH * args.seconds:g} s) per side, median (worst round)"
    )
    for note in notes:
        print(f"note: {note}")
    print(HEADER)
    results = []
    for row in rows:
        results.append(measure(row, args.seconds, args.rounds, args.min_calls))
        print(line(results[-1]), flush=True)
    below = [r for r in results if r.below_target]
    failed = [r for r in results if r.error]
    print(f"\nbelow target ({len(below)} of {len(results) - len(failed)}):")
    for r in below:
        print(f"  {r.row.name}: {r.ratio:.2f}x (worst {r.worst:.2f}x) < {r.row.target:.1f}x")
    if args.json:
        payload = json.dumps([_as_json(r) for r in results], indent=2)
        if args.json == "-":
            print(payload)
        else:
            Path(args.json).write_text(payload + "\n")
    if failed:
        print("\n" + "!" * 72, file=sys.stderr)
        for r in failed:
            print(f"ERROR: {r.row.name} could not be built: {r.error}", file=sys.stderr)
        print("!" * 72, file=sys.stderr)
        return 2
    return 0


def _as_json(result: Result) -> dict[str, Any]:
    row = dataclasses.asdict(result.row)
    return {
        "row": result.row.name,
        **row,
        "ours_per_s": result.ours_rate,
        "peer_per_s": result.peer_rate,
        "ratio": result.ratio,
        "worst": result.worst,
        "rounds": result.rounds,
        **result.extra,
        "below_target": result.below_target,
        "error": result.error,
    }


if __name__ == "__main__":
    sys.exit(main())

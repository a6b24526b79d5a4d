"""The peer benchmark's pair table (bench/bench_peers.py): every row builds on both sides.

Skipped where reasoning-gym (the ``bench`` extra) is not installed.
"""

from __future__ import annotations

import pytest

pytest.importorskip("reasoning_gym")

from bench import bench_peers  # noqa: E402
from bench.bench_peers import Ours, Peer, Row, measure, pair, timed  # noqa: E402
from generators.registry import get_task  # noqa: E402


def test_every_row_names_a_task_config_and_peer_config_that_build():
    rows, _ = bench_peers.all_rows()
    assert {row.pair for row in rows} >= {
        "knights_knaves",
        "sudoku",
        "mini_sudoku",
        "futoshiki",
        "zebra",
        "countdown",
        "cryptarithm",
        "word_sorting",
        "kakurasu",
        "survo",
        "caesar_cipher",
    }
    for row in rows:
        task = get_task(row.ours.task)
        task.config_for_level(row.ours.level, row.ours.knobs)
        bench_peers.peer_dataset(row.peer)
        assert row.peer_unique and row.target >= 1.0
        assert row.ours.describe() and row.peer.describe()


def test_family_pairs_have_peer_configs_that_build_and_skip_absent_tasks(monkeypatch):
    for _, _, dataset, easy, hard, _ in bench_peers.FAMILY_PAIRS:  # cheap peers: make one
        assert bench_peers.peer_dataset(Peer(dataset, easy))[0]["question"]
        assert bench_peers.peer_dataset(Peer(dataset, hard))[0]["question"]
    rows, notes = bench_peers.family_rows(set())
    assert not rows and len(notes) == len(bench_peers.FAMILY_PAIRS)
    pairs = [("kk", ("absent", "knights_knaves"), "knights_knaves", {}, {"n_people": 3}, "yes")]
    monkeypatch.setattr(bench_peers, "FAMILY_PAIRS", pairs)
    rows, notes = bench_peers.family_rows({"knights_knaves"})
    assert [(row.end, row.ours.level) for row in rows] == [("L1", 1), ("L10", 10)] and not notes


def test_a_cheap_row_measures_and_a_broken_peer_is_reported_not_raised():
    (row,) = pair("kk", {"L1": (Ours("knights_knaves", 1), Peer("knights_knaves"))}, "yes")
    result = measure(row, seconds=0.01, rounds=2)
    assert not result.error and len(result.rounds) == 2
    assert result.ours_rate > 0 and result.peer_rate > 0 and result.worst <= result.ratio
    broken = Row("kk", "L1", Ours("knights_knaves", 1), Peer("no_such_dataset"), "yes", 1.0)
    assert measure(broken, seconds=0.01, rounds=1).error


def test_a_round_lasts_its_seconds_and_makes_at_least_its_minimum_of_calls(monkeypatch):
    clock = [0.0]  # CPU seconds, advanced by each call's cost: the test is exact anywhere
    monkeypatch.setattr(bench_peers.time, "process_time", lambda: clock[0])
    seen: list[int] = []

    def costing(cost: float):
        def step(index: int) -> None:
            seen.append(index)
            clock[0] += cost

        return step

    # calls slower than the round: past its seconds at once, on for the minimum
    assert timed(costing(1.0), 5, seconds=0.5, min_calls=3) == (3, 3.0) and seen == [5, 6, 7]
    # cheap calls: the round's seconds decide
    assert timed(costing(0.125), 0, seconds=0.5, min_calls=1) == (4, 0.5)
    # a minimum out of reach: the round stops at STRETCH times its seconds
    assert timed(costing(1.0), 0, seconds=0.5, min_calls=10**6) == (4, 4.0)
    assert bench_peers.STRETCH * 0.5 == 4.0


def test_reward_rows_score_right_answers_and_refuse_wrong_ones_on_both_sides():
    kk = pair("kk", {"L1": (Ours("knights_knaves", 1), Peer("knights_knaves"))}, "", kind="reward")
    sudoku = pair("s", {"L1": (Ours("sudoku", 1), Peer("mini_sudoku"))}, "", kind="reward")
    for row in (*kk, *sudoku):
        ours, peer, means = bench_peers.reward_makers(row)
        assert [ours(i) for i in range(4)] == [1.0, 0.0, 1.0, 0.0]
        assert peer(0) == 1.0 and peer(1) < 1.0
        assert means["ours_mean_score"] == 0.5

"""Calls from several threads merged into shared runs (``factory.backends.openai.coalesce``)."""

from __future__ import annotations

import threading
import time

import pytest

from factory.backends.openai.coalesce import Coalescer


class Recorder:
    """A ``run`` that answers each item doubled and records the batches it was given."""

    def __init__(self, delay_s: float = 0.0, fail: bool = False) -> None:
        self.batches: list[list[int]] = []
        self.delay_s = delay_s
        self.fail = fail
        self.running = self.most_running = 0
        self._lock = threading.Lock()

    def __call__(self, items: list[int]) -> list[int]:
        with self._lock:
            self.batches.append(list(items))
            self.running += 1
            self.most_running = max(self.most_running, self.running)
        time.sleep(self.delay_s)
        with self._lock:
            self.running -= 1
        if self.fail:
            raise RuntimeError(f"failed batch of {len(items)}")
        return [2 * item for item in items]


def call_together(coalescer: Coalescer, calls: list[list[int]]) -> dict[int, object]:
    """Each call on its own thread, all released at once; answers (or errors) by call."""
    start, answers = threading.Barrier(len(calls)), {}

    def call(index: int) -> None:
        start.wait()
        try:
            answers[index] = coalescer(calls[index])
        except RuntimeError as error:
            answers[index] = error

    threads = [threading.Thread(target=call, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_concurrent_calls_share_one_run_and_each_gets_its_own_answers():
    run = Recorder()
    calls = [[i, 10 + i, 20 + i][: 1 + i % 3] for i in range(8)]
    answers = call_together(Coalescer(run, window_s=0.2, parallel=1), calls)
    assert [answers[i] for i in range(len(calls))] == [[2 * x for x in c] for c in calls]
    assert len(run.batches) == 1
    assert sorted(run.batches[0]) == sorted(x for c in calls for x in c)


def test_calls_apart_run_apart_and_a_lone_call_waits_only_the_window():
    run = Recorder()
    coalescer = Coalescer(run, window_s=0.01, parallel=1)
    start = time.perf_counter()
    assert coalescer([1, 2]) == [2, 4]
    assert coalescer([3]) == [6]
    assert time.perf_counter() - start < 1.0
    assert run.batches == [[1, 2], [3]]
    assert coalescer([]) == []


def test_a_batch_waits_while_parallel_batches_run_and_grows_meanwhile():
    run = Recorder(delay_s=0.3)
    coalescer = Coalescer(run, window_s=0.0, parallel=1)
    first = threading.Thread(target=coalescer, args=([0],))
    first.start()
    time.sleep(0.1)  # the first batch is running
    answers = call_together(coalescer, [[i] for i in range(1, 6)])
    first.join()
    assert [answers[i] for i in range(5)] == [[2 * (i + 1)] for i in range(5)]
    assert run.most_running == 1
    assert [sorted(batch) for batch in run.batches] == [[0], [1, 2, 3, 4, 5]]


@pytest.mark.parametrize("parallel", [1, 3])
def test_a_failed_batch_raises_in_every_caller_and_the_next_one_runs(parallel):
    run = Recorder(fail=True)
    coalescer = Coalescer(run, window_s=0.2, parallel=parallel)
    answers = call_together(coalescer, [[1], [2], [3]])
    assert all(isinstance(answer, RuntimeError) for answer in answers.values())
    assert len(run.batches) == 1
    run.fail = False
    assert coalescer([4]) == [8]

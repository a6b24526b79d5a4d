"""The reward entry points: verifier scores, malformed input → 0.0, the time bound, and
loading the way verl loads a custom reward (by file path)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factory import rewards
from factory.deadline import can_bound
from factory.rewards import (
    compute_score,
    compute_score_with_format,
    encode_ground_truth,
    format_reward,
    format_score,
    verifier_reward,
)
from factory.stages import reference_trace
from generators.base import make_problem
from generators.registry import get_task, register
from schemas.records import Problem
from tests.answer_perturb import perturb
from tests.hostile_inputs import TRICKY, hostile_answers
from tests.toy_tasks import ToySum

BUSY_SECONDS = 10.0


class SlowSum(ToySum):
    """A verifier that would take BUSY_SECONDS of pure-Python work, and swallows Exception."""

    name = "toy_slow_verifier"

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        start = time.monotonic()
        while time.monotonic() - start < BUSY_SECONDS:
            with contextlib.suppress(Exception):  # a verifier's broad handler can't eat the bound
                sum(range(1000))
        return 1.0, "finished"


class RaisingSum(ToySum):
    name = "toy_raising_verifier"

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        raise IndexError("verifier bug")


class ScoreOnlyChecker:
    """A checker whose ``score_only`` tells itself apart from its full check (0.5 for a
    right sum), and refuses what the full check refuses."""

    def __init__(self, task: ToySum, problem: Problem) -> None:
        self.task, self.problem = task, problem

    def __call__(self, answer: str) -> tuple[float, str]:
        return self.task.check_answer(self.problem, answer)

    def score_only(self, answer: str) -> float:
        return self(answer)[0] / 2


class ScoreOnlySum(ToySum):
    name = "toy_score_only"

    def answer_checker(self, problem: Problem) -> ScoreOnlyChecker:
        return ScoreOnlyChecker(self, problem)


register("toy_slow_verifier", "tests.test_rewards:SlowSum")
register("toy_score_only", "tests.test_rewards:ScoreOnlySum")
register("toy_raising_verifier", "tests.test_rewards:RaisingSum")


def problem_of(task_name: str, index: int = 0) -> Problem:
    task = get_task(task_name)
    return make_problem(task, task.config_for_level(3), 11, index, 3)


@pytest.fixture
def toy() -> tuple[str, str]:
    """(ground truth, correct completion) of a toy_sum problem."""
    problem = problem_of("toy_sum")
    return encode_ground_truth(problem), f"Adding up.\n<answer>{problem.answer}</answer>"


@pytest.fixture(autouse=True)
def fresh_warnings(monkeypatch):
    monkeypatch.setattr(rewards, "_warned", set())


def test_ground_truth_round_trips_to_the_problem():
    problem = problem_of("knights_knaves")
    truth = encode_ground_truth(problem)
    assert Problem.model_validate_json(truth) == problem
    assert truth == encode_ground_truth(Problem.model_validate_json(truth))


def test_scores_are_the_verifiers(toy):
    truth, correct = toy
    problem = Problem.model_validate_json(truth)
    wrong = f"<answer>{int(problem.answer) + 1}</answer>"
    assert compute_score("reasoning_factory/toy_sum", correct, truth) == 1.0
    assert compute_score("reasoning_factory/toy_sum", wrong, truth, {"index": 0}) == 0.0
    assert compute_score("x", "<think>2+2</think><answer>nope</answer>", truth) == 0.0


def test_a_checkers_score_alone_is_what_the_reward_uses():
    problem = problem_of("toy_score_only")
    truth = encode_ground_truth(problem)
    assert compute_score("s", f"<answer>{problem.answer}</answer>", truth) == 0.5
    assert compute_score("s", "<answer>not a number</answer>", truth) == 0.0  # format error


@st.composite
def edited(draw: st.DrawFn, answer: str) -> str:
    """``answer`` with up to three characters or tricky words put in, taken out or swapped."""
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(answer)))
        piece = draw(st.sampled_from(TRICKY) | st.text(max_size=2))
        answer = draw(
            st.sampled_from([answer[:at] + piece + answer[at:], answer[:at] + answer[at + 1 :]])
        )
    return answer


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_the_reward_is_the_verdicts_score(data):
    """Rewards read answers their own way (whole reference answers, score-only checks, the
    unfolded extraction): every completion still gets the score the task's verdict gives."""
    name = data.draw(st.sampled_from(["sudoku", "knights_knaves"]))
    problem = problem_of(name, data.draw(st.integers(0, 3)))
    answers = [problem.answer, perturb(name, problem.answer, problem.payload)]
    answers += hostile_answers(problem.answer, 300).values()
    answer = data.draw(st.sampled_from(answers).flatmap(edited))
    shape = data.draw(
        st.sampled_from(["<think>t</think>\n<answer>\n{}\n</answer>", "<ANSWER>{}</answer>", "{}"])
    )
    text = shape.format(answer)
    expected = get_task(name).verify(problem, text).score
    assert compute_score("s", text, encode_ground_truth(problem)) == expected


def test_trl_reward_takes_text_and_chat_completions(toy):
    truth, correct = toy
    completions = [
        correct,
        [{"role": "assistant", "content": correct}],
        [{"content": correct}],
        [{"role": "assistant", "content": "Adding up."}, {"role": "assistant", "content": correct}],
        [{"role": "user", "content": correct}],
        "no answer here",
    ]
    scores = verifier_reward(completions, [truth] * 6, problem_id=["p"] * 6, trainer_state=None)
    assert scores == [1.0, 1.0, 1.0, 1.0, 0.0, 0.0]


@pytest.mark.parametrize(
    "completion",
    [
        "<think>a</think><answer>b</answer>",
        "  <think>\nreasoning\n</think>\n\n<answer>\nb\n</answer>\n",
        "<think></think><answer>b</answer>",
    ],
)
def test_well_formed_completions_earn_the_format_reward(completion):
    assert format_score(completion) == 1.0
    assert format_reward([completion, [{"role": "assistant", "content": completion}]]) == [1.0] * 2


@pytest.mark.parametrize(
    "completion",
    [
        "<answer>b</answer>",
        "<think>a</think>",
        "<think>a</think><answer> </answer>",
        "<think>a</think>text<answer>b</answer>",
        "<think>a</think><answer>b</answer>trailing",
        "lead<think>a</think><answer>b</answer>",
        "<think>a<think>b</think><answer>c</answer>",
        "<think>a</think><answer>b</answer><answer>c</answer>",
        "<answer>b</answer><think>a</think>",
        "<THINK>a</THINK><answer>b</answer>",
        "<think>a</think></answer><answer>",
        None,
        17,
        [{"role": "assistant", "content": None}],
    ],
)
def test_malformed_completions_earn_no_format_reward(completion):
    assert format_score(completion) == 0.0
    assert format_reward([completion], ground_truth=["x"]) == [0.0]


def test_format_reward_is_added_to_correctness_for_verl(toy):
    truth, correct = toy
    formed = f"<think>Adding up.</think>\n{correct.split(chr(10))[1]}"
    wrong = "<think>Guessing.</think><answer>-1</answer>"
    source = "reasoning_factory/toy_sum"
    assert compute_score_with_format(source, formed, truth) == pytest.approx(1.1)
    assert compute_score_with_format(source, correct, truth, {"index": 0}) == 1.0
    assert compute_score_with_format(source, wrong, truth) == pytest.approx(0.1)
    assert compute_score_with_format(source, formed, truth, format_weight=0.5) == 1.5
    assert compute_score_with_format(source, None, truth) == 0.0


def test_format_reward_time_is_linear_on_hostile_text():
    hostile = "<think>" + "</think><answer>" * 20_000
    start = time.perf_counter()
    assert format_score(hostile) == 0.0
    assert format_score("<think>" + "x" * (rewards.MAX_COMPLETION_CHARS + 1)) == 0.0
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize(
    "completion",
    [None, 17, b"<answer>1</answer>", ["<answer>"], {"content": "x"}, "", "<answer></answer>"],
)
def test_malformed_completions_score_zero(toy, completion):
    truth, _ = toy
    assert compute_score("reasoning_factory/toy_sum", completion, truth) == 0.0
    assert verifier_reward([completion], [truth]) == [0.0]


@pytest.mark.parametrize(
    "messages",
    [[{"role": "assistant", "content": None}], ["text"], [{"role": "assistant", "content": [1]}]],
)
def test_malformed_chat_messages_score_zero(toy, messages):
    assert verifier_reward([messages], [toy[0]]) == [0.0]


def test_completion_length_is_capped(toy):
    truth, correct = toy
    padding = rewards.MAX_COMPLETION_CHARS - len(correct)
    assert compute_score("s", " " * padding + correct, truth) == 1.0
    assert compute_score("s", " " * (padding + 1) + correct, truth) == 0.0


@pytest.mark.parametrize(
    "truth",
    [
        "{not json",
        "null",
        "[]",
        '{"task": "knights_knaves"}',
        encode_ground_truth(problem_of("toy_sum")).replace('"toy_sum"', '"no_such_task"'),
        None,
        {"task": "toy_sum"},
        12,
    ],
)
def test_broken_ground_truth_scores_zero(truth, toy):
    _, correct = toy
    assert compute_score("reasoning_factory/toy_sum", correct, truth) == 0.0
    assert verifier_reward([correct], [truth]) == [0.0]


def test_broken_ground_truth_is_logged_once(toy, caplog):
    _, correct = toy
    with caplog.at_level(logging.WARNING, logger="factory.rewards"):
        for truth in ["{a", "{b", "[]", None]:
            assert compute_score("s", correct, truth) == 0.0
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 1 and "not a problem record" in messages[0]


def test_batch_of_wrong_shape_scores_zero(toy):
    truth, correct = toy
    assert verifier_reward([correct, correct], [truth]) == [0.0, 0.0]
    assert verifier_reward([correct], truth) == [0.0]
    assert verifier_reward([correct], None) == [0.0]


def test_raising_verifier_scores_zero_and_is_logged_once(caplog):
    truth = encode_ground_truth(problem_of("toy_raising_verifier"))
    with caplog.at_level(logging.WARNING, logger="factory.rewards"):
        assert verifier_reward(["<answer>1</answer>"] * 3, [truth] * 3) == [0.0, 0.0, 0.0]
    (record,) = caplog.records
    assert "toy_raising_verifier verifier raised" in record.getMessage()
    assert record.exc_info[0] is IndexError


def test_slow_verifier_is_cut_off_at_the_bound(monkeypatch, toy):
    assert can_bound()
    monkeypatch.setattr(rewards, "TIME_LIMIT_S", 0.2)
    previous = signal.getsignal(signal.SIGALRM)
    truth = encode_ground_truth(problem_of("toy_slow_verifier"))
    start = time.monotonic()
    assert compute_score("reasoning_factory/toy_slow_verifier", "<answer>1</answer>", truth) == 0.0
    assert time.monotonic() - start < 0.2 + 1.0
    assert signal.getsignal(signal.SIGALRM) is previous  # no signal handler or timer is used
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert compute_score("s", toy[1], toy[0]) == 1.0  # the next call is unaffected


def test_someone_elses_timer_is_left_alone(toy):
    fired = []

    def handler(*_: object) -> None:
        fired.append(True)

    previous = signal.signal(signal.SIGALRM, handler)
    try:
        signal.setitimer(signal.ITIMER_REAL, 60)
        assert compute_score("s", toy[1], toy[0]) == 1.0
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 0 < remaining <= 60
        assert signal.getsignal(signal.SIGALRM) is handler
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert fired == []


def test_off_the_main_thread_and_in_an_event_loop_the_bound_holds(monkeypatch, toy):
    monkeypatch.setattr(rewards, "TIME_LIMIT_S", 0.2)
    slow = encode_ground_truth(problem_of("toy_slow_verifier"))
    results = []

    def work() -> None:
        start = time.monotonic()
        results.append(
            (compute_score("s", "<answer>1</answer>", slow), compute_score("s", toy[1], toy[0]))
        )
        results.append(time.monotonic() - start < 1.2)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()

    async def in_loop() -> tuple[float, float]:
        return compute_score("s", "<answer>1</answer>", slow), compute_score("s", toy[1], toy[0])

    assert results == [(0.0, 1.0), True]
    assert asyncio.run(in_loop()) == (0.0, 1.0)


def test_parsed_ground_truths_are_cached(toy):
    truth, correct = toy
    rewards._prepared.cache_clear()
    verifier_reward([correct] * 8, [truth] * 8)
    info = rewards._prepared.cache_info()
    assert (info.misses, info.hits) == (1, 7)


def test_verl_loads_the_reward_by_file_path(tmp_path):
    """As verl 0.9 does: spec_from_file_location on the file, exec_module without registering
    the module in sys.modules (where e.g. ``@dataclass`` fails), then getattr(module, name)."""
    problem = problem_of("knights_knaves", index=4)
    (tmp_path / "truth.json").write_text(encode_ground_truth(problem))
    (tmp_path / "response.txt").write_text(reference_trace(problem).text)
    script = f"""
import importlib.util, sys
from pathlib import Path
spec = importlib.util.spec_from_file_location("custom_module_1", {str(Path(rewards.__file__))!r})
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
score = getattr(module, "compute_score")
truth = Path("truth.json").read_text()
right = score("reasoning_factory/knights_knaves", Path("response.txt").read_text(), truth, {{}})
print(right, score("reasoning_factory/knights_knaves", "no answer", truth, None))
"""
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1.0", "0.0"]

"""The answer-space audit: constant answers, trivial strategies, label balance, duplicates,
structural keys, and ``factory audit`` on a config and on a built dataset."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from random import Random

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import factory.quality.audit as audit_module
from cli.main import main
from factory.config import parse_build_config
from factory.publish.integrity import load_verified_manifest
from factory.quality.audit import (
    AuditThresholds,
    Sample,
    Scorer,
    audit_sample,
    chao1,
    config_samples,
    dataset_samples,
    duplicates,
    structural_duplicates,
    wins,
    worst_violation,
)
from generators.base import Instance, Solution, Task, TaskConfig, make_problem, prompt_example
from generators.extract import MAX_ANSWER_CHARS, final_answer
from generators.registry import get_task, register, task_names
from pipelines.build import run_build
from schemas.records import Problem

THRESHOLDS = AuditThresholds()


class ExactToy(Task):
    """The toy tasks below: one level, the reference answer is the only right one."""

    version = "1.0.0"
    LEVELS = {1: {}}

    def solve(self, problem: Problem) -> Solution:
        return Solution(problem.answer, "")

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        return float(answer.strip() == problem.answer), ""


class GuessConfig(TaskConfig):
    answers: str = "uniform"
    """``uniform`` over 0..99, or ``constant`` (always 7)."""
    hint: bool = False
    """Whether the prompt gives the answer away (a trivial strategy copies it)."""


class Guess(ExactToy):
    """Name a number from 0 to 99."""

    name = "toy_guess"
    description = "guess a number"
    Config = GuessConfig

    def generate(self, config: GuessConfig, rng: Random, index: int) -> Instance:
        value = 7 if config.answers == "constant" else rng.randrange(100)
        hint = f" It is {value}." if config.hint else ""
        prompt = f"Problem {index}: guess my number.{hint}"
        return Instance(prompt, str(value), {"value": value, "hint": config.hint})

    def answer_space(self, problem: Problem) -> int:
        return 100

    def trivial_answers(self, problem: Problem) -> dict[str, str]:
        guesses = {"zero": "0"}
        if problem.payload["hint"]:
            guesses["copy the hint"] = problem.prompt.rsplit(" ", 1)[1].rstrip(".")
        return guesses


register("toy_guess", "tests.test_audit:Guess")  # for `factory audit CONFIG`


class CoinConfig(TaskConfig):
    heads_every: int = 2
    """Every this many problems (by index) the answer is heads."""


class Coin(ExactToy):
    """Heads or tails, by a fixed rule of the index."""

    name = "toy_coin"
    description = "heads or tails"
    Config = CoinConfig

    def generate(self, config: CoinConfig, rng: Random, index: int) -> Instance:
        side = "heads" if index % config.heads_every == 0 else "tails"
        return Instance(f"Toss {index}: heads or tails?", side, {"index": index})

    def labels(self, problem: Problem) -> tuple[str, ...]:
        return ("heads", "tails")


class KindsConfig(TaskConfig):
    kinds: bool = True
    """Whether the task tells the audit which kind of question each problem asks."""


class Kinds(ExactToy):
    """Every other problem a fair yes/no question, the rest a count whose answer is always 3
    (of ten possible): the constant 3 wins half of all problems, under the group's limit of
    twice its mean chance (60%), while one constant per kind wins three quarters."""

    name = "toy_kinds"
    description = "two kinds of question"
    Config = KindsConfig

    def generate(self, config: KindsConfig, rng: Random, index: int) -> Instance:
        if index % 2:
            return Instance(f"Count {index}.", "3", {"kind": "count", "tell": config.kinds})
        answer = "yes" if index % 4 == 0 else "no"
        return Instance(f"Yes or no {index}?", answer, {"kind": "yes/no", "tell": config.kinds})

    def question_kind(self, problem: Problem) -> str | None:
        return problem.payload["kind"] if problem.payload["tell"] else None

    def labels(self, problem: Problem) -> tuple[str, ...] | None:
        return ("yes", "no") if problem.payload["kind"] == "yes/no" else None

    def answer_space(self, problem: Problem) -> int:
        return 2 if problem.payload["kind"] == "yes/no" else 10


class Echo(ExactToy):
    """Ten prompts and four structures, repeating with the index; names are surface."""

    name = "toy_echo"
    description = "repeat a number"
    Config = TaskConfig
    surface_fields = frozenset({"name"})

    def generate(self, config: TaskConfig, rng: Random, index: int) -> Instance:
        payload = {"n": index % 4, "name": f"person {index}"}
        return Instance(f"Say {index % 10}.", str(index % 10), payload)


def sample(task: Task, n: int = 200, **knobs: object) -> Sample:
    config = task.config_for_level(None, knobs)
    return Sample(task.name, None, task, [make_problem(task, config, 0, i) for i in range(n)])


def messages(audit) -> list[str]:
    return [v.message for v in audit.violations]


def test_a_constant_answer_that_always_wins_is_flagged():
    result = audit_sample(sample(Guess(), answers="constant"), THRESHOLDS)
    assert result.constant == "7"
    assert result.constant_win == 1.0
    assert result.other_win == 1.0
    assert result.chance == pytest.approx(0.01)
    assert "the constant answer '7' wins 100.0% (limit 5.0%)" in messages(result)
    assert worst_violation([result]).excess == pytest.approx(0.95)


def test_uniform_answers_pass():
    result = audit_sample(sample(Guess(), n=400), THRESHOLDS)
    assert result.violations == []
    assert result.constant_win < 0.05
    assert result.trivial["zero"] < 0.05
    assert worst_violation([result]) is None


def test_a_declared_trivial_strategy_that_wins_is_flagged():
    result = audit_sample(sample(Guess(), hint=True), THRESHOLDS)
    assert result.trivial["copy the hint"] == 1.0
    assert any("the trivial strategy 'copy the hint' wins 100.0%" in m for m in messages(result))


def test_balanced_labels_pass_and_lopsided_ones_fail():
    balanced = audit_sample(sample(Coin()), THRESHOLDS)
    assert balanced.labels == {"heads": 0.5, "tails": 0.5}
    assert balanced.chance == 0.5 and not balanced.estimated
    assert balanced.trivial == {"heads": 0.5, "tails": 0.5}
    assert balanced.violations == []

    lopsided = audit_sample(sample(Coin(), heads_every=4), THRESHOLDS)
    assert lopsided.labels == {"heads": 0.25, "tails": 0.75}
    assert "label 'heads' is 25.0% of answers (allowed 45.0%–55.0%)" in messages(lopsided)
    # The constant 'tails' wins 75%, within 2 × chance (100%): only the balance fails.
    assert all(m.startswith("label") for m in messages(lopsided))


def test_the_best_constant_is_one_per_question_kind_where_the_task_tells_the_kinds():
    untold = audit_sample(sample(Kinds(), kinds=False), THRESHOLDS)
    assert untold.chance == pytest.approx(0.3) and untold.limit == pytest.approx(0.6)
    assert untold.constant == "3" and untold.constant_win == 0.5
    assert untold.violations == []  # the constant count hides among the yes/no answers

    told = audit_sample(sample(Kinds()), THRESHOLDS)
    assert told.constant in ("count: 3; yes/no: yes", "count: 3; yes/no: no")
    assert told.constant_win == 0.75
    assert any(m.startswith("the constant answer 'count: 3; yes/no: ") for m in messages(told))


def test_exact_and_structural_duplicates_are_counted():
    result = audit_sample(sample(Echo(), n=40), THRESHOLDS)
    assert result.exact_duplicates == 30  # ten distinct prompts
    assert result.structural_duplicates == 36  # four structures once names are dropped


@pytest.mark.parametrize(
    ("name", "level", "seed"),
    [("knights_knaves", 1, 5), ("knights_knaves", 6, 5), ("nlsat", 1, 1)],
)
def test_structural_duplicates_need_keys_only_where_invariants_collide(
    name, level, seed, monkeypatch
):
    """Grouping by the task's invariant counts what every key counts, with fewer keys."""
    task = get_task(name)
    config = task.config_for_level(level)
    problems = [make_problem(task, config, seed, i, level) for i in range(300)]
    expected = duplicates(map(task.structural_key, problems))
    keyed: list[Problem] = []
    key = type(task).structural_key
    monkeypatch.setattr(type(task), "structural_key", lambda t, p: keyed.append(p) or key(t, p))
    assert structural_duplicates(task, problems) == expected
    assert len(keyed) < len(problems)
    assert expected > 0 or level > 1


def test_the_audit_asks_the_verifier_once_per_problem_and_guess(monkeypatch):
    coin = sample(Coin(), n=40)
    expected = audit_sample(coin, THRESHOLDS)
    asked: list[tuple[int, str]] = []
    verify = Coin.verify

    def counted(self, problem, text):
        asked.append((id(problem), text))
        return verify(self, problem, text)

    monkeypatch.setattr(Coin, "verify", counted)
    assert audit_sample(coin, THRESHOLDS) == expected
    # heads and tails: each a label (trivial strategy), the constant and the next answer
    assert len(asked) == len(set(asked)) == 2 * 40
    score = Scorer(coin.task)
    assert [score(p, "heads") for p in coin.problems] == [
        wins(coin.task, p, "heads") for p in coin.problems
    ]


@pytest.mark.parametrize(
    ("name", "knobs"),
    [
        ("knights_knaves", None),
        ("nlsat", {"question": "assignment"}),
        ("nlsat", {"question": "consistency"}),
        ("sudoku", None),
        ("game_of_24", None),
        ("zebra_puzzle", None),
    ],
)
def test_the_audit_scores_through_one_answer_checker_per_problem(monkeypatch, name, knobs):
    """The verdicts of :func:`wins`, from one ``answer_checker`` per problem where the task
    offers it, else from ``check_answer`` once per problem and guess; ``verify`` itself only
    for a text without an answer."""
    task = get_task(name)
    problems = [
        make_problem(task, task.config_for_level(level, knobs), 3, index, level)
        for level in (1, 5)
        for index in range(4)
    ]
    odd = ["", "nonsense", "</answer> yes", "<think>", "yes\n" * 3]
    guesses = [
        (p, guess)
        for p in problems
        for guess in [*task.trivial_answers(p).values(), *(q.answer for q in problems), *odd]
    ]
    expected = [wins(task, p, guess) for p, guess in guesses]
    asked = {(id(p), guess) for p, guess in guesses}
    unanswered = {(i, g) for i, g in asked if final_answer(f"<answer>\n{g}\n</answer>") is None}
    verified: list[tuple[int, str]] = []
    monkeypatch.setattr(
        audit_module, "wins", lambda t, p, g: verified.append((id(p), g)) or wins(t, p, g)
    )
    built: list[int] = []
    offered = hasattr(task, "answer_checker")
    method = "answer_checker" if offered else "check_answer"
    original = getattr(type(task), method)

    def counted(self, problem, *answer):
        built.append(id(problem))
        return original(self, problem, *answer)

    monkeypatch.setattr(type(task), method, counted)
    score = Scorer(task)
    assert [score(p, guess) for p, guess in guesses] == expected
    assert any(expected) and not all(expected)
    assert sorted(verified) == sorted(unanswered) and unanswered
    if offered:
        assert sorted(built) == sorted(set(built)) and len(built) == len(problems)
    else:
        assert len(built) == len(asked - unanswered)


class Overrated(ExactToy):
    """Scores the right answer 1.5 and answers "half" with a reason that is not a text:
    outside the contract, so ``verify`` refuses its verdicts and scores 0."""

    name = "toy_overrated"
    description = "a verifier outside its contract"
    Config = TaskConfig

    def generate(self, config: TaskConfig, rng: Random, index: int) -> Instance:
        return Instance(f"Say {index}.", str(index), {})

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        if answer == "half":
            return 1.0, None  # type: ignore[return-value]
        return 1.5 * (answer == problem.answer), ""

    def answer_checker(self, problem: Problem) -> Callable[[str], tuple[float, str]]:
        return partial(self.check_answer, problem)


def test_the_audit_scores_what_verify_would_of_a_verifier_outside_its_contract():
    task = Overrated()
    problem = make_problem(task, task.config_for_level(None), 0, 4)
    score = Scorer(task)
    for guess in ("4", "half", "5"):
        assert score(problem, guess) is wins(task, problem, guess) is False


def test_answer_space_is_estimated_when_not_declared():
    result = audit_sample(sample(Echo(), n=40), THRESHOLDS)
    assert result.estimated
    assert result.chance == pytest.approx(1 / 10)  # ten answers, each seen four times
    assert chao1(list("abcddd")) == 7  # 4 seen, 3 of them once, none twice: 4 + 3·2/2
    assert chao1(list("aabc")) == 3.5  # 3 seen, 2 once, 1 twice: 3 + 2·1/(2·2)


def test_prompt_example_finds_the_answer_format_example():
    assert prompt_example("Answer with numbers (for example: 3, 7), or none.") == "3, 7"
    assert prompt_example("Separated by spaces (for example: ] ) >).") == "] ) >"
    assert prompt_example('A statement such as "Ann is red".\nLike "1 + 2" please.') == "1 + 2"
    assert prompt_example('Answer with HH:MM (e.g. "09:30"), or none.') == "09:30"
    assert prompt_example("I would like to know.") is None


# --- structural keys ----------------------------------------------------------------------


def _kk_relabelled(tree: list, relabel: list[int]) -> list:
    """A statement with people renumbered and the operands of and/or/iff reversed."""
    if tree[0] in ("truthful", "lying"):
        return [tree[0], relabel[tree[1]]]
    operands = [_kk_relabelled(t, relabel) for t in tree[1:]]
    return [tree[0], *(operands[::-1] if tree[0] in ("and", "or", "iff") else operands)]


def test_knights_knaves_key_ignores_names_phrasing_and_the_order_of_people():
    task = get_task("knights_knaves")
    problem = make_problem(task, task.config_for_level(5), 3, 1, 5)
    p = problem.payload
    order = [3, 0, 4, 1, 2]  # order[new] = old
    relabel = [order.index(old) for old in range(len(order))]
    renamed = {
        **p,
        "names": ["Ann", "Bob", "Cid", "Dee", "Eve"],
        "roles": "angel_devil",
        "role_words": {
            "truthful": "angel",
            "liar": "devil",
            "truthful_plural": "angels",
            "liar_plural": "devils",
        },
        "statements": [_kk_relabelled(p["statements"][old], relabel) for old in order],
        "solution": [p["solution"][old] for old in order],
        "style": {"intro": 2, "claim": 2, "question": 2, "connectives": 0},
    }
    twin = problem.model_copy(update={"payload": renamed})
    assert task.structural_key(twin) == task.structural_key(problem)

    first = p["statements"][0]
    changed = ["not", first]
    other = problem.model_copy(
        update={"payload": {**p, "statements": [changed, *p["statements"][1:]]}}
    )
    assert task.structural_key(other) != task.structural_key(problem)


def test_nlsat_key_ignores_which_statement_is_which():
    task = get_task("nlsat")
    problem = make_problem(task, task.config_for_level(3), 0, 2, 3)
    p = problem.payload
    n = len(p["variables"])
    relabel = [(v + 2) % n for v in range(n)]  # relabel[old] = new, 0-based
    clauses = [
        [(relabel[abs(lit) - 1] + 1) * (1 if lit > 0 else -1) for lit in reversed(clause)]
        for clause in reversed(p["clauses"])
    ]
    names = [[f"Person{i}", "tall"] for i in range(n)]
    twin = problem.model_copy(update={"payload": {**p, "clauses": clauses, "variables": names}})
    assert task.structural_key(twin) == task.structural_key(problem)
    flipped = [[-p["clauses"][0][0], *p["clauses"][0][1:]], *p["clauses"][1:]]
    other = problem.model_copy(update={"payload": {**p, "clauses": flipped}})
    assert task.structural_key(other) != task.structural_key(problem)


def test_bracket_and_region_keys_ignore_which_symbol_is_which():
    dyck = get_task("dyck_language")
    problem = make_problem(dyck, dyck.config_for_level(5), 0, 0, 5)
    swapped = problem.payload["prefix"].translate(str.maketrans("([{<)]}>", "<{[(>}])"))
    twin = problem.model_copy(update={"payload": {"prefix": swapped}})
    assert dyck.structural_key(twin) == dyck.structural_key(problem)

    stars = get_task("star_placement_puzzle")
    problem = make_problem(stars, stars.config_for_level(1), 0, 0, 1)
    regions = [row.translate(str.maketrans("ABCD", "DCAB")) for row in problem.payload["regions"]]
    twin = problem.model_copy(update={"payload": {**problem.payload, "regions": regions}})
    assert stars.structural_key(twin) == stars.structural_key(problem)


def test_every_task_declares_guesses_the_verifier_scores():
    for name in task_names():
        task = get_task(name)
        if not type(task).__module__.startswith("generators."):
            continue  # toy tasks other test modules register
        for level in (1, 10):
            for index in range(2):
                problem = make_problem(task, task.config_for_level(level), 0, index, level)
                labels = task.labels(problem)
                assert labels is None or problem.answer in labels, name
                space = task.answer_space(problem)
                assert space is None or space >= 1, name
                assert len(task.structural_key(problem)) == 64, name
                for guess in task.trivial_answers(problem).values():
                    verdict = task.verify(problem, f"<answer>\n{guess}\n</answer>")
                    assert not verdict.reason.startswith("the verifier failed"), (name, guess)
                assert wins(task, problem, problem.answer), name


# --- factory audit ------------------------------------------------------------------------


SMALL_GROUPS = {"min_problems": 40}  # judge the tests' small samples too


def write_config(tmp_path, tasks: list[dict]) -> str:
    path = tmp_path / "audit.yaml"
    path.write_text(yaml.safe_dump({"name": "audit-test", "audit": SMALL_GROUPS, "tasks": tasks}))
    return str(path)


def test_factory_audit_config_exits_2_on_a_broken_threshold(tmp_path, capsys):
    config = write_config(
        tmp_path,
        [
            {"task": "toy_guess", "count": 10, "levels": [1], "knobs": {"answers": "constant"}},
            {"task": "zebra_puzzle", "count": 10, "levels": [1]},
        ],
    )
    assert main(["audit", config, "--per-level", "40", "--json"]) == 2
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["ok"] is False
    assert report["thresholds"] == AuditThresholds(**SMALL_GROUPS).model_dump()
    assert report["worst_violation"].startswith("toy_guess level 1: the constant")
    assert "toy_guess level 1" in captured.err and captured.err.count("\n") == 1
    star, zebra = report["groups"]
    assert set(star) == {
        "subset",
        "task",
        "level",
        "n",
        "answer_space",
        "answer_space_estimated",
        "chance",
        "win_limit",
        "best_constant",
        "trivial",
        "other_answer_win_rate",
        "labels",
        "exact_duplicates",
        "structural_duplicates",
        "judged",
        "violations",
    }
    assert (star["n"], star["level"], star["win_limit"]) == (40, 1, 0.05)
    assert star["best_constant"]["win_rate"] == 1.0
    assert zebra["violations"] == []


def test_factory_audit_prints_a_table_and_exits_0_when_every_threshold_holds(tmp_path, capsys):
    config = write_config(tmp_path, [{"task": "zebra_puzzle", "count": 10, "levels": [1, 2]}])
    assert main(["audit", config, "--per-level", "20", "--levels", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("| subset | level | n | space |")
    assert "| zebra_puzzle | 2 | 20 |" in out and "| zebra_puzzle | 1 |" not in out


def test_factory_audit_reads_a_built_dataset_as_the_config_would_make_it(out_root, capsys):
    data = {
        "name": "audited",
        "output_root": str(out_root),
        "tasks": [{"task": "toy_sum", "count": 20, "levels": [1, 2]}],
    }
    config = parse_build_config(data)
    version_dir = run_build(config).layout.version_dir
    built = dataset_samples(version_dir, load_verified_manifest(version_dir))
    made = config_samples(config, per_level=10)
    assert [[p.problem_id for p in s.problems] for s in built] == [
        [p.problem_id for p in s.problems] for s in made
    ]
    assert main(["audit", str(version_dir), "--json"]) == 0
    groups = json.loads(capsys.readouterr().out)["groups"]
    assert [(g["subset"], g["level"], g["n"]) for g in groups] == [
        ("toy_sum", 1, 10),
        ("toy_sum", 2, 10),
    ]


def test_a_group_too_small_to_tell_a_lean_from_chance_is_shown_but_not_judged():
    task = get_task("star_placement_puzzle")
    problems = [make_problem(task, task.config_for_level(1), 0, i, 1) for i in range(4)]
    sample = Sample("star", 1, task, problems)
    small = audit_sample(sample, AuditThresholds())
    assert not small.judged and small.violations == []
    forced = audit_sample(sample, AuditThresholds(min_problems=4))
    assert forced.judged


@settings(max_examples=2000, deadline=None)
@given(
    st.one_of(
        st.text(max_size=60),
        st.lists(
            st.sampled_from(["<answer>", "</ANSWER>", "<think>", "</think>", "<", " ", "\n", "x"]),
            max_size=8,
        ).map("".join),
        st.integers(MAX_ANSWER_CHARS - 2, MAX_ANSWER_CHARS + 2).map(lambda n: " x" + "y" * n),
    )
)
def test_a_guess_is_read_as_verify_extracts_it(guess: str):
    """The scorer's answer to a guess is what verify extracts from it in answer tags, read
    without a scan when the guess holds no tag."""
    assert Scorer(Echo())._answer(guess) == final_answer(f"<answer>\n{guess}\n</answer>")

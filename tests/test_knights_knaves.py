"""Knights & Knaves: determinism, proven uniqueness (z3), oracle traces, verifier, config."""

from __future__ import annotations

import json
import statistics
from random import Random

import pytest
import z3
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from generators.base import ANSWER_INSTRUCTION, AnswerFormatError, make_problem
from generators.knights_knaves import KnightsKnaves, verifier
from generators.knights_knaves.config import ROLE_PAIRS
from generators.knights_knaves.puzzle import Puzzle
from generators.knights_knaves.statements import (
    PuzzleGenerationError,
    kleene,
    only_fit,
    sample_claim,
    sample_statement,
    truth_mask,
    truth_masks,
)
from generators.registry import get_task
from schemas.records import Problem

TASK = KnightsKnaves()


def problem(seed: int = 0, index: int = 0, **knobs) -> Problem:
    return make_problem(TASK, TASK.Config(**knobs), seed, index)


def answer_text(p: Problem, roles: list[bool], names: list[str] | None = None) -> str:
    words = p.payload["role_words"]
    names = names or p.payload["names"]
    return "\n".join(
        f"({k}) {name} is a {words['truthful'] if truthful else words['liar']}"
        for k, (name, truthful) in enumerate(zip(names, roles, strict=True), start=1)
    )


def score(p: Problem, answer: str) -> float:
    return TASK.verify(p, f"<answer>\n{answer}\n</answer>").score


def z3_formula(tree: list, people: list[z3.BoolRef]) -> z3.BoolRef:
    """An encoding of a statement tree independent of the generator's bit-parallel one."""
    op, args = tree[0], tree[1:]
    if op == "truthful":
        return people[args[0]]
    if op == "lying":
        return z3.Not(people[args[0]])
    subs = [z3_formula(arg, people) for arg in args]
    if op == "not":
        return z3.Not(subs[0])
    if op == "and":
        return z3.And(*subs)
    if op == "or":
        return z3.Or(*subs)
    if op == "implies":
        return z3.Implies(*subs)
    assert op == "iff"
    return subs[0] == subs[1]


# --- the contract ------------------------------------------------------------------------


def test_registered_with_class_attributes():
    task = get_task("knights_knaves")
    assert isinstance(task, KnightsKnaves)
    assert (task.name, task.version) == ("knights_knaves", "1.1.0")
    assert task.description
    assert sorted(task.LEVELS) == list(range(1, 11))


def test_deterministic_and_independent_of_order():
    config = TASK.Config(n_people=6, roles="random")
    batch = [make_problem(TASK, config, 11, index) for index in range(40)]
    assert make_problem(TASK, config, 11, 37) == batch[37]
    assert make_problem(TASK, config, 11, 5) == batch[5]
    assert len({p.prompt for p in batch}) == len(batch)
    assert make_problem(TASK, config, 12, 5).prompt != batch[5].prompt


def test_payload_is_json_and_enough_for_solver_and_verifier():
    p = problem(3, 4, n_people=5, depth=3, width=3)
    restored = Problem.model_validate(json.loads(p.model_dump_json()))
    assert restored == p
    assert TASK.solve(restored).answer == p.answer
    assert TASK.verify(restored, f"<answer>{p.answer}</answer>").score == 1.0
    assert set(p.payload) >= {"names", "role_words", "statements", "solution"}


# --- generation --------------------------------------------------------------------------


def test_truth_masks_match_assignments():
    for n in range(1, 7):
        masks = truth_masks(n)
        assert masks.full == (1 << (1 << n)) - 1
        for j in range(n):
            for assignment in range(1 << n):
                truthful = bool(masks.truthful[j] >> assignment & 1)
                assert truthful == bool(assignment >> j & 1)
                assert bool(masks.lying[j] >> assignment & 1) == (not truthful)


def test_bit_parallel_evaluation_agrees_with_kleene_on_full_assignments():
    rng = Random(5)
    for _ in range(200):
        n = rng.randint(2, 5)
        tree = sample_statement(rng, n, rng.randint(1, 4), rng.randint(2, 4))
        mask = truth_mask(tree, truth_masks(n))
        for assignment in range(1 << n):
            roles: list[bool | None] = [bool(assignment >> j & 1) for j in range(n)]
            assert kleene(tree, roles) == bool(mask >> assignment & 1)


def test_kleene_leaves_undetermined_only_what_depends_on_unknowns():
    a_or_not_a = ["or", ["truthful", 0], ["lying", 0]]
    assert kleene(a_or_not_a, [None, None]) is None  # Kleene logic, not classical
    assert kleene(["or", ["truthful", 0], ["truthful", 1]], [True, None]) is True
    assert kleene(["and", ["truthful", 0], ["truthful", 1]], [False, None]) is False
    assert kleene(["implies", ["truthful", 0], ["truthful", 1]], [False, None]) is True
    assert kleene(["implies", ["truthful", 0], ["truthful", 1]], [None, True]) is True
    assert kleene(["iff", ["truthful", 0], ["truthful", 1]], [True, None]) is None


def test_statements_respect_depth_width_and_exclude_i_am_lying():
    def shape(tree: list) -> tuple[int, int]:
        if tree[0] in ("truthful", "lying"):
            return 1, 0
        subs = [shape(sub) for sub in tree[1:]]
        assert len({json.dumps(sub) for sub in tree[1:]}) == len(tree) - 1, "operands distinct"
        return 1 + max(d for d, _ in subs), max(len(tree) - 1, *(w for _, w in subs))

    for depth, width in ((2, 2), (3, 3), (4, 4)):
        for index in range(30):
            p = problem(2, index, n_people=5, depth=depth, width=width)
            for speaker, tree in enumerate(p.payload["statements"]):
                assert tree != ["lying", speaker]
                d, w = shape(tree)
                assert d <= depth and w <= width


@pytest.mark.parametrize("n", range(2, 17))
def test_every_solution_is_unique_by_z3(n: int):
    depth_width = ((2, 2), (3, 2), (3, 3), (4, 4))
    for index in range(20):
        depth, width = depth_width[index % len(depth_width)]
        p = problem(100 + n, index, n_people=n, depth=depth, width=width)
        people = [z3.Bool(f"p{i}") for i in range(n)]
        solver = z3.Solver()
        for speaker, tree in enumerate(p.payload["statements"]):
            solver.add(people[speaker] == z3_formula(tree, people))
        assert solver.check() == z3.sat
        model = solver.model()
        found = [z3.is_true(model.eval(person, model_completion=True)) for person in people]
        assert found == p.payload["solution"]
        solver.add(z3.Or([person != value for person, value in zip(people, found, strict=True)]))
        assert solver.check() == z3.unsat


def test_twenty_people_are_unique_by_z3():
    for index in range(3):
        p = problem(120, index, n_people=20, depth=3, width=3)
        people = [z3.Bool(f"p{i}") for i in range(20)]
        solver = z3.Solver()
        for speaker, tree in enumerate(p.payload["statements"]):
            solver.add(people[speaker] == z3_formula(tree, people))
        solution = p.payload["solution"]
        solver.add(z3.Or([person != value for person, value in zip(people, solution, strict=True)]))
        assert solver.check() == z3.unsat


def test_staged_uniqueness_check_agrees_with_the_full_mask():
    """Claims drawn to fit a target, unique or not: the staged check (blocks of 2**(n-8)
    and 2**(n-4) assignments first) decides as the AND over all 2**n assignments does."""
    rng = Random(8)
    outcomes = set()
    for trial in range(40):
        n = 16 + trial % 3
        masks = truth_masks(n)
        target = rng.getrandbits(n)
        roles: list[bool | None] = [bool(target >> j & 1) for j in range(n)]
        claims = []
        for speaker in range(n):
            claim = sample_claim(rng, n, speaker, 2, 2)
            while kleene(claim, roles) != roles[speaker]:
                claim = sample_claim(rng, n, speaker, 2, 2)
            claims.append(claim)
        consistent = masks.full
        for speaker, claim in enumerate(claims):
            consistent &= truth_mask(claim, masks) ^ masks.lying[speaker]
        assert consistent >> target & 1
        unique = consistent == 1 << target
        assert only_fit(claims, target) == unique
        outcomes.add(unique)
    assert outcomes == {True, False}


@pytest.mark.parametrize("level", range(1, 11))
def test_every_level_generates(level: int):
    config = TASK.config_for_level(level)
    for index in range(5):
        p = make_problem(TASK, config, 1, index, level=level)
        assert len(p.payload["names"]) == config.n_people
        assert p.level == level


def test_unreachable_bound_raises_a_clear_error():
    config = TASK.Config(n_people=16, max_attempts=1)
    failures = []
    for index in range(20):
        try:
            make_problem(TASK, config, 0, index)
        except PuzzleGenerationError as error:
            failures.append(str(error))
    assert failures, "one attempt per puzzle should fail for some index at n=16"
    assert "1 attempts" in failures[0] and "max_attempts" in failures[0]


# --- prompt --------------------------------------------------------------------------------


def test_prompt_names_everyone_defines_roles_and_asks_for_the_format():
    p = problem(4, 2, n_people=4, roles="angel_devil")
    names = p.payload["names"]
    assert all(name in p.prompt for name in names)
    assert "angel" in p.prompt and "devil" in p.prompt and "knight" not in p.prompt
    assert "always tell" in p.prompt and "lie" in p.prompt
    assert f'"(1) {names[0]} is an angel"' in p.prompt
    assert p.prompt.rstrip().endswith(ANSWER_INSTRUCTION)
    assert p.answer.splitlines()[0].startswith(f"(1) {names[0]} is a")


def test_prompts_and_roles_vary():
    batch = [problem(8, index, n_people=3, roles="random") for index in range(60)]
    assert len({p.payload["roles"] for p in batch}) == len(ROLE_PAIRS)
    assert len({p.prompt.splitlines()[0] for p in batch}) >= 3 * len(ROLE_PAIRS) // 2
    assert len({p.prompt.split('"')[0].split()[-1] for p in batch}) == 3  # says/claims/tells you


# --- reference solver ----------------------------------------------------------------------


def test_reference_trace_passes_its_own_verifier():
    for level in range(1, 11):
        config = TASK.config_for_level(level, {"roles": "random"})
        for index in range(15):
            p = make_problem(TASK, config, 9, index, level=level)
            solution = TASK.solve(p)
            assert solution.answer == p.answer
            verdict = TASK.verify(p, solution.trace_text())
            assert verdict.score == 1.0 and verdict.passed, verdict.reason
            assert set(solution.stats) == {"effort", "contradictions", "backtracks", "deductions"}


def test_trace_shows_contradiction_and_backtrack_when_the_search_needs_one():
    seen_backtrack = seen_straight = False
    for index in range(80):
        p = problem(21, index, n_people=6)
        solution = TASK.solve(p)
        names = p.payload["names"]
        if not p.payload["solution"][0]:  # the search assumes a knight first: that must fail
            seen_backtrack = True
            assert solution.stats["backtracks"] >= 1
            assert "contradiction" in solution.reasoning
            assert f"back up and assume {names[0]} is a knave instead" in solution.reasoning
        if solution.stats["contradictions"] == 0:
            seen_straight = True
            assert "contradiction" not in solution.reasoning
        check = solution.reasoning.split("Every statement is consistent with this assignment:")
        assert len(check) == 2 and len(check[1].strip().splitlines()) == len(names)
    assert seen_backtrack and seen_straight


def test_solver_is_quick_at_twenty_people():
    for index in range(10):
        p = problem(6, index, n_people=20, depth=3, width=3)
        assert TASK.solve(p).answer == p.answer


def test_solver_effort_median_rises_with_level():
    medians = []
    for level in range(1, 11):
        config = TASK.config_for_level(level)
        efforts = [
            TASK.solve(make_problem(TASK, config, 0, index)).stats["effort"] for index in range(120)
        ]
        medians.append(statistics.median(efforts))
    assert medians == sorted(medians), medians
    assert medians[-1] > medians[0]


# --- verifier ------------------------------------------------------------------------------


def sample_problems(**knobs) -> list[Problem]:
    return [problem(31, index, n_people=2 + index % 9, **knobs) for index in range(30)]


def test_tolerant_formatting_of_the_exact_answer():
    p = problem(5, 1, n_people=4, roles="truthteller_liar")
    lines = p.answer.splitlines()
    variants = [
        p.answer,
        p.answer.upper(),
        "\n\n".join(line + "." for line in lines),
        "\n".join(line.split(") ", 1)[1] for line in reversed(lines)),
        "\n".join(line.replace(" is a ", " is ") for line in lines),
        "\n".join(f"{k}. {line.split(') ', 1)[1]}" for k, line in enumerate(lines, 1)),
    ]
    for variant in variants:
        assert score(p, variant) == 1.0, variant


def test_perturbed_answers_fail():
    for p in sample_problems(roles="random"):
        solution = p.payload["solution"]
        names = p.payload["names"]
        n = len(names)
        wrong: list[str] = []
        for person in range(n):
            flipped = list(solution)
            flipped[person] = not flipped[person]
            wrong.append(answer_text(p, flipped))
        differing = [i for i in range(n) if solution[i] != solution[0]]
        if differing:
            swapped = list(solution)
            swapped[0], swapped[differing[0]] = swapped[differing[0]], swapped[0]
            wrong.append(answer_text(p, swapped))
        exact = answer_text(p, solution).splitlines()
        wrong += [
            "\n".join(exact[1:]),  # a person missing
            "\n".join([*exact, exact[0]]),  # a person twice
            "\n".join([exact[0].replace(names[0], "Zorro"), *exact[1:]]),  # unknown name
            "\n".join([exact[0].rsplit(" ", 1)[0] + " wizard", *exact[1:]]),  # unknown role
        ]
        for answer in wrong:
            verdict = TASK.verify(p, f"<answer>{answer}</answer>")
            assert verdict.score == 0.0 and not verdict.passed and verdict.reason, answer


def test_reference_lines_and_free_form_lines_get_the_same_verdict():
    """The checker looks up lines written as the reference writes them; the same answers
    with a full stop on each line go through the general parser: same score and reason."""
    for p in sample_problems(roles="random", partial_credit=True):
        solution = p.payload["solution"]
        flipped = [not solution[0], *solution[1:]]
        exact = answer_text(p, solution).splitlines()
        answers = [
            answer_text(p, solution),
            answer_text(p, flipped),
            answer_text(p, [not role for role in solution]),
            "\n".join(exact[1:]),
            "\n".join([*exact, exact[0]]),
            "\n".join(reversed(exact)),
        ]
        for answer in answers:
            free_form = "\n".join(line + "." for line in answer.splitlines())
            assert TASK.check_answer(p, answer) == TASK.check_answer(p, free_form), answer


def test_the_reference_answer_is_scored_without_reading_its_lines(monkeypatch):
    """The stored answer is matched whole (no line lookup, no parser) and gets the verdict
    its lines get when read one by one."""
    for p in sample_problems(roles="random", partial_credit=True):
        checker = TASK.answer_checker(p)
        read = checker(p.answer + "\n")  # not the reference string: its lines are read
        monkeypatch.setattr(verifier, "listed_decisions", _unreachable)
        monkeypatch.setattr(verifier, "parse_answer", _unreachable)
        assert checker(p.answer) == read == (1.0, f"all {len(p.payload['names'])} roles correct")
        monkeypatch.undo()


def _unreachable(*_: object) -> None:
    raise AssertionError("the reference answer was read line by line")


def test_other_pairs_role_words_are_unknown():
    p = problem(5, 2, n_people=3, roles="knight_knave")
    answer = p.answer.replace("knight", "angel")
    verdict = TASK.verify(p, f"<answer>{answer}</answer>")
    assert verdict.score == 0.0 and "unknown role" in verdict.reason


@pytest.mark.parametrize("partial_credit", [False, True])
def test_constant_guesses_score_zero_unless_correct(partial_credit: bool):
    for p in sample_problems(partial_credit=partial_credit):
        solution = p.payload["solution"]
        for guess in (True, False):
            expected = 1.0 if all(role == guess for role in solution) else 0.0
            assert score(p, answer_text(p, [guess] * len(solution))) == expected


def test_partial_credit_is_opt_in_and_beats_only_the_best_constant_guess():
    checked = 0
    for index in range(40):
        p = problem(41, index, n_people=8, partial_credit=True)
        plain = problem(41, index, n_people=8)
        solution = p.payload["solution"]
        n, majority = len(solution), max(sum(solution), len(solution) - sum(solution))
        if n - majority < 2:
            continue
        checked += 1
        assert score(p, answer_text(p, solution)) == 1.0
        for correct in range(n):
            roles = [
                truthful if k < correct else not truthful for k, truthful in enumerate(solution)
            ]
            expected = max(0.0, (correct - majority) / (n - majority))
            assert score(p, answer_text(p, roles)) == pytest.approx(expected)
            assert score(plain, answer_text(plain, roles)) == 0.0
            assert TASK.verify(p, f"<answer>{answer_text(p, roles)}</answer>").passed is False
    assert checked >= 5


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Alice is a knight",
        "<answer></answer>",
        "<answer>I think everyone is honest</answer>",
        "<answer>!!!\n???</answer>",
        "<think>Alice must be a knight... <answer>(1) Alice is a knight</answer>",
        "<answer>" + "x is a " * 3000 + "</answer>",
    ],
)
def test_malformed_text_scores_zero_without_raising(text: str):
    verdict = TASK.verify(problem(1, 1), text)
    assert verdict.score == 0.0 and not verdict.passed and verdict.reason


def test_check_answer_raises_format_error_on_unparseable_answers():
    p = problem(1, 1)
    for answer in ("", "   \n  ", "garbage", "(1) Alice"):
        with pytest.raises(AnswerFormatError):
            TASK.check_answer(p, answer)


# --- config --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("knobs", "field"),
    [
        ({"n_people": 1}, "n_people"),
        ({"n_people": 21}, "n_people"),
        ({"depth": 0}, "depth"),
        ({"depth": 1}, "depth"),
        ({"width": 1}, "width"),
        ({"roles": "wizard_witch"}, "roles"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_out_of_range_knobs_are_refused_by_name(knobs: dict, field: str):
    with pytest.raises(ValidationError, match=field):
        TASK.Config(**knobs)


def test_level_bounds():
    with pytest.raises(ValueError, match="level 11"):
        TASK.config_for_level(11)
    assert TASK.config_for_level(3, {"roles": "hero_villain"}).roles == "hero_villain"


_LINE_PIECES = st.sampled_from(
    ["(", ")", "1", "12", "٣", " ", "  ", "\t", "is", "IS", "a", "an", "A", "n", "Bob", "é",
     "_", "-", ".", "*", "knight", "truth-teller", "ǅ", ":", "x"]
)  # fmt: skip


@settings(max_examples=3000, deadline=None)
@given(st.one_of(st.lists(_LINE_PIECES, max_size=12).map("".join), st.text(max_size=40)))
def test_a_plainly_written_line_is_read_as_the_general_reading_reads_it(raw: str):
    """The one-match reading of '(2) Bob is a knave' lines gives the general reading's
    (name, role), and parse_answer gives the same claims or error with or without it."""
    line = raw.strip()
    plain = verifier._PLAIN.fullmatch(line)
    if plain:
        assert (plain[1], plain[2]) == verifier._read_line(line, 1, raw)
    for answer in (raw, f"(1) Bob is a knight\n{raw}\n(3) Ann is an angel."):
        try:
            claims: object = verifier.parse_answer(answer)
        except AnswerFormatError as error:
            claims = str(error)
        assert claims == _general_parse(answer), answer


def _general_parse(answer: str) -> object:
    """parse_answer's claims (or error message) with every line read the general way."""
    claims = []
    try:
        for number, raw in enumerate(answer.splitlines(), start=1):
            claim = verifier._read_line(raw.strip(), number, raw)
            if claim is not None:
                claims.append(claim)
    except AnswerFormatError as error:
        return str(error)
    return claims or "empty answer"


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_check_answer_on_perturbed_reference_answers(data):
    """The checker's verdict (score and reason, or the format error) equals the verdict of
    the answer read line by line the general way, on the reference answer and perturbations
    of it (lines dropped, repeated, reordered, re-cased, re-worded) and arbitrary text."""
    p = data.draw(st.sampled_from(_PERTURBED_PROBLEMS))
    lines = p.answer.splitlines()
    edits = st.lists(
        st.one_of(
            st.sampled_from(lines),
            st.sampled_from(lines).map(str.upper),
            st.sampled_from(lines).map(lambda line: line.replace(" a", " an")),
            st.sampled_from(lines).map(lambda line: line + "."),
            st.sampled_from(lines).map(lambda line: line.split(") ", 1)[-1]),
            st.text(max_size=20),
        ),
        max_size=len(lines) + 2,
    )
    answer = data.draw(st.one_of(st.just(p.answer), edits.map("\n".join)))
    other = data.draw(st.sampled_from(_PERTURBED_PROBLEMS))  # the same answer next: its own verdict
    for problem in (p, other):
        assert _verdict(TASK.check_answer, problem, answer) == _verdict(
            _plain_check, problem, answer
        )


def _verdict(check, p: Problem, answer: str) -> object:
    try:
        return check(p, answer)
    except AnswerFormatError as error:
        return f"format error: {error}"


def _plain_check(p: Problem, answer: str) -> tuple[float, str]:
    """The check without its short cuts (whole-answer match, line lookup, one-match lines):
    every line read the general way, then matched to the puzzle."""
    puzzle = Puzzle.from_payload(p.payload)
    claims = _general_parse(answer)
    if isinstance(claims, str):
        raise AnswerFormatError(claims)
    people = {name.casefold(): person for person, name in enumerate(puzzle.names)}
    pair = puzzle.role_pair
    role_of = {pair.truthful.casefold(): True, pair.liar.casefold(): False}
    claimed: dict[int, bool] = {}
    for name, role in claims:
        person = people.get(name.casefold())
        if person is None:
            return 0.0, f"unknown person {name!r}"
        if person in claimed:
            return 0.0, f"{puzzle.names[person]} is named more than once"
        if role.casefold() not in role_of:
            return (
                0.0,
                f"unknown role {role!r} for {name}; expected {pair.truthful!r} or {pair.liar!r}",
            )
        claimed[person] = role_of[role.casefold()]
    return verifier.AnswerChecker(puzzle)._score(claimed)


_PERTURBED_PROBLEMS = [
    make_problem(TASK, TASK.config_for_level(level, {"roles": "random"}), 3, index, level)
    for level in (1, 4, 8)
    for index in range(4)
]

"""NLSat: determinism, labels proven (checked against z3), verifier behaviour, levels."""

from __future__ import annotations

import itertools
import statistics
from random import Random

import pytest
import z3
from pydantic import ValidationError

from generators.base import make_problem
from generators.nlsat import LEVELS, NLSat, NLSatConfig, dpll
from generators.nlsat.formula import clause_sizes, draw_clauses, first_violated
from generators.registry import get_task
from schemas.records import Problem

TASK = NLSat()
SEED = 20240601


def problem(index: int = 0, level: int | None = 5, seed: int = SEED, **knobs) -> Problem:
    return make_problem(TASK, TASK.config_for_level(level, knobs), seed, index, level=level)


def labelled(label: str, level: int | None = 5, **knobs) -> Problem:
    """The first problem (by index) whose balanced label came out as ``label``."""
    for index in range(100):
        p = problem(index, level=level, **knobs)
        if p.payload["label"] == label:
            return p
    raise AssertionError(f"no {label} problem in 100 indices")


def wrap(answer: str) -> str:
    return f"Some reasoning.\n<answer>\n{answer}\n</answer>"


def z3_model(payload: dict, blocked: list[dict[int, bool]] = ()) -> dict[int, bool] | None:
    """A satisfying assignment from z3 that differs from every ``blocked`` one, or None."""
    n = len(payload["variables"])
    xs = [z3.Bool(f"x{i}") for i in range(1, n + 1)]
    solver = z3.Solver()
    for clause in payload["clauses"]:
        solver.add(z3.Or([xs[abs(x) - 1] if x > 0 else z3.Not(xs[abs(x) - 1]) for x in clause]))
    for model in blocked:
        solver.add(z3.Or([xs[v - 1] != value for v, value in model.items()]))
    if solver.check() != z3.sat:
        return None
    found = solver.model()
    return {i: z3.is_true(found.eval(xs[i - 1], model_completion=True)) for i in range(1, n + 1)}


def answer_text(payload: dict, model: dict[int, bool]) -> str:
    lines = []
    for i, (name, prop) in enumerate(payload["variables"], start=1):
        lines.append(f"{name} is {prop}" if model[i] else f"{name} is not {prop}")
    return "\n".join(lines)


def answer_model(payload: dict, answer: str) -> dict[int, bool]:
    """Parse the canonical answer back into {variable: value}."""
    number = {f"{n} is {p}": i for i, (n, p) in enumerate(payload["variables"], start=1)}
    model = {}
    for line in answer.splitlines():
        if line in number:
            model[number[line]] = True
        else:
            model[number[line.replace(" is not ", " is ")]] = False
    return model


# --- determinism and identity -------------------------------------------------------


def test_same_arguments_give_identical_problems():
    for question in ("consistency", "assignment"):
        assert problem(3, question=question) == problem(3, question=question)


def test_index_alone_equals_index_in_a_loop():
    task = NLSat()
    config = task.config_for_level(8)
    in_loop = [make_problem(task, config, SEED, i, level=8) for i in range(8)]
    assert make_problem(NLSat(), config, SEED, 6, level=8) == in_loop[6]
    assert problem(5, level=8, seed=SEED + 1) != in_loop[5]


def test_registry_resolves_the_task():
    task = get_task("nlsat")
    assert isinstance(task, NLSat)
    assert (task.name, task.version) == ("nlsat", "1.2.0")


# --- generation ---------------------------------------------------------------------


@pytest.mark.parametrize("level", sorted(LEVELS))
def test_every_level_generates_a_well_formed_instance(level):
    config = TASK.config_for_level(level)
    for question in ("consistency", "assignment"):
        p = problem(level, level=level, question=question)
        payload = p.payload
        variables, clauses = payload["variables"], payload["clauses"]
        assert len(clauses) == config.n_clauses
        assert payload["alpha"] == round(len(clauses) / len(variables), 4)
        assert {abs(x) for c in clauses for x in c} == set(range(1, len(variables) + 1))
        assert len({frozenset(c) for c in clauses}) == len(clauses)
        for clause in clauses:
            assert len({abs(x) for x in clause}) == len(clause)
        assert sum(len(c) == 2 for c in clauses) == config.n_two_literal
        assert len({tuple(v) for v in variables}) == len(variables)
        assert all(f"{i}. " in p.prompt for i in range(1, len(clauses) + 1))
        assert p.prompt.rstrip().endswith("</answer> tags.")
        assert set(payload["solver_stats"]) == {"effort", "decisions", "conflicts", "propagations"}


def test_consistency_prompt_asks_for_yes_or_no():
    p = problem(0)
    assert '"yes" or "no"' in p.prompt
    assert p.answer in {"yes", "no"}


def test_assignment_prompt_lists_every_statement():
    p = problem(1, question="assignment")
    for name, prop in p.payload["variables"]:
        assert f"\n{name} is {prop}\n" in p.prompt


@pytest.mark.parametrize("step", [1, 2, 4, 5, 10])
def test_balanced_labels_are_even_over_the_indices_a_build_gives_a_level(step):
    """Builds hand out levels round-robin: a level of ``step`` levels gets the indices
    p, p + step, …; its 100 problems hold 50 ± 3 of each label (a coin strays by ±5 on one
    standard deviation, and a parity label would give one label only)."""
    for start in (0, step - 1):
        indices = range(start, start + 100 * step, step)
        labels = [problem(i, level=7).payload["label"] for i in indices]
        assert 47 <= labels.count("consistent") <= 53, (start, labels.count("consistent"))


def test_assignment_questions_are_always_consistent():
    labels = {problem(i, level=9, question="assignment").payload["label"] for i in range(10)}
    assert labels == {"consistent"}


def test_unbalanced_labels_follow_the_draw():
    labels = {problem(i, level=None, alpha=0.8, balanced=False).payload["label"] for i in range(6)}
    assert labels == {"consistent"}


def test_unreachable_inconsistent_label_is_refused_by_name():
    with pytest.raises(ValueError, match=r"n_vars=10, alpha=0\.5.*balanced=False"):
        for index in range(20):  # some index draws the inconsistent label
            problem(index, level=None, n_vars=10, alpha=0.5)
    problem(0, level=None, n_vars=10, alpha=0.5, balanced=False)


def test_unreachable_consistent_label_is_refused_after_bounded_draws():
    with pytest.raises(ValueError, match=r"no consistent instance in \d+ draws .*alpha=10"):
        problem(0, level=None, n_vars=10, alpha=10.0, k=2)


# --- solver correctness -------------------------------------------------------------


def test_dpll_agrees_with_brute_force_on_small_formulas():
    rng = Random(5)
    for _ in range(400):
        n, m = rng.randint(4, 8), rng.randint(1, 25)  # at most 25 of the 32+ distinct clauses
        sizes = clause_sizes(rng, m, rng.randint(0, min(5, m)), 3)
        clauses = draw_clauses(rng, n, sizes)
        result = dpll.solve(n, clauses)
        truth = any(
            first_violated(clauses, {v + 1 for v in range(n) if bits[v]}) is None
            for bits in itertools.product((0, 1), repeat=n)
        )
        assert result.satisfiable == truth
        if truth:
            assert first_violated(clauses, set(result.true_vars)) is None


def test_labels_agree_with_z3_across_levels():
    checked = 0
    for level in LEVELS:
        for index in range(30):
            payload = problem(index, level=level).payload
            assert (z3_model(payload) is not None) == (payload["label"] == "consistent")
            checked += 1
    assert checked == 300


def test_oracle_assignment_satisfies_every_clause_and_z3():
    for level in LEVELS:
        for index in range(3):
            p = problem(index, level=level, question="assignment")
            model = answer_model(p.payload, p.answer)
            assert len(model) == len(p.payload["variables"])
            true_vars = {v for v, value in model.items() if value}
            assert first_violated(p.payload["clauses"], true_vars) is None
            assert z3_model(p.payload | {"clauses": p.payload["clauses"] + pinned(model)})
            assert TASK.verify(p, wrap(p.answer)).score == 1.0


def pinned(model: dict[int, bool]) -> list[list[int]]:
    """Unit clauses fixing ``model``, to ask z3 whether the formula holds under it."""
    return [[v if value else -v] for v, value in model.items()]


def test_any_other_satisfying_assignment_scores_one():
    p = problem(2, level=6, question="assignment")
    found: list[dict[int, bool]] = [answer_model(p.payload, p.answer)]
    for _ in range(5):
        model = z3_model(p.payload, found)
        if model is None:
            break
        verdict = TASK.verify(p, wrap(answer_text(p.payload, model)))
        assert verdict.score == 1.0, verdict.reason
        found.append(model)
    assert len(found) > 2


# --- oracle traces and effort -------------------------------------------------------


@pytest.mark.parametrize("level", sorted(LEVELS))
def test_oracle_trace_passes_verify(level):
    for question in ("consistency", "assignment"):
        for index in range(2):
            p = problem(index, level=level, question=question)
            solution = TASK.solve(p)
            assert solution.answer == p.answer
            assert solution.stats == p.payload["solver_stats"]
            assert solution.stats["effort"] == (
                solution.stats["decisions"] + solution.stats["conflicts"]
            )
            verdict = TASK.verify(p, solution.trace_text())
            assert verdict.passed, verdict.reason


def test_trace_tells_the_search_in_the_puzzles_words():
    inconsistent = TASK.solve(labelled("inconsistent", level=7)).reasoning
    assert "Suppose " in inconsistent and "contradiction" in inconsistent
    assert "cannot all be true" in inconsistent
    consistent = TASK.solve(labelled("consistent", level=7)).reasoning
    assert "Rule 1 holds: " in consistent and "rules are consistent" in consistent


def test_median_effort_rises_with_level():
    medians = [
        statistics.median(
            problem(i, level=level).payload["solver_stats"]["effort"] for i in range(60)
        )
        for level in sorted(LEVELS)
    ]
    assert medians == sorted(medians)
    assert medians[-1] > medians[0]


def test_hard_large_instances_solve_quickly_enough_to_finish():
    for index in range(4):
        p = problem(index, level=None, n_vars=40, alpha=4.26)
        assert TASK.verify(p, TASK.solve(p).trace_text()).passed


# --- verifier -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "consistent"),
    [
        ("yes", True),
        ("Yes.", True),
        ("YES!", True),
        ("consistent", True),
        ("Satisfiable", True),
        ("no", False),
        ("No.", False),
        ("inconsistent", False),
        ("unsatisfiable!", False),
    ],
)
def test_verdict_words_are_tolerated(text, consistent):
    yes, no = labelled("consistent"), labelled("inconsistent")
    assert TASK.verify(yes if consistent else no, wrap(text)).score == 1.0
    assert TASK.verify(no if consistent else yes, wrap(text)).score == 0.0


def test_flipped_verdict_fails():
    for index in range(4):
        p = problem(index)
        flipped = {"yes": "no", "no": "yes"}[p.answer]
        verdict = TASK.verify(p, wrap(flipped))
        assert verdict.score == 0.0 and "wrong" in verdict.reason


def test_assignment_format_is_tolerated():
    p = problem(0, question="assignment")
    lines = p.answer.splitlines()
    styled = [f"{i}. {line.upper()}." for i, line in enumerate(lines, start=1)]
    styled[0] = f"- {lines[0].lower()}"
    assert TASK.verify(p, wrap("\n\n".join(styled))).score == 1.0
    reordered = "\n".join(reversed(lines))
    assert TASK.verify(p, wrap(reordered)).score == 1.0


def test_flipping_a_statement_that_breaks_a_rule_fails_naming_the_rule():
    p = problem(0, question="assignment")
    model = answer_model(p.payload, p.answer)
    for var in model:
        changed = model | {var: not model[var]}
        broken = first_violated(p.payload["clauses"], {v for v, x in changed.items() if x})
        if broken is not None:
            break
    else:
        pytest.fail("no single flip breaks a rule")
    verdict = TASK.verify(p, wrap(answer_text(p.payload, changed)))
    assert verdict.score == 0.0
    assert verdict.reason.startswith(f"rule {broken + 1} is violated")


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (lambda lines: lines[1:], "not decided"),
        (lambda lines: lines + lines[:1], "given twice"),
        (lambda lines: lines + [negate(lines[0])], "contradicted"),
        (lambda lines: ["Zorro is red", *lines], "unknown person"),
        (lambda lines: [lines[0].rsplit(" ", 1)[0] + " purple", *lines[1:]], "unknown property"),
    ],
)
def test_incomplete_or_inconsistent_assignments_score_zero(edit, reason):
    p = problem(0, question="assignment")
    verdict = TASK.verify(p, wrap("\n".join(edit(p.answer.splitlines()))))
    assert verdict.score == 0.0
    assert reason in verdict.reason


def negate(line: str) -> str:
    return (
        line.replace(" is not ", " is ") if " is not " in line else line.replace(" is ", " is not ")
    )


def test_statement_outside_the_list_scores_zero():
    p = problem(0, question="assignment")
    listed = {tuple(v) for v in p.payload["variables"]}
    names = {n for n, _ in listed}
    props = {q for _, q in listed}
    extra = next((n, q) for n in names for q in props if (n, q) not in listed)
    verdict = TASK.verify(p, wrap(p.answer + f"\n{extra[0]} is {extra[1]}"))
    assert verdict.score == 0.0 and "not one of the listed statements" in verdict.reason


@pytest.mark.parametrize("question", ["consistency", "assignment"])
@pytest.mark.parametrize(
    "text",
    [
        "yes",
        "",
        "<answer></answer>",
        "<answer>maybe, it depends</answer>",
        "<answer>import os; os.system('true')</answer>",
        "<think>Suppose Anne is red... <answer>yes</answer>",
        "\x00\x01 garbage <answer",
    ],
)
def test_malformed_text_scores_zero_with_a_reason(question, text):
    verdict = TASK.verify(problem(0, question=question), text)
    assert verdict.score == 0.0 and not verdict.passed
    assert verdict.reason


def test_unterminated_think_is_reported():
    verdict = TASK.verify(problem(0), "<think>hmm <answer>yes</answer>")
    assert "unterminated" in verdict.reason


# --- config bounds ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("knobs", "field"),
    [
        ({"alpha": 0}, "alpha"),
        ({"alpha": -1.0}, "alpha"),
        ({"alpha": 10.5}, "alpha"),
        ({"n_vars": 1}, "n_vars"),
        ({"n_vars": 61}, "n_vars"),
        ({"k": 6}, "k"),
        ({"two_sat_fraction": 1.5}, "two_sat_fraction"),
        ({"question": "why"}, "question"),
        ({"colour": "red"}, "colour"),
        ({"n_vars": 3, "k": 4}, "k=4"),
        ({"n_vars": 3, "alpha": 10.0}, "distinct clauses"),
        ({"n_vars": 3, "alpha": 0.1}, "no clauses"),
    ],
)
def test_out_of_range_knobs_are_refused_by_name(knobs, field):
    with pytest.raises(ValidationError, match=field):
        NLSatConfig(**knobs)


def test_levels_are_valid_and_grow():
    configs = [TASK.config_for_level(level) for level in sorted(LEVELS)]
    assert [c.n_vars for c in configs] == sorted(c.n_vars for c in configs)
    assert [c.alpha for c in configs] == sorted(c.alpha for c in configs)
    assert configs[-1].alpha == pytest.approx(4.26)
    with pytest.raises(ValueError, match="level 11"):
        TASK.config_for_level(11)

"""No task leaves cyclic garbage (issue 18).

What make_problem, the reference solve and the verifier allocate must be freed by reference
counting alone, so a build spends no time in the cyclic collector on it. The usual culprit is
a recursive nested function: its closure cell points back at it and keeps the whole closure
(memo sets, paths, the puzzle) alive until a collection; clearing the name when the search
ends empties the cell.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterator
from types import FunctionType

import pytest
import sympy as sp

from factory.stages import reference_trace, verify_trace
from generators.base import make_problem
from generators.registry import get_task, task_names
from schemas.arrow import gc_paused

# Libraries whose own closures make cycles we cannot avoid cheaply: sympy's Basic.replace
# (every sp.diff, e.g. the antiderivative verifier), _sort_factors (factor_list) and
# Expr._parse_order (ordering terms); networkx's hopcroft_karp_matching (bipartite_matching's
# proof of the maximum size) and its dispatcher's first-call compiler. A cycle through one
# of their functions, and whatever it holds, is exempt; any other cycle fails.
THIRD_PARTY = frozenset({"sympy", "networkx"})
TASKS = [name for name in task_names() if type(get_task(name)).__module__.startswith("generators.")]
LEVELS = (1, 5, 10)
PROBLEMS = 2  # per level


@pytest.fixture(scope="module")
def frozen() -> Iterator[None]:
    """Everything alive when a test starts is moved out of the collector's sight (see
    ``collector``); all of it is handed back when the module is done."""
    yield
    gc.unfreeze()


@pytest.fixture
def collector(frozen: None) -> Iterator[None]:
    """The cyclic collector off, with everything alive so far frozen so that a collection
    looks only at what the test makes (and a test's own start costs little); restored after."""
    gc.collect()
    gc.freeze()
    with gc_paused():
        yield


def _third_party(item: object) -> bool:
    module = getattr(item, "__module__", None) if isinstance(item, FunctionType) else None
    return isinstance(module, str) and module.partition(".")[0] in THIRD_PARTY


def _unexplained(garbage: list[object]) -> list[object]:
    """The objects of ``garbage`` not reachable, within it, from a third-party function."""
    ids = {id(item) for item in garbage}
    seen: set[int] = set()
    stack = [item for item in garbage if _third_party(item)]
    while stack:
        item = stack.pop()
        if id(item) not in seen:
            seen.add(id(item))
            stack.extend(ref for ref in gc.get_referents(item) if id(ref) in ids)
    return [item for item in garbage if id(item) not in seen]


def _describe(items: list[object]) -> str:
    """Counts of the functions (by name) among ``items``, then of the commonest types."""
    functions = Counter(item.__qualname__ for item in items if isinstance(item, FunctionType))
    types = Counter(type(item).__qualname__ for item in items)
    counts = [*functions.most_common(), *types.most_common(8)]
    return ", ".join(f"{count} {name}" for name, count in counts)


def collect() -> tuple[int, str]:
    """A collection now: the number of objects it frees, and those outside third-party
    cycles by function name and type ('' when none)."""
    flags = gc.get_debug()
    gc.set_debug(flags | gc.DEBUG_SAVEALL)
    try:
        freed = gc.collect()
        garbage = list(gc.garbage)
    finally:
        gc.garbage.clear()
        gc.set_debug(flags)
    found = _describe(_unexplained(garbage))
    del garbage
    gc.collect()  # frees the cycles gc.garbage held
    return freed, found


def assert_no_cycles(part: str) -> None:
    found = collect()[1]
    assert not found, f"{part} left cyclic garbage: {found}"


@pytest.mark.parametrize("name", TASKS)
def test_no_cyclic_garbage(name: str, collector: None) -> None:
    task = get_task(name)
    for level in LEVELS:
        config = task.config_for_level(level)
        problems = [make_problem(task, config, 7, i, level) for i in range(PROBLEMS)]
        assert_no_cycles(f"level {level} make_problem")
        traces = [reference_trace(problem) for problem in problems]
        assert_no_cycles(f"level {level} reference solve")
        for problem, trace in zip(problems, traces, strict=True):
            verify_trace(problem, trace)
        assert_no_cycles(f"level {level} verify")


def _leave_a_cycle() -> None:
    def recurse(depth: int) -> int:
        return recurse(depth - 1) if depth else 0

    recurse(3)


def test_the_check_sees_a_recursive_closure(collector: None) -> None:
    _leave_a_cycle()
    freed, found = collect()
    assert freed == 3  # the function, its closure tuple and the cell
    assert found.startswith("1 _leave_a_cycle.<locals>.recurse, ")


def test_a_third_party_cycle_is_exempt(collector: None) -> None:
    x, y = sp.symbols("x y")
    (x + 1).replace(x, y)  # Basic.replace's walk: a recursive closure inside sympy
    freed, found = collect()
    assert freed and not found

"""The C kernels (cryptarithm search, Survo counting, Pools' digits, the family of
family_relationships) against their Python references (the shortest-path sampler's in
tests/test_graphs_shortest_path.py).

The kernels are optional at install; where they did not compile the Python searches run and
these comparisons are skipped, unless ``FACTORY_REQUIRE_NATIVE=1`` (set in CI), which makes a
missing kernel a failure.
"""

from __future__ import annotations

import os
from random import Random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generators import hashrandom
from generators.base import make_problem
from generators.graphs import family_relationships, weighted_paths
from generators.graphs import kinship as kin
from generators.hashrandom import Draws, Pools, words
from generators.registry import get_task
from generators.synlogic.cryptarithm import linear
from generators.synlogic.cryptarithm.config import CryptarithmConfig
from generators.synlogic.cryptarithm.task import _LETTER_CHOICES, _draw, _written
from generators.synlogic.survo import count, task
from generators.synlogic.survo.count import Counter
from generators.synlogic.survo.solver import sums_of

KERNELS = {
    "cryptarithm": linear,
    "survo": count,
    "shortest_path": weighted_paths,
    "pools": hashrandom,
    "family": family_relationships,
}
native = pytest.mark.skipif(
    linear.native is None or count.native is None or hashrandom.native is None,
    reason="C kernels not compiled",
)


@pytest.mark.skipif(os.environ.get("FACTORY_REQUIRE_NATIVE") != "1", reason="not required")
@pytest.mark.parametrize("name", sorted(KERNELS))
def test_kernel_loaded_where_required(name: str) -> None:
    assert KERNELS[name].native is not None, f"the {name} C kernel did not load"


@native
@settings(max_examples=400, deadline=None)
@given(st.integers(0, 2**32))
def test_cryptarithm_kernel_writes_the_puzzle_like_python(seed: int) -> None:
    """Any operation and size: same words, hints, solution (keys in the same order) and
    answer from the C search and hint choice as from the numpy search and Python loop."""
    rng = Random(seed)
    low = rng.randint(2, 6)
    config = CryptarithmConfig(
        operations=("add", "sub", "mul"),
        n_addends=rng.randint(2, 6),
        min_digits=low,
        max_digits=rng.randint(low, 7),
    )
    op, operands, result = _draw(config, Draws(rng.getrandbits(300)))
    choice = rng.randrange(_LETTER_CHOICES)
    kernel = _written(op, operands, result, choice)
    reference = _written(op, operands, result, choice, python=True)
    assert repr(kernel) == repr(reference)
    assert [type(x) for x in kernel] == [type(x) for x in reference]


@native
@pytest.mark.parametrize(
    "args",
    [
        (3, [12, 34], 46, 0),  # no such operation
        (0, [], 1, 0),  # no operand
        (0, [0, 5], 5, 0),  # a zero operand
        (2, [12, 10], 120, 0),  # a two-digit multiplier
        (0, [1], 1, -1),  # a negative letter choice
    ],
)
def test_cryptarithm_kernel_refuses_what_is_no_puzzle(args: tuple) -> None:
    with pytest.raises((ValueError, OverflowError)):
        linear.native.puzzle(*args)


def _survo(rng: Random) -> tuple[list[list[int]], list[int], list[int]]:
    """A random R x C grid (2..5 each) with a random set of cells emptied."""
    R, C = rng.randint(2, 5), rng.randint(2, 5)
    values = rng.sample(range(1, R * C + 1), R * C)
    grid = [values[r * C : r * C + C] for r in range(R)]
    rows, cols = sums_of(grid)
    for cell in rng.sample(range(R * C), rng.randint(1, R * C)):
        grid[cell // C][cell % C] = 0
    return grid, rows, cols


@native
@settings(max_examples=400, deadline=None)
@given(st.integers(0, 2**32), st.sampled_from([1, 2, 3, 50]), st.booleans())
def test_survo_kernel_counts_like_python(seed: int, limit: int, forbidding: bool) -> None:
    rng = Random(seed)
    grid, rows, cols = _survo(rng)
    n = len(rows) * len(cols)
    forbid = (rng.randrange(n), rng.randint(1, n)) if forbidding else None
    counter = Counter(grid, rows, cols)
    assert counter.count(limit, forbid) == counter.count(limit, forbid, python=True)


@native
@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2**32))
def test_survo_kernel_blanks_like_python(seed: int) -> None:
    rng = Random(seed)
    R, C = rng.randint(2, 5), rng.randint(2, 5)
    values = rng.sample(range(1, R * C + 1), R * C)
    sums = sums_of([values[r * C : r * C + C] for r in range(R)])
    target = rng.randint(1, R * C)
    kernel, reference = values[:], values[:]
    order = rng.getrandbits(128)
    blanked = task.blank_while_unique(kernel, sums, Draws(order), target)
    assert blanked == task.blank_while_unique(reference, sums, Draws(order), target, python=True)
    assert kernel == reference


@native
@pytest.mark.parametrize(
    ("name", "level", "knobs"),
    [
        ("cryptarithm", 3, {}),
        ("cryptarithm", 10, {}),
        ("cryptarithm", None, {"operations": ["add"], "n_addends": 5, "max_digits": 5}),
        ("survo", 1, {}),
        ("survo", 10, {}),
    ],
)
def test_generation_is_byte_identical_without_the_kernels(
    name: str, level: int | None, knobs: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    generator = get_task(name)
    config = generator.config_for_level(level, knobs)
    made = [make_problem(generator, config, 7, i).model_dump_json() for i in range(20)]
    monkeypatch.setattr(linear, "native", None)
    monkeypatch.setattr(count, "native", None)
    monkeypatch.setattr(task, "native", None)
    assert [make_problem(generator, config, 7, i).model_dump_json() for i in range(20)] == made


@native
@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.integers(1, 2**32 - 1), min_size=0, max_size=40),
    st.integers(0, 2**4200),
)
def test_pools_kernel_takes_the_digits_python_takes(sizes: list[int], bits: int) -> None:
    """Any radices up to 2**32 - 1 (one, huge ones, many), any value below their product,
    zero and the product minus one included: the same picks as the divmod loop."""
    pools = Pools([range(size) for size in sizes])
    total = pools._total
    for value in (bits % total, 0, total - 1):
        if value.bit_length() <= hashrandom._NATIVE_BITS:
            assert hashrandom.native.pick(value, pools._pools) == pools.digits(value)


@native
@pytest.mark.parametrize(
    ("value", "pools", "error"),
    [
        (-1, ((1, 2),), OverflowError),
        (2**4096, ((1, 2),), OverflowError),
        (1.0, ((1, 2),), TypeError),
        (3, [(1, 2)], TypeError),
        (3, ((),), ValueError),
        (3, (5,), TypeError),
    ],
)
def test_pools_kernel_refuses_what_it_cannot_pick_from(
    value: object, pools: object, error: type[Exception]
) -> None:
    with pytest.raises(error):
        hashrandom.native.pick(value, pools)


def test_pools_fall_back_to_python_beyond_the_kernel() -> None:
    wide = Pools([range(2**40), range(3)])
    assert not wide._native
    assert wide.pick(Random(5)) == wide.digits(Random(5).getrandbits(wide._bits) % wide._total)


@native
@pytest.mark.parametrize(
    ("name", "level", "knobs"),
    [
        ("gcd_lcm", 10, {}),
        ("prime_factorization", 1, {}),
        ("prime_factorization", 10, {}),
        ("cipher", 1, {"words": 1, "ciphers": ["caesar"]}),
        ("cipher", 10, {}),
    ],
)
def test_pools_picks_are_byte_identical_without_the_kernel(
    name: str, level: int, knobs: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    generator = get_task(name)
    config = generator.config_for_level(level, knobs)
    made = [make_problem(generator, config, 7, i).model_dump_json() for i in range(40)]
    monkeypatch.setattr(hashrandom, "native", None)
    config = generator.config_for_level(level, knobs)  # a fresh config misses the tasks' caches
    assert [make_problem(generator, config, 7, i).model_dump_json() for i in range(40)] == made


family_kernel = pytest.mark.skipif(family_relationships.native is None, reason="not compiled")


@st.composite
def _family_config(draw: st.DrawFn) -> family_relationships.FamilyConfig:
    """Any knobs the config allows."""
    return family_relationships.FamilyConfig(
        people=draw(st.integers(6, 40)),
        generations=draw(st.integers(3, 5)),
        max_children=draw(st.integers(2, 5)),
        distractors=draw(st.integers(0, 20)),
    )


@family_kernel
@settings(max_examples=400, deadline=None)
@given(
    st.integers(0, 2**64 - 1),
    st.sampled_from(sorted(kin.KIN)),
    st.booleans(),
    _family_config(),
    st.sampled_from([1, 7, 200]),
)
def test_family_kernel_tells_the_family_like_python(
    key: int, steps: str, x_female: bool, config: family_relationships.FamilyConfig, chunk: int
) -> None:
    """Any chain (great-... ones in three generations too), any knobs, short SHAKE chunks
    (a stream that crosses blocks): the same facts, names, family and pairs, and the two
    streams left at the same word."""
    streams = [words(Random(key), chunk) for _ in range(2)]
    planted = [
        kin.root(word, steps, x_female, config.people, config.generations) for word in streams
    ]
    kernel = family_relationships._tell_native(streams[0], planted[0], config)
    assert kernel == family_relationships._tell(streams[1], planted[1], config)
    assert [type(name) for name in kernel[1]] == [str] * len(kernel[1])
    assert streams[0]() == streams[1]()


def _tell_args(**changes: object) -> list:
    """The kernel's arguments for a planted aunt at level 10, with ``changes``."""
    config = family_relationships.FamilyConfig(people=32, generations=5, max_children=4)
    word = words(Random(3))
    lists, top, coins, _, _ = kin.root(word, "PPC", True, config.people, config.generations)
    args = {
        "word": word,
        "lists": tuple(map(list.copy, lists)),
        "top": top,
        "coins": coins,
        "people": 32,
        "last": 4,
        "full": 4,
        "distractors": 8,
        "share": kin.CHILD_SHARE,
        "women": family_relationships._FEMALE_NAMES,
        "men": family_relationships._MALE_NAMES,
        "pieces": family_relationships._PIECES,
    }
    return list({**args, **changes}.values())


def _chain_with(k: int, value: object) -> tuple:
    """The planted chain's lists with list ``k`` replaced (or, for a tuple, item 0 of it)."""
    lists = list(_tell_args()[1])
    if isinstance(value, tuple):
        lists[k][0] = value[0]
    else:
        lists[k] = value
    return tuple(lists)


@family_kernel
def test_family_kernel_runs_on_good_arguments() -> None:
    body, names, female, parents, spouse, pairs = family_relationships.native.tell(*_tell_args())
    assert len(names) == len(female) == len(parents) == len(spouse) == 32 and len(pairs) == 8
    assert body.startswith("- ") and body.count("\n- ") == body.count("\n")


@family_kernel
@pytest.mark.parametrize(
    "changes",
    [
        {"lists": ()},  # not the seven lists
        {"lists": _chain_with(0, (1,))},  # a gender that is not a bool
        {"lists": _chain_with(2, (99,))},  # a spouse outside the family
        {"lists": _chain_with(2, (1,))},  # a spouse married to another
        {"lists": _chain_with(1, ([0],))},  # one parent
        {"lists": _chain_with(1, ([1, 1],))},  # parents who are not a couple
        {"lists": _chain_with(5, [0, 99])},  # an open mother outside the family
        {"lists": _chain_with(3, [])},  # generations for fewer people
        {"top": 99},
        {"people": 65},
        {"distractors": -1},
        {"pieces": family_relationships._PIECES[:-1]},
        {"pieces": ("é", *family_relationships._PIECES[1:])},
        {"women": ("Zoë",) * 52},
        {"men": ()},
    ],
)
def test_family_kernel_refuses_what_is_no_family(changes: dict) -> None:
    with pytest.raises(ValueError):
        family_relationships.native.tell(*_tell_args(**changes))


@family_kernel
@pytest.mark.parametrize("level", [1, 3, 5, 10])
def test_family_problems_are_byte_identical_without_the_kernel(
    level: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    generator = get_task("family_relationships")
    config = generator.config_for_level(level)
    made = [make_problem(generator, config, 7, i).model_dump_json() for i in range(60)]
    monkeypatch.setattr(family_relationships, "native", None)
    assert [make_problem(generator, config, 7, i).model_dump_json() for i in range(60)] == made

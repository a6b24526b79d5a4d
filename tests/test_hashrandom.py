"""HashRandom, Pools and distinct: deterministic streams, uniform draws, Random's API; the
make_problem path of tasks that draw from them; the per-config cache."""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest

from generators.base import config_cached, make_problem
from generators.hashrandom import HashRandom, Pools, distinct
from generators.registry import get_task, task_names
from schemas.arrow import canonical_json
from schemas.ids import Encoded, id_of_digest, problem_digest, problem_id
from schemas.records import Problem

KEY = hashlib.sha256(b"key").digest()


def test_the_stream_is_the_key_then_counter_blocks():
    rng = HashRandom(KEY)
    assert rng.getrandbits(256) == int.from_bytes(KEY, "little")
    block = hashlib.sha256(KEY + (1).to_bytes(8, "big")).digest()
    assert rng.getrandbits(100) == int.from_bytes(block, "little") & (2**100 - 1)


def test_draws_do_not_depend_on_how_the_bits_are_asked_for():
    whole = HashRandom(KEY).getrandbits(700)
    rng, parts = HashRandom(KEY), []
    for k in (3, 250, 1, 300, 146):
        parts.append(rng.getrandbits(k))
    rebuilt, shift = 0, 0
    for k, part in zip((3, 250, 1, 300, 146), parts, strict=True):
        rebuilt |= part << shift
        shift += k
    assert rebuilt == whole


def test_randoms_methods_work_and_repeat():
    def draws(rng: HashRandom) -> list[object]:
        items = list(range(10))
        rng.shuffle(items)
        return [
            rng.random(),
            rng.randrange(7),
            rng.randint(1, 6),
            rng.choice("abc"),
            rng.sample(range(100), 5),
            rng.uniform(1, 2),
            items,
        ]

    first = draws(HashRandom(KEY))
    assert first == draws(HashRandom(KEY)) != draws(HashRandom(hashlib.sha256(b"x").digest()))
    assert 0 <= first[0] < 1 and sorted(first[-1]) == list(range(10))


def test_pools_pick_each_pool_uniformly_and_independently():
    pools = Pools([range(3), "ab", (10, 20, 30, 40, 50)])
    counts = Counter(
        tuple(pools.pick(HashRandom(hashlib.sha256(str(i).encode()).digest()))) for i in range(6000)
    )
    assert len(counts) == 30
    assert min(counts.values()) > 120 and max(counts.values()) < 290  # 200 expected each


def test_distinct_keeps_distinct_picks_and_redraws_repeats():
    rng = HashRandom(KEY)
    assert distinct(rng, ["b", "a"], "abc") == ["b", "a"]
    out = distinct(rng, ["a", "a", "a", "a"], "abcdef")
    assert out[0] == "a" and len(set(out)) == 4 and set(out) <= set("abcdef")


def test_hashed_tasks_are_keyed_by_the_problem_digest():
    hashed = [name for name in task_names() if get_task(name).hashed_rng]
    assert {
        "cipher",
        "word_sorting",
        "gcd_lcm",
        "prime_factorization",
        "complex_arithmetic",
    } <= set(hashed)
    task = get_task("gcd_lcm")
    config = task.config_for_level(3)
    problem = make_problem(task, config, 5, 9, 3)
    knobs = Encoded(canonical_json(config.model_dump(mode="json")))
    digest = problem_digest(task.name, task.name, task.version, knobs, 5, 9)
    assert (
        problem.problem_id
        == id_of_digest(digest)
        == problem_id(task.name, task.name, task.version, knobs, 5, 9)
    )
    again = task.generate(config, HashRandom(digest), 9)
    assert (again.prompt, again.answer, again.payload) == (
        problem.prompt,
        problem.answer,
        problem.payload,
    )


@pytest.mark.parametrize("name", ["cipher", "word_sorting", "prime_factorization"])
def test_problems_are_assembled_in_field_order_and_compare_to_validated_ones(name):
    task = get_task(name)
    problem = make_problem(task, task.config_for_level(2), 1, 4, 2)
    assert list(vars(problem)) == list(Problem.model_fields)
    assert Problem.model_validate(problem.model_dump()) == problem


def test_config_cached_keeps_one_value_per_immutable_config():
    made: list[object] = []

    @config_cached
    def build(config):
        made.append(config)
        return object()

    task = get_task("cipher")
    config, mutable = task.config_for_level(2), task.config_for_level(2)
    assert build(config) is build(config) and made == [config]
    object.__setattr__(mutable, "ciphers", ["caesar"])  # a list knob can change in place
    assert build(mutable) is not build(mutable)

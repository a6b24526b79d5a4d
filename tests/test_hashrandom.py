"""HashRandom, Pools and distinct: deterministic streams, uniform draws, Random's API; the
make_problem path of tasks that draw from them; the per-config cache."""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest

from generators.base import config_cached, make_problem
from generators.hashrandom import (
    Draws,
    HashRandom,
    Pools,
    distinct,
    pick_word,
    shuffle_words,
    words,
)
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


def test_unread_bits_are_drawn_again():
    rng, reference = HashRandom(KEY), HashRandom(KEY)
    chunk = rng.getrandbits(700)  # past the first block
    rng.unread(chunk >> 300, 400)
    assert reference.getrandbits(300) == chunk & (1 << 300) - 1
    assert [rng.getrandbits(k) for k in (5, 395, 600)] == [
        reference.getrandbits(k) for k in (5, 395, 600)
    ]


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


def test_draws_sample_is_uniform_and_both_paths_take_the_same_swaps():
    counts = Counter(
        tuple(
            Draws(HashRandom(hashlib.sha256(str(i).encode()).digest()).getrandbits(128)).sample(
                "abcd", 2
            )
        )
        for i in range(6000)
    )
    assert len(counts) == 12 and min(counts.values()) > 380 and max(counts.values()) < 620
    value = HashRandom(KEY).getrandbits(400)
    long_pool = range(1000)  # over 16 * k: the dict path
    reference = list(long_pool)
    rest = value
    for i in range(5):  # Fisher–Yates on a copy, the same radices
        rest, j = divmod(rest, 1000 - i)
        reference[i], reference[i + j] = reference[i + j], reference[i]
    draws = Draws(value)
    assert draws.sample(long_pool, 5) == reference[:5] and draws.value == rest


def test_draws_shuffle_and_belows_take_digits_in_order():
    value = HashRandom(KEY).getrandbits(200)
    items, rest = list(range(6)), value
    expected = list(range(6))
    for i in range(5, 0, -1):
        rest, j = divmod(rest, i + 1)
        expected[i], expected[j] = expected[j], expected[i]
    draws = Draws(value)
    draws.shuffle(items)
    assert items == expected and draws.value == rest
    assert Draws(value).belows(7, 3) == [value % 7, value // 7 % 7, value // 49 % 7]


def test_words_are_shake_chunks_of_the_key_and_repeat():
    word = words(HashRandom(KEY), chunk=4)
    first = [word() for _ in range(6)]
    head = hashlib.shake_256(KEY + (0).to_bytes(4, "little")).digest(32)
    tail = hashlib.shake_256(KEY + (1).to_bytes(4, "little")).digest(32)
    expected = [int.from_bytes(head[i : i + 8], "little") for i in range(0, 32, 8)]
    expected += [int.from_bytes(tail[i : i + 8], "little") for i in range(0, 16, 8)]
    assert first == expected
    again = words(HashRandom(KEY), chunk=4)
    assert [again() for _ in range(6)] == first
    used, fresh = HashRandom(KEY), HashRandom(KEY)
    words(used)
    fresh.getrandbits(256)
    assert used.getrandbits(300) == fresh.getrandbits(300)  # the key's 256 bits are spent
    drawn = HashRandom(KEY)
    drawn.getrandbits(3)
    key = drawn.getrandbits(256).to_bytes(32, "little")
    drawn = HashRandom(KEY)
    drawn.getrandbits(3)
    word = words(drawn, chunk=4)
    assert word() == int.from_bytes(hashlib.shake_256(key + bytes(4)).digest(8), "little")


def test_word_draws_and_shuffles_are_uniform():
    word = words(HashRandom(KEY))
    counts = Counter(pick_word(word, range(7)) for _ in range(7000))
    assert set(counts) == set(range(7)) and min(counts.values()) > 850  # 1000 expected each
    firsts = Counter()
    for _ in range(4000):
        items = list("abcd")
        shuffle_words(word, items)
        assert sorted(items) == list("abcd")
        firsts[items[0]] += 1
    assert min(firsts.values()) > 850

"""The model-guided MCTS policy on the tiny model, through real backends."""

from __future__ import annotations

import json
from collections import Counter
from random import Random

import pyarrow.parquet as pq
import pytest

from factory.config import parse_build_config
from generators.registry import get_task
from generators.search.countdown import Countdown
from generators.search.engines import mcts
from generators.search.model_policy import ModelPolicy
from pipelines.build import run_build
from tests.contract import problem_at

pytestmark = pytest.mark.models


@pytest.fixture(scope="module")
def countdown() -> Countdown:
    return Countdown(problem_at(get_task("game_of_24"), 1, 0))


@pytest.fixture(scope="module")
def transformers_backend(tiny_model_dir):
    from factory.backends.transformers_backend import TransformersBackend

    backend = TransformersBackend(str(tiny_model_dir))
    yield backend
    backend.close()


def test_priors_agree_across_engines_and_rank_expansions(
    countdown, vllm_backend, transformers_backend
) -> None:
    state = countdown.initial()
    moves = countdown.moves(state)
    on_vllm = ModelPolicy(vllm_backend).priors(countdown, state, moves)
    policy = ModelPolicy(transformers_backend)
    priors = policy.priors(countdown, state, moves)
    assert len(priors) == len(moves) and sum(priors) == pytest.approx(1.0)
    assert priors == pytest.approx(on_vllm, abs=1e-3)
    assert len(set(priors)) > 1, "a random model still prefers some move texts"
    ranked = policy.order(countdown, state, moves, Random(0))
    assert [priors[moves.index(m)] for m in ranked] == sorted(priors, reverse=True)
    draws = Counter(policy.choose(countdown, state, moves, Random(i)) for i in range(400))
    favourite = moves[priors.index(max(priors))]
    assert draws[favourite] == max(draws.values())
    assert policy.model_calls == 1, "priors of a state are scored once and memoised"


def test_model_guided_mcts_expands_the_models_favourites_and_is_deterministic(
    countdown, transformers_backend
) -> None:
    policy = ModelPolicy(transformers_backend)
    result = mcts(countdown, iterations=60, rollout=policy, value_weight=0.5, seed=4)
    first = next(e for e in result.events if e.kind == "expand")
    moves = countdown.moves(countdown.initial())
    assert list(first.moves) == policy.order(countdown, countdown.initial(), moves, Random(0))[:3]
    assert result.params["rollout"] == "model" and result.params["value_weight"] == 0.5
    value = policy.value(countdown, countdown.initial())
    assert 0.0 < value < 1.0
    again = mcts(
        countdown,
        iterations=60,
        rollout=ModelPolicy(transformers_backend),
        value_weight=0.5,
        seed=4,
    )
    assert [(e.kind, e.node, e.moves) for e in again.events] == [
        (e.kind, e.node, e.moves) for e in result.events
    ]


def test_build_with_a_model_policy(out_root, tiny_model_dir) -> None:
    knobs = {
        "policy": "model",
        "policy_model": {"backend": "transformers", "model": str(tiny_model_dir)},
        "iterations": 30,
    }
    config = parse_build_config(
        {
            "name": "model-search",
            "seed": 2,
            "output_root": str(out_root),
            "shard_size": 4,
            "tasks": [{"task": "search_countdown", "count": 4, "levels": [1], "knobs": knobs}],
        }
    )
    rows = pq.read_table(run_build(config, workers=1).layout.version_dir / "data").to_pylist()
    assert len(rows) == 4 and all(row["verify_score"] == 1.0 for row in rows)
    assert all(json.loads(row["solver_stats"])["model_calls"] > 0 for row in rows)

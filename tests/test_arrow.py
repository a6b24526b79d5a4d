"""Decoding records from Arrow with the cyclic garbage collector paused: the same records,
and the collector left as it was found, whatever happens in the block."""

from __future__ import annotations

import gc

import pytest

from generators.base import make_problem
from generators.registry import get_task
from schemas.arrow import from_table, gc_paused, to_table
from schemas.records import Problem


@pytest.fixture
def gc_restored():
    enabled = gc.isenabled()
    yield
    (gc.enable if enabled else gc.disable)()


@pytest.mark.parametrize("enabled", [True, False])
def test_from_table_decodes_the_same_records_and_leaves_the_collector_as_it_was(
    enabled, gc_restored
):
    task = get_task("nlsat")
    problems = [make_problem(task, task.config_for_level(3), 0, i, 3) for i in range(20)]
    (gc.enable if enabled else gc.disable)()
    assert from_table(to_table(problems, Problem), Problem) == problems
    assert gc.isenabled() is enabled


def test_the_collector_comes_back_on_after_an_error(gc_restored):
    gc.enable()
    with pytest.raises(ValueError), gc_paused():
        assert not gc.isenabled()
        raise ValueError("boom")
    assert gc.isenabled()

"""The build's use of the cyclic garbage collector (``pipelines.collection``)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from pipelines.collection import collector_paused, fewer_collections


@pytest.fixture
def no_freeze_of_its_own() -> Iterator[None]:
    """This test process may hold a freeze of its own (vLLM freezes after loading a model):
    start from none, and give it back after."""
    had_frozen = gc.get_freeze_count() > 0
    enabled = gc.isenabled()
    gc.unfreeze()
    gc.enable()
    try:
        yield
    finally:
        gc.unfreeze()
        if had_frozen:
            gc.freeze()
        if not enabled:
            gc.disable()


class Stage:
    """A CPU stage: what its run leaves on it outlives the run, like kept records."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.kept: list[dict[str, list[int]]] = []

    @collector_paused
    def run(self) -> None:
        assert not gc.isenabled()
        self.kept = [{"row": [i]} for i in range(100)]
        if self.fail:
            raise RuntimeError("a failing stage")


class Loop:
    """An object in a reference cycle with itself."""

    def __init__(self) -> None:
        self.itself = self


def cyclic_garbage() -> weakref.ref[Loop]:
    loop = Loop()
    return weakref.ref(loop)


def is_frozen(item: object) -> bool:
    """Frozen objects are tracked but in no generation the collector walks."""
    return gc.is_tracked(item) and all(item is not found for found in gc.get_objects())


@pytest.mark.usefixtures("no_freeze_of_its_own")
def test_collections_are_rarer_during_a_workflow_and_as_before_after():
    before = gc.get_threshold()
    with fewer_collections(12_345):
        assert gc.get_threshold() == (12_345, *before[1:])
        assert gc.get_freeze_count() > 0  # what existed is out of the collector's reach
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError), fewer_collections(23_456):
        raise RuntimeError("a failing build")
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    gc.freeze()  # a process that froze objects itself keeps its freeze
    held = gc.get_freeze_count()  # falls as frozen objects are freed, never rises here
    with fewer_collections(34_567):
        assert 0 < gc.get_freeze_count() <= held  # not frozen again, not unfrozen
    assert 0 < gc.get_freeze_count() <= held


@pytest.mark.usefixtures("no_freeze_of_its_own")
def test_a_workflow_inside_one_that_owns_the_freeze_leaves_it_owned():
    with fewer_collections():
        with fewer_collections():
            pass
        stage = Stage()
        stage.run()
        assert is_frozen(stage.kept)  # the outer block still freezes what stages leave
    assert gc.get_freeze_count() == 0


@pytest.mark.usefixtures("no_freeze_of_its_own")
def test_a_stage_run_in_a_workflow_freezes_what_it_leaves_after_collecting_older_garbage():
    stage = Stage()
    with fewer_collections():
        older = cyclic_garbage()
        assert older() is not None  # only a collection frees it
        stage.run()
        assert older() is None  # collected before the run, not frozen with it
        assert is_frozen(stage.kept) and is_frozen(stage.kept[0])
        stage.kept = []  # reference counting still frees what is frozen
        assert gc.isenabled()
    assert gc.get_freeze_count() == 0  # the workflow's end unfreezes everything


@pytest.mark.usefixtures("no_freeze_of_its_own")
def test_a_failed_run_a_run_outside_a_workflow_and_a_disabled_collector_freeze_nothing():
    with fewer_collections():
        frozen = gc.get_freeze_count()
        failing = Stage(fail=True)
        with pytest.raises(RuntimeError):
            failing.run()
        assert not is_frozen(failing.kept) and gc.isenabled()
        gc.disable()  # whoever turned the collector off (a test counting garbage) keeps it off
        try:
            older = cyclic_garbage()
            stage = Stage()
            stage.run()
            assert older() is not None and not is_frozen(stage.kept)
            assert not gc.isenabled()
        finally:
            gc.enable()
        # nothing joined the freeze; a frozen object may still be freed meanwhile (the
        # young collection before a run can free a cycle holding the last reference to one)
        assert gc.get_freeze_count() <= frozen
    outside = Stage()
    outside.run()
    assert not is_frozen(outside.kept) and gc.get_freeze_count() == 0

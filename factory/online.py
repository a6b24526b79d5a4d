"""Endless seeded problem streams over a weighted mixture of a build config's subsets.

Draw ``k`` picks a subset from ``Random(derive_seed(seed, "mixture", k))`` by weight, then
makes that subset's next index (its own counter, ``0, 1, 2, …``) with
:func:`factory.stages.problem_maker`: problem ``(subset, index)`` is the one a build of the
same config makes. With ``dedup`` a problem whose exact or structural 64-bit key was seen
earlier in the stream is skipped and the subset's next index drawn instead, so a run
never repeats a problem. A level policy (a curriculum or a schedule) may set each subset's
level; the problem at ``(subset, index)`` is then the build's at ``levels: [level]``.

Everything is a function of the state (draw counter, per-subset counters, keys seen,
levels), which :meth:`ProblemStream.state_dict` saves and ``load_state_dict`` restores;
``workers`` only moves the making into background processes, never changes the stream.
"""

from __future__ import annotations

import base64
import hashlib
from array import array
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from functools import cache
from itertools import accumulate
from multiprocessing import get_context
from random import Random
from typing import Any, Protocol

from factory.errors import ConfigError
from factory.quality.dedup import DistinctFilter, NotEnoughDistinctProblems
from factory.stages import problem_maker
from schemas.arrow import canonical_json
from schemas.config import BuildConfig, TaskSpec
from schemas.ids import derive_seed
from schemas.records import Problem

MIXTURE_STREAM = "mixture"
MISSES_IN_A_ROW = 1000
"""Repeats in a row after which a subset's space at its level counts as exhausted."""


class LevelPolicy(Protocol):
    """What sets a subset's level: :class:`factory.curriculum.Curriculum` or a schedule."""

    def level(self, subset: str) -> int | None: ...


def fingerprint(payload: Any) -> str:
    """A short content hash: equal states belong to equal mixtures."""
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()[:16]


def pack_keys(keys: set[int]) -> str:
    """64-bit keys as base64 of sorted uint64s: 8 bytes a key, JSON-safe."""
    return base64.b64encode(array("Q", sorted(keys)).tobytes()).decode("ascii")


def unpack_keys(text: str) -> set[int]:
    keys = array("Q")
    keys.frombytes(base64.b64decode(text))
    return set(keys)


class ProblemStream:
    """An iterator of problems over ``config``'s subsets drawn by ``weights``; see the module
    docstring. ``workers > 0`` makes problems ahead in that many spawned processes."""

    def __init__(
        self,
        config: BuildConfig,
        weights: Mapping[str, float],
        *,
        dedup: bool = True,
        levels: LevelPolicy | None = None,
        workers: int = 0,
    ) -> None:
        self.config = config
        self.specs = {spec.subset: spec for spec in config.tasks}
        self.subsets = list(self.specs)
        self.weights = [float(weights[s]) for s in self.subsets]
        self._bounds = list(accumulate(self.weights))
        self.levels = levels
        self.dedup = dedup
        self.draws = 0
        self.next_index = dict.fromkeys(self.subsets, 0)
        self.seen = DistinctFilter(dedup, None)
        self.last_subset: str | None = None
        self._makers: dict[tuple[str, tuple[int, ...]], Callable[[int], Problem]] = {}
        self._prefetch = Prefetcher(config, workers) if workers else None

    @property
    def fingerprint(self) -> str:
        specs = [spec.model_dump(mode="json", exclude={"count"}) for spec in self.config.tasks]
        return fingerprint([self.config.seed, specs, self.weights, self.dedup])

    def __iter__(self) -> Iterator[Problem]:
        return self

    def __next__(self) -> Problem:
        subset = self.choose(self.draws)
        problem = self._distinct(subset)
        self.draws += 1
        self.last_subset = subset
        return problem

    def choose(self, draw: int) -> str:
        """The subset draw ``draw`` takes: a pure function of the seed and ``draw``."""
        if len(self.subsets) == 1:
            return self.subsets[0]
        u = Random(derive_seed(self.config.seed, MIXTURE_STREAM, draw)).random()
        return self.subsets[bisect_right(self._bounds, u * self._bounds[-1])]

    def skip(self, draws: int) -> None:
        """Replay ``draws`` draws: resume from a bare sample counter, at the cost of making
        them again (:meth:`load_state_dict` resumes at once)."""
        for _ in range(draws):
            next(self)

    def spec_at(self, subset: str) -> TaskSpec:
        """The subset's spec at the level its policy sets now (its own levels without one)."""
        spec = self.specs[subset]
        level = self.levels.level(subset) if self.levels is not None else None
        return spec if level is None else spec.model_copy(update={"levels": [level]})

    def _distinct(self, subset: str) -> Problem:
        for _ in range(MISSES_IN_A_ROW):
            index = self.next_index[subset]
            self.next_index[subset] = index + 1
            problem = self.make(subset, index)
            if self.seen.reject(problem) is None:
                return problem
        level = self.spec_at(subset).levels or "default"
        raise NotEnoughDistinctProblems(
            f"{subset}: {MISSES_IN_A_ROW} draws in a row at levels {level} repeated earlier "
            "problems; its space is exhausted: choose other levels or knobs, or dedup=False"
        )

    def make(self, subset: str, index: int) -> Problem:
        """Problem ``index`` of ``subset`` at its current level (no draw, no dedup)."""
        spec = self.spec_at(subset)
        if self._prefetch is not None:
            return self._prefetch.get(spec, index)
        key = _levels_key(spec)
        if key not in self._makers:
            self._makers[key] = problem_maker(self.config, spec)
        return self._makers[key](index)

    def state_dict(self) -> dict[str, Any]:
        """JSON-safe: counters and the keys seen (8 bytes per problem and key kind)."""
        return {
            "fingerprint": self.fingerprint,
            "draws": self.draws,
            "next_index": dict(self.next_index),
            "exact": pack_keys(self.seen.exact),
            "structural": pack_keys(self.seen.structural),
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        if state.get("fingerprint") != self.fingerprint:
            raise ConfigError(
                f"stream state.fingerprint: {state.get('fingerprint')!r} is from a different "
                f"mixture (this one is {self.fingerprint!r})"
            )
        self.draws = int(state["draws"])
        self.next_index = {s: int(state["next_index"][s]) for s in self.subsets}
        self.seen.exact = unpack_keys(state["exact"])
        self.seen.structural = unpack_keys(state["structural"])

    def close(self) -> None:
        if self._prefetch is not None:
            self._prefetch.close()

    def __enter__(self) -> ProblemStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Prefetcher:
    """Makes each subset's next indices ahead, ``chunk`` at a time, in spawned processes
    (never forked: a trainer's parent holds threads and devices). A chunk made at a level
    the policy has since left is dropped and the index made again at the new one."""

    def __init__(self, config: BuildConfig, workers: int, chunk: int = 16, ahead: int = 4):
        self._config = config.model_dump_json()
        self._pool = ProcessPoolExecutor(workers, mp_context=get_context("spawn"))
        self.chunk = chunk
        self.ahead = ahead
        self._queues: dict[str, deque[tuple[Any, int, Future[list[Problem]]]]] = {}

    def get(self, spec: TaskSpec, index: int) -> Problem:
        """Problem ``index`` of ``spec``; chunks behind ``index`` or at another level go."""
        queue = self._queues.setdefault(spec.subset, deque())
        key = _levels_key(spec)
        while queue and not (queue[0][0] == key and 0 <= index - queue[0][1] < self.chunk):
            queue.popleft()[2].cancel()
        if len(queue) < self.ahead:
            spec_json = spec.model_dump_json()
            start = queue[-1][1] + self.chunk if queue else index
            while len(queue) < self.ahead:
                queue.append((key, start, self._submit(spec_json, start)))
                start += self.chunk
        _, start, future = queue[0]
        return future.result()[index - start]

    def _submit(self, spec_json: str, start: int) -> Future[list[Problem]]:
        return self._pool.submit(_make_chunk, self._config, spec_json, start, self.chunk)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _levels_key(spec: TaskSpec) -> tuple[str, tuple[int, ...]]:
    return spec.subset, tuple(spec.levels or ())


@cache
def _worker_maker(config_json: str, spec_json: str) -> Callable[[int], Problem]:
    config = BuildConfig.model_validate_json(config_json)
    return problem_maker(config, TaskSpec.model_validate_json(spec_json))


def _make_chunk(config_json: str, spec_json: str, start: int, count: int) -> list[Problem]:
    make = _worker_maker(config_json, spec_json)
    return [make(index) for index in range(start, start + count)]

"""Level policies for online RL: an adaptive curriculum and manual schedules.

:class:`Curriculum` keeps each subset's pass rate in a band: the rewards the trainer reports
(:meth:`Curriculum.record`) fill a window per subset; every ``min_samples`` new rewards
:meth:`Curriculum.update` decides (and logs) whether the level moves: up above the band,
down below it, else it holds. A move clears the window, as rewards at the old level say
nothing about the new one. :class:`ManualSchedule` sets levels by step instead.

Both are fed the same way: a TRL reward function wrapped by :func:`recording_reward` plus
the callback of :func:`trl_callback` (which also saves and restores the state beside each
checkpoint), or :func:`verl_feedback` from the verl dataset's ``on_batch_end``.
"""

from __future__ import annotations

import json
import logging
import math
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from factory.errors import ConfigError
from factory.online import fingerprint
from factory.scoring.difficulty import PASS_THRESHOLD

log = logging.getLogger(__name__)

MIN_LEVEL, MAX_LEVEL = 1, 10
DEFAULT_BAND = (0.3, 0.7)
STATE_FILE = "reasoning_factory_state.json"
"""What :func:`trl_callback` writes into each ``checkpoint-<step>`` directory."""


@dataclass(frozen=True)
class Decision:
    """One evaluation of a subset's window: the level it had and the one it gets."""

    step: int
    subset: str
    pass_rate: float
    samples: int
    level: int
    new_level: int


class LevelPolicy(Protocol):
    """What the trainer hooks drive: a level per subset, rewards in, a decision per step."""

    def level(self, subset: str) -> int | None: ...

    def record(self, subset: str, reward: float) -> None: ...

    def update(self, step: int) -> list[Decision]: ...

    def state_dict(self) -> dict[str, Any]: ...

    def load_state_dict(self, state: Mapping[str, Any]) -> None: ...


class Curriculum:
    """Per-subset levels that follow the pass rate; see the module docstring.

    ``subsets`` maps each subset to its (lowest, highest) level, or lists subsets that
    may use every level; ``start`` is the first level (default: each subset's lowest).
    """

    def __init__(
        self,
        subsets: Mapping[str, tuple[int, int]] | Sequence[str],
        *,
        band: tuple[float, float] = DEFAULT_BAND,
        start: int | Mapping[str, int] | None = None,
        window: int = 64,
        min_samples: int = 32,
        step: int = 1,
        pass_threshold: float = PASS_THRESHOLD,
    ) -> None:
        bounds = subsets if isinstance(subsets, Mapping) else dict.fromkeys(subsets, None)
        self.bounds = {s: _check_bounds(s, b) for s, b in bounds.items()}
        if not self.bounds:
            raise ConfigError("curriculum.subsets: name at least one subset")
        self.band = _check_band(band)
        _check_positive(window=window, min_samples=min_samples, step=step)
        if min_samples > window:
            raise ConfigError(f"curriculum.min_samples: {min_samples} exceeds window {window}")
        self.window, self.min_samples, self.step = window, min_samples, step
        self.pass_threshold = pass_threshold
        self.levels = {s: self._start(s, start) for s in self.bounds}
        self._rewards: dict[str, deque[bool]] = {s: deque(maxlen=window) for s in self.bounds}
        self._fresh = dict.fromkeys(self.bounds, 0)
        self.decisions: list[Decision] = []

    def _start(self, subset: str, start: int | Mapping[str, int] | None) -> int:
        low, high = self.bounds[subset]
        level = start.get(subset) if isinstance(start, Mapping) else start
        if level is None:
            return low
        if not low <= level <= high:
            raise ConfigError(f"curriculum.start.{subset}: {level} is outside {low}..{high}")
        return level

    @property
    def fingerprint(self) -> str:
        """What a saved state must match: the subsets, their bounds and the settings."""
        settings = [self.band, self.window, self.min_samples, self.step, self.pass_threshold]
        return fingerprint([sorted(self.bounds.items()), settings])

    def level(self, subset: str) -> int:
        return self.levels[subset]

    def record(self, subset: str, reward: float) -> None:
        """One reward of a problem of ``subset`` at its current level (others are ignored:
        a mixture may hold subsets the curriculum does not drive)."""
        if subset in self._rewards:
            self._rewards[subset].append(reward >= self.pass_threshold)
            self._fresh[subset] += 1

    def update(self, step: int) -> list[Decision]:
        """Decide for every subset with ``min_samples`` new rewards; log and return them."""
        made = []
        for subset, rewards in self._rewards.items():
            if self._fresh[subset] < self.min_samples:
                continue
            self._fresh[subset] = 0
            rate = sum(rewards) / len(rewards)
            level = self.levels[subset]
            new_level = self._move(subset, level, rate)
            decision = Decision(step, subset, rate, len(rewards), level, new_level)
            if new_level != level:
                self.levels[subset] = new_level
                rewards.clear()
            log.info("curriculum %s", decision)
            made.append(decision)
        self.decisions.extend(made)
        return made

    def _move(self, subset: str, level: int, rate: float) -> int:
        low, high = self.bounds[subset]
        if rate > self.band[1]:
            return min(high, level + self.step)
        if rate < self.band[0]:
            return max(low, level - self.step)
        return level

    def state_dict(self) -> dict[str, Any]:
        return {
            "fingerprint": self.fingerprint,
            "levels": dict(self.levels),
            "rewards": {s: [int(r) for r in q] for s, q in self._rewards.items()},
            "fresh": dict(self._fresh),
            "decisions": [asdict(d) for d in self.decisions],
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        _check_fingerprint("curriculum", state, self.fingerprint)
        self.levels = {s: int(state["levels"][s]) for s in self.bounds}
        for subset, rewards in self._rewards.items():
            rewards.clear()
            rewards.extend(bool(r) for r in state["rewards"][subset])
        self._fresh = {s: int(state["fresh"][s]) for s in self.bounds}
        self.decisions = [Decision(**d) for d in state["decisions"]]


class ManualSchedule:
    """Levels by training step: ``{0: 1, 500: 3, 2000: 5}`` for every subset, or per subset
    ``{"sudoku": {0: 1, 1000: 4}}``; a subset without a schedule keeps its own levels."""

    def __init__(self, schedule: Mapping[int, int] | Mapping[str, Mapping[int, int]]) -> None:
        per_subset = bool(schedule) and all(isinstance(v, Mapping) for v in schedule.values())
        tables = schedule if per_subset else {None: schedule}
        self.tables = {s: _check_schedule(s, t) for s, t in tables.items()}
        self.step = 0

    @property
    def fingerprint(self) -> str:
        return fingerprint(sorted((str(s), t) for s, t in self.tables.items()))

    def level(self, subset: str) -> int | None:
        table = self.tables.get(subset, self.tables.get(None))
        if table is None:
            return None
        steps = [s for s, _ in table]
        return table[max(0, bisect_right(steps, self.step) - 1)][1]

    def record(self, subset: str, reward: float) -> None:
        """Rewards do not move a schedule."""

    def update(self, step: int) -> list[Decision]:
        self.step = step
        return []

    def state_dict(self) -> dict[str, Any]:
        return {"fingerprint": self.fingerprint, "step": self.step}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        _check_fingerprint("schedule", state, self.fingerprint)
        self.step = int(state["step"])


def recording_reward(policy: LevelPolicy, reward: Callable[..., list[float]]) -> Callable:
    """A TRL reward function that scores with ``reward`` and records each score under the
    row's ``subset`` column (which the API's TRL rows carry)."""

    def recorded(completions: Sequence[Any], subset: Sequence[str] = (), **kwargs: Any):
        scores = reward(completions, **kwargs)
        for name, score in zip(subset, scores, strict=False):
            policy.record(name, score)
        return scores

    recorded.__name__ = getattr(reward, "__name__", "reward")
    return recorded


def verl_feedback(policy: LevelPolicy, batch: Any, step: int) -> list[Decision]:
    """Feed a verl batch (``DataProto``) to ``policy`` and decide: each sequence's score is
    the sum of its ``token_level_scores``, its subset the ``extra_info`` the API wrote."""
    scores = batch.batch["token_level_scores"].sum(-1)
    for info, score in zip(batch.non_tensor_batch["extra_info"], scores, strict=True):
        policy.record(info["subset"], float(score))
    return policy.update(step)


def save_state(path: Path, **states: Any) -> None:
    """``{name: object.state_dict()}`` as JSON (written beside a trainer's checkpoint)."""
    path.write_text(json.dumps({k: v.state_dict() for k, v in states.items()}))


def load_state(path: Path, **states: Any) -> None:
    saved = json.loads(path.read_text())
    for name, target in states.items():
        target.load_state_dict(saved[name])


def trl_callback(policy: LevelPolicy, stream: Any = None) -> Any:
    """A ``transformers.TrainerCallback``: ``update`` at every step end, the policy's (and
    the prompt stream's) state saved into each checkpoint directory and restored at train
    begin when the trainer resumes from one. Built on call, so that importing this module
    needs no transformers."""
    from transformers import TrainerCallback

    states = {"curriculum": policy, **({"stream": stream} if stream is not None else {})}

    class CurriculumCallback(TrainerCallback):
        def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            path = Path(args.output_dir) / f"checkpoint-{state.global_step}" / STATE_FILE
            if state.global_step > 0 and path.is_file():
                load_state(path, **states)

        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            policy.update(state.global_step)

        def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            directory = Path(args.output_dir) / f"checkpoint-{state.global_step}"
            directory.mkdir(parents=True, exist_ok=True)
            save_state(directory / STATE_FILE, **states)

    return CurriculumCallback()


def _check_fingerprint(kind: str, state: Mapping[str, Any], expected: str) -> None:
    if state.get("fingerprint") != expected:
        raise ConfigError(
            f"{kind} state.fingerprint: {state.get('fingerprint')!r} is from a different "
            f"mixture or setting (this one is {expected!r})"
        )


def _check_band(band: tuple[float, float]) -> tuple[float, float]:
    low, high = band
    if not (0.0 <= low < high <= 1.0) or math.isnan(low) or math.isnan(high):
        raise ConfigError(f"curriculum.band: {band!r} must be (low, high), 0 <= low < high <= 1")
    return float(low), float(high)


def _check_bounds(subset: str, bounds: tuple[int, int] | None) -> tuple[int, int]:
    low, high = bounds if bounds is not None else (MIN_LEVEL, MAX_LEVEL)
    if not MIN_LEVEL <= low <= high <= MAX_LEVEL:
        raise ConfigError(
            f"curriculum.subsets.{subset}: levels {low}..{high} not within {MIN_LEVEL}..{MAX_LEVEL}"
        )
    return low, high


def _check_positive(**values: int) -> None:
    for name, value in values.items():
        if value < 1:
            raise ConfigError(f"curriculum.{name}: {value} must be at least 1")


def _check_schedule(subset: str | None, table: Mapping[int, int]) -> list[tuple[int, int]]:
    where = "schedule" if subset is None else f"schedule.{subset}"
    if not table:
        raise ConfigError(f"{where}: give at least one step: level")
    for step, level in table.items():
        if step < 0 or not MIN_LEVEL <= level <= MAX_LEVEL:
            raise ConfigError(f"{where}.{step}: level {level} (steps >= 0, levels 1..10)")
    return sorted((int(s), int(v)) for s, v in table.items())

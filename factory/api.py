"""The Python API: procedural datasets and online RL prompts from one import.

    import factory as rf
    ds = rf.dataset("knights_knaves", size=100, level=3, seed=1)
    mix = rf.mixture({"knights_knaves": 2, "sudoku": 1}, seed=1, endless=True)
    problem = next(iter(mix)); rf.score(problem, completion); rf.reference_trace(problem)

A source is a build config in disguise (one subset per mixture entry, ``seed``, ``dedup``),
so problem ``(subset, index)`` is the very problem a build of that config makes; see
:mod:`factory.online` for how draws pick subsets and indices.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import ValidationError

from factory.config import describe_validation_error, load_build_config, validate_tasks
from factory.curriculum import DEFAULT_BAND, Curriculum, LevelPolicy, verl_feedback
from factory.errors import ConfigError
from factory.online import ProblemStream
from factory.publish.export import TRL_SCHEMA, VERL_SCHEMA, trl_row, verl_row
from factory.stages import reference_trace as reference_trace  # re-exported
from generators.registry import get_task, task_names
from schemas.config import DEFAULT_SPLIT, BuildConfig, TaskSpec
from schemas.records import Problem, Verdict

API_BUILD = "api"
VIRTUAL_SIZE = 10**9
"""What the verl dataset reports as its length: a sampler never reaches the end."""
ROWS = {"trl": (trl_row, TRL_SCHEMA), "verl": (verl_row, VERL_SCHEMA)}


class Component(NamedTuple):
    """One mixture entry: a task with its weight, levels (round-robin) and knob overrides.
    (A NamedTuple, not a dataclass: verl loads this file by path, outside ``sys.modules``.)"""

    task: str
    weight: float = 1.0
    levels: Sequence[int] | None = None
    knobs: Mapping[str, Any] | None = None


def tasks() -> list[str]:
    return task_names()


def dataset(
    task: str,
    *,
    size: int | None = None,
    endless: bool = False,
    level: int | None = None,
    levels: Sequence[int] | None = None,
    knobs: Mapping[str, Any] | None = None,
    seed: int = 0,
    dedup: bool = True,
    workers: int = 0,
) -> ProblemSource:
    """One task's problems: ``size`` of them, or endless ones."""
    chosen = [level] if level is not None else levels
    component = Component(task, 1.0, chosen, knobs)
    return mixture(
        {task: component}, size=size, endless=endless, seed=seed, dedup=dedup, workers=workers
    )


def mixture(
    weights: Mapping[str, float | Component],
    *,
    size: int | None = None,
    endless: bool = False,
    seed: int = 0,
    levels: Sequence[int] | None = None,
    dedup: bool = True,
    workers: int = 0,
) -> ProblemSource:
    """Tasks drawn by weight. Keys name subsets; a number is the weight of the task of
    that name (at ``levels``), a :class:`Component` says task, weight, levels and knobs."""
    if not weights:
        raise ConfigError("mixture: name at least one task")
    components = {
        name: c if isinstance(c, Component) else Component(name, c, levels)
        for name, c in weights.items()
    }
    specs = [_spec(name, c) for name, c in components.items()]
    try:
        config = BuildConfig(name=API_BUILD, seed=seed, dedup=dedup, tasks=specs)
    except ValidationError as error:
        raise ConfigError(f"mixture: {describe_validation_error(error)}") from None
    _validate(config)
    weights = {name: c.weight for name, c in components.items()}
    return ProblemSource(config, weights, size, endless, workers)


def from_config(
    config: BuildConfig | str | Path,
    *,
    size: int | None = None,
    endless: bool = False,
    workers: int = 0,
) -> ProblemSource:
    """A build config's subsets as a mixture weighted by their counts."""
    if not isinstance(config, BuildConfig):
        config = load_build_config(config)
    weights = {spec.subset: float(spec.count) for spec in config.tasks}
    return ProblemSource(config, weights, size, endless, workers)


def problem(
    task: str,
    index: int,
    *,
    seed: int = 0,
    level: int | None = None,
    knobs: Mapping[str, Any] | None = None,
) -> Problem:
    """Problem ``index`` of ``task`` alone: a build's problem at that index and level."""
    source = dataset(task, level=level, knobs=knobs, seed=seed, endless=True)
    return source.stream().make(task, index)


def verdict(problem: Problem, completion: str) -> Verdict:
    """The task's verifier on a completion (reasoning, then ``<answer>…</answer>``)."""
    return get_task(problem.task).verify(problem, completion)


def score(problem: Problem, completion: str) -> float:
    """The reward a trainer gets for ``completion``: the verifier's score in [0, 1]."""
    return verdict(problem, completion).score


class ProblemSource:
    """A re-iterable dataset: every ``iter()`` starts a fresh stream from draw 0, so it
    gives the same problems each time; :meth:`stream` is one live, resumable stream."""

    def __init__(
        self,
        config: BuildConfig,
        weights: Mapping[str, float],
        size: int | None,
        endless: bool,
        workers: int,
    ) -> None:
        if (size is None) == (not endless):
            raise ConfigError(f"size: give a size or endless=True (size={size!r})")
        if size is not None and size < 1:
            raise ConfigError(f"size: {size} must be at least 1")
        self.config = config
        self.weights = dict(weights)
        self.size = size
        self.workers = workers

    @property
    def subsets(self) -> list[str]:
        return [spec.subset for spec in self.config.tasks]

    def stream(self, levels: LevelPolicy | None = None) -> ProblemStream:
        """An endless live stream (``size`` does not bound it), its levels set by
        ``levels`` (a curriculum or schedule) when given."""
        dedup = self.config.dedup
        return ProblemStream(
            self.config, self.weights, dedup=dedup, levels=levels, workers=self.workers
        )

    def curriculum(self, **settings: Any) -> Curriculum:
        """A :class:`Curriculum` over this source's subsets, each between the lowest and
        highest of its levels (1..10 when it names none)."""
        bounds = {
            spec.subset: (min(spec.levels), max(spec.levels)) if spec.levels else (1, 10)
            for spec in self.config.tasks
        }
        return Curriculum(bounds, **settings)

    def __iter__(self) -> Iterator[Problem]:
        stream = self.stream()
        try:
            yield from islice(stream, self.size)
        finally:
            stream.close()

    def __len__(self) -> int:
        if self.size is None:
            raise TypeError("an endless source has no length")
        return self.size

    def to_iterable_dataset(self, format: str = "trl") -> Any:
        """A ``datasets.IterableDataset`` of trainer rows (``trl`` or ``verl``, the columns
        of ``factory export``), re-iterable like the source."""

        def generate() -> Iterator[dict[str, Any]]:
            stream = self.stream()
            try:
                yield from islice(rows(stream, format), self.size)
            finally:
                stream.close()

        return _iterable_dataset(generate, format)


def rows(stream: ProblemStream, format: str = "trl") -> Iterator[dict[str, Any]]:
    """The stream's problems as trainer rows; ``index`` (verl) is the draw number."""
    make_row = _row_format(format)[0]
    for problem in stream:
        yield make_row(stream.last_subset, problem, stream.draws - 1, DEFAULT_SPLIT)


def trainer_dataset(stream: ProblemStream, format: str = "trl") -> Any:
    """A ``datasets.IterableDataset`` that continues ``stream`` (for
    ``GRPOTrainer(train_dataset=...)``): its state is the stream's, saved by
    :func:`factory.curriculum.trl_callback`."""
    return _iterable_dataset(lambda: rows(stream, format), format)


def _iterable_dataset(generate: Any, format: str) -> Any:
    import datasets

    features = datasets.Features.from_arrow_schema(_row_format(format)[1])
    return datasets.IterableDataset.from_generator(generate, features=features)


def _row_format(format: str) -> tuple[Any, Any]:
    if format not in ROWS:
        raise ConfigError(f"format: {format!r} is not one of {', '.join(ROWS)}")
    return ROWS[format]


def _spec(name: str, component: Component) -> TaskSpec:
    weight = component.weight
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not weight > 0:
        raise ConfigError(f"mixture.{name}.weight: {weight!r} must be a number > 0")
    if weight == float("inf"):
        raise ConfigError(f"mixture.{name}.weight: {weight!r} must be finite")
    fields = {
        "task": component.task,
        "name": name,
        "count": 1,
        "levels": list(component.levels) if component.levels is not None else None,
        "knobs": dict(component.knobs or {}),
    }
    try:
        return TaskSpec(**fields)
    except ValidationError as error:
        raise ConfigError(describe_validation_error(error, ("mixture", name))) from None


_TASK_FIELD = re.compile(r"^tasks\[(\d+)\]")


def _validate(config: BuildConfig) -> None:
    """Task names and knobs checked as a build checks them, the field named by subset."""
    try:
        validate_tasks(config)
    except ConfigError as error:

        def subset(match: re.Match[str]) -> str:
            return f"mixture.{config.tasks[int(match[1])].subset}"

        raise ConfigError(_TASK_FIELD.sub(subset, str(error))) from None


def __getattr__(name: str) -> Any:
    """``VerlDataset`` is built on first access, as a subclass of verl's ``RLHFDataset``,
    so this module imports without verl (verl looks it up with ``getattr``)."""
    if name == "VerlDataset":
        return _verl_dataset_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@cache
def _verl_dataset_class() -> type:
    from verl.utils.dataset.rl_dataset import RLHFDataset

    class VerlDataset(RLHFDataset):
        """verl's ``RLHFDataset`` over an endless stream of a build config's subsets
        (``data.train_files``), weighted by count. ``__getitem__`` ignores its index and
        serves the next draw, so the order is the stream's whatever the sampler;
        ``max_samples > 0`` (verl's ``val_max_samples``) serves a fixed list instead.
        Options under ``data.reasoning_factory``: ``curriculum`` (adaptive levels fed by
        ``on_batch_end``), ``band``, ``workers``. Its state (stream, curriculum, step)
        travels in verl's dataloader checkpoint through ``state_dict``."""

        def __init__(
            self,
            data_files: Any,
            tokenizer: Any,
            config: Any,
            processor: Any = None,
            max_samples: int = -1,
            **kwargs: Any,
        ) -> None:
            options = dict(config.get("reasoning_factory") or {})
            workers = int(options.get("workers", 0))
            source = from_config(_one_config(data_files), endless=True, workers=workers)
            band = tuple(options.get("band", DEFAULT_BAND))
            self.policy = source.curriculum(band=band) if options.get("curriculum") else None
            self.stream = source.stream(self.policy)
            self.step = 0
            self._rows = rows(self.stream, "verl")
            self._fixed = list(islice(self._rows, max_samples)) if max_samples > 0 else None
            super().__init__(data_files, tokenizer, config, processor)

        def _download(self, *args: Any, **kwargs: Any) -> None:
            """``data_files`` names a build config, read by ``from_config``: no data."""

        def _read_files_and_tokenize(self) -> None:
            self.dataframe = _Frame(self._fixed, self._rows)

        def on_batch_end(self, batch: Any) -> None:
            self.step += 1
            if self.policy is not None:
                verl_feedback(self.policy, batch, self.step)

        def state_dict(self) -> dict[str, Any]:
            policy = self.policy.state_dict() if self.policy is not None else None
            return {"step": self.step, "stream": self.stream.state_dict(), "policy": policy}

        def load_state_dict(self, state: Mapping[str, Any]) -> None:
            self.step = int(state["step"])
            self.stream.load_state_dict(state["stream"])
            if self.policy is not None:
                self.policy.load_state_dict(state["policy"])

    return VerlDataset


class _Frame:
    """What ``RLHFDataset.__getitem__`` indexes: a fixed list, or the next stream row."""

    def __init__(self, fixed: list[dict[str, Any]] | None, stream: Iterator[dict[str, Any]]):
        self.fixed = fixed
        self.stream = stream

    def __len__(self) -> int:
        return len(self.fixed) if self.fixed is not None else VIRTUAL_SIZE

    def __getitem__(self, item: int) -> dict[str, Any]:
        return dict(self.fixed[item]) if self.fixed is not None else next(self.stream)


def _one_config(data_files: Any) -> str:
    files = [data_files] if isinstance(data_files, str | Path) else list(data_files)
    if len(files) != 1:
        raise ConfigError(f"data.train_files: name one build config, not {len(files)} files")
    return str(files[0])

"""Services the workflows compose. Submodules are imported on use to keep start-up light.

Rooms: ``backends`` (model engines and servers behind one interface), ``models`` (teacher
requests, cache, annotation), ``rsd`` (reverse speculative decoding), ``scoring`` (difficulty,
verbosity, judges), ``rewrite`` (concise CoT), ``quality`` (dedup, splits, exclusion, audit),
``publish`` (versions, card, export, Hub), ``storage`` (files, Parquet, checksums). Beside them
the modules that compose them: ``stages`` (one build stage's work on a shard), ``config``,
``progress``, ``errors``, ``provenance``, and the public RL entry points ``api``, ``rewards``,
``online``, ``curriculum``. ``factory`` imports ``generators`` and ``schemas``, never
``pipelines`` or ``cli``.

The Python API (``import factory as rf; rf.dataset(...)``, see :mod:`factory.api`) and the
level policies of :mod:`factory.curriculum` are reachable from here, imported on first use.
"""

from typing import Any

__version__ = "0.1.0"

_API = {
    "factory.api": (
        "Component",
        "ProblemSource",
        "dataset",
        "from_config",
        "mixture",
        "problem",
        "reference_trace",
        "rows",
        "score",
        "tasks",
        "trainer_dataset",
        "verdict",
    ),
    "factory.curriculum": (
        "Curriculum",
        "Decision",
        "ManualSchedule",
        "recording_reward",
        "trl_callback",
        "verl_feedback",
    ),
    "factory.rewards": ("verifier_reward", "compute_score"),
}
_HOME = {name: module for module, names in _API.items() for name in names}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'factory' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(_HOME[name]), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOME])

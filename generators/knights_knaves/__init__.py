"""Knights & Knaves puzzles with a unique, proven solution (see :mod:`.task`)."""

from generators.knights_knaves.task import KnightsKnaves

__all__ = ["KnightsKnaves"]

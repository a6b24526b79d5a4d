"""ARC-style grid transformation puzzles (see :mod:`.task`)."""

from generators.synlogic.arc_agi.task import ArcAgi

__all__ = ["ArcAgi"]

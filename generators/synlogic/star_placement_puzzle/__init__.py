"""Star Battle (star placement) puzzles with a proven unique solution (see :mod:`.task`)."""

from generators.synlogic.star_placement_puzzle.task import StarPlacementPuzzle

__all__ = ["StarPlacementPuzzle"]

"""Minesweeper deduction puzzles with an exactly computed answer (see :mod:`.task`)."""

from generators.synlogic.minesweeper.task import Minesweeper

__all__ = ["Minesweeper"]

"""Sudoku (4×4, 6×6, 9×9) with uniqueness proven at generation; see ``task``."""

from generators.synlogic.sudoku.task import Sudoku

__all__ = ["Sudoku"]

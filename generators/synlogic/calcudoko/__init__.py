"""Calcudoko (KenKen) puzzles with a proven unique solution (see :mod:`.task`)."""

from generators.synlogic.calcudoko.task import Calcudoko

__all__ = ["Calcudoko"]

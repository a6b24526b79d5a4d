"""Norinori puzzles checked by their rules (see :mod:`.task`)."""

from generators.synlogic.norinori.task import Norinori

__all__ = ["Norinori"]

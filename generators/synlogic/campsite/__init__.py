"""Tents and Trees (campsite) puzzles with a proven unique tent placement (see :mod:`.task`)."""

from generators.synlogic.campsite.task import Campsite

__all__ = ["Campsite"]

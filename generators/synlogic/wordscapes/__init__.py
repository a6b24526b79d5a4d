"""Wordscapes: fill a small crossword from a word bank (see :mod:`.task`)."""

from generators.synlogic.wordscapes.task import Wordscapes

__all__ = ["Wordscapes"]

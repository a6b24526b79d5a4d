"""Zebra (Einstein) puzzles with a unique, proven solution (see :mod:`.task`)."""

from generators.synlogic.zebra_puzzle.task import ZebraPuzzle

__all__ = ["ZebraPuzzle"]

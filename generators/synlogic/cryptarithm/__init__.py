"""Cryptarithms with a unique, proven solution (see :mod:`.task`)."""

from generators.synlogic.cryptarithm.task import Cryptarithm

__all__ = ["Cryptarithm"]

"""Game of 24, generalised: n numbers, any target, exact arithmetic (see :mod:`.task`)."""

from generators.synlogic.game_of_24.task import GameOf24

__all__ = ["GameOf24"]

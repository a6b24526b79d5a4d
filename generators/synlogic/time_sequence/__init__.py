"""Meeting scheduling: the earliest start that fits every calendar and rule (see :mod:`.task`)."""

from generators.synlogic.time_sequence.clock import clock, parse_time
from generators.synlogic.time_sequence.task import TimeSequence

__all__ = ["TimeSequence", "clock", "parse_time"]

"""Buggy tables: repair a small table's stated bugs, then compute a statistic (:mod:`.task`)."""

from generators.synlogic.buggy_tables.task import BuggyTables

__all__ = ["BuggyTables"]

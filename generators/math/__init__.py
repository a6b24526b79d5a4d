"""Symbolic-math tasks with exact answers: one module per task, answers checked by the
safe parser in :mod:`generators.math.answers`."""

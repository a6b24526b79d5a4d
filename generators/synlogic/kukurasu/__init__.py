"""Kukurasu: blacken cells so that weighted row and column sums meet their clues.

A black cell in column j (1-based) adds j to its row's sum; a black cell in row i adds i
to its column's sum. Each row (column) keeps the list of column (row) subsets, as bitmasks,
that reach its clue and agree with the cells decided so far; a cell every subset blackens
is black, a cell none blackens is white. Search branches on the line with fewest subsets
left. Generation draws a random grid, keeps it if the solver proves it the only one with
its clues, then hides clues (at higher levels) while uniqueness survives. ``effort`` is
the number of line subsets ruled out over the whole search plus the guesses made.
"""

from generators.synlogic.kukurasu.task import Kukurasu

__all__ = ["Kukurasu"]

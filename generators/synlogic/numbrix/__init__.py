"""Numbrix: fill an n×n grid with 1..n² so that consecutive numbers are orthogonal neighbours.

Generation draws a random Hamiltonian path (backbite moves from a serpentine path), keeps a
random share of its numbers as givens, then proves uniqueness with :class:`PathSearch`:
while the search finds a second solution, the true number of one cell where the two
solutions differ becomes a given (a search over its node budget adds a random given
instead), so every published puzzle has exactly one solution.

1 and n² are always given. The search extends the chain from 1 upward, one number at a
time, each next to the previous one. It prunes a cell that cannot reach the next given in
time (Manhattan distance larger than the difference of numbers) and any empty cell left
with too few usable neighbours (a cell needs two, one if it may hold 1 or n²).
"""

from generators.synlogic.numbrix.task import Numbrix

__all__ = ["Numbrix"]

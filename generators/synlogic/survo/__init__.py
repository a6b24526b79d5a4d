"""Survo: place 1..R*C once each in an R x C grid so that rows and columns hit their sums.

The solver (:mod:`.solver`) fills one empty cell at a time. A number fits a cell when
both its lines stay reachable: a line with ``k`` empty cells still needing ``S`` must have
``S`` between the sums of the ``k`` smallest and the ``k`` largest unused numbers; lines
with two or three empty cells keep only numbers that complete them exactly. A number that
fits one cell only is placed there; otherwise the cell with the fewest candidates is
branched on. ``effort`` counts the numbers placed over the whole search, refuted branches
included.

Generation scrambles 1..R*C into a grid, gives every cell and then blanks cells in random
order while the puzzle stays unique. Blanking a cell of a unique puzzle keeps it unique
exactly when no solution puts a different value there (any other solution would agree
with the old, unique puzzle otherwise), so each check is one small restricted search,
and a blank that links two lines not yet linked by blanks needs none: the sums force it.
"""

from generators.synlogic.survo.task import Survo

__all__ = ["Survo"]

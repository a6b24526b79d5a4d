"""Arrow Maze: fill every empty cell with an arrow so that the numbers count their rays.

Rules (as the prompt states them; the ray reading of SynLogic's arrow maze, in our own
words): an R×C grid has numbered cells and empty cells (and, where the generator had to
show them, some pre-drawn arrows). Every empty cell gets one of 8 arrows (↑ ↓ ← → ↖ ↗ ↙ ↘;
U D L R UL UR DL DR accepted). A number sends straight rays out in any of the 8
directions: a ray is a run of consecutive cells, starting next to the number, all holding
the arrow of that direction (pointing away from the number). Every arrow lies on exactly
one ray, and the rays of a number N hold N arrows in total (0 is possible).

Generation seeds numbers at random, covers the other cells by growing random rays (a cell
no ray can reach becomes a number), sets each number to its ray total, and shows arrows
where a second solution differs until the solution is unique (proven by
``solver.RaySearch``).
"""

from generators.synlogic.arrow_maze.task import ArrowMaze

__all__ = ["ArrowMaze"]

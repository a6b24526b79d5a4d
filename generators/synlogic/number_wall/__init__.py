"""Number Wall (Nurikabe-like): shade cells so numbers lie in islands of their size.

Rules: every number lies in an unshaded island of exactly that many cells holding exactly
one number; every unshaded cell belongs to a numbered island; the wall (shaded cells) is
one orthogonally connected region with no 2×2 block. Layouts are drawn at random
(``layout``) and proven unique by an island-placement search (``solver``).
"""

from generators.synlogic.number_wall.task import NumberWall

__all__ = ["NumberWall"]

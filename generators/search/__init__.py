"""Search over task environments (MCTS, DFS, BFS) for search-trace generation.

``env`` defines the :class:`Environment` contract; ``countdown``, ``knights_knaves``,
``sudoku`` and ``nlsat`` wrap our own generated problems; ``engines`` runs the searches
and records the explored tree and the events in the order the search made them.
"""

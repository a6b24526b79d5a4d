"""Graph-reasoning tasks: paths, trees, flows, matchings, orders, colourings, kinship.

Each task lives in its own module (``generators.graphs.<task>``); the shared parts are
graph sampling (:mod:`.sampling`), node names (:mod:`.names`), text rendering
(:mod:`.render`), answer parsing (:mod:`.answers`) and the common task base (:mod:`.task`).
"""

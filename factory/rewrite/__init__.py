"""Concise rewriting of long reasoning traces.

``rule_cut`` cuts a trace after its first (or second) correct answer without any model
(the answers in a trace come from :mod:`factory.scoring.answers`); ``teacher_rewrite``
asks a teacher for a concise version; ``corpus`` builds long, redundant traces from our
own solvers to test and benchmark the cut on; ``inputs`` reads a user's long traces
(Parquet, JSON Lines, saved ``datasets``) through a column mapping; ``job`` verifies and
publishes. May import ``scoring``, ``models``, ``backends``, ``storage`` and the publish
re-verification, ``generators`` and ``schemas``.
"""

"""Per-problem difficulty and per-trace verbosity figures, and the LLM judges RV and CD.

Each submodule does one job and imports nothing heavy: ``difficulty`` (pass rate, CV,
buckets, normalised solver effort), ``verbosity`` (tokens, steps, hesitation markers,
overthinking), ``answers`` (the candidate final answers in a trace, the first correct one
and the external redundancy after it), ``measure`` (a trace's figures), ``select``
(graded selection), ``judge`` (OmniThought RV/CD scores through the request cache).
May import ``models``, ``backends``, ``generators`` and ``schemas``.
"""

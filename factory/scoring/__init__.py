"""Per-problem difficulty and per-trace verbosity figures, and the LLM judges RV and CD.

Each submodule does one job and imports nothing heavy: ``difficulty`` (pass rate, CV,
buckets, normalised solver effort), ``verbosity`` (tokens, steps, hesitation markers,
overthinking), ``judge`` (OmniThought RV/CD scores through the request cache).
"""

"""Concise rewriting of long reasoning traces.

``answers`` finds candidate final answers in a trace and the first correct one (and the
external redundancy after it); ``rule_cut`` cuts a trace after its first (or second)
correct answer without any model; ``corpus`` builds long, redundant traces from our own
solvers to test and benchmark the cut on; ``inputs`` reads a user's long traces
(Parquet, JSON Lines, saved ``datasets``) through a column mapping.
"""

"""What a dataset may hold: dataset-wide dedup and splits, exclusion and decontamination, the
answer-space audit. May import ``factory.storage``, ``generators`` and ``schemas``."""

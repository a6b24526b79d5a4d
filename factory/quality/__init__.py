"""What a dataset may hold: dataset-wide dedup and splits, exclusion and decontamination, the
answer-space audit. May import ``factory.storage``, ``generators`` and ``schemas``; it reads
published versions (to exclude them, to audit one) through ``factory.publish`` inside the
functions that do, since publishing runs the audit."""

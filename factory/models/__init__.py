"""Teacher requests: prompts to requests, the on-disk request cache, models loaded once per
process, and annotation of a shard. May import ``factory.backends``, ``factory.storage``,
``generators`` and ``schemas``."""

"""Publishing: assemble rows, re-verify, write a version atomically, its card, figures and
manifest; read versions back (inspect, diff, check, lookup), export them, push them to the Hub.
The top room of ``factory/``: may import every other room, ``generators`` and ``schemas``."""

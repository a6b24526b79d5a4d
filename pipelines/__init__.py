"""Luigi tasks and workflows: wiring only, the work lives in ``factory`` and ``generators``."""

"""The ``factory`` command line: argument parsing and one-line errors over ``pipelines/`` and
``factory/``. Top layer: it may import every other package; nothing imports it."""

"""Optional C kernels (the project's metadata is in pyproject.toml).

Each extension is ``optional``: where it does not compile (no compiler, no Python headers)
the install still succeeds and the modules fall back to their pure-Python searches, which
stay the reference; ``FACTORY_REQUIRE_NATIVE=1`` makes the tests insist that they loaded.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "generators.synlogic.cryptarithm._linear",
            ["generators/synlogic/cryptarithm/_linear.c"],
            optional=True,
        ),
        Extension(
            "generators._radix",
            ["generators/_radix.c"],
            optional=True,
        ),
        Extension(
            "generators.graphs._paths",
            ["generators/graphs/_paths.c"],
            optional=True,
        ),
        Extension(
            "generators.graphs._family",
            ["generators/graphs/_family.c"],
            optional=True,
        ),
        Extension(
            "generators.synlogic.survo._count",
            ["generators/synlogic/survo/_count.c"],
            optional=True,
        ),
    ]
)

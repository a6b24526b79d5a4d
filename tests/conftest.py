import os

import pytest

# Shared test helpers assert too: give them pytest's detailed failure messages.
pytest.register_assert_rewrite(
    "tests.contract",
    "tests.synlogic_helpers_latin",
    "tests.synlogic_helpers_paths",
    "tests.synlogic_helpers_placement",
)

from generators.registry import register  # noqa: E402

os.environ.setdefault("HF_HUB_OFFLINE", "1")

register("toy_sum", "tests.toy_tasks:ToySum")
register("toy_broken", "tests.toy_tasks:ToyBroken")
register("toy_tiny", "tests.toy_tasks:ToyTiny")


@pytest.fixture
def out_root(tmp_path):
    return tmp_path / "out"


pytest_plugins = ["tests.model_fixtures"]


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "models: needs real model engines (vLLM, transformers); -m 'not models' skips"
    )

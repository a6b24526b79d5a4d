import os

import pytest

from generators.registry import register

os.environ.setdefault("HF_HUB_OFFLINE", "1")

register("toy_sum", "tests.toy_tasks:ToySum")
register("toy_broken", "tests.toy_tasks:ToyBroken")


@pytest.fixture
def out_root(tmp_path):
    return tmp_path / "out"

"""Which model names are paths, and that a missing model directory is named."""

from __future__ import annotations

import pytest

from factory.backends.base import BackendError
from factory.backends.local_model import looks_like_path, require_model_dir


@pytest.mark.parametrize(
    ("model", "is_path"),
    [("./m", True), ("/abs/m", True), ("~/m", True), ("a/b/c", True), ("org/name", False)],
)
def test_paths_are_told_from_hub_names(model: str, is_path: bool) -> None:
    assert looks_like_path(model) is is_path


def test_a_missing_directory_is_named_and_a_present_one_passes(tmp_path) -> None:
    require_model_dir(str(tmp_path))
    require_model_dir("org/name")  # a hub name: left to the loader
    with pytest.raises(BackendError, match="gone: no such model directory"):
        require_model_dir(str(tmp_path / "gone"))
    with pytest.raises(BackendError, match="no such model directory"):
        require_model_dir("org/name", always=True)

"""``inner_join`` gives the rows and columns of Arrow's own inner join."""

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from factory.publish.assemble import inner_join

keys = st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), max_size=8)


def _sorted_rows(table: pa.Table) -> list[tuple]:
    return sorted(tuple(row.values()) for row in table.to_pylist())


@given(keys, keys)
def test_inner_join_matches_arrow(left_keys: list[str], right_keys: list[str]) -> None:
    left = pa.table(
        {"id": left_keys, "text": [f"left {i}" for i in range(len(left_keys))]},
        schema=pa.schema([("id", pa.string()), ("text", pa.string())]),
    )
    right = pa.table(
        {"n": list(range(len(right_keys))), "id": right_keys, "note": ["x"] * len(right_keys)},
        schema=pa.schema([("n", pa.int64()), ("id", pa.string()), ("note", pa.string())]),
    )
    ours = inner_join(left, right, "id")
    arrows = left.join(right, "id", join_type="inner")
    assert ours.column_names == ["id", "text", "n", "note"]
    assert _sorted_rows(ours) == _sorted_rows(arrows.select(ours.column_names))

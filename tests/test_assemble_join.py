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


@given(st.permutations(["a", "b", "c", "d", "e"]), st.booleans())
def test_inner_join_of_distinct_keys_aligned_or_not_matches_arrow(order, aligned) -> None:
    left = pa.table({"id": ["a", "b", "c", "d", "e"], "text": ["1", "2", "3", "4", "5"]})
    right_keys = ["a", "b", "c", "d", "e"] if aligned else order
    right = pa.table({"id": right_keys, "note": [f"note {k}" for k in right_keys]})
    ours = inner_join(left, right, "id")
    assert ours.column_names == ["id", "text", "note"]
    assert _sorted_rows(ours) == _sorted_rows(left.join(right, "id").select(ours.column_names))
    assert all(row["note"] == f"note {row['id']}" for row in ours.to_pylist())


def test_equal_key_columns_with_repeats_still_join_every_pair() -> None:
    left = pa.table({"id": ["a", "a", "b"], "x": [1, 2, 3]})
    right = pa.table({"id": ["a", "a", "b"], "y": [4, 5, 6]})
    ours = inner_join(left, right, "id")
    assert ours.num_rows == 5
    assert _sorted_rows(ours) == _sorted_rows(left.join(right, "id").select(ours.column_names))

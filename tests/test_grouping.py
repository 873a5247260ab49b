"""join_groups: the vectorised "a; b" join must equal the plain groupby join."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_series_equal

from loaders.grouping import join_groups


def test_joins_in_order_of_appearance_with_one_or_more_keys():
    values = pd.Series(["a", "b", "c", "d", "e"], dtype="str", name="v")
    keys = pd.Series([2, 2, 1, 3, 3], name="g")
    assert_series_equal(
        join_groups(values, keys),
        pd.Series(["a; b", "c", "d; e"], index=pd.Index([2, 1, 3], name="g"), dtype="str", name="v"),
    )
    two = join_groups(values, [keys, pd.Series(["x", "y", "x", "x", "x"], name="h")])
    assert two.to_dict() == {(2, "x"): "a", (2, "y"): "b", (1, "x"): "c", (3, "x"): "d; e"}


def test_keys_given_as_a_frame_group_as_the_same_keys_given_as_a_list():
    values = pd.Series(["a", "b", "c"], dtype="str")
    keys = pd.DataFrame({"g": [1, 1, 2], "h": ["x", "x", "x"]}, index=[7, 8, 9])  # its own index is not used
    assert join_groups(values, keys).to_dict() == {(1, "x"): "a; b", (2, "x"): "c"}


def test_empty_input_gives_an_empty_result():
    result = join_groups(pd.Series([], dtype="str"), pd.Series([], name="g", dtype="int64"))
    assert result.empty and result.index.name == "g"


def test_empty_input_with_two_keys_gives_an_empty_result_indexed_by_both():
    keys = pd.DataFrame({"g": pd.Series([], dtype="int64"), "h": pd.Series([], dtype="str")})
    result = join_groups(pd.Series([], dtype="str", name="v"), keys)
    assert result.empty and result.name == "v" and result.dtype == "str"
    assert isinstance(result.index, pd.MultiIndex) and list(result.index.names) == ["g", "h"]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.text(min_size=1, max_size=5)), min_size=1, max_size=60))
def test_equals_groupby_join(rows):
    keys = pd.Series([k for k, _ in rows], name="g")
    values = pd.Series([v for _, v in rows], dtype="str")
    expected = values.groupby(keys.to_numpy(), sort=False).agg("; ".join)
    result = join_groups(values, keys)
    assert result.to_dict() == expected.to_dict()

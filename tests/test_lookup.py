"""loaders.lookup.isin must answer exactly what Series.isin answers, only faster on string columns."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_series_equal

from loaders.lookup import isin

KEYS = st.one_of(st.none(), st.sampled_from(["IDN-001", "IDN-002", "THA-001", "", " x "]), st.text(max_size=4))


@settings(max_examples=100, deadline=None)
@given(st.lists(KEYS, max_size=30), st.lists(KEYS, max_size=30))
def test_equals_series_isin_on_str_columns(values, among):
    series = pd.Series(values, dtype="str", name="action_key")
    expected = series.isin(among)
    assert_series_equal(isin(series, among), expected)
    assert_series_equal(isin(series, pd.Series(among, dtype="str")), expected)


def test_keeps_the_index_and_handles_other_dtypes():
    series = pd.Series([1, 2, 3], index=[10, 20, 30])
    assert_series_equal(isin(series, [2, 5]), pd.Series([False, True, False], index=[10, 20, 30]))
    assert isin(pd.Series(["1"], dtype="str"), [1]).tolist() == [False]  # no cross-type matches, as in isin
    assert isin(pd.Series([], dtype="str"), []).tolist() == []
    # A list is looked up as Python objects, as isin does: True equals 1 (a typed int index would not match it).
    flags = pd.Series([True, False])
    assert_series_equal(isin(flags, [1]), flags.isin([1]))

"""Join the texts of many small groups into one "a; b; c" string per group, vectorised.

``groupby(...).agg("; ".join)`` calls Python once per group; with 100,000 actions
that is most of a page's time. Groups here are small (a few commitments or
mechanisms each), so the values are laid out as columns by their position in
the group and concatenated column by column with array operations instead.
"""

from __future__ import annotations

import pandas as pd

SEPARATOR = "; "


def join_groups(values: pd.Series, keys: pd.Series | pd.DataFrame | list[pd.Series], sep: str = SEPARATOR) -> pd.Series:
    """Concatenate ``values`` within each group of ``keys``, keeping the order they come in.

    Args:
        values: text values, one per row.
        keys: the group of each row: a Series, a list of Series or a DataFrame
            (aligned with ``values``).
        sep: the separator between values.

    Returns:
        A str Series indexed by the group keys (a MultiIndex for several keys),
        in the order groups first appear.
    """
    key_frame = (
        keys
        if isinstance(keys, pd.DataFrame)
        else pd.concat([keys] if isinstance(keys, pd.Series) else list(keys), axis=1)
    )
    key_frame = key_frame.reset_index(drop=True)
    names = list(key_frame.columns)
    if key_frame.empty:
        # A Series passed to pd.Index gives it its name.
        index = pd.MultiIndex.from_frame(key_frame) if len(names) > 1 else pd.Index(key_frame[names[0]])
        return pd.Series(index=index, name=values.name, dtype="str")
    frame = key_frame.assign(_value=values.astype("str").to_numpy())
    grouped = frame.groupby(names, sort=False)
    frame["_position"] = grouped.cumcount()
    frame["_group"] = grouped.ngroup()
    wide = frame.pivot(index="_group", columns="_position", values="_value")
    joined = wide[0].astype("str")
    for position in wide.columns[1:]:
        column = wide[position]
        joined = joined.where(column.isna(), joined + sep + column.astype("str"))
    index_rows = frame.drop_duplicates("_group").sort_values("_group")[names]
    index = pd.MultiIndex.from_frame(index_rows) if len(names) > 1 else pd.Index(index_rows[names[0]])
    return pd.Series(joined.to_numpy(), index=index, name=values.name).astype("str")

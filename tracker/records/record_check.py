"""Read a member file back with the loader before it is written: it must load whole, as the same records.

A valid upload can still turn into a file the loader refuses: YAML aliases, or
a large CSV, expand into a YAML file over the size limit, and once written every
action of that member would vanish from the dashboard. So the bytes about to be
written are read with the loader itself (whatever limits it has), validated,
and compared with the records they must hold, before anything is committed.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from loaders.catalog import Catalog
from loaders.dataset import build_dataset
from loaders.issues import Issue, error
from loaders.tables import read_member_bytes
from tracker.records.diff import comparable

CODE = "records-not-loadable"


def reload_problems(
    catalog: Catalog, member: str, data: bytes, expected: pd.DataFrame, *, file: str, today: dt.date
) -> list[Issue]:
    """Errors when ``data`` (a ``<member>.yaml`` to write) would not load as exactly ``expected``.

    Args:
        catalog: the catalog the records are validated against.
        member: the member whose file it is.
        data: the file's bytes.
        expected: the validated actions the file must hold, in file order.
        file: the name of the file the records came from, for the message.
        today: the date the records are validated at.

    Returns:
        One ``records-not-loadable`` error naming the cause, or an empty list.
    """
    name = f"{member}.yaml"
    size = f"{len(data) / 1_048_576:.1f} MB"
    raw = read_member_bytes(name, data)
    checked = build_dataset(catalog, [raw], today=today)
    refused = [i for i in checked.issues if i.file == name and i.severity == "error"]
    if refused:
        first = refused[0]
        return [
            error(
                CODE,
                file,
                f"{file}: applied, it would be saved as {name} ({size}), which the app could not read back "
                f"({first.code}: {first.message}), so every action of {member} would disappear from the "
                "dashboard; nothing was written. Remove what makes it large: long or repeated values and "
                "unknown columns are written out in full",
            )
        ]
    if _rows(expected) != _rows(checked.actions):
        return [
            error(
                CODE,
                file,
                f"{file}: saved as {name}, its records would not read back as they are ({len(expected)} "
                f"action(s) sent, {len(checked.actions)} read back), so nothing was written. Please report "
                "this file to the administrators",
            )
        ]
    return []


def _rows(actions: pd.DataFrame) -> list[tuple[str, ...]]:
    """The records as comparable text rows, with their ids, in a fixed order (new rows keep theirs)."""
    ordered = actions.sort_values("action_id", kind="stable", na_position="last")
    table = comparable(ordered)
    return [(str(i), *row) for i, row in zip(table.index, table.itertuples(index=False), strict=True)]

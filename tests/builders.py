"""Build tiny, fully validated data sets in tests, row by row.

Rows go through the real loader (``build_dataset``), so a test's data set is
exactly what the app would get from files with those rows.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
import pytest

from loaders.catalog import Catalog
from loaders.dataset import Dataset, build_dataset
from loaders.fields import FIELD_NAMES
from loaders.tables import RawFile
from tests.make_fixtures import TODAY


def action(member: str, number: int, commitments: str, status: str, **fields: Any) -> dict[str, Any]:
    """One action row with sensible defaults for the required fields."""
    row: dict[str, Any] = {
        "action_id": f"{member}-{number:03d}",
        "member": member,
        "commitments": commitments,
        "title": f"Action {number} of {member}",
        "status": status,
        "last_updated": dt.date(2026, 6, 1),
    }
    if status == "complete":
        row["evidence"] = f"https://example.org/{member}-{number}"
    row.update(fields)
    return row


def dataset_of(catalog: Catalog, rows: Iterable[Mapping[str, Any]], *, today: dt.date = TODAY) -> Dataset:
    """A Dataset holding ``rows``, one RawFile per member, validated by the real loader."""
    by_member: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        by_member.setdefault(str(row["member"]), []).append(row)
    raws = []
    for member, member_rows in by_member.items():
        records = [
            {**{f: r.get(f) for f in FIELD_NAMES}, "_row": i + 2, "_extra": None} for i, r in enumerate(member_rows)
        ]
        frame = pd.DataFrame.from_records(records, columns=[*FIELD_NAMES, "_row", "_extra"]).astype(object)
        raws.append(RawFile(file=f"{member}.xlsx", member=member, sheet="Actions", rows=frame))
    dataset = build_dataset(catalog, raws, today=today)
    errors = [i.message for i in dataset.issues if i.severity == "error" and i.file.endswith(".xlsx")]
    assert not errors, errors  # a builder row that fails validation is a broken test
    return dataset


def require_program(name: str) -> str:
    """The path of a system program a test needs; fails (never skips) when it is missing.

    ``make install-dev`` installs every one (scripts/ensure_system_tools.sh), so a missing program is a
    broken set-up to fix, not a test to skip.
    """
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed; run `make install-dev` (scripts/ensure_system_tools.sh)")
    return found

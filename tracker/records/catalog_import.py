"""What importing an official framework matrix would change: entries added, retitled, removed; actions re-pointed.

An import replaces one framework's entries in the catalog with a matrix's rows (:mod:`loaders.matrix`). An id
that the matrix no longer has is *removed*; an action that cites it would lose that commitment, so the import is
refused while any action (confidential ones included: the import is an admin's act) cites a removed id that the
remap table (``MAP.csv``: ``old_id,new_id``) does not send to an id of the new matrix. With a remap, those actions
are re-pointed to the new id. This module only plans: it writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from loaders.catalog import Catalog
from loaders.csv_text import read_csv_grid
from loaders.dataset import Dataset
from loaders.fields import find_columns, fold
from loaders.issues import Issue, error, has_errors, place
from loaders.matrix import Matrix

REMAP_COLUMNS = ("old_id", "new_id")


@dataclass(frozen=True)
class Retitled:
    """An entry kept under its id whose official title or summary differs from the catalog's."""

    id: str
    old_title: str
    new_title: str


@dataclass(frozen=True)
class ImportPlan:
    """The changes an import would make, and what stops it."""

    framework: str
    added: list[str]
    retitled: list[Retitled]
    removed: list[str]
    remap: dict[str, str]
    repointed: dict[str, int] = field(default_factory=dict)
    """Member id -> how many of its actions cite a remapped id (their commitments are rewritten)."""
    issues: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the import may go ahead."""
        return not has_errors(self.issues)

    @property
    def changes_anything(self) -> bool:
        """False when the matrix matches the catalog already."""
        return bool(self.added or self.retitled or self.removed)


def read_remap(name: str, data: bytes) -> tuple[dict[str, str], list[Issue]]:
    """The remap table (a CSV with the columns ``old_id`` and ``new_id``), or the issues that refuse it."""
    grid = read_csv_grid(name, data)
    if isinstance(grid, Issue):
        return {}, [grid]
    aliases = {fold(column): column for column in REMAP_COLUMNS}
    header, columns = find_columns(
        grid, lambda cell: aliases.get(fold(cell)) if isinstance(cell, str) else None, REMAP_COLUMNS
    )
    if header is None:
        return {}, [
            error(
                "remap-missing-column",
                name,
                f"{name}: the remap table needs a header row with the columns "
                "old_id and new_id (one old id and the id that replaces it per row)",
            )
        ]
    remap: dict[str, str] = {}
    issues: list[Issue] = []
    by_column = {column: col for col, column in columns.items()}
    for index in range(header + 1, len(grid)):
        cells = grid[index]
        old, new = (str(cells[by_column[c]]).strip() if by_column[c] < len(cells) else "" for c in REMAP_COLUMNS)
        if not old and not new:
            continue
        at = place(name, row=index + 1)
        if not old or not new:
            missing = "old_id" if not old else "new_id"
            issues.append(
                error(
                    "remap-missing-value", name, f"{at}, {missing}: empty; give both ids", row=index + 1, field=missing
                )
            )
        elif old in remap:
            issues.append(
                error(
                    "remap-duplicate-id",
                    name,
                    f"{at}, old_id: '{old}' is remapped twice; keep one row",
                    row=index + 1,
                    field="old_id",
                )
            )
        else:
            remap[old] = new
    return remap, issues


def citations(dataset: Dataset) -> pd.DataFrame:
    """(member, action_key, commitment_id) for every action on record, confidential ones included."""
    frame = dataset.action_commitments[["action_key", "commitment_id"]].copy()
    frame["member"] = frame["action_key"].map(dataset.actions.set_index("action_key")["member"])
    return frame


def plan_import(
    catalog: Catalog,
    matrix: Matrix,
    cited: pd.DataFrame,
    remap: Mapping[str, str] | None = None,
    remap_file: str = "the remap table",
) -> ImportPlan:
    """What importing ``matrix`` would change in ``catalog``.

    Args:
        catalog: the current catalog.
        matrix: a matrix read for one of its frameworks (its own issues are carried into the plan).
        cited: one row per (action, commitment) of every action on record, confidential ones included
            (:func:`citations`).
        remap: old id -> new id, for ids the matrix no longer has.
        remap_file: how issues name the remap table.
    """
    framework, remap = matrix.framework, dict(remap or {})
    issues = list(matrix.issues)
    if framework not in catalog.frameworks:
        known = ", ".join(sorted(catalog.frameworks))
        issues.append(
            error(
                "import-unknown-framework",
                matrix.file,
                f"{matrix.file}: '{framework}' is not a framework of the catalog; use one of {known}",
            )
        )
        return ImportPlan(framework, [], [], [], remap, issues=issues)
    current = {c.id: c for c in catalog.commitments_of(framework)}
    new = {r.id: r for r in matrix.rows}
    added = [i for i in new if i not in current]
    removed = [i for i in current if i not in new]
    retitled = [
        Retitled(i, current[i].title, new[i].title)
        for i in new
        if i in current
        and (current[i].title, current[i].summary) != (new[i].title, new[i].summary or current[i].summary)
    ]
    for old, target in remap.items():
        if old not in removed:
            issues.append(
                error(
                    "remap-not-removed",
                    remap_file,
                    f"{remap_file}: '{old}' is not an id this import removes; only removed ids are remapped",
                    field="old_id",
                )
            )
        elif target not in new:
            issues.append(
                error(
                    "remap-unknown-target",
                    remap_file,
                    f"{remap_file}: '{old}' is remapped to "
                    f"'{target}', which is not in the matrix; remap it to one of the matrix's ids",
                    field="new_id",
                )
            )
    citing = cited[cited["commitment_id"].isin(removed)] if matrix.ok else cited.iloc[0:0]
    for old, group in citing.groupby("commitment_id", sort=True):
        if old not in remap:
            members, count = ", ".join(sorted(group["member"].unique())), group["action_key"].nunique()
            issues.append(
                error(
                    "import-removes-cited-id",
                    matrix.file,
                    f"{matrix.file}: the matrix has no '{old}', which {count} action(s) still cite "
                    f"(members {members}); add a row '{old},<new id>' to {remap_file} so they are re-pointed, "
                    "or keep the id in the matrix",
                    field="id",
                )
            )
    remapped = citing[citing["commitment_id"].isin(remap)]
    repointed = {str(m): int(n) for m, n in remapped.groupby("member", sort=True)["action_key"].nunique().items()}
    return ImportPlan(framework, added, retitled, removed, remap, repointed, issues)

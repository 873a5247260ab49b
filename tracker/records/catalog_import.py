"""What importing an official framework matrix would change: entries added, retitled, removed; actions re-pointed.

An import replaces one framework's entries in the catalog with a matrix's rows (:mod:`loaders.matrix`). An id
that the matrix no longer has is *removed*; an action that cites it would lose that commitment, so the import is
refused while any action (confidential ones included: the import is an admin's act) cites a removed id that the
remap table (``MAP.csv``: ``old_id,new_id``) does not send to an id of the new matrix. With a remap, those actions
are re-pointed to the new id. This module plans and renders the new text; the store writes it
(:meth:`tracker.records.store.Store.import_catalog`, through :mod:`tracker.records.catalog_journal`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from loaders.catalog import Catalog
from loaders.catalog_schema import Commitment
from loaders.csv_text import read_csv_grid
from loaders.dataset import Dataset
from loaders.fields import by_label, find_columns, fold
from loaders.issues import Issue, Text, error, has_errors, place_text, say
from loaders.matrix import Matrix, MatrixRow
from tracker.records.catalog_text import append_entry, remove_entries, render_entries, replace_entries, repoint_keys

REMAP_COLUMNS = ("old_id", "new_id")
REMAP_TABLE = "the remap table"
"""How messages name the remap table when it has no file name (none was given)."""


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
    header, columns = find_columns(grid, by_label(aliases), REMAP_COLUMNS)
    if header is None:
        return {}, [
            error(
                "remap-missing-column",
                name,
                say(
                    "{file}: the remap table needs a header row with the columns old_id and new_id (one old id and "
                    "the id that replaces it per row)",
                    file=name,
                ),
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
        at = place_text(name, row=index + 1)
        if not old or not new:
            missing = "old_id" if not old else "new_id"
            issues.append(
                error(
                    "remap-missing-value",
                    name,
                    say("{where}, {column}: empty; give both ids", where=at, column=missing),
                    row=index + 1,
                    field=missing,
                )
            )
        elif old in remap:
            issues.append(
                error(
                    "remap-duplicate-id",
                    name,
                    say("{where}, old_id: '{old}' is remapped twice; keep one row", where=at, old=old),
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
    remap_file: str = REMAP_TABLE,
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
    remap_name = _remap_name(remap_file)
    issues = list(matrix.issues)
    if framework not in catalog.frameworks:
        known = ", ".join(sorted(catalog.frameworks))
        issues.append(
            error(
                "import-unknown-framework",
                matrix.file,
                say(
                    "{file}: '{framework}' is not a framework of the catalog; use one of {known}",
                    file=matrix.file,
                    framework=framework,
                    known=known,
                ),
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
                    say(
                        "{file}: '{old}' is not an id this import removes; only removed ids are remapped",
                        file=remap_name,
                        old=old,
                    ),
                    field="old_id",
                )
            )
        elif target not in new:
            issues.append(
                error(
                    "remap-unknown-target",
                    remap_file,
                    say(
                        "{file}: '{old}' is remapped to '{target}', which is not in the matrix; remap it to one of "
                        "the matrix's ids",
                        file=remap_name,
                        old=old,
                        target=target,
                    ),
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
                    say(
                        "{file}: the matrix has no '{old}', which {count} action(s) still cite (members {members}); "
                        "add a row '{old},<new id>' to {remap} so they are re-pointed, or keep the id in the matrix",
                        file=matrix.file,
                        old=old,
                        count=count,
                        members=members,
                        remap=remap_name,
                    ),
                    field="id",
                )
            )
    remapped = citing[citing["commitment_id"].isin(remap)]
    repointed = {str(m): int(n) for m, n in remapped.groupby("member", sort=True)["action_key"].nunique().items()}
    return ImportPlan(framework, added, retitled, removed, remap, repointed, issues)


def _remap_name(remap_file: str) -> str | Text:
    """How a message names the remap table: its file name, or words said in the reader's language."""
    return say("the remap table") if remap_file == REMAP_TABLE else remap_file


# --- the files an import writes --------------------------------------------------------------------------------

COMMITMENTS_FILE, CROSSWALK_FILE, SOURCES_FILE = "commitments.yaml", "crosswalk.yaml", "sources.yaml"


@dataclass(frozen=True)
class CatalogEdit:
    """The catalog files an import rewrites (name -> new text), and what it did to the crosswalk."""

    files: dict[str, str]
    source_key: str
    links_repointed: int
    links_removed: list[str]


def source_key(catalog: Catalog, framework: str, today: dt.date) -> str:
    """A new key for the imported matrix as a source: ``S-IMPORT-BWP-20261130`` (``-2``, … when taken)."""
    base = f"S-IMPORT-{framework}-{today:%Y%m%d}"
    key, number = base, 1
    while key in catalog.sources:
        number += 1
        key = f"{base}-{number}"
    return key


def edit_catalog(
    catalog: Catalog,
    texts: Mapping[str, str],
    matrix: Matrix,
    plan: ImportPlan,
    *,
    by: str,
    today: dt.date,
    file_sha256: str,
) -> CatalogEdit:
    """The catalog's text after importing ``matrix`` as ``plan`` says.

    The framework's entries are replaced by the matrix's, in its order: each ``official_title: true``,
    ``placeholder: false``, confidence V, citing the matrix as a new source (a document, with its sha256); an id
    kept from the catalog keeps its themes (and its summary when the matrix gives none, which the entry's
    note says), and its working translations while its title and summary stay the same (a translation of other
    words would be wrong, so a retitled or new entry has none until a translator adds it). Crosswalk links to a
    remapped id follow it; links to an id removed without a remap are dropped and listed. Nothing else in the
    files changes, comments included.

    Args:
        catalog: the current catalog, loaded from ``texts``.
        texts: the current text of commitments.yaml, crosswalk.yaml and sources.yaml.
        matrix: the matrix (without errors).
        plan: its plan (without errors).
        by: who imports it.
        today: the import's date.
        file_sha256: the matrix file's sha256 (hex).
    """
    framework = catalog.frameworks[plan.framework]
    key = source_key(catalog, plan.framework, today)
    current = {c.id: c for c in catalog.commitments_of(plan.framework)}
    entries = [
        _entry(row, current.get(row.id), framework.top_level, plan.framework, key, matrix.file, by, today)
        for row in matrix.rows
    ]
    heading = (
        f"{'=' * 67}\n{framework.short_name}: the official matrix, imported\n"
        f"from {matrix.file} on {today.isoformat()} by {by} (python -m tracker catalog import).\n"
        f"Titles are the matrix's own (official_title: true); the source {key} names the file.\n{'=' * 67}"
    )
    commitment_lines = [c.line for c in catalog.commitments.values() if c.line]
    commitments = replace_entries(
        texts[COMMITMENTS_FILE],
        commitment_lines,
        [c.line for c in current.values() if c.line],
        render_entries(entries, heading),
    )
    link_lines = [link.line for link in catalog.links if link.line]
    crosswalk = texts[CROSSWALK_FILE]
    removed = set(plan.removed)
    dropped = [link for link in catalog.links if link.line and {link.source, link.target} & (removed - set(plan.remap))]
    repointed = [
        link
        for link in catalog.links
        if link.line and link not in dropped and {link.source, link.target} & set(plan.remap)
    ]
    for link in repointed:
        crosswalk = repoint_keys(crosswalk, link_lines, int(link.line or 0), ("source", "target"), plan.remap)
    crosswalk = remove_entries(crosswalk, link_lines, [int(link.line or 0) for link in dropped])
    source = {
        "key": key,
        "document": matrix.file,
        "title": f"Official {framework.short_name} matrix, as received by the secretariat (file {matrix.file})",
        "accessed": today,
        "note": f"Imported by {by} on {today.isoformat()}; the file's sha256 is {file_sha256}.",
    }
    sources = append_entry(texts[SOURCES_FILE], source)
    return CatalogEdit(
        {COMMITMENTS_FILE: commitments, CROSSWALK_FILE: crosswalk, SOURCES_FILE: sources},
        key,
        len(repointed),
        [f"{link.source} → {link.target}" for link in dropped],
    )


def _entry(
    row: MatrixRow,
    old: Commitment | None,
    top_level: str,
    framework: str,
    key: str,
    file: str,
    by: str,
    today: dt.date,
) -> dict[str, object]:
    note = f"Imported from the official matrix {file} (row {row.row}) on {today.isoformat()} by {by}."
    summary = row.summary
    if not summary and old is not None:
        summary = old.summary
        note += " The matrix gives no summary: the catalog's earlier own-words summary is kept, not checked against it."
    entry: dict[str, object] = {"id": row.id, "framework": framework}
    if row.parent:
        entry["parent"] = row.parent
    entry |= {
        "level": "item" if row.parent else top_level,
        "number": row.id.removeprefix(f"{framework}-"),
        "title": row.title,
        "official_title": True,
        "placeholder": False,
        "summary": summary,
    }
    if old is not None and old.translations and (old.title, old.summary) == (row.title, summary):
        entry["translations"] = {code: t.model_dump(exclude_none=True) for code, t in old.translations.items()}
    entry["source_ref"] = row.source or f"{file}, row {row.row}"
    if old is not None and old.themes:
        entry["themes"] = list(old.themes)
    return entry | {"sources": [key], "confidence": "V", "confidence_note": note}


def repoint_commitments(
    actions: pd.DataFrame, remap: Mapping[str, str]
) -> tuple[pd.DataFrame, list[tuple[str, str, str]]]:
    """The actions with every remapped commitment id replaced (each id once, order kept), and what changed.

    Returns:
        The actions, and (action_id, old, new) of each action whose ``commitments`` changed.
    """
    out = actions.copy()
    changed: list[tuple[str, str, str]] = []
    values = []
    for action_id, value in zip(out["action_id"], out["commitments"], strict=True):
        ids = [i.strip() for i in str(value).split(";") if i.strip()]
        new = "; ".join(dict.fromkeys(remap.get(i, i) for i in ids))
        if new != "; ".join(ids):
            changed.append((str(action_id), "; ".join(ids), new))
        values.append(new)
    out["commitments"] = values
    return out, changed

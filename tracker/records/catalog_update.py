"""Importing an official framework matrix, end to end: plan, render, check everything, then one crash-safe write.

:meth:`tracker.records.store.Store.import_catalog` runs this under the store's lock; ``--dry-run`` and the app's
preview run :func:`prepare_import` alone, which writes nothing. What is written must pass the same checks as
anything else the tracker writes: the new catalog loads with no issue it did not already have, every re-pointed
member file loads back as exactly the re-pointed actions under the new catalog, and the data set has no error it
did not already have. Otherwise the import is refused, with the reason, and nothing changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from loaders.catalog import Catalog, catalog_files, catalog_from_files, catalog_version
from loaders.dataset import Dataset, build_dataset, member_files
from loaders.i18n import Language
from loaders.issues import Issue, Text, error, has_errors, say
from loaders.matrix import Matrix
from loaders.tables import RawFile, read_member_bytes, read_member_file
from tracker.access import User
from tracker.records.catalog_import import (
    COMMITMENTS_FILE,
    CROSSWALK_FILE,
    REMAP_TABLE,
    SOURCES_FILE,
    CatalogEdit,
    ImportPlan,
    citations,
    edit_catalog,
    plan_import,
    repoint_commitments,
)
from tracker.records.catalog_journal import CatalogChange, MemberChange
from tracker.records.member_yaml import member_yaml
from tracker.records.record_check import reload_problems

EDITED_FILES = (COMMITMENTS_FILE, CROSSWALK_FILE, SOURCES_FILE)


@dataclass(frozen=True)
class ImportResult:
    """What an import would do or did."""

    plan: ImportPlan
    issues: list[Issue]
    edit: CatalogEdit | None = None
    change: CatalogChange | None = None
    catalog: Catalog | None = None
    """The catalog after the import (loaded from the new text)."""
    repointed: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    """Member -> (action id, old commitments, new commitments) of each re-pointed action."""
    imported: bool = False

    @property
    def ok(self) -> bool:
        """True when nothing stops the import."""
        return self.change is not None and not has_errors(self.issues)


def prepare_import(
    data_dir: Path,
    catalog_dir: Path,
    catalog: Catalog,
    matrix: Matrix,
    matrix_bytes: bytes,
    remap: dict[str, str],
    user: User,
    *,
    today: dt.date,
    change_id: str,
    at: str,
    remap_file: str = REMAP_TABLE,
) -> ImportResult:
    """Everything an import would write, checked; writes nothing.

    Args:
        data_dir: the member records to re-point.
        catalog_dir: the catalog to rewrite (``catalog`` is it, loaded).
        catalog: the current catalog.
        matrix: the matrix as read.
        matrix_bytes: its file's bytes (their sha256 is cited).
        remap: old id -> new id.
        user: who imports it (named in the catalog, the logs and the new source).
        today: the import's date.
        change_id: the id the import's log lines carry.
        at: the time they give.
        remap_file: how issues name the remap table.
    """
    raws = (
        {raw.member: raw for raw in (read_member_file(p) for p in member_files(data_dir))} if data_dir.is_dir() else {}
    )
    raws.pop(None, None)
    before = build_dataset(catalog, list(raws.values()), today=today)
    plan = plan_import(catalog, matrix, citations(before), remap, remap_file)
    if not plan.ok:
        return ImportResult(plan, plan.issues)
    current = catalog_files(catalog_dir)
    texts = {name: current[name].decode("utf-8") for name in EDITED_FILES}
    sha = hashlib.sha256(matrix_bytes).hexdigest()
    edit = edit_catalog(catalog, texts, matrix, plan, by=user.label, today=today, file_sha256=sha)
    new_files = {**current, **{n: t.encode() for n, t in edit.files.items()}}
    new_catalog, problems = _checked_catalog(catalog, new_files, matrix.file)
    if problems:
        return ImportResult(plan, problems, edit)
    members, repointed, issues = [], {}, []
    for member in sorted(plan.repointed):
        raw = raws[member]
        changes, moved, problems = _repoint_member(
            raw,
            before,
            new_catalog,
            plan.remap,
            today,
            header=f"{member}: commitments re-pointed by the import of {matrix.file} by {user.label} ({change_id}).",
            base={
                "change_id": change_id,
                "at": at,
                "by": user.label,
                "member": member,
                "file": matrix.file,
            },
        )
        issues += problems
        if changes is not None:
            members.append(changes)
            repointed[member] = moved
    unchanged = [raw for member, raw in raws.items() if member not in repointed]
    rewritten = [read_member_bytes(f"{m.member}.yaml", m.data) for m in members]
    after = build_dataset(new_catalog, [*rewritten, *unchanged], today=today)
    new_errors = {i.message for i in after.errors} - {i.message for i in before.errors}
    said = {i.message: _said(i) for i in reversed(after.errors)}  # each message as its first issue says it
    issues += [
        error(
            "import-breaks-data",
            matrix.file,
            say("{file}: after the import, {problem}; nothing was written", file=matrix.file, problem=said[message]),
        )
        for message in sorted(new_errors)[:20]
    ]
    if has_errors(issues):
        return ImportResult(plan, [*plan.issues, *issues], edit, catalog=new_catalog, repointed=repointed)
    log_line = json.dumps(
        {
            "change_id": change_id,
            "at": at,
            "by": user.label,
            "kind": "catalog-import",
            "framework": plan.framework,
            "file": matrix.file,
            "file_sha256": sha,
            "added": plan.added,
            "retitled": [r.id for r in plan.retitled],
            "removed": plan.removed,
            "remap": plan.remap,
            "repointed": {m: len(moved) for m, moved in repointed.items()},
            "links_repointed": edit.links_repointed,
            "links_removed": edit.links_removed,
            "catalog_version_before": catalog_version(current),
            "catalog_version": catalog_version(new_files),
        },
        ensure_ascii=False,
    )
    changed = {name: text.encode() for name, text in edit.files.items() if text != texts[name]}
    change = CatalogChange(change_id, Path(catalog_dir), changed, members, log_line)
    return ImportResult(plan, [*plan.issues, *issues], edit, change, new_catalog, repointed)


def _checked_catalog(old: Catalog, files: dict[str, bytes], matrix_file: str) -> tuple[Catalog, list[Issue]]:
    """The catalog the new files make, and an error for each issue it has that the current one had not."""
    new = catalog_from_files(files)
    known = {(i.code, i.message) for i in old.issues}
    fresh = [i for i in new.issues if (i.code, i.message) not in known]
    return new, [
        error(
            "import-breaks-catalog",
            matrix_file,
            say(
                "{file}: imported, the catalog would have a new problem ({code}: {problem}); nothing was written. "
                "Correct the matrix or the catalog by hand first",
                file=matrix_file,
                code=i.code,
                problem=_said(i),
            ),
        )
        for i in fresh
    ]


def _said(issue: Issue) -> str | Text:
    """An issue's message as a value of another message: said in the reader's language where it can be."""
    return issue.said if issue.said is not None else issue.message


def _repoint_member(
    raw: RawFile,
    before: Dataset,
    new_catalog: Catalog,
    remap: dict[str, str],
    today: dt.date,
    *,
    header: str,
    base: dict[str, object],
) -> tuple[MemberChange | None, list[tuple[str, str, str]], list[Issue]]:
    """A member's file with its actions re-pointed, checked to load back whole under the new catalog.

    ``before`` is every member file validated against the current catalog: the member's actions and rows with
    errors are taken from it.
    """
    member = str(raw.member)
    broken = {(i.file, i.row) for i in before.errors if i.file == raw.file and i.row is not None}
    if broken:
        return (
            None,
            [],
            [
                error(
                    "import-member-has-errors",
                    raw.file,
                    say(
                        "{file}: {count} row(s) of {member}'s file have errors, and re-pointing its actions would "
                        "rewrite the file without them; fix the file (or apply a corrected one) before the import",
                        file=raw.file,
                        count=len(broken),
                        member=member,
                    ),
                )
            ],
        )
    own = before.actions[before.actions["member"] == member].reset_index(drop=True)
    actions, moved = repoint_commitments(own, remap)
    if raw.public_record is not None:
        header = f"PUBLIC RECORD\n{header}"
    data = member_yaml(member, actions, illustrative=raw.illustrative, header=header, public_record=raw.public_record)
    encoded = data.encode()
    problems = reload_problems(new_catalog, member, encoded, actions, file=raw.file, today=today)
    if problems:
        return None, [], problems
    lines = tuple(
        json.dumps(
            {**base, "kind": "changed", "action_id": action_id, "field": "commitments", "old": old, "new": new},
            ensure_ascii=False,
        )
        for action_id, old, new in moved
    )
    return MemberChange(member, encoded, lines), moved, []


def import_summary(result: ImportResult, lang: Language | None = None) -> list[str]:
    """What the import changes, one line each (the CLI prints them; the app lists them).

    In ``lang``; English when None, as the CLI prints them. Ids, titles and file names are said as they are.
    """
    plan = result.plan
    lines = [
        say("Added: {count} ({ids})", count=len(plan.added), ids=", ".join(plan.added))
        if plan.added
        else say("Added: none"),
        say("Removed: {count} ({ids})", count=len(plan.removed), ids=", ".join(plan.removed))
        if plan.removed
        else say("Removed: none"),
    ]
    lines += [
        say("Retitled: {id}: '{old}' → '{new}'", id=r.id, old=r.old_title, new=r.new_title) for r in plan.retitled
    ]
    for old, new in plan.remap.items():
        lines.append(say("Remapped: {old} → {new}", old=old, new=new))
    if result.repointed:
        counts = ", ".join(f"{member} {len(moved)}" for member, moved in sorted(result.repointed.items()))
        total = sum(len(moved) for moved in result.repointed.values())
        lines.append(say("Actions re-pointed: {total} ({counts})", total=total, counts=counts))
    if result.edit is not None:
        if result.edit.links_repointed:
            lines.append(say("Crosswalk links re-pointed: {count}", count=result.edit.links_repointed))
        if result.edit.links_removed:
            lines.append(
                say(
                    "Crosswalk links dropped (their id is removed without a remap): {links}",
                    links=", ".join(result.edit.links_removed),
                )
            )
    return [line.render(lang) for line in lines]

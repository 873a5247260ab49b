"""The store: the one code path that changes member records.

``python -m tracker apply`` and a reviewer's approval in the app both call
:meth:`Store.apply`. Under an exclusive lock (``_history/.lock``) an apply
finishes any change a crash interrupted, validates the file, compares it with
the member's current records, gives new rows ids never given before, renders
the canonical YAML file and reads it back with the loader (it must load whole,
as the same records), then hands it to the journal (:mod:`tracker.records.journal`),
which commits it and keeps the old file(s) and the history log, surviving a
crash at any instant.

A preview is computed for someone: a person who may not see a member's
confidential actions gets a diff against the records they may see, so nothing
in it tells a confidential action from one that never existed.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
from filelock import FileLock, Timeout

from loaders.catalog import Catalog
from loaders.dataset import build_dataset
from loaders.fields import fold
from loaders.issues import Issue, has_errors, warning
from loaders.matrix import Matrix
from loaders.tables import RawFile, read_member_bytes, read_member_file
from tracker import settings
from tracker.access import User, can_administer, can_review, can_see_confidential, can_submit, require
from tracker.records import durable
from tracker.records.catalog_journal import CatalogJournal
from tracker.records.catalog_update import ImportResult, prepare_import
from tracker.records.diff import Diff, diff_actions
from tracker.records.journal import HISTORY, LOG_FILE, Change, Journal, read_log
from tracker.records.member_yaml import member_yaml
from tracker.records.record_check import reload_problems

__all__ = ["HISTORY", "LOG_COLUMNS", "LOG_FILE", "ApplyResult", "Preview", "Store", "StoreBusyError"]

LOG_COLUMNS = ["change_id", "at", "by", "member", "file", "kind", "action_id", "field", "old", "new"]


@dataclass(frozen=True)
class Preview:
    """What applying a file would do, computed without writing anything."""

    member: str | None
    issues: list[Issue]
    diff: Diff | None
    actions: pd.DataFrame | None = None
    illustrative: bool = False

    @property
    def ok(self) -> bool:
        """True when the file has no error and can be applied."""
        return self.member is not None and self.diff is not None and not has_errors(self.issues)


@dataclass(frozen=True)
class ApplyResult:
    """The outcome of :meth:`Store.apply`."""

    preview: Preview
    change_id: str | None = None
    written: Path | None = None
    assigned_ids: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the records were written."""
        return self.written is not None


def sees_confidential(viewer: User, member: str) -> bool:
    """Whether ``viewer`` may see ``member``'s confidential actions: reviewers, admins, the member's focal point."""
    return can_see_confidential(viewer) or can_submit(viewer, member)


class Store:
    """Reads and writes the member records of one data directory."""

    def __init__(self, data_dir: Path, catalog: Catalog, *, lock_timeout: float = 60.0) -> None:
        self.data_dir = Path(data_dir)
        self.catalog = catalog
        self.history = self.data_dir / HISTORY
        self.journal = Journal(self.data_dir)
        self.catalog_journal = CatalogJournal(self.data_dir)
        self.lock = FileLock(str(self.history / ".lock"), timeout=lock_timeout)
        self.lock_timeout = lock_timeout

    # -- reading ------------------------------------------------------------------------------

    def current_files(self, member: str) -> list[Path]:
        """The member's file(s) in the data directory (normally one)."""
        return self.journal.member_files(member)

    def current_actions(self, member: str, today: dt.date, *, confidential: bool = True) -> tuple[pd.DataFrame, int]:
        """The member's valid actions on record, and how many rows on record have errors.

        Args:
            member: the member.
            today: the date the records are validated at.
            confidential: include confidential actions; when False they are left out of both
                the actions and the count (a row with errors counts only if it is plainly not
                confidential).
        """
        raws = [read_member_file(p) for p in self.current_files(member)]
        dataset = build_dataset(self.catalog, raws, today=today)
        broken = {(i.file, i.row) for i in dataset.issues if i.severity == "error" and i.row is not None}
        actions = dataset.actions
        if not confidential:
            actions = actions[~actions["confidential"]].reset_index(drop=True)
            broken &= _public_rows(raws)
        return actions, len(broken)

    def preview(self, raw: RawFile, *, viewer: User, today: dt.date | None = None) -> Preview:
        """Validate an uploaded file and diff it against the member's records that ``viewer`` may see.

        Someone who may not see the member's confidential actions (:func:`sees_confidential`)
        gets the diff against the other actions only, and a count of rows with errors on
        record without the confidential ones: an upload citing a confidential action's id
        previews exactly as one citing an id never used.
        """
        today = today or settings.today()
        checked = build_dataset(self.catalog, [raw], today=today)
        issues = [i for i in checked.issues if i.file == raw.file]
        if raw.member is None or raw.member not in self.catalog.members or has_errors(issues):
            return Preview(raw.member, issues, None)
        visible = sees_confidential(viewer, raw.member)
        current, dropped = self.current_actions(raw.member, today, confidential=visible)
        if dropped:
            issues = [*issues, _dropped_rows_warning(raw.file, raw.member, dropped)]
        uploaded = checked.actions
        return Preview(raw.member, issues, diff_actions(current, uploaded), uploaded, raw.illustrative)

    def log(self, member: str | None = None) -> pd.DataFrame:
        """The history log (optionally one member's), newest first."""
        frame = pd.DataFrame(read_log(self.history / LOG_FILE), columns=LOG_COLUMNS)
        if member:
            frame = frame[frame["member"] == member]
        return frame.iloc[::-1].reset_index(drop=True)

    def used_action_ids(self, member: str) -> set[str]:
        """Every id the member's actions ever had: in the log (any kind), in every kept version, on record now.

        Files are read with the loader, whatever their format; rows with errors count too.
        """
        used = {str(i) for i in self.log(member)["action_id"].dropna()}
        for path in self.current_files(member):
            used |= _raw_ids(read_member_file(path))
        folder = self.history / "versions" / member
        # A copy the journal is still making (".<name>.tmp") is read too: the loader takes no rows from a .tmp file.
        kept = sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
        for path in kept:
            stat = path.stat()
            used |= _version_ids(str(path), member, (stat.st_size, stat.st_mtime_ns))
        return used

    # -- writing ------------------------------------------------------------------------------

    def apply(self, raw: RawFile, user: User, *, today: dt.date | None = None) -> ApplyResult:
        """Replace the member's records with the uploaded file's, if it is valid.

        Nothing is written when the file has errors, or when the member file it would produce
        would not load back whole (``records-not-loadable``).

        Raises:
            AccessDeniedError: the user may not apply updates (reviewers and admins may).
            StoreBusyError: another apply held the lock for longer than the timeout.
            JournalError: an earlier change could not be completed as recorded (history edited by hand).
        """
        require(can_review(user), "apply updates to member records")
        today = today or settings.today()
        durable.mkdir(self.history)
        try:
            with self.lock:
                self._recover_all()
                preview = self.preview(raw, viewer=user, today=today)
                if not preview.ok:
                    return ApplyResult(preview)
                return self._write(preview, raw, user, today)
        except Timeout as exc:
            raise StoreBusyError(
                f"Another update is being saved; try again in a minute (waited {self.lock_timeout:.0f} s)."
            ) from exc

    def recover(self) -> list[str]:
        """Finish any apply or catalog import a crash interrupted; returns the members completed."""
        if not interrupted_work(self.data_dir):
            return []  # the common case: nothing to finish, no need to take the lock
        try:
            with self.lock:
                return self._recover_all()
        except Timeout as exc:
            raise StoreBusyError(
                f"Another update is being saved; try again in a minute (waited {self.lock_timeout:.0f} s)."
            ) from exc

    def import_catalog(
        self,
        catalog_dir: Path,
        matrix: Matrix,
        matrix_bytes: bytes,
        remap: dict[str, str],
        user: User,
        *,
        today: dt.date | None = None,
        remap_file: str = "the remap table",
        dry_run: bool = False,
    ) -> ImportResult:
        """Import an official framework matrix: rewrite the catalog and re-point the actions, as one step.

        Nothing is written when the import is refused (``result.issues``) or ``dry_run`` is set; otherwise the
        catalog files and every re-pointed member file change together (:mod:`tracker.records.catalog_journal`),
        with history. ``result.catalog`` is the catalog after the import.

        Raises:
            AccessDeniedError: the user is not an admin.
            StoreBusyError: another write held the lock for longer than the timeout.
            JournalError: an earlier change could not be completed as recorded (history edited by hand).
        """
        require(can_administer(user), "import a framework matrix into the catalog")
        today = today or settings.today()

        def prepared() -> ImportResult:
            change_id, at = _stamp()
            return prepare_import(
                self.data_dir,
                catalog_dir,
                self.catalog,
                matrix,
                matrix_bytes,
                remap,
                user,
                today=today,
                change_id=change_id,
                at=at,
                remap_file=remap_file,
            )

        if dry_run:
            return prepared()  # no lock and no recovery either: a dry run writes nothing at all
        durable.mkdir(self.history)
        try:
            with self.lock:
                self._recover_all()
                result = prepared()
                if not result.ok or result.change is None:
                    return result
                self.catalog_journal.commit(result.change)
                return replace(result, imported=True)
        except Timeout as exc:
            raise StoreBusyError(
                f"Another update is being saved; try again in a minute (waited {self.lock_timeout:.0f} s)."
            ) from exc

    def _recover_all(self) -> list[str]:
        """Complete a member change and then a catalog import that a crash interrupted (the lock is held)."""
        done = self.journal.recover()
        self.catalog_journal.recover()
        return done

    def _write(self, preview: Preview, raw: RawFile, user: User, today: dt.date) -> ApplyResult:
        assert preview.member is not None and preview.actions is not None and preview.diff is not None
        member = preview.member
        actions, assigned = self._assign_ids(member, preview.actions)
        change_id, at = _stamp()
        header = f"{member}: applied by {user.label} from {raw.file} ({change_id})."
        data = member_yaml(member, actions, illustrative=preview.illustrative, header=header).encode()
        problems = reload_problems(self.catalog, member, data, actions, file=raw.file, today=today)
        if problems:
            return ApplyResult(replace(preview, issues=[*preview.issues, *problems]))
        entries = _log_entries(change_id, at, user, member, raw.file, preview.diff, assigned)
        lines = tuple(json.dumps(entry, ensure_ascii=False) for entry in entries)
        written = self.journal.commit(Change(change_id, member, data, lines))
        return ApplyResult(preview, change_id, written, assigned)

    def _assign_ids(self, member: str, actions: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
        """Give rows without an id the next ``<MEMBER>-<n>`` above every id the member ever had."""
        missing = actions["action_id"].isna()
        count = int(missing.sum())
        if not count:
            return actions, []
        used = self.used_action_ids(member) | {str(i) for i in actions["action_id"].dropna()}
        pattern = re.compile(rf"{member}-(\d+)")
        numbers = [int(m.group(1)) for i in used if (m := pattern.fullmatch(i))]
        start = max(numbers, default=0) + 1
        new_ids = [f"{member}-{n:03d}" for n in range(start, start + count)]  # IDN-014; IDN-1000 after IDN-999
        out = actions.copy()
        out.loc[missing, "action_id"] = new_ids  # what is written; action_key is the loader's, not a file field
        return out, new_ids


def _raw_ids(raw: RawFile) -> set[str]:
    """The action ids in a file as read (before validation, so rows with errors count), upper case."""
    return {str(v).strip().upper() for v in raw.rows["action_id"].dropna()}


@functools.lru_cache(maxsize=4096)
def _version_ids(path: str, member: str, size_mtime: tuple[int, int]) -> frozenset[str]:
    """The ids in a kept version (named ``<change>-<file>``).

    Cached, as the journal never changes a version; ``size_mtime`` in the key still
    lets a version file restored by hand be read again.
    """
    raw = read_member_bytes(f"{member}{Path(path).suffix}", Path(path).read_bytes())
    return frozenset(_raw_ids(raw))


_NOT_CONFIDENTIAL = {"", "no", "n", "false", "0"}


def _public_rows(raws: list[RawFile]) -> set[tuple[str, int | None]]:
    """(file, row) of the rows whose Confidential cell plainly says no (or is blank)."""
    public: set[tuple[str, int | None]] = set()
    for raw in raws:
        for row, value in zip(raw.rows["_row"], raw.rows["confidential"], strict=True):
            if _plainly_not_confidential(value) and not pd.isna(row):
                public.add((raw.file, int(row)))
    return public


def _plainly_not_confidential(value: object) -> bool:
    if value is None or value is False:
        return True
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return value == 0 or pd.isna(value)
    return isinstance(value, str) and fold(value) in _NOT_CONFIDENTIAL


def _dropped_rows_warning(file: str, member: str, count: int) -> Issue:
    return warning(
        "current-rows-dropped",
        file,
        f"{file}: {count} row(s) of {member}'s current file have errors, so they are not among the records this "
        "file is compared with; applying it replaces the file and those rows will be gone (the old file is kept "
        "in the history). Add them to this file, corrected, if they should stay",
    )


def interrupted_work(data_dir: Path) -> bool:
    """Whether a crash left an apply or a catalog import to finish in ``data_dir``: two folder checks, what a page
    load asks before it builds a :class:`Store` to recover with."""
    folders = (Journal.pending_in(data_dir), CatalogJournal.pending_in(data_dir))
    return any(folder.is_dir() and any(folder.iterdir()) for folder in folders)


class StoreBusyError(RuntimeError):
    """Raised when the store's lock cannot be taken in time."""


def _stamp() -> tuple[str, str]:
    """A new change id and the time it is logged at (one function, so crash tests can fix both)."""
    now = dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:6]}", now.isoformat(timespec="seconds")


def _log_entries(
    change_id: str, at: str, user: User, member: str, file: str, diff: Diff, assigned: list[str]
) -> list[dict[str, object]]:
    base = {"change_id": change_id, "at": at, "by": user.label, "member": member, "file": file}
    entries: list[dict[str, object]] = []
    new_ids = iter(assigned)
    for row in diff.added.to_dict("records"):
        action_id = row["action_id"] if isinstance(row["action_id"], str) else next(new_ids)
        entries.append(
            {**base, "kind": "added", "action_id": action_id, "field": None, "old": None, "new": row["title"]}
        )
    for row in diff.removed.to_dict("records"):
        entries.append(
            {**base, "kind": "removed", "action_id": row["action_id"], "field": None, "old": row["title"], "new": None}
        )
    for row in diff.changed.to_dict("records"):
        entries.append({**base, "kind": "changed", **row})
    if not entries:
        entries.append({**base, "kind": "unchanged", "action_id": None, "field": None, "old": None, "new": None})
    return entries

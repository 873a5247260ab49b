"""The store: the one code path that changes member records.

``python -m tracker apply`` and a reviewer's approval in the app both call
:meth:`Store.apply`. An apply validates the file, compares it with the
member's current records, gives new rows their ids, and then writes in an
order that survives a crash at any point:

1. under an exclusive lock (``_history/.lock``), finish any earlier apply
   that was interrupted;
2. write the new member file to ``_history/pending/`` and fsync it; its
   rename to ``<MEMBER>.yaml`` there is the commit point, recorded together
   with the log lines it will add (``<MEMBER>.json``);
3. copy the member's current file(s) to ``_history/versions/<MEMBER>/``;
4. atomically replace ``<MEMBER>.yaml`` in the data directory, move any older
   file of another format (``IDN.xlsx``) into the versions folder;
5. append the change to ``_history/log.jsonl`` and remove the pending files.

A reader sees either the old or the new file, never half of one; a crash
before step 2's rename changes nothing, a crash after it is completed by the
next apply or by :meth:`Store.recover` (which the app and CLI run first).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from filelock import FileLock, Timeout

from loaders.catalog import Catalog
from loaders.dataset import build_dataset, member_files
from loaders.issues import Issue, has_errors, warning
from loaders.members import member_file_path
from loaders.tables import RawFile, read_member_file
from tracker import settings
from tracker.access import User, can_review, require
from tracker.diff import Diff, diff_actions
from tracker.member_yaml import member_yaml

HISTORY = "_history"
LOG_FILE = "log.jsonl"
LOG_COLUMNS = ["change_id", "at", "by", "member", "file", "kind", "action_id", "field", "old", "new"]
CRASH_ENV = "TRACKER_CRASH_AT"  # fault injection for the crash tests: the name of a step to die at


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


class Store:
    """Reads and writes the member records of one data directory."""

    def __init__(self, data_dir: Path, catalog: Catalog, *, lock_timeout: float = 60.0) -> None:
        self.data_dir = Path(data_dir)
        self.catalog = catalog
        self.history = self.data_dir / HISTORY
        self.lock = FileLock(str(self.history / ".lock"), timeout=lock_timeout)
        self.lock_timeout = lock_timeout

    # -- reading ------------------------------------------------------------------------------

    def current_files(self, member: str) -> list[Path]:
        """The member's file(s) in the data directory (normally one)."""
        if not self.data_dir.is_dir():
            return []
        return [p for p in member_files(self.data_dir) if p.stem.upper() == member]

    def current_actions(self, member: str, today: dt.date) -> tuple[pd.DataFrame, int]:
        """The member's valid actions on record, and how many rows on record have errors."""
        raws = [read_member_file(p) for p in self.current_files(member)]
        dataset = build_dataset(self.catalog, raws, today=today)
        rows_with_errors = {(i.file, i.row) for i in dataset.issues if i.severity == "error" and i.row is not None}
        return dataset.actions, len(rows_with_errors)

    def preview(self, raw: RawFile, *, today: dt.date | None = None) -> Preview:
        """Validate an uploaded file and diff it against the member's current records."""
        today = today or settings.today()
        checked = build_dataset(self.catalog, [raw], today=today)
        issues = [i for i in checked.issues if i.file == raw.file]
        if raw.member is None or raw.member not in self.catalog.members or has_errors(issues):
            return Preview(raw.member, issues, None)
        current, dropped = self.current_actions(raw.member, today)
        if dropped:
            issues = [*issues, _dropped_rows_warning(raw.file, raw.member, dropped)]
        uploaded = checked.actions
        return Preview(raw.member, issues, diff_actions(current, uploaded), uploaded, raw.illustrative)

    def log(self, member: str | None = None) -> pd.DataFrame:
        """The history log (optionally one member's), newest first."""
        path = self.history / LOG_FILE
        rows = (
            [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            if (path.is_file())
            else []
        )
        frame = pd.DataFrame(rows, columns=LOG_COLUMNS)
        if member:
            frame = frame[frame["member"] == member]
        return frame.iloc[::-1].reset_index(drop=True)

    # -- writing ------------------------------------------------------------------------------

    def apply(self, raw: RawFile, user: User, *, today: dt.date | None = None) -> ApplyResult:
        """Replace the member's records with the uploaded file's, if it is valid.

        Raises:
            AccessDeniedError: the user may not apply updates (reviewers and admins may).
            StoreBusyError: another apply held the lock for longer than the timeout.
        """
        require(can_review(user), "apply updates to member records")
        self.history.mkdir(parents=True, exist_ok=True)
        try:
            with self.lock:
                self._recover_locked()
                preview = self.preview(raw, today=today)
                if not preview.ok:
                    return ApplyResult(preview)
                return self._write(preview, raw, user)
        except Timeout as exc:
            raise StoreBusyError(
                f"Another update is being saved; try again in a minute (waited {self.lock_timeout:.0f} s)."
            ) from exc

    def recover(self) -> list[str]:
        """Finish any apply a crash interrupted; returns the members completed."""
        pending = self.history / "pending"
        if not pending.is_dir() or not any(pending.iterdir()):
            return []  # the common case: nothing to finish, no need to take the lock
        with self.lock:
            return self._recover_locked()

    def _write(self, preview: Preview, raw: RawFile, user: User) -> ApplyResult:
        assert preview.member is not None and preview.actions is not None and preview.diff is not None
        member = preview.member
        actions, assigned = self._assign_ids(member, preview.actions)
        change_id = f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:6]}"
        header = f"{member}: applied by {user.label} from {raw.file} ({change_id})."
        text = member_yaml(member, actions, illustrative=preview.illustrative, header=header)
        entries = _log_entries(change_id, user, member, raw.file, preview.diff, assigned)

        pending = self.history / "pending"
        pending.mkdir(exist_ok=True)
        tmp = pending / f"{member}.yaml.tmp"
        _write_synced(tmp, text)
        _write_synced(pending / f"{member}.json.tmp", json.dumps({"change_id": change_id, "log": entries}))
        _crash_point("before-commit")
        os.replace(pending / f"{member}.json.tmp", pending / f"{member}.json")
        os.replace(tmp, pending / f"{member}.yaml")  # the commit point
        _fsync_dir(pending)
        _crash_point("after-commit")
        written = self._finish(member)
        return ApplyResult(preview, change_id, written, assigned)

    def _recover_locked(self) -> list[str]:
        pending = self.history / "pending"
        if not pending.is_dir():
            return []
        for leftover in pending.glob("*.tmp"):
            leftover.unlink()  # never committed: the apply did not happen
        members = sorted({p.stem for p in pending.glob("*.yaml")} | {p.stem for p in pending.glob("*.json")})
        return [m for m in members if self._finish(m)]

    def _finish(self, member: str) -> Path | None:
        """Steps 3–5 for a committed pending file; safe to run again after a crash."""
        pending = self.history / "pending"
        new_file, intent_file = pending / f"{member}.yaml", pending / f"{member}.json"
        if not new_file.is_file() and not intent_file.is_file():
            return None
        intent = json.loads(intent_file.read_text(encoding="utf-8")) if intent_file.is_file() else {}
        change_id = intent.get("change_id", "recovered")
        target = member_file_path(self.data_dir, member, ".yaml")
        if new_file.is_file():  # not yet moved into place (else a crash came after step 4's replace)
            versions = self.history / "versions" / member
            versions.mkdir(parents=True, exist_ok=True)
            for current in self.current_files(member):
                kept = versions / f"{change_id}-{current.name}"
                if not kept.exists():
                    shutil.copy2(current, kept)
            _crash_point("after-versions")
            os.replace(new_file, target)
            _fsync_dir(self.data_dir)
            _crash_point("after-replace")
        for other in self.current_files(member):
            if other != target:
                other.unlink()  # its copy is in the versions folder
        self._append_log(change_id, intent.get("log", []))
        if intent_file.exists():
            intent_file.unlink()
        return target

    def _append_log(self, change_id: str, entries: list[dict[str, object]]) -> None:
        path = self.history / LOG_FILE
        if path.is_file() and f'"change_id": "{change_id}"' in path.read_text(encoding="utf-8"):
            return  # a recovery after the log was written: do not log twice
        with path.open("a", encoding="utf-8") as handle:
            for entry in entries:
                handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def _assign_ids(self, member: str, actions: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
        """Give rows without an id the next free ``<MEMBER>-<n>``; ids are never reused."""
        missing = actions["action_id"].isna()
        if not missing.any():
            return actions, []
        used = set(actions["action_id"].dropna())
        used |= set(self.log(member)["action_id"].dropna())
        for path in self.current_files(member):
            used |= set(re.findall(rf"{member}-\d+", path.read_text(encoding="utf-8", errors="ignore")))
        numbers = [int(i.rsplit("-", 1)[1]) for i in used if re.fullmatch(rf"{member}-\d+", str(i))]
        start = max(numbers, default=0) + 1
        width = max(3, len(str(start + int(missing.sum()))))
        new_ids = [f"{member}-{n:0{width}d}" for n in range(start, start + int(missing.sum()))]
        out = actions.copy()
        out.loc[missing, "action_id"] = new_ids
        out.loc[missing, "action_key"] = new_ids
        return out, new_ids


def _dropped_rows_warning(file: str, member: str, count: int) -> Issue:
    return warning(
        "current-rows-dropped",
        file,
        f"{file}: {count} row(s) of {member}'s current file have errors, so they are not among the records this "
        "file is compared with; applying it replaces the file and those rows will be gone (the old file is kept "
        "in the history). Add them to this file, corrected, if they should stay",
    )


class StoreBusyError(RuntimeError):
    """Raised when the store's lock cannot be taken in time."""


def _log_entries(
    change_id: str, user: User, member: str, file: str, diff: Diff, assigned: list[str]
) -> list[dict[str, object]]:
    at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
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


def _write_synced(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_dir(directory: Path) -> None:
    """Make a rename durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _crash_point(step: str) -> None:
    if os.environ.get(CRASH_ENV) == step:
        os._exit(86)  # simulate the process dying here (tests only)

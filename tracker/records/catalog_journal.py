"""The catalog's journal: one import that rewrites catalog files and re-points members' files, as one step.

An import replaces up to three catalog files (in the catalog directory) and the files of every member whose
actions cite a remapped id (in the data directory). A crash between two of those writes must not leave the
catalog new and a member's actions still citing ids it no longer has, so the whole import is one *batch*, kept
under the data directory's ``_history/catalog/``:

1. ``pending/catalog-<name>`` for each new catalog file and ``pending/member-<M>.yaml`` for each re-pointed
   member file are written; nothing is committed yet.
2. ``pending/intent.json`` is written aside and renamed into place: **the commit point**. It records the
   catalog directory, each catalog file's old and new name, size and sha256, each member's old files and new
   file, the member changes' log lines, and the catalog log's size before the import and its line.
3. Each old catalog file is copied to ``versions/<change>-<name>`` and checked (as the store's journal keeps
   member versions).
4. Each new catalog file is copied beside its target (``.<name>.import.tmp``), checked and renamed over it.
5. Each member's re-pointed file is committed through the store's own journal
   (:class:`tracker.records.journal.Journal`): its version, its file and its log lines, the same as any
   apply. A member whose file already holds the new bytes is done.
6. The catalog log (``log.jsonl``) gets the import's line, exactly once.
7. The pending files are removed, the intent last.

Recovery (:meth:`CatalogJournal.recover`, run by the store under its lock, after the member journal's own
recovery) repeats steps 3–7 of a committed import, each checking its result before the next; an uncommitted
one's staged files are deleted. A reader may see the new catalog before every member is re-pointed, for the
moments the import takes; the app finishes an interrupted import before it reads the data
(:func:`ui.cache.get_dataset`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tracker.records import durable
from tracker.records.durable import FileState
from tracker.records.journal import (
    HISTORY,
    Change,
    Journal,
    JournalError,
    complete_log,
    discard_uncommitted,
    keep_version,
    read_log,
)

CATALOG_HISTORY = "catalog"
INTENT = "intent.json"
INTENT_FORMAT = 1


@dataclass(frozen=True)
class MemberChange:
    """One member's re-pointed file and what the history log says about it."""

    member: str
    data: bytes
    log_lines: tuple[str, ...]


@dataclass(frozen=True)
class CatalogChange:
    """A whole import: the new catalog files (name -> bytes), the members' changes and the catalog log line."""

    change_id: str
    catalog_dir: Path
    files: dict[str, bytes]
    members: list[MemberChange]
    log_line: str


class CatalogJournal:
    """Commits and completes catalog imports for one data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.folder = self.data_dir / HISTORY / CATALOG_HISTORY
        self.pending = self.pending_in(self.data_dir)
        self.versions = self.folder / "versions"
        self.log_path = self.folder / "log.jsonl"
        self.members = Journal(self.data_dir)

    @staticmethod
    def pending_in(data_dir: Path) -> Path:
        """The folder of the imports committed but not yet completed in ``data_dir``."""
        return Path(data_dir) / HISTORY / CATALOG_HISTORY / "pending"

    def commit(self, change: CatalogChange) -> None:
        """Commit an import and complete it. The caller holds the store's lock and has run :meth:`recover`.

        Raises:
            JournalError: a step could not be completed as recorded (see :meth:`recover`).
        """
        durable.mkdir(self.pending)
        catalog_files = []
        for name, data in change.files.items():
            target = change.catalog_dir / name
            catalog_files.append(
                {
                    "name": name,
                    "old": asdict(FileState.of_file(target)) if target.is_file() else None,
                    "new": asdict(FileState.of_bytes(name, data)),
                }
            )
            durable.write_file(self.pending / f"catalog-{name}", data)
        members = []
        for member in change.members:
            members.append(
                {
                    "member": member.member,
                    "old": [asdict(FileState.of_file(p)) for p in self.members.member_files(member.member)],
                    "new": asdict(FileState.of_bytes(f"{member.member}.yaml", member.data)),
                    "log_lines": list(member.log_lines),
                }
            )
            durable.write_file(self.pending / f"member-{member.member}.yaml", member.data)
        intent = {
            "format": INTENT_FORMAT,
            "change_id": change.change_id,
            "catalog_dir": str(change.catalog_dir),
            "catalog_files": catalog_files,
            "members": members,
            "log_offset": durable.complete_size(self.log_path),
            "log_line": change.log_line,
        }
        staged = self.pending / f"{INTENT}.tmp"
        durable.write_file(staged, json.dumps(intent, ensure_ascii=False).encode())
        durable.replace(staged, self.pending / INTENT)  # the commit point
        durable.fsync_dir(self.pending)
        self._complete(intent)

    def recover(self) -> bool:
        """Complete a committed import, or delete what an uncommitted one left; True when one was completed.

        Raises:
            JournalError: a committed import cannot be completed as recorded (a file was changed by hand).
        """
        self.members.recover()  # a member change the import committed may itself be half done
        if not self.pending.is_dir():
            return False
        intent_path = self.pending / INTENT
        done = intent_path.is_file()
        if done:
            self._complete(self._read_intent(intent_path))
        discard_uncommitted(self.pending)  # never committed: that import did not happen
        return done

    def _complete(self, intent: dict[str, Any]) -> None:
        change_id, catalog_dir = str(intent["change_id"]), Path(intent["catalog_dir"])
        for entry in intent["catalog_files"]:
            if entry["old"] is not None:
                old = FileState(**entry["old"])
                keep_version(catalog_dir / old.name, self.versions / f"{change_id}-{old.name}", old, change_id)
        for entry in intent["catalog_files"]:
            self._install(self.pending / f"catalog-{entry['name']}", catalog_dir / entry["name"], entry)
        for entry in intent["members"]:
            self._repoint(change_id, entry)
        complete_log(self.log_path, int(intent["log_offset"]), [str(intent["log_line"])])
        staged = [self.pending / f"catalog-{e['name']}" for e in intent["catalog_files"]]
        staged += [self.pending / f"member-{e['member']}.yaml" for e in intent["members"]]
        for path in staged:
            if path.exists():
                durable.unlink(path)
        durable.unlink(self.pending / INTENT)  # the import is complete
        durable.fsync_dir(self.pending)

    def _install(self, staged: Path, target: Path, entry: dict[str, Any]) -> None:
        new = FileState(**entry["new"])
        if new.held_by(target):
            durable.fsync_dir(target.parent)  # an earlier rename may not be durable yet
            return
        old = entry["old"]
        if old is not None and not FileState(**old).held_by(target):
            raise JournalError(
                f"{target} holds neither the bytes recorded before the catalog import nor the new ones; "
                f"restore it from {HISTORY}/{CATALOG_HISTORY}/versions, then run the app or the import again"
            )
        if not new.held_by(staged):
            raise JournalError(f"the pending {staged.name} does not hold the bytes its import recorded")
        # Copied, not renamed: the catalog directory may be on another disk than the data directory.
        beside = target.parent / f".{target.name}.import.tmp"
        durable.copy_file(staged, beside)
        if not new.held_by(beside):
            raise JournalError(f"the copy of {target.name} does not match the file its import recorded")
        durable.replace(beside, target)
        durable.fsync_dir(target.parent)

    def _repoint(self, change_id: str, entry: dict[str, Any]) -> None:
        member, new = str(entry["member"]), FileState(**entry["new"])
        current = self.members.member_files(member)
        if [p.name for p in current] == [new.name] and new.held_by(current[0]):
            return  # committed and completed by the member journal already
        recorded = sorted((FileState(**o) for o in entry["old"]), key=lambda state: state.name)
        if [FileState.of_file(p) for p in sorted(current, key=lambda p: p.name)] != recorded:
            raise JournalError(
                f"{member}'s records changed after the catalog import {change_id} was committed, so its actions "
                "cannot be re-pointed as recorded; restore its file from _history/versions, then run the app again"
            )
        data = (self.pending / f"member-{member}.yaml").read_bytes()
        if FileState.of_bytes(new.name, data) != new:
            raise JournalError(f"the pending re-pointed file of {member} does not hold the bytes its import recorded")
        self.members.commit(Change(change_id, member, data, tuple(str(line) for line in entry["log_lines"])))

    def _read_intent(self, path: Path) -> dict[str, Any]:
        try:
            intent = json.loads(path.read_bytes())
        except (OSError, ValueError) as exc:
            raise JournalError(f"{path.name} in {HISTORY}/{CATALOG_HISTORY}/pending cannot be read ({exc})") from exc
        if not isinstance(intent, dict) or intent.get("format") != INTENT_FORMAT:
            raise JournalError(f"{path.name} in {HISTORY}/{CATALOG_HISTORY}/pending is not a catalog import's intent")
        return intent


def read_catalog_log(data_dir: Path) -> list[dict[str, Any]]:
    """The catalog changes logged in ``data_dir``, oldest first."""
    return read_log(Path(data_dir) / HISTORY / CATALOG_HISTORY / "log.jsonl")

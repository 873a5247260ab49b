"""The store's journal: one change to a member's records, committed once and completed whatever crashes.

A change replaces a member's file(s) with one new file, keeps the old ones in
``_history/versions/<MEMBER>/`` and appends its lines to ``_history/log.jsonl``.
Its steps (every write fsynced, see :mod:`tracker.records.durable`):

1. ``pending/<M>.yaml``: the new file is written; nothing is committed yet.
2. ``pending/<M>.json``, the *intent*, is written aside and renamed into place:
   **the commit point**. It records what every later step must produce: the
   new file's name, size and sha256; each old file's; the log's size before
   the change; and the change's exact log lines.
3. Versions: each old file is copied aside (``.<name>.tmp``), fsynced, checked
   against the recorded size and sha256, and renamed into place. A copy
   already there is kept only if it checks out.
4. The new file is renamed over ``<M>.yaml`` (skipped when the file there
   already holds the new bytes); old files of another format are removed,
   their checked copies being in the versions folder.
5. The log: the bytes after the recorded size are compared with the change's
   lines. The complete lines that match are kept (they are counted, not
   guessed from the change id), anything after them (a torn line) is cut,
   only the missing lines are appended, and the result is read back.
6. The pending files are removed, the intent last.

A last log line that no committed change owns (the log was cut by hand) cannot be
parsed; the next change's step 5 cuts it. A crash before step 2 leaves nothing committed and recovery deletes the
pending files; after it, :meth:`Journal.recover` repeats steps 3–6, each of
which checks its result before the next begins, so running it again (even
after a crash during recovery) always ends in the same state. The caller holds
the store's lock around both.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from loaders.dataset import member_files
from tracker.records import durable
from tracker.records.durable import FileState

HISTORY = "_history"
LOG_FILE = "log.jsonl"
INTENT_FORMAT = 2


@dataclass(frozen=True)
class Change:
    """One change to commit: the member's new file and what the log will say about it."""

    change_id: str
    member: str
    data: bytes
    log_lines: tuple[str, ...]


class JournalError(RuntimeError):
    """A step cannot produce what its intent recorded (a history file was changed by hand)."""


class Journal:
    """Commits and completes changes in one data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.history = self.data_dir / HISTORY
        self.pending = self.pending_in(self.data_dir)
        self.versions = self.history / "versions"
        self.log_path = self.history / LOG_FILE

    @staticmethod
    def pending_in(data_dir: Path) -> Path:
        """The folder of the changes committed but not yet completed in ``data_dir``."""
        return Path(data_dir) / HISTORY / "pending"

    def member_files(self, member: str) -> list[Path]:
        """The member's file(s) in the data directory (normally one)."""
        if not self.data_dir.is_dir():
            return []
        return [p for p in member_files(self.data_dir) if p.stem.upper() == member]

    def commit(self, change: Change) -> Path:
        """Commit a change and complete it; returns the member file written.

        Raises:
            JournalError: a step could not be completed as recorded (see :meth:`recover`).
        """
        durable.mkdir(self.pending)
        new = FileState.of_bytes(f"{change.member}.yaml", change.data)
        durable.write_file(self.pending / new.name, change.data)
        intent = {
            "format": INTENT_FORMAT,
            "change_id": change.change_id,
            "member": change.member,
            "new": asdict(new),
            "old": [asdict(FileState.of_file(p)) for p in self.member_files(change.member)],
            "log_offset": durable.complete_size(self.log_path),
            "log_lines": list(change.log_lines),
        }
        staged = self.pending / f"{change.member}.json.tmp"
        durable.write_file(staged, json.dumps(intent).encode())
        durable.replace(staged, self.pending / f"{change.member}.json")  # the commit point
        durable.fsync_dir(self.pending)
        return self._complete(intent)

    def recover(self) -> list[str]:
        """Complete every committed change and delete what an uncommitted one left; returns the members completed.

        Raises:
            JournalError: a committed change cannot be completed as recorded.
        """
        if not self.pending.is_dir():
            return []
        done = []
        for path in sorted(self.pending.glob("*.json")):
            intent = self._read_intent(path)
            if intent is not None:
                self._complete(intent)
                done.append(str(intent["member"]))
        discard_uncommitted(self.pending)  # never committed: that apply did not happen
        return done

    # -- completing a committed change ------------------------------------------------------------

    def _complete(self, intent: dict[str, Any]) -> Path:
        member, change_id = str(intent["member"]), str(intent["change_id"])
        new = FileState(**intent["new"])
        old = [FileState(**o) for o in intent["old"]]
        for state in old:
            self._keep_version(member, change_id, state)
        target = self.data_dir / new.name
        self._install(self.pending / new.name, target, new)
        others = [self.data_dir / s.name for s in old if s.name != new.name]
        # samefile: on a case-insensitive disk "tha.yaml" is the file just installed as THA.yaml.
        gone = [p for p in others if p.exists() and not p.samefile(target)]
        for path in gone:
            durable.unlink(path)  # its checked copy is in the versions folder
        if gone:
            durable.fsync_dir(self.data_dir)
        self._log(int(intent["log_offset"]), [str(line) for line in intent["log_lines"]])
        if (self.pending / new.name).exists():
            durable.unlink(self.pending / new.name)  # the change left the file as it was
        durable.unlink(self.pending / f"{member}.json")  # the change is complete
        durable.fsync_dir(self.pending)
        return target

    def _keep_version(self, member: str, change_id: str, old: FileState) -> None:
        keep_version(self.data_dir / old.name, self.versions / member / f"{change_id}-{old.name}", old, change_id)

    def _install(self, source: Path, target: Path, new: FileState) -> None:
        if new.held_by(target):
            durable.fsync_dir(self.data_dir)  # as for versions: make an earlier rename durable
            return
        if not new.held_by(source):
            raise JournalError(f"the pending {source.name} does not hold the bytes its change recorded")
        durable.replace(source, target)
        durable.fsync_dir(self.data_dir)

    def _log(self, offset: int, lines: list[str]) -> None:
        complete_log(self.log_path, offset, lines)

    # -- reading intents --------------------------------------------------------------------------

    def _read_intent(self, path: Path) -> dict[str, Any] | None:
        try:
            intent = json.loads(path.read_bytes())  # UTF-8, as json.dumps(...).encode() wrote it
        except (OSError, ValueError) as exc:
            raise JournalError(f"{path.name} in _history/pending cannot be read ({exc})") from exc
        if isinstance(intent, dict) and intent.get("format") == INTENT_FORMAT:
            return intent
        if isinstance(intent, dict) and {"change_id", "log"} <= intent.keys():
            return self._upgrade(path.stem, intent)
        raise JournalError(f"{path.name} in _history/pending is not an intent")

    def _upgrade(self, member: str, legacy: dict[str, Any]) -> dict[str, Any] | None:
        """An intent of the first store format (``change_id`` and ``log`` only), as :meth:`_complete` takes it.

        That format committed by renaming ``pending/<M>.yaml`` after its intent, logged after the
        replace, and put the change id in the new file's first line. So: a pending file means
        committed and nothing logged yet; a member file naming the change means installed, with
        any of its lines at the end of the log; neither means never committed (returns None).
        """
        change_id = str(legacy["change_id"])
        lines = [json.dumps(entry, ensure_ascii=False) for entry in legacy["log"]]  # as that format wrote them
        target = self.data_dir / f"{member}.yaml"
        pending = self.pending / f"{member}.yaml"
        current = self.member_files(member)
        if pending.is_file():
            new = FileState.of_file(pending)
            offset = durable.complete_size(self.log_path)
            old = [FileState.of_file(p) for p in current]
        elif target.is_file() and f"({change_id})" in durable.read_range(target, 0, 4096).decode("utf-8", "replace"):
            new = FileState.of_file(target)
            offset = _start_of_change(self.log_path, change_id)
            old = [FileState.of_file(p) for p in current if p != target]  # copied before the replace
        else:
            return None
        return {
            "change_id": change_id,
            "member": member,
            "new": asdict(new),
            "old": [asdict(o) for o in old],
            "log_offset": offset,
            "log_lines": lines,
        }


def discard_uncommitted(pending: Path) -> None:
    """Delete the files left in ``pending`` once every committed change there is complete: what remains was
    written before a commit point and never took effect."""
    leftovers = sorted(p for p in pending.iterdir() if p.is_file())
    for leftover in leftovers:
        durable.unlink(leftover)
    if leftovers:
        durable.fsync_dir(pending)


def keep_version(source: Path, kept: Path, old: FileState, change_id: str) -> None:
    """Make ``kept`` a checked copy of ``old`` (the bytes ``source`` held before the change), once.

    A copy already there is kept only if it checks out; otherwise ``source`` must still hold the old bytes.

    Raises:
        JournalError: neither ``kept`` nor ``source`` holds the recorded bytes.
    """
    folder = kept.parent
    where = f"{HISTORY}/{folder.parent.name}/{folder.name}"  # how messages name the folder
    if old.held_by(kept):
        durable.fsync_dir(folder)  # the rename may not be durable yet if a crash came right after it
        return
    if not old.held_by(source):
        raise JournalError(
            f"{source.name} no longer holds the bytes recorded before change {change_id}, and "
            f"{where}/{kept.name} does not hold them either, so the previous version "
            "cannot be kept; restore the file from a backup, then run the app or `apply` again"
        )
    durable.mkdir(folder)
    staged = folder / f".{kept.name}.tmp"
    durable.copy_file(source, staged)
    if not old.held_by(staged):
        raise JournalError(f"the copy of {old.name} in {where} does not match the original")
    durable.replace(staged, kept)
    durable.fsync_dir(folder)


def complete_log(log_path: Path, offset: int, lines: list[str]) -> None:
    """Make the log hold exactly ``lines`` after its first ``offset`` bytes, appending only what is missing.

    Complete lines that already match are kept (a crash may have written some), a torn line or lines that are
    not the change's are cut, and the result is read back.

    Raises:
        JournalError: the log is shorter than ``offset`` (cut by hand) or does not read back as written.
    """
    expected = [f"{line}\n".encode() for line in lines]
    whole = b"".join(expected)
    size = log_path.stat().st_size if log_path.is_file() else 0
    if size < offset:
        raise JournalError(
            f"{log_path.name} is shorter ({size} bytes) than before the change being completed ({offset} bytes); "
            "restore it from a backup"
        )
    after = durable.read_range(log_path, offset, len(whole) + 1) if size else b""
    if after == whole:
        if size:
            durable.fsync_file(log_path)  # it may have been written but not synced before a crash
        return
    kept = _matching_lines(after, expected)
    if offset + kept < size:
        durable.truncate(log_path, offset + kept)  # a torn line, or lines that are not this change's
    durable.append(log_path, whole[kept:])
    if durable.read_range(log_path, offset, len(whole) + 1) != whole:
        raise JournalError(f"{log_path.name} does not read back as written")


def _matching_lines(after: bytes, expected: list[bytes]) -> int:
    """How many bytes at the start of ``after`` are whole lines equal to the expected ones, in order."""
    done = 0
    for line in expected:
        if after[done : done + len(line)] != line:
            break
        done += len(line)
    return done


def _start_of_change(log: Path, change_id: str) -> int:
    """Where the run of ``change_id``'s lines at the end of the log starts (its complete size if none)."""
    end = durable.complete_size(log)
    lines = durable.read_range(log, 0, end).split(b"\n")[:-1]  # JSON escapes every newline inside a value
    start = end
    for line in reversed(lines):
        if _change_of(line) != change_id:
            break
        start -= len(line) + 1
    return start


def _change_of(line: bytes) -> object:
    try:
        entry = json.loads(line)
    except ValueError:
        return None
    return entry.get("change_id") if isinstance(entry, dict) else None


def read_log(path: Path) -> list[dict[str, Any]]:
    """The log's entries, oldest first; a last line still being written (no newline yet) is not read."""
    if not path.is_file():
        return []
    text = durable.read_range(path, 0, durable.complete_size(path)).decode("utf-8")
    # Split on "\n" only: str.splitlines() would also split a title holding U+2028 in two.
    return [json.loads(line) for line in text.split("\n") if line.strip()]

"""Submissions waiting for review: a focal point's update, kept until a reviewer decides.

Each submission is a folder ``_submissions/<id>/`` holding ``records.yaml`` and
``meta.json``. ``records.yaml`` is what the upload was read as: the canonical
YAML member file the store writes (:mod:`tracker.records.member_yaml`), new rows still
without ids. The uploaded bytes are never kept: a workbook can carry macros,
embedded objects or external links, and a reviewer needs only the records.
``meta.json`` says who sent it and when, the name of the file as sent, the
summary and warnings it had, its state, reviewer and note, and a fingerprint of
the member's records it was compared with. Files are written aside, fsynced
and renamed into place, so a crash leaves either no submission or a whole one.

Approving reads ``records.yaml`` with the loader and hands it to
:meth:`tracker.records.store.Store.apply`, the same path as the command line, unless
the member's records changed after it was sent: applying it then would undo
that other update, so it is refused with a plain message instead.

Submissions of the first format (the raw upload kept beside ``meta.json``) are
converted the first time the queue is read: a pending one whose file still
validates gets its ``records.yaml``; one that no longer does is marked rejected
with the reason as its note, so the focal point sends it again. Then the raw
upload is deleted, whatever the state.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from loaders.issues import Issue, error
from loaders.tables import RawFile, read_member_bytes
from tracker import settings
from tracker.access import Role, User, can_review, can_submit, require
from tracker.records import durable
from tracker.records.member_yaml import member_yaml
from tracker.records.record_check import reload_problems
from tracker.records.store import ApplyResult, Preview, Store

SUBMISSIONS = "_submissions"
RECORDS = "records.yaml"
META = "meta.json"
FORMAT = 2
State = Literal["pending", "approved", "rejected"]
# Who converts first-format submissions; the history never shows it (it applies nothing).
SYSTEM = User(id="system", name="system", role=Role.ADMIN)


@dataclass(frozen=True)
class Submission:
    """One update sent for review, and its review state."""

    id: str
    member: str
    file: str  # the name of the file as sent
    submitted_by: str
    submitted_at: str
    summary: str
    state: State = "pending"
    reviewed_by: str | None = None
    reviewed_at: str | None = None
    note: str | None = None
    change_id: str | None = None
    base: str | None = None  # fingerprint of the member's records when sent (None in older submissions)
    format: int = 1  # 1: the raw upload was kept (converted on reading); 2: normalised records
    records: str | None = None  # the records file in the folder; None when none is kept
    warnings: list[dict[str, Any]] = field(default_factory=list)  # the upload's warnings when sent

    @property
    def sent_label(self) -> str:
        """When it was sent, to the minute: ``2026-11-28 17:13 UTC`` (two on one day stay apart)."""
        try:
            return f"{dt.datetime.fromisoformat(self.submitted_at).astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"
        except ValueError:
            return self.submitted_at  # a hand-edited meta.json: show what it says

    @property
    def sent_warnings(self) -> list[Issue]:
        """The warnings the upload had when it was sent."""
        return [Issue(**w) for w in self.warnings]


class Submissions:
    """The review queue of one data directory."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.root = store.data_dir / SUBMISSIONS

    def submit(
        self, name: str, data: bytes, user: User, *, today: dt.date | None = None, raw: RawFile | None = None
    ) -> tuple[Preview, Submission | None]:
        """Validate an upload and, if it is valid and the user may, queue its records for review.

        ``raw`` is the upload as already read, when the caller read it (the app reads
        uploads in a sandboxed child process, ``loaders.untrusted``); otherwise
        ``data`` is read here, in this process.

        Returns:
            The preview (issues and diff) and the queued submission, or None when
            the file has errors (nothing is written then).

        Raises:
            AccessDeniedError: the user may not submit for the file's member.
        """
        today = today or settings.today()
        raw = raw or read_member_bytes(name, data)
        # Taken before the preview, so it is never newer than the records the diff was computed against.
        base = _records_version(self.store, raw.member) if raw.member in self.store.catalog.members else None
        preview = self.store.preview(raw, viewer=user, today=today)
        if preview.member is not None:
            require(can_submit(user, preview.member), f"submit updates for {preview.member}")
        if not preview.ok:
            return preview, None
        assert preview.member is not None and preview.diff is not None and preview.actions is not None
        member = preview.member
        # Microseconds in the id keep list() (sorted by id) in sending order, even within one second.
        submission_id = f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S%fZ}-{member}-{uuid.uuid4().hex[:6]}"
        records, problems = _records_file(self.store, submission_id, raw, preview, today)
        if problems:
            return replace(preview, issues=[*preview.issues, *problems]), None
        submission = Submission(
            id=submission_id,
            member=member,
            file=Path(name).name,
            submitted_by=user.label,
            submitted_at=_now(),
            summary=preview.diff.summary(),
            base=base,
            format=FORMAT,
            records=RECORDS,
            warnings=[i.to_dict() for i in preview.issues],
        )
        staging = self.root / f".{submission.id}.tmp"
        durable.mkdir(staging)
        durable.write_file(staging / RECORDS, records)
        _write_meta(staging, submission)
        durable.replace(staging, self.root / submission.id)  # the submission appears whole or not at all
        durable.fsync_dir(self.root)
        return preview, submission

    def list(self, state: State | None = None) -> list[Submission]:
        """Submissions, oldest first, optionally of one state (first-format ones are converted first)."""
        if not self.root.is_dir():
            return []
        found = [(p, self._read(p)) for p in sorted(self.root.iterdir()) if p.is_dir() and not p.name.startswith(".")]
        stale = [(p, s) for p, s in found if s is not None and _needs_conversion(p, s)]
        if stale:
            with self.store.lock:
                converted = {p: self._convert(p) for p, _ in stale}
            found = [(p, converted.get(p, s)) for p, s in found]
        return [s for _, s in found if s is not None and (state is None or s.state == state)]

    def get(self, submission_id: str) -> Submission:
        """One submission by id.

        Raises:
            KeyError: no such submission.
        """
        for submission in self.list():
            if submission.id == submission_id:
                return submission
        raise KeyError(submission_id)

    def records(self, submission: Submission) -> bytes:
        """The records sent (``<MEMBER>.yaml``), as the reviewer may download them.

        Raises:
            KeyError: the submission keeps no records (a first-format one that was decided or refused).
        """
        if submission.records is None:
            raise KeyError(f"{submission.id} keeps no records")
        return (self.root / submission.id / submission.records).read_bytes()

    def preview(self, submission: Submission, *, viewer: User, today: dt.date | None = None) -> Preview:
        """Re-validate a stored submission against the records as they are now, as ``viewer`` may see them.

        A submission sent before the member's records last changed gets an error
        (``records-changed``), so it is not approved by mistake.
        """
        preview = self.store.preview(self._raw(submission), viewer=viewer, today=today)
        if self._records_unchanged(submission):
            return preview
        stale = error(
            "records-changed",
            submission.file,
            f"{submission.file}: {submission.member}'s records changed after this file was sent (another update "
            "was applied), so approving it would undo that update. Reject it and ask the focal point to download "
            "a fresh template, make the changes again and send it",
        )
        return replace(preview, issues=[*preview.issues, stale])

    def approve(
        self, submission_id: str, reviewer: User, note: str = "", *, today: dt.date | None = None
    ) -> ApplyResult:
        """Apply a pending submission's records and mark it approved.

        Nothing is written when the records no longer validate or the member's
        records changed after it was sent: the result is then not ``ok`` and its
        preview says why.

        Raises:
            AccessDeniedError: the user is not a reviewer or admin.
            ValueError: the submission is not pending.
        """
        require(can_review(reviewer), "approve submissions")
        # The store's lock is re-entrant: holding it here makes "still pending?" and the apply one step,
        # so two reviewers approving at once cannot apply the same submission twice.
        with self.store.lock:
            submission = self._pending(submission_id)
            if not self._records_unchanged(submission):
                return ApplyResult(self.preview(submission, viewer=reviewer, today=today))
            # The history names both people: "Submitter <id>, approved by Reviewer <id>" (name == id, so the
            # label is exactly this text).
            both = f"{submission.submitted_by}, approved by {reviewer.label}"
            by = User(id=both, name=both, role=reviewer.role)
            result = self.store.apply(self._raw(submission), by, today=today)
            if result.ok:
                approved = replace(
                    submission,
                    state="approved",
                    reviewed_by=reviewer.label,
                    reviewed_at=_now(),
                    note=note or None,
                    change_id=result.change_id,
                )
                self._save(approved)
        return result

    def reject(self, submission_id: str, reviewer: User, note: str) -> Submission:
        """Mark a pending submission rejected, with the reviewer's note.

        Raises:
            AccessDeniedError: the user is not a reviewer or admin.
            ValueError: the submission is not pending, or the note is empty.
        """
        require(can_review(reviewer), "reject submissions")
        if not note.strip():
            raise ValueError("Say why the submission is rejected, so the focal point can fix it.")
        submission = replace(
            self._pending(submission_id), state="rejected", reviewed_by=reviewer.label, reviewed_at=_now(), note=note
        )
        self._save(submission)
        return submission

    def _raw(self, submission: Submission) -> RawFile:
        """The stored records as the loader reads them (named ``<MEMBER>.yaml``)."""
        return read_member_bytes(f"{submission.member}.yaml", self.records(submission))

    def _records_unchanged(self, submission: Submission) -> bool:
        return submission.base is None or _records_version(self.store, submission.member) == submission.base

    def _pending(self, submission_id: str) -> Submission:
        submission = self.get(submission_id)
        if submission.state != "pending":
            raise ValueError(f"Submission {submission_id} was already {submission.state}.")
        return submission

    def _save(self, submission: Submission) -> None:
        _write_meta(self.root / submission.id, submission)

    def _read(self, folder: Path) -> Submission | None:
        try:
            return Submission(**json.loads((folder / META).read_bytes()))
        except (OSError, ValueError, TypeError):
            return None  # a damaged folder is skipped, not fatal

    def _convert(self, folder: Path) -> Submission | None:
        """Bring a first-format submission to this format and delete the raw upload it kept."""
        submission = self._read(folder)  # again, under the lock: another process may have converted it
        if submission is None:
            return None
        if submission.format == 1:
            submission = self._converted(folder, submission, settings.today())
            _write_meta(folder, submission)
        kept = {META, submission.records}
        strays = [p for p in folder.iterdir() if p.is_file() and p.name not in kept]
        for path in strays:
            durable.unlink(path)
        if strays:
            durable.fsync_dir(folder)
        return submission

    def _converted(self, folder: Path, submission: Submission, today: dt.date) -> Submission:
        # A first-format submission has no records file (``records`` is None): a decided one needs none, its
        # records being in the history; a pending one gets one if its upload still validates.
        if submission.state != "pending":
            return replace(submission, format=FORMAT)
        upload = folder / submission.file
        problem = "its file is missing"
        if upload.is_file():
            raw = read_member_bytes(submission.file, upload.read_bytes())
            preview = self.store.preview(raw, viewer=SYSTEM, today=today)
            if preview.ok and raw.member == submission.member:
                records, check = _records_file(self.store, submission.id, raw, preview, today)
                if not check:
                    durable.write_file(folder / RECORDS, records)
                    warnings = [i.to_dict() for i in preview.issues]
                    return replace(submission, format=FORMAT, records=RECORDS, warnings=warnings)
                preview = replace(preview, issues=[*preview.issues, *check])
            errors = [i.message for i in preview.issues if i.severity == "error"]
            problem = errors[0] if errors else f"it is not a file of {submission.member}"
        return replace(
            submission,
            format=FORMAT,
            state="rejected",
            reviewed_by=SYSTEM.label,
            reviewed_at=_now(),
            note=f"Sent before submissions kept normalised records, and it no longer passes validation ({problem}). "
            "Please send it again.",
        )


def _records_file(
    store: Store, submission_id: str, raw: RawFile, preview: Preview, today: dt.date
) -> tuple[bytes, list[Issue]]:
    """The ``records.yaml`` of a valid upload, and the problems that keep it from loading back whole."""
    assert raw.member is not None and preview.actions is not None
    header = f"{raw.member}: the records of {Path(raw.file).name} as sent for review ({submission_id})."
    records = member_yaml(raw.member, preview.actions, illustrative=preview.illustrative, header=header).encode()
    problems = reload_problems(store.catalog, raw.member, records, preview.actions, file=raw.file, today=today)
    return records, problems


def _needs_conversion(folder: Path, submission: Submission) -> bool:
    """A first-format submission, or one whose conversion a crash cut short (a raw upload left beside it)."""
    return submission.format == 1 or any(p.name not in (META, submission.records) for p in folder.iterdir())


def _records_version(store: Store, member: str) -> str:
    """A fingerprint of the member's record file(s): any apply changes it."""
    digest = hashlib.sha256()
    for path in sorted(store.current_files(member)):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _write_meta(folder: Path, submission: Submission) -> None:
    staged = folder / f"{META}.tmp"
    durable.write_file(staged, json.dumps(asdict(submission), indent=2).encode())
    durable.replace(staged, folder / META)
    durable.fsync_dir(folder)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")

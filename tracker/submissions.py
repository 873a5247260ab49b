"""Submissions waiting for review: a focal point's upload, kept until a reviewer decides.

Each submission is a folder ``_submissions/<id>/`` holding the uploaded file
exactly as sent and ``meta.json`` (who, when, state, reviewer, note, and a
fingerprint of the member's records the file was compared with). Files are
written aside and renamed into place, so a crash leaves either no submission or
a whole one. Approving hands the stored file to
:meth:`tracker.store.Store.apply`, the same path as the command line, unless the
member's records changed after the file was sent: applying it then would undo
that other update, so it is refused with a plain message instead.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import uuid
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Literal

from loaders.issues import error
from loaders.tables import read_member_bytes
from tracker.access import User, can_review, can_submit, require
from tracker.store import ApplyResult, Preview, Store

SUBMISSIONS = "_submissions"
State = Literal["pending", "approved", "rejected"]


@dataclass(frozen=True)
class Submission:
    """One uploaded file and its review state."""

    id: str
    member: str
    file: str
    submitted_by: str
    submitted_at: str
    summary: str
    state: State = "pending"
    reviewed_by: str | None = None
    reviewed_at: str | None = None
    note: str | None = None
    change_id: str | None = None
    base: str | None = None  # fingerprint of the member's records when sent (None in older submissions)

    @property
    def sent_label(self) -> str:
        """When it was sent, to the minute: ``2026-11-28 17:13 UTC`` (two on one day stay apart)."""
        try:
            return f"{dt.datetime.fromisoformat(self.submitted_at).astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"
        except ValueError:
            return self.submitted_at  # a hand-edited meta.json: show what it says


class Submissions:
    """The review queue of one data directory."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.root = store.data_dir / SUBMISSIONS

    def submit(
        self, name: str, data: bytes, user: User, *, today: dt.date | None = None
    ) -> tuple[Preview, Submission | None]:
        """Validate an upload and, if it is valid and the user may, queue it for review.

        Returns:
            The preview (issues and diff) and the queued submission, or None when
            the file has errors (nothing is written then).

        Raises:
            AccessDeniedError: the user may not submit for the file's member.
        """
        raw = read_member_bytes(name, data)
        # Taken before the preview, so it is never newer than the records the diff was computed against.
        base = _records_version(self.store, raw.member) if raw.member in self.store.catalog.members else None
        preview = self.store.preview(raw, today=today)
        if preview.member is not None:
            require(can_submit(user, preview.member), f"submit updates for {preview.member}")
        if not preview.ok:
            return preview, None
        assert preview.member is not None and preview.diff is not None
        submission = Submission(
            # Microseconds in the id keep list() (sorted by id) in sending order, even within one second.
            id=f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S%fZ}-{preview.member}-{uuid.uuid4().hex[:6]}",
            member=preview.member,
            file=Path(name).name,
            submitted_by=user.label,
            submitted_at=_now(),
            summary=preview.diff.summary(),
            base=base,
        )
        folder = self.root / submission.id
        staging = self.root / f".{submission.id}.tmp"
        staging.mkdir(parents=True)
        (staging / submission.file).write_bytes(data)
        _write_meta(staging, submission)
        os.replace(staging, folder)  # the submission appears whole or not at all
        return preview, submission

    def list(self, state: State | None = None) -> list[Submission]:
        """Submissions, oldest first, optionally of one state."""
        if not self.root.is_dir():
            return []
        found = [self._read(p) for p in sorted(self.root.iterdir()) if p.is_dir() and not p.name.startswith(".")]
        return [s for s in found if s is not None and (state is None or s.state == state)]

    def get(self, submission_id: str) -> Submission:
        """One submission by id.

        Raises:
            KeyError: no such submission.
        """
        for submission in self.list():
            if submission.id == submission_id:
                return submission
        raise KeyError(submission_id)

    def preview(self, submission: Submission, *, today: dt.date | None = None) -> Preview:
        """Re-validate a stored submission against the records as they are now.

        A submission sent before the member's records last changed gets an error
        (``records-changed``), so it is not approved by mistake.
        """
        data = (self.root / submission.id / submission.file).read_bytes()
        preview = self.store.preview(read_member_bytes(submission.file, data), today=today)
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
        """Apply a pending submission and mark it approved.

        Nothing is written when the file no longer validates or the member's
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
                return ApplyResult(self.preview(submission, today=today))
            data = (self.root / submission.id / submission.file).read_bytes()
            # The history names both people: "Submitter <id>, approved by Reviewer <id>" (name == id, so the
            # label is exactly this text).
            both = f"{submission.submitted_by}, approved by {reviewer.label}"
            by = User(id=both, name=both, role=reviewer.role)
            result = self.store.apply(read_member_bytes(submission.file, data), by, today=today)
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
            return Submission(**json.loads((folder / "meta.json").read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None  # a damaged folder is skipped, not fatal


def _records_version(store: Store, member: str) -> str:
    """A fingerprint of the member's record file(s): any apply changes it."""
    digest = hashlib.sha256()
    for path in sorted(store.current_files(member)):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _write_meta(folder: Path, submission: Submission) -> None:
    tmp = folder / "meta.json.tmp"
    tmp.write_text(json.dumps(asdict(submission), indent=2), encoding="utf-8")
    os.replace(tmp, folder / "meta.json")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")

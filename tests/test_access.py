"""Roles and the review queue at the library level: the role map, who may do what, submit/approve/reject.

The UI hides what a role may not do; these tests call the write paths directly, as a forged request would.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
import re
import shutil
import time
import uuid
from pathlib import Path

import openpyxl
import pytest
import yaml
from filelock import FileLock

from loaders.catalog import Catalog, load_catalog
from loaders.dataset import build_dataset
from loaders.tables import read_member_bytes
from tracker import settings
from tracker.access import (
    ANONYMOUS,
    ROLES_FILE,
    AccessDeniedError,
    Role,
    User,
    can_review,
    can_see_confidential,
    can_submit,
    email_verified,
    load_roles,
    require,
)
from tracker.records.diff import comparable
from tracker.records.store import Store
from tracker.records.submissions import SUBMISSIONS, Submissions

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 28)
FOCAL_THA = User("fp.tha@example.org", "Fa Tha", Role.FOCAL_POINT, "THA")
FOCAL_IDN = User("fp.idn@example.org", "Ida Idn", Role.FOCAL_POINT, "IDN")
REVIEWER = User("rev@example.org", "Rita Rev", Role.REVIEWER)
ADMIN = User("admin@example.org", "Adam Admin", Role.ADMIN)
VIEWER = User("someone@example.org", "Someone", Role.VIEWER)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "data"
    directory.mkdir()
    for name in ("THA.yaml", "IDN.xlsx"):
        shutil.copy(ROOT / "data" / "sample" / name, directory / name)
    return directory


@pytest.fixture
def queue(catalog: Catalog, data_dir: Path) -> Submissions:
    return Submissions(Store(data_dir, catalog))


def tha_bytes(data_dir: Path, edit=None) -> bytes:
    """THA.yaml as upload bytes, with ``edit(document)`` applied."""
    document = yaml.safe_load((data_dir / "THA.yaml").read_text(encoding="utf-8"))
    if edit:
        edit(document)
    return yaml.safe_dump(document, sort_keys=False).encode()


def set_status(index: int, status: str):
    def edit(document):
        document["actions"][index]["status"] = status

    return edit


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` (relative path -> bytes), to prove nothing was written.

    The store's lock file is left out: taking the lock creates it, empty, and that is no record.
    """
    files = (p for p in sorted(directory.rglob("*")) if p.is_file() and p.name != ".lock")
    return {str(p.relative_to(directory)): p.read_bytes() for p in files}


def just_now(stamp: str | None) -> bool:
    """True when ``stamp`` is an ISO time (with its zone) within the last minute."""
    return stamp is not None and abs(dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(stamp)).total_seconds() < 60


def write_roles(data_dir: Path, text: str) -> Path:
    path = data_dir / ROLES_FILE
    path.write_text(text, encoding="utf-8")
    return path


# --- the role map ------------------------------------------------------------------------------


def test_roles_file_maps_emails_to_roles_and_members(data_dir):
    write_roles(
        data_dir,
        """
users:
  - email: fp.tha@example.org
    role: focal_point
    member: tha
  - email: rev@example.org
    role: reviewer
  - email: boss@example.org
    role: admin
  - email: reader@example.org
    role: viewer
  - email: rev2@example.org
    role: reviewer
    member: IDN
""",
    )
    roles = load_roles(data_dir)

    assert roles.problems == ()
    assert roles.user("fp.tha@example.org", "Fa") == User("fp.tha@example.org", "Fa", Role.FOCAL_POINT, "THA")
    assert roles.user("rev@example.org").role == Role.REVIEWER
    assert roles.user("boss@example.org").role == Role.ADMIN
    assert roles.user("reader@example.org").role == Role.VIEWER
    assert roles.user("rev2@example.org").member is None  # only a focal point is tied to a member
    stranger = roles.user("stranger@example.org", "Stranger")
    assert (stranger.role, stranger.member, stranger.name) == (Role.VIEWER, None, "Stranger")


def test_emails_match_whatever_their_case(data_dir):
    write_roles(data_dir, "users:\n  - email: ' Fa.Tha@Example.ORG '\n    role: focal_point\n    member: THA\n")
    roles = load_roles(data_dir)

    for email in ("fa.tha@example.org", "FA.THA@EXAMPLE.ORG", "Fa.Tha@example.org "):
        user = roles.user(email)
        assert (user.role, user.member) == (Role.FOCAL_POINT, "THA"), email
    assert roles.user("FA.THA@EXAMPLE.ORG").id == "FA.THA@EXAMPLE.ORG"  # shown as the provider reported it


def test_missing_roles_file_makes_everyone_a_viewer(data_dir):
    roles = load_roles(data_dir)
    assert roles.entries == {} and roles.problems == ()
    assert roles.user("rev@example.org").role == Role.VIEWER


UNKNOWN_ROLE = "has an unknown role; use viewer, focal_point, reviewer, admin"  # the hint lists every role


@pytest.mark.parametrize(
    ("entry", "problem", "named"),
    [
        pytest.param("email: x@example.org\n    role: superuser", UNKNOWN_ROLE, "x@example.org", id="unknown-role"),
        pytest.param(
            "email: x@example.org\n    role: Reviewer", UNKNOWN_ROLE, "x@example.org", id="role-in-wrong-case"
        ),
        pytest.param("email: X@Example.org", UNKNOWN_ROLE, "x@example.org", id="no-role"),
        pytest.param("x@example.org", UNKNOWN_ROLE, "x@example.org", id="entry-not-a-mapping"),
        pytest.param(
            "email: X@Example.org\n    role: focal_point", "member id", "x@example.org", id="focal-point-without-member"
        ),
        pytest.param(
            "email: x@example.org\n    role: focal_point\n    member: ../IDN",
            "member id",
            "x@example.org",
            id="member-with-path",
        ),
        pytest.param(
            "email: x@example.org\n    role: focal_point\n    member: Indonesia",
            "member id",
            "x@example.org",
            id="member-by-name",
        ),
        pytest.param("role: reviewer", "needs an e-mail", "{'role': 'reviewer'}", id="no-email"),
        pytest.param("email:\n    role: reviewer", "needs an e-mail", "'role': 'reviewer'", id="blank-email"),
    ],
)
def test_bad_entries_are_skipped_and_reported(data_dir, entry, problem, named):
    write_roles(
        data_dir,
        f"users:\n  - {entry}\n  - email: rev@example.org\n    role: reviewer\n",
    )
    roles = load_roles(data_dir)

    assert len(roles.problems) == 1 and problem in roles.problems[0], roles.problems
    assert roles.problems[0].startswith(f"{ROLES_FILE}: '")
    assert named in roles.problems[0], "the problem names the entry, by its e-mail when it has one"
    assert set(roles.entries) == {"rev@example.org"}, "the good entry is kept, the bad one is not"
    assert roles.user("x@example.org").role == Role.VIEWER


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("users:\n  - email: [unclosed\n", id="syntax-error"),
        pytest.param("users: !!python/object/apply:os.system ['echo never']\n", id="object-tag"),
        pytest.param("\xff\xfe not text", id="binary"),
        pytest.param("- email: rev@example.org\n  role: reviewer\n", id="list-without-users-key"),
        pytest.param("users: rev@example.org\n", id="users-not-a-list"),
        pytest.param("", id="empty"),
    ],
)
def test_a_broken_roles_file_is_reported_never_a_crash(data_dir, text):
    (data_dir / ROLES_FILE).write_bytes(text.encode("latin-1"))
    roles = load_roles(data_dir)

    assert roles.entries == {}
    assert len(roles.problems) == 1 and roles.problems[0].startswith(f"{ROLES_FILE}: "), roles.problems
    assert roles.user("rev@example.org").role == Role.VIEWER


@pytest.mark.parametrize(
    ("claims", "trust_absent", "verified"),
    [
        ({"email_verified": True}, False, True),
        ({"email_verified": "true"}, False, True),
        ({"email_verified": " True "}, False, True),
        ({"email_verified": False}, False, False),
        ({"email_verified": False}, True, False),  # a provider that says no is never overruled
        ({"email_verified": "false"}, True, False),
        ({"email_verified": "yes"}, False, False),  # only true is true
        ({"email_verified": 1}, False, False),
        ({}, False, False),  # absent: not verified unless the role map trusts it
        ({"email_verified": None}, False, False),
        ({}, True, True),
    ],
)
def test_an_email_counts_only_when_the_provider_verified_it(claims, trust_absent, verified):
    assert email_verified({"email": "rev@example.org", **claims}, trust_absent=trust_absent) is verified


@pytest.mark.parametrize(
    ("line", "trusted", "problems"),
    [("", False, 0), ("trust_unverified_email: true\n", True, 0), ("trust_unverified_email: false\n", False, 0)]
    + [(f"trust_unverified_email: {value}\n", False, 1) for value in ("'true'", "1", "sometimes", "")],
)
def test_the_role_map_trusts_an_absent_email_claim_only_when_told_to(data_dir, line, trusted, problems):
    write_roles(data_dir, f"{line}users:\n  - email: rev@example.org\n    role: reviewer\n")
    roles = load_roles(data_dir)

    assert roles.trust_unverified_email is trusted
    assert len(roles.problems) == problems
    assert all("trust_unverified_email" in p and "taken as false" in p for p in roles.problems)
    assert roles.user("rev@example.org").role == Role.REVIEWER, "the rest of the file still counts"


# --- who may do what ------------------------------------------------------------------------------

# (user, may submit for THA, may submit for IDN, may review, may see confidential actions)
MATRIX = [
    (ANONYMOUS, False, False, False, False),
    (VIEWER, False, False, False, False),
    (FOCAL_THA, True, False, False, False),
    (FOCAL_IDN, False, True, False, False),
    (User("lost@example.org", "Lost", Role.FOCAL_POINT, None), False, False, False, False),
    (REVIEWER, True, True, True, True),
    (ADMIN, True, True, True, True),
]


@pytest.mark.parametrize(
    ("user", "tha", "idn", "review", "confidential"), MATRIX, ids=lambda v: v.id if isinstance(v, User) else None
)
def test_permission_matrix(user, tha, idn, review, confidential):
    assert (can_submit(user, "THA"), can_submit(user, "IDN")) == (tha, idn)
    assert can_review(user) is review
    assert can_see_confidential(user) is confidential


def test_require_raises_a_plain_message():
    require(True, "do anything")
    with pytest.raises(AccessDeniedError, match=r"^Your role does not allow you to approve submissions\.$"):
        require(False, "approve submissions")


def test_history_label_names_the_person():
    assert REVIEWER.label == "Rita Rev <rev@example.org>"
    assert User("rev@example.org", "rev@example.org").label == "rev@example.org"


# --- submitting -----------------------------------------------------------------------------------


def test_a_focal_point_submits_for_their_own_member(queue, data_dir):
    records = (data_dir / "THA.yaml").read_bytes()

    preview, submission = queue.submit("THA.yaml", tha_bytes(data_dir, set_status(4, "substantial")), FOCAL_THA)

    assert preview.ok and submission is not None
    assert (submission.member, submission.state, submission.submitted_by) == ("THA", "pending", FOCAL_THA.label)
    assert submission.summary == "0 added, 0 removed, 1 field(s) changed in 1 action(s)"
    assert [s.id for s in queue.list("pending")] == [submission.id]
    folder = data_dir / SUBMISSIONS / submission.id
    assert sorted(p.name for p in folder.iterdir()) == ["meta.json", "records.yaml"]
    meta = json.loads((folder / "meta.json").read_text())
    assert (meta["state"], meta["format"], meta["records"], meta["file"]) == ("pending", 2, "records.yaml", "THA.yaml")
    assert (folder / "meta.json").read_text() == json.dumps(meta, indent=2), "indented, for reading by hand"
    assert (data_dir / "THA.yaml").read_bytes() == records, "a submission does not change the records"
    # The id: when it was sent (UTC, to the microsecond), the member, a random suffix.
    assert re.fullmatch(r"\d{8}T\d{12}Z-THA-[0-9a-f]{6}", submission.id)
    assert just_now(submission.submitted_at)
    # The fingerprint of the records it was compared with; kept in meta.json, so its recipe must never change.
    assert submission.base == hashlib.sha256(b"THA.yaml\0" + records + b"\0").hexdigest()
    stored = yaml.safe_load((folder / "records.yaml").read_text())
    assert (stored["member"], stored["illustrative"]) == ("THA", True)  # the sample stays marked as such
    assert queue.store.log().empty


def test_submissions_sent_in_the_same_second_list_in_sending_order(queue, data_dir, monkeypatch):
    # Random suffixes in falling order: only the time in the id can keep the list in sending order.
    suffixes = iter(uuid.UUID(int=n << 100) for n in (0xFFF, 0x888, 0x111))
    monkeypatch.setattr(uuid, "uuid4", lambda: next(suffixes))
    sent = [
        queue.submit("THA.yaml", tha_bytes(data_dir, set_status(4, status)), FOCAL_THA)[1]
        for status in ("substantial", "limited", "complete")
    ]

    assert [s.id for s in queue.list("pending")] == [s.id for s in sent if s is not None]
    assert sent[0] is not None and sent[0].sent_label.endswith(" UTC") and len(sent[0].sent_label) == 20


@pytest.mark.parametrize("user", [FOCAL_IDN, VIEWER, ANONYMOUS], ids=["focal-point-of-IDN", "viewer", "anonymous"])
def test_nobody_else_can_submit_and_nothing_is_written(queue, data_dir, user):
    before = snapshot(data_dir)

    with pytest.raises(AccessDeniedError, match="submit updates for THA"):
        queue.submit("THA.yaml", tha_bytes(data_dir, set_status(4, "substantial")), user)

    assert snapshot(data_dir) == before
    assert queue.list() == []


def test_a_file_with_errors_is_not_queued(queue, data_dir):
    before = snapshot(data_dir)

    preview, submission = queue.submit("THA.yaml", tha_bytes(data_dir, set_status(4, "almost done")), FOCAL_THA)

    assert submission is None and not preview.ok
    assert [(i.field, i.code) for i in preview.issues] == [("status", "unknown-status")]
    assert snapshot(data_dir) == before


def test_a_renamed_upload_cannot_smuggle_another_member(queue, data_dir):
    """The file name decides the member; a THA file renamed IDN.yaml fails on its member column and its ids."""
    before = snapshot(data_dir)

    preview, submission = queue.submit("IDN.yaml", tha_bytes(data_dir), FOCAL_IDN)

    assert submission is None and not preview.ok
    assert snapshot(data_dir) == before


# --- reviewing ------------------------------------------------------------------------------------


def test_a_reviewer_approves_and_the_history_names_both(queue, data_dir):
    _, submission = queue.submit("THA.yaml", tha_bytes(data_dir, set_status(4, "substantial")), FOCAL_THA)
    assert submission is not None
    action_id = yaml.safe_load((data_dir / "THA.yaml").read_text())["actions"][4]["action_id"]

    result = queue.approve(submission.id, REVIEWER, "Checked with the RSO", today=TODAY)

    assert result.ok
    records = yaml.safe_load((data_dir / "THA.yaml").read_text())
    assert records["actions"][4]["status"] == "substantial"
    decided = queue.get(submission.id)
    assert (decided.state, decided.reviewed_by, decided.note) == ("approved", REVIEWER.label, "Checked with the RSO")
    assert decided.change_id == result.change_id and just_now(decided.reviewed_at)
    log = queue.store.log("THA")
    assert log[["kind", "action_id", "field", "new"]].values.tolist() == [
        ["changed", action_id, "status", "substantial"]
    ]
    assert log["by"].tolist() == ["Fa Tha <fp.tha@example.org>, approved by Rita Rev <rev@example.org>"]
    assert log["change_id"].tolist() == [result.change_id]


@pytest.mark.parametrize("user", [FOCAL_THA, VIEWER, ANONYMOUS], ids=["focal-point", "viewer", "anonymous"])
def test_only_reviewers_approve_or_reject(queue, data_dir, user):
    _, submission = queue.submit("THA.yaml", tha_bytes(data_dir, set_status(4, "substantial")), FOCAL_THA)
    assert submission is not None
    before = snapshot(data_dir)

    with pytest.raises(AccessDeniedError, match=r"^Your role does not allow you to approve submissions\.$"):
        queue.approve(submission.id, user, today=TODAY)
    with pytest.raises(AccessDeniedError, match=r"^Your role does not allow you to reject submissions\.$"):
        queue.reject(submission.id, user, "no")

    assert snapshot(data_dir) == before
    assert queue.get(submission.id).state == "pending"


def test_an_admin_approves_too(queue, data_dir):
    _, submission = queue.submit("THA.yaml", tha_bytes(data_dir, set_status(4, "substantial")), FOCAL_THA)
    assert submission is not None
    assert queue.approve(submission.id, ADMIN, today=TODAY).ok


def test_rejecting_needs_a_note_and_changes_no_record(queue, data_dir):
    _, submission = queue.submit("THA.yaml", tha_bytes(data_dir, set_status(4, "substantial")), FOCAL_THA)
    assert submission is not None
    records = (data_dir / "THA.yaml").read_bytes()

    for note in ("", "   \n"):
        with pytest.raises(ValueError, match=r"^Say why the submission is rejected, so the focal point can fix it\.$"):
            queue.reject(submission.id, REVIEWER, note)
        assert queue.get(submission.id).state == "pending"

    rejected = queue.reject(submission.id, REVIEWER, "THA-005 needs evidence first")

    assert (rejected.state, rejected.note, rejected.reviewed_by) == (
        "rejected",
        "THA-005 needs evidence first",
        REVIEWER.label,
    )
    assert queue.get(submission.id) == rejected
    assert just_now(rejected.reviewed_at), "when it was decided"
    assert (data_dir / "THA.yaml").read_bytes() == records
    assert queue.store.log().empty
    with pytest.raises(ValueError, match="already rejected"):
        queue.approve(submission.id, REVIEWER, today=TODAY)


def test_approving_twice_fails_and_applies_once(queue, data_dir):
    _, submission = queue.submit("THA.yaml", tha_bytes(data_dir, set_status(4, "substantial")), FOCAL_THA)
    assert submission is not None
    assert queue.approve(submission.id, REVIEWER, today=TODAY).ok
    records = (data_dir / "THA.yaml").read_bytes()

    with pytest.raises(ValueError, match="already approved"):
        queue.approve(submission.id, ADMIN, today=TODAY)
    with pytest.raises(ValueError, match="already approved"):
        queue.reject(submission.id, ADMIN, "too late")

    assert (data_dir / "THA.yaml").read_bytes() == records
    assert queue.store.log()["change_id"].nunique() == 1
    assert queue.get(submission.id).reviewed_by == REVIEWER.label


def test_an_unknown_submission_is_a_key_error(queue):
    with pytest.raises(KeyError, match="20260101T000000-THA-abcdef"):
        queue.approve("20260101T000000-THA-abcdef", REVIEWER, today=TODAY)


def test_a_submission_overtaken_by_another_update_is_not_applied(queue, data_dir):
    """Two files sent from the same records: once one is approved, approving the other would undo it."""
    _, first = queue.submit("THA.yaml", tha_bytes(data_dir, set_status(4, "substantial")), FOCAL_THA)
    _, second = queue.submit("THA.yaml", tha_bytes(data_dir, set_status(6, "discontinued")), FOCAL_THA)
    assert first is not None and second is not None
    assert queue.approve(first.id, REVIEWER, today=TODAY).ok
    after_first = snapshot(data_dir)
    after_first.pop(f"{SUBMISSIONS}/{first.id}/meta.json")

    preview = queue.preview(queue.get(second.id), viewer=REVIEWER, today=TODAY)
    result = queue.approve(second.id, REVIEWER, today=TODAY)

    assert not preview.ok and [(i.code, i.file, i.row) for i in preview.issues] == [
        ("records-changed", "THA.yaml", None)
    ]
    message = preview.issues[0].message  # what happened, why it matters, and what to do
    assert message.startswith("THA.yaml: THA's records changed after this file was sent (another update was applied)")
    assert "so approving it would undo that update" in message
    assert message.endswith("Reject it and ask the focal point to download a fresh template, make the changes again "
                            "and send it")  # fmt: skip
    assert not result.ok and [i.code for i in result.preview.issues] == ["records-changed"]
    records = yaml.safe_load((data_dir / "THA.yaml").read_text())["actions"]
    assert (records[4]["status"], records[6]["status"]) == ("substantial", tha_status(6))
    now = snapshot(data_dir)
    now.pop(f"{SUBMISSIONS}/{first.id}/meta.json")
    assert now == after_first, "nothing was written"
    assert queue.get(second.id).state == "pending"
    assert queue.reject(second.id, REVIEWER, "Overtaken; please send a fresh file").state == "rejected"


def tha_status(index: int) -> str:
    """The status of a THA action in the bundled sample."""
    return yaml.safe_load((ROOT / "data" / "sample" / "THA.yaml").read_text())["actions"][index]["status"]


def test_a_submission_the_catalog_no_longer_accepts_is_not_applied(catalog, data_dir):
    """The catalog changed after sending (a mechanism the file names was retired): the file no longer validates."""
    document = yaml.safe_load((data_dir / "THA.yaml").read_text())
    mechanism = next(m for a in document["actions"] for m in a.get("asean_mechanisms") or [])
    _, submission = Submissions(Store(data_dir, catalog)).submit(
        "THA.yaml", tha_bytes(data_dir, set_status(4, "substantial")), FOCAL_THA
    )
    assert submission is not None
    before = snapshot(data_dir)
    retired = dataclasses.replace(catalog, mechanisms={k: v for k, v in catalog.mechanisms.items() if k != mechanism})
    later = Submissions(Store(data_dir, retired))

    result = later.approve(submission.id, REVIEWER, today=TODAY)

    assert not result.ok
    assert "unknown-mechanism" in {i.code for i in result.preview.issues}
    assert snapshot(data_dir) == before
    assert later.get(submission.id).state == "pending"


def test_a_damaged_submission_folder_is_skipped(queue, data_dir):
    _, submission = queue.submit("THA.yaml", tha_bytes(data_dir, set_status(4, "substantial")), FOCAL_THA)
    assert submission is not None
    broken = data_dir / SUBMISSIONS / "20260101T000000-THA-broken"
    broken.mkdir()
    (broken / "meta.json").write_text("{not json")

    assert [s.id for s in queue.list()] == [submission.id]


# --- what a submission keeps ------------------------------------------------------------------------------------


def idn_xlsx_edited(data_dir: Path, catalog: Catalog) -> bytes:
    """IDN's sample workbook with one status changed and an unknown column added (kept, with a warning)."""
    book = openpyxl.load_workbook(data_dir / "IDN.xlsx")
    sheet = book["Actions"]
    header = next(r for r in sheet.iter_rows(max_row=10) if "Status" in [c.value for c in r])
    status = next(c.column for c in header if c.value == "Status")
    extra = sheet.max_column + 1
    sheet.cell(header[0].row, extra, "Internal ref")
    sheet.cell(header[0].row + 1, status, "Substantial")
    sheet.cell(header[0].row + 1, extra, "REF-1")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rows_of(catalog: Catalog, name: str, data: bytes) -> list[tuple]:
    """The validated records of a file, as comparable text rows (ids and every contract field)."""
    actions = build_dataset(catalog, [read_member_bytes(name, data)], today=TODAY).actions
    table = comparable(actions.sort_values("action_id", kind="stable"))
    return [(i, *row) for i, row in zip(table.index, table.itertuples(index=False), strict=True)]


def test_a_submission_keeps_the_normalised_records_not_the_uploaded_file(queue, catalog, data_dir):
    upload = idn_xlsx_edited(data_dir, catalog)

    preview, submission = queue.submit("IDN.xlsx", upload, FOCAL_IDN)

    assert preview.ok and submission is not None
    folder = data_dir / SUBMISSIONS / submission.id
    assert sorted(p.name for p in folder.iterdir()) == ["meta.json", "records.yaml"]
    stored = (folder / "records.yaml").read_bytes()
    assert not stored.startswith(b"PK") and upload not in stored
    assert stored.startswith(f"# IDN: the records of IDN.xlsx as sent for review ({submission.id}).\n".encode())
    document = yaml.safe_load(stored)  # plain YAML: no tag, nothing that builds an object
    assert document["member"] == "IDN" and len(document["actions"]) == 60
    assert rows_of(catalog, "IDN.yaml", stored) == rows_of(catalog, "IDN.xlsx", upload), "the same records"
    assert queue.records(submission) == stored
    assert (submission.file, submission.format, submission.records) == ("IDN.xlsx", 2, "records.yaml")
    assert [(w.code, w.field) for w in submission.sent_warnings] == [("unknown-column", None)]
    assert submission.sent_warnings[0].file == "IDN.xlsx"


def test_the_review_diff_of_the_stored_records_is_the_one_the_sender_saw(queue, catalog, data_dir):
    def edit(document):
        document["actions"][4]["status"] = "substantial"
        document["actions"].pop(2)
        document["actions"].append(
            {"commitments": "ASC-1", "title": "New", "status": "limited", "last_updated": dt.date(2026, 11, 1)}
        )

    sent, submission = queue.submit("THA.yaml", tha_bytes(data_dir, edit), FOCAL_THA)
    assert submission is not None

    review = queue.preview(submission, viewer=REVIEWER, today=TODAY)

    assert review.ok and review.diff is not None and sent.diff is not None
    assert review.diff.summary() == sent.diff.summary() == "1 added, 1 removed, 1 field(s) changed in 1 action(s)"
    assert review.diff.changed.values.tolist() == sent.diff.changed.values.tolist()
    assert list(review.diff.removed["action_id"]) == list(sent.diff.removed["action_id"])
    assert list(review.diff.added["title"]) == ["New"] and review.diff.added["action_id"].isna().all()


def test_approving_applies_the_stored_records_and_names_the_new_ids(queue, catalog, data_dir):
    def add(document):
        document["actions"].append(
            {"commitments": "ASC-1", "title": "New", "status": "limited", "last_updated": dt.date(2026, 11, 1)}
        )

    _, submission = queue.submit("THA.yaml", tha_bytes(data_dir, add), FOCAL_THA)
    assert submission is not None

    result = queue.approve(submission.id, REVIEWER, today=TODAY)

    assert result.ok and result.assigned_ids == ["THA-056"]
    decided = queue.get(submission.id)
    assert (decided.state, decided.note, decided.change_id) == ("approved", None, result.change_id)
    records = yaml.safe_load((data_dir / "THA.yaml").read_text())["actions"]
    assert records[-1]["action_id"] == "THA-056" and records[-1]["title"] == "New"
    log = queue.store.log("THA")
    assert log[["kind", "action_id", "new", "file"]].values.tolist() == [["added", "THA-056", "New", "THA.yaml"]]


def alias_yaml() -> bytes:
    """About 1.5 KB of YAML whose aliases expand to a 13 MB member file once written out."""
    leaf = "y" * 120
    levels = [f"  a0: &a0 [{', '.join([leaf] * 10)}]"]
    levels += [f"  a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 5)]
    text = "member: THA\nx:\n" + "\n".join(levels) + "\nactions:\n"
    text += "- commitments: ASC-1\n  title: One\n  status: limited\n  last_updated: 2026-11-01\n  junk: *a4\n"
    return text.encode()


def test_records_that_would_not_load_once_written_are_not_queued(queue, data_dir):
    before = snapshot(data_dir)

    preview, submission = queue.submit("THA.yaml", alias_yaml(), FOCAL_THA, today=TODAY)

    assert submission is None and not preview.ok
    assert [i.code for i in preview.issues if i.severity == "error"] == ["records-not-loadable"]
    assert snapshot(data_dir) == before


# --- submissions of the first format (the raw upload kept) ------------------------------------------------------


def old_submission(data_dir: Path, name: str, data: bytes, state: str = "pending", member: str = "THA") -> Path:
    """A submission as the first format wrote it: the upload as sent, and meta.json without format or records."""
    submission_id = f"20261101T100000000000Z-{member}-{name[:3].lower()}{state[:3]}"
    folder = data_dir / SUBMISSIONS / submission_id
    folder.mkdir(parents=True)
    (folder / name).write_bytes(data)
    meta = {
        "id": submission_id,
        "member": member,
        "file": name,
        "submitted_by": FOCAL_THA.label,
        "submitted_at": "2026-11-01T10:00:00+00:00",
        "summary": "0 added, 0 removed, 1 field(s) changed in 1 action(s)",
        "state": state,
        "reviewed_by": None if state == "pending" else REVIEWER.label,
        "reviewed_at": None,
        "note": None,
        "change_id": None,
        "base": None,
    }
    (folder / "meta.json").write_text(json.dumps(meta))
    return folder


def test_an_old_pending_submission_is_converted_to_records_and_its_upload_deleted(queue, catalog, data_dir):
    upload = tha_bytes(data_dir, set_status(4, "substantial"))
    folder = old_submission(data_dir, "THA.yaml", upload)

    (submission,) = queue.list()

    assert sorted(p.name for p in folder.iterdir()) == ["meta.json", "records.yaml"]
    assert (submission.state, submission.format, submission.records, submission.file) == (
        "pending",
        2,
        "records.yaml",
        "THA.yaml",
    )
    assert rows_of(catalog, "THA.yaml", queue.records(submission)) == rows_of(catalog, "THA.yaml", upload)
    records = queue.records(submission)
    assert records.startswith(f"# THA: the records of THA.yaml as sent for review ({submission.id}).\n".encode())
    document = yaml.safe_load(records)
    assert (document["member"], document["illustrative"]) == ("THA", True)  # still marked as the sample
    assert json.loads((folder / "meta.json").read_text())["format"] == 2
    assert queue.approve(submission.id, REVIEWER, today=TODAY).ok
    assert yaml.safe_load((data_dir / "THA.yaml").read_text())["actions"][4]["status"] == "substantial"


def test_an_old_pending_workbook_is_converted_too(queue, catalog, data_dir):
    upload = idn_xlsx_edited(data_dir, catalog)
    folder = old_submission(data_dir, "IDN.xlsx", upload, member="IDN")

    (submission,) = queue.list("pending")

    assert sorted(p.name for p in folder.iterdir()) == ["meta.json", "records.yaml"]
    assert rows_of(catalog, "IDN.yaml", queue.records(submission)) == rows_of(catalog, "IDN.xlsx", upload)
    assert [w.code for w in submission.sent_warnings] == ["unknown-column"]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("THA.yaml", b"member: THA\nactions:\n- title: x\n", "Commitment IDs: a value is required"),
        ("THA.xlsx", b"not a workbook", "THA.xlsx"),
        ("IDN.yaml", b"member: IDN\nactions: []\n", "not a file of THA"),
        ("THA.yaml", None, "(its file is missing)."),
        ("THA.yaml", "alias", "(THA.yaml: applied, it would be saved as THA.yaml"),
    ],
    ids=["invalid", "unreadable", "another-member", "missing", "too-large-once-written"],
)
def test_an_old_pending_submission_that_no_longer_validates_is_rejected_with_the_reason(
    queue, data_dir, name, data, reason
):
    folder = old_submission(data_dir, name, alias_yaml() if data == "alias" else data or b"")
    if data is None:
        (folder / name).unlink()

    (submission,) = queue.list()

    assert (submission.state, submission.reviewed_by, submission.records) == ("rejected", "system", None)
    assert submission.note is not None and reason in submission.note
    assert submission.note.startswith("Sent before submissions kept normalised records, and it no longer passes")
    assert submission.note.endswith("). Please send it again."), "what the focal point is to do"
    if data is None:
        assert submission.note == (
            "Sent before submissions kept normalised records, and it no longer passes validation (its file is "
            "missing). Please send it again."
        )
    assert just_now(submission.reviewed_at), "when it was decided"
    assert sorted(p.name for p in folder.iterdir()) == ["meta.json"]
    assert json.loads((folder / "meta.json").read_text())["format"] == 2
    with pytest.raises(KeyError, match=f"{submission.id} keeps no records"):
        queue.records(submission)
    assert queue.list("pending") == []
    before = snapshot(data_dir)
    assert queue.list() == [submission] and snapshot(data_dir) == before, "converted once, for good"


def test_submitting_and_converting_judge_dates_at_the_apps_date_never_the_machines(queue, data_dir, monkeypatch):
    """Every check judges dates at ``settings.today()`` (TRACKER_TODAY), like the rest of the app, when the
    caller gives no date (the app never does)."""
    monkeypatch.setenv(settings.TODAY_ENV, "2099-06-01")

    def updated_in_2099(document):
        document["actions"][4].update(status="substantial", last_updated=dt.date(2099, 1, 1))

    folder = old_submission(data_dir, "THA.yaml", tha_bytes(data_dir, updated_in_2099))
    preview, sent = queue.submit("THA.yaml", tha_bytes(data_dir, updated_in_2099), FOCAL_THA)

    (converted, new) = queue.list()

    assert preview.ok and sent == new
    assert (converted.state, converted.records) == ("pending", "records.yaml"), converted.note
    assert sorted(p.name for p in folder.iterdir()) == ["meta.json", "records.yaml"]


def test_a_review_judges_the_records_at_the_date_it_is_given(queue, data_dir):
    """A row last updated on 20 November is in the future for a review dated the 10th, and fine on the 28th."""

    def updated_on_the_20th(document):
        document["actions"][4].update(status="substantial", last_updated=dt.date(2026, 11, 20))

    upload = tha_bytes(data_dir, updated_on_the_20th)
    early = dt.date(2026, 11, 10)
    refused, nothing = queue.submit("THA.yaml", upload, FOCAL_THA, today=early)
    assert nothing is None and [(i.field, i.code) for i in refused.issues] == [("last_updated", "future-date")]
    _, submission = queue.submit("THA.yaml", upload, FOCAL_THA, today=TODAY)
    assert submission is not None

    preview = queue.preview(submission, viewer=REVIEWER, today=early)
    result = queue.approve(submission.id, REVIEWER, today=early)

    assert [(i.field, i.code) for i in preview.issues] == [("last_updated", "future-date")]
    assert not result.ok and [i.code for i in result.preview.issues] == ["future-date"]
    assert queue.get(submission.id).state == "pending"
    assert queue.preview(submission, viewer=REVIEWER, today=TODAY).ok
    # Overtaken by another update, it is refused for both reasons.
    queue.store.apply(read_member_bytes("THA.yaml", tha_bytes(data_dir, set_status(6, "limited"))), REVIEWER)
    stale = queue.approve(submission.id, REVIEWER, today=early)
    assert sorted(i.code for i in stale.preview.issues) == ["future-date", "records-changed"]


def test_submission_ids_and_times_are_utc_whatever_the_servers_zone(queue, data_dir, monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Jakarta")  # UTC+7: a local time would be seven hours off
    time.tzset()
    try:
        _, submission = queue.submit("THA.yaml", tha_bytes(data_dir, set_status(4, "substantial")), FOCAL_THA)
        assert submission is not None
        rejected = queue.reject(submission.id, REVIEWER, "Please add evidence")
    finally:
        monkeypatch.undo()
        time.tzset()

    sent = dt.datetime.strptime(submission.id[:22], "%Y%m%dT%H%M%S%fZ").replace(tzinfo=dt.UTC)
    assert abs(dt.datetime.now(dt.UTC) - sent).total_seconds() < 60
    assert submission.submitted_at.endswith("+00:00") and rejected.reviewed_at.endswith("+00:00")
    assert just_now(submission.submitted_at) and just_now(rejected.reviewed_at)


@pytest.mark.parametrize("state", ["approved", "rejected"])
def test_an_old_decided_submission_keeps_its_decision_and_loses_its_upload(queue, data_dir, state):
    folder = old_submission(data_dir, "THA.yaml", tha_bytes(data_dir), state=state)

    (submission,) = queue.list()

    assert (submission.state, submission.format, submission.records) == (state, 2, None)
    assert submission.reviewed_by == REVIEWER.label
    assert sorted(p.name for p in folder.iterdir()) == ["meta.json"]


def test_a_conversion_cut_short_by_a_crash_is_finished(queue, data_dir):
    """meta.json says converted, but the raw upload (and a staged meta) are still there: they are removed."""
    _, submission = queue.submit("THA.yaml", tha_bytes(data_dir, set_status(4, "substantial")), FOCAL_THA)
    assert submission is not None
    folder = data_dir / SUBMISSIONS / submission.id
    (folder / "THA.xlsx").write_bytes(b"PK\x03\x04 the upload as sent")
    (folder / "meta.json.tmp").write_text("{")

    assert queue.list() == [submission]

    assert sorted(p.name for p in folder.iterdir()) == ["meta.json", "records.yaml"]


def test_folders_that_are_no_whole_submission_are_skipped(queue, data_dir):
    _, submission = queue.submit("THA.yaml", tha_bytes(data_dir, set_status(4, "substantial")), FOCAL_THA)
    assert submission is not None
    root = data_dir / SUBMISSIONS
    staged = root / f".{submission.id[:-1]}x.tmp"  # a submission a crash cut short, before its rename
    shutil.copytree(root / submission.id, staged)
    (root / "20260101T000000000000Z-THA-nometa").mkdir()
    unknown = root / "20260101T000000000000Z-THA-future"
    unknown.mkdir()
    meta = json.loads((root / submission.id / "meta.json").read_text())
    (unknown / "meta.json").write_text(json.dumps({**meta, "id": unknown.name, "from_a_later_version": 1}))

    assert [s.id for s in queue.list()] == [submission.id]


def test_old_and_new_submissions_are_listed_together(queue, data_dir):
    _, new = queue.submit("THA.yaml", tha_bytes(data_dir, set_status(4, "substantial")), FOCAL_THA)
    old_submission(data_dir, "THA.yaml", tha_bytes(data_dir, set_status(6, "limited")))
    assert new is not None

    listed = queue.list()

    assert [s.id for s in listed] == ["20261101T100000000000Z-THA-thapen", new.id]  # oldest first
    assert [s.format for s in listed] == [2, 2]


def test_reading_the_queue_never_waits_for_an_update_being_saved(catalog, data_dir):
    """The review page lists the queue while an apply holds the store's lock (for up to a minute)."""
    queue = Submissions(Store(data_dir, catalog, lock_timeout=0.2))
    _, submission = queue.submit("THA.yaml", tha_bytes(data_dir, set_status(4, "substantial")), FOCAL_THA)
    (data_dir / "_history").mkdir(exist_ok=True)

    with FileLock(str(data_dir / "_history" / ".lock")):  # another process's apply, as far as flock is concerned
        assert queue.list() == [submission]


def test_reading_the_queue_converts_nothing_when_nothing_is_old(queue, data_dir):
    _, submission = queue.submit("THA.yaml", tha_bytes(data_dir, set_status(4, "substantial")), FOCAL_THA)
    before = snapshot(data_dir)

    assert queue.list() == [submission] and queue.list("rejected") == []

    assert snapshot(data_dir) == before


def test_a_file_with_errors_for_another_member_is_refused_for_the_member_not_only_for_its_errors(queue, data_dir):
    """The member a file names is known even when its rows fail: submitting for it is checked first."""
    broken = b"member: THA\nactions:\n- title: x\n"  # no commitment, no status: errors

    with pytest.raises(AccessDeniedError, match="submit updates for THA"):
        queue.submit("THA.yaml", broken, FOCAL_IDN)

    preview, sent = queue.submit("THA.yaml", broken, FOCAL_THA)
    assert sent is None and preview.member == "THA" and not preview.ok

"""The Submit and Review pages in AppTest, for each role: what each may see and do, bad uploads, confidentiality.

Identity comes from ``at.user`` (what ``st.login`` would set) with an ``[auth]`` section in ``at.secrets`` and a
``_roles.yaml`` in a temporary copy of part of the sample data (``TRACKER_DATA_DIR``). Every write is checked on
disk, not only on screen.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import subprocess
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
import streamlit as st
import streamlit.testing.v1.app_test as app_test_module
import yaml
from filelock import FileLock
from streamlit import config
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from loaders.catalog import load_catalog
from loaders.tables import MAX_FILE_BYTES, MAX_UNZIPPED_BYTES, read_member_bytes
from tests.builders import require_program
from tracker.access import AccessDeniedError, Role, User
from tracker.records.store import Store
from tracker.records.submissions import SUBMISSIONS, Submissions
from ui.components import ISSUES_SHOWN_LIMIT
from ui.text import plain

pytestmark = pytest.mark.usefixtures("fresh_caches")  # AppTest runs read the files afresh

ROOT = Path(__file__).resolve().parent.parent
ENTRY = str(ROOT / "dashboard.py")
INVALID = ROOT / "tests" / "data" / "invalid"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-cookie-secret-of-at-least-thirty-two-characters",
    "client_id": "tracker",
    "client_secret": "not-a-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",  # never contacted in AppTest
}
ROLES = """
users:
  - email: fp.tha@example.org
    role: focal_point
    member: THA
  - email: fp.idn@example.org
    role: focal_point
    member: IDN
  - email: rev@example.org
    role: reviewer
"""
ANONYMOUS: dict[str, Any] = {"is_logged_in": False}
# What st.user holds after a sign-in: the provider's claims. A role needs an e-mail the provider verified.
VERIFIED = {"is_logged_in": True, "email_verified": True}
STRANGER = {**VERIFIED, "name": "Stan Ger", "email": "stranger@example.org"}  # logged in, not in the map
FOCAL_THA = {**VERIFIED, "name": "Fa Tha", "email": "FP.THA@example.org"}  # case differs from the map
FOCAL_IDN = {**VERIFIED, "name": "Ida Idn", "email": "fp.idn@example.org"}
REVIEWER = {**VERIFIED, "name": "Rita Rev", "email": "rev@example.org"}
UNCONFIRMED_NOTE = "Your provider did not confirm your e-mail address, so you are viewing as a guest"
# The sample's one confidential THA action gets a title found nowhere else, so "absent" can be checked as text.
SECRET_ID = "THA-017"
SECRET_TITLE = "Sealed arrangement with a witness-protection unit (test marker)"
SECRET_COMMITMENT = "BWP-A"
CHANGED_ID = "THA-005"  # limited in the sample; the tests raise it to substantial


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "data"
    directory.mkdir()
    for name in ("THA.yaml", "IDN.xlsx", "AUS.xlsx"):
        shutil.copy(ROOT / "data" / "sample" / name, directory / name)
    text = (directory / "THA.yaml").read_text(encoding="utf-8")
    document = yaml.safe_load(text)
    (secret,) = [a for a in document["actions"] if a.get("confidential")]
    assert secret["action_id"] == SECRET_ID and SECRET_COMMITMENT in secret["commitments"]
    assert text.count(f"title: {secret['title']}\n") == 1
    (directory / "THA.yaml").write_text(text.replace(secret["title"], SECRET_TITLE), encoding="utf-8")
    (directory / "_roles.yaml").write_text(ROLES, encoding="utf-8")
    monkeypatch.setenv("TRACKER_DATA_DIR", str(directory))
    monkeypatch.delenv("TRACKER_LOCAL_EDITING", raising=False)
    return directory


@pytest.fixture
def media(monkeypatch: pytest.MonkeyPatch) -> list[MediaFileManager]:
    """The media file managers AppTest creates (one per run), so download buttons can be 'clicked'."""
    made: list[MediaFileManager] = []

    class Recorded(MediaFileManager):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

        def remove_orphaned_files(self) -> None:
            """AppTest has no browser session, so every file would count as orphaned at the end of the run."""

    monkeypatch.setattr(app_test_module, "MediaFileManager", Recorded)
    return made


def app(user: dict[str, Any], page: str | None = None, query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = user
    if query:
        at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception
    if page:
        at.switch_page(page).run()
        assert not at.exception, at.exception
    return at


def upload(at: AppTest, name: str, data: bytes, mime: str = "application/octet-stream") -> AppTest:
    at.file_uploader(key="submit_upload").set_value((name, data, mime)).run()
    assert not at.exception, at.exception
    return at


def download(at: AppTest, media: list[MediaFileManager], key: str) -> tuple[str, str, bytes]:
    """(file name, MIME type, bytes) of a download button, as a click in the browser would fetch them."""
    return _fetch(media[-1], at.download_button(key=key).proto)


def downloads(at: AppTest, media: list[MediaFileManager]) -> list[tuple[str, str, bytes]]:
    """(label, MIME type, bytes) of every download button of the page, in page order.

    Each button is fetched by its own element, as its click would (files made on click are made, PDFs
    included): several buttons may share a label, and every one of them is a file a viewer can take away.
    """
    return [(button.label, *_fetch(media[-1], button.proto)[1:]) for button in at.download_button]


def _fetch(manager: MediaFileManager, proto: Any) -> tuple[str, str, bytes]:
    url = manager.execute_deferred(proto.deferred_file_id) if proto.deferred_file_id else proto.url
    storage = manager._storage
    assert isinstance(storage, MemoryMediaFileStorage)
    stored = storage.get_file(url.rsplit("/", 1)[1])
    return stored.filename or "", stored.mimetype, stored.content


def text_of(at: AppTest) -> str:
    """Everything the page shows as text: tables, messages, markdown, metrics, options, chart specs."""
    parts: list[str] = [df.value.to_csv() for df in at.dataframe]
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "title", "header", "subheader"):
        parts += [str(getattr(element, "value", "")) for element in at.get(kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [" ".join(map(str, box.options)) for box in at.selectbox]
    parts += [chart.proto.spec for chart in at.get("plotly_chart")]
    return "\n".join(parts)


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` but the store's (empty) lock file."""
    files = (p for p in sorted(directory.rglob("*")) if p.is_file() and p.name != ".lock")
    return {str(p.relative_to(directory)): p.read_bytes() for p in files}


def tha_with_change(data_dir: Path, visible_only: bool = False) -> bytes:
    """THA's current records as a YAML upload, with CHANGED_ID raised from limited to substantial.

    ``visible_only``: without the confidential action, as a guest's template has it.
    """
    document = yaml.safe_load((data_dir / "THA.yaml").read_text(encoding="utf-8"))
    if visible_only:
        document["actions"] = [a for a in document["actions"] if not a.get("confidential")]
    (row,) = [a for a in document["actions"] if a["action_id"] == CHANGED_ID]
    assert row["status"] == "limited"
    row["status"] = "substantial"
    return yaml.safe_dump(document, sort_keys=False).encode()


def changes(at: AppTest) -> list[list[str]]:
    """The field-by-field changes table of the Submit page."""
    tables = [df.value for df in at.dataframe if "Becomes" in df.value.columns]
    assert len(tables) == 1, [list(df.value.columns) for df in at.dataframe]
    return tables[0][["Action ID", "Column", "Was", "Becomes"]].astype(str).values.tolist()


def buttons(at: AppTest) -> set[str]:
    return {b.key for b in at.button if b.key}


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def switch_if_offered(at: AppTest, page: str) -> bool:
    """Switch to ``page`` (on the next run) if the navigation offers it; AppTest refuses pages it does not."""
    try:
        at.switch_page(page)
    except ValueError as exc:
        assert "Could not find a navigation page" in str(exc)
        return False
    return True


# --- who sees what on the Submit page ---------------------------------------------------------------------------


def test_an_anonymous_viewer_can_check_a_file_but_not_send_it(data_dir):
    before = snapshot(data_dir)
    at = app(ANONYMOUS, "app_pages/submit.py")
    assert any("Viewing as a guest" in c.value for c in at.sidebar.caption)
    assert "auth_login" in buttons(at)

    upload(at, "THA.yaml", tha_with_change(data_dir, visible_only=True), "application/yaml")

    assert (metric(at, "Fields changed"), metric(at, "Actions added"), metric(at, "Actions removed")) == ("1", "0", "0")
    assert changes(at) == [[CHANGED_ID, "Status", "Limited", "Substantial"]]
    assert not {"submit_send", "submit_apply"} & buttons(at)
    assert [i.value for i in at.info] == [
        "To send this update, sign in as the focal point of Thailand. Checking files needs no account."
    ]
    assert snapshot(data_dir) == before


def test_without_a_login_configured_everyone_is_a_viewer_with_no_login_button(data_dir):
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.user = REVIEWER  # even a logged-in reviewer's identity counts for nothing without an [auth] section
    at.run().switch_page("app_pages/submit.py").run()
    assert not at.exception

    upload(at, "THA.yaml", tha_with_change(data_dir), "application/yaml")

    assert not {"submit_send", "submit_apply", "auth_login", "auth_logout"} & buttons(at)
    assert not switch_if_offered(at, "app_pages/review.py")


@contextlib.contextmanager
def server_address(address: str | None) -> Iterator[None]:
    """Run as if started with ``--server.address ADDRESS`` (None: not given, so every interface)."""
    before = config.get_option("server.address")
    config.set_option("server.address", address)
    try:
        yield
    finally:
        config.set_option("server.address", before)


@pytest.mark.parametrize("address", ["127.0.0.1", "localhost", "::1"])
def test_local_editing_needs_the_variable_and_a_loopback_address(data_dir, monkeypatch, address):
    monkeypatch.setenv("TRACKER_LOCAL_EDITING", "1")
    at = AppTest.from_file(ENTRY, default_timeout=60)
    with server_address(address):
        at.run().switch_page("app_pages/submit.py").run()
        assert not at.exception
        assert [w.value for w in at.sidebar.warning] == ["**Local editing mode**: you are an admin on this machine."]
        at.selectbox(key="submit_member").select("THA").run()
        upload(at, "THA.yaml", tha_with_change(data_dir), "application/yaml")
        assert {"submit_send", "submit_apply"} <= buttons(at)
        assert switch_if_offered(at, "app_pages/review.py")
        at.run()
        assert [t.value for t in at.title] == ["Review submissions"] and not at.main.warning


@pytest.mark.parametrize("address", [None, "", "0.0.0.0", "192.168.1.20", "::"])
def test_local_editing_stays_off_on_a_server_that_listens_beyond_this_machine(data_dir, monkeypatch, address):
    monkeypatch.setenv("TRACKER_LOCAL_EDITING", "1")
    at = AppTest.from_file(ENTRY, default_timeout=60)
    with server_address(address):
        at.run().switch_page("app_pages/submit.py").run()
        assert not at.exception
        (warning,) = [e.value for e in at.sidebar.error]
        assert warning.startswith("TRACKER_LOCAL_EDITING is set but the server listens beyond this machine")
        assert not at.sidebar.warning
        assert not switch_if_offered(at, "app_pages/review.py")
        upload(at, "THA.yaml", tha_with_change(data_dir), "application/yaml")
        assert not {"submit_send", "submit_apply"} & buttons(at)


def test_a_stranger_who_logs_in_is_only_a_viewer(data_dir):
    at = app(STRANGER, "app_pages/submit.py")
    assert any("Signed in as **Stan Ger**" in m.value and "Viewer" in m.value for m in at.sidebar.markdown)

    upload(at, "THA.yaml", tha_with_change(data_dir), "application/yaml")

    assert not {"submit_send", "submit_apply"} & buttons(at)


@pytest.mark.parametrize(
    ("claim", "trust_setting"),
    [
        ({"email_verified": False}, None),
        ({"email_verified": "false"}, None),
        ({"email_verified": "no"}, None),
        ({"email_verified": False}, "true"),  # the setting never overrides a provider that says no
        ({}, None),  # no claim, and the role map does not trust its absence (the default)
        ({}, "false"),
    ],
    ids=["false", "false-as-text", "other-text", "false-despite-setting", "absent", "absent-not-trusted"],
)
def test_a_sign_in_without_a_verified_email_is_a_guest_and_told_why(data_dir, claim, trust_setting):
    if trust_setting is not None:
        roles = data_dir / "_roles.yaml"
        roles.write_text(f"trust_unverified_email: {trust_setting}\n{roles.read_text()}", encoding="utf-8")
    before = snapshot(data_dir)
    user = {k: v for k, v in REVIEWER.items() if k != "email_verified"} | claim  # a reviewer's address
    at = app(user, "app_pages/submit.py")

    assert [w.value for w in at.sidebar.warning] == [
        f"{UNCONFIRMED_NOTE}: read-only. Confirm the address with your identity provider, or ask an administrator."
    ]
    assert not any("Signed in as" in m.value for m in at.sidebar.markdown)
    assert "auth_logout" in buttons(at) and "auth_login" not in buttons(at)
    assert not switch_if_offered(at, "app_pages/review.py")
    upload(at, "THA.yaml", tha_with_change(data_dir), "application/yaml")
    assert not {"submit_send", "submit_apply"} & buttons(at)
    assert snapshot(data_dir) == before


@pytest.mark.parametrize(
    ("claim", "trust_setting"),
    [({"email_verified": True}, None), ({"email_verified": "TRUE"}, None), ({}, "true")],
    ids=["verified", "verified-as-text", "absent-trusted-by-the-role-map"],
)
def test_a_sign_in_with_a_verified_email_gets_its_role(data_dir, claim, trust_setting):
    if trust_setting is not None:
        roles = data_dir / "_roles.yaml"
        roles.write_text(f"trust_unverified_email: {trust_setting}\n{roles.read_text()}", encoding="utf-8")
    user = {k: v for k, v in REVIEWER.items() if k != "email_verified"} | claim

    at = app(user)

    assert [m.value for m in at.sidebar.markdown if "Signed in" in m.value] == ["Signed in as **Rita Rev**  \nReviewer"]
    assert not at.sidebar.warning
    assert switch_if_offered(at, "app_pages/review.py")


def test_a_focal_point_sends_their_own_file_for_review(data_dir):
    records = (data_dir / "THA.yaml").read_bytes()
    at = app(FOCAL_THA, "app_pages/submit.py")
    assert [m.value for m in at.sidebar.markdown if "Signed in" in m.value] == [
        "Signed in as **Fa Tha**  \nFocal point for THA"
    ]
    assert at.selectbox(key="submit_member").options == ["Thailand (THA)"]
    assert not switch_if_offered(at, "app_pages/review.py")

    upload(at, "THA.yaml", tha_with_change(data_dir), "application/yaml")
    assert changes(at) == [[CHANGED_ID, "Status", "Limited", "Substantial"]]
    assert "submit_apply" not in buttons(at), "only reviewers apply directly"
    at.button(key="submit_send").click().run()

    assert not at.exception
    (submission,) = Submissions(Store(data_dir, load_catalog())).list()
    assert (submission.member, submission.state, submission.file) == ("THA", "pending", "THA.yaml")
    assert submission.submitted_by == "Fa Tha <FP.THA@example.org>"
    assert [s.value for s in at.success] == [
        f"Sent for review ({submission.summary}). A reviewer will approve or reject it; reference {submission.id}."
    ]
    # What is kept is the records as read (records.yaml), not the uploaded file; they hold the one change.
    assert sorted(p.name for p in (data_dir / SUBMISSIONS / submission.id).iterdir()) == ["meta.json", "records.yaml"]
    reviewer = User("rev@example.org", "Rita Rev", Role.REVIEWER)
    kept = Submissions(Store(data_dir, load_catalog())).preview(submission, viewer=reviewer).diff
    assert kept is not None and kept.changed.values.tolist() == [[CHANGED_ID, "status", "limited", "substantial"]]
    assert (data_dir / "THA.yaml").read_bytes() == records, "nothing is published before review"


def test_a_focal_point_cannot_send_another_members_file(data_dir):
    before = snapshot(data_dir)
    at = app(FOCAL_IDN, "app_pages/submit.py")

    upload(at, "THA.yaml", tha_with_change(data_dir), "application/yaml")

    assert not {"submit_send", "submit_apply"} & buttons(at)
    assert [i.value for i in at.info] == [
        "To send this update, sign in as the focal point of Thailand. Checking files needs no account."
    ]
    assert snapshot(data_dir) == before
    # A forged request that skips the page meets the same check in the library.
    idn = User("fp.idn@example.org", "Ida Idn", Role.FOCAL_POINT, "IDN")
    with pytest.raises(AccessDeniedError):
        Submissions(Store(data_dir, load_catalog())).submit("THA.yaml", tha_with_change(data_dir), idn)
    assert snapshot(data_dir) == before


# --- review ---------------------------------------------------------------------------------------------------


def test_a_reviewer_approves_and_the_dashboard_and_history_show_it(data_dir):
    focal = app(FOCAL_THA, "app_pages/submit.py")
    upload(focal, "THA.yaml", tha_with_change(data_dir), "application/yaml")
    focal.button(key="submit_send").click().run()
    substantial = {"member": "THA", "status": "substantial"}
    before = int(metric(app(REVIEWER, query=substantial), "Actions reported"))

    at = app(REVIEWER)
    assert switch_if_offered(at, "app_pages/review.py")
    at.run()
    assert not at.exception
    (choice,) = at.selectbox(key="review_choice").options
    assert choice.startswith("THA · THA.yaml · sent by Fa Tha <FP.THA@example.org> on ")
    assert re.search(r" on \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC · ", choice), "the time sent, to the minute"
    assert "**Would change:** 0 added, 0 removed, 1 field(s) changed in 1 action(s)" in text_of(at)
    at.text_area(key="review_note").input("Matches the RSO notes").run()
    at.button(key="review_approve").click().run()

    assert not at.exception
    assert [s.value for s in at.success][:2] == [
        "Approved and published THA: 0 added, 0 removed, 1 field(s) changed in 1 action(s).",
        "Nothing is waiting for review.",
    ]
    records = yaml.safe_load((data_dir / "THA.yaml").read_text(encoding="utf-8"))
    assert next(a["status"] for a in records["actions"] if a["action_id"] == CHANGED_ID) == "substantial"
    assert int(metric(app(REVIEWER, query=substantial), "Actions reported")) == before + 1
    assert int(metric(app(ANONYMOUS, query=substantial), "Actions reported")) == before + 1
    history = next(df.value for df in at.dataframe if "kind" in df.value.columns)
    assert history[["by", "member", "kind", "action_id", "field", "old", "new"]].values.tolist() == [
        [
            "Fa Tha <FP.THA@example.org>, approved by Rita Rev <rev@example.org>",
            "THA",
            "changed",
            CHANGED_ID,
            "status",
            "limited",
            "substantial",
        ]
    ]
    decided = next(df.value for df in at.dataframe if "reviewed_by" in df.value.columns)
    assert decided[["state", "reviewed_by", "note"]].values.tolist() == [
        ["approved", "Rita Rev <rev@example.org>", "Matches the RSO notes"]
    ]


def test_a_reviewer_rejects_with_a_note_only(data_dir):
    focal = app(FOCAL_THA, "app_pages/submit.py")
    upload(focal, "THA.yaml", tha_with_change(data_dir), "application/yaml")
    focal.button(key="submit_send").click().run()
    records = (data_dir / "THA.yaml").read_bytes()
    at = app(REVIEWER, "app_pages/review.py")

    at.button(key="review_reject").click().run()
    assert [e.value for e in at.error] == ["Say why the submission is rejected, so the focal point can fix it."]
    at.text_area(key="review_note").input("Add the evidence link for THA-005").run()
    at.button(key="review_reject").click().run()

    assert [s.value for s in at.success][:1] == ["Rejected THA's submission; the note was saved."]
    (submission,) = Submissions(Store(data_dir, load_catalog())).list()
    assert (submission.state, submission.note) == ("rejected", "Add the evidence link for THA-005")
    assert (data_dir / "THA.yaml").read_bytes() == records


def test_a_file_overtaken_by_another_update_cannot_be_approved(data_dir):
    """Two files sent from the same records: once either is published, the other would undo it."""
    focal = app(FOCAL_THA, "app_pages/submit.py")
    upload(focal, "THA.yaml", tha_with_change(data_dir), "application/yaml")
    focal.button(key="submit_send").click().run()
    document = yaml.safe_load((data_dir / "THA.yaml").read_text(encoding="utf-8"))
    document["actions"][0]["lead_agency"] = "Royal Thai Police"
    upload(focal, "THA.yaml", yaml.safe_dump(document, sort_keys=False).encode(), "application/yaml")
    focal.button(key="submit_send").click().run()
    queue = Submissions(Store(data_dir, load_catalog()))
    assert len(queue.list("pending")) == 2
    at = app(REVIEWER, "app_pages/review.py")
    at.button(key="review_approve").click().run()  # the one shown first
    (approved,) = queue.list("approved")
    (overtaken,) = queue.list("pending")
    published = {k: v for k, v in snapshot(data_dir).items() if SUBMISSIONS not in k}

    assert len(at.selectbox(key="review_choice").options) == 1  # the other one, now shown
    assert [e.value for e in at.error] == [
        "This file no longer passes validation (the records or the catalog changed since it was sent)."
    ]
    assert "records changed after this file was sent" in text_of(at)
    assert at.button(key="review_approve").disabled
    # AppTest keeps the approved id as the box's value although it left the options; say which one is shown.
    at.selectbox(key="review_choice").select(overtaken.id)
    at.text_area(key="review_note").input("Overtaken by the earlier update; please send a fresh file").run()
    at.button(key="review_reject").click().run()

    assert queue.get(overtaken.id).state == "rejected" and queue.get(approved.id).state == "approved"
    records = yaml.safe_load((data_dir / "THA.yaml").read_text(encoding="utf-8"))["actions"]
    status = next(a["status"] for a in records if a["action_id"] == CHANGED_ID)
    agency = records[0].get("lead_agency")
    assert [status == "substantial", agency == "Royal Thai Police"].count(True) == 1, "exactly one update landed"
    assert {k: v for k, v in snapshot(data_dir).items() if SUBMISSIONS not in k} == published


def test_a_reviewer_applies_their_own_upload_directly(data_dir):
    at = app(REVIEWER, "app_pages/submit.py")
    at.selectbox(key="submit_member").select("THA").run()
    upload(at, "THA.yaml", tha_with_change(data_dir), "application/yaml")
    at.button(key="submit_apply").click().run()

    assert not at.exception
    assert any(s.value.startswith("Applied: 0 added, 0 removed, 1 field(s) changed") for s in at.success)
    records = yaml.safe_load((data_dir / "THA.yaml").read_text(encoding="utf-8"))
    assert next(a["status"] for a in records["actions"] if a["action_id"] == CHANGED_ID) == "substantial"
    assert Store(data_dir, load_catalog()).log()["by"].tolist() == ["Rita Rev <rev@example.org>"]


@pytest.mark.parametrize("user", [ANONYMOUS, STRANGER, FOCAL_THA], ids=["anonymous", "viewer", "focal-point"])
def test_only_reviewers_have_the_review_page(data_dir, user):
    focal = app(FOCAL_THA, "app_pages/submit.py")
    upload(focal, "THA.yaml", tha_with_change(data_dir), "application/yaml")
    focal.button(key="submit_send").click().run()
    before = snapshot(data_dir)

    assert not switch_if_offered(app(user), "app_pages/review.py")
    # Reaching the page's script some other way still gets a refusal, and no button to press.
    direct = AppTest.from_file(str(ROOT / "app_pages" / "review.py"), default_timeout=60)
    direct.secrets["auth"] = AUTH
    direct.user = user
    direct.run()

    assert not direct.exception
    assert [w.value for w in direct.warning] == [
        "Only reviewers and administrators can review submissions. Sign in with a reviewer account."
    ]
    assert not direct.button and not direct.dataframe and not direct.selectbox
    assert snapshot(data_dir) == before


# --- confidential actions -------------------------------------------------------------------------------------

SHOWN_PAGES = ["app_pages/overview.py", "app_pages/gaps.py", "app_pages/member.py", "app_pages/exports.py"]


def visit(user: dict[str, Any], page_path: str, media: list[MediaFileManager]) -> tuple[str, list[tuple[str, str]]]:
    """What ``user`` sees on a page about THA, and the text of every download of the page: (label, text)."""
    at = app(user, page_path, query={"member": "THA"})
    if page_path == "app_pages/gaps.py":
        at.selectbox(key="gaps_member").select("THA").run()
        at.selectbox(key="gaps_commitment").select(SECRET_COMMITMENT).run()
    if page_path == "app_pages/member.py":
        at.selectbox(key="member_profile").select("THA").run()
    assert not at.exception, at.exception
    return text_of(at), [(label, readable(data)) for label, _, data in downloads(at, media)]


def readable(data: bytes) -> str:
    """A download's text: workbooks unzipped (their strings live in XML parts), PDFs through ``pdftotext``."""
    if data.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    if data.startswith(b"%PDF-"):
        done = subprocess.run(
            [require_program("pdftotext"), "-layout", "-", "-"], input=data, capture_output=True, check=True
        )
        return done.stdout.decode("utf-8", "replace")
    return data.decode("utf-8-sig", "replace")


def pdf_with(text: str) -> bytes:
    """A one-page PDF showing ``text`` (written by hand: the scan must not rely on the app's own PDF maker)."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def workbook_with(text: str) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["Action title", text])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _download_buttons(files: list[tuple[str, str, bytes]]) -> None:
    """An app of download buttons only; PDFs are made on click, as the briefing pack is."""
    import streamlit as st

    for n, (label, mime, data) in enumerate(files):
        made_on_click = mime == "application/pdf"
        st.download_button(label, (lambda d=data: d) if made_on_click else data, f"f{n}", mime, key=f"f{n}")


def test_the_download_scan_reads_every_button_in_every_format(media):
    """The scan that the confidentiality tests rely on finds a planted leak wherever a viewer could download it."""
    planted = [
        ("Download (CSV)", "text/csv", b"id,title\nX-1,LEAK-IN-THE-FIRST-CSV\n"),
        ("Download (CSV)", "text/csv", b"id,title\nX-2,LEAK-IN-THE-SECOND-CSV\n"),  # the same label
        ("Workbook", XLSX, workbook_with("LEAK-IN-THE-WORKBOOK")),
        ("Pack (HTML)", "text/html", b"<p>LEAK-IN-THE-HTML</p>"),
        ("Pack (PDF)", "application/pdf", pdf_with("LEAK-IN-THE-PDF")),
    ]
    at = AppTest.from_function(_download_buttons, kwargs={"files": planted}, default_timeout=30).run()
    assert not at.exception

    found = [(label, readable(data)) for label, _, data in downloads(at, media)]

    assert [label for label, _ in found] == [label for label, _, _ in planted]
    for (_, text), leak in zip(found, ["FIRST-CSV", "SECOND-CSV", "WORKBOOK", "HTML", "PDF"], strict=True):
        assert f"LEAK-IN-THE-{leak}" in text


@pytest.mark.parametrize("page_path", SHOWN_PAGES, ids=lambda p: Path(p).stem)
def test_confidential_actions_are_absent_for_viewers_and_present_for_reviewers(data_dir, media, page_path):
    viewer_page, viewer_files = visit(FOCAL_IDN, page_path, media)  # a focal point of another member: a viewer here
    reviewer_page, reviewer_files = visit(REVIEWER, page_path, media)

    assert SECRET_TITLE not in viewer_page
    for label, text in viewer_files:
        assert SECRET_TITLE not in text and SECRET_ID not in text, f"{label} of {page_path} leaks the secret action"
    assert [label for label, _ in viewer_files] == [label for label, _ in reviewer_files]
    if page_path in ("app_pages/gaps.py", "app_pages/member.py"):  # the pages that list actions by title
        assert SECRET_TITLE in reviewer_page
    if page_path == "app_pages/exports.py":  # the CSV and the workbook list every action by title
        files = dict(reviewer_files)
        assert SECRET_TITLE in files["CSV of all data"] and SECRET_TITLE in files["Excel of this view"]
        assert "commitments: briefing" in files["Briefing pack (PDF)"], "the PDF is read as text too"
    if page_path == "app_pages/overview.py":
        count = re.compile(r"^Actions reported (\d+)$", re.MULTILINE)
        assert [int(n) for n in count.findall(reviewer_page)] == [int(n) + 1 for n in count.findall(viewer_page)]


def test_a_viewers_template_and_diff_never_show_a_confidential_action(data_dir, media):
    at = app(ANONYMOUS, "app_pages/submit.py")
    at.selectbox(key="submit_member").select("THA").run()
    name, mime, template = download(at, media, "submit_template")
    assert (name, mime) == ("THA.xlsx", XLSX)
    assert SECRET_TITLE not in readable(template) and SECRET_ID not in readable(template)

    # Sent back unchanged, it lacks the confidential action: the diff must not reveal it as "removed".
    upload(at, "THA.xlsx", template, XLSX)

    assert SECRET_TITLE not in text_of(at) and SECRET_ID not in text_of(at)
    assert metric(at, "Actions removed") == "0"


# --- the template ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("user", "member"), [(FOCAL_THA, "THA"), (REVIEWER, "IDN")], ids=["focal-point", "reviewer"])
def test_the_template_download_validates_and_changes_nothing(data_dir, media, user, member):
    at = app(user, "app_pages/submit.py")
    at.selectbox(key="submit_member").select(member).run()

    name, mime, template = download(at, media, "submit_template")

    assert (name, mime) == (f"{member}.xlsx", XLSX)
    viewer = User(user["email"], user["name"], *((Role.FOCAL_POINT, "THA") if member == "THA" else (Role.REVIEWER,)))
    preview = Store(data_dir, load_catalog()).preview(read_member_bytes(name, template), viewer=viewer)
    assert preview.ok, [i.message for i in preview.issues]
    assert preview.diff is not None and preview.diff.is_empty
    label = at.download_button(key="submit_template").label
    assert preview.actions is not None
    assert label == f"Download {member}.xlsx (pre-filled with {len(preview.actions)} action(s))"
    if member == "THA":
        assert SECRET_TITLE in readable(template), "a focal point's own template keeps their confidential rows"
    upload(at, name, template, XLSX)
    assert [i.value for i in at.info] == ["This file matches the records exactly: there is nothing to send."]


def test_a_template_edited_in_one_cell_shows_exactly_that_change(data_dir, media):
    at = app(FOCAL_THA, "app_pages/submit.py")
    _, _, template = download(at, media, "submit_template")
    book = openpyxl.load_workbook(io.BytesIO(template))
    sheet = book["Actions"]
    header_row = next(r for r in sheet.iter_rows() if "Status" in [c.value for c in r])
    status_col = next(c.column for c in header_row if c.value == "Status")
    id_col = next(c.column for c in header_row if c.value == "Action ID")
    row = next(r for r in range(header_row[0].row + 1, sheet.max_row + 1) if sheet.cell(r, id_col).value == CHANGED_ID)
    assert sheet.cell(row, status_col).value == "Limited"
    sheet.cell(row, status_col).value = "Substantial"
    edited = io.BytesIO()
    book.save(edited)

    upload(at, "THA.xlsx", edited.getvalue(), XLSX)

    assert changes(at) == [[CHANGED_ID, "Status", "Limited", "Substantial"]]
    assert (metric(at, "Actions added"), metric(at, "Actions removed")) == ("0", "0")
    assert "submit_send" in buttons(at)


# --- bad uploads -----------------------------------------------------------------------------------------------


def _oversized() -> bytes:
    return b"PK\x03\x04" + b"\0" * MAX_FILE_BYTES  # one step over the limit


def _zip_bomb() -> bytes:
    """A few hundred kB that declare more than MAX_UNZIPPED_BYTES once unpacked."""
    buffer = io.BytesIO()
    chunk = b"\0" * (1024 * 1024)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _ in range(MAX_UNZIPPED_BYTES // len(chunk) + 1):
                member.write(chunk)
    assert len(buffer.getvalue()) < MAX_FILE_BYTES
    return buffer.getvalue()


def _fixture(folder: str) -> tuple[str, bytes]:
    (path,) = [p for p in (INVALID / folder).iterdir() if p.is_file()]
    return path.name, path.read_bytes()


BAD_UPLOADS = {
    "oversized": (lambda: ("IDN.xlsx", _oversized()), "the limit is 10 MB"),
    "zip-bomb": (lambda: ("IDN.xlsx", _zip_bomb()), "refused as unsafe"),
    "renamed-text-file": (lambda: _fixture("renamed-text-file"), "not a real .xlsx workbook"),
    "xlsm": (lambda: _fixture("xlsm-refused"), "macro-enabled workbooks (.xlsm) are refused"),
    "password-protected": (lambda: _fixture("password-protected"), "password-protected (encrypted)"),
    "yaml-object-tag": (lambda: _fixture("yaml-unsafe-tag"), "YAML tag that would build a program object"),
    "yaml-alias-bomb": (lambda: _fixture("yaml-alias-bomb"), "IDN.yaml"),
    "path-in-name": (
        lambda: ("../IDN.xlsx", (ROOT / "data" / "sample" / "IDN.xlsx").read_bytes()),
        "the file name must be the member id",
    ),
    "windows-path-in-name": (
        lambda: ("..\\IDN.xlsx", (ROOT / "data" / "sample" / "IDN.xlsx").read_bytes()),
        "the file name must be the member id",
    ),
}


@pytest.mark.parametrize("case", BAD_UPLOADS)
def test_a_bad_upload_gets_one_clear_message_and_nothing_is_written(data_dir, case):
    make, expected = BAD_UPLOADS[case]
    name, data = make()
    before = snapshot(data_dir)
    at = app(FOCAL_IDN, "app_pages/submit.py")

    upload(at, name, data)

    assert [e.value for e in at.error] == [
        f"1 problem(s) to fix in {plain(name)}. Nothing has been saved. Fix them and upload again."
    ]
    (issues,) = [df.value for df in at.dataframe]
    assert len(issues) == 1, issues
    message = issues["What to fix"].iloc[0]
    assert expected in message and message.startswith((f"{name}: ", f"{name}, line ")), message
    assert not {"submit_send", "submit_apply"} & buttons(at)
    assert not at.metric, "no diff is shown for a file that was not read"
    assert snapshot(data_dir) == before
    # The app keeps running: the next, good upload works in the same session.
    idn = (ROOT / "data" / "sample" / "IDN.xlsx").read_bytes()
    upload(at, "IDN.xlsx", idn, XLSX)
    assert not at.error and [i.value for i in at.info] == [
        "This file matches the records exactly: there is nothing to send."
    ]


def test_a_file_with_cell_errors_lists_each_with_its_row(data_dir):
    document = yaml.safe_load((data_dir / "THA.yaml").read_text(encoding="utf-8"))
    document["actions"][0]["status"] = "almost done"
    document["actions"][1]["commitments"] = ["ASC-99"]
    before = snapshot(data_dir)
    at = app(FOCAL_THA, "app_pages/submit.py")

    uploaded = yaml.safe_dump(document, sort_keys=False)
    upload(at, "THA.yaml", uploaded.encode(), "application/yaml")

    assert [e.value for e in at.error] == [
        f"2 problem(s) to fix in {plain('THA.yaml')}. Nothing has been saved. Fix them and upload again."
    ]
    (issues,) = [df.value for df in at.dataframe]
    assert issues["Column"].tolist() == ["status", "commitments"]
    lines = uploaded.splitlines()
    starts = [lines.index(f"- action_id: {document['actions'][i]['action_id']}") + 1 for i in (0, 1)]
    assert issues["Row"].tolist() == starts, "rows of a YAML file are its lines"
    assert not {"submit_send", "submit_apply"} & buttons(at)
    assert snapshot(data_dir) == before


def test_a_file_with_thousands_of_problems_sends_the_first_few_and_offers_all_as_csv(data_dir, media):
    """The browser gets at most ISSUES_SHOWN_LIMIT issues, however many a file has; the CSV has every one."""
    document = yaml.safe_load((data_dir / "THA.yaml").read_text(encoding="utf-8"))
    action = {k: v for k, v in document["actions"][0].items() if k != "action_id"}
    document["actions"] = [{**action, "status": f"almost done {n}"} for n in range(ISSUES_SHOWN_LIMIT * 5)]
    at = app(ANONYMOUS, "app_pages/submit.py")

    upload(at, "THA.yaml", yaml.safe_dump(document, sort_keys=False).encode(), "application/yaml")

    total = ISSUES_SHOWN_LIMIT * 5
    assert [e.value for e in at.error] == [
        f"{total:,} problem(s) to fix in {plain('THA.yaml')}. Nothing has been saved. Fix them and upload again."
    ]
    (shown,) = [df.value for df in at.dataframe]
    assert len(shown) == ISSUES_SHOWN_LIMIT
    assert [c.value for c in at.caption if c.value.startswith("…")] == [
        f"… and {total - ISSUES_SHOWN_LIMIT:,} more, not shown here: the download lists all {total:,}."
    ]
    name, mime, data = download(at, media, "submit_issues_csv")
    listed = pd.read_csv(io.BytesIO(data))
    assert (name, mime, len(listed)) == ("validation-issues.csv", "text/csv", total)
    assert listed["message"].str.contains("almost done").all()


def test_submissions_on_disk_are_plain_json(data_dir):
    """What the Review page reads back is what the Submit page wrote (a guard on the hand-over between roles)."""
    focal = app(FOCAL_THA, "app_pages/submit.py")
    upload(focal, "THA.yaml", tha_with_change(data_dir), "application/yaml")
    focal.button(key="submit_send").click().run()
    (folder,) = (data_dir / SUBMISSIONS).iterdir()
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    assert meta["state"] == "pending" and meta["member"] == "THA" and meta["base"]


def test_method_page_reports_a_broken_role_file(tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    (data / "_roles.yaml").write_text("users:\n  - email: a@example.org\n    role: boss\n")
    monkeypatch.setenv("TRACKER_DATA_DIR", str(data))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    at.switch_page("app_pages/method.py").run()
    assert not at.exception
    assert any("_roles.yaml" in w.value and "1 problem" in w.value for w in at.warning)
    assert not any("a@example.org" in m.value for m in at.markdown)  # details only for reviewers


# --- an interrupted update that cannot be completed on a page load ----------------------------------------------


def test_a_history_changed_by_hand_shows_the_records_on_disk_and_tells_reviewers(data_dir):
    pending = data_dir / "_history" / "pending"
    pending.mkdir(parents=True)
    (pending / "THA.json").write_text("{not json", encoding="utf-8")  # an intent no recovery can read

    viewer = app(ANONYMOUS)  # app() asserts that no page raised
    reviewer = app(REVIEWER)
    (pending / "THA.json").unlink()
    untouched = app(ANONYMOUS)

    assert not viewer.error, [e.value for e in viewer.error]
    assert {m.label: m.value for m in viewer.metric} == {m.label: m.value for m in untouched.metric}
    (shown,) = [e.value for e in reviewer.error]
    assert "An interrupted update could not be completed" in shown and "THA" in shown and "pending" in shown


def test_a_page_load_does_not_wait_for_an_apply_in_progress(data_dir):
    pending = data_dir / "_history" / "pending"
    pending.mkdir(parents=True)
    (pending / "THA.json").write_text("{not json", encoding="utf-8")
    with FileLock(str(data_dir / "_history" / ".lock")):  # another process's apply holds the lock
        started = time.monotonic()
        at = app(REVIEWER)
        waited = time.monotonic() - started

    assert not at.error, [e.value for e in at.error]  # busy is not broken: the apply finishes the work
    assert waited < 30, f"the page waited {waited:.0f} s for the store's lock"

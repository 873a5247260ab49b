"""The Reporting round page and the round box on *Submit an update*, in AppTest, for each role.

Reviewers open, follow and close a round; a focal point sees only their own member's state and confirms
"no change" in one click; guests see no round page, and the only round figures they see are counts.
"""

# ruff: noqa: F811 - the fixtures imported below are redefined as test parameters, as pytest means them to be
from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import re
import zipfile

import pytest

from loaders.catalog import load_catalog
from tests.chart_tables import open_chart_tables
from tests.test_upload_page import (  # noqa: F401 - fixtures used by name
    ANONYMOUS,
    FOCAL_IDN,
    FOCAL_THA,
    REVIEWER,
    SECRET_ID,
    SECRET_TITLE,
    app,
    buttons,
    data_dir,
    download,
    media,
    switch_if_offered,
    text_of,
    tha_with_change,
)
from tracker.access import Role, User
from tracker.records.rounds import Rounds
from tracker.records.snapshots import Snapshots
from tracker.records.store import Store
from tracker.records.submissions import Submissions

pytestmark = pytest.mark.usefixtures("fresh_caches")  # AppTest runs read the files afresh

PAGE = "app_pages/round.py"
RSO = User("rev@example.org", "Rita Rev", Role.REVIEWER)
THA_FP = User("fp.tha@example.org", "Fa Tha", Role.FOCAL_POINT, "THA")
NAME = "Update for the 20th AHG SOM"


@pytest.fixture(autouse=True)
def no_smtp(monkeypatch):
    for name in ("TRACKER_SMTP_HOST", "TRACKER_APP_URL"):
        monkeypatch.delenv(name, raising=False)


def shown(at) -> str:
    """The page's text with Markdown escapes removed (user text is escaped by ui.text.plain)."""
    return text_of(at).replace("\\", "")


def open_round(data_dir, **fields):
    catalog = load_catalog()
    return Rounds(data_dir).open(
        NAME,
        opens=dt.date(2026, 11, 1),
        closes=dt.date(2026, 12, 20),
        by=RSO,
        known_members=catalog.members,
        known_frameworks=catalog.frameworks,
        members=fields.pop("members", ["THA", "IDN", "AUS"]),
        instructions="Update the status of every Adelaide Strategy action.",
        **fields,
    )


@pytest.mark.parametrize("user", [ANONYMOUS, FOCAL_THA])
def test_only_reviewers_are_offered_the_round_page(data_dir, user):
    at = app(user)
    assert not switch_if_offered(at, PAGE)


def test_a_reviewer_opens_a_round_from_the_page(data_dir):
    at = app(REVIEWER, PAGE)
    assert "No reporting round is open" in text_of(at)
    at.text_input(key="round_open_name").set_value(NAME)
    at.multiselect(key="round_open_members").set_value(["THA", "IDN"])
    at.button[0].click().run()  # the form's submit button
    assert not at.exception, at.exception
    opened = Rounds(data_dir).current()
    assert opened is not None and opened.name == NAME and opened.members == ("THA", "IDN")
    assert opened.events[0].by == "Rita Rev <rev@example.org>"
    assert f"Opened the round '{NAME}'." in shown(at)


def test_the_page_shows_each_members_state_and_leaks_no_confidential_action(data_dir, media):
    open_round(data_dir)
    store = Store(data_dir, load_catalog())
    _, pending = Submissions(store).submit("THA.yaml", tha_with_change(data_dir), THA_FP)
    assert pending is not None
    Rounds(data_dir).confirm_no_change("IDN", RSO)

    at = app(REVIEWER, PAGE)
    (table,) = [df.value for df in at.dataframe if "State" in df.value.columns]
    sent_at = Rounds(data_dir).current().local_time(pending.submitted_at)
    assert table[["Member", "State", "Sent for review (Asia/Bangkok)"]].values.tolist() == [
        ["Australia (AUS)", "Waiting", ""],
        ["Indonesia (IDN)", "No change", ""],
        ["Thailand (THA)", "Under review", sent_at],
    ]
    contact = table.set_index("Member")["Last contact (Asia/Bangkok)"]
    assert contact["Australia (AUS)"] == "" and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", contact["Indonesia (IDN)"])
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Answered"] == "1 of 3" and metrics["Waiting"] == "1"
    links = [link for link in at.get("page_link")]
    assert [link.proto.label for link in links] == ["Review Thailand's submission"]
    assert pending.id in str(links[0].proto)
    page = text_of(at)
    assert SECRET_ID not in page and SECRET_TITLE not in page
    # No SMTP relay: the messages are offered as a download. AUS has no focal point in _roles.yaml.
    assert "Skipped: AUS" in page or "AUS" in " ".join(c.value for c in at.caption if "Skipped" in c.value)
    # THA is under review and IDN answered: nothing to send, so no download is offered.
    assert "No reminder to send" in page and "round_remind_zip" not in {b.key for b in at.download_button}


def test_a_returned_member_is_in_the_reminders_download(data_dir, media):
    open_round(data_dir)
    store = Store(data_dir, load_catalog())
    queue = Submissions(store)
    _, sent = queue.submit("THA.yaml", tha_with_change(data_dir), THA_FP)
    queue.reject(sent.id, RSO, "Please add the evidence link.")
    at = app(REVIEWER, PAGE)
    _, _, data = download(at, media, "round_remind_zip")
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert sorted(archive.namelist()) == ["IDN.eml", "THA.eml", "mail-merge.csv"]  # AUS has no focal point
    message = email.message_from_bytes(archive.read("THA.eml"), policy=email.policy.default)
    assert message["To"] == "fp.tha@example.org" and NAME in message["Subject"]
    assert "Please add the evidence link." in message.get_content()


def test_a_focal_point_sees_their_state_and_confirms_no_change_in_one_click(data_dir):
    open_round(data_dir)
    at = app(FOCAL_THA, "app_pages/submit.py")
    page = shown(at)
    assert f"Reporting round '{NAME}'" in page and "Waiting" in page
    assert "submit_no_change" in buttons(at)
    at.button(key="submit_no_change").click().run()
    assert not at.exception, at.exception
    event = Rounds(data_dir).current().events[-1]
    assert (event.kind, event.member, event.by) == ("no_change", "THA", "Fa Tha <FP.THA@example.org>")
    assert "submit_no_change" not in buttons(at)
    assert "No change" in shown(at)


def test_a_focal_point_sees_only_their_own_member_and_a_guest_no_round(data_dir):
    open_round(data_dir)
    Rounds(data_dir).confirm_no_change("THA", RSO)
    at = app(FOCAL_IDN, "app_pages/submit.py")
    assert at.selectbox(key="submit_member").options == ["Indonesia (IDN)"]
    assert "Indonesia: **Waiting**" in shown(at) and "Thailand" not in shown(at)
    guest = app(ANONYMOUS, "app_pages/submit.py")
    assert "Reporting round" not in shown(guest) and "submit_no_change" not in buttons(guest)


def test_guests_see_the_rounds_counts_on_the_overview_and_nothing_else(data_dir):
    open_round(data_dir)
    Rounds(data_dir).confirm_no_change("THA", RSO)
    page = shown(app(ANONYMOUS))
    assert f"Reporting round: {NAME} (open): answered 1 of 3 members in scope" in page


def test_closing_from_the_page_freezes_a_snapshot_and_adds_the_round_to_the_history(data_dir):
    open_round(data_dir)
    at = app(REVIEWER, PAGE)
    assert at.button(key="round_close").disabled
    at.checkbox(key="round_close_sure").check().run()
    at.button(key="round_close").click().run()
    assert not at.exception, at.exception
    assert Rounds(data_dir).current() is None
    assert [i.name for i in Snapshots(data_dir).list()] == [NAME]
    assert "No reporting round is open" in text_of(at)
    open_chart_tables(at)  # the round history's table is under its chart
    (history,) = [df.value for df in at.dataframe if "Answered" in df.value.columns]
    assert history[["Round", "Members in scope", "Answered", "Waiting"]].values.tolist() == [[NAME, 3, 0, 3]]
    assert len(at.get("plotly_chart")) == 1


def test_a_focal_point_whose_update_is_under_review_is_told_so_not_offered_no_change(data_dir):
    open_round(data_dir)
    store = Store(data_dir, load_catalog())
    assert Submissions(store).submit("THA.yaml", tha_with_change(data_dir), THA_FP)[1] is not None
    at = app(FOCAL_THA, "app_pages/submit.py")
    assert "Thailand: **Under review**" in shown(at)
    assert "Your update is waiting for review" in shown(at)
    assert "submit_no_change" not in buttons(at)


def test_the_overviews_round_figures_follow_a_new_answer(data_dir):
    """The figures are cached on the round, submission and history files: a change shows on the next run."""
    open_round(data_dir)
    at = app(ANONYMOUS)
    assert f"Reporting round: {NAME} (open): answered 0 of 3" in shown(at)
    Rounds(data_dir).confirm_no_change("THA", RSO)
    at.run()
    assert f"Reporting round: {NAME} (open): answered 1 of 3" in shown(at)

"""Reminder e-mails of a reporting round: who gets one, their text, the files, and sending to a real SMTP server.

The server is aiosmtpd on loopback, so smtplib speaks real SMTP; its handler records every envelope and
can refuse an address or drop the connection, as a real mail server does.
"""

from __future__ import annotations

import csv
import datetime as dt
import email
import io
import socket
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import time_machine
from aiosmtpd.controller import Controller

from loaders.catalog import Catalog
from tracker.access import Role, RoleMap, User
from tracker.documents import reminders as rem
from tracker.documents.reminders import Reminder, SmtpSettings, plan_reminders, send_reminders
from tracker.records.rounds import MemberRound, Round, RoundError, Rounds, member_states
from tracker.records.store import LOG_COLUMNS
from tracker.records.submissions import Submission

RSO = User(id="rso@example.org", name="RSO", role=Role.REVIEWER)
ROUND_NAME = "Update for the 20th AHG SOM"
SCOPE = ["AUS", "IDN", "MYS", "PHL", "THA", "VNM"]
URL = "https://tracker.example.org"
NOW = dt.datetime(2026, 11, 30, 3, 0, tzinfo=dt.UTC)
ROLES = RoleMap(
    {
        "b.idn@example.go.id": (Role.FOCAL_POINT, "IDN"),
        "a.idn@example.go.id": (Role.FOCAL_POINT, "IDN"),
        "fp@example.go.th": (Role.FOCAL_POINT, "THA"),
        "fp@example.gov.au": (Role.FOCAL_POINT, "AUS"),
        "fp@example.gov.ph": (Role.FOCAL_POINT, "PHL"),
        "fp@example.gov.vn": (Role.FOCAL_POINT, "VNM"),
        "rso@example.org": (Role.REVIEWER, None),
        "admin@example.org": (Role.ADMIN, None),
    }
)  # MYS has no focal point


class Recorder:
    """An aiosmtpd handler that keeps every accepted message, refuses ``refuse`` and can drop the line."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []
        self.refuse: set[str] = set()
        self.drop_after: int | None = None  # accept this many messages, then cut the next connection attempt
        self.port = 0

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        if self.drop_after is not None and len(self.received) >= self.drop_after:
            server.transport.abort()  # a real disconnect, no polite reply
            return "421 4.3.0 closing"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK queued"

    def messages(self) -> list[EmailMessage]:
        """The accepted messages, parsed."""
        return [email.message_from_bytes(content, policy=default_policy) for _, _, content in self.received]  # type: ignore[misc]


def free_port() -> int:
    """A loopback port nothing listens on (Controller needs a fixed port: it connects to it to start)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def mail_server() -> Iterator[Recorder]:
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port(), server_hostname="localhost")
    controller.start()
    recorder.port = controller.port
    try:
        yield recorder
    finally:
        controller.stop()


def smtp_for(port: int) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=port, sender="Bali Process RSO <rso@example.org>")


@pytest.fixture
def members(catalog: Catalog) -> dict[str, str]:
    return {m.id: m.name for m in catalog.members.values()}


@pytest.fixture
def rounds(tmp_path: Path, catalog: Catalog) -> Rounds:
    store = Rounds(tmp_path)
    store.open(
        ROUND_NAME,
        opens=dt.date(2026, 11, 1),
        closes=dt.date(2026, 12, 20),
        by=RSO,
        known_members=catalog.members,
        known_frameworks=catalog.frameworks,
        members=SCOPE,
        instructions="Please review every action marked Substantial.",
        timezone="Asia/Bangkok",
    )
    return store


def current(rounds: Rounds) -> Round:
    round_ = rounds.current()
    assert round_ is not None
    return round_


def state(member: str, which: Any = "waiting", *, overdue: bool = False, note: str | None = None) -> MemberRound:
    return MemberRound(
        member, which, overdue, last_contact=None, last_reminder=None, pending_submission=None, note=note
    )


def plan(rounds: Rounds, members: dict[str, str], states: list[MemberRound], **options: Any) -> list[Reminder]:
    options.setdefault("now", NOW)
    reminders, _ = plan_reminders(current(rounds), states, ROLES, members, app_url=URL, **options)
    return reminders


def reminder_log(rounds: Rounds) -> list[tuple[str | None, bool, str]]:
    """(member, sent, problem) of each reminder event in the round's file, oldest first."""
    events = [e for e in current(rounds).events if e.kind == "reminder"]
    return [(e.member, bool(e.detail["sent"]), str(e.detail.get("problem", ""))) for e in events]


# --- the role map ------------------------------------------------------------------------------------


def test_focal_points_are_the_members_focal_point_emails_sorted() -> None:
    assert ROLES.focal_points("IDN") == ["a.idn@example.go.id", "b.idn@example.go.id"]
    assert ROLES.focal_points("THA") == ["fp@example.go.th"]
    assert ROLES.focal_points("MYS") == []


# --- who gets one ------------------------------------------------------------------------------------


def test_reminders_reach_every_focal_point_of_the_member_and_nobody_else(
    mail_server: Recorder, rounds: Rounds, members: dict[str, str]
) -> None:
    reminders = plan(rounds, members, [state("IDN"), state("THA")])
    outcomes = send_reminders(reminders, smtp_for(mail_server.port), rounds, RSO, timeout=10)

    assert [(o.member, o.sent, o.problem) for o in outcomes] == [("IDN", True, ""), ("THA", True, "")]
    assert [(sender, to) for sender, to, _ in mail_server.received] == [
        ("rso@example.org", ["a.idn@example.go.id", "b.idn@example.go.id"]),
        ("rso@example.org", ["fp@example.go.th"]),
    ]
    idn, tha = mail_server.messages()
    assert idn["To"] == "a.idn@example.go.id, b.idn@example.go.id"
    assert idn["Subject"] == f"Reminder: {ROUND_NAME} — closes 20 December 2026"
    assert idn["Message-ID"].endswith("@example.org>") and idn["Date"]
    body = idn.get_content().replace("\r\n", "\n")  # SMTP carries CRLF line ends
    for expected in (ROUND_NAME, "20 December 2026 (Asia/Bangkok time)", "Dear focal point for Indonesia,"):
        assert expected in body
    assert "not yet received an update for Indonesia" in body
    assert f"\n    {URL}\n" in body
    assert "Nothing changed since the last round" in body and "*Submit an update*" in body
    assert "Please review every action marked Substantial." in body
    assert "Dear focal point for Thailand," in tha.get_content()
    assert reminder_log(rounds) == [("IDN", True, ""), ("THA", True, "")]
    assert current(rounds).reminded_on("IDN", dt.datetime.now(dt.UTC).astimezone(current(rounds).zone).date())


def test_members_who_answered_or_are_under_review_get_no_reminder(rounds: Rounds, members: dict[str, str]) -> None:
    rounds.confirm_no_change("IDN", RSO)
    sent = "2026-11-20T05:00:00+00:00"
    submissions = [
        Submission("s1", "THA", "THA.xlsx", "fp@example.go.th", sent, "3 changes"),  # pending: under review
        Submission(
            "s2", "AUS", "AUS.xlsx", "fp@example.gov.au", sent, "1 change", "rejected", "RSO", sent, "Fix row 3"
        ),
    ]
    log = pd.DataFrame([dict.fromkeys(LOG_COLUMNS, "") | {"change_id": "c1", "at": sent, "member": "PHL"}])
    states = member_states(current(rounds), members, submissions, log, today=dt.date(2026, 11, 28))
    assert {s.member: s.state for s in states} == {
        "AUS": "returned",
        "IDN": "no_change",
        "MYS": "waiting",
        "PHL": "updated",
        "THA": "submitted",
        "VNM": "waiting",
    }

    reminders, skipped = plan_reminders(current(rounds), states, ROLES, members, now=NOW)
    assert [(r.member, r.state) for r in reminders] == [("AUS", "returned"), ("VNM", "waiting")]
    assert len(skipped) == 1 and skipped[0].startswith("MYS (Malaysia): no focal point e-mail")

    named, why = plan_reminders(current(rounds), states, ROLES, members, now=NOW, only=["idn", "THA", "VNM", "NZL"])
    assert [r.member for r in named] == ["VNM"]
    assert why == [
        f"NZL: not in the scope of the round '{ROUND_NAME}'",
        "IDN (Indonesia): no change, nothing to remind them of",
        "THA (Thailand): under review, nothing to remind them of",
    ]


def test_one_reminder_a_day_judged_in_the_rounds_time_zone(rounds: Rounds, members: dict[str, str]) -> None:
    late_evening = dt.datetime(2026, 12, 10, 16, 30, tzinfo=dt.UTC)  # 23:30 in Bangkok
    with time_machine.travel(late_evening, tick=False):
        rounds.record_reminder("IDN", RSO, to=["a.idn@example.go.id"], sent=True)
        rounds.record_reminder("THA", RSO, to=["fp@example.go.th"], sent=False, problem="refused")
    states = [state("IDN"), state("THA")]

    same_day = late_evening + dt.timedelta(minutes=15)
    reminders, skipped = plan_reminders(current(rounds), states, ROLES, members, now=same_day)
    assert [r.member for r in reminders] == ["THA"]  # a failed reminder does not use up the day
    assert skipped == ["IDN (Indonesia): already reminded today (10 December 2026, Asia/Bangkok); not sent twice a day"]
    assert [r.member for r in plan(rounds, members, states, now=same_day, force=True)] == ["IDN", "THA"]

    next_bangkok_day = late_evening + dt.timedelta(hours=1)  # still 10 December in UTC
    assert [r.member for r in plan(rounds, members, states, now=next_bangkok_day)] == ["IDN", "THA"]


def test_plan_needs_an_aware_time_and_an_open_round(rounds: Rounds, members: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="aware"):
        plan_reminders(current(rounds), [state("IDN")], ROLES, members, now=dt.datetime(2026, 11, 30, 10))
    closed = replace(current(rounds), state="closed")
    reminders, skipped = plan_reminders(closed, [state("IDN")], ROLES, members, now=NOW)
    assert reminders == [] and "closed" in skipped[0]


# --- the text ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [URL, ""])
@pytest.mark.parametrize("instructions", ["Please review every action.", ""])
@pytest.mark.parametrize(
    "which", [state("IDN"), state("IDN", "returned", note="Fix row 3"), state("IDN", overdue=True)]
)
def test_every_placeholder_of_the_template_is_filled(
    rounds: Rounds, members: dict[str, str], url: str, instructions: str, which: MemberRound
) -> None:
    round_ = replace(current(rounds), instructions=instructions)
    reminders, _ = plan_reminders(round_, [which], ROLES, members, now=NOW, app_url=url)
    body = reminders[0].body
    assert "$" not in body and "{" not in body
    assert "the Commitments Tracker dashboard" in body
    assert (URL in body) == bool(url)
    assert ("Instructions for this round:" in body) == bool(instructions)
    assert "\n\n\n" not in body  # a left-out part leaves no gap


def test_an_overdue_member_is_told_the_closing_date_has_passed(rounds: Rounds, members: dict[str, str]) -> None:
    (reminder,) = plan(rounds, members, [state("THA", overdue=True)])
    assert reminder.subject == f"Reminder: {ROUND_NAME} — the closing date (20 December 2026) has passed"
    assert f'"{ROUND_NAME}" closed on 20 December 2026' in reminder.body
    assert "still welcome" in reminder.body and "is open until" not in reminder.body


def test_a_returned_update_quotes_the_reviewers_note_as_plain_text(rounds: Rounds, members: dict[str, str]) -> None:
    note = 'Row 14: Status "Almost done" is not on the scale.\n<b>Use</b> one of Limited, Substantial & Complete.'
    (reminder,) = plan(rounds, members, [state("AUS", "returned", note=note)])
    assert "was returned by the reviewer with this note:" in reminder.body
    assert '\n    Row 14: Status "Almost done" is not on the scale.\n' in reminder.body
    assert "\n    <b>Use</b> one of Limited, Substantial & Complete.\n" in reminder.body  # no markup, no escaping
    assert "corrected file" in reminder.body
    assert "not yet received" not in reminder.body
    msg = rem.message(reminder, "rso@example.org")
    assert msg.get_content_type() == "text/plain" and msg.get_content_charset() == "utf-8"


# --- the files ---------------------------------------------------------------------------------------


def test_the_mail_merge_csv_neutralises_formula_like_cells(rounds: Rounds, members: dict[str, str]) -> None:
    round_ = replace(current(rounds), name='=HYPERLINK("http://evil.example","open")')
    reminders, _ = plan_reminders(round_, [state("IDN")], ROLES, {**members, "IDN": "@SUM(1+1)"}, now=NOW)
    data = rem.mail_merge_csv(reminders)

    assert data.startswith(b"\xef\xbb\xbf")
    (row,) = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    assert list(row) == ["member", "member_name", "to", "subject", "body", "round"]
    assert row["round"] == "'" + round_.name
    assert row["member_name"] == "'@SUM(1+1)"
    assert row["to"] == "a.idn@example.go.id; b.idn@example.go.id"
    assert row["body"] == reminders[0].body  # multi-line text survives the round trip


def test_the_zip_holds_one_eml_per_reminder_and_the_mail_merge(rounds: Rounds, members: dict[str, str]) -> None:
    reminders = plan(rounds, members, [state("IDN"), state("THA", "returned", note="Fix row 3")])
    with zipfile.ZipFile(io.BytesIO(rem.reminders_zip(reminders, "RSO <rso@example.org>"))) as archive:
        assert sorted(archive.namelist()) == ["IDN.eml", "THA.eml", "mail-merge.csv"]
        for reminder in reminders:
            parsed = email.message_from_bytes(archive.read(f"{reminder.member}.eml"), policy=default_policy)
            assert parsed["To"] == ", ".join(reminder.to)
            assert parsed["Subject"] == reminder.subject
            assert parsed["From"] == "RSO <rso@example.org>"
            assert parsed["X-Unsent"] == "1"
            assert parsed.get_content().replace("\r\n", "\n") == reminder.body  # type: ignore[attr-defined]
        assert archive.read("mail-merge.csv") == rem.mail_merge_csv(reminders)


# --- sending -----------------------------------------------------------------------------------------


def test_a_refused_address_leaves_that_reminder_failed_and_not_sent(
    mail_server: Recorder, rounds: Rounds, members: dict[str, str]
) -> None:
    mail_server.refuse = {"b.idn@example.go.id"}
    reminders = plan(rounds, members, [state("IDN"), state("THA")])
    idn, tha = send_reminders(reminders, smtp_for(mail_server.port), rounds, RSO, timeout=10)

    assert not idn.sent and "b.idn@example.go.id (550 5.1.1 No such mailbox)" in idn.problem
    assert tha.sent
    assert reminder_log(rounds) == [("IDN", False, idn.problem), ("THA", True, "")]
    assert current(rounds).last_reminder("IDN") is None  # so tomorrow's plan, or a forced one, tries again
    later_today = dt.datetime.now(dt.UTC)  # the log holds the real time of sending
    assert [r.member for r in plan(rounds, members, [state("IDN"), state("THA")], now=later_today)] == ["IDN"]


def test_a_server_that_drops_the_connection_fails_the_rest_and_says_so(
    mail_server: Recorder, rounds: Rounds, members: dict[str, str]
) -> None:
    mail_server.drop_after = 1
    reminders = plan(rounds, members, [state("IDN"), state("THA"), state("VNM")])
    outcomes = send_reminders(reminders, smtp_for(mail_server.port), rounds, RSO, timeout=10)

    assert [(o.member, o.sent) for o in outcomes] == [("IDN", True), ("THA", False), ("VNM", False)]
    assert outcomes[1].problem == "the mail server closed the connection before accepting this message"
    assert outcomes[2].problem == "not tried: the mail server closed the connection earlier in this batch"
    assert reminder_log(rounds) == [(o.member, o.sent, o.problem) for o in outcomes]
    assert [to for _, to, _ in mail_server.received] == [["a.idn@example.go.id", "b.idn@example.go.id"]]


def test_nothing_listening_records_every_reminder_failed_and_raises_nothing(
    rounds: Rounds, members: dict[str, str]
) -> None:
    reminders = plan(rounds, members, [state("IDN"), state("THA")])
    outcomes = send_reminders(reminders, smtp_for(free_port()), rounds, RSO, timeout=5)

    assert [o.sent for o in outcomes] == [False, False]
    assert all(o.problem.startswith("could not connect to the mail server 127.0.0.1:") for o in outcomes)
    assert reminder_log(rounds) == [("IDN", False, outcomes[0].problem), ("THA", False, outcomes[1].problem)]


def test_sending_needs_a_reviewer_and_an_open_round(tmp_path: Path, rounds: Rounds, members: dict[str, str]) -> None:
    reminders = plan(rounds, members, [state("IDN")])
    focal_point = User(id="fp@example.go.th", name="FP", role=Role.FOCAL_POINT, member="THA")
    with pytest.raises(PermissionError):
        send_reminders(reminders, smtp_for(free_port()), rounds, focal_point)
    with pytest.raises(RoundError, match="No reporting round is open"):
        send_reminders(reminders, smtp_for(free_port()), Rounds(tmp_path / "elsewhere"), RSO)
    assert reminder_log(rounds) == []


# --- settings ----------------------------------------------------------------------------------------

BASE = {"TRACKER_SMTP_HOST": "smtp.example.org", "TRACKER_SMTP_FROM": "RSO <rso@example.org>"}


@pytest.mark.parametrize(
    ("extra", "port", "starttls", "use_ssl"),
    [
        ({}, 25, False, False),
        ({"TRACKER_SMTP_STARTTLS": "1"}, 587, True, False),
        ({"TRACKER_SMTP_SSL": "1"}, 465, False, True),
        ({"TRACKER_SMTP_PORT": " 2525 ", "TRACKER_SMTP_STARTTLS": "0"}, 2525, False, False),
    ],
)
def test_smtp_settings_from_the_environment(extra: dict[str, str], port: int, starttls: bool, use_ssl: bool) -> None:
    settings = SmtpSettings.from_env({**BASE, **extra})
    assert settings == SmtpSettings("smtp.example.org", port, "RSO <rso@example.org>", None, None, starttls, use_ssl)


def test_smtp_settings_absent_without_a_host_and_the_password_never_shown() -> None:
    assert SmtpSettings.from_env({}) is None
    assert SmtpSettings.from_env({**BASE, "TRACKER_SMTP_HOST": "  "}) is None
    login = {"TRACKER_SMTP_USER": "rso", "TRACKER_SMTP_PASSWORD": "s3cret-Pa55"}
    settings = SmtpSettings.from_env({**BASE, **login})
    assert settings is not None and (settings.user, settings.password) == ("rso", "s3cret-Pa55")
    assert "s3cret-Pa55" not in repr(settings)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"TRACKER_SMTP_PORT": "smtp"}, "TRACKER_SMTP_PORT='smtp' is not a port number"),
        ({"TRACKER_SMTP_PORT": "0"}, "TRACKER_SMTP_PORT='0' is not a port number"),
        ({"TRACKER_SMTP_PORT": "70000"}, "TRACKER_SMTP_PORT='70000' is not a port number"),
        ({"TRACKER_SMTP_FROM": ""}, "TRACKER_SMTP_FROM is not set"),
        ({"TRACKER_SMTP_FROM": "rso"}, "TRACKER_SMTP_FROM='rso' is not an e-mail address"),
        (
            {"TRACKER_SMTP_STARTTLS": "1", "TRACKER_SMTP_SSL": "1"},
            "TRACKER_SMTP_STARTTLS and TRACKER_SMTP_SSL are both set",
        ),
        ({"TRACKER_SMTP_SSL": "maybe"}, "TRACKER_SMTP_SSL='maybe' is not a yes/no value"),
        ({"TRACKER_SMTP_USER": "rso"}, "TRACKER_SMTP_USER is set but TRACKER_SMTP_PASSWORD is not"),
    ],
)
def test_bad_smtp_settings_name_the_variable(change: dict[str, str], named: str) -> None:
    with pytest.raises(ValueError, match="^" + named.replace("(", r"\(")) as raised:
        SmtpSettings.from_env({**BASE, **change})
    assert str(raised.value).startswith(named)


def test_smtp_settings_from_the_secrets_table() -> None:
    table = {"host": "smtp.example.org", "port": 2525, "from": "rso@example.org", "starttls": True}
    table |= {"user": "rso", "password": "pw"}
    assert SmtpSettings.from_mapping(table) == SmtpSettings(
        "smtp.example.org", 2525, "rso@example.org", "rso", "pw", True
    )
    with pytest.raises(ValueError, match=r"^secrets.toml \[smtp\] port=True is not a port number"):
        SmtpSettings.from_mapping({**table, "port": True})
    assert SmtpSettings.from_mapping({"port": 25}) is None

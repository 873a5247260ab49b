"""Reminder e-mails to the focal points of members who still owe a reporting round an answer.

:func:`plan_reminders` decides who gets one (members ``waiting`` or ``returned``, with a focal point
e-mail in the role map, not reminded yet today) and writes each text from ``templates/reminder.txt``.
With a mail server configured (:class:`SmtpSettings`: ``TRACKER_SMTP_*`` or a ``[smtp]`` table in
``.streamlit/secrets.toml``), :func:`send_reminders` sends them over one connection and logs each one,
sent or failed, in the round's file. Without one, :func:`reminders_zip` gives the secretariat one
``.eml`` per member plus a mail-merge CSV to send from their own mail program.

The e-mails are in English, whatever the language of the page that sends them: the focal points' common
language, and the same text from the command line and the app. Only the reasons a member is skipped, which the
secretariat reads on the page, are said in the page's language (``plan_reminders(..., lang=...)``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import smtplib
import ssl
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from string import Template
from typing import Any

from loaders.i18n import SOURCE_LANGUAGE, Language
from loaders.issues import Text, say
from tracker.access import RoleMap, User, can_review, require
from tracker.documents.exports import neutralise_text
from tracker.records.rounds import NEEDS_ACTION, STATE_LABELS, MemberRound, Round, RoundError, Rounds

TEMPLATE = Path(__file__).resolve().parent / "templates" / "reminder.txt"
# Spelled out here: strftime's %B follows the process locale.
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
CSV_COLUMNS = ("member", "member_name", "to", "subject", "body", "round")
DISCONNECTED = "the mail server closed the connection"


# --- settings -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpSettings:
    """How to reach the mail server that sends reminders."""

    host: str
    port: int
    sender: str  # the From address, e.g. "Bali Process RSO <rso@example.org>"
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False
    ssl: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> SmtpSettings | None:
        """Read ``TRACKER_SMTP_HOST``, ``_PORT``, ``_FROM``, ``_USER``, ``_PASSWORD``, ``_STARTTLS``, ``_SSL``.

        Returns:
            None when ``TRACKER_SMTP_HOST`` is unset or blank (reminders are then downloaded, not sent).

        Raises:
            ValueError: a bad port or flag, no From address, STARTTLS and SSL both set, a user without a
                password (or the reverse); the message names the variable.
        """
        return _settings(
            lambda key: environ.get(f"TRACKER_SMTP_{key.upper()}"), lambda key: f"TRACKER_SMTP_{key.upper()}"
        )

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any]) -> SmtpSettings | None:
        """The settings from a ``[smtp]`` table of ``.streamlit/secrets.toml`` (keys host, port, from, user, …).

        Same rules and errors as :meth:`from_env`; the messages name ``secrets.toml [smtp] <key>``.
        """
        return _settings(table.get, lambda key: f"secrets.toml [smtp] {key}")


def _settings(get: Callable[[str], Any], name: Callable[[str], str]) -> SmtpSettings | None:
    host = str(get("host") or "").strip()
    if not host:
        return None
    starttls, use_ssl = _flag(get("starttls"), name("starttls")), _flag(get("ssl"), name("ssl"))
    if starttls and use_ssl:
        raise ValueError(
            f"{name('starttls')} and {name('ssl')} are both set; use one: STARTTLS (usually port 587) "
            "or SSL (usually port 465)"
        )
    port = _port(get("port"), name("port"), default=587 if starttls else 465 if use_ssl else 25)
    sender = str(get("from") or "").strip()
    if not sender:
        raise ValueError(f"{name('from')} is not set; give the address reminders come from, e.g. rso@example.org")
    if "@" not in parseaddr(sender)[1] or any(c in sender for c in "\r\n"):
        raise ValueError(f"{name('from')}={sender!r} is not an e-mail address; use e.g. 'RSO <rso@example.org>'")
    user = str(get("user") or "").strip() or None
    password = get("password")
    password = None if password is None or password == "" else str(password)
    if (user is None) != (password is None):
        given, missing = ("user", "password") if user else ("password", "user")
        raise ValueError(f"{name(given)} is set but {name(missing)} is not; set both, or neither for no login")
    return SmtpSettings(host, port, sender, user, password, starttls, use_ssl)


def _flag(value: Any, name: str) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    text = str(value).strip().casefold()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("", "0", "false", "no", "off"):
        return False
    raise ValueError(f"{name}={value!r} is not a yes/no value; use 1 (on) or 0 (off)")


def _port(value: Any, name: str, *, default: int) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    try:
        port = int(str(value).strip()) if not isinstance(value, bool) else -1
    except ValueError:
        port = -1
    if not 1 <= port <= 65535:
        raise ValueError(f"{name}={value!r} is not a port number; use a whole number from 1 to 65535, e.g. 587")
    return port


# --- planning and text --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reminder:
    """One reminder e-mail to the focal points of one member."""

    member: str
    member_name: str
    to: tuple[str, ...]
    state: str
    subject: str
    body: str
    round_name: str = ""  # for the mail-merge CSV


def plan_reminders(
    round_: Round,
    states: Sequence[MemberRound],
    roles: RoleMap,
    members: Mapping[str, str],
    *,
    now: dt.datetime,
    app_url: str = "",
    only: Sequence[str] = (),
    force: bool = False,
    lang: Language | None = None,
) -> tuple[list[Reminder], list[str]]:
    """Who gets a reminder now, and the text of each.

    Members ``waiting`` or ``returned`` (:data:`~tracker.records.rounds.NEEDS_ACTION`) get one, in the
    order of ``states``. Members who answered or are under review get none and need no reason line;
    except that a member named in ``only`` always gets a line saying why nothing goes to them.

    Args:
        round_: the open round (a closed one gets no reminders).
        states: the members' states (:func:`~tracker.records.rounds.member_states`).
        roles: the role map, for the focal points' e-mails.
        members: member id -> name (the catalog's).
        now: the current time (aware); "today" is its date in the round's time zone.
        app_url: the dashboard's address for focal points; "" leaves the link out.
        only: remind only these member ids (empty: everyone who needs it).
        force: remind even those already reminded today.
        lang: the language of the lines saying why a member is skipped (English when None). The reminders
            themselves are always in English.

    Returns:
        The reminders, and one line per member skipped saying why.

    Raises:
        ValueError: ``now`` has no time zone.
    """
    if now.tzinfo is None:
        raise ValueError("plan_reminders needs an aware `now` (with a time zone) to tell which day it is")
    if round_.state != "open":
        closed = say("The round '{name}' is closed; reminders go out only while a round is open.", name=round_.name)
        return [], [closed.render(lang)]
    today = now.astimezone(round_.zone).date()
    english = lang is None or lang.code == SOURCE_LANGUAGE
    wanted = {m.strip().upper() for m in only}
    reminders: list[Reminder] = []
    skipped: list[Text] = [
        say("{member}: not in the scope of the round '{name}'", member=m, name=round_.name)
        for m in sorted(wanted - {s.member for s in states})
    ]
    for state in states:
        if wanted and state.member not in wanted:
            continue
        who = f"{state.member} ({members.get(state.member, state.member)})"
        if state.state not in NEEDS_ACTION:
            if wanted:
                label = STATE_LABELS[state.state] if lang is None else lang.gettext(STATE_LABELS[state.state])
                skipped.append(say("{who}: {state}, nothing to remind them of", who=who, state=label.lower()))
            continue
        to = roles.focal_points(state.member)
        if not to:
            skipped.append(say("{who}: no focal point e-mail in _roles.yaml; add one to send them reminders", who=who))
        elif not force and round_.reminded_on(state.member, today):
            skipped.append(
                say(
                    "{who}: already reminded today ({day}, {zone}); not sent twice a day",
                    who=who,
                    day=lang.date(today) if lang is not None and not english else _date(today),
                    zone=round_.timezone,
                )
            )
        else:
            reminders.append(_reminder(round_, state, tuple(to), members, app_url))
    return reminders, [reason.render(lang) for reason in skipped]


def _reminder(round_: Round, state: MemberRound, to: tuple[str, ...], members: Mapping[str, str], url: str) -> Reminder:
    # In English on purpose, whatever the page's language (module docstring): not marked for translation.
    name = members.get(state.member, state.member)
    closes = _date(round_.closes)
    if state.overdue:
        subject = f"Reminder: {round_.name} — the closing date ({closes}) has passed"
        timing = (
            f'The reporting round "{round_.name}" closed on {closes} ({round_.timezone} time). '
            f"An answer for {name} is still welcome."
        )
    else:
        subject = f"Reminder: {round_.name} — closes {closes}"
        timing = f'The reporting round "{round_.name}" is open until the end of {closes} ({round_.timezone} time).'
    if state.state == "returned":
        note = "\n".join(f"    {line}".rstrip() for line in (state.note or "(no note given)").splitlines())
        missing = (
            f"The update sent for {name} was returned by the reviewer with this note:\n\n{note}\n\n"
            "Please correct the file as the note asks and send the corrected file again."
        )
    else:
        missing = f"We have not yet received an update for {name}, or a confirmation that nothing has changed."
    instructions = f"Instructions for this round:\n{round_.instructions}\n\n" if round_.instructions else ""
    # substitute, not safe_substitute: a misspelt placeholder must fail (in the tests), not reach a focal point.
    body = Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        member_name=name,
        round_name=round_.name,
        timing=timing,
        missing=missing,
        where="the Commitments Tracker dashboard (sign in with the address this message was sent to)",
        link_line=f"\n    {url}" if url else "",
        instructions=instructions,
    )
    return Reminder(state.member, name, to, state.state, subject, body, round_.name)


def _date(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


# --- files --------------------------------------------------------------------------------------------


def message(reminder: Reminder, sender: str) -> EmailMessage:
    """The e-mail of one reminder: To every focal point, From ``sender``, a plain UTF-8 text body."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(reminder.to)
    msg["Subject"] = reminder.subject
    msg["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    # An explicit domain: without one, make_msgid asks DNS for this machine's name, which can hang.
    msg["Message-ID"] = make_msgid("reminder", domain=parseaddr(sender)[1].rpartition("@")[2] or "tracker.invalid")
    msg.set_content(reminder.body, charset="utf-8", cte="quoted-printable")  # 7-bit safe for any server
    return msg


def eml_bytes(reminder: Reminder, sender: str) -> bytes:
    """One reminder as an ``.eml`` file, marked unsent so Outlook opens it as a draft ready to send."""
    msg = message(reminder, sender)
    msg["X-Unsent"] = "1"
    return msg.as_bytes()


def mail_merge_csv(reminders: Sequence[Reminder]) -> bytes:
    """The reminders as a mail-merge table (UTF-8 with BOM for Excel), formula-like cells neutralised.

    Columns: member, member_name, to (addresses joined by "; "), subject, body, round.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in reminders:
        row = (r.member, r.member_name, "; ".join(r.to), r.subject, r.body, r.round_name)
        writer.writerow([neutralise_text(cell) for cell in row])
    return out.getvalue().encode("utf-8-sig")


def reminders_zip(reminders: Sequence[Reminder], sender: str) -> bytes:
    """A zip of one ``<MEMBER>.eml`` per reminder plus ``mail-merge.csv``, to send without a mail server here."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for reminder in reminders:
            archive.writestr(f"{re.sub(r'[^A-Za-z0-9_-]', '_', reminder.member)}.eml", eml_bytes(reminder, sender))
        archive.writestr("mail-merge.csv", mail_merge_csv(reminders))
    return buffer.getvalue()


# --- sending ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SendOutcome:
    """What happened to one reminder: sent (accepted for every address) or not, and why not."""

    member: str
    to: tuple[str, ...]
    sent: bool
    problem: str = ""


def send_reminders(
    reminders: Sequence[Reminder], smtp: SmtpSettings, rounds: Rounds, by: User, *, timeout: float = 30
) -> list[SendOutcome]:
    """Send the reminders over one connection, logging each in the open round right after it is tried.

    A reminder counts as sent only when the server accepted it for every address. A connection that
    cannot be opened (or logged in to), or that the server drops, fails that reminder and every one after
    it; mail-server and network errors never reach the caller, they are in the outcomes and the log.
    Delivery is at least once: a crash between the server accepting a message and the log line being
    written leaves it unlogged, so the next batch may send it again. A reminder logged as failed may still
    have reached some addresses (one address refused, or the connection dropped after the message was
    handed over), since the server did not confirm it for all of them.

    Raises:
        AccessDeniedError: ``by`` may not send reminders (before anything is sent).
        RoundError: no round is open (before anything is sent).
        OSError, filelock.Timeout: the round's file could not be written; the batch stops there.
    """
    require(can_review(by), "send reminders")
    if rounds.current() is None:
        raise RoundError("No reporting round is open; reminders are sent only while a round is open.")
    outcomes: list[SendOutcome] = []
    client, down = _connect(smtp, timeout)
    try:
        for reminder in reminders:
            if client is None:
                outcome = SendOutcome(reminder.member, reminder.to, False, down)
            else:
                outcome, alive = _send_one(client, reminder, smtp.sender)
                if not alive:
                    _close(client)
                    client, down = None, f"not tried: {DISCONNECTED} earlier in this batch"
            rounds.record_reminder(outcome.member, by, to=outcome.to, sent=outcome.sent, problem=outcome.problem)
            outcomes.append(outcome)
    finally:
        if client is not None:
            _close(client)
    return outcomes


def _connect(smtp: SmtpSettings, timeout: float) -> tuple[smtplib.SMTP | None, str]:
    """An open, logged-in connection, or None and why not."""
    where = f"{smtp.host}:{smtp.port}"
    client: smtplib.SMTP | None = None
    try:
        if smtp.ssl:
            client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=timeout, context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=timeout)
        if smtp.starttls:
            client.starttls(context=ssl.create_default_context())
        if smtp.user is not None:
            client.login(smtp.user, smtp.password or "")
    except smtplib.SMTPAuthenticationError as exc:
        problem = f"the mail server {where} refused the login for {smtp.user} ({_reply(exc)}); check user and password"
    except (smtplib.SMTPException, OSError) as exc:
        problem = f"could not connect to the mail server {where} ({_reason(exc)}); check the SMTP settings"
    else:
        return client, ""
    if client is not None:
        _close(client)
    return None, problem


def _send_one(client: smtplib.SMTP, reminder: Reminder, sender: str) -> tuple[SendOutcome, bool]:
    """Send one reminder; the outcome, and whether the connection is still usable."""

    def failed(problem: str) -> SendOutcome:
        return SendOutcome(reminder.member, reminder.to, False, problem)

    try:
        refused = client.send_message(message(reminder, sender))
    except smtplib.SMTPServerDisconnected:
        return failed(f"{DISCONNECTED} before accepting this message"), False
    except smtplib.SMTPRecipientsRefused as exc:
        return failed(f"the mail server refused every address: {_refused(exc.recipients)}"), client.sock is not None
    except smtplib.SMTPSenderRefused as exc:
        return failed(f"the mail server refused the sender {sender} ({_reply(exc)})"), client.sock is not None
    except smtplib.SMTPException as exc:
        # smtplib closes the socket itself when the server says 421 (closing): then the rest cannot go.
        return failed(f"the mail server refused the message ({_reason(exc)})"), client.sock is not None
    except OSError as exc:  # a reset or a timeout: the connection's state is unknown, so it is not reused
        return failed(f"the connection to the mail server failed ({_reason(exc)})"), False
    if refused:
        return failed(
            f"the mail server refused {_refused(refused)}; the other addresses may have received it, "
            "but the reminder does not count as sent"
        ), True
    return SendOutcome(reminder.member, reminder.to, True), True


def _refused(recipients: Mapping[str, tuple[int, bytes | str]]) -> str:
    return ", ".join(f"{address} ({code} {_text(text)})" for address, (code, text) in sorted(recipients.items()))


def _reply(exc: smtplib.SMTPResponseException) -> str:
    return f"{exc.smtp_code} {_text(exc.smtp_error)}"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply(exc)
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _close(client: smtplib.SMTP) -> None:
    """Say goodbye if the server still listens; close the socket either way."""
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()

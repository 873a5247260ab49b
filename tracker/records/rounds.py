"""Reporting rounds: the secretariat's call for updates before a meeting, and who has answered.

A round has a name ("Update for the 20th AHG SOM"), an opening and a closing
date in a stated time zone, a scope (frameworks; all members or a list) and an
instruction text for focal points. Each round is one human-readable YAML file,
``_rounds/<slug>.yaml``, that also holds the round's own log (``events``:
opened, edited, a focal point's "no change" confirmation, each reminder sent or
failed, closed). A change rewrites the whole file aside and renames it into
place under a lock, so the state and its log change together and a crash leaves
the file before or after, whole. One round is open at a time.

A member's state in a round is never typed by hand: :func:`member_states`
derives it from what already happened, the latest event during the round
winning (a submission sent is ``submitted``; rejected, ``returned``; an
applied change, ``updated``; a "no change" click, or an apply that changed
nothing, ``no_change``; nothing yet, ``waiting``). A member has *answered* once it was ``updated`` or ``no_change``
during the round, and is *overdue* when the closing date has passed without an
answer. A submission still waiting for review counts whenever it was sent.
"""

from __future__ import annotations

import builtins
import datetime as dt
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml
from filelock import FileLock

from loaders.dataset import Dataset
from loaders.i18n import N_, SOURCE_LANGUAGE, Language, language
from loaders.issues import Text, say
from loaders.safe_yaml import YamlError, load_yaml, strip_lines
from tracker import settings
from tracker.access import User, can_review, can_submit, require
from tracker.records import durable
from tracker.records.snapshots import Snapshots, slugify
from tracker.records.store import Store
from tracker.records.submissions import Submission, Submissions

ROUNDS = "_rounds"
MemberState = Literal["waiting", "submitted", "returned", "updated", "no_change"]
MEMBER_STATES: tuple[MemberState, ...] = ("waiting", "submitted", "returned", "updated", "no_change")
ANSWERED: tuple[MemberState, ...] = ("updated", "no_change")
NEEDS_ACTION: tuple[MemberState, ...] = ("waiting", "returned")
"""The states in which the focal point has something to do: only these get reminders."""
STATE_LABELS: dict[str, str] = {
    "waiting": N_("Waiting"),
    "submitted": N_("Under review"),
    "returned": N_("Returned"),
    "updated": N_("Updated"),
    "no_change": N_("No change"),
}
"""The words for each state on every page, chart and table (``tracker.figures.rounds`` uses the same)."""


class RoundError(ValueError):
    """A round operation that cannot be done as asked (no open round, a second one, a bad date); says why.

    ``str()`` is the English message; :meth:`in_language` says it in the reader's language.
    """

    def __init__(self, message: str | Text) -> None:
        self.said = message if isinstance(message, Text) else None
        super().__init__(message.render() if isinstance(message, Text) else message)

    def in_language(self, lang: Language | None) -> str:
        """The message in ``lang`` (English when None, or when it was not made to be translated)."""
        return self.said.render(lang) if self.said is not None and lang is not None else str(self)


@dataclass(frozen=True)
class Event:
    """One line of a round's log."""

    at: str  # ISO 8601, UTC
    by: str
    kind: Literal["opened", "edited", "no_change", "reminder", "closed"]
    member: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def time(self) -> dt.datetime:
        """``at`` as an aware datetime."""
        return _parse_time(self.at)


@dataclass(frozen=True)
class Round:
    """One reporting round as stored in ``_rounds/<slug>.yaml``."""

    slug: str
    name: str
    opens: dt.date
    closes: dt.date
    timezone: str
    frameworks: tuple[str, ...] = ()  # empty: every framework
    members: tuple[str, ...] = ()  # empty: every member
    instructions: str = ""
    state: Literal["open", "closed"] = "open"
    snapshot: str | None = None  # the snapshot frozen when it closed
    responses: dict[str, int] | None = None  # the response counts frozen when it closed
    events: tuple[Event, ...] = ()

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The round's time zone."""
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def starts_at(self) -> dt.datetime:
        """Midnight at the start of the opening day, in the round's time zone."""
        return dt.datetime.combine(self.opens, dt.time(), self.zone)

    @property
    def deadline(self) -> dt.datetime:
        """The end of the closing day (midnight after it), in the round's time zone."""
        return dt.datetime.combine(self.closes + dt.timedelta(days=1), dt.time(), self.zone)

    @property
    def closed_at(self) -> dt.datetime | None:
        """When it was closed, or None while open."""
        closed = [e for e in self.events if e.kind == "closed"]
        return closed[-1].time if closed else None

    def scope(self, members: Mapping[str, str]) -> list[str]:
        """The member ids in scope, A–Z by name (``members`` maps id -> name, e.g. the catalog's)."""
        ids = [m for m in self.members if m in members] if self.members else list(members)
        return sorted(ids, key=lambda m: (members[m].casefold(), m))

    def last_reminder(self, member: str) -> str | None:
        """When the member's focal points were last sent a reminder (ISO 8601), or None."""
        sent = [e for e in self.events if e.kind == "reminder" and e.member == member and e.detail.get("sent") is True]
        return max(sent, key=lambda e: e.time).at if sent else None

    def reminded_on(self, member: str, day: dt.date) -> bool:
        """True when a reminder reached the member's focal points on ``day`` (in the round's time zone)."""
        return any(
            e.kind == "reminder"
            and e.member == member
            and e.detail.get("sent") is True
            and e.time.astimezone(self.zone).date() == day
            for e in self.events
        )

    def local_time(self, stamp: str | None) -> str:
        """An ISO 8601 time as ``2026-12-05 08:00`` in the round's time zone ("" for None)."""
        return f"{_parse_time(stamp).astimezone(self.zone):%Y-%m-%d %H:%M}" if stamp else ""

    def describe_dates(self, lang: Language | None = None) -> str:
        """``1 Dec 2026 – 20 Dec 2026 (Asia/Bangkok)``; the days written in full in another ``lang``
        (``1 Desember 2026``)."""
        day = _day if lang is None or lang.code == SOURCE_LANGUAGE else lang.date
        return f"{day(self.opens)} – {day(self.closes)} ({self.timezone})"


@dataclass(frozen=True)
class MemberRound:
    """A member's state in a round, and when it last changed."""

    member: str
    state: MemberState
    overdue: bool
    last_contact: str | None  # ISO 8601 of the latest event that set the state
    last_reminder: str | None
    pending_submission: str | None  # the id of the newest submission waiting for review
    pending_sent: str | None = None  # when that submission was sent (ISO 8601)
    note: str | None = None  # the reviewer's note when returned

    @property
    def answered(self) -> bool:
        """True when the state is an answer to the round (updated or no change)."""
        return self.state in ANSWERED


# --- deriving states ------------------------------------------------------------------------------


def member_states(
    round_: Round,
    members: Mapping[str, str],
    submissions: Sequence[Submission],
    log: pd.DataFrame,
    *,
    today: dt.date | None = None,
) -> list[MemberRound]:
    """Each member in scope with their state in the round (A–Z by name), derived from what happened.

    Args:
        round_: the round.
        members: member id -> name (the catalog's), for the scope and the order.
        submissions: every submission (any state) of the data directory.
        log: the store's history log (:meth:`tracker.records.store.Store.log`).
        today: the date overdue is judged at (default: :func:`tracker.settings.today` in the round's
            time zone); for a closed round, the day it closed if that is earlier.
    """
    today = today or settings.today(round_.zone)
    start, end = round_.starts_at, round_.closed_at
    if end is not None:
        today = min(today, end.astimezone(round_.zone).date())
    overdue_now = today > round_.closes
    scope = round_.scope(members)
    events: dict[str, list[tuple[dt.datetime, MemberState, str | None]]] = {m: [] for m in scope}
    pending: dict[str, Submission] = {}

    def during(time: dt.datetime) -> bool:
        return time >= start and (end is None or time <= end)

    for submission in submissions:
        if submission.member not in events:
            continue
        sent = _parse_time(submission.submitted_at)
        if submission.state == "pending":
            if end is None or sent <= end:  # waiting for review, whenever it was sent (before a close)
                events[submission.member].append((sent, "submitted", None))
                pending[submission.member] = submission  # submissions come oldest first: the newest stays
            continue
        if during(sent):
            events[submission.member].append((sent, "submitted", None))
        if submission.state == "rejected" and submission.reviewed_at and during(_parse_time(submission.reviewed_at)):
            events[submission.member].append((_parse_time(submission.reviewed_at), "returned", submission.note))
    if len(log):
        ours = log[log["member"].isin(list(events))]
        # An apply that changed nothing is logged as one "unchanged" line: the records were confirmed, not updated.
        changed = ours.groupby("change_id", sort=False)["kind"].agg(lambda kinds: bool((kinds != "unchanged").any()))
        applied = ours.drop_duplicates("change_id")
        for member, at, change in zip(applied["member"], applied["at"], applied["change_id"], strict=True):
            if during(applied_at := _parse_time(at)):
                events[member].append((applied_at, "updated" if changed[change] else "no_change", None))
    for event in round_.events:
        if event.kind == "no_change" and event.member in events and during(event.time):
            events[event.member].append((event.time, "no_change", None))

    states = []
    for member in scope:
        happened = sorted(events[member], key=lambda e: e[0])
        time: dt.datetime | None = None
        state: MemberState = "waiting"
        note: str | None = None
        if happened:
            time, state, note = happened[-1]
        answered = any(s in ANSWERED for _, s, _ in happened)
        states.append(
            MemberRound(
                member=member,
                state=state,
                overdue=overdue_now and not answered,
                last_contact=time.astimezone(dt.UTC).isoformat(timespec="seconds") if time else None,
                last_reminder=round_.last_reminder(member),
                pending_submission=pending[member].id if member in pending else None,
                pending_sent=pending[member].submitted_at if member in pending else None,
                note=note if state == "returned" else None,
            )
        )
    return states


def response_counts(states: Iterable[MemberRound]) -> dict[str, int]:
    """``in_scope``, ``answered``, ``overdue`` and one count per state, for the round page and the pack."""
    states = list(states)
    counts = {"in_scope": len(states), "answered": sum(s.answered for s in states)}
    counts["overdue"] = sum(s.overdue for s in states)
    counts.update({state: sum(s.state == state for s in states) for state in MEMBER_STATES})
    return counts


def response_sentence(name: str, counts: Mapping[str, int], *, closed: bool, lang: Language | None = None) -> str:
    """Neutral words for a round's response, in ``lang`` (English): ``Update for the 20th AHG SOM (closed): answered
    38 of 49 …``."""
    lang = lang or language()
    _, number = lang.gettext, lang.number
    said = (
        _(
            "{name} (closed): answered {answered} of {in_scope} members in scope (updated {updated}, no change "
            "{no_change}); under review {submitted}, returned {returned}, no reply yet {waiting}."
        )
        if closed
        else _(
            "{name} (open): answered {answered} of {in_scope} members in scope (updated {updated}, no change "
            "{no_change}); under review {submitted}, returned {returned}, no reply yet {waiting}."
        )
    )
    keys = ("answered", "in_scope", "updated", "no_change", "submitted", "returned", "waiting")
    return said.format(name=name, **{key: number(counts[key]) for key in keys})


# --- storage -----------------------------------------------------------------------------------------


class Rounds:
    """The reporting rounds of one data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.root = Path(data_dir) / ROUNDS
        self.lock = FileLock(str(self.root / ".lock"), timeout=60)

    def list(self) -> list[Round]:
        """Every round, oldest opening first (a file that cannot be read is skipped; see :meth:`problems`)."""
        return [r for r, _ in self._read_all() if r is not None]

    def problems(self, lang: Language | None = None) -> builtins.list[str]:
        """A message for each round file that cannot be read (hand-edited), naming the file (in ``lang``, English by
        default)."""
        return [p.render(lang) for r, p in self._read_all() if r is None and p is not None]

    def current(self) -> Round | None:
        """The open round, or None."""
        return next((r for r in self.list() if r.state == "open"), None)

    def latest(self) -> Round | None:
        """The open round, else the one closed last, else None."""
        rounds = self.list()  # read once: current() would read every round file again
        if (open_round := next((r for r in rounds if r.state == "open"), None)) is not None:
            return open_round
        closed = [r for r in rounds if r.closed_at is not None]
        return max(closed, key=lambda r: r.closed_at or dt.datetime.min.replace(tzinfo=dt.UTC), default=None)

    def get(self, slug: str) -> Round:
        """One round by slug or name.

        Raises:
            KeyError: no such round.
        """
        for round_ in self.list():
            if slug in (round_.slug, round_.name):
                return round_
        raise KeyError(slug)

    def open(
        self,
        name: str,
        *,
        opens: dt.date,
        closes: dt.date,
        by: User,
        known_members: Iterable[str],
        known_frameworks: Iterable[str],
        frameworks: Sequence[str] = (),
        members: Sequence[str] = (),
        instructions: str = "",
        timezone: str | None = None,
    ) -> Round:
        """Open a new round.

        Raises:
            AccessDeniedError: only reviewers and admins open rounds.
            RoundError: another round is open, the name is used, a date, framework, member or time zone is wrong.
        """
        require(can_review(by), "open a reporting round")
        name = " ".join(name.split())
        if not name:
            raise RoundError(say("Give the round a name, e.g. 'Update for the 20th AHG SOM'."))
        fields = _checked(
            opens, closes, frameworks, members, timezone or settings.timezone(), known_members, known_frameworks
        )
        durable.mkdir(self.root)  # for the lock file, before the lock is taken
        with self.lock:
            if (current := self.current()) is not None:
                raise RoundError(
                    say("The round '{name}' is still open; close it before opening another.", name=current.name)
                )
            slug = slugify(name)
            if (self.root / f"{slug}.yaml").exists():
                where = f"{ROUNDS}/{slug}.yaml"
                raise RoundError(
                    say("A round named '{name}' already exists ({path}); choose another name.", name=name, path=where)
                )
            round_ = Round(slug=slug, name=name, instructions=instructions.strip(), **fields)
            round_ = _with_event(round_, by, "opened")
            self._write(round_)
        return round_

    def edit(
        self,
        by: User,
        *,
        known_members: Iterable[str],
        known_frameworks: Iterable[str],
        opens: dt.date | None = None,
        closes: dt.date | None = None,
        frameworks: Sequence[str] | None = None,
        members: Sequence[str] | None = None,
        instructions: str | None = None,
        timezone: str | None = None,
    ) -> Round:
        """Change the open round's dates, scope, instructions or time zone (its name stays); logged with the changes.

        Raises:
            AccessDeniedError: only reviewers and admins edit rounds.
            RoundError: no round is open, or a new value is wrong.
        """
        require(can_review(by), "edit a reporting round")
        with self.lock:
            round_ = self._open_round()
            fields = _checked(
                opens or round_.opens,
                closes or round_.closes,
                round_.frameworks if frameworks is None else frameworks,
                round_.members if members is None else members,
                timezone or round_.timezone,
                known_members,
                known_frameworks,
            )
            fields["instructions"] = round_.instructions if instructions is None else instructions.strip()
            changed = {k: _plain(v) for k, v in fields.items() if getattr(round_, k) != v}
            if not changed:
                return round_
            round_ = _with_event(replace(round_, **fields), by, "edited", detail=changed)
            self._write(round_)
        return round_

    def confirm_no_change(self, member: str, by: User) -> Round:
        """Record a focal point's "nothing changed since the last round" for their member.

        Raises:
            AccessDeniedError: the user may not act for this member.
            RoundError: no round is open, or the member is not in its scope.
        """
        require(can_submit(by, member), f"confirm no change for {member}")
        with self.lock:
            round_ = self._open_round()
            if round_.members and member not in round_.members:
                raise RoundError(
                    say("{member} is not in the scope of the round '{name}'.", member=member, name=round_.name)
                )
            round_ = _with_event(round_, by, "no_change", member=member)
            self._write(round_)
        return round_

    def record_reminder(self, member: str, by: User, *, to: Sequence[str], sent: bool, problem: str = "") -> Round:
        """Log one reminder to a member's focal points: sent (accepted by the mail server for every address) or not.

        Raises:
            RoundError: no round is open.
        """
        require(can_review(by), "send reminders")
        detail: dict[str, Any] = {"to": list(to), "sent": sent}
        if problem:
            detail["problem"] = problem
        with self.lock:
            round_ = self._open_round()
            if round_.members and member not in round_.members:
                raise RoundError(
                    say("{member} is not in the scope of the round '{name}'.", member=member, name=round_.name)
                )
            round_ = _with_event(round_, by, "reminder", member=member, detail=detail)
            self._write(round_)
        return round_

    def close(self, by: User, responses: Mapping[str, int], take_snapshot: Any) -> Round:
        """Close the open round: freeze a snapshot named after it, and its response counts.

        ``take_snapshot(name)`` takes the snapshot and returns its slug (the caller owns the
        data set it freezes). A snapshot of that name left by a close that a crash cut short is
        used as it is: ``take_snapshot`` then raises ``FileExistsError`` with its slug.

        Raises:
            AccessDeniedError: only reviewers and admins close rounds.
            RoundError: no round is open.
        """
        require(can_review(by), "close a reporting round")
        with self.lock:
            round_ = self._open_round()
            try:
                slug = take_snapshot(round_.name)
            except FileExistsError as exists:
                slug = str(exists.args[0]) if exists.args else slugify(round_.name)
            closed = replace(round_, state="closed", snapshot=slug, responses=dict(responses))
            closed = _with_event(closed, by, "closed", detail={"snapshot": slug})
            self._write(closed)
        return closed

    # -- files ----------------------------------------------------------------------------------------

    def _open_round(self) -> Round:
        round_ = self.current()
        if round_ is None:
            raise RoundError(say("No reporting round is open; open one first."))
        return round_

    def _read_all(self) -> builtins.list[tuple[Round | None, Text | None]]:
        if not self.root.is_dir():
            return []
        found: builtins.list[tuple[Round | None, Text | None]] = []
        for path in sorted(self.root.glob("*.yaml")):
            if path.name.startswith("."):
                continue
            try:
                found.append((_from_document(path.stem, strip_lines(load_yaml(path))), None))
            except (YamlError, KeyError, TypeError, ValueError, zoneinfo.ZoneInfoNotFoundError) as problem:
                reason = problem.message if isinstance(problem, YamlError) else f"{type(problem).__name__}: {problem}"
                where = f"{ROUNDS}/{path.name}"
                said = say("{path} cannot be read ({reason}); restore it or fix it by hand", path=where, reason=reason)
                found.append((None, said))
        return sorted(found, key=lambda f: (f[0] is None, f[0].starts_at if f[0] else 0, f[0].slug if f[0] else ""))

    def _write(self, round_: Round) -> None:
        """Write the round's file aside, fsync it, and rename it into place (the caller holds the lock)."""
        durable.mkdir(self.root)
        target = self.root / f"{round_.slug}.yaml"
        staged = self.root / f".{round_.slug}.yaml.tmp"
        durable.write_file(staged, _to_yaml(round_).encode("utf-8"))
        durable.replace(staged, target)
        durable.fsync_dir(self.root)


# --- helpers -------------------------------------------------------------------------------------------


def _checked(
    opens: dt.date,
    closes: dt.date,
    frameworks: Sequence[str],
    members: Sequence[str],
    timezone: str,
    known_members: Iterable[str],
    known_frameworks: Iterable[str],
) -> dict[str, Any]:
    if closes < opens:
        raise RoundError(
            say(
                "The round closes ({closes}) before it opens ({opens}); give a closing date after it.",
                closes=str(closes),
                opens=str(opens),
            )
        )
    known_frameworks, known_members = set(known_frameworks), set(known_members)
    frameworks = tuple(dict.fromkeys(f.strip().upper() for f in frameworks))
    members = tuple(dict.fromkeys(m.strip().upper() for m in members))
    if unknown := [f for f in frameworks if f not in known_frameworks]:
        raise RoundError(
            say(
                "Unknown framework(s): {unknown}; use {known}.",
                unknown=", ".join(unknown),
                known=", ".join(sorted(known_frameworks)),
            )
        )
    if unknown := [m for m in members if m not in known_members]:
        raise RoundError(
            say("Unknown member(s): {unknown}; use ids from commitments/members.yaml.", unknown=", ".join(unknown))
        )
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise RoundError(
            say("'{timezone}' is not a time zone; use a name such as Asia/Bangkok or Asia/Jakarta.", timezone=timezone)
        ) from exc
    return {"opens": opens, "closes": closes, "frameworks": frameworks, "members": members, "timezone": timezone}


def _with_event(
    round_: Round, by: User, kind: Any, *, member: str | None = None, detail: dict[str, Any] | None = None
) -> Round:
    event = Event(at=_now(), by=by.label, kind=kind, member=member, detail=detail or {})
    return replace(round_, events=(*round_.events, event))


def _plain(value: Any) -> Any:
    """A value as YAML stores it: dates as text, tuples as lists."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def _to_yaml(round_: Round) -> str:
    document = {
        "name": round_.name,
        "opens": round_.opens.isoformat(),
        "closes": round_.closes.isoformat(),
        "timezone": round_.timezone,
        "frameworks": list(round_.frameworks),
        "members": list(round_.members),
        "instructions": round_.instructions,
        "state": round_.state,
        "snapshot": round_.snapshot,
        "responses": round_.responses,
        "events": [
            {
                k: v
                for k, v in (("at", e.at), ("by", e.by), ("kind", e.kind), ("member", e.member), ("detail", e.detail))
                if v
            }
            for e in round_.events
        ],
    }
    header = (
        f"# Reporting round '{round_.name}': written by Commitments Tracker. The events list is the round's log;\n"
        "# members' states are derived from submissions, the history log and these events, never stored.\n"
    )
    return header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def _from_document(slug: str, document: Any) -> Round:
    if not isinstance(document, dict):
        raise TypeError("expected a mapping of round fields")
    events = tuple(
        Event(
            at=str(e["at"]),
            by=str(e["by"]),
            kind=e["kind"],
            member=e.get("member"),
            detail=dict(e.get("detail") or {}),
        )
        for e in document.get("events") or []
    )
    for event in events:
        _parse_time(event.at)
    state = document.get("state", "open")
    if state not in ("open", "closed"):
        raise ValueError(f"state must be open or closed, not {state!r}")
    responses = document.get("responses")
    round_ = Round(
        slug=slug,
        name=str(document["name"]),
        opens=_date(document["opens"]),
        closes=_date(document["closes"]),
        timezone=str(document.get("timezone") or settings.timezone()),
        frameworks=tuple(str(f) for f in document.get("frameworks") or ()),
        members=tuple(str(m) for m in document.get("members") or ()),
        instructions=str(document.get("instructions") or ""),
        state=state,
        snapshot=document.get("snapshot"),
        responses={str(k): int(v) for k, v in responses.items()} if isinstance(responses, dict) else None,
        events=events,
    )
    round_.zone  # noqa: B018 - raises ZoneInfoNotFoundError for a bad time zone, here rather than later
    return round_


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _parse_time(text: str) -> dt.datetime:
    time = dt.datetime.fromisoformat(text)
    return time if time.tzinfo else time.replace(tzinfo=dt.UTC)


def _day(value: dt.date) -> str:
    return f"{value.day} {value:%b %Y}"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


# --- with the store ---------------------------------------------------------------------------------


def round_states(round_: Round, store: Store, *, today: dt.date | None = None) -> list[MemberRound]:
    """:func:`member_states` of a round from the store's submissions and history log (the app and CLI path)."""
    names = {member: entry.name for member, entry in store.catalog.members.items()}
    return member_states(round_, names, Submissions(store).list(), store.log(), today=today)


def close_round(rounds: Rounds, store: Store, dataset: Dataset, by: User, *, today: dt.date | None = None) -> Round:
    """Close the open round: its response counts frozen, and a snapshot of ``dataset`` named after it.

    ``dataset`` should hold every validated record, confidential ones included, as ``snapshot`` takes them.

    Raises:
        AccessDeniedError: only reviewers and admins close rounds.
        RoundError: no round is open.
    """
    round_ = rounds.current()
    if round_ is None:
        raise RoundError(say("No reporting round is open; there is nothing to close."))
    responses = response_counts(round_states(round_, store, today=today))
    snapshots = Snapshots(store.data_dir)

    def take(name: str) -> str:
        try:
            return snapshots.take(dataset, name, by).slug
        except ValueError as used:
            # A close a crash cut short took the snapshot but did not mark the round closed: use it.
            if slugify(name) in {info.slug for info in snapshots.list()}:
                raise FileExistsError(slugify(name)) from used
            raise RoundError(str(used)) from used

    return rounds.close(by, responses, take)


HISTORY_COLUMNS = ["round", "opens", "closes", "in_scope", "answered", "updated", "no_change", "submitted"]
HISTORY_COLUMNS += ["returned", "waiting", "overdue"]


def history_table(rounds: Iterable[Round]) -> pd.DataFrame:
    """The response counts each closed round froze, oldest first: one row per round (:data:`HISTORY_COLUMNS`)."""
    rows = [
        {
            "round": r.name,
            "opens": r.opens,
            "closes": r.closes,
            **{k: r.responses.get(k, 0) for k in HISTORY_COLUMNS[3:]},
        }
        for r in rounds
        if r.state == "closed" and r.responses is not None
    ]
    return pd.DataFrame(rows, columns=HISTORY_COLUMNS).astype({k: "int64" for k in HISTORY_COLUMNS[3:]})


def round_summary(
    data_dir: Path, store: Store, *, today: dt.date | None = None, lang: Language | None = None
) -> str | None:
    """The open round's response figures in neutral words (in ``lang``), else the last closed round's; None
    without rounds.

    What the Overview and the briefing pack state. Counts of members only: which members answered is shown
    to reviewers on the round page, never here.
    """
    round_ = Rounds(data_dir).latest()
    if round_ is None:
        return None
    if round_.state == "closed" and round_.responses is not None:
        return response_sentence(round_.name, round_.responses, closed=True, lang=lang)
    counts = response_counts(round_states(round_, store, today=today))
    return response_sentence(round_.name, counts, closed=False, lang=lang)

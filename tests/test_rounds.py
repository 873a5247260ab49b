"""Reporting rounds: each member's state derived from what happened, the round file and its log, the CLI.

States are derived, never typed: the tests drive real submissions, rejections, approvals and "no change"
clicks through the same classes the app uses, then read the state back. Dates that matter are explicit
(a round's own dates, ``today`` passed in), so nothing here depends on the day the suite runs.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from loaders.dataset import load_dataset
from tests.test_crash import run_killed, traced
from tracker.access import AccessDeniedError, Role, User
from tracker.cli import main
from tracker.records.rounds import (
    Event,
    MemberRound,
    Round,
    RoundError,
    Rounds,
    close_round,
    member_states,
    response_counts,
    response_sentence,
    round_states,
)
from tracker.records.snapshots import Snapshots
from tracker.records.store import Store
from tracker.records.submissions import Submission, Submissions

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
REVIEWER = User("rso@example.org", "RSO officer", Role.REVIEWER)
THA_FP = User("fp.tha@example.org", "THA focal point", Role.FOCAL_POINT, "THA")
IDN_FP = User("fp.idn@example.org", "IDN focal point", Role.FOCAL_POINT, "IDN")
VIEWER = User("guest@example.org", "Guest", Role.VIEWER)
NAMES = {"IDN": "Indonesia", "THA": "Thailand", "AUS": "Australia"}


def a_round(**fields) -> Round:
    """A round on 1–20 Dec 2026 in Bangkok time, every member in scope, nothing logged."""
    base = {
        "slug": "update",
        "name": "Update for the 20th AHG SOM",
        "opens": dt.date(2026, 12, 1),
        "closes": dt.date(2026, 12, 20),
        "timezone": "Asia/Bangkok",
    }
    return Round(**{**base, **fields})


def sent(member: str, at: str, state: str = "pending", reviewed_at: str | None = None, note: str | None = None):
    return Submission(
        id=f"{at}-{member}",
        member=member,
        file=f"{member}.xlsx",
        submitted_by="fp",
        submitted_at=at,
        summary="1 changed",
        state=state,
        reviewed_at=reviewed_at,
        note=note,
    )


def log_of(*entries: tuple[str, str]) -> pd.DataFrame:
    """A history log with one change (two lines, as a change of two fields has) per (member, at)."""
    rows = []
    for n, (member, at) in enumerate(entries):
        rows += [{"change_id": f"c{n}", "member": member, "at": at, "kind": "changed"}] * 2
    return pd.DataFrame(rows, columns=["change_id", "member", "at", "kind"])


def states(round_: Round, submissions=(), log=None, today=dt.date(2026, 12, 10)) -> dict[str, MemberRound]:
    found = member_states(round_, NAMES, list(submissions), log if log is not None else log_of(), today=today)
    return {s.member: s for s in found}


# --- deriving states --------------------------------------------------------------------------------------


def test_a_member_with_nothing_yet_is_waiting_and_members_come_a_to_z_by_name():
    found = member_states(a_round(), NAMES, [], log_of(), today=dt.date(2026, 12, 10))
    assert [s.member for s in found] == ["AUS", "IDN", "THA"]
    assert {s.state for s in found} == {"waiting"}
    assert not any(s.overdue or s.answered for s in found)
    assert found[0].last_contact is None and found[0].pending_submission is None


def test_a_pending_submission_is_submitted_whenever_it_was_sent():
    found = states(a_round(), [sent("IDN", "2026-11-15T08:00:00+00:00"), sent("THA", "2026-12-02T08:00:00+00:00")])
    assert found["IDN"].state == found["THA"].state == "submitted"
    assert found["IDN"].pending_submission == "2026-11-15T08:00:00+00:00-IDN"
    assert found["THA"].last_contact == "2026-12-02T08:00:00+00:00"
    assert not found["THA"].answered


def test_a_rejected_submission_is_returned_with_the_note_then_submitted_again():
    rejected = sent("IDN", "2026-12-02T08:00:00+00:00", "rejected", "2026-12-03T08:00:00+00:00", "Add evidence")
    assert states(a_round(), [rejected])["IDN"].state == "returned"
    assert states(a_round(), [rejected])["IDN"].note == "Add evidence"
    again = sent("IDN", "2026-12-04T08:00:00+00:00")
    resent = states(a_round(), [rejected, again])["IDN"]
    assert (resent.state, resent.note, resent.pending_submission) == ("submitted", None, again.id)


def test_an_applied_change_during_the_round_is_updated_and_answers_it():
    found = states(a_round(), log=log_of(("THA", "2026-12-05T01:00:00+00:00")))["THA"]
    assert (found.state, found.answered, found.last_contact) == ("updated", True, "2026-12-05T01:00:00+00:00")


def test_an_apply_that_changed_nothing_is_no_change_not_updated():
    log = pd.DataFrame(
        [{"change_id": "c0", "member": "THA", "at": "2026-12-05T01:00:00+00:00", "kind": "unchanged"}],
        columns=["change_id", "member", "at", "kind"],
    )
    found = states(a_round(), log=log)["THA"]
    assert (found.state, found.answered) == ("no_change", True)


def test_a_change_applied_before_the_round_opened_does_not_count():
    found = states(a_round(), log=log_of(("THA", "2026-11-30T16:59:59+00:00")))  # 23:59:59 in Bangkok
    assert found["THA"].state == "waiting"
    found = states(a_round(), log=log_of(("THA", "2026-11-30T17:00:00+00:00")))  # midnight, 1 Dec in Bangkok
    assert found["THA"].state == "updated"


def test_no_change_after_a_submission_is_no_change_and_a_later_approval_updated():
    pending = sent("THA", "2026-12-02T08:00:00+00:00")
    round_ = _with_no_change(a_round(), "THA", "2026-12-03T08:00:00+00:00")
    found = states(round_, [pending])["THA"]
    assert (found.state, found.answered, found.pending_submission) == ("no_change", True, pending.id)
    approved = sent("THA", "2026-12-02T08:00:00+00:00", "approved", "2026-12-06T08:00:00+00:00")
    later = states(round_, [approved], log_of(("THA", "2026-12-06T08:00:00+00:00")))["THA"]
    assert (later.state, later.pending_submission) == ("updated", None)


def test_overdue_only_after_the_closing_day_and_only_without_an_answer():
    round_ = _with_no_change(a_round(), "IDN", "2026-12-03T08:00:00+00:00")
    on_the_day = states(round_, today=dt.date(2026, 12, 20))
    assert not any(s.overdue for s in on_the_day.values())
    after = states(round_, [sent("THA", "2026-12-02T08:00:00+00:00")], today=dt.date(2026, 12, 21))
    assert {m: s.overdue for m, s in after.items()} == {"AUS": True, "IDN": False, "THA": True}


def test_a_closed_round_ignores_what_happened_after_it_closed():
    closed = _with_event(a_round(state="closed"), "closed", "2026-12-15T00:00:00+00:00")
    found = states(closed, log=log_of(("THA", "2026-12-16T00:00:00+00:00")), today=dt.date(2027, 1, 5))
    assert found["THA"].state == "waiting"
    assert not found["THA"].overdue  # closed on 15 Dec, before its closing date: nobody was overdue then


def test_the_scope_limits_the_members_and_the_counts():
    round_ = a_round(members=("THA", "IDN"))
    found = member_states(round_, NAMES, [], log_of(("IDN", "2026-12-05T00:00:00+00:00")), today=dt.date(2026, 12, 21))
    counts = response_counts(found)
    assert [s.member for s in found] == ["IDN", "THA"]
    assert counts == {
        "in_scope": 2,
        "answered": 1,
        "overdue": 1,
        "waiting": 1,
        "submitted": 0,
        "returned": 0,
        "updated": 1,
        "no_change": 0,
    }
    assert response_sentence("R", counts, closed=True) == (
        "R (closed): answered 1 of 2 members in scope (updated 1, no change 0); "
        "under review 0, returned 0, no reply yet 1."
    )


def _with_event(round_: Round, kind: str, at: str, member: str | None = None, **detail) -> Round:
    return Round(**{**vars(round_), "events": (*round_.events, Event(at, "someone", kind, member, detail))})


def _with_no_change(round_: Round, member: str, at: str) -> Round:
    return _with_event(round_, "no_change", at, member)


# --- the round file -------------------------------------------------------------------------------------------


@pytest.fixture
def data_dir(tmp_path):
    directory = tmp_path / "data"
    directory.mkdir()
    for name in ("THA.yaml", "IDN.xlsx"):
        shutil.copy(SAMPLE / name, directory / name)
    return directory


def open_round(catalog, data_dir, **fields) -> Round:
    options = {"opens": dt.date(2026, 11, 1), "closes": dt.date(2026, 12, 20), "by": REVIEWER}
    return Rounds(data_dir).open(
        fields.pop("name", "Update for the 20th AHG SOM"),
        known_members=catalog.members,
        known_frameworks=catalog.frameworks,
        **{**options, **fields},
    )


def test_a_round_is_one_readable_yaml_file_with_its_log(catalog, data_dir):
    opened = open_round(catalog, data_dir, members=["tha", "IDN"], instructions="Update statuses.")
    path = data_dir / "_rounds" / "update-for-the-20th-ahg-som.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert document["name"] == "Update for the 20th AHG SOM"
    assert (document["opens"], document["closes"], document["timezone"]) == ("2026-11-01", "2026-12-20", "Asia/Bangkok")
    assert document["members"] == ["THA", "IDN"] and document["state"] == "open"
    assert [(e["kind"], e["by"]) for e in document["events"]] == [("opened", REVIEWER.label)]
    assert Rounds(data_dir).current() == opened


def test_one_round_is_open_at_a_time_and_names_are_not_reused(catalog, data_dir):
    open_round(catalog, data_dir)
    with pytest.raises(RoundError, match="is still open"):
        open_round(catalog, data_dir, name="Another")
    close_round(Rounds(data_dir), Store(data_dir, catalog), load_dataset(data_dir, catalog), REVIEWER)
    with pytest.raises(RoundError, match="already exists"):
        open_round(catalog, data_dir)
    assert open_round(catalog, data_dir, name="Another").state == "open"


@pytest.mark.parametrize(
    ("fields", "complaint"),
    [
        ({"closes": dt.date(2026, 10, 1)}, "closes .* before it opens"),
        ({"members": ["XYZ"]}, "Unknown member"),
        ({"frameworks": ["ZZZ"]}, "Unknown framework"),
        ({"timezone": "Mars/Olympus"}, "not a time zone"),
        ({"name": "   "}, "Give the round a name"),
    ],
)
def test_a_round_with_a_wrong_field_is_refused_and_nothing_written(catalog, data_dir, fields, complaint):
    with pytest.raises(RoundError, match=complaint):
        open_round(catalog, data_dir, **fields)
    assert Rounds(data_dir).list() == []


def test_only_reviewers_and_admins_open_edit_and_close_rounds(catalog, data_dir):
    for user in (VIEWER, THA_FP):
        with pytest.raises(AccessDeniedError):
            open_round(catalog, data_dir, by=user)
    open_round(catalog, data_dir)
    with pytest.raises(AccessDeniedError):
        Rounds(data_dir).edit(THA_FP, known_members=catalog.members, known_frameworks=catalog.frameworks)
    with pytest.raises(AccessDeniedError):
        close_round(Rounds(data_dir), Store(data_dir, catalog), load_dataset(data_dir, catalog), THA_FP)


def test_an_edit_is_logged_with_what_changed(catalog, data_dir):
    open_round(catalog, data_dir)
    edited = Rounds(data_dir).edit(
        REVIEWER,
        known_members=catalog.members,
        known_frameworks=catalog.frameworks,
        closes=dt.date(2026, 12, 27),
        instructions="Also the Bohol items.",
    )
    assert edited.closes == dt.date(2026, 12, 27)
    assert edited.events[-1].kind == "edited"
    assert edited.events[-1].detail == {"closes": "2026-12-27", "instructions": "Also the Bohol items."}
    unchanged = Rounds(data_dir).edit(REVIEWER, known_members=catalog.members, known_frameworks=catalog.frameworks)
    assert len(unchanged.events) == len(edited.events)  # nothing changed, nothing logged


def test_a_focal_point_confirms_no_change_for_their_own_member_only(catalog, data_dir):
    open_round(catalog, data_dir, members=["THA", "IDN"])
    rounds = Rounds(data_dir)
    with pytest.raises(AccessDeniedError):
        rounds.confirm_no_change("IDN", THA_FP)
    with pytest.raises(AccessDeniedError):
        rounds.confirm_no_change("THA", VIEWER)
    with pytest.raises(RoundError, match="not in the scope"):
        rounds.confirm_no_change("AUS", REVIEWER)
    confirmed = rounds.confirm_no_change("THA", THA_FP)
    assert (confirmed.events[-1].kind, confirmed.events[-1].member, confirmed.events[-1].by) == (
        "no_change",
        "THA",
        THA_FP.label,
    )
    found = {s.member: s.state for s in round_states(confirmed, Store(data_dir, catalog))}
    assert found == {"IDN": "waiting", "THA": "no_change"}


def test_no_change_needs_an_open_round(catalog, data_dir):
    with pytest.raises(RoundError, match="No reporting round is open"):
        Rounds(data_dir).confirm_no_change("THA", THA_FP)


def test_a_damaged_round_file_is_reported_by_name_never_a_crash(catalog, data_dir):
    open_round(catalog, data_dir)
    (data_dir / "_rounds" / "broken.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    (data_dir / "_rounds" / "no-zone.yaml").write_text(
        "name: X\nopens: 2026-01-01\ncloses: 2026-02-01\ntimezone: Nowhere/Else\n", encoding="utf-8"
    )
    rounds = Rounds(data_dir)
    assert [r.name for r in rounds.list()] == ["Update for the 20th AHG SOM"]
    problems = rounds.problems()
    assert len(problems) == 2
    assert problems[0].startswith("_rounds/broken.yaml cannot be read") and "fix it by hand" in problems[0]
    assert problems[1].startswith("_rounds/no-zone.yaml cannot be read")


# --- with real submissions, reviews and applies -----------------------------------------------------------------


def test_states_follow_real_submissions_rejections_approvals(catalog, data_dir, today):
    open_round(catalog, data_dir, members=["THA", "IDN"])
    store = Store(data_dir, catalog)
    queue = Submissions(store)
    tha = (data_dir / "THA.yaml").read_bytes().replace(b"status: limited", b"status: substantial", 1)
    assert b"status: substantial" in tha

    def now():
        return {s.member: s.state for s in round_states(Rounds(data_dir).current(), store, today=today)}

    assert now() == {"IDN": "waiting", "THA": "waiting"}
    _, first = queue.submit("THA.yaml", tha, THA_FP, today=today)
    assert first is not None and now()["THA"] == "submitted"
    queue.reject(first.id, REVIEWER, "Please add the evidence link.")
    assert now()["THA"] == "returned"
    _, second = queue.submit("THA.yaml", tha, THA_FP, today=today)
    assert now()["THA"] == "submitted"
    assert queue.approve(second.id, REVIEWER, today=today).ok
    assert now() == {"IDN": "waiting", "THA": "updated"}


def test_closing_freezes_a_snapshot_named_after_the_round_and_its_counts(catalog, data_dir, today):
    open_round(catalog, data_dir, members=["THA", "IDN"])
    Rounds(data_dir).confirm_no_change("IDN", IDN_FP)
    store = Store(data_dir, catalog)
    closed = close_round(Rounds(data_dir), store, load_dataset(data_dir, catalog, today=today), REVIEWER, today=today)
    assert closed.state == "closed" and closed.snapshot == "update-for-the-20th-ahg-som"
    assert closed.responses["answered"] == 1 and closed.responses["waiting"] == 1
    snapshot = Snapshots(data_dir).load(closed.snapshot)
    assert snapshot.info.name == "Update for the 20th AHG SOM"
    assert set(snapshot.actions["member"]) == {"THA", "IDN"}
    assert Rounds(data_dir).current() is None and Rounds(data_dir).latest() == closed
    with pytest.raises(RoundError, match="nothing to close"):
        close_round(Rounds(data_dir), store, load_dataset(data_dir, catalog), REVIEWER)


# --- crash safety: killed at each write step ------------------------------------------------------------------


def test_a_no_change_killed_at_any_step_leaves_the_round_before_or_after_whole(catalog, data_dir, tmp_path):
    open_round(catalog, data_dir, members=["THA"])
    before = (data_dir / "_rounds" / "update-for-the-20th-ahg-som.yaml").read_bytes()

    def work(directory: Path):
        return lambda: Rounds(directory).confirm_no_change("THA", THA_FP)

    steps = traced(work(shutil.copytree(data_dir, tmp_path / "probe")))
    assert [kind for kind, _ in steps] == ["create", "write", "fsync", "rename", "fsync-dir"]
    for at in range(1, len(steps) + 2):
        trial = tmp_path / f"trial{at}"
        shutil.copytree(data_dir, trial)
        code = run_killed(work(trial), at)
        path = trial / "_rounds" / "update-for-the-20th-ahg-som.yaml"
        round_ = Rounds(trial).current()
        assert round_ is not None and Rounds(trial).problems() == []
        if code == 0 or at > 4:  # the rename (step 4) is the commit point
            assert [e.kind for e in round_.events] == ["opened", "no_change"]
        else:
            assert code != 0 and path.read_bytes() == before


def test_a_close_cut_short_after_its_snapshot_is_finished_by_closing_again(catalog, data_dir, today):
    open_round(catalog, data_dir, members=["THA"])
    dataset = load_dataset(data_dir, catalog, today=today)
    Snapshots(data_dir).take(dataset, "Update for the 20th AHG SOM", REVIEWER)  # as a crash right after it leaves
    closed = close_round(Rounds(data_dir), Store(data_dir, catalog), dataset, REVIEWER, today=today)
    assert closed.state == "closed" and closed.snapshot == "update-for-the-20th-ahg-som"
    assert len(Snapshots(data_dir).list()) == 1


# --- command line -------------------------------------------------------------------------------------------


def run(data_dir: Path, *args: str) -> int:
    return main(["--data-dir", str(data_dir), "round", *args])


def test_the_command_line_runs_a_round_and_reports_its_status_as_json(catalog, data_dir, capsys):
    assert (
        run(
            data_dir,
            "open",
            "Update for the 20th AHG SOM",
            "--opens",
            "2026-11-01",
            "--closes",
            "2026-12-20",
            "--member",
            "THA",
            "--member",
            "idn",
            "--by",
            "RSO",
        )
        == 0
    )
    assert "Opened 'Update for the 20th AHG SOM': 1 Nov 2026 – 20 Dec 2026 (Asia/Bangkok), 2 member(s)" in (
        capsys.readouterr().out
    )
    assert run(data_dir, "no-change", "IDN", "--by", "Focal point") == 0
    assert "Indonesia (IDN) has nothing to change" in capsys.readouterr().out
    assert run(data_dir, "status", "--json") == 0
    document = json.loads(capsys.readouterr().out)
    assert document == {
        "round": {
            "name": "Update for the 20th AHG SOM",
            "opens": "2026-11-01",
            "closes": "2026-12-20",
            "state": "open",
        },
        "members": [
            {"member": "IDN", "state": "no_change", "overdue": False, "last_reminder": None},
            {"member": "THA", "state": "waiting", "overdue": False, "last_reminder": None},
        ],
    }
    assert run(data_dir, "close", "--by", "RSO") == 0
    out = capsys.readouterr().out
    assert "Closed 'Update for the 20th AHG SOM'" in out and "answered 1 of 2 members in scope" in out
    assert run(data_dir, "status", "--json") == 0
    assert json.loads(capsys.readouterr().out)["round"]["state"] == "closed"


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["status"], "No reporting round has been opened"),
        (["no-change", "THA", "--by", "x"], "No reporting round is open"),
        (["close"], "nothing to close"),
        (["remind", "--dry-run"], "No reporting round is open"),
        (["open", "R", "--closes", "20-12-2026"], "dates are YYYY-MM-DD"),
    ],
)
def test_round_misuse_exits_2_with_a_message(data_dir, capsys, args, complaint):
    assert run(data_dir, *args) == 2
    assert complaint in capsys.readouterr().err


def test_a_second_open_round_and_an_unknown_member_exit_2(data_dir, capsys):
    assert run(data_dir, "open", "R1", "--closes", "2026-12-20") == 0
    assert run(data_dir, "open", "R2", "--closes", "2026-12-20") == 2
    assert "'R1' is still open" in capsys.readouterr().err
    assert run(data_dir, "no-change", "XYZ", "--by", "x") == 2
    assert "'XYZ' is not a member" in capsys.readouterr().err
    assert run(data_dir, "remind", "--member", "XYZ", "--dry-run") == 2


def test_remind_without_smtp_settings_says_how_to_set_them(data_dir, capsys, monkeypatch):
    monkeypatch.delenv("TRACKER_SMTP_HOST", raising=False)
    assert run(data_dir, "open", "R1", "--closes", "2026-12-20") == 0
    assert run(data_dir, "remind") == 2
    assert "TRACKER_SMTP_HOST" in capsys.readouterr().err


def test_times_are_shown_in_the_rounds_time_zone():
    assert a_round().local_time("2026-12-04T17:30:00+00:00") == "2026-12-05 00:30"
    assert a_round(timezone="Australia/Sydney").local_time("2026-12-04T17:30:00+00:00") == "2026-12-05 04:30"
    assert a_round().local_time(None) == ""
    assert a_round().describe_dates() == "1 Dec 2026 – 20 Dec 2026 (Asia/Bangkok)"


def test_the_history_chart_counts_whole_members_and_labels_states_as_the_pages_do():
    from tracker.figures.rounds import RESPONSE_SEGMENTS, response_figure
    from tracker.records.rounds import STATE_LABELS, history_table

    closed = a_round(state="closed", responses={"in_scope": 3, "answered": 1, "no_change": 1, "waiting": 2})
    table = history_table([closed, a_round(slug="open", name="Still open")])
    assert table[["round", "in_scope", "answered", "no_change", "waiting", "updated"]].values.tolist() == [
        ["Update for the 20th AHG SOM", 3, 1, 1, 2, 0]
    ]
    figure = response_figure(table, title="How members answered each round")
    assert figure.layout.xaxis.dtick == 1  # no "0 1 1 2 2" from rounded half steps
    assert [trace.name for trace in figure.data] == [STATE_LABELS[c] for c, *_ in RESPONSE_SEGMENTS]
    assert [trace.text[0] for trace in figure.data] == ["", "1", "", "", "2"]
    many = table.assign(waiting=48)
    assert response_figure(many, title="t").layout.xaxis.dtick is None


def test_a_wrong_time_zone_is_misuse_named_as_given(data_dir, capsys, monkeypatch):
    assert run(data_dir, "open", "R1", "--closes", "2026-12-20", "--timezone", "Mars/Olympus") == 2
    assert "'Mars/Olympus' is not a time zone" in capsys.readouterr().err
    monkeypatch.setenv("TRACKER_TIMEZONE", "Nowhere/Else")
    assert run(data_dir, "open", "R1", "--closes", "2026-12-20") == 2
    assert "'Nowhere/Else (TRACKER_TIMEZONE)' is not a time zone" in capsys.readouterr().err

"""A whole reporting round from the command line on the sample data, against a real SMTP server on loopback.

``round open`` → ``round remind`` delivers one message per waiting focal point → a focal point's submission
and another's "no change" show in ``round status --json`` → a second ``remind`` the same day sends nothing
unless forced → ``round close`` freezes the snapshot → the briefing pack states the round's figures.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from loaders.catalog import load_catalog
from tests.test_reminders import mail_server  # noqa: F401 - a fixture, used by name
from tracker.access import Role, User
from tracker.cli import main
from tracker.records.rounds import Rounds
from tracker.records.snapshots import Snapshots
from tracker.records.store import Store
from tracker.records.submissions import Submissions

ROOT = Path(__file__).resolve().parent.parent
NAME = "Update for the 20th AHG SOM"
ROLES = """
users:
  - {email: fp.tha@example.org, role: focal_point, member: THA}
  - {email: fp2.tha@example.org, role: focal_point, member: THA}
  - {email: fp.idn@example.org, role: focal_point, member: IDN}
  - {email: fp.aus@example.org, role: focal_point, member: AUS}
  - {email: rso@example.org, role: reviewer}
"""


@pytest.fixture
def sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = shutil.copytree(ROOT / "data" / "sample", tmp_path / "data")
    (directory / "_roles.yaml").write_text(ROLES, encoding="utf-8")
    monkeypatch.setenv("TRACKER_APP_URL", "https://tracker.example.org")
    return directory


def smtp_env(monkeypatch: pytest.MonkeyPatch, port: int) -> None:
    monkeypatch.setenv("TRACKER_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("TRACKER_SMTP_PORT", str(port))
    monkeypatch.setenv("TRACKER_SMTP_FROM", "Secretariat <secretariat@example.org>")


def cli(data_dir: Path, *args: str) -> int:
    return main(["--data-dir", str(data_dir), *args])


def test_a_whole_round_from_the_command_line(sample, mail_server, monkeypatch, capsys, tmp_path):  # noqa: F811
    smtp_env(monkeypatch, mail_server.port)
    assert cli(sample, "round", "open", NAME, "--closes", "2026-12-20", "--by", "RSO") == 0
    assert "49 member(s) in scope" in capsys.readouterr().out

    assert cli(sample, "round", "remind", "--by", "RSO") == 0
    out = capsys.readouterr().out
    delivered = {tuple(sorted(to)) for _, to, _ in mail_server.received}
    assert delivered == {
        ("fp.aus@example.org",),
        ("fp.idn@example.org",),
        ("fp.tha@example.org", "fp2.tha@example.org"),
    }
    assert "3 sent, 0 failed, 46 skipped." in out  # 46 members have no focal point in _roles.yaml
    subjects = {m["To"]: m["Subject"] for m in mail_server.messages()}
    assert subjects["fp.idn@example.org"] == f"Reminder: {NAME} — closes 20 December 2026"
    assert all("https://tracker.example.org" in m.get_content() for m in mail_server.messages())

    # A focal point sends THA's update; IDN's says nothing changed.
    catalog = load_catalog()
    tha = (sample / "THA.yaml").read_bytes().replace(b"status: limited", b"status: substantial", 1)
    focal_point = User("fp.tha@example.org", "Fa Tha", Role.FOCAL_POINT, "THA")
    assert Submissions(Store(sample, catalog)).submit("THA.yaml", tha, focal_point)[1] is not None
    assert cli(sample, "round", "no-change", "IDN", "--by", "fp.idn@example.org") == 0
    capsys.readouterr()
    assert cli(sample, "round", "status", "--json") == 0
    members = {m["member"]: m for m in json.loads(capsys.readouterr().out)["members"]}
    assert (members["THA"]["state"], members["IDN"]["state"], members["AUS"]["state"]) == (
        "submitted",
        "no_change",
        "waiting",
    )
    assert members["AUS"]["last_reminder"] is not None and members["MYS"]["last_reminder"] is None

    # The same day: AUS was reminded already, THA is under review, IDN answered: nothing goes out.
    assert cli(sample, "round", "remind", "--by", "RSO") == 0
    assert len(mail_server.received) == 3
    assert "0 sent, 0 failed" in capsys.readouterr().out
    assert cli(sample, "round", "remind", "--force", "--member", "AUS", "--by", "RSO") == 0
    assert [to for _, to, _ in mail_server.received[3:]] == [["fp.aus@example.org"]]

    assert cli(sample, "round", "close", "--by", "RSO") == 0
    assert "answered 1 of 49 members in scope (updated 0, no change 1)" in capsys.readouterr().out
    assert [i.name for i in Snapshots(sample).list()] == [NAME]
    pack = tmp_path / "pack.html"
    assert cli(sample, "brief", "--out", str(pack), "--since", NAME) == 0
    html = pack.read_text(encoding="utf-8")
    assert f"Reporting round: {NAME} (closed): answered 1 of 49 members in scope" in html
    assert f"the snapshot “{NAME}”" in html


def test_a_refused_reminder_exits_1_and_is_logged_as_failed(sample, mail_server, monkeypatch, capsys):  # noqa: F811
    smtp_env(monkeypatch, mail_server.port)
    mail_server.refuse = {"fp2.tha@example.org"}
    assert cli(sample, "round", "open", NAME, "--closes", "2026-12-20", "--member", "THA", "--member", "IDN") == 0
    assert cli(sample, "round", "remind", "--by", "RSO") == 1
    out = capsys.readouterr().out
    assert "sent: IDN to fp.idn@example.org" in out and "FAILED" in out and "1 sent, 1 failed" in out
    logged = [(e.member, e.detail["sent"]) for e in Rounds(sample).current().events if e.kind == "reminder"]
    assert sorted(logged) == [("IDN", True), ("THA", False)]
    # The failed member was not reminded, so the next run tries it again.
    mail_server.refuse = set()
    assert cli(sample, "round", "remind", "--by", "RSO") == 0
    assert "1 sent, 0 failed" in capsys.readouterr().out


def test_remind_out_writes_the_messages_without_sending(sample, monkeypatch, capsys, tmp_path):
    monkeypatch.delenv("TRACKER_SMTP_HOST", raising=False)
    assert cli(sample, "round", "open", NAME, "--closes", "2026-12-20", "--member", "THA") == 0
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    assert cli(sample, "round", "remind", "--out", str(out_dir)) == 0
    assert "1 message(s) and mail-merge.csv (nothing was sent)" in capsys.readouterr().out
    assert (out_dir / "reminders.zip").stat().st_size > 0
    assert [e for e in Rounds(sample).current().events if e.kind == "reminder"] == []  # nothing logged as sent


def test_status_piped_into_a_reader_that_stops_early_is_no_traceback(sample):
    env = {**os.environ, "TRACKER_DATA_DIR": str(sample)}
    assert cli(sample, "round", "open", NAME, "--closes", "2026-12-20") == 0
    # `true` exits without reading, so the pipe has no reader by the time the status is printed.
    command = f"{sys.executable} -m tracker round status | true"
    done = subprocess.run(command, shell=True, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stderr == ""

"""The store: diffs, id assignment, the output check, history, roles and the lock on the write path.

Crash safety (killing an apply or a recovery at each of its steps) is tested in ``tests/test_crash.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from filelock import FileLock

import tracker.records.store as store_module
from loaders import limits
from loaders.dataset import build_dataset, load_dataset
from loaders.tables import read_member_bytes, read_member_file
from tests.make_fixtures import write_csv
from tracker import settings
from tracker.access import ANONYMOUS, AccessDeniedError, Role, User
from tracker.records.member_yaml import member_yaml
from tracker.records.store import LOG_COLUMNS, Store, StoreBusyError, sees_confidential

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
TODAY = dt.date(2026, 11, 28)
ADMIN = User("admin@example.org", "Admin", Role.ADMIN)
REVIEWER = User("rev@example.org", "Rita Rev", Role.REVIEWER)
FOCAL_THA = User("fp.tha@example.org", "Fa Tha", Role.FOCAL_POINT, "THA")
FOCAL_IDN = User("fp.idn@example.org", "Ida Idn", Role.FOCAL_POINT, "IDN")
VIEWER = User("someone@example.org", "Someone", Role.VIEWER)
SECRET_ID = "THA-017"  # the sample's one confidential THA action
NEVER_ID = "THA-099"  # an id THA never had


@pytest.fixture
def data_dir(tmp_path):
    directory = tmp_path / "data"
    directory.mkdir()
    shutil.copy(SAMPLE / "THA.yaml", directory / "THA.yaml")
    return directory


def tha_yaml(data_dir: Path) -> dict:
    return yaml.safe_load((data_dir / "THA.yaml").read_text(encoding="utf-8"))


def edited(data_dir: Path, edit) -> bytes:
    """THA.yaml with ``edit(document)`` applied, as upload bytes."""
    document = tha_yaml(data_dir)
    edit(document)
    return yaml.safe_dump(document, sort_keys=False).encode()


def set_status(document, index, status):
    document["actions"][index]["status"] = status
    if status == "complete":
        document["actions"][index]["evidence"] = "https://example.org/evidence"


def new_row(title: str = "New work", **fields) -> dict:
    return {"commitments": "ASC-1", "title": title, "status": "limited", "last_updated": dt.date(2026, 11, 1), **fields}


def log_rows(log: pd.DataFrame, *columns: str) -> list[list]:
    """Rows of the log's ``columns``, blanks as None."""
    frame = log[list(columns)].astype(object)
    return frame.where(frame.notna(), None).values.tolist()


def files_under(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` but the store's (empty) lock file: to prove nothing was written."""
    files = (p for p in sorted(directory.rglob("*")) if p.is_file() and p.name != ".lock")
    return {str(p.relative_to(directory)): p.read_bytes() for p in files}


# --- preview and apply ----------------------------------------------------------------------------------------


def test_preview_lists_added_removed_and_changed_fields(catalog, data_dir):
    store = Store(data_dir, catalog)

    def edit(document):
        set_status(document, 0, "discontinued")
        document["actions"].pop(1)
        document["actions"].append(new_row())

    preview = store.preview(read_member_bytes("THA.yaml", edited(data_dir, edit)), viewer=ADMIN, today=TODAY)

    assert preview.ok and preview.issues == [] and preview.member == "THA" and preview.illustrative
    assert preview.diff.changed.values.tolist() == [["THA-001", "status", "complete", "discontinued"]]
    assert list(preview.diff.removed["action_id"]) == ["THA-002"]
    assert list(preview.diff.added["title"]) == ["New work"]
    assert preview.diff.summary() == "1 added, 1 removed, 1 field(s) changed in 1 action(s)"
    assert (data_dir / "THA.yaml").read_bytes() == (SAMPLE / "THA.yaml").read_bytes()


def test_apply_writes_assigns_ids_keeps_the_old_version_and_logs(catalog, data_dir):
    store = Store(data_dir, catalog)
    original = (data_dir / "THA.yaml").read_bytes()

    def edit(document):
        set_status(document, 0, "discontinued")
        document["actions"].append(new_row())

    result = store.apply(read_member_bytes("THA.yaml", edited(data_dir, edit)), ADMIN, today=TODAY)

    assert result.ok and result.written == data_dir / "THA.yaml"
    assert result.assigned_ids == ["THA-056"]  # the sample's ids run to THA-055
    header = f"# THA: applied by Admin <admin@example.org> from THA.yaml ({result.change_id}).\n"
    assert (data_dir / "THA.yaml").read_text(encoding="utf-8").startswith(header)  # who, from what, which change
    after = tha_yaml(data_dir)
    assert after["illustrative"] is True, "the sample stays marked as illustrative"
    assert [a["action_id"] for a in after["actions"]][-2:] == ["THA-055", "THA-056"]
    assert after["actions"][0]["status"] == "discontinued"
    versions = data_dir / "_history" / "versions" / "THA"
    assert [p.name for p in versions.iterdir()] == [f"{result.change_id}-THA.yaml"]
    assert (versions / f"{result.change_id}-THA.yaml").read_bytes() == original
    log = store.log("THA")
    assert log_rows(log, "kind", "action_id", "field", "old", "new") == [
        ["changed", "THA-001", "status", "complete", "discontinued"],
        ["added", "THA-056", None, None, "New work"],
    ]  # newest first
    assert list(log.columns) == LOG_COLUMNS and list(log.index) == [0, 1]  # the history table, as pages show it
    assert set(log["by"]) == {"Admin <admin@example.org>"} and set(log["change_id"]) == {result.change_id}
    assert re.fullmatch(r"\d{8}T\d{12}Z-[0-9a-f]{6}", result.change_id)
    (at,) = set(log["at"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", at) and result.change_id.startswith(at[:4])
    assert set(log["file"]) == {"THA.yaml"} and set(log["member"]) == {"THA"}
    assert not load_dataset(data_dir, catalog, today=TODAY).errors


def test_a_members_first_file_is_applied_with_nothing_to_keep(catalog, tmp_path):
    data_dir = tmp_path / "data"  # not even created yet
    store = Store(data_dir, catalog)

    result = store.apply(read_member_file(SAMPLE / "THA.yaml"), ADMIN, today=TODAY)

    assert result.ok and result.written == data_dir / "THA.yaml"
    assert len(result.preview.diff.added) == 55 and not (data_dir / "_history" / "versions").exists()
    assert set(store.log()["kind"]) == {"added"} and len(store.log()) == 55
    assert sorted(p.name for p in data_dir.iterdir()) == ["THA.yaml", "_history"]


def test_a_new_members_rows_are_numbered_from_001(catalog, tmp_path):
    store = Store(tmp_path / "data", catalog)
    upload = read_member_bytes(
        "KHM.yaml", yaml.safe_dump({"member": "KHM", "actions": [new_row("First"), new_row("Second")]}).encode()
    )

    result = store.apply(upload, ADMIN, today=TODAY)

    assert result.assigned_ids == ["KHM-001", "KHM-002"]
    written = yaml.safe_load((tmp_path / "data" / "KHM.yaml").read_text(encoding="utf-8"))
    assert [(a["action_id"], a["title"]) for a in written["actions"]] == [("KHM-001", "First"), ("KHM-002", "Second")]
    assert "illustrative" not in written  # real data is not marked


def test_the_log_is_utf8_text_with_accents_as_they_are(catalog, data_dir):
    title = "Protección de víctimas"
    store = Store(data_dir, catalog)
    store.apply(read_member_bytes("THA.yaml", edited(data_dir, lambda d: d["actions"].append(new_row(title)))), ADMIN)

    assert title.encode() in (data_dir / "_history" / "log.jsonl").read_bytes()  # readable with grep, not \u00f3


def test_an_apply_judges_dates_at_the_apps_date_never_the_machines(catalog, data_dir, monkeypatch):
    """Validation and the read-back check both judge dates at ``settings.today()`` when the caller gives none."""
    monkeypatch.setenv(settings.TODAY_ENV, "2099-06-01")
    upload = edited(data_dir, lambda d: d["actions"].append(new_row(last_updated=dt.date(2099, 1, 1))))

    result = Store(data_dir, catalog).apply(read_member_bytes("THA.yaml", upload), ADMIN)

    assert result.ok, [i.message for i in result.preview.issues]


def test_an_apply_that_changes_nothing_is_logged_as_unchanged(catalog, data_dir):
    store = Store(data_dir, catalog)

    result = store.apply(read_member_file(data_dir / "THA.yaml"), ADMIN, today=TODAY)

    assert result.ok and result.preview.diff.is_empty and result.assigned_ids == []
    assert log_rows(store.log(), "kind", "action_id") == [["unchanged", None]]


def test_the_log_keeps_its_format_one_json_object_per_line(catalog, data_dir):
    """Other tools read the log: every line of every kind has exactly the LOG_COLUMNS keys, in that order."""

    def edit(document):
        set_status(document, 0, "discontinued")
        document["actions"].pop(1)
        document["actions"].append(new_row())

    store = Store(data_dir, catalog)
    store.apply(read_member_bytes("THA.yaml", edited(data_dir, edit)), ADMIN, today=TODAY)
    store.apply(read_member_file(data_dir / "THA.yaml"), ADMIN, today=TODAY)
    text = (data_dir / "_history" / "log.jsonl").read_text(encoding="utf-8")

    assert text.endswith("\n") and text.count("\n") == 4
    entries = [json.loads(line) for line in text.splitlines()]
    assert [e["kind"] for e in entries] == ["added", "removed", "changed", "unchanged"]
    assert all(list(e) == LOG_COLUMNS for e in entries)
    assert [(e["field"], e["old"], e["new"]) for e in entries[:2]] == [
        (None, None, "New work"),
        (None, yaml.safe_load((SAMPLE / "THA.yaml").read_text())["actions"][1]["title"], None),
    ]


def test_the_log_reader_skips_a_line_still_being_written(catalog, data_dir):
    store = Store(data_dir, catalog)
    store.apply(read_member_bytes("THA.yaml", edited(data_dir, lambda d: set_status(d, 0, "limited"))), ADMIN)
    path = data_dir / "_history" / "log.jsonl"
    whole = path.read_bytes()
    path.write_bytes(whole + whole[: len(whole) // 2])  # a second line cut in the middle, as a reader may see it

    assert len(store.log()) == 1


def test_a_title_with_a_line_separator_stays_one_log_line(catalog, data_dir):
    title = "Shelters\u2028and hotlines"  # str.splitlines() would cut the JSON line here
    store = Store(data_dir, catalog)
    store.apply(read_member_bytes("THA.yaml", edited(data_dir, lambda d: d["actions"].append(new_row(title)))), ADMIN)

    assert store.log()["new"].tolist() == [title]


def test_invalid_upload_changes_nothing(catalog, data_dir):
    store = Store(data_dir, catalog)
    before = files_under(data_dir)
    bad = edited(data_dir, lambda d: set_status(d, 0, "almost done"))

    result = store.apply(read_member_bytes("THA.yaml", bad), ADMIN, today=TODAY)

    assert not result.ok and result.change_id is None and result.assigned_ids == [] and result.written is None
    assert result.preview.diff is None and not result.preview.ok
    assert [(i.field, i.code) for i in result.preview.issues] == [("status", "unknown-status")]
    assert files_under(data_dir) == before
    assert store.log().empty


@pytest.mark.parametrize("role", [Role.VIEWER, Role.FOCAL_POINT])
def test_only_reviewers_and_admins_can_apply(catalog, data_dir, role):
    user = User("someone@example.org", "Someone", role, "THA" if role == Role.FOCAL_POINT else None)
    before = files_under(data_dir)
    with pytest.raises(AccessDeniedError, match=r"^Your role does not allow you to apply updates to member records\.$"):
        Store(data_dir, catalog).apply(read_member_file(data_dir / "THA.yaml"), user, today=TODAY)
    assert files_under(data_dir) == before


def test_applying_an_xlsx_replaces_it_with_the_yaml_record_and_keeps_the_xlsx(catalog, tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.copy(SAMPLE / "IDN.xlsx", data_dir / "IDN.xlsx")
    store = Store(data_dir, catalog)

    result = store.apply(read_member_file(data_dir / "IDN.xlsx"), ADMIN, today=TODAY)

    assert result.ok and result.preview.diff.is_empty
    assert sorted(p.name for p in data_dir.iterdir()) == ["IDN.yaml", "_history"]
    kept = data_dir / "_history" / "versions" / "IDN" / f"{result.change_id}-IDN.xlsx"
    assert [p.name for p in kept.parent.iterdir()] == [kept.name]
    assert kept.read_bytes() == (SAMPLE / "IDN.xlsx").read_bytes()
    reloaded = load_dataset(data_dir, catalog, today=TODAY)
    assert not reloaded.issues and len(reloaded.actions) == len(result.preview.actions) == 60


# --- action ids are never given twice -------------------------------------------------------------------------


def test_removed_ids_are_never_reused(catalog, data_dir):
    store = Store(data_dir, catalog)
    store.apply(read_member_bytes("THA.yaml", edited(data_dir, lambda d: d["actions"].pop())), ADMIN, today=TODAY)
    assert "THA-055" not in [a["action_id"] for a in tha_yaml(data_dir)["actions"]]

    add = edited(data_dir, lambda d: d["actions"].append(new_row("Another")))
    result = store.apply(read_member_bytes("THA.yaml", add), ADMIN, today=TODAY)

    assert result.assigned_ids == ["THA-056"]
    title = yaml.safe_load((SAMPLE / "THA.yaml").read_text())["actions"][-1]["title"]
    assert log_rows(store.log(), "kind", "action_id", "old", "new")[-1] == ["removed", "THA-055", title, None]


def test_a_new_row_with_an_id_of_its_own_keeps_it_and_the_next_id_is_above_it(catalog, data_dir):
    store = Store(data_dir, catalog)

    def add(document):
        document["actions"].append(new_row("With its own id", action_id="THA-099"))
        document["actions"].append(new_row("Without"))

    result = store.apply(read_member_bytes("THA.yaml", edited(data_dir, add)), ADMIN, today=TODAY)

    assert result.assigned_ids == ["THA-100"]
    assert log_rows(store.log(), "kind", "action_id", "new")[::-1] == [
        ["added", "THA-099", "With its own id"],
        ["added", "THA-100", "Without"],
    ]


def test_ids_are_never_reused_when_the_current_file_is_an_xlsx(catalog, tmp_path):
    """The highest id of IDN.xlsx is removed and a row added in the same upload: the new row gets the next id."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.copy(SAMPLE / "IDN.xlsx", data_dir / "IDN.xlsx")
    store = Store(data_dir, catalog)
    document = yaml.safe_load(_as_yaml(catalog, data_dir / "IDN.xlsx"))
    assert document["actions"][-1]["action_id"] == "IDN-060"
    document["actions"].pop()
    document["actions"].append(new_row(member="IDN"))
    upload = read_member_bytes("IDN.yaml", yaml.safe_dump(document, sort_keys=False).encode())

    result = store.apply(upload, ADMIN, today=TODAY)

    assert result.ok and result.assigned_ids == ["IDN-061"]
    log = store.log("IDN")
    assert sorted(log[["kind", "action_id"]].values.tolist()) == [["added", "IDN-061"], ["removed", "IDN-060"]]


def _as_yaml(catalog, path: Path) -> str:
    """A member file's records as YAML upload text (what a focal point would send back)."""
    raw = read_member_file(path)
    actions = build_dataset(catalog, [raw], today=TODAY).actions
    return member_yaml(raw.member, actions, illustrative=raw.illustrative)


def test_an_id_only_in_a_kept_version_is_never_reused(catalog, data_dir):
    """A row with errors on record is dropped (never logged as removed); its id lives on in the versions folder."""

    def broken_high_row(document):
        document["actions"].append({**new_row("Row with an error"), "action_id": "THA-090", "status": "almost done"})

    (data_dir / "THA.yaml").write_bytes(edited(data_dir, broken_high_row))
    store = Store(data_dir, catalog)
    valid = edited(data_dir, lambda d: d["actions"].pop())  # the same records without the broken row
    first = store.apply(read_member_bytes("THA.yaml", valid), ADMIN, today=TODAY)
    assert first.ok and "THA-090" not in store.log()["action_id"].tolist()

    second = store.apply(
        read_member_bytes("THA.yaml", edited(data_dir, lambda d: d["actions"].append(new_row()))), ADMIN, today=TODAY
    )

    assert second.assigned_ids == ["THA-091"]


def test_used_ids_are_read_by_the_loader_not_found_in_text(catalog, data_dir):
    """Ids come from the id column of every file (current and kept) and the log, not from anywhere in the text."""
    store = Store(data_dir, catalog)

    def mention(document):
        document["actions"][0]["description"] = "Follows up THA-500 and tha-600 of the old plan"
        document["actions"][1]["action_id"] = " tha-002 "  # read as THA-002

    (data_dir / "THA.yaml").write_bytes(edited(data_dir, mention))
    kept = data_dir / "_history" / "versions" / "THA"
    kept.mkdir(parents=True)
    shutil.copy(SAMPLE / "IDN.xlsx", kept / "20250101T000000000000Z-aaaaaa-THA.xlsx")  # ids IDN-0xx: not THA's
    (kept / "20250102T000000000000Z-bbbbbb-THA.yaml").write_text(
        "member: THA\nactions:\n- action_id: THA-077\n  title: x\n", encoding="utf-8"
    )
    (kept / ".20250103T000000000000Z-cccccc-THA.yaml.tmp").write_text(
        "member: THA\nactions:\n- action_id: THA-088\n", encoding="utf-8"
    )  # a copy a crash cut short: not a version
    (data_dir / "_history" / "log.jsonl").write_text(
        json.dumps(dict.fromkeys(LOG_COLUMNS) | {"member": "THA", "kind": "removed", "action_id": "THA-066"})
        + "\n"
        + json.dumps(dict.fromkeys(LOG_COLUMNS) | {"member": "IDN", "kind": "removed", "action_id": "THA-095"})
        + "\n",
        encoding="utf-8",
    )

    used = store.used_action_ids("THA")

    assert {i for i in used if i.startswith("THA-") and int(i[4:]) > 55} == {"THA-066", "THA-077"}
    assert "THA-002" in used and "THA-500" not in used and "THA-600" not in used
    assert len({i for i in used if i.startswith("IDN")}) == 60  # the xlsx was read (its ids are not THA's)
    added = store.apply(
        read_member_bytes("THA.yaml", edited(data_dir, lambda d: d["actions"].append(new_row()))), ADMIN, today=TODAY
    )
    assert added.assigned_ids == ["THA-078"]


def test_a_version_restored_by_hand_is_read_again(catalog, data_dir):
    """Versions are cached by the store; one replaced from a backup while the app runs still counts."""
    store = Store(data_dir, catalog)
    kept = data_dir / "_history" / "versions" / "THA" / "20250102T000000000000Z-bbbbbb-THA.yaml"
    kept.parent.mkdir(parents=True)
    kept.write_text("member: THA\nactions:\n- action_id: THA-077\n", encoding="utf-8")
    assert "THA-077" in store.used_action_ids("THA")

    kept.write_text("member: THA\nactions:\n- action_id: THA-080\n- action_id: THA-081\n", encoding="utf-8")

    used = store.used_action_ids("THA")
    assert {"THA-080", "THA-081"} <= used and "THA-077" not in used


def test_new_ids_are_numbered_in_order_and_widen_past_999(catalog, data_dir):
    store = Store(data_dir, catalog)
    (data_dir / "_history").mkdir()
    (data_dir / "_history" / "log.jsonl").write_text(
        json.dumps(dict.fromkeys(LOG_COLUMNS) | {"member": "THA", "kind": "removed", "action_id": "THA-998"}) + "\n",
        encoding="utf-8",
    )

    result = store.apply(
        read_member_bytes("THA.yaml", edited(data_dir, lambda d: d["actions"].extend([new_row("a"), new_row("b")]))),
        ADMIN,
        today=TODAY,
    )

    assert result.assigned_ids == ["THA-999", "THA-1000"]
    assert store.log()[["kind", "action_id", "new"]].values.tolist()[::-1][-2:] == [
        ["added", "THA-999", "a"],
        ["added", "THA-1000", "b"],
    ]


# --- what is written must load back whole ---------------------------------------------------------------------

LEAF = "x" * 120


def alias_yaml() -> bytes:
    """About 1.5 KB of YAML whose aliases expand to 100,000 values in one unknown column (13 MB written out)."""
    levels = [f"  a0: &a0 [{', '.join([LEAF] * 10)}]"]
    levels += [f"  a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 5)]
    text = "member: THA\nx:\n" + "\n".join(levels) + "\nactions:\n"
    text += "- commitments: ASC-1\n  title: One action\n  status: limited\n  last_updated: 2026-11-01\n  junk: *a4\n"
    return text.encode()


def test_an_upload_that_would_be_written_too_large_to_load_is_refused(catalog, data_dir):
    data = alias_yaml()
    assert len(data) < 2000
    store = Store(data_dir, catalog)
    upload = read_member_bytes("THA.yaml", data)
    assert store.preview(upload, viewer=ADMIN, today=TODAY).ok, "the upload itself is valid"
    before = files_under(data_dir)

    result = store.apply(upload, ADMIN, today=TODAY)

    assert not result.ok and result.change_id is None
    refused = [i for i in result.preview.issues if i.severity == "error"]
    assert [(i.code, i.file, i.row, i.field) for i in refused] == [("records-not-loadable", "THA.yaml", None, None)]
    message = refused[0].message
    assert re.match(r"THA\.yaml: applied, it would be saved as THA\.yaml \(1\d\.\d MB\)", message), message
    assert "file-too-large" in message and "the limit is 10 MB" in message and "nothing was written" in message
    assert files_under(data_dir) == before


def test_a_csv_whose_yaml_would_pass_the_size_limit_is_refused(catalog, data_dir, tmp_path, monkeypatch):
    """The loader's own limit is what counts: lowered to 64 KB here, so a 40 KB CSV writes a YAML file over it."""
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 64 * 1024)
    rows = [new_row(f"Training round {n} for border officers", member="THA") for n in range(520)]
    path = write_csv(tmp_path / "THA.csv", rows)
    assert path.stat().st_size < 64 * 1024
    store = Store(data_dir, catalog)
    before = files_under(data_dir)

    result = store.apply(read_member_file(path), ADMIN, today=TODAY)

    assert not result.ok
    assert [i.code for i in result.preview.issues] == ["records-not-loadable"]
    assert "(file-too-large: THA.yaml: the file is 0.1 MB" in result.preview.issues[0].message  # the loader's words
    assert files_under(data_dir) == before


def test_an_upload_just_under_the_limit_once_written_is_applied(catalog, data_dir, monkeypatch):
    """The boundary: the check refuses what the loader refuses, nothing more."""
    store = Store(data_dir, catalog)
    upload = read_member_bytes("THA.yaml", edited(data_dir, lambda d: set_status(d, 0, "limited")))
    written = store.apply(upload, ADMIN, today=TODAY)
    size = (data_dir / "THA.yaml").stat().st_size
    shutil.rmtree(data_dir / "_history")
    shutil.copy(SAMPLE / "THA.yaml", data_dir / "THA.yaml")
    assert written.ok
    # The header names the change id, whose length never varies, so the file is the same size again.
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", size)
    assert store.apply(upload, ADMIN, today=TODAY).ok
    shutil.rmtree(data_dir / "_history")
    shutil.copy(SAMPLE / "THA.yaml", data_dir / "THA.yaml")
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", size - 1)
    assert [i.code for i in store.apply(upload, ADMIN, today=TODAY).preview.issues] == ["records-not-loadable"]


def test_records_that_would_not_read_back_the_same_are_refused(catalog, data_dir, monkeypatch):
    """Guard against the writer and the loader disagreeing: here the writer drops a field."""

    def lossy(member, actions, **options):
        return member_yaml(member, actions.assign(lead_agency=None), **options)

    monkeypatch.setattr(store_module, "member_yaml", lossy)
    store = Store(data_dir, catalog)
    before = files_under(data_dir)

    result = store.apply(read_member_file(data_dir / "THA.yaml"), ADMIN, today=TODAY)

    assert [i.code for i in result.preview.issues] == ["records-not-loadable"]
    assert "would not read back as they are (55 action(s) sent, 55 read back)" in result.preview.issues[0].message
    assert files_under(data_dir) == before


def test_cli_apply_reports_an_upload_too_large_once_written(data_dir, tmp_path):
    upload = tmp_path / "up" / "THA.yaml"
    upload.parent.mkdir()
    upload.write_bytes(alias_yaml())
    before = files_under(data_dir)

    done = cli("apply", str(upload), "--data-dir", str(data_dir))

    assert done.returncode == 1 and "records-not-loadable" in done.stdout and "NOT APPLIED" in done.stdout
    assert "Traceback" not in done.stderr
    assert files_under(data_dir) == before


# --- a preview shows only what its viewer may see -------------------------------------------------------------


def citing(data_dir: Path, action_id: str) -> bytes:
    """What a guest can send: THA's visible records (as in their template) plus a row citing ``action_id``."""

    def edit(document):
        document["actions"] = [a for a in document["actions"] if not a.get("confidential")]
        document["actions"].append(
            {
                **new_row("Sealed arrangement with a witness-protection unit"),
                "action_id": action_id,
                "status": "complete",
            }
            | {"evidence": "https://example.org/x", "commitments": ["BWP-A"]}
        )

    return edited(data_dir, edit)


def comparable_preview(preview, action_id: str) -> dict:
    """A preview as plain data, the cited id replaced by a placeholder."""

    def frame(df: pd.DataFrame) -> list:
        return json.loads(
            df.drop(columns=["source_file", "source_row"], errors="ignore").to_json(orient="records", date_format="iso")
        )

    data = {
        "ok": preview.ok,
        "member": preview.member,
        "issues": [i.to_dict() for i in preview.issues],
        "added": frame(preview.diff.added),
        "removed": frame(preview.diff.removed),
        "changed": frame(preview.diff.changed),
        "actions": frame(preview.actions),
        "summary": preview.diff.summary(),
    }
    return json.loads(json.dumps(data).replace(action_id, "<ID>"))


@pytest.mark.parametrize("viewer", [ANONYMOUS, VIEWER, FOCAL_IDN], ids=["anonymous", "viewer", "other-focal-point"])
def test_citing_a_confidential_id_previews_exactly_as_an_unknown_id(catalog, data_dir, viewer):
    store = Store(data_dir, catalog)

    secret = store.preview(read_member_bytes("THA.yaml", citing(data_dir, SECRET_ID)), viewer=viewer, today=TODAY)
    unknown = store.preview(read_member_bytes("THA.yaml", citing(data_dir, NEVER_ID)), viewer=viewer, today=TODAY)

    assert secret.ok and unknown.ok
    assert list(secret.diff.added["action_id"]) == [SECRET_ID]
    assert secret.diff.changed.empty and secret.diff.removed.empty
    assert comparable_preview(secret, SECRET_ID) == comparable_preview(unknown, NEVER_ID)


def test_issues_about_a_cited_confidential_id_are_those_of_an_unknown_id(catalog, data_dir):
    """Cited twice (a duplicate), the confidential id gets exactly the issues an id never used gets."""

    def twice(action_id: str) -> list[dict]:
        document = yaml.safe_load(citing(data_dir, action_id))
        document["actions"].append(dict(document["actions"][-1]))
        upload = read_member_bytes("THA.yaml", yaml.safe_dump(document, sort_keys=False).encode())
        preview = Store(data_dir, catalog).preview(upload, viewer=ANONYMOUS, today=TODAY)
        assert not preview.ok and preview.diff is None
        return json.loads(json.dumps([i.to_dict() for i in preview.issues]).replace(action_id, "<ID>"))

    issues = twice(SECRET_ID)

    assert [(i["code"], i["field"]) for i in issues] == [("duplicate-action-id", "action_id")]
    assert issues == twice(NEVER_ID)


@pytest.mark.parametrize("viewer", [FOCAL_THA, REVIEWER, ADMIN], ids=["own-focal-point", "reviewer", "admin"])
def test_those_allowed_see_the_confidential_action_changed(catalog, data_dir, viewer):
    store = Store(data_dir, catalog)

    preview = store.preview(read_member_bytes("THA.yaml", citing(data_dir, SECRET_ID)), viewer=viewer, today=TODAY)

    assert preview.diff.added.empty and preview.diff.removed.empty
    assert set(preview.diff.changed["action_id"]) == {SECRET_ID}
    assert "title" in set(preview.diff.changed["field"])


def test_the_guest_diff_keeps_no_changed_field_of_a_confidential_action(catalog, data_dir):
    """The whole file sent back with the confidential action edited: a guest sees it only as added."""

    def edit(document):
        (secret,) = [a for a in document["actions"] if a.get("confidential")]
        secret["title"] = "Renamed"
        secret["lead_agency"] = "Someone else"

    store = Store(data_dir, catalog)
    guest = store.preview(read_member_bytes("THA.yaml", edited(data_dir, edit)), viewer=ANONYMOUS, today=TODAY)
    reviewer = store.preview(read_member_bytes("THA.yaml", edited(data_dir, edit)), viewer=REVIEWER, today=TODAY)

    assert guest.diff.changed.empty and list(guest.diff.added["action_id"]) == [SECRET_ID]
    assert sorted(reviewer.diff.changed["field"]) == ["lead_agency", "title"]


def test_rows_with_errors_on_record_are_counted_for_a_guest_without_the_confidential_ones(catalog, data_dir):
    def break_rows(document):
        secret = next(a for a in document["actions"] if a.get("confidential"))
        secret["status"] = "almost done"
        set_status(document, 2, "almost done")

    upload = read_member_bytes("THA.yaml", citing(data_dir, SECRET_ID))
    (data_dir / "THA.yaml").write_bytes(edited(data_dir, break_rows))
    store = Store(data_dir, catalog)

    guest = store.preview(upload, viewer=ANONYMOUS, today=TODAY)
    reviewer = store.preview(upload, viewer=REVIEWER, today=TODAY)

    assert [(i.severity, i.code) for i in guest.issues] == [("warning", "current-rows-dropped")]
    assert guest.issues[0].message.startswith("THA.yaml: 1 row(s) of THA's current file have errors")
    assert reviewer.issues[0].message.startswith("THA.yaml: 2 row(s) of THA's current file have errors")
    # Without the broken confidential row on record, the guest's preview is the same.
    (data_dir / "THA.yaml").write_bytes(
        edited(data_dir, lambda d: d.update(actions=[a for a in d["actions"] if not a.get("confidential")]))
    )
    assert comparable_preview(store.preview(upload, viewer=ANONYMOUS, today=TODAY), "-") == comparable_preview(
        guest, "-"
    )


@pytest.mark.parametrize(
    ("value", "counted"),
    [
        (None, True),
        (False, True),
        ("no", True),
        (" No ", True),
        ("N", True),
        ("false", True),
        ("0", True),
        (0, True),
        (0.0, True),
        (True, False),
        ("yes", False),
        ("1", False),
        (1, False),
        (float("nan"), True),
        ("maybe", False),
        ("", True),
    ],
)
def test_a_guest_counts_a_broken_row_only_when_it_is_plainly_not_confidential(catalog, tmp_path, value, counted):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    rows = [new_row("Broken", member="THA", status="almost done", confidential=value)]
    write_csv(data_dir / "THA.csv", rows) if isinstance(value, str) else _yaml_rows(data_dir / "THA.yaml", rows)
    store = Store(data_dir, catalog)

    _, dropped = store.current_actions("THA", TODAY, confidential=False)

    assert dropped == int(counted)
    assert store.current_actions("THA", TODAY)[1] == 1


def _yaml_rows(path: Path, rows: list[dict]) -> None:
    path.write_text(yaml.safe_dump({"member": "THA", "actions": rows}, sort_keys=False), encoding="utf-8")


def test_who_sees_a_members_confidential_actions():
    assert [sees_confidential(u, "THA") for u in (ANONYMOUS, VIEWER, FOCAL_IDN, FOCAL_THA, REVIEWER, ADMIN)] == [
        False,
        False,
        False,
        True,
        True,
        True,
    ]


# --- the lock -------------------------------------------------------------------------------------------------


def test_an_apply_waits_for_the_lock_and_writes_nothing_meanwhile(catalog, data_dir):
    store = Store(data_dir, catalog, lock_timeout=0.2)
    upload = read_member_bytes("THA.yaml", edited(data_dir, lambda d: set_status(d, 0, "limited")))
    (data_dir / "_history").mkdir()
    before = files_under(data_dir)
    holder = FileLock(str(data_dir / "_history" / ".lock"))  # another process's hold, as far as flock is concerned

    with holder, pytest.raises(StoreBusyError, match=r"Another update is being saved; .* \(waited 0 s\)"):
        store.apply(upload, ADMIN, today=TODAY)

    assert files_under(data_dir) == before
    assert store.apply(upload, ADMIN, today=TODAY).ok  # once released


def test_recovery_waits_for_the_lock(catalog, data_dir):
    pending = data_dir / "_history" / "pending"
    pending.mkdir(parents=True)
    (pending / "THA.yaml").write_text("left by an apply that never committed")
    store = Store(data_dir, catalog, lock_timeout=0.2)

    with FileLock(str(data_dir / "_history" / ".lock")), pytest.raises(StoreBusyError, match=r"\(waited 0 s\)"):
        store.recover()
    assert (pending / "THA.yaml").exists()

    assert store.recover() == [] and not any(pending.iterdir())


def test_two_simultaneous_applies_both_land_in_order(catalog, data_dir, tmp_path):
    first = upload_file(tmp_path, data_dir, "a", lambda d: set_status(d, 0, "discontinued"))
    second = upload_file(tmp_path, data_dir, "b", lambda d: set_status(d, 1, "discontinued"))
    processes = [run_apply(data_dir, first, "writer-a"), run_apply(data_dir, second, "writer-b")]
    assert [p.wait(timeout=120) for p in processes] == [0, 0]
    store = Store(data_dir, catalog)
    log = store.log()
    assert log["change_id"].nunique() == 2
    assert set(log["by"]) == {"writer-a <w@example.org>", "writer-b <w@example.org>"}
    # Each apply replaced the records with its own file, so the last one wins entirely; the first is in versions.
    last_writer = log.iloc[0]["by"]
    statuses = [a["status"] for a in tha_yaml(data_dir)["actions"][:2]]
    expected = ["discontinued", None] if last_writer.startswith("writer-a") else [None, "discontinued"]
    assert [s if s == "discontinued" else None for s in statuses] == expected
    kept = sorted((data_dir / "_history" / "versions" / "THA").iterdir())
    assert [p.name for p in kept] == sorted(f"{c}-THA.yaml" for c in log["change_id"].unique())
    # The second apply's "previous version" is exactly what the first one wrote.
    digests = {hashlib.sha256(p.read_bytes()).hexdigest() for p in kept}
    assert hashlib.sha256((SAMPLE / "THA.yaml").read_bytes()).hexdigest() in digests


APPLY_SCRIPT = """
import datetime as dt, sys
from pathlib import Path
from loaders.catalog import load_catalog
from loaders.tables import read_member_file
from tracker.access import Role, User
from tracker.records.store import Store
store = Store(Path(sys.argv[1]), load_catalog())
result = store.apply(read_member_file(Path(sys.argv[2])), User("w@example.org", sys.argv[3], Role.ADMIN),
                     today=dt.date(2026, 11, 28))
sys.exit(0 if result.ok else 1)
"""


def run_apply(data_dir: Path, upload: Path, name: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", APPLY_SCRIPT, str(data_dir), str(upload), name], cwd=ROOT)


def upload_file(tmp_path: Path, data_dir: Path, name: str, edit) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    path = folder / "THA.yaml"
    path.write_bytes(edited(data_dir, edit))
    return path


# --- rows with errors on record and the command line ----------------------------------------------------------


def test_preview_warns_when_rows_with_errors_on_record_would_be_dropped(catalog, data_dir):
    good = (data_dir / "THA.yaml").read_bytes()
    (data_dir / "THA.yaml").write_bytes(edited(data_dir, lambda d: set_status(d, 2, "almost done")))
    preview = Store(data_dir, catalog).preview(read_member_bytes("THA.yaml", good), viewer=ADMIN, today=TODAY)
    assert preview.ok
    assert [(i.severity, i.code, i.file, i.row) for i in preview.issues] == [
        ("warning", "current-rows-dropped", "THA.yaml", None)
    ]
    message = preview.issues[0].message  # what, what applying does to those rows, and how to keep them
    assert message.startswith("THA.yaml: 1 row(s) of THA's current file have errors")
    assert "applying it replaces the file and those rows will be gone (the old file is kept in the history)" in message
    assert message.endswith("Add them to this file, corrected, if they should stay")


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tracker", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_cli_apply_writes_logs_and_names_who(data_dir, tmp_path):
    upload = upload_file(tmp_path, data_dir, "up", lambda d: set_status(d, 0, "discontinued"))
    done = cli("apply", str(upload), "--data-dir", str(data_dir), "--by", "Ann Reviewer")
    assert done.returncode == 0, done.stderr
    assert "APPLIED" in done.stdout and "1 field(s) changed" in done.stdout
    assert tha_yaml(data_dir)["actions"][0]["status"] == "discontinued"
    entry = json.loads((data_dir / "_history" / "log.jsonl").read_text().splitlines()[-1])
    assert (entry["by"], entry["field"], entry["new"]) == ("Ann Reviewer", "status", "discontinued")


def test_cli_apply_refuses_a_file_with_errors_and_a_missing_file(data_dir, tmp_path):
    original = (data_dir / "THA.yaml").read_bytes()
    upload = upload_file(tmp_path, data_dir, "bad", lambda d: set_status(d, 0, "almost"))
    refused = cli("apply", str(upload), "--data-dir", str(data_dir))
    assert refused.returncode == 1 and "unknown-status" in refused.stdout and "Traceback" not in refused.stderr
    assert (data_dir / "THA.yaml").read_bytes() == original
    assert cli("apply", str(tmp_path / "nope.yaml"), "--data-dir", str(data_dir)).returncode == 2


def test_the_records_on_file_are_judged_at_the_day_given(catalog, tmp_path):
    # A record updated on 1 June 2026 is valid from that day on, and "in the future" before it: the store's
    # current records (what a review's diff compares with) follow the day given, not the machine's date.
    (tmp_path / "IDN.yaml").write_text(
        "member: IDN\nactions:\n  - {action_id: IDN-001, member: IDN, commitments: ASC-1, title: Liaison, "
        "status: limited, last_updated: 2026-06-01}\n",
        encoding="utf-8",
    )
    store = Store(tmp_path, catalog)

    before, broken_before = store.current_actions("IDN", dt.date(2026, 5, 31))
    after, broken_after = store.current_actions("IDN", dt.date(2026, 6, 1))

    assert (len(before), broken_before) == (0, 1)
    assert (after["action_id"].tolist(), broken_after) == (["IDN-001"], 0)

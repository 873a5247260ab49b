"""The store: diffs, id assignment, history, roles on the write path, crashes and concurrency."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from loaders.catalog import load_catalog
from loaders.dataset import load_dataset
from loaders.tables import read_member_bytes, read_member_file
from tracker.access import AccessDeniedError, Role, User
from tracker.store import CRASH_ENV, Store

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 28)
ADMIN = User("admin@example.org", "Admin", Role.ADMIN)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture
def data_dir(tmp_path):
    directory = tmp_path / "data"
    directory.mkdir()
    shutil.copy(ROOT / "data" / "sample" / "THA.yaml", directory / "THA.yaml")
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


def test_preview_lists_added_removed_and_changed_fields(catalog, data_dir):
    store = Store(data_dir, catalog)

    def edit(document):
        first = document["actions"][0]
        set_status(document, 0, "discontinued" if first["status"] != "discontinued" else "limited")
        removed = document["actions"].pop(1)
        document["actions"].append(
            {"commitments": "ASC-1", "title": "New work", "status": "limited", "last_updated": dt.date(2026, 11, 1)}
        )
        edit.removed = removed["action_id"]

    preview = store.preview(read_member_bytes("THA.yaml", edited(data_dir, edit)), today=TODAY)
    assert preview.ok
    assert list(preview.diff.changed[["action_id", "field"]].itertuples(index=False, name=None)) == [
        ("THA-001", "status")
    ]
    assert list(preview.diff.removed["action_id"]) == [edit.removed]
    assert list(preview.diff.added["title"]) == ["New work"]
    assert (data_dir / "THA.yaml").read_bytes() == (ROOT / "data" / "sample" / "THA.yaml").read_bytes()


def test_apply_writes_assigns_ids_keeps_the_old_version_and_logs(catalog, data_dir):
    store = Store(data_dir, catalog)
    before = tha_yaml(data_dir)
    highest = max(int(a["action_id"].split("-")[1]) for a in before["actions"])

    def edit(document):
        set_status(document, 0, "complete")
        document["actions"].append(
            {"commitments": ["ASC-1"], "title": "New work", "status": "limited", "last_updated": dt.date(2026, 11, 1)}
        )

    result = store.apply(read_member_bytes("THA.yaml", edited(data_dir, edit)), ADMIN, today=TODAY)
    assert result.ok
    assert result.assigned_ids == [f"THA-{highest + 1:03d}"]
    after = tha_yaml(data_dir)
    assert after["actions"][-1]["action_id"] == f"THA-{highest + 1:03d}"
    assert after["actions"][0]["status"] == "complete"
    versions = list((data_dir / "_history" / "versions" / "THA").iterdir())
    assert len(versions) == 1 and yaml.safe_load(versions[0].read_text()) == before
    log = store.log("THA")
    assert set(log["kind"]) == {"added", "changed"}
    assert set(log["by"]) == {"Admin <admin@example.org>"}
    assert not load_dataset(data_dir, catalog, today=TODAY).errors


def test_removed_ids_are_never_reused(catalog, data_dir):
    store = Store(data_dir, catalog)
    last = tha_yaml(data_dir)["actions"][-1]["action_id"]
    store.apply(read_member_bytes("THA.yaml", edited(data_dir, lambda d: d["actions"].pop())), ADMIN, today=TODAY)

    def add(document):
        document["actions"].append(
            {"commitments": "ASC-2", "title": "Another", "status": "limited", "last_updated": dt.date(2026, 11, 2)}
        )

    result = store.apply(read_member_bytes("THA.yaml", edited(data_dir, add)), ADMIN, today=TODAY)
    assert result.assigned_ids and result.assigned_ids[0] != last


def test_invalid_upload_changes_nothing(catalog, data_dir):
    store = Store(data_dir, catalog)
    original = (data_dir / "THA.yaml").read_bytes()
    bad = edited(data_dir, lambda d: set_status(d, 0, "almost done"))
    result = store.apply(read_member_bytes("THA.yaml", bad), ADMIN, today=TODAY)
    assert not result.ok
    assert [(i.field, i.code) for i in result.preview.issues] == [("status", "unknown-status")]
    assert (data_dir / "THA.yaml").read_bytes() == original
    assert store.log().empty


@pytest.mark.parametrize("role", [Role.VIEWER, Role.FOCAL_POINT])
def test_only_reviewers_and_admins_can_apply(catalog, data_dir, role):
    user = User("someone@example.org", "Someone", role, "THA" if role == Role.FOCAL_POINT else None)
    original = (data_dir / "THA.yaml").read_bytes()
    with pytest.raises(AccessDeniedError):
        Store(data_dir, catalog).apply(read_member_file(data_dir / "THA.yaml"), user, today=TODAY)
    assert (data_dir / "THA.yaml").read_bytes() == original


def test_applying_an_xlsx_replaces_it_with_the_yaml_record(catalog, tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.copy(ROOT / "data" / "sample" / "IDN.xlsx", data_dir / "IDN.xlsx")
    store = Store(data_dir, catalog)
    result = store.apply(read_member_file(data_dir / "IDN.xlsx"), ADMIN, today=TODAY)
    assert result.ok and result.preview.diff.is_empty
    assert sorted(p.name for p in data_dir.iterdir()) == ["IDN.yaml", "_history"]
    reloaded = load_dataset(data_dir, catalog, today=TODAY)
    assert not reloaded.issues and len(reloaded.actions) == len(result.preview.actions)
    assert (data_dir / "_history" / "versions" / "IDN").glob("*-IDN.xlsx")


# --- crashes and concurrency --------------------------------------------------------------------------

APPLY_SCRIPT = """
import datetime as dt, sys
from pathlib import Path
from loaders.catalog import load_catalog
from loaders.tables import read_member_file
from tracker.access import Role, User
from tracker.store import Store
store = Store(Path(sys.argv[1]), load_catalog())
result = store.apply(read_member_file(Path(sys.argv[2])), User("w@example.org", sys.argv[3], Role.ADMIN),
                     today=dt.date(2026, 11, 28))
sys.exit(0 if result.ok else 1)
"""


def run_apply(data_dir: Path, upload: Path, name: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", APPLY_SCRIPT, str(data_dir), str(upload), name],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )


def upload_file(tmp_path: Path, data_dir: Path, name: str, edit) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    path = folder / "THA.yaml"
    path.write_bytes(edited(data_dir, edit))
    return path


def ids(data_dir: Path) -> list[str]:
    return [a["action_id"] for a in tha_yaml(data_dir)["actions"]]


@pytest.mark.parametrize("step", ["before-commit", "after-commit", "after-versions", "after-replace"])
def test_a_crash_at_any_step_loses_nothing(catalog, data_dir, tmp_path, step):
    old_ids = ids(data_dir)
    upload = upload_file(tmp_path, data_dir, "up", lambda d: d["actions"].pop(0))
    process = run_apply(data_dir, upload, "crasher", {CRASH_ENV: step})
    assert process.wait(timeout=60) == 86  # died at the step
    # Whatever the step, readers see a whole file: the old one or the new one.
    seen = ids(data_dir)
    assert seen in (old_ids, old_ids[1:])
    Store(data_dir, catalog).recover()
    store = Store(data_dir, catalog)
    if step == "before-commit":
        assert ids(data_dir) == old_ids and store.log().empty
    else:
        assert ids(data_dir) == old_ids[1:]
        assert store.log()["change_id"].nunique() == 1  # logged exactly once
        assert list((data_dir / "_history" / "versions" / "THA").iterdir())
    assert not list((data_dir / "_history" / "pending").iterdir())
    assert not load_dataset(data_dir, catalog, today=TODAY).errors


def test_killing_a_writer_mid_way_never_corrupts(catalog, data_dir, tmp_path):
    old_ids = ids(data_dir)
    upload = upload_file(tmp_path, data_dir, "up", lambda d: d["actions"].pop(0))
    for delay in (0.05, 0.3, 0.6, 0.9, 1.2, 1.6):
        shutil.copy(ROOT / "data" / "sample" / "THA.yaml", data_dir / "THA.yaml")
        shutil.rmtree(data_dir / "_history", ignore_errors=True)
        process = run_apply(data_dir, upload, "victim")
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        assert ids(data_dir) in (old_ids, old_ids[1:])  # never a half-written file
        Store(data_dir, catalog).recover()
        final = ids(data_dir)
        assert final in (old_ids, old_ids[1:])
        logged = not Store(data_dir, catalog).log().empty
        assert logged == (final == old_ids[1:])  # the log agrees with the records


def test_two_simultaneous_applies_both_land_in_order(catalog, data_dir, tmp_path):
    first = upload_file(tmp_path, data_dir, "a", lambda d: set_status(d, 0, "discontinued"))
    second = upload_file(tmp_path, data_dir, "b", lambda d: set_status(d, 1, "discontinued"))
    processes = [run_apply(data_dir, first, "writer-a"), run_apply(data_dir, second, "writer-b")]
    assert [p.wait(timeout=120) for p in processes] == [0, 0]
    store = Store(data_dir, catalog)
    log = store.log()
    assert log["change_id"].nunique() == 2
    assert set(log["by"]) == {"writer-a <w@example.org>", "writer-b <w@example.org>"}
    # Each apply replaced the records with its own file, so the last one wins entirely; the
    # first is kept in the versions folder and the log.
    last_writer = log.iloc[0]["by"]
    statuses = [a["status"] for a in tha_yaml(data_dir)["actions"][:2]]
    expected = ["discontinued", None] if last_writer.startswith("writer-a") else [None, "discontinued"]
    assert [s if s == "discontinued" else None for s in statuses] == expected
    assert len(list((data_dir / "_history" / "versions" / "THA").iterdir())) == 2
    assert json.loads((data_dir / "_history" / "log.jsonl").read_text().splitlines()[0])["member"] == "THA"


def test_preview_warns_when_rows_with_errors_on_record_would_be_dropped(catalog, data_dir):
    good = (data_dir / "THA.yaml").read_bytes()
    broken = edited(data_dir, lambda d: set_status(d, 2, "almost done"))
    (data_dir / "THA.yaml").write_bytes(broken)
    preview = Store(data_dir, catalog).preview(read_member_bytes("THA.yaml", good), today=TODAY)
    assert preview.ok
    assert [(i.severity, i.code) for i in preview.issues] == [("warning", "current-rows-dropped")]


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

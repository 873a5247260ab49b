"""Snapshots: immutable, role-checked, and a comparison that classifies known changes correctly."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from loaders.catalog import load_catalog
from tests.builders import action, dataset_of
from tracker.access import AccessDeniedError, Role, User
from tracker.records import durable
from tracker.records.snapshots import Snapshots, compare, rollup, slugify

ROOT = Path(__file__).resolve().parent.parent
REVIEWER = User("r@example.org", "Rita", Role.REVIEWER)
BEFORE, AFTER = dt.date(2025, 12, 1), dt.date(2026, 11, 28)
EARLIER = dt.date(2025, 11, 15)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def before(catalog):
    return dataset_of(
        catalog,
        [
            action("IDN", 1, "ASC-1", "limited", last_updated=EARLIER),  # will go up
            action("IDN", 2, "ASC-6", "substantial", last_updated=EARLIER),  # will go down (discontinued)
            action(
                "IDN", 3, "ASC-6.2", "limited", due_date=dt.date(2026, 6, 30), last_updated=EARLIER
            ),  # unchanged, newly overdue
            action("THA", 1, "BWP-B", "complete", last_updated=dt.date(2025, 11, 1)),  # will be removed
            action(
                "THA", 2, "BWP-C", "not_started", due_date=dt.date(2025, 6, 30), last_updated=dt.date(2025, 11, 1)
            ),  # already overdue: not "newly"
        ],
        today=BEFORE,
    )


@pytest.fixture(scope="module")
def after(catalog):
    return dataset_of(
        catalog,
        [
            action("IDN", 1, "ASC-1", "complete"),
            action("IDN", 2, "ASC-6", "discontinued"),
            action("IDN", 3, "ASC-6.2", "limited", due_date=dt.date(2026, 6, 30)),
            action("IDN", 4, "ASC-2", "not_started"),  # new
            action("THA", 2, "BWP-C", "not_started", due_date=dt.date(2025, 6, 30)),
        ],
        today=AFTER,
    )


def test_compare_classifies_every_kind_of_change(catalog, before, after):
    changes = compare(before.actions, after.actions, catalog, before_date=BEFORE, after_date=AFTER)
    expected = pd.DataFrame(
        {
            "action_id": ["IDN-001", "IDN-002", "IDN-003", "IDN-004", "THA-001", "THA-002"],
            "change": ["status up", "status down", "unchanged", "new", "removed", "unchanged"],
            "newly_overdue": [False, False, True, False, False, False],
        }
    ).astype({"action_id": "str", "change": "str"})
    assert_frame_equal(changes[["action_id", "change", "newly_overdue"]], expected)


def test_rollup_by_member_and_by_area(catalog, before, after):
    changes = compare(before.actions, after.actions, catalog, before_date=BEFORE, after_date=AFTER)
    members = pd.concat([before.actions, after.actions]).drop_duplicates("action_id").set_index("action_id")["member"]
    by_member = rollup(changes, members, "member").set_index("member")
    assert by_member.loc["IDN"].to_dict() == {
        "new": 1,
        "status up": 1,
        "status down": 1,
        "unchanged": 1,
        "removed": 0,
        "newly overdue": 1,
    }
    assert by_member.loc["THA", "removed"] == 1
    links = pd.concat([before.action_commitments, after.action_commitments]).drop_duplicates()
    by_area = rollup(changes, links.set_index("action_key")["top_level"], "area").set_index("area")
    assert by_area.loc["ASC-6", "newly overdue"] == 1  # IDN-003 on ASC-6.2 rolls up to ASC-6
    assert by_area.loc["ASC-6", "status down"] == 1


def test_snapshots_are_immutable_and_round_trip(tmp_path, before):
    snapshots = Snapshots(tmp_path)
    info = snapshots.take(before, "19th AHG SOM, Dec 2025", REVIEWER)
    assert info.slug == "19th-ahg-som-dec-2025" and info.actions == 5 and info.taken_by == "Rita <r@example.org>"
    with pytest.raises(ValueError, match="already exists"):
        snapshots.take(before, "19th AHG SOM, Dec 2025", REVIEWER)
    loaded = snapshots.load("19th AHG SOM, Dec 2025")
    assert_frame_equal(loaded.actions, before.actions)
    assert_frame_equal(loaded.action_commitments, before.action_commitments)
    folder = tmp_path / "_snapshots" / info.slug
    assert all(not (p.stat().st_mode & 0o222) for p in folder.iterdir())  # read-only files
    assert [i.name for i in snapshots.list()] == ["19th AHG SOM, Dec 2025"]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.FOCAL_POINT])
def test_only_reviewers_take_snapshots(tmp_path, before, role):
    with pytest.raises(AccessDeniedError):
        Snapshots(tmp_path).take(before, "x", User("u", "U", role, "IDN"))
    assert not (tmp_path / "_snapshots").exists() or not any((tmp_path / "_snapshots").iterdir())


def test_slugify_keeps_names_file_safe():
    assert slugify("../../etc/passwd") == "etc-passwd"
    assert slugify("   ") == "snapshot"


def test_cli_snapshot(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "THA.yaml").write_bytes((ROOT / "data" / "sample" / "THA.yaml").read_bytes())

    def cli(*args):
        return subprocess.run(
            [sys.executable, "-m", "tracker", *args, "--data-dir", str(data)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )

    taken = cli("snapshot", "Test SOM", "--by", "Rita")
    assert taken.returncode == 0 and "taken" in taken.stdout
    assert cli("snapshot", "Test SOM").returncode == 1
    assert cli("snapshot").returncode == 2
    assert "Test SOM" in cli("snapshot", "--list").stdout


def test_a_snapshot_is_synced_to_disk_before_it_appears_under_its_name(tmp_path, before):
    """Each file, then the staging folder, is fsynced before the rename that makes the snapshot visible."""
    durable.reset_steps(trace=True)
    try:
        info = Snapshots(tmp_path).take(before, "Synced SOM", REVIEWER)
        steps = durable.traced_steps()
    finally:
        durable.reset_steps()

    staged = f".{info.slug}.tmp"
    files = sorted(["actions.parquet", "action_commitments.parquet", "action_mechanisms.parquet", "meta.json"])
    assert steps == [
        *[("fsync", name) for name in files],
        ("fsync-dir", staged),
        ("rename", info.slug),
        ("fsync-dir", "_snapshots"),
    ]
    assert [i.slug for i in Snapshots(tmp_path).list()] == [info.slug]


def test_a_viewers_comparison_with_a_snapshot_is_what_it_would_be_without_the_confidential_actions(catalog, tmp_path):
    """A snapshot holds confidential actions too; a viewer's "what moved" must not count or list them."""
    from tracker.records.snapshots import snapshot_changes
    from tracker.views.filters import Filters, apply_filters

    def data(with_secret: bool, status: str) -> list[dict]:
        day = {"last_updated": EARLIER}
        rows = [action("IDN", 1, "ASC-1", status, **day), action("THA", 2, "BWP-C", "limited", **day)]
        if with_secret:
            rows.append(action("IDN", 9, "ASC-6", status, title="Sealed operation", confidential="yes", **day))
        return rows

    def viewer_changes(with_secret: bool):
        folder = tmp_path / f"with-{with_secret}"
        snapshots = Snapshots(folder)
        snapshots.take(dataset_of(catalog, data(with_secret, "limited"), today=BEFORE), "19th AHG SOM", REVIEWER)
        now = apply_filters(dataset_of(catalog, data(with_secret, "complete")), Filters(), can_see_confidential=False)
        return snapshot_changes(now, snapshots.load("19th AHG SOM"), can_see_confidential=False, today=AFTER)

    shown, baseline = viewer_changes(True), viewer_changes(False)

    assert "IDN-009" not in set(shown.changes["action_id"])
    assert_frame_equal(shown.changes, baseline.changes)
    assert_frame_equal(shown.by_area, baseline.by_area)
    assert_frame_equal(shown.by_member, baseline.by_member)
    assert shown.count("status up") == 1  # IDN-001 went from limited to complete; the secret one did too, unseen

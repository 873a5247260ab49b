"""A catalog import killed at each of its I/O steps, then recovered, loses nothing (issue 13 §3).

The import rewrites catalog files and re-points several members' files. The harness of ``tests/test_crash.py``
kills it (SIGKILL, in a forked child) before each of its steps in turn, torn writes included, and checks:

- at the instant of the kill, every catalog file and every member file is whole, its old or its new bytes;
- after recovery, the catalog directory and the data directory are, byte for byte, exactly what they were
  before (killed before the commit point) or exactly what a run to the end leaves (killed after it): catalog
  files, member files, both logs, the kept versions, and nothing pending.

Recovery is then killed at each of its own steps from the state with the most left to do.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
from pathlib import Path

import pytest

import tracker.records.store as store_module
from loaders.catalog import load_catalog
from loaders.matrix import read_matrix
from tests.test_catalog_import import HEADER, bohol_rows, workbook
from tests.test_crash import KILLED, run_killed, traced
from tracker.access import Role, User
from tracker.records import durable
from tracker.records.store import Store

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 30)
STAMP = ("20261130T120000000000Z-cr4sh0", "2026-11-30T12:00:00+00:00")
ADMIN = User("secretariat@example.org", "Secretariat", Role.ADMIN)
MEMBERS = ("THA.yaml", "KIR.yaml", "MYS.xlsx", "IDN.xlsx")  # three cite BWP-A.2; MYS.xlsx becomes MYS.yaml
REMAP = {"BWP-A.2": "BWP-A.9", "BWP-A.4": "BWP-A.9"}


@pytest.fixture(autouse=True)
def fixed(monkeypatch):
    """One change id for every run (children included); fsync a no-op (its steps are still counted and killed at)."""
    monkeypatch.setattr(store_module, "_stamp", lambda: STAMP)
    monkeypatch.setattr(os, "fsync", lambda fd: None)
    monkeypatch.delenv(durable.CRASH_ENV, raising=False)
    monkeypatch.delenv(durable.TORN_ENV, raising=False)


@pytest.fixture(autouse=True)
def quick_preparation(monkeypatch):
    """The import's preparation (validation, rendering) memoised by the files it reads, so that forked children
    spend their time on the steps: every trial starts from the same files, and the writing is never memoised."""
    cache: dict[tuple, object] = {}
    real = store_module.prepare_import

    def memo(data_dir: Path, catalog_dir: Path, *args, **kwargs):
        key = (tuple(sorted(tree(Path(data_dir)).items())), tuple(sorted(tree(Path(catalog_dir)).items())))
        if key not in cache:
            cache[key] = real(data_dir, catalog_dir, *args, **kwargs)
        return cache[key]

    monkeypatch.setattr(store_module, "prepare_import", memo)


def make_base(folder: Path) -> None:
    (folder / "data").mkdir(parents=True)
    for name in MEMBERS:
        shutil.copy(ROOT / "data" / "sample" / name, folder / "data" / name)
    shutil.copytree(ROOT / "commitments", folder / "cat")


def matrix_bytes() -> bytes:
    rows = [r for r in bohol_rows(load_catalog(ROOT / "commitments")) if r[0] not in REMAP]
    return workbook([HEADER, *rows, ["BWP-A.9", "BWP-A", "Safe migration", "Official.", "p. 9"]])


_CATALOGS: dict[tuple, object] = {}


def catalog_of(folder: Path):
    """The catalog in ``folder``, loaded once per content (a child inherits what its parent loaded)."""
    key = tuple(sorted(tree(folder).items()))
    if key not in _CATALOGS:
        _CATALOGS[key] = load_catalog(folder)
    return _CATALOGS[key]


def import_into(folder: Path, data: bytes) -> None:
    catalog = catalog_of(folder / "cat")
    result = Store(folder / "data", catalog).import_catalog(
        folder / "cat", read_matrix("BWP-2.0.xlsx", data, "BWP"), data, REMAP, ADMIN, today=TODAY
    )
    assert result.imported, result.issues


def recover(folder: Path) -> None:
    Store(folder / "data", catalog_of(folder / "cat")).recover()


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` but the lock: relative path -> bytes."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def restore(state: dict[str, bytes], folder: Path) -> None:
    """Make ``folder`` hold exactly ``state`` (always the same path: an intent records the catalog's path)."""
    shutil.rmtree(folder, ignore_errors=True)
    for name, data in state.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    (folder / "data").mkdir(parents=True, exist_ok=True)


def whole_files(seen: dict[str, bytes], old: dict[str, bytes], new: dict[str, bytes], where: str) -> None:
    """Every catalog and member file a reader can open is whole: its old or its new bytes."""
    for name, data in seen.items():
        top = name.count("/") == 1  # cat/<file> or data/<file>, not history
        if top and not Path(name).name.startswith("."):
            assert data in (old.get(name), new.get(name)), f"{where}: {name} is neither old nor new"


def test_an_import_killed_at_any_step_or_torn_then_recovered_loses_nothing(tmp_path):
    data = matrix_bytes()
    base = tmp_path / "base"
    make_base(base)
    old = tree(base)
    trial = tmp_path / "trial"
    restore(old, trial)
    steps = traced(lambda: import_into(trial, data))
    new = tree(trial)
    assert any(n.startswith("data/_history/catalog/versions/") for n in new) and "data/MYS.yaml" in new
    assert sum(1 for kind, name in steps if (kind, name) == ("rename", "intent.json")) == 1
    commit = steps.index(("rename", "intent.json")) + 1
    member_commits = [n for n, step in enumerate(steps, 1) if step[0] == "rename" and step[1].endswith(".json")]
    assert len(member_commits) == 4  # the import's intent, then each of THA, KIR and MYS through the member journal
    rng = random.Random(13)
    after_commit: dict[str, bytes] | None = None
    kills = 0
    for number in range(1, len(steps) + 2):
        last = number > len(steps)
        cuts: list[int | None] = [None]
        if not last and steps[number - 1][0] == "write":
            cuts.append(rng.randrange(1, 4096))
        for cut in cuts:
            where = f"killed at step {number} {steps[number - 1] if not last else 'end'} torn={cut}"
            restore(old, trial)
            code = run_killed(lambda: import_into(trial, data), number, cut)
            assert code == (0 if last else KILLED), f"{where}: exit {code}"
            kills += not last
            whole_files(tree(trial), old, new, where)
            if number == commit + 1 and cut is None:
                after_commit = tree(trial)
            recover(trial)
            assert tree(trial) == (new if number > commit else old), f"{where}: not exactly the old or the new state"
    assert kills >= len(steps)
    assert after_commit is not None
    recovery_steps = traced(lambda: (restore(after_commit, trial), recover(trial)))
    assert len(recovery_steps) > 40  # versions, catalog files, three member changes, the log
    for number in range(1, len(recovery_steps) + 1):
        restore(after_commit, trial)
        code = run_killed(lambda: recover(trial), number)
        where = f"recovery killed at step {number} {recovery_steps[number - 1]}"
        assert code == KILLED, where
        whole_files(tree(trial), old, new, where)
        run_killed(lambda: recover(trial), rng.randrange(1, len(recovery_steps) + 1))  # and again
        recover(trial)
        assert tree(trial) == new, f"{where}: recovery did not end in the imported state"

"""The caching layer: a changed file reloads only itself; reading in worker processes changes nothing.

``ui.cache`` keeps each file's read result under its ``(path, size, mtime_ns)``
fingerprint and the validated data set under all fingerprints. Reads are counted
by wrapping ``read_member_file`` where ``ui.cache`` and ``loaders.dataset`` call it.
The worker pool of ``loaders.dataset`` is tested with real child processes only
where the children are the point (their environment, their failures); elsewhere
the pool is replaced by a spy, and the core count and size threshold are set.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from pandas.testing import assert_frame_equal

import loaders.dataset
import ui.cache
from loaders.catalog import Catalog
from loaders.dataset import balanced_groups, build_dataset, load_dataset, member_files, read_files
from loaders.tables import RawFile, read_member_file
from tests.make_fixtures import valid_row, write_csv, write_yaml

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the sample as the app's data directory, with empty caches."""
    directory = tmp_path / "data"
    shutil.copytree(SAMPLE, directory)
    monkeypatch.setenv("TRACKER_DATA_DIR", str(directory))
    st.cache_resource.clear()
    ui.cache._CACHED.clear()
    yield directory
    st.cache_resource.clear()
    ui.cache._CACHED.clear()


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files read from disk, in order."""
    seen: list[str] = []

    def counting(path, *args, **kwargs):
        seen.append(Path(path).name)
        return read_member_file(path, *args, **kwargs)

    monkeypatch.setattr(ui.cache, "read_member_file", counting)
    monkeypatch.setattr(loaders.dataset, "read_member_file", counting)
    return seen


def test_a_warm_cache_reads_nothing_and_a_changed_file_reloads_only_itself(data_dir: Path, reads: list[str]):
    files = member_files(data_dir)
    first = ui.cache.get_dataset()
    assert sorted(reads) == sorted(p.name for p in files)  # the cold load reads each file once

    reads.clear()
    assert ui.cache.get_dataset() is first  # same fingerprints: the cached data set, nothing read
    assert reads == []

    changed = next(p for p in files if p.suffix == ".yaml")
    text = changed.read_text(encoding="utf-8")
    changed.write_text(text.replace("status: complete", "status: limited", 1), encoding="utf-8")
    stat = changed.stat()
    os.utime(changed, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # a clearly newer mtime
    second = ui.cache.get_dataset()
    assert reads == [changed.name]  # only the edited file was read again
    assert second is not first
    statuses = second.actions.set_index("action_key")["status"]
    before = first.actions.set_index("action_key")["status"]
    assert (statuses != before).sum() == 1  # and its edit is what the new data set shows


def test_reading_in_worker_processes_gives_what_reading_one_by_one_gives(monkeypatch: pytest.MonkeyPatch):
    paths = member_files(SAMPLE)
    serial = [read_member_file(p) for p in paths]

    def not_here(*args, **kwargs):
        raise AssertionError("read in this process: the workers did not run")

    monkeypatch.setattr(loaders.dataset, "read_member_file", not_here)  # the workers import their own
    pooled = read_files(paths, workers=2)
    assert [r.file for r in pooled] == [r.file for r in serial]  # the order of the paths is kept
    for a, b in zip(serial, pooled, strict=True):
        assert_frame_equal(a.rows, b.rows)
        assert (a.issues, a.member, a.illustrative) == (b.issues, b.member, b.illustrative)


def test_small_directories_are_read_here_without_a_pool(monkeypatch: pytest.MonkeyPatch):
    def no_pool(*args, **kwargs):
        raise AssertionError("a pool was started for a few small files")

    monkeypatch.setattr(loaders.dataset, "_read_in_pool", no_pool)
    assert len(read_files(member_files(SAMPLE))) == len(member_files(SAMPLE))


@pytest.mark.parametrize(
    ("sizes", "workers", "groups"),
    [
        ([5, 1, 4, 2, 3], 2, [[0, 3, 1], [2, 4]]),  # 5+2+1 = 8 and 4+3 = 7: largest first, to the lighter group
        ([1, 1, 1], 3, [[0], [1], [2]]),  # equal loads: the first of the lightest groups
        ([7, 1, 1, 1], 2, [[0], [1, 2, 3]]),  # one large file is a worker's whole share
    ],
)
def test_files_are_shared_among_the_workers_by_size(sizes, workers, groups):
    assert balanced_groups(sizes, workers) == groups


def test_a_pool_has_a_worker_per_core_up_to_the_cap_and_the_file_count(monkeypatch: pytest.MonkeyPatch):
    paths = member_files(SAMPLE)[:3]
    monkeypatch.setattr(loaders.dataset, "PARALLEL_MIN_BYTES", 0)  # the sample is small: call it large
    monkeypatch.setattr(loaders.dataset.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3, 4, 5})

    monkeypatch.setattr(loaders.dataset, "MAX_READ_WORKERS", 2)
    assert loaders.dataset._worker_count(paths) == 2  # the cap
    monkeypatch.setattr(loaders.dataset, "MAX_READ_WORKERS", 64)
    assert loaders.dataset._worker_count(paths) == 3  # one per file
    assert loaders.dataset._worker_count(paths[:1]) == 1  # one file: read here
    monkeypatch.setattr(loaders.dataset.os, "sched_getaffinity", lambda pid: {0, 1})
    assert loaders.dataset._worker_count(paths) == 2  # one per core


def two_small_files(directory: Path) -> list[Path]:
    """IDN.yaml and THA.yaml, one valid action each: a few kB of results, well within a pipe's buffer."""
    return [
        write_yaml(directory / "IDN.yaml", [valid_row(action_id="IDN-001")]),
        write_yaml(directory / "THA.yaml", [valid_row(member="THA", action_id="THA-001")], member="THA"),
    ]


def assert_same_reads(got: list[RawFile], expected: list[RawFile]) -> None:
    assert [r.file for r in got] == [r.file for r in expected]
    for a, b in zip(got, expected, strict=True):
        assert_frame_equal(a.rows, b.rows)
        assert (a.issues, a.member, a.illustrative) == (b.issues, b.member, b.illustrative)


def test_a_pool_starts_at_the_size_threshold_and_a_missing_file_counts_as_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    paths = member_files(SAMPLE)[:3]
    total = sum(p.stat().st_size for p in paths)
    monkeypatch.setattr(loaders.dataset.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3, 4, 5})

    monkeypatch.setattr(loaders.dataset, "PARALLEL_MIN_BYTES", total)
    assert loaders.dataset._worker_count(paths) == 3  # exactly the threshold: a pool
    monkeypatch.setattr(loaders.dataset, "PARALLEL_MIN_BYTES", total + 1)
    assert loaders.dataset._worker_count(paths) == 1  # one byte short: read here
    monkeypatch.setattr(loaders.dataset, "PARALLEL_MIN_BYTES", 1)
    gone = [tmp_path / "IDN.yaml", tmp_path / "THA.yaml"]  # listed, then deleted before the read
    assert loaders.dataset._worker_count(gone) == 1  # 0 bytes to read, and no error


def test_load_dataset_reads_a_large_directory_in_the_pool(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, catalog: Catalog
):
    two_small_files(tmp_path)
    pooled: list[tuple[list[str], int]] = []

    def spy(paths: list[Path], workers: int) -> list[RawFile]:
        pooled.append(([p.name for p in paths], workers))
        return [read_member_file(p) for p in paths]

    monkeypatch.setattr(loaders.dataset, "_read_in_pool", spy)
    monkeypatch.setattr(loaders.dataset, "PARALLEL_MIN_BYTES", 0)  # the two files are small: call them large
    monkeypatch.setattr(loaders.dataset.os, "sched_getaffinity", lambda pid: {0, 1})
    dataset = load_dataset(tmp_path, catalog, today=dt.date(2026, 1, 1))
    assert pooled == [(["IDN.yaml", "THA.yaml"], 2)]
    assert sorted(dataset.actions["action_id"]) == ["IDN-001", "THA-001"]


def test_load_dataset_judges_dates_at_the_day_given_and_describes_each_file(tmp_path: Path, catalog: Catalog):
    # Dates long past, so the same file judged at the real date instead would have no issue at all.
    idn = write_yaml(tmp_path / "IDN.yaml", [valid_row(action_id="IDN-001", last_updated="2020-01-02")])
    tha = write_yaml(
        tmp_path / "THA.yaml", [valid_row(member="THA", last_updated="2020-01-01", aside="x")], member="THA"
    )
    tha.write_text("illustrative: true\n" + tha.read_text(encoding="utf-8"), encoding="utf-8")
    idn.write_text("public_record: 2019-12-30\n" + idn.read_text(encoding="utf-8"), encoding="utf-8")
    os.utime(idn, ns=(1_700_000_000 * 10**9,) * 2)
    os.utime(tha, ns=(1_600_000_000 * 10**9,) * 2)

    dataset = load_dataset(tmp_path, catalog, today=dt.date(2020, 1, 1))
    assert dataset.catalog is catalog  # the one given, not the bundled one loaded again
    assert [(i.file, i.row, i.field, i.code) for i in dataset.issues] == [
        ("IDN.yaml", 4, "last_updated", "future-date"),  # line 4: below the public_record line
        ("THA.yaml", 4, None, "unknown-column"),  # the key "aside"
    ]
    assert dataset.files.to_dict("records") == [
        {
            "member": "IDN",
            "file": "IDN.yaml",
            "rows": 1,
            "illustrative": False,
            "public_record": True,
            "actions": 0,
            "errors": 1,
            "warnings": 0,
            "modified": pd.Timestamp("2023-11-14 22:13:20"),
        },
        {
            "member": "THA",
            "file": "THA.yaml",
            "rows": 1,
            "illustrative": True,
            "public_record": False,
            "actions": 1,
            "errors": 0,
            "warnings": 1,
            "modified": pd.Timestamp("2020-09-13 12:26:40"),
        },
    ]
    counts = dataset.files[["rows", "actions", "errors", "warnings"]]
    assert [str(t) for t in counts.dtypes] == ["int64"] * 4  # whole numbers: a count is never shown as 1.0
    assert dataset.illustrative is True  # one illustrative file makes the whole data set so
    assert dataset.public_record == dt.date(2019, 12, 30)  # likewise one public-record file, with its day


def test_files_named_by_the_path_as_given_are_dated_by_that_path(tmp_path: Path, catalog: Catalog):
    # As `validate a/IDN.yaml b/IDN.yaml` names them: two files share a name, so each is named by its path.
    paths = [write_yaml(tmp_path / folder / "IDN.yaml", [valid_row(action_id="IDN-001")]) for folder in "ab"]
    os.utime(paths[0], ns=(1_600_000_000 * 10**9,) * 2)
    os.utime(paths[1], ns=(1_700_000_000 * 10**9,) * 2)

    dataset = build_dataset(
        catalog, [read_member_file(p, str(p)) for p in paths], today=dt.date(2026, 1, 1), paths=paths
    )
    assert dict(zip(dataset.files["file"], dataset.files["modified"], strict=True)) == {
        str(paths[0]): pd.Timestamp("2020-09-13 12:26:40"),
        str(paths[1]): pd.Timestamp("2023-11-14 22:13:20"),
    }


def test_a_members_second_file_is_reported_word_for_word_and_not_read(tmp_path: Path, catalog: Catalog):
    write_csv(tmp_path / "IDN.csv", [valid_row(action_id="IDN-001")])
    write_yaml(tmp_path / "IDN.yaml", [valid_row(action_id="IDN-002")])
    write_yaml(tmp_path / "THA.yaml", [valid_row(member="THA", action_id="THA-001")], member="THA")

    dataset = load_dataset(tmp_path, catalog, today=dt.date(2026, 1, 1))
    assert [(i.file, i.field, i.code, i.message) for i in dataset.issues] == [
        (
            "IDN.yaml",
            "member",
            "duplicate-member-file",
            "IDN.yaml: IDN already has a file (IDN.csv); a member has one file, so merge the two and delete this "
            "one. This file was not read",
        )
    ]
    assert list(dataset.files["file"]) == ["IDN.csv", "THA.yaml"]
    assert sorted(dataset.actions["action_id"]) == ["IDN-001", "THA-001"]


def test_workers_find_the_project_from_any_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    paths = two_small_files(tmp_path)
    serial = [read_member_file(p) for p in paths]

    def not_here(*args, **kwargs):
        raise AssertionError("read in this process: the workers did not run")

    # A worker started here, with no PYTHONPATH of its own, finds `loaders` only through the one it is given.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PYTHONPATH", raising=False)
    monkeypatch.setattr(loaders.dataset, "read_member_file", not_here)
    assert_same_reads(read_files(paths, workers=2), serial)


def test_workers_that_cannot_start_leave_the_reading_to_this_process_and_say_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str], reads: list[str]
):
    paths = two_small_files(tmp_path)
    serial = [read_member_file(p) for p in paths]
    monkeypatch.setenv("PYTHONMALLOC", "no-such-allocator")  # a worker's Python dies at start-up, saying why

    assert_same_reads(read_files(paths, workers=2), serial)
    assert reads == ["IDN.yaml", "THA.yaml"]  # read here, once each, in order
    assert capfd.readouterr().err == ""  # the workers' fatal errors are not the user's business


def test_a_workers_results_come_by_position_and_a_failure_after_them_raises_with_its_status_and_command():
    # Python alone, no pandas: the fastest test here, so mutmut (fastest first, stop at the first failure) runs
    # it before a pool's worker can block on a full pipe that a broken _collect never reads.
    results = "import pickle, sys; pickle.dump('IDN', sys.stdout.buffer); pickle.dump('THA', sys.stdout.buffer)"
    with subprocess.Popen([sys.executable, "-c", results], stdout=subprocess.PIPE) as child:
        assert loaders.dataset._collect([4, 7], child) == {4: "IDN", 7: "THA"}

    command = [sys.executable, "-c", f"{results}; sys.exit(3)"]
    with (
        subprocess.Popen(command, stdout=subprocess.PIPE) as child,
        pytest.raises(subprocess.CalledProcessError) as failed,
    ):
        loaders.dataset._collect([4, 7], child)
    assert (failed.value.returncode, failed.value.cmd) == (3, command)

"""The caching layer: a changed file reloads only itself; reading in worker processes changes nothing.

``ui.cache`` keeps each file's read result under its ``(path, size, mtime_ns)``
fingerprint and the validated data set under all fingerprints. Reads are counted
by wrapping ``read_member_file`` where ``ui.cache`` and ``loaders.dataset`` call it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import streamlit as st
from pandas.testing import assert_frame_equal

import loaders.dataset
import ui.cache
from loaders.dataset import balanced_groups, member_files, read_files
from loaders.tables import read_member_file

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

"""Reading many files with the parsing helper (``loaders.dataset._read_shared``) changes nothing but the time.

The helper (``python -m loaders.content --files``, no pandas) parses files from the end of the list while the
caller reads from the front; every test compares with reading one by one. The sample is below the size at
which the helper starts, so the tests lower the thresholds.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from pandas.testing import assert_frame_equal

import loaders.dataset
from loaders.dataset import member_files, read_files
from loaders.tables import RawFile, read_member_file

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"


def assert_same_reads(got: list[RawFile], expected: list[RawFile]) -> None:
    assert len(got) == len(expected)
    for a, b in zip(got, expected, strict=True):
        assert_frame_equal(a.rows, b.rows)
        assert (a.file, a.member, a.sheet, a.issues, a.illustrative, a.public_record) == (
            b.file,
            b.member,
            b.sheet,
            b.issues,
            b.illustrative,
            b.public_record,
        )


@pytest.fixture
def shared(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Thresholds at zero (the helper always starts); returns the names of the files read in this process."""
    monkeypatch.setattr(loaders.dataset, "SHARED_MIN_BYTES", 0)
    monkeypatch.setattr(loaders.dataset, "SHARED_MIN_FILES", 2)
    monkeypatch.setattr(loaders.dataset, "_idle_cores", lambda: 1.0)  # however busy the machine running the tests
    here: list[str] = []

    def counting(path, *args, **kwargs):
        here.append(Path(path).name)
        return read_member_file(path, *args, **kwargs)

    monkeypatch.setattr(loaders.dataset, "read_member_file", counting)
    return here


def test_the_results_are_those_of_reading_one_by_one(shared: list[str]):
    paths = member_files(SAMPLE)
    serial = [read_member_file(p) for p in paths]
    assert_same_reads(read_files(paths), serial)
    # Read here from the front, in order, once each. How far depends on how soon the helper starts (on a busy
    # machine this process may read every file itself): the next test makes sure the helper gets its turn.
    assert shared == [p.name for p in paths[: len(shared)]]


def test_the_helper_parses_from_the_end_while_this_process_reads_from_the_front(
    shared: list[str], monkeypatch: pytest.MonkeyPatch
):
    paths = member_files(SAMPLE)
    serial = [read_member_file(p) for p in paths]
    reading = loaders.dataset.read_member_file

    def slowly(path, *args, **kwargs):  # a slow reader here, so the helper surely starts before it is done
        time.sleep(0.3)
        return reading(path, *args, **kwargs)

    monkeypatch.setattr(loaders.dataset, "read_member_file", slowly)
    assert_same_reads(read_files(paths), serial)
    assert paths[-1].name not in shared  # the last file is the helper's first
    assert 0 < len(shared) < len(paths)
    assert shared == [p.name for p in paths[: len(shared)]]


def test_names_given_for_issues_pass_through_the_helper(tmp_path: Path, shared: list[str]):
    for folder in ("a", "b"):
        shutil.copytree(SAMPLE, tmp_path / folder)
    paths = [tmp_path / "a" / "IDN.xlsx", tmp_path / "b" / "IDN.xlsx", *member_files(tmp_path / "a")[:3]]
    names = [str(p) for p in paths]
    serial = [read_member_file(p, name) for p, name in zip(paths, names, strict=True)]
    assert_same_reads(read_files(paths, names=names), serial)
    assert [raw.file for raw in read_files(paths, names=names)] == names


def test_files_the_helper_cannot_open_are_read_here_and_reported_as_always(tmp_path: Path, shared: list[str]):
    shutil.copytree(SAMPLE, tmp_path / "data")
    paths = member_files(tmp_path / "data")
    gone = tmp_path / "data" / "ZZZ.xlsx"  # listed, then gone before it is read: last, so the helper's first
    paths.append(gone)
    serial = [read_member_file(p) for p in paths]
    assert serial[-1].issues[0].code == "unreadable-file"
    assert_same_reads(read_files(paths), serial)
    assert "ZZZ.xlsx" in shared  # the helper could not open it: read here, which says why


def test_a_helper_that_cannot_start_leaves_the_reading_to_this_process_and_says_nothing(
    shared: list[str], monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
):
    paths = member_files(SAMPLE)[:6]
    serial = [read_member_file(p) for p in paths]
    monkeypatch.setenv("PYTHONMALLOC", "no-such-allocator")  # the helper's Python dies at start-up, saying why
    assert_same_reads(read_files(paths), serial)
    assert shared == [p.name for p in paths]  # every file read here, once, in order
    assert capfd.readouterr().err == ""


def test_an_explicit_worker_count_and_small_directories_read_without_the_helper(monkeypatch: pytest.MonkeyPatch):
    def no_helper(*args, **kwargs):
        raise AssertionError("the parsing helper was started")

    monkeypatch.setattr(loaders.dataset, "_read_shared", no_helper)
    paths = member_files(SAMPLE)
    assert len(read_files(paths)) == len(paths)  # 0.7 MiB: below SHARED_MIN_BYTES
    monkeypatch.setattr(loaders.dataset, "SHARED_MIN_BYTES", 0)
    assert len(read_files(paths, workers=1)) == len(paths)  # asked for this process alone
    assert len(read_files(paths[: loaders.dataset.SHARED_MIN_FILES - 1])) == loaders.dataset.SHARED_MIN_FILES - 1
    monkeypatch.setattr(loaders.dataset, "_idle_cores", lambda: 0.4)
    assert len(read_files(paths)) == len(paths)  # no core to spare: the helper would only compete for this one

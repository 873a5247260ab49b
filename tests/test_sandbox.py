"""The child process a risky reader runs in (loaders/sandbox.py), and what the upload reader makes of its answer
(loaders/untrusted.py): the child's environment and limits exactly, and each way it can fail, word for word."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import pickle
import subprocess
import sys
from typing import Any

import pytest

from loaders import limits, sandbox, untrusted
from loaders.csv_text import read_csv_grid
from loaders.issues import Issue, error
from loaders.sandbox import ChildFailedError, run_child
from loaders.tables import raw_from_content
from tests.make_fixtures import VALID_DIR

_PROBE = "tests.sandbox_probe"


def _report(**options: Any) -> dict[str, Any]:
    answer: dict[str, Any] = json.loads(run_child(_PROBE, b"report and payload", **options))
    return answer


def test_the_child_gets_the_payload_a_clean_environment_and_the_default_limits() -> None:
    answer = _report()

    assert answer == {
        "payload": "report and payload",
        "env": {
            "PYTHONPATH": os.pathsep.join(sys.path),
            "RUST_BACKTRACE": "0",
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "PYTHONHASHSEED": "0",
        },
        "limits": {"as": [1 << 30, 1 << 30], "core": [0, 0]},
    }


def test_the_memory_limit_can_be_set_per_child(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _report(memory=700 << 20)["limits"]["as"] == [700 << 20, 700 << 20]

    monkeypatch.setattr(sandbox, "CHILD_MEMORY_BYTES", 600 << 20)
    assert _report()["limits"]["as"] == [600 << 20, 600 << 20]


@pytest.mark.parametrize(
    ("command", "options", "reason"),
    [
        ("exit", {}, "the reader failed (exit status 3)"),
        ("fail", {}, "  caf\ufffd " + "z" * 193),  # the last line, cut to 200 characters
        ("memory-error", {}, "the reader ran out of memory (over 1024 MB)"),
        ("memory-error", {"memory": 900 << 20}, "the reader ran out of memory (over 900 MB)"),
        ("allocation", {}, "the reader stopped: it ran out of memory (signal SIGABRT)"),
        ("kill", {}, "the reader stopped: it crashed (signal SIGKILL)"),
        ("sleep", {"timeout": 0.5}, "reading took longer than 0.5 s"),
    ],
)
def test_a_child_that_fails_says_how(command: str, options: dict[str, Any], reason: str) -> None:
    with pytest.raises(ChildFailedError) as failed:
        run_child(_PROBE, command.encode(), **options)

    assert str(failed.value) == reason


def test_a_child_ended_by_a_signal_number_python_does_not_know_still_says_it_crashed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sandbox.subprocess, "run", lambda *_, **__: subprocess.CompletedProcess([], -200, b"", b""))

    with pytest.raises(ChildFailedError, match=r"^the reader stopped: it crashed \(signal \?\)$"):
        run_child(_PROBE, b"report")


def test_the_default_time_limit_applies(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "CHILD_TIMEOUT_SECONDS", 0.25)

    with pytest.raises(ChildFailedError, match=r"^reading took longer than 0\.25 s$"):
        run_child(_PROBE, b"sleep")


# --- the upload reader's side ---------------------------------------------------------------------


_GRID = read_csv_grid("IDN.csv", (VALID_DIR / "csv-comma" / "IDN.csv").read_bytes())


@pytest.fixture
def child(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bytes]]:
    """The calls of the child (``run_child``), which answers with the valid CSV's grid."""
    calls: list[tuple[str, bytes]] = []

    def run(module: str, payload: bytes) -> bytes:
        calls.append((module, payload))
        return pickle.dumps(("csv", _GRID))

    monkeypatch.setattr(untrusted, "run_child", run)
    return calls


def test_the_child_is_asked_with_name_label_and_bytes_and_its_content_becomes_rows(child: list[Any]) -> None:
    raw = untrusted.read_untrusted_bytes("IDN.csv", b"data", label="upload 1 (IDN.csv)")
    here = raw_from_content("IDN.csv", "upload 1 (IDN.csv)", ("csv", _GRID))

    assert child == [("loaders.content", pickle.dumps(("IDN.csv", "upload 1 (IDN.csv)", b"data")))]
    assert (raw.file, raw.member, raw.sheet, raw.issues) == (here.file, here.member, here.sheet, here.issues)
    assert raw.rows.equals(here.rows) and len(raw.rows) == 3


def test_without_a_label_issues_name_the_file(child: list[Any]) -> None:
    raw = untrusted.read_untrusted_bytes("IDN.csv", b"data")

    assert child == [("loaders.content", pickle.dumps(("IDN.csv", "IDN.csv", b"data")))]
    assert raw.file == "IDN.csv"


def _could_not_read(name: str, reason: str) -> list[Issue]:
    return [
        error(
            "unreadable-file",
            name,
            f"{name}: this file could not be read ({reason}). Open it in Excel or LibreOffice, save it again as .xlsx "
            "(File > Save As > Excel Workbook) and upload that",
        )
    ]


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (pickle.dumps(("sheet", [])), "its answer was not understood"),
        (pickle.dumps(("csv",)), "its answer was not understood"),
        (pickle.dumps(("csv", [], 1)), "its answer was not understood"),
        (pickle.dumps(["csv", []]), "its answer was not understood"),
        (b"", "its answer was not plain data: Ran out of input"),
        (pickle.dumps(("csv", os.system)), "its answer was not plain data: posix.system is not plain data"),
        (pickle.dumps(("csv", dt.tzinfo())), "its answer was not plain data: datetime.tzinfo is not plain data"),
    ],
)
def test_an_answer_that_is_not_plain_content_is_refused(
    answer: bytes, reason: str, child: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(untrusted, "run_child", lambda module, payload: answer)

    raw = untrusted.read_untrusted_bytes("IOM.csv", b"data", label="upload 2 (IOM.csv)")

    assert (raw.file, raw.member, raw.issues, len(raw.rows)) == (
        "upload 2 (IOM.csv)",
        "IOM",
        _could_not_read("upload 2 (IOM.csv)", reason),
        0,
    )


@pytest.mark.parametrize(
    "value",
    [
        dt.date(2024, 3, 1),
        dt.datetime(2024, 3, 1, 12, 30, tzinfo=dt.timezone(dt.timedelta(hours=7))),
        dt.time(12, 30),
        dt.timedelta(days=2),
        {"a", "b"},
        frozenset({"a"}),
        bytearray(b"ab"),
        error("bad-date", "IDN.csv", "a message", row=3, field="due_date"),
    ],
)
def test_the_plain_values_readers_produce_come_back_as_they_are(value: object) -> None:
    data = pickle.dumps(("yaml", [value]))

    assert untrusted._PlainUnpickler(io.BytesIO(data)).load() == ("yaml", [value])


def test_file_over_the_size_limit_is_refused_without_a_child(child: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1_048_576)

    untrusted.read_untrusted_bytes("IDN.csv", b"x" * 1_048_576)
    assert len(child) == 1  # at the limit: read

    raw = untrusted.read_untrusted_bytes("IDN.csv", b"x" * 1_205_863, label="upload 3 (IDN.csv)")

    assert len(child) == 1
    assert (raw.file, raw.member, len(raw.rows)) == ("upload 3 (IDN.csv)", "IDN", 0)
    assert raw.issues == [
        error(
            "file-too-large",
            "upload 3 (IDN.csv)",
            "upload 3 (IDN.csv): the file is 1.2 MB; the limit is 1 MB. Remove images or unused sheets, or split it",
        )
    ]


def test_a_child_that_failed_is_named_with_its_reason_cut_to_160_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    def failed(module: str, payload: bytes) -> bytes:
        raise ChildFailedError("w" * 170)

    monkeypatch.setattr(untrusted, "run_child", failed)

    raw = untrusted.read_untrusted_bytes("ILO.csv", b"data")

    assert (raw.file, raw.member, raw.issues) == ("ILO.csv", "ILO", _could_not_read("ILO.csv", "w" * 160))
    assert untrusted.read_untrusted_bytes("notes.csv", b"data").member is None


@pytest.mark.parametrize(
    "parsed",
    [
        ("refused", error("yaml-syntax", "IDN.yaml", "IDN.yaml, line 2: the file is not valid YAML", row=2)),
        ("workbook", [("Actions", _GRID)]),
        ("csv", _GRID),
        ("yaml", {"member": "IDN", "actions": [{"title": "A title", "status": "Limited"}]}),
    ],
    ids=["refused", "workbook", "csv", "yaml"],
)
def test_each_kind_of_content_the_child_answers_is_taken(
    parsed: tuple[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(untrusted, "run_child", lambda module, payload: pickle.dumps(parsed))

    raw = untrusted.read_untrusted_bytes("IDN.yaml", b"data")
    here = raw_from_content("IDN.yaml", "IDN.yaml", parsed)  # type: ignore[arg-type]

    assert (raw.member, raw.sheet, raw.issues) == (here.member, here.sheet, here.issues)
    assert raw.rows.equals(here.rows)
    assert "unreadable-file" not in [issue.code for issue in raw.issues]

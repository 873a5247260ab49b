"""``python -m tracker validate``: exit status, the ``--json`` contract, no tracebacks.

A few runs go through a real subprocess (``sys.executable -m tracker`` from the
project root) to prove the entry point; the rest call ``tracker.cli.main``
in-process, which is the same code and much faster. Data comes from the test
fixtures and ``tmp_path``, never from the bundled sample.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from loaders.catalog import load_catalog
from loaders.dataset import build_dataset
from loaders.fields import FIELD_NAMES
from loaders.tables import read_member_file
from tests.make_fixtures import INVALID_DIR, ROOT, VALID_DIR, valid_row, write_xlsx
from tracker.cli import EXIT_DATA_ERRORS, EXIT_MISUSE, EXIT_OK, main

ISSUE_KEYS = ["severity", "code", "file", "sheet", "row", "field", "message"]
EXPECTED: dict[str, list[list[Any]]] = yaml.safe_load((INVALID_DIR / "expected.yaml").read_text(encoding="utf-8"))
PROBLEM_DIRS = sorted(EXPECTED)
WARNING_ONLY = {"unknown-column"}


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m tracker ARGS`` in the project root, as a user would run it."""
    return subprocess.run(
        [sys.executable, "-m", "tracker", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        check=False,
    )


def assert_contract(document: Any) -> None:
    """The ``validate --json`` object as product.md defines it."""
    assert isinstance(document, dict)
    assert list(document) == ["ok", "issues"]
    assert isinstance(document["ok"], bool)
    for issue in document["issues"]:
        assert list(issue) == ISSUE_KEYS
        assert issue["severity"] in ("error", "warning")
        assert isinstance(issue["code"], str) and issue["code"].islower() and " " not in issue["code"]
        assert isinstance(issue["file"], str) and issue["file"]
        assert issue["sheet"] is None or isinstance(issue["sheet"], str)
        assert issue["row"] is None or (isinstance(issue["row"], int) and issue["row"] >= 1)
        assert issue["field"] is None or issue["field"] in FIELD_NAMES
        assert isinstance(issue["message"], str) and issue["message"]
    assert document["ok"] == all(i["severity"] == "warning" for i in document["issues"])


@pytest.fixture
def warnings_only_dir(tmp_path: Path) -> Path:
    """A data directory whose only issue is a warning (an extra column)."""
    directory = tmp_path / "warn"
    directory.mkdir()
    shutil.copy(INVALID_DIR / "unknown-column" / "IDN.xlsx", directory / "IDN.xlsx")
    write_xlsx(directory / "THA.xlsx", [valid_row(member="THA", action_id="THA-001")])
    return directory


@pytest.fixture
def errors_dir(tmp_path: Path) -> Path:
    """A data directory with one valid file and one file with a bad status."""
    directory = tmp_path / "errors"
    write_xlsx(directory / "THA.xlsx", [valid_row(member="THA")])
    write_xlsx(directory / "IDN.xlsx", [valid_row(status="Almost done")])
    return directory


# --- through a real subprocess ---------------------------------------------------------------


def test_subprocess_warnings_only_exit_0_with_json(warnings_only_dir: Path) -> None:
    result = run_cli("--data-dir", str(warnings_only_dir), "validate", "--json")

    assert result.returncode == EXIT_OK, result.stderr
    document = json.loads(result.stdout)
    assert_contract(document)
    assert document["ok"] is True
    assert [(i["severity"], i["code"], i["row"]) for i in document["issues"]] == [("warning", "unknown-column", 1)]
    assert result.stderr == ""


def test_subprocess_every_invalid_fixture_exit_1_without_traceback() -> None:
    paths = [str(p) for name in PROBLEM_DIRS for p in sorted((INVALID_DIR / name).iterdir())]

    result = run_cli("validate", *paths, "--json")

    assert result.returncode == EXIT_DATA_ERRORS
    assert "Traceback" not in result.stderr
    assert result.stderr == ""
    document = json.loads(result.stdout)
    assert_contract(document)
    assert document["ok"] is False
    expected_codes = {code for issues in EXPECTED.values() for _, _, code in issues}
    assert {i["code"] for i in document["issues"]} >= expected_codes


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        pytest.param(["validate", "no/such/IDN.xlsx"], "no/such/IDN.xlsx", id="missing-path"),
        pytest.param(["validate", "--bogus"], "unrecognized arguments: --bogus", id="unknown-option"),
    ],
)
def test_subprocess_misuse_exit_2(args: list[str], complaint: str) -> None:
    result = run_cli(*args)

    assert result.returncode == EXIT_MISUSE
    assert complaint in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


# --- in process ------------------------------------------------------------------------------


@pytest.mark.parametrize("problem", PROBLEM_DIRS)
def test_exit_status_of_each_invalid_fixture(problem: str, capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(p) for p in sorted((INVALID_DIR / problem).iterdir())]

    status = main(["validate", *files, "--json"])

    document = json.loads(capsys.readouterr().out)
    assert_contract(document)
    assert sorted((i["row"], i["field"], i["code"]) for i in document["issues"]) == sorted(
        tuple(t) for t in EXPECTED[problem]
    )
    assert status == (EXIT_OK if problem in WARNING_ONLY else EXIT_DATA_ERRORS)


def test_data_dir_with_errors_exit_1_and_valid_files_still_count(
    errors_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["--data-dir", str(errors_dir), "validate"])

    out = capsys.readouterr().out
    assert status == EXIT_DATA_ERRORS
    assert "unknown-status" in out
    assert "IDN.xlsx, sheet Actions, row 2, Status:" in out
    assert out.splitlines()[-1].startswith("ERRORS: 1 error(s), 0 warning(s); 1 valid action(s) in 2 file(s)")


def test_text_output_for_warnings_only(warnings_only_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["--data-dir", str(warnings_only_dir), "validate"])

    lines = capsys.readouterr().out.splitlines()
    assert status == EXIT_OK
    assert lines[0].startswith("WARNING unknown-column")
    assert lines[-1].startswith("OK: 0 error(s), 1 warning(s); 3 valid action(s) in 2 file(s)")


@pytest.mark.parametrize("variant", sorted(p.name for p in VALID_DIR.iterdir() if p.is_dir()))
def test_valid_fixtures_exit_0(variant: str, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["validate", str(VALID_DIR / variant), "--json"])

    document = json.loads(capsys.readouterr().out)
    assert status == EXIT_OK
    assert document["ok"] is True


def test_paths_and_directories_are_checked_together(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The same action id in a file given directly and in a directory given: a duplicate.
    one = write_xlsx(tmp_path / "a" / "IDN.xlsx", [valid_row(action_id="IDN-001")])
    write_xlsx(tmp_path / "b" / "IDN.xlsx", [valid_row(action_id="IDN-001")])

    status = main(["validate", str(one), str(tmp_path / "b"), "--json"])

    document = json.loads(capsys.readouterr().out)
    assert status == EXIT_DATA_ERRORS
    assert [(i["row"], i["code"]) for i in document["issues"]] == [(2, "duplicate-action-id")]
    # Both files are called IDN.xlsx: the issue names each by the path given, so they can be told apart.
    issue = document["issues"][0]
    second = str(tmp_path / "b" / "IDN.xlsx")
    assert issue["file"] == second
    assert issue["message"].startswith(f"{second}, sheet Actions, row 2")
    assert f"already used at {one}, sheet Actions, row 2" in issue["message"]


def test_files_named_by_their_path_keep_their_modified_time(tmp_path: Path) -> None:
    paths = [write_xlsx(tmp_path / d / "IDN.xlsx", [valid_row(action_id=f"IDN-00{n}")]) for n, d in enumerate("ab")]

    dataset = build_dataset(load_catalog(), [read_member_file(p, str(p)) for p in paths], paths=paths)

    assert list(dataset.files["file"]) == [str(p) for p in paths]
    assert dataset.files["modified"].notna().all()


def test_files_with_distinct_names_keep_their_bare_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_xlsx(tmp_path / "a" / "IDN.xlsx", [valid_row(action_id="IDN-001", status="almost")])
    write_xlsx(tmp_path / "b" / "THA.xlsx", [valid_row(member="THA", action_id="THA-001")])

    main(["validate", str(tmp_path / "a"), str(tmp_path / "b"), "--json"])

    assert [i["file"] for i in json.loads(capsys.readouterr().out)["issues"]] == ["IDN.xlsx"]


def test_data_dir_from_the_environment(
    errors_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TRACKER_DATA_DIR", str(errors_dir))

    status = main(["validate", "--json"])

    assert status == EXIT_DATA_ERRORS
    assert [i["code"] for i in json.loads(capsys.readouterr().out)["issues"]] == ["unknown-status"]


def test_empty_data_dir_is_ok(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["--data-dir", str(tmp_path), "validate", "--json"])

    assert status == EXIT_OK
    assert json.loads(capsys.readouterr().out) == {"ok": True, "issues": []}


def test_missing_data_dir_is_misuse(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["--data-dir", str(tmp_path / "absent"), "validate"])

    captured = capsys.readouterr()
    assert status == EXIT_MISUSE
    assert "absent" in captured.err
    assert captured.out == ""


def test_missing_path_among_good_ones_is_misuse(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["validate", str(VALID_DIR / "yaml"), "no/such/THA.yaml"])

    captured = capsys.readouterr()
    assert status == EXIT_MISUSE
    assert "no/such/THA.yaml" in captured.err
    assert captured.out == ""


@pytest.mark.parametrize("argv", [["validate", "--bogus"], [], ["frobnicate"], ["validate", "--json=yes"]])
def test_argument_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)

    assert exit_info.value.code == EXIT_MISUSE
    assert "usage:" in capsys.readouterr().err

"""``tracker.settings``: the date rules are judged at is injectable, and the suite never sees the real one."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.make_fixtures import INVALID_DIR, TODAY
from tracker import settings
from tracker.cli import EXIT_DATA_ERRORS, EXIT_MISUSE, EXIT_OK, main

FUTURE = INVALID_DIR / "last-updated-in-future" / "IDN.xlsx"


def test_the_suite_runs_at_its_fixed_date() -> None:
    assert settings.today() == TODAY


def test_unset_means_the_real_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(settings.TODAY_ENV)

    assert settings.today() == dt.date.today()


def test_a_bad_date_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(settings.TODAY_ENV, "30/11/2026")

    with pytest.raises(ValueError, match="TRACKER_TODAY"):
        settings.today()


def test_the_cli_judges_future_dates_at_the_injected_day(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The fixture's row 3 is dated the day after TODAY: in the future at TODAY, in the past a day later.
    assert main(["validate", str(FUTURE)]) == EXIT_DATA_ERRORS
    assert "future" in capsys.readouterr().out

    monkeypatch.setenv(settings.TODAY_ENV, (TODAY + dt.timedelta(days=1)).isoformat())
    assert main(["validate", str(FUTURE)]) == EXIT_OK


def test_the_cli_calls_a_bad_date_misuse(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(settings.TODAY_ENV, "tomorrow")

    assert main(["validate", str(FUTURE)]) == EXIT_MISUSE
    assert "TRACKER_TODAY='tomorrow' is not a date" in capsys.readouterr().err

"""A chart's data table is drawn when its expander is opened, and stays drawn (``ui.components.show_chart``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.chart_tables import chart_keys, open_chart_tables
from ui.components import table_key

pytestmark = pytest.mark.usefixtures("fresh_caches")

ENTRY = str(Path(__file__).resolve().parent.parent / "dashboard.py")


def overview() -> AppTest:
    at = AppTest.from_file(ENTRY, default_timeout=60).run()
    assert not at.exception, at.exception
    return at


def table_buttons(at: AppTest) -> list[str]:
    return [b.proto.label for b in at.get("download_button") if b.proto.label == "Download this table (CSV)"]


def test_the_tables_wait_closed_under_their_charts_until_opened():
    at = overview()
    keys = chart_keys(at)
    assert keys == ["overview_by_framework", "overview_freshness", "overview_by_area"]
    assert [e.label for e in at.expander] == [
        "Data table: Status of actions by framework",
        "Data table: Reporting freshness by member",
        "Data table: Status of actions by area and pillar",
    ]
    assert not at.dataframe and not table_buttons(at)  # nothing of the tables is made or sent

    at.session_state[table_key("overview_freshness")] = True  # the reader opens one
    at.run()
    (table,) = at.dataframe
    assert {"member", "name"} <= set(table.value.columns)  # the freshness chart's table: one row per member
    assert table_buttons(at) == ["Download this table (CSV)"]

    at.sidebar.date_input(key="flt_from").set_value(dt.date(2024, 1, 1)).run()  # any other rerun: it stays open
    assert len(at.dataframe) == 1 and len(table_buttons(at)) == 1


def test_opening_every_table_shows_one_table_and_one_download_per_chart():
    at = open_chart_tables(overview())
    assert len(at.dataframe) == len(chart_keys(at)) == len(table_buttons(at)) == 3
    assert all(len(t.value) > 0 for t in at.dataframe)

"""Opening the chart tables of a page under AppTest.

``ui.components.show_chart`` draws a chart's data table only when its expander is open (the reader opens it, a
rerun draws it). Tests that read those tables open them first, as a reader would: every chart on the page
gets its expander opened (``ui.components.table_key``), then the page runs again.
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from ui.components import table_key


def chart_keys(at: AppTest) -> list[str]:
    """The keys of the charts on the page (a keyed element's id ends with its key: ``$$ID-<hash>-<key>``)."""
    return [chart.proto.id.split("-", 2)[2] for chart in at.get("plotly_chart")]


def open_chart_tables(at: AppTest) -> AppTest:
    """Open every chart's data table on the page, rerun, and return ``at``."""
    for key in chart_keys(at):
        at.session_state[table_key(key)] = True
    return at.run()

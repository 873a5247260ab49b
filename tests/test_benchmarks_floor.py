"""The load test's floor (``benchmarks/floor_app.py``) keeps the dashboard's navigation and sidebar widgets.

Issue 12 divides our latency by the floor's; the ratio means something only while the floor has the same pages
and the same filter widgets (keys) as ``dashboard.py``. The load test checks it again on the real servers.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.sidebar import _KEYS

pytestmark = pytest.mark.usefixtures("fresh_caches")  # AppTest runs read the files afresh

ROOT = Path(__file__).resolve().parent.parent
FLOOR = ROOT / "benchmarks" / "floor_app.py"


def _floor_pages() -> list[tuple[str, str, str]]:
    tree = ast.parse(FLOOR.read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "PAGES" for t in node.targets):
            return [tuple(entry) for entry in ast.literal_eval(node.value)]
    raise AssertionError("benchmarks/floor_app.py has no PAGES")


def test_the_floor_has_the_dashboards_pages():
    source = (ROOT / "dashboard.py").read_text()
    listed = source.split("PAGES = [", 1)[1].split("]\n", 1)[0]
    pages = re.findall(r'st\.Page\("app_pages/(\w+)\.py", title=_\("([^"]+)"\), icon="([^"]+)"', listed)
    assert pages, "dashboard.py's PAGES could not be read"
    assert [(title, icon, stem) for stem, title, icon in pages] == _floor_pages()


def test_the_floor_has_the_sidebar_widgets_and_answers_a_filter_change():
    at = AppTest.from_file(str(FLOOR), default_timeout=60).run()
    assert not at.exception
    keys = [w.key for w in at.sidebar if getattr(w, "key", None)]
    assert keys == ["ui_lang", *_KEYS.values(), "flt_reset"]  # the language switch (ui.lang), then the filters
    at.sidebar.date_input(key="flt_from").set_value(dt.date(2024, 1, 1)).run()
    assert not at.exception
    assert at.session_state["flt_from"] == dt.date(2024, 1, 1)
    assert at.title[0].value == "Overview"


def test_the_cold_start_floor_draws_one_chart_and_its_table_only_when_asked(monkeypatch):
    at = AppTest.from_file(str(FLOOR), default_timeout=60).run()
    assert not at.get("plotly_chart") and not at.dataframe  # the load test's floor draws nothing

    monkeypatch.setenv("FLOOR_CHART", "1")
    at = AppTest.from_file(str(FLOOR), default_timeout=60).run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 1
    assert at.dataframe[0].value["actions"].tolist() == [3, 1, 2]


def test_the_benchmark_report_judges_the_cold_start_and_shows_the_floor():
    from benchmarks import report

    cold = {"scale": 1, "median_s": 4.5, "server_healthy_median_s": 0.7, "floor_median_s": 3.0}
    results = {"ingest": {}, "pages": {}, "cold_start": cold}
    (target,) = report.targets(results)
    assert target["target"] == "cold start to the first chart drawn at 1×"
    assert (target["measured"], target["limit"], target["met"]) == (4.5, 3.0, False)
    assert report.targets({**results, "cold_start": {**cold, "median_s": 2.9}})[0]["met"]
    assert not report.targets({**results, "cold_start": {**cold, "scale": 10}})  # judged at 1× only

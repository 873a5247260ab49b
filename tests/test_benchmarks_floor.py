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

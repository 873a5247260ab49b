"""Working items (``placeholder: true`` in the catalog) say so, in words, wherever they are shown.

Twenty of the Bohol Work Plan 2.0 items are the tracker's own working placeholders: the official BWP 2.0
matrix was not public. Members can report against them, so each surface that names one (tables, charts,
the template, the data package, the static site, the pages) must say "working item, not official" in text,
never by colour alone. Here one item is made a working item in a copy of the catalog, so each check also
fails when the marker is missing for a reason other than the catalog's data.
"""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from loaders.catalog import Catalog
from loaders.catalog_schema import WORKING_ITEM
from tests.builders import action, dataset_of
from tracker.documents.site import publish_site
from tracker.documents.template import template_workbook
from tracker.views.action_table import action_display
from tracker.views.filters import Filters, apply_filters
from tracker.views.gaps import gap_matrix, gap_table, uncovered_commitments
from tracker.views.method import commitments_table
from tracker.views.pillar_level import at_pillar_level

ITEM = "BWP-A.2"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def working(catalog: Catalog) -> Catalog:
    """The catalog with BWP-A.2 a working item and every other entry as it is in the bundled catalog."""
    commitments = dict(catalog.commitments)
    for cid, entry in commitments.items():
        commitments[cid] = entry.model_copy(update={"placeholder": cid == ITEM})
    return replace(catalog, commitments=commitments)


def test_a_working_item_shows_its_title_and_id_with_the_words(working: Catalog, catalog: Catalog):
    entry = working.commitments[ITEM]
    assert entry.shown_title == f"{entry.title} (working item, not official)"
    assert entry.shown_id == f"{ITEM} (working item)"
    official = working.commitments["ASC-1"]
    assert (official.shown_title, official.shown_id) == (official.title, "ASC-1")
    assert WORKING_ITEM == "(working item, not official)"


def test_action_lists_mark_the_working_items_an_action_cites(working: Catalog):
    dataset = dataset_of(working, [action("IDN", 1, f"ASC-1; {ITEM}", "limited"), action("IDN", 2, "ASC-2", "limited")])
    shown = action_display(dataset.actions, working)
    assert shown["Commitments"].tolist() == [f"ASC-1; {ITEM} (working item)", "ASC-2"]


def test_gap_and_method_tables_and_uncovered_commitments_say_working_item(working: Catalog):
    dataset = dataset_of(working, [action("IDN", 1, ITEM, "limited")])
    view = apply_filters(dataset, Filters())
    table = gap_table(gap_matrix(view, "commitment"), working)
    titles = set(table.loc[table["commitment"] == ITEM, "title"])
    assert titles == {f"{working.commitments[ITEM].title} {WORKING_ITEM}"}
    method = commitments_table(working).set_index("id")
    assert method.loc[ITEM, "working item"] == "yes: not official"
    assert method.loc["ASC-1", "working item"] == ""
    empty = apply_filters(dataset_of(working, [action("IDN", 1, "ASC-1", "limited")]), Filters())
    uncovered = uncovered_commitments(empty).set_index("commitment")
    assert uncovered.loc[ITEM, "title"].endswith(WORKING_ITEM)


def test_the_templates_commitments_sheet_marks_the_item(working: Catalog):
    dataset = dataset_of(working, [action("IDN", 1, "ASC-1", "limited")])
    data = template_workbook(working, "IDN", dataset.actions, illustrative=False)
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Commitments"]
    rows = {row[0]: row[3] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert rows[ITEM] == f"{working.commitments[ITEM].title} {WORKING_ITEM}"
    assert rows["ASC-1"] == working.commitments["ASC-1"].title


def test_the_static_site_marks_the_item_on_its_pillar_page(working: Catalog, tmp_path):
    dataset = dataset_of(working, [action("IDN", 1, ITEM, "limited")])
    publish_site(dataset, tmp_path, today=dataset.actions["last_updated"].max().date())
    pillar = (tmp_path / "area" / "BWP-A.html").read_text(encoding="utf-8")
    assert f"{working.commitments[ITEM].title} {WORKING_ITEM}" in pillar
    member = (tmp_path / "member" / "IDN.html").read_text(encoding="utf-8")
    assert f"{ITEM} (working item)" in member


# --- the bundled catalog, on the pages ------------------------------------------------------------------------


def test_the_bundled_catalogs_20_working_items_are_the_bohol_placeholders(catalog: Catalog):
    working = sorted(c.id for c in catalog.commitments.values() if c.placeholder)
    assert len(working) == 20 and all(c.startswith("BWP-") for c in working)
    assert all(catalog.commitments[c].confidence in ("I", "U") for c in working)


def page(path: str, query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params.update(query)
    at.run()
    at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


def test_the_gap_matrix_of_every_item_labels_working_items(fresh_caches, catalog: Catalog):
    at = page("app_pages/gaps.py", {"framework": "BWP"})
    at.segmented_control(key="gaps_level").set_value("commitment").run()
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    ticks = spec["layout"]["xaxis"]["ticktext"] if "ticktext" in spec["layout"]["xaxis"] else spec["data"][0]["x"]
    assert f"{ITEM} (working item)" in ticks and "BWP-A.1" in ticks and "BWP-A.1 (working item)" not in ticks


def test_a_member_profile_marks_the_working_items_its_actions_cite(fresh_caches, catalog: Catalog):
    at = page("app_pages/member.py", {"m": "THA"})
    cells = [
        str(v) for t in [*at.table, *at.dataframe] if "Commitments" in t.value.columns for v in t.value["Commitments"]
    ]
    cited = [c for c in cells if "BWP-" in c]
    assert cited and any("(working item)" in c for c in cited)
    assert not any(f"{w}" in c and f"{w} (working item)" not in c for c in cited for w in _working(catalog))


def _working(catalog: Catalog) -> list[str]:
    return [c.id for c in catalog.commitments.values() if c.placeholder]


# --- TRACKER_WORKING_ITEMS=pillar: Bohol at pillar level only ---------------------------------------------------


def test_folding_counts_a_working_item_under_its_pillar_once(working: Catalog):
    dataset = dataset_of(
        working,
        [action("IDN", 1, f"{ITEM}; BWP-A; ASC-1", "limited"), action("THA", 1, ITEM, "limited")],
    )
    folded = at_pillar_level(dataset)
    assert ITEM not in folded.catalog.commitments and "BWP-A" in folded.catalog.commitments
    assert all(ITEM not in (link.source, link.target) for link in folded.catalog.links)
    assert folded.actions.set_index("action_id")["commitments"].to_dict() == {
        "IDN-001": "BWP-A; ASC-1",
        "THA-001": "BWP-A",
    }
    links = folded.action_commitments
    pairs = sorted(zip(links["action_key"], links["commitment_id"], strict=True))
    assert pairs == [("IDN-001", "ASC-1"), ("IDN-001", "BWP-A"), ("THA-001", "BWP-A")]
    assert dataset.actions.set_index("action_id").loc["IDN-001", "commitments"] == f"{ITEM}; BWP-A; ASC-1"  # kept
    unmarked = replace(
        working, commitments={c: e.model_copy(update={"placeholder": False}) for c, e in working.commitments.items()}
    )
    nothing_to_fold = dataset_of(unmarked, [action("IDN", 1, ITEM, "limited")])
    assert at_pillar_level(nothing_to_fold) is nothing_to_fold


def test_the_setting_folds_the_pages_and_leaves_the_template_whole(fresh_caches, monkeypatch, catalog: Catalog):
    monkeypatch.setenv("TRACKER_WORKING_ITEMS", "pillar")
    at = page("app_pages/gaps.py", {"framework": "BWP"})
    at.segmented_control(key="gaps_level").set_value("commitment").run()
    spec = at.get("plotly_chart")[0].proto.spec
    assert "(working item)" not in spec and f'"{ITEM}"' not in spec and '"BWP-A.1"' in spec
    member = page("app_pages/member.py", {"m": "THA"})
    cells = [
        str(v)
        for t in [*member.table, *member.dataframe]
        if "Commitments" in t.value.columns
        for v in t.value["Commitments"]
    ]
    assert cells and not any(w in c for c in cells for w in _working(catalog))
    # The records are not changed: a focal point's template still lists every item, marked.
    sheet = openpyxl.load_workbook(
        io.BytesIO(
            template_workbook(
                catalog, "THA", dataset_of(catalog, [action("THA", 1, "ASC-1", "limited")]).actions, illustrative=False
            )
        )
    )["Commitments"]
    assert f"{ITEM}" in {row[0] for row in sheet.iter_rows(values_only=True)}


def test_the_setting_is_pillar_or_shown(monkeypatch):
    from tracker import settings

    monkeypatch.delenv("TRACKER_WORKING_ITEMS", raising=False)
    assert settings.working_items() == "show"
    monkeypatch.setenv("TRACKER_WORKING_ITEMS", " Pillar ")
    assert settings.working_items() == "pillar"
    monkeypatch.setenv("TRACKER_WORKING_ITEMS", "hide-everything")
    assert settings.working_items() == "show"

"""Tests for the ASEAN overlap metrics, figures and page.

The data is a small hand-built set of member files read through the real
loaders, and the bundled catalog with its crosswalk replaced by eight known
links, so every expected frame below can be worked out by hand:

- links: 0 ``ASC-6.2 ↔ BWP-B.1`` overlapping; 1 ``BWP-B ↔ ASC-6`` overlapping
  (reversed); 2 ``ASC-7.5 ↔ BWP-B.5`` complementary; 3 ``ASC-6 ↔ ACWC``
  overlapping; 4 ``ASC-6.3 ↔ ACWC`` complementary; 5 ``ASC-CM ↔ ASC-4.1``
  equivalent (within one framework); 6 ``BWP-B ↔ ACWC`` overlapping;
  7 ``ASC-1.3 ↔ BWP-C.3`` equivalent.
- actions: see ``ACTIONS``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest
import yaml
from pandas.testing import assert_frame_equal

from loaders.catalog import Catalog, load_catalog
from loaders.catalog_schema import Link
from loaders.dataset import Dataset, build_dataset
from loaders.tables import read_member_bytes
from tracker.figures.overlap import crosswalk_matrix_figure, group_comparison_figure, overlap_sankey_figure
from tracker.views import overlap
from tracker.views.filters import Filters, View, apply_filters

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 1)
EVIDENCE = "https://example.org/report"

LINKS = [
    ("ASC-6.2", "BWP-B.1", "overlapping"),
    ("BWP-B", "ASC-6", "overlapping"),
    ("ASC-7.5", "BWP-B.5", "complementary"),
    ("ASC-6", "ACWC", "overlapping"),
    ("ASC-6.3", "ACWC", "complementary"),
    ("ASC-CM", "ASC-4.1", "equivalent"),
    ("BWP-B", "ACWC", "overlapping"),
    ("ASC-1.3", "BWP-C.3", "equivalent"),
]

# member -> (action id, commitments, mechanisms, status)
ACTIONS: dict[str, list[tuple[str, str, str, str]]] = {
    "IDN": [
        ("IDN-001", "ASC-6.2; BWP-B.1", "ACWC", "complete"),
        ("IDN-002", "ASC-6.3", "ACWC", "limited"),
        ("IDN-003", "BWP-B.2", "ACWC; SOMSWD", "substantial"),
        ("IDN-004", "ASC-1.3", "", "discontinued"),
    ],
    "THA": [
        ("THA-001", "ASC-6", "ACTIP", "complete"),
        ("THA-002", "BWP-B", "ACWC", "not_started"),
    ],
    "AUS": [
        ("AUS-001", "ASC-7.5", "", "complete"),
        ("AUS-002", "ASC-1.3; BWP-C.3", "ASEANAPOL", "substantial"),
    ],
    "IOM": [("IOM-001", "BWP-B.5", "SOMSWD", "limited")],
}


def member_yaml(member: str) -> str:
    """One member's action file, as a focal point would write it."""
    actions = [
        {
            "action_id": action_id,
            "commitments": commitments,
            "title": f"Action {action_id}",
            "status": status,
            "last_updated": "2026-10-01",
            **({"asean_mechanisms": mechanisms} if mechanisms else {}),
            **({"evidence": EVIDENCE} if status == "complete" else {}),
        }
        for action_id, commitments, mechanisms, status in ACTIONS[member]
    ]
    return yaml.safe_dump({"member": member, "illustrative": True, "actions": actions}, sort_keys=False)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    bundled = load_catalog()
    links = [
        Link(source=s, target=t, relation=r, note=f"{s} and {t}", confidence="I", sources=[])  # type: ignore[arg-type]
        for s, t, r in LINKS
    ]
    return dataclasses.replace(bundled, links=links)


@pytest.fixture(scope="module")
def dataset(catalog: Catalog) -> Dataset:
    raws = [read_member_bytes(f"{m}.yaml", member_yaml(m).encode()) for m in ACTIONS]
    data = build_dataset(catalog, raws, today=TODAY)
    assert not data.errors, [i.message for i in data.errors]
    assert len(data.actions) == 9
    return data


@pytest.fixture(scope="module")
def view(dataset: Dataset) -> View:
    return apply_filters(dataset, Filters())


def frame(rows: list[tuple], columns: list[str], text: list[str]) -> pd.DataFrame:
    """An expected frame with pandas-3 ``str`` columns where the metric gives them."""
    return pd.DataFrame(rows, columns=columns).astype(dict.fromkeys(text, "str"))


# --- crosswalk matrix --------------------------------------------------------------------------


def test_crosswalk_matrix_rolls_links_up_to_areas_and_mechanisms(catalog: Catalog) -> None:
    matrix = overlap.crosswalk_matrix(catalog, cols="mechanisms")
    areas = [c.id for c in catalog.commitments.values() if c.framework == "ASC" and c.parent is None]
    assert len(matrix) == len(areas) * len(catalog.mechanisms)
    assert list(dict.fromkeys(matrix["row"])) == areas  # catalog order, ASC-CM included
    linked = matrix[matrix["links"] > 0].reset_index(drop=True)
    expected = frame(
        [
            (
                "ASC-6",
                "Victim Protection and Migration Management",
                "ACWC",
                catalog.mechanisms["ACWC"].name,
                "overlapping",
                2,
                "ASC-6 ↔ ACWC (overlapping); ASC-6.3 ↔ ACWC (complementary)",
                "I",
            )
        ],
        ["row", "row_title", "col", "col_title", "relation", "links", "detail", "confidence"],
        ["row", "row_title", "col", "col_title", "relation", "detail", "confidence"],
    )
    assert_frame_equal(linked, expected)
    assert matrix.loc[matrix["links"] == 0, "relation"].isna().all()


def test_crosswalk_matrix_against_bohol_pillars_reads_links_both_ways(catalog: Catalog) -> None:
    matrix = overlap.crosswalk_matrix(catalog, cols="BWP")
    linked = matrix.loc[matrix["links"] > 0, ["row", "col", "relation", "links", "detail"]].reset_index(drop=True)
    expected = frame(
        [
            ("ASC-1", "BWP-C", "equivalent", 1, "ASC-1.3 ↔ BWP-C.3 (equivalent)"),
            ("ASC-6", "BWP-B", "overlapping", 2, "ASC-6.2 ↔ BWP-B.1 (overlapping); ASC-6 ↔ BWP-B (overlapping)"),
            ("ASC-7", "BWP-B", "complementary", 1, "ASC-7.5 ↔ BWP-B.5 (complementary)"),
        ],
        ["row", "col", "relation", "links", "detail"],
        ["row", "col", "relation", "detail"],
    )
    assert_frame_equal(linked, expected)
    wide = overlap.crosswalk_pivot(matrix)
    assert list(wide.columns) == ["BWP-A", "BWP-B", "BWP-C", "BWP-D"]
    assert wide.index[0] == "ASC-1" and wide.index[-1] == "ASC-CM"
    assert wide.loc["ASC-6", "BWP-B"] == "overlapping"
    assert pd.isna(wide.loc["ASC-6", "BWP-A"])
    assert overlap.crosswalk_pivot(matrix, "links").to_numpy().sum() == 4


def test_crosswalk_matrix_rejects_an_unknown_framework(catalog: Catalog) -> None:
    with pytest.raises(ValueError, match="XYZ"):
        overlap.crosswalk_matrix(catalog, cols="XYZ")


# --- flows -------------------------------------------------------------------------------------


def test_overlap_flows_count_distinct_actions_per_edge(view: View) -> None:
    expected = frame(
        [
            ("ASC→mechanism", "ASC-1", "ASEANAPOL", 1),  # AUS-002
            ("ASC→mechanism", "ASC-6", "ACTIP", 1),  # THA-001
            ("ASC→mechanism", "ASC-6", "ACWC", 2),  # IDN-001, IDN-002
            ("mechanism→BWP", "ACWC", "BWP-B", 3),  # IDN-001, IDN-003, THA-002
            ("mechanism→BWP", "SOMSWD", "BWP-B", 2),  # IDN-003, IOM-001
            ("mechanism→BWP", "ASEANAPOL", "BWP-C", 1),  # AUS-002
        ],
        ["stage", "source", "target", "actions"],
        ["stage", "source", "target"],
    )
    assert_frame_equal(overlap.overlap_flows(view), expected)


def test_overlap_flows_follow_the_filters(dataset: Dataset) -> None:
    flows = overlap.overlap_flows(apply_filters(dataset, Filters(framework="ASC")))
    assert set(flows["stage"]) == {"ASC→mechanism"}
    only_tha = overlap.overlap_flows(apply_filters(dataset, Filters(members=("THA",))))
    assert only_tha[["source", "target", "actions"]].values.tolist() == [
        ["ASC-6", "ACTIP", 1],
        ["ACWC", "BWP-B", 1],
    ]


# --- dual-framework actions --------------------------------------------------------------------


def test_dual_framework_actions_lists_actions_citing_both(view: View) -> None:
    columns = ["action_key", "member", "group", "title", "status", "asc_ids", "bwp_ids", "mechanisms"]
    expected = frame(
        [
            ("AUS-002", "AUS", "other", "Action AUS-002", "substantial", "ASC-1.3", "BWP-C.3", "ASEANAPOL"),
            ("IDN-001", "IDN", "asean", "Action IDN-001", "complete", "ASC-6.2", "BWP-B.1", "ACWC"),
        ],
        columns,
        columns,
    )
    assert_frame_equal(overlap.dual_framework_actions(view), expected)


def test_dual_framework_by_group(view: View) -> None:
    expected = pd.DataFrame(
        {
            "group": ["asean", "other", "org"],
            "label": ["ASEAN member states", "Other states and territories", "Member organisations"],
            "actions": [6, 2, 1],
            "dual_actions": [1, 1, 0],
            "dual_share": [1 / 6, 0.5, 0.0],
        }
    ).astype({"group": "str", "label": "str"})
    assert_frame_equal(overlap.dual_framework_by_group(view), expected)


def test_dual_framework_actions_empty_under_a_framework_filter(dataset: Dataset) -> None:
    assert overlap.dual_framework_actions(apply_filters(dataset, Filters(framework="BWP"))).empty


# --- duplication and complement ----------------------------------------------------------------

DUP_COLUMNS = [
    "asc_id",
    "bwp_id",
    "relation",
    "classification",
    "n_flagged",
    "members_flagged",
    "n_both",
    "n_asc_only",
    "n_bwp_only",
    "members_both",
    "members_asc_only",
    "members_bwp_only",
]


def dup_frame(rows: list[tuple]) -> pd.DataFrame:
    return frame(rows, DUP_COLUMNS, [c for c in DUP_COLUMNS if not c.startswith("n_")])


def test_duplication_and_complement_by_area_and_pillar(view: View) -> None:
    result = overlap.duplication_and_complement(view)
    expected = dup_frame(
        [
            # Under ASC-6 / BWP-B, IDN has separate actions on both sides through ACWC; THA's do not share one.
            ("ASC-6.2", "BWP-B.1", "overlapping", "possible duplication", 1, "IDN", 2, 0, 1, "IDN; THA", "", "IOM"),
            ("ASC-6", "BWP-B", "overlapping", "possible duplication", 1, "IDN", 2, 0, 1, "IDN; THA", "", "IOM"),
            # AUS-002 alone cites both sides: reported once, counted for both, never a duplicate of itself.
            ("ASC-1.3", "BWP-C.3", "equivalent", "no duplication flagged", 0, "", 1, 1, 0, "AUS", "IDN", ""),
            ("ASC-7.5", "BWP-B.5", "complementary", "complementary work", 0, "", 0, 1, 3, "", "AUS", "IDN; THA; IOM"),
        ]
    )
    assert_frame_equal(result[DUP_COLUMNS], expected)
    assert list(result[["asc_top_level", "bwp_top_level"]].iloc[0]) == ["ASC-6", "BWP-B"]
    assert result["note"].iloc[0] == "ASC-6.2 and BWP-B.1"
    assert set(result["confidence"]) == {"I"}


def test_duplication_and_complement_by_linked_commitments(view: View) -> None:
    result = overlap.duplication_and_complement(view, match="linked")
    expected = dup_frame(
        [
            ("ASC-6", "BWP-B", "overlapping", "possible duplication", 1, "IDN", 2, 0, 1, "IDN; THA", "", "IOM"),
            ("ASC-6.2", "BWP-B.1", "overlapping", "no duplication flagged", 0, "", 1, 0, 0, "IDN", "", ""),
            ("ASC-1.3", "BWP-C.3", "equivalent", "no duplication flagged", 0, "", 1, 1, 0, "AUS", "IDN", ""),
            ("ASC-7.5", "BWP-B.5", "complementary", "complementary work", 0, "", 0, 1, 1, "", "AUS", "IOM"),
        ]
    )
    assert_frame_equal(result[DUP_COLUMNS], expected)


def test_possible_duplicates_lists_each_pair_once(view: View) -> None:
    columns = ["link_no", "asc_id", "bwp_id", "relation", "member", "asc_action", "bwp_action", "mechanisms"]
    rows = [
        (link, asc, bwp, "overlapping", "IDN", a, b, "ACWC")
        for link, asc, bwp in ((0, "ASC-6.2", "BWP-B.1"), (1, "ASC-6", "BWP-B"))
        for a, b in (("IDN-001", "IDN-003"), ("IDN-002", "IDN-001"), ("IDN-002", "IDN-003"))
    ]
    expected = frame(rows, columns, columns[1:])
    assert_frame_equal(overlap.possible_duplicates(view), expected)


def test_duplication_rejects_an_unknown_match(view: View) -> None:
    with pytest.raises(ValueError, match="match"):
        overlap.duplication_and_complement(view, match="nearby")  # type: ignore[arg-type]


# --- group comparison --------------------------------------------------------------------------


def test_group_comparison_side_by_side(view: View, catalog: Catalog) -> None:
    asean = sum(m.asean for m in catalog.members.values())
    orgs = sum(m.kind == "organisation" for m in catalog.members.values())
    expected = pd.DataFrame(
        {
            "group": ["asean", "other", "org"],
            "label": ["ASEAN member states", "Other states and territories", "Member organisations"],
            "members": [asean, len(catalog.members) - asean - orgs, orgs],
            "members_reporting": [2, 1, 1],
            "actions": [6, 2, 1],
            "actions_bwp": [3, 1, 1],
            "actions_mechanism": [5, 1, 1],
            "complete": [2, 1, 0],
            "progress_actions": [5, 2, 1],  # IDN-004 is discontinued: counted apart
            "share_bwp": [0.5, 0.5, 1.0],
            "share_mechanism": [5 / 6, 0.5, 1.0],
            "share_complete": [0.4, 0.5, 0.0],
        }
    ).astype({"group": "str", "label": "str"})
    assert_frame_equal(overlap.group_comparison(view), expected)


def test_group_comparison_with_a_group_filter_keeps_all_groups(dataset: Dataset) -> None:
    result = overlap.group_comparison(apply_filters(dataset, Filters(group="asean")))
    assert result["members"].tolist()[1:] == [0, 0]
    assert result["actions"].tolist() == [6, 0, 0]
    assert result["share_bwp"].isna().tolist() == [False, True, True]


@pytest.mark.parametrize(
    "metric",
    [
        overlap.overlap_flows,
        overlap.dual_framework_actions,
        overlap.possible_duplicates,
    ],
)
def test_metrics_on_an_empty_view_return_empty_frames(dataset: Dataset, metric) -> None:
    empty = apply_filters(dataset, Filters(members=("NZL",)))
    assert empty.is_empty
    assert metric(empty).empty


def test_tables_on_an_empty_view_keep_their_rows(dataset: Dataset) -> None:
    empty = apply_filters(dataset, Filters(members=("NZL",)))
    dup = overlap.duplication_and_complement(empty)
    assert len(dup) == 4 and dup["n_both"].sum() == 0 and (dup["members_both"] == "").all()
    assert overlap.group_comparison(empty)["actions"].sum() == 0
    assert overlap.dual_framework_by_group(empty)["dual_share"].isna().all()


# --- figures -----------------------------------------------------------------------------------


def test_crosswalk_matrix_figure_shows_icon_and_count_not_only_colour(catalog: Catalog) -> None:
    matrix = overlap.crosswalk_matrix(catalog, cols="BWP")
    fig = crosswalk_matrix_figure(
        matrix, title="Crosswalk: areas × pillars", x_title="Bohol pillar", y_title="Adelaide area", x_ticks="id_title"
    )
    heatmap, labels = fig.data[0], fig.data[1]
    assert heatmap.type == "heatmap"
    assert len(heatmap.z) == 9 and len(heatmap.z[0]) == 4
    row, col = 5, 1
    assert heatmap.y[row] == "ASC-6 Victim Protection and Migration M…"
    assert heatmap.z[row][col] == 2  # overlapping
    assert heatmap.z[0][2] == 3  # ASC-1 × BWP-C equivalent
    assert "ASC-6.2 ↔ BWP-B.1 (overlapping)" in heatmap.text[row][col]
    assert "no crosswalk link" in heatmap.text[0][0]
    assert heatmap.x[0].startswith("BWP-A<br>Prevention")
    cell_text = dict(zip(zip(labels.y, labels.x, strict=True), labels.text, strict=True))
    assert cell_text[(heatmap.y[row], heatmap.x[col])] == "◎ 2"
    assert cell_text[(heatmap.y[0], heatmap.x[0])] == ""
    assert [t.name for t in fig.data[2:]] == ["≡ Equivalent", "◎ Overlapping", "+ Complementary"]
    assert fig.layout.title.text == "Crosswalk: areas × pillars"
    assert fig.layout.xaxis.title.text == "Bohol pillar"
    assert fig.layout.yaxis.title.text == "Adelaide area"


def test_overlap_sankey_figure_nodes_and_links(view: View, catalog: Catalog) -> None:
    fig = overlap_sankey_figure(overlap.overlap_flows(view), catalog, title="Actions through mechanisms")
    sankey = fig.data[0]
    labels = list(sankey.node.label)
    assert labels == [
        "ASC-1 Law enforcement",
        "ASC-6 Victim Protection and Mig…",
        "ACTIP",
        "ACWC",
        "SOMSWD",
        "ASEANAPOL",
        "BWP-B Protection",
        "BWP-C Law enforcement and prose…",
    ]
    assert list(sankey.link.value) == [1, 1, 2, 3, 2, 1]
    assert labels[sankey.link.source[2]].startswith("ASC-6 ")
    assert labels[sankey.link.target[2]] == "ACWC"
    assert "action(s)" in sankey.link.hovertemplate
    assert sankey.node.customdata[3] == catalog.mechanisms["ACWC"].name
    assert fig.layout.title.text == "Actions through mechanisms"


def test_overlap_sankey_figure_without_flows_explains_instead_of_raising(catalog: Catalog) -> None:
    empty = pd.DataFrame({c: pd.Series(dtype="str") for c in ["stage", "source", "target"]}).assign(actions=0)
    fig = overlap_sankey_figure(empty.iloc[0:0], catalog, title="Actions through mechanisms")
    assert len(fig.data) == 0
    assert fig.layout.annotations[0].text.startswith("No actions link")
    assert fig.layout.title.text == "Actions through mechanisms"


def test_group_comparison_figure_labels_every_bar(view: View, dataset: Dataset) -> None:
    fig = group_comparison_figure(overlap.group_comparison(view), title="Groups side by side")
    assert [t.type for t in fig.data] == ["bar"] * 3
    bohol, mechanism, complete = fig.data
    assert list(bohol.y) == ["ASEAN member states", "Other states and territories", "Member organisations"]
    assert list(bohol.text) == ["50% (3 of 6)", "50% (1 of 2)", "100% (1 of 1)"]
    assert list(complete.x) == [0.4, 0.5, 0.0]
    assert math.isclose(mechanism.x[0], 5 / 6)
    assert [a.text for a in fig.layout.annotations] == [
        "Actions citing a Bohol commitment",
        "Actions listing at least one ASEAN mechanism",
        "Actions reported complete (of those not counted apart)",
    ]
    assert fig.layout.xaxis3.title.text == "Share of the group's actions"
    assert fig.layout.yaxis2.title.text == "Member group"
    filtered = overlap.group_comparison(apply_filters(dataset, Filters(group="org")))
    assert list(group_comparison_figure(filtered, title="t").data[0].text)[:2] == ["no actions", "no actions"]


# --- the page ----------------------------------------------------------------------------------


@pytest.fixture
def app_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A data directory with the hand-built member files, and fresh Streamlit caches."""
    import streamlit as st

    for member in ACTIONS:
        (tmp_path / f"{member}.yaml").write_text(member_yaml(member), encoding="utf-8")
    monkeypatch.setenv("TRACKER_DATA_DIR", str(tmp_path))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield tmp_path
    st.cache_data.clear()
    st.cache_resource.clear()


def overlap_page():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=30)
    return at.switch_page("app_pages/overlap.py").run()


def test_page_renders_charts_and_tables(app_data: Path) -> None:
    at = overlap_page()
    assert not at.exception, at.exception
    assert at.title[0].value == "ASEAN overlap: where does Bali Process work meet ASEAN work?"
    charts = at.get("plotly_chart")
    assert len(charts) >= 3
    assert any("editorial mapping" in c.value for c in at.caption)
    assert any("not judgements" in c.value for c in at.caption)
    assert at.metric[0].value == "2 of 9"
    at.radio(key="overlap_match").set_value("top_level").run()
    assert not at.exception


def test_page_with_filters_matching_nothing_says_so(app_data: Path) -> None:
    at = overlap_page()
    at.session_state["flt_members"] = ["NZL"]  # a member with no actions
    at.run()
    assert not at.exception, at.exception
    assert any("Nothing matches the current filters" in i.value for i in at.info)
    assert not at.get("plotly_chart")


def test_duplication_flags_on_a_single_framework_view_raise_no_warning() -> None:
    # pandas warns (an error here) when a float column full of NaN is filled with False;
    # a view with actions under one framework only used to take that path.
    from loaders.dataset import load_dataset
    from tracker.views.filters import Filters, apply_filters

    data = load_dataset(Path(__file__).resolve().parent.parent / "data" / "sample")
    view = apply_filters(data, Filters(areas=("ASC-1",)))
    result = overlap.duplication_and_complement(view)
    assert (result["n_bwp_only"] == 0).all()


# --- scale: the pair list is bounded, the flags are computed without it --------------------------


@pytest.mark.parametrize("match", ["top_level", "linked"])
def test_flags_and_pair_bound_agree_with_the_listed_pairs(view: View, match) -> None:
    pairs = overlap.possible_duplicates(view, match)
    flagged = overlap.duplication_and_complement(view, match)
    by_pairs = pairs.groupby("link_no")["member"].nunique()
    links = overlap._framework_links(view.catalog)
    expected = links["link_no"].map(by_pairs).fillna(0).astype("int64")
    shown = flagged.merge(
        links[["row_id", "col_id", "link_no"]], left_on=["asc_id", "bwp_id"], right_on=["row_id", "col_id"]
    )
    assert dict(zip(shown["link_no"], shown["n_flagged"], strict=True)) == dict(
        zip(links["link_no"], expected, strict=True)
    )
    assert overlap.possible_duplicate_bound(view, match) >= len(pairs) > 0


def test_page_asks_to_narrow_the_filters_instead_of_listing_too_many_pairs(
    app_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(overlap, "PAIR_LIST_LIMIT", 0)
    at = overlap_page()
    assert not at.exception, at.exception
    assert any("Too many action pairs to list here" in i.value for i in at.info)

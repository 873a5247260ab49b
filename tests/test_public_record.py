"""The public-record data set (``data/public/``): sourced, honest, and labelled as such everywhere it is shown.

Two halves: the bundled files themselves (valid, every action sourced, no status claimed beyond what its note
allows) and the label that says "public record, not member reporting" on every surface that shows records:
CSV and workbook exports, the briefing pack, the static site, the data package, the CLI and the app's pages.
The label tests use a small hand-built data set, so they hold whatever the bundled files contain.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import re
from pathlib import Path

import openpyxl
import pytest
import yaml

from loaders.catalog import load_catalog
from loaders.dataset import load_dataset
from loaders.tables import read_member_bytes
from tests.builders import action, dataset_of
from tracker.cli import EXIT_OK, main
from tracker.documents.brief import brief_html, build_brief
from tracker.documents.datapackage import write_datapackage
from tracker.documents.exports import all_data_csv, view_workbook
from tracker.documents.site import publish_site
from tracker.documents.template import template_from_dataset
from tracker.settings import PROJECT_ROOT
from tracker.views.filters import Filters, apply_filters

PUBLIC = PROJECT_ROOT / "data" / "public"
DOC = PROJECT_ROOT / "docs" / "public-record.md"
READ_ON = dt.date(2026, 11, 30)
TODAY = dt.date(2026, 11, 30)
LABEL = "PUBLIC RECORD - compiled from public sources read on 2026-11-30; not reported by members"
SENTENCE = (
    "Public record: these actions were compiled from public sources read on 30 November 2026; they were not "
    "reported by members. The evidence of each action is the page it comes from."
)
CAUTIOUS = {"not_started", "limited"}  # what an action may claim when its status is inferred, not stated


def public_files() -> list[Path]:
    return sorted(PUBLIC.glob("*.yaml"))


def documents() -> list[tuple[Path, dict]]:
    return [(path, yaml.safe_load(path.read_text(encoding="utf-8"))) for path in public_files()]


def all_actions() -> list[dict]:
    return [entry for _, document in documents() for entry in document["actions"]]


# --- the bundled data set ----------------------------------------------------------------------------------


def test_the_public_record_validates_with_no_error_or_warning(capsys) -> None:
    code = main(["validate", str(PUBLIC), "--json"])

    report = json.loads(capsys.readouterr().out)
    assert code == EXIT_OK and report["ok"] is True
    assert report["issues"] == []


def test_validate_says_the_files_are_the_public_record(capsys) -> None:
    assert main(["validate", str(PUBLIC)]) == EXIT_OK

    out = capsys.readouterr().out
    assert out.splitlines()[-1] == (
        "note: the data is the public record compiled from public sources (not reported by members); the app, "
        "packs and exports say so."
    )


def test_every_file_declares_itself_the_public_record_and_never_illustrative() -> None:
    assert len(public_files()) >= 5
    for path, document in documents():
        head = path.read_text(encoding="utf-8").splitlines()[0]
        assert head.startswith("# PUBLIC RECORD"), path.name
        assert document["public_record"] == READ_ON, path.name
        assert "illustrative" not in document, path.name
        assert document["member"] == path.stem


def test_every_action_has_a_web_source_a_date_and_an_honest_status() -> None:
    actions = all_actions()
    assert len(actions) >= 25
    for entry in actions:
        where = entry["action_id"]
        assert re.fullmatch(r"https?://\S+", entry["evidence"]), where
        assert "example.org" not in entry["evidence"], where
        assert isinstance(entry["last_updated"], dt.date) and entry["last_updated"] <= READ_ON, where
        notes = entry.get("notes") or ""
        assert "Commitment link" in notes, where  # says whether the link is the source's or our reading
        if "Status inferred" in notes:
            assert entry["status"] in CAUTIOUS, where
        assert entry["status"] != "substantial" or "Status inferred" not in notes, where


def test_the_data_set_loads_as_the_public_record_on_both_frameworks(catalog) -> None:
    dataset = load_dataset(PUBLIC, catalog, today=TODAY)

    assert dataset.public_record == READ_ON and not dataset.illustrative
    assert dataset.errors == []
    frameworks = set(dataset.action_commitments["framework"])
    assert frameworks == {"ASC", "BWP"}


def test_the_document_lists_every_action_and_names_each_area_without_one(catalog) -> None:
    text = DOC.read_text(encoding="utf-8")
    for entry in all_actions():
        assert entry["action_id"] in text
    covered = set(load_dataset(PUBLIC, catalog, today=TODAY).action_commitments["top_level"])
    top_levels = {c.id for c in catalog.commitments.values() if c.parent is None}
    for missing in sorted(top_levels - covered):
        assert missing in text, f"{missing} has no action: docs/public-record.md must say so"
    assert "spot-check" in text.lower()


# --- the label, on every surface ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def public(catalog):
    """Two actions marked as compiled from the public record."""
    rows = [action("IDN", 1, "ASC-1", "complete"), action("AUS", 1, "BWP-A", "limited")]
    return dataclasses.replace(dataset_of(catalog, rows), public_record=READ_ON)


def test_the_csv_labels_every_row(public) -> None:
    text = all_data_csv(public, can_see_confidential=False).decode("utf-8-sig")

    lines = text.splitlines()
    assert lines[0].startswith("data_note,")
    assert [line.startswith(f"{LABEL},") for line in lines[1:]] == [True, True]


def test_the_workbook_says_so_on_its_about_sheet_and_every_table(public) -> None:
    view = apply_filters(public, Filters(), can_see_confidential=False)
    book = openpyxl.load_workbook(
        io.BytesIO(view_workbook(view, Filters(), data_as_of=TODAY, today=TODAY, confidential_included=False))
    )

    about = {row[0]: row[1] for row in book["About"].iter_rows(values_only=True) if row[0]}
    assert about["Data"] == LABEL
    tables = [name for name in book.sheetnames if name != "About"]
    assert tables and all(LABEL in str(book[name]["A1"].value) for name in tables)


def test_the_briefing_pack_labels_its_cover_and_every_page(public) -> None:
    html = brief_html(build_brief(public, Filters(), user_can_see_confidential=False, since=None, today=TODAY))

    assert f'<div class="label-public-record" id="public-record-label">{SENTENCE}</div>' in html
    assert "(public record)</title>" in html
    assert "PUBLIC RECORD compiled from public sources read on 30 November 2026, not reported by members" in html
    assert 'id="illustrative-label"' not in html
    assert "Statuses are what the public sources report" in html
    assert "members&#39; own reports, not ratings" not in html and "member&#39;s own reports" not in html


def test_members_own_reporting_carries_no_label(catalog) -> None:
    own = dataset_of(catalog, [action("IDN", 1, "ASC-1", "complete"), action("AUS", 1, "BWP-A", "limited")])

    html = brief_html(build_brief(own, Filters(), user_can_see_confidential=False, since=None, today=TODAY))
    csv = all_data_csv(own, can_see_confidential=False).decode("utf-8-sig")

    assert "public record" not in html.lower() and "public-record-label" not in html
    assert not csv.startswith("data_note")


def test_every_page_of_the_site_says_so(public, tmp_path: Path) -> None:
    files = publish_site(public, tmp_path, today=TODAY)

    pages = [name for name in files if name.endswith(".html")]
    assert len(pages) > 10
    for name in pages:
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert text.count(SENTENCE) == 2, name  # the banner under the title and the footer
        assert "(public record)</title>" in text, name


def test_the_data_package_declares_it(public, tmp_path: Path) -> None:
    descriptor = json.loads(write_datapackage(public, tmp_path, today=TODAY, snapshots=[]).read_text("utf-8"))

    assert descriptor["public_record"] == "2026-11-30"
    assert SENTENCE in descriptor["description"]
    actions = (tmp_path / "actions.csv").read_text(encoding="utf-8-sig").splitlines()
    assert actions[0].startswith("data_note,") and actions[1].startswith(f"{LABEL},")


def test_the_cli_notes_it(capsys, tmp_path: Path) -> None:
    code = main(["export", "--data-dir", str(PUBLIC), "--out", str(tmp_path / "all.csv")])

    assert code == EXIT_OK
    out = capsys.readouterr().out
    assert "note: the data is the public record compiled from public sources (not reported by members)" in out
    assert (tmp_path / "all.csv").read_text(encoding="utf-8-sig").startswith("data_note,")


# --- the app, opened on the public record ------------------------------------------------------------------

APP_PAGES = [
    "app_pages/overview.py",
    "app_pages/progress.py",
    "app_pages/gaps.py",
    "app_pages/overlap.py",
    "app_pages/themes.py",
    "app_pages/compare.py",
    "app_pages/member.py",
    "app_pages/method.py",
    "app_pages/submit.py",
    "app_pages/exports.py",
]


@pytest.mark.parametrize("app_page", APP_PAGES)
def test_every_page_opened_on_the_public_record_says_so(app_page, monkeypatch) -> None:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("TRACKER_DATA_DIR", str(PUBLIC))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    at.switch_page(app_page).run()

    assert not at.exception, at.exception
    assert [i.value for i in at.info if i.value == SENTENCE] == [SENTENCE]
    assert not any("Illustrative sample data" in w.value for w in at.warning)
    texts = [str(element.value) for kind in ("caption", "markdown") for element in at.get(kind)]
    scale_note = load_dataset(PUBLIC, load_catalog(), today=TODAY).catalog.scale.note  # the catalog's own words
    assert not [
        text for text in texts if "own reports" in text and "not members' own" not in text and text != scale_note
    ]


def test_a_data_set_partly_public_says_which_part(catalog) -> None:
    rows = [action("IDN", 1, "ASC-1", "complete"), action("AUS", 1, "BWP-A", "limited")]
    mixed = dataclasses.replace(dataset_of(catalog, rows), public_record=READ_ON)
    mixed = dataclasses.replace(mixed, files=mixed.files.assign(public_record=[True, False][: len(mixed.files)]))
    assert len(mixed.files) == 2  # one file per member in the builder

    html = brief_html(build_brief(mixed, Filters(), user_can_see_confidential=False, since=None, today=TODAY))
    csv = all_data_csv(mixed, can_see_confidential=False).decode("utf-8-sig")

    assert (
        "Public record: the actions in 1 of 2 member files were compiled from public sources read on 30 November "
        "2026; they were not reported by members. The evidence of each action is the page it comes from. The other "
        "files are members&#39; own reporting." in html
    )
    assert csv.splitlines()[1].startswith(
        "PUBLIC RECORD (1 of 2 member files; the others are member reporting) - compiled from public sources read "
        "on 2026-11-30; not reported by members,"
    )


def test_a_template_prefilled_from_the_public_record_asks_the_member_to_check_it(catalog) -> None:
    dataset = load_dataset(PUBLIC, catalog, today=TODAY)
    book = openpyxl.load_workbook(io.BytesIO(template_from_dataset(dataset, "PHL", today=TODAY)))
    own = dataset_of(catalog, [action("PHL", 1, "ASC-1", "limited")])
    plain = openpyxl.load_workbook(io.BytesIO(template_from_dataset(own, "PHL", today=TODAY)))

    lines = [row[0] for row in book["Instructions"].iter_rows(values_only=True) if row[0]]
    assert lines[1] == (
        "The rows below come from the PUBLIC RECORD: compiled from public web pages read on 30 November 2026, not "
        "reported by Philippines. Check each row against the page in its Evidence column, correct or complete it, "
        "then upload the file: once applied, it is your own report."
    )
    assert not any("PUBLIC RECORD" in str(row[0]) for row in plain["Instructions"].iter_rows(values_only=True))
    # The rows round-trip as the member's own: nothing in the workbook marks an upload as the public record.
    uploaded = read_member_bytes("PHL.xlsx", template_from_dataset(dataset, "PHL", today=TODAY))
    assert uploaded.public_record is None and not uploaded.illustrative and len(uploaded.rows) == 4

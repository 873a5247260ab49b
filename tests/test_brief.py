"""The briefing pack: numbers equal the dashboard's, snapshot moves are right, the file stands alone.

The headline numbers are checked against what the Overview page shows in
AppTest for the same URL query; the "moved" counts against a snapshot fixture
with known changes; the HTML for being self-contained, labelled and free of
confidential titles; the PDF (when Chromium exists) for being a real PDF that
holds the numbers.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from html import unescape
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from loaders.dataset import load_dataset
from tests import counted
from tests.builders import action, dataset_of, require_program
from tests.make_fixtures import TODAY
from tracker import settings
from tracker.access import Role, User
from tracker.cli import EXIT_MISUSE, EXIT_OK, main
from tracker.documents.brief import PROFILE_LIMIT, PdfExportError, brief_html, brief_pdf, build_brief
from tracker.records.snapshots import Snapshots
from tracker.views.filters import Filters
from tracker.views.progress import movement_since
from tracker.views.provenance import ILLUSTRATIVE_NOTE

ROOT = Path(__file__).resolve().parent.parent
ENTRY = str(ROOT / "dashboard.py")
REVIEWER = User("r@example.org", "Rita", Role.REVIEWER)
SECRET = "Joint operation Zulu with a named informant network"
MEETING = "19th AHG SOM, Dec 2025"
EVALUATIVE = re.compile(
    r"\b(best|worst|good|poor|better|worse|leading|lagging|laggard|excellent|weak|strong|only|unfortunately|"
    r"disappointing|impressive|top|bottom|rank(ed|ing)?)\b",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def sample():
    return load_dataset(settings.SAMPLE_DATA_DIR)


def narrative(html: str) -> list[str]:
    """The text of the generated sentences (paragraphs of class "narrative"), tags removed."""
    paragraphs = re.findall(r'<p class="narrative">(.*?)</p>', html, flags=re.DOTALL)
    return [unescape(" ".join(re.sub(r"<[^>]+>", " ", p).split())) for p in paragraphs]


# --- the numbers equal the dashboard's ---------------------------------------------------------


def test_pack_numbers_equal_the_overview_for_the_same_filters(sample, fresh_caches):
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.query_params.update({"framework": "BWP", "group": "asean"})
    at.run()
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    assert shown["Members reporting"].endswith("of 11")  # the query really filtered the page

    brief = build_brief(
        sample,
        Filters(framework="BWP", group="asean"),
        user_can_see_confidential=False,
        since=None,
        today=TODAY,
    )
    packed = {f.label: f.value for f in brief.key_figures}
    assert packed == shown
    tiles = re.findall(r'<div class="label">(.*?)</div><div class="value">(.*?)</div>', brief_html(brief))
    assert dict(tiles[:4]) == shown  # and the pack prints them as they are


def test_member_profile_numbers_equal_the_member_page(sample, fresh_caches):
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.query_params.update({"framework": "BWP", "m": "THA"})
    at.run()
    at.switch_page("app_pages/member.py").run()
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}

    brief = build_brief(
        sample,
        Filters(framework="BWP", members=("THA",)),
        user_can_see_confidential=False,
        since=None,
        today=TODAY,
    )
    (profile,) = brief.profiles
    assert {f.label: f.value for f in profile.key_figures}.items() <= shown.items()
    assert len(profile.key_figures) == 4


def test_pack_prints_the_hand_counted_key_figures_and_profile(catalog):
    """The pack against tests/counted.py (counted by hand), not only against the page that shares its code."""
    brief = build_brief(
        dataset_of(catalog, counted.ROWS), counted.FILTERS, user_can_see_confidential=False, since=None, today=TODAY
    )
    assert {f.label: f.value for f in brief.key_figures} == counted.KEY_FIGURES
    html = brief_html(brief)
    tiles = re.findall(r'<div class="label">(.*?)</div><div class="value">(.*?)</div>', html)
    assert dict(tiles[:4]) == counted.KEY_FIGURES
    for note in counted.KEY_FIGURE_NOTES.values():
        assert note in html
    indonesia = next(p for p in brief.profiles if p.member == "IDN")
    assert {f.label: f.value for f in indonesia.key_figures} == counted.IDN_PROFILE
    # Overdue and "not started" per area: IDN-002 (ASC-1 and BWP-B) and THA-001 (BWP-B).
    stuck = brief.stuck_by_area.set_index("area")[["overdue", "not started"]]
    assert stuck.to_dict("index") == {
        "ASC-1": {"overdue": 1, "not started": 0},
        "ASC-6": {"overdue": 0, "not started": 0},
        "BWP-B": {"overdue": 1, "not started": 1},
    }


# --- what moved since a snapshot ---------------------------------------------------------------


@pytest.fixture
def moved(catalog, tmp_path):
    """A snapshot of five actions, then today's records with known changes, and the pack since it."""
    long_ago = dt.date(2025, 1, 15)
    before = dataset_of(
        catalog,
        [
            action("IDN", 1, "ASC-1", "limited", last_updated=long_ago),  # → complete: up
            action("IDN", 2, "ASC-6.2", "not_started", last_updated=long_ago),  # → limited: up
            action("IDN", 3, "ASC-6", "substantial", last_updated=long_ago),  # → discontinued: down
            action("THA", 1, "BWP-B", "limited", last_updated=long_ago),  # removed
            action("THA", 2, "BWP-C", "limited", last_updated=long_ago, due_date=None),  # unchanged
            action("THA", 3, "BWP-C.1", "limited", last_updated=long_ago),  # unchanged, becomes overdue
        ],
    )
    info = Snapshots(tmp_path).take(before, MEETING, REVIEWER)
    taken = dt.date.fromisoformat(info.taken_at[:10])
    today = taken + dt.timedelta(days=90)
    after = dataset_of(
        catalog,
        [
            action("IDN", 1, "ASC-1", "complete", last_updated=taken),
            action("IDN", 2, "ASC-6.2", "limited", last_updated=taken),
            action("IDN", 3, "ASC-6", "discontinued", last_updated=taken),
            action("IDN", 4, "ASC-2", "not_started", last_updated=taken),  # new
            action("THA", 2, "BWP-C", "limited", last_updated=taken),
            action("THA", 3, "BWP-C.1", "limited", last_updated=taken, due_date=taken + dt.timedelta(days=30)),
        ],
        today=today,
    )
    snapshot = Snapshots(tmp_path).load(MEETING)
    return build_brief(after, Filters(), user_can_see_confidential=False, since=snapshot, today=today)


def test_moved_counts_match_the_known_changes(moved):
    since = moved.since_snapshot
    assert since is not None and since.name == MEETING
    counts = {kind: since.count(kind) for kind in ("new", "status up", "status down", "unchanged", "removed")}
    assert counts == {"new": 1, "status up": 2, "status down": 1, "unchanged": 2, "removed": 1}
    assert since.newly_overdue["action_id"].tolist() == ["THA-003"]

    by_member = since.by_member.set_index("member")
    assert by_member.loc["IDN", ["new", "status up", "status down"]].tolist() == [1, 2, 1]
    assert by_member.loc["THA", ["removed", "unchanged", "newly overdue"]].tolist() == [1, 2, 1]
    assert since.by_member["name"].tolist() == ["Indonesia", "Thailand"]  # A–Z
    by_area = since.by_area.set_index("area")
    assert by_area.loc["ASC-6", "status up"] == 1 and by_area.loc["ASC-6", "status down"] == 1  # ASC-6.2 rolls up
    assert by_area.loc["BWP-B", "removed"] == 1


def test_moved_narrative_states_the_counts(moved):
    text = " ".join(narrative(brief_html(moved)))
    assert f"2 actions moved up the scale since {MEETING}; 1 moved down." in text
    assert "1 action was added and 1 action was removed; 2 actions kept the same status." in text
    assert "1 action became overdue in the period." in text


def test_without_a_snapshot_the_pack_reports_the_last_six_months(sample):
    today = dt.date(2026, 11, 28)
    brief = build_brief(sample, Filters(members=("IDN",)), user_can_see_confidential=False, since=None, today=today)
    expected = movement_since(brief.view, today - dt.timedelta(days=182)).counts()
    assert brief.since_date is not None and brief.since_snapshot is None
    got = {"updated": len(brief.since_date.updated), "new": len(brief.since_date.new)}
    assert got == {k: expected[k] for k in got}
    assert "What moved in the last six months" in brief_html(brief)


# --- the file: self-contained, labelled, neutral, confidential-safe ----------------------------


@pytest.fixture(scope="module")
def sample_html(sample):
    today = dt.date(2026, 11, 28)
    return brief_html(build_brief(sample, Filters(), user_can_see_confidential=False, since=None, today=today))


def test_html_is_self_contained(sample_html):
    assert not re.search(r"<script[^>]*\bsrc\s*=", sample_html, re.IGNORECASE)
    assert not re.search(r"<link[^>]*\bhref\s*=\s*[\"']?https?://", sample_html, re.IGNORECASE)
    assert not re.search(r"@import", sample_html)
    assert sample_html.count("plotly.js v") == 1  # the bundle is inlined once
    assert sample_html.count('class="plotly-graph-div"') >= 3
    assert '"staticPlot": true' in sample_html
    assert "size: A4" in sample_html and "break-inside: avoid" in sample_html


def test_sample_data_carries_the_illustrative_label(sample_html, catalog):
    assert 'id="illustrative-label"' in sample_html
    assert ILLUSTRATIVE_NOTE in sample_html
    # Both frameworks: overlap.duplication_and_complement warns on a view with actions under one only.
    real = dataset_of(catalog, [action("IDN", 1, "ASC-1", "limited"), action("IDN", 2, "BWP-A", "limited")])
    html = brief_html(
        build_brief(real, Filters(), user_can_see_confidential=False, since=None, today=dt.date(2026, 11, 28))
    )
    assert "illustrative sample" not in html.lower() and 'id="illustrative-label"' not in html


def test_narrative_is_neutral_and_members_are_alphabetical(sample, sample_html):
    sentences = narrative(sample_html)
    assert len(sentences) >= 6
    assert not [s for s in sentences if EVALUATIVE.search(s)]
    brief = build_brief(sample, Filters(), user_can_see_confidential=False, since=None, today=dt.date(2026, 11, 28))
    names = brief.members["name"].tolist()
    assert names == sorted(names) and len(names) == 49
    assert "Statuses are the members' own reports" in unescape(sample_html)


def test_profiles_for_small_scopes_and_a_member_table_otherwise(sample):
    today = dt.date(2026, 11, 28)
    small = build_brief(sample, Filters(group="asean"), user_can_see_confidential=False, since=None, today=today)
    assert len(small.view.member_ids) <= PROFILE_LIMIT
    names = [p.name for p in small.profiles]
    assert len(names) == len(small.view.member_ids) and names == sorted(names)
    assert brief_html(small).count('<section class="profile"') == len(names)
    large = build_brief(sample, Filters(group="other"), user_can_see_confidential=False, since=None, today=today)
    assert large.profiles == [] and len(large.members) == len(large.view.member_ids) > PROFILE_LIMIT


@pytest.fixture(scope="module")
def with_secret(catalog):
    overdue = {"due_date": dt.date(2025, 6, 30)}  # overdue actions are listed by title in the pack
    return dataset_of(
        catalog,
        [
            action("IDN", 1, "ASC-1", "limited", title="Border liaison offices", **overdue),
            action("IDN", 2, "ASC-6", "limited", title=SECRET, confidential="yes", **overdue),
            action("THA", 1, "BWP-B", "limited", title="<script>alert(1)</script>", **overdue),
        ],
    )


def test_confidential_titles_only_in_packs_for_roles_that_may_see_them(with_secret):
    today = dt.date(2026, 11, 28)
    without = brief_html(build_brief(with_secret, Filters(), user_can_see_confidential=False, since=None, today=today))
    assert "Border liaison offices" in without  # overdue titles are listed…
    assert SECRET not in without  # …but not the confidential one
    with_it = brief_html(build_brief(with_secret, Filters(), user_can_see_confidential=True, since=None, today=today))
    assert SECRET in with_it
    assert "INCLUDES CONFIDENTIAL ACTIONS" in with_it and "INCLUDES CONFIDENTIAL ACTIONS" not in without


def test_text_from_the_records_is_escaped(with_secret):
    html = brief_html(
        build_brief(with_secret, Filters(), user_can_see_confidential=False, since=None, today=dt.date(2026, 11, 28))
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html


# --- the PDF -----------------------------------------------------------------------------------


def test_pdf_is_a_pdf_with_the_headline_numbers(sample, tmp_path):
    brief = build_brief(
        sample,
        Filters(framework="BWP", group="asean"),
        user_can_see_confidential=False,
        since=None,
        today=dt.date(2026, 11, 28),
    )
    out = brief_pdf(brief_html(brief), tmp_path / "pack.pdf")
    assert out.read_bytes()[:4] == b"%PDF"
    text = subprocess.run(
        [require_program("pdftotext"), "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    for figure in brief.key_figures:
        assert figure.value in text, figure
    assert "ILLUSTRATIVE SAMPLE DATA" in text


def test_pdf_without_chromium_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("CHROMIUM_PATH", str(tmp_path / "missing"))
    with pytest.raises(PdfExportError, match="CHROMIUM_PATH"):
        brief_pdf("<html></html>", tmp_path / "pack.pdf")
    assert not (tmp_path / "pack.pdf").exists()


# --- the brief command -------------------------------------------------------------------------


def test_cli_brief_writes_html(sample_copy_dir, tmp_path):
    out = tmp_path / "pack.html"
    assert main(["brief", "--out", str(out), "--member", "THA", "--data-dir", str(sample_copy_dir)]) == EXIT_OK
    html = out.read_text(encoding="utf-8")
    assert "Member profile: Thailand (THA)" in html and "Member profile: Indonesia" not in html
    assert "Confidential actions are not included." in html


def test_cli_brief_since_a_snapshot(sample_copy_dir, tmp_path):
    Snapshots(sample_copy_dir).take(load_dataset(sample_copy_dir), MEETING, REVIEWER)
    out = tmp_path / "pack.html"
    assert main(["brief", "--out", str(out), "--since", MEETING, "--data-dir", str(sample_copy_dir)]) == EXIT_OK
    assert f"What moved since {MEETING}" in out.read_text(encoding="utf-8")


def test_cli_brief_writes_pdf(sample_copy_dir, tmp_path):
    out = tmp_path / "pack.pdf"
    assert main(["brief", "--out", str(out), "--framework", "asc", "--data-dir", str(sample_copy_dir)]) == EXIT_OK
    assert out.read_bytes()[:4] == b"%PDF"


@pytest.mark.parametrize(
    "args",
    [
        ["--out", "pack.docx"],
        ["--out", "pack.html", "--member", "XXX"],
        ["--out", "pack.html", "--framework", "SDG"],
        ["--out", "pack.html", "--since", "no such meeting"],
    ],
)
def test_cli_brief_misuse_exits_2_and_writes_nothing(sample_copy_dir, tmp_path, monkeypatch, capsys, args):
    monkeypatch.chdir(tmp_path)
    assert main(["brief", *args, "--data-dir", str(sample_copy_dir)]) == EXIT_MISUSE
    assert "error:" in capsys.readouterr().err
    assert not list(tmp_path.glob("pack.*"))


def test_cli_brief_help_says_confidential_actions_are_left_out(capsys):
    with pytest.raises(SystemExit):
        main(["brief", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--include-confidential" in text and "confidential actions are left out" in text


# --- a theme filter adds a section per theme ---------------------------------------------------------------------


def test_a_theme_filter_adds_its_section_with_hand_counted_figures(catalog):
    rows = [
        action("IDN", 1, "ASC-6", "limited"),  # ASC-6 carries victim-centred protection
        action("THA", 1, "ASC-6.2", "limited"),  # …and its item ASC-6.2, through it
        action("THA", 2, "ASC-6.2", "complete"),
        action("AUS", 1, "ASC-5", "limited"),  # ASC-5 carries no theme
    ]
    dataset = dataset_of(catalog, rows)
    html = brief_html(
        build_brief(
            dataset,
            Filters(themes=("victim-centred-protection",)),
            user_can_see_confidential=False,
            since=None,
            today=TODAY,
        )
    )
    section = re.search(r'<section id="themes">(.*?)</section>', html, re.S)
    assert section is not None
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", section.group(1))).split())
    assert "Victim-centred protection" in text
    assert (
        "3 actions in scope serve this theme, reported by 2 members; 47 members in scope have no action on it." in text
    )
    assert "ASC-6.2" in text and "through ASC-6" in text
    assert "Australia" in text  # among those with no action on it
    plain = brief_html(build_brief(dataset, Filters(), user_can_see_confidential=False, since=None, today=TODAY))
    assert 'id="themes"' not in plain

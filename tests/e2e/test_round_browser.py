"""The Reporting round page in a real browser, and a focal point's "nothing changed" on the Submit page.

(a) Local editing (admin): a round open for THA, IDN and AUS, with THA's submission waiting for review and IDN's
    "no change" on record. The page shows each member's state, links to THA's submission on the Review page
    (preselected among two), and closes the round; then the past rounds are charted. axe on both states.
(b) OIDC login (mock provider) as THA's focal point: the Submit page shows the round, and one click records
    "nothing changed" in the round's log.

Each test runs its own ``streamlit run`` on a temporary copy of part of the sample data.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Page, expect

from benchmarks.server import free_port
from loaders.catalog import load_catalog
from tracker.access import Role, User
from tracker.records.rounds import Rounds
from tracker.records.store import Store
from tracker.records.submissions import Submission, Submissions

from .axe import assert_no_serious_violations
from .conftest import ROOT, BrowserWatch, streamlit_server
from .test_browser import go_to, metric, open_app, sidebar, wait_for_app
from .test_roundtrip import (
    FOCAL_POINT,
    forget_idp_stylesheet,
    grid_rows,
    oidc_provider,
    serve_idp_stylesheet_locally,
    settle,
)

pytestmark = pytest.mark.e2e

NAME = "Update for the 20th AHG SOM"
IN_SCOPE = ["THA", "IDN", "AUS"]
REVIEWER = User("rev@example.org", "Rita Rev", Role.REVIEWER)
THA_FP = User(FOCAL_POINT["email"], FOCAL_POINT["name"], Role.FOCAL_POINT, "THA")
FJI_FP = User("fp.fji@example.org", "Fi Fji", Role.FOCAL_POINT, "FJI")
CLOSE_LABEL = "Closing freezes a snapshot of every record under the round's name; it cannot be undone."


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """THA, IDN, AUS (in the round) and FJI (outside it), a focal point for THA, and a round open for the three."""
    directory = tmp_path / "data"
    directory.mkdir()
    for name in ("THA.yaml", "IDN.xlsx", "AUS.xlsx", "FJI.yaml"):
        shutil.copy(ROOT / "data" / "sample" / name, directory / name)
    (directory / "_roles.yaml").write_text(
        f"users:\n  - email: {FOCAL_POINT['email']}\n    role: focal_point\n    member: THA\n", encoding="utf-8"
    )
    catalog = load_catalog()
    Rounds(directory).open(
        NAME,
        opens=dt.date(2026, 11, 1),
        closes=dt.date(2026, 12, 20),
        by=REVIEWER,
        known_members=catalog.members,
        known_frameworks=catalog.frameworks,
        members=IN_SCOPE,
        instructions="Update the status of every Adelaide Strategy action.",
    )
    return directory


def changed(data_dir: Path, member: str, action_id: str) -> bytes:
    """The member's YAML records with one action raised from limited to substantial, as an upload."""
    document = yaml.safe_load((data_dir / f"{member}.yaml").read_text(encoding="utf-8"))
    (row,) = [a for a in document["actions"] if a["action_id"] == action_id]
    assert row["status"] == "limited"
    row["status"] = "substantial"
    return yaml.safe_dump(document, sort_keys=False).encode()


def submit(data_dir: Path, member: str, action_id: str, user: User) -> Submission:
    _, submission = Submissions(Store(data_dir, load_catalog())).submit(
        f"{member}.yaml", changed(data_dir, member, action_id), user
    )
    assert submission is not None and submission.state == "pending"
    return submission


def save_tall_screenshot(page: Page, path: Path) -> None:
    """The whole page as a PNG: Streamlit scrolls inside stMain, so grow the viewport to its height (tech-notes §3)."""
    original = page.viewport_size or {"width": 1400, "height": 900}
    height = 0
    for _ in range(3):
        wanted = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
        if wanted == height:
            break
        height = max(wanted, original["height"])
        page.set_viewport_size({"width": original["width"], "height": height})
        wait_for_app(page)  # charts and grids re-lay out on resize
    page.screenshot(path=str(path))
    page.set_viewport_size(original)


# --- (a) a reviewer (local editing: admin) follows, reviews and closes the round ---------------------------------


@pytest.fixture
def local_app(page: Page, data_dir: Path, tmp_path: Path) -> Iterator[str]:
    env = {"TRACKER_DATA_DIR": str(data_dir), "TRACKER_LOCAL_EDITING": "1"}  # the server listens on 127.0.0.1 only
    with streamlit_server(tmp_path / "local.log", env=env) as url:
        yield url
        page.goto("about:blank")  # leave before the server stops, or the closed websocket logs errors


def test_reviewer_follows_reviews_and_closes_the_round(page: Page, local_app: str, data_dir: Path, tmp_path: Path):
    # FJI (outside the round) is sent first, so the Review page would open FJI's submission unless told otherwise.
    submit(data_dir, "FJI", "FJI-002", FJI_FP)
    tha = submit(data_dir, "THA", "THA-005", THA_FP)
    Rounds(data_dir).confirm_no_change("IDN", REVIEWER)
    assert [s.member for s in Submissions(Store(data_dir, load_catalog())).list("pending")] == ["FJI", "THA"]

    open_app(page, f"{local_app}/")
    expect(sidebar(page).get_by_text("Local editing mode")).to_be_visible()
    go_to(page, "Reporting round", "round")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="Reporting round", exact=True)).to_be_visible()
    expect(main.get_by_role("heading", name=NAME, exact=True)).to_be_visible()
    expect(main).to_contain_text("Open 1 Nov 2026 – 20 Dec 2026")
    expect(main).to_contain_text("3 member(s) in scope")

    expected_metrics = {
        "Answered": "1 of 3",
        "Updated": "0",
        "No change": "1",
        "Under review": "1",
        "Returned": "0",
        "Waiting": "1",
    }
    for label, value in expected_metrics.items():
        expect(metric(page, label)).to_have_text(value)

    grid = main.get_by_test_id("stDataFrame")
    expect(grid).to_have_count(1)
    expect(grid.locator("table[aria-rowcount]")).to_have_attribute("aria-rowcount", "4")  # header + 3 members
    rows = grid_rows(grid)
    header = [re.sub(r" \(.*\)$", "", column) for column in rows[0]]  # "Last contact (<time zone>)" and the like
    assert header == ["Member", "State", "Overdue", "Last contact", "Last reminder", "Sent for review"]
    assert [(r[0], r[1], r[2], bool(r[5])) for r in rows[1:]] == [
        ("Australia (AUS)", "Waiting", "", False),
        ("Indonesia (IDN)", "No change", "", False),
        ("Thailand (THA)", "Under review", "", True),
    ]
    assert rows[1][3] == "" and rows[2][3] and rows[3][3], "last contact: none for AUS, a time for IDN and THA"

    # Reminders: only AUS waits, and it has no focal point: nothing to send, so no download is offered.
    expect(main.get_by_role("heading", name="Reminders", exact=True)).to_be_visible()
    expect(main).to_contain_text("Skipped: AUS")
    expect(main).to_contain_text("No reminder to send")
    expect(main.get_by_test_id("stDownloadButton")).to_have_count(0)

    links = main.get_by_test_id("stPageLink")
    expect(links).to_have_count(1)  # only THA has a submission waiting
    review_link = links.get_by_role("link", name=re.compile(r"Review Thailand's submission$"))
    expect(review_link).to_be_visible()

    assert_no_serious_violations(page, "Reporting round (open)")
    shot = tmp_path / "round-open.png"
    save_tall_screenshot(page, shot)
    assert shot.stat().st_size > 10_000

    review_link.click()
    expect(page).to_have_url(re.compile(rf"/review\?submission={re.escape(tha.id)}$"))
    wait_for_app(page)
    expect(main.get_by_role("heading", name="Review submissions", exact=True)).to_be_visible()
    expect(main.get_by_role("heading", name="Waiting for review (2)")).to_be_visible()
    expect(main.get_by_role("combobox", name="Submission", exact=True)).to_have_value(
        re.compile(r"^THA · THA\.yaml · ")
    )
    expect(main.get_by_role("button", name=re.compile(r"^Download what was sent \(THA\.yaml"))).to_be_visible()

    go_to(page, "Reporting round", "round")
    expect(main.get_by_role("heading", name=NAME, exact=True)).to_be_visible()
    close = main.get_by_role("button", name="Close the round", exact=True)
    expect(close).to_be_disabled()
    main.get_by_test_id("stCheckbox").filter(has_text=CLOSE_LABEL).click()
    wait_for_app(page)
    expect(close).to_be_enabled()
    close.click()
    wait_for_app(page)

    expect(main.get_by_test_id("stAlert").filter(has_text=f"Closed '{NAME}' and froze a snapshot")).to_be_visible()
    expect(main).to_contain_text("No reporting round is open")
    chart = main.locator(".st-key-round_history .js-plotly-plot")
    expect(chart.locator("svg.main-svg").first).to_be_attached()
    expect(chart).to_contain_text("How members answered each round")
    expect(chart).to_contain_text(NAME)
    expect(main.get_by_text("No round has been closed yet.")).to_have_count(0)
    expect(
        main.get_by_test_id("stExpander").filter(has_text="Data table: How members answered each round")
    ).to_be_visible()

    (closed,) = Rounds(data_dir).list()
    assert closed.state == "closed" and Rounds(data_dir).current() is None
    assert closed.events[-1].kind == "closed" and closed.events[-1].by == "Local editor <local-editor>"
    assert closed.responses is not None
    assert {k: closed.responses[k] for k in ("in_scope", "answered", "no_change", "submitted", "waiting")} == {
        "in_scope": 3,
        "answered": 1,
        "no_change": 1,
        "submitted": 1,
        "waiting": 1,
    }
    assert closed.snapshot and (data_dir / "_snapshots").is_dir()

    assert_no_serious_violations(page, "Reporting round (closed, past rounds chart)")
    save_tall_screenshot(page, tmp_path / "round-closed.png")


# --- (b) THA's focal point answers "nothing changed" from the Submit page ---------------------------------------


@pytest.fixture
def login_app(page: Page, data_dir: Path, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The app with an [auth] section pointing at a mock provider that knows THA's focal point."""
    with oidc_provider(tmp_path / "idp.log", FOCAL_POINT) as issuer:
        port = free_port()
        secrets = tmp_path / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            'cookie_secret = "a-test-cookie-secret-that-is-long-enough"\n'
            'client_id = "commitments-tracker"\n'
            'client_secret = "test-client-secret"\n'
            f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n',
            encoding="utf-8",
        )
        with streamlit_server(
            tmp_path / "login.log",
            env={"TRACKER_DATA_DIR": str(data_dir)},
            args=["--secrets.files", str(secrets)],
            port=port,
        ) as url:
            yield url, issuer
            page.goto("about:blank")


def test_focal_point_confirms_nothing_changed(
    page: Page, login_app: tuple[str, str], data_dir: Path, browser_watch: BrowserWatch
):
    url, issuer = login_app
    serve_idp_stylesheet_locally(page)
    open_app(page, f"{url}/")
    settle(page)
    sidebar(page).get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{issuer}/oauth2/authorize**")  # the provider's page: no Streamlit waits here
    page.get_by_role("button", name=FOCAL_POINT["sub"], exact=True).click()
    page.wait_for_url(re.compile(rf"^{re.escape(url)}/"))
    wait_for_app(page)
    expect(sidebar(page)).to_contain_text("Focal point for THA")
    expect(page.get_by_test_id("stSidebarNav").get_by_role("link", name="Reporting round")).to_have_count(0)

    go_to(page, "Submit an update", "submit")
    main = page.get_by_test_id("stMain")
    # The bordered box: the nearest block around the round's line (Streamlit marks no border in the DOM).
    line = main.get_by_test_id("stMarkdownContainer").filter(
        has_text=f"Reporting round '{NAME}': answer by 20 December 2026 (Asia/Bangkok)."
    )
    box = line.locator("xpath=ancestor::div[@data-testid='stVerticalBlock'][1]")
    expect(box).to_have_count(1)
    expect(box).to_contain_text("Thailand: Waiting")
    expect(box).to_contain_text("Update the status of every Adelaide Strategy action.")
    button = box.get_by_role("button", name="Nothing changed since the last round", exact=True)
    assert Rounds(data_dir).current().events[-1].kind == "opened"

    button.click()
    wait_for_app(page)

    expect(
        main.get_by_test_id("stAlert").filter(has_text="Recorded: nothing changed since the last round")
    ).to_be_visible()
    expect(box).to_contain_text("Thailand: No change")
    expect(box.get_by_role("button", name="Nothing changed since the last round")).to_have_count(0)
    last = Rounds(data_dir).current().events[-1]
    assert (last.kind, last.member, last.by) == ("no_change", "THA", f"{FOCAL_POINT['name']} <{FOCAL_POINT['email']}>")
    assert [e.kind for e in Rounds(data_dir).current().events] == ["opened", "no_change"]

    settle(page)
    forget_idp_stylesheet(browser_watch)

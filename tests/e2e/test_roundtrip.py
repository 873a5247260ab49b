"""The member spreadsheet round trip in a real browser, and a real OIDC login against a local mock provider.

(a) Local editing: download THA's template, change one status with openpyxl, upload it, see exactly that change,
    apply it, and see it on the dashboard.
(b) Login: ``st.login`` against ``oidc-provider-mock`` on loopback, as THA's focal point (whose provider confirms
    the e-mail); send THA's file for review; log out. Then sign in as someone with the same address whose provider
    does not confirm it: a guest, told why.

Each test runs its own ``streamlit run`` on a temporary copy of part of the sample data, so the shared server of
``test_browser.py`` (bundled sample, read-only) is never written to.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
import yaml
from playwright.sync_api import Locator, Page, expect

from benchmarks.server import free_port, stop, wait_until_serving
from loaders.catalog import load_catalog
from tracker.records.store import Store
from tracker.records.submissions import Submissions

from .axe import assert_no_serious_violations
from .conftest import ROOT, BrowserWatch, streamlit_server
from .test_browser import metric, open_app, sidebar, wait_for_app

pytestmark = pytest.mark.e2e

MEMBER, CHANGED_ID = "THA", "THA-005"  # THA-005 is "Limited" in the sample; the tests raise it to "Substantial"
FOCAL_POINT = {"sub": "fa", "name": "Fa Tha", "email": "fp.tha@example.org", "email_verified": True}
# The same address, but the provider sends no email_verified claim (as Microsoft Entra ID never does).
UNCONFIRMED = {"sub": "unconfirmed", "name": "Not Fa", "email": "fp.tha@example.org"}
IDP_TIMEOUT_S = 30
# The mock provider's own pages (not the app's) load one stylesheet from a CDN. It is answered locally with an
# empty stylesheet, and that one request is not counted as the app reaching off this machine.
IDP_STYLESHEET = "https://cdn.jsdelivr.net/npm/@picocss/pico@2/css/pico.min.css"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "data"
    directory.mkdir()
    for name in ("THA.yaml", "IDN.xlsx", "AUS.xlsx"):
        shutil.copy(ROOT / "data" / "sample" / name, directory / name)
    return directory


def go(page: Page, url: str) -> None:
    """Open a URL as a new session, after the page left behind has loaded its fonts (see ``settle``)."""
    if page.url.startswith("http"):
        settle(page)
    open_app(page, url)


def substantial_counts(page: Page, url: str) -> tuple[int, int]:
    """THA's actions reported Substantial, as the Overview and THA's profile show them (filters from the URL)."""
    go(page, f"{url}/?member={MEMBER}&status=substantial")
    overview = int(metric(page, "Actions reported").inner_text())
    go(page, f"{url}/member?m={MEMBER}&status=substantial")
    expect(page.get_by_role("heading", name="Thailand (THA)")).to_be_visible()
    return overview, int(metric(page, "Actions reported").inner_text())


def status_on_record(data_dir: Path, action_id: str) -> str:
    document = yaml.safe_load((data_dir / f"{MEMBER}.yaml").read_text(encoding="utf-8"))
    return next(a["status"] for a in document["actions"] if a["action_id"] == action_id)


def edit_status(template: Path, out: Path, action_id: str, old: str, new: str) -> None:
    """Change one Status cell of the template, as a focal point would in Excel."""
    book = openpyxl.load_workbook(template)
    sheet = book["Actions"]
    header = next(row for row in sheet.iter_rows() if "Action ID" in [c.value for c in row])
    column = {c.value: c.column for c in header}
    (row,) = [
        r for r in range(header[0].row + 1, sheet.max_row + 1) if sheet.cell(r, column["Action ID"]).value == action_id
    ]
    cell = sheet.cell(row, column["Status"])
    assert cell.value == old
    cell.value = new
    book.save(out)


def pick(page: Page, scope: Locator, label: str, option: str, typed: str) -> None:
    """Pick an option of a long selectbox by typing part of it (the list shows only the first options)."""
    box = scope.get_by_role("combobox", name=label, exact=True)
    box.click()
    box.fill(typed)
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app(page)
    expect(box).to_have_value(option)


def upload(page: Page, path: Path) -> None:
    page.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(str(path))
    wait_for_app(page)


def grid_rows(grid: Locator) -> list[list[str]]:
    """The header and rows of a Streamlit dataframe, from the accessible table the grid keeps beside its canvas."""
    return grid.locator("table[role=grid] tr").evaluate_all(
        "rows => rows.map(r => [...r.querySelectorAll('th, td')].map(c => c.innerText.trim()))"
    )


def changes_table(page: Page) -> Locator:
    """The grid of field-by-field changes (the only table on the Submit page after a valid upload)."""
    grid = page.get_by_test_id("stMain").get_by_test_id("stDataFrame")
    expect(grid).to_have_count(1)
    return grid


# --- (a) local editing: download, edit, upload, diff, apply -----------------------------------------------------


@pytest.fixture
def local_app(page: Page, data_dir: Path, tmp_path: Path) -> Iterator[str]:
    env = {"TRACKER_DATA_DIR": str(data_dir), "TRACKER_LOCAL_EDITING": "1"}  # the server listens on 127.0.0.1 only
    with streamlit_server(tmp_path / "local.log", env=env) as url:
        yield url
        page.goto("about:blank")  # leave before the server stops, or the closed websocket logs errors


def test_template_round_trip_with_local_editing(page: Page, local_app: str, data_dir: Path, tmp_path: Path):
    before = substantial_counts(page, local_app)

    go(page, f"{local_app}/submit")
    expect(sidebar(page).get_by_text("Local editing mode")).to_be_visible()
    main = page.get_by_test_id("stMain")
    pick(page, main, "Member", "Thailand (THA)", typed="Thai")
    button = main.get_by_test_id("stDownloadButton").get_by_role("button", name=re.compile(r"^Download THA\.xlsx"))
    with page.expect_download() as info:
        button.click()
    download = info.value
    assert download.failure() is None and download.suggested_filename == "THA.xlsx"
    template = tmp_path / "downloaded.xlsx"
    download.save_as(template)
    edited = tmp_path / "upload" / "THA.xlsx"
    edited.parent.mkdir()
    edit_status(template, edited, CHANGED_ID, "Limited", "Substantial")

    upload(page, edited)

    expect(main.get_by_test_id("stAlert").filter(has_text="problem(s) to fix")).to_have_count(0)
    expect(metric(page, "Fields changed")).to_have_text("1")
    expect(metric(page, "Actions added")).to_have_text("0")
    expect(metric(page, "Actions removed")).to_have_text("0")
    grid = changes_table(page)
    expect(grid.locator("table[aria-rowcount]")).to_have_attribute("aria-rowcount", "2")  # header + one change
    assert grid_rows(grid) == [
        ["Action ID", "Column", "Was", "Becomes"],
        [CHANGED_ID, "Status", "Limited", "Substantial"],
    ]
    assert_no_serious_violations(page, "Submit an update with a diff")

    main.get_by_role("button", name="Apply now (as reviewer)").click()
    wait_for_app(page)

    expect(
        main.get_by_test_id("stAlert").filter(has_text="Applied: 0 added, 0 removed, 1 field(s) changed")
    ).to_be_visible()
    assert status_on_record(data_dir, CHANGED_ID) == "substantial"
    assert substantial_counts(page, local_app) == (before[0] + 1, before[1] + 1)
    settle(page)
    log = Store(data_dir, load_catalog()).log(MEMBER)
    assert log[["by", "kind", "action_id", "field", "old", "new"]].values.tolist() == [
        ["Local editor <local-editor>", "changed", CHANGED_ID, "status", "limited", "substantial"]
    ]


# --- (b) OIDC login against a mock provider ---------------------------------------------------------------------


@contextlib.contextmanager
def oidc_provider(log_path: Path, *users: dict[str, object]) -> Iterator[str]:
    """Run ``oidc-provider-mock`` on a free loopback port with predefined users (claims); yield its issuer URL."""
    port = free_port()
    command = [str(Path(sys.executable).with_name("oidc-provider-mock")), "--host", "127.0.0.1", "--port", str(port)]
    for claims in users:
        command += ["--user-claims", json.dumps(claims)]
    issuer = f"http://127.0.0.1:{port}"
    with log_path.open("w") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            try:
                wait_until_serving(
                    f"{issuer}/.well-known/openid-configuration",
                    server,
                    time.perf_counter() + IDP_TIMEOUT_S,
                    lambda body: json.loads(body).get("issuer") == issuer,
                )
            except RuntimeError:
                pytest.fail(f"oidc-provider-mock did not start (exit {server.poll()}):\n{log_path.read_text()}")
            yield issuer
        finally:
            stop(server)


@pytest.fixture
def login_app(page: Page, data_dir: Path, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The app with an [auth] section pointing at a mock provider, and a role map making FOCAL_POINT THA's."""
    (data_dir / "_roles.yaml").write_text(
        f"users:\n  - email: {FOCAL_POINT['email'].upper()}\n    role: focal_point\n    member: {MEMBER}\n",
        encoding="utf-8",
    )
    with oidc_provider(tmp_path / "idp.log", FOCAL_POINT, UNCONFIRMED) as issuer:
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
        args = ["--secrets.files", str(secrets)]
        with streamlit_server(
            tmp_path / "login.log", env={"TRACKER_DATA_DIR": str(data_dir)}, args=args, port=port
        ) as url:
            yield url, issuer
            page.goto("about:blank")


def settle(page: Page) -> None:
    """Load every font the page declares before a click leaves it for the provider.

    Streamlit fetches a font file only when text first needs it. Logging out reruns the page as a guest (whose
    caption is italic) just before the redirect, so the italic font's request can start and then be aborted by
    the navigation; this server is new to the browser, so nothing comes from its HTTP cache. Loading the fonts
    first leaves nothing to fetch at that moment.
    """
    page.evaluate("async () => { await Promise.all([...document.fonts].map((f) => f.load())); }")
    wait_for_app(page)


def serve_idp_stylesheet_locally(page: Page) -> None:
    page.route(IDP_STYLESHEET, lambda route: route.fulfill(status=200, content_type="text/css", body=""))


def forget_idp_stylesheet(watch: BrowserWatch) -> None:
    """Drop the one request the mock provider's page makes off this machine (answered locally, see above)."""
    allowed = f"request to a non-loopback host: GET {IDP_STYLESHEET}"
    watch.problems = [p for p in watch.problems if p != allowed]


def test_login_as_a_focal_point_send_for_review_and_log_out(
    page: Page, login_app: tuple[str, str], data_dir: Path, tmp_path: Path, browser_watch: BrowserWatch
):
    url, issuer = login_app
    serve_idp_stylesheet_locally(page)
    open_app(page, f"{url}/")
    expect(sidebar(page).get_by_text("Viewing as a guest")).to_be_visible()
    expect(page.get_by_test_id("stSidebarNav").get_by_role("link", name="Review submissions")).to_have_count(0)

    settle(page)
    sidebar(page).get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{issuer}/oauth2/authorize**")  # the provider's page: no Streamlit waits here
    page.get_by_role("button", name=FOCAL_POINT["sub"], exact=True).click()
    page.wait_for_url(re.compile(rf"^{re.escape(url)}/"))
    wait_for_app(page)

    expect(sidebar(page)).to_contain_text("Signed in as Fa Tha")
    expect(sidebar(page)).to_contain_text("Focal point for THA")
    expect(page.get_by_test_id("stSidebarNav").get_by_role("link", name="Review submissions")).to_have_count(0)

    page.get_by_test_id("stSidebarNav").get_by_text("Submit an update", exact=True).click()
    wait_for_app(page)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("combobox", name="Member", exact=True)).to_have_value("Thailand (THA)")
    document = yaml.safe_load((data_dir / "THA.yaml").read_text(encoding="utf-8"))
    (row,) = [a for a in document["actions"] if a["action_id"] == CHANGED_ID]
    row["status"] = "substantial"
    upload_file = tmp_path / "upload" / "THA.yaml"
    upload_file.parent.mkdir()
    upload_file.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    records = (data_dir / "THA.yaml").read_bytes()

    upload(page, upload_file)
    expect(metric(page, "Fields changed")).to_have_text("1")
    expect(main.get_by_role("button", name="Apply now (as reviewer)")).to_have_count(0)
    main.get_by_role("button", name="Send for review").click()
    wait_for_app(page)

    expect(main.get_by_test_id("stAlert").filter(has_text="Sent for review")).to_be_visible()
    (submission,) = Submissions(Store(data_dir, load_catalog())).list()
    assert (submission.member, submission.state) == (MEMBER, "pending")
    assert submission.submitted_by == f"{FOCAL_POINT['name']} <{FOCAL_POINT['email']}>"
    assert (data_dir / "THA.yaml").read_bytes() == records, "nothing is published before review"

    settle(page)
    sidebar(page).get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{issuer}/oauth2/end_session**")
    page.get_by_role("button", name=re.compile("end session", re.IGNORECASE)).click()
    page.wait_for_url(re.compile(rf"^{re.escape(url)}/"))
    wait_for_app(page)
    expect(sidebar(page).get_by_role("button", name="Log in")).to_be_visible()
    expect(sidebar(page).get_by_text("Signed in as")).to_have_count(0)

    # The same address from a provider that does not confirm it gets no role.
    settle(page)
    sidebar(page).get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{issuer}/oauth2/authorize**")
    page.get_by_role("button", name=UNCONFIRMED["sub"], exact=True).click()
    page.wait_for_url(re.compile(rf"^{re.escape(url)}/"))
    wait_for_app(page)
    expect(sidebar(page)).to_contain_text("Your provider did not confirm your e-mail address")
    expect(sidebar(page).get_by_text("Signed in as")).to_have_count(0)
    expect(sidebar(page).get_by_role("button", name="Log out")).to_be_visible()
    expect(page.get_by_test_id("stSidebarNav").get_by_role("link", name="Review submissions")).to_have_count(0)
    settle(page)
    forget_idp_stylesheet(browser_watch)

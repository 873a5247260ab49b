"""The Submit page's diff as a guest sees it, and what the Review page offers of a submission (AppTest).

The fixtures and helpers are those of ``tests/test_upload_page.py`` (same sample data, roles and secret action).
"""
# ruff: noqa: F811 - the fixtures imported below are redefined as test parameters, as pytest means them to be

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from loaders.catalog import load_catalog
from tests.test_upload_page import (  # noqa: F401 - data_dir and media are fixtures used here
    ANONYMOUS,
    FOCAL_IDN,
    FOCAL_THA,
    REVIEWER,
    SECRET_ID,
    app,
    data_dir,
    download,
    media,
    metric,
    text_of,
    upload,
)
from tracker.records.store import Store
from tracker.records.submissions import SUBMISSIONS, Submissions

pytestmark = pytest.mark.usefixtures("fresh_caches")  # AppTest runs read the files afresh

NEVER_ID = "THA-099"  # an id THA never had


def citing(data_dir: Path, action_id: str) -> bytes:
    """What a guest can send: THA's visible records (as in a guest's template) plus a row citing ``action_id``."""
    document = yaml.safe_load((data_dir / "THA.yaml").read_text(encoding="utf-8"))
    document["actions"] = [a for a in document["actions"] if not a.get("confidential")]
    document["actions"].append(
        {
            "action_id": action_id,
            "commitments": ["BWP-A"],
            "title": "Guessing at a sealed arrangement",
            "status": "complete",
            "evidence": "https://example.org/x",
            "last_updated": "2026-11-01",
        }
    )
    return yaml.safe_dump(document, sort_keys=False).encode()


@pytest.mark.parametrize("user", [ANONYMOUS, FOCAL_IDN], ids=["anonymous", "focal-point-of-another-member"])
def test_a_guests_submit_page_is_the_same_for_a_confidential_id_and_one_never_used(data_dir, user):
    pages = {}
    for action_id in (SECRET_ID, NEVER_ID):
        at = app(user, "app_pages/submit.py")
        upload(at, "THA.yaml", citing(data_dir, action_id), "application/yaml")
        assert (metric(at, "Actions added"), metric(at, "Fields changed"), metric(at, "Actions removed")) == (
            "1",
            "0",
            "0",
        )
        pages[action_id] = text_of(at).replace(action_id, "<cited id>")

    assert pages[SECRET_ID] == pages[NEVER_ID]
    assert "<cited id>" in pages[SECRET_ID] and "Guessing at a sealed arrangement" in pages[SECRET_ID]


def test_the_focal_point_of_the_member_sees_the_confidential_action_changed(data_dir):
    at = app(FOCAL_THA, "app_pages/submit.py")

    upload(at, "THA.yaml", citing(data_dir, SECRET_ID), "application/yaml")

    assert (metric(at, "Actions added"), metric(at, "Actions removed")) == ("0", "0")
    assert int(metric(at, "Fields changed")) >= 2  # the title and the dates at least


def test_the_reviewer_downloads_the_records_sent_not_the_file(data_dir, media):
    focal = app(FOCAL_THA, "app_pages/submit.py")
    document = yaml.safe_load((data_dir / "THA.yaml").read_text(encoding="utf-8"))
    document["actions"][4]["status"] = "substantial"
    document["actions"][4]["Internal reference"] = "REF-7"  # an unknown column: kept, with a warning
    sent = yaml.safe_dump(document, sort_keys=False).encode()
    upload(focal, "THA.yaml", sent, "application/yaml")
    focal.button(key="submit_send").click().run()
    (submission,) = Submissions(Store(data_dir, load_catalog())).list()

    at = app(REVIEWER, "app_pages/review.py")
    name, mime, data = download(at, media, "review_download")

    assert (name, mime) == ("THA.yaml", "application/yaml")
    assert data == (data_dir / SUBMISSIONS / submission.id / "records.yaml").read_bytes()
    assert data != sent and yaml.safe_load(data)["actions"][4]["Internal reference"] == "REF-7"
    assert at.download_button(key="review_download").label == (
        "Download what was sent (THA.yaml: the records as read from THA.yaml)"
    )
    assert "Warnings when it was sent" in [c.value for c in at.caption]
    assert any("unknown-column" in df.value.to_csv() for df in at.dataframe)

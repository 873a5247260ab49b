"""The "what moved" section compared with a meeting snapshot, in the app (AppTest)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import streamlit as st
import yaml
from streamlit.testing.v1 import AppTest

from loaders.catalog import load_catalog
from loaders.dataset import load_dataset
from tests.test_upload_page import AUTH
from tracker.access import Role, User
from tracker.records.snapshots import Snapshots

ROOT = Path(__file__).resolve().parent.parent
ENTRY = str(ROOT / "dashboard.py")


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    directory = tmp_path / "data"
    directory.mkdir()
    shutil.copy(ROOT / "data" / "sample" / "THA.yaml", directory / "THA.yaml")
    Snapshots(directory).take(load_dataset(directory, load_catalog()), "19th AHG SOM", User("r", "R", Role.ADMIN))
    document = yaml.safe_load((directory / "THA.yaml").read_text())
    document["actions"][0]["status"] = "discontinued"  # one known move down...
    document["actions"].pop(1)  # ...and one removal
    (directory / "THA.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    monkeypatch.setenv("TRACKER_DATA_DIR", str(directory))
    st.cache_data.clear()
    st.cache_resource.clear()
    return directory


def test_progress_compares_with_a_snapshot(data_dir):
    at = AppTest.from_file(ENTRY, default_timeout=60).run()
    at.switch_page("app_pages/progress.py").run()
    basis = at.selectbox(key="progress_basis")
    assert any("19th AHG SOM" in option for option in basis.options)
    basis.select("19th-ahg-som").run()
    assert not at.exception, at.exception
    values = {m.label: m.value for m in at.metric}
    assert values["Removed"] == "1"
    first = yaml.safe_load((ROOT / "data" / "sample" / "THA.yaml").read_text())["actions"][0]["status"]
    assert values["Status down"] == ("0" if first == "discontinued" else "1")


def test_only_reviewers_see_the_snapshot_button(data_dir):
    at = AppTest.from_file(ENTRY, default_timeout=60).run()
    at.switch_page("app_pages/progress.py").run()
    assert not [b for b in at.button if b.key == "progress_snapshot_take"]


@pytest.mark.parametrize("role", ["reviewer", "admin"])
@pytest.mark.parametrize(("page", "key"), [("app_pages/progress.py", "progress"), ("app_pages/member.py", "member")])
def test_reviewers_and_admins_see_the_snapshot_button_and_it_takes_one(data_dir, role, page, key):
    (data_dir / "_roles.yaml").write_text(f"users:\n  - email: someone@example.org\n    role: {role}\n")
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email_verified": True, "name": "Some One", "email": "someone@example.org"}
    at.run().switch_page(page).run()
    assert not at.exception, at.exception

    at.text_input(key=f"{key}_snapshot_name").input("20th AHG SOM").run()
    at.button(key=f"{key}_snapshot_take").click().run()

    assert not at.exception, at.exception
    assert next(s.value for s in at.success if "Snapshot" in s.value).startswith("Snapshot '20th AHG SOM' taken:")
    assert [i.name for i in Snapshots(data_dir).list()] == ["19th AHG SOM", "20th AHG SOM"]

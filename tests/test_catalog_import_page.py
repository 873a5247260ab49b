"""The admin's import of an official matrix on the *Method and data* page, in AppTest (issue 13 §3).

Who sees the flow (admins only), what the preview shows, a refused matrix (nothing written) and an import that
rewrites the catalog and re-points actions on disk, then shows in the page's catalog history.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from loaders.catalog import load_catalog
from tests.test_catalog_import import HEADER, bohol_rows, workbook
from tests.test_upload_page import AUTH, VERIFIED
from ui.text import plain

pytestmark = pytest.mark.usefixtures("fresh_caches")  # AppTest runs read the files afresh

ROOT = Path(__file__).resolve().parent.parent
ENTRY = str(ROOT / "dashboard.py")
METHOD = "app_pages/method.py"
ROLES = """
users:
  - email: admin@example.org
    role: admin
  - email: rev@example.org
    role: reviewer
"""
ADMIN = {**VERIFIED, "name": "Ada Admin", "email": "admin@example.org"}
REVIEWER = {**VERIFIED, "name": "Rita Rev", "email": "rev@example.org"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADING = "Import an official framework matrix"


def admin_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A data directory an admin may import into and a copy of the catalog, the app pointed at both."""
    data, cat = tmp_path / "data", tmp_path / "cat"
    data.mkdir()
    for name in ("THA.yaml", "KIR.yaml", "IDN.xlsx"):
        shutil.copy(ROOT / "data" / "sample" / name, data / name)
    (data / "_roles.yaml").write_text(ROLES, encoding="utf-8")
    shutil.copytree(ROOT / "commitments", cat)
    monkeypatch.setenv("TRACKER_DATA_DIR", str(data))
    monkeypatch.setenv("TRACKER_CATALOG_DIR", str(cat))
    monkeypatch.setenv("TRACKER_TODAY", "2026-11-30")
    monkeypatch.delenv("TRACKER_LOCAL_EDITING", raising=False)
    return data, cat


@pytest.fixture
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    return admin_dirs(tmp_path, monkeypatch)


def method_page(user: dict[str, Any] | None) -> AppTest:
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = user or {"is_logged_in": False}
    at.run()
    at.switch_page(METHOD).run()
    assert not at.exception, at.exception
    return at


def matrix(catalog, *, broken: bool = False) -> bytes:
    rows = [r for r in bohol_rows(catalog) if r[0] != "BWP-A.2"]
    rows.append(["BWP-A.9", "BWP-A", "Safe migration [see](https://evil.example)", "", "p. 9"])
    if broken:
        rows.append(["BWP-A.9", "BWP-A", "Twice", "", ""])
    return workbook([HEADER, *rows])


def headers(at: AppTest) -> list[str]:
    return [h.value for h in at.header]


def test_only_an_admin_sees_the_import(dirs):
    assert HEADING not in headers(method_page(None))
    reviewer = method_page(REVIEWER)
    assert HEADING not in headers(reviewer)
    assert any(e.label == "Catalog changes (imports of official matrices)" for e in reviewer.expander)
    assert HEADING in headers(method_page(ADMIN))


def test_an_admin_previews_and_imports_a_matrix_with_a_remap(dirs):
    data, cat = dirs
    catalog = load_catalog(cat)
    at = method_page(ADMIN)
    at.file_uploader(key="import_matrix_0").set_value(("BWP-2.0.xlsx", matrix(catalog), XLSX)).run()
    assert not at.exception, at.exception
    assert any("import-removes-cited-id" in str(df.value.to_dict()) for df in at.dataframe)
    assert "Not importable as it is" in at.error[0].value
    assert not [b for b in at.button if b.key == "import_go"]
    before = (cat / "commitments.yaml").read_bytes()

    at.file_uploader(key="import_remap_0").set_value(("MAP.csv", b"old_id,new_id\nBWP-A.2,BWP-A.9\n", "text/csv")).run()

    preview = "\n".join(m.value for m in at.markdown)
    for line in ("Added: 1 (BWP-A.9)", "Remapped: BWP-A.2 → BWP-A.9", "Actions re-pointed: 4 (KIR 2, THA 2)"):
        assert f"- {plain(line)}" in preview  # matrix text is shown as text (plain), never as Markdown
    assert (cat / "commitments.yaml").read_bytes() == before  # a preview writes nothing
    at.button(key="import_go").click().run()
    assert not at.exception, at.exception

    done = plain("Imported BWP-2.0.xlsx into the BWP entries of the catalog; 4 action(s) re-pointed.")
    assert done in [s.value for s in at.success]
    new = load_catalog(cat)
    assert new.commitments["BWP-A.9"].title == "Safe migration [see](https://evil.example)"
    assert new.commitments["BWP-A.9"].official_title and "BWP-A.2" not in new.commitments
    assert "BWP-A.9" in (data / "THA.yaml").read_text(encoding="utf-8")
    assert "import_matrix_1" in [u.key for u in at.get("file_uploader")]  # the uploaders are emptied
    history = [df.value for df in at.dataframe if "catalog version" in df.value.columns]
    assert len(history) == 1 and history[0].iloc[0]["by"] == "Ada Admin <admin@example.org>"


def test_a_bad_matrix_shows_its_cells_and_changes_nothing(dirs):
    data, cat = dirs
    before = {p.name: p.read_bytes() for p in [*cat.iterdir(), *data.iterdir()] if p.is_file()}
    at = method_page(ADMIN)

    at.file_uploader(key="import_matrix_0").set_value(("BWP.xlsx", matrix(load_catalog(cat), broken=True), XLSX)).run()

    assert not at.exception, at.exception
    table = next(df.value for df in at.dataframe if "code" in df.value.columns)
    assert "matrix-duplicate-id" in set(table["code"])
    assert any(
        "BWP.xlsx, sheet Matrix, row 27, ID: 'BWP-A.9' is used twice (first in row 26)" in m for m in table["message"]
    )
    assert not any("Added:" in m.value for m in at.markdown)
    assert {p.name: p.read_bytes() for p in [*cat.iterdir(), *data.iterdir()] if p.is_file()} == before

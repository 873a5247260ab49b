"""The administrator's import of an official framework matrix, on the *Method and data* page (issue 13 §3).

The same import as ``python -m tracker catalog import``: upload the matrix (and a remap table), see what would
change and every problem cell by cell, then import. The matrix is parsed in a child process like any upload
(``loaders.untrusted``); the remap table is a small CSV read by Python's own ``csv`` module, after a size check.
"""

from __future__ import annotations

import streamlit as st

from loaders.issues import Issue, has_errors
from tracker import settings
from tracker.access import User
from tracker.records.catalog_import import read_remap
from tracker.records.catalog_journal import read_catalog_log
from tracker.records.catalog_update import import_summary
from tracker.records.store import StoreBusyError
from tracker.views.method import catalog_changes_table
from ui.cache import get_dataset, get_matrix_upload, get_store
from ui.components import show_issues
from ui.text import plain

MAX_REMAP_BYTES = 1_000_000
"""A remap table has one short row per removed id: anything larger is not one."""
MATRIX_TYPES = ["xlsx", "xls", "ods", "csv"]


def import_section(user: User) -> None:
    """The import flow: framework, matrix, remap table, preview, import. For admins only (the caller checks)."""
    st.header("Import an official framework matrix")
    st.markdown(
        "When the secretariat receives a framework's official matrix, import it here: its rows replace that "
        "framework's catalog entries (as official titles, no longer working items), and every action citing an "
        "id the matrix drops is re-pointed through the remap table, with history. Nothing changes until you "
        "press **Import**. The matrix's first sheet needs a header row with **ID, Parent, Title, Summary, "
        "Source**; the remap table is a CSV with the columns **old_id, new_id**."
    )
    if flash := st.session_state.pop("import_flash", None):
        st.success(plain(flash))
    catalog = get_dataset().catalog
    round_ = st.session_state.setdefault("import_round", 0)  # a new key empties the uploaders after an import
    frameworks = sorted(catalog.frameworks)
    # The framework still holding working items is the one waiting for its official matrix.
    waiting = [f for f in frameworks if any(c.placeholder for c in catalog.commitments_of(f))]
    framework = st.selectbox(
        "Framework the matrix replaces",
        frameworks,
        index=frameworks.index(waiting[0]) if waiting else 0,
        format_func=lambda f: f"{f}: {catalog.frameworks[f].short_name}",
        key="import_framework",
    )
    upload = st.file_uploader("Official matrix", type=MATRIX_TYPES, key=f"import_matrix_{round_}")
    remap_upload = st.file_uploader(
        "Remap table (optional)", type=["csv"], key=f"import_remap_{round_}", help="old_id,new_id: one row per id"
    )
    if upload is None:
        st.caption("Upload the matrix to see what the import would change.")
        return
    data = upload.getvalue()
    matrix = get_matrix_upload(upload.name, data, framework)
    remap: dict[str, str] = {}
    issues: list[Issue] = []
    remap_name = remap_upload.name if remap_upload is not None else "the remap table"
    if remap_upload is not None:
        remap_bytes = remap_upload.getvalue()
        if len(remap_bytes) > MAX_REMAP_BYTES:
            st.error(plain(f"{remap_name} is {len(remap_bytes):,} bytes; a remap table is a short CSV of id pairs."))
            return
        remap, issues = read_remap(remap_name, remap_bytes)
    store = get_store()
    catalog_dir = settings.catalog_dir()
    try:
        preview = store.import_catalog(catalog_dir, matrix, data, remap, user, remap_file=remap_name, dry_run=True)
    except StoreBusyError as busy:
        st.warning(plain(str(busy)))
        return
    issues = [*issues, *preview.issues]
    if matrix.ok:
        st.subheader("What the import changes")
        st.markdown("\n".join(f"- {plain(line)}" for line in import_summary(preview)))
    if issues:
        show_issues(issues, key="import_issues", file_name="import-issues")
    if has_errors(issues):
        st.error("Not importable as it is: correct what the table lists. Nothing was written.")
        return
    if st.button("Import", type="primary", key="import_go", icon=":material/upload:"):
        try:
            done = store.import_catalog(catalog_dir, matrix, data, remap, user, remap_file=remap_name)
        except StoreBusyError as busy:
            st.warning(plain(str(busy)))
            return
        if done.imported:
            st.session_state["import_flash"] = (
                f"Imported {upload.name} into the {framework} entries of the catalog; "
                f"{sum(len(m) for m in done.repointed.values())} action(s) re-pointed."
            )
            st.session_state["import_round"] = round_ + 1
            st.rerun()
        show_issues(done.issues, key="import_done_issues", file_name="import-issues")


def catalog_history() -> None:
    """The catalog changes made so far (who, when, what), newest first."""
    entries = read_catalog_log(settings.data_dir())
    if not entries:
        st.caption("No catalog change has been imported in this data directory.")
        return
    st.dataframe(catalog_changes_table(entries), hide_index=True, width="stretch")

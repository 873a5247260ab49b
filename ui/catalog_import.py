"""The administrator's import of an official framework matrix, on the *Method and data* page (issue 13 §3).

The same import as ``python -m tracker catalog import``: upload the matrix (and a remap table), see what would
change and every problem cell by cell, then import. The matrix is parsed in a child process like any upload
(``loaders.untrusted``); the remap table is a small CSV read by Python's own ``csv`` module, after a size check.
The flow speaks the page's language; what it writes (the catalog, the change log) does not depend on it.
"""

from __future__ import annotations

import streamlit as st

from loaders.i18n import Language
from loaders.issues import Issue, has_errors
from tracker import settings
from tracker.access import User
from tracker.records.catalog_import import REMAP_TABLE, read_remap
from tracker.records.catalog_journal import read_catalog_log
from tracker.records.catalog_update import import_summary
from tracker.records.store import StoreBusyError
from tracker.views.method import catalog_changes_table
from ui.cache import get_dataset, get_matrix_upload, get_store
from ui.components import show_issues
from ui.lang import current_language
from ui.text import plain

MAX_REMAP_BYTES = 1_000_000
"""A remap table has one short row per removed id: anything larger is not one."""
MATRIX_TYPES = ["xlsx", "xls", "ods", "csv"]


def import_section(user: User, lang: Language | None = None) -> None:
    """The import flow: framework, matrix, remap table, preview, import. For admins only (the caller checks).

    In ``lang`` (the reader's language by default); the matrix's and the remap table's headers are the same in
    every language.
    """
    lang = lang or current_language()
    _ = lang.gettext
    st.header(_("Import an official framework matrix"))
    st.markdown(
        _(
            "When the secretariat receives a framework's official matrix, import it here: its rows replace that "
            "framework's catalog entries (as official titles, no longer working items), and every action citing an "
            "id the matrix drops is re-pointed through the remap table, with history. Nothing changes until you "
            "press **Import**. The matrix's first sheet needs a header row with **ID, Parent, Title, Summary, "
            "Source**; the remap table is a CSV with the columns **old_id, new_id**."
        )
    )
    if flash := st.session_state.pop("import_flash", None):
        st.success(plain(flash))
    catalog = get_dataset().catalog
    round_ = st.session_state.setdefault("import_round", 0)  # a new key empties the uploaders after an import
    frameworks = sorted(catalog.frameworks)
    # The framework still holding working items is the one waiting for its official matrix.
    waiting = [f for f in frameworks if any(c.placeholder for c in catalog.commitments_of(f))]
    framework = st.selectbox(
        _("Framework the matrix replaces"),
        frameworks,
        index=frameworks.index(waiting[0]) if waiting else 0,
        format_func=lambda f: f"{f}: {catalog.frameworks[f].short_name}",
        key="import_framework",
    )
    upload = st.file_uploader(_("Official matrix"), type=MATRIX_TYPES, key=f"import_matrix_{round_}")
    remap_upload = st.file_uploader(
        _("Remap table (optional)"),
        type=["csv"],
        key=f"import_remap_{round_}",
        help=_("old_id,new_id: one row per id"),
    )
    if upload is None:
        st.caption(_("Upload the matrix to see what the import would change."))
        return
    data = upload.getvalue()
    matrix = get_matrix_upload(upload.name, data, framework)
    remap: dict[str, str] = {}
    issues: list[Issue] = []
    # As the change log says it; the issues say "the remap table" in the reader's language (catalog_import.py).
    remap_name = remap_upload.name if remap_upload is not None else REMAP_TABLE
    if remap_upload is not None:
        remap_bytes = remap_upload.getvalue()
        if len(remap_bytes) > MAX_REMAP_BYTES:
            st.error(
                plain(
                    _("{file} is {size} bytes; a remap table is a short CSV of id pairs.").format(
                        file=remap_name, size=lang.number(len(remap_bytes))
                    )
                )
            )
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
        st.subheader(_("What the import changes"))
        st.markdown("\n".join(f"- {plain(line)}" for line in import_summary(preview, lang)))
    if issues:
        show_issues(issues, key="import_issues", file_name="import-issues", lang=lang)
    if has_errors(issues):
        st.error(_("Not importable as it is: correct what the table lists. Nothing was written."))
        return
    if st.button(_("Import"), type="primary", key="import_go", icon=":material/upload:"):
        try:
            done = store.import_catalog(catalog_dir, matrix, data, remap, user, remap_file=remap_name)
        except StoreBusyError as busy:
            st.warning(plain(str(busy)))
            return
        if done.imported:
            st.session_state["import_flash"] = _(
                "Imported {file} into the {framework} entries of the catalog; {count} action(s) re-pointed."
            ).format(
                file=upload.name,
                framework=framework,
                count=lang.number(sum(len(m) for m in done.repointed.values())),
            )
            st.session_state["import_round"] = round_ + 1
            st.rerun()
        show_issues(done.issues, key="import_done_issues", file_name="import-issues", lang=lang)


def catalog_history(lang: Language | None = None) -> None:
    """The catalog changes made so far (who, when, what), newest first; in ``lang`` (the reader's by default)."""
    lang = lang or current_language()
    entries = read_catalog_log(settings.data_dir())
    if not entries:
        st.caption(lang.gettext("No catalog change has been imported in this data directory."))
        return
    st.dataframe(catalog_changes_table(entries, lang), hide_index=True, width="stretch")

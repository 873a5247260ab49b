"""Submit an update: download your template, check a file cell by cell, see what would change, send it for review."""

import streamlit as st

from loaders.tables import MAX_FILE_BYTES
from tracker.access import AccessDeniedError, can_review, can_see_confidential, can_submit
from tracker.documents.template import template_from_dataset
from tracker.records.diff import changes_display
from tracker.records.rounds import STATE_LABELS, RoundError, Rounds, round_states
from tracker.records.store import StoreBusyError
from tracker.records.submissions import Submissions
from tracker.views.action_table import action_display
from tracker.views.method import issue_counts
from ui.auth import current_user
from ui.cache import get_dataset, get_store, get_upload
from ui.components import data_banner, show_issues, show_rows
from ui.lang import current_language
from ui.text import plain

user = current_user()
dataset = get_dataset()
catalog = dataset.catalog
store = get_store()

st.title("Submit an update")
st.caption("Anyone can check a file here: nothing is saved until a focal point sends it and a reviewer approves it.")
data_banner(dataset)
if flash := st.session_state.pop("submit_flash", None):
    st.success(flash)

round_ = Rounds(store.data_dir).current()
if round_ is not None and user.member and can_submit(user, user.member) and round_.scope({user.member: ""}):
    # A focal point's own state in the open round (reviewers see every member's on the Reporting round page).
    mine = next(s for s in round_states(round_, store) if s.member == user.member)
    with st.container(border=True):
        st.markdown(
            plain(f"Reporting round '{round_.name}': answer by {round_.closes:%d %B %Y} ({round_.timezone}).")
            + f" {catalog.members[user.member].name}: **{STATE_LABELS[mine.state]}**"
            + (" (the closing date has passed)" if mine.overdue else "")
        )
        if round_.instructions:
            st.text(round_.instructions)
        if mine.note:
            st.text(f"Reviewer's note: {mine.note}")
        if mine.state == "submitted":
            st.caption("Your update is waiting for review; you will hear when a reviewer has decided.")
        elif not mine.answered and st.button(
            "Nothing changed since the last round",
            key="submit_no_change",
            help="Tells the secretariat your records are up to date; logged with your name and the time.",
        ):
            try:
                Rounds(store.data_dir).confirm_no_change(user.member, user)
                st.session_state["submit_flash"] = "Recorded: nothing changed since the last round. Thank you."
                st.rerun()
            except (AccessDeniedError, RoundError) as problem:
                st.error(plain(str(problem)))

st.header("1. Download your template")
members = [user.member] if user.member else list(catalog.members)
member = st.selectbox("Member", members, format_func=lambda m: f"{catalog.members[m].name} ({m})", key="submit_member")
own = dataset.actions[dataset.actions["member"] == member]
if not (can_submit(user, member) or can_see_confidential(user)):
    own = own[~own["confidential"]]  # a guest's copy never carries confidential actions
lang = current_language()  # bound now: the file is made later, when someone clicks
st.download_button(
    f"Download {member}.xlsx (pre-filled with {len(own)} action(s))",
    data=lambda: template_from_dataset(dataset, member, actions=own, lang=lang),
    file_name=f"{member}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="submit_template",
    on_click="ignore",
    icon=":material/download:",
)
st.caption(
    "Edit it in Excel or LibreOffice: change statuses and dates, add rows (leave Action ID blank), delete "
    "rows for actions to remove. Keep the file name. The Instructions sheet explains every column."
)

st.header("2. Check your file")
upload = st.file_uploader(
    f"Upload a member file (.xlsx, .xls, .ods, .csv or .yaml, up to {MAX_FILE_BYTES // 1_048_576} MB)",
    key="submit_upload",
)
if upload is None:
    st.stop()
raw = get_upload(upload.name, upload.getvalue())  # read in a sandboxed child process, cached per content
preview = store.preview(raw, viewer=user)  # a diff against what this user may see
if not preview.ok:
    errors = issue_counts(preview.issues)[0]
    st.error(
        f"{errors:,} problem(s) to fix in {plain(upload.name)}. Nothing has been saved. Fix them and upload again."
    )
if preview.issues:  # the uploader's own file: every issue, in full
    show_issues(
        preview.issues,
        key="submit_issues",
        file_name="validation-issues",
        columns={"severity": "", "row": "Row", "field": "Column", "message": "What to fix"},
    )
if not preview.ok:
    st.stop()
assert preview.diff is not None and preview.member is not None

st.header("3. What would change")
diff = preview.diff  # computed against the records this user may see (confidential actions only for those allowed)
cols = st.columns(3)
cols[0].metric("Actions added", len(diff.added))
cols[1].metric("Fields changed", len(diff.changed))
cols[2].metric("Actions removed", len(diff.removed))
if diff.is_empty:
    st.info("This file matches the records exactly: there is nothing to send.")
    st.stop()
if not diff.changed.empty:
    st.dataframe(changes_display(diff, catalog), hide_index=True, width="stretch")
for label, frame in (("Added", diff.added), ("Removed", diff.removed)):
    if not frame.empty:
        st.markdown(f"**{label}**")
        show_rows(
            action_display(frame, catalog), key=f"submit_{label.lower()}", file_name=label.lower(), dataset=dataset
        )

st.header("4. Send it")
if not can_submit(user, preview.member):
    st.info(
        f"To send this update, sign in as the focal point of {catalog.members[preview.member].name}. "
        "Checking files needs no account."
    )
    st.stop()
try:
    if st.button("Send for review", type="primary", key="submit_send"):
        sent, submission = Submissions(store).submit(upload.name, upload.getvalue(), user, raw=raw)
        if submission is not None:
            st.success(
                f"Sent for review ({submission.summary}). A reviewer will approve or reject it; "
                f"reference {submission.id}."
            )
        else:
            st.error(plain("Not sent: " + " ".join(i.message for i in sent.issues if i.severity == "error")))
    if can_review(user) and st.button("Apply now (as reviewer)", key="submit_apply"):
        result = store.apply(raw, user)
        if result.ok:
            st.success(f"Applied: {diff.summary()}. New ids: {', '.join(result.assigned_ids) or 'none'}.")
        else:
            st.error(
                plain("Not applied: " + " ".join(i.message for i in result.preview.issues if i.severity == "error"))
            )
except (AccessDeniedError, StoreBusyError) as problem:
    st.error(str(problem))  # our own message, naming no user text

"""Review: which updates wait for approval, what would each change, and who changed what so far?"""

import pandas as pd
import streamlit as st

from tracker.access import AccessDeniedError, can_review
from tracker.records.diff import changes_display
from tracker.records.store import StoreBusyError
from tracker.records.submissions import Submissions
from tracker.views.action_table import action_display
from ui.auth import current_user
from ui.cache import get_dataset, get_store
from ui.components import show_issues, show_rows

st.title("Review submissions")
if flash := st.session_state.pop("review_flash", None):
    st.success(flash)
user = current_user()
if not can_review(user):
    st.warning("Only reviewers and administrators can review submissions. Sign in with a reviewer account.")
    st.stop()

dataset = get_dataset()
catalog = dataset.catalog
store = get_store()
queue = Submissions(store)
pending = queue.list("pending")

st.header(f"Waiting for review ({len(pending)})")
if not pending:
    st.success("Nothing is waiting for review.")
else:
    # A link from the round page names the submission to open (?submission=ID); an unknown id opens the first.
    asked = st.query_params.get("submission")
    ids = [s.id for s in pending]
    chosen = st.selectbox(
        "Submission",
        ids,
        index=ids.index(asked) if asked in ids else 0,
        format_func=lambda i: next(
            f"{s.member} · {s.file} · sent by {s.submitted_by} on {s.sent_label} · {s.summary}"
            for s in pending
            if s.id == i
        ),
        key="review_choice",
    )
    submission = queue.get(chosen)
    preview = queue.preview(submission, viewer=user)  # re-checked against the records as they are now
    if submission.records:  # always, unless meta.json was edited by hand
        st.download_button(
            f"Download what was sent ({submission.member}.yaml: the records as read from {submission.file})",
            data=queue.records(submission),
            file_name=f"{submission.member}.yaml",
            mime="application/yaml",
            key="review_download",
            on_click="ignore",
            icon=":material/download:",
        )
    if submission.warnings:
        st.caption("Warnings when it was sent")
        show_issues(submission.sent_warnings, key="review_sent_warnings", file_name="warnings-when-sent")
    if not preview.ok:
        st.error("This file no longer passes validation (the records or the catalog changed since it was sent).")
        show_issues(preview.issues, key="review_issues", file_name="validation-issues")
    elif preview.diff is not None:
        st.markdown(f"**Would change:** {preview.diff.summary()}")
        if not preview.diff.changed.empty:
            st.dataframe(changes_display(preview.diff, catalog), hide_index=True, width="stretch")
        for label, frame in (("Added", preview.diff.added), ("Removed", preview.diff.removed)):
            if not frame.empty:
                st.markdown(f"**{label}**")
                show_rows(
                    action_display(frame, catalog),
                    key=f"review_{label.lower()}",
                    file_name=label.lower(),
                    dataset=dataset,
                )
    note = st.text_area("Note to the focal point (required to reject)", key="review_note")
    approve, reject = st.columns(2)
    try:
        if approve.button("Approve and publish", type="primary", key="review_approve", disabled=not preview.ok):
            result = queue.approve(submission.id, user, note)
            if result.ok:
                summary = result.preview.diff.summary() if result.preview.diff else ""
                st.session_state["review_flash"] = f"Approved and published {submission.member}: {summary}."
                st.rerun()
            st.error("The file did not pass validation, so nothing was published.")
        if reject.button("Reject", key="review_reject"):
            queue.reject(submission.id, user, note)
            st.session_state["review_flash"] = f"Rejected {submission.member}'s submission; the note was saved."
            st.rerun()
    except (AccessDeniedError, StoreBusyError, ValueError) as problem:
        st.error(str(problem))  # our own message, naming no user text

st.header("Decided")
decided = [s for s in queue.list() if s.state != "pending"]
if decided:
    shown_columns = ["member", "file", "submitted_by", "submitted_at", "summary", "state", "reviewed_by"]
    shown_columns += ["reviewed_at", "note", "change_id"]
    st.dataframe(pd.DataFrame([vars(s) for s in reversed(decided)])[shown_columns], hide_index=True, width="stretch")
else:
    st.caption("No submission has been decided yet.")

st.header("History of changes")
log = store.log()
if log.empty:
    st.caption("No change has been applied yet.")
else:
    member = st.selectbox("Member", ["all", *sorted(log["member"].unique())], key="review_history_member")
    shown = log if member == "all" else log[log["member"] == member]
    st.dataframe(shown, hide_index=True, width="stretch")

"""Review: which updates wait for approval, what would each change, and who changed what so far?"""

import pandas as pd
import streamlit as st

from loaders.i18n import N_, SOURCE_LANGUAGE
from tracker.access import AccessDeniedError, can_review
from tracker.records.diff import LABELS, changes_display, summary_in
from tracker.records.store import StoreBusyError
from tracker.records.submissions import Submissions
from tracker.views.action_table import action_display, headed
from ui.auth import current_user
from ui.cache import get_dataset, get_store
from ui.components import show_issues, show_rows
from ui.lang import current_language

lang = current_language()
_ = lang.gettext  # bound once: the option labels' format function is called again outside this run
# The decided submissions' and the history's columns as the tables name them, said by headed() in the page's
# language (the English tables keep these names), and the tracker's own words in their cells.
DECIDED_COLUMNS = [
    N_("member"), N_("file"), N_("submitted_by"), N_("submitted_at"), N_("summary"), N_("state"), N_("reviewed_by"),
    N_("reviewed_at"), N_("note"), N_("change_id"),
]  # fmt: skip
HISTORY_COLUMNS = (  # tracker.records.store.LOG_COLUMNS
    N_("change_id"), N_("at"), N_("by"), N_("member"), N_("file"), N_("kind"), N_("action_id"), N_("field"), N_("old"),
    N_("new"),
)  # fmt: skip
STATES = {
    "approved": lang.pgettext("a submission's state", "approved"),
    "rejected": lang.pgettext("a submission's state", "rejected"),
}
KINDS = {
    "added": lang.pgettext("a change in the history", "added"),
    "removed": lang.pgettext("a change in the history", "removed"),
    "changed": lang.pgettext("a change in the history", "changed"),
    "unchanged": lang.pgettext("a change in the history", "unchanged"),
}


st.title(_("Review submissions"))
if flash := st.session_state.pop("review_flash", None):
    st.success(flash)
user = current_user()
if not can_review(user):
    st.warning(_("Only reviewers and administrators can review submissions. Sign in with a reviewer account."))
    st.stop()

dataset = get_dataset()
catalog = dataset.catalog.in_language(lang.code)  # status labels and members' names in the page's language
store = get_store()
queue = Submissions(store)
pending = queue.list("pending")

st.header(_("Waiting for review ({count})").format(count=lang.number(len(pending))))
if not pending:
    st.success(_("Nothing is waiting for review."))
else:
    # A link from the round page names the submission to open (?submission=ID); an unknown id opens the first.
    asked = st.query_params.get("submission")
    ids = [s.id for s in pending]
    chosen = st.selectbox(
        _("Submission"),
        ids,
        index=ids.index(asked) if asked in ids else 0,
        format_func=lambda i: next(
            _("{member} · {file} · sent by {who} on {sent} · {summary}").format(
                member=s.member, file=s.file, who=s.submitted_by, sent=s.sent_label, summary=summary_in(s.summary, lang)
            )
            for s in pending
            if s.id == i
        ),
        key="review_choice",
    )
    submission = queue.get(chosen)
    preview = queue.preview(submission, viewer=user)  # re-checked against the records as they are now
    if submission.records:  # always, unless meta.json was edited by hand
        st.download_button(
            _("Download what was sent ({member}.yaml: the records as read from {file})").format(
                member=submission.member, file=submission.file
            ),
            data=queue.records(submission),
            file_name=f"{submission.member}.yaml",
            mime="application/yaml",
            key="review_download",
            on_click="ignore",
            icon=":material/download:",
        )
    if submission.warnings:
        st.caption(_("Warnings when it was sent"))
        show_issues(submission.sent_warnings, key="review_sent_warnings", file_name="warnings-when-sent")
    if not preview.ok:
        st.error(_("This file no longer passes validation (the records or the catalog changed since it was sent)."))
        show_issues(preview.issues, key="review_issues", file_name="validation-issues")
    elif preview.diff is not None:
        st.markdown(_("**Would change:** {summary}").format(summary=preview.diff.summary(lang)))
        if not preview.diff.changed.empty:
            st.dataframe(changes_display(preview.diff, catalog, lang), hide_index=True, width="stretch")
        for slug, label, frame in (
            ("added", _("Added"), preview.diff.added),
            ("removed", _("Removed"), preview.diff.removed),
        ):
            if not frame.empty:
                st.markdown(f"**{label}**")
                show_rows(action_display(frame, catalog), key=f"review_{slug}", file_name=slug, dataset=dataset)
    note = st.text_area(_("Note to the focal point (required to reject)"), key="review_note")
    approve, reject = st.columns(2)
    try:
        if approve.button(_("Approve and publish"), type="primary", key="review_approve", disabled=not preview.ok):
            result = queue.approve(submission.id, user, note)
            if result.ok:
                summary = result.preview.diff.summary(lang) if result.preview.diff else ""
                st.session_state["review_flash"] = _("Approved and published {member}: {summary}.").format(
                    member=submission.member, summary=summary
                )
                st.rerun()
            st.error(_("The file did not pass validation, so nothing was published."))
        if reject.button(_("Reject"), key="review_reject"):
            if not note.strip():  # the queue refuses it too (in English): said here in the page's language
                st.error(_("Say why the submission is rejected, so the focal point can fix it."))
            else:
                queue.reject(submission.id, user, note)
                st.session_state["review_flash"] = _("Rejected {member}'s submission; the note was saved.").format(
                    member=submission.member
                )
                st.rerun()
    except (AccessDeniedError, StoreBusyError, ValueError) as problem:
        st.error(str(problem))  # our own message, naming no user text

st.header(_("Decided"))
decided = [s for s in queue.list() if s.state != "pending"]
if decided:
    table = pd.DataFrame([vars(s) for s in reversed(decided)])[DECIDED_COLUMNS]
    if lang.code != SOURCE_LANGUAGE:
        table["state"] = table["state"].map(lambda s: STATES.get(s, s))
        table["summary"] = table["summary"].map(lambda s: summary_in(s, lang))
    st.dataframe(headed(table, lang), hide_index=True, width="stretch")
else:
    st.caption(_("No submission has been decided yet."))

st.header(_("History of changes"))
log = store.log()
if log.empty:
    st.caption(_("No change has been applied yet."))
else:
    member = st.selectbox(
        _("Member"),
        ["all", *sorted(log["member"].unique())],
        format_func=lambda m: _("all") if m == "all" else m,
        key="review_history_member",
    )
    shown = log if member == "all" else log[log["member"] == member]
    if lang.code != SOURCE_LANGUAGE:
        shown = shown.assign(
            kind=shown["kind"].map(lambda k: KINDS.get(k, k)),
            field=shown["field"].map(lambda f: _(LABELS[f]) if f in LABELS else f),
        )
    st.dataframe(headed(shown, lang), hide_index=True, width="stretch")

"""Submit an update: download your template, check a file cell by cell, see what would change, send it for review."""

import streamlit as st

from loaders.tables import MAX_FILE_BYTES
from tracker.access import AccessDeniedError, can_review, can_see_confidential, can_submit
from tracker.documents.template import template_from_dataset
from tracker.records.diff import changes_display, summary_in
from tracker.records.rounds import STATE_LABELS, RoundError, Rounds, round_states
from tracker.records.store import StoreBusyError
from tracker.records.submissions import Submissions
from tracker.views.action_table import action_display
from tracker.views.method import issue_counts
from ui.auth import current_user
from ui.cache import get_dataset, get_store, get_upload
from ui.components import data_banner, show_issues, show_rows
from ui.lang import _, current_language
from ui.text import plain

user = current_user()
dataset = get_dataset()
catalog = dataset.catalog
store = get_store()

lang = current_language()
st.title(_("Submit an update"))
st.caption(_("Anyone can check a file here: nothing is saved until a focal point sends it and a reviewer approves it."))
data_banner(dataset)
if flash := st.session_state.pop("submit_flash", None):
    st.success(flash)

round_ = Rounds(store.data_dir).current()
if round_ is not None and user.member and can_submit(user, user.member) and round_.scope({user.member: ""}):
    # A focal point's own state in the open round (reviewers see every member's on the Reporting round page).
    mine = next(s for s in round_states(round_, store) if s.member == user.member)
    with st.container(border=True):
        st.markdown(
            plain(
                _("Reporting round '{name}': answer by {day} ({zone}).").format(
                    name=round_.name, day=lang.date(round_.closes), zone=round_.timezone
                )
            )
            + f" {catalog.members[user.member].name}: **{_(STATE_LABELS[mine.state])}**"
            + (" " + _("(the closing date has passed)") if mine.overdue else "")
        )
        if round_.instructions:
            st.text(round_.instructions)
        if mine.note:
            st.text(_("Reviewer's note: {note}").format(note=mine.note))
        if mine.state == "submitted":
            st.caption(_("Your update is waiting for review; you will hear when a reviewer has decided."))
        elif not mine.answered and st.button(
            _("Nothing changed since the last round"),
            key="submit_no_change",
            help=_("Tells the secretariat your records are up to date; logged with your name and the time."),
        ):
            try:
                Rounds(store.data_dir).confirm_no_change(user.member, user)
                st.session_state["submit_flash"] = _("Recorded: nothing changed since the last round. Thank you.")
                st.rerun()
            except RoundError as problem:
                st.error(plain(problem.in_language(lang)))
            except AccessDeniedError as problem:
                st.error(plain(str(problem)))

st.header(_("1. Download your template"))
members = [user.member] if user.member else list(catalog.members)
member = st.selectbox(
    _("Member"), members, format_func=lambda m: f"{catalog.members[m].name} ({m})", key="submit_member"
)
own = dataset.actions[dataset.actions["member"] == member]
if not (can_submit(user, member) or can_see_confidential(user)):
    own = own[~own["confidential"]]  # a guest's copy never carries confidential actions
st.download_button(
    # The language is bound now (lang, above): the file is made later, when someone clicks.
    _("Download {member}.xlsx (pre-filled with {count} action(s))").format(member=member, count=len(own)),
    data=lambda: template_from_dataset(dataset, member, actions=own, lang=lang),
    file_name=f"{member}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="submit_template",
    on_click="ignore",
    icon=":material/download:",
)
st.caption(
    _(
        "Edit it in Excel or LibreOffice: change statuses and dates, add rows (leave Action ID blank), delete "
        "rows for actions to remove. Keep the file name. The Instructions sheet explains every column."
    )
)

st.header(_("2. Check your file"))
upload = st.file_uploader(
    _("Upload a member file (.xlsx, .xls, .ods, .csv or .yaml, up to {size} MB)").format(
        size=MAX_FILE_BYTES // 1_048_576
    ),
    key="submit_upload",
)
if upload is None:
    st.stop()
raw = get_upload(upload.name, upload.getvalue())  # read in a sandboxed child process, cached per content
preview = store.preview(raw, viewer=user)  # a diff against what this user may see
if not preview.ok:
    errors = issue_counts(preview.issues)[0]
    st.error(
        _("{count} problem(s) to fix in {file}. Nothing has been saved. Fix them and upload again.").format(
            count=lang.number(errors), file=plain(upload.name)
        )
    )
if preview.issues:  # the uploader's own file: every issue, in full
    show_issues(
        preview.issues,
        key="submit_issues",
        file_name="validation-issues",
        columns={"severity": "", "row": _("Row"), "field": _("Column"), "message": _("What to fix")},
        lang=lang,
    )
if not preview.ok:
    st.stop()
assert preview.diff is not None and preview.member is not None

st.header(_("3. What would change"))
diff = preview.diff  # computed against the records this user may see (confidential actions only for those allowed)
cols = st.columns(3)
cols[0].metric(_("Actions added"), len(diff.added))
cols[1].metric(_("Fields changed"), len(diff.changed))
cols[2].metric(_("Actions removed"), len(diff.removed))
if diff.is_empty:
    st.info(_("This file matches the records exactly: there is nothing to send."))
    st.stop()
if not diff.changed.empty:
    st.dataframe(changes_display(diff, catalog, lang), hide_index=True, width="stretch")
for slug, label, frame in (("added", _("Added"), diff.added), ("removed", _("Removed"), diff.removed)):
    if not frame.empty:
        st.markdown(f"**{label}**")
        show_rows(action_display(frame, catalog), key=f"submit_{slug}", file_name=slug, dataset=dataset, lang=lang)

st.header(_("4. Send it"))
if not can_submit(user, preview.member):
    st.info(
        _("To send this update, sign in as the focal point of {member}. Checking files needs no account.").format(
            member=catalog.members[preview.member].name
        )
    )
    st.stop()
try:
    if st.button(_("Send for review"), type="primary", key="submit_send"):
        sent, submission = Submissions(store).submit(upload.name, upload.getvalue(), user, raw=raw)
        if submission is not None:
            st.success(
                _("Sent for review ({summary}). A reviewer will approve or reject it; reference {id}.").format(
                    summary=summary_in(submission.summary, lang), id=submission.id
                )
            )
        else:
            problems = " ".join(i.message_in(lang) for i in sent.issues if i.severity == "error")
            st.error(plain(_("Not sent: {problems}").format(problems=problems)))
    if can_review(user) and st.button(_("Apply now (as reviewer)"), key="submit_apply"):
        result = store.apply(raw, user)
        if result.ok:
            st.success(
                _("Applied: {summary}. New ids: {ids}.").format(
                    summary=diff.summary(lang), ids=", ".join(result.assigned_ids) or _("none")
                )
            )
        else:
            problems = " ".join(i.message_in(lang) for i in result.preview.issues if i.severity == "error")
            st.error(plain(_("Not applied: {problems}").format(problems=problems)))
except (AccessDeniedError, StoreBusyError) as problem:
    st.error(str(problem))  # our own message, naming no user text

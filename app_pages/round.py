"""Reporting round: who has answered the call for updates, who to remind, and how past rounds went."""

import datetime as dt
import os
import zoneinfo

import pandas as pd
import streamlit as st

from tracker import settings
from tracker.access import AccessDeniedError, can_review, load_roles
from tracker.documents.reminders import SmtpSettings, plan_reminders, reminders_zip, send_reminders
from tracker.figures.rounds import response_figure
from tracker.records.rounds import (
    STATE_LABELS,
    RoundError,
    Rounds,
    close_round,
    history_table,
    response_counts,
    round_states,
)
from tracker.records.store import StoreBusyError
from ui.auth import current_user
from ui.cache import get_dataset, get_store
from ui.components import show_chart
from ui.text import plain

st.title("Reporting round")
if flash := st.session_state.pop("round_flash", None):
    st.success(plain(flash))
user = current_user()
if not can_review(user):
    st.warning("Only reviewers and administrators can manage reporting rounds. Sign in with a reviewer account.")
    st.stop()

dataset = get_dataset()
catalog = dataset.catalog
store = get_store()
rounds = Rounds(store.data_dir)
names = {m: e.name for m, e in catalog.members.items()}
today = settings.today()
for problem in rounds.problems():
    st.warning(plain(problem))


def smtp_settings() -> SmtpSettings | None:
    """The SMTP relay from the environment (as the CLI reads it), else ``[smtp]`` in ``.streamlit/secrets.toml``."""
    configured = SmtpSettings.from_env(os.environ)
    if configured is not None:
        return configured
    try:
        table = st.secrets.get("smtp")
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        return None
    return SmtpSettings.from_mapping(table) if table else None


def scope_fields(prefix: str, frameworks: tuple[str, ...] = (), members: tuple[str, ...] = ()) -> dict:
    """The scope and instruction widgets of the open and edit forms."""
    return {
        "frameworks": st.multiselect(
            "Frameworks (none chosen: all)",
            list(catalog.frameworks),
            default=list(frameworks),
            format_func=lambda f: catalog.frameworks[f].short_name,
            key=f"{prefix}_frameworks",
        ),
        "members": st.multiselect(
            "Members (none chosen: all)",
            sorted(names, key=lambda m: names[m]),
            default=list(members),
            format_func=lambda m: f"{names[m]} ({m})",
            key=f"{prefix}_members",
        ),
    }


def act(work, done: str) -> None:
    """Run a change; on success rerun with ``done`` shown, else show why (our own messages, never user text)."""
    try:
        work()
    except (RoundError, AccessDeniedError, StoreBusyError, ValueError) as problem:
        st.error(plain(str(problem)))
        return
    st.session_state["round_flash"] = done
    st.rerun()


current = rounds.current()
if current is None:
    st.info("No reporting round is open. Open one to ask focal points for their updates before a meeting.")
    with st.form("round_open"):
        name = st.text_input(
            "Name", placeholder="e.g. Update for the next Senior Officials' Meeting", key="round_open_name"
        )
        left, right, zone = st.columns(3)
        try:
            local_today = settings.today(zoneinfo.ZoneInfo(settings.timezone()))  # the date where the round is run
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            st.error(plain(f"TRACKER_TIMEZONE={settings.timezone()!r} is not a time zone; use e.g. Asia/Bangkok."))
            local_today = today
        opens = left.date_input("Opens", value=local_today, key="round_open_opens")
        closes = right.date_input("Closes (the last day to answer)", value=local_today + dt.timedelta(days=21))
        timezone = zone.text_input("Time zone", value=settings.timezone(), key="round_open_timezone")
        scope = scope_fields("round_open")
        instructions = st.text_area("Instructions for focal points", key="round_open_instructions")
        if st.form_submit_button("Open the round", type="primary"):
            act(
                lambda: rounds.open(
                    name,
                    opens=opens,
                    closes=closes,
                    by=user,
                    known_members=catalog.members,
                    known_frameworks=catalog.frameworks,
                    instructions=instructions,
                    timezone=timezone,
                    **scope,
                ),
                f"Opened the round '{name.strip()}'.",
            )
else:
    st.header(plain(current.name))
    frameworks = ", ".join(catalog.frameworks[f].short_name for f in current.frameworks) or "all frameworks"
    st.caption(plain(f"Open {current.describe_dates()}; {frameworks}; {len(current.scope(names))} member(s) in scope."))
    if current.instructions:
        st.text(current.instructions)
    states = round_states(current, store)  # overdue judged at today in the round's time zone
    counts = response_counts(states)
    cells = st.columns(6)
    cells[0].metric("Answered", f"{counts['answered']} of {counts['in_scope']}")
    for cell, state in zip(cells[1:], ("updated", "no_change", "submitted", "returned", "waiting"), strict=True):
        cell.metric(STATE_LABELS[state], counts[state])
    if counts["overdue"]:
        st.warning(f"{counts['overdue']} member(s) have not answered and the closing date has passed.")

    st.subheader("Members")
    table = pd.DataFrame(
        {
            "Member": [f"{names[s.member]} ({s.member})" for s in states],
            "State": [STATE_LABELS[s.state] for s in states],
            "Overdue": ["Overdue" if s.overdue else "" for s in states],
            f"Last contact ({current.timezone})": [current.local_time(s.last_contact) for s in states],
            f"Last reminder ({current.timezone})": [current.local_time(s.last_reminder) for s in states],
            f"Sent for review ({current.timezone})": [current.local_time(s.pending_sent) for s in states],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption("Alphabetical by member name. States come from submissions, reviews and applied changes; never typed.")
    for waiting_review in (s for s in states if s.pending_submission):
        st.page_link(
            "app_pages/review.py",
            label=f"Review {names[waiting_review.member]}'s submission",
            query_params={"submission": str(waiting_review.pending_submission)},
            icon=":material/fact_check:",
        )

    st.subheader("Reminders")
    try:
        smtp = smtp_settings()
    except ValueError as problem:
        st.error(plain(f"The SMTP settings are wrong: {problem}"))
        smtp = None
    chosen = st.multiselect(
        "Remind",
        [s.member for s in states],
        default=[s.member for s in states if s.state in ("waiting", "returned")],
        format_func=lambda m: f"{names[m]} ({m})",
        key="round_remind_members",
        help="Only members waiting or returned get a reminder; at most one a day each unless forced.",
    )
    force = st.checkbox("Send even to members reminded today", key="round_remind_force")
    reminders, skipped = plan_reminders(
        current,
        states,
        load_roles(store.data_dir),
        names,
        now=dt.datetime.now(dt.UTC),
        app_url=settings.app_url(),
        only=chosen,
        force=force,
    )
    for reason in skipped:
        st.caption(plain(f"Skipped: {reason}"))
    if not reminders:
        st.caption(
            "No reminder to send: every member chosen has answered, is under review, has no focal point address "
            "or was reminded today."
        )
    else:
        if not settings.app_url():
            st.caption("Set TRACKER_APP_URL so the reminders link to this dashboard.")
        with st.expander(f"Preview the {len(reminders)} message(s)", expanded=False):
            for reminder in reminders:
                st.text(f"To: {', '.join(reminder.to)}\nSubject: {reminder.subject}\n\n{reminder.body}")
                st.divider()
        if smtp is None:
            st.info(
                "No SMTP relay is configured (see the README, 'Reporting rounds'), so nothing is sent from here: "
                "download the messages as .eml files with a mail-merge CSV and send them from your mail program."
            )
            st.download_button(
                f"Download {len(reminders)} message(s) (.zip of .eml files and mail-merge.csv)",
                data=reminders_zip(reminders, "secretariat@example.org"),
                file_name="reminders.zip",
                mime="application/zip",
                key="round_remind_zip",
                on_click="ignore",
                icon=":material/download:",
            )
        elif st.button(f"Send {len(reminders)} reminder(s)", type="primary", key="round_remind_send"):
            outcomes = send_reminders(reminders, smtp, rounds, user)
            failed = [o for o in outcomes if not o.sent]
            if failed:
                st.error(
                    plain(
                        f"{len(outcomes) - len(failed)} sent, {len(failed)} failed: "
                        + "; ".join(f"{o.member}: {o.problem}" for o in failed)
                    )
                )
            else:
                st.session_state["round_flash"] = f"Sent {len(outcomes)} reminder(s)."
                st.rerun()

    st.subheader("Change or close the round")
    with st.expander("Edit dates, scope or instructions"), st.form("round_edit"):
        left, right, zone = st.columns(3)
        opens = left.date_input("Opens", value=current.opens, key="round_edit_opens")
        closes = right.date_input("Closes", value=current.closes, key="round_edit_closes")
        timezone = zone.text_input("Time zone", value=current.timezone, key="round_edit_timezone")
        scope = scope_fields("round_edit", current.frameworks, current.members)
        instructions = st.text_area("Instructions", value=current.instructions, key="round_edit_instructions")
        if st.form_submit_button("Save changes"):
            act(
                lambda: rounds.edit(
                    user,
                    known_members=catalog.members,
                    known_frameworks=catalog.frameworks,
                    opens=opens,
                    closes=closes,
                    instructions=instructions,
                    timezone=timezone,
                    **scope,
                ),
                "Saved the round's changes.",
            )
    sure = st.checkbox(
        "Closing freezes a snapshot of every record under the round's name; it cannot be undone.",
        key="round_close_sure",
    )
    if st.button("Close the round", key="round_close", disabled=not sure):
        act(
            lambda: close_round(rounds, store, dataset, user),
            f"Closed '{current.name}' and froze a snapshot named after it.",
        )

HISTORY_HEADINGS = {
    "round": "Round",
    "opens": "Opens",
    "closes": "Closes",
    "in_scope": "Members in scope",
    "answered": "Answered",
    "updated": "Updated",
    "no_change": "No change",
    "submitted": "Under review",
    "returned": "Returned",
    "waiting": "Waiting",
    "overdue": "Overdue",
}

st.header("Past rounds")
history = history_table(rounds.list())
if history.empty:
    st.caption("No round has been closed yet.")
else:
    show_chart(
        response_figure(history, title="How members answered each round"),
        history.rename(columns=HISTORY_HEADINGS),
        key="round_history",
        file_name="reporting-rounds",
        dataset=dataset,
        caption="Counts frozen when each round closed.",
    )

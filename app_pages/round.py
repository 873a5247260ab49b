"""Reporting round: who has answered the call for updates, who to remind, and how past rounds went."""

import datetime as dt
import os
import zoneinfo

import pandas as pd
import streamlit as st

from loaders.i18n import N_
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
from ui.lang import current_language
from ui.text import plain

lang = current_language()
_ = lang.gettext  # bound once: the option labels' format functions are called again outside this run

st.title(_("Reporting round"))
if flash := st.session_state.pop("round_flash", None):
    st.success(plain(flash))
user = current_user()
if not can_review(user):
    st.warning(_("Only reviewers and administrators can manage reporting rounds. Sign in with a reviewer account."))
    st.stop()

dataset = get_dataset()
catalog = dataset.catalog
store = get_store()
rounds = Rounds(store.data_dir)
names = {m: e.name for m, e in catalog.members.items()}  # as the reminders (in English) name them
shown = {m: e.name for m, e in catalog.in_language(lang.code).members.items()}  # as this page names them
today = settings.today()
for problem in rounds.problems(lang):
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
            _("Frameworks (none chosen: all)"),
            list(catalog.frameworks),
            default=list(frameworks),
            format_func=lambda f: catalog.frameworks[f].short_name,
            key=f"{prefix}_frameworks",
        ),
        "members": st.multiselect(
            _("Members (none chosen: all)"),
            sorted(shown, key=lambda m: shown[m]),
            default=list(members),
            format_func=lambda m: f"{shown[m]} ({m})",
            key=f"{prefix}_members",
        ),
    }


def act(work, done: str) -> None:
    """Run a change; on success rerun with ``done`` shown, else show why (our own messages, never user text)."""
    try:
        work()
    except (RoundError, AccessDeniedError, StoreBusyError, ValueError) as problem:
        st.error(plain(problem.in_language(lang) if isinstance(problem, RoundError) else str(problem)))
        return
    st.session_state["round_flash"] = done
    st.rerun()


current = rounds.current()
if current is None:
    st.info(_("No reporting round is open. Open one to ask focal points for their updates before a meeting."))
    with st.form("round_open"):
        name = st.text_input(
            _("Name"), placeholder=_("e.g. Update for the next Senior Officials' Meeting"), key="round_open_name"
        )
        left, right, zone = st.columns(3)
        try:
            local_today = settings.today(zoneinfo.ZoneInfo(settings.timezone()))  # the date where the round is run
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            st.error(
                plain(
                    _("{setting}={value} is not a time zone; use e.g. Asia/Bangkok.").format(
                        setting="TRACKER_TIMEZONE", value=repr(settings.timezone())
                    )
                )
            )
            local_today = today
        opens = left.date_input(_("Opens"), value=local_today, key="round_open_opens")
        closes = right.date_input(_("Closes (the last day to answer)"), value=local_today + dt.timedelta(days=21))
        timezone = zone.text_input(_("Time zone"), value=settings.timezone(), key="round_open_timezone")
        scope = scope_fields("round_open")
        instructions = st.text_area(_("Instructions for focal points"), key="round_open_instructions")
        if st.form_submit_button(_("Open the round"), type="primary"):
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
                _("Opened the round '{name}'.").format(name=name.strip()),
            )
else:
    st.header(plain(current.name))
    frameworks = ", ".join(catalog.frameworks[f].short_name for f in current.frameworks) or _("all frameworks")
    st.caption(
        plain(
            _("Open {dates}; {frameworks}; {count} member(s) in scope.").format(
                dates=current.describe_dates(lang), frameworks=frameworks, count=lang.number(len(current.scope(names)))
            )
        )
    )
    if current.instructions:
        st.text(current.instructions)
    states = round_states(current, store)  # overdue judged at today in the round's time zone
    counts = response_counts(states)
    cells = st.columns(6)
    cells[0].metric(
        _("Answered"),
        _("{count} of {total}").format(count=lang.number(counts["answered"]), total=lang.number(counts["in_scope"])),
    )
    for cell, state in zip(cells[1:], ("updated", "no_change", "submitted", "returned", "waiting"), strict=True):
        cell.metric(_(STATE_LABELS[state]), counts[state])
    if counts["overdue"]:
        st.warning(
            _("{count} member(s) have not answered and the closing date has passed.").format(
                count=lang.number(counts["overdue"])
            )
        )

    st.subheader(_("Members"))
    zone_name = current.timezone
    table = pd.DataFrame(
        {
            _("Member"): [f"{shown[s.member]} ({s.member})" for s in states],
            # "State" is also a kind of member (a state, not a territory): the context tells the two apart.
            lang.pgettext("member's state in a round", "State"): [_(STATE_LABELS[s.state]) for s in states],
            _("Overdue"): [_("Overdue") if s.overdue else "" for s in states],
            _("Last contact ({zone})").format(zone=zone_name): [current.local_time(s.last_contact) for s in states],
            _("Last reminder ({zone})").format(zone=zone_name): [current.local_time(s.last_reminder) for s in states],
            _("Sent for review ({zone})").format(zone=zone_name): [current.local_time(s.pending_sent) for s in states],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(
        _("Alphabetical by member name. States come from submissions, reviews and applied changes; never typed.")
    )
    for waiting_review in (s for s in states if s.pending_submission):
        st.page_link(
            "app_pages/review.py",
            label=_("Review {member}'s submission").format(member=shown[waiting_review.member]),
            query_params={"submission": str(waiting_review.pending_submission)},
            icon=":material/fact_check:",
        )

    st.subheader(_("Reminders"))
    try:
        smtp = smtp_settings()
    except ValueError as problem:
        st.error(plain(_("The SMTP settings are wrong: {problem}").format(problem=problem)))
        smtp = None
    chosen = st.multiselect(
        _("Remind"),
        [s.member for s in states],
        default=[s.member for s in states if s.state in ("waiting", "returned")],
        format_func=lambda m: f"{shown[m]} ({m})",
        key="round_remind_members",
        help=_("Only members waiting or returned get a reminder; at most one a day each unless forced."),
    )
    force = st.checkbox(_("Send even to members reminded today"), key="round_remind_force")
    reminders, skipped = plan_reminders(
        current,
        states,
        load_roles(store.data_dir),
        names,
        now=dt.datetime.now(dt.UTC),
        app_url=settings.app_url(),
        only=chosen,
        force=force,
        lang=lang,  # why a member is skipped, in the page's language; the e-mails stay in English
    )
    for reason in skipped:
        st.caption(plain(_("Skipped: {reason}").format(reason=reason)))
    if not reminders:
        st.caption(
            _(
                "No reminder to send: every member chosen has answered, is under review, has no focal point address "
                "or was reminded today."
            )
        )
    else:
        if not settings.app_url():
            st.caption(_("Set {setting} so the reminders link to this dashboard.").format(setting="TRACKER_APP_URL"))
        with st.expander(_("Preview the {count} message(s)").format(count=lang.number(len(reminders))), expanded=False):
            for reminder in reminders:
                st.text(
                    _("To: {to}\nSubject: {subject}").format(to=", ".join(reminder.to), subject=reminder.subject)
                    + f"\n\n{reminder.body}"
                )
                st.divider()
        if smtp is None:
            st.info(
                _(
                    "No SMTP relay is configured (see the README, 'Reporting rounds'), so nothing is sent from here: "
                    "download the messages as .eml files with a mail-merge CSV and send them from your mail program."
                )
            )
            st.download_button(
                _("Download {count} message(s) (.zip of .eml files and mail-merge.csv)").format(
                    count=lang.number(len(reminders))
                ),
                data=reminders_zip(reminders, "secretariat@example.org"),
                file_name="reminders.zip",
                mime="application/zip",
                key="round_remind_zip",
                on_click="ignore",
                icon=":material/download:",
            )
        elif st.button(
            _("Send {count} reminder(s)").format(count=lang.number(len(reminders))),
            type="primary",
            key="round_remind_send",
        ):
            outcomes = send_reminders(reminders, smtp, rounds, user)
            failed = [o for o in outcomes if not o.sent]
            if failed:
                st.error(
                    plain(
                        _("{sent} sent, {failed} failed: {problems}").format(
                            sent=lang.number(len(outcomes) - len(failed)),
                            failed=lang.number(len(failed)),
                            problems="; ".join(f"{o.member}: {o.problem}" for o in failed),
                        )
                    )
                )
            else:
                st.session_state["round_flash"] = _("Sent {count} reminder(s).").format(
                    count=lang.number(len(outcomes))
                )
                st.rerun()

    st.subheader(_("Change or close the round"))
    with st.expander(_("Edit dates, scope or instructions")), st.form("round_edit"):
        left, right, zone = st.columns(3)
        opens = left.date_input(_("Opens"), value=current.opens, key="round_edit_opens")
        closes = right.date_input(_("Closes"), value=current.closes, key="round_edit_closes")
        timezone = zone.text_input(_("Time zone"), value=current.timezone, key="round_edit_timezone")
        scope = scope_fields("round_edit", current.frameworks, current.members)
        instructions = st.text_area(_("Instructions"), value=current.instructions, key="round_edit_instructions")
        if st.form_submit_button(_("Save changes")):
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
                _("Saved the round's changes."),
            )
    sure = st.checkbox(
        _("Closing freezes a snapshot of every record under the round's name; it cannot be undone."),
        key="round_close_sure",
    )
    if st.button(_("Close the round"), key="round_close", disabled=not sure):
        act(
            lambda: close_round(rounds, store, dataset, user),
            _("Closed '{name}' and froze a snapshot named after it.").format(name=current.name),
        )

HISTORY_HEADINGS = {
    "round": N_("Round"),
    "opens": N_("Opens"),
    "closes": N_("Closes"),
    "in_scope": N_("Members in scope"),
    "answered": N_("Answered"),
    "updated": N_("Updated"),
    "no_change": N_("No change"),
    "submitted": N_("Under review"),
    "returned": N_("Returned"),
    "waiting": N_("Waiting"),
    "overdue": N_("Overdue"),
}

st.header(_("Past rounds"))
history = history_table(rounds.list())
if history.empty:
    st.caption(_("No round has been closed yet."))
else:
    show_chart(
        response_figure(history, title=_("How members answered each round"), lang=lang),
        history.rename(columns={column: _(heading) for column, heading in HISTORY_HEADINGS.items()}),
        key="round_history",
        file_name="reporting-rounds",
        dataset=dataset,
        caption=_("Counts frozen when each round closed."),
    )

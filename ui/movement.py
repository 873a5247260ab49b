"""The "what moved" section shared by the Progress page and the member profile.

Compares the current view with a date (from each action's *last updated*) or
with a named meeting snapshot (the same filters applied to both sides).
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from loaders.dataset import Dataset
from tracker import settings
from tracker.access import AccessDeniedError, can_review, can_see_confidential
from tracker.records.snapshots import CHANGE_KINDS, KIND_LABELS, SnapshotChanges, Snapshots, snapshot_changes
from tracker.views.action_table import action_display
from tracker.views.filters import View
from tracker.views.progress import movement_since
from ui.auth import current_user
from ui.cache import get_dataset
from ui.components import show_rows
from ui.lang import current_language
from ui.text import plain

DATE = "date"


def render_movement(view: View, key: str) -> None:
    """Draw the comparison controls and results; ``key`` prefixes the widget keys."""
    _ = current_language().gettext  # bound once: the format function is called again outside this run
    today = settings.today()
    snapshots = Snapshots(settings.data_dir())
    infos = {i.slug: i for i in snapshots.list()}
    basis = st.selectbox(
        _("Compare with"),
        [DATE, *reversed(list(infos))],
        format_func=lambda s: (
            _("A date (from each action's last update)")
            if s == DATE
            else _("Snapshot: {name} (taken {day})").format(name=infos[s].name, day=infos[s].taken_at[:10])
        ),
        key=f"{key}_basis",
    )
    if basis == DATE:
        show_since_date(view, key, today)
    else:
        _since_snapshot(view, snapshots, basis, today, key)
    _take_snapshot(snapshots, key)


def show_since_date(view: View, key: str, today: dt.date, *, file_prefix: str = "") -> None:
    """What moved in ``view`` since a date the reader picks (the last six months by default): counts and lists.

    ``key`` prefixes the widget keys; ``file_prefix`` the names of the CSV downloads.
    """
    lang = current_language()
    _ = lang.gettext
    since = st.date_input(
        _("Since"), value=today - dt.timedelta(days=182), max_value=today, key=f"{key}_since", format="YYYY-MM-DD"
    )
    moved = movement_since(view, since)
    counts = moved.counts()
    cols = st.columns(3)
    cols[0].metric(_("Actions updated since then"), lang.number(counts["updated"]))
    cols[1].metric(_("Actions started since then"), lang.number(counts["new"]))
    cols[2].metric(_("Open actions not updated since then"), lang.number(counts["stalled"]))
    lists = ((_("Updated"), "updated", moved.updated), (_("Started"), "started", moved.new))
    for label, slug, frame in (*lists, (_("Not updated (stalled)"), "stalled", moved.stalled)):
        with st.expander(f"{label}: {lang.number(len(frame))}"):
            shown = action_display(frame, view.catalog)
            show_rows(shown, key=f"{key}_{slug}", file_name=f"{file_prefix}{slug}-since-{since}", dataset=view.dataset)


def _since_snapshot(view: View, snapshots: Snapshots, slug: str, today: dt.date, key: str) -> None:
    moved = snapshot_changes(
        view,
        snapshots.load(slug),
        can_see_confidential=can_see_confidential(current_user()),
        today=today,
        lang=current_language(),
    )
    show_snapshot_changes(moved, key=key, file_name=f"changed-since-{slug}", dataset=view.dataset)


def show_snapshot_changes(moved: SnapshotChanges, *, key: str, file_name: str, dataset: Dataset) -> None:
    """The counts of each kind of change, the tables by area and by member, and the changed actions."""
    lang = current_language()
    _ = lang.gettext
    if moved.catalog_note:
        st.caption(plain(moved.catalog_note))
    counts = moved.changes["change"].value_counts()
    cols = st.columns(len(CHANGE_KINDS) + 1)
    for col, kind in zip(cols, CHANGE_KINDS, strict=False):
        col.metric(_(KIND_LABELS[kind]), lang.number(int(counts.get(kind, 0))))
    cols[-1].metric(_("Newly overdue"), int(moved.changes["newly_overdue"].sum()))
    left, right = st.columns(2)
    left.markdown(f"**{_('By area and pillar')}**")
    left.dataframe(moved.by_area, hide_index=True, width="stretch")
    right.markdown(f"**{_('By member (A–Z)')}**")
    right.dataframe(moved.by_member, hide_index=True, width="stretch")
    changed = moved.changes[(moved.changes["change"] != "unchanged") | moved.changes["newly_overdue"]]
    with st.expander(_("Actions that changed: {count}").format(count=lang.number(len(changed)))):
        show_rows(changed, key=f"{key}_changed", file_name=file_name, dataset=dataset)


def _take_snapshot(snapshots: Snapshots, key: str) -> None:
    user = current_user()
    if not can_review(user):
        return
    _ = current_language().gettext
    with st.expander(_("Take a snapshot of the records now (reviewers)")):
        name = st.text_input(
            _("Name of the meeting or occasion"), key=f"{key}_snapshot_name", placeholder=_("19th AHG SOM, Dec 2025")
        )
        if st.button(_("Take snapshot"), key=f"{key}_snapshot_take"):
            try:
                info = snapshots.take(get_dataset(), name, user)
                st.success(
                    _("Snapshot '{name}' taken: {count} actions, data as of {day}.").format(
                        name=plain(info.name), count=info.actions, day=info.data_as_of
                    )
                )
            except (AccessDeniedError, ValueError) as problem:
                st.error(plain(problem))  # the message may quote the name as typed

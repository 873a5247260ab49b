"""Compare: how do 2–4 members, member groups or meeting snapshots stand side by side, on identical scales?"""

import datetime as dt
import itertools
from dataclasses import replace

import pandas as pd
import streamlit as st

from loaders.dataset import Dataset
from tracker import settings
from tracker.access import can_see_confidential
from tracker.figures.compare import compare_bars_figure
from tracker.figures.status import status_bar_figure
from tracker.records.snapshots import Snapshots, as_dataset, snapshot_changes
from tracker.views import compare as cmp
from tracker.views.filters import GROUPS, View, apply_filters
from tracker.views.gaps import STALE_AFTER_DAYS
from tracker.views.provenance import status_note
from ui.auth import current_user
from ui.cache import get_dataset
from ui.components import data_banner, show_chart
from ui.lang import current_language
from ui.movement import show_snapshot_changes
from ui.sidebar import current_filters
from ui.text import plain


# The subjects live in the URL under their own keys (cmp_members, cmp_groups, cmp_snapshots: cmp.QUERY_KEYS), apart
# from the sidebar's filter keys, so /compare?cmp_members=IDN,THA&framework=BWP is both a comparison and a filter.
def labelled(frame: pd.DataFrame, labels: dict[str, str], names: dict[str, str] | None = None) -> pd.DataFrame:
    """A table for people: subject ids as their names, ids of ``names`` replaced, column labels."""
    table = frame.assign(subject=frame["subject"].map(labels))
    if names:
        column = next(c for c in ("framework", "theme", "status") if c in table.columns)
        table[column] = table[column].map(names)
    return table.rename(columns={column: _(label) for column, label in cmp.COLUMN_LABELS.items()})


def spoken_dataset() -> Dataset:
    """The data set with its catalog in the page's language (status labels, members' names; ids unchanged)."""
    dataset = get_dataset()
    return replace(dataset, catalog=dataset.catalog.in_language(lang.code))


def of(count: int, total: int) -> str:
    """``3 of 13``, the numbers in the page's language."""
    return _("{count} of {total}").format(count=lang.number(count), total=lang.number(total))


def show_members_or_groups(kind: str, subjects: list[str]) -> None:
    """Key figures side by side, then status, coverage, dual reporting, themes and freshness on shared scales."""
    dataset, filters, today = spoken_dataset(), current_filters(), settings.today()
    catalog, confidential = dataset.catalog, can_see_confidential(current_user())
    views = {
        s: apply_filters(dataset, cmp.subject_filters(filters, kind, s), can_see_confidential=confidential)
        for s in subjects
    }
    labels = {s: catalog.members[s].name if kind == cmp.MEMBERS else _(GROUPS[s]) for s in subjects}
    coverage, mix = cmp.coverage_by_framework(views), cmp.status_mix(views)
    dual, themes = cmp.dual_framework_share(views), cmp.themes_covered(views)
    fresh = cmp.freshness_by_subject(views, today, STALE_AFTER_DAYS)
    cards = [column.container(border=True) for column in st.columns(len(subjects))]
    for column, subject in zip(cards, subjects, strict=True):
        column.subheader(plain(labels[subject] + (f" ({subject})" if kind == cmp.MEMBERS else "")))
        row, cov = fresh.set_index("subject").loc[subject], coverage[coverage["subject"] == subject]
        column.metric(_("Actions reported"), lang.number(int(row["actions"])))
        if kind == cmp.GROUPS_KIND:
            column.metric(_("Members reporting"), of(int(row["members_reporting"]), int(row["members"])))
        column.metric(
            _("Areas and pillars with an action"), of(int(cov["covered"].sum()), int(cov["top_levels"].sum()))
        )
        latest = _("no update") if pd.isna(row["last_updated"]) else lang.short_date(row["last_updated"].date())
        column.metric(_("Latest update"), latest)
        share = dual.set_index("subject").loc[subject, "dual_share"]
        column.metric(_("Under both frameworks"), "–" if pd.isna(share) else lang.percent(share))
        covered = themes[(themes["subject"] == subject) & (themes["actions"] > 0)]
        column.metric(_("Themes with an action"), of(len(covered), len(catalog.themes)))
        if row["actions"] == 0:
            column.info(
                _("{name} has no action in the current filters, so its figures are zeros.").format(
                    name=plain(labels[subject])
                )
            )

    status_labels = {s: f"{st_.icon} {st_.label}" for s, st_ in catalog.statuses.items()}
    fig = status_bar_figure(
        mix.rename(columns={"subject": "group"}),
        catalog,
        labels=labels,
        share=True,
        title=_("Status of each one's actions (shares of its own actions)"),
        axis_title="",
        lang=lang,
    )
    fig.update_xaxes(range=[0, 1])
    show_chart(
        fig,
        labelled(mix, labels, status_labels),
        key="compare_status",
        file_name="compare-status",
        dataset=dataset,
        caption=_("Shares, because members differ in size: the table has the counts too."),
    )
    frameworks = {f: catalog.frameworks[f].short_name for f in coverage["framework"].unique()}
    show_chart(
        compare_bars_figure(
            coverage,
            labels,
            value="share",
            category="framework",
            categories=frameworks,
            title=_("Areas and pillars with at least one action"),
            axis_title=_("Framework"),
            lang=lang,
        ),
        labelled(coverage, labels, frameworks),
        key="compare_coverage",
        file_name="compare-coverage",
        dataset=dataset,
        caption=_("An area or pillar counts when an action reports against it or one of its items."),
    )
    with st.expander(_("Actions under each area and pillar")):
        by_area = cmp.actions_by_top_level(views).rename(
            columns={**labels, "commitment": _("Area or pillar"), "title": _("Title")}
        )
        st.dataframe(by_area, hide_index=True, width="stretch")
    show_chart(
        compare_bars_figure(
            dual,
            labels,
            value="dual_share",
            title=_("Actions reported under both frameworks"),
            axis_title="",
            lang=lang,
        ),
        labelled(dual, labels),
        key="compare_dual",
        file_name="compare-dual-framework",
        dataset=dataset,
        caption=_("Actions citing both an Adelaide and a Bohol commitment in scope, as on ASEAN overlap."),
    )
    theme_names = {t: catalog.themes[t].label for t in catalog.themes}
    if theme_names:
        show_chart(
            compare_bars_figure(
                themes,
                labels,
                value="share",
                category="theme",
                categories=theme_names,
                title=_("Share of actions serving each theme"),
                axis_title=_("Theme"),
                lang=lang,
            ),
            labelled(themes, labels, theme_names),
            key="compare_themes",
            file_name="compare-themes",
            dataset=dataset,
            caption=_("An action serves the themes of the commitments it reports against."),
        )
    days = fresh["days_since_update"].astype("float64")
    show_chart(
        compare_bars_figure(
            fresh,
            labels,
            value="days_since_update",
            empty_text=_("no update"),
            x_max=max(float(days.max()) if days.notna().any() else 0.0, STALE_AFTER_DAYS),
            title=_("Days since the latest update"),
            axis_title="",
            lang=lang,
        ),
        labelled(fresh, labels),
        key="compare_freshness",
        file_name="compare-freshness",
        dataset=dataset,
        caption=_("Records count as stale when their latest update is over {days} days old.").format(
            days=lang.number(STALE_AFTER_DAYS)
        ),
    )


def show_snapshots(points: list[str], snapshots: Snapshots) -> None:
    """Each point's status mix on one scale, then what changed between consecutive points (as What moved does)."""
    dataset, filters, today = spoken_dataset(), current_filters(), settings.today()
    catalog, confidential = dataset.catalog, can_see_confidential(current_user())
    views: dict[str, View] = {}
    dates: dict[str, dt.date] = {}
    labels: dict[str, str] = {}
    for point in points:
        if point == cmp.TODAY:
            views[point] = apply_filters(dataset, filters, can_see_confidential=confidential)
            dates[point], labels[point] = today, _("Today ({day})").format(day=lang.short_date(today))
        else:
            snapshot = snapshots.load(point)
            records = as_dataset(snapshot, catalog)
            views[point] = apply_filters(records, filters, can_see_confidential=confidential)
            dates[point] = dt.date.fromisoformat(snapshot.info.taken_at[:10])
            labels[point] = f"{snapshot.info.name} ({lang.short_date(dates[point])})"
    mix = cmp.status_mix(views)
    fig = status_bar_figure(
        mix.rename(columns={"subject": "group"}),
        catalog,
        labels=labels,
        share=True,
        title=_("Status of the actions at each point (shares)"),
        axis_title="",
        lang=lang,
    )
    fig.update_xaxes(range=[0, 1])
    status_labels = {s: f"{x.icon} {x.label}" for s, x in catalog.statuses.items()}
    show_chart(
        fig,
        labelled(mix, labels, status_labels),
        key="compare_snapshot_status",
        file_name="compare-snapshots-status",
        dataset=dataset,
        caption=_("The table has the counts too."),
    )
    for before, after in itertools.pairwise(points):
        st.subheader(plain(_("From {before} to {after}").format(before=labels[before], after=labels[after])))
        moved = snapshot_changes(
            views[after], snapshots.load(before), can_see_confidential=confidential, today=dates[after], lang=lang
        )
        show_snapshot_changes(
            moved, key=f"compare_{before}_{after}", file_name=f"changed-{before}-to-{after}", dataset=dataset
        )


lang = current_language()
_ = lang.gettext  # bound once: the option labels' format functions are called again outside this run
dataset = spoken_dataset()
st.title(_("Compare"))
st.caption(
    _(
        "Pick 2 to 4 members, member groups or meeting snapshots and see them side by side, on the same scales. "
        "This page does not rank: members are listed A–Z by name, groups in their usual order and snapshots by "
        "date, never by a figure."
    )
    + " "
    + status_note(dataset, short=True, lang=lang)
)
catalog = dataset.catalog
data_banner(dataset)
store = Snapshots(settings.data_dir())
infos = {i.slug: i for i in store.list()}  # oldest first
options = {
    cmp.MEMBERS: cmp.ordered_members(catalog, catalog.members),
    cmp.GROUPS_KIND: list(GROUPS),
    cmp.SNAPSHOTS: [*infos, cmp.TODAY],
}
names = {
    cmp.MEMBERS: lambda m: f"{catalog.members[m].name} ({m})",
    cmp.GROUPS_KIND: lambda g: _(GROUPS[g]),
    cmp.SNAPSHOTS: lambda s: (
        _("Today (the current records)")
        if s == cmp.TODAY
        else _("{name} (taken {day})").format(name=infos[s].name, day=infos[s].taken_at[:10])
    ),
}
if "compare_kind" not in st.session_state:
    asked = [k for k, param in cmp.QUERY_KEYS.items() if param in st.query_params]
    st.session_state["compare_kind"] = asked[0] if asked else cmp.MEMBERS
kind = st.radio(
    _("Compare"), list(cmp.KINDS), format_func=lambda k: _(cmp.KINDS[k]), key="compare_kind", horizontal=True
)
key = f"compare_{kind}"
if key not in st.session_state:
    known, unknown = cmp.parse_subjects(st.query_params.get_all(cmp.QUERY_KEYS[kind]), options[kind])
    st.session_state[key] = [s for s in options[kind] if s in known]  # the options' order, as written back
    if unknown:
        st.caption(_("Not found, so left out: {subjects}.").format(subjects=plain(", ".join(unknown))))
noun = _(cmp.KINDS[kind])
chosen = st.multiselect(
    noun,
    options[kind],
    format_func=names[kind],
    key=key,
    placeholder=_("Choose 2 to 4 {subjects}").format(subjects=noun.lower()),
)
subjects = [s for s in options[kind] if s in chosen]  # the fixed order of the options, never the order clicked
for other, param in cmp.QUERY_KEYS.items():
    if other == kind and subjects:
        st.query_params[param] = ",".join(subjects)
    elif param in st.query_params:
        del st.query_params[param]

if kind == cmp.SNAPSHOTS and not infos:
    st.info(_("No meeting snapshot has been taken yet. Reviewers take one on *Progress*, under What moved."))
elif problem := cmp.subject_count_problem(len(subjects), noun.lower(), lang):
    st.info(problem, icon=":material/compare_arrows:")
elif kind == cmp.SNAPSHOTS:
    show_snapshots(subjects, store)
else:
    st.caption(
        _(
            "The member and member-group filters give way to the choice here; every other sidebar filter applies "
            "to each one alike."
        )
    )
    show_members_or_groups(kind, subjects)

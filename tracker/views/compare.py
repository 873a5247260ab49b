"""Side by side: 2–4 members, member groups or meeting snapshots on identical scales.

Each subject gets its own :class:`~tracker.views.filters.View`, made with the same
sidebar filters except the member dimension, which the subject sets (a member
compared is that member, a group compared is that group, as on the member
profile). Every function below takes those views as ``{subject: View}`` and returns
one tidy frame with a ``subject`` column, subjects in the order given: the page
passes them in a fixed order that is never a ranking (members A–Z by name, groups
in :data:`~tracker.views.filters.GROUPS` order, snapshots by date). Nothing here
sorts by a figure.

Snapshot comparisons need the records (``tracker.records.snapshots``), which this
layer may not import; the page does them with the functions *What moved* uses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import replace

import pandas as pd

from loaders.catalog import Catalog
from loaders.i18n import N_, Language, language
from tracker.views.filters import GROUPS, Filters, View, effective_themes
from tracker.views.overlap import dual_framework_actions
from tracker.views.overview import covered_commitments, freshness, status_order

MEMBERS = "members"
GROUPS_KIND = "groups"
SNAPSHOTS = "snapshots"
KINDS: dict[str, str] = {
    MEMBERS: N_("Members"),
    GROUPS_KIND: N_("Member groups"),
    SNAPSHOTS: N_("Meeting snapshots"),
}
"""What can be compared, with the word the page uses for it (English; translated where shown)."""

QUERY_KEYS: dict[str, str] = {MEMBERS: "cmp_members", GROUPS_KIND: "cmp_groups", SNAPSHOTS: "cmp_snapshots"}
"""The URL parameter of each kind (``/compare?cmp_members=IDN,THA``): distinct from the sidebar's filter keys."""

TODAY = "today"
"""The snapshot subject that stands for the current records (the current view)."""

MIN_SUBJECTS = 2
MAX_SUBJECTS = 4

COLUMN_LABELS: dict[str, str] = {
    "subject": N_("Compared"),
    "framework": N_("Framework"),
    "top_levels": N_("Areas or pillars in scope"),
    "covered": N_("With at least one action"),
    "share": N_("Share"),
    "status": N_("Status (as reported)"),
    "actions": N_("Actions"),
    "members": N_("Members"),
    "members_reporting": N_("Members reporting"),
    "members_stale": N_("Members with stale records"),
    "last_updated": N_("Latest update"),
    "days_since_update": N_("Days since the latest update"),
    "dual_actions": N_("Under both frameworks"),
    "dual_share": N_("Share under both"),
    "theme": N_("Theme"),
}
"""Display labels for the columns of the frames below (ids stay the column names; English, translated where shown)."""


def parse_subjects(raw: str | list[str], allowed: Iterable[str]) -> tuple[list[str], list[str]]:
    """Split a comma-separated URL value into known subjects and unknown ones.

    Args:
        raw: the parameter's value (a list when the key is repeated: the last one counts).
        allowed: the subject ids that exist.

    Returns:
        ``(known, unknown)``, each without duplicates, in the order written.
    """
    text = (raw[-1] if raw else "") if isinstance(raw, list) else raw
    allowed_set = set(allowed)
    values = list(dict.fromkeys(v.strip() for v in (text or "").split(",") if v.strip()))
    return [v for v in values if v in allowed_set], [v for v in values if v not in allowed_set]


def ordered_members(catalog: Catalog, members: Iterable[str]) -> list[str]:
    """Members A–Z by name (then id): the one order of members that is never a ranking."""
    return sorted(set(members), key=lambda m: (catalog.members[m].name, m))


def ordered_groups(groups: Iterable[str]) -> list[str]:
    """Groups in :data:`GROUPS` order."""
    chosen = set(groups)
    return [g for g in GROUPS if g in chosen]


def subject_count_problem(count: int, noun: str, lang: Language | None = None) -> str | None:
    """The message for a number of subjects outside 2–4, or None when it is fine (in ``lang``, English by default).

    Args:
        count: how many subjects are chosen.
        noun: what they are, plural ("members"), already in ``lang``.
        lang: the language of the message.
    """
    lang = lang or language()
    _ = lang.gettext
    low, high = lang.number(MIN_SUBJECTS), lang.number(MAX_SUBJECTS)
    if count == 0:
        return _("Pick {low} to {high} {noun} to compare: none is chosen.").format(low=low, high=high, noun=noun)
    if count < MIN_SUBJECTS:
        return _("Pick {low} to {high} {noun} to compare: only one is chosen.").format(low=low, high=high, noun=noun)
    if count > MAX_SUBJECTS:
        return _(
            "Pick {low} to {high} {noun} to compare: {count} are chosen. Remove {extra} so the charts stay readable "
            "side by side."
        ).format(low=low, high=high, noun=noun, count=lang.number(count), extra=lang.number(count - MAX_SUBJECTS))
    return None


def subject_filters(filters: Filters, kind: str, subject: str) -> Filters:
    """The sidebar filters for one member or group: the subject sets the member dimension.

    The member and member-group filters give way (a member compared is shown even
    when the sidebar's group leaves it out); every other filter stays.

    Raises:
        ValueError: ``kind`` is not ``members`` or ``groups``.
    """
    if kind == MEMBERS:
        return replace(filters, members=(subject,), group=None)
    if kind == GROUPS_KIND:
        return replace(filters, members=(), group=subject)
    raise ValueError(f"'{kind}' subjects have no filters of their own; use '{MEMBERS}' or '{GROUPS_KIND}'")


def coverage_by_framework(views: Mapping[str, View]) -> pd.DataFrame:
    """Per subject and framework: how many of its areas or pillars in scope have at least one action.

    An area counts as covered when an action reports against it or one of its items.

    Returns:
        Columns ``subject``, ``framework`` (id), ``top_levels`` (in scope), ``covered``
        and ``share`` (0–1); every framework in scope for every subject, zeros included.
    """
    rows = []
    for subject, view in views.items():
        covered = covered_commitments(view)
        for framework in view.catalog.frameworks:
            tops = [c for c in view.top_level_ids if view.catalog.commitments[c].framework == framework]
            if not tops:
                continue
            hit = sum(c in covered for c in tops)
            rows.append((subject, framework, len(tops), hit, hit / len(tops)))
    frame = pd.DataFrame(rows, columns=["subject", "framework", "top_levels", "covered", "share"])
    return frame.astype({"subject": "str", "framework": "str", "top_levels": "int64", "covered": "int64"}).astype(
        {"share": "float64"}
    )


def actions_by_top_level(views: Mapping[str, View]) -> pd.DataFrame:
    """Actions per area or pillar, one column per subject (an action citing two areas counts in each).

    Returns:
        One row per area or pillar in scope (catalog order): ``commitment`` (id),
        ``title``, then one int column per subject, in the order given.
    """
    first = next(iter(views.values()))
    tops = list(first.top_level_ids)
    catalog = first.catalog
    frame = pd.DataFrame({"commitment": tops, "title": [catalog.commitments[c].shown_title for c in tops]})
    for subject, view in views.items():
        counts = view.links[["action_key", "top_level"]].drop_duplicates()["top_level"].value_counts()
        frame[subject] = counts.reindex(tops, fill_value=0).to_numpy().astype("int64")
    return frame.astype({"commitment": "str", "title": "str"})


def status_mix(views: Mapping[str, View]) -> pd.DataFrame:
    """Actions per status for each subject, as counts and as shares of the subject's actions.

    Returns:
        Columns ``subject``, ``status`` (scale order, every status), ``actions`` and
        ``share`` (0–1; missing when the subject has no action, as a share of nothing is not 0 %).
    """
    parts = []
    for subject, view in views.items():
        statuses = status_order(view.catalog)
        counts = view.actions["status"].value_counts().reindex(statuses, fill_value=0).astype("int64")
        total = int(counts.sum())
        shares = counts / total if total else pd.Series(float("nan"), index=statuses)
        parts.append(pd.DataFrame({"subject": subject, "status": statuses, "actions": counts.to_numpy()}))
        parts[-1]["share"] = shares.to_numpy().astype("float64")
    frame = pd.concat(parts, ignore_index=True)
    return frame.astype({"subject": "str", "status": "str", "actions": "int64", "share": "float64"})


def freshness_by_subject(views: Mapping[str, View], today: dt.date, stale_after_days: int) -> pd.DataFrame:
    """How recent each subject's records are (the rule of the Overview's freshness).

    Returns:
        Columns ``subject``, ``members`` (in the subject), ``members_reporting`` (with an
        action in scope), ``members_stale`` (latest update older than ``stale_after_days``),
        ``actions``, ``last_updated`` (latest, missing when no action) and
        ``days_since_update`` (to ``today``; missing when no action).
    """
    rows = []
    for subject, view in views.items():
        per_member = freshness(view, today, stale_after_days)
        latest = view.actions["last_updated"].max()
        rows.append(
            {
                "subject": subject,
                "members": len(per_member),
                "members_reporting": int((per_member["state"] != "not_reported").sum()),
                "members_stale": int((per_member["state"] == "stale").sum()),
                "actions": len(view.actions),
                "last_updated": latest,
            }
        )
    frame = pd.DataFrame(rows, columns=["subject", "members", "members_reporting", "members_stale", "actions"])
    frame["last_updated"] = pd.Series([r["last_updated"] for r in rows], dtype="datetime64[us]")
    frame["days_since_update"] = (pd.Timestamp(today) - frame["last_updated"]).dt.days.astype("Int64")
    ints = dict.fromkeys(["members", "members_reporting", "members_stale", "actions"], "int64")
    return frame.astype({"subject": "str", **ints})


def dual_framework_share(views: Mapping[str, View]) -> pd.DataFrame:
    """Share of each subject's actions reported under both frameworks (ASEAN overlap's definition).

    Returns:
        Columns ``subject``, ``actions``, ``dual_actions`` and ``dual_share`` (0–1;
        missing when the subject has no action).
    """
    rows = []
    for subject, view in views.items():
        total, dual = len(view.actions), len(dual_framework_actions(view))
        rows.append((subject, total, dual, dual / total if total else float("nan")))
    frame = pd.DataFrame(rows, columns=["subject", "actions", "dual_actions", "dual_share"])
    return frame.astype({"subject": "str", "actions": "int64", "dual_actions": "int64", "dual_share": "float64"})


def themes_covered(views: Mapping[str, View]) -> pd.DataFrame:
    """Per subject and theme: the actions serving it and their share of the subject's actions.

    An action serves a theme when a commitment in scope it reports against carries
    the theme (tagged, or through its area or pillar): the sidebar's theme rule.

    Returns:
        Columns ``subject``, ``theme`` (id, catalog order, every theme), ``actions`` and
        ``share`` (0–1; missing when the subject has no action). A theme is covered
        when ``actions`` > 0.
    """
    parts = []
    for subject, view in views.items():
        catalog = view.catalog
        themes = list(catalog.themes)
        cited = view.links[["action_key", "commitment_id"]].drop_duplicates()
        pairs = [(c, t) for c in cited["commitment_id"].unique() for t in effective_themes(catalog, c)]
        served = cited.merge(pd.DataFrame(pairs, columns=["commitment_id", "theme"], dtype="str"), on="commitment_id")
        counts = served.groupby("theme")["action_key"].nunique().reindex(themes, fill_value=0).to_numpy()
        total = len(view.actions)
        part = pd.DataFrame({"subject": subject, "theme": themes, "actions": counts})
        part["share"] = part["actions"] / total if total else float("nan")
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True)
    return frame.astype({"subject": "str", "theme": "str", "actions": "int64", "share": "float64"})

"""Headline figures and status breakdowns for the Overview page.

Pure functions over a :class:`~tracker.views.filters.View`; each returns numbers or a
tidy frame that a figure builder and a table can both use.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from loaders.catalog import Catalog
from loaders.i18n import Language, language
from tracker.views.filters import View
from tracker.views.provenance import STATUS_NOTE

NO_ACTION = "no_action"


@dataclass(frozen=True)
class Headline:
    """The four headline figures (counts kept so shares can be explained)."""

    actions: int
    members_reporting: int
    members_in_scope: int
    commitments_covered: int
    commitments_in_scope: int
    complete: int
    progress_actions: int

    @property
    def coverage_share(self) -> float | None:
        """Share of commitments in scope with at least one action (None when none in scope)."""
        return self.commitments_covered / self.commitments_in_scope if self.commitments_in_scope else None

    @property
    def complete_share(self) -> float | None:
        """Share of actions (excluding statuses counted apart) reported complete."""
        return self.complete / self.progress_actions if self.progress_actions else None


def covered_commitments(view: View) -> set[str]:
    """Commitments in scope with an action on them or on one of their sub-items."""
    catalog = view.catalog
    cited = set(view.links["commitment_id"])
    covered = set(cited)
    for cid in cited:
        parent = catalog.commitments[cid].parent
        while parent is not None:
            covered.add(parent)
            parent = catalog.commitments[parent].parent
    return covered & set(view.commitment_ids)


def headline(view: View) -> Headline:
    """Actions, members reporting, commitment coverage and share complete."""
    scale = view.catalog.scale
    in_progress = view.actions[~view.actions["status"].isin(scale.counted_apart)]
    return Headline(
        actions=len(view.actions),
        members_reporting=view.actions["member"].nunique(),
        members_in_scope=len(view.member_ids),
        commitments_covered=len(covered_commitments(view)),
        commitments_in_scope=len(view.commitment_ids),
        complete=int((in_progress["status"] == scale.complete).sum()),
        progress_actions=len(in_progress),
    )


def status_order(catalog: Catalog) -> list[str]:
    """Status ids in scale order."""
    return list(catalog.statuses)


def status_counts(view: View, by: str) -> pd.DataFrame:
    """Count actions per status, grouped by ``framework``, ``top_level`` or ``member``.

    An action linked to two areas counts once in each area (it is reported
    against both), but once per framework and once per member.

    Returns:
        Columns ``group``, ``status``, ``actions``; every (group, status) pair of
        the groups present appears, zeros included, in scale order.
    """
    if by == "member":
        pairs = view.actions[["action_key", "member", "status"]].rename(columns={"member": "group"})
    else:
        pairs = view.links[["action_key", by]].drop_duplicates().rename(columns={by: "group"})
        pairs = pairs.merge(view.actions[["action_key", "status"]], on="action_key")
    counts = pairs.groupby(["group", "status"]).size()
    groups = _ordered_groups(view, by, pairs["group"].unique())
    index = pd.MultiIndex.from_product([groups, status_order(view.catalog)], names=["group", "status"])
    frame = counts.reindex(index, fill_value=0).rename("actions").reset_index()
    return frame.astype({"group": "str", "status": "str", "actions": "int64"})


def _ordered_groups(view: View, by: str, present: object) -> list[str]:
    present_set = set(present)  # type: ignore[call-overload]
    catalog = view.catalog
    if by == "framework":
        order = list(catalog.frameworks)
    elif by == "top_level":
        order = list(view.top_level_ids)
    else:  # members alphabetically by name: never an order that reads as a ranking
        order = sorted(view.member_ids, key=lambda m: catalog.members[m].name)
    return [g for g in order if g in present_set]


def freshness(view: View, today: dt.date, stale_after_days: int) -> pd.DataFrame:
    """Per member in scope: actions, latest update, days since, and a freshness state.

    States: ``current`` (updated within ``stale_after_days``), ``stale`` (older)
    and ``not_reported`` (no action in scope).
    """
    actions = view.actions
    latest = actions.groupby("member")["last_updated"].max()
    counts = actions.groupby("member").size()
    frame = pd.DataFrame({"member": list(view.member_ids)})
    frame["name"] = frame["member"].map({m: view.catalog.members[m].name for m in view.member_ids})
    # reindex, not map: mapping through an empty datetime Series cannot keep the dtype
    frame["actions"] = counts.reindex(frame["member"], fill_value=0).to_numpy().astype("int64")
    frame["last_updated"] = latest.reindex(frame["member"]).to_numpy().astype("datetime64[us]")
    days = (pd.Timestamp(today) - frame["last_updated"]).dt.days
    frame["days_since_update"] = days.astype("Int64")
    frame["state"] = "current"
    frame.loc[days > stale_after_days, "state"] = "stale"
    frame.loc[frame["actions"] == 0, "state"] = "not_reported"
    return frame.astype({"member": "str", "name": "str", "state": "str"})


def catalog_caveats(catalog: Catalog, statuses: str = STATUS_NOTE, lang: Language | None = None) -> list[str]:
    """Plain-language caveats: what statuses are (``provenance.status_note``, already in ``lang``), how much of the
    catalog is verified; in ``lang`` (English)."""
    lang = lang or language()
    total = len(catalog.commitments)
    by_tag = pd.Series([c.confidence for c in catalog.commitments.values()]).value_counts()
    inferred = int(by_tag.get("I", 0) + by_tag.get("U", 0))
    links = pd.Series([link.confidence for link in catalog.links]).value_counts()
    return [
        statuses,
        lang.gettext(
            "{inferred} of {total} catalog commitments are **inferred** (not yet verified against the official "
            "documents): the Adelaide sub-items are numbered locally and most Bohol Work Plan items are placeholders."
        ).format(inferred=lang.number(inferred), total=lang.number(total)),
        lang.gettext("The ASEAN crosswalk is an editorial mapping: {inferred} of {total} links are inferred.").format(
            inferred=lang.number(int(links.get("I", 0))), total=lang.number(len(catalog.links))
        ),
    ]


@dataclass(frozen=True)
class KeyFigure:
    """One headline number as the dashboard shows it: label, formatted value, and how it is made."""

    label: str
    value: str
    note: str


def percent(value: float | None) -> str:
    """A share as a whole percentage, or an en dash when undefined."""
    return "–" if value is None else f"{value:.0%}"


def key_figures(figures: Headline, lang: Language | None = None) -> list[KeyFigure]:
    """The Overview page's four headline metrics, same labels and same formatting, in ``lang`` (English)."""
    lang = lang or language()
    _ = lang.gettext
    return [
        KeyFigure(_("Actions reported"), lang.number(figures.actions), _("Actions in scope.")),
        KeyFigure(
            _("Members reporting"),
            _("{reporting} of {scope}").format(
                reporting=lang.number(figures.members_reporting), scope=lang.number(figures.members_in_scope)
            ),
            _("Members in scope with at least one action in scope."),
        ),
        KeyFigure(
            _("Commitments with any action"),
            percent(figures.coverage_share),
            _(
                "{covered} of {scope} commitments in scope have at least one action on them or on one of their items."
            ).format(covered=lang.number(figures.commitments_covered), scope=lang.number(figures.commitments_in_scope)),
        ),
        KeyFigure(
            _("Actions reported complete"),
            percent(figures.complete_share),
            _("{complete} of {total} actions; discontinued actions are counted apart.").format(
                complete=lang.number(figures.complete), total=lang.number(figures.progress_actions)
            ),
        ),
    ]

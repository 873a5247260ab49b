"""Gaps: which member × commitment pairs have no action reported, and who is stale.

The matrix summarises each (member, commitment) pair by the furthest status
any of its actions has reached, so "● 3" reads "three actions, one complete".
Pairs with no action are kept (not dropped) because the empty cells are the
message.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from loaders.catalog import Catalog
from tracker.views.filters import View
from tracker.views.overview import NO_ACTION, covered_commitments, freshness

# Reporting runs twice a year; a member whose latest update is older than two
# reporting cycles has missed at least one round. See the Method page.
STALE_AFTER_DAYS = 365


def pair_links(view: View, level: str) -> pd.DataFrame:
    """(action_key, member, commitment) pairs at ``level``: ``top_level`` or ``commitment``.

    At ``top_level`` an action on an item counts for its area or pillar.
    """
    column = "top_level" if level == "top_level" else "commitment_id"
    links = view.links[["action_key", column]].drop_duplicates().rename(columns={column: "commitment"})
    return links.merge(view.actions[["action_key", "member", "status"]], on="action_key")


def gap_matrix(view: View, level: str = "top_level") -> pd.DataFrame:
    """Every (member, commitment) pair in scope with its action count and furthest status.

    Args:
        view: the filtered data.
        level: ``top_level`` (areas and pillars; items roll up) or ``commitment``
            (every catalog commitment as cited).

    Returns:
        Columns ``member``, ``commitment``, ``actions``, ``status`` in member ×
        commitment catalog order; ``status`` is ``no_action`` where there are
        no actions. The furthest status ignores statuses counted apart
        (discontinued) unless they are all the pair has.
    """
    catalog = view.catalog
    pairs = pair_links(view, level)
    order = {sid: s.order for sid, s in catalog.statuses.items()}
    apart = set(catalog.scale.counted_apart)
    # Rank so that any status on the progress scale beats a status counted apart.
    pairs["rank"] = pairs["status"].map(order).astype("float64") - pairs["status"].isin(apart) * 1000
    best = (
        pairs.sort_values("rank")
        .groupby(["member", "commitment"])
        .agg(actions=("action_key", "nunique"), status=("status", "last"))
    )
    columns = list(view.top_level_ids if level == "top_level" else view.commitment_ids)
    index = pd.MultiIndex.from_product([list(view.member_ids), columns], names=["member", "commitment"])
    matrix = best.reindex(index).reset_index()
    matrix["actions"] = matrix["actions"].fillna(0).astype("int64")
    matrix["status"] = matrix["status"].fillna(NO_ACTION)
    return matrix.astype({"member": "str", "commitment": "str", "status": "str"})


def pair_actions(view: View, member: str, commitment: str, level: str = "top_level") -> pd.DataFrame:
    """The actions behind one matrix cell, with evidence, newest update first."""
    pairs = pair_links(view, level)
    keys = pairs.loc[(pairs["member"] == member) & (pairs["commitment"] == commitment), "action_key"]
    actions = view.actions[view.actions["action_key"].isin(keys)]
    return actions.sort_values("last_updated", ascending=False).reset_index(drop=True)


def uncovered_commitments(view: View) -> pd.DataFrame:
    """Commitments in scope on which no member in scope reports any action (nor on a sub-item)."""
    covered = covered_commitments(view)
    catalog = view.catalog
    rows = [
        {
            "commitment": cid,
            "framework": catalog.commitments[cid].framework,
            "title": catalog.commitments[cid].shown_title,
            "level": catalog.commitments[cid].level,
            "confidence": catalog.commitments[cid].confidence,
        }
        for cid in view.commitment_ids
        if cid not in covered
    ]
    columns = ["commitment", "framework", "title", "level", "confidence"]
    return pd.DataFrame(rows, columns=columns).astype("str")


def members_without_actions(view: View, today: dt.date) -> pd.DataFrame:
    """Members in scope with no action in scope, alphabetical by name."""
    frame = freshness(view, today, STALE_AFTER_DAYS)
    return frame.loc[frame["state"] == "not_reported", ["member", "name"]].sort_values("name").reset_index(drop=True)


def stale_members(view: View, today: dt.date, stale_after_days: int = STALE_AFTER_DAYS) -> pd.DataFrame:
    """Members whose latest update in scope is older than ``stale_after_days``, alphabetical by name."""
    frame = freshness(view, today, stale_after_days)
    stale = frame.loc[frame["state"] == "stale", ["member", "name", "actions", "last_updated", "days_since_update"]]
    return stale.sort_values("name").reset_index(drop=True)


def gap_table(matrix: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """The matrix as a readable table: names, titles and "icon Label" statuses."""
    no_action = catalog.scale.no_action
    labels = {sid: f"{s.icon} {s.label}" for sid, s in catalog.statuses.items()}
    labels[NO_ACTION] = f"{no_action.icon} {no_action.label}"
    return pd.DataFrame(
        {
            "member": matrix["member"],
            "member_name": matrix["member"].map({m: catalog.members[m].name for m in catalog.members}),
            "commitment": matrix["commitment"],
            "title": matrix["commitment"].map({c: catalog.commitments[c].shown_title for c in catalog.commitments}),
            "actions": matrix["actions"],
            "furthest_status": matrix["status"].map(labels),
        }
    ).astype({"member_name": "str", "title": "str", "furthest_status": "str"})

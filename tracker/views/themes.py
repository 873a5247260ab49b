"""Cross-cutting themes: who works on a theme, under which framework, through which ASEAN body, what moved.

A theme is tagged on commitments (``commitments.yaml`` ``themes:``); an item carries
its area's or pillar's themes too (:func:`~tracker.views.filters.effective_themes`),
and an action's themes are those of the commitments in scope it reports against:
the rule the sidebar's theme filter applies. Everything here is a pure function
of a :class:`~tracker.views.filters.View`, so the sidebar filters (and what the
role may see) hold on the Themes page as on every other page.

The tagging and the crosswalk are editorial (confidence I): what rests on them
is a prompt for review, never a judgement. Statuses are members' own reports.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from loaders.catalog import Catalog
from loaders.i18n import N_, Language
from loaders.lookup import isin
from tracker.views.action_table import cells_said
from tracker.views.filters import GROUPS, View, effective_themes, member_group
from tracker.views.overlap import say_relations
from tracker.views.overview import status_order

CROSSWALK_AND_ACTIONS = N_("crosswalk and actions")
CROSSWALK_ONLY = N_("crosswalk only")
ACTIONS_ONLY = N_("actions only")
TAGGED = N_("tagged")
THROUGH = N_("through {commitment}")
"""How a commitment carries a theme: tagged itself, or through its area or pillar (``through ASC-4``)."""

COLUMN_LABELS: dict[str, str] = {
    "framework": N_("Framework"),
    "commitment": N_("Commitment"),
    "title": N_("Title"),
    "carried": N_("Carries the theme"),
    "actions": N_("Actions under the theme"),
    "mechanism": N_("ASEAN mechanism"),
    "name": N_("Name"),
    "crosswalk": N_("Crosswalk links to the theme's commitments"),
    "basis": N_("Found through"),
    "member": N_("Member"),
    "group": N_("Member group"),
}
"""Display labels for the columns of the frames below (ids stay the column names; translated where shown)."""


def in_words(frame: pd.DataFrame, lang: Language) -> pd.DataFrame:
    """A frame of this module as a reader of ``lang`` sees it: how a commitment carries the theme, how a mechanism
    was found (and the crosswalk relations), the member groups' labels in ``lang``. Ids, names, titles and counts
    are unchanged, and so is every column name."""
    through = THROUGH.split("{", 1)[0]  # "through "

    def carried(value: str) -> str:
        if value.startswith(through):
            return lang.gettext(THROUGH).format(commitment=value.removeprefix(through))
        return lang.gettext(value) if value == TAGGED else value

    said = {
        "carried": carried,
        "basis": lang.gettext,
        "crosswalk": lambda v: say_relations(v, lang),
        "group": lambda v: lang.gettext(v) if v in GROUPS.values() else v,
    }
    return cells_said(frame, said)


def theme_commitment_ids(view: View, theme: str) -> tuple[str, ...]:
    """The commitments in scope that carry ``theme`` (tagged, or through their area or pillar), catalog order."""
    return tuple(c for c in view.commitment_ids if theme in effective_themes(view.catalog, c))


def theme_view(view: View, theme: str) -> View:
    """``view`` narrowed to one theme: its commitments, the actions reporting against them, their links.

    The same narrowing the sidebar's theme filter makes, applied on top of the
    view (never widening it, and keeping what the role may see). An action
    reporting against a commitment of the theme and one outside it keeps only
    the first link, so it counts under the framework and area of the theme.

    The result's ``filters`` are the view's with the theme filter set to
    ``theme`` when that says exactly what the result holds (the view had no
    theme filter, or one including ``theme``); otherwise (a theme filter
    without ``theme``: the result is the actions on commitments carrying both)
    they are the view's own.
    """
    commitment_ids = theme_commitment_ids(view, theme)
    links = view.links[view.links["commitment_id"].isin(commitment_ids)].reset_index(drop=True)
    actions = view.actions[isin(view.actions["action_key"], links["action_key"])].reset_index(drop=True)
    mechanisms = view.mechanisms[isin(view.mechanisms["action_key"], actions["action_key"])].reset_index(drop=True)
    exact = not view.filters.themes or theme in view.filters.themes
    filters = replace(view.filters, themes=(theme,)) if exact else view.filters
    return View(view.dataset, filters, actions, links, mechanisms, view.member_ids, commitment_ids)


def action_themes(view: View) -> pd.DataFrame:
    """Each action in the view with each theme it serves.

    Returns:
        Columns ``action_key`` and ``theme``, one row per distinct pair, themes
        in catalog order; an action citing no themed commitment has no row.
    """
    catalog = view.catalog
    cited = view.links["commitment_id"].drop_duplicates()
    pairs = [(c, t) for c in cited for t in catalog.themes if t in effective_themes(catalog, c)]
    themes_of = pd.DataFrame(pairs, columns=["commitment_id", "theme"], dtype="str")
    frame = view.links[["action_key", "commitment_id"]].merge(themes_of, on="commitment_id")
    frame = frame[["action_key", "theme"]].drop_duplicates()
    order = {t: i for i, t in enumerate(catalog.themes)}
    frame = frame.sort_values(["action_key", "theme"], key=lambda s: s.map(order) if s.name == "theme" else s)
    return frame.reset_index(drop=True).astype({"action_key": "str", "theme": "str"})


def theme_pairs(view: View) -> pd.DataFrame:
    """How many actions in the view serve each pair of themes.

    Returns:
        A square frame, themes (ids, catalog order) as index and columns; cell
        (a, b) counts the distinct actions serving both a and b, so the
        diagonal counts the actions serving each theme, and the frame is
        symmetric. Every catalog theme is there, zeros included.
    """
    themes = list(view.catalog.themes)
    served = action_themes(view)
    both = served.merge(served, on="action_key", suffixes=("_a", "_b"))
    counts = both.groupby(["theme_a", "theme_b"]).size()
    grid = pd.MultiIndex.from_product([themes, themes], names=["theme_a", "theme_b"])
    square = counts.reindex(grid, fill_value=0).unstack("theme_b").reindex(index=themes, columns=themes)
    square.index.name, square.columns.name = "theme", None
    return square.astype("int64")


def theme_commitments(theme_scope: View, theme: str) -> pd.DataFrame:
    """The commitments of a theme view (:func:`theme_view`), by framework, with how each carries the theme.

    Returns:
        One row per commitment in catalog order: ``framework`` (short name),
        ``commitment`` (id), ``title`` (``shown_title``: a working item says so),
        ``carried`` (``"tagged"``, or ``"through ASC-4"`` for an item that has
        the theme from its area or pillar) and ``actions`` (actions in the view
        citing that commitment itself).
    """
    catalog = theme_scope.catalog
    cited = theme_scope.links[["action_key", "commitment_id"]].drop_duplicates()["commitment_id"].value_counts()
    rows = []
    for cid in theme_scope.commitment_ids:
        commitment = catalog.commitments[cid]
        rows.append(
            {
                "framework": catalog.frameworks[commitment.framework].short_name,
                "commitment": cid,
                "title": commitment.shown_title,
                "carried": _carried(theme_scope, cid, theme),
                "actions": int(cited.get(cid, 0)),
            }
        )
    columns = ["framework", "commitment", "title", "carried", "actions"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({"framework": "str", "commitment": "str", "title": "str", "carried": "str", "actions": "int64"})


def _carried(view: View, commitment_id: str, theme: str) -> str:
    """``"tagged"``, or ``"through <ancestor>"``: the nearest area or pillar above it tagged with the theme."""
    catalog = view.catalog
    current: str | None = commitment_id
    while current is not None and current in catalog.commitments:
        if theme in catalog.commitments[current].themes:
            return TAGGED if current == commitment_id else THROUGH.format(commitment=current)
        current = catalog.commitments[current].parent
    return ""  # not reached for a commitment of a theme view


def theme_mechanisms(theme_scope: View) -> pd.DataFrame:
    """The ASEAN mechanisms of a theme view (:func:`theme_view`), and how each was found.

    Two ways, both listed: the editorial crosswalk (``catalog.links``) links the
    mechanism to a commitment of the theme (that commitment itself, read either
    way round), and actions under the theme list the mechanism.

    Returns:
        One row per mechanism found, catalog order: ``mechanism`` (id), ``name``,
        ``crosswalk`` (the linked commitments with the relation, e.g.
        ``"ASC-6 (overlapping); BWP-B (overlapping)"``, empty when none),
        ``actions`` (distinct actions under the theme listing it) and ``basis``
        (:data:`CROSSWALK_AND_ACTIONS`, :data:`CROSSWALK_ONLY` or :data:`ACTIONS_ONLY`).
    """
    catalog = theme_scope.catalog
    commitments = set(theme_scope.commitment_ids)
    linked: dict[str, list[str]] = {}
    order = {c: i for i, c in enumerate(catalog.commitments)}
    for link in catalog.links:
        for mechanism, commitment in ((link.source, link.target), (link.target, link.source)):
            if mechanism in catalog.mechanisms and commitment in commitments:
                linked.setdefault(mechanism, []).append(commitment + f" ({link.relation})")
    listing = theme_scope.mechanisms[["action_key", "mechanism_id"]].drop_duplicates()["mechanism_id"].value_counts()
    rows = []
    for mechanism in catalog.mechanisms:
        links = sorted(linked.get(mechanism, []), key=lambda text: order[text.split(" ")[0]])
        actions = int(listing.get(mechanism, 0))
        if not links and not actions:
            continue
        basis = CROSSWALK_AND_ACTIONS if links and actions else CROSSWALK_ONLY if links else ACTIONS_ONLY
        rows.append(
            {
                "mechanism": mechanism,
                "name": catalog.mechanisms[mechanism].name,
                "crosswalk": "; ".join(links),
                "actions": actions,
                "basis": basis,
            }
        )
    columns = ["mechanism", "name", "crosswalk", "actions", "basis"]
    text = ["mechanism", "name", "crosswalk", "basis"]
    return pd.DataFrame(rows, columns=columns).astype({**dict.fromkeys(text, "str"), "actions": "int64"})


def status_by_group(view: View) -> pd.DataFrame:
    """Actions per status for each member group (``GROUPS`` order: ASEAN, other, organisations).

    Returns:
        Columns ``group``, ``status``, ``actions``, as ``overview.status_counts``
        gives them: every (group, status) pair of the groups present, zeros
        included, in scale order.
    """
    groups = {m: member_group(view.catalog, m) for m in view.actions["member"].unique()}
    pairs = view.actions.assign(group=view.actions["member"].map(groups))[["group", "status"]]
    counts = pairs.groupby(["group", "status"]).size()
    present = [g for g in GROUPS if g in set(pairs["group"])]
    index = pd.MultiIndex.from_product([present, status_order(view.catalog)], names=["group", "status"])
    frame = counts.reindex(index, fill_value=0).rename("actions").reset_index()
    return frame.astype({"group": "str", "status": "str", "actions": "int64"})


def members_with_and_without_actions(view: View) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The members in scope with at least one action in the view, and those with none.

    Both alphabetical by name (never an order that reads as a ranking), with
    columns ``member`` (id), ``name`` and ``group`` (the member group's label).
    """
    catalog = view.catalog
    frame = pd.DataFrame(
        {
            "member": list(view.member_ids),
            "name": [catalog.members[m].name for m in view.member_ids],
            "group": [GROUPS[member_group(catalog, m)] for m in view.member_ids],
        },
        columns=["member", "name", "group"],
    ).astype("str")
    frame = frame.sort_values(["name", "member"]).reset_index(drop=True)
    active = frame["member"].isin(set(view.actions["member"]))
    return frame[active].reset_index(drop=True), frame[~active].reset_index(drop=True)


def theme_sources(catalog: Catalog, theme: str) -> pd.DataFrame:
    """The sources the catalog cites for a theme: ``key``, ``title`` and ``address`` (the URL), in cited order."""
    cited = [catalog.sources[k] for k in catalog.themes[theme].sources if k in catalog.sources]
    frame = pd.DataFrame([(s.key, s.title, s.address) for s in cited], columns=["key", "title", "address"])
    return frame.astype("str")

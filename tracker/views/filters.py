"""The shared filters and the filtered view every page works on.

Filters are plain data, round-tripped through the URL query string so a view
can be bookmarked and shared. :func:`apply_filters` is the only place the
rules of filtering live: pages receive a :class:`View` and never filter again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field, fields, replace
from functools import cached_property

import pandas as pd

from loaders.catalog import Catalog
from loaders.dataset import Dataset
from loaders.i18n import N_
from loaders.lookup import isin

GROUPS: dict[str, str] = {
    "asean": N_("ASEAN member states"),
    "other": N_("Other states and territories"),
    "org": N_("Member organisations"),
}
"""Member group id -> its English label (translated where shown: ``N_`` only marks it for the catalogue)."""


@dataclass(frozen=True)
class Filters:
    """What the user chose in the sidebar. Empty means "all"."""

    framework: str | None = None
    areas: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    group: str | None = None
    members: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    updated_from: dt.date | None = None
    updated_to: dt.date | None = None

    @property
    def is_default(self) -> bool:
        """True when nothing is filtered."""
        return self == Filters()

    def to_query(self) -> dict[str, str]:
        """Query-string form: only non-default values, lists comma-separated."""
        out: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value in (None, ()):
                continue
            key = _QUERY_KEYS[f.name]
            if isinstance(value, tuple):
                out[key] = ",".join(value)
            elif isinstance(value, dt.date):
                out[key] = value.isoformat()
            else:
                out[key] = str(value)
        return out

    @classmethod
    def from_query(cls, query: Mapping[str, str | list[str]], catalog: Catalog) -> Filters:
        """Parse a query string; unknown or malformed values are dropped, never raised."""

        def raw(name: str) -> str:
            value = query.get(_QUERY_KEYS[name], "")
            return value[-1] if isinstance(value, list) and value else str(value or "")

        def ids(name: str, allowed: Mapping[str, object] | list[str]) -> tuple[str, ...]:
            return tuple(dict.fromkeys(v for v in raw(name).split(",") if v in allowed))

        framework = raw("framework") if raw("framework") in catalog.frameworks else None
        top_levels = [c.id for c in catalog.commitments.values() if c.parent is None]
        group = raw("group") if raw("group") in GROUPS else None
        return cls(
            framework=framework,
            areas=ids("areas", top_levels),
            themes=ids("themes", catalog.themes),
            group=group,
            members=ids("members", catalog.members),
            statuses=ids("statuses", catalog.statuses),
            updated_from=_date(raw("updated_from")),
            updated_to=_date(raw("updated_to")),
        )

    def without(self, name: str) -> Filters:
        """A copy with one filter reset to its default."""
        default = getattr(Filters(), name)
        return replace(self, **{name: default})


_QUERY_KEYS = {
    "framework": "framework",
    "areas": "area",
    "themes": "theme",
    "group": "group",
    "members": "member",
    "statuses": "status",
    "updated_from": "from",
    "updated_to": "to",
}


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def member_group(catalog: Catalog, member_id: str) -> str:
    """The filter group of a member: asean, other or org."""
    member = catalog.members[member_id]
    if member.kind == "organisation":
        return "org"
    return "asean" if member.asean else "other"


@dataclass(frozen=True)
class View:
    """The data set narrowed by :class:`Filters` (and by what the role may see).

    Attributes:
        actions: the actions in scope.
        links: action ↔ commitment links in scope (only commitments in scope).
        mechanisms: action ↔ mechanism links of the actions in scope.
        member_ids: the members in scope (by group and member filters), catalog order.
        commitment_ids: the commitments in scope (by framework, area and theme), catalog order.
        memo: what has been computed from this view, by name (``ui.state.shared``): the app keeps one view
            per data set, language, filters and role class, shared by every session that shows it, so what
            one session computes serves the others. Never mutated by a reader.
    """

    dataset: Dataset
    filters: Filters
    actions: pd.DataFrame
    links: pd.DataFrame
    mechanisms: pd.DataFrame
    member_ids: tuple[str, ...]
    commitment_ids: tuple[str, ...]
    memo: dict[Hashable, object] = field(default_factory=dict, compare=False, repr=False)

    @property
    def catalog(self) -> Catalog:
        """Shortcut to the catalog."""
        return self.dataset.catalog

    @property
    def is_empty(self) -> bool:
        """True when no action matches the filters."""
        return self.actions.empty

    @cached_property
    def top_level_ids(self) -> tuple[str, ...]:
        """Areas and pillars in scope (no items), catalog order."""
        return tuple(c for c in self.commitment_ids if self.catalog.commitments[c].parent is None)


def effective_themes(catalog: Catalog, commitment_id: str) -> set[str]:
    """A commitment's themes plus those of its ancestors (an item inherits its area's)."""
    themes: set[str] = set()
    current: str | None = commitment_id
    while current is not None and current in catalog.commitments:
        themes.update(catalog.commitments[current].themes)
        current = catalog.commitments[current].parent
    return themes


def commitments_in_scope(catalog: Catalog, filters: Filters) -> tuple[str, ...]:
    """Catalog commitments selected by the framework, area and theme filters."""
    selected = []
    for c in catalog.commitments.values():
        if filters.framework and c.framework != filters.framework:
            continue
        if filters.areas and catalog.top_level(c.id) not in filters.areas:
            continue
        if filters.themes and not effective_themes(catalog, c.id) & set(filters.themes):
            continue
        selected.append(c.id)
    return tuple(selected)


def members_in_scope(catalog: Catalog, filters: Filters) -> tuple[str, ...]:
    """Members selected by the group and member filters."""
    return tuple(
        m
        for m in catalog.members
        if (not filters.group or member_group(catalog, m) == filters.group)
        and (not filters.members or m in filters.members)
    )


def apply_filters(dataset: Dataset, filters: Filters, *, can_see_confidential: bool = False) -> View:
    """Narrow the data set to the filters.

    Confidential actions are removed first unless the role may see them, so no
    count, chart, table or download made from the view can include them.
    """
    catalog = dataset.catalog
    commitment_ids = commitments_in_scope(catalog, filters)
    member_ids = members_in_scope(catalog, filters)

    actions = dataset.actions
    if not can_see_confidential:
        actions = actions[~actions["confidential"]]
    mask = actions["member"].isin(member_ids)
    if filters.statuses:
        mask &= actions["status"].isin(filters.statuses)
    if filters.updated_from:
        mask &= actions["last_updated"] >= pd.Timestamp(filters.updated_from)
    if filters.updated_to:
        mask &= actions["last_updated"] <= pd.Timestamp(filters.updated_to)

    links = dataset.action_commitments
    links = links[links["commitment_id"].isin(commitment_ids)]
    # Key lookups go through loaders.lookup.isin: Series.isin is a Python loop on pandas-3 strings.
    mask &= isin(actions["action_key"], links["action_key"])
    actions = actions[mask].reset_index(drop=True)

    keys = actions["action_key"]
    links = links[isin(links["action_key"], keys)].reset_index(drop=True)
    mechanisms = dataset.action_mechanisms
    mechanisms = mechanisms[isin(mechanisms["action_key"], keys)].reset_index(drop=True)
    return View(dataset, filters, actions, links, mechanisms, member_ids, commitment_ids)

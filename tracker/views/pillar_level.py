"""Bohol reported at pillar level only: working items folded into their pillar, for every figure and list.

Twenty Bohol Work Plan 2.0 items are the tracker's working placeholders (``placeholder: true`` in the
catalog). A secretariat that does not want them in front of a meeting sets ``TRACKER_WORKING_ITEMS=pillar``
(:func:`tracker.settings.working_items`): the views then count an action that cites a working item under the
item's pillar, and no page, chart, pack or export lists the items. The records themselves are untouched: a
member's file, template and history keep the items they cite, so switching the setting off shows them again.
"""

from __future__ import annotations

from dataclasses import replace

from loaders.catalog import Catalog
from loaders.dataset import Dataset
from loaders.grouping import SEPARATOR


def folded_ids(catalog: Catalog) -> dict[str, str]:
    """Each working item's id -> the nearest commitment above it that is not a working item (its pillar)."""
    folded: dict[str, str] = {}
    for entry in catalog.commitments.values():
        if not entry.placeholder:
            continue
        parent = entry.parent
        while parent is not None and catalog.commitments[parent].placeholder:
            parent = catalog.commitments[parent].parent
        if parent is not None:
            folded[entry.id] = parent
    return folded


def at_pillar_level(dataset: Dataset) -> Dataset:
    """``dataset`` with every working item folded into its pillar, in the catalog, the links and the actions.

    An action citing a working item cites its pillar instead (once, if it cited the pillar too); the catalog
    has neither the working items nor the crosswalk links that name them. Returns ``dataset`` itself when the
    catalog has no working item.
    """
    catalog = dataset.catalog
    folded = folded_ids(catalog)
    if not folded:
        return dataset
    slim = replace(
        catalog,
        commitments={cid: entry for cid, entry in catalog.commitments.items() if cid not in folded},
        links=[link for link in catalog.links if link.source not in folded and link.target not in folded],
    )
    links = dataset.action_commitments.assign(
        commitment_id=dataset.action_commitments["commitment_id"].replace(folded)
    ).drop_duplicates(["action_key", "commitment_id"])
    actions = dataset.actions.assign(
        commitments=dataset.actions["commitments"].map(lambda ids: _folded_list(ids, folded), na_action="ignore")
    )
    return replace(dataset, catalog=slim, actions=actions, action_commitments=links.reset_index(drop=True))


def _folded_list(ids: str, folded: dict[str, str]) -> str:
    """``"BWP-A.2; BWP-A; ASC-1"`` -> ``"BWP-A; ASC-1"``: each id folded, duplicates dropped, order kept."""
    return SEPARATOR.join(dict.fromkeys(folded.get(part, part) for part in ids.split(SEPARATOR)))

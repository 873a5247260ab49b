"""Where Bali Process work meets ASEAN work: crosswalk, flows, dual reporting, duplication.

Pure functions over the catalog's editorial crosswalk (``crosswalk.yaml``) and a
:class:`~tracker.views.filters.View`. The crosswalk is the tracker's own mapping, not
an official one (nearly every link is confidence I, "inferred — check before
publishing"), so everything here that rests on it is a prompt for review, never
a judgement. Statuses are members' own reports.

Vocabulary: the two frameworks are ``ASC`` (Adelaide Strategy) and ``BWP`` (Bohol
TIP Work Plan); a *top level* is an Adelaide area (including the ``ASC-CM``
decision) or a Bohol pillar; every mechanism in the catalog is an ASEAN
mechanism.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

from loaders.catalog import Catalog
from loaders.grouping import join_groups
from loaders.i18n import N_, Language
from loaders.lookup import isin
from tracker.views.action_table import cells_said
from tracker.views.filters import GROUPS, View, member_group

ASC = "ASC"
BWP = "BWP"
MECHANISMS = "mechanisms"

RELATIONS: tuple[str, ...] = ("equivalent", "overlapping", "complementary")
"""Crosswalk relations, strongest first."""
RELATION_STRENGTH: dict[str, int] = {"equivalent": 3, "overlapping": 2, "complementary": 1}
RELATION_WORDS: dict[str, str] = {
    "equivalent": N_("equivalent"),
    "overlapping": N_("overlapping"),
    "complementary": N_("complementary"),
}
"""Each relation as a word within a sentence or a table cell (translated where shown: ``N_`` only marks it)."""
RELATION_TITLES: dict[str, str] = {
    "equivalent": N_("Equivalent"),
    "overlapping": N_("Overlapping"),
    "complementary": N_("Complementary"),
}
"""Each relation as a legend names it."""

POSSIBLE_DUPLICATION = N_("possible duplication")
COMPLEMENTARY_WORK = N_("complementary work")
NOTHING_FLAGGED = N_("no duplication flagged")
CLASSIFICATIONS: tuple[str, ...] = (POSSIBLE_DUPLICATION, NOTHING_FLAGGED, COMPLEMENTARY_WORK)

Match = Literal["top_level", "linked"]

PAIR_LIST_LIMIT = 10_000
"""Most action pairs the page lists; above it (by :func:`possible_duplicate_bound`) it asks to narrow the filters."""

COLUMN_LABELS: dict[str, str] = {
    "action_key": N_("Action"),
    "member": N_("Member"),
    "group": N_("Member group"),
    "label": N_("Member group"),
    "title": N_("Action title"),
    "status": N_("Status (as reported)"),
    "asc_ids": N_("Adelaide commitments"),
    "bwp_ids": N_("Bohol commitments"),
    "mechanisms": N_("ASEAN mechanisms"),
    "actions": N_("Actions"),
    "dual_actions": N_("Under both frameworks"),
    "dual_share": N_("Share under both"),
    "asc_id": N_("Adelaide"),
    "bwp_id": N_("Bohol"),
    "asc_top_level": N_("Adelaide area"),
    "bwp_top_level": N_("Bohol pillar"),
    "relation": N_("Relation"),
    "classification": N_("Flag"),
    "members_both": N_("Members on both sides"),
    "members_asc_only": N_("Adelaide side only"),
    "members_bwp_only": N_("Bohol side only"),
    "members_flagged": N_("Members flagged"),
    "n_both": N_("Both sides"),
    "n_asc_only": N_("Adelaide only"),
    "n_bwp_only": N_("Bohol only"),
    "n_flagged": N_("Flagged"),
    "note": N_("Why linked"),
    "confidence": N_("Confidence"),
    "asc_action": N_("Adelaide-side action"),
    "bwp_action": N_("Bohol-side action"),
}
"""Display labels for the columns of the frames below (ids stay the column names; translated where shown)."""


def say_relations(text: str, lang: Language) -> str:
    """``text`` with each ``(relation)`` in it, as in ``"ASC-6.2 ↔ BWP-B.1 (overlapping)"``, said in ``lang``."""
    for relation, word in RELATION_WORDS.items():
        text = text.replace(f"({relation})", f"({lang.gettext(word)})")
    return text


def in_words(frame: pd.DataFrame, lang: Language) -> pd.DataFrame:
    """A frame of this module as a reader of ``lang`` sees it: the relations, the review flags and the member
    groups' labels in ``lang``. Ids, names, titles, notes and counts are unchanged, and so is every column name."""
    said = {
        "relation": lambda v: lang.gettext(RELATION_WORDS[v]) if v in RELATION_WORDS else v,
        "classification": lang.gettext,
        "label": lang.gettext,
        "detail": lambda v: say_relations(v, lang),
    }
    return cells_said(frame, said)


# --- the crosswalk as a matrix -----------------------------------------------------------------


def crosswalk_matrix(catalog: Catalog, rows: str = ASC, cols: str = MECHANISMS) -> pd.DataFrame:
    """The crosswalk rolled up to top levels: one row per (row top level, column) cell.

    A link between an item and X counts for the item's area or pillar, so the
    link ``ASC-6.2 ↔ BWP-B.1`` lands in cell (``ASC-6``, ``BWP-B``). Links are
    read both ways (``source``/``target`` order does not matter); links within
    one framework (``ASC-CM ↔ ASC-4.1``) belong to no cell here. The whole
    catalog is used: filters do not change the crosswalk.

    Args:
        catalog: the catalog holding the crosswalk.
        rows: the framework whose top levels are the rows (``"ASC"``).
        cols: ``"mechanisms"`` for every ASEAN mechanism, or a framework id
            (``"BWP"``) for its top levels.

    Returns:
        Every cell of the grid, rows then columns in catalog order, with columns
        ``row``, ``row_title``, ``col``, ``col_title``; ``relation`` (the strongest
        relation among the cell's links, equivalent > overlapping > complementary;
        missing when there is no link); ``links`` (how many links); ``detail``
        (each link as ``"ASC-6.2 ↔ BWP-B.1 (overlapping)"``, ``"; "``-separated)
        and ``confidence`` (the links' confidence tags, e.g. ``"I"``).

    Raises:
        ValueError: when ``rows`` or ``cols`` names no framework.
    """
    row_ids = _top_levels(catalog, rows)
    if cols == MECHANISMS:
        col_ids = list(catalog.mechanisms)
        col_titles = {m.id: m.name for m in catalog.mechanisms.values()}
    else:
        col_ids = _top_levels(catalog, cols)
        col_titles = {c: catalog.commitments[c].shown_title for c in col_ids}

    oriented = _oriented_links(catalog, rows, cols)
    if cols != MECHANISMS:
        oriented["col"] = oriented["col_id"].map(catalog.top_level)
    else:
        oriented["col"] = oriented["col_id"]
    oriented["row"] = oriented["row_id"].map(catalog.top_level)
    oriented["strength"] = oriented["relation"].map(RELATION_STRENGTH)
    oriented["link"] = oriented["row_id"] + " ↔ " + oriented["col_id"] + " (" + oriented["relation"] + ")"
    cells = oriented.groupby(["row", "col"]).agg(
        strength=("strength", "max"),
        links=("link", "size"),
        detail=("link", "; ".join),
        confidence=("confidence", lambda s: "".join(sorted(set(s)))),
    )
    grid = pd.MultiIndex.from_product([row_ids, col_ids], names=["row", "col"])
    frame = cells.reindex(grid).reset_index()
    strongest = {v: k for k, v in RELATION_STRENGTH.items()}
    frame["relation"] = frame["strength"].map(strongest)
    frame["links"] = frame["links"].fillna(0).astype("int64")
    frame["row_title"] = frame["row"].map({c: catalog.commitments[c].shown_title for c in row_ids})
    frame["col_title"] = frame["col"].map(col_titles)
    columns = ["row", "row_title", "col", "col_title", "relation", "links", "detail", "confidence"]
    text = ["row", "row_title", "col", "col_title", "relation", "detail", "confidence"]
    return frame[columns].astype(dict.fromkeys(text, "str"))


def crosswalk_pivot(matrix: pd.DataFrame, value: str = "relation") -> pd.DataFrame:
    """A :func:`crosswalk_matrix` frame as a wide grid: rows × columns of ``value``.

    Row and column order follow the long frame (catalog order).
    """
    wide = matrix.pivot(index="row", columns="col", values=value)
    return wide.reindex(index=matrix["row"].unique(), columns=matrix["col"].unique())


def _top_levels(catalog: Catalog, framework: str) -> list[str]:
    if framework not in catalog.frameworks:
        raise ValueError(f"'{framework}' is not a framework in the catalog; use one of {', '.join(catalog.frameworks)}")
    return [c.id for c in catalog.commitments.values() if c.framework == framework and c.parent is None]


def _oriented_links(catalog: Catalog, rows: str, cols: str) -> pd.DataFrame:
    """Crosswalk links with the ``rows``-framework end as ``row_id`` and the other end as ``col_id``."""
    links = pd.DataFrame(
        [(k.source, k.target, k.relation, k.note, k.confidence) for k in catalog.links],
        columns=["source", "target", "relation", "note", "confidence"],
    ).astype("str")
    links["link_no"] = range(len(links))

    def side(ids: pd.Series, wanted: str) -> pd.Series:
        if wanted == MECHANISMS:
            return ids.isin(list(catalog.mechanisms))
        frameworks = {c.id: c.framework for c in catalog.commitments.values()}
        return ids.map(frameworks).eq(wanted).astype(bool)

    forward = links[side(links["source"], rows) & side(links["target"], cols)]
    backward = links[side(links["target"], rows) & side(links["source"], cols)]
    oriented = pd.concat(
        [
            forward.rename(columns={"source": "row_id", "target": "col_id"}),
            backward.rename(columns={"target": "row_id", "source": "col_id"}),
        ]
    )
    return oriented.sort_values("link_no").reset_index(drop=True)


# --- actions through mechanisms ----------------------------------------------------------------


def overlap_flows(view: View) -> pd.DataFrame:
    """Sankey flows Adelaide area → ASEAN mechanism → Bohol pillar, weighted by actions.

    An action contributes to the edge (area, mechanism) when it cites at least
    one commitment in scope under that Adelaide area (the area itself, an item
    of it, or ``ASC-CM``) *and* lists that mechanism; it contributes to
    (mechanism, pillar) when it lists the mechanism and cites a commitment in
    scope under that Bohol pillar. Each edge counts **distinct actions**: an
    action citing two items of one area counts once on that edge, while an
    action citing two areas, or listing two mechanisms, counts once on each of
    its edges. So edge counts are not additive, and the flow into a mechanism
    need not equal the flow out of it (an action may cite only one framework).
    Actions that list no mechanism make no flow.

    Returns:
        Columns ``stage`` (``"ASC→mechanism"`` or ``"mechanism→BWP"``),
        ``source``, ``target`` (ids) and ``actions`` (int); left stage first,
        then sources and targets in catalog order; only edges with actions.
    """
    catalog = view.catalog
    mechanisms = view.mechanisms[["action_key", "mechanism_id"]].drop_duplicates()
    parts = []
    for framework, stage in ((ASC, "ASC→mechanism"), (BWP, "mechanism→BWP")):
        cited = view.links.loc[view.links["framework"] == framework, ["action_key", "top_level"]].drop_duplicates()
        pairs = cited.merge(mechanisms, on="action_key")
        counts = pairs.groupby(["top_level", "mechanism_id"])["action_key"].nunique().rename("actions").reset_index()
        if framework == ASC:
            counts = counts.rename(columns={"top_level": "source", "mechanism_id": "target"})
        else:
            counts = counts.rename(columns={"mechanism_id": "source", "top_level": "target"})
        parts.append(counts.assign(stage=stage))
    flows = pd.concat(parts, ignore_index=True)
    order = {key: i for i, key in enumerate([*catalog.commitments, *catalog.mechanisms])}
    stage_order = flows["stage"].map({"ASC→mechanism": 0, "mechanism→BWP": 1})
    flows = flows.assign(_s=stage_order, _a=flows["source"].map(order), _b=flows["target"].map(order))
    flows = flows.sort_values(["_s", "_a", "_b"]).reset_index(drop=True)
    out = flows[["stage", "source", "target", "actions"]]
    return out.astype({"stage": "str", "source": "str", "target": "str", "actions": "int64"})


# --- report once, count for both ---------------------------------------------------------------


def dual_framework_actions(view: View) -> pd.DataFrame:
    """Actions citing both an Adelaide and a Bohol commitment in scope ("report once, count for both").

    With a framework filter only one framework is in scope, so the result is
    empty by construction.

    Returns:
        One row per action, members in catalog order then action key: ``action_key``,
        ``member``, ``group`` (asean/other/org), ``title``, ``status`` (the member's
        own report), ``asc_ids`` and ``bwp_ids`` (cited ids, sorted, ``"; "``-separated)
        and ``mechanisms`` (listed ASEAN mechanisms, ``"; "``-separated, empty when none).
    """
    links = view.links[["action_key", "framework", "commitment_id"]].drop_duplicates()
    links = links[links["framework"].isin([ASC, BWP])].sort_values("commitment_id")
    ids = join_groups(links["commitment_id"], links[["action_key", "framework"]]).unstack("framework")
    ids = ids.reindex(columns=[ASC, BWP]).dropna()
    ids.columns = pd.Index(["asc_ids", "bwp_ids"])
    listed = view.mechanisms.sort_values("mechanism_id")
    mechanisms = join_groups(listed["mechanism_id"], listed["action_key"])
    frame = view.actions[["action_key", "member", "title", "status"]].merge(ids.reset_index(), on="action_key")
    # object first: with no mechanism listed in the view the map is all-NaN float, and "" cannot fill float.
    frame["mechanisms"] = frame["action_key"].map(mechanisms).astype(object).fillna("")
    frame["group"] = frame["member"].map(_groups(view.catalog))
    frame = _by_member(frame, view.catalog, "action_key")
    columns = ["action_key", "member", "group", "title", "status", "asc_ids", "bwp_ids", "mechanisms"]
    return frame[columns].astype(dict.fromkeys(columns, "str"))


def dual_framework_by_group(view: View, dual: pd.DataFrame | None = None) -> pd.DataFrame:
    """How many actions of each member group are reported under both frameworks.

    Args:
        view: the filtered view.
        dual: ``dual_framework_actions(view)`` when the caller has it already
            (it is the costly part: ~0.6 s at 200,000 actions).

    Returns:
        One row per member group (``GROUPS`` order, all three): ``group``,
        ``label``, ``actions`` (in the view), ``dual_actions`` and ``dual_share``
        (missing when the group has no action).
    """
    groups = _groups(view.catalog)
    actions = view.actions["member"].map(groups).value_counts()
    dual_counts = (dual_framework_actions(view) if dual is None else dual)["group"].value_counts()
    frame = pd.DataFrame({"group": list(GROUPS), "label": list(GROUPS.values())})
    frame["actions"] = frame["group"].map(actions).fillna(0).astype("int64")
    frame["dual_actions"] = frame["group"].map(dual_counts).fillna(0).astype("int64")
    frame["dual_share"] = frame["dual_actions"] / frame["actions"].where(frame["actions"] > 0)
    return frame.astype({"group": "str", "label": "str"})


# --- possible duplication and complementary work -----------------------------------------------


def duplication_and_complement(view: View, match: Match = "top_level") -> pd.DataFrame:
    """For each Adelaide ↔ Bohol crosswalk link: who works on each side, and a review flag.

    The sides of a link are matched to actions in scope by ``match``:
    ``"top_level"`` (default) expands each end to its area or pillar, so an
    action citing anything under ``ASC-6`` is on the Adelaide side of the link
    ``ASC-6.2 ↔ BWP-B.1``; ``"linked"`` takes only the linked commitment and the
    items under it. A member is on a side when it has at least one action there.

    Classification, by the link's relation:

    - equivalent or overlapping, and at least one member reports *separate*
      actions on the two sides (two different actions) that list the *same*
      ASEAN mechanism: ``"possible duplication"`` — a flag for review, not a
      finding; one action citing both sides is "report once, count for both"
      and is never flagged on its own;
    - equivalent or overlapping otherwise: ``"no duplication flagged"``;
    - complementary: ``"complementary work"``.

    Returns:
        One row per link, possible duplication first, then catalog link order:
        ``asc_id``, ``bwp_id``, ``relation``, ``classification``, ``n_flagged``
        and ``members_flagged`` (members with a possible duplicate); counts
        ``n_both``, ``n_asc_only``, ``n_bwp_only`` and the member lists behind
        them ``members_both``, ``members_asc_only``, ``members_bwp_only`` (lists
        in catalog order, ``"; "``-separated, empty when none); the ends' top
        levels ``asc_top_level``, ``bwp_top_level``; the link's ``note`` and
        ``confidence``.
    """
    catalog = view.catalog
    links = _framework_links(catalog)
    on_sides = _actions_on_sides(view, links, match)

    present = on_sides[["link_no", "side", "member"]].drop_duplicates().assign(flag=True)
    # crosstab > 0 gives a bool for every (link, member) x side, absent sides included, without the
    # float-NaN-then-fill detour that pandas 4 will refuse.
    sides = pd.crosstab([present["link_no"], present["member"]], present["side"]).gt(0)
    sides = sides.reindex(columns=[ASC, BWP], fill_value=False).rename_axis(columns=None).reset_index()
    sides["where"] = "both"
    sides.loc[sides[ASC] & ~sides[BWP], "where"] = "asc_only"
    sides.loc[~sides[ASC] & sides[BWP], "where"] = "bwp_only"

    flagged = _flagged_members(view, match).assign(where="flagged")
    listed = pd.concat([sides[["link_no", "member", "where"]], flagged], ignore_index=True)
    listed = _by_member(listed, catalog, "link_no")
    names = join_groups(listed["member"], listed[["link_no", "where"]]).unstack("where")
    counts = listed.groupby(["link_no", "where"]).size().unstack("where")
    wheres = ["both", "asc_only", "bwp_only", "flagged"]
    names = names.reindex(index=links["link_no"], columns=wheres).astype("str").fillna("")
    counts = counts.reindex(index=links["link_no"], columns=wheres).fillna(0).astype("int64")

    frame = links.rename(columns={"row_id": "asc_id", "col_id": "bwp_id"}).set_index("link_no")
    for where in wheres:
        frame[f"members_{where}"] = names[where]
        frame[f"n_{where}"] = counts[where]
    frame["classification"] = COMPLEMENTARY_WORK
    close = frame["relation"].isin(["equivalent", "overlapping"])
    frame.loc[close, "classification"] = NOTHING_FLAGGED
    frame.loc[close & (frame["n_flagged"] > 0), "classification"] = POSSIBLE_DUPLICATION
    frame["_order"] = frame["classification"].map({c: i for i, c in enumerate(CLASSIFICATIONS)})
    frame = frame.sort_values(["_order", "link_no"], kind="stable").reset_index(drop=True)
    columns = [
        "asc_id",
        "bwp_id",
        "relation",
        "classification",
        "n_flagged",
        "members_flagged",
        *(f"n_{w}" for w in wheres[:3]),
        *(f"members_{w}" for w in wheres[:3]),
        "asc_top_level",
        "bwp_top_level",
        "note",
        "confidence",
    ]
    text = [c for c in columns if not c.startswith("n_")]
    return frame[columns].astype(dict.fromkeys(text, "str"))


def possible_duplicates(view: View, match: Match = "top_level") -> pd.DataFrame:
    """The pairs of separate actions behind each "possible duplication" flag.

    A pair is one member's Adelaide-side action and a *different* Bohol-side
    action of the same member, on an equivalent or overlapping link, that list
    at least one ASEAN mechanism in common (sides matched as in
    :func:`duplication_and_complement`). Two actions that each cite both sides
    make one pair, not two.

    Returns:
        One row per (link, pair): ``link_no`` (position in the catalog
        crosswalk), ``asc_id``, ``bwp_id``, ``relation``, ``member``,
        ``asc_action``, ``bwp_action`` and ``mechanisms`` shared (``"; "``-separated);
        in link, member (catalog order) and action order.
    """
    catalog = view.catalog
    links = _framework_links(catalog)
    links = links[links["relation"].isin(["equivalent", "overlapping"])]
    on_sides = _actions_on_sides(view, links, match)
    listed = on_sides.merge(view.mechanisms, on="action_key")
    asc = listed[listed["side"] == ASC][["link_no", "member", "mechanism_id", "action_key"]]
    bwp = listed[listed["side"] == BWP][["link_no", "member", "mechanism_id", "action_key"]]
    pairs = asc.merge(bwp, on=["link_no", "member", "mechanism_id"], suffixes=("_asc", "_bwp"))
    pairs = pairs[pairs["action_key_asc"] != pairs["action_key_bwp"]].sort_values("mechanism_id")
    keys = ["link_no", "member", "action_key_asc", "action_key_bwp"]
    pairs = join_groups(pairs["mechanism_id"], pairs[keys]).rename("mechanisms").reset_index()
    # Two actions that both cite both sides pair up twice (A↔B and B↔A): keep one.
    low = pairs[["action_key_asc", "action_key_bwp"]].min(axis=1)
    high = pairs[["action_key_asc", "action_key_bwp"]].max(axis=1)
    pairs = pairs[~pd.DataFrame({"l": pairs["link_no"], "a": low, "b": high}).duplicated()]
    pairs = pairs.merge(links[["link_no", "row_id", "col_id", "relation"]], on="link_no")
    pairs = pairs.rename(
        columns={"row_id": "asc_id", "col_id": "bwp_id", "action_key_asc": "asc_action", "action_key_bwp": "bwp_action"}
    )
    pairs = _by_member(pairs, catalog, "asc_action", "bwp_action", first="link_no")
    columns = ["link_no", "asc_id", "bwp_id", "relation", "member", "asc_action", "bwp_action", "mechanisms"]
    text = [c for c in columns if c != "link_no"]
    return pairs[columns].astype({**dict.fromkeys(text, "str"), "link_no": "int64"})


def possible_duplicate_bound(view: View, match: Match = "top_level") -> int:
    """An upper bound on ``len(possible_duplicates(view, match))``, in time linear in the view.

    The pairs are a cross product within each (link, member, mechanism): a member
    with 400 actions on each side of a link makes 160,000 candidate pairs. The
    page checks this bound before listing pairs, so it never builds millions of
    rows nobody can read. The bound is the number of (Adelaide-side action,
    Bohol-side action) combinations sharing a link, member and mechanism; it
    overcounts pairs that share several mechanisms, pairs of an action with
    itself and pairs listed once for both orders.
    """
    sides = _pair_sides(view, match)
    return int((sides[("n", ASC)] * sides[("n", BWP)]).sum())


def _flagged_members(view: View, match: Match) -> pd.DataFrame:
    """(link_no, member) with at least one pair in :func:`possible_duplicates`, without listing the pairs.

    Within one (link, member, mechanism), actions A on the Adelaide side and B on
    the Bohol side make a pair of *separate* actions unless A and B are the same
    single action, so counting the distinct actions on each side (and the
    first of each) is enough: linear where the pairs are quadratic.
    """
    sides = _pair_sides(view, match)
    same_one = sides[("n", ASC)].eq(1) & sides[("n", BWP)].eq(1) & sides[("first", ASC)].eq(sides[("first", BWP)])
    pairs_exist = sides[("n", ASC)].gt(0) & sides[("n", BWP)].gt(0) & ~same_one
    flagged = sides.index[pairs_exist.to_numpy()].to_frame(index=False)[["link_no", "member"]]
    return flagged.drop_duplicates().reset_index(drop=True)


def _pair_sides(view: View, match: Match) -> pd.DataFrame:
    """Per (link_no, member, mechanism_id): distinct actions ``n`` and the ``first`` action on each side.

    Only equivalent and overlapping links, as in :func:`possible_duplicates`.
    Columns are (``n`` | ``first``, ``ASC`` | ``BWP``); an empty side has ``n`` 0.
    """
    links = _framework_links(view.catalog)
    links = links[links["relation"].isin(["equivalent", "overlapping"])]
    listed = _actions_on_sides(view, links, match).merge(view.mechanisms, on="action_key")
    keys = ["link_no", "member", "mechanism_id", "side"]
    per_side = listed.groupby(keys)["action_key"].agg(n="nunique", first="min")
    sides = per_side.unstack("side").reindex(columns=pd.MultiIndex.from_product([["n", "first"], [ASC, BWP]]))
    sides[[("n", ASC), ("n", BWP)]] = sides[[("n", ASC), ("n", BWP)]].fillna(0).astype("int64")
    return sides


def _framework_links(catalog: Catalog) -> pd.DataFrame:
    """Adelaide ↔ Bohol links, Adelaide end as ``row_id``, with both ends' top levels."""
    links = _oriented_links(catalog, ASC, BWP).drop_duplicates("link_no").reset_index(drop=True)
    links["asc_top_level"] = links["row_id"].map(catalog.top_level).astype("str")
    links["bwp_top_level"] = links["col_id"].map(catalog.top_level).astype("str")
    return links


def _actions_on_sides(view: View, links: pd.DataFrame, match: Match) -> pd.DataFrame:
    """(link_no, side, action_key, member) for every action in scope on a side of each link."""
    catalog = view.catalog
    if match == "top_level":
        anchors = (links["asc_top_level"], links["bwp_top_level"])
    elif match == "linked":
        anchors = (links["row_id"], links["col_id"])
    else:
        raise ValueError(f"match must be 'top_level' or 'linked', got {match!r}")
    ends = pd.concat(
        [
            pd.DataFrame({"link_no": links["link_no"], "side": ASC, "anchor": anchors[0]}),
            pd.DataFrame({"link_no": links["link_no"], "side": BWP, "anchor": anchors[1]}),
        ],
        ignore_index=True,
    )
    covered = ends.merge(_lineage(catalog), on="anchor")
    cited = view.links[["action_key", "commitment_id"]]
    on_sides = covered.merge(cited, on="commitment_id")[["link_no", "side", "action_key"]].drop_duplicates()
    return on_sides.merge(view.actions[["action_key", "member"]], on="action_key")


def _lineage(catalog: Catalog) -> pd.DataFrame:
    """(commitment_id, anchor) for each commitment and each of its ancestors, itself included."""
    rows = []
    for cid in catalog.commitments:
        current: str | None = cid
        seen: set[str] = set()
        while current is not None and current in catalog.commitments and current not in seen:
            seen.add(current)
            rows.append((cid, current))
            current = catalog.commitments[current].parent
    return pd.DataFrame(rows, columns=["commitment_id", "anchor"]).astype("str")


# --- ASEAN and other members side by side ------------------------------------------------------


def group_comparison(view: View) -> pd.DataFrame:
    """ASEAN member states, other states and member organisations side by side.

    Shares are of the group's actions in the view: citing a Bohol commitment,
    listing at least one ASEAN mechanism, and reported complete (of actions not
    counted apart, i.e. excluding ``catalog.scale.counted_apart`` statuses such
    as discontinued). Groups, not members: no member is ranked.

    Returns:
        One row per group in ``GROUPS`` order (all three, even when empty):
        ``group``, ``label``, ``members`` (in scope), ``members_reporting``,
        ``actions``, ``actions_bwp``, ``actions_mechanism``, ``complete``,
        ``progress_actions`` and the shares ``share_bwp``, ``share_mechanism``,
        ``share_complete`` (missing when the denominator is 0).
    """
    catalog = view.catalog
    groups = _groups(catalog)
    actions = view.actions[["action_key", "member", "status"]].copy()
    actions["group"] = actions["member"].map(groups)
    bwp_keys = view.links.loc[view.links["framework"] == BWP, "action_key"]
    actions["bwp"] = isin(actions["action_key"], bwp_keys)
    actions["mechanism"] = isin(actions["action_key"], view.mechanisms["action_key"])
    actions["progress"] = ~actions["status"].isin(catalog.scale.counted_apart)
    actions["complete"] = actions["progress"] & actions["status"].eq(catalog.scale.complete)
    by_group = actions.groupby("group").agg(
        members_reporting=("member", "nunique"),
        actions=("action_key", "size"),
        actions_bwp=("bwp", "sum"),
        actions_mechanism=("mechanism", "sum"),
        complete=("complete", "sum"),
        progress_actions=("progress", "sum"),
    )
    in_scope = pd.Series([groups[m] for m in view.member_ids], dtype="str").value_counts()
    frame = pd.DataFrame({"group": list(GROUPS), "label": list(GROUPS.values())})
    frame["members"] = frame["group"].map(in_scope).fillna(0).astype("int64")
    counted = ["members_reporting", "actions", "actions_bwp", "actions_mechanism", "complete", "progress_actions"]
    for column in counted:
        frame[column] = frame["group"].map(by_group[column]).fillna(0).astype("int64")
    frame["share_bwp"] = frame["actions_bwp"] / frame["actions"].where(frame["actions"] > 0)
    frame["share_mechanism"] = frame["actions_mechanism"] / frame["actions"].where(frame["actions"] > 0)
    frame["share_complete"] = frame["complete"] / frame["progress_actions"].where(frame["progress_actions"] > 0)
    return frame.astype({"group": "str", "label": "str"})


# --- helpers -----------------------------------------------------------------------------------


def _groups(catalog: Catalog) -> dict[str, str]:
    """Member id -> group (asean/other/org)."""
    return {m: member_group(catalog, m) for m in catalog.members}


def _by_member(frame: pd.DataFrame, catalog: Catalog, *then: str, first: str | None = None) -> pd.DataFrame:
    """``frame`` sorted by ``first`` (if given), members in catalog order, then ``then`` columns."""
    order = {m: i for i, m in enumerate(catalog.members)}
    keys = [*([first] if first else []), "_member_order", *then]
    sorted_frame = frame.assign(_member_order=frame["member"].map(order)).sort_values(keys, kind="stable")
    return sorted_frame.drop(columns="_member_order").reset_index(drop=True)

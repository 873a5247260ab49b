"""Tests for the bundled catalog (``commitments/``) and the catalog's validation rules.

Three groups: the curated facts the dashboard relies on (members, frameworks, ids,
titles, crosswalk coverage); the bundled catalog loading cleanly; and the loader's
checks, each shown by copying the catalog, breaking one thing and asserting on the
issue's ``(code, field)``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from loaders.catalog import DEFAULT_CATALOG_DIR, Catalog, load_catalog
from loaders.catalog_schema import Link

ROOT = Path(__file__).resolve().parent.parent

CATALOG_DIR = ROOT / "commitments"

ASEAN_IDS = {"BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM", "TLS"}
ORGANISATIONS = {"IOM", "UNHCR", "UNODC", "ILO"}
ADELAIDE_TITLES = {
    "ASC-1": "Law enforcement",
    "ASC-2": "Stakeholder engagement",
    "ASC-3": "Information sharing and public information campaigns",
    "ASC-4": "Irregular Migration and Related Transnational Crime",
    "ASC-5": "Border Management",
    "ASC-6": "Victim Protection and Migration Management",
    "ASC-7": "Returns and Reintegration",
    "ASC-8": "Coordination and support",
}
BOHOL_PILLARS = ["BWP-A", "BWP-B", "BWP-C", "BWP-D"]
REQUIRED_MECHANISMS = {
    "ACTIP",
    "APA",
    "SOMTC",
    "SOMTC-WG-TIP",
    "AMMTC",
    "ACWC",
    "ACW",
    "ACMW",
    "SLOM",
    "SOMSWD",
    "AICHR",
    "ASEANAPOL",
    "HSU",
    "ASEAN-ACT",
}
PLACEHOLDERS = {
    *(f"BWP-A.{n}" for n in range(2, 8)),
    *(f"BWP-B.{n}" for n in range(1, 7)),
    *(f"BWP-C.{n}" for n in range(1, 6)),
    *(f"BWP-D.{n}" for n in range(1, 4)),
}
"""The 20 Bohol working items: not in any official text we could reach (audit C1)."""
THEMES = {
    "forced-criminality",
    "maritime-smuggling",
    "following-the-money",
    "technology-enabled-crime",
    "victim-centred-protection",
    "business-civil-society",
}
STATUS_ORDER = ["not_started", "limited", "substantial", "complete", "discontinued"]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(CATALOG_DIR)


def _all_entries(catalog: Catalog) -> list[object]:
    return [
        *catalog.frameworks.values(),
        *catalog.themes.values(),
        *catalog.commitments.values(),
        *catalog.mechanisms.values(),
        *catalog.members.values(),
        *catalog.links,
    ]


def _linked_ids(catalog: Catalog) -> set[str]:
    return {link.source for link in catalog.links} | {link.target for link in catalog.links}


# --- 1. Facts -----------------------------------------------------------------


def test_default_directory_is_the_bundled_catalog() -> None:
    assert DEFAULT_CATALOG_DIR.resolve() == CATALOG_DIR.resolve()


def test_there_are_49_members(catalog: Catalog) -> None:
    assert len(catalog.members) == 49


def test_45_states_and_territories_and_4_organisations(catalog: Catalog) -> None:
    places = [m for m in catalog.members.values() if m.kind in {"state", "territory", "sar"}]
    organisations = {m.id for m in catalog.members.values() if m.kind == "organisation"}
    assert len(places) == 45
    assert organisations == ORGANISATIONS


def test_territory_and_sar_kinds(catalog: Catalog) -> None:
    assert catalog.members["NCL"].kind == "territory"
    assert catalog.members["HKG"].kind == "sar"
    assert catalog.members["MAC"].kind == "sar"


def test_member_ids_are_iso3_or_organisation_acronyms(catalog: Catalog) -> None:
    for member in catalog.members.values():
        if member.kind == "organisation":
            assert member.id in ORGANISATIONS
        else:
            assert re.fullmatch(r"[A-Z]{3}", member.id), member.id


def test_asean_members(catalog: Catalog) -> None:
    assert {m.id for m in catalog.members.values() if m.asean} == ASEAN_IDS
    assert all(catalog.members[i].asean_since is not None for i in ASEAN_IDS)


def test_timor_leste_joined_asean_on_26_october_2025(catalog: Catalog) -> None:
    assert str(catalog.members["TLS"].asean_since) == "2025-10-26"


def test_co_chairs_are_australia_and_indonesia(catalog: Catalog) -> None:
    assert {m.id for m in catalog.members.values() if m.co_chair} == {"AUS", "IDN"}


def test_frameworks(catalog: Catalog) -> None:
    assert set(catalog.frameworks) == {"ASC", "BWP"}
    assert str(catalog.frameworks["ASC"].adopted) == "2023-02-10"
    assert str(catalog.frameworks["BWP"].adopted) == "2023-08-21"
    assert (catalog.frameworks["BWP"].period_start, catalog.frameworks["BWP"].period_end) == (2023, 2028)


def test_adelaide_areas_carry_the_official_titles_verbatim(catalog: Catalog) -> None:
    for area_id, title in ADELAIDE_TITLES.items():
        area = catalog.commitments[area_id]
        assert area.title == title
        assert area.official_title is True
        assert area.level == "area"
        assert area.framework == "ASC"


def test_only_adelaide_areas_claim_an_official_title(catalog: Catalog) -> None:
    official = {c.id for c in catalog.commitments.values() if c.official_title}
    assert official == set(ADELAIDE_TITLES)


def test_consultation_mechanism_decision(catalog: Catalog) -> None:
    decision = catalog.commitments["ASC-CM"]
    assert (decision.framework, decision.level, decision.parent) == ("ASC", "decision", None)


def test_bohol_pillars(catalog: Catalog) -> None:
    for pillar_id in BOHOL_PILLARS:
        pillar = catalog.commitments[pillar_id]
        assert (pillar.framework, pillar.level) == ("BWP", "pillar")


@pytest.mark.parametrize("parent_id", [*ADELAIDE_TITLES, *BOHOL_PILLARS])
def test_every_area_and_pillar_has_an_item(catalog: Catalog, parent_id: str) -> None:
    items = [c for c in catalog.commitments.values() if c.parent == parent_id and c.level == "item"]
    assert items
    assert all(c.id.startswith(parent_id + ".") for c in items)


def test_required_mechanisms_exist(catalog: Catalog) -> None:
    assert not REQUIRED_MECHANISMS - set(catalog.mechanisms)


def test_status_scale_in_order(catalog: Catalog) -> None:
    assert list(catalog.statuses) == STATUS_ORDER
    assert catalog.scale.complete == "complete"
    assert catalog.scale.requires_evidence == ["complete"]
    assert catalog.scale.counted_apart == ["discontinued"]


def test_every_theme_exists_and_is_used_by_two_commitments(catalog: Catalog) -> None:
    assert set(catalog.themes) == THEMES
    for theme in THEMES:
        users = [c.id for c in catalog.commitments.values() if theme in c.themes]
        assert len(users) >= 2, theme


def test_every_entry_has_a_confidence_and_resolvable_sources(catalog: Catalog) -> None:
    for entry in _all_entries(catalog):
        assert entry.confidence in {"V", "P", "I", "U"}  # type: ignore[attr-defined]
        for key in entry.sources:  # type: ignore[attr-defined]
            assert key in catalog.sources, (entry, key)


def test_only_inferred_or_unknown_entries_may_lack_sources(catalog: Catalog) -> None:
    for entry in _all_entries(catalog):
        if not entry.sources:  # type: ignore[attr-defined]
            assert entry.confidence in {"I", "U"}, entry  # type: ignore[attr-defined]


def test_every_area_pillar_and_required_mechanism_is_in_the_crosswalk(catalog: Catalog) -> None:
    linked = _linked_ids(catalog)
    missing = ({*ADELAIDE_TITLES, *BOHOL_PILLARS} | REQUIRED_MECHANISMS) - linked
    assert not missing


# --- 1b. Corrections from the catalog audit (issue 13, findings C1-C25) --------------------
# Each test pins a corrected fact; each fails on the catalog as it stood before the audit.


def _link(catalog: Catalog, source: str, target: str) -> Link:
    return next(link for link in catalog.links if (link.source, link.target) == (source, target))


def test_actip_in_force_in_all_ten_pre_2025_members_and_timor_leste_unknown(catalog: Catalog) -> None:
    actip = catalog.mechanisms["ACTIP"]  # C2
    note = actip.confidence_note or ""
    assert "all ten pre-2025 ASEAN member states since early 2020 (S-ASEAN-OV)" in note
    assert "Timor-Leste's ACTIP status" in note and "unknown (U)" in note
    assert "since early 2020" in actip.role
    assert "S-ASEAN-OV" in actip.sources
    assert "original" not in note + actip.role  # ASEAN had 5 founding members, not 10


def test_consultation_mechanism_decision_has_one_record_and_one_cross_reference(catalog: Catalog) -> None:
    record, cross_reference = catalog.commitments["ASC-CM"], catalog.commitments["ASC-4.1"]  # C3
    assert record.confidence == "V"
    assert (cross_reference.confidence, cross_reference.parent) == ("P", "ASC-4")
    assert "cross-reference to ASC-CM" in cross_reference.summary
    assert "placing it under area 4 is inferred" in (cross_reference.confidence_note or "")
    equivalent = [(k.source, k.target) for k in catalog.links if k.relation == "equivalent"]
    assert equivalent == [("ASC-CM", "ASC-4.1")]


@pytest.mark.parametrize("item_id", ["ASC-2.1", "ASC-3.2", "ASC-4.1", "ASC-6.3", "ASC-8.1", "ASC-8.2"])
def test_an_area_placement_no_source_states_is_partly_verified(catalog: Catalog, item_id: str) -> None:
    item = catalog.commitments[item_id]  # C4
    assert item.confidence == "P"
    assert f"under area {item.parent.removeprefix('ASC-')} is inferred" in (item.confidence_note or "")  # type: ignore[union-attr]


def test_rso_top_up_is_a_focus_on_victim_protection_not_a_set_aside(catalog: Catalog) -> None:
    summary = catalog.commitments["ASC-6.3"].summary  # C5
    assert "increased focus on victim protection and support" in summary
    assert "set aside for" not in summary


def test_government_and_business_forum_met_alongside_ministers_only_from_2018(catalog: Catalog) -> None:
    gbf = catalog.commitments["ASC-2.1"]  # C6
    assert "launched on its own in Perth in 2017" in gbf.summary
    assert "alongside the Ministerial Conference since 2018" in gbf.summary
    assert {"S-GBF-PERTH", "S-BPMC7"} <= set(gbf.sources)


def test_acw_role_is_partly_verified(catalog: Catalog) -> None:
    acw = catalog.mechanisms["ACW"]  # C7
    assert acw.confidence == "P"
    assert "inferred" in (acw.confidence_note or "")
    assert "takes part in the BWP 2.0 reporting networks" not in acw.role


def test_aseanapol_claim_covers_its_39th_conference_only(catalog: Catalog) -> None:
    aseanapol = catalog.mechanisms["ASEANAPOL"]  # C8
    assert "39th" in aseanapol.role
    assert "standing item" not in aseanapol.role
    assert "standing item at every conference is not verified" in (aseanapol.confidence_note or "")


def test_asean_act_launch_gives_both_dates_the_sources_give(catalog: Catalog) -> None:
    act = catalog.mechanisms["ASEAN-ACT"]  # C9
    assert "July 2019" in act.role and "1 August 2019" in act.role
    assert "sources disagree on the launch date" in (act.confidence_note or "")


def test_dgicm_full_name_and_parent_are_from_the_asean_page(catalog: Catalog) -> None:
    dgicm = catalog.mechanisms["DGICM"]  # C10
    assert dgicm.name.endswith("Heads of Consular Affairs Divisions of Ministries of Foreign Affairs Meeting")
    assert (dgicm.parent, dgicm.confidence, dgicm.sources) == ("AMMTC", "V", ["S-ASEAN-SB"])
    assert "background knowledge" not in (dgicm.confidence_note or "")


def test_apa_basis_is_verified_for_the_2017_2020_plan_only(catalog: Catalog) -> None:
    apa = catalog.mechanisms["APA"]  # C11
    assert "Bohol TIP Work Plan 2017–2020 is built on these areas" in apa.role
    assert "BWP 2.0 keeps them is inferred (I)" in (apa.confidence_note or "")


@pytest.mark.parametrize("member_id", sorted(ASEAN_IDS - {"TLS"}))
def test_asean_join_dates_cite_two_sources(catalog: Catalog, member_id: str) -> None:
    member = catalog.members[member_id]  # C12
    assert {"S-ASEAN-JOIN", "S-ASEAN-JOIN2"} <= set(member.sources)
    note = " ".join((member.confidence_note or "").split())
    assert "background knowledge" not in note
    joined = member.asean_since
    assert joined is not None
    assert f"{joined.day} {joined:%b %Y}" in note  # the date the note names is the date recorded


def test_brunei_join_date_variance_is_recorded(catalog: Catalog) -> None:
    brunei = catalog.members["BRN"]  # C12
    assert str(brunei.asean_since) == "1984-01-07"
    note = " ".join((brunei.confidence_note or "").split())
    assert "7 Jan 1984" in note and "8 Jan 1984 (S-ASEAN-JOIN-JP)" in note
    assert "S-ASEAN-JOIN-JP" in brunei.sources


def test_myanmar_membership_rests_on_the_meeting_records(catalog: Catalog) -> None:
    myanmar = catalog.members["MMR"]  # C13
    assert myanmar.confidence == "V"
    assert {"S-TEGRR3", "S-GOC-TR"} <= set(myanmar.sources)


def test_ilo_was_a_member_by_february_2020(catalog: Catalog) -> None:
    ilo = catalog.members["ILO"]  # C14
    note = " ".join((ilo.confidence_note or "").split())
    assert "13–14 Feb 2020 (S-TEGRR3)" in note and "between 2017 and Feb 2020" in note
    assert "2020–21" not in note
    assert "S-TEGRR3" in ilo.sources


def test_new_caledonia_label_is_marked_unverified(catalog: Catalog) -> None:
    ncl = catalog.members["NCL"]  # C15
    assert ncl.name == "New Caledonia (France)"
    assert ncl.confidence == "P"
    assert "is unverified" in (ncl.confidence_note or "")


def test_bohol_protection_pillar_keeps_its_own_short_label(catalog: Catalog) -> None:
    pillar = catalog.commitments["BWP-B"]  # C16
    assert (pillar.title, pillar.official_title) == ("Protection", False)
    assert '"protection of victims"' in pillar.summary
    assert "our short label" in pillar.summary


def test_bohol_framework_short_name_and_the_count_of_ten_bodies(catalog: Catalog) -> None:
    bohol = catalog.frameworks["BWP"]  # C17
    assert bohol.short_name == "Bohol TIP Work Plan 2.0"  # the 2017-2020 plan is the "Bohol TIP Work Plan"
    note = " ".join((bohol.confidence_note or "").split())
    assert "ten participating bodies (S-ASEAN-SB only" in note


@pytest.mark.parametrize(
    ("source", "target", "unsourced", "hedge"),
    [
        ("ASC-1", "HSU", "investigations in South-East Asia rely on", "Inferred:"),  # C18
        ("BWP-B", "ACWC", "set the standards the protection pillar applies", "Inferred:"),  # C19
        ("BWP-A", "ASC-5", "as a prevention measure in ASEAN meets", "Inferred:"),  # C20
    ],
)
def test_crosswalk_notes_do_not_assert_what_no_source_says(
    catalog: Catalog, source: str, target: str, unsourced: str, hedge: str
) -> None:
    link = _link(catalog, source, target)
    text = " ".join(link.note.split())
    assert unsourced not in text
    assert text.startswith(hedge)
    assert link.confidence_note


def test_border_link_cites_the_page_that_names_border_security(catalog: Catalog) -> None:
    link = _link(catalog, "BWP-A", "ASC-5")  # C20: S-ASEAN2017 names only the four areas
    assert "S-ASEAN2017" not in link.sources
    assert "S-ASEAN-OV" in link.sources


def test_every_entry_that_is_not_verified_has_a_confidence_note(catalog: Catalog) -> None:
    missing = [entry for entry in _all_entries(catalog) if entry.confidence != "V" and not entry.confidence_note]  # type: ignore[attr-defined]
    assert missing == []  # C21: the 60 crosswalk links had none


def test_the_link_without_sources_says_why(catalog: Catalog) -> None:
    link = _link(catalog, "BWP-A", "ACMW")  # C21
    assert link.sources == []
    assert (link.confidence_note or "").startswith("No sources:")


def test_readme_states_when_a_sources_list_may_be_empty() -> None:
    readme = " ".join((CATALOG_DIR / "README.md").read_text(encoding="utf-8").split())  # C22
    assert "The list may be empty only on an entry tagged `I` or `U`" in readme
    assert "Every entry (except sources and statuses) has `sources:`" not in readme


def test_ammtc_and_acwc_founding_dates_are_sourced(catalog: Catalog) -> None:
    ammtc, acwc = catalog.mechanisms["AMMTC"], catalog.mechanisms["ACWC"]  # C23
    assert "20 Dec 1997" in ammtc.role and "S-AMMTC1997" in ammtc.sources
    assert "7 Apr 2010" in acwc.role and "S-ACWC2010" in acwc.sources


def test_every_source_has_an_access_date(catalog: Catalog) -> None:
    # C24. A document cited by its name and not read (S-UU12-2017, issue 11 §5) has none, and its note says so.
    undated = [key for key, source in catalog.sources.items() if source.accessed is None]
    assert [key for key in undated if not (catalog.sources[key].note or "").startswith("Not read")] == []
    assert undated == ["S-UU12-2017"]


COPY_HOSTS = {
    "baliprocess.dev.juicebox.com.au": "Staging copy",
    "docslib.org": "Mirror copy",
    "fdocuments.in": "Mirror copy",
    "fdokumen.com": "Mirror copy",
    "expydoc.com": "Mirror copy",
    "ebrary.net": "Mirror copy",
    "txtdot.deep-swarm.xyz": "Proxy copy",
    "christusliberat.org": "Secondary",
    "hkpinoytv.com": "Secondary",
}


def test_staging_mirror_and_proxy_copies_say_what_they_are(catalog: Catalog) -> None:
    marked = 0
    for source in catalog.sources.values():  # C24
        if source.url is None:
            continue  # a document cited by its name (S-UU12-2017): no host to judge
        host = source.url.split("/")[2]
        if host in COPY_HOSTS:
            assert (source.note or "").startswith(COPY_HOSTS[host]), source.key
            marked += 1
        assert host != "tomorrow.paperai.life", source.key  # the research gives the official addresses
    assert marked == 12  # 2 staging, 7 mirror and 1 proxy copies, 2 secondary pages


def test_proxy_copies_are_replaced_by_the_publishers_address(catalog: Catalog) -> None:
    for key in ("S-ACT-ASEAN2", "S-ACT-PH2"):  # C24
        source = catalog.sources[key]
        assert source.url.startswith("https://www.aseanact.org/"), key
        assert "tomorrow.paperai.life" in (source.note or ""), key


def test_the_placeholder_like_bpmc8_address_is_flagged(catalog: Catalog) -> None:
    source = catalog.sources["S-BPMC8"]  # C25
    assert source.url == "https://baliprocess.net/event/sample-event/"
    assert "may change" in (source.note or "")


def test_the_20_bohol_working_items_are_placeholders(catalog: Catalog) -> None:
    placeholders = {c.id for c in catalog.commitments.values() if c.placeholder}  # C1 (marking only)
    assert placeholders == PLACEHOLDERS
    for item_id in PLACEHOLDERS:
        item = catalog.commitments[item_id]
        assert item.confidence in {"I", "U"}, item_id
        assert item.official_title is False, item_id


# --- 2. The bundled catalog is clean -------------------------------------------


def test_bundled_catalog_has_no_issues(catalog: Catalog) -> None:
    assert [issue.message for issue in catalog.issues] == []


def test_bundled_catalog_loaded_afresh_has_no_issues() -> None:
    # The session's `catalog` fixture is loaded once; a mutation tool that forks after loading it would never
    # see a check that reports the bundled catalog wrongly (every status a "duplicate" of the first, say).
    assert [issue.message for issue in load_catalog(CATALOG_DIR).issues] == []


# --- 3. Validation rules ---------------------------------------------------------

UNSAFE_TAG = '!!python/object/apply:os.system ["true"]'


# The row and whole message of the first issue with the expected (code, field), per rule: where, what, how to fix.
RULE_MESSAGES: dict[str, tuple[int | None, str]] = {
    "duplicate-commitment-id": (
        300,
        "commitments.yaml, line 300: id 'ASC-1.1' is used twice (first at line 276); give each entry its own id",
    ),
    "link-to-missing-id": (
        26,
        "crosswalk.yaml, line 26: the link ASC-CM → ASC-99 refers to target 'ASC-99', which is not in the catalog; "
        "correct the id or add the missing entry",
    ),
    "unknown-theme": (
        38,
        "commitments.yaml, line 38: ASC-1 refers to theme 'no-such-theme', which is not in the catalog; correct the "
        "id or add the missing entry",
    ),
    "unknown-status-in-rule": (
        None,
        "statuses.yaml: 'requires_evidence' names status 'finished', which is not on the scale; use one of "
        "complete, discontinued, limited, not_started, substantial",
    ),
    "bad-confidence-tag": (
        16,
        "members.yaml, line 16 (entry 'AFG'), confidence: Input should be 'V', 'P', 'I' or 'U'; fix the value in "
        "the catalog file",
    ),
    "bad-colour-of-the-no-action-style": (
        88,
        "statuses.yaml, line 88, no_action.colour: String should match pattern '^#[0-9A-Fa-f]{6}$'; fix the value "
        "in the catalog file",
    ),
    "yaml-syntax-error": (
        14,
        "themes.yaml, line 14: the file is not valid YAML (did not find expected ',' or ']'); check indentation "
        "and quoting near this line",
    ),
    "object-building-tag": (
        13,
        "themes.yaml, line 13: the file uses a YAML tag that would build a program object (could not determine a "
        "constructor for the tag 'tag:yaml.org,2002:python/object/apply:os.system'); remove the tag and write the "
        "value as plain text, a number, a date or a list",
    ),
    "missing-file": (None, "mechanisms.yaml: the catalog file is missing; restore it from the repository"),
    "not-a-mapping": (None, "themes.yaml: expected a mapping at the top of the file"),
    "not-a-list": (13, "themes.yaml: expected a list under 'themes:'"),
    "unknown-source-of-a-framework": (
        8,
        "frameworks.yaml, line 8: ASC refers to source 'S-NOPE', which is not in the catalog; correct the id or add "
        "the missing entry",
    ),
    "link-from-missing-id": (
        26,
        "crosswalk.yaml, line 26: the link ASC-98 → ASC-4.1 refers to source 'ASC-98', which is not in the catalog; "
        "correct the id or add the missing entry",
    ),
    "duplicate-status-order": (
        22,
        "statuses.yaml, line 22: status 'limited' has the same order as 'not_started'; each status needs its own order",
    ),
    "duplicate-status-label": (
        22,
        "statuses.yaml, line 22: status 'limited' has the same label as 'not_started'; each status needs its own label",
    ),
    "unknown-framework": (
        63,
        "commitments.yaml, line 63: ASC-2 refers to framework 'ASX', which is not in the catalog; correct the id or "
        "add the missing entry",
    ),
    "unknown-parent-commitment": (
        276,
        "commitments.yaml, line 276: ASC-1.1 refers to parent 'ASC-9', which is not in the catalog; correct the id "
        "or add the missing entry",
    ),
    "unknown-parent-mechanism": (
        103,
        "mechanisms.yaml, line 103: SOMTC refers to parent 'AMMX', which is not in the catalog; correct the id or add "
        "the missing entry",
    ),
    "unknown-source-of-a-commitment": (
        38,
        "commitments.yaml, line 38: ASC-1 refers to source 'S-NOPE', which is not in the catalog; correct the id or "
        "add the missing entry",
    ),
    "unknown-source-of-a-mechanism": (
        27,
        "mechanisms.yaml, line 27: ACTIP refers to source 'S-NOPE', which is not in the catalog; correct the id or "
        "add the missing entry",
    ),
    "unknown-source-of-a-member": (
        16,
        "members.yaml, line 16: AFG refers to source 'S-NOPE', which is not in the catalog; correct the id or add the "
        "missing entry",
    ),
    "unknown-source-of-a-link": (
        26,
        "crosswalk.yaml, line 26: the link ASC-CM → ASC-4.1 refers to source 'S-NOPE', which is not in the catalog; "
        "correct the id or add the missing entry",
    ),
    "unknown-source-of-a-theme": (
        14,
        "themes.yaml, line 14: forced-criminality refers to source 'S-NOPE', which is not in the catalog; correct the "
        "id or add the missing entry",
    ),
    "unknown-complete-status": (
        None,
        "statuses.yaml: 'complete' names status 'done', which is not on the scale; use one of complete, "
        "discontinued, limited, not_started, substantial",
    ),
    "unknown-status-counted-apart": (
        None,
        "statuses.yaml: 'counted_apart' names status 'dropped', which is not on the scale; use one of complete, "
        "discontinued, limited, not_started, substantial",
    ),
    "entry-that-is-not-a-mapping": (None, "themes.yaml: every entry must be a mapping, got 'just text'"),
    "bad-field-of-a-source": (
        39,
        "sources.yaml, line 39 (entry 'S-CCS23'), colour: Extra inputs are not permitted; fix the value in the "
        "catalog file",
    ),
    "bad-field-of-a-status": (
        22,
        "statuses.yaml, line 22 (entry 'limited'), order: Input should be a valid integer, unable to parse string as "
        "an integer; fix the value in the catalog file",
    ),
    # A scale rule is a top-level key: no line of its own (only mappings carry lines), so the field names it.
    "bad-rule-of-the-scale": (
        None,
        "statuses.yaml, complete: Input should be a valid string; fix the value in the catalog file",
    ),
}


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        pytest.param(
            "commitments.yaml",
            "  - id: ASC-1.2\n",
            "  - id: ASC-1.1\n",
            ("catalog-duplicate-id", "id"),
            id="duplicate-commitment-id",
        ),
        pytest.param(
            "crosswalk.yaml",
            "  - source: ASC-CM\n    target: ASC-4.1\n",
            "  - source: ASC-CM\n    target: ASC-99\n",
            ("catalog-dangling-ref", "target"),
            id="link-to-missing-id",
        ),
        pytest.param(
            "commitments.yaml",
            "themes: [following-the-money]",
            "themes: [no-such-theme]",
            ("catalog-dangling-ref", "theme"),
            id="unknown-theme",
        ),
        pytest.param(
            "statuses.yaml",
            "requires_evidence: [complete]",
            "requires_evidence: [finished]",
            ("catalog-unknown-status", "requires_evidence"),
            id="unknown-status-in-rule",
        ),
        pytest.param(
            "members.yaml",
            "    sources: [S-IOM-OLD, S-ABOUT]\n    confidence: V\n",
            "    sources: [S-IOM-OLD, S-ABOUT]\n    confidence: X\n",
            ("catalog-schema", "confidence"),
            id="bad-confidence-tag",
        ),
        pytest.param(
            "statuses.yaml",
            '  colour: "#FFFFFF"\n',
            "  colour: white\n",
            ("catalog-schema", "no_action.colour"),
            id="bad-colour-of-the-no-action-style",
        ),
        pytest.param(
            "themes.yaml",
            "\nthemes:\n",
            "\nthemes: [unclosed\n",
            ("yaml-syntax", None),
            id="yaml-syntax-error",
        ),
        pytest.param(
            "themes.yaml",
            "\nthemes:\n",
            f"\nevil: {UNSAFE_TAG}\nthemes:\n",
            ("yaml-unsafe-tag", None),
            id="object-building-tag",
        ),
        pytest.param(
            "mechanisms.yaml",
            None,
            None,
            ("catalog-missing-file", None),
            id="missing-file",
        ),
        pytest.param("themes.yaml", "", "- a\n- b\n", ("catalog-structure", None), id="not-a-mapping"),
        pytest.param("themes.yaml", "\nthemes:\n", "\nthemes: 5\nold:\n", ("catalog-structure", None), id="not-a-list"),
        pytest.param(
            "frameworks.yaml",
            "sources: [",
            "sources: [S-NOPE, ",
            ("catalog-dangling-ref", "source"),
            id="unknown-source-of-a-framework",
        ),
        pytest.param(
            "crosswalk.yaml",
            "  - source: ASC-CM\n    target: ASC-4.1\n",
            "  - source: ASC-98\n    target: ASC-4.1\n",
            ("catalog-dangling-ref", "source"),
            id="link-from-missing-id",
        ),
        pytest.param(
            "statuses.yaml",
            "    order: 2\n",
            "    order: 1\n",
            ("catalog-duplicate-id", "order"),
            id="duplicate-status-order",
        ),
        pytest.param(
            "statuses.yaml",
            "    label: Limited\n",
            "    label: Not started\n",
            ("catalog-duplicate-id", "label"),
            id="duplicate-status-label",
        ),
        pytest.param(
            "commitments.yaml",
            "  - id: ASC-2\n    framework: ASC\n",
            "  - id: ASC-2\n    framework: ASX\n",
            ("catalog-dangling-ref", "framework"),
            id="unknown-framework",
        ),
        pytest.param(
            "commitments.yaml",
            "    parent: ASC-1\n",
            "    parent: ASC-9\n",
            ("catalog-dangling-ref", "parent"),
            id="unknown-parent-commitment",
        ),
        pytest.param(
            "mechanisms.yaml",
            "    parent: AMMTC\n",
            "    parent: AMMX\n",
            ("catalog-dangling-ref", "parent"),
            id="unknown-parent-mechanism",
        ),
        pytest.param(
            "commitments.yaml",
            "sources: [S-BPMC8, S-IOM, S-WGD,",
            "sources: [S-NOPE, S-BPMC8, S-IOM, S-WGD,",
            ("catalog-dangling-ref", "source"),
            id="unknown-source-of-a-commitment",
        ),
        pytest.param(
            "mechanisms.yaml",
            "sources: [S-ASEAN-ACTIP17,",
            "sources: [S-NOPE, S-ASEAN-ACTIP17,",
            ("catalog-dangling-ref", "source"),
            id="unknown-source-of-a-mechanism",
        ),
        pytest.param(
            "members.yaml",
            "sources: [S-IOM-OLD, S-ABOUT]\n",
            "sources: [S-NOPE, S-IOM-OLD, S-ABOUT]\n",
            ("catalog-dangling-ref", "source"),
            id="unknown-source-of-a-member",
        ),
        pytest.param(
            "crosswalk.yaml",
            "sources: [S-BPMC8, S-UNHCR23]",
            "sources: [S-NOPE, S-BPMC8, S-UNHCR23]",
            ("catalog-dangling-ref", "source"),
            id="unknown-source-of-a-link",
        ),
        pytest.param(
            "themes.yaml",
            "sources: [S-CCS23,",
            "sources: [S-NOPE, S-CCS23,",
            ("catalog-dangling-ref", "source"),
            id="unknown-source-of-a-theme",
        ),
        pytest.param(
            "statuses.yaml",
            "complete: complete\n",
            "complete: done\n",
            ("catalog-unknown-status", "complete"),
            id="unknown-complete-status",
        ),
        pytest.param(
            "statuses.yaml",
            "counted_apart: [discontinued]",
            "counted_apart: [dropped]",
            ("catalog-unknown-status", "counted_apart"),
            id="unknown-status-counted-apart",
        ),
        pytest.param(
            "themes.yaml",
            "\nthemes:\n",
            "\nthemes:\n  - just text\n",
            ("catalog-structure", None),
            id="entry-that-is-not-a-mapping",
        ),
        pytest.param(
            "sources.yaml",
            "  - key: S-CCS23\n",
            "  - key: S-CCS23\n    colour: red\n",
            ("catalog-schema", "colour"),
            id="bad-field-of-a-source",
        ),
        pytest.param(
            "statuses.yaml",
            "    order: 2\n",
            "    order: two\n",
            ("catalog-schema", "order"),
            id="bad-field-of-a-status",
        ),
        pytest.param(
            "statuses.yaml",
            "complete: complete\n",
            "complete: [a, b]\n",
            ("catalog-schema", "complete"),
            id="bad-rule-of-the-scale",
        ),
    ],
)
def test_catalog_validation_rule(
    tmp_path: Path,
    file: str,
    old: str | None,
    new: str | None,
    expected: tuple[str, str | None],
    request: pytest.FixtureRequest,
) -> None:
    directory = tmp_path / "commitments"
    shutil.copytree(CATALOG_DIR, directory)
    target = directory / file
    if old is None:
        target.unlink()
    else:
        text = target.read_text(encoding="utf-8")
        assert old in text, f"fixture text not found in {file}; update the test"
        target.write_text(text.replace(old, new or "", 1) if old else (new or ""), encoding="utf-8")  # "": all

    issues = load_catalog(directory).issues

    assert expected in {(issue.code, issue.field) for issue in issues}
    assert all(issue.severity == "error" for issue in issues)
    first = next(issue for issue in issues if (issue.code, issue.field) == expected)
    assert (first.file, first.row, first.message) == (file, *RULE_MESSAGES[request.node.callspec.id])


def test_object_building_tag_is_never_executed(tmp_path: Path) -> None:
    directory = tmp_path / "commitments"
    shutil.copytree(CATALOG_DIR, directory)
    marker = tmp_path / "executed"
    target = directory / "themes.yaml"
    tag = f'!!python/object/apply:os.system ["touch {marker}"]'
    target.write_text(f"evil: {tag}\n" + target.read_text(encoding="utf-8"), encoding="utf-8")

    issues = load_catalog(directory).issues

    assert not marker.exists()
    assert ("yaml-unsafe-tag", "themes.yaml") in {(i.code, i.file) for i in issues}


def test_catalog_file_that_is_not_utf8_says_how_to_save_it(tmp_path: Path) -> None:
    directory = tmp_path / "commitments"
    shutil.copytree(CATALOG_DIR, directory)
    (directory / "themes.yaml").write_bytes("themes: [Caf\u00e9]\n".encode("cp1252"))

    issues = load_catalog(directory).issues

    assert [(i.code, i.file, i.row, i.message) for i in issues if i.file == "themes.yaml"] == [
        ("unreadable-file", "themes.yaml", None, "themes.yaml: the file is not UTF-8 text; save it as UTF-8 YAML")
    ]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("not_started", "not_started"), (" Not started ", "not_started"), ("SUBSTANTIAL", "substantial"), ("done", None)],
)
def test_a_typed_status_maps_to_its_id_by_id_or_label_in_any_case(catalog: Catalog, typed: str, expected) -> None:
    assert catalog.status_for_input(typed) == expected


def test_the_commitments_of_a_framework_are_its_own_in_catalog_order(catalog: Catalog) -> None:
    bohol = catalog.commitments_of("BWP")
    assert [c.id for c in bohol[:5]] == [
        "BWP-A",
        "BWP-B",
        "BWP-C",
        "BWP-D",
        "BWP-A.1",
    ]  # as commitments.yaml lists them
    assert {c.framework for c in bohol} == {"BWP"}
    assert len(bohol) + len(catalog.commitments_of("ASC")) == len(catalog.commitments)
    assert catalog.commitments_of("NONE") == []


def _edited_catalog(tmp_path: Path, file: str, old: str, new: str) -> Catalog:
    """The bundled catalog with the first ``old`` in ``file`` replaced by ``new``."""
    directory = tmp_path / "commitments"
    shutil.copytree(CATALOG_DIR, directory, dirs_exist_ok=True)
    target = directory / file
    text = target.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found in {file}; update the test"
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return load_catalog(directory)


def test_a_scale_that_could_not_be_read_is_not_checked_again(tmp_path: Path) -> None:
    directory = tmp_path / "commitments"
    shutil.copytree(CATALOG_DIR, directory)
    (directory / "statuses.yaml").unlink()

    issues = load_catalog(directory).issues

    # Only the missing file: no cascade of "'complete' names status 'complete'" against the empty fallback scale.
    assert [(i.code, i.file) for i in issues] == [("catalog-missing-file", "statuses.yaml")]


def test_rules_of_a_scale_without_statuses_say_none_is_defined(tmp_path: Path) -> None:
    directory = tmp_path / "commitments"
    shutil.copytree(CATALOG_DIR, directory)
    text = (directory / "statuses.yaml").read_text(encoding="utf-8")
    rules = text[text.index("# The status that counts as done") :]
    (directory / "statuses.yaml").write_text("statuses: []\n\n" + rules, encoding="utf-8")

    catalog = load_catalog(directory)

    assert catalog.scale.statuses == []
    assert [i.message for i in catalog.issues] == [
        "statuses.yaml: 'complete' names status 'complete', which is not on the scale; use one of (none defined)",
        "statuses.yaml: 'requires_evidence' names status 'complete', which is not on the scale; use one of "
        "(none defined)",
        "statuses.yaml: 'counted_apart' names status 'discontinued', which is not on the scale; use one of "
        "(none defined)",
    ]


def test_a_status_is_found_by_its_id_and_by_a_label_unlike_the_id(tmp_path: Path) -> None:
    catalog = _edited_catalog(tmp_path, "statuses.yaml", "    label: Not started\n", "    label: Not yet begun\n")

    assert [catalog.status_for_input(typed) for typed in ("not_started", "NOT YET BEGUN", "None", "not begun")] == [
        "not_started",
        "not_started",
        None,
        None,
    ]


def test_invalid_and_duplicate_entries_leave_the_entries_after_them_loaded(tmp_path: Path, catalog: Catalog) -> None:
    bad_member = _edited_catalog(tmp_path / "a", "members.yaml", "    confidence: V\n", "    confidence: X\n")
    twice = _edited_catalog(tmp_path / "b", "commitments.yaml", "  - id: ASC-1.2\n", "  - id: ASC-1.1\n")

    assert set(bad_member.members) == set(catalog.members) - {"AFG"}  # only the first member is dropped
    assert set(twice.commitments) == set(catalog.commitments) - {"ASC-1.2"}  # the second ASC-1.1 is dropped
    assert twice.commitments["ASC-1.1"].line == 276  # and the first one kept


def test_top_level_follows_parents_and_stops_at_a_missing_parent_or_a_cycle(tmp_path: Path, catalog: Catalog) -> None:
    assert (catalog.top_level("ASC-1.1"), catalog.top_level("ASC-1")) == ("ASC-1", "ASC-1")
    dangling = _edited_catalog(tmp_path / "a", "commitments.yaml", "    parent: ASC-1\n", "    parent: ASC-9\n")
    assert dangling.top_level("ASC-1.1") == "ASC-1.1"  # its parent is not in the catalog: it is its own top
    cycle = _edited_catalog(
        tmp_path / "b",
        "commitments.yaml",
        "  - id: ASC-1\n    framework: ASC\n",
        "  - id: ASC-1\n    parent: ASC-1.1\n    framework: ASC\n",
    )
    assert {cycle.top_level("ASC-1.1"), cycle.top_level("ASC-1")} <= {"ASC-1", "ASC-1.1"}  # it ends

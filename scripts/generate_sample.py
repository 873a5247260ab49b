"""Generate the illustrative sample action records in ``data/sample``.

The shipped member files are invented, never real reporting: every workbook says
so in its title rows and every YAML file carries ``illustrative: true``. They are
built to exercise the dashboard: all file formats and input variants of the
spreadsheet contract, both frameworks, actions reported under both, ASEAN
mechanisms, stale and silent members, overdue and confidential actions.

The wording (titles, subjects, agencies, notes) is drawn from the phrase bank in
``sample_phrases.yaml`` beside this script; the logic that draws it is here.

The output is deterministic. It depends only on the seed, the scale, the catalog
and the phrase bank, never on today's date (``AS_OF`` is fixed) or on the
machine: per-member random streams are seeded from strings, workbooks get fixed
document dates and zip timestamps, YAML is dumped with fixed options. Re-running the generator
therefore reproduces the committed files byte for byte, which a test checks.

Usage::

    python scripts/generate_sample.py [--out DIR] [--scale N] [--seed S]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import sys
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter
import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as `python scripts/generate_sample.py`, the project root is not on the path
    sys.path.insert(0, str(ROOT))

from loaders.catalog import Catalog, load_catalog  # noqa: E402
from loaders.catalog_schema import Member  # noqa: E402
from loaders.fields import FIELDS  # noqa: E402
from loaders.members import parse_member_id  # noqa: E402
from tracker.records.member_yaml import PlainDumper  # noqa: E402

AS_OF = dt.date(2026, 10, 31)
PERIOD_START = dt.date(2023, 1, 1)
PLAN_END = dt.date(2028, 12, 31)
DEFAULT_OUT = ROOT / "data" / "sample"
DEFAULT_SEED = 2023

GENERATOR_NAME = "Commitments Tracker sample generator"
YAML_HEADER = (
    "# ILLUSTRATIVE SAMPLE DATA — generated, not real reporting\n"
    "# Invented by scripts/generate_sample.py for demonstration; no member reported these actions.\n"
)
_YAML_DUMPER = PlainDumper  # no &id001 anchors: plain values for people, fast path for the loader

# How many members get each treatment (at any scale).
SILENT_MEMBERS = 3  # no file at all: "not reported"
FEW_ACTION_MEMBERS = 4  # 1-5 actions at scale 1
STALE_MEMBERS = 5  # every row last updated more than 12 months before AS_OF
TITLE_REDRAW_LIMIT = 250  # distinct titles per member after which repeats are accepted at once

# Members with a stake in the Andaman Sea / Bay of Bengal Consultation Mechanism;
# others cite its commitments only rarely, and landlocked members never cite
# maritime ones, so no sample row looks absurd.
ANDAMAN_MEMBERS = frozenset({"AUS", "BGD", "IDN", "IND", "LKA", "MMR", "MYS", "THA", "IOM", "UNHCR"})
ANDAMAN_COMMITMENTS = frozenset({"ASC-CM", "ASC-4.1"})
LANDLOCKED_MEMBERS = frozenset({"AFG", "BTN", "LAO", "MNG", "NPL"})
MARITIME_COMMITMENTS = ANDAMAN_COMMITMENTS | {"ASC-4.3"}


# --- phrase bank -----------------------------------------------------------------------------
#
# The wording lives in sample_phrases.yaml beside this script: titles and subjects keyed by
# commitment id, the audiences and lead agencies of each area/pillar, title and description
# templates, status sentences and notes. All of it is generic: no real person, and no claim
# that a particular real programme took place.

PHRASE_FILE = Path(__file__).resolve().with_name("sample_phrases.yaml")


@dataclass(frozen=True)
class Phrases:
    """Wording that fits one commitment."""

    titles: tuple[str, ...]
    subjects: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()


def _tuples(value: Any) -> Any:
    """``value`` with every list, at any depth, turned into a tuple."""
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    if isinstance(value, dict):
        return {k: _tuples(v) for k, v in value.items()}
    return value


def load_phrase_bank(path: Path = PHRASE_FILE) -> dict[str, Any]:
    """Read the phrase bank: section name -> its wording, every list as a tuple, in the file's order.

    Raises:
        OSError: when the file cannot be read.
        yaml.YAMLError: when it is not YAML.
    """
    return _tuples(yaml.safe_load(path.read_text(encoding="utf-8")))


_BANK = load_phrase_bank()
PHRASES: dict[str, Phrases] = {cid: Phrases(**wording) for cid, wording in _BANK["phrases"].items()}
TITLE_TEMPLATES: tuple[str, ...] = _BANK["title_templates"]
THEME_TITLES: dict[str, tuple[str, ...]] = _BANK["theme_titles"]
ORGANISATION_WORK: dict[str, dict[str, tuple[str, ...]]] = _BANK["organisation_work"]
ORGANISATION_TEMPLATES: tuple[str, ...] = _BANK["organisation_templates"]
REGIONS: tuple[str, ...] = _BANK["regions"]
ORGANISATION_OFFICES: dict[str, tuple[str, ...]] = _BANK["organisation_offices"]
GENERIC_AGENCIES: tuple[str, ...] = _BANK["generic_agencies"]
_SUBNATIONAL_AGENCY: dict[str, str] = _BANK["subnational_agency"]
DESCRIPTION_OPENINGS: tuple[str, ...] = _BANK["description_openings"]
ORGANISATION_OPENINGS: tuple[str, ...] = _BANK["organisation_openings"]
PARTNERS: tuple[str, ...] = _BANK["partners"]
STATUS_SENTENCES: dict[str, tuple[str, ...]] = _BANK["status_sentences"]
NOTES: tuple[str, ...] = _BANK["notes"]

# When the crosswalk names no counterpart, an Adelaide area pairs with the Bohol pillar it most resembles.
FALLBACK_COUNTERPART: dict[str, str] = {
    "ASC-1": "BWP-C",
    "ASC-2": "BWP-A",
    "ASC-3": "BWP-A",
    "ASC-4": "BWP-C",
    "ASC-5": "BWP-A",
    "ASC-6": "BWP-B",
    "ASC-7": "BWP-B",
    "ASC-8": "BWP-D",
    "ASC-CM": "BWP-D",
    "BWP-A": "ASC-3",
    "BWP-B": "ASC-6",
    "BWP-C": "ASC-1",
    "BWP-D": "ASC-8",
}
FALLBACK_MECHANISMS: tuple[str, ...] = ("SOMTC-WG-TIP", "ACTIP")


# --- the catalog, reshaped for drawing -------------------------------------------------------


@dataclass(frozen=True)
class CatalogView:
    """The catalog facts the generator draws from, precomputed once."""

    catalog: Catalog
    tops: dict[str, list[str]]  # framework -> its areas/pillars/decisions
    under: dict[str, list[str]]  # area/pillar -> the commitments beneath it
    counterparts: dict[str, list[str]]  # commitment -> crosswalked commitments of the other framework
    mechanisms: dict[str, list[str]]  # commitment -> crosswalked mechanisms, its own and its area's
    statuses: tuple[str, ...]  # status ids on the scale

    @classmethod
    def of(cls, catalog: Catalog) -> CatalogView:
        """Build the view of ``catalog``."""
        commitments = catalog.commitments
        tops: dict[str, list[str]] = {}
        under: dict[str, list[str]] = {}
        for c in commitments.values():
            top = catalog.top_level(c.id)
            if top == c.id:
                tops.setdefault(c.framework, []).append(c.id)
            else:
                under.setdefault(top, []).append(c.id)
        counterparts: dict[str, list[str]] = {}
        direct_mechanisms: dict[str, list[str]] = {}
        for link in catalog.links:
            for a, b in ((link.source, link.target), (link.target, link.source)):
                if a not in commitments:
                    continue
                if b in commitments and commitments[b].framework != commitments[a].framework:
                    counterparts.setdefault(a, []).append(b)
                elif b in catalog.mechanisms:
                    direct_mechanisms.setdefault(a, []).append(b)
        mechanisms = {
            cid: list(dict.fromkeys(direct_mechanisms.get(cid, []) + direct_mechanisms.get(catalog.top_level(cid), [])))
            for cid in commitments
        }
        return cls(catalog, tops, under, counterparts, mechanisms, tuple(catalog.statuses))

    def top(self, commitment_id: str) -> str:
        """The area/pillar a commitment rolls up to."""
        return self.catalog.top_level(commitment_id)

    def framework(self, commitment_id: str) -> str:
        """The framework id of a commitment."""
        return self.catalog.commitments[commitment_id].framework


# --- who reports what ------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberPlan:
    """How one member's sample file looks."""

    member: Member
    count: int  # actions to generate; 0 means no file
    stale: bool
    suffix: str  # ".xlsx" or ".yaml"
    variant: str  # xlsx: "standard", "text-dates", "labels"; yaml: "lists", "strings"


def plan_members(catalog: Catalog, scale: float, seed: int) -> list[MemberPlan]:
    """Decide, for every member, how many actions it has, whether it is stale and its file format.

    Co-chairs and member organisations always report fully; silent and few-action
    members are non-ASEAN states so the ASEAN overlap views stay populated.
    """
    rng = random.Random(f"{seed}:plan")
    members = sorted(catalog.members.values(), key=lambda m: m.id)
    quiet_pool = [m.id for m in members if m.kind != "organisation" and not m.co_chair and not m.asean]
    quiet = rng.sample(quiet_pool, min(len(quiet_pool), SILENT_MEMBERS + FEW_ACTION_MEMBERS))
    silent, few = set(quiet[:SILENT_MEMBERS]), set(quiet[SILENT_MEMBERS:])
    stale_pool = [m.id for m in members if m.id not in silent and m.id not in few and not m.co_chair]
    stale = set(rng.sample(stale_pool, min(len(stale_pool), STALE_MEMBERS)))

    counts: dict[str, int] = {}
    for m in members:
        if m.id in silent:
            counts[m.id] = 0
            continue
        base = rng.randint(1, 5) if m.id in few else round(rng.triangular(14, 82, 48))
        if m.co_chair:
            base = max(base, 60)
        counts[m.id] = max(1, round(base * scale))

    formats = _formats([m for m in members if counts[m.id]], rng)
    return [MemberPlan(m, counts[m.id], m.id in stale, *formats.get(m.id, (".yaml", "lists"))) for m in members]


def _formats(reporting: list[Member], rng: random.Random) -> dict[str, tuple[str, str]]:
    """Alternate xlsx and YAML within ASEAN and non-ASEAN members, then pick input variants.

    Two workbooks exercise the contract's input variants: one types dates as
    DD/MM/YYYY text, one types statuses, origins and yes/no as labels.
    """
    out: dict[str, tuple[str, str]] = {}
    for group in ([m for m in reporting if m.asean], [m for m in reporting if not m.asean]):
        shuffled = rng.sample(group, len(group))
        for i, m in enumerate(shuffled):
            out[m.id] = (".xlsx", "standard") if i % 2 == 0 else (".yaml", "lists" if i % 4 == 1 else "strings")
    workbooks = sorted(mid for mid, (suffix, _) in out.items() if suffix == ".xlsx")
    variants = ("text-dates", "labels")
    for member_id, variant in zip(rng.sample(workbooks, min(len(variants), len(workbooks))), variants, strict=False):
        out[member_id] = (".xlsx", variant)
    return out


# --- one member's actions --------------------------------------------------------------------


class ActionDrafter:
    """Draws one member's actions from its own random stream.

    Each member has a stream seeded by (seed, member id), so one member's data
    does not shift when another member's count changes.
    """

    def __init__(self, plan: MemberPlan, view: CatalogView, seed: int) -> None:
        self.plan = plan
        self.member = plan.member
        self.view = view
        self.rng = random.Random(f"{seed}:{plan.member.id}")
        self.titles_used: dict[str, int] = {}
        self.weights = self._area_weights()

    def _area_weights(self) -> dict[str, float]:
        """Member-specific interest in each area/pillar, so coverage differs between members."""
        weights = {}
        for framework in sorted(self.view.tops):
            for top in self.view.tops[framework]:
                weights[top] = 0.1 + self.rng.random() ** 2
        return weights

    def actions(self) -> list[dict[str, Any]]:
        """The member's actions, ordered by start date and numbered in that order."""
        drafts = [self._draft() for _ in range(self.plan.count)]
        drafts.sort(key=lambda a: (a["start_date"] or a["last_updated"], a["title"]))
        width = max(3, len(str(len(drafts))))
        for number, action in enumerate(drafts, start=1):
            action_id = f"{self.member.id}-{number:0{width}d}"
            action["action_id"] = action_id
            if action["evidence"] is not None:
                action["evidence"] = action["evidence"].format(action_id=action_id)
        return [{f.name: a.get(f.name) for f in FIELDS} for a in drafts]

    # -- parts of one action -----------------------------------------------------------------

    def _draft(self) -> dict[str, Any]:
        rng = self.rng
        commitments = self._commitments()
        primary = commitments[0]
        status, start, due, updated = self._timeline()
        origin = rng.choices(["new", "pre-existing", None], weights=[55, 35, 10])[0]
        return {
            "member": self.member.id,
            "commitments": commitments,
            "title": self._title(primary),
            "description": self._description(primary, status),
            "status": status,
            "start_date": start,
            "due_date": due,
            "last_updated": updated,
            "lead_agency": self._agency(primary),
            "asean_mechanisms": self._mechanisms(commitments),
            "evidence": self._evidence(status),
            "origin": origin,
            "confidential": rng.random() < 0.05,
            "notes": rng.choice(NOTES) if rng.random() < 0.12 else None,
        }

    def _commitments(self) -> list[str]:
        """1-3 ids: a primary one, maybe its counterpart in the other framework, maybe a sibling."""
        rng, view = self.rng, self.view
        primary = self._primary()
        chosen = [primary]
        both = 0.45 if self.member.asean else 0.15
        if rng.random() < both:
            pair = view.counterparts.get(primary) or view.counterparts.get(view.top(primary))
            fallback = FALLBACK_COUNTERPART.get(view.top(primary))
            options = pair or ([fallback] if fallback in view.catalog.commitments else [])
            if options:
                chosen.append(rng.choice(options))
        family = [view.top(primary), *view.under.get(view.top(primary), [])]
        siblings = [c for c in family if c not in chosen and not self._absurd(c)]
        if siblings and len(chosen) < 3 and rng.random() < 0.12:
            chosen.append(rng.choice(siblings))
        return chosen

    def _primary(self) -> str:
        for _ in range(20):
            chosen = self._draw_primary()
            if not self._unfitting(chosen):
                break
        return chosen

    def _unfitting(self, commitment_id: str) -> bool:
        """Commitments this member should not cite (absurd), or only rarely (redrawn mostly)."""
        if self._absurd(commitment_id):
            return True
        rare = commitment_id in ANDAMAN_COMMITMENTS and self.member.id not in ANDAMAN_MEMBERS
        return rare and self.rng.random() < 0.85

    def _absurd(self, commitment_id: str) -> bool:
        return self.member.id in LANDLOCKED_MEMBERS and commitment_id in MARITIME_COMMITMENTS

    def _draw_primary(self) -> str:
        rng, view = self.rng, self.view
        work = ORGANISATION_WORK.get(self.member.id)
        if work:
            known = [c for c in work if c in view.catalog.commitments]
            if known and rng.random() < 0.85:
                return rng.choice(known)
        bohol_share = 0.5 if self.member.asean else 0.12
        framework = "BWP" if rng.random() < bohol_share and "BWP" in view.tops else "ASC"
        tops = view.tops.get(framework) or next(iter(view.tops.values()))
        top = rng.choices(tops, weights=[self.weights[t] for t in tops])[0]
        beneath = view.under.get(top, [])
        return rng.choice(beneath) if beneath and rng.random() < 0.65 else top

    def _title(self, commitment_id: str) -> str:
        """A title that fits the commitment; repeats within a member become later phases."""
        # Once a member has used most of the wording (large scales), redrawing only costs time.
        attempts = 12 if len(self.titles_used) < TITLE_REDRAW_LIMIT else 1
        for _ in range(attempts):
            title = self._draw_title(commitment_id)
            if title not in self.titles_used:
                break
        seen = self.titles_used.get(title, 0)
        self.titles_used[title] = seen + 1
        return title if seen == 0 else f"{title} (phase {seen + 1})"

    def _draw_title(self, commitment_id: str) -> str:
        rng, view = self.rng, self.view
        organisation_titles = ORGANISATION_WORK.get(self.member.id, {}).get(commitment_id)
        if organisation_titles:
            return self._organisation_title(commitment_id, organisation_titles)
        top = view.top(commitment_id)
        themes = view.catalog.commitments[commitment_id].themes
        draw = rng.random()
        theme = rng.choice(themes) if themes else None
        theme_titles = THEME_TITLES.get(theme) if theme else None
        if theme == "maritime-smuggling" and self.member.id in LANDLOCKED_MEMBERS:
            theme_titles = None
        if theme_titles and draw < 0.15:
            return rng.choice(theme_titles)
        if draw < 0.35:
            subject = rng.choice(self._subjects(commitment_id))
            audience = rng.choice(_phrases(top).audiences or ("officials",))
            return rng.choice(TITLE_TEMPLATES).format(subject=subject, audience=audience)
        pool = list(_phrases(commitment_id).titles)
        if commitment_id == top:  # an area-level report may be any activity in the area
            for item in view.under.get(top, []):
                pool.extend(_phrases(item).titles)
        return rng.choice(pool) if pool else self._fallback_title(commitment_id)

    def _organisation_title(self, commitment_id: str, titles: tuple[str, ...]) -> str:
        rng = self.rng
        if rng.random() < 0.3:
            title = rng.choice(ORGANISATION_TEMPLATES).format(subject=rng.choice(self._subjects(commitment_id)))
        else:
            title = rng.choice(titles)
        return f"{title} in {rng.choice(REGIONS)}" if rng.random() < 0.6 else title

    def _fallback_title(self, commitment_id: str) -> str:
        return f"National action on {self.view.catalog.commitments[commitment_id].title.lower()}"

    def _subjects(self, commitment_id: str) -> tuple[str, ...]:
        top = self.view.top(commitment_id)
        return (
            _phrases(commitment_id).subjects
            or _phrases(top).subjects
            or (self.view.catalog.commitments[commitment_id].title.lower(),)
        )

    def _description(self, commitment_id: str, status: str) -> str:
        rng = self.rng
        openings = ORGANISATION_OPENINGS if self.member.kind == "organisation" else DESCRIPTION_OPENINGS
        opening = rng.choice(openings).format(
            subject=rng.choice(self._subjects(commitment_id)), partner=rng.choice(PARTNERS)
        )
        if rng.random() < 0.25:
            return opening
        return f"{opening} {rng.choice(STATUS_SENTENCES.get(status, ('',)))}".strip()

    def _agency(self, commitment_id: str) -> str | None:
        rng = self.rng
        if rng.random() < 0.06:
            return None
        offices = ORGANISATION_OFFICES.get(self.member.id)
        if offices:
            return rng.choice(offices)
        agency = rng.choice(_phrases(self.view.top(commitment_id)).agencies or GENERIC_AGENCIES)
        if self.member.kind in ("territory", "sar"):
            agency = _SUBNATIONAL_AGENCY.get(agency, agency.replace("Ministry of ", "Department of "))
        return agency

    def _mechanisms(self, commitments: list[str]) -> list[str]:
        """ASEAN members name the ASEAN bodies their Bohol work runs through; others rarely do."""
        rng, view = self.rng, self.view
        cites_bohol = any(view.framework(c) == "BWP" for c in commitments)
        chance = (0.85 if cites_bohol else 0.2) if self.member.asean else 0.03
        if rng.random() >= chance:
            return []
        linked = list(dict.fromkeys(m for c in commitments for m in view.mechanisms.get(c, [])))
        options = linked or [m for m in FALLBACK_MECHANISMS if m in view.catalog.mechanisms]
        if not options:
            return []
        return rng.sample(options, min(len(options), rng.choice((1, 1, 2))))

    def _evidence(self, status: str) -> str | None:
        """Complete actions always carry evidence; some others do too. ``{action_id}`` is filled in later."""
        rng = self.rng
        chance = {"complete": 1.0, "substantial": 0.45, "limited": 0.15, "discontinued": 0.1}.get(status, 0.0)
        if rng.random() >= chance:
            return None
        if rng.random() < 0.6:
            return "https://example.org/illustrative/{action_id}"
        return "Illustrative report {action_id}"

    def _timeline(self) -> tuple[str, dt.date | None, dt.date | None, dt.date]:
        """Status, start, due and last-updated dates that agree with each other.

        Status follows progress: the share of the planned period that had passed
        when the row was last updated. Stale members stopped updating more than a
        year before ``AS_OF``, so their rows describe the situation back then.
        """
        rng = self.rng
        if self.plan.stale:
            updated = AS_OF - dt.timedelta(days=rng.randint(380, 800))
            reference = updated
        else:
            reference = AS_OF
        start = PERIOD_START + dt.timedelta(days=rng.randint(0, (reference - PERIOD_START).days - 7))
        due = None
        if rng.random() < 0.9:
            due = min(start + dt.timedelta(days=rng.randint(180, 1100)), PLAN_END)
        status = self._status(start, due, reference)
        if not self.plan.stale:
            recent = rng.random() < 0.85
            updated = AS_OF - dt.timedelta(days=rng.randint(0, 180) if recent else rng.randint(181, 540))
            updated = max(updated, start)
        # A planned action often has no start date yet.
        shown_start = None if status == "not_started" and rng.random() < 0.4 else start
        return status, shown_start, due, updated

    def _status(self, start: dt.date, due: dt.date | None, reference: dt.date) -> str:
        end = due or start + dt.timedelta(days=730)
        progress = (reference - start).days / max(1, (end - start).days)
        statuses = ["not_started", "limited", "substantial", "complete", "discontinued"]
        if progress >= 1:
            weights = [8, 12, 20, 50, 10]
        elif progress >= 0.5:
            weights = [10, 28, 40, 17, 5]
        else:
            weights = [30, 45, 18, 2, 5]
        known = self.view.statuses
        pairs = [(s, w) for s, w in zip(statuses, weights, strict=True) if s in known]
        return self.rng.choices([s for s, _ in pairs], weights=[w for _, w in pairs])[0]


def _phrases(commitment_id: str) -> Phrases:
    return PHRASES.get(commitment_id, Phrases(titles=()))


# --- writers ---------------------------------------------------------------------------------

_COLUMN_WIDTHS: dict[str, int] = {
    "action_id": 12,
    "member": 9,
    "commitments": 24,
    "title": 62,
    "description": 80,
    "status": 13,
    "start_date": 12,
    "due_date": 12,
    "last_updated": 13,
    "lead_agency": 36,
    "asean_mechanisms": 22,
    "evidence": 44,
    "origin": 15,
    "confidential": 13,
    "notes": 48,
}
_FIXED_CREATED = dt.datetime(AS_OF.year, AS_OF.month, AS_OF.day, tzinfo=dt.UTC)
HEADER_ROW = 3  # 0-based: two title rows and a blank row above the header


def write_workbook(path: Path, plan: MemberPlan, actions: list[dict[str, Any]], catalog: Catalog) -> None:
    """Write one member's actions as an xlsx workbook with the header below two title rows."""
    buffer = io.BytesIO()
    # in_memory makes xlsxwriter stamp every zip entry 1980-01-01, so bytes do not depend on the clock.
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    )
    workbook.set_properties(
        {
            "title": f"Illustrative sample actions: {plan.member.name}",
            "subject": "ILLUSTRATIVE SAMPLE DATA — not real reporting",
            "author": GENERATOR_NAME,
            "comments": "Generated by scripts/generate_sample.py",
            "created": _FIXED_CREATED,
        }
    )
    sheet = workbook.add_worksheet("Actions")
    title_format = workbook.add_format({"bold": True, "font_size": 13, "font_color": "#9C0006"})
    header_format = workbook.add_format({"bold": True, "bg_color": "#D9D9D9", "bottom": 1})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})

    sheet.write_string(
        0,
        0,
        f"ILLUSTRATIVE SAMPLE DATA — generated for demonstration; not real reporting by {plan.member.name}",
        title_format,
    )
    sheet.write_string(
        1,
        0,
        f"Invented by scripts/generate_sample.py (as of {AS_OF.isoformat()}). Do not cite. "
        "Replace with the member's own spreadsheet to track real actions.",
    )
    for col, spec in enumerate(FIELDS):
        sheet.write_string(HEADER_ROW, col, spec.label, header_format)
        sheet.set_column(col, col, _COLUMN_WIDTHS.get(spec.name, 15))
    labels = {s.id: s.label for s in catalog.statuses.values()}
    for offset, action in enumerate(actions, start=1):
        row = HEADER_ROW + offset
        for col, spec in enumerate(FIELDS):
            value = _workbook_value(spec.name, action[spec.name], plan.variant, labels)
            if isinstance(value, dt.date):
                sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), date_format)
            elif value is not None:
                sheet.write_string(row, col, value)
    sheet.freeze_panes(HEADER_ROW + 1, 1)
    sheet.autofilter(HEADER_ROW, 0, HEADER_ROW + len(actions), len(FIELDS) - 1)
    workbook.close()
    path.write_bytes(buffer.getvalue())


def _workbook_value(name: str, value: Any, variant: str, labels: dict[str, str]) -> str | dt.date | None:
    """A cell value as a member might type it in this file's variant."""
    if value is None or value == []:
        return None
    if isinstance(value, list):
        return "; ".join(value)
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y") if variant == "text-dates" else value
    if name == "confidential":
        text = "yes" if value else "no"
    elif name == "status" and variant == "labels":
        return labels.get(value, value)
    else:
        text = str(value)
    return text.capitalize() if variant == "labels" and name in ("origin", "confidential") else text


def write_yaml(path: Path, plan: MemberPlan, actions: list[dict[str, Any]]) -> None:
    """Write one member's actions as a YAML file: header comment, member, illustrative flag, actions."""
    rows = [_yaml_action(a, as_lists=plan.variant == "lists") for a in actions]
    document = {"member": plan.member.id, "illustrative": True, "actions": rows}
    text = yaml.dump(
        document, Dumper=_YAML_DUMPER, sort_keys=False, allow_unicode=True, width=110, default_flow_style=False
    )
    path.write_bytes((YAML_HEADER + text).encode("utf-8"))


def _yaml_action(action: dict[str, Any], *, as_lists: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in action.items():
        if value is None or value == [] or (name == "confidential" and not value):
            continue  # blank fields are simply left out
        if isinstance(value, list) and not as_lists:
            value = "; ".join(value)
        out[name] = value
    return out


# --- the whole data set ----------------------------------------------------------------------

MEMBER_SUFFIXES = (".xlsx", ".yaml")


class ForeignFileError(Exception):
    """Raised when the output directory holds member files the generator did not write."""


def generate(out_dir: Path, scale: float = 1.0, seed: int = DEFAULT_SEED, catalog: Catalog | None = None) -> list[Path]:
    """Write the illustrative sample: one file per reporting member.

    Args:
        out_dir: where to write; created if missing. Member files written by an
            earlier run are removed first; other files are left alone.
        scale: multiplies the number of actions per member (1.0 gives about 2,000).
        seed: the random seed; the same seed, scale and catalog give the same bytes.
        catalog: the catalog to draw from (the bundled one when omitted).

    Returns:
        The paths written, sorted.

    Raises:
        ValueError: when ``scale`` is not positive or the catalog has no members
            or commitments.
        ForeignFileError: when ``out_dir`` holds a member file that this generator
            did not write (real data is never overwritten or deleted).
    """
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    catalog = catalog or load_catalog()
    if not catalog.members or not catalog.commitments:
        raise ValueError("the catalog has no members or no commitments; fix commitments/ first")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _remove_previous(out_dir)

    view = CatalogView.of(catalog)
    written: list[Path] = []
    for plan in plan_members(catalog, scale, seed):
        if plan.count == 0:
            continue
        actions = ActionDrafter(plan, view, seed).actions()
        path = out_dir / f"{plan.member.id}{plan.suffix}"
        if plan.suffix == ".xlsx":
            write_workbook(path, plan, actions, catalog)
        else:
            write_yaml(path, plan, actions)
        written.append(path)
    return sorted(written)


def _remove_previous(out_dir: Path) -> None:
    """Delete member files from an earlier run; refuse if any member file is not ours."""
    candidates = [
        p
        for p in sorted(out_dir.iterdir())
        if p.is_file() and p.suffix in MEMBER_SUFFIXES and parse_member_id(p.stem) == p.stem
    ]
    foreign = [p.name for p in candidates if not is_generated(p)]
    if foreign:
        raise ForeignFileError(
            f"{out_dir} holds member files that were not generated ({', '.join(foreign)}); "
            "generate into an empty or sample-only directory instead"
        )
    for path in candidates:
        path.unlink()


def is_generated(path: Path) -> bool:
    """True when ``path`` is a member file this generator wrote (by its marker)."""
    if path.suffix == ".yaml":
        with path.open("rb") as handle:
            return handle.read(len(YAML_HEADER.encode("utf-8"))) == YAML_HEADER.encode("utf-8")
    try:
        with zipfile.ZipFile(path) as archive:
            core = archive.read("docProps/core.xml").decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, KeyError, OSError):
        return False
    return f"<dc:creator>{GENERATOR_NAME}</dc:creator>" in core


# --- command line ----------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run the generator from the command line; returns the exit status."""
    parser = argparse.ArgumentParser(description="Generate the illustrative sample member files.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output directory (default: {DEFAULT_OUT})")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply actions per member (default: 1)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default: {DEFAULT_SEED})")
    args = parser.parse_args(argv)
    if args.scale <= 0:
        parser.error("--scale must be positive")
    started = time.perf_counter()
    try:
        paths = generate(args.out, scale=args.scale, seed=args.seed)
    except (ValueError, ForeignFileError) as exc:
        print(f"generate_sample: {exc}", file=sys.stderr)
        return 1
    elapsed = time.perf_counter() - started
    print(f"Wrote {len(paths)} member files to {args.out} in {elapsed:.1f} s (scale {args.scale}, seed {args.seed}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())

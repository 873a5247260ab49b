"""The briefing pack for a meeting: print-ready HTML (and PDF) of the current view.

:func:`build_brief` computes every number with the same metric functions the
dashboard pages call (``headline``, ``overdue_actions``, ``stale_members``,
``uncovered_commitments``, ``dual_framework_actions``, snapshot ``compare``…), so
the pack and the dashboard agree for the same filters. :func:`brief_html` renders
it through the Jinja2 templates in ``tracker/documents/templates/`` into one self-contained
file (plotly.js inlined once, no network needed) laid out for A4 print, and
:func:`brief_pdf` prints that file with headless Chromium.

The narrative is built from the numbers by the templates: neutral sentences,
members never ranked (always A–Z), no evaluative words. Statuses are the
members' own reports and the pack says so.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import jinja2
import pandas as pd
import plotly.graph_objects as go
from markupsafe import Markup, escape
from plotly.offline import get_plotlyjs

from loaders.catalog import Catalog
from loaders.catalog_schema import CONFIDENCE_LABELS, MEMBER_KINDS
from loaders.dataset import Dataset
from loaders.disclosure import visible_issues
from loaders.i18n import N_, Language, language
from loaders.lookup import isin
from tracker.documents.exports import confidential_note, data_as_of, filters_in_words
from tracker.documents.images import ImageExportError, require_chromium
from tracker.figures.gaps import gap_matrix_figure
from tracker.figures.palette import FRESHNESS, status_names
from tracker.figures.progress import plan_year_figure
from tracker.figures.status import status_bar_figure
from tracker.records.snapshots import CHANGE_KINDS, KIND_LABELS, Snapshot, SnapshotChanges, snapshot_changes
from tracker.views.filters import Filters, View, apply_filters
from tracker.views.gaps import (
    STALE_AFTER_DAYS,
    gap_matrix,
    members_without_actions,
    stale_members,
    uncovered_commitments,
)
from tracker.views.overlap import (
    POSSIBLE_DUPLICATION,
    Match,
    dual_framework_actions,
    dual_framework_by_group,
    duplication_and_complement,
    group_comparison,
)
from tracker.views.overlap import in_words as overlap_in_words
from tracker.views.overview import (
    Headline,
    KeyFigure,
    catalog_caveats,
    freshness,
    headline,
    key_figures,
    status_counts,
)
from tracker.views.progress import Movement, movement_since, overdue_actions, plan_year_summary
from tracker.views.provenance import (
    data_labels,
    illustrative_note,
    public_record_sentence,
    public_share,
    status_note,
)
from tracker.views.themes import members_with_and_without_actions, theme_commitments, theme_mechanisms, theme_view

PACK_TITLE = N_("Bali Process and ASEAN counter-trafficking commitments: briefing pack")
SIX_MONTHS = dt.timedelta(days=182)  # the Progress page's default "since"
PROFILE_LIMIT = 12  # up to this many members in scope, each gets a one-page profile
LIST_LIMIT = 40  # longer lists of actions go to the Excel export, not the pack
CHART_WIDTH = 680  # px: the A4 text width at 15 mm margins (96 px per inch)
PAGE_HEIGHT = 820  # px: the tallest chart that still fits a page under a heading and a paragraph
OVERLAP_MATCH: Match = "linked"  # the ASEAN overlap page's default way of matching actions to a link
MAIN_CHARTS = {
    "status_by_area": N_("Status of actions by area and pillar"),
    "gap_matrix": N_("Furthest reported status per member and commitment"),
    "plan_years": N_("Actions started and due in each plan year"),
}
"""The view's main charts, offered as images; titles as on the dashboard pages (English: translate where shown)."""
TEMPLATES = Path(__file__).resolve().parent / "templates"
PDF_TIMEOUT_S = 180


class PdfExportError(RuntimeError):
    """The PDF could not be made (no Chromium, or Chromium failed); the message says why."""


def per_area(view: View, frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Distinct actions of each frame per area or pillar in scope (an action on two areas counts in both).

    Returns:
        ``area``, ``title`` and one count column per frame name, areas in catalog order.
    """
    catalog = view.catalog
    links = view.links[["action_key", "top_level"]].drop_duplicates()
    table = pd.DataFrame({"area": list(view.top_level_ids)})
    table["title"] = table["area"].map({c: catalog.commitments[c].shown_title for c in view.top_level_ids})
    for name, frame in frames.items():
        counts = links[isin(links["action_key"], frame["action_key"])].groupby("top_level").size()
        table[name] = table["area"].map(counts).fillna(0).astype("int64")
    return table.astype({"area": "str", "title": "str"})


@dataclass(frozen=True)
class MemberProfile:
    """One member's page: headline numbers, coverage strip and gaps, under the pack's filters."""

    member: str
    name: str
    facts: str
    view: View
    key_figures: list[KeyFigure]
    state: str
    last_updated: dt.date | None
    days_since_update: int | None
    matrix: pd.DataFrame
    status_by_area: pd.DataFrame
    uncovered: pd.DataFrame
    overdue: int
    moved: dict[str, int] | None


@dataclass(frozen=True)
class ThemeSection:
    """What the pack says about one theme of the theme filter (as the Themes page shows it)."""

    label: str
    description: str
    confidence: str
    actions: int
    commitments: pd.DataFrame
    mechanisms: pd.DataFrame
    members_with: pd.DataFrame
    members_without: pd.DataFrame


def _theme_sections(view: View, lang: Language) -> list[ThemeSection]:
    """One section per theme of the filter, in catalog order; none without a theme filter."""
    catalog = view.catalog
    sections = []
    for theme in (t for t in catalog.themes if t in view.filters.themes):
        scope = theme_view(view, theme)
        entry = catalog.themes[theme]
        with_actions, without = members_with_and_without_actions(scope)
        sections.append(
            ThemeSection(
                label=entry.label,
                description=entry.description,
                confidence=f"{entry.confidence} – {lang.gettext(CONFIDENCE_LABELS[entry.confidence])}",
                actions=len(scope.actions),
                commitments=theme_commitments(scope, theme),
                mechanisms=theme_mechanisms(scope),
                members_with=with_actions,
                members_without=without,
            )
        )
    return sections


@dataclass(frozen=True)
class Brief:
    """Everything the pack shows, computed once; :func:`brief_html` only lays it out."""

    view: View
    today: dt.date
    scope: list[str]
    data_as_of: dt.date | None
    illustrative: bool
    public_record: dt.date | None
    confidential_included: bool
    validation_errors: int
    headline: Headline
    key_figures: list[KeyFigure]
    caveats: list[str]
    since_snapshot: SnapshotChanges | None
    since_date: Movement | None
    moved_by_area: pd.DataFrame
    overdue: pd.DataFrame
    stuck_by_area: pd.DataFrame
    stale: pd.DataFrame
    silent: pd.DataFrame
    not_started_status: str
    not_started: int
    uncovered: pd.DataFrame
    one_framework: bool
    dual: pd.DataFrame
    dual_by_group: pd.DataFrame
    duplication: pd.DataFrame
    comparison: pd.DataFrame
    profiles: list[MemberProfile]
    members: pd.DataFrame
    title: str = PACK_TITLE
    lang: Language = field(default_factory=language)  # the pack's language: its words, numbers and dates
    round_summary: str | None = None  # the reporting round's response figures (tracker.records.rounds.round_summary)
    themes: list[ThemeSection] = field(default_factory=list)  # one per theme of the theme filter

    @property
    def catalog(self) -> Catalog:
        """Shortcut to the catalog."""
        return self.view.catalog

    @property
    def flagged(self) -> pd.DataFrame:
        """Crosswalk links flagged as possible duplication (for review, not findings)."""
        if self.duplication.empty:
            return self.duplication
        return self.duplication[self.duplication["classification"] == POSSIBLE_DUPLICATION].reset_index(drop=True)


def build_brief(
    dataset: Dataset,
    filters: Filters,
    *,
    user_can_see_confidential: bool,
    since: Snapshot | None,
    today: dt.date,
    round_summary: str | None = None,
    lang: Language | None = None,
) -> Brief:
    """Compute the briefing pack for ``filters``, with the dashboard's own metric functions.

    Args:
        dataset: the validated records.
        filters: the scope (the app's sidebar filters, or the CLI's ``--member``/``--framework``).
        user_can_see_confidential: include confidential actions (reviewers, admins, or the CLI's
            ``--include-confidential``); otherwise they are left out of every number and list.
        since: a meeting snapshot to report changes against; None reports the last six months
            from each action's "last updated" date instead.
        today: the date the pack is prepared (overdue and stale are judged at it).
        round_summary: the latest reporting round's response figures in words, stated under the key figures.
        lang: the pack's language (English); give ``dataset`` the catalog in that language
            (``Catalog.in_language``) so that status labels and member names are said in it too.

    Returns:
        The :class:`Brief`; render it with :func:`brief_html`.
    """
    lang = lang or language()
    view = apply_filters(dataset, filters, can_see_confidential=user_can_see_confidential)
    catalog = view.catalog
    figures = headline(view)

    since_snapshot = since_date = None
    if since is not None:
        since_snapshot = snapshot_changes(
            view, since, can_see_confidential=user_can_see_confidential, today=today, lang=lang
        )
        moved_by_area = since_snapshot.by_area
    else:
        since_date = movement_since(view, today - SIX_MONTHS)
        moved_by_area = per_area(
            view, {"updated": since_date.updated, "started": since_date.new, "not updated": since_date.stalled}
        )

    overdue = overdue_actions(view, today)
    lowest = next(iter(catalog.statuses))  # the first step of the scale: "not started"
    not_started = view.actions[view.actions["status"] == lowest]
    one_framework = bool(filters.framework)
    in_scope = len(view.member_ids) <= PROFILE_LIMIT
    dual = dual_framework_actions(view)
    return Brief(
        view=view,
        today=today,
        scope=filters_in_words(filters, catalog, lang),
        data_as_of=data_as_of(view),
        illustrative=dataset.illustrative,
        public_record=dataset.public_record,
        confidential_included=user_can_see_confidential,
        validation_errors=len(visible_issues(dataset.errors, can_see_confidential=user_can_see_confidential)),
        headline=figures,
        key_figures=key_figures(figures, lang),
        caveats=catalog_caveats(catalog, status_note(dataset, lang=lang), lang),
        since_snapshot=since_snapshot,
        since_date=since_date,
        moved_by_area=moved_by_area,
        overdue=overdue,
        stuck_by_area=per_area(view, {"overdue": overdue, "not started": not_started}),
        stale=stale_members(view, today),
        silent=members_without_actions(view, today),
        not_started_status=lowest,
        not_started=len(not_started),
        uncovered=uncovered_commitments(view),
        one_framework=one_framework,
        dual=dual,
        dual_by_group=dual_framework_by_group(view, dual),
        duplication=pd.DataFrame() if one_framework else duplication_and_complement(view, OVERLAP_MATCH),
        comparison=group_comparison(view),
        profiles=_profiles(view, since_snapshot, user_can_see_confidential, today, lang) if in_scope else [],
        members=_members_table(view, today, lang),
        title=lang.gettext(PACK_TITLE),
        lang=lang,
        round_summary=round_summary,
        themes=_theme_sections(view, lang),
    )


def _members_table(view: View, today: dt.date, lang: Language) -> pd.DataFrame:
    """Members in scope A–Z by name: actions, latest update and whether the records are stale."""
    frame = freshness(view, today, STALE_AFTER_DAYS).sort_values("name").reset_index(drop=True)
    frame["state_label"] = frame["state"].map(
        {state: f"{icon} {lang.gettext(label)}" for state, (_, icon, label) in FRESHNESS.items()}
    )
    return frame


def _profiles(
    view: View, since: SnapshotChanges | None, can_see_confidential: bool, today: dt.date, lang: Language
) -> list[MemberProfile]:
    """One profile per member in scope, A–Z by name, as the Member profile page computes it (words in ``lang``)."""
    catalog = view.catalog
    _ = lang.gettext
    profiles = []
    for member in sorted(view.member_ids, key=lambda m: catalog.members[m].name):
        # The member profile page's view: the sidebar filters, with member and group giving way.
        filters = replace(view.filters, members=(member,), group=None)
        own = apply_filters(view.dataset, filters, can_see_confidential=can_see_confidential)
        entry = catalog.members[member]
        facts = [_(MEMBER_KINDS[entry.kind]) if entry.kind in MEMBER_KINDS else entry.kind]
        if entry.asean:
            since_year = entry.asean_since
            facts.append(
                _("ASEAN member since {year}").format(year=since_year.year) if since_year else _("ASEAN member")
            )
        if entry.co_chair:
            facts.append(_("Bali Process co-chair"))
        fresh = freshness(own, today, STALE_AFTER_DAYS).iloc[0]
        figures = headline(own)
        latest = None if pd.isna(fresh["last_updated"]) else fresh["last_updated"].date()
        moved = None
        if since is not None:
            rows = since.by_member[since.by_member["member"] == member]
            kinds = [*CHANGE_KINDS, "newly overdue"]
            moved = {k: int(rows[k].sum()) for k in kinds}
        profiles.append(
            MemberProfile(
                member=member,
                name=entry.name,
                facts=" · ".join(facts),
                view=own,
                key_figures=[
                    KeyFigure(_("Actions reported"), lang.number(figures.actions), ""),
                    KeyFigure(
                        _("Commitments with an action"),
                        _("{reporting} of {scope}").format(
                            reporting=lang.number(figures.commitments_covered),
                            scope=lang.number(figures.commitments_in_scope),
                        ),
                        "",
                    ),
                    KeyFigure(_("Actions reported complete"), _percent(figures.complete_share, lang=lang), ""),
                    KeyFigure(_("Latest update"), _("no update") if latest is None else lang.short_date(latest), ""),
                ],
                state=str(fresh["state"]),
                last_updated=latest,
                days_since_update=None if pd.isna(fresh["days_since_update"]) else int(fresh["days_since_update"]),
                matrix=gap_matrix(own, "top_level"),
                status_by_area=status_counts(own, "top_level"),
                uncovered=uncovered_commitments(own),
                overdue=len(overdue_actions(own, today)),
                moved=moved,
            )
        )
    return profiles


# --- rendering ---------------------------------------------------------------------------------


def brief_html(brief: Brief) -> str:
    """The pack as one self-contained HTML document (plotly.js inlined once, print CSS for A4), in the pack's
    language (:attr:`Brief.lang`).

    Charts are static (no hover, no toolbar) and have fixed sizes, so they print
    the same in every browser and in the PDF.
    """
    lang = brief.lang
    _ = lang.gettext
    env = _environment(lang.code)
    charts = _charts(brief)
    names = status_names(brief.catalog)
    dataset = brief.view.dataset
    kinds = (*CHANGE_KINDS, "newly overdue")
    return env.get_template("brief.html.j2").render(
        brief=brief,
        lang=lang,
        charts=charts,
        plotlyjs=Markup(get_plotlyjs()),  # noqa: S704 - plotly's own bundle, not user data
        css=Markup((TEMPLATES / "brief.css").read_text(encoding="utf-8")),  # noqa: S704 - our stylesheet
        notes={
            "illustrative": illustrative_note(lang),
            "illustrative_sentence": _(
                "The action records in this pack were generated for demonstration: no member reported them, and "
                "they must not be presented as real reporting."
            ),
            "public_record": (
                public_record_sentence(brief.public_record, public_share(dataset), lang=lang)
                if brief.public_record
                else ""
            ),
            "statuses": status_note(dataset, lang=lang),
            "statuses_short": status_note(dataset, short=True, lang=lang),
            "labels": data_labels(dataset, lang=lang),
            "confidential": confidential_note(brief.confidential_included, lang),
        },
        kinds=CHANGE_KINDS,
        kinds_columns=[(k, _(KIND_LABELS[k])) for k in kinds],
        kinds_keys=kinds,
        footer=Markup(_css_string(_footer(brief))),  # noqa: S704 - CSS-escaped above
        page_counter=Markup(_page_counter(_("Page {page} of {pages}"))),  # noqa: S704 - CSS-escaped inside
        status_labels=lambda frame, column: frame.assign(**{column: frame[column].map(names).fillna(frame[column])}),
        # The overlap tables' own words (group labels, crosswalk relations), said as the ASEAN overlap page says them.
        said=lambda frame: overlap_in_words(frame, lang),
        stale_after=STALE_AFTER_DAYS,
        six_months=SIX_MONTHS,
        profile_limit=PROFILE_LIMIT,
        list_limit=LIST_LIMIT,
    )


def brief_pdf(html: str, out_path: Path | str) -> Path:
    """Print the pack's HTML to a PDF with headless Chromium (``$CHROMIUM_PATH``, else ``chromium``).

    Raises:
        PdfExportError: no Chromium is found, or it failed or produced no PDF.
    """
    try:
        chromium = require_chromium()
    except ImageExportError as missing:
        raise PdfExportError(str(missing)) from missing
    out = Path(out_path).resolve()
    with tempfile.TemporaryDirectory(prefix="brief-") as work:
        page = Path(work) / "brief.html"
        page.write_text(html, encoding="utf-8")
        target = Path(work) / "brief.pdf"
        command = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
            "--virtual-time-budget=10000",
            f"--user-data-dir={Path(work) / 'profile'}",  # a private profile: never clashes with a running browser
            f"--print-to-pdf={target}",
            page.as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=PDF_TIMEOUT_S, check=False)  # noqa: S603
        except (OSError, subprocess.TimeoutExpired) as failure:
            raise PdfExportError(f"Chromium ({chromium}) could not print the pack: {failure}") from failure
        if not target.is_file() or target.read_bytes()[:4] != b"%PDF":
            detail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise PdfExportError(
                f"Chromium ({chromium}) exited with status {done.returncode} and wrote no PDF: {' '.join(detail)}"
            )
        out.write_bytes(target.read_bytes())
    return out


def brief_pdf_bytes(html: str) -> bytes:
    """:func:`brief_pdf` into memory (for a download button).

    Raises:
        PdfExportError: as :func:`brief_pdf`.
    """
    with tempfile.TemporaryDirectory(prefix="brief-out-") as work:
        return brief_pdf(html, Path(work) / "brief.pdf").read_bytes()


@functools.cache
def _environment(code: str) -> jinja2.Environment:
    """The templates' environment for language ``code``: its words (``_``, ``ngettext``), numbers and dates.

    The templates call ``_("… {name} …", name=value)`` and ``ngettext(singular, plural, count, …)``: whole
    sentences with named values, so a translation can order them as its grammar needs (``make translations``
    extracts them from the templates too). The values are escaped with the rest of the text.
    """
    lang = language(code)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template is HTML: members' text is escaped; only Markup passed above is not
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        n=functools.partial(_count, lang, _counted_nouns(lang)),  # the environment is made once per language
        num=lang.number,
        pct=functools.partial(_percent, lang=lang),
        day=functools.partial(_day, lang=lang),
        cell=functools.partial(_cell, lang=lang),
        md=_markdown,
        short=_short,
    )
    env.globals.update(_=functools.partial(_say, lang.gettext), ngettext=functools.partial(_say_n, lang))
    return env


def _say(gettext: Callable[[str], str], message: str, /, **values: object) -> Markup:
    """``message`` translated, then its ``{name}`` places filled; the values are escaped (Markup's ``format``), the
    result is not escaped again."""
    return escape(gettext(message)).format(**values)


def _say_n(lang: Language, singular: str, plural: str, count: int, /, **values: object) -> Markup:
    """The form for ``count`` translated, then its places filled as :func:`_say` does (``{n}`` is the count)."""
    return escape(lang.ngettext(singular, plural, int(count))).format(n=lang.number(int(count)), **values)


def _counted_nouns(lang: Language) -> dict[str, Callable[[int], str]]:
    """The nouns the pack counts (``1 action``, ``1,059 actions``), in ``lang``."""
    ngettext = lang.ngettext  # the name make translations looks for
    return {
        "action": lambda c: ngettext("{n} action", "{n} actions", c),
        "member": lambda c: ngettext("{n} member", "{n} members", c),
        "commitment": lambda c: ngettext("{n} commitment", "{n} commitments", c),
        "open action": lambda c: ngettext("{n} open action", "{n} open actions", c),
        "overdue action": lambda c: ngettext("{n} overdue action", "{n} overdue actions", c),
        "Adelaide–Bohol link": lambda c: ngettext("{n} Adelaide–Bohol link", "{n} Adelaide–Bohol links", c),
    }


def _footer(brief: Brief) -> str:
    """The text at the foot of every printed page."""
    lang = brief.lang
    _ = lang.gettext
    parts = [
        _("Data as of {day}").format(day=_day(brief.data_as_of, lang=lang)),
        _("prepared {day}").format(day=_day(brief.today, lang=lang)),
    ]
    if brief.public_record:
        parts.insert(
            0,
            _("PUBLIC RECORD compiled from public sources read on {day}, not reported by members").format(
                day=_day(brief.public_record, lang=lang)
            ),
        )
    if brief.illustrative:
        parts.insert(0, _("ILLUSTRATIVE SAMPLE DATA, not real reporting"))
    if brief.confidential_included:
        parts.insert(0, _("INCLUDES CONFIDENTIAL ACTIONS"))
    return " · ".join(parts)


def _page_counter(words: str) -> str:
    """CSS ``content`` for "Page {page} of {pages}" in any word order: quoted words around the page counters."""
    parts = re.split(r"(\{page\}|\{pages\})", words)
    counters = {"{page}": "counter(page)", "{pages}": "counter(pages)"}
    return " ".join(counters.get(part) or f'"{_css_string(part)}"' for part in parts if part)


def _css_string(text: str) -> str:
    """``text`` safe inside a CSS double-quoted string within a <style> element."""
    return re.sub(r"[\"'\\<>&\n]", lambda m: f"\\{ord(m.group()):x} ", text)


def _count(lang: Language, nouns: Mapping[str, Callable[[int], str]], value: int, noun: str) -> str:
    """``1 action``, ``1,059 actions`` (a noun of ``nouns``, :func:`_counted_nouns`) in ``lang``."""
    value = int(value)
    return nouns[noun](value).format(n=lang.number(value))


def _percent(value: float | None, *, lang: Language) -> str:
    """A share as a whole percentage in ``lang``, or an en dash when undefined."""
    return "–" if value is None or pd.isna(value) else lang.percent(value)


def _day(value: dt.date | None, *, lang: Language) -> str:
    """``30 November 2026`` in ``lang``, or an en dash."""
    return "–" if value is None or pd.isna(value) else lang.date(value)


def _cell(value: object, *, lang: Language) -> str:
    """A table cell as text in ``lang``: dates as dates, missing as empty, counts with separators."""
    if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp | dt.datetime):
        return lang.short_date(value.date())
    if isinstance(value, dt.date):
        return lang.short_date(value)
    if isinstance(value, bool):
        return lang.gettext("yes") if value else lang.gettext("no")
    if isinstance(value, int):
        return lang.number(value)
    if isinstance(value, float):
        return lang.percent(value) if 0 <= value <= 1 else lang.number(value)
    return str(value)


def _markdown(text: str) -> Markup:
    """Escape ``text``, then turn the caveats' ``**bold**`` into ``<strong>``."""
    return Markup(re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", str(escape(text))))  # noqa: S704 - escaped first


def _short(text: str, limit: int = 44) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def chart_figure(
    view: View, name: str, today: dt.date, *, label_limit: int = 120, lang: Language | None = None
) -> go.Figure:
    """One of the view's main charts (:data:`MAIN_CHARTS`), built as its dashboard page builds it.

    Args:
        view: the filtered data.
        name: a key of :data:`MAIN_CHARTS`.
        today: the date overdue is judged at (plan years).
        label_limit: area titles and member names longer than this are shortened with "…".
        lang: the chart's language (English); the view's catalog should speak it too.

    Raises:
        ValueError: ``name`` is not one of the main charts.
    """
    lang = lang or language()
    catalog = view.catalog
    title = lang.gettext(MAIN_CHARTS[name]) if name in MAIN_CHARTS else name
    if name == "status_by_area":
        counts = status_counts(view, "top_level")
        labels = _area_labels(counts, view.top_level_ids, catalog, label_limit)
        return status_bar_figure(
            counts, catalog, labels=labels, title=title, axis_title=lang.gettext("Area or pillar"), lang=lang
        )
    if name == "gap_matrix":
        return gap_matrix_figure(
            gap_matrix(view, "top_level"),
            catalog,
            member_labels={m: f"{_short(catalog.members[m].name, label_limit)} ({m})" for m in view.member_ids},
            commitment_labels={c: c for c in view.top_level_ids},
            title=title,
            lang=lang,
        )
    if name == "plan_years":
        return plan_year_figure(plan_year_summary(view, today), title=title, lang=lang)
    raise ValueError(f"'{name}' is not a main chart; use one of {', '.join(MAIN_CHARTS)}")


def _charts(brief: Brief) -> dict[str, Markup]:
    """Every chart of the pack as a static, fixed-size HTML fragment (no plotly.js: it is in the head)."""
    catalog = brief.catalog
    view = brief.view
    lang = brief.lang
    _ = lang.gettext
    charts: dict[str, go.Figure] = {}
    if not view.is_empty:
        charts["status_by_area"] = chart_figure(view, "status_by_area", brief.today, label_limit=40, lang=lang)
        charts["plan_years"] = chart_figure(view, "plan_years", brief.today, lang=lang)
        # Shares its page with the overdue tables; the legend goes under the axis, where a longer legend (in
        # another language) grows downwards instead of running into the title.
        charts["plan_years"].update_layout(
            height=310,
            margin={"t": 40, "b": 10},
            legend={"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0, "x": 0},
        )
        charts["plan_years"].update_xaxes(title={"standoff": 8})
    if view.member_ids and view.top_level_ids:
        matrix = chart_figure(view, "gap_matrix", brief.today, label_limit=24, lang=lang)
        matrix.update_xaxes(title=None)  # the ids say what the columns are; the page is tight
        charts["gap_matrix"] = _fit_matrix(matrix, len(view.member_ids))
    for profile in brief.profiles:
        charts[f"coverage_{profile.member}"] = gap_matrix_figure(
            profile.matrix,
            catalog,
            member_labels={profile.member: profile.member},
            commitment_labels={c: c for c in profile.view.top_level_ids},
            title=_("Coverage: furthest reported status per area and pillar"),
            lang=lang,
        )
        # One row: less room above it than the page leaves (the rotated ids need about 50 px).
        charts[f"coverage_{profile.member}"].update_layout(height=210, margin={"t": 95, "b": 10})
        charts[f"coverage_{profile.member}"].update_xaxes(title=None)
        if not profile.view.is_empty:
            charts[f"status_{profile.member}"] = status_bar_figure(
                profile.status_by_area,
                catalog,
                labels=_area_labels(profile.status_by_area, profile.view.top_level_ids, catalog, 40),
                title=_("Status of the member's actions by area and pillar"),
                axis_title=_("Area or pillar"),
                lang=lang,
            )
            # Shorter bars than on the page, so the profile stays on one sheet of paper.
            charts[f"status_{profile.member}"].update_layout(
                height=min(charts[f"status_{profile.member}"].layout.height, 380)
            )
    return {name: _static_html(fig) for name, fig in charts.items()}


def _area_labels(counts: pd.DataFrame, top_levels: tuple[str, ...], catalog: Catalog, limit: int) -> dict[str, str]:
    """``"ASC-1 Law enforcement"`` for each area or pillar with actions, as the pages label the bars."""
    present = set(counts.loc[counts["actions"] > 0, "group"])
    return {c: f"{c} {_short(catalog.commitments[c].shown_title, limit)}" for c in top_levels if c in present}


def _fit_matrix(fig: go.Figure, members: int) -> go.Figure:
    """Squeeze a tall member × area grid onto one page: smaller rows and cell text."""
    height = fig.layout.height or PAGE_HEIGHT
    if height <= PAGE_HEIGHT:
        return fig
    # Less room above the grid (the rotated area ids need about 60 px), the rest for the rows.
    fig.update_layout(height=PAGE_HEIGHT, margin={"t": 120, "b": 30})
    size = 9 if members > 36 else 10
    fig.update_traces(textfont={"size": size}, selector={"type": "heatmap"})
    fig.update_yaxes(tickfont={"size": size})
    return fig


def _static_html(fig: go.Figure) -> Markup:
    """A fixed-size, non-interactive plotly div (prints reliably; see tech-notes §4)."""
    height = min(int(fig.layout.height or 420), PAGE_HEIGHT)
    fig.update_layout(width=CHART_WIDTH, height=height, autosize=False)
    html = fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        default_width=f"{CHART_WIDTH}px",
        default_height=f"{height}px",
        config={"staticPlot": True, "displayModeBar": False, "responsive": False},
    )
    return Markup(html)  # noqa: S704 - plotly's serialisation of our figure (text is JSON-encoded)

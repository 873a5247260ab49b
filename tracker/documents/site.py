"""The public view as a static website: plain HTML files that open from the file system or any static host.

``python -m tracker publish --out DIR`` writes an overview, one page per area or pillar, one per member, the
gap matrix and the ASEAN crosswalk, with their charts and data tables, and the open data package under
``data/``. It is the view a guest of the dashboard gets: confidential actions are never in it (there is no
option to include them). Every chart is drawn by one copy of plotly.js in ``assets/`` (never a CDN), and every
chart's numbers are also a plain HTML table, so the tables read without JavaScript. The same data gives the
same bytes: no clock is read (``today`` is passed in) and every list has a fixed order, so a published site can
be diffed and kept under version control.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import jinja2
import pandas as pd
import plotly.graph_objects as go
import plotly.offline
from markupsafe import Markup

from loaders.catalog import Catalog
from loaders.dataset import Dataset
from tracker.documents.exports import data_as_of
from tracker.figures.gaps import gap_matrix_figure
from tracker.figures.overlap import crosswalk_matrix_figure
from tracker.figures.status import status_bar_figure
from tracker.views.action_table import action_display
from tracker.views.filters import GROUPS, Filters, View, apply_filters, member_group
from tracker.views.gaps import gap_matrix, gap_table, uncovered_commitments
from tracker.views.method import crosswalk_table
from tracker.views.overlap import crosswalk_matrix
from tracker.views.overview import headline, key_figures, status_counts
from tracker.views.provenance import data_labels, data_sentences, status_note

SITE_TEMPLATES = Path(__file__).resolve().parent / "templates" / "site"
ASSETS = "assets"
PLOTLY_JS = "plotly.min.js"
UNBROKEN_COLUMNS = {"Action ID", "Id", "Start", "Due", "Last updated", "Confidence", "commitment", "member"}


@dataclass(frozen=True)
class Table:
    """A table as text: a caption, its column headings and its rows (every cell already a string)."""

    caption: str
    columns: list[str]
    rows: list[list[str]]

    @property
    def unbroken(self) -> set[int]:
        """The columns of ids and dates, which read badly broken at their hyphens."""
        return {i for i, column in enumerate(self.columns) if column in UNBROKEN_COLUMNS}


@dataclass(frozen=True)
class Chart:
    """A plotly chart (its div and script, drawn by the shared plotly.js) and the table of its numbers."""

    id: str
    title: str
    html: Markup
    table: Table


@dataclass(frozen=True)
class Section:
    """A part of a page: a heading, some sentences, charts, tables and links, in that order."""

    heading: str
    paragraphs: Sequence[str] = ()
    charts: Sequence[Chart] = ()
    tables: Sequence[Table] = ()
    links: Sequence[tuple[str, str]] = ()  # (address relative to the site's root, label)


@dataclass(frozen=True)
class Page:
    """One HTML file of the site."""

    path: str  # relative to the site's root, "/"-separated
    title: str
    intro: str = ""
    sections: Sequence[Section] = field(default_factory=list)

    @property
    def root(self) -> str:
        """The relative way back to the site's root from this page (``""`` or ``"../"``)."""
        return "../" * self.path.count("/")


def publish_site(
    dataset: Dataset,
    out_dir: Path,
    *,
    today: dt.date,
    write_data: Callable[[Path], Iterable[str]] | None = None,
) -> list[str]:
    """Write the static site of the public view into ``out_dir``; returns the files written (relative, sorted).

    Args:
        dataset: the validated records (confidential actions are left out here, whatever it holds).
        out_dir: an existing directory; the files the site is made of are overwritten, nothing else is touched.
        today: the date the site says it was published.
        write_data: writes the open data files into the directory it is given and returns their names
            (relative to it); they are linked from the overview under ``data/``.
    """
    view = apply_filters(dataset, Filters(), can_see_confidential=False)
    data_files: list[str] = []
    if write_data is not None:
        (out_dir / "data").mkdir(exist_ok=True)
        data_files = sorted(write_data(out_dir / "data"))
    pages = [
        _overview(view, data_files),
        *_area_pages(dataset),
        *_member_pages(dataset),
        _gaps(view),
        _crosswalk(view.catalog),
    ]
    context = {
        "site_title": "Bali Process commitments: the public view",
        "data_notes": data_sentences(dataset),
        "statuses": status_note(dataset, short=True),
        "data_labels": data_labels(dataset),
        "data_as_of": _day(data_as_of(view)),
        "published": _day(today),
        "nav": [("index.html", "Overview"), ("gaps.html", "Gaps"), ("crosswalk.html", "ASEAN crosswalk")],
    }
    template = _environment().get_template("page.html.j2")
    written = []
    for page in pages:
        target = out_dir / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(template.render(page=page, **context), encoding="utf-8", newline="\n")
        written.append(page.path)
    assets = out_dir / ASSETS
    assets.mkdir(exist_ok=True)
    (assets / PLOTLY_JS).write_text(plotly.offline.get_plotlyjs(), encoding="utf-8", newline="\n")
    shutil.copyfile(SITE_TEMPLATES / "site.css", assets / "site.css")
    written += [f"{ASSETS}/{PLOTLY_JS}", f"{ASSETS}/site.css", *(f"data/{name}" for name in data_files)]
    return sorted(written)


# --- pages ------------------------------------------------------------------------------------------------


def _overview(view: View, data_files: Sequence[str]) -> Page:
    catalog = view.catalog
    figures = key_figures(headline(view))
    by_framework = status_counts(view, "framework")
    by_area = status_counts(view, "top_level")
    sections = [
        Section(
            "Key figures",
            tables=[
                _table(
                    pd.DataFrame([{"Figure": f.label, "Value": f.value, "What it counts": f.note} for f in figures]),
                    "Key figures",
                )
            ],
        ),
        Section(
            "Status of actions",
            paragraphs=[f"{status_note(view.dataset, short=True)} An action under both frameworks counts in each."],
            charts=[
                _status_chart(view, by_framework, "by-framework", "Status of actions by framework", "Framework"),
                _status_chart(view, by_area, "by-area", "Status of actions by area and pillar", "Area or pillar"),
            ],
        ),
        Section(
            "Areas and pillars",
            links=[(_area_path(c), f"{c} {catalog.commitments[c].shown_title}") for c in _top_levels(catalog)],
        ),
        Section(
            "Members",
            links=[(_member_path(m), f"{catalog.members[m].name} ({m})") for m in _members_by_name(catalog)],
        ),
    ]
    if data_files:
        sections.append(
            Section(
                "Open data",
                paragraphs=[
                    "The same public records as a Frictionless Data Package: datapackage.json describes every "
                    "table (fields, types, keys); the CSV files hold the rows."
                ],
                links=[(f"data/{name}", name) for name in data_files],
            )
        )
    return Page(
        "index.html",
        "Overview",
        intro="How the Bali Process members report progress on the 2023 Adelaide Strategy for Cooperation and the "
        "ASEAN Bohol TIP Work Plan 2023–2028. Members are listed alphabetically; nothing here ranks them.",
        sections=sections,
    )


def _area_pages(dataset: Dataset) -> list[Page]:
    catalog = dataset.catalog
    pages = []
    for area in _top_levels(catalog):
        entry = catalog.commitments[area]
        view = apply_filters(dataset, Filters(framework=entry.framework, areas=(area,)), can_see_confidential=False)
        children = [c for c in catalog.commitments.values() if _under(catalog, c.id, area)]
        counts = status_counts(view, "member")
        sections = [
            Section(
                "Commitments",
                tables=[
                    _table(
                        pd.DataFrame(
                            [
                                {"Id": c.id, "Title": c.shown_title, "Confidence": c.confidence}
                                for c in [entry, *children]
                            ]
                        ),
                        f"{area} and its items",
                    )
                ],
            ),
            Section(
                "Actions by member",
                paragraphs=[f"{len(view.actions):,} action(s) reported on {area} or its items."],
                charts=[
                    _status_chart(view, counts, f"{area}-members", f"Status of actions on {area} by member", "Member")
                ]
                if len(view.actions)
                else [],
            ),
            Section("Actions", tables=[_table(_actions(view), f"Actions on {area}")]),
        ]
        framework = catalog.frameworks[entry.framework]
        intro = f"{entry.level.capitalize()} {entry.number} of the {framework.name}."
        pages.append(Page(_area_path(area), f"{area} {entry.shown_title}", intro=intro, sections=sections))
    return pages


def _member_pages(dataset: Dataset) -> list[Page]:
    catalog = dataset.catalog
    pages = []
    for member in _members_by_name(catalog):
        view = apply_filters(dataset, Filters(members=(member,)), can_see_confidential=False)
        name = catalog.members[member].name
        counts = status_counts(view, "top_level")
        sections = [
            Section(
                "Actions by area and pillar",
                paragraphs=[f"{len(view.actions):,} action(s) reported."],
                charts=[_status_chart(view, counts, f"{member}-areas", f"Status of {name}'s actions", "Area or pillar")]
                if len(view.actions)
                else [],
            ),
            Section("Actions", tables=[_table(_actions(view, with_member=False), f"{name}'s actions")]),
        ]
        group = GROUPS[member_group(catalog, member)]
        pages.append(Page(_member_path(member), f"{name} ({member})", intro=f"{group}.", sections=sections))
    return pages


def _gaps(view: View) -> Page:
    catalog = view.catalog
    matrix = gap_matrix(view)
    members = {m: f"{catalog.members[m].name} ({m})" for m in view.member_ids}
    figure = gap_matrix_figure(
        matrix,
        catalog,
        member_labels=members,
        commitment_labels={c: c for c in view.top_level_ids},
        title="Furthest reported status per member and area or pillar",
    )
    table = gap_table(matrix, catalog)
    uncovered = uncovered_commitments(view)
    return Page(
        "gaps.html",
        "Gaps",
        intro="Every member against every area and pillar. An empty cell (∅) means no action has been reported.",
        sections=[
            Section("Gap matrix", charts=[_chart(figure, "gap-matrix", _table(table, "Gap matrix"))]),
            Section("Commitments nobody reports on", tables=[_table(uncovered, "Commitments without any action")]),
        ],
    )


def _crosswalk(catalog: Catalog) -> Page:
    charts = []
    grids: tuple[tuple[str, str, Literal["id", "id_title"]], ...] = (
        ("mechanisms", "ASEAN mechanism", "id"),
        ("BWP", "Bohol TIP Work Plan pillar", "id_title"),
    )
    for cols, name, ticks in grids:  # as the ASEAN overlap page draws them
        matrix = crosswalk_matrix(catalog, cols=cols)
        title = f"Adelaide Strategy areas and {name.lower()}s"
        figure = crosswalk_matrix_figure(
            matrix, title=title, x_title=name, y_title="Adelaide Strategy area", x_ticks=ticks
        )
        charts.append(_chart(figure, f"crosswalk-{cols.lower()}", _table(matrix, title)))
    return Page(
        "crosswalk.html",
        "ASEAN crosswalk",
        intro="The crosswalk linking Adelaide Strategy commitments, Bohol TIP Work Plan items and ASEAN mechanisms is "
        "an editorial mapping made for this tracker, not an official one: almost every link is confidence I "
        "(inferred).",
        sections=[
            Section("The crosswalk", charts=charts),
            Section("Every link", tables=[_table(crosswalk_table(catalog), "Crosswalk links")]),
        ],
    )


# --- pieces -------------------------------------------------------------------------------------------------


def _status_chart(view: View, counts: pd.DataFrame, chart_id: str, title: str, axis: str) -> Chart:
    catalog = view.catalog
    if axis == "Framework":
        labels = {f: catalog.frameworks[f].short_name for f in catalog.frameworks if f in set(counts["group"])}
    elif axis == "Member":
        labels = {m: catalog.members[m].name for m in dict.fromkeys(counts["group"])}
    else:
        labels = {c: f"{c} {_short(catalog.commitments[c].shown_title)}" for c in dict.fromkeys(counts["group"])}
    figure = status_bar_figure(counts, catalog, labels=labels, title=title, axis_title=axis)
    names = {sid: f"{s.icon} {s.label}" for sid, s in catalog.statuses.items()}
    table = counts.pivot_table(index="group", columns="status", values="actions", sort=False).reindex(
        columns=list(catalog.statuses)
    )
    table = table.rename(columns=names).rename(index=labels).reset_index(names=axis)
    return _chart(figure, chart_id, _table(table, title))


def _chart(figure: go.Figure, chart_id: str, table: Table) -> Chart:
    html = figure.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=f"chart-{chart_id}",
        # plotly.js 4 offers "Share chart" to Plotly Cloud by default: a published site sends nothing anywhere.
        config={"displaylogo": False, "responsive": True, "showSendToCloud": False},
    )
    title = str(figure.layout.title.text or "")
    return Chart(chart_id, title, Markup(html), table)  # noqa: S704 - plotly's serialisation of our figure


SITE_ACTION_COLUMNS = ["Action ID", "Member", "Action", "Status (as reported)", "Commitments", "Due", "Last updated"]
"""The columns of the action lists: enough to find an action; the data package has every field."""


def _actions(view: View, *, with_member: bool = True) -> pd.DataFrame:
    """The view's actions as listed on the site, by member name then action id (never by status)."""
    catalog = view.catalog
    order = view.actions.assign(_name=view.actions["member"].map(lambda m: catalog.members[m].name))
    order = order.sort_values(["_name", "action_id"], kind="stable")
    shown = action_display(order, catalog)[SITE_ACTION_COLUMNS]
    shown["Member"] = order["_name"].to_numpy()  # names: the list is in name order, which ids would not show
    return shown if with_member else shown.drop(columns="Member")


def _table(frame: pd.DataFrame, caption: str) -> Table:
    rows = [[_cell(v) for v in row] for row in frame.itertuples(index=False)]
    return Table(caption, [str(c) for c in frame.columns], rows)


def _cell(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    return str(value)


def _under(catalog: Catalog, commitment: str, area: str) -> bool:
    """True when ``commitment`` is an item (at any depth) of ``area``."""
    parent = catalog.commitments[commitment].parent
    while parent is not None:
        if parent == area:
            return True
        parent = catalog.commitments[parent].parent
    return False


def _top_levels(catalog: Catalog) -> list[str]:
    return [c.id for c in catalog.commitments.values() if c.parent is None]


def _members_by_name(catalog: Catalog) -> list[str]:
    return sorted(catalog.members, key=lambda m: (catalog.members[m].name.casefold(), m))


def _area_path(area: str) -> str:
    return f"area/{area}.html"


def _member_path(member: str) -> str:
    return f"member/{member}.html"


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _day(value: dt.date | None) -> str:
    return "–" if value is None or pd.isna(value) else f"{value.day} {value:%B %Y}"


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(SITE_TEMPLATES),
        autoescape=True,  # members' text is escaped; only the chart Markup above is not
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )

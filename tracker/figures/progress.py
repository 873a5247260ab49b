"""Progress figures: actions by plan year, and a per-action timeline with overdue marks (their words in the page's
language, English by default)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from loaders.catalog import Catalog
from loaders.i18n import N_, SOURCE_LANGUAGE, Language, language
from tracker.figures.palette import OKABE_ITO, status_colours, status_names, text_colour
from tracker.figures.status import base_layout
from tracker.figures.text import plain
from tracker.views.progress import PLAN_END, PLAN_START

MEASURE_STYLE = {
    # measure: (colour, pattern, icon, legend name)
    "started": (OKABE_ITO["grey"], "", "", N_("Started in the year")),
    "due: complete": (OKABE_ITO["blue"], "", "●", N_("Due in the year, complete")),
    "due: overdue": (OKABE_ITO["vermillion"], "x", "⚠", N_("Due in the year, overdue")),
    "due: not yet due": (OKABE_ITO["sky_blue"], ".", "◷", N_("Due in the year, not yet due")),
    "due: discontinued": ("#DDDDDD", "-", "✕", N_("Due in the year, discontinued")),
}


def plan_year_figure(summary: pd.DataFrame, *, title: str, lang: Language | None = None) -> go.Figure:
    """Per year: a bar of actions started, and a stacked bar of actions due by outcome (words in ``lang``)."""
    _ = (lang or language()).gettext
    fig = go.Figure()
    years = sorted(summary["year"].unique())
    for measure, (colour, pattern, icon, label) in MEASURE_STYLE.items():
        name = f"{icon} {_(label)}" if icon else _(label)
        part = summary[summary["measure"] == measure].set_index("year").reindex(years)["actions"].fillna(0)
        fig.add_bar(
            name=name,
            x=[str(y) for y in years],
            y=part,
            offsetgroup="started" if measure == "started" else "due",
            marker={
                "color": colour,
                "pattern": {"shape": pattern, "fillmode": "overlay", "fgcolor": text_colour(colour), "fgopacity": 0.4},
            },
            text=[str(int(v)) if v else "" for v in part],
            textposition="inside",
            textfont={"color": text_colour(colour)},
            hovertemplate=f"<b>%{{x}}</b><br>{name}: %{{y}}<extra></extra>",
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(
        title=_("Year (the plan runs {start}–{end})").format(start=PLAN_START, end=PLAN_END), type="category"
    )
    fig.update_yaxes(title=_("Actions"), gridcolor="#E5E5E5")
    return base_layout(fig, title, height=420)


def timeline_figure(
    rows: pd.DataFrame, catalog: Catalog, *, title: str, today: dt.date, lang: Language | None = None
) -> go.Figure:
    """One bar per action from start to due date, coloured by status; overdue bars marked ⚠ (words in ``lang``;
    the statuses as ``catalog`` says them).

    The plan period is shaded and today is a dashed line, so slippage is visible.
    """
    lang = lang or language()
    _ = lang.gettext

    def days(dates: pd.Series) -> list[str]:  # "01 Jun 2026" in English, "01 Agu 2026" in Indonesian
        if lang.code == SOURCE_LANGUAGE:
            return list(dates.dt.strftime("%d %b %Y"))
        return [lang.short_date(d.date()) for d in dates]

    colours = status_colours(catalog)
    names = {status: plain(name) for status, name in status_names(catalog).items()}
    # Titles are the members' own text: shortened first, then escaped, so no entity is cut in half.
    labels = [
        f"{'⚠ ' if overdue else ''}{plain(key)} · {plain(_short(title_))}"
        for key, title_, overdue in zip(rows["action_key"], rows["title"], rows["overdue"], strict=True)
    ]
    frame = rows.assign(label=labels)
    fig = go.Figure()
    for status in catalog.statuses:
        part = frame[frame["status"] == status]
        if part.empty:
            continue
        duration_ms = (part["end"] - part["start"]).dt.total_seconds() * 1000
        fig.add_bar(
            name=names[status],
            orientation="h",
            y=part["label"],
            x=duration_ms,
            base=part["start"].dt.strftime("%Y-%m-%d"),
            marker={
                "color": colours[status],
                "line": {
                    "color": [OKABE_ITO["vermillion"] if o else "#FFFFFF" for o in part["overdue"]],
                    "width": [3 if o else 0.5 for o in part["overdue"]],
                },
            },
            customdata=list(
                zip(
                    [plain(t) for t in part["title"]],
                    days(part["start"]),
                    [
                        e if d else _("no due date")
                        for e, d in zip(days(part["end"]), part["has_due_date"], strict=True)
                    ],
                    ["⚠ " + _("overdue") if o else "" for o in part["overdue"]],
                    strict=True,
                )
            ),
            hovertemplate="<b>%{customdata[0]}</b><br>"
            + names[status]
            + "<br>%{customdata[1]} → %{customdata[2]} %{customdata[3]}<extra></extra>",
        )
    fig.add_vrect(
        x0=f"{PLAN_START}-01-01", x1=f"{PLAN_END}-12-31", fillcolor="#F0F0F0", opacity=0.5, layer="below", line_width=0
    )
    fig.add_vline(x=pd.Timestamp(today).timestamp() * 1000, line_dash="dash", line_color="#333333")
    fig.add_annotation(x=pd.Timestamp(today).timestamp() * 1000, y=1, yref="paper", text=_("today"), showarrow=False)
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(
        type="date",
        title=_("Start to due date (grey band: plan years {start}–{end})").format(start=PLAN_START, end=PLAN_END),
        gridcolor="#E5E5E5",
    )
    fig.update_yaxes(
        title=_("Action (⚠ = overdue)"),
        type="category",
        autorange="reversed",
        categoryorder="array",
        categoryarray=labels,
    )
    return base_layout(fig, title, height=max(300, 110 + 22 * len(rows)))


def _short(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"

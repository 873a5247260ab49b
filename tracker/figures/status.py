"""Stacked status bars: how many actions stand at each step of the scale."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from loaders.catalog import Catalog
from loaders.i18n import Language, language
from tracker.figures.palette import FONT, status_colours, status_names, status_patterns, text_colour
from tracker.figures.text import plain


def base_layout(fig: go.Figure, title: str, *, height: int | None = None) -> go.Figure:
    """Shared layout: title (shown as plain text), font, legend on top, white background."""
    fig.update_layout(
        title={"text": plain(title), "x": 0, "xanchor": "left", "y": 0.98, "yanchor": "top", "yref": "container"},
        font={"family": FONT, "size": 13},
        plot_bgcolor="#FFFFFF",
        paper_bgcolor="#FFFFFF",
        margin={"l": 10, "r": 10, "t": 100, "b": 40},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "title": None, "traceorder": "normal"},
        hoverlabel={"font": {"family": FONT}},
    )
    if height:
        fig.update_layout(height=height)
    return fig


def status_bar_figure(
    counts: pd.DataFrame,
    catalog: Catalog,
    *,
    labels: dict[str, str],
    title: str,
    axis_title: str,
    share: bool = False,
    lang: Language | None = None,
) -> go.Figure:
    """Horizontal stacked bars of actions by status for each group, its own words in ``lang`` (English).

    Args:
        counts: ``group``, ``status``, ``actions`` (from ``overview.status_counts``).
        catalog: for the scale's colours, icons and labels.
        labels: group id -> display label (y axis), in display order; shown as plain text.
        title: the chart title (states the subject).
        axis_title: the y axis title (what the groups are).
        share: plot each group's shares (100 % bars) instead of counts.
    """
    _ = (lang or language()).gettext
    colours, patterns = status_colours(catalog), status_patterns(catalog)
    names = {status: plain(name) for status, name in status_names(catalog).items()}
    order = list(labels)
    shown = {group: plain(label) for group, label in labels.items()}
    data = counts[counts["group"].isin(order)].copy()
    totals = data.groupby("group")["actions"].transform("sum")
    data["share"] = (data["actions"] / totals.where(totals > 0)).fillna(0.0)
    value = "share" if share else "actions"
    fig = go.Figure()
    for status in catalog.statuses:
        part = data[data["status"] == status].set_index("group").reindex(order)
        values = part[value].fillna(0)
        fig.add_bar(
            name=names[status],
            orientation="h",
            y=[shown[g] for g in order],
            x=values,
            marker={
                "color": colours[status],
                "pattern": {
                    "shape": patterns[status],
                    "fillmode": "overlay",
                    "fgcolor": text_colour(colours[status]),
                    "fgopacity": 0.35,
                    "size": 7,
                },
                "line": {"color": "#FFFFFF", "width": 0.5},
            },
            text=[_segment_text(v, share) for v in values],
            textposition="inside",
            insidetextanchor="middle",
            textangle=0,
            textfont={"color": text_colour(colours[status])},
            customdata=part["actions"].fillna(0).astype(int),
            hovertemplate=f"<b>%{{y}}</b><br>{names[status]}: %{{customdata}} {_('action(s)')}"
            + (" (%{x:.0%})" if share else "")
            + "<extra></extra>",
        )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title=axis_title, autorange="reversed", type="category")
    fig.update_xaxes(
        title=_("Share of actions") if share else _("Actions reported"),
        tickformat=".0%" if share else ",d",
        gridcolor="#E5E5E5",
    )
    return base_layout(fig, title, height=max(280, 130 + 34 * len(order)))


def _segment_text(value: float, share: bool) -> str:
    if share:
        return f"{value:.0%}" if value >= 0.06 else ""
    return f"{int(value)}" if value > 0 else ""

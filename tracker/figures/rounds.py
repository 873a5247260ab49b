"""Reporting rounds drawn: how the members in scope answered each round, and the open round's states."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from loaders.i18n import N_, Language, language
from tracker.figures.palette import OKABE_ITO, text_colour
from tracker.figures.status import base_layout
from tracker.figures.text import plain

# (column, legend label, colour, bar pattern): the answers first, then what is still open. Each segment is
# labelled with its count and has its own pattern, so the bars read without colour.
RESPONSE_SEGMENTS = (
    ("updated", N_("Updated"), OKABE_ITO["blue"], ""),
    ("no_change", N_("No change"), OKABE_ITO["sky_blue"], "/"),
    ("submitted", N_("Under review"), OKABE_ITO["yellow"], "."),
    ("returned", N_("Returned"), OKABE_ITO["orange"], "x"),
    ("waiting", N_("Waiting"), "#FFFFFF", "-"),
)
"""The labels are those of ``tracker.records.rounds.STATE_LABELS`` (a figure may not import the records layer), in
English: translated where drawn."""


def response_figure(
    table: pd.DataFrame, *, title: str, label_column: str = "round", lang: Language | None = None
) -> go.Figure:
    """Horizontal stacked bars of members by state, one bar per row of ``table`` (top to bottom), words in ``lang``.

    Args:
        table: one row per round (:func:`tracker.records.rounds.history_table`) with a count column per
            state of :data:`RESPONSE_SEGMENTS`.
        title: the chart title.
        label_column: the column naming each bar (shown as plain text).
        lang: the language of the legend, hover and axis (English by default).
    """
    _ = (lang or language()).gettext
    members = _("member(s)")
    labels = [plain(str(v)) for v in table[label_column]]
    fig = go.Figure()
    for column, english, colour, pattern in RESPONSE_SEGMENTS:
        label = _(english)
        values = table[column].astype(int).tolist()
        fig.add_bar(
            name=label,
            orientation="h",
            y=labels,
            x=values,
            marker={
                "color": colour,
                "pattern": {"shape": pattern, "fillmode": "overlay", "fgcolor": "#000000", "fgopacity": 0.3},
                "line": {"color": "#555555", "width": 0.5},
            },
            text=[str(v) if v else "" for v in values],
            textposition="inside",
            insidetextanchor="middle",
            textangle=0,
            textfont={"color": text_colour(colour)},
            hovertemplate=f"<b>%{{y}}</b><br>{label}: %{{x}} {members}<extra></extra>",
        )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(autorange="reversed", type="category", title=None)
    # Whole members only: plotly's automatic half steps would print "0 1 1 2 2" once rounded by the format.
    largest = int(table[[segment[0] for segment in RESPONSE_SEGMENTS]].sum(axis=1).max()) if len(table) else 0
    fig.update_xaxes(
        title=_("Members in scope"), tickformat=",d", gridcolor="#E5E5E5", dtick=1 if largest <= 10 else None
    )
    return base_layout(fig, title, height=max(240, 140 + 40 * len(labels)))

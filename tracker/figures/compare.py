"""Side by side: one bar per subject (member, group or snapshot) on one scale, for the Compare page."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from babel.numbers import get_decimal_symbol, get_group_symbol

from loaders.i18n import SOURCE_LANGUAGE, Language, language
from tracker.figures.palette import OKABE_ITO, text_colour
from tracker.figures.status import base_layout
from tracker.figures.text import plain as figure_text

SUBJECT_COLOURS = [OKABE_ITO[c] for c in ("blue", "orange", "bluish_green", "reddish_purple")]
SUBJECT_PATTERNS = ["", "/", ".", "x"]  # the subjects differ in pattern too, not by colour alone


def compare_bars_figure(
    frame: pd.DataFrame,
    labels: dict[str, str],
    *,
    value: str,
    title: str,
    axis_title: str,
    x_max: float | None = None,
    category: str | None = None,
    categories: dict[str, str] | None = None,
    empty_text: str | None = None,
    lang: Language | None = None,
) -> go.Figure:
    """Horizontal bars, one colour and pattern per subject (legend order = ``labels`` order), on one x scale.

    Shares (``x_max`` None) run 0–100 %; counts run 0–``x_max``. Without ``category`` each subject is one bar.
    ``empty_text`` is written where a subject has no value ("no action" by default); numbers and the figure's own
    words are in ``lang`` (English by default).
    """
    lang = lang or language()
    if empty_text is None:
        empty_text = lang.gettext("no action")
    fig = go.Figure()
    for i, (subject, label) in enumerate(labels.items()):
        part = frame[frame["subject"] == subject]
        ys = [figure_text(categories[c]) for c in part[category]] if category and categories else [figure_text(label)]
        xs = part[value].astype("float64")
        texts = [empty_text if pd.isna(v) else (lang.percent(v) if x_max is None else lang.number(v)) for v in xs]
        fig.add_bar(
            name=figure_text(label),
            orientation="h",
            y=ys,
            x=xs.fillna(0).to_numpy(),
            text=texts,
            textposition="outside",
            cliponaxis=False,
            hovertemplate="<b>%{fullData.name}</b>: %{text}<extra></extra>",
            marker={
                "color": SUBJECT_COLOURS[i],
                "pattern": {
                    "shape": SUBJECT_PATTERNS[i],
                    "fillmode": "overlay",  # the pattern over the colour; "replace" would leave only the pattern
                    "fgcolor": text_colour(SUBJECT_COLOURS[i]),
                    "fgopacity": 0.35,
                    "size": 7,
                },
            },
        )
    fig.update_layout(barmode="group" if category else "relative", showlegend=bool(category))
    fig.update_yaxes(title=axis_title, autorange="reversed", type="category")
    upper = 1.0 if x_max is None else max(x_max, 1.0)
    # Room past the end for the value written beside each bar; shares stop their ticks at 100 %.
    ticks = {"tickvals": [0, 0.25, 0.5, 0.75, 1], "tickformat": ".0%"} if x_max is None else {"tickformat": ",d"}
    fig.update_xaxes(range=[0, upper * 1.12], gridcolor="#E5E5E5", **ticks)
    if lang.code != SOURCE_LANGUAGE:  # the axis ticks' decimal and thousands marks (plotly's default is English)
        fig.update_layout(separators=get_decimal_symbol(lang.code) + get_group_symbol(lang.code))
    rows = (len(categories or {}) * len(labels)) if category else len(labels)
    return base_layout(fig, title, height=max(240, 120 + 30 * rows))

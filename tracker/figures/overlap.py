"""Figures for the ASEAN overlap page: crosswalk matrix, Sankey of actions, group comparison.

Each builder takes a frame from :mod:`tracker.views.overlap` and returns a plotly
figure. Colour is never the only signal: matrix cells carry the relation's icon
and link count, Sankey nodes carry ids, and the group bars carry their group
on the axis and their share as text.
"""

from __future__ import annotations

import textwrap
from typing import Literal

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from loaders.catalog import Catalog
from loaders.i18n import Language, language
from tracker.figures.palette import (
    FONT,
    FRAMEWORK_COLOURS,
    OKABE_ITO,
    RELATION_COLOURS,
    RELATION_ICONS,
    text_colour,
)
from tracker.figures.status import base_layout
from tracker.figures.text import plain, plain_all
from tracker.views.overlap import RELATION_STRENGTH, RELATION_TITLES, RELATIONS, say_relations

NO_LINK_COLOUR = "#F4F4F4"
MECHANISM_COLOUR = OKABE_ITO["orange"]
# Member groups are named on the axis; the colours only tie the three panels together.
GROUP_COLOURS = {"asean": OKABE_ITO["orange"], "other": OKABE_ITO["sky_blue"], "org": OKABE_ITO["reddish_purple"]}


def crosswalk_matrix_figure(
    matrix: pd.DataFrame,
    *,
    title: str,
    x_title: str,
    y_title: str,
    x_ticks: Literal["id", "id_title"] = "id",
    lang: Language | None = None,
) -> go.Figure:
    """A grid of crosswalk cells: colour, icon and link count show the strongest relation (words in ``lang``).

    Args:
        matrix: from :func:`tracker.views.overlap.crosswalk_matrix` (every cell of the grid, no gaps).
        title: the chart title (states the subject).
        x_title: what the columns are.
        y_title: what the rows are.
        x_ticks: ``"id"`` for short column labels (mechanism acronyms), or
            ``"id_title"`` for id plus a wrapped title (Bohol pillars).
        lang: the language of the legend and the hover text (English by default).
    """
    lang = lang or language()
    _ = lang.gettext
    rows = list(dict.fromkeys(matrix["row"]))
    cols = list(dict.fromkeys(matrix["col"]))
    frame = matrix.sort_values(["row", "col"], key=lambda s: s.map({k: i for i, k in enumerate(rows + cols)}))
    # Catalog text is data: escaped piece by piece, before the figure's own <b> and <br> join the pieces.
    y_labels = {r: f"{plain(r)} {plain(_short(t, 34))}" for r, t in zip(frame["row"], frame["row_title"], strict=True)}
    if x_ticks == "id":
        x_labels = {c: plain(c) for c in cols}
    else:
        x_labels = {c: f"{plain(c)}<br>{_wrap(t, 16)}" for c, t in zip(frame["col"], frame["col_title"], strict=True)}

    strength = frame["relation"].map(RELATION_STRENGTH).fillna(0).astype(int)
    icon = frame["relation"].map(RELATION_ICONS)
    cell_text = (icon + " " + frame["links"].astype(str)).fillna("")
    fill = frame["relation"].map(RELATION_COLOURS).fillna(NO_LINK_COLOUR)
    titles = {r: _(t) for r, t in RELATION_TITLES.items()}
    said = _("{relation} ({icon}), {count} link(s)")
    relation_text = pd.Series(
        [
            said.format(relation=titles[r], icon=i, count=n) if r in titles else _("no crosswalk link")
            for r, i, n in zip(frame["relation"], icon, frame["links"], strict=True)
        ],
        index=frame.index,
    )
    links_text = frame["detail"].fillna("").map(lambda d: "<br>".join(plain_all(say_relations(d, lang).split("; "))))
    text = {c: frame[c].fillna("").map(plain) for c in ("row", "row_title", "col", "col_title", "confidence")}
    hover = (
        "<b>"
        + text["row"]
        + " "
        + text["row_title"]
        + "</b><br>× <b>"
        + text["col"]
        + "</b> "
        + text["col_title"]
        + "<br>"
        + relation_text.map(lambda t: _("Strongest relation: {relation}").format(relation=t))
        + ("<br>" + links_text).where(frame["links"] > 0, "")
        + ("<br>" + text["confidence"].map(lambda c: _("Confidence: {code}").format(code=c))).where(
            frame["links"] > 0, ""
        )
    )
    shape = (len(rows), len(cols))
    x = [x_labels[c] for c in cols]
    y = [y_labels[r] for r in rows]

    fig = go.Figure()
    fig.add_heatmap(
        z=strength.to_numpy().reshape(shape),
        x=x,
        y=y,
        zmin=-0.5,
        zmax=3.5,
        colorscale=_relation_scale(),
        showscale=False,
        xgap=2,
        ygap=2,
        text=hover.to_numpy().reshape(shape),
        hovertemplate="%{text}<extra></extra>",
        name=_("Crosswalk"),
    )
    fig.add_scatter(
        x=[x_labels[c] for c in frame["col"]],
        y=[y_labels[r] for r in frame["row"]],
        mode="text",
        text=cell_text.tolist(),
        textfont={"color": [text_colour(c) for c in fill], "size": 13, "family": FONT},
        hoverinfo="skip",
        showlegend=False,
        name=_("Relation"),
    )
    for relation in RELATIONS:
        fig.add_scatter(
            x=[None],
            y=[None],
            mode="markers",
            marker={"symbol": "square", "size": 14, "color": RELATION_COLOURS[relation], "line": {"width": 1}},
            name=f"{RELATION_ICONS[relation]} {titles[relation]}",
        )
    fig.update_xaxes(title=x_title, type="category", side="bottom", tickangle=-45 if x_ticks == "id" else 0)
    fig.update_yaxes(title=y_title, type="category", autorange="reversed")
    bottom = 130 if x_ticks == "id" else 110
    fig = base_layout(fig, title, height=60 + bottom + 40 * len(rows))
    # A vertical legend beside the grid: above it, it collides with the title on narrow screens.
    fig.update_layout(
        margin={"l": 10, "r": 10, "t": 60, "b": bottom},
        legend={
            "orientation": "v",
            "x": 1.01,
            "xanchor": "left",
            "y": 1,
            "yanchor": "top",
            "title": _("Strongest relation"),
        },
    )
    return fig


def overlap_sankey_figure(
    flows: pd.DataFrame, catalog: Catalog, *, title: str, lang: Language | None = None
) -> go.Figure:
    """Sankey of actions: Adelaide area → ASEAN mechanism → Bohol pillar (its own words in ``lang``).

    Args:
        flows: from :func:`tracker.views.overlap.overlap_flows`.
        catalog: for node titles and mechanism names.
        title: the chart title (states the subject).
        lang: the language of the column headers, the hover text and the note (English by default).

    Returns:
        The Sankey, or an empty figure with an explanatory annotation when there
        is no flow.
    """
    _ = (lang or language()).gettext
    if flows.empty:
        fig = go.Figure()
        fig.add_annotation(
            text=_("No actions link an Adelaide area or a Bohol pillar to an ASEAN mechanism in this view."),
            x=0.5,
            y=0.5,
            xref="paper",
            yref="paper",
            showarrow=False,
            font={"size": 14},
        )
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        return base_layout(fig, title, height=260)

    commitments, mechanisms = catalog.commitments, catalog.mechanisms
    order = {key: i for i, key in enumerate([*commitments, *mechanisms])}
    left = sorted(set(flows.loc[flows["stage"] == "ASC→mechanism", "source"]), key=order.__getitem__)
    right = sorted(set(flows.loc[flows["stage"] == "mechanism→BWP", "target"]), key=order.__getitem__)
    middle = sorted(
        set(flows.loc[flows["stage"] == "ASC→mechanism", "target"])
        | set(flows.loc[flows["stage"] == "mechanism→BWP", "source"]),
        key=order.__getitem__,
    )
    nodes = [*left, *middle, *right]
    index = {n: i for i, n in enumerate(nodes)}
    labels = [f"{n} {_short(commitments[n].shown_title, 26)}" for n in left]
    labels += middle
    labels += [f"{n} {_short(commitments[n].shown_title, 26)}" for n in right]
    full = [commitments[n].shown_title for n in left] + [mechanisms[n].name for n in middle]
    full += [commitments[n].shown_title for n in right]
    labels, full = plain_all(labels), plain_all(full)
    colours = [FRAMEWORK_COLOURS["ASC"]] * len(left) + [MECHANISM_COLOUR] * len(middle)
    colours += [FRAMEWORK_COLOURS["BWP"]] * len(right)
    # With one stage only (a framework filter), its two columns take the full width.
    middle_x = 0.999 if not right else 0.001 if not left else 0.5
    xs = [0.001] * len(left) + [middle_x] * len(middle) + [0.999] * len(right)
    ys = _spread(len(left)) + _spread(len(middle)) + _spread(len(right))

    link_colour = [_rgba(FRAMEWORK_COLOURS["ASC" if s == "ASC→mechanism" else "BWP"], 0.35) for s in flows["stage"]]
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={
                "label": labels,
                "color": colours,
                "x": xs,
                "y": ys,
                "pad": 8,
                "thickness": 16,
                "line": {"color": "#FFFFFF", "width": 0.5},
                "customdata": full,
                "hovertemplate": "<b>%{label}</b><br>%{customdata}<extra></extra>",
            },
            link={
                "source": [index[s] for s in flows["source"]],
                "target": [index[t] for t in flows["target"]],
                "value": flows["actions"].tolist(),
                "color": link_colour,
                "customdata": flows["actions"].tolist(),
                "hovertemplate": "%{source.label} → %{target.label}<br><b>"
                + _("{count} action(s)").format(count="%{customdata}")
                + "</b><extra></extra>",
            },
            textfont={"family": FONT, "size": 12, "color": "#000000"},
        )
    )
    middle_anchor = "center" if left and right else "left" if right else "right"
    headers = [(0, _("Adelaide areas"), "left", left), (middle_x, _("ASEAN mechanisms"), middle_anchor, middle)]
    for x, text, anchor, present in [*headers, (1, _("Bohol pillars"), "right", right)]:
        if not present:
            continue
        fig.add_annotation(
            text=f"<b>{text}</b>",
            x=x,
            y=1.0,
            xref="paper",
            yref="paper",
            showarrow=False,
            xanchor=anchor,
            yanchor="bottom",
        )
    height = max(420, 60 + 26 * max(len(left), len(middle), len(right)) + 90)
    fig = base_layout(fig, title, height=height)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 90, "b": 20})
    return fig


def group_comparison_figure(comparison: pd.DataFrame, *, title: str, lang: Language | None = None) -> go.Figure:
    """Three stacked panels, one per share, with one horizontal bar per member group (words in ``lang``).

    Each bar is labelled with its share and the counts behind it
    ("75% (402 of 534)"), or "no actions" when the group has none.

    Args:
        comparison: from :func:`tracker.views.overlap.group_comparison`.
        title: the chart title (states the subject).
        lang: the language of the panels, axes, groups and bar labels (English by default).
    """
    lang = lang or language()
    _ = lang.gettext
    measures = [
        ("share_bwp", "actions_bwp", "actions", _("Actions citing a Bohol commitment")),
        ("share_mechanism", "actions_mechanism", "actions", _("Actions listing at least one ASEAN mechanism")),
        (
            "share_complete",
            "complete",
            "progress_actions",
            _("Actions reported complete (of those not counted apart)"),
        ),
    ]
    fig = make_subplots(
        rows=len(measures), cols=1, shared_xaxes=True, subplot_titles=[m[3] for m in measures], vertical_spacing=0.14
    )
    labels = plain_all(_(label) for label in comparison["label"])  # the GROUPS labels
    of = _("{part} of {whole}")
    colours = [GROUP_COLOURS.get(g, OKABE_ITO["grey"]) for g in comparison["group"]]
    for position, (share, part, whole, name) in enumerate(measures, start=1):
        values = comparison[share]
        # The share as the status bars write it (the same in English and Indonesian), the counts as the locale does.
        text = [
            _("no actions") if pd.isna(v) else f"{v:.0%} ({of.format(part=lang.number(p), whole=lang.number(w))})"
            for v, p, w in zip(values, comparison[part], comparison[whole], strict=True)
        ]
        fig.add_bar(
            row=position,
            col=1,
            orientation="h",
            y=labels,
            x=values.fillna(0).tolist(),
            marker={"color": colours, "line": {"color": "#333333", "width": 0.5}},
            text=text,
            textposition="outside",
            cliponaxis=False,
            customdata=text,
            hovertemplate=f"<b>%{{y}}</b><br>{name}: %{{customdata}}<extra></extra>",
            name=name,
            showlegend=False,
        )
        fig.update_yaxes(row=position, col=1, title=None, type="category", autorange="reversed")
    fig.update_xaxes(range=[0, 1.25], tickvals=[0, 0.25, 0.5, 0.75, 1], tickformat=".0%", gridcolor="#E5E5E5")
    fig.update_xaxes(row=len(measures), col=1, title=_("Share of the group's actions"))
    fig.update_yaxes(row=2, col=1, title=_("Member group"))
    fig.update_annotations(x=0, xanchor="left", font={"size": 13})
    fig = base_layout(fig, title, height=560)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 70, "b": 50})
    return fig


def _relation_scale() -> list[list[float | str]]:
    """A stepped colour scale over z = 0 (no link) … 3 (equivalent), zmin -0.5, zmax 3.5."""
    steps = [NO_LINK_COLOUR, *(RELATION_COLOURS[r] for r in reversed(RELATIONS))]
    scale: list[list[float | str]] = []
    for i, colour in enumerate(steps):
        scale += [[i / len(steps), colour], [(i + 1) / len(steps), colour]]
    return scale


def _spread(count: int) -> list[float]:
    """Evenly spaced node positions in (0, 1)."""
    return [(i + 0.5) / count for i in range(count)]


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _wrap(text: str, width: int) -> str:
    """``text`` in lines of up to ``width`` characters, escaped, joined by plotly's ``<br>``."""
    return "<br>".join(plain_all(textwrap.wrap(text, width)))


def _rgba(colour: str, alpha: float) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"

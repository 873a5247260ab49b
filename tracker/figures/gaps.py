"""The member × commitment gap matrix and the member freshness tiles.

The matrix is drawn as square scatter markers rather than a heatmap because
plotly heatmap cells cannot be selected (pitfalls A1); each marker carries
``customdata = [member, commitment]`` so a click can drill down.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from loaders.catalog import Catalog
from loaders.i18n import Language, language
from tracker.figures.palette import FRESHNESS, text_colour
from tracker.figures.status import base_layout
from tracker.figures.text import plain, plain_all
from tracker.views.overview import NO_ACTION

CELL_PX = 24
DENSE_COLUMNS = 20  # above this many columns a cell is too narrow for a count


def cell_styles(catalog: Catalog) -> dict[str, tuple[str, str, str]]:
    """Status id (and ``no_action``) -> (colour, icon, label), as the catalog writes them."""
    styles = {sid: (s.colour, s.icon, s.label) for sid, s in catalog.statuses.items()}
    no_action = catalog.scale.no_action
    styles[NO_ACTION] = (no_action.colour, no_action.icon, no_action.label)
    return styles


def gap_matrix_figure(
    matrix: pd.DataFrame,
    catalog: Catalog,
    *,
    member_labels: dict[str, str],
    commitment_labels: dict[str, str],
    title: str,
    lang: Language | None = None,
) -> go.Figure:
    """The member × commitment grid, one cell per pair, coloured and labelled by furthest status (words in ``lang``).

    A heatmap draws the grid (it scales to any size and stays one trace); an
    almost transparent marker layer on top carries ``customdata = [member,
    commitment, actions]`` because heatmap cells cannot be selected. Cell text
    is the status icon plus the action count, so colour is never the only
    signal; legend entries name every state.
    """
    _ = (lang or language()).gettext
    styles = {s: (colour, plain(icon), plain(label)) for s, (colour, icon, label) in cell_styles(catalog).items()}
    codes = {status: i for i, status in enumerate(styles)}
    titles = {c: plain(catalog.commitments[c].shown_title) for c in commitment_labels}
    names = {m: plain(label) for m, label in member_labels.items()}
    members, commitments = list(member_labels), list(commitment_labels)
    grid = matrix.set_index(["member", "commitment"]).reindex(
        pd.MultiIndex.from_product([members, commitments], names=["member", "commitment"])
    )
    status = grid["status"].fillna(NO_ACTION).to_numpy().reshape(len(members), len(commitments))
    counts = grid["actions"].fillna(0).astype(int).to_numpy().reshape(len(members), len(commitments))
    z = [[codes[s] for s in row] for row in status]
    # Dense grids (every commitment and item) keep the icon in each cell but drop the count and
    # label members by id, so the cells get the width; counts stay in the hover and the table.
    dense = len(commitments) > DENSE_COLUMNS
    text = [
        [styles[s][1] if s == NO_ACTION or dense else f"{styles[s][1]} {n}" for s, n in zip(row_s, row_n, strict=True)]
        for row_s, row_n in zip(status, counts, strict=True)
    ]
    hover = [
        [
            f"<b>{names[m]}</b><br>{plain(c)} {titles[c]}<br>{styles[s][1]} {styles[s][2]} · {n} {_('action(s)')}"
            for c, s, n in zip(commitments, row_s, row_n, strict=True)
        ]
        for m, row_s, row_n in zip(members, status, counts, strict=True)
    ]
    fig = go.Figure()
    fig.add_heatmap(
        x=commitments,
        y=members,
        z=z,
        zmin=-0.5,
        zmax=len(styles) - 0.5,
        colorscale=_discrete_scale([colour for colour, _, _ in styles.values()]),
        showscale=False,
        xgap=2,
        ygap=2,
        text=text,
        texttemplate="%{text}",
        textfont={"size": 9 if dense else 11},
        hovertext=hover,
        hovertemplate="%{hovertext}<extra></extra>",
    )
    xs = [c for _ in members for c in commitments]
    ys = [m for m in members for _ in commitments]
    fig.add_scatter(
        x=xs,
        y=ys,
        mode="markers",
        marker={"symbol": "square", "size": 18, "color": "rgba(0,0,0,0.01)"},
        customdata=[
            [m, c, int(n)]
            for m, row_n in zip(members, counts, strict=True)
            for c, n in zip(commitments, row_n, strict=True)
        ],
        hovertext=[h for row in hover for h in row],
        hovertemplate="%{hovertext}<extra>" + _("Click to list the actions") + "</extra>",
        showlegend=False,
        name="cells",
    )
    for colour, icon, label in styles.values():
        fig.add_scatter(
            x=[None],
            y=[None],
            mode="markers",
            name=f"{icon} {label}",
            marker={"symbol": "square", "size": 14, "color": colour, "line": {"color": "#333333", "width": 1}},
        )
    # Fixed ranges: the marker layer would otherwise pad the axes beyond the grid.
    fig.update_xaxes(
        title=_("Commitment"),
        type="category",
        side="top",
        tickangle=-45,
        showgrid=False,
        range=[-0.5, len(commitments) - 0.5],
        tickvals=commitments,
        ticktext=[plain(commitment_labels[c]) for c in commitments],  # e.g. "BWP-A.2 (working item)"
    )
    fig.update_yaxes(
        title=_("Member"),
        type="category",
        range=[len(members) - 0.5, -0.5],
        tickvals=members,
        ticktext=plain_all(members) if dense else [names[m] for m in members],
        showgrid=False,
    )
    # Few rows (a member profile) get taller cells so the strip stays readable.
    cell = CELL_PX if len(members) > 4 else 56
    fig = base_layout(fig, title, height=200 + cell * len(members))

    fig.update_layout(
        # The legend sits in the bottom margin, measured from the figure's edge, so it never
        # covers the grid however few rows there are.
        legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0},
        margin={"l": 10, "r": 10, "t": 150, "b": 70},
        clickmode="event+select",
        dragmode=False,
        plot_bgcolor="#333333",
    )
    return fig


def _discrete_scale(colours: list[str]) -> list[list[float | str]]:
    """A plotly colourscale with one flat band per category code 0..n-1."""
    n = len(colours)
    scale: list[list[float | str]] = []
    for i, colour in enumerate(colours):
        scale.append([i / n, colour])
        scale.append([(i + 1) / n, colour])
    return scale


def freshness_tiles_figure(
    frame: pd.DataFrame, *, title: str, columns: int = 10, lang: Language | None = None
) -> go.Figure:
    """A tile per member (alphabetical, not ranked), coloured and marked by freshness state, in ``lang``."""
    lang = lang or language()
    _ = lang.gettext
    ordered = frame.sort_values("name").reset_index(drop=True)
    ordered["col"] = ordered.index % columns
    ordered["row"] = ordered.index // columns
    fig = go.Figure()
    for state, (colour, icon, english) in FRESHNESS.items():
        part = ordered[ordered["state"] == state]
        if part.empty:
            continue
        label = _(english)
        updated = [
            _("no update") if pd.isna(d) else _("last update {days} day(s) ago").format(days=int(d))
            for d in part["days_since_update"]
        ]
        fig.add_scatter(
            name=f"{icon} {label}",
            x=part["col"],
            y=part["row"],
            mode="markers+text",
            marker={"symbol": "square", "size": 46, "color": colour, "line": {"color": "#333333", "width": 1}},
            text=[f"{icon}<br>{plain(m)}" for m in part["member"]],
            textfont={"color": text_colour(colour), "size": 11},
            customdata=list(zip(plain_all(part["name"]), part["actions"], updated, strict=True)),
            hovertemplate="<b>%{customdata[0]}</b><br>"
            + label
            + "<br>%{customdata[1]} "
            + _("action(s)")
            + "<br>%{customdata[2]}<extra></extra>",
        )
    rows = int(ordered["row"].max()) + 1 if len(ordered) else 1
    fig.update_xaxes(visible=False, range=[-0.6, columns - 0.4])
    fig.update_yaxes(visible=False, autorange="reversed")
    fig = base_layout(fig, title, height=120 + 56 * rows)
    fig.update_layout(dragmode=False)
    return fig

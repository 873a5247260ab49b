"""Small Streamlit building blocks shared by the pages.

Every chart goes through :func:`show_chart`, which puts its data table and a
CSV download beside it: the accessible alternative and the export in one place.
Given the page's ``lang``, a table's headers are in the page's language, on screen and in its CSV
(``tracker.views.action_table.headed``); without it they are as the frame names them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.basedatatypes import BaseFigure

from loaders.dataset import Dataset
from loaders.i18n import SOURCE_LANGUAGE, Language
from loaders.issues import Issue
from tracker.documents.exports import table_csv
from tracker.views.action_table import headed
from tracker.views.method import issues_table
from tracker.views.provenance import data_note, public_record_sentence, public_share
from ui.lang import _, current_language
from ui.text import with_evidence_links

# Charts draw from the plotly.js bundled with Streamlit: no CDN, no internet.
PLOTLY_CONFIG = {
    "displaylogo": False,
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
    "responsive": True,
    "showSendToCloud": False,  # never offer to send a chart (and its data) to Plotly Cloud
}


class PlotlySpec(BaseFigure):
    """A figure already turned into plotly's dict, for ``st.plotly_chart``.

    ``st.plotly_chart`` asks the figure it is given for ``to_dict()`` on every run: a deep copy, with every numpy
    array encoded again, a third of an Overview run. A figure shared across sessions (``ui.state.shared``) is the
    same on every run, so :func:`show_chart` makes its dict once and hands it over in this wrapper. It is nothing
    but that dict: no other part of plotly's figure API is available on it.
    """

    def __init__(self, spec: dict[str, Any]) -> None:  # no figure is built: BaseFigure.__init__ is not called
        self._spec = spec

    def to_dict(self) -> dict[str, Any]:
        """The figure's dict, as made once (never to be changed: it is shared)."""
        return self._spec


def figure_spec(fig: go.Figure) -> PlotlySpec:
    """``fig``'s dict, made on its first showing and kept on the figure (a figure is not changed once shown)."""
    spec = getattr(fig, "_tracker_spec", None)
    if spec is None:
        spec = PlotlySpec(fig.to_dict())
        fig._tracker_spec = spec  # plotly lets private attributes through
    return spec


# Printing a page from the browser: leave out the sidebar, toolbar and widgets; keep charts whole.
PRINT_CSS = """<style>
@media print {
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"],
  [data-testid="stSelectbox"], [data-testid="stExpander"],
  [data-testid="stDownloadButton"] { display: none !important; }
  [data-testid="stMain"] { overflow: visible !important; }
  .stPlotlyChart, [data-testid="stMetric"] { break-inside: avoid; }
}
</style>"""


def data_banner(dataset: Dataset) -> None:
    """On every page: which data set is shown when it is not members' own reporting (sample or public record)."""
    if dataset.illustrative:
        st.warning(
            _(
                "**Illustrative sample data.** These action records are generated for demonstration and are "
                "**not real reporting** by any member. Statuses shown are members' own reports, not ratings."
            ),
            icon=":material/science:",
        )
    if dataset.public_record is not None:
        st.info(
            public_record_sentence(dataset.public_record, public_share(dataset), current_language()),
            icon=":material/public:",
        )


def show_chart(
    fig: go.Figure,
    table: pd.DataFrame,
    *,
    key: str,
    file_name: str,
    dataset: Dataset,
    caption: str | None = None,
    lang: Language | None = None,
    **chart_options: Any,
) -> None:
    """Render a figure with its data table (in an expander) and a CSV download of that table.

    The table is drawn when its expander is opened (a rerun; the expander stays open across reruns):
    drawing every chart's table on every run was a fifth of the server's work under load, for tables
    few open. The expander's key is ``table_key(key)``. The table's headers are in ``lang`` (the reader's
    language by default). ``chart_options`` go to ``st.plotly_chart`` (e.g. ``on_select`` for drill-down).
    """
    lang = lang or current_language()
    st.plotly_chart(figure_spec(fig), key=key, config=PLOTLY_CONFIG, width="stretch", **chart_options)
    if caption:
        st.caption(caption)
    label = _("Data table: {title}").format(title=fig.layout.title.text)
    expander = st.expander(label, expanded=False, key=table_key(key), on_change="rerun")
    with expander:
        if not expander.open:
            return
        table = headed(table, lang)
        st.dataframe(table, hide_index=True, width="stretch")
        st.download_button(
            _("Download this table (CSV)"),
            # Made only when someone clicks: a page draws several charts on every run, few tables are downloaded.
            data=lambda: table_csv(table, note=data_note(dataset, lang)),
            file_name=f"{file_name}.csv",
            mime="text/csv",
            key=f"{key}_csv",
            on_click="ignore",
            icon=":material/download:",
        )


def table_key(chart_key: str) -> str:
    """The key of the expander that holds the data table of the chart keyed ``chart_key``."""
    return f"{chart_key}_table"


LISTED_ROWS_LIMIT = 2_000
"""Most rows a list of actions sends to the browser; the CSV download beside it has them all.

At 100x the data a list such as "overdue actions" holds ~50,000 rows: sending them
all cost the server ~350 MiB at its peak and the browser seconds, for a list no
one scrolls through.
"""


def show_rows(
    frame: pd.DataFrame,
    *,
    key: str,
    file_name: str,
    dataset: Dataset,
    lang: Language | None = None,
    **dataframe_options: Any,
) -> None:
    """A list of rows as a table: all of them, or the first :data:`LISTED_ROWS_LIMIT` and a CSV of all.

    The grid shows text as text (no Markdown); an "Evidence" column gets a link
    column beside it for ``http``/``https`` addresses only (:func:`ui.text.with_evidence_links`).
    The CSV holds the rows as they are. Headers are in ``lang`` (the reader's language by default), on
    screen and in the CSV. ``dataframe_options`` go to ``st.dataframe`` (e.g. ``column_config``, keyed by the
    frame's own column names).
    """
    lang = lang or current_language()
    # Only the listed rows get their link column (per row, in Python: at 100x a list held 50,000 rows).
    listed = frame if len(frame) <= LISTED_ROWS_LIMIT else frame.head(LISTED_ROWS_LIMIT)
    shown, links = with_evidence_links(listed)  # before the headers change: it finds the "Evidence" column by name
    column_config = {**links, **dataframe_options.pop("column_config", {})}
    if lang.code != SOURCE_LANGUAGE:
        said = headed(shown, lang)
        names = dict(zip(shown.columns, said.columns, strict=True))
        column_config = {names.get(k, k): _config_in(v, lang) for k, v in column_config.items()}
        shown = said
    options = {"hide_index": True, "width": "stretch", "column_config": column_config or None, **dataframe_options}
    st.dataframe(shown, **options)
    if len(frame) <= LISTED_ROWS_LIMIT:
        return

    st.caption(
        _(
            "Showing the first {limit} of {count} rows. The download has all of them; narrow the sidebar filters to "
            "list fewer."
        ).format(limit=lang.number(LISTED_ROWS_LIMIT), count=lang.number(len(frame)))
    )
    st.download_button(
        _("Download all {count} rows (CSV)").format(count=lang.number(len(frame))),
        # Made only when someone clicks: most viewers never download the whole list.
        data=lambda: table_csv(headed(frame, lang), note=data_note(dataset, lang)),
        file_name=f"{file_name}.csv",
        mime="text/csv",
        key=f"{key}_all_csv",
        on_click="ignore",
        icon=":material/download:",
    )


def _config_in(config: Any, lang: Language) -> Any:
    """A column's configuration with its label and help in ``lang`` (a label the catalogue lacks stays as it is)."""
    if isinstance(config, str):
        return lang.gettext(config) if config else config
    if isinstance(config, Mapping):
        said = dict(config)
        for part in ("label", "help"):
            if isinstance(said.get(part), str) and said[part]:
                said[part] = lang.gettext(said[part])
        return said
    return config


ISSUES_SHOWN_LIMIT = 200
"""Most validation issues a table sends to the browser; the CSV download beside it has them all.

One bad file can hold a million issues (a CSV with a million stray columns): a table of them
would cost the server and the browser for a list no one reads past the first screens.
"""


def show_issues(
    issues: Sequence[Issue],
    *,
    key: str,
    file_name: str,
    columns: Mapping[str, str] | None = None,
    lang: Language | None = None,
) -> None:
    """Validation issues as a table: the first :data:`ISSUES_SHOWN_LIMIT`, how many more, and a CSV of all.

    Pass only what the user may read (``loaders.disclosure.visible_issues``): the download holds every
    issue given. ``columns`` picks and renames the table's columns (field -> heading, in the page's language);
    without it the headings are the fields' names said in ``lang``. The CSV keeps every field of ``validate
    --json`` under its own name. Messages are in ``lang`` (the reader's language by default) where the issue
    can say it; codes, severities and field names never change.
    """
    lang = lang or current_language()
    issues = [issue.in_language(lang) for issue in issues]
    table = issues_table(issues[:ISSUES_SHOWN_LIMIT])
    # The caller's headings, or the fields' names said in the page's language.
    table = table[list(columns)].rename(columns=dict(columns)) if columns is not None else headed(table, lang)
    st.dataframe(table, hide_index=True, width="stretch")
    more = len(issues) - ISSUES_SHOWN_LIMIT
    if more > 0:
        st.caption(
            _("… and {more} more, not shown here: the download lists all {total}.").format(
                more=lang.number(more), total=lang.number(len(issues))
            )
        )
    st.download_button(
        _("Download all {total} issues (CSV)").format(total=lang.number(len(issues))),
        # Made only when someone clicks: a long list is built once, for the one who wants it.
        data=lambda: table_csv(issues_table(issues), note=None),
        file_name=f"{file_name}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        on_click="ignore",
        icon=":material/download:",
    )


def nothing_matches() -> None:
    """The friendly message for filters that match no action."""
    st.info(
        _("Nothing matches the current filters. Widen them in the sidebar, or use **Reset filters**."),
        icon=":material/filter_alt_off:",
    )

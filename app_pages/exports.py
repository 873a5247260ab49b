"""Briefing pack and exports: take the current view to a meeting."""

from collections.abc import Callable

import streamlit as st

from tracker import settings
from tracker.access import can_see_confidential
from tracker.documents.brief import MAIN_CHARTS, PROFILE_LIMIT, brief_html, brief_pdf_bytes, build_brief, chart_figure
from tracker.documents.datapackage import datapackage_zip
from tracker.documents.exports import all_data_csv, data_as_of, filters_in_words, view_workbook
from tracker.documents.images import ImageExportError, figure_png, figure_svg, find_chromium
from tracker.records.snapshots import Snapshots
from ui.auth import current_user
from ui.cache import get_round_summary
from ui.components import data_banner
from ui.lang import current_language
from ui.state import current_view

LAST_SIX_MONTHS = "last-6-months"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMAGE_TYPES = {"png": "image/png", "svg": "image/svg+xml"}  # labelled with the format's name, the same everywhere
view = current_view()
dataset, catalog, filters = view.dataset, view.catalog, view.filters
confidential = can_see_confidential(current_user())
today = settings.today()
lang = current_language()
_ = lang.gettext  # bound once: the format functions and the download callables run outside this run

st.title(_("Briefing pack and exports"))
st.caption(_("Take the current view to a meeting. The sidebar filters set the scope of every file on this page."))
data_banner(dataset)
st.markdown(_("**Scope:** {scope}").format(scope=" · ".join(filters_in_words(filters, catalog, lang))))
if confidential:
    st.warning(
        _("Your role sees confidential actions and these files include them: internal use only, do not circulate.")
    )
else:
    st.caption(_("Confidential actions are not included in these files."))

st.header(_("Briefing pack and data"))
st.caption(
    _(
        "The pack: key figures, what moved, what is stuck, what nobody covers, ASEAN overlap highlights, and a "
        "profile per member when {limit} or fewer are in scope. Sentences state counts; members are never ranked."
    ).format(limit=lang.number(PROFILE_LIMIT))
)
snapshots = Snapshots(settings.data_dir())
infos = {i.slug: i for i in snapshots.list()}
since = st.selectbox(
    _("Briefing pack: report what moved since"),
    [LAST_SIX_MONTHS, *reversed(list(infos))],
    format_func=lambda s: (
        _("The last six months") if s == LAST_SIX_MONTHS else _("Snapshot: {name}").format(name=infos[s].name)
    ),
    key="exports_since",
)


# Counts of members only (who answered is for reviewers, on the round page), so any role's pack may state it.
responses = get_round_summary(lang)


# The callables run when a button is clicked, outside the script run: plain tracker calls only.
def pack_html() -> str:
    snapshot = None if since == LAST_SIX_MONTHS else snapshots.load(since)
    brief = build_brief(
        dataset,
        filters,
        user_can_see_confidential=confidential,
        since=snapshot,
        today=today,
        round_summary=responses,
        lang=lang,
    )
    return brief_html(brief)


def pack_pdf() -> bytes:
    return brief_pdf_bytes(pack_html())


def workbook() -> bytes:
    return view_workbook(
        view, filters, data_as_of=data_as_of(view), today=today, confidential_included=confidential, lang=lang
    )


def all_actions() -> bytes:  # its columns are the contract's field names in every language: other tools read it
    return all_data_csv(dataset, can_see_confidential=confidential, lang=lang)


def data_package() -> bytes:
    return datapackage_zip(
        dataset, today=today, include_confidential=confidential, snapshots=Snapshots(settings.data_dir()).list()
    )


FILES: dict[str, tuple[str, Callable[[], str | bytes], str, str, str]] = {  # key: label, build, name, type, help
    "exports_pack_html": (_("Briefing pack (HTML)"), pack_html, "briefing-pack.html", "text/html", _("Opens offline.")),
    "exports_pack_pdf": (
        _("Briefing pack (PDF)"),
        pack_pdf,
        "briefing-pack.pdf",
        "application/pdf",
        _("A4, from the HTML."),
    ),
    "exports_xlsx": (
        _("Excel of this view"),
        workbook,
        "commitments-view.xlsx",
        XLSX,
        _("A sheet per table, and About."),
    ),
    "exports_csv": (
        _("CSV of all data"),
        all_actions,
        "all-actions.csv",
        "text/csv",
        _("Every action, no filter. Columns named by the data contract (the same in every language)."),
    ),
    "exports_datapackage": (
        _("Open data package"),
        data_package,
        "open-data-package.zip",
        "application/zip",
        _("Every record and the catalog as a Frictionless Data Package (datapackage.json and CSV files), no filter."),
    ),
}
columns = st.columns(len(FILES))
for column, (key, (label, build, name, mime, hint)) in zip(columns, FILES.items(), strict=True):
    if key == "exports_pack_pdf" and not find_chromium():
        column.info(_("The PDF needs Chromium on the server: download the HTML and print it from your browser."))
        continue
    stamped = name.replace(".", f"-{today:%Y-%m-%d}.")
    column.download_button(label, build, stamped, mime, key=key, on_click="ignore", help=hint, width="stretch")

st.header(_("Chart images"))
chart: str = st.selectbox(_("Chart"), list(MAIN_CHARTS), format_func=lambda c: _(MAIN_CHARTS[c]), key="exports_chart")
made = st.session_state.get("exports_images")
if view.is_empty:
    st.info(_("Nothing matches the current filters, so there is no chart to export."))
elif st.button(_("Make PNG and SVG"), key="exports_make_images", icon=":material/image:"):
    try:
        fig = chart_figure(view, chart, today, lang=lang)
        made = st.session_state["exports_images"] = (chart, filters, lang.code, figure_png(fig), figure_svg(fig))
    except ImageExportError as problem:
        st.error(str(problem))
if made and made[:3] == (chart, filters, lang.code) and not view.is_empty:  # images in another language are stale
    name = f"{chart.replace('_', '-')}-{today:%Y-%m-%d}"
    for column, (kind, mime), image in zip(st.columns(2), IMAGE_TYPES.items(), made[3:], strict=True):
        column.download_button(kind.upper(), image, f"{name}.{kind}", mime, key=f"exports_{kind}", on_click="ignore")

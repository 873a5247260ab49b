"""Commitments Tracker: the Streamlit entry point.

Sets the page config, declares the pages, draws the shared sidebar filters
(before the page runs, so they persist across pages and live in the URL) and
runs the chosen page. Start it with ``streamlit run dashboard.py``.
"""

import sys

import streamlit as st

from tracker.access import can_review
from ui.auth import current_user, render_account
from ui.cache import get_dataset, recovery_problem
from ui.lang import _, render_language_switch
from ui.sidebar import keep_filters, render_filters
from ui.text import plain

# Streamlit runs every session's script in a thread of this one process. Under a burst of sessions the threads
# hand the GIL over every 5 ms by default; every 20 ms they contend less: ~10% more runs per second and a lower
# p95 with 50 sessions at once (benchmarks/RESULTS.md). Process-wide, and the same value on every run.
sys.setswitchinterval(0.02)

st.set_page_config(page_title="Commitments Tracker", page_icon="assets/favicon.png", layout="wide")
lang = render_language_switch(on_change=keep_filters)  # first: every label below is in the chosen language

# url_path equals each file's stem so AppTest.switch_page and deep links agree.
PAGES = [
    st.Page("app_pages/overview.py", title=_("Overview"), icon=":material/dashboard:", default=True),
    st.Page("app_pages/progress.py", title=_("Progress"), icon=":material/trending_up:"),
    st.Page("app_pages/gaps.py", title=_("Gaps"), icon=":material/grid_on:"),
    st.Page("app_pages/overlap.py", title=_("ASEAN overlap"), icon=":material/join_inner:"),
    st.Page("app_pages/themes.py", title=_("Themes"), icon=":material/label:"),
    st.Page("app_pages/compare.py", title=_("Compare"), icon=":material/compare_arrows:"),
    st.Page("app_pages/member.py", title=_("Member profile"), icon=":material/person:"),
    st.Page("app_pages/method.py", title=_("Method and data"), icon=":material/menu_book:"),
    st.Page("app_pages/exports.py", title=_("Briefing pack and exports"), icon=":material/description:"),
    st.Page("app_pages/submit.py", title=_("Submit an update"), icon=":material/upload_file:"),
]
REVIEW = st.Page("app_pages/review.py", title=_("Review submissions"), icon=":material/fact_check:")
ROUND = st.Page("app_pages/round.py", title=_("Reporting round"), icon=":material/campaign:")

user = current_user()
# Navigation is declared on every run, before anything can stop the script (pitfalls B6);
# the review and round pages exist only for roles that may use them, and check the role again themselves.
page = st.navigation(PAGES + ([REVIEW, ROUND] if can_review(user) else []))

render_account(user)
render_filters(get_dataset().catalog.in_language(lang.code))  # names and labels in the page's language
if can_review(user) and (problem := recovery_problem()):
    # Viewers see the records on disk, which are whole; only those who can act are told.
    st.error(
        _(
            "An interrupted update could not be completed, so the records shown are those before it: {problem}. "
            "Restore the file named from `_history/versions`, or ask an administrator to check `_history/pending`."
        ).format(problem=plain(problem)),
        icon=":material/error:",
    )
page.run()

"""Method and data: how are the figures made, where do the facts come from, and what is wrong in the data?"""

import streamlit as st

from loaders.disclosure import visible_issues
from tracker import settings
from tracker.access import can_administer, can_review, can_see_confidential, load_roles
from tracker.views.gaps import STALE_AFTER_DAYS
from tracker.views.method import (
    commitments_table,
    contract_table,
    crosswalk_table,
    files_table,
    issue_counts,
    scale_table,
    sources_table,
)
from tracker.views.provenance import status_note
from ui.auth import current_user
from ui.cache import get_dataset
from ui.catalog_import import catalog_history, import_section
from ui.components import data_banner, show_issues
from ui.text import plain

dataset = get_dataset()
catalog = dataset.catalog
user = current_user()
confidential = can_see_confidential(user)

st.title("Method and data")
data_banner(dataset)

st.header("Validation issues in the current data")
# Viewers get no issue about a confidential action, and no count that includes one (loaders/disclosure.py).
issues = visible_issues(dataset.issues, can_see_confidential=confidential)
errors, warnings = issue_counts(issues)
st.caption(
    f"{errors} error(s) and {warnings} warning(s) in {len(dataset.files)} member file(s). "
    "Rows with an error are left out of every figure until the file is fixed."
)
if not issues:
    # Said alike whether or not issues were left out, so that it tells a viewer nothing.
    st.success("No issues: every file passed every rule." if confidential else "No issues in what you can see.")
else:
    show_issues(issues, key="method_issues", file_name="validation-issues")
roles = load_roles(settings.data_dir())
if roles.problems:
    st.warning(
        f"The access file `_roles.yaml` has {len(roles.problems)} problem(s); the people concerned are treated as "
        "viewers until an administrator fixes it.",
        icon=":material/lock:",
    )
    if can_review(user):  # the details name people's e-mail addresses
        st.markdown("\n".join(f"- {plain(problem)}" for problem in roles.problems))
with st.expander("Member files read"):
    st.dataframe(files_table(dataset, can_see_confidential=confidential), hide_index=True, width="stretch")

st.header("The status scale")
st.markdown(catalog.scale.note)
if dataset.public_record is not None:  # the scale's note speaks of member reporting; say what holds here
    st.markdown(f"**In the data shown:** {status_note(dataset)}")
st.table(scale_table(catalog).set_index("icon"))

st.header("How the figures are made")
st.markdown(f"""
- **Commitments with any action**: a commitment counts when at least one action cites it or one of its items.
- **Share complete**: actions reported *Complete* out of all actions, leaving out those counted apart (*Discontinued*).
- **Furthest status** (gap matrix): the most advanced status any of a member's actions on that commitment has reached.
  An action on an item (ASC-6.2) counts for its area (ASC-6).
- **Stale**: a member's latest update is more than {STALE_AFTER_DAYS} days old, i.e. two six-monthly reporting
  rounds have passed without an update.
- **Overdue**: the due date has passed and the action is neither complete nor discontinued.
- **Member groups**: ASEAN member states (including Timor-Leste since 26 Oct 2025), other states and territories,
  and the four member organisations (IOM, UNHCR, UNODC, ILO).
- **Confidential actions** are left out of every figure, table and download for viewers, and so are the
  validation issues about them.
- Members are always listed alphabetically: nothing here is a ranking.
""")

st.header("The member spreadsheet")
st.markdown(
    "One file per member, named after its id (`IDN.xlsx`, `IOM.yaml`). Sheet `Actions`; the header row may "
    "sit below title rows. Headers match by label or field name, ignoring case, spaces and punctuation."
)
st.table(contract_table().set_index("column"))

st.header("The catalog: sources and confidence")
st.markdown(
    "Confidence: **V** verified in the cited page · **P** partly verified · **I** inferred, check before "
    "publishing · **U** unknown. Summaries are paraphrases; only short official titles are kept verbatim."
)
tabs = st.tabs(["Commitments", "ASEAN crosswalk", "Sources"])
tabs[0].dataframe(commitments_table(catalog), hide_index=True, width="stretch")
tabs[1].dataframe(crosswalk_table(catalog), hide_index=True, width="stretch")
tabs[2].dataframe(
    sources_table(catalog),
    hide_index=True,
    width="stretch",
    column_config={"address": st.column_config.LinkColumn("address")},
)
if can_review(user):
    with st.expander("Catalog changes (imports of official matrices)"):
        catalog_history()
if can_administer(user):
    import_section(user)

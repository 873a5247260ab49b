"""Method and data: how are the figures made, where do the facts come from, and what is wrong in the data?"""

import streamlit as st

from tracker import settings
from tracker.access import can_review, load_roles
from tracker.exports import table_csv
from tracker.gaps import STALE_AFTER_DAYS
from tracker.method import commitments_table, contract_table, crosswalk_table, issues_table, scale_table, sources_table
from ui.auth import current_user
from ui.cache import get_dataset
from ui.components import illustrative_banner

dataset = get_dataset()
catalog = dataset.catalog

st.title("Method and data")
illustrative_banner(dataset)

st.header("Validation issues in the current data")
issues = issues_table(dataset.issues)
errors = int((issues["severity"] == "error").sum())
st.caption(
    f"{errors} error(s) and {len(issues) - errors} warning(s) in {len(dataset.files)} member file(s). "
    "Rows with an error are left out of every figure until the file is fixed."
)
if issues.empty:
    st.success("No issues: every file passed every rule.")
else:
    st.dataframe(issues, hide_index=True, width="stretch")
    st.download_button(
        "Download the issues (CSV)",
        table_csv(issues, illustrative=False),
        "validation-issues.csv",
        "text/csv",
        key="method_issues_csv",
        on_click="ignore",
        icon=":material/download:",
    )
roles = load_roles(settings.data_dir())
if roles.problems:
    st.warning(
        f"The access file `_roles.yaml` has {len(roles.problems)} problem(s); the people concerned are treated as "
        "viewers until an administrator fixes it.",
        icon=":material/lock:",
    )
    if can_review(current_user()):  # the details name people's e-mail addresses
        st.markdown("\n".join(f"- {problem}" for problem in roles.problems))
with st.expander("Member files read"):
    st.dataframe(dataset.files, hide_index=True, width="stretch")

st.header("The status scale")
st.markdown(catalog.scale.note)
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
- **Confidential actions** are left out of every figure, table and download for viewers.
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

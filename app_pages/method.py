"""Method and data: how are the figures made, where do the facts come from, and what is wrong in the data?"""

import datetime as dt

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
from ui.lang import current_language
from ui.text import plain

TIMOR_LESTE_JOINED = dt.date(2025, 10, 26)  # ASEAN's 11th member (members.yaml, TLS)

lang = current_language()
_ = lang.gettext
dataset = get_dataset()
catalog = dataset.catalog.in_language(lang.code)  # the status scale's labels and meanings in the page's language
user = current_user()
confidential = can_see_confidential(user)

st.title(_("Method and data"))
data_banner(dataset)

st.header(_("Validation issues in the current data"))
# Viewers get no issue about a confidential action, and no count that includes one (loaders/disclosure.py).
issues = visible_issues(dataset.issues, can_see_confidential=confidential)
errors, warnings = issue_counts(issues)
st.caption(
    _(
        "{errors} error(s) and {warnings} warning(s) in {files} member file(s). Rows with an error are left out of "
        "every figure until the file is fixed."
    ).format(errors=lang.number(errors), warnings=lang.number(warnings), files=lang.number(len(dataset.files)))
)
if not issues:
    # Said alike whether or not issues were left out, so that it tells a viewer nothing.
    st.success(_("No issues: every file passed every rule.") if confidential else _("No issues in what you can see."))
else:
    show_issues(issues, key="method_issues", file_name="validation-issues", lang=lang)
roles = load_roles(settings.data_dir())
if roles.problems:
    st.warning(
        _(
            "The access file `_roles.yaml` has {count} problem(s); the people concerned are treated as viewers until "
            "an administrator fixes it."
        ).format(count=lang.number(len(roles.problems))),
        icon=":material/lock:",
    )
    if can_review(user):  # the details name people's e-mail addresses
        st.markdown("\n".join(f"- {plain(problem)}" for problem in roles.problems))
with st.expander(_("Member files read")):
    st.dataframe(files_table(dataset, can_see_confidential=confidential, lang=lang), hide_index=True, width="stretch")

st.header(_("The status scale"))
st.markdown(catalog.scale.note)  # the catalog's own text (statuses.yaml), in the page's language where it has one
if dataset.public_record is not None:  # the scale's note speaks of member reporting; say what holds here
    st.markdown(_("**In the data shown:** {statuses}").format(statuses=status_note(dataset, lang=lang)))
st.table(scale_table(catalog, lang).set_index(_("icon")))

st.header(_("How the figures are made"))
rules = [
    _("**Commitments with any action**: a commitment counts when at least one action cites it or one of its items."),
    _(
        "**Share complete**: actions reported *Complete* out of all actions, leaving out those counted apart "
        "(*Discontinued*)."
    ),
    _(
        "**Furthest status** (gap matrix): the most advanced status any of a member's actions on that commitment has "
        "reached. An action on an item (ASC-6.2) counts for its area (ASC-6)."
    ),
    _(
        "**Stale**: a member's latest update is more than {days} days old, i.e. two six-monthly reporting rounds have "
        "passed without an update."
    ).format(days=lang.number(STALE_AFTER_DAYS)),
    _("**Overdue**: the due date has passed and the action is neither complete nor discontinued."),
    _(
        "**Member groups**: ASEAN member states (including Timor-Leste since {day}), other states and territories, "
        "and the four member organisations (IOM, UNHCR, UNODC, ILO)."
    ).format(day=lang.short_date(TIMOR_LESTE_JOINED)),
    _(
        "**Confidential actions** are left out of every figure, table and download for viewers, and so are the "
        "validation issues about them."
    ),
    _("Members are always listed alphabetically: nothing here is a ranking."),
]
st.markdown("\n".join(f"- {rule}" for rule in rules))

st.header(_("The member spreadsheet"))
st.markdown(
    _(
        "One file per member, named after its id (`IDN.xlsx`, `IOM.yaml`). Sheet `Actions`; the header row may sit "
        "below title rows. Headers match by label or field name, ignoring case, spaces and punctuation."
    )
)
st.table(contract_table(lang).set_index(_("column")))

st.header(_("The catalog: sources and confidence"))
st.markdown(
    _(
        "Confidence: **V** verified in the cited page · **P** partly verified · **I** inferred, check before "
        "publishing · **U** unknown. Summaries are paraphrases; only short official titles are kept verbatim."
    )
)
tabs = st.tabs([_("Commitments"), _("ASEAN crosswalk"), _("Sources")])
tabs[0].dataframe(commitments_table(catalog, lang), hide_index=True, width="stretch")
tabs[1].dataframe(crosswalk_table(catalog, lang), hide_index=True, width="stretch")
tabs[2].dataframe(
    sources_table(catalog, lang),
    hide_index=True,
    width="stretch",
    column_config={_("address"): st.column_config.LinkColumn(_("address"))},
)
if can_review(user):
    with st.expander(_("Catalog changes (imports of official matrices)")):
        catalog_history(lang)
if can_administer(user):
    import_section(user, lang)

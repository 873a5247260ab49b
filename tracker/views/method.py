"""Tables for the Method and data page: the scale, the rules, the catalog's sources, the data's issues.

What the data's issues and files tell depends on the user: viewers get only what they may see
(``loaders.disclosure``), and no count that includes a confidential action. The tables a person reads take the
page's language (headers and the words in their cells; English by default); :func:`issues_table` is the contract
of ``validate --json`` and never changes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from loaders.catalog import Catalog
from loaders.catalog_schema import CONFIDENCE_LABELS, WORKING_ITEM
from loaders.dataset import Dataset
from loaders.disclosure import visible_issues
from loaders.fields import FIELDS
from loaders.i18n import N_, Language, language
from loaders.issues import CONTRACT_KEYS, Issue
from tracker.views.action_table import headed
from tracker.views.overlap import RELATION_WORDS

"""A crosswalk link's relation as a reader says it (the id in English)."""
FILE_HEADINGS = (
    N_("member"), N_("file"), N_("rows"), N_("illustrative"), N_("public_record"), N_("actions"), N_("errors"),
    N_("warnings"), N_("modified"),
)  # fmt: skip
"""The columns of ``Dataset.files`` (and of :func:`files_table`), marked for the catalogue."""
ISSUE_HEADINGS = (N_("severity"), N_("code"), N_("file"), N_("sheet"), N_("row"), N_("field"), N_("message"))
"""The fields of an issue (``CONTRACT_KEYS``) as table headings on a page; the CSV and the JSON keep the names."""


def scale_table(catalog: Catalog, lang: Language | None = None) -> pd.DataFrame:
    """The status scale plus the derived "no action reported" state (statuses as ``catalog`` says them; the
    headings and the yes and no in ``lang``)."""
    _ = (lang or language()).gettext
    yes, no = _("yes"), _("no")
    rows = [
        {
            _("icon"): s.icon,
            _("status"): s.label,
            "id": s.id,
            _("meaning"): s.description,
            _("needs evidence"): yes if s.id in catalog.scale.requires_evidence else no,
            _("in progress shares"): no if s.id in catalog.scale.counted_apart else yes,
        }
        for s in catalog.statuses.values()
    ]
    no_action = catalog.scale.no_action
    rows.append(
        {
            _("icon"): no_action.icon,
            _("status"): no_action.label,
            "id": _("(derived)"),
            _("meaning"): no_action.description,
            _("needs evidence"): "–",
            _("in progress shares"): "–",
        }
    )
    return pd.DataFrame(rows)


def contract_table(lang: Language | None = None) -> pd.DataFrame:
    """The spreadsheet columns: header label, field name, required, rule (in ``lang``: a file's headers may be
    in any shipped language)."""
    _ = (lang or language()).gettext
    return pd.DataFrame(
        [
            {
                _("column"): _(f.label),
                _("field"): f.name,
                _("required"): _("yes") if f.required else _("no"),
                _("rule"): _(f.help),
            }
            for f in FIELDS
        ]
    )


def commitments_table(catalog: Catalog, lang: Language | None = None) -> pd.DataFrame:
    """Every catalog commitment with its confidence and the addresses of its sources (titles and summaries as the
    catalog has them; the headings and the table's own words in ``lang``)."""
    _ = (lang or language()).gettext
    return pd.DataFrame(
        [
            {
                "id": c.id,
                _("framework"): c.framework,
                _("title"): f"{c.title} {_(WORKING_ITEM)}" if c.placeholder else c.title,  # Commitment.shown_title
                _("official title"): _("yes") if c.official_title else _("no (own label)"),
                _("working item"): _("yes: not official") if c.placeholder else "",
                _("summary (paraphrase)"): c.summary,
                _("confidence"): f"{c.confidence} – {_(CONFIDENCE_LABELS[c.confidence])}",
                _("confidence note"): c.confidence_note or "",
                _("source"): c.source_ref,
                _("sources"): " ".join(catalog.sources[k].address for k in c.sources if k in catalog.sources),
            }
            for c in catalog.commitments.values()
        ]
    )


def crosswalk_table(catalog: Catalog, lang: Language | None = None) -> pd.DataFrame:
    """The crosswalk links with relation, note and confidence (the notes as the catalog has them)."""
    _ = (lang or language()).gettext
    return pd.DataFrame(
        [
            {
                _("from"): link.source,
                _("to"): link.target,
                _("relation"): _(RELATION_WORDS[link.relation]),
                _("note"): link.note,
                _("confidence"): f"{link.confidence} – {_(CONFIDENCE_LABELS[link.confidence])}",
            }
            for link in catalog.links
        ]
    )


def sources_table(catalog: Catalog, lang: Language | None = None) -> pd.DataFrame:
    """The cited sources: key, title, address or document name, when checked, what it is when not the publisher's.

    ``address`` is a web address only (the page shows it as a link); a document without one is named under ``document``.
    The headings are in ``lang``; the titles and notes as the catalog has them.
    """
    _ = (lang or language()).gettext
    return pd.DataFrame(
        [
            {
                _("key"): s.key,
                _("title"): s.title,
                _("address"): s.url or "",
                _("document"): s.document or "",
                _("accessed"): s.accessed,
                _("note"): s.note or "",
            }
            for s in catalog.sources.values()
        ]
    )


def issues_table(issues: Sequence[Issue]) -> pd.DataFrame:
    """Validation issues as a table (the same fields as ``validate --json``)."""
    frame = pd.DataFrame([i.to_dict() for i in issues], columns=list(CONTRACT_KEYS))
    return frame.astype({"row": "Int64"})


def issue_counts(issues: Sequence[Issue]) -> tuple[int, int]:
    """(errors, warnings) among ``issues``."""
    errors = sum(i.severity == "error" for i in issues)
    return errors, len(issues) - errors


def files_table(dataset: Dataset, *, can_see_confidential: bool, lang: Language | None = None) -> pd.DataFrame:
    """The member files read, with counts of what the user may see (headings in ``lang``).

    Reviewers get ``dataset.files`` as it is. Viewers get the actions they are shown
    elsewhere (valid, not confidential) and the issues they may read; the count of
    rows is left out, since rows minus those would count the confidential ones, and
    so is the file's modification time, which moves when only a confidential action
    changed.
    """
    if can_see_confidential:
        return headed(dataset.files, lang)
    public = dataset.actions.loc[~dataset.actions["confidential"], "source_file"].value_counts()
    shown = visible_issues(dataset.issues, can_see_confidential=False)
    errors = Counter(i.file for i in shown if i.severity == "error")
    warnings = Counter(i.file for i in shown if i.severity == "warning")
    files = dataset.files.drop(columns=["rows", "modified"])
    shown = files.assign(
        actions=files["file"].map(public).fillna(0).astype(int),
        errors=files["file"].map(errors).fillna(0).astype(int),
        warnings=files["file"].map(warnings).fillna(0).astype(int),
    )
    return headed(shown, lang)


def catalog_changes_table(entries: Sequence[Mapping[str, Any]], lang: Language | None = None) -> pd.DataFrame:
    """The catalog's change log (``read_catalog_log`` entries, oldest first) as a table, newest first (headings in
    ``lang``)."""
    _ = (lang or language()).gettext
    return pd.DataFrame(
        [
            {
                _("when"): str(e.get("at", ""))[:19].replace("T", " "),
                _("by"): e.get("by", ""),
                _("framework"): e.get("framework", ""),
                _("file"): e.get("file", ""),
                _("added"): len(e.get("added", [])),
                _("removed"): len(e.get("removed", [])),
                _("retitled"): len(e.get("retitled", [])),
                _("remap"): ", ".join(f"{old} → {new}" for old, new in dict(e.get("remap", {})).items()),
                _("catalog version"): e.get("catalog_version", ""),
            }
            for e in reversed(entries)
        ]
    )

"""Tables for the Method and data page: the scale, the rules, the catalog's sources, the data's issues.

What the data's issues and files tell depends on the user: viewers get only what they may see
(``loaders.disclosure``), and no count that includes a confidential action.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from loaders.catalog import Catalog
from loaders.catalog_schema import CONFIDENCE_LABELS
from loaders.dataset import Dataset
from loaders.disclosure import visible_issues
from loaders.fields import FIELDS
from loaders.issues import CONTRACT_KEYS, Issue


def scale_table(catalog: Catalog) -> pd.DataFrame:
    """The status scale plus the derived "no action reported" state."""
    rows = [
        {
            "icon": s.icon,
            "status": s.label,
            "id": s.id,
            "meaning": s.description,
            "needs evidence": "yes" if s.id in catalog.scale.requires_evidence else "no",
            "in progress shares": "no" if s.id in catalog.scale.counted_apart else "yes",
        }
        for s in catalog.statuses.values()
    ]
    no_action = catalog.scale.no_action
    rows.append(
        {
            "icon": no_action.icon,
            "status": no_action.label,
            "id": "(derived)",
            "meaning": no_action.description,
            "needs evidence": "–",
            "in progress shares": "–",
        }
    )
    return pd.DataFrame(rows)


def contract_table() -> pd.DataFrame:
    """The spreadsheet columns: header label, field name, required, rule."""
    return pd.DataFrame(
        [
            {"column": f.label, "field": f.name, "required": "yes" if f.required else "no", "rule": f.help}
            for f in FIELDS
        ]
    )


def commitments_table(catalog: Catalog) -> pd.DataFrame:
    """Every catalog commitment with its confidence and the addresses of its sources."""
    return pd.DataFrame(
        [
            {
                "id": c.id,
                "framework": c.framework,
                "title": c.shown_title,
                "official title": "yes" if c.official_title else "no (own label)",
                "working item": "yes: not official" if c.placeholder else "",
                "summary (paraphrase)": c.summary,
                "confidence": f"{c.confidence} – {CONFIDENCE_LABELS[c.confidence]}",
                "confidence note": c.confidence_note or "",
                "source": c.source_ref,
                "sources": " ".join(catalog.sources[k].address for k in c.sources if k in catalog.sources),
            }
            for c in catalog.commitments.values()
        ]
    )


def crosswalk_table(catalog: Catalog) -> pd.DataFrame:
    """The crosswalk links with relation, note and confidence."""
    return pd.DataFrame(
        [
            {
                "from": link.source,
                "to": link.target,
                "relation": link.relation,
                "note": link.note,
                "confidence": f"{link.confidence} – {CONFIDENCE_LABELS[link.confidence]}",
            }
            for link in catalog.links
        ]
    )


def sources_table(catalog: Catalog) -> pd.DataFrame:
    """The cited sources: key, title, address or document name, when checked, what it is when not the publisher's.

    ``address`` is a web address only (the page shows it as a link); a document without one is named under ``document``.
    """
    return pd.DataFrame(
        [
            {
                "key": s.key,
                "title": s.title,
                "address": s.url or "",
                "document": s.document or "",
                "accessed": s.accessed,
                "note": s.note or "",
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


def files_table(dataset: Dataset, *, can_see_confidential: bool) -> pd.DataFrame:
    """The member files read, with counts of what the user may see.

    Reviewers get ``dataset.files`` as it is. Viewers get the actions they are shown
    elsewhere (valid, not confidential) and the issues they may read; the count of
    rows is left out, since rows minus those would count the confidential ones, and
    so is the file's modification time, which moves when only a confidential action
    changed.
    """
    if can_see_confidential:
        return dataset.files
    public = dataset.actions.loc[~dataset.actions["confidential"], "source_file"].value_counts()
    shown = visible_issues(dataset.issues, can_see_confidential=False)
    errors = Counter(i.file for i in shown if i.severity == "error")
    warnings = Counter(i.file for i in shown if i.severity == "warning")
    files = dataset.files.drop(columns=["rows", "modified"])
    return files.assign(
        actions=files["file"].map(public).fillna(0).astype(int),
        errors=files["file"].map(errors).fillna(0).astype(int),
        warnings=files["file"].map(warnings).fillna(0).astype(int),
    )


def catalog_changes_table(entries: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The catalog's change log (``read_catalog_log`` entries, oldest first) as a table, newest first."""
    return pd.DataFrame(
        [
            {
                "when": str(e.get("at", ""))[:19].replace("T", " "),
                "by": e.get("by", ""),
                "framework": e.get("framework", ""),
                "file": e.get("file", ""),
                "added": len(e.get("added", [])),
                "removed": len(e.get("removed", [])),
                "retitled": len(e.get("retitled", [])),
                "remap": ", ".join(f"{old} → {new}" for old, new in dict(e.get("remap", {})).items()),
                "catalog version": e.get("catalog_version", ""),
            }
            for e in reversed(entries)
        ]
    )

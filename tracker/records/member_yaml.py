"""Write a member's validated actions as the canonical YAML member file.

The store saves every applied update in this one text format: it diffs well,
it is read by the same loader as uploads, and it keeps unknown columns (as
extra keys) so nothing a member typed is lost.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import yaml

from loaders.fields import FIELD_NAMES

_BaseDumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class PlainDumper(_BaseDumper):  # type: ignore[misc, valid-type]
    """Safe dumper that never writes anchors and aliases (``&id001`` / ``*id001``).

    PyYAML aliases any object that appears twice (e.g. one date used as start and
    last-updated date). People editing the file should see plain values, and files
    without anchors take the loader's fast path.
    """

    def ignore_aliases(self, data: object) -> bool:
        return True


_LISTS = ("commitments", "asean_mechanisms")


def member_yaml(
    member: str,
    actions: pd.DataFrame,
    *,
    illustrative: bool,
    header: str = "",
    public_record: dt.date | None = None,
) -> str:
    """Render the member file text.

    Args:
        member: the member id (already validated).
        actions: validated actions with ids assigned (columns of ``loaders.actions.ACTION_COLUMNS``).
        illustrative: mark the file as illustrative sample data.
        header: an optional comment block (without ``#``) written at the top.
        public_record: the day a file of the public record was compiled (kept when the store rewrites
            such a file without a member's report, e.g. to re-point its commitments).
    """
    records = [_record(row) for row in actions.sort_values("action_id").to_dict("records")]
    document: dict[str, object] = {"member": member}
    if illustrative:
        document["illustrative"] = True
    if public_record is not None:
        document["public_record"] = public_record
    document["actions"] = records
    comment = "".join(f"# {line}\n" for line in header.splitlines())
    return comment + yaml.dump(document, Dumper=PlainDumper, sort_keys=False, allow_unicode=True, width=100)


def _record(row: dict[str, object]) -> dict[str, object]:
    out: dict[str, object] = {}
    for field in FIELD_NAMES:
        value = row.get(field)
        if value is None or (not isinstance(value, (list, str, bool)) and pd.isna(value)):  # type: ignore[arg-type]
            continue
        if field in _LISTS:
            value = [v.strip() for v in str(value).split(";") if v.strip()]
        elif isinstance(value, pd.Timestamp):
            value = value.date()
        elif field == "confidential":
            if not value:
                continue  # blank means no
            value = "yes"
        out[field] = value
    extra = row.get("extra")
    if isinstance(extra, str) and extra:
        # Unknown columns go back under their own names, so a later read warns about them again
        # instead of losing them; they never overwrite a contract field.
        for key, value in json.loads(extra).items():
            out.setdefault(key, value)
    return out

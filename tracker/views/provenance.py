"""Where the records shown come from, in the words every page, pack and export uses.

Three kinds of data set: members' own reporting (the default for real use, no label), the illustrative
sample (generated: ``illustrative: true``) and the public record (compiled from public pages, not reported by
members: ``public_record: <day the pages were read>``; ``data/public/``, docs/public-record.md). A reader must
never take either of the last two for member reporting, so every surface states them.
"""

from __future__ import annotations

import datetime as dt

from loaders.dataset import Dataset

ILLUSTRATIVE_NOTE = "ILLUSTRATIVE SAMPLE DATA - generated, not real reporting"
STATUS_NOTE = "Statuses are the members' own reports, not ratings by the Bali Process, ASEAN or the secretariat."
# What a status means depends on the data set: (long form for packs and exports, short one for page captions).
_STATUSES = {
    "members": (STATUS_NOTE, "Statuses are the members' own reports, not ratings."),
    "public": (
        "Statuses are what the public sources report (a cautious inference where an action's note says so), not "
        "members' own reports and not ratings by the Bali Process, ASEAN or the secretariat.",
        "Statuses are what the public sources report, not members' own reports and not ratings.",
    ),
    "mixed": (
        "Statuses are the members' own reports or, in the public-record files, what the public sources report; "
        "never ratings by the Bali Process, ASEAN or the secretariat.",
        "Statuses are members' own reports or, in public-record files, what the public sources report; not ratings.",
    ),
}
ILLUSTRATIVE_SENTENCE = (
    "Illustrative sample data: generated for demonstration, not real reporting by any member. "
    "Do not cite these figures."
)


def public_record_note(read_on: dt.date, share: tuple[int, int] | None = None) -> str:
    """The short label of a public-record data set (CSV column, workbook cell, page footer).

    ``share``: (public-record files, all files) when only some files are the public record.
    """
    which = f" ({share[0]} of {share[1]} member files; the others are member reporting)" if share else ""
    return f"PUBLIC RECORD{which} - compiled from public sources read on {read_on:%Y-%m-%d}; not reported by members"


def public_record_sentence(read_on: dt.date, share: tuple[int, int] | None = None) -> str:
    """The public record as a sentence for pages, packs and the site (``share`` as in :func:`public_record_note`)."""
    which = f"the actions in {share[0]} of {share[1]} member files" if share else "these actions"
    rest = " The other files are members' own reporting." if share else ""
    return (
        f"Public record: {which} were compiled from public sources read on {read_on.day} {read_on:%B %Y}; they "
        f"were not reported by members. The evidence of each action is the page it comes from.{rest}"
    )


def public_share(dataset: Dataset) -> tuple[int, int] | None:
    """(public-record files, member files) when the two differ: an update applied in the app drops the mark."""
    flags = dataset.files["public_record"]  # asked only when dataset.public_record is set: files were read
    marked = int(flags.sum())
    return (marked, len(flags)) if 0 < marked < len(flags) else None


def status_note(dataset: Dataset, *, short: bool = False) -> str:
    """What the statuses shown are: members' own reports, or what the public sources report; never ratings."""
    kind = "members" if dataset.public_record is None else "mixed" if public_share(dataset) else "public"
    return _STATUSES[kind][short]


def data_note(dataset: Dataset) -> str | None:
    """The label every export carries about its records' origin; None for members' own reporting."""
    notes = [ILLUSTRATIVE_NOTE] if dataset.illustrative else []
    if dataset.public_record is not None:
        notes.append(public_record_note(dataset.public_record, public_share(dataset)))
    return "; ".join(notes) or None


def data_labels(dataset: Dataset) -> list[str]:
    """Short names of the data set for a document's title: "illustrative sample data", "public record"."""
    shown = (("illustrative sample data", dataset.illustrative), ("public record", dataset.public_record is not None))
    return [label for label, flag in shown if flag]


def data_sentences(dataset: Dataset) -> list[str]:
    """The origin of the records as sentences (none for members' own reporting)."""
    sentences = [ILLUSTRATIVE_SENTENCE] if dataset.illustrative else []
    if dataset.public_record is not None:
        sentences.append(public_record_sentence(dataset.public_record, public_share(dataset)))
    return sentences

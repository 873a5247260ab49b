"""Where the records shown come from, in the words every page, pack and export uses.

Three kinds of data set: members' own reporting (the default for real use, no label), the illustrative
sample (generated: ``illustrative: true``) and the public record (compiled from public pages, not reported by
members: ``public_record: <day the pages were read>``; ``data/public/``, docs/public-record.md). A reader must
never take either of the last two for member reporting, so every surface states them.
"""

from __future__ import annotations

import datetime as dt

from loaders.dataset import Dataset
from loaders.i18n import N_, Language, language

ILLUSTRATIVE_NOTE = N_("ILLUSTRATIVE SAMPLE DATA - generated, not real reporting")
STATUS_NOTE = N_("Statuses are the members' own reports, not ratings by the Bali Process, ASEAN or the secretariat.")
# What a status means depends on the data set: (long form for packs and exports, short one for page captions).
_STATUSES = {
    "members": (STATUS_NOTE, N_("Statuses are the members' own reports, not ratings.")),
    "public": (
        N_(
            "Statuses are what the public sources report (a cautious inference where an action's note says so), not "
            "members' own reports and not ratings by the Bali Process, ASEAN or the secretariat."
        ),
        N_("Statuses are what the public sources report, not members' own reports and not ratings."),
    ),
    "mixed": (
        N_(
            "Statuses are the members' own reports or, in the public-record files, what the public sources report; "
            "never ratings by the Bali Process, ASEAN or the secretariat."
        ),
        N_(
            "Statuses are members' own reports or, in public-record files, what the public sources report; not ratings."
        ),
    ),
}
ILLUSTRATIVE_SENTENCE = N_(
    "Illustrative sample data: generated for demonstration, not real reporting by any member. "
    "Do not cite these figures."
)


def illustrative_note(lang: Language | None = None) -> str:
    """:data:`ILLUSTRATIVE_NOTE` in ``lang`` (English)."""
    return (lang or language()).gettext(ILLUSTRATIVE_NOTE)


def public_record_note(read_on: dt.date, share: tuple[int, int] | None = None, lang: Language | None = None) -> str:
    """The short label of a public-record data set (CSV column, workbook cell, page footer), in ``lang``.

    ``share``: (public-record files, all files) when only some files are the public record.
    """
    _ = (lang or language()).gettext
    if share:
        return _(
            "PUBLIC RECORD ({marked} of {files} member files; the others are member reporting) - compiled from "
            "public sources read on {day}; not reported by members"
        ).format(marked=share[0], files=share[1], day=f"{read_on:%Y-%m-%d}")
    return _("PUBLIC RECORD - compiled from public sources read on {day}; not reported by members").format(
        day=f"{read_on:%Y-%m-%d}"
    )


def public_record_sentence(read_on: dt.date, share: tuple[int, int] | None = None, lang: Language | None = None) -> str:
    """The public record as a sentence for pages, packs and the site (``share`` as in :func:`public_record_note`),
    in ``lang`` (English)."""
    lang = lang or language()
    if share:
        return lang.gettext(
            "Public record: the actions in {marked} of {files} member files were compiled from public sources read "
            "on {day}; they were not reported by members. The evidence of each action is the page it comes from. "
            "The other files are members' own reporting."
        ).format(marked=share[0], files=share[1], day=lang.date(read_on))
    return lang.gettext(
        "Public record: these actions were compiled from public sources read on {day}; they were not reported by "
        "members. The evidence of each action is the page it comes from."
    ).format(day=lang.date(read_on))


def public_share(dataset: Dataset) -> tuple[int, int] | None:
    """(public-record files, member files) when the two differ: an update applied in the app drops the mark."""
    flags = dataset.files["public_record"]  # asked only when dataset.public_record is set: files were read
    marked = int(flags.sum())
    return (marked, len(flags)) if 0 < marked < len(flags) else None


def status_note(dataset: Dataset, *, short: bool = False, lang: Language | None = None) -> str:
    """What the statuses shown are: members' own reports, or what the public sources report; never ratings (in
    ``lang``, English by default)."""
    kind = "members" if dataset.public_record is None else "mixed" if public_share(dataset) else "public"
    return (lang or language()).gettext(_STATUSES[kind][short])


def data_note(dataset: Dataset, lang: Language | None = None) -> str | None:
    """The label every export carries about its records' origin (in ``lang``); None for members' own reporting."""
    notes = [illustrative_note(lang)] if dataset.illustrative else []
    if dataset.public_record is not None:
        notes.append(public_record_note(dataset.public_record, public_share(dataset), lang))
    return "; ".join(notes) or None


def data_labels(dataset: Dataset, lang: Language | None = None) -> list[str]:
    """Short names of the data set for a document's title: "illustrative sample data", "public record"."""
    _ = (lang or language()).gettext
    shown = (
        (N_("illustrative sample data"), dataset.illustrative),
        (N_("public record"), dataset.public_record is not None),
    )
    return [_(label) for label, flag in shown if flag]


def data_sentences(dataset: Dataset, lang: Language | None = None) -> list[str]:
    """The origin of the records as sentences in ``lang`` (none for members' own reporting)."""
    sentences = [(lang or language()).gettext(ILLUSTRATIVE_SENTENCE)] if dataset.illustrative else []
    if dataset.public_record is not None:
        sentences.append(public_record_sentence(dataset.public_record, public_share(dataset), lang))
    return sentences

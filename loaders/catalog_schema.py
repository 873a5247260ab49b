"""The catalog's record types: what each YAML file in ``commitments/`` may hold.

Declared once with pydantic, so a wrong type or a missing key in the catalog
becomes an issue that names the file, the entry's line and the field.
Every entry carries ``sources`` (keys into ``sources.yaml``) and a
``confidence`` tag: V verified, P partly verified, I inference, U unknown
(the legend of ``domain.md``).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from loaders.i18n import N_, SOURCE_LANGUAGE, language

Confidence = Literal["V", "P", "I", "U"]
Relation = Literal["equivalent", "overlapping", "complementary"]

CONFIDENCE_LABELS: dict[str, str] = {
    "V": N_("Verified"),
    "P": N_("Partly verified"),
    "I": N_("Inferred — check before publishing"),
    "U": N_("Unknown — not found in public sources"),
}

MEMBER_KINDS: dict[str, str] = {
    "state": N_("State"),
    "territory": N_("Territory"),
    "sar": N_("Special administrative region"),
    "organisation": N_("Member organisation"),
}

ID_PATTERN = r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*(\.[0-9]+)?$"


class Translated(BaseModel):
    """An entry's words in another language: our working translation, never an official text.

    ``label`` is the entry's name or title, ``description`` its summary or description. Surrounding spaces are
    stripped, so a label of spaces only is as empty as a missing one (a ``catalog-schema`` issue on its line).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    label: str = Field(min_length=1)
    description: str | None = Field(default=None, min_length=1)


class TranslatedName(Translated):
    """A mechanism's name in another language: our working translation, or, with ``official: true``, the name
    ASEAN or the Government of Indonesia publishes, cited like any catalog fact (``sources``, ``confidence``)."""

    official: bool = Field(
        default=False, description="True when the label is an official name in that language, not our translation"
    )
    sources: list[str] = Field(default_factory=list)
    confidence: Confidence | None = None
    confidence_note: str | None = None

    @model_validator(mode="after")
    def _cited_when_official(self) -> TranslatedName:
        if self.official and (not self.sources or self.confidence is None):
            raise ValueError("an official name needs its sources and a confidence tag; cite where it is published")
        if not self.official and (self.sources or self.confidence is not None):
            raise ValueError(
                "only an official name cites sources; set official: true, or remove sources and confidence from a "
                "working translation"
            )
        return self


class _Entry(BaseModel):
    """Fields common to every catalog entry."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sources: list[str] = Field(default_factory=list)
    confidence: Confidence
    confidence_note: str | None = None
    line: int | None = Field(default=None, exclude=True)


class Source(BaseModel):
    """A public page or a document the catalog cites, by short key: a web address, or a document's name.

    A document without an address is an official file the secretariat received (an imported framework
    matrix, ``document: BWP-2.0-matrix.xlsx``); it is named, with its sha256 in the note, instead of linked.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^S-[A-Z0-9-]+$")
    url: str | None = Field(default=None, pattern=r"^https?://")
    document: str | None = Field(default=None, min_length=1, description="A file's name, for a source with no URL")
    title: str
    accessed: dt.date | None = Field(
        default=None, description="When the page was last read or checked (pages change; cite what was seen)"
    )
    note: str | None = Field(
        default=None, description="Provenance caveat, e.g. a staging, mirror or proxy copy rather than the publisher"
    )
    line: int | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _one_address(self) -> Source:
        if (self.url is None) == (self.document is None):
            raise ValueError("give either url (a web address) or document (a file's name), not both or neither")
        return self

    @property
    def address(self) -> str:
        """Where to find it: the URL, or the document's name."""
        return self.url or str(self.document)


class Framework(_Entry):
    """A commitment framework (the Adelaide Strategy, the Bohol Work Plan)."""

    id: str = Field(pattern=r"^[A-Z]{2,5}$")
    name: str
    short_name: str
    body: str
    adopted: dt.date | None = None
    adopted_at: str | None = None
    period_start: int | None = None
    period_end: int | None = None
    top_level: str = Field(description="What its first level is called: area or pillar")
    summary: str


WORKING_ITEM = N_("(working item, not official)")
"""The words that follow a working item's title wherever it is shown (``Commitment.placeholder``)."""

_TRANSLATIONS_HELP = "Language code (e.g. id) -> our working translation of the {}, never an official text"


class Commitment(_Entry):
    """An area, pillar, decision or item of a framework."""

    id: str = Field(pattern=ID_PATTERN)
    framework: str
    parent: str | None = None
    level: Literal["area", "pillar", "decision", "item"]
    number: str
    title: str
    official_title: bool = Field(description="True when title is the official short title, verbatim")
    placeholder: bool = Field(
        default=False, description="A working item: not in any official text we could reach; shown as such everywhere"
    )
    summary: str
    translations: dict[str, Translated] = Field(
        default_factory=dict, description=_TRANSLATIONS_HELP.format("title (label) and summary (description)")
    )
    source_ref: str
    themes: list[str] = Field(default_factory=list)
    _shown_in: str = PrivateAttr(default=SOURCE_LANGUAGE)
    """The language the entry is shown in (set by ``Catalog.in_language``): the working-item words follow it."""

    @property
    def shown_id(self) -> str:
        """The id as a label where no title follows it (a chart axis, a list of ids): ``BWP-A.2 (working item)``."""
        return f"{self.id} (working item)" if self.placeholder else self.id

    @property
    def shown_title(self) -> str:
        """The title as every page, file and pack shows it: a working item says it is one, in words (in the language
        of the catalog it comes from, :meth:`loaders.catalog.Catalog.in_language`)."""
        return f"{self.title} {language(self._shown_in).gettext(WORKING_ITEM)}" if self.placeholder else self.title

    def translated_title(self, code: str) -> str | None:
        """Our working translation of the title in language ``code``, or None when there is none.

        For an official title this is the aid a page shows beside the English title, marked as unofficial."""
        found = self.translations.get(code)
        return found.label if found else None

    def title_is_translation(self, code: str) -> bool:
        """True when a page in language ``code`` shows our working translation as the title: never for an official
        title, which stays as published."""
        return not self.official_title and self.translated_title(code) is not None

    def title_in(self, code: str) -> str:
        """The title a page in language ``code`` shows: an official title verbatim, any other in our working
        translation where there is one (English otherwise)."""
        found = self.translated_title(code)
        return found if found is not None and not self.official_title else self.title

    def summary_is_translation(self, code: str) -> bool:
        """True when the summary has our working translation in language ``code``."""
        found = self.translations.get(code)
        return found is not None and found.description is not None

    def summary_in(self, code: str) -> str:
        """The summary in language ``code``: our working translation where there is one, English otherwise."""
        found = self.translations.get(code)
        return found.description if found and found.description else self.summary

    def shown_in(self, code: str) -> Commitment:
        """The entry as a page in language ``code`` shows it (title, summary and working-item words)."""
        if code == SOURCE_LANGUAGE:
            return self
        shown = self.model_copy(update={"title": self.title_in(code), "summary": self.summary_in(code)})
        shown._shown_in = code
        return shown


class Mechanism(_Entry):
    """An ASEAN body, instrument or programme that TIP work runs through."""

    id: str = Field(pattern=r"^[A-Z][A-Z-]*[A-Z]$")
    name: str
    translations: dict[str, TranslatedName] = Field(
        default_factory=dict,
        description="Language code -> the name in that language (label): our working translation, or an official "
        "name where one is published (official: true, with its sources)",
    )
    kind: str
    community: str | None = None
    parent: str | None = None
    role: str

    def official_name(self, code: str) -> TranslatedName | None:
        """The published name in language ``code`` (with the sources that cite it), or None when none is known."""
        found = self.translations.get(code)
        return found if found and found.official else None

    def translated_name(self, code: str) -> str | None:
        """Our working translation of the name in language ``code``, or None when there is none (or when the name
        in that language is an official one: :meth:`official_name`).

        ASEAN's names are official titles, so a page shows this beside the English name as an aid, never instead."""
        found = self.translations.get(code)
        return found.label if found and not found.official else None

    def name_in(self, code: str) -> str:
        """The name a page in language ``code`` shows: the official name in that language where one is cited, else
        the name as ASEAN publishes it (English)."""
        official = self.official_name(code)
        return official.label if official else self.name


class Member(_Entry):
    """A Bali Process member: a state or territory (ISO3) or a member organisation."""

    id: str = Field(pattern=r"^([A-Z]{3}|IOM|UNHCR|UNODC|ILO)$")
    name: str
    kind: Literal["state", "territory", "sar", "organisation"]
    asean: bool = False
    asean_since: dt.date | None = None
    co_chair: bool = False
    notes: str | None = None
    translations: dict[str, Translated] = Field(
        default_factory=dict, description="Language code -> the name in that language (label), a working translation"
    )


class Link(_Entry):
    """A crosswalk link between two catalog entries (commitments or mechanisms)."""

    source: str
    target: str
    relation: Relation
    note: str


class _Labelled:
    """A label and a description with their translations (a theme, a status): each said in a language."""

    label: str
    description: str
    translations: dict[str, Translated]

    def label_in(self, code: str) -> str:
        """The label in language ``code`` (English when there is no translation)."""
        found = self.translations.get(code)
        return found.label if found else self.label

    def description_in(self, code: str) -> str:
        """The description in language ``code`` (English when there is no translation)."""
        found = self.translations.get(code)
        return found.description if found and found.description else self.description


class Theme(_Labelled, _Entry):
    """A cross-cutting question the co-chairs ask, tagged on commitments."""

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    label: str
    description: str
    translations: dict[str, Translated] = Field(
        default_factory=dict, description=_TRANSLATIONS_HELP.format("label and description")
    )

    def label_is_translation(self, code: str) -> bool:
        """True when a page in language ``code`` shows our working translation of the label (themes are our own
        words, so every translated theme is shown translated)."""
        return code in self.translations


class Status(_Labelled, BaseModel):
    """One step of the status scale."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z_]*$")
    label: str
    order: int
    colour: str = Field(pattern=r"^#[0-9A-Fa-f]{6}$")
    icon: str
    description: str
    translations: dict[str, Translated] = Field(
        default_factory=dict, description="Language code (e.g. id) -> the label and description in that language"
    )
    line: int | None = Field(default=None, exclude=True)


class NoActionStyle(BaseModel):
    """How the derived "no action reported" state is drawn."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str
    colour: str = Field(pattern=r"^#[0-9A-Fa-f]{6}$")
    icon: str
    description: str
    translations: dict[str, Translated] = Field(default_factory=dict)


class StatusScale(BaseModel):
    """The configurable scale plus the rules that refer to its ids."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    statuses: list[Status]
    complete: str = Field(description="The status that counts as done")
    requires_evidence: list[str]
    counted_apart: list[str] = Field(description="Statuses kept out of progress shares")
    no_action: NoActionStyle
    note: str
    note_translations: dict[str, str] = Field(
        default_factory=dict, description="Language code -> the note in that language (a working translation)"
    )

    @field_validator("note_translations")
    @classmethod
    def _notes_said(cls, notes: dict[str, str]) -> dict[str, str]:
        if any(not text.strip() for text in notes.values()):
            raise ValueError("a translated note must not be empty")
        return notes

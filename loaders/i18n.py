"""Languages: GNU gettext catalogues managed with Babel, and Babel's numbers, percentages and dates per locale.

English is the source language: the strings in the code are the English text, wrapped in ``_()`` (or
``ngettext``) so that ``make translations`` (``pybabel extract`` with ``babel.cfg``, then ``pybabel update``)
finds them. Each other language is one catalogue, ``locales/<code>/LC_MESSAGES/tracker.po``: adding a language
is adding a catalogue (README, "Adding a language"), not code. Catalogues are compiled in memory when first used
(Babel's ``read_po`` and ``write_mo``), so no ``.mo`` file is built by hand or committed. Terms are fixed once
for every translator in ``locales/glossary.md``.

It sits with the loaders, the lowest layer, because the loaders speak too: a member file's column and status
labels are accepted in every shipped language, and every layer above formats and translates through here.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
import io
from dataclasses import dataclass
from pathlib import Path

from babel import Locale, negotiate_locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "tracker"
SOURCE_LANGUAGE = "en"


def N_(message: str) -> str:  # noqa: N802 - the gettext convention extraction looks for
    """Mark ``message`` for the catalogue without translating it here (a label kept in a table, translated where
    it is shown)."""
    return message


def available() -> list[str]:
    """The language codes shipped: English and every language with a catalogue, English first."""
    found = sorted(p.parent.parent.name for p in LOCALES_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return [SOURCE_LANGUAGE, *(code for code in found if code != SOURCE_LANGUAGE)]


def choose(requested: str | None, accept_language: str | None = None) -> str:
    """The language to use: ``requested`` (``?lang=``) when shipped, else the browser's first shipped
    preference (an ``Accept-Language`` header), else English."""
    codes = available()
    if requested and requested.strip().lower() in codes:
        return requested.strip().lower()
    if accept_language:
        wanted = [part.split(";")[0].strip().replace("-", "_") for part in accept_language.split(",")]
        match = negotiate_locale([w for w in wanted if w], codes, sep="_")
        if match:
            return match
    return SOURCE_LANGUAGE


@dataclass(frozen=True)
class Language:
    """One language: its translations and its way of writing numbers, percentages and dates."""

    code: str
    translations: gettext.NullTranslations

    def gettext(self, message: str) -> str:
        """``message`` in this language (the English text when it has no translation)."""
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        """The singular or plural form for ``count``, by this language's plural rule."""
        return self.translations.ngettext(singular, plural, count)

    def pgettext(self, context: str, message: str) -> str:
        """``message`` in this language where ``context`` tells two meanings of the same English word apart."""
        return self.translations.pgettext(context, message)

    @property
    def name(self) -> str:
        """The language's own name, e.g. "Bahasa Indonesia"."""
        if self.code == "id":
            return "Bahasa Indonesia"  # Babel says "Indonesia"; the language is called so in the region
        return (Locale.parse(self.code).get_display_name(self.code) or self.code).title()

    def number(self, value: float, decimals: int = 0) -> str:
        """``1,911`` in English, ``1.911`` in Indonesian."""
        pattern = "#,##0" + (f".{'0' * decimals}" if decimals else "")
        return format_decimal(value, format=pattern, locale=self.code)

    def percent(self, share: float) -> str:
        """A share (0–1) as a whole percentage: ``33%``."""
        return format_percent(share, format="#,##0%", locale=self.code)

    def date(self, day: dt.date) -> str:
        """A day in full: ``30 November 2026`` (the same in English and Indonesian)."""
        return format_date(day, format="d MMMM y", locale=self.code)

    def short_date(self, day: dt.date) -> str:
        """A day in a table or a metric: ``01 Jun 2026`` (``01 Agu 2026`` in Indonesian)."""
        return format_date(day, format="dd MMM y", locale=self.code)


@functools.cache
def language(code: str = SOURCE_LANGUAGE) -> Language:
    """The language ``code`` (English for a code without a catalogue), its catalogue compiled once.

    Fuzzy entries are not used (Babel's ``write_mo`` leaves them out), so a translation marked for review
    shows the English text rather than a guess.
    """
    path = LOCALES_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    if code == SOURCE_LANGUAGE or not path.is_file():
        return Language(SOURCE_LANGUAGE, gettext.NullTranslations())
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=code, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Language(code, gettext.GNUTranslations(compiled))

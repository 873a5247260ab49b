"""Validation issues: the typed report every loader returns instead of raising.

An issue says where (file, sheet, Excel row or YAML line, canonical field), what
(a kebab-case ``code``) and how to fix it (the ``message``). Its dictionary form
is the ``validate --json`` contract in ``product.md``. It also says who may read
it (``disclosure``, outside that contract): see ``loaders/disclosure.py``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

Severity = Literal["error", "warning"]
Disclosure = Literal["public", "generalised", "confidential"]
"""Who may read an issue: everyone; viewers a general form only; reviewers only."""

CONTRACT_KEYS = ("severity", "code", "file", "sheet", "row", "field", "message")
"""The keys of ``validate --json`` issues, in order (product.md): nothing else is ever added."""


class _Speaker(Protocol):
    @property
    def code(self) -> str: ...

    def gettext(self, message: str) -> str: ...


@dataclass(frozen=True, slots=True)
class Text:
    """A message as English text plus what saying it in another language needs: its template and its values.

    Values are typed data (shown as they are), other :class:`Text` (translated too) or a mapping of language
    code to words (a status label in each language, English under ``"en"``).
    """

    template: str
    values: tuple[tuple[str, object], ...] = ()

    def render(self, lang: _Speaker | None = None) -> str:
        """The message in ``lang`` (English when None or when the catalogue has no translation)."""
        template = lang.gettext(self.template) if lang is not None else self.template
        return template.format(**{key: _render(value, lang) for key, value in self.values})


def _render(value: object, lang: _Speaker | None) -> object:
    if isinstance(value, Text):
        return value.render(lang)
    if isinstance(value, Mapping):
        return value.get(lang.code if lang is not None else "en", value["en"])
    return value


def say(template: str, /, **values: object) -> Text:
    """A :class:`Text`; ``pybabel extract`` collects the template (a keyword of ``make translations``)."""
    return Text(template, tuple(values.items()))


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found in the catalog or in a member file."""

    severity: Severity
    code: str
    file: str
    sheet: str | None
    row: int | None
    field: str | None
    message: str
    # Set where the rows are known (loaders/disclosure.py); kept out of to_dict, the JSON contract.
    disclosure: Disclosure = dataclasses.field(default="public", kw_only=True)
    # The message to say in another language (message is its English form); None: English only, for now.
    said: Text | None = dataclasses.field(default=None, kw_only=True, compare=False, repr=False)

    def to_dict(self) -> dict[str, object]:
        """Return the JSON-ready mapping, keys in contract order (``disclosure`` is not part of it)."""
        return {key: getattr(self, key) for key in CONTRACT_KEYS}

    def message_in(self, lang: _Speaker | None) -> str:
        """The message in ``lang``: translated where the issue says how, else the English message."""
        return self.said.render(lang) if self.said is not None and lang is not None else self.message

    def in_language(self, lang: _Speaker | None) -> Issue:
        """The same issue with its message in ``lang`` (for display and downloads; codes never change)."""
        if self.said is None or lang is None or lang.code == "en":
            return self
        return dataclasses.replace(self, message=self.message_in(lang))


def place(file: str, sheet: str | None = None, row: int | None = None) -> str:
    """Where something is, as a user reads it: "IDN.xlsx, sheet Actions, row 14".

    Rows of YAML files are lines, and are called so.
    """
    return place_text(file, sheet, row).render()


def place_text(file: str, sheet: str | None = None, row: int | None = None) -> Text:
    """:func:`place` as a :class:`Text`, to be said in another language."""
    line = file.lower().endswith((".yaml", ".yml"))
    if sheet and row is not None and line:
        return say("{file}, sheet {sheet}, line {row}", file=file, sheet=sheet, row=row)
    if sheet and row is not None:
        return say("{file}, sheet {sheet}, row {row}", file=file, sheet=sheet, row=row)
    if sheet:
        return say("{file}, sheet {sheet}", file=file, sheet=sheet)
    if row is not None and line:
        return say("{file}, line {row}", file=file, row=row)
    if row is not None:
        return say("{file}, row {row}", file=file, row=row)
    return Text("{file}", (("file", file),))  # nothing to translate


def error(
    code: str,
    file: str,
    message: str | Text,
    *,
    sheet: str | None = None,
    row: int | None = None,
    field: str | None = None,
) -> Issue:
    """Build an error-severity issue; a :class:`Text` message can be said in other languages too."""
    if isinstance(message, Text):
        return Issue("error", code, file, sheet, row, field, message.render(), said=message)
    return Issue("error", code, file, sheet, row, field, message)


def warning(
    code: str,
    file: str,
    message: str | Text,
    *,
    sheet: str | None = None,
    row: int | None = None,
    field: str | None = None,
) -> Issue:
    """Build a warning-severity issue; a :class:`Text` message can be said in other languages too."""
    if isinstance(message, Text):
        return Issue("warning", code, file, sheet, row, field, message.render(), said=message)
    return Issue("warning", code, file, sheet, row, field, message)


def has_errors(issues: list[Issue]) -> bool:
    """True when at least one issue is an error (warnings do not fail validation)."""
    return any(i.severity == "error" for i in issues)


def sort_issues(issues: list[Issue]) -> list[Issue]:
    """Stable report order: by file, then sheet, row, field; file-level issues first."""
    return sorted(
        issues,
        key=lambda i: (i.file, i.sheet or "", -1 if i.row is None else i.row, i.field or "", i.code),
    )

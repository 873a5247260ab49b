"""Read and check the catalog in ``commitments/``.

The catalog is small and curated by the secretariat, so it is read completely,
every entry is checked against :mod:`loaders.catalog_schema`, and the whole set
is checked for duplicate ids and dangling references (crosswalk, parents,
themes, sources, status rules). Problems become issues; what is valid is kept.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from loaders.catalog_schema import (
    Commitment,
    Framework,
    Link,
    Mechanism,
    Member,
    NoActionStyle,
    Source,
    Status,
    StatusScale,
    Theme,
)
from loaders.i18n import N_, SOURCE_LANGUAGE, available
from loaders.issues import Issue, Text, error, place_text, say
from loaders.safe_yaml import LINE_KEY, YamlError, load_yaml_bytes, strip_lines

DEFAULT_CATALOG_DIR = Path(__file__).resolve().parent.parent / "commitments"

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Catalog:
    """The validated catalog: typed entries keyed by id, plus the status scale."""

    frameworks: dict[str, Framework]
    commitments: dict[str, Commitment]
    mechanisms: dict[str, Mechanism]
    members: dict[str, Member]
    links: list[Link]
    themes: dict[str, Theme]
    sources: dict[str, Source]
    scale: StatusScale
    issues: list[Issue] = field(default_factory=list)
    version: str = ""
    """A short fingerprint of the files it was read from (:func:`catalog_version`): snapshots record it."""
    language: str = SOURCE_LANGUAGE
    """The language its words are in: English as read, another code for a copy from :meth:`in_language`."""
    _spoken: dict[str, Catalog] = field(default_factory=dict, compare=False, repr=False)

    def in_language(self, code: str) -> Catalog:
        """The catalog as a page in language ``code`` shows it, in our working translations where the catalog has
        them: the status scale's labels and descriptions, the members' names, the themes' labels and descriptions,
        and the commitments' titles and summaries. Made once per language.

        Official titles stay as published: a commitment with ``official_title: true`` keeps its English title (its
        translation is an aid a page shows beside it, :meth:`Commitment.translated_title`), and a mechanism keeps
        ASEAN's English name unless the catalog cites an official name in that language
        (:meth:`Mechanism.name_in`). Ids, rules, sources and every other field are unchanged; each entry keeps its
        ``translations``, so a page can tell a working translation from an official text
        (``Commitment.title_is_translation``, ``Theme.label_is_translation``, ``Mechanism.translated_name``).
        """
        if code == SOURCE_LANGUAGE:
            return self
        if code not in self._spoken:
            members = {
                mid: m.model_copy(update={"name": m.translations[code].label}) if code in m.translations else m
                for mid, m in self.members.items()
            }
            commitments = {cid: c.shown_in(code) for cid, c in self.commitments.items()}
            themes = {
                tid: t.model_copy(update={"label": t.label_in(code), "description": t.description_in(code)})
                for tid, t in self.themes.items()
            }
            mechanisms = {
                mid: m.model_copy(update={"name": m.name_in(code)}) if m.official_name(code) else m
                for mid, m in self.mechanisms.items()
            }
            statuses = [
                s.model_copy(update={"label": s.label_in(code), "description": s.description_in(code)})
                for s in self.scale.statuses
            ]
            no_action = self.scale.no_action
            said = no_action.translations.get(code)
            if said is not None:
                no_action = no_action.model_copy(
                    update={"label": said.label, "description": said.description or no_action.description}
                )
            note = self.scale.note_translations.get(code, self.scale.note)
            scale = self.scale.model_copy(update={"statuses": statuses, "no_action": no_action, "note": note})
            self._spoken[code] = dataclasses.replace(
                self,
                scale=scale,
                members=members,
                commitments=commitments,
                themes=themes,
                mechanisms=mechanisms,
                language=code,
                _spoken={},
            )
        return self._spoken[code]

    @property
    def statuses(self) -> dict[str, Status]:
        """Scale steps keyed by id, in scale order."""
        return {s.id: s for s in sorted(self.scale.statuses, key=lambda s: s.order)}

    def status_for_input(self, value: str) -> str | None:
        """Map a typed status (id or label, any case, spaces ignored) to its id."""
        return self.status_lookup().get(_fold(value))

    def status_lookup(self) -> dict[str, str]:
        """Folded id and label (in every language the scale has) -> status id, for vectorised mapping."""
        table: dict[str, str] = {}
        for status in self.scale.statuses:
            table[_fold(status.id)] = status.id
            table[_fold(status.label)] = status.id
            for translated in status.translations.values():
                table.setdefault(_fold(translated.label), status.id)
        return table

    def commitments_of(self, framework: str) -> list[Commitment]:
        """All commitments of one framework, in catalog order."""
        return [c for c in self.commitments.values() if c.framework == framework]

    def top_level(self, commitment_id: str) -> str:
        """The area/pillar id a commitment rolls up to (itself when top-level)."""
        seen: set[str] = set()
        current = self.commitments[commitment_id]
        while current.parent and current.parent in self.commitments and current.id not in seen:
            seen.add(current.id)
            current = self.commitments[current.parent]
        return current.id


def catalog_version(files: Mapping[str, bytes]) -> str:
    """A short fingerprint of a catalog's YAML files (name -> bytes): equal files, equal version."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(f"{name}\0{hashlib.sha256(files[name]).hexdigest()}\n".encode())
    return digest.hexdigest()[:12]


def catalog_files(directory: Path | str) -> dict[str, bytes]:
    """The catalog's YAML files, name -> bytes."""
    return {p.name: p.read_bytes() for p in sorted(Path(directory).glob("*.yaml")) if p.is_file()}


def _fold(value: str) -> str:
    """Case- and separator-insensitive form used to match labels and headers."""
    return "".join(ch for ch in str(value).casefold() if ch.isalnum())


def load_catalog(directory: Path | str = DEFAULT_CATALOG_DIR) -> Catalog:
    """Read every catalog file in ``directory`` and cross-check them.

    Returns:
        A :class:`Catalog`; its ``issues`` list every problem found. Invalid
        entries are left out, valid ones kept, so the app still runs.
    """
    directory = Path(directory)
    return catalog_from_files(catalog_files(directory) if directory.is_dir() else {})


def catalog_from_files(files: Mapping[str, bytes]) -> Catalog:
    """The catalog its YAML files (name -> bytes) make, checked as :func:`load_catalog` checks a directory.

    An import checks the catalog it would write this way, before writing anything.
    """
    issues: list[Issue] = []
    reader = _Reader(files, issues)

    sources = reader.entries("sources.yaml", "sources", Source, key="key")
    frameworks = reader.entries("frameworks.yaml", "frameworks", Framework)
    themes = reader.entries("themes.yaml", "themes", Theme)
    commitments = reader.entries("commitments.yaml", "commitments", Commitment)
    mechanisms = reader.entries("mechanisms.yaml", "mechanisms", Mechanism)
    members = reader.entries("members.yaml", "members", Member)
    links_by_pos = reader.entries("crosswalk.yaml", "links", Link, key=None)
    scale = reader.scale("statuses.yaml")

    catalog = Catalog(
        frameworks=frameworks,
        commitments=commitments,
        mechanisms=mechanisms,
        members=members,
        links=list(links_by_pos.values()),
        themes=themes,
        sources=sources,
        scale=scale,
        issues=issues,
        version=catalog_version(files) if files else "",
    )
    issues.extend(cross_check(catalog))
    return catalog


class _Reader:
    """Reads one list-of-entries file at a time, turning problems into issues."""

    def __init__(self, files: Mapping[str, bytes], issues: list[Issue]) -> None:
        self.files = files
        self.issues = issues

    def _document(self, name: str) -> dict[str, Any] | None:
        if name not in self.files:
            self.issues.append(
                error(
                    "catalog-missing-file",
                    name,
                    say("{file}: the catalog file is missing; restore it from the repository", file=name),
                )
            )
            return None
        try:
            data = load_yaml_bytes(self.files[name])
        except YamlError as problem:
            where = place_text(name, row=problem.line)  # "themes.yaml, line 10", as member files are named
            # The reading problem itself is said in English (loaders/safe_yaml.py); where it is, in any language.
            said = Text("{where}: {problem}", (("where", where), ("problem", problem.message)))
            self.issues.append(error(problem.code, name, said, row=problem.line))
            return None
        if not isinstance(data, dict):
            self.issues.append(
                error("catalog-structure", name, say("{file}: expected a mapping at the top of the file", file=name))
            )
            return None
        return data

    def entries(self, name: str, list_key: str, model: type[M], key: str | None = "id") -> dict[Any, M]:
        data = self._document(name)
        if data is None:
            return {}
        raw = data.get(list_key)
        if not isinstance(raw, list):
            self.issues.append(
                error(
                    "catalog-structure",
                    name,
                    say("{file}: expected a list under '{key}:'", file=name, key=list_key),
                    row=data.get(LINE_KEY),
                )
            )
            return {}
        out: dict[Any, M] = {}
        for position, item in enumerate(raw):
            entry = self._model(name, item, model)
            if entry is None:
                continue
            ident = position if key is None else getattr(entry, key)
            if ident in out:
                self.issues.append(
                    error(
                        "catalog-duplicate-id",
                        name,
                        say(
                            "{file}, line {line}: id '{id}' is used twice (first at line {first}); give each entry "
                            "its own id",
                            file=name,
                            line=entry.line,  # type: ignore[attr-defined]
                            id=ident,
                            first=out[ident].line,  # type: ignore[attr-defined]
                        ),
                        row=entry.line,  # type: ignore[attr-defined]
                        field=key,
                    )
                )
                continue
            out[ident] = entry
        return out

    def scale(self, name: str) -> StatusScale:
        data = self._document(name)
        if data is not None:
            statuses = [s for s in (self._model(name, item, Status) for item in data.get("statuses") or []) if s]
            payload = {k: v for k, v in data.items() if k != LINE_KEY}
            payload["statuses"] = statuses
            nested_lines = {}  # the scale's nested mappings: their errors name their line
            for key in ("no_action", "note_translations"):
                if isinstance(payload.get(key), dict):
                    nested_lines[key] = payload[key][LINE_KEY]  # every mapping read carries its line
                    payload[key] = strip_lines(payload[key])
            try:
                return StatusScale.model_validate(payload)
            except ValidationError as exc:
                self._report(name, None, exc, nested_lines=nested_lines)
        return _FALLBACK_SCALE

    def _model(self, name: str, item: object, model: type[M]) -> M | None:
        if not isinstance(item, dict):
            self.issues.append(
                error(
                    "catalog-structure",
                    name,
                    say("{file}: every entry must be a mapping, got {item}", file=name, item=repr(item)),
                )
            )
            return None
        line = item.get(LINE_KEY)
        payload = strip_lines(item)  # nested mappings (a status's translations) carry line keys too
        try:
            return model.model_validate({**payload, "line": line})
        except ValidationError as exc:
            self._report(name, line, exc, ident=payload.get("id") or payload.get("key"))
            return None

    def _report(
        self,
        name: str,
        line: int | None,
        exc: ValidationError,
        ident: object = None,
        nested_lines: dict[str, int] | None = None,
    ) -> None:
        """One issue per schema error, at ``line`` or at the line of the nested mapping the error is in.

        What is wrong is pydantic's own English (``err['msg']``); the sentence around it is translated.
        """
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or None
            row = (nested_lines or {}).get(str(err["loc"][0]) if err["loc"] else "", line)
            if ident:
                said = say(
                    "{where} (entry '{id}'), {field}: {problem}; fix the value in the catalog file",
                    where=place_text(name, row=row),
                    id=ident,
                    field=where,
                    problem=err["msg"],
                )
            else:
                said = say(
                    "{where}, {field}: {problem}; fix the value in the catalog file",
                    where=place_text(name, row=row),
                    field=where,
                    problem=err["msg"],
                )
            self.issues.append(
                error(
                    "catalog-schema",
                    name,
                    said,
                    row=row,
                    field=where,
                )
            )


_FALLBACK_SCALE = StatusScale(
    statuses=[],
    complete="complete",
    requires_evidence=[],
    counted_apart=[],
    no_action=NoActionStyle(label="No action reported", colour="#FFFFFF", icon="—", description=""),
    note="The status scale could not be read.",
)


_REFERRED = {
    "source": N_("source"),
    "framework": N_("framework"),
    "parent": N_("parent"),
    "theme": N_("theme"),
    "target": N_("target"),
}
"""What a catalog entry refers to, as a message names it (the key is the field the issue names)."""


def cross_check(catalog: Catalog) -> list[Issue]:
    """Check references between catalog entries.

    Returns:
        ``catalog-dangling-ref`` issues for references to ids that do not exist,
        ``catalog-unknown-status`` for scale rules naming unknown statuses, and
        ``catalog-unknown-language`` for translations into a language the tracker does not ship.
    """
    issues: list[Issue] = []

    def dangling(file: str, line: int | None, owner: str | Text, what: str, ref: str, known: Iterable[str]) -> None:
        if ref not in known:
            issues.append(
                error(
                    "catalog-dangling-ref",
                    file,
                    say(
                        "{file}, line {line}: {owner} refers to {what} '{ref}', which is not in the catalog; correct "
                        "the id or add the missing entry",
                        file=file,
                        line=line,
                        owner=owner,
                        what=Text(_REFERRED[what]),
                        ref=ref,
                    ),
                    row=line,
                    field=what,
                )
            )

    entries: list[tuple[str, Iterable[Any]]] = [
        ("frameworks.yaml", catalog.frameworks.values()),
        ("commitments.yaml", catalog.commitments.values()),
        ("mechanisms.yaml", catalog.mechanisms.values()),
        ("members.yaml", catalog.members.values()),
        ("crosswalk.yaml", catalog.links),
        ("themes.yaml", catalog.themes.values()),
    ]
    for file, items in entries:
        for entry in items:
            for key in entry.sources:
                dangling(file, entry.line, _owner(entry), "source", key, catalog.sources)

    for c in catalog.commitments.values():
        dangling("commitments.yaml", c.line, c.id, "framework", c.framework, catalog.frameworks)
        if c.parent is not None:
            dangling("commitments.yaml", c.line, c.id, "parent", c.parent, catalog.commitments)
        for theme in c.themes:
            dangling("commitments.yaml", c.line, c.id, "theme", theme, catalog.themes)

    for m in catalog.mechanisms.values():
        if m.parent is not None:
            dangling("mechanisms.yaml", m.line, m.id, "parent", m.parent, catalog.mechanisms)
        for translated in m.translations.values():  # an official name in another language is cited like any fact
            for key in translated.sources:
                dangling("mechanisms.yaml", m.line, m.id, "source", key, catalog.sources)

    issues.extend(_unknown_languages(catalog))

    linkable = set(catalog.commitments) | set(catalog.mechanisms)
    for link in catalog.links:
        dangling("crosswalk.yaml", link.line, _owner(link), "source", link.source, linkable)
        dangling("crosswalk.yaml", link.line, _owner(link), "target", link.target, linkable)

    if catalog.scale is _FALLBACK_SCALE:
        return issues  # statuses.yaml could not be read and already has its issue: its rules are not checked
    known_status = {s.id for s in catalog.scale.statuses}
    rules: list[tuple[str, list[str]]] = [
        ("complete", [catalog.scale.complete]),
        ("requires_evidence", catalog.scale.requires_evidence),
        ("counted_apart", catalog.scale.counted_apart),
    ]
    for rule, ids in rules:
        for sid in ids:
            if sid not in known_status:
                issues.append(
                    error(
                        "catalog-unknown-status",
                        "statuses.yaml",
                        say(
                            "statuses.yaml: '{rule}' names status '{status}', which is not on the scale; use one of "
                            "{known}",
                            rule=rule,
                            status=sid,
                            known=", ".join(sorted(known_status)) or say("(none defined)"),
                        ),
                        field=rule,
                    )
                )
    issues.extend(_duplicate_labels(catalog.scale.statuses, lambda s: s.label, "label", say("label")))
    for code in sorted({c for s in catalog.scale.statuses for c in s.translations}):
        # A typed status is read in any language, so no two statuses may share a label in one.
        issues.extend(
            _duplicate_labels(
                catalog.scale.statuses,
                functools.partial(Status.label_in, code=code),
                f"label in '{code}'",
                say("label in '{code}'", code=code),
            )
        )
    issues.extend(_duplicate_labels(catalog.scale.statuses, lambda s: str(s.order), "order", say("order")))
    return issues


def _unknown_languages(catalog: Catalog) -> list[Issue]:
    """``catalog-unknown-language`` for every translation into a language the tracker does not ship.

    A translation is shown only by a page in its language, so one under a mistyped code (``ind``, ``in``) or
    under ``en`` (the catalog's own language) would never be seen: it is reported rather than kept silently.
    """
    shipped = [code for code in available() if code != SOURCE_LANGUAGE]
    translated: list[tuple[str, int | None, str | Text, Iterable[str]]] = [
        *(("members.yaml", m.line, m.id, m.translations) for m in catalog.members.values()),
        *(("commitments.yaml", c.line, c.id, c.translations) for c in catalog.commitments.values()),
        *(("themes.yaml", t.line, t.id, t.translations) for t in catalog.themes.values()),
        *(("mechanisms.yaml", m.line, m.id, m.translations) for m in catalog.mechanisms.values()),
        *(("statuses.yaml", s.line, say("status '{id}'", id=s.id), s.translations) for s in catalog.scale.statuses),
        ("statuses.yaml", None, "no_action", catalog.scale.no_action.translations),
        ("statuses.yaml", None, "note", catalog.scale.note_translations),
    ]
    issues: list[Issue] = []
    for file, line, owner, codes in translated:
        for code in codes:
            if code not in shipped:
                issues.append(
                    error(
                        "catalog-unknown-language",
                        file,
                        say(
                            "{where}: {owner} has a translation under '{code}', which is not a language the tracker "
                            "ships; use {codes} (a new language needs its catalogue under locales/ first)",
                            where=place_text(file, row=line),
                            owner=owner,
                            code=code,
                            codes=_either(shipped),
                        ),
                        row=line,
                        field="translations",
                    )
                )
    return issues


def _either(codes: list[str]) -> str | Text:
    """``'id'``, ``'id' or 'th'``, …: the language codes to choose from, said in the reader's language."""
    if not codes:
        return say("a shipped language code")
    said: str | Text = repr(codes[0])
    for code in codes[1:]:
        said = say("{codes} or {code}", codes=said, code=repr(code))
    return said


def _duplicate_labels(statuses: list[Status], key: Callable[[Status], str], what: str, what_said: Text) -> list[Issue]:
    """``catalog-duplicate-id`` for each status sharing ``what`` (the field the issue names) with an earlier one."""
    seen: dict[str, Status] = {}
    issues: list[Issue] = []
    for status in statuses:
        k = _fold(key(status))
        if k in seen:
            issues.append(
                error(
                    "catalog-duplicate-id",
                    "statuses.yaml",
                    say(
                        "statuses.yaml, line {line}: status '{status}' has the same {what} as '{other}'; each status "
                        "needs its own {what}",
                        line=status.line,
                        status=status.id,
                        what=what_said,
                        other=seen[k].id,
                    ),
                    row=status.line,
                    field=what,
                )
            )
        else:
            seen[k] = status
    return issues


def _owner(entry: Any) -> str | Text:
    """How a message names an entry: its id, or a crosswalk link by its two ends."""
    if isinstance(entry, Link):
        return say("the link {source} → {target}", source=entry.source, target=entry.target)
    return str(entry.id)

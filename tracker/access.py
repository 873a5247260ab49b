"""Who may do what: roles, the role map, and the checks every write path calls.

Roles: ``viewer`` (anyone; read-only, may validate a file), ``focal_point``
(may submit updates for their own member only), ``reviewer`` (approves or
rejects submissions, sees confidential actions) and ``admin`` (everything).
The role map is ``_roles.yaml`` in the data directory, keyed by the e-mail the
identity provider reports, and used only for an e-mail the provider says it has
verified (:func:`email_verified`). The checks here are the server-side gate: the
UI hides buttons too, but a hidden button is never the only protection.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from loaders.members import parse_member_id
from loaders.safe_yaml import YamlError, load_yaml, strip_lines

ROLES_FILE = "_roles.yaml"


class Role(StrEnum):
    """The four roles, least to most privileged."""

    VIEWER = "viewer"
    FOCAL_POINT = "focal_point"
    REVIEWER = "reviewer"
    ADMIN = "admin"


@dataclass(frozen=True)
class User:
    """The person using the app (or the CLI) and what they may do."""

    id: str
    name: str
    role: Role = Role.VIEWER
    member: str | None = None

    @property
    def label(self) -> str:
        """How the user appears in the history log: "Name <id>"."""
        return self.name if self.name == self.id else f"{self.name} <{self.id}>"


ANONYMOUS = User(id="anonymous", name="Anonymous viewer")


class AccessDeniedError(PermissionError):
    """Raised when a user tries something their role does not allow."""


def can_submit(user: User, member: str) -> bool:
    """Focal points for their own member; reviewers and admins for any member."""
    if user.role in (Role.REVIEWER, Role.ADMIN):
        return True
    return user.role == Role.FOCAL_POINT and user.member == member


def can_review(user: User) -> bool:
    """Reviewers and admins approve or reject submissions."""
    return user.role in (Role.REVIEWER, Role.ADMIN)


def can_see_confidential(user: User) -> bool:
    """Reviewers and admins see confidential actions; nobody else gets them at all."""
    return user.role in (Role.REVIEWER, Role.ADMIN)


def can_administer(user: User) -> bool:
    """Admins change the catalog itself (import an official framework matrix)."""
    return user.role == Role.ADMIN


def require(allowed: bool, what: str) -> None:
    """Raise :class:`AccessDeniedError` with a plain message unless ``allowed``."""
    if not allowed:
        raise AccessDeniedError(f"Your role does not allow you to {what}.")


def email_verified(claims: Mapping[str, object], *, trust_absent: bool) -> bool:
    """True when the identity provider says the e-mail it reports is the person's (OIDC ``email_verified``).

    ``true`` (or the text "true", as some providers send it) is verified; ``false`` or any other value is
    not. Without the claim (Microsoft Entra ID never sends it) the answer is ``trust_absent``, which the
    caller takes from the role map (``trust_unverified_email``: false unless the file says true), since an
    unverified address can be anyone's (with some providers a user may type any e-mail into their profile).
    """
    value = claims.get("email_verified")
    if value is None:
        return trust_absent
    return value is True or (isinstance(value, str) and value.strip().casefold() == "true")


@dataclass(frozen=True)
class RoleMap:
    """E-mail (case-insensitive) -> (role, member), read from ``_roles.yaml``.

    ``trust_unverified_email`` (false unless the file says ``true``) lets a sign-in whose provider sends no
    ``email_verified`` claim take its role; a claim that says false never does.
    """

    entries: dict[str, tuple[Role, str | None]]
    problems: tuple[str, ...] = ()
    trust_unverified_email: bool = False

    def user(self, email: str, name: str | None = None) -> User:
        """The :class:`User` for a logged-in e-mail; unknown people are viewers."""
        role, member = self.entries.get(email.strip().casefold(), (Role.VIEWER, None))
        return User(id=email, name=name or email, role=role, member=member)

    def focal_points(self, member: str) -> list[str]:
        """The e-mails (A–Z) of the focal points for ``member``: who a reporting round's reminder goes to."""
        return sorted(email for email, (role, of) in self.entries.items() if role == Role.FOCAL_POINT and of == member)


def load_roles(data_dir: Path) -> RoleMap:
    """Read ``_roles.yaml``; a missing file means everyone is a viewer.

    The file looks like::

        trust_unverified_email: false   # optional; see RoleMap
        users:
          - email: focal.point@example.gov
            role: focal_point
            member: IDN
          - email: rso.officer@example.org
            role: reviewer

    Bad entries are skipped and reported in ``problems`` (never a crash): a
    focal point without a valid member id, an unknown role, an entry without an
    e-mail; so is a file that is no YAML or has no ``users:`` list, and a
    ``trust_unverified_email`` that is not true or false (it stays false).
    """
    path = data_dir / ROLES_FILE
    if not path.is_file():
        return RoleMap({})
    try:
        document = strip_lines(load_yaml(path))
    except YamlError as exc:
        return RoleMap({}, (f"{ROLES_FILE}: {exc.message}",))
    entries: dict[str, tuple[Role, str | None]] = {}
    problems: list[str] = []
    users = document.get("users") if isinstance(document, dict) else None
    if not isinstance(users, list):
        return RoleMap({}, (f"{ROLES_FILE}: expected a list under 'users:' (see the README); nobody has a role",))
    for item in users:
        email = str(item.get("email") or "").strip().casefold() if isinstance(item, dict) else ""
        try:
            role = Role(item.get("role"))
        except (ValueError, AttributeError):
            problems.append(f"{ROLES_FILE}: '{email or item}' has an unknown role; use {', '.join(Role)}")
            continue
        member = parse_member_id(str(item.get("member") or ""))
        if not email or (role == Role.FOCAL_POINT and member is None):
            problems.append(f"{ROLES_FILE}: '{email or item}' needs an e-mail (and a member id for a focal point)")
            continue
        entries[email] = (role, member if role == Role.FOCAL_POINT else None)
    trust = document.get("trust_unverified_email", False)
    if not isinstance(trust, bool):
        problems.append(f"{ROLES_FILE}: 'trust_unverified_email' must be true or false; it is taken as false")
        trust = False
    return RoleMap(entries, tuple(problems), trust)

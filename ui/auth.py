"""Who is using the app: OIDC login (``st.login``), the role map, or local editing.

Three ways to be someone, checked in this order:

1. **Local editing** — one person on their own machine. It needs *both*
   ``TRACKER_LOCAL_EDITING=1`` in the environment *and* the server bound to
   the loopback address (``--server.address 127.0.0.1``), so it cannot switch
   on by accident on a shared server (which listens on all interfaces). It is
   shown on every page.
2. **OIDC login** — when ``.streamlit/secrets.toml`` has an ``[auth]``
   section; the e-mail the identity provider reports is looked up in
   ``_roles.yaml`` in the data directory (``tracker.access.load_roles``),
   but only when the provider says it verified that address
   (``tracker.access.email_verified``). A sign-in it did not verify is a
   guest, told why in the sidebar.
3. Otherwise everyone is an anonymous **viewer**: read-only, but may validate
   a file.
"""

from __future__ import annotations

import functools
import os

import streamlit as st

from loaders.i18n import N_
from tracker import settings
from tracker.access import ANONYMOUS, Role, User, email_verified, load_roles
from ui.lang import current_language
from ui.text import plain

LOCAL_EDITING_ENV = "TRACKER_LOCAL_EDITING"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
LOCAL_EDITOR = User(id="local-editor", name="Local editor", role=Role.ADMIN)


def login_configured() -> bool:
    """True when ``secrets.toml`` configures an identity provider.

    Asked several times on every run. Without a secrets file, ``st.secrets`` looks for one on each question,
    under a process-wide lock: with 50 sessions at once that was 40 % of the server's time (a load test's
    profile). So a "no file" answer is kept until one of the configured files appears or changes.
    """
    secrets = st.secrets
    loaded = getattr(secrets, "_secrets", None)  # Streamlit keeps what it parsed (and reloads it when it changes)
    if loaded is not None:
        return "auth" in loaded
    state = (id(secrets), _secret_files_state())
    if _NO_SECRETS_FILE and _NO_SECRETS_FILE[0] == state:
        return False
    try:
        return "auth" in secrets
    except (FileNotFoundError, KeyError, st.errors.StreamlitSecretNotFoundError):
        _NO_SECRETS_FILE[:] = [state]
        return False


_NO_SECRETS_FILE: list[tuple[int, tuple[tuple[str, int | None], ...]]] = []
"""The secrets object and the state of its files when no secrets file was found (one entry)."""


def _secret_files_state() -> tuple[tuple[str, int | None], ...]:
    """Each configured secrets path with its modification time (None when it does not exist)."""

    def modified(path: str) -> int | None:
        try:
            return os.stat(path).st_mtime_ns
        except OSError:
            return None

    return tuple((path, modified(path)) for path in _secret_paths())


@functools.cache
def _secret_paths() -> tuple[str, ...]:
    """Where Streamlit looks for secrets (``secrets.files``, fixed when the server starts)."""
    return tuple(st.get_option("secrets.files") or ())


def local_editing_requested() -> bool:
    """True when the environment asks for local editing."""
    return os.environ.get(LOCAL_EDITING_ENV, "").strip().lower() in {"1", "true", "yes"}


def local_editing_allowed() -> bool:
    """Local editing is requested *and* the server only listens on this machine."""
    if not local_editing_requested():  # first: reading the server's options takes Streamlit's config lock
        return False
    return str(st.get_option("server.address") or "") in LOOPBACK


def current_user() -> User:
    """The user of this session, with their role (an anonymous viewer by default)."""
    if local_editing_allowed():
        return LOCAL_EDITOR
    if signed_in():
        email = str(st.user.get("email") or "")
        roles = load_roles(settings.data_dir())
        if email and email_verified(st.user.to_dict(), trust_absent=roles.trust_unverified_email):
            return roles.user(email, str(st.user.get("name") or email))
    return ANONYMOUS


def signed_in() -> bool:
    """True when someone has signed in with the identity provider (whatever role that gives them)."""
    return login_configured() and bool(st.user.get("is_logged_in"))


def render_account(user: User) -> None:
    """Sidebar block: who is signed in, their role, and the log in / log out button (in the page's language)."""
    _ = current_language().gettext
    box = st.sidebar.container(border=True)
    if local_editing_requested() and not local_editing_allowed():
        box.error(
            _(
                "{setting} is set but the server listens beyond this machine, so editing stays off. Start it with "
                "`--server.address 127.0.0.1` to edit locally."
            ).format(setting=LOCAL_EDITING_ENV)
        )
    if user == LOCAL_EDITOR:
        box.warning(_("**Local editing mode**: you are an admin on this machine."), icon=":material/edit:")
        return
    if user != ANONYMOUS:
        role = _(ROLE_LABELS[user.role])
        if user.member:  # names come from the provider or _roles.yaml
            role = _("{role} for {member}").format(role=role, member=plain(user.member))
        box.markdown(_("Signed in as **{name}**").format(name=plain(user.name)) + f"  \n{role}")
        if login_configured():
            box.button(_("Log out"), on_click=st.logout, key="auth_logout", width="stretch")
        return
    if signed_in():  # signed in, but with no e-mail the provider vouches for: a guest, and told why
        box.warning(
            _(
                "Your provider did not confirm your e-mail address, so you are viewing as a guest: read-only. "
                "Confirm the address with your identity provider, or ask an administrator."
            ),
            icon=":material/mark_email_unread:",
        )
        box.button(_("Log out"), on_click=st.logout, key="auth_logout", width="stretch")
        return
    box.caption(_("Viewing as a guest: read-only. You can still check a file on *Submit an update*."))
    if login_configured():
        box.button(_("Log in"), on_click=st.login, key="auth_login", width="stretch", type="primary")


ROLE_LABELS = {
    Role.VIEWER: N_("Viewer (read-only)"),
    Role.FOCAL_POINT: N_("Focal point"),
    Role.REVIEWER: N_("Reviewer"),
    Role.ADMIN: N_("Administrator"),
}
"""Each role as the account box names it (English; translated where shown)."""

"""The reader's language in the app: ``?lang=`` in the URL, else the browser's preference, else English.

Kept in the URL like the filters, so a shared link opens in the same language. Pages translate what they show
with :func:`_` (the English text is the message id; ``tracker.i18n`` holds the catalogues and the formats).
"""

from __future__ import annotations

import streamlit as st

from tracker.i18n import Language, available, choose, language

QUERY_KEY = "lang"
_WIDGET = "ui_lang"


def current_language() -> Language:
    """The language of this run: the URL's ``lang``, else the browser's (``Accept-Language``), else English."""
    try:
        preferred = st.context.headers.get("Accept-Language")
    except Exception:  # noqa: BLE001 - no request headers outside a browser session (AppTest, bare mode)
        preferred = None
    return language(choose(st.query_params.get(QUERY_KEY), preferred))


def _(message: str) -> str:
    """``message`` in the reader's language (``pybabel extract`` collects the calls)."""
    return current_language().gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for ``count`` in the reader's language."""
    return current_language().ngettext(singular, plural, count)


def _chosen() -> None:
    st.query_params[QUERY_KEY] = st.session_state[_WIDGET]


def render_language_switch() -> Language:
    """A sidebar switch between the shipped languages; the choice goes into the URL (``?lang=id``)."""
    current = current_language()
    codes = available()
    st.session_state[_WIDGET] = current.code
    st.sidebar.selectbox(
        "Language · Bahasa",
        codes,
        format_func=lambda code: language(code).name,
        key=_WIDGET,
        on_change=_chosen,
    )
    return current

"""The reader's language in the app: ``?lang=`` in the URL, else the browser's preference, else English.

Kept in the URL like the filters, so a shared link opens in the same language. Pages translate what they show
with :func:`_` (the English text is the message id; ``tracker.i18n`` holds the catalogues and the formats).
"""

from __future__ import annotations

import json
from collections.abc import Callable

import streamlit as st
import streamlit.components.v1 as components

from loaders.i18n import SOURCE_LANGUAGE, Language, available, choose, language

QUERY_KEY = "lang"
_WIDGET = "ui_lang"
_CHOSEN = "ui_lang_chosen"


def current_language() -> Language:
    """The language of this run (chosen by :func:`render_language_switch`, which runs first)."""
    code = st.session_state.get(_CHOSEN)
    return language(code if isinstance(code, str) else choose(st.query_params.get(QUERY_KEY), _browser()))


def _browser() -> str | None:
    try:
        return st.context.headers.get("Accept-Language")
    except Exception:  # noqa: BLE001 - no request headers outside a browser session (AppTest, bare mode)
        return None


def _(message: str) -> str:
    """``message`` in the reader's language (``pybabel extract`` collects the calls)."""
    return current_language().gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for ``count`` in the reader's language."""
    return current_language().ngettext(singular, plural, count)


def _chosen(then: Callable[[], None] | None) -> None:
    st.session_state[_CHOSEN] = st.session_state[_WIDGET]
    st.query_params[QUERY_KEY] = st.session_state[_WIDGET]  # the URL's lang would otherwise win on this run
    if then is not None:
        then()


def render_language_switch(on_change: Callable[[], None] | None = None) -> Language:
    """Settle this run's language and draw the sidebar switch; keep the choice in the URL (``?lang=id``).

    The URL's ``lang`` wins when present (a shared link); otherwise the session keeps its choice, since the
    navigation links drop the query string, and a first visit takes the browser's preferred language.
    ``on_change`` runs after a change of language (before the rerun): see ``ui.sidebar.keep_filters``.
    """
    requested = st.query_params.get(QUERY_KEY)
    if requested is not None:
        st.session_state[_CHOSEN] = choose(requested)
    elif _CHOSEN not in st.session_state:
        st.session_state[_CHOSEN] = choose(None, _browser())
    code = st.session_state[_CHOSEN]
    if (code != SOURCE_LANGUAGE or requested is not None) and requested != code:
        st.query_params[QUERY_KEY] = code  # so the address bar always gives a link in this language
    st.session_state[_WIDGET] = code
    st.sidebar.selectbox(
        "Language · Bahasa",
        available(),
        format_func=lambda option: language(option).name,
        key=_WIDGET,
        on_change=_chosen,
        args=(on_change,),
    )
    if code != SOURCE_LANGUAGE:
        st.sidebar.caption(
            language(code).gettext(
                "A working translation by the tracker's maintainers, not an official text: official titles and ids "
                "stay as published."
            )
        )
    with st.sidebar:
        _mark_page_language(code)
    return language(code)


def _mark_page_language(code: str) -> None:
    """Set ``<html lang>`` to the page's language, for screen readers and hyphenation (WCAG 3.1.1).

    Streamlit serves one ``index.html`` with ``lang="en"`` and has no setting for it; a script in a zero-height
    component frame (same origin: Streamlit's component frames allow it) sets the attribute on the page.
    """
    components.html(f"<script>window.parent.document.documentElement.lang = {json.dumps(code)};</script>", height=0)
